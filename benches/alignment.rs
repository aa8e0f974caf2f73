//! What operand alignment costs the kernels, the measurement behind `VECTOR_ALIGN`: dense
//! hamming and dot and bitsliced dot at D = 1024, 10000 and 59049, in every x86-64 tier this
//! CPU runs, with both operands at 0, 8, 16 and 32 bytes past a 64-byte boundary (the
//! allocator's 16-byte alignment gives any of them), fastest of many alternating batches.
//!
//! `cargo bench --bench alignment [-- ROUNDS]` (default 201 rounds)

use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier};
use trinity::runtime::exec::{call::ReduceKernel, Arena};
use trinity::runtime::tune::{fastest_of, reps_for};
use trinity::runtime::{cpu, reference, DenseVector, VECTOR_ALIGN};
use trinity_testkit::cases::operand;

/// Offsets from a 64-byte boundary, in bytes.
const OFFSETS: [usize; 4] = [0, 8, 16, 32];

fn main() {
    let Some(best) = cpu::detect_tier().filter(|t| t.runs(Tier::Avx2)) else {
        eprintln!("SKIPPED: needs an x86-64 CPU with AVX2");
        return;
    };
    let rounds = std::env::args().filter_map(|a| a.parse().ok()).next().unwrap_or(201);
    let tiers =
        [Tier::Avx2, Tier::Avx512, Tier::Avx512Vpopcnt].into_iter().filter(|&t| best.runs(t));
    println!("| tier | op | layout | D | ns at offset 0 / 8 / 16 / 32 | 16 / 0 |");
    println!("|---|---|---|---|---|---|");
    let arena = Arena::new();
    for tier in tiers {
        for (op, layout) in
            [(Op::Hamming, Layout::Dense), (Op::Dot, Layout::Dense), (Op::Dot, Layout::Bits)]
        {
            for dim in [1024u32, 10000, 59049] {
                let a = DenseVector::random(dim as usize, 1).unwrap();
                let b = DenseVector::random(dim as usize, 2).unwrap();
                let want = match op {
                    Op::Dot => reference::dot(&a, &b).unwrap(),
                    _ => reference::hamming(&a, &b).unwrap(),
                };
                let spec = KernelSpec::new(op, layout, dim, tier);
                let code = arena.add(&generate(&spec).unwrap().code).unwrap();
                let n = layout.operand_bytes(dim);
                // SAFETY: trinity-emit generated this code for `spec`, a reduction over two
                // operands of `n` bytes, for a tier this CPU runs.
                let kernel = unsafe { ReduceKernel::<u8>::new(code, n) };
                // Each offset gets its own over-allocated buffers holding both operands there.
                let (sa, sb) = (operand(layout, &a), operand(layout, &b));
                let at = |src: &[u8], off: usize| {
                    let mut buf = vec![0u8; n + 2 * VECTOR_ALIGN];
                    let start = buf.as_ptr().align_offset(VECTOR_ALIGN) + off;
                    buf[start..start + n].copy_from_slice(src);
                    (buf, start)
                };
                let mut calls: Vec<Box<dyn FnMut()>> = OFFSETS
                    .iter()
                    .map(|&off| {
                        let ((x, i), (y, j)) = (at(&sa, off), at(&sb, off));
                        let k = kernel.clone();
                        assert_eq!(k.call(&x[i..i + n], &y[j..j + n]).unwrap(), want, "{spec}");
                        Box::new(move || {
                            std::hint::black_box(k.call(&x[i..i + n], &y[j..j + n]).unwrap());
                        }) as Box<dyn FnMut()>
                    })
                    .collect();
                let mut refs: Vec<&mut dyn FnMut()> =
                    calls.iter_mut().map(|c| c.as_mut() as &mut dyn FnMut()).collect();
                let ns = fastest_of(rounds, reps_for(dim), &mut refs);
                let shown: Vec<String> = ns.iter().map(|t| format!("{t:.1}")).collect();
                println!(
                    "| {} | {} | {} | {dim} | {} | {:.2} |",
                    tier.name(),
                    op.name(),
                    layout.name(),
                    shown.join(" / "),
                    ns[2] / ns[0]
                );
            }
        }
    }
}
