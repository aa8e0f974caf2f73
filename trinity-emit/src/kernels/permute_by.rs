//! Permute kernels that take the shift at run time: one kernel per (layout, D, tier) for every
//! rotation, beside the fixed-shift kernels of [`Op::Permute`](super::Op::Permute).
//!
//! A permute-by kernel has the C signature
//!
//! ```c
//! void permute_by(T *out, const T *v, uint64_t shift);
//! ```
//!
//! where `T` is the layout's element type (`int8_t` dense, `uint64_t` bitsliced, as for the
//! pair kernels) and
//!
//! - `out` receives `v` rotated right by `shift`: `out[(i + shift) mod D] = v[i]`
//!   (docs/design.md §1), bitsliced padding bits zero;
//! - `0 <= shift < D`: callers reduce a signed rotation with `rem_euclid(D)` first (a larger
//!   shift breaks the contract, and the kernel may then access memory outside the operands);
//! - `out` must not overlap `v`;
//! - only [`Layout::operand_bytes`] are read behind `v` and written behind `out`.
//!
//! `D` is fixed per kernel; the shift is a run-time argument. The calling convention is System V
//! on x86-64 and AAPCS64 on AArch64.
//!
//! # How
//!
//! - Dense: two copies, `out[k..D] = v[0..D-k]` and `out[0..k] = v[D-k..D]`, each of a run-time
//!   length: wide vector moves with an overlapping last one, else two overlapping moves of 16,
//!   8 or 4 bytes, or bytes 0, `len / 2` and `len - 1`; `rep movsb` for long copies on x86-64.
//! - Bitsliced, per plane: `out = (v << k) | (v >> (D - k))` as a `D`-bit integer. With
//!   `k = 64q + r` and `D - k = 64p + t`, word `i` of the result ORs up to four source words,
//!   `v[i - q] << r`, `v[i - q - 1] >> (64 - r)`, `v[i + p] >> t` and `v[i + p + 1] << (64 - t)`,
//!   each only where its source index is inside the plane. Below `lo = min(q, W - p - 1)` only
//!   the last two terms are in range; from `hi = q + 1` on only the first two count (the third
//!   is in range at word `q + 1` when `W - p = q + 2`, but then shifts the last word's
//!   `D mod 64` valid bits right by `t > D mod 64`: zero). Both runs are a funnel shift
//!   `x[j] >> a | x[j + 1] << (64 - a)` over a window of the plane (`a` = `t`, or `64 - r`), and
//!   vector shifts by a register count, which give zero for a count of 64, cover `r = 0` and
//!   `t = 0` without a branch. The one or two words in between check each term's index. The
//!   last word is masked to its `D mod 64` valid bits.

use std::fmt;

use super::{aarch64, x86_64, Arch, CallConv, KernelError, Layout, Tier, MAX_DIM};

/// A request for one run-time-shift permute kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PermuteBySpec {
    /// The layout of the operand and the result.
    pub layout: Layout,
    /// The dimension D, 1..=[`MAX_DIM`].
    pub dim: u32,
    /// The CPU tier (and so the architecture).
    pub tier: Tier,
    /// The calling convention: only [`CallConv::Native`] has permute-by kernels.
    pub conv: CallConv,
}

impl PermuteBySpec {
    /// A spec with the native calling convention.
    pub fn new(layout: Layout, dim: u32, tier: Tier) -> Self {
        PermuteBySpec { layout, dim, tier, conv: CallConv::Native }
    }

