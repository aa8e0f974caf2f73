//! Scan kernel speed on this machine (x86-64: AVX2, and the AVX-512 tiers where this CPU runs
//! them, else a printed skip): per (record, query) pair, each query block against the AVX2
//! pair kernel called once per record, on records that stay in L2 and on records
//! streamed from memory (a buffer four times the L3), plus the single-query scan's bandwidth.
//! The memory rows time the kernels for records streaming from memory (`ScanSpec::streaming`),
//! as an item memory of that size takes them.
//! Every timed scan's scores are checked against the pair kernel afterwards.
//!
//! `cargo bench --bench scan` prints a markdown table; `TRINITY_SCAN_DIMS=1024,10000` picks
//! the dimensions, `TRINITY_SCAN_STREAM_MB=128` the streamed buffer's size and
//! `TRINITY_SCAN_SETS=memory` the record sets (`L2`, `memory`). Each memory row also gives the
//! rate at which plain Rust sums the same buffer (a read-bandwidth yardstick).

use std::hint::black_box;
use std::time::{Duration, Instant};
use trinity::emit::kernels::scan::{generate_scan, ScanMetric, ScanSpec, QUERY_BLOCKS};
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
use trinity::runtime::cpu::detect_tier;
use trinity::runtime::exec::{Arena, Code};
use trinity::runtime::{BitVector, DenseVector};

type Scan = unsafe extern "sysv64" fn(*const u8, usize, usize, *const u8, *mut i32);
type Pair = unsafe extern "sysv64" fn(*const u8, *const u8) -> i64;

/// Records in the cached set: about 256 KiB of them, at least 8.
const CACHED_BYTES: usize = 256 << 10;

fn operand(layout: Layout, v: &DenseVector) -> Vec<u8> {
    match layout {
        Layout::Dense => v.as_slice().iter().map(|&t| t as u8).collect(),
        Layout::Bits => BitVector::from(v).words().iter().flat_map(|w| w.to_le_bytes()).collect(),
    }
}

/// `n` random records at `stride` in one 64-byte-aligned buffer (returned with its offset).
fn records(layout: Layout, dim: usize, stride: usize, n: usize) -> (Vec<u8>, usize) {
    let mut buf = vec![0u8; n * stride + 64];
    let offset = buf.as_ptr().align_offset(64);
    // A few distinct vectors repeated: generating millions of random ones would dominate.
    let distinct: Vec<Vec<u8>> =
        (0..16).map(|s| operand(layout, &DenseVector::random(dim, s).unwrap())).collect();
    for r in 0..n {
        let at = offset + r * stride;
        buf[at..at + distinct[r % 16].len()].copy_from_slice(&distinct[r % 16]);
    }
    (buf, offset)
}

/// The fastest of `rounds` timings of `f` (each at least ~2 ms of repeated calls), per call.
fn time(rounds: usize, mut f: impl FnMut()) -> Duration {
    let mut reps = 1;
    loop {
        let start = Instant::now();
        for _ in 0..reps {
            f();
        }
        if start.elapsed() > Duration::from_millis(2) {
            break;
        }
        reps *= 2;
    }
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..reps {
                f();
            }
            start.elapsed() / reps
        })
        .min()
        .unwrap()
}

fn place(arena: &Arena, code: &[u8]) -> Code {
    arena.add(code).expect("place kernel")
}

/// The x86-64 tiers this CPU runs; prints why each other one is skipped.
fn tiers() -> Vec<Tier> {
    let cpu = detect_tier();
    [Tier::Avx2, Tier::Avx512, Tier::Avx512Vpopcnt]
        .into_iter()
        .filter(|&tier| {
            let runs = cpu.is_some_and(|cpu| cpu.runs(tier));
            if !runs {
                let name = cpu.map_or("none", Tier::name);
                eprintln!("SKIPPED {}: this CPU's tier ({name}) does not run it", tier.name());
            }
            runs
        })
        .collect()
}

