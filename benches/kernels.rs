//! Kernel speed: for each op, layout and D in {1024, 10000, 59049}, the JIT kernel (the tier
//! and variant the engine picks on this CPU) beside the
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

use trinity_testkit::yardstick;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
use trinity::runtime::cpu::{detect_tier, planner};
use trinity::runtime::exec::Code;
use trinity::runtime::reference;
use trinity::runtime::Vector;
use trinity::runtime::{portable, BitVector, DenseVector};
use trinity::Vsa;
use trit_vsa::PackedTritVec;
use yardstick::Ops;

const DIMS: [usize; 3] = [1024, 10000, 59049];
const SHIFT: i64 = 1;

/// The tier the engine runs on this CPU, when it runs AVX2 code (the yardstick's).
fn jit_tier() -> Option<Tier> {
    detect_tier().filter(|t| t.runs(Tier::Avx2) && yardstick::available())
}

fn bench_ops(c: &mut Criterion) {
    let Some(tier) = jit_tier() else {
        eprintln!("SKIPPED: kernel benches need an AVX2 machine");
        return;
    };
    eprintln!("JIT kernels: tier {}", tier.name());
    let arena = trinity::runtime::exec::Arena::new();
    for layout in Layout::ALL {
        for op in Op::ALL {
            let mut group = c.benchmark_group(format!("{}_{}", op.name(), layout.name()));
            for dim in DIMS {
                group.throughput(Throughput::Elements(dim as u64));
                let a = DenseVector::random(dim, 1).unwrap();
                let b = DenseVector::random(dim, 2).unwrap();
                let mut spec = if op == Op::Permute {
                    KernelSpec::permute(layout, dim as u32, tier, SHIFT)
                } else {
                    KernelSpec::new(op, layout, dim as u32, tier)
                };
                spec.variant = planner().choose(&spec);
                let code = arena.add(&generate(&spec).unwrap().code).unwrap();
                match layout {
                    Layout::Dense => {
                        let operands = (a.as_slice(), b.as_slice());
                        let ops = (&yardstick::DENSE, &yardstick::PORTABLE_DENSE);
                        bench_layout(&mut group, op, dim, code, operands, ops);
                        bench_baked_dim(&mut group, op, &a, &b);
                    }
                    Layout::Bits => {
                        let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
                        let ops = (&yardstick::BITS, &yardstick::PORTABLE_BITS);
                        bench_layout(&mut group, op, dim, code, (ba.words(), bb.words()), ops);
                        bench_bits_extras(&mut group, op, dim, ba.words(), bb.words());
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
            group.bench_function(id, |bn| {
                bn.iter(|| H::cosine(black_box(a), black_box(b)).unwrap())
            });
        }
        Op::Bind | Op::Bundle => {
            let (f, want) = if op == Op::Bind {
                (H::bind_into::<V> as IntoFn<V>, reference::bind(a, b).unwrap())
            } else {
                (H::bundle_into::<V> as IntoFn<V>, reference::bundle(a, b).unwrap())
            };
            f(&mut out, a, b).unwrap();
            assert_eq!(out.to_trits(), want);
            group.bench_function(id, |bn| {
                bn.iter(|| f(black_box(&mut out), black_box(a), black_box(b)).unwrap())
            });
        }
        Op::Permute => {
            H::permute_into(&mut out, a, SHIFT).unwrap();
            assert_eq!(out.to_trits(), reference::permute(a, SHIFT));
            group.bench_function(id, |bn| {
                bn.iter(|| H::permute_into(black_box(&mut out), black_box(a), SHIFT).unwrap())
            });
        }
    }
    assert_eq!(H::kernels().stats().fallback_ops, 0, "every benched op is baked");
}

type IntoFn<V> = fn(&mut V, &V, &V) -> trinity::runtime::Result<()>;
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

/// The JIT kernel `code`, the yardstick and portable Rust for `op` on one layout's operands,
/// each checked against portable Rust before it is timed; the map ops write one reused output.
fn bench_layout<T: Copy + Default + PartialEq + std::fmt::Debug>(
    group: &mut Group,
    op: Op,
    dim: usize,
    code: Code,
    (a, b): (&[T], &[T]),
    (yard, port): (&Ops<T>, &Ops<T>),
) {
    use trinity::runtime::exec::call::*;
    let id = |name: &str| BenchmarkId::new(name, dim);
    let n = a.len();
    let (mut out, mut expect) = (vec![T::default(); n], vec![T::default(); n]);
    // SAFETY (every arm): the code was generated for this (op, layout, dim) spec: a complete
    // System V function of the op's signature over `n` elements per operand.
    unsafe {
        match op {
            Op::Dot | Op::Hamming => {
                let f = ReduceKernel::<T>::new(code, n);
                let (y, p) = (yard.reduce(op), port.reduce(op));
                assert_eq!((f.call(a, b).unwrap(), y(a, b)), (p(a, b), p(a, b)));
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(a), black_box(b)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| y(black_box(a), black_box(b)))
                });
                group
                    .bench_function(id("portable"), |bn| bn.iter(|| p(black_box(a), black_box(b))));
            }
            Op::Cosine => {
                let f = ReduceF64Kernel::<T>::new(code, n);
                let (y, p) = (yard.cosine, port.cosine);
                assert_eq!((f.call(a, b).unwrap(), y(a, b)), (p(a, b), p(a, b)));
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(a), black_box(b)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| y(black_box(a), black_box(b)))
                });
                group
                    .bench_function(id("portable"), |bn| bn.iter(|| p(black_box(a), black_box(b))));
            }
            Op::Bind | Op::Bundle => {
                let f = BinaryKernel::<T>::new(code, n);
                let (y, p) = (yard.map(op), port.map(op));
                p(&mut expect, a, b);
                f.call(&mut out, a, b).unwrap();
                assert_eq!(out, expect);
                y(&mut out, a, b);
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
                let f = UnaryKernel::<T>::new(code, n);
                let (y, p, k) = (yard.permute, port.permute, SHIFT as usize);
                p(&mut expect, a, dim, k);
                f.call(&mut out, a).unwrap();
                assert_eq!(out, expect);
                y(&mut out, a, dim, k);
                assert_eq!(out, expect);
                group.bench_function(id("jit"), |bn| {
                    bn.iter(|| f.call(black_box(&mut out), black_box(a)).unwrap())
                });
                group.bench_function(id("yardstick"), |bn| {
                    bn.iter(|| y(black_box(&mut out), black_box(a), dim, k))
                });
                group.bench_function(id("portable"), |bn| {
                    bn.iter(|| p(black_box(&mut out), black_box(a), dim, k))
                });
            }
        }
    }
}

