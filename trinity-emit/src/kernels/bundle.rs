//! n-way bundle kernels: the position-wise majority of any number of operands in one call.
//!
//! A bundle kernel has the C signature
//!
//! ```c
//! void bundle_n(const T *const *vectors, size_t n, T *out);
//! ```
//!
//! where `T` is the layout's element type (`int8_t` dense, `uint64_t` bitsliced, as for the
//! pair kernels) and
//!
//! - `out[i]` receives the sign of `vectors[0][i] + ... + vectors[n-1][i]`, 0 on a tie, so
//!   `n = 2` gives the pair `bundle` and `n = 0` gives the zero vector;
//! - `n` is at most [`MAX_OPERANDS`];
//! - `out` must not overlap any operand (operands may repeat or overlap each other);
//! - only the operands' [`Layout::operand_bytes`] and `n` pointers are read, only `out`'s
//!   operand bytes are written (the x86-64 kernels also prefetch, a hint that never faults
//!   and may name lines past an operand).
//!
//! `D` is fixed per kernel; `n` is a run-time argument. The calling convention is System V on
//! x86-64 and AAPCS64 on AArch64.
//!
//! # How the sums are kept
//!
//! Positions are taken a tile at a time (a few vector registers' worth); each tile reads its
//! slice of every operand before the next tile starts, so counters stay in registers and on
//! the stack and nothing of size `n` or `D` is allocated.
//!
//! - Dense: byte sums in registers for batches of at most 127 operands (a byte lane cannot
//!   overflow), widened into 32-bit sums after each batch; the sign is packed back to bytes
//!   with saturation, which keeps it.
//! - Bitsliced: never unpacked. Per tile, the +1 plane and the -1 plane each feed a bit-sliced
//!   counter: a few registers hold the low bits of every position's count for a batch of
//!   operands small enough not to overflow them (three bits and 7 operands on x86-64, four and
//!   15 on AArch64; a ripple-carry add of one bit plane is two logic operations per bit), then
//!   the batch is added into `L` counter planes on the stack, `L` = the bit length of `n` (at
//!   least the register bits), stopping as soon as the carry is zero. The result compares the
//!   two counts plane by plane from the top: +1 where the plus count is greater, -1 where the
//!   minus count is.
//!
//! The operands are scattered in memory, so no hardware prefetcher follows them: the x86-64
//! kernels prefetch the tile's lines of the operand a fixed distance ahead, and read whole
//! cache lines per tile, so that a line is not evicted between two visits when thousands of
//! operands pass through the caches.
//!
//! A tile that would run past the end of an operand is placed to end at the end instead
//! (overlapping the previous tile and recomputing the same values, which is why `out` must not
//! overlap the operands), or, for operands shorter than a tile, loaded exactly or staged through
//! zeroed stack slots.

use std::fmt;

use super::{aarch64, x86_64, CallConv, KernelError, Layout, Tier, MAX_DIM};

/// The most operands one call may bundle: 2^24 - 1.
///
/// The bitsliced kernels keep up to 24 counter planes per tile and the dense ones 32-bit sums,
/// so every count up to this fits. Callers with more split the operands and add the partial
/// counts themselves (Trinity's engine falls back to counting in 32-bit sums).
pub const MAX_OPERANDS: usize = (1 << 24) - 1;

/// A request for one n-way bundle kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BundleSpec {
    /// The layout of the operands and the result.
    pub layout: Layout,
    /// The dimension D, 1..=[`MAX_DIM`].
    pub dim: u32,
    /// The CPU tier (and so the architecture).
    pub tier: Tier,
    /// The calling convention: only [`CallConv::Native`] has bundle kernels.
    pub conv: CallConv,
}

impl BundleSpec {
    /// A spec with the native calling convention.
    pub fn new(layout: Layout, dim: u32, tier: Tier) -> Self {
        BundleSpec { layout, dim, tier, conv: CallConv::Native }
    }

    /// Check the spec: dimension in range, the native convention.
    ///
    /// ```
    /// use trinity_emit::kernels::bundle::BundleSpec;
    /// use trinity_emit::kernels::{KernelError, Layout, Tier};
    /// let spec = BundleSpec::new(Layout::Bits, 0, Tier::Avx2);
    /// assert_eq!(spec.validate(), Err(KernelError::BadDimension { dim: 0 }));
    /// ```
    pub fn validate(&self) -> Result<(), KernelError> {
        if self.dim == 0 || self.dim > MAX_DIM {
            return Err(KernelError::BadDimension { dim: self.dim });
        }
        if self.conv != CallConv::Native {
            return Err(KernelError::NativeOnly { kind: "bundle_n", conv: self.conv });
        }
        Ok(())
    }

    /// The C symbol, e.g. `trinity_bits_bundle_n_10000`.
    pub fn symbol(&self) -> String {
        format!("trinity_{}_bundle_n_{}", self.layout.name(), self.dim)
    }
}

impl fmt::Display for BundleSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.symbol(), self.tier.name())
    }
}

/// A generated n-way bundle kernel: position-independent machine code for one [`BundleSpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleKernel {
    /// What was asked for.
    pub spec: BundleSpec,
    /// The code; the entry point is at offset 0.
    pub code: Vec<u8>,
}

/// Generate the bundle kernel for `spec`: validate it, then hand it to its architecture's
/// generator.
///
/// Deterministic: the same spec gives the same bytes on any host.
///
/// ```
/// use trinity_emit::kernels::bundle::{generate_bundle, BundleSpec};
/// use trinity_emit::kernels::{Layout, Tier};
/// let spec = BundleSpec::new(Layout::Bits, 10000, Tier::Neon);
/// let kernel = generate_bundle(&spec)?;
/// assert_eq!(kernel.code, generate_bundle(&spec)?.code);
/// # Ok::<(), trinity_emit::kernels::KernelError>(())
/// ```
pub fn generate_bundle(spec: &BundleSpec) -> Result<BundleKernel, KernelError> {
    spec.validate()?;
    let code = match spec.tier {
        Tier::Avx2 => x86_64::bundle::generate(spec)?,
        Tier::Avx512 | Tier::Avx512Vpopcnt => x86_64::bundle_avx512::generate(spec)?,
        Tier::Neon | Tier::DotProd => aarch64::bundle::generate(spec)?,
    };
    Ok(BundleKernel { spec: *spec, code })
}