fn main() {
    let tiers = tiers();
    if !tiers.contains(&Tier::Avx2) {
        return;
    }
    let dims: Vec<usize> = std::env::var("TRINITY_SCAN_DIMS")
        .map(|s| s.split(',').map(|d| d.trim().parse().expect("dimension")).collect())
        .unwrap_or_else(|_| vec![1024, 10000, 59049]);
    let stream_mb: usize = std::env::var("TRINITY_SCAN_STREAM_MB")
        .map(|s| s.parse().expect("megabytes"))
        .unwrap_or(128);
    let sets = std::env::var("TRINITY_SCAN_SETS").unwrap_or_else(|_| "L2,memory".into());
    let arena = Arena::new();
    println!(
        "| layout | metric | D | set | tier | pair ns | {} |",
        QUERY_BLOCKS.map(|q| format!("Q={q} ns/pair")).join(" | ")
    );
    println!("|---|---|---|---|---|---|{}", "---|".repeat(QUERY_BLOCKS.len()));
    for layout in Layout::ALL {
        for metric in ScanMetric::ALL {
            for &dim in &dims {
                let bytes = layout.operand_bytes(dim as u32);
                let stride = bytes.next_multiple_of(64);
                let cached = (CACHED_BYTES / stride).max(8);
                let streamed = (stream_mb << 20) / stride;
                let (queries, qoff) = records(layout, dim, stride, 8);
                let op = if metric == ScanMetric::Dot { Op::Dot } else { Op::Hamming };
                let pair_code = place(
                    &arena,
                    &generate(&KernelSpec::new(op, layout, dim as u32, Tier::Avx2)).unwrap().code,
                );
                // SAFETY: a System V pair kernel reading `bytes` bytes from each argument.
                let pair: Pair = unsafe { std::mem::transmute(pair_code.entry()) };
                for (set, n) in [("L2", cached), ("memory", streamed)] {
                    if !sets.split(',').any(|s| s == set) {
                        continue;
                    }
                    let (recs, roff) = records(layout, dim, stride, n);
                    let q0 = queries[qoff..].as_ptr();
                    let pair_ns = time(5, || {
                        for r in 0..n {
                            // SAFETY: record r and query 0 are whole operands inside their buffers.
                            black_box(unsafe { pair(recs[roff + r * stride..].as_ptr(), q0) });
                        }
                    })
                    .as_secs_f64()
                        * 1e9
                        / n as f64;
                    let mut rows = Vec::new();
                    for &tier in &tiers {
                        let (mut cells, mut gbs) = (Vec::new(), 0.0);
                        for q in QUERY_BLOCKS {
                            // The form an item memory takes for the set (its streaming one
                            // past 64 MiB of records).
                            let spec = ScanSpec {
                                streaming: set == "memory",
                                ..ScanSpec::new(metric, layout, dim as u32, tier, q)
                            };
                            let code = place(&arena, &generate_scan(&spec).unwrap().code);
                            // SAFETY: a System V scan kernel; see the call below.
                            let scan: Scan = unsafe { std::mem::transmute(code.entry()) };
                            let mut scores = vec![0i32; n * q as usize];
                            let t = time(5, || {
                                // SAFETY: n records and q queries at `stride` lie inside their
                                // buffers, and scores holds n * q results.
                                unsafe {
                                    scan(recs[roff..].as_ptr(), stride, n, q0, scores.as_mut_ptr())
                                };
                                black_box(&scores);
                            });
                            // The scores of the last timed call, against the pair kernel.
                            for r in 0..n {
                                for j in 0..q as usize {
                                    let rec = recs[roff + r * stride..].as_ptr();
                                    let query = queries[qoff + j * stride..].as_ptr();
                                    // SAFETY: whole operands inside their buffers.
                                    let want = unsafe { pair(rec, query) };
                                    assert_eq!(
                                        i64::from(scores[r * q as usize + j]),
                                        want,
                                        "{spec}"
                                    );
                                }
                            }
                            if q == 1 {
                                gbs = (n * bytes) as f64 / t.as_secs_f64() / 1e9;
                            }
                            cells.push(format!(
                                "{:.2}",
                                t.as_secs_f64() * 1e9 / (n * q as usize) as f64
                            ));
                        }
                        rows.push((tier, cells, gbs));
                    }
                    let memory = (set == "memory").then(|| {
                        let words: Vec<u64> = recs
                            .chunks_exact(8)
                            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
                            .collect();
                        let t = time(5, || {
                            black_box(words.iter().fold(0u64, |a, &w| a.wrapping_add(w)));
                        });
                        let read = (words.len() * 8) as f64 / t.as_secs_f64() / 1e9;
                        (read, (n * stride) >> 20)
                    });
                    for (tier, cells, gbs) in rows {
                        let set = match memory {
                            Some((read, mib)) => format!(
                                "memory ({mib} MiB; Q=1 {gbs:.1} GB/s, plain read {read:.1} GB/s)"
                            ),
                            None => format!("L2 ({n} records)"),
                        };
                        println!(
                            "| {} | {} | {dim} | {set} | {} | {pair_ns:.2} | {} |",
                            layout.name(),
                            metric.name(),
                            tier.name(),
                            cells.join(" | ")
                        );
                    }
                }
            }
        }
    }
}
