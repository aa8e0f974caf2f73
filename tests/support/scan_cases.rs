//! Records and queries for the scan-kernel tests (x86-64 natively, AArch64 under qemu): the
//! dimensions, the vectors, their images at a stride as the scan contract lays them out, and
//! the expected scores from the portable pair functions.
#![allow(dead_code)]

use trinity::emit::kernels::scan::ScanMetric;
use trinity::emit::kernels::Layout;
use trinity::runtime::{portable, BitVector, DenseVector};

/// The dimensions the pair-kernel suites test (DESIGN §7) but MAX_DIM.
pub fn dims() -> Vec<usize> {
    (1..=70)
        .chain([127, 128, 129, 255, 256, 257, 1000, 1023, 1024, 1025, 10000, 59049, 65537])
        .collect()
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

/// Random with an all -1 tail of up to 40 trits.
fn minus_tail(dim: usize, seed: u64) -> DenseVector {
    let mut trits = DenseVector::random(dim, seed).unwrap().into_vec();
    trits[dim.saturating_sub(40)..].fill(-1);
    DenseVector::new(trits).unwrap()
}

/// `count` records: random ones, two duplicates, all -1, all +1, zero and a -1 tail, in an
/// order that puts each at several positions of the record loop.
pub fn records(dim: usize, count: usize, seed: u64) -> Vec<DenseVector> {
    (0..count)
        .map(|r| match r % 7 {
            1 => DenseVector::new(vec![-1; dim]).unwrap(),
            3 => DenseVector::zeros(dim).unwrap(),
            4 => DenseVector::new(vec![1; dim]).unwrap(),
            5 => DenseVector::random(dim, seed).unwrap(), // a duplicate of record 0
            6 => minus_tail(dim, seed + r as u64),
            _ => DenseVector::random(dim, seed + r as u64).unwrap(),
        })
        .collect()
}

/// Eight queries: all -1, a duplicate of record 0, zero, random, all +1, a -1 tail, random,
/// all -1 again. Blocks of Q are taken from it in turn.
pub fn query_pool(dim: usize, seed: u64) -> Vec<DenseVector> {
    vec![
        DenseVector::new(vec![-1; dim]).unwrap(),
        DenseVector::random(dim, seed).unwrap(),
        DenseVector::zeros(dim).unwrap(),
        DenseVector::random(dim, seed ^ 0x5eed).unwrap(),
        DenseVector::new(vec![1; dim]).unwrap(),
        minus_tail(dim, seed ^ 0x7a11),
        DenseVector::random(dim, seed ^ 0xfeed).unwrap(),
        DenseVector::new(vec![-1; dim]).unwrap(),
    ]
}

/// One operand's bytes in `layout`.
pub fn operand(layout: Layout, v: &DenseVector) -> Vec<u8> {
    match layout {
        Layout::Dense => v.as_slice().iter().map(|&t| t as u8).collect(),
        Layout::Bits => BitVector::from(v).words().iter().flat_map(|w| w.to_le_bytes()).collect(),
    }
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

/// metric(a, b) of two operands in `layout`, by the portable pair functions.
pub fn score(metric: ScanMetric, layout: Layout, a: &[u8], b: &[u8]) -> i32 {
    let score = match layout {
        Layout::Dense => {
            let trits = |bytes: &[u8]| -> Vec<i8> { bytes.iter().map(|&b| b as i8).collect() };
            let (a, b) = (trits(a), trits(b));
            match metric {
                ScanMetric::Dot => portable::dense_dot(&a, &b),
                ScanMetric::Hamming => portable::dense_hamming(&a, &b),
            }
        }
        Layout::Bits => {
            let words = |bytes: &[u8]| -> Vec<u64> {
                bytes.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect()
            };
            let (a, b) = (words(a), words(b));
            match metric {
                ScanMetric::Dot => portable::bits_dot(&a, &b),
                ScanMetric::Hamming => portable::bits_hamming(&a, &b),
            }
        }
    };
    i32::try_from(score).expect("scores fit i32")
}

/// The scores the contract defines: `scores[r * Q + q]` = metric(record r, query q).
pub fn expected(
    metric: ScanMetric,
    layout: Layout,
    records: &[Vec<u8>],
    queries: &[Vec<u8>],
) -> Vec<i32> {
    records.iter().flat_map(|r| queries.iter().map(move |q| score(metric, layout, r, q))).collect()
}
