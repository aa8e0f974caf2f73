//! `trinity disasm`: show a kernel's code.

use super::{
    arch_parser, host_arch, layout_parser, op_parser, parse_dim, resolve_tier, tier_parser, Error,
};
use clap::Args;
use trinity_emit::kernels::{generate, Arch, KernelSpec, Layout, Op, Tier};

/// Arguments of `trinity disasm`.
#[derive(Debug, Args)]
pub struct DisasmArgs {
    /// The op.
    #[arg(long, value_parser = op_parser())]
    pub op: Op,
    /// The layout.
    #[arg(long, value_parser = layout_parser(), default_value = "bits")]
    pub layout: Layout,
    /// The dimension D (1..=16777216).
    #[arg(long, value_parser = parse_dim, default_value = "10000", allow_negative_numbers = true)]
    pub dim: u32,
    /// For permute only: the right-rotation amount (any integer, reduced mod D; default: 1).
    #[arg(long, visible_alias = "permute", allow_negative_numbers = true)]
    pub shift: Option<i64>,
    /// The architecture (default: this machine's).
    #[arg(long, value_parser = arch_parser())]
    pub arch: Option<Arch>,
    /// The CPU tier (default: avx2 on x86-64, dotprod on AArch64).
    #[arg(long, value_parser = tier_parser())]
    pub tier: Option<Tier>,
    /// Print raw hex instead of assembly.
    #[arg(long)]
    pub hex: bool,
}

/// Generate the kernel and return its listing.
pub fn run(args: &DisasmArgs) -> Result<String, Error> {
    let arch = args.arch.unwrap_or_else(host_arch);
    let tier = resolve_tier(arch, args.tier)?;
    let spec = match (args.op, args.shift) {
        (Op::Permute, shift) => {
            KernelSpec::permute(args.layout, args.dim, tier, shift.unwrap_or(1))
        }
        (op, None) => KernelSpec::new(op, args.layout, args.dim, tier),
        (op, Some(shift)) => {
            return Err(Error::Usage(format!(
                "--shift {shift} applies to --op permute, not {}",
                op.name()
            )))
        }
    };
    let kernel = generate(&spec).map_err(|e| Error::Failed(format!("{spec}: {e}")))?;
    let mut out = format!("; {spec}: {} bytes\n", kernel.code.len());
    if args.hex {
        for chunk in kernel.code.chunks(16) {
            let line: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            out.push_str(&line.join(" "));
            out.push('\n');
        }
    } else {
        out.push_str(&trinity::disasm::listing(arch, &kernel.code));
    }
    Ok(out)
}
