//! The AVX-512 tiers against `avx2`: dot, hamming and cosine in both layouts, and the bitsliced
//! bind and bundle (the pair kernels with AVX-512 code of their own), at D = 1024, 10000 and
//! 59049, each tier this CPU runs timed as the fastest of many alternating batches
//! (`trinity_runtime::tune::fastest_of`) after its result is checked against the reference.
//! Benches nothing, saying why, on a CPU whose tier does not run `avx512` code.
//!
//! `cargo bench --bench avx512 [-- ROUNDS]` (default 101 rounds)

use aligned_vec::{AVec, ConstAlign};
use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Tier, Variant};
use trinity::runtime::exec::{call::BinaryKernel, Arena};
use trinity::runtime::tune::{self, fastest_of, reps_for};
use trinity::runtime::{cpu, reference, BitVector, DenseVector, VECTOR_ALIGN};

/// One timed call per tier, its result checked first.
type Timed = Vec<Box<dyn FnMut()>>;

fn main() {
    let Some(best) = cpu::detect_tier().filter(|t| t.runs(Tier::Avx512)) else {
        eprintln!("SKIPPED: this CPU lacks AVX-512 F and BW (needs the avx512 tier)");
        return;
    };
    let rounds = std::env::args().filter_map(|a| a.parse().ok()).next().unwrap_or(101);
    let tiers: Vec<Tier> = [Tier::Avx2, Tier::Avx512, Tier::Avx512Vpopcnt]
        .into_iter()
        .filter(|&t| best.runs(t))
        .collect();
    println!("| op | layout | D | tier | min ns | avx2 / tier |\n|---|---|---|---|---|---|");
    let arena = Arena::new();
    for dim in [1024u32, 10000, 59049] {
        let a = DenseVector::random(dim as usize, 1).unwrap();
        let b = DenseVector::random(dim as usize, 2).unwrap();
        for layout in Layout::ALL {
            let elementwise =
                if layout == Layout::Bits { &[Op::Bind, Op::Bundle][..] } else { &[] };
            for &op in [Op::Dot, Op::Hamming, Op::Cosine].iter().chain(elementwise) {
                let mut timed = if matches!(op, Op::Bind | Op::Bundle) {
                    elementwise_calls(&arena, op, &tiers, &a, &b)
                } else {
                    reduce_calls(op, layout, &tiers, &a, &b)
                };
                let mut refs: Vec<&mut dyn FnMut()> =
                    timed.iter_mut().map(|c| c.as_mut() as &mut dyn FnMut()).collect();
                let ns = fastest_of(rounds, reps_for(dim), &mut refs);
                for (tier, t) in tiers.iter().zip(&ns) {
                    let (op, layout) = (op.name(), layout.name());
                    println!(
                        "| {op} | {layout} | {dim} | {} | {t:.1} | {:.2} |",
                        tier.name(),
                        ns[0] / t
                    );
                }
            }
        }
    }
}

/// Each tier's kernel for the reduction `op`, bound to `a` and `b` in `layout`.
fn reduce_calls(op: Op, layout: Layout, tiers: &[Tier], a: &DenseVector, b: &DenseVector) -> Timed {
    let want = tune::reference_result(op, a, b).unwrap();
    let dim = a.dim() as u32;
    tiers
        .iter()
        .map(|&tier| {
            let spec = KernelSpec::new(op, layout, dim, tier);
            let mut call = tune::bind_variants(&spec, &[Variant::DEFAULT], a, b).unwrap().remove(0);
            assert_eq!(call(), want, "{spec}");
            Box::new(move || {
                std::hint::black_box(call());
            }) as Box<dyn FnMut()>
        })
        .collect()
}

/// Each tier's bitsliced kernel for the elementwise `op`, writing `a op b` to its own output.
fn elementwise_calls(
    arena: &Arena,
    op: Op,
    tiers: &[Tier],
    a: &DenseVector,
    b: &DenseVector,
) -> Timed {
    let trits = if op == Op::Bind { reference::bind(a, b) } else { reference::bundle(a, b) };
    let want = BitVector::from(&DenseVector::new(trits.unwrap()).unwrap());
    // Aligned as the vector types' words are (`VECTOR_ALIGN`).
    let aligned = |w: &[u64]| AVec::<u64, ConstAlign<VECTOR_ALIGN>>::from_slice(VECTOR_ALIGN, w);
    let (wa, wb) = (BitVector::from(a), BitVector::from(b));
    let (wa, wb) = (aligned(wa.words()), aligned(wb.words()));
    tiers
        .iter()
        .map(|&tier| {
            let spec = KernelSpec::new(op, Layout::Bits, a.dim() as u32, tier);
            let code = arena.add(&generate(&spec).unwrap().code).unwrap();
            // SAFETY: trinity-emit generated this code for `spec`, a bitsliced elementwise
            // kernel over operands of `wa.len()` words, for a tier this CPU runs.
            let f = unsafe { BinaryKernel::<u64>::new(code, wa.len()) };
            let (x, y, mut out) = (wa.clone(), wb.clone(), aligned(&vec![0; wa.len()]));
            f.call(&mut out, &x, &y).unwrap();
            assert_eq!(&out[..], want.words(), "{spec}");
            Box::new(move || {
                f.call(std::hint::black_box(&mut out), &x, &y).unwrap();
            }) as Box<dyn FnMut()>
        })
        .collect()
}
