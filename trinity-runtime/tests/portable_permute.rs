//! The portable bitsliced rotation against the plain reference, at every shift of every
//! dimension up to three words and a half, and at sampled shifts of larger ones.

use trinity_runtime::{portable, reference, BitVector, DenseVector};

fn check(dim: usize, k: usize) {
    let v = BitVector::from(&DenseVector::random(dim, dim as u64 * 7919 + 1).unwrap());
    // Garbage in `out` must not survive: every word is written.
    let mut out = vec![u64::MAX; v.words().len()];
    portable::bits_permute(&mut out, v.words(), dim, k);
    let want =
        BitVector::from(&DenseVector::from_slice(&reference::permute(&v, k as i64)).unwrap());
    assert_eq!(out, want.words(), "D {dim} k {k}");
}

#[test]
fn every_shift_of_small_dimensions() {
    for dim in 1..=224 {
        for k in 0..dim {
            check(dim, k);
        }
    }
}

#[test]
fn sampled_shifts_of_larger_dimensions() {
    for dim in [1000, 1023, 1024, 1025, 10_000, 65_537] {
        for k in [0, 1, 7, 8, 63, 64, 65, 128, 500, dim / 2, dim - 64, dim - 63, dim - 1] {
            check(dim, k % dim);
        }
    }
}
