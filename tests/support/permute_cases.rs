//! Shifts and vectors for the permute-by suites (x86-64 natively, AArch64 under qemu), and the
//! expected rotation from the plain reference.
#![allow(dead_code)]

use std::collections::BTreeSet;
use trinity::emit::kernels::Layout;
use trinity::runtime::{reference, DenseVector};

#[path = "scan_cases.rs"]
mod scan_cases;
// Not every suite takes the shared dimensions.
#[allow(unused_imports)]
pub use scan_cases::{dims, operand};

/// The shifts tested at `dim`, every one below it: all of them up to D = 70; otherwise every
/// class: 0, word-aligned (r = 0), byte-aligned, odd, D - 1, D / 2, the shifts that leave
/// `D - k` word-aligned (t = 0) and their neighbours, and a few seeded ones.
pub fn shifts(dim: usize) -> Vec<usize> {
    if dim <= 70 {
        return (0..dim).collect();
    }
    let (tail, last_word) = (dim % 64, 64 * ((dim - 1) / 64));
    let mut s: BTreeSet<usize> = BTreeSet::new();
    let candidates = [
        0,
        1,
        3,
        7,
        8,
        9,
        24,
        63,
        64,
        65,
        127,
        128,
        129,
        256,
        last_word,
        dim / 2,
        dim / 2 / 8 * 8,
        (dim / 2) | 1,
        tail,
        tail + 1,
        tail + 64,
        dim.wrapping_sub(128),
        dim.wrapping_sub(65),
        dim.wrapping_sub(64),
        dim.wrapping_sub(63),
        dim.wrapping_sub(8),
        dim.wrapping_sub(1),
    ];
    // (A wrapped-around `dim - n` is above dim and left out.)
    s.extend(candidates.into_iter().filter(|&k| k < dim));
    let mut x = (dim as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for _ in 0..4 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.insert((x % dim as u64) as usize);
    }
    s.into_iter().collect()
}

/// The vectors rotated at `dim`: seeded random, all +1 (every bit of the +1 plane set up to
/// the padding, which a rotation must not fill) and random with an all -1 tail.
pub fn vectors(dim: usize, seed: u64) -> Vec<DenseVector> {
    let mut tail = DenseVector::random(dim, seed ^ 0x7a11).unwrap().into_vec();
    tail[dim.saturating_sub(40)..].fill(-1);
    vec![
        DenseVector::random(dim, seed).unwrap(),
        DenseVector::new(vec![1; dim]).unwrap(),
        DenseVector::new(tail).unwrap(),
    ]
}

/// `v` rotated right by `shift` (any i64), as the layout's bytes, from the plain reference.
pub fn expected(layout: Layout, v: &DenseVector, shift: i64) -> Vec<u8> {
    operand(layout, &DenseVector::new(reference::permute(v, shift)).unwrap())
}
