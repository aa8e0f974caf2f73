//! What a kernel is: the request (op, layout, dimension, CPU tier, permute shift, calling
//! convention) and the generated result. The generators for each architecture live in submodules.
//! Scan kernels (many records against a block of queries in one call), n-way bundle kernels
//! (any number of operands in one call) and permute kernels taking the shift at run time have
//! their own request types, in [`scan`], [`bundle`] and [`permute_by`].

use std::fmt;

pub mod aarch64;
pub mod bundle;
pub mod permute_by;
pub mod plan;
pub mod scan;
pub mod tuning;
pub mod unwind;
pub mod variant;
pub mod x86_64;

pub use variant::{Popcount, Variant};

/// The largest dimension any kernel is generated for (2^24), as in the design contract.
pub const MAX_DIM: u32 = 1 << 24;

/// A kernel operation (docs/design.md §1, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// `int64_t dot(const T *a, const T *b)`: sum of products.
    Dot,
    /// `void bind(T *out, const T *a, const T *b)`: element-wise product.
    Bind,
    /// `void bundle(T *out, const T *a, const T *b)`: sign of the element-wise sum.
    Bundle,
    /// `int64_t hamming(const T *a, const T *b)`: positions that differ.
    Hamming,
    /// `double cosine(const T *a, const T *b)`: dot over the product of norms, 0.0 for a zero vector.
    Cosine,
    /// `void permute(T *out, const T *v)`: right rotation by the spec's shift.
    Permute,
}

impl Op {
    /// Every op, in a fixed order.
    pub const ALL: [Op; 6] = [Op::Dot, Op::Bind, Op::Bundle, Op::Hamming, Op::Cosine, Op::Permute];

    /// The op's name as used in symbols and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Op::Dot => "dot",
            Op::Bind => "bind",
            Op::Bundle => "bundle",
            Op::Hamming => "hamming",
            Op::Cosine => "cosine",
            Op::Permute => "permute",
        }
    }

    /// The C signature shape of the op's kernels.
    pub fn signature(self) -> Signature {
        match self {
            Op::Dot | Op::Hamming => Signature::Reduce,
            Op::Cosine => Signature::ReduceF64,
            Op::Bind | Op::Bundle => Signature::Binary,
            Op::Permute => Signature::Unary,
        }
    }
}

/// How a kernel is called (docs/design.md §3). `T` is the layout's element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signature {
    /// `int64_t f(const T *a, const T *b)`.
    Reduce,
    /// `double f(const T *a, const T *b)`.
    ReduceF64,
    /// `void f(T *out, const T *a, const T *b)`; `out` may equal `a` or `b`.
    Binary,
    /// `void f(T *out, const T *v)`; `out` must not overlap `v`.
    Unary,
}

/// How a vector is laid out in memory (docs/design.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    /// One `i8` per trit.
    Dense,
    /// Two planes of `ceil(D/64)` little-endian `u64` words: +1 plane, then -1 plane.
    Bits,
}

impl Layout {
    /// Both layouts.
    pub const ALL: [Layout; 2] = [Layout::Dense, Layout::Bits];

    /// The layout's name as used in symbols (`dense`, `bits`).
    pub fn name(self) -> &'static str {
        match self {
            Layout::Dense => "dense",
            Layout::Bits => "bits",
        }
    }

    /// Bytes one operand of dimension `dim` occupies.
    pub fn operand_bytes(self, dim: u32) -> usize {
        match self {
            Layout::Dense => dim as usize,
            Layout::Bits => 2 * 8 * (dim as usize).div_ceil(64),
        }
    }
}

/// An instruction-set architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    /// x86-64.
    X86_64,
    /// AArch64 (A64).
    Aarch64,
}

impl Arch {
    /// Both architectures.
    pub const ALL: [Arch; 2] = [Arch::X86_64, Arch::Aarch64];

    /// The architecture's name as Rust's `target_arch` spells it (`x86_64`, `aarch64`).
    ///
    /// ```
    /// use trinity_emit::kernels::Arch;
    /// assert_eq!(Arch::ALL.map(Arch::name), ["x86_64", "aarch64"]);
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
        }
    }
}

/// A CPU tier: the instruction-set extensions a kernel may use (docs/design.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// x86-64 with AVX2.
    Avx2,
    /// AArch64 baseline ASIMD.
    Neon,
    /// AArch64 ASIMD plus FEAT_DotProd (`sdot`).
    DotProd,
    /// x86-64 with AVX-512 F and BW (popcounts by nibble lookup on 512-bit vectors).
    Avx512,
    /// [`Avx512`](Tier::Avx512) plus VPOPCNTDQ (`vpopcntq`).
    Avx512Vpopcnt,
}

impl Tier {
    /// Every tier.
    pub const ALL: [Tier; 5] =
        [Tier::Avx2, Tier::Avx512, Tier::Avx512Vpopcnt, Tier::Neon, Tier::DotProd];

