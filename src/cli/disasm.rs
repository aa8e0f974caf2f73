//! `trinity disasm`: show a kernel's code.

use super::{host_arch, resolve_tier, ArchArg, LayoutArg, OpArg, TierArg};
use clap::Args;
use trinity_emit::kernels::{generate, Arch, KernelSpec, Op};

/// Arguments of `trinity disasm`.
#[derive(Debug, Args)]
pub struct DisasmArgs {
    /// The op.
    #[arg(long, value_enum)]
    pub op: OpArg,
    /// The layout.
    #[arg(long, value_enum, default_value = "bits")]
    pub layout: LayoutArg,
    /// The dimension D.
    #[arg(long, default_value_t = 10000)]
    pub dim: u32,
    /// For permute: the right-rotation amount (any integer; reduced mod D).
    #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
    pub shift: i64,
    /// The architecture (default: this machine's).
    #[arg(long, value_enum)]
    pub arch: Option<ArchArg>,
    /// The CPU tier (default: the architecture's best).
    #[arg(long, value_enum)]
    pub tier: Option<TierArg>,
    /// Print raw hex instead of assembly.
    #[arg(long)]
    pub hex: bool,
}

/// Generate the kernel and return its listing.
pub fn run(args: &DisasmArgs) -> Result<String, String> {
    let arch = args.arch.map(Arch::from).unwrap_or_else(host_arch);
    let tier = resolve_tier(arch, args.tier)?;
    let op = Op::from(args.op);
    let spec = if op == Op::Permute {
        KernelSpec::permute(args.layout.into(), args.dim, tier, args.shift)
    } else {
        KernelSpec::new(op, args.layout.into(), args.dim, tier)
    };
    let kernel = generate(&spec).map_err(|e| e.to_string())?;
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
