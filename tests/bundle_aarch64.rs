//! The AArch64 n-way bundle kernels under qemu-user (see support/qemu_aarch64.rs): every
//! (layout, tier) at the pair suites' dimensions, for n = 0, 1, 2, 3, lists made of ties,
//! counts one past a batch, 15, 16, 17, 127, 128, 255 and 1000 operands (and 70001 at a few
//! small dimensions, where the bitsliced counters need 17 levels), against the sign of
//! per-position sums computed here.
//!
//! The operands are a pool of eight vectors, each against unmapped pages (its end always, its
//! start too at odd dimensions), referenced from a table that ends at an unmapped page; the
//! output starts as 0xa5 bytes and must keep them past its end; the callee-saved registers
//! (x18, x19-x29, d8-d15) and sp must be intact. `neon` runs under `-cpu cortex-a72` (no
//! DotProd), `dotprod` under `-cpu max`.

use std::path::Path;
use trinity::emit::kernels::bundle::{generate_bundle, BundleKernel, BundleSpec};
use trinity::emit::kernels::{Arch, Layout, Tier};
use trinity::runtime::DenseVector;
use trinity_testkit::cases::{dims, operand};
use trinity_testkit::qemu_aarch64::{cpu, mix, qemu, run_calls, Arg, Call, Input};

const TIERS: [Tier; 2] = [Tier::Neon, Tier::DotProd];

/// Bytes after the output that the kernel must leave as the harness's 0xa5 poison.
const SLACK: usize = 16;