    /// The architecture the tier belongs to.
    pub fn arch(self) -> Arch {
        match self {
            Tier::Avx2 | Tier::Avx512 | Tier::Avx512Vpopcnt => Arch::X86_64,
            Tier::Neon | Tier::DotProd => Arch::Aarch64,
        }
    }

    /// The tier's name (`avx2`, `avx512`, `avx512vpopcnt`, `neon`, `dotprod`).
    pub fn name(self) -> &'static str {
        match self {
            Tier::Avx2 => "avx2",
            Tier::Avx512 => "avx512",
            Tier::Avx512Vpopcnt => "avx512vpopcnt",
            Tier::Neon => "neon",
            Tier::DotProd => "dotprod",
        }
    }

    /// The tier's place in its architecture's chain, from 1: each tier's CPUs have every
    /// feature of the tiers below it, and a higher tier is preferred (docs/design.md §4).
    pub fn level(self) -> u8 {
        match self {
            Tier::Avx2 | Tier::Neon => 1,
            Tier::Avx512 | Tier::DotProd => 2,
            Tier::Avx512Vpopcnt => 3,
        }
    }

    /// Whether a CPU whose best tier is `self` runs kernels of `tier`: the same architecture,
    /// and `tier` at or below `self`.
    ///
    /// ```
    /// use trinity_emit::kernels::Tier;
    /// assert!(Tier::Avx512.runs(Tier::Avx2));
    /// assert!(!Tier::Avx512.runs(Tier::Avx512Vpopcnt));
    /// assert!(!Tier::DotProd.runs(Tier::Avx2));
    /// ```
    pub fn runs(self, tier: Tier) -> bool {
        self.arch() == tier.arch() && tier.level() <= self.level()
    }
}

/// The calling convention a kernel follows (docs/design.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum CallConv {
    /// System V (x86-64 Unix) or AAPCS64 (AArch64, every OS).
    #[default]
    Native,
    /// Win64 (x86-64 Windows): arguments in rcx, rdx, r8; xmm6-xmm15 callee-saved.
    Win64,
}

/// Why a kernel cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// The dimension is 0 or above [`MAX_DIM`].
    #[error("dimension {dim} is outside 1..={MAX_DIM}")]
    BadDimension {
        /// The dimension given.
        dim: u32,
    },
    /// A permute shift that is not below the dimension, or a shift on an op other than permute.
    #[error("shift {shift} is invalid for {op} at dimension {dim} (permute needs 0 <= shift < dim; other ops take 0)", op = op.name())]
    BadShift {
        /// The op.
        op: Op,
        /// The shift given.
        shift: u32,
        /// The dimension.
        dim: u32,
    },
    /// The calling convention does not exist for the tier's architecture.
    #[error("calling convention {conv:?} does not apply to tier {tier}", tier = tier.name())]
    BadCallConv {
        /// The convention asked for.
        conv: CallConv,
        /// The tier asked for.
        tier: Tier,
    },
    /// The variant is not one the generator has for the spec ([`Variant::candidates`]).
    #[error("variant {variant} does not exist for {spec}")]
    BadVariant {
        /// The variant asked for.
        variant: Variant,
        /// The spec asked for (with the default variant).
        spec: KernelSpec,
    },
    /// A scan kernel's query block is not one of [`scan::QUERY_BLOCKS`].
    #[error("query block {queries} is not one of {:?}", scan::QUERY_BLOCKS)]
    BadQueryBlock {
        /// The block size given.
        queries: u32,
    },
    /// Scan, n-way bundle and permute-by kernels exist for the native calling convention only.
    #[error("{kind} kernels have no {conv:?} calling convention (only the native one)")]
    NativeOnly {
        /// Which kernels: `scan`, `bundle_n` or `permute_by`.
        kind: &'static str,
        /// The convention asked for.
        conv: CallConv,
    },
    /// No generator exists (yet) for this cell of the kernel matrix.
    #[error("no generator for {spec}")]
    Unsupported {
        /// The spec asked for.
        spec: KernelSpec,
    },
    /// The encoder rejected an instruction (a generator bug: reported, never hidden).
    #[error("encoding failed: {0}")]
    Encode(#[from] crate::EmitError),
    /// The prologue cannot be described as Win64 unwind data (a generator bug, likewise).
    #[error("unwind data failed: {0}")]
    Unwind(#[from] unwind::UnwindError),
}

/// A request for one kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KernelSpec {
    /// The operation.
    pub op: Op,
    /// The operand layout.
    pub layout: Layout,
    /// The dimension D, 1..=[`MAX_DIM`].
    pub dim: u32,
    /// The CPU tier (and so the architecture).
    pub tier: Tier,
    /// For [`Op::Permute`], the right-rotation amount, already reduced mod D; 0 otherwise.
    pub shift: u32,
    /// The calling convention.
    pub conv: CallConv,
    /// How the code is generated ([`Variant::DEFAULT`] unless a planner chose another); not
    /// part of the symbol: every variant computes the same results.
    pub variant: Variant,
}

