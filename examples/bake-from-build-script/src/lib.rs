//! Example: kernels baked at build time by `trinity_emit::build::Bake` (see `build.rs`),
//! declared with `extern "C"` and wrapped in safe functions that check the CPU and the
//! operand lengths. This module is the only code here that calls generated machine code.

use trinity_emit::kernels::Tier;
use trinity_runtime::{BitVector, DenseVector};

extern "C" {
    fn trinity_bits_dot_10000(a: *const u64, b: *const u64) -> i64;
    fn trinity_dense_hamming_1000(a: *const i8, b: *const i8) -> i64;
    fn trinity_dense_bind_1000(out: *mut i8, a: *const i8, b: *const i8);
    fn trinity_bits_permute_10000_1(out: *mut u64, v: *const u64);
}

/// Whether this CPU can run the baked kernels (they use the target's best tier).
pub fn supported() -> bool {
    let best = trinity_runtime::cpu::detect_tier();
    best.is_some_and(|t| t.runs(Tier::Avx2) || t.runs(Tier::DotProd))
}

/// Dot product of two D = 10000 bitsliced vectors, or `None` on another dimension or CPU.
///
/// ```
/// use trinity_runtime::BitVector;
/// let a = BitVector::random(10_000, 1)?;
/// if trinity_example_bake::supported() {
///     // dot(a, a) counts the non-zero trits.
///     let nonzero = (0..10_000).filter(|&i| a.get(i) != Some(0)).count() as i64;
///     assert_eq!(trinity_example_bake::bits_dot_10000(&a, &a), Some(nonzero));
/// }
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn bits_dot_10000(a: &BitVector, b: &BitVector) -> Option<i64> {
    (supported() && a.dim() == 10_000 && b.dim() == 10_000)
        // SAFETY: the kernel reads 2 * 157 words behind each pointer, which is what a
        // D = 10000 BitVector holds, and the CPU has the kernels' tier.
        .then(|| unsafe { trinity_bits_dot_10000(a.words().as_ptr(), b.words().as_ptr()) })
}

/// Hamming distance of two D = 1000 dense vectors, or `None` on another dimension or CPU.
pub fn dense_hamming_1000(a: &DenseVector, b: &DenseVector) -> Option<i64> {
    (supported() && a.dim() == 1000 && b.dim() == 1000)
        // SAFETY: the kernel reads 1000 bytes behind each pointer; both vectors have 1000.
        .then(|| unsafe {
            trinity_dense_hamming_1000(a.as_slice().as_ptr(), b.as_slice().as_ptr())
        })
}

/// Bind of two D = 1000 dense vectors, or `None` on another dimension or CPU.
pub fn dense_bind_1000(a: &DenseVector, b: &DenseVector) -> Option<DenseVector> {
    if !(supported() && a.dim() == 1000 && b.dim() == 1000) {
        return None;
    }
    let mut out = vec![0i8; 1000];
    // SAFETY: the kernel reads 1000 bytes of a and b and writes 1000 bytes of out.
    unsafe {
        trinity_dense_bind_1000(out.as_mut_ptr(), a.as_slice().as_ptr(), b.as_slice().as_ptr())
    };
    DenseVector::new(out).ok()
}

/// Right rotation by 1 of a D = 10000 bitsliced vector, or `None` on another dimension or CPU.
pub fn bits_permute_10000_1(v: &BitVector) -> Option<BitVector> {
    if !(supported() && v.dim() == 10_000) {
        return None;
    }
    let mut out = vec![0u64; v.words().len()];
    // SAFETY: the kernel reads and writes 2 * 157 words, the length of both buffers, which do
    // not overlap.
    unsafe { trinity_bits_permute_10000_1(out.as_mut_ptr(), v.words().as_ptr()) };
    let (plus, minus) = out.split_at(out.len() / 2);
    BitVector::from_planes(10_000, plus, minus).ok()
}
