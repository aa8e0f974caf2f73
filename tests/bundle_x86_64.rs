//! The x86-64 AVX2 n-way bundle kernels, run natively: both layouts at the pair suites'
//! dimensions, against signs of per-position sums computed here from the trits. Every operand
//! and the output sit flush against guard pages (any access past them faults); callee-saved
//! registers are checked around every call. Operand counts cover none, one, two, three, ties,
//! both sides of every batch size (15 bitsliced, 127 dense) with runs of one vector that
//! would overflow a counter one batch too long, and more than 2^20.
#![cfg(target_arch = "x86_64")]

use trinity::emit::kernels::bundle::{generate_bundle, BundleKernel, BundleSpec};
use trinity::emit::kernels::{CallConv, KernelError, Layout, Tier};
use trinity::runtime::exec::Arena;
use trinity::runtime::DenseVector;
use trinity_testkit::cases::{self, operand, records};
use trinity_testkit::native::{self, Edge, Guarded, HarnessedBundle};

fn kernel(layout: Layout, dim: usize) -> BundleKernel {
    let spec = BundleSpec::new(layout, dim as u32, Tier::Avx2);
    generate_bundle(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// The negation of `v`.
fn negated(v: &DenseVector) -> DenseVector {
    DenseVector::new(v.as_slice().iter().map(|&t| -t).collect()).unwrap()
}

/// The bundle of `pool[i]` taken `counts[i]` times: the sign of each position's sum.
fn expected(pool: &[DenseVector], counts: &[usize]) -> DenseVector {
    let dim = pool[0].dim();
    let mut sums = vec![0i64; dim];
    for (v, &c) in pool.iter().zip(counts) {
        for (s, &t) in sums.iter_mut().zip(v.as_slice()) {
            *s += i64::from(t) * c as i64;
        }
    }
    DenseVector::new(sums.iter().map(|s| s.signum() as i8).collect()).unwrap()
}

/// The vectors bundled at `dim`: the scan suites' records (random, all -1, zero, all +1, a
/// duplicate, a -1 tail) and the negations of the first two random ones, for exact ties.
fn pool(dim: usize) -> Vec<DenseVector> {
    let mut pool = records(dim, 7, dim as u64 ^ 0xb0b);
    pool.push(negated(&pool[0]));
    pool.push(negated(&pool[2]));
    pool
}

/// Operand lists as indices into [`pool`]: `n` = 0, 1, 2, 3, exact ties, and counts on both
/// sides of the batch sizes, cycling through the pool from different starts.
fn cases(len: usize) -> Vec<Vec<usize>> {
    let mut cases = vec![vec![], vec![0], vec![0, 1], vec![0, 2, 6], vec![0, 7], vec![0, 2, 7, 8]];
    for (start, n) in [(0, 4), (1, 14), (2, 15), (3, 16), (4, 17), (5, 30), (6, 126)] {
        cases.push((0..n).map(|i| (start + i) % len).collect());
    }
    for (start, n) in [(1, 127), (2, 128), (3, 255), (4, 256), (0, 1000)] {
        cases.push((0..n).map(|i| (start + i * 3) % len).collect());
    }
    // Runs of one vector, alone and followed by one fewer of its negation (margin one): every
    // position's count crosses a batch size without a sign change to hide an overflow.
    for k in [15, 16, 17, 31, 127, 128, 129, 255, 256, 300] {
        cases.push(vec![4; k]);
        cases.push([vec![0; k], vec![7; k - 1]].concat());
    }
    cases
}

/// Bundle each case of [`cases`] with `k` and compare with [`expected`]. Returns the calls.
fn check(arena: &Arena, k: &BundleKernel, pool: &[DenseVector], edge: Edge) -> usize {
    let spec = k.spec;
    let bytes = spec.layout.operand_bytes(spec.dim);
    let mut placed: Vec<Guarded> = pool
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let edge = if i % 2 == 0 { edge } else { other(edge) };
            let mut g = Guarded::new(bytes, edge);
            g.slice::<u8>().copy_from_slice(&operand(spec.layout, v));
            g
        })
        .collect();
    let operands: Vec<&[u8]> = placed.iter_mut().map(|g| &*g.slice::<u8>()).collect();
    let h = HarnessedBundle::new(arena, k);
    let mut out = Guarded::new(bytes, edge);
    let mut calls = 0;
    for case in cases(pool.len()) {
        let mut counts = vec![0; pool.len()];
        for &i in &case {
            counts[i] += 1;
        }
        let args: Vec<&[u8]> = case.iter().map(|&i| operands[i]).collect();
        out.slice::<u8>().fill(0x5a);
        let flag = h.call(&args, out.slice());
        let what = format!("{spec}, n = {}, out at the {edge:?} of a page", case.len());
        assert_eq!(
            flag,
            0,
            "{what}: callee-saved registers clobbered: {:?}",
            native::clobbered(flag)
        );
        let want = operand(spec.layout, &expected(pool, &counts));
        assert_eq!(out.slice::<u8>(), &want[..], "{what}: operands {case:?}");
        calls += 1;
    }
    calls
}