impl KernelSpec {
    /// A spec for a non-permute op with the native calling convention.
    pub fn new(op: Op, layout: Layout, dim: u32, tier: Tier) -> Self {
        KernelSpec {
            op,
            layout,
            dim,
            tier,
            shift: 0,
            conv: CallConv::Native,
            variant: Variant::DEFAULT,
        }
    }

    /// A permute spec; `shift` is any signed rotation and is reduced mod `dim` here
    /// (a zero `dim` is left for [`validate`](Self::validate) to reject).
    pub fn permute(layout: Layout, dim: u32, tier: Tier, shift: i64) -> Self {
        let shift = if dim == 0 { 0 } else { shift.rem_euclid(i64::from(dim)) as u32 };
        KernelSpec { shift, ..KernelSpec::new(Op::Permute, layout, dim, tier) }
    }

    /// Check the spec's fields against each other.
    pub fn validate(&self) -> Result<(), KernelError> {
        if self.dim == 0 || self.dim > MAX_DIM {
            return Err(KernelError::BadDimension { dim: self.dim });
        }
        if self.shift >= self.dim || (self.op != Op::Permute && self.shift != 0) {
            return Err(KernelError::BadShift { op: self.op, shift: self.shift, dim: self.dim });
        }
        if self.conv == CallConv::Win64 && self.tier.arch() != Arch::X86_64 {
            return Err(KernelError::BadCallConv { conv: self.conv, tier: self.tier });
        }
        let plain = KernelSpec { variant: Variant::DEFAULT, ..*self };
        if !Variant::candidates(&plain).contains(&self.variant) {
            return Err(KernelError::BadVariant { variant: self.variant, spec: plain });
        }
        Ok(())
    }

    /// The C symbol of docs/design.md §3, e.g. `trinity_bits_dot_10000` or `trinity_dense_permute_10000_1`.
    pub fn symbol(&self) -> String {
        let mut name = format!("trinity_{}_{}_{}", self.layout.name(), self.op.name(), self.dim);
        if self.op == Op::Permute {
            name.push_str(&format!("_{}", self.shift));
        }
        name
    }
}

/// The specs of a kernel set: every dimension x layout x op, where permute takes one spec per
/// shift (any integers, reduced mod D), sorted, without repeats, with the native calling
/// convention. Nothing is validated here: [`generate`] rejects a bad dimension.
///
/// ```
/// use trinity_emit::kernels::{spec_set, Layout, Op, Tier};
/// let specs = spec_set(&[100], &[Op::Dot, Op::Permute], &[Layout::Bits], &[1, -1, 101], Tier::Avx2);
/// let names: Vec<String> = specs.iter().map(|s| s.symbol()).collect();
/// assert_eq!(names, ["trinity_bits_dot_100", "trinity_bits_permute_100_1", "trinity_bits_permute_100_99"]);
/// ```
pub fn spec_set(
    dims: &[u32],
    ops: &[Op],
    layouts: &[Layout],
    shifts: &[i64],
    tier: Tier,
) -> Vec<KernelSpec> {
    let mut specs = Vec::new();
    for &dim in dims {
        for &layout in layouts {
            for &op in ops {
                if op == Op::Permute {
                    specs.extend(shifts.iter().map(|&k| KernelSpec::permute(layout, dim, tier, k)));
                } else {
                    specs.push(KernelSpec::new(op, layout, dim, tier));
                }
            }
        }
    }
    specs.sort();
    specs.dedup();
    specs
}

impl fmt::Display for KernelSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.symbol(), self.tier.name())?;
        if self.conv == CallConv::Win64 {
            f.write_str(" (win64)")?;
        }
        if self.variant != Variant::DEFAULT {
            write!(f, " ({})", self.variant)?;
        }
        Ok(())
    }
}

/// A generated kernel: position-independent machine code for one [`KernelSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kernel {
    /// What was asked for.
    pub spec: KernelSpec,
    /// The code; the entry point is at offset 0.
    pub code: Vec<u8>,
    /// Win64 unwind data, for a Win64 kernel whose prologue moves `rsp` (to save xmm6-xmm15,
    /// push rdi/rsi or reserve stack scratch). `None` for a leaf kernel, which leaves `rsp`
    /// alone and needs none, and for the native conventions, whose unwind formats Trinity does
    /// not write (see [`unwind`]).
    pub unwind: Option<unwind::UnwindInfo>,
}

/// Generate the kernel for `spec`: validate it, then hand it to its architecture's generator.
///
/// Deterministic: the same spec gives the same bytes on any host.
pub fn generate(spec: &KernelSpec) -> Result<Kernel, KernelError> {
    spec.validate()?;
    match spec.tier.arch() {
        Arch::X86_64 => x86_64::generate(spec),
        Arch::Aarch64 => aarch64::generate(spec),
    }
}
