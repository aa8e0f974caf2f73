//! n-way bundle speed on this machine: the generated kernels (through `JitEngine::bundle_n`)
//! beside the portable `bundle_n` this project had before them (every operand converted to
//! one byte per trit, then summed), today's portable fallback (per-layout accumulation, as
//! `JitEngine::portable()` runs it) and a plain per-position sum over dense operands (the loop
//! a user would write), and the kernels of each x86-64 tier this CPU runs called directly
//! (`avx2`, and `avx512`, one kernel for both AVX-512 tiers; a printed skip for the others). Rounds alternate between the variants and each keeps its fastest, so
//! machine noise hits them alike; every variant's result is checked against the kernel's.
//!
//! `cargo bench --bench bundle` prints a markdown table; `TRINITY_BUNDLE_DIM=10000` picks the
//! dimension, `TRINITY_BUNDLE_NS=3,16,256,4096` the operand counts and
//! `TRINITY_BUNDLE_ROUNDS=7` the rounds.

use std::hint::black_box;
use std::time::{Duration, Instant};
use trinity::emit::kernels::bundle::{generate_bundle, BundleSpec};
use trinity::emit::kernels::{Layout, Tier};
use trinity::runtime::cpu::detect_tier;
use trinity::runtime::exec::call::BundleNKernel;
use trinity::runtime::exec::Arena;
use trinity::runtime::{BitVector, DenseVector, JitEngine, Vector};

/// The portable `bundle_n` before the kernels: every operand to dense bytes, summed in i32.
fn bundle_n_before<V: Vector>(vectors: &[&V]) -> V {
    let mut sums = vec![0i32; vectors[0].dim()];
    for v in vectors {
        for (sum, &t) in sums.iter_mut().zip(v.to_dense().as_slice()) {
            *sum += i32::from(t);
        }
    }
    V::from_dense(&DenseVector::new(sums.iter().map(|s| s.signum() as i8).collect()).unwrap())
}

/// The loop a user would write over dense operands.
fn plain_sum(vectors: &[&DenseVector]) -> Vec<i8> {
    let mut sums = vec![0i32; vectors[0].dim()];
    for v in vectors {
        for (sum, &t) in sums.iter_mut().zip(v.as_slice()) {
            *sum += i32::from(t);
        }
    }
    sums.iter().map(|s| s.signum() as i8).collect()
}

/// One timing of `f`: the mean of enough calls to take ~5 ms (at least one).
fn once(f: &mut dyn FnMut()) -> Duration {
    let start = Instant::now();
    let mut reps = 0u32;
    while reps == 0 || start.elapsed() < Duration::from_millis(5) {
        f();
        reps += 1;
    }
    start.elapsed() / reps
}

fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .map(|s| s.split(',').map(|d| d.trim().parse().expect("a number")).collect())
        .unwrap_or_else(|_| default.to_vec())
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

/// The bundle kernels (bitsliced, dense) of `dim` in each of `avx2` and `avx512` this CPU
/// runs; says which it skips.
fn tier_kernels(arena: &Arena, dim: usize) -> Vec<(Tier, BundleNKernel<u64>, BundleNKernel<i8>)> {
    let cpu = detect_tier();
    let mut kernels = Vec::new();
    for tier in [Tier::Avx2, Tier::Avx512] {
        if !cpu.is_some_and(|cpu| cpu.runs(tier)) {
            let name = cpu.map_or("none", Tier::name);
            eprintln!(
                "SKIPPED the {} kernels: this CPU's tier ({name}) does not run them",
                tier.name()
            );
            continue;
        }
        let place = |layout: Layout| {
            let kernel = generate_bundle(&BundleSpec::new(layout, dim as u32, tier)).unwrap();
            (arena.add(&kernel.code).expect("place kernel"), layout.operand_bytes(dim as u32))
        };
        let ((bits, bytes), (dense, len)) = (place(Layout::Bits), place(Layout::Dense));
        // SAFETY: generated n-way bundle kernels of these layouts and dimension, on a CPU that
        // runs their tier; the wrappers check every operand's length.
        let (bits, dense) =
            unsafe { (BundleNKernel::new(bits, bytes / 8), BundleNKernel::new(dense, len)) };
        kernels.push((tier, bits, dense));
    }
    kernels
}

