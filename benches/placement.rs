//! Where the operands lie, and the width of the bitsliced map kernels: bitsliced bind and
//! bundle of the AVX-512 tiers in their own 512-bit code against their `nibble:ymm` variant
//! (the AVX2 code), with both inputs and the output at random 64-byte-aligned places in one
//! buffer, each placement raced alternately (fastest of many batches). Prints the spread of
//! the 512-bit / 256-bit time ratio over the placements: a single placement, as in
//! `min_ratio`, can land anywhere in it. The measurement behind the planner's width for these
//! kernels (`tuning::builtin`, docs/design.md §5.2). Benches nothing, saying why, on a CPU
//! without AVX-512 F and BW.
//!
//! `cargo bench --bench placement [-- PLACEMENTS]` (default 40)

use aligned_vec::{AVec, ConstAlign};
use std::hint::black_box;
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier, Variant};
use trinity::runtime::exec::{call::BinaryKernel, Arena};
use trinity::runtime::random::SplitMix64;
use trinity::runtime::tune::{fastest_of, reps_for};
use trinity::runtime::{cpu, VECTOR_ALIGN};

/// Words in the buffer the operands are placed in (1 MiB).
const BUFFER_WORDS: usize = 1 << 17;
/// Words per 64 bytes: placements are multiples of this.
const LINE_WORDS: usize = VECTOR_ALIGN / 8;

fn main() {
    let Some(tier) = cpu::detect_tier().filter(|t| t.runs(Tier::Avx512)) else {
        eprintln!("SKIPPED: this CPU lacks AVX-512 F and BW (needs the avx512 tier)");
        return;
    };
    let placements: usize = std::env::args().filter_map(|a| a.parse().ok()).next().unwrap_or(40);
    // Random but repeatable placements.
    let mut rng = SplitMix64::new(0x2545_f491_4f6c_dd1d);
    let mut below = |n: usize| (rng.next_u64() % n as u64) as usize;
    let arena = Arena::new();
    let ymm = Variant { ymm: true, ..Variant::DEFAULT };
    println!("tier {}, {placements} placements per row", tier.name());
    println!("| op | D | min | q1 | median | q3 | max | (512-bit / 256-bit time) |");
    println!("|---|---|---|---|---|---|---|---|");
    for dim in [1024u32, 2048, 4096, 6000, 8192, 10000, 16384, 20000, 32768, 59049] {
        for op in [Op::Bind, Op::Bundle] {
            let spec = KernelSpec::new(op, Layout::Bits, dim, tier);
            let words = Layout::Bits.operand_bytes(dim) / 8;
            let kernel = |spec: &KernelSpec| {
                let code = arena.add(&generate(spec).unwrap().code).unwrap();
                // SAFETY: trinity-emit generated the code for `spec`, a binary kernel over
                // `words` words per operand, for a tier this CPU runs.
                unsafe { BinaryKernel::<u64>::new(code, words) }
            };
            let (wide, narrow) = (kernel(&spec), kernel(&KernelSpec { variant: ymm, ..spec }));
            // Valid bitsliced words (no position in both planes) throughout, so any range of
            // them is an operand.
            let mut buf = AVec::<u64, ConstAlign<VECTOR_ALIGN>>::from_iter(
                VECTOR_ALIGN,
                (0..BUFFER_WORDS as u64)
                    .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) & 0x5555_5555_5555_5555),
            );
            let lines = (BUFFER_WORDS - words) / LINE_WORDS;
            let mut ratios = Vec::with_capacity(placements);
            while ratios.len() < placements {
                let [x, y, out] = [0; 3].map(|_| below(lines) * LINE_WORDS);
                let apart = |p: usize, q: usize| p + words <= q || q + words <= p;
                if !(apart(x, y) && apart(x, out) && apart(y, out)) {
                    continue;
                }
                let base = buf.as_mut_ptr();
                // SAFETY: the three ranges lie inside `buf` and do not overlap (checked above),
                // and nothing else touches `buf` while these slices live.
                let (a, b, out) = unsafe {
                    (
                        std::slice::from_raw_parts(base.add(x), words),
                        std::slice::from_raw_parts(base.add(y), words),
                        std::slice::from_raw_parts_mut(base.add(out), words),
                    )
                };
                let out = std::cell::RefCell::new(out);
                let run = |f: &BinaryKernel<u64>| {
                    f.call(black_box(&mut **out.borrow_mut()), black_box(a), black_box(b)).unwrap()
                };
                let t =
                    fastest_of(30, reps_for(dim), &mut [&mut || run(&wide), &mut || run(&narrow)]);
                ratios.push(t[0] / t[1]);
            }
            ratios.sort_by(f64::total_cmp);
            let at = |q: usize| ratios[(ratios.len() - 1) * q / 4];
            println!(
                "| {} | {dim} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
                op.name(),
                at(0),
                at(1),
                at(2),
                at(3),
                at(4)
            );
        }
    }
}
