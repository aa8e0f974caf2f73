//! A noise-robust cross-check of the criterion kernel benches: for each op and layout at
//! D = 10000 and 59049, the JIT kernel (the engine's tier and variant) and the AVX2 yardstick are timed in alternating batches
//! and the fastest batch of each is kept (the minimum is what noise on a shared machine
//! disturbs least). Prints JIT, yardstick and their ratio.
//!
//! `cargo bench --bench min_ratio`

use trinity_testkit::yardstick;

use aligned_vec::{AVec, ConstAlign};
use std::hint::black_box;
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
use trinity::runtime::exec::call::{BinaryKernel, ReduceF64Kernel, ReduceKernel, UnaryKernel};
use trinity::runtime::exec::{Arena, Code};
use trinity::runtime::tune::fastest_of;
use trinity::runtime::{BitVector, DenseVector, VECTOR_ALIGN};
use yardstick::Ops;

/// Fastest per-call time (ns) of `jit` and `yard` over 200 alternating batches of `reps` calls.
fn race(reps: u32, mut jit: impl FnMut(), mut yard: impl FnMut()) -> (f64, f64) {
    let t = fastest_of(200, reps, &mut [&mut jit, &mut yard]);
    (t[0], t[1])
}

fn race_op<T>(
    op: Op,
    code: Code,
    dim: usize,
    (x, y, out): (&[T], &[T], &mut [T]),
    yard: &Ops<T>,
    reps: u32,
) -> (f64, f64) {
    let n = x.len();
    let out = std::cell::RefCell::new(out);
    // SAFETY (every arm): the code was generated for this op at `dim`: a System V kernel of
    // the op's signature over `n` elements per operand.
    unsafe {
        match op {
            Op::Dot | Op::Hamming => {
                let f = ReduceKernel::<T>::new(code, n);
                let y_fn = yard.reduce(op);
                race(
                    reps,
                    || {
                        let _ = black_box(f.call(black_box(x), black_box(y)));
                    },
                    || {
                        black_box(y_fn(black_box(x), black_box(y)));
                    },
                )
            }
            Op::Cosine => {
                let f = ReduceF64Kernel::<T>::new(code, n);
                race(
                    reps,
                    || {
                        let _ = black_box(f.call(black_box(x), black_box(y)));
                    },
                    || {
                        black_box((yard.cosine)(black_box(x), black_box(y)));
                    },
                )
            }
            Op::Bind | Op::Bundle => {
                let f = BinaryKernel::<T>::new(code, n);
                let y_fn = yard.map(op);
                race(
                    reps,
                    || {
                        let _ = black_box(f.call(black_box(*out.borrow_mut()), x, black_box(y)));
                    },
                    || {
                        y_fn(black_box(*out.borrow_mut()), x, black_box(y));
                    },
                )
            }
            Op::Permute => {
                let f = UnaryKernel::<T>::new(code, n);
                race(
                    reps,
                    || {
                        let _ = black_box(f.call(black_box(*out.borrow_mut()), black_box(x)));
                    },
                    || {
                        (yard.permute)(black_box(*out.borrow_mut()), x, dim, 1);
                    },
                )
            }
        }
    }
}

fn main() {
    let cpu = trinity::runtime::cpu::detect_tier();
    let Some(tier) = cpu.filter(|t| t.runs(Tier::Avx2) && yardstick::available()) else {
        eprintln!("SKIPPED: needs an AVX2 machine");
        return;
    };
    println!("JIT kernels: tier {} (the engine's)", tier.name());
    let arena = Arena::new();
    println!(
        "| op | layout | D | JIT (min) | yardstick (min) | ratio |\n|---|---|---|---|---|---|"
    );
    for dim in [10000usize, 59049] {
        let reps = if dim > 20000 { 200 } else { 1000 };
        let a = DenseVector::random(dim, 1).unwrap();
        let b = DenseVector::random(dim, 2).unwrap();
        let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
        // Outputs 64-byte aligned, as the vector types keep theirs (an engine's bind writes
        // into a new vector), for both contenders alike.
        let mut dense_out =
            AVec::<i8, ConstAlign<VECTOR_ALIGN>>::from_slice(VECTOR_ALIGN, a.as_slice());
        let mut bits_out =
            AVec::<u64, ConstAlign<VECTOR_ALIGN>>::from_slice(VECTOR_ALIGN, ba.words());
        for layout in Layout::ALL {
            for op in Op::ALL {
                let mut spec = if op == Op::Permute {
                    KernelSpec::permute(layout, dim as u32, tier, 1)
                } else {
                    KernelSpec::new(op, layout, dim as u32, tier)
                };
                spec.variant = trinity::runtime::cpu::planner().choose(&spec);
                let code = arena.add(&generate(&spec).unwrap().code).unwrap();
                let (jit, yard) = match layout {
                    Layout::Dense => {
                        let operands = (a.as_slice(), b.as_slice(), &mut dense_out[..]);
                        race_op(op, code, dim, operands, &yardstick::DENSE, reps)
                    }
                    Layout::Bits => {
                        let operands = (ba.words(), bb.words(), &mut bits_out[..]);
                        race_op(op, code, dim, operands, &yardstick::BITS, reps)
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