fn other(edge: Edge) -> Edge {
    match edge {
        Edge::End => Edge::Start,
        Edge::Start => Edge::End,
    }
}

fn check_dims(dims: &[usize]) -> usize {
    let arena = Arena::new();
    let mut calls = 0;
    for (i, &dim) in dims.iter().enumerate() {
        let pool = pool(dim);
        let edge = if i % 2 == 0 { Edge::End } else { Edge::Start };
        for layout in Layout::ALL {
            calls += check(&arena, &kernel(layout, dim), &pool, edge);
        }
    }
    calls
}

#[test]
fn small_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let dims: Vec<usize> = cases::SMALL_DIMS.collect();
    println!("{} bundle_n calls checked", check_dims(&dims));
}

#[test]
fn boundary_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    println!("{} bundle_n calls checked", check_dims(&cases::BOUNDARY_DIMS));
}

#[test]
fn large_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    println!("{} bundle_n calls checked", check_dims(&cases::LARGE_DIMS));
}

/// More than 2^20 operands: every counter level in use. All +1 against all -1 with a margin
/// of one either way and an exact tie, and a random vector in the mix.
#[test]
fn more_than_a_million_operands() {
    if !native::host_has_avx2() {
        return;
    }
    let arena = Arena::new();
    for dim in [1, 100, 300] {
        let plus = DenseVector::new(vec![1; dim]).unwrap();
        let minus = negated(&plus);
        let random = DenseVector::random(dim, 7).unwrap();
        let pool = [plus, minus, random];
        let half = (1 << 20) + 3;
        for counts in [[half + 1, half, 0], [half, half + 1, 0], [half, half, 1], [half, half, 0]] {
            for layout in Layout::ALL {
                let k = kernel(layout, dim);
                let ops: Vec<Vec<u8>> = pool.iter().map(|v| operand(layout, v)).collect();
                // Round robin, so every batch sees both signs.
                let mut args: Vec<&[u8]> = Vec::new();
                for round in 0..half + 1 {
                    args.extend((0..3).filter(|&i| round < counts[i]).map(|i| &ops[i][..]));
                }
                let h = HarnessedBundle::new(&arena, &k);
                let mut out = vec![0x5a; layout.operand_bytes(dim as u32)];
                assert_eq!(h.call(&args, &mut out), 0, "{}: clobbered", k.spec);
                let want = operand(layout, &expected(&pool, &counts));
                assert_eq!(out, want, "{}: counts {counts:?}", k.spec);
            }
        }
    }
}

#[test]
fn only_the_native_convention() {
    let mut spec = BundleSpec::new(Layout::Bits, 100, Tier::Avx2);
    spec.conv = CallConv::Win64;
    assert_eq!(
        generate_bundle(&spec).unwrap_err(),
        KernelError::NativeOnly { kind: "bundle_n", conv: CallConv::Win64 }
    );
}

/// The same spec gives the same bytes; the kernels at D = 10000 (whole tiles, a bitsliced
/// tail of one word, a dense overlapping last tile) and the staged dense path at D = 20, as hex
/// and iced-x86 disassembly, reviewed.
#[test]
fn snapshots() {
    for (layout, dim) in [(Layout::Bits, 10000), (Layout::Dense, 10000), (Layout::Dense, 20)] {
        let k = kernel(layout, dim);
        assert_eq!(k.code, kernel(layout, dim).code, "{}", k.spec);
        let name = format!("{}_bundle_n_{dim}", layout.name());
        let text = format!("{}\n{}", k.spec, trinity_testkit::listing::x86_64_kernel(&k.code));
        insta::with_settings!({snapshot_path => "../snapshots/bundle_x86_64", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, text);
        });
    }
}