fn kernel(layout: Layout, dim: usize, tier: Tier) -> BundleKernel {
    let spec = BundleSpec::new(layout, dim as u32, tier);
    generate_bundle(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

/// The distinct operands: a random vector and its negation (ties), another random one, all +1,
/// all -1, one with an all -1 tail of 40 trits, zero, and a third random one.
fn pool(dim: usize, seed: u64) -> Vec<Vec<i8>> {
    let random = |salt: u64| DenseVector::random(dim, seed ^ salt).unwrap().into_vec();
    let a = random(0);
    let negated = a.iter().map(|&t| -t).collect();
    let mut tail = random(0x7a11);
    tail[dim.saturating_sub(40)..].fill(-1);
    vec![a, negated, random(1), vec![1; dim], vec![-1; dim], tail, vec![0; dim], random(2)]
}

/// `n` operands picked from the pool by a seeded hash.
fn picks(n: usize, seed: u64) -> Vec<usize> {
    (0..n).map(|j| (mix(j as u64, seed) % 8) as usize).collect()
}

/// The operand lists of one dimension: (what, indices into the pool).
fn cases(seed: u64) -> Vec<(&'static str, Vec<usize>)> {
    vec![
        ("n = 0", vec![]),
        ("n = 1", vec![2]),
        ("n = 2", vec![0, 2]),
        ("n = 3", vec![5, 2, 7]),
        // a + (-a): a tie everywhere.
        ("a, -a", vec![0, 1]),
        // 2 (b + c): ties where b = -c.
        ("b, c twice", vec![2, 7, 7, 2]),
        // +1, -1, a, -a cancel: the sign of tail + b, with ties where they differ.
        ("cancelling pairs", vec![3, 5, 0, 4, 1, 2]),
        // Counts one past a batch: a 4-bit counter of 16, a byte sum of 128, would wrap.
        ("-1 x 16, +1 x 15", [vec![4; 16], vec![3; 15]].concat()),
        ("+1 x 128, -1 x 127", [vec![3; 128], vec![4; 127]].concat()),
        ("n = 15", picks(15, seed)),
        ("n = 16", picks(16, seed ^ 1)),
        ("n = 17", picks(17, seed ^ 2)),
        ("n = 127", picks(127, seed ^ 3)),
        ("n = 128", picks(128, seed ^ 4)),
        ("n = 255", picks(255, seed ^ 5)),
        ("n = 1000", picks(1000, seed ^ 6)),
    ]
}

/// The contract's result: the sign of each position's sum of the operands' trits (counting
/// each pool vector's multiplicity once).
fn expected(pool: &[Vec<i8>], ids: &[usize]) -> Vec<i8> {
    let mut times = [0i64; 8];
    for &i in ids {
        times[i] += 1;
    }
    let dim = pool[0].len();
    (0..dim)
        .map(|p| {
            let sum: i64 = pool.iter().zip(times).map(|(v, k)| k * i64::from(v[p])).sum();
            sum.signum() as i8
        })
        .collect()
}

/// Check `k` on each of `cases` against the reference: one qemu run for all of them, each
/// call with its own table and a freshly poisoned output.
fn check(
    qemu: &Path,
    k: &BundleKernel,
    pool: &[Vec<i8>],
    cases: &[(&str, Vec<usize>)],
    guard_start: bool,
) {
    let spec = k.spec;
    let layout = spec.layout;
    let len = layout.operand_bytes(spec.dim);
    let operands: Vec<Vec<u8>> =
        pool.iter().map(|v| operand(layout, &DenseVector::new(v.clone()).unwrap())).collect();
    let call = Call {
        inputs: operands.iter().map(|o| Input::Bytes(o)).collect(),
        out_len: Some(len + SLACK),
        guard_start,
        out_aliases: None,
    };
    let orders: Vec<Vec<Arg>> = cases
        .iter()
        .map(|(_, ids)| vec![Arg::Table(ids.clone()), Arg::Value(ids.len() as u64), Arg::Out])
        .collect();
    let orders: Vec<Option<&[Arg]>> = orders.iter().map(|o| Some(o.as_slice())).collect();
    let outcomes = run_calls(qemu, cpu(spec.tier), &k.code, &call, &orders)
        .unwrap_or_else(|e| panic!("{spec}: {e}"));
    for ((what, ids), got) in cases.iter().zip(outcomes) {
        let n = ids.len();
        assert!(got.callee_saved_intact, "{spec}, {what}: a callee-saved register or sp changed");
        assert!(got.out[len..].iter().all(|&b| b == 0xa5), "{spec}, {what}: wrote past the output");
        let want = expected(pool, ids);
        if got.out[..len] != operand(layout, &DenseVector::new(want.clone()).unwrap()) {
            let trits = match layout {
                Layout::Dense => got.out[..len].iter().map(|&b| b as i8).collect::<Vec<i8>>(),
                Layout::Bits => bits_to_trits(&got.out[..len], want.len()),
            };
            let bad = (0..want.len()).find(|&p| trits[p] != want[p]);
            panic!(
                "{spec}, {what} (n = {n}): first wrong position {bad:?} of {}{}",
                want.len(),
                bad.map_or(String::new(), |p| format!(": {} for {}", trits[p], want[p]))
            );
        }
    }
}

/// Bitsliced bytes as trits (a set bit in both planes, which a kernel must never write, reads
/// as 2).
fn bits_to_trits(bytes: &[u8], dim: usize) -> Vec<i8> {
    let words: Vec<u64> =
        bytes.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
    let half = words.len() / 2;
    (0..dim)
        .map(|p| {
            let bit = |w: &[u64]| (w[p / 64] >> (p % 64)) & 1 == 1;
            match (bit(&words[..half]), bit(&words[half..])) {
                (true, true) => 2,
                (true, false) => 1,
                (false, true) => -1,
                (false, false) => 0,
            }
        })
        .collect()
}

/// Every layout of `tier` at every dimension, with every operand list.
fn check_tier(tier: Tier) {
    let Some(qemu) = qemu() else { return };
    let (mut runs, mut calls) = (0, 0);
    for (i, dim) in dims().into_iter().enumerate() {
        let pool = pool(dim, dim as u64);
        let cases = cases(dim as u64);
        for layout in Layout::ALL {
            check(&qemu, &kernel(layout, dim, tier), &pool, &cases, i % 2 == 1);
            runs += 1;
            calls += cases.len();
        }
    }
    println!("{calls} AArch64 {} bundle_n calls checked in {runs} qemu runs", tier.name());
}

#[test]
fn neon_bundles_match_the_reference() {
    check_tier(Tier::Neon);
}

#[test]
fn dotprod_bundles_match_the_reference() {
    check_tier(Tier::DotProd);
}

/// 70001 operands (bit length 17: the bitsliced counters use 17 levels): random picks; 35000
/// all +1 against 35000 all -1 and one more vector, counts that differ only in the lowest bit
/// (carries through every level, a comparison down to level 0); and 66000 all +1 against 4000
/// all -1, a count that needs level 16.
#[test]
fn seventy_thousand_operands() {
    let Some(qemu) = qemu() else { return };
    let balanced = [vec![3; 35_000], vec![4; 35_000], vec![2]].concat();
    let top_level = [vec![3; 66_000], vec![4; 4_000], vec![2]].concat();
    std::thread::scope(|scope| {
        for tier in TIERS {
            let (qemu, balanced, top_level) = (&qemu, &balanced, &top_level);
            scope.spawn(move || {
                for dim in [1, 13, 64, 100, 300] {
                    let pool = pool(dim, 70_000 + dim as u64);
                    let cases = [
                        ("n = 70001", picks(70_001, dim as u64)),
                        ("+1 x 35000, -1 x 35000, b", balanced.clone()),
                        ("+1 x 66000, -1 x 4000, b", top_level.clone()),
                    ];
                    for layout in Layout::ALL {
                        check(qemu, &kernel(layout, dim, tier), &pool, &cases, dim % 2 == 1);
                    }
                }
            });
        }
    });
}

/// The same spec gives the same bytes, and both tiers the same code; the kernels at
/// D = 10000 as reviewed disassembly.
#[test]
fn generation_is_deterministic_and_snapshotted() {
    for layout in Layout::ALL {
        let code = kernel(layout, 10000, Tier::Neon).code;
        assert_eq!(code, kernel(layout, 10000, Tier::Neon).code);
        assert_eq!(code, kernel(layout, 10000, Tier::DotProd).code, "no DotProd instruction");
        let listing = trinity::disasm::listing(Arch::Aarch64, &code);
        let name = format!("{}_bundle_n_10000", layout.name());
        insta::with_settings!({snapshot_path => "../snapshots/bundle_aarch64", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, listing);
        });
    }
}
