//! Every x86-64 kernel generates under its tier's feature set (the generators' assemblers
//! refuse anything beyond it), and nothing more is demanded: the instructions reachable from
//! the entries of a tier's kernels, decoded with iced-x86, need exactly the features
//! `tier_features(tier)` adds to the tier below.

use trinity_testkit::iced_features;

use iced_features::our_features;
use iced_x86::{Decoder, DecoderOptions, FlowControl};
use std::collections::BTreeSet;
use trinity_emit::kernels::bundle::{generate_bundle, BundleSpec};
use trinity_emit::kernels::permute_by::{generate_permute_by, PermuteBySpec};
use trinity_emit::kernels::scan::{generate_scan, ScanMetric, ScanSpec, QUERY_BLOCKS};
use trinity_emit::kernels::x86_64::tier_features;
use trinity_emit::kernels::{generate, CallConv, KernelSpec, Layout, Op, Tier, Variant};
use trinity_emit::x86_64::Features;

const TIERS: [Tier; 3] = [Tier::Avx2, Tier::Avx512, Tier::Avx512Vpopcnt];

/// Dimensions on both sides of the short-operand, one-vector and tail boundaries of both vector
/// widths, and a long one.
const DIMS: [u32; 8] = [1, 31, 64, 100, 257, 640, 1000, 10_000];

/// The features the instructions reachable from offset 0 need (constant tables after the code
/// are never reached, so never decoded).
fn reachable_features(code: &[u8]) -> Features {
    let mut seen = BTreeSet::new();
    let mut todo = vec![0u64];
    let mut features = Features::BASE;
    while let Some(ip) = todo.pop() {
        if ip as usize >= code.len() || !seen.insert(ip) {
            continue;
        }
        let mut decoder = Decoder::with_ip(64, &code[ip as usize..], ip, DecoderOptions::NONE);
        let inst = decoder.decode();
        assert!(!inst.is_invalid(), "invalid instruction at {ip}");
        features = features.with(our_features(inst.cpuid_features()).unwrap());
        match inst.flow_control() {
            FlowControl::Next | FlowControl::Call => todo.push(inst.next_ip()),
            FlowControl::ConditionalBranch => {
                todo.extend([inst.next_ip(), inst.near_branch_target()])
            }
            FlowControl::UnconditionalBranch => todo.push(inst.near_branch_target()),
            _ => {}
        }
    }
    features
}

/// Every kernel of `tier` at [`DIMS`]: each op and layout in both conventions and every variant,
/// permutes at a few shifts, scans of every metric and query block, n-way bundles and
/// run-time-shift permutes. Returns (kernels, the union of their reachable features).
fn tier_kernels(tier: Tier) -> (usize, Features) {
    let mut codes: Vec<Vec<u8>> = Vec::new();
    for dim in DIMS {
        for layout in [Layout::Dense, Layout::Bits] {
            for op in Op::ALL {
                for shift in if op == Op::Permute { vec![1, 7, 64, -1] } else { vec![0] } {
                    let spec = KernelSpec::permute(layout, dim, tier, shift);
                    let spec = KernelSpec { op, shift: spec.shift, ..spec };
                    for conv in [CallConv::Native, CallConv::Win64] {
                        for variant in Variant::candidates(&spec) {
                            let spec = KernelSpec { conv, variant, ..spec };
                            let kernel = generate(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
                            codes.push(kernel.code);
                        }
                    }
                }
            }
            for metric in ScanMetric::ALL {
                for queries in QUERY_BLOCKS {
                    let spec = ScanSpec::new(metric, layout, dim, tier, queries);
                    codes.push(generate_scan(&spec).unwrap_or_else(|e| panic!("{spec}: {e}")).code);
                }
            }
            let spec = BundleSpec::new(layout, dim, tier);
            codes.push(generate_bundle(&spec).unwrap_or_else(|e| panic!("{spec}: {e}")).code);
            let spec = PermuteBySpec::new(layout, dim, tier);
            codes.push(generate_permute_by(&spec).unwrap_or_else(|e| panic!("{spec}: {e}")).code);
        }
    }
    let used = codes.iter().fold(Features::BASE, |f, code| f.with(reachable_features(code)));
    (codes.len(), used)
}

#[test]
fn every_kernel_of_a_tier_needs_exactly_its_tier_features() {
    // A tier's set is what its own kernels use plus the set of the tier below, whose code its
    // CPUs also run.
    let mut below = Features::BASE;
    for tier in TIERS {
        let (kernels, used) = tier_kernels(tier);
        println!("{}: {kernels} kernels use {used}", tier.name());
        assert!(tier_features(tier).contains(used), "{}: {used}", tier.name());
        assert_eq!(used.with(below), tier_features(tier), "{}: {used}", tier.name());
        below = tier_features(tier);
    }
}

#[test]
fn the_tiers_features_grow_with_the_tier() {
    let sets = TIERS.map(tier_features);
    assert!(sets.windows(2).all(|w| w[1].contains(w[0]) && w[0] != w[1]), "{sets:?}");
    assert_eq!(tier_features(Tier::Neon), Features::BASE);
    assert_eq!(tier_features(Tier::DotProd), Features::BASE);
}
