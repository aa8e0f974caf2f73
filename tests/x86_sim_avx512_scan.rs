//! The AVX-512 tiers' scan and n-way bundle kernels in the x86-64 simulator (trinity-testkit),
//! under each tier's own features (`Features::for_tier`: `avx512` without VPOPCNTDQ): every
//! scan metric, layout and query block, and bundle_n of both layouts over operand counts with
//! ties and every counter-level boundary, at dimensions covering every tail class. Each operand
//! is an exact region, so any byte read or written outside the contract is an error (the masked
//! tails are proven here); callee-saved registers are checked by the simulator. Results must
//! equal the portable pair functions' and the reference's, and, on a CPU with the tier's
//! features, the same kernel run natively (elsewhere that comparison prints why it is skipped).

use trinity_testkit::native;

use iced_x86::CpuidFeature;
use trinity_emit::kernels::bundle::{generate_bundle, BundleKernel, BundleSpec};
use trinity_emit::kernels::scan::{generate_scan, ScanKernel, ScanMetric, ScanSpec, QUERY_BLOCKS};
use trinity_emit::kernels::{Layout, Tier};
use trinity_runtime::DenseVector;
use trinity_testkit::cases::{self, operand};
use trinity_testkit::x86_sim::{Features, MemError, SimError, Simulator};

const TIERS: [Tier; 2] = [Tier::Avx512, Tier::Avx512Vpopcnt];

/// Every dense tail (D mod 64) up to 70, every bitsliced tail (words mod 8: 65, 129, 200, 300,
/// 350, 420, 511..513), and the widening rounds of each byte counter (10000, 20000; at 16382
/// and 16383 the one- and two-query blocks hold an all -1 query, so with the all -1 records
/// every lane counts to the limit of each round).
fn scan_dims() -> Vec<usize> {
    (1..=70)
        .chain([129, 200, 300, 350, 420, 511, 512, 513, 3000, 10000, 16382, 16383, 20000])
        .collect()
}

