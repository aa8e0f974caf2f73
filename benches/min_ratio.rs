//! A noise-robust cross-check of the criterion kernel benches: for each op and layout at
//! D = 10000 and 59049, the JIT kernel and the AVX2 yardstick are timed in alternating batches
//! and the fastest batch of each is kept (the minimum is what noise on a shared machine
//! disturbs least). Prints JIT, yardstick and their ratio.
//!
//! `cargo bench --bench min_ratio`

#[path = "support/yardstick.rs"]
mod yardstick;

use std::hint::black_box;
use std::time::Instant;
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
use trinity::runtime::exec::call::{BinaryKernel, ReduceF64Kernel, ReduceKernel, UnaryKernel};
use trinity::runtime::exec::Arena;
use trinity::runtime::{BitVector, DenseVector};

/// Fastest per-call time (ns) of `jit` and `yard` over 200 alternating batches of `reps` calls.
fn race(reps: u32, mut jit: impl FnMut(), mut yard: impl FnMut()) -> (f64, f64) {
    let (mut best_jit, mut best_yard) = (f64::MAX, f64::MAX);
    for _ in 0..200 {
        let t = Instant::now();
        for _ in 0..reps {
            jit();
        }
        best_jit = best_jit.min(t.elapsed().as_nanos() as f64 / f64::from(reps));
        let t = Instant::now();
        for _ in 0..reps {
            yard();
        }
        best_yard = best_yard.min(t.elapsed().as_nanos() as f64 / f64::from(reps));
    }
    (best_jit, best_yard)
}

