//! The `trinity` command line: argument parsing and the subcommands.

pub mod bake;
pub mod disasm;
pub mod run;

use clap::{Parser, Subcommand, ValueEnum};
use trinity_emit::kernels::{Arch, Layout, Op, Tier};

/// Trinity: native machine code for ternary VSA kernels.
///
/// Exit codes: 0 success; 1 a check failed or an output could not be written; 2 bad arguments.
#[derive(Debug, Parser)]
#[command(
    name = "trinity",
    version,
    about,
    after_help = "Exit codes: 0 success; 1 a check failed, a kernel could not be generated or an \
                  output could not be written; 2 bad command-line arguments."
)]
pub struct Cli {
    /// What to do; without a subcommand, every op is JIT-compiled, checked against portable
    /// Rust and timed.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default run.
    #[command(flatten)]
    pub run: run::RunArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one kernel's machine code as annotated assembly (or raw hex), for any architecture.
    Disasm(disasm::DisasmArgs),
    /// Write kernels as a relocatable object file (and optionally a C header).
    Bake(bake::BakeArgs),
    /// List the instructions each encoder emits.
    Encoders,
}

/// An op as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OpArg {
    /// Dot product.
    Dot,
    /// Element-wise product.
    Bind,
    /// Sign of the element-wise sum.
    Bundle,
    /// Number of differing positions.
    Hamming,
    /// Cosine similarity.
    Cosine,
    /// Right rotation.
    Permute,
}

impl From<OpArg> for Op {
    fn from(op: OpArg) -> Op {
        match op {
            OpArg::Dot => Op::Dot,
            OpArg::Bind => Op::Bind,
            OpArg::Bundle => Op::Bundle,
            OpArg::Hamming => Op::Hamming,
            OpArg::Cosine => Op::Cosine,
            OpArg::Permute => Op::Permute,
        }
    }
}

/// A layout as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// One i8 per trit.
    Dense,
    /// Two u64 bit-planes.
    Bits,
}

impl From<LayoutArg> for Layout {
    fn from(layout: LayoutArg) -> Layout {
        match layout {
            LayoutArg::Dense => Layout::Dense,
            LayoutArg::Bits => Layout::Bits,
        }
    }
}

/// An architecture as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ArchArg {
    /// x86-64.
    #[value(name = "x86_64")]
    X86_64,
    /// AArch64.
    Aarch64,
}

impl From<ArchArg> for Arch {
    fn from(arch: ArchArg) -> Arch {
        match arch {
            ArchArg::X86_64 => Arch::X86_64,
            ArchArg::Aarch64 => Arch::Aarch64,
        }
    }
}

/// A CPU tier as named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TierArg {
    /// x86-64 AVX2.
    Avx2,
    /// AArch64 baseline NEON.
    Neon,
    /// AArch64 NEON with DotProd.
    Dotprod,
}

impl From<TierArg> for Tier {
    fn from(tier: TierArg) -> Tier {
        match tier {
            TierArg::Avx2 => Tier::Avx2,
            TierArg::Neon => Tier::Neon,
            TierArg::Dotprod => Tier::DotProd,
        }
    }
}

/// The architecture this program runs on, or x86-64 when it is neither supported one.
pub fn host_arch() -> Arch {
    if cfg!(target_arch = "aarch64") {
        Arch::Aarch64
    } else {
        Arch::X86_64
    }
}

/// The best tier of an architecture (`avx2`, `dotprod`).
pub fn best_tier(arch: Arch) -> Tier {
    match arch {
        Arch::X86_64 => Tier::Avx2,
        Arch::Aarch64 => Tier::DotProd,
    }
}

/// Pick the tier: the one given (which must belong to `arch`), else the arch's best.
pub fn resolve_tier(arch: Arch, tier: Option<TierArg>) -> Result<Tier, String> {
    match tier.map(Tier::from) {
        None => Ok(best_tier(arch)),
        Some(tier) if tier.arch() == arch => Ok(tier),
        Some(tier) => Err(format!(
            "--tier {} does not exist on {:?}; use {}",
            tier.name(),
            arch,
            Tier::ALL
                .iter()
                .filter(|t| t.arch() == arch)
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}
