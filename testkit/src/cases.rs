//! The test matrix every kernel suite iterates (x86-64 natively and in the simulator, AArch64
//! under qemu): the dimensions, the edge vectors, and the scan and permute cases built from
//! them, with operands laid out as kernels read them.

use crate::reference::{expected, Output};
use std::collections::BTreeSet;
use trinity_emit::kernels::scan::ScanMetric;
use trinity_emit::kernels::{KernelSpec, Layout, Op, Variant};
use trinity_runtime::{BitVector, DenseVector};

/// Every tail of the smallest dimensions: shorter than any vector, and each remainder of the
/// first 64-trit word and 32- and 64-byte vector.
pub const SMALL_DIMS: std::ops::RangeInclusive<usize> = 1..=70;

/// Both sides of the vector, word and unroll boundaries up to 1025.
pub const BOUNDARY_DIMS: [usize; 13] =
    [127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024, 1025];

/// Realistic sizes: 10000, 3^10 and one past 2^16.
pub const LARGE_DIMS: [usize; 3] = [10000, 59049, 65537];

/// One past the first flush of the bitsliced x4 reduction variants (2048000 positions), with
/// every kind of tail: the reductions run here once per suite, as a dedicated (or release-only)
/// part, since the reference is slow in a debug build. MAX_DIM, the other expensive one, has a
/// test of its own in each suite too.
pub const FLUSH_DIM: usize = 2_100_001;

/// The dimensions every op of every suite runs at (docs/design.md §7 but MAX_DIM):
/// [`SMALL_DIMS`], [`BOUNDARY_DIMS`] and [`LARGE_DIMS`].
pub fn dims() -> Vec<usize> {
    SMALL_DIMS.chain(BOUNDARY_DIMS).chain(LARGE_DIMS).collect()
}

/// Dimensions beyond [`dims`] where the pair suites run the reductions, which have unrolled
/// variants: every tail class of their loops (whole vectors mod 4; for bitsliced also an odd
/// word, with a whole or a partial last word). [`FLUSH_DIM`] is apart.
pub fn reduction_dims() -> Vec<usize> {
    let all = dims();
    let words = (1..=24).flat_map(|w| [64 * w - 13, 64 * w]);
    (71..=200)
        .chain(words)
        .chain([514, 515, 4095, 4096, 4097, 10001])
        .filter(|d| !all.contains(d))
        .collect()
}

/// The names of the edge vectors, in the order [`vectors`] gives them: two seeded random
/// ones, all -1, all +1, all zero, random with an all -1 tail of up to 40 trits, and
/// alternating +1, -1.
pub const VECTORS: [&str; 7] =
    ["random a", "random b", "all -1", "all +1", "zeros", "random, -1 tail", "alternating"];

/// The edge vector `name` (one of [`VECTORS`]) of `dim` trits, seeded with `seed`.
pub fn vector(name: &str, dim: usize, seed: u64) -> DenseVector {
    match name {
        "random a" => DenseVector::random(dim, seed).unwrap(),
        "random b" => DenseVector::random(dim, seed ^ 0xabcdef).unwrap(),
        "all -1" => DenseVector::new(vec![-1; dim]).unwrap(),
        "all +1" => DenseVector::new(vec![1; dim]).unwrap(),
        "zeros" => DenseVector::zeros(dim).unwrap(),
        "random, -1 tail" => minus_tail(dim, seed + 7),
        "alternating" => alternating(dim),
        _ => panic!("no edge vector named {name:?}"),
    }
}

/// Every edge vector of one dimension, by name (see [`VECTORS`]).
pub fn vectors(dim: usize, seed: u64) -> Vec<(&'static str, DenseVector)> {
    VECTORS.iter().map(|&name| (name, vector(name, dim, seed))).collect()
}

/// The pairs of [`VECTORS`] (by index) a two-operand op is tested on: random against random
/// and itself, the extremes against each other and against random, zero on either side.
pub const PAIRS: [(usize, usize); 13] = [
    (0, 1),
    (1, 0),
    (0, 0),
    (2, 2),
    (2, 3),
    (2, 0),
    (4, 0),
    (0, 4),
    (4, 4),
    (5, 2),
    (5, 1),
    (6, 3),
    (1, 6),
];

/// The pairs `picks` (indices into [`VECTORS`], such as [`PAIRS`]) of the vectors of `dim`.
pub fn pairs(dim: usize, seed: u64, picks: &[(usize, usize)]) -> Vec<(DenseVector, DenseVector)> {
    let v = |i: usize| vector(VECTORS[i], dim, seed);
    picks.iter().map(|&(i, j)| (v(i), v(j))).collect()
}

/// Random with an all -1 tail of up to 40 trits.
pub fn minus_tail(dim: usize, seed: u64) -> DenseVector {
    let mut trits = DenseVector::random(dim, seed).unwrap().into_vec();
    trits[dim.saturating_sub(40)..].fill(-1);
    DenseVector::new(trits).unwrap()
}

/// +1, -1, +1, ...: every other position set in each bitsliced plane.
pub fn alternating(dim: usize) -> DenseVector {
    DenseVector::new((0..dim).map(|i| if i % 2 == 0 { 1 } else { -1 }).collect()).unwrap()
}

