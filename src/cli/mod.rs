//! The `trinity` command line: argument parsing and the subcommands.
//!
//! Flag values are parsed straight into trinity-emit's own types ([`Op`], [`Layout`], [`Arch`],
//! [`Tier`]) by the parsers below, so the names a user types are the names the emit crate
//! gives (`Op::name`, `Tier::name`, ...), with no second copy of each enum here.

pub mod bake;
pub mod disasm;
pub mod run;
pub mod search_bench;
pub mod tune;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use trinity_emit::kernels::{Arch, Layout, Op, Tier, MAX_DIM};

/// The exit codes, shown at the end of every `--help`.
const EXIT_CODES: &str = "Exit codes: 0 success; 1 a check failed, a kernel could not be \
                          generated or an output could not be written; 2 bad command-line \
                          arguments (an unknown flag, or a bad value, named in the message).";

/// Trinity: native machine code for ternary VSA kernels, JIT and ahead of time.
///
/// Without a subcommand, trinity JIT-compiles each op (--ops, default all) in each layout
/// (--layout, default both) at dimension --dim for this machine's best CPU tier, checks every
/// result against portable Rust on seeded random vectors, and prints the timings of both as a
/// table (or as one JSON object with --json); the exit code is 1 if any check fails.
#[derive(Debug, Parser)]
#[command(name = "trinity", version, after_help = EXIT_CODES)]
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
    #[command(after_help = EXIT_CODES)]
    Disasm(disasm::DisasmArgs),
    /// Write kernels as a relocatable object file (and optionally a C header).
    #[command(after_help = EXIT_CODES)]
    Bake(bake::BakeArgs),
    /// List the instructions each encoder emits.
    #[command(after_help = EXIT_CODES)]
    Encoders,
    /// Time top-k searches of an item memory (one row per query count and thread count),
    /// beside the machine's read bandwidth measured in the same run.
    #[command(name = "search-bench", after_help = EXIT_CODES)]
    SearchBench(search_bench::SearchBenchArgs),
    /// Time every variant of the reductions at the given dimensions on this machine and
    /// write the fastest as a wisdom file (read through TRINITY_WISDOM, bake --wisdom).
    #[command(after_help = EXIT_CODES)]
    Tune(tune::TuneArgs),
}

/// Why a command failed; [`Error::exit_code`] turns it into the documented exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The arguments parse but do not fit together (exit code 2, like clap's own errors).
    Usage(String),
    /// A kernel could not be generated or an output could not be written (exit code 1).
    Failed(String),
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            Error::Failed(_) => 1,
        }
    }

    /// The message, without the `error: ` prefix.
    pub fn message(&self) -> &str {
        match self {
            Error::Usage(message) | Error::Failed(message) => message,
        }
    }
}

/// A parser accepting exactly the names `name` gives the values in `all`, each described by
/// `help` in `--help`, and returning the value itself.
fn one_of<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    name: fn(T) -> &'static str,
    help: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(all.iter().map(|&v| PossibleValue::new(name(v)).help(help(v))))
        .map(move |s| *all.iter().find(|&&v| name(v) == s).expect("clap accepted only these names"))
}

/// `--op`/`--ops` values: [`Op::name`].
pub fn op_parser() -> impl TypedValueParser<Value = Op> {
    one_of(&Op::ALL, Op::name, |op| match op {
        Op::Dot => "Sum of products",
        Op::Bind => "Element-wise product",
        Op::Bundle => "Sign of the element-wise sum, ties 0",
        Op::Hamming => "Number of differing positions",
        Op::Cosine => "Cosine similarity",
        Op::Permute => "Right rotation",
    })
}

/// `--layout` values: [`Layout::name`].
pub fn layout_parser() -> impl TypedValueParser<Value = Layout> {
    one_of(&Layout::ALL, Layout::name, |layout| match layout {
        Layout::Dense => "One i8 per trit",
        Layout::Bits => "Two u64 bit-planes (+1 plane, then -1 plane)",
    })
}

/// `--arch` values: [`Arch::name`].
pub fn arch_parser() -> impl TypedValueParser<Value = Arch> {
    one_of(&Arch::ALL, Arch::name, |arch| match arch {
        Arch::X86_64 => "x86-64",
        Arch::Aarch64 => "AArch64 (A64)",
    })
}

/// `--tier` values: [`Tier::name`].
pub fn tier_parser() -> impl TypedValueParser<Value = Tier> {
    one_of(&Tier::ALL, Tier::name, |tier| match tier {
        Tier::Avx2 => "x86-64 AVX2 and POPCNT",
        Tier::Avx512 => "x86-64 AVX-512 F and BW",
        Tier::Avx512Vpopcnt => "x86-64 AVX-512 F, BW and VPOPCNTDQ",
        Tier::Neon => "AArch64 baseline NEON",
        Tier::DotProd => "AArch64 NEON with DotProd",
    })
}

/// The values a list flag was given, or `default` when it was not given.
pub fn or_default<T: Clone>(given: &[T], default: &[T]) -> Vec<T> {
    if given.is_empty() { default } else { given }.to_vec()
}

/// A `--dim` value: an integer in 1..=[`MAX_DIM`] (clap names the flag and the value).
pub fn parse_dim(text: &str) -> Result<u32, String> {
    let dim: i64 = text.parse().map_err(|e| format!("{e}"))?;
    u32::try_from(dim)
        .ok()
        .filter(|d| (1..=MAX_DIM).contains(d))
        .ok_or_else(|| format!("the dimension must be in 1..={MAX_DIM}"))
}

/// The architecture this program runs on, or x86-64 when it is neither supported one.
pub fn host_arch() -> Arch {
    if cfg!(target_arch = "aarch64") {
        Arch::Aarch64
    } else {
        Arch::X86_64
    }
}

/// The default tier of an architecture's objects and listings (`avx2`, `dotprod`): the AVX-512
/// tiers only on request (`--tier`), since many x86-64 CPUs lack them.
pub fn best_tier(arch: Arch) -> Tier {
    match arch {
        Arch::X86_64 => Tier::Avx2,
        Arch::Aarch64 => Tier::DotProd,
    }
}

/// Pick the tier: the one given (which must belong to `arch`), else the arch's best.
pub fn resolve_tier(arch: Arch, tier: Option<Tier>) -> Result<Tier, Error> {
    match tier {
        None => Ok(best_tier(arch)),
        Some(tier) if tier.arch() == arch => Ok(tier),
        Some(tier) => Err(Error::Usage(format!(
            "--tier {} does not exist on --arch {}; use {}",
            tier.name(),
            arch.name(),
            Tier::ALL
                .iter()
                .filter(|t| t.arch() == arch)
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}
