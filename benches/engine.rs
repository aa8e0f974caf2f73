//! Engine costs beside the kernels: a cache hit's dispatch overhead (engine call and kernel
//! table call vs direct kernel call at a small D, where the kernel itself is a few
//! nanoseconds), the first call's compile, and calls from one thread and from two at once
//! (each on its own thread, so the per-thread kernel caches start cold).
//!
//! `cargo bench --bench engine -- --warm-up-time 1 --measurement-time 2`

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::{Duration, Instant};
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op};
use trinity::runtime::exec::call::ReduceKernel;
use trinity::runtime::exec::Arena;
use trinity::runtime::{BitVector, JitEngine};

fn dispatch(c: &mut Criterion) {
    let engine = JitEngine::new();
    let Some(tier) = engine.tier() else {
        eprintln!("SKIPPED: no JIT tier on this CPU");
        return;
    };
    let mut group = c.benchmark_group("dispatch_bits_dot_64");
    let a = BitVector::random(64, 1).unwrap();
    let b = BitVector::random(64, 2).unwrap();
    engine.dot(&a, &b).unwrap();
    group.bench_function("engine_hit", |bn| {
        bn.iter(|| engine.dot(black_box(&a), black_box(&b)).unwrap())
    });
    let arena = Arena::new();
    let code = arena
        .add(&generate(&KernelSpec::new(Op::Dot, Layout::Bits, 64, tier)).unwrap().code)
        .unwrap();
    // SAFETY: generated for (dot, bits, 64) on this CPU's tier: a System V reduce kernel over 2 words.
    let direct = unsafe { ReduceKernel::<u64>::new(code, 2) };
    group.bench_function("direct_kernel", |bn| {
        bn.iter(|| direct.call(black_box(a.words()), black_box(b.words())).unwrap())
    });
    let table = engine.table(64, &[]).unwrap();
    group.bench_function("table_call", |bn| {
        bn.iter(|| table.dot(black_box(&a), black_box(&b)).unwrap())
    });
    group.bench_function("first_call_compile", |bn| {
        bn.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let fresh = JitEngine::new();
                let start = Instant::now();
                fresh.dot(black_box(&a), black_box(&b)).unwrap();
                total += start.elapsed();
            }
            total
        })
    });
    group.finish();
}

fn contention(c: &mut Criterion) {
    let engine = JitEngine::new();
    if engine.tier().is_none() {
        return;
    }
    let a = BitVector::random(64, 1).unwrap();
    let b = BitVector::random(64, 2).unwrap();
    engine.dot(&a, &b).unwrap();
    let mut group = c.benchmark_group("contention_bits_dot_64");
    let table = engine.table(64, &[]).unwrap();
    let runs = [("one_thread", 1, false), ("one_thread_table", 1, true)];
    let runs = runs.into_iter().chain([("two_threads", 2, false), ("two_threads_table", 2, true)]);
    for (name, threads, through_table) in runs {
        group.bench_function(name, |bn| {
            bn.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for _ in 0..threads {
                        s.spawn(|| {
                            for _ in 0..iters {
                                let d = if through_table {
                                    table.dot(black_box(&a), black_box(&b))
                                } else {
                                    engine.dot(black_box(&a), black_box(&b))
                                };
                                black_box(d.unwrap());
                            }
                        });
                    }
                });
                // Per call, counting every thread's calls.
                start.elapsed() / threads
            })
        });
    }
    group.finish();
}

criterion_group!(benches, dispatch, contention);
criterion_main!(benches);