fn scan_kernel(spec: ScanSpec) -> ScanKernel {
    generate_scan(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// Run a scan kernel in the simulator: records, queries and scores each an exact region.
fn simulate_scan(
    k: &ScanKernel,
    image: &[u8],
    stride: usize,
    n: usize,
    queries: &[u8],
) -> Result<Vec<i32>, SimError> {
    let mut sim = Simulator::new(Features::for_tier(k.spec.tier));
    let pr = sim.memory.place(image.to_vec(), false);
    let pq = sim.memory.place(queries.to_vec(), false);
    let ps = sim.memory.place(vec![0xa5; 4 * n * k.spec.queries as usize], true);
    let out = sim.call(&k.code, &[pr, stride as u64, n as u64, pq, ps])?;
    let scores = &out.memory.region(ps).expect("the scores region").bytes;
    Ok(scores.chunks(4).map(|c| i32::from_le_bytes(c.try_into().unwrap())).collect())
}

#[test]
fn scan_kernels_match_reference() {
    let native = native::Native::new(&TIERS);
    let mut calls = 0;
    for dim in scan_dims() {
        let count = if dim > 5000 { 3 } else { 5 };
        for layout in Layout::ALL {
            let records: Vec<Vec<u8>> =
                cases::records(dim, count, dim as u64).iter().map(|v| operand(layout, v)).collect();
            let pool: Vec<Vec<u8>> =
                cases::query_pool(dim, dim as u64).iter().map(|v| operand(layout, v)).collect();
            let stride = cases::stride(layout, dim);
            let image = cases::image(&records, stride);
            for metric in ScanMetric::ALL {
                for q in QUERY_BLOCKS {
                    // A different block of the pool for each dimension and block size.
                    let queries: Vec<Vec<u8>> =
                        (0..q as usize).map(|j| pool[(j + dim + q as usize) % 8].clone()).collect();
                    let qimage = cases::image(&queries, stride);
                    let want = cases::scan_scores(metric, layout, &records, &queries);
                    for tier in TIERS {
                        let k = scan_kernel(ScanSpec::new(metric, layout, dim as u32, tier, q));
                        let got = simulate_scan(&k, &image, stride, records.len(), &qimage)
                            .unwrap_or_else(|e| panic!("{}: {e}", k.spec));
                        assert_eq!(got, want, "{}: simulator against the reference", k.spec);
                        if let Some(hw) = native.scan(&k, &image, stride, records.len(), &qimage) {
                            assert_eq!(got, hw, "{}: simulator against the hardware", k.spec);
                        }
                        calls += 1;
                    }
                }
            }
        }
    }
    println!("{calls} AVX-512 scan-kernel calls agree");
}

/// n = 0 writes nothing and reads nothing: every region is empty.
#[test]
fn scan_of_no_records_touches_nothing() {
    for tier in TIERS {
        for layout in Layout::ALL {
            let k = scan_kernel(ScanSpec::new(ScanMetric::Dot, layout, 100, tier, 8));
            let got = simulate_scan(&k, &[], 128, 0, &[]).unwrap_or_else(|e| panic!("{e}"));
            assert!(got.is_empty(), "{}", k.spec);
        }
    }
}

/// A record one element short: the masked tail load is reported as an out-of-region access.
#[test]
fn a_record_one_element_short_is_out_of_region() {
    for tier in TIERS {
        for (layout, dim) in [(Layout::Dense, 100), (Layout::Dense, 20), (Layout::Bits, 1000)] {
            let spec = ScanSpec::new(ScanMetric::Hamming, layout, dim, tier, 1);
            let k = scan_kernel(spec);
            let v = DenseVector::random(dim as usize, 7).unwrap();
            let full = operand(layout, &v);
            let element = if layout == Layout::Dense { 1 } else { 8 };
            let stride = full.len().next_multiple_of(64);
            match simulate_scan(&k, &full[..full.len() - element], stride, 1, &full) {
                Err(SimError::Memory { error: MemError::OutOfRegion { write, .. }, .. }) => {
                    assert!(!write, "{spec}")
                }
                other => panic!("{spec}: expected an out-of-region load, got {other:?}"),
            }
        }
    }
}

/// The `avx512` tier's kernels never use VPOPCNTDQ: its popcounting scan runs without it, and
/// the `avx512vpopcnt` one is refused there.
#[test]
fn only_the_vpopcnt_tier_uses_vpopcntq() {
    let dim = 1000;
    let v = operand(Layout::Bits, &DenseVector::random(dim, 3).unwrap());
    let stride = v.len().next_multiple_of(64);
    let without = Features::for_tier(Tier::Avx512Vpopcnt).without([CpuidFeature::AVX512_VPOPCNTDQ]);
    assert_eq!(without, Features::for_tier(Tier::Avx512));
    for tier in TIERS {
        let k = scan_kernel(ScanSpec::new(ScanMetric::Dot, Layout::Bits, dim as u32, tier, 4));
        let mut sim = Simulator::new(without.clone());
        let pr = sim.memory.place(v.clone(), false);
        let ps = sim.memory.place(vec![0; 16], true);
        let pq = sim.memory.place(cases::image(&vec![v.clone(); 4], stride), false);
        match (tier, sim.call(&k.code, &[pr, stride as u64, 1, pq, ps])) {
            (Tier::Avx512, Ok(_)) => {}
            (Tier::Avx512Vpopcnt, Err(SimError::Feature { missing, .. })) => {
                assert_eq!(missing, [CpuidFeature::AVX512_VPOPCNTDQ])
            }
            (_, other) => panic!("{}: {other:?}", k.spec),
        }
    }
}

/// Every dense tile tail (D mod 128) up to 70 and 127..129, every bitsliced one (words mod
/// 16: 1, 2, 8, 9, 11, 0, 8, 15, 13), D = 10000.
fn bundle_dims() -> Vec<usize> {
    (1..=70).chain([127, 128, 129, 511, 512, 513, 700, 1000, 1500, 3000, 10000]).collect()
}

/// The vectors bundled at `dim`: the scan suites' records (random, all -1, zero, all +1, a
/// duplicate, a -1 tail) and the negations of the first two random ones, for exact ties.
fn bundle_pool(dim: usize) -> Vec<DenseVector> {
    let mut pool = cases::records(dim, 7, dim as u64 ^ 0xb0b);
    for i in [0, 2] {
        pool.push(DenseVector::new(pool[i].as_slice().iter().map(|&t| -t).collect()).unwrap());
    }
    pool
}

/// Operand lists as indices into [`bundle_pool`]: n = 0, 1, 2, 3, exact ties, 16; with
/// `boundaries`, also runs of one vector crossing each batch size (7 bitsliced, 127 dense) and
/// counter level (a count of 2^k - 1 and 2^k), alone and followed by one fewer of its
/// negation, so that an overflow has no sign change to hide behind.
fn bundle_cases(boundaries: bool) -> Vec<Vec<usize>> {
    let mut cases = vec![vec![], vec![0], vec![0, 1], vec![0, 2, 6], vec![0, 7], vec![0, 2, 7, 8]];
    cases.push((0..16).map(|i| (i * 3 + 1) % 9).collect());
    if boundaries {
        for k in [7, 8, 15, 16, 31, 32, 127, 128, 129, 255, 256] {
            cases.push(vec![4; k]);
            cases.push([vec![0; k], vec![7; k - 1]].concat());
        }
    }
    cases
}

/// The sign of each position's sum over `operands`.
fn signs(dim: usize, operands: &[&DenseVector]) -> DenseVector {
    let sums = operands.iter().fold(vec![0i64; dim], |mut sums, v| {
        sums.iter_mut().zip(v.as_slice()).for_each(|(s, &t)| *s += i64::from(t));
        sums
    });
    DenseVector::new(sums.iter().map(|s| s.signum() as i8).collect()).unwrap()
}

/// Run a bundle kernel in the simulator: each operand, the pointer table and the output an
/// exact region (the output filled with garbage).
fn simulate_bundle(
    k: &BundleKernel,
    operands: &[Vec<u8>],
    picks: &[usize],
) -> Result<Vec<u8>, SimError> {
    let mut sim = Simulator::new(Features::for_tier(k.spec.tier));
    let placed: Vec<u64> = operands.iter().map(|b| sim.memory.place(b.clone(), false)).collect();
    let pointers: Vec<u8> = picks.iter().flat_map(|&i| placed[i].to_le_bytes()).collect();
    let pv = sim.memory.place(pointers, false);
    let out = sim.memory.place(vec![0x5a; k.spec.layout.operand_bytes(k.spec.dim)], true);
    let outcome = sim.call(&k.code, &[pv, picks.len() as u64, out])?;
    Ok(outcome.memory.region(out).expect("the output region").bytes.clone())
}

#[test]
fn bundle_kernels_match_reference() {
    let native = native::Native::new(&TIERS);
    let mut calls = 0;
    for dim in bundle_dims() {
        let pool = bundle_pool(dim);
        let boundaries = [1, 65, 129, 513, 3000].contains(&dim);
        for layout in Layout::ALL {
            let bytes: Vec<Vec<u8>> = pool.iter().map(|v| operand(layout, v)).collect();
            for tier in TIERS {
                let k = generate_bundle(&BundleSpec::new(layout, dim as u32, tier))
                    .unwrap_or_else(|e| panic!("{tier:?} {dim}: {e}"));
                for picks in bundle_cases(boundaries) {
                    let chosen: Vec<&DenseVector> = picks.iter().map(|&i| &pool[i]).collect();
                    let want = operand(layout, &signs(dim, &chosen));
                    let what = format!("{}, operands {picks:?}", k.spec);
                    let got = simulate_bundle(&k, &bytes, &picks)
                        .unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(got, want, "{what}: simulator against the sums");
                    let operands: Vec<&[u8]> = picks.iter().map(|&i| &bytes[i][..]).collect();
                    if let Some(hw) = native.bundle(&k, &operands) {
                        assert_eq!(got, hw, "{what}: simulator against the hardware");
                    }
                    calls += 1;
                }
            }
        }
    }
    println!("{calls} AVX-512 bundle_n calls agree");
}

/// The output one element short: the masked tail store is reported as an out-of-region store.
#[test]
fn a_bundle_output_one_element_short_is_out_of_region() {
    for tier in TIERS {
        for (layout, dim) in [(Layout::Dense, 100), (Layout::Dense, 20), (Layout::Bits, 1000)] {
            let k = generate_bundle(&BundleSpec::new(layout, dim, tier)).unwrap();
            let v = operand(layout, &DenseVector::random(dim as usize, 5).unwrap());
            let element = if layout == Layout::Dense { 1 } else { 8 };
            let mut sim = Simulator::new(Features::for_tier(tier));
            let pv = sim.memory.place(v.clone(), false);
            let table = sim.memory.place(pv.to_le_bytes().to_vec(), false);
            let out = sim.memory.place(vec![0; v.len() - element], true);
            match sim.call(&k.code, &[table, 1, out]) {
                Err(SimError::Memory { error: MemError::OutOfRegion { write, .. }, .. }) => {
                    assert!(write, "{}", k.spec)
                }
                other => panic!("{}: expected an out-of-region store, got {other:?}", k.spec),
            }
        }
    }
}

/// Reviewed listings: the bitsliced dot with eight queries at D = 1000 in both tiers (nibble
/// lookup and vpopcntq, with the masked last chunk), the one-query vpopcnt dot loop at
/// D = 10000, a dense dot and a bitsliced hamming at D = 100 with Q = 2, the masked-only dense
/// hamming at D = 20; bundle_n bitsliced at D = 3000 (two whole tiles and a masked one) and
/// dense at 10000 and 20.
#[cfg(target_arch = "x86_64")]
#[test]
fn snapshots() {
    let scans = [
        (ScanMetric::Dot, Layout::Bits, 1000, Tier::Avx512, 8),
        (ScanMetric::Dot, Layout::Bits, 1000, Tier::Avx512Vpopcnt, 8),
        (ScanMetric::Dot, Layout::Bits, 10000, Tier::Avx512Vpopcnt, 1),
        (ScanMetric::Dot, Layout::Dense, 100, Tier::Avx512, 2),
        (ScanMetric::Hamming, Layout::Bits, 100, Tier::Avx512, 2),
        (ScanMetric::Hamming, Layout::Dense, 20, Tier::Avx512, 1),
    ];
    for (metric, layout, dim, tier, q) in scans {
        let k = scan_kernel(ScanSpec::new(metric, layout, dim, tier, q));
        assert_eq!(k.code, scan_kernel(k.spec).code, "{}", k.spec);
        let name = format!("{}_{}_{dim}_q{q}_{}", layout.name(), metric.name(), tier.name());
        let text = format!("{}\n{}", k.spec, trinity_testkit::listing::x86_64_kernel(&k.code));
        insta::with_settings!({snapshot_path => "../snapshots/scan_avx512", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, text);
        });
    }
    for (layout, dim) in [(Layout::Bits, 3000), (Layout::Dense, 10000), (Layout::Dense, 20)] {
        let k = generate_bundle(&BundleSpec::new(layout, dim, Tier::Avx512)).unwrap();
        let name = format!("{}_bundle_n_{dim}", layout.name());
        let text = format!("{}\n{}", k.spec, trinity_testkit::listing::x86_64_kernel(&k.code));
        insta::with_settings!({snapshot_path => "../snapshots/bundle_avx512", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, text);
        });
    }
}
