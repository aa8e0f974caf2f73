//! The x86-64 AVX2 scan kernels, run natively: every (metric, layout, query block) at the pair
//! suites' dimensions, against scores from the portable pair functions. Records and queries sit
//! flush against guard pages (any read past an operand faults), with garbage between them;
//! callee-saved registers are checked around every call; scores past `n * Q` must stay
//! untouched, and `n = 0` must write nothing.
#![cfg(target_arch = "x86_64")]

use trinity::emit::kernels::scan::{generate_scan, ScanKernel, ScanMetric, ScanSpec, QUERY_BLOCKS};
use trinity::emit::kernels::{CallConv, KernelError, Layout, Tier, MAX_DIM};
use trinity::runtime::exec::Arena;
use trinity::runtime::DenseVector;
use trinity_testkit::cases::{
    self, image, operand, query_pool, records, scan_scores, stride, RECORDS,
};
use trinity_testkit::native::{self, Edge, Guarded, HarnessedScan};

/// A score the kernel never writes.
const UNWRITTEN: i32 = i32::MIN + 0x5a5a;

fn kernel(metric: ScanMetric, layout: Layout, dim: usize, queries: u32) -> ScanKernel {
    streaming_kernel(metric, layout, dim, queries, false)
}

fn streaming_kernel(
    metric: ScanMetric,
    layout: Layout,
    dim: usize,
    queries: u32,
    streaming: bool,
) -> ScanKernel {
    let spec =
        ScanSpec { streaming, ..ScanSpec::new(metric, layout, dim as u32, Tier::Avx2, queries) };
    generate_scan(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// The kernels of a (metric, layout, D, Q): the one for cached records, and for one bitsliced
/// query the streaming one too (the others are the same code).
fn kernels(metric: ScanMetric, layout: Layout, dim: usize, queries: u32) -> Vec<ScanKernel> {
    let streams = layout == Layout::Bits && queries == 1;
    let forms = if streams { &[false, true][..] } else { &[false] };
    forms.iter().map(|&s| streaming_kernel(metric, layout, dim, queries, s)).collect()
}

/// `bytes` in memory that ends at a guard page (`Edge::End`) or starts after one.
fn guarded(bytes: &[u8], edge: Edge) -> Guarded {
    let mut g = Guarded::new(bytes.len().max(1), edge);
    g.slice::<u8>()[..bytes.len()].copy_from_slice(bytes);
    g
}

/// Scan `records` with every block of Q queries from `pool` in turn (operands in the kernel's
/// layout) and compare every score with `want`, the `records x pool` matrix of scores.
/// Returns the number of calls.
fn check(
    arena: &Arena,
    k: &ScanKernel,
    records: &[Vec<u8>],
    pool: &[Vec<u8>],
    want: &[i32],
    edge: Edge,
) -> usize {
    let spec = k.spec;
    let q = spec.queries as usize;
    let stride = stride(spec.layout, spec.dim as usize);
    let n = records.len();
    let mut rec_mem = guarded(&image(records, stride), edge);
    let h = HarnessedScan::new(arena, k);
    let mut calls = 0;
    for (b, block) in pool.chunks(q).enumerate() {
        let mut query_mem = guarded(&image(block, stride), edge);
        let mut scores = vec![UNWRITTEN; n * q + 8];
        let flag = h.call(rec_mem.slice(), stride, n, query_mem.slice(), &mut scores);
        let what = format!("{spec}, n = {n}, stride {stride}, operands at the {edge:?} of a page");
        let clobbered = native::clobbered(flag);
        assert_eq!(flag, 0, "{what}: callee-saved registers clobbered: {clobbered:?}");
        for r in 0..n {
            for j in 0..q {
                let want = want[r * pool.len() + b * q + j];
                assert_eq!(scores[r * q + j], want, "{what}: record {r}, query {}", b * q + j);
            }
        }
        assert!(scores[n * q..].iter().all(|&s| s == UNWRITTEN), "{what}: wrote past n * Q");
        calls += 1;
    }
    calls
}

/// Every (metric, Q) of `layout` at `dim` on these records and queries, with the expected
/// scores from the portable pair functions of `reference` (scores do not depend on the
/// layout).
#[allow(clippy::too_many_arguments)]
fn check_all(
    arena: &Arena,
    layout: Layout,
    reference: Layout,
    dim: usize,
    records: &[DenseVector],
    pool: &[DenseVector],
    qs: &[u32],
    edge: Edge,
) -> usize {
    let ops = |layout, vs: &[DenseVector]| -> Vec<Vec<u8>> {
        vs.iter().map(|v| operand(layout, v)).collect()
    };
    let (ref_records, ref_pool) = (ops(reference, records), ops(reference, pool));
    let (records, pool) = (ops(layout, records), ops(layout, pool));
    let mut calls = 0;
    for metric in ScanMetric::ALL {
        let want = scan_scores(metric, reference, &ref_records, &ref_pool);
        for &q in qs {
            for k in kernels(metric, layout, dim, q) {
                calls += check(arena, &k, &records, &pool, &want, edge);
            }
        }
    }
    calls
}

fn check_dims(dims: &[usize]) -> usize {
    let arena = Arena::new();
    let mut calls = 0;
    for (i, &dim) in dims.iter().enumerate() {
        let records = records(dim, RECORDS, dim as u64);
        let pool = query_pool(dim, dim as u64);
        let edge = if i % 2 == 0 { Edge::End } else { Edge::Start };
        for layout in Layout::ALL {
            calls += check_all(&arena, layout, layout, dim, &records, &pool, &QUERY_BLOCKS, edge);
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
    println!("{} scan calls checked", check_dims(&dims));
}

#[test]
fn boundary_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    println!("{} scan calls checked", check_dims(&cases::BOUNDARY_DIMS));
}

#[test]
fn large_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    // 49152: the largest one-query bitsliced record read plane after plane.
    println!(
        "{} scan calls checked",
        check_dims(&[cases::LARGE_DIMS.as_slice(), &[49152]].concat())
    );
}

/// n = 0 writes no score, n = 1 writes Q.
#[test]
fn zero_and_one_records() {
    if !native::host_has_avx2() {
        return;
    }
    let arena = Arena::new();
    for dim in [1, 31, 32, 33, 100, 1000] {
        let pool = query_pool(dim, 5);
        for layout in Layout::ALL {
            for n in [0, 1] {
                let records = records(dim, n, 9);
                check_all(&arena, layout, layout, dim, &records, &pool, &QUERY_BLOCKS, Edge::End);
            }
        }
    }
}

/// D = 2^24 once per cell at Q = 1 and 4: all -1 records against all -1 and all +1 queries
/// give the largest accumulator values (dot D and -D, hamming 0 and D).
#[test]
fn max_dim_matches_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let dim = MAX_DIM as usize;
    let arena = Arena::new();
    // Constant operands built directly: per-trit conversions of 2^24 trits take about a
    // second each in a debug build. D is a multiple of 64, so planes have no padding.
    let constant = |layout: Layout, trit: i8| -> Vec<u8> {
        match layout {
            Layout::Dense => vec![trit as u8; dim],
            Layout::Bits => {
                let plane = |set: bool| vec![if set { 0xff } else { 0 }; dim / 8];
                [plane(trit == 1), plane(trit == -1)].concat()
            }
        }
    };
    let random = DenseVector::random(dim, 3).unwrap();
    let operands = |layout: Layout| {
        let (minus, plus, zero) = (constant(layout, -1), constant(layout, 1), constant(layout, 0));
        let random = operand(layout, &random);
        (vec![minus.clone(), random.clone(), plus.clone()], vec![minus, plus, random, zero])
    };
    let layouts = Layout::ALL.map(|layout| (layout, operands(layout)));
    let (_, (bits_records, bits_pool)) = &layouts[1];
    for metric in ScanMetric::ALL {
        // Scores do not depend on the layout; the dense portable functions take seconds per
        // pair here in a debug build, the bitsliced ones a tenth of that.
        let want = scan_scores(metric, Layout::Bits, bits_records, bits_pool);
        for (layout, (records, pool)) in &layouts {
            for q in [1, 4] {
                check(&arena, &kernel(metric, *layout, dim, q), records, pool, &want, Edge::End);
            }
        }
    }
}

/// Bad specs are typed errors, never panics.
#[test]
fn bad_specs_are_rejected() {
    let ok = ScanSpec::new(ScanMetric::Dot, Layout::Bits, 100, Tier::Avx2, 4);
    let cases = [
        (ScanSpec { dim: 0, ..ok }, KernelError::BadDimension { dim: 0 }),
        (ScanSpec { dim: MAX_DIM + 1, ..ok }, KernelError::BadDimension { dim: MAX_DIM + 1 }),
        (ScanSpec { queries: 0, ..ok }, KernelError::BadQueryBlock { queries: 0 }),
        (ScanSpec { queries: 3, ..ok }, KernelError::BadQueryBlock { queries: 3 }),
        (ScanSpec { queries: 16, ..ok }, KernelError::BadQueryBlock { queries: 16 }),
        (
            ScanSpec { conv: CallConv::Win64, ..ok },
            KernelError::NativeOnly { kind: "scan", conv: CallConv::Win64 },
        ),
    ];
    for (spec, want) in cases {
        assert_eq!(generate_scan(&spec), Err(want), "{spec}");
    }
}

/// Every scan kernel ends with `vzeroupper; ret`, has one `ret`, and the same spec gives the
/// same bytes.
#[test]
fn kernels_end_with_vzeroupper_and_are_deterministic() {
    for layout in Layout::ALL {
        for metric in ScanMetric::ALL {
            for q in QUERY_BLOCKS {
                for k in
                    [1, 33, 100, 10000, 65537].map(|dim| kernels(metric, layout, dim, q)).concat()
                {
                    let again = generate_scan(&k.spec).unwrap();
                    assert_eq!(k.code, again.code, "{}", k.spec);
                    let ins = trinity_testkit::listing::x86_64_instructions(&k.code);
                    let n = ins.len();
                    assert_eq!(ins[n - 1].mnemonic(), iced_x86::Mnemonic::Ret, "{}", k.spec);
                    assert_eq!(ins[n - 2].mnemonic(), iced_x86::Mnemonic::Vzeroupper, "{}", k.spec);
                    assert!(ins.iter().all(|i| !i.is_invalid()), "{}", k.spec);
                }
            }
        }
    }
}

/// One kernel per (metric, layout) at D = 100 with Q = 2, a bitsliced dot with its loop,
/// prefetches and eight queries at D = 1000, the streaming one-query bitsliced hamming (its
/// query nonzero pass, both planes in turn) at D = 1000, and the staged short dense path at
/// D = 20, as hex and iced-x86 disassembly, reviewed.
#[test]
fn snapshots() {
    let mut cells: Vec<(ScanMetric, Layout, usize, u32, bool)> = Vec::new();
    for layout in Layout::ALL {
        for metric in ScanMetric::ALL {
            cells.push((metric, layout, 100, 2, false));
        }
    }
    cells.push((ScanMetric::Dot, Layout::Bits, 1000, 8, false));
    cells.push((ScanMetric::Hamming, Layout::Bits, 1000, 1, true));
    cells.push((ScanMetric::Hamming, Layout::Dense, 20, 1, false));
    for (metric, layout, dim, q, streaming) in cells {
        let k = streaming_kernel(metric, layout, dim, q, streaming);
        let name = format!("{}_{}_{dim}_q{q}", layout.name(), metric.name());
        let text = format!("{}\n{}", k.spec, trinity_testkit::listing::x86_64_kernel(&k.code));
        insta::with_settings!({snapshot_path => "../snapshots/scan_x86_64", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, text);
        });
    }
}