fn main() {
    let dim = env_list("TRINITY_BUNDLE_DIM", &[10000])[0];
    let ns = env_list("TRINITY_BUNDLE_NS", &[3, 16, 256, 4096]);
    let rounds = env_list("TRINITY_BUNDLE_ROUNDS", &[7])[0];
    let arena = Arena::new();
    let direct = tier_kernels(&arena, dim);
    let engine = JitEngine::new();
    let portable = JitEngine::portable();
    println!(
        "D = {dim}, engine {:?} tier {:?}, fastest of {rounds} alternating rounds, µs per call",
        engine.stats().backend,
        engine.tier()
    );
    let extra: String =
        direct.iter().map(|(tier, _, _)| format!(" {0} bits | {0} dense |", tier.name())).collect();
    println!(
        "| n | kernel bits | kernel dense | before, bits | before, dense | portable now, bits | portable now, dense | plain sum (dense) | bits: before / kernel |{extra}"
    );
    println!("|---|---|---|---|---|---|---|---|---|{}", "---|".repeat(extra.matches('|').count()));
    for &n in &ns {
        let dense: Vec<DenseVector> =
            (0..n).map(|s| DenseVector::random(dim, s as u64).unwrap()).collect();
        let bits: Vec<BitVector> = dense.iter().map(BitVector::from).collect();
        let dense_refs: Vec<&DenseVector> = dense.iter().collect();
        let bits_refs: Vec<&BitVector> = bits.iter().collect();
        let want_bits = engine.bundle_n(&bits_refs).unwrap();
        let want_dense = engine.bundle_n(&dense_refs).unwrap();
        assert_eq!(DenseVector::from(&want_bits), want_dense);
        assert_eq!(bundle_n_before(&bits_refs), want_bits);
        assert_eq!(bundle_n_before(&dense_refs), want_dense);
        assert_eq!(portable.bundle_n(&bits_refs).unwrap(), want_bits);
        assert_eq!(portable.bundle_n(&dense_refs).unwrap(), want_dense);
        assert_eq!(plain_sum(&dense_refs), want_dense.as_slice());
        let mut variants: Vec<Box<dyn FnMut()>> = vec![
            Box::new(|| drop(black_box(engine.bundle_n(&bits_refs).unwrap()))),
            Box::new(|| drop(black_box(engine.bundle_n(&dense_refs).unwrap()))),
            Box::new(|| drop(black_box(bundle_n_before(&bits_refs)))),
            Box::new(|| drop(black_box(bundle_n_before(&dense_refs)))),
            Box::new(|| drop(black_box(portable.bundle_n(&bits_refs).unwrap()))),
            Box::new(|| drop(black_box(portable.bundle_n(&dense_refs).unwrap()))),
            Box::new(|| drop(black_box(plain_sum(&dense_refs)))),
        ];
        let bits_words: Vec<&[u64]> = bits.iter().map(|v| v.words()).collect();
        let dense_trits: Vec<&[i8]> = dense.iter().map(|v| v.as_slice()).collect();
        for (_, bits_kernel, dense_kernel) in &direct {
            let (bits_words, dense_trits) = (bits_words.clone(), dense_trits.clone());
            let mut out_bits = vec![0u64; want_bits.words().len()];
            let mut out_dense = vec![0i8; dim];
            bits_kernel.call(&bits_words, &mut out_bits).unwrap();
            dense_kernel.call(&dense_trits, &mut out_dense).unwrap();
            assert_eq!(out_bits, want_bits.words());
            assert_eq!(out_dense, want_dense.as_slice());
            variants.push(Box::new(move || {
                bits_kernel.call(&bits_words, &mut out_bits).unwrap();
                black_box(&out_bits);
            }));
            variants.push(Box::new(move || {
                dense_kernel.call(&dense_trits, &mut out_dense).unwrap();
                black_box(&out_dense);
            }));
        }
        let mut best = vec![Duration::MAX; variants.len()];
        for _ in 0..rounds {
            for (b, f) in best.iter_mut().zip(variants.iter_mut()) {
                *b = (*b).min(once(f.as_mut()));
            }
        }
        let cells: Vec<String> = best.iter().map(|&d| micros(d)).collect();
        let ratio = best[2].as_secs_f64() / best[0].as_secs_f64();
        let extra: String = cells[7..].iter().map(|c| format!(" {c} |")).collect();
        println!("| {n} | {} | {ratio:.0}x |{extra}", cells[..7].join(" | "));
    }
}
