//! The AVX-512 tiers against `avx2`: dot and hamming, both layouts, at D = 1024, 10000 and
//! 59049, each tier this CPU runs timed as the fastest of many alternating batches
//! (`trinity_runtime::tune::fastest_of`) after its result is checked against the reference.
//! Benches nothing, saying why, on a CPU whose tier does not run `avx512` code.
//!
//! `cargo bench --bench avx512 [-- ROUNDS]` (default 101 rounds)

use trinity::emit::kernels::{KernelSpec, Layout, Op, Tier, Variant};
use trinity::runtime::tune::{self, fastest_of, reps_for};
use trinity::runtime::{cpu, DenseVector};

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
    for dim in [1024u32, 10000, 59049] {
        let a = DenseVector::random(dim as usize, 1).unwrap();
        let b = DenseVector::random(dim as usize, 2).unwrap();
        for layout in Layout::ALL {
            for op in [Op::Dot, Op::Hamming] {
                let want = tune::reference_result(op, &a, &b).unwrap();
                let mut calls: Vec<_> = tiers
                    .iter()
                    .map(|&tier| {
                        let spec = KernelSpec::new(op, layout, dim, tier);
                        let mut call =
                            tune::bind_variants(&spec, &[Variant::DEFAULT], &a, &b).unwrap();
                        let mut call = call.remove(0);
                        assert_eq!(call(), want, "{spec}");
                        call
                    })
                    .collect();
                let mut timed: Vec<Box<dyn FnMut()>> = calls
                    .iter_mut()
                    .map(|c| {
                        Box::new(move || {
                            std::hint::black_box(c());
                        }) as Box<dyn FnMut()>
                    })
                    .collect();
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