/// The bitsliced groups' extra contenders: trit-vsa where it has the op (see the top of this
/// file), and for dot the popcount candidates beside the nibble lookup the kernels use.
fn bench_bits_extras(group: &mut Group, op: Op, dim: usize, a: &[u64], b: &[u64]) {
    let id = |name: &str| BenchmarkId::new(name, dim);
    let (ta, tb) = (to_trit_vsa(a, dim), to_trit_vsa(b, dim));
    match op {
        Op::Dot => {
            let want = portable::bits_dot(a, b);
            assert_eq!(i64::from(trit_vsa::simd::simd_dot(&ta, &tb)), want);
            group.bench_function(id("trit-vsa"), |bn| {
                bn.iter(|| trit_vsa::simd::simd_dot(black_box(&ta), black_box(&tb)))
            });
            assert_eq!(yardstick::bits_dot_popcnt(a, b), Some(want));
            group.bench_function(id("popcnt_per_word"), |bn| {
                bn.iter(|| yardstick::bits_dot_popcnt(black_box(a), black_box(b)))
            });
            assert_eq!(yardstick::bits_dot_harley_seal(a, b), Some(want));
            group.bench_function(id("harley_seal"), |bn| {
                bn.iter(|| yardstick::bits_dot_harley_seal(black_box(a), black_box(b)))
            });
        }
        Op::Hamming => {
            let want = portable::bits_hamming(a, b);
            assert_eq!(trit_vsa::vsa::hamming_distance(&ta, &tb) as i64, want);
            group.bench_function(id("trit-vsa"), |bn| {
                bn.iter(|| trit_vsa::vsa::hamming_distance(black_box(&ta), black_box(&tb)))
            });
        }
        Op::Cosine => {
            // trit-vsa computes cosine in f32: checked to f32 precision. The f32 arithmetic is
            // a few operations after its O(D) passes, so the timing stays comparable.
            let want = portable::bits_cosine(a, b);
            let t = trit_vsa::vsa::cosine_similarity(&ta, &tb);
            assert!((f64::from(t) - want).abs() <= 1e-6, "trit-vsa cosine {t} vs {want}");
            group.bench_function(id("trit-vsa"), |bn| {
                bn.iter(|| trit_vsa::vsa::cosine_similarity(black_box(&ta), black_box(&tb)))
            });
        }
        Op::Bundle => {
            // Its bundle returns a new vector, so its time includes that allocation (its only
            // API).
            let mut want = vec![0u64; a.len()];
            portable::bits_bundle(&mut want, a, b);
            assert_eq!(from_trit_vsa(&trit_vsa::vsa::bundle(&ta, &tb)), want);
            group.bench_function(id("trit-vsa"), |bn| {
                bn.iter(|| trit_vsa::vsa::bundle(black_box(&ta), black_box(&tb)))
            });
        }
        // trit-vsa's bind is (a - b) mod 3, another operation; it has no permute.
        Op::Bind | Op::Permute => {}
    }
}

fn bench_compile(c: &mut Criterion) {
    let Some(tier) = jit_tier() else { return };
    let mut group = c.benchmark_group("compile_latency");
    let arena = trinity::runtime::exec::Arena::new();
    for (op, layout) in
        [(Op::Dot, Layout::Bits), (Op::Cosine, Layout::Dense), (Op::Permute, Layout::Bits)]
    {
        let spec = if op == Op::Permute {
            KernelSpec::permute(layout, 10000, tier, SHIFT)
        } else {
            KernelSpec::new(op, layout, 10000, tier)
        };
        group.bench_function(format!("{}_{}_10000", op.name(), layout.name()), |bn| {
            bn.iter(|| arena.add(&generate(black_box(&spec)).unwrap().code).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ops, bench_compile);
criterion_main!(benches);