/// Every variant of `spec` (`Variant::candidates`), the default first, so that each runs every
/// check.
pub fn variants(spec: KernelSpec) -> Vec<KernelSpec> {
    let all = Variant::candidates(&spec);
    assert!(all.first() == Some(&Variant::DEFAULT), "{spec}: the default comes first");
    all.into_iter().map(|variant| KernelSpec { variant, ..spec }).collect()
}

/// One operand's bytes in `layout`.
pub fn operand(layout: Layout, v: &DenseVector) -> Vec<u8> {
    match layout {
        Layout::Dense => v.as_slice().iter().map(|&t| t as u8).collect(),
        Layout::Bits => BitVector::from(v).words().iter().flat_map(|w| w.to_le_bytes()).collect(),
    }
}

/// Records per test call: not a multiple of any query block or unroll factor.
pub const RECORDS: usize = 13;

/// The byte between operands: not a trit, and set bits in any plane word, so a kernel that
/// reads past an operand gets a wrong score.
pub const GAP: u8 = 0xa5;

/// The stride for `dim`: the operand bytes rounded up to 64, plus a 64-byte gap for odd `dim`.
pub fn stride(layout: Layout, dim: usize) -> usize {
    let bytes = layout.operand_bytes(dim as u32);
    bytes.next_multiple_of(64) + if dim % 2 == 1 { 64 } else { 0 }
}

/// `count` records: random ones, two duplicates, all -1, all +1, zero and a -1 tail, in an
/// order that puts each at several positions of the record loop.
pub fn records(dim: usize, count: usize, seed: u64) -> Vec<DenseVector> {
    (0..count)
        .map(|r| match r % 7 {
            1 => vector("all -1", dim, 0),
            3 => vector("zeros", dim, 0),
            4 => vector("all +1", dim, 0),
            5 => vector("random a", dim, seed), // a duplicate of record 0
            6 => minus_tail(dim, seed + r as u64),
            _ => vector("random a", dim, seed + r as u64),
        })
        .collect()
}

/// Eight queries: all -1, a duplicate of record 0, zero, random, all +1, a -1 tail, random,
/// all -1 again. Blocks of Q are taken from it in turn.
pub fn query_pool(dim: usize, seed: u64) -> Vec<DenseVector> {
    vec![
        vector("all -1", dim, 0),
        vector("random a", dim, seed),
        vector("zeros", dim, 0),
        vector("random a", dim, seed ^ 0x5eed),
        vector("all +1", dim, 0),
        minus_tail(dim, seed ^ 0x7a11),
        vector("random a", dim, seed ^ 0xfeed),
        vector("all -1", dim, 0),
    ]
}

/// Operands `stride` bytes apart with [`GAP`] bytes between them, ending right after the last
/// operand (empty for none).
pub fn image(operands: &[Vec<u8>], stride: usize) -> Vec<u8> {
    let Some(last) = operands.last() else { return Vec::new() };
    let mut bytes = vec![GAP; (operands.len() - 1) * stride + last.len()];
    for (i, op) in operands.iter().enumerate() {
        bytes[i * stride..i * stride + op.len()].copy_from_slice(op);
    }
    bytes
}

/// metric(a, b) of two operands in `layout` (see [`expected`]).
pub fn score(metric: ScanMetric, layout: Layout, a: &[u8], b: &[u8]) -> i32 {
    let op = match metric {
        ScanMetric::Dot => Op::Dot,
        ScanMetric::Hamming => Op::Hamming,
    };
    let dim = match layout {
        Layout::Dense => a.len(),
        // Any D of this many words gives the same dot and hamming (padding bits are zero).
        Layout::Bits => a.len() / 16 * 64,
    };
    let Output::Int(score) = expected(op, layout, dim, a, b, 0) else { unreachable!() };
    i32::try_from(score).expect("scores fit i32")
}

/// The scores the contract defines: `scores[r * Q + q]` = metric(record r, query q).
pub fn scan_scores(
    metric: ScanMetric,
    layout: Layout,
    records: &[Vec<u8>],
    queries: &[Vec<u8>],
) -> Vec<i32> {
    records.iter().flat_map(|r| queries.iter().map(move |q| score(metric, layout, r, q))).collect()
}

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

/// The vectors the permute suites rotate at `dim`: of [`vectors`], seeded random, all +1
/// (every bit of the +1 plane set up to the padding, which a rotation must not fill) and
/// random with an all -1 tail.
pub fn permute_vectors(dim: usize, seed: u64) -> Vec<DenseVector> {
    ["random a", "all +1", "random, -1 tail"].map(|name| vector(name, dim, seed)).into()
}

/// `v` rotated right by `shift` (any i64), as the layout's bytes (see [`expected`]).
pub fn rotated(layout: Layout, v: &DenseVector, shift: i64) -> Vec<u8> {
    let dim = v.dim();
    let shift = shift.rem_euclid(dim as i64) as usize;
    let Output::Operand(out) = expected(Op::Permute, layout, dim, &operand(layout, v), &[], shift)
    else {
        unreachable!()
    };
    out
}
