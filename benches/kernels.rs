//! Kernel speed: for each op, layout and D in {1024, 10000, 59049}, the JIT kernel beside the
//! hand-written AVX2 yardstick, portable Rust and the kernel baked by `#[trinity::vsa]` (called
//! through its `Vsa` API), with Throughput::Elements(D); and the compile latency of one
//! D = 10000 kernel (generate + place in executable memory).
//!
//! The crates.io crate trit-vsa (with its `simd` feature) is a fourth contender, `trit-vsa`, in
//! the bitsliced groups, since its `PackedTritVec` is bitsliced too (+1 and -1 planes of `u32`
//! words): dot (`simd::simd_dot`), hamming (`vsa::hamming_distance`), cosine
//! (`vsa::cosine_similarity`) and bundle (`vsa::bundle`, sign of the sum with ties 0). It is
//! left out of bind, which in trit-vsa is a different operation ((a - b) mod 3, not a * b), of
//! permute, which it does not have, and of the dense groups, having no i8-per-trit type.
//!
//! Before timing, every contender's result is checked against the portable reference.
//! Quick run: `cargo bench --bench kernels -- --warm-up-time 1 --measurement-time 2`.

#[path = "support/yardstick.rs"]
mod yardstick;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
use trinity::runtime::engine::{detect_tier, Vector};
use trinity::runtime::reference;
use trinity::runtime::{portable, BitVector, DenseVector};
use trinity::Vsa;
use trit_vsa::PackedTritVec;

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
                        bench_dense(&mut group, op, dim, code, a.as_slice(), b.as_slice());
                        bench_baked_dim(&mut group, op, &a, &b);
                    }
                    Layout::Bits => {
                        let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
                        bench_bits(&mut group, op, dim, code, ba.words(), bb.words());
                        bench_baked_dim(&mut group, op, &ba, &bb);
                    }
                }
            }
            group.finish();
        }
    }
}

#[trinity::vsa(dim = 1024)]
struct D1024;
#[trinity::vsa(dim = 10000)]
struct D10000;
#[trinity::vsa(dim = 59049)]
struct D59049;

/// The `baked` contender: the op through the `Vsa` API of a `#[trinity::vsa]` struct (what a
/// user calls: dimension check, table lookup, baked kernel), writing the map ops into a
/// separate, reused output like the others.
fn bench_baked_dim<V: Vector>(group: &mut Group, op: Op, a: &V, b: &V) {
    match a.dim() {
        1024 => bench_baked::<D1024, V>(group, op, a, b),
        10000 => bench_baked::<D10000, V>(group, op, a, b),
        59049 => bench_baked::<D59049, V>(group, op, a, b),
        other => unreachable!("no struct baked for D = {other}"),
    }
}

fn bench_baked<H: Vsa, V: Vector>(group: &mut Group, op: Op, a: &V, b: &V) {
    let id = BenchmarkId::new("baked", H::DIM);
    let dense = |v: &V| -> Vec<i8> { (0..v.dim()).map(|i| v.trit(i)).collect() };
    let mut out = a.clone();
    match op {
        Op::Dot | Op::Hamming => {
            let f = if op == Op::Dot { H::dot::<V> } else { H::hamming::<V> };
            let want = if op == Op::Dot { reference::dot(a, b) } else { reference::hamming(a, b) };
            assert_eq!(f(a, b), want);
            group.bench_function(id, |bn| bn.iter(|| f(black_box(a), black_box(b)).unwrap()));
        }
        Op::Cosine => {
            assert_eq!(H::cosine(a, b), reference::cosine(a, b));
            group.bench_function(id, |bn| bn.iter(|| H::cosine(black_box(a), black_box(b))));
        }
        Op::Bind | Op::Bundle => {
            let (f, want) = if op == Op::Bind {
                (H::bind_into::<V> as IntoFn<V>, reference::bind(a, b).unwrap())
            } else {
                (H::bundle_into::<V> as IntoFn<V>, reference::bundle(a, b).unwrap())
            };
            f(&mut out, a, b).unwrap();
            assert_eq!(dense(&out), want);
            group.bench_function(id, |bn| {
                bn.iter(|| f(black_box(&mut out), black_box(a), black_box(b)))
            });
        }
        Op::Permute => {
            H::permute_into(&mut out, a, SHIFT).unwrap();
            assert_eq!(dense(&out), reference::permute(a, SHIFT));
            group.bench_function(id, |bn| {
                bn.iter(|| H::permute_into(black_box(&mut out), black_box(a), SHIFT))
            });
        }
    }
    assert_eq!(H::kernels().stats().fallback_ops, 0, "every benched op is baked");
}

