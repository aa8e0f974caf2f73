//! Kernel speed: for each op, layout and D in {1024, 10000, 59049}, the JIT kernel beside the
//! hand-written AVX2 yardstick and portable Rust, with Throughput::Elements(D); and the compile
//! latency of one D = 10000 kernel (generate + place in executable memory).
//!
//! Before timing, every contender's result is checked against the portable reference.
//! Quick run: `cargo bench --bench kernels -- --warm-up-time 1 --measurement-time 2`.

#[path = "support/yardstick.rs"]
mod yardstick;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
use trinity::runtime::engine::detect_tier;
use trinity::runtime::{portable, BitVector, DenseVector};

const DIMS: [usize; 3] = [1024, 10000, 59049];
const SHIFT: i64 = 1;

fn bench_ops(c: &mut Criterion) {
    if detect_tier() != Some(Tier::Avx2) || !yardstick::available() {
        eprintln!("SKIPPED: kernel benches need an AVX2 machine");
        return;
    }
    let arena = trinity::runtime::exec::Arena::new();
    for layout in Layout::ALL {
        for op in Op::ALL {
            let mut group = c.benchmark_group(format!("{}_{}", op.name(), layout.name()));
            for dim in DIMS {
                group.throughput(Throughput::Elements(dim as u64));
                let a = DenseVector::random(dim, 1).unwrap();
                let b = DenseVector::random(dim, 2).unwrap();
                let spec = if op == Op::Permute {
                    KernelSpec::permute(layout, dim as u32, Tier::Avx2, SHIFT)
                } else {
                    KernelSpec::new(op, layout, dim as u32, Tier::Avx2)
                };
                let code = arena.add(&generate(&spec).unwrap().code).unwrap();
                match layout {
                    Layout::Dense => {
                        bench_dense(&mut group, op, dim, code, a.as_slice(), b.as_slice())
                    }
                    Layout::Bits => {
                        let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
                        bench_bits(&mut group, op, dim, code, ba.words(), bb.words())
                    }
                }
            }
            group.finish();
        }
    }
}

type MapFn<T> = fn(&mut [T], &[T], &[T]);
type MapYardstick<T> = fn(&mut [T], &[T], &[T]) -> Option<()>;
type ReduceFn = fn(&[u64], &[u64]) -> i64;
type ReduceYardstick = fn(&[u64], &[u64]) -> Option<i64>;
type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

fn bench_dense(
    group: &mut Group,
    op: Op,
    dim: usize,
    code: trinity::runtime::exec::Code,
    a: &[i8],
    b: &[i8],
) {
    use trinity::runtime::exec::call::*;
    let id = |name: &str| BenchmarkId::new(name, dim);
    let mut out = vec![0i8; dim];
    let mut expect = vec![0i8; dim];
    // SAFETY: the code was generated for this (op, Dense, dim) spec: a complete System V
    // function of the op's signature over `dim` bytes per operand.
    unsafe {
        match op {
            Op::Dot | Op::Hamming => {
                let f = ReduceKernel::<i8>::new(code, dim);
                let (want, y) = if op == Op::Dot {
                    (portable::dense_dot(a, b), yardstick::dense_dot(a, b))
                } else {
                    (portable::dense_hamming(a, b), yardstick::dense_hamming(a, b))
                };
                assert_eq!((f.call(a, b).unwrap(), y), (want, Some(want)));
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(a), black_box(b)).unwrap())
                });
                if op == Op::Dot {
                    group.bench_function(id("yardstick"), |bn| {
                        bn.iter(|| yardstick::dense_dot(black_box(a), black_box(b)))
                    });
                    group.bench_function(id("portable"), |bn| {
                        bn.iter(|| portable::dense_dot(black_box(a), black_box(b)))
                    });
                } else {
                    group.bench_function(id("yardstick"), |bn| {
                        bn.iter(|| yardstick::dense_hamming(black_box(a), black_box(b)))
                    });
                    group.bench_function(id("portable"), |bn| {
                        bn.iter(|| portable::dense_hamming(black_box(a), black_box(b)))
                    });
                }
            }
            Op::Cosine => {
                let f = ReduceF64Kernel::<i8>::new(code, dim);
                let want = portable::dense_cosine(a, b);
                assert_eq!(
                    (f.call(a, b).unwrap(), yardstick::dense_cosine(a, b)),
                    (want, Some(want))
                );
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(a), black_box(b)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| yardstick::dense_cosine(black_box(a), black_box(b)))
                });
                group.bench_function(id("portable"), |bn| {
                    bn.iter(|| portable::dense_cosine(black_box(a), black_box(b)))
                });
            }
            Op::Bind | Op::Bundle => {
                let f = BinaryKernel::<i8>::new(code, dim);
                let (p, y): (MapFn<i8>, MapYardstick<i8>) = if op == Op::Bind {
                    (portable::dense_bind, yardstick::dense_bind)
                } else {
                    (portable::dense_bundle, yardstick::dense_bundle)
                };
                p(&mut expect, a, b);
                f.call(&mut out, a, b).unwrap();
                assert_eq!(out, expect);
                y(&mut out, a, b).unwrap();
                assert_eq!(out, expect);
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(&mut out), black_box(a), black_box(b)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| y(black_box(&mut out), black_box(a), black_box(b)))
                });
                group.bench_function(id("portable"), |bn| {
                    bn.iter(|| p(black_box(&mut out), black_box(a), black_box(b)))
                });
            }
            Op::Permute => {
                let f = UnaryKernel::<i8>::new(code, dim);
                let k = SHIFT as usize;
                portable::dense_permute(&mut expect, a, k);
                f.call(&mut out, a).unwrap();
                assert_eq!(out, expect);
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(&mut out), black_box(a)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| yardstick::dense_permute(black_box(&mut out), black_box(a), k))
                });
                group.bench_function(id("portable"), |bn| {
                    bn.iter(|| portable::dense_permute(black_box(&mut out), black_box(a), k))
                });
            }
        }
    }
}

