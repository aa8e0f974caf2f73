//! Item-memory search at D = 10000 over N = 100,000 bitsliced records (256 MB), beside its two
//! yardsticks measured in the same run: the machine's read bandwidth over a buffer of the same
//! size, and the bitsliced dot kernel on operands in L1. Throughput is in (query, record) pairs.
//!
//! `cargo bench --bench memory -- --warm-up-time 1 --measurement-time 5`
//! (`TRINITY_BENCH_N` sets N for a quicker run.)

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use trinity::runtime::{BitVector, ItemMemory, JitEngine, Metric};

const DIM: usize = 10_000;

fn records() -> usize {
    std::env::var("TRINITY_BENCH_N").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000)
}

fn search(c: &mut Criterion) {
    let n = records();
    let mut memory = ItemMemory::new(DIM).unwrap();
    for seed in 0..n as u64 {
        memory.push(&BitVector::random(DIM, seed).unwrap()).unwrap();
    }
    let queries: Vec<BitVector> =
        (0..64).map(|i| BitVector::random(DIM, 1 << 40 | i).unwrap()).collect();
    let bytes = memory.region().unwrap().len();

    let mut group = c.benchmark_group("memory_d10000");
    group.sample_size(10);
    // Yardstick 1: read every byte of a buffer as large as the records, eight sums in flight.
    let words = vec![1u64; bytes / 8];
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("read_bandwidth", |b| {
        b.iter(|| {
            let mut sums = [0u64; 8];
            for chunk in words.chunks_exact(8) {
                for (s, &w) in sums.iter_mut().zip(chunk) {
                    *s = s.wrapping_add(w);
                }
            }
            black_box(sums)
        })
    });
    // Yardstick 2: the pair kernel on cached operands (one pair per call).
    let table = JitEngine::global().table(DIM, &[]).unwrap();
    group.throughput(Throughput::Elements(1));
    group.bench_function("pair_kernel_l1", |b| {
        b.iter(|| table.dot(black_box(&queries[0]), black_box(&queries[1])).unwrap())
    });
    for (count, threads) in [(1, 1), (1, 2), (64, 1), (64, 2)] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let refs: Vec<&BitVector> = queries[..count].iter().collect();
        for k in [1, 10, 100] {
            if threads == 2 && k != 10 {
                continue;
            }
            group.throughput(Throughput::Elements((count * n) as u64));
            let id = BenchmarkId::new(format!("top{k}_q{count}"), format!("{threads}t"));
            group.bench_function(id, |b| {
                b.iter(|| pool.install(|| memory.top_k_batch(&refs, k, Metric::Dot).unwrap()))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, search);
criterion_main!(benches);