type MapFn<T> = fn(&mut [T], &[T], &[T]);
type IntoFn<V> = fn(&mut V, &V, &V) -> trinity::runtime::Result<()>;
type MapYardstick<T> = fn(&mut [T], &[T], &[T]) -> Option<()>;
type ReduceFn = fn(&[u64], &[u64]) -> i64;
type ReduceYardstick = fn(&[u64], &[u64]) -> Option<i64>;
type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// Our bitsliced words (W words of the +1 plane, then W of the -1 plane) as trit-vsa's vector:
/// the same bits, regrouped into little-endian `u32` words per plane.
fn to_trit_vsa(words: &[u64], dim: usize) -> PackedTritVec {
    let plane = |p: &[u64]| -> Vec<u32> {
        let mut out: Vec<u32> = p.iter().flat_map(|&w| [w as u32, (w >> 32) as u32]).collect();
        out.truncate(dim.div_ceil(32));
        out
    };
    let (plus, minus) = words.split_at(words.len() / 2);
    PackedTritVec::from_planes(plane(plus), plane(minus), dim).unwrap()
}

/// The inverse of [`to_trit_vsa`].
fn from_trit_vsa(v: &PackedTritVec) -> Vec<u64> {
    let plane = |p: &[u32]| -> Vec<u64> {
        p.chunks(2).map(|c| u64::from(c[0]) | c.get(1).map_or(0, |&h| u64::from(h) << 32)).collect()
    };
    [plane(v.plus_plane()), plane(v.minus_plane())].concat()
}

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
                let (ta, tb) = (to_trit_vsa(a, dim), to_trit_vsa(b, dim));
                if op == Op::Dot {
                    let t = trit_vsa::simd::simd_dot(&ta, &tb);
                    assert_eq!(i64::from(t), p(a, b));
                    group.bench_function(id("trit-vsa"), |bn| {
                        bn.iter(|| trit_vsa::simd::simd_dot(black_box(&ta), black_box(&tb)))
                    });
                } else {
                    assert_eq!(trit_vsa::vsa::hamming_distance(&ta, &tb) as i64, p(a, b));
                    group.bench_function(id("trit-vsa"), |bn| {
                        bn.iter(|| trit_vsa::vsa::hamming_distance(black_box(&ta), black_box(&tb)))
                    });
                }
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
                // trit-vsa computes cosine in f32: checked to f32 precision. The f32 arithmetic
                // is a few operations after its O(D) passes, so the timing stays comparable.
                let (ta, tb) = (to_trit_vsa(a, dim), to_trit_vsa(b, dim));
                let t = trit_vsa::vsa::cosine_similarity(&ta, &tb);
                assert!((f64::from(t) - want).abs() <= 1e-6, "trit-vsa cosine {t} vs {want}");
                group.bench_function(id("trit-vsa"), |bn| {
                    bn.iter(|| trit_vsa::vsa::cosine_similarity(black_box(&ta), black_box(&tb)))
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
                // trit-vsa's bind is (a - b) mod 3, another operation: not compared. Its bundle
                // returns a new vector, so its time includes that allocation (its only API).
                if op == Op::Bundle {
                    let (ta, tb) = (to_trit_vsa(a, dim), to_trit_vsa(b, dim));
                    assert_eq!(from_trit_vsa(&trit_vsa::vsa::bundle(&ta, &tb)), expect);
                    group.bench_function(id("trit-vsa"), |bn| {
                        bn.iter(|| trit_vsa::vsa::bundle(black_box(&ta), black_box(&tb)))
                    });
                }
            }
            Op::Permute => {
                // trit-vsa has no permute (rotation).
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
