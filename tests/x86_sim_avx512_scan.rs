//! The AVX-512 tiers' scan and n-way bundle kernels in the x86-64 simulator (trinity-testkit),
//! under each tier's own features (`Features::for_tier`: `avx512` without VPOPCNTDQ): every
//! scan metric, layout and query block, and bundle_n of both layouts over operand counts with
//! ties and every counter-level boundary, at dimensions covering every tail class. Each operand
//! is an exact region, so any byte read or written outside the contract is an error (the masked
//! tails are proven here); callee-saved registers are checked by the simulator. Results must
//! equal the portable pair functions' and the reference's, and, on a CPU with the tier's
//! features, the same kernel run natively (elsewhere that comparison prints why it is skipped).

#[path = "support/scan_cases.rs"]
mod scan_cases;
#[cfg(target_arch = "x86_64")]
mod support;

use iced_x86::CpuidFeature;
use scan_cases::operand;
use trinity_emit::kernels::scan::{generate_scan, ScanKernel, ScanMetric, ScanSpec, QUERY_BLOCKS};
use trinity_emit::kernels::{Layout, Tier};
use trinity_runtime::DenseVector;
use trinity_testkit::x86_sim::{Features, MemError, SimError, Simulator};

const TIERS: [Tier; 2] = [Tier::Avx512, Tier::Avx512Vpopcnt];

/// Every dense tail (D mod 64) up to 70, every bitsliced tail (words mod 8: 65, 129, 200, 300,
/// 350, 420, 511..513), and the widening rounds of each byte counter (10000, 20000).
fn scan_dims() -> Vec<usize> {
    (1..=70).chain([129, 200, 300, 350, 420, 511, 512, 513, 3000, 10000, 20000]).collect()
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
    let native = native::Runner::new();
    let mut calls = 0;
    for dim in scan_dims() {
        let count = if dim > 5000 { 3 } else { 5 };
        for layout in Layout::ALL {
            let records: Vec<Vec<u8>> = scan_cases::records(dim, count, dim as u64)
                .iter()
                .map(|v| operand(layout, v))
                .collect();
            let pool: Vec<Vec<u8>> = scan_cases::query_pool(dim, dim as u64)
                .iter()
                .map(|v| operand(layout, v))
                .collect();
            let stride = scan_cases::stride(layout, dim);
            let image = scan_cases::image(&records, stride);
            for metric in ScanMetric::ALL {
                for q in QUERY_BLOCKS {
                    // A different block of the pool for each dimension and block size.
                    let queries: Vec<Vec<u8>> =
                        (0..q as usize).map(|j| pool[(j + dim + q as usize) % 8].clone()).collect();
                    let qimage = scan_cases::image(&queries, stride);
                    let want = scan_cases::expected(metric, layout, &records, &queries);
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
        let pq = sim.memory.place(scan_cases::image(&vec![v.clone(); 4], stride), false);
        match (tier, sim.call(&k.code, &[pr, stride as u64, 1, pq, ps])) {
            (Tier::Avx512, Ok(_)) => {}
            (Tier::Avx512Vpopcnt, Err(SimError::Feature { missing, .. })) => {
                assert_eq!(missing, [CpuidFeature::AVX512_VPOPCNTDQ])
            }
            (_, other) => panic!("{}: {other:?}", k.spec),
        }
    }
}

/// Native runs through the canary harness of tests/support where this CPU has the tier's
/// features, else `None`, said once per tier.
#[cfg(target_arch = "x86_64")]
mod native {
    use super::support::HarnessedScan;
    use super::{ScanKernel, Tier};
    use trinity_runtime::exec::Arena;

    pub struct Runner {
        arena: Arena,
        tiers: Vec<Tier>,
    }

    fn has(tier: Tier) -> bool {
        let base = is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vl");
        match tier {
            Tier::Avx512 => base,
            Tier::Avx512Vpopcnt => base && is_x86_feature_detected!("avx512vpopcntdq"),
            _ => false,
        }
    }

    impl Runner {
        pub fn new() -> Self {
            let tiers: Vec<Tier> = super::TIERS.into_iter().filter(|&t| has(t)).collect();
            for tier in super::TIERS.into_iter().filter(|t| !tiers.contains(t)) {
                eprintln!(
                    "skipping the hardware comparison of {} kernels: this CPU lacks AVX-512 \
                     F, BW and VL{}",
                    tier.name(),
                    if tier == Tier::Avx512Vpopcnt { " or VPOPCNTDQ" } else { "" }
                );
            }
            Runner { arena: Arena::new(), tiers }
        }

        pub fn scan(
            &self,
            k: &ScanKernel,
            records: &[u8],
            stride: usize,
            n: usize,
            queries: &[u8],
        ) -> Option<Vec<i32>> {
            if !self.tiers.contains(&k.spec.tier) {
                return None;
            }
            let h = HarnessedScan::new(&self.arena, k);
            let mut scores = vec![0; n * k.spec.queries as usize];
            let flag = h.call(records, stride, n, queries, &mut scores);
            assert_eq!(flag, 0, "{}: callee-saved registers clobbered", k.spec);
            Some(scores)
        }
    }
}

/// Without x86-64 there is no hardware to compare with; the reference still is.
#[cfg(not(target_arch = "x86_64"))]
mod native {
    use super::ScanKernel;

    pub struct Runner;

    impl Runner {
        pub fn new() -> Self {
            eprintln!("skipping the hardware comparison: this is not an x86-64 CPU");
            Runner
        }
        pub fn scan(
            &self,
            _: &ScanKernel,
            _: &[u8],
            _: usize,
            _: usize,
            _: &[u8],
        ) -> Option<Vec<i32>> {
            None
        }
    }
}