fn main() {
    if trinity::runtime::engine::detect_tier() != Some(Tier::Avx2) || !yardstick::available() {
        eprintln!("SKIPPED: needs an AVX2 machine");
        return;
    }
    let arena = Arena::new();
    println!(
        "| op | layout | D | JIT (min) | yardstick (min) | ratio |\n|---|---|---|---|---|---|"
    );
    for dim in [10000usize, 59049] {
        let reps = if dim > 20000 { 200 } else { 1000 };
        let a = DenseVector::random(dim, 1).unwrap();
        let b = DenseVector::random(dim, 2).unwrap();
        let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
        let (x, y, wx, wy) = (a.as_slice(), b.as_slice(), ba.words(), bb.words());
        let n = wx.len();
        let mut dout = vec![0i8; dim];
        let mut bout = vec![0u64; n];
        for layout in Layout::ALL {
            for op in Op::ALL {
                let spec = if op == Op::Permute {
                    KernelSpec::permute(layout, dim as u32, Tier::Avx2, 1)
                } else {
                    KernelSpec::new(op, layout, dim as u32, Tier::Avx2)
                };
                let code = arena.add(&generate(&spec).unwrap().code).unwrap();
                // SAFETY (every arm): the code was generated for `spec`, a System V kernel of
                // the op's signature over `dim` bytes (dense) or `n` words (bits) per operand.
                let (jit, yard) = unsafe {
                    match (layout, op) {
                        (Layout::Dense, Op::Dot | Op::Hamming) => {
                            let f = ReduceKernel::<i8>::new(code, dim);
                            let y_fn = if op == Op::Dot {
                                yardstick::dense_dot
                            } else {
                                yardstick::dense_hamming
                            };
                            race(
                                reps,
                                || {
                                    let _ = black_box(f.call(black_box(x), black_box(y)));
                                },
                                || {
                                    black_box(black_box(y_fn(black_box(x), black_box(y))));
                                },
                            )
                        }
                        (Layout::Dense, Op::Cosine) => {
                            let f = ReduceF64Kernel::<i8>::new(code, dim);
                            race(
                                reps,
                                || {
                                    let _ = black_box(f.call(black_box(x), black_box(y)));
                                },
                                || {
                                    let _ = black_box(black_box(yardstick::dense_cosine(
                                        black_box(x),
                                        black_box(y),
                                    )));
                                },
                            )
                        }
                        (Layout::Dense, Op::Bind | Op::Bundle) => {
                            let f = BinaryKernel::<i8>::new(code, dim);
                            let y_fn = if op == Op::Bind {
                                yardstick::dense_bind
                            } else {
                                yardstick::dense_bundle
                            };
                            // Both contenders write the same buffer, so its alignment favours neither.
                            let shared = std::cell::RefCell::new(&mut dout);
                            race(
                                reps,
                                || {
                                    let _ = black_box(f.call(
                                        black_box(&mut **shared.borrow_mut()),
                                        black_box(x),
                                        black_box(y),
                                    ));
                                },
                                || {
                                    black_box(y_fn(
                                        black_box(&mut **shared.borrow_mut()),
                                        black_box(x),
                                        black_box(y),
                                    ));
                                },
                            )
                        }
                        (Layout::Dense, Op::Permute) => {
                            let f = UnaryKernel::<i8>::new(code, dim);
                            // Both contenders write the same buffer, so its alignment favours neither.
                            let shared = std::cell::RefCell::new(&mut dout);
                            race(
                                reps,
                                || {
                                    let _ = black_box(
                                        f.call(black_box(&mut **shared.borrow_mut()), black_box(x)),
                                    );
                                },
                                || {
                                    let _ = black_box(yardstick::dense_permute(
                                        black_box(&mut **shared.borrow_mut()),
                                        black_box(x),
                                        1,
                                    ));
                                },
                            )
                        }
                        (Layout::Bits, Op::Dot | Op::Hamming) => {
                            let f = ReduceKernel::<u64>::new(code, n);
                            let y_fn = if op == Op::Dot {
                                yardstick::bits_dot
                            } else {
                                yardstick::bits_hamming
                            };
                            race(
                                reps,
                                || {
                                    let _ = black_box(f.call(black_box(wx), black_box(wy)));
                                },
                                || {
                                    black_box(black_box(y_fn(black_box(wx), black_box(wy))));
                                },
                            )
                        }
                        (Layout::Bits, Op::Cosine) => {
                            let f = ReduceF64Kernel::<u64>::new(code, n);
                            race(
                                reps,
                                || {
                                    let _ = black_box(f.call(black_box(wx), black_box(wy)));
                                },
                                || {
                                    let _ = black_box(black_box(yardstick::bits_cosine(
                                        black_box(wx),
                                        black_box(wy),
                                    )));
                                },
                            )
                        }
                        (Layout::Bits, Op::Bind | Op::Bundle) => {
                            let f = BinaryKernel::<u64>::new(code, n);
                            let y_fn = if op == Op::Bind {
                                yardstick::bits_bind
                            } else {
                                yardstick::bits_bundle
                            };
                            // Both contenders write the same buffer, so its alignment favours neither.
                            let shared = std::cell::RefCell::new(&mut bout);
                            race(
                                reps,
                                || {
                                    let _ = black_box(f.call(
                                        black_box(&mut **shared.borrow_mut()),
                                        black_box(wx),
                                        black_box(wy),
                                    ));
                                },
                                || {
                                    black_box(y_fn(
                                        black_box(&mut **shared.borrow_mut()),
                                        black_box(wx),
                                        black_box(wy),
                                    ));
                                },
                            )
                        }
                        (Layout::Bits, Op::Permute) => {
                            let f = UnaryKernel::<u64>::new(code, n);
                            // Both contenders write the same buffer, so its alignment favours neither.
                            let shared = std::cell::RefCell::new(&mut bout);
                            race(
                                reps,
                                || {
                                    let _ = black_box(f.call(
                                        black_box(&mut **shared.borrow_mut()),
                                        black_box(wx),
                                    ));
                                },
                                || {
                                    let _ = black_box(yardstick::bits_permute(
                                        black_box(&mut **shared.borrow_mut()),
                                        black_box(wx),
                                        dim,
                                        1,
                                    ));
                                },
                            )
                        }
                    }
                };
                println!(
                    "| {} | {} | {dim} | {jit:.1} ns | {yard:.1} ns | {:.2} |",
                    op.name(),
                    layout.name(),
                    jit / yard
                );
            }
        }
    }
}
