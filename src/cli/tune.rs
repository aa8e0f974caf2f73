//! `trinity tune`: time every variant of the reductions asked for on this machine and write
//! the fastest of each as a wisdom file (docs/design.md §9.4), which the engine
//! (`TRINITY_WISDOM`), `trinity bake --wisdom` and the build-script baker read.

use super::{layout_parser, op_parser, or_default, parse_dim, tier_parser, Error};
use std::path::PathBuf;
use trinity::runtime::{cpu, tune};
use trinity_emit::kernels::tuning::{Measured, Wisdom};
use trinity_emit::kernels::{KernelSpec, Layout, Op, Tier, Variant};

/// Arguments of `trinity tune`.
#[derive(Debug, clap::Args)]
pub struct TuneArgs {
    /// Ops to tune (default: dot, hamming, cosine; bind and bundle have variants only on the
    /// AVX-512 tiers, permute none).
    #[arg(long, value_parser = op_parser(), value_delimiter = ',')]
    pub ops: Vec<Op>,
    /// Layouts to tune (default: both).
    #[arg(long, value_parser = layout_parser(), value_delimiter = ',')]
    pub layouts: Vec<Layout>,
    /// CPU tier to tune (default: this CPU's best); this CPU must run it.
    #[arg(long, value_parser = tier_parser())]
    pub tier: Option<Tier>,
    /// Dimensions to time, each in 1..=16777216; the engine uses the choice measured at the
    /// dimension nearest its own.
    #[arg(long, value_delimiter = ',', default_value = "1024,10000,59049", value_parser = parse_dim,
          allow_negative_numbers = true)]
    pub dims: Vec<u32>,
    /// Alternating timing rounds per kernel (the fastest round counts).
    #[arg(long, default_value = "41", value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: u32,
    /// Where to write the wisdom file.
    #[arg(long, default_value = "trinity.wisdom")]
    pub out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Time the variants and write the wisdom file; returns the table of choices.
pub fn run(args: &TuneArgs) -> Result<String, Error> {
    let Some(best) = cpu::detect_tier() else {
        return Err(Error::Failed("this CPU has no kernel tier: nothing to tune".into()));
    };
    let tier = args.tier.unwrap_or(best);
    if !best.runs(tier) {
        return Err(Error::Usage(format!(
            "--tier {}: this CPU cannot run it (its best tier is {})",
            tier.name(),
            best.name()
        )));
    }
    let ops = or_default(&args.ops, &[Op::Dot, Op::Hamming, Op::Cosine]);
    let layouts = or_default(&args.layouts, &Layout::ALL);
    let mut specs = Vec::new();
    for &dim in &args.dims {
        for &layout in &layouts {
            for &op in &ops {
                let spec = KernelSpec::new(op, layout, dim, tier);
                if Variant::candidates(&spec).len() > 1 {
                    specs.push(spec);
                }
            }
        }
    }
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(specs.len() as u64)
    };
    let mut wisdom = Wisdom::new(cpu::detect_family(), &cpu_model());
    let mut table = String::from("| spec | fastest | ns | default ns |\n|---|---|---|---|\n");
    for spec in specs {
        bar.set_message(spec.to_string());
        let times = tune::race_variants(&spec, args.rounds)
            .map_err(|e| Error::Failed(format!("{spec}: {e}")))?;
        let best = times.iter().min_by(|x, y| x.nanos.total_cmp(&y.nanos)).expect("a variant");
        let note: Vec<String> =
            times.iter().map(|t| format!("{} {:.1} ns", t.variant, t.nanos)).collect();
        table.push_str(&format!(
            "| {} | {} | {:.1} | {:.1} |\n",
            spec.symbol(),
            best.variant,
            best.nanos,
            times[0].nanos
        ));
        wisdom.choices.push(Measured {
            tier,
            layout: spec.layout,
            op: spec.op,
            dim: spec.dim,
            variant: best.variant,
            note: note.join(", "),
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    wisdom.write(&args.out).map_err(|e| Error::Failed(e.to_string()))?;
    Ok(format!("{table}wrote {} choices to {}", wisdom.choices.len(), args.out.display()))
}

/// The CPU's model name (its CPUID brand string on x86-64), or `unknown`.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name") || l.starts_with("CPU part"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