fn bench_bits(
    group: &mut Group,
    op: Op,
    dim: usize,
    code: trinity::runtime::exec::Code,
    a: &[u64],
    b: &[u64],
) {
    use trinity::runtime::exec::call::*;
    let id = |name: &str| BenchmarkId::new(name, dim);
    let mut out = vec![0u64; a.len()];
    let mut expect = vec![0u64; a.len()];
    // SAFETY: the code was generated for this (op, Bits, dim) spec: a complete System V
    // function of the op's signature over 2 * ceil(dim / 64) words per operand.
    unsafe {
        match op {
            Op::Dot | Op::Hamming => {
                let f = ReduceKernel::<u64>::new(code, a.len());
                let (p, y): (ReduceFn, ReduceYardstick) = if op == Op::Dot {
                    (portable::bits_dot, yardstick::bits_dot)
                } else {
                    (portable::bits_hamming, yardstick::bits_hamming)
                };
                assert_eq!((f.call(a, b).unwrap(), y(a, b)), (p(a, b), Some(p(a, b))));
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(a), black_box(b)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| y(black_box(a), black_box(b)))
                });
                group
                    .bench_function(id("portable"), |bn| bn.iter(|| p(black_box(a), black_box(b))));
                if op == Op::Dot {
                    // The per-word popcnt candidate, beside the nibble lookup the kernels use.
                    assert_eq!(yardstick::bits_dot_popcnt(a, b), Some(p(a, b)));
                    group.bench_function(id("popcnt_per_word"), |bn| {
                        bn.iter(|| yardstick::bits_dot_popcnt(black_box(a), black_box(b)))
                    });
                    assert_eq!(yardstick::bits_dot_harley_seal(a, b), Some(p(a, b)));
                    group.bench_function(id("harley_seal"), |bn| {
                        bn.iter(|| yardstick::bits_dot_harley_seal(black_box(a), black_box(b)))
                    });
                }
            }
            Op::Cosine => {
                let f = ReduceF64Kernel::<u64>::new(code, a.len());
                let want = portable::bits_cosine(a, b);
                assert_eq!(
                    (f.call(a, b).unwrap(), yardstick::bits_cosine(a, b)),
                    (want, Some(want))
                );
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(a), black_box(b)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| yardstick::bits_cosine(black_box(a), black_box(b)))
                });
                group.bench_function(id("portable"), |bn| {
                    bn.iter(|| portable::bits_cosine(black_box(a), black_box(b)))
                });
            }
            Op::Bind | Op::Bundle => {
                let f = BinaryKernel::<u64>::new(code, a.len());
                let (p, y): (MapFn<u64>, MapYardstick<u64>) = if op == Op::Bind {
                    (portable::bits_bind, yardstick::bits_bind)
                } else {
                    (portable::bits_bundle, yardstick::bits_bundle)
                };
                p(&mut expect, a, b);
                f.call(&mut out, a, b).unwrap();
                assert_eq!(out, expect);
                y(&mut out, a, b).unwrap();
                assert_eq!(out, expect);
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(&mut out), black_box(a), black_box(b)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| y(black_box(&mut out), black_box(a), black_box(b)))
                });
                group.bench_function(id("portable"), |bn| {
                    bn.iter(|| p(black_box(&mut out), black_box(a), black_box(b)))
                });
            }
            Op::Permute => {
                let f = UnaryKernel::<u64>::new(code, a.len());
                let k = SHIFT as usize;
                portable::bits_permute(&mut expect, a, dim, k);
                f.call(&mut out, a).unwrap();
                assert_eq!(out, expect);
                yardstick::bits_permute(&mut out, a, dim, k).unwrap();
                assert_eq!(out, expect);
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(&mut out), black_box(a)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| yardstick::bits_permute(black_box(&mut out), black_box(a), dim, k))
                });
                group.bench_function(id("portable"), |bn| {
                    bn.iter(|| portable::bits_permute(black_box(&mut out), black_box(a), dim, k))
                });
            }
        }
    }
}

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile_latency");
    let arena = trinity::runtime::exec::Arena::new();
    for (op, layout) in
        [(Op::Dot, Layout::Bits), (Op::Cosine, Layout::Dense), (Op::Permute, Layout::Bits)]
    {
        let spec = if op == Op::Permute {
            KernelSpec::permute(layout, 10000, Tier::Avx2, SHIFT)
        } else {
            KernelSpec::new(op, layout, 10000, Tier::Avx2)
        };
        group.bench_function(format!("{}_{}_10000", op.name(), layout.name()), |bn| {
            bn.iter(|| arena.add(&generate(black_box(&spec)).unwrap().code).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ops, bench_compile);
criterion_main!(benches);
