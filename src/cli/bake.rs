//! `trinity bake`: write kernels as a relocatable object file and a C header.

use super::{
    arch_parser, host_arch, layout_parser, op_parser, or_default, parse_dim, resolve_tier,
    tier_parser, Error,
};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;
use std::path::PathBuf;
use trinity_emit::kernels::tuning::{Planner, Wisdom};
use trinity_emit::kernels::{generate, spec_set, Arch, Kernel, Layout, Op, Tier};
use trinity_emit::object_file::{c_header, call_conv_for, write_object, ObjectFormat};

/// `--os` values, mapped to their object format by [`ObjectFormat::for_os`].
fn os_parser() -> impl TypedValueParser<Value = ObjectFormat> {
    PossibleValuesParser::new(["linux", "macos", "windows"]).map(|os| ObjectFormat::for_os(&os))
}

/// Arguments of `trinity bake`.
#[derive(Debug, Args)]
pub struct BakeArgs {
    /// Dimensions to bake, each in 1..=16777216 (repeat or separate with commas).
    #[arg(long, required = true, value_delimiter = ',', value_parser = parse_dim,
          allow_negative_numbers = true)]
    pub dim: Vec<u32>,
    /// Ops to bake (default: all).
    #[arg(long, value_parser = op_parser(), value_delimiter = ',')]
    pub ops: Vec<Op>,
    /// Layouts to bake (default: both).
    #[arg(long, value_parser = layout_parser(), value_delimiter = ',')]
    pub layout: Vec<Layout>,
    /// Permute shifts to bake (any integers, stored mod D in the symbol name: -1 at D = 10000
    /// gives trinity_bits_permute_10000_9999; default: 1).
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub permute: Vec<i64>,
    /// Target architecture (default: this machine's).
    #[arg(long, value_parser = arch_parser())]
    pub arch: Option<Arch>,
    /// Target operating system, which picks the object format (ELF, Mach-O, COFF) and, on
    /// x86-64 Windows, the Win64 calling convention (default: this machine's).
    #[arg(long, value_parser = os_parser())]
    pub os: Option<ObjectFormat>,
    /// CPU tier (default: avx2 on x86-64, dotprod on AArch64).
    #[arg(long, value_parser = tier_parser())]
    pub tier: Option<Tier>,
    /// Where to write the object file.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Where to write the C header (optional).
    #[arg(long)]
    pub header: Option<PathBuf>,
    /// Generate the variants this wisdom file (`trinity tune`) chose, whatever CPU it was
    /// measured on (default: every kernel's default variant).
    #[arg(long)]
    pub wisdom: Option<PathBuf>,
}

/// Generate the kernels and write the files; returns a one-line summary.
pub fn run(args: &BakeArgs) -> Result<String, Error> {
    let arch = args.arch.unwrap_or_else(host_arch);
    let tier = resolve_tier(arch, args.tier)?;
    let format = args.os.unwrap_or_else(|| ObjectFormat::for_os(std::env::consts::OS));
    let (ops, layouts) = (or_default(&args.ops, &Op::ALL), or_default(&args.layout, &Layout::ALL));
    if !args.permute.is_empty() && !ops.contains(&Op::Permute) {
        let shifts: Vec<String> = args.permute.iter().map(i64::to_string).collect();
        let message = format!("--permute {} needs permute among --ops", shifts.join(","));
        return Err(Error::Usage(message));
    }
    let shifts = or_default(&args.permute, &[1]);
    let specs = spec_set(&args.dim, &ops, &layouts, &shifts, tier);
    let planner = match &args.wisdom {
        Some(path) => {
            Planner::with_wisdom(Wisdom::read(path).map_err(|e| Error::Failed(e.to_string()))?)
        }
        None => Planner::defaults(),
    };
    let kernels = specs
        .into_iter()
        .map(|mut spec| {
            spec.conv = call_conv_for(format, arch);
            spec.variant = planner.choose(&spec);
            generate(&spec).map_err(|e| Error::Failed(format!("{spec}: {e}")))
        })
        .collect::<Result<Vec<Kernel>, Error>>()?;
    let object = write_object(&kernels, format).map_err(|e| Error::Failed(e.to_string()))?;
    std::fs::write(&args.output, &object)
        .map_err(|e| Error::Failed(format!("cannot write {}: {e}", args.output.display())))?;
    if let Some(path) = &args.header {
        let guard = path
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .to_uppercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            })
            .unwrap_or_else(|| "TRINITY_KERNELS_H".into());
        std::fs::write(path, c_header(&kernels, &guard))
            .map_err(|e| Error::Failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(format!(
        "wrote {} kernels ({} bytes of code) to {}",
        kernels.len(),
        kernels.iter().map(|k| k.code.len()).sum::<usize>(),
        args.output.display()
    ))
}