    /// Check the spec: dimension in range, the native convention.
    ///
    /// ```
    /// use trinity_emit::kernels::permute_by::PermuteBySpec;
    /// use trinity_emit::kernels::{CallConv, KernelError, Layout, Tier};
    /// let spec = PermuteBySpec::new(Layout::Dense, 1 << 25, Tier::Neon);
    /// assert_eq!(spec.validate(), Err(KernelError::BadDimension { dim: 1 << 25 }));
    /// let spec = PermuteBySpec { conv: CallConv::Win64, ..PermuteBySpec::new(Layout::Dense, 9, Tier::Avx2) };
    /// assert_eq!(spec.validate(), Err(KernelError::NativeOnly { kind: "permute_by", conv: CallConv::Win64 }));
    /// ```
    pub fn validate(&self) -> Result<(), KernelError> {
        if self.dim == 0 || self.dim > MAX_DIM {
            return Err(KernelError::BadDimension { dim: self.dim });
        }
        if self.conv != CallConv::Native {
            return Err(KernelError::NativeOnly { kind: "permute_by", conv: self.conv });
        }
        Ok(())
    }

    /// The C symbol, e.g. `trinity_bits_permute_by_10000`.
    pub fn symbol(&self) -> String {
        format!("trinity_{}_permute_by_{}", self.layout.name(), self.dim)
    }
}

impl fmt::Display for PermuteBySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.symbol(), self.tier.name())
    }
}

/// A generated permute-by kernel: position-independent machine code for one [`PermuteBySpec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermuteByKernel {
    /// What was asked for.
    pub spec: PermuteBySpec,
    /// The code; the entry point is at offset 0.
    pub code: Vec<u8>,
}

/// Generate the permute-by kernel for `spec`: validate it, then hand it to its architecture's
/// generator.
///
/// Deterministic: the same spec gives the same bytes on any host.
///
/// ```
/// use trinity_emit::kernels::permute_by::{generate_permute_by, PermuteBySpec};
/// use trinity_emit::kernels::{Layout, Tier};
/// let spec = PermuteBySpec::new(Layout::Bits, 10000, Tier::Avx2);
/// let kernel = generate_permute_by(&spec)?;
/// assert_eq!(kernel.code, generate_permute_by(&spec)?.code);
/// # Ok::<(), trinity_emit::kernels::KernelError>(())
/// ```
pub fn generate_permute_by(spec: &PermuteBySpec) -> Result<PermuteByKernel, KernelError> {
    spec.validate()?;
    let code = match spec.tier.arch() {
        Arch::X86_64 => x86_64::permute_by::generate(spec)?,
        Arch::Aarch64 => aarch64::permute_by::generate(spec)?,
    };
    Ok(PermuteByKernel { spec: *spec, code })
}

#[cfg(test)]
mod tests {
    /// Words `0..lo` take only the `v >> (D - k)` terms, `hi..W` only the `v << k` terms (any
    /// other term in range there is zero), and one or two words lie between: the case split
    /// both generators make at run time.
    #[test]
    fn plane_ranges_split_the_terms() {
        for dim in (1u32..=300).chain([1000, 1023, 1024, 1025, 10000]) {
            let w = i64::from(dim.div_ceil(64));
            for shift in 0..dim {
                let q = i64::from(shift / 64);
                let (p, t) = (i64::from((dim - shift) / 64), (dim - shift) % 64);
                let lo = q.min(w - p - 1).max(0);
                let hi = q + 1;
                assert!((1..=2).contains(&(hi - lo)) && hi <= w, "{dim} {shift}: {lo} {hi}");
                let valid = |s: i64| (0..w).contains(&s);
                for i in 0..w {
                    let terms = [valid(i - q), valid(i - q - 1), valid(i + p), valid(i + p + 1)];
                    if i < lo {
                        assert_eq!(terms, [false, false, true, true], "{dim} {shift} word {i}");
                    } else if i >= hi {
                        assert_eq!(terms[..2], [true, true], "{dim} {shift} word {i}");
                        assert!(!terms[3], "{dim} {shift} word {i}");
                        // v[W - 1] >> t is zero: its valid bits are all below t.
                        let valid_bits = (dim - 1) % 64 + 1;
                        assert!(
                            !terms[2] || i + p == w - 1 && t >= valid_bits,
                            "{dim} {shift} {i}"
                        );
                    }
                }
            }
        }
    }
}
