//! Every variant of each dense and bitsliced reduction (`Variant::candidates`) raced against
//! the hand-written AVX2 yardsticks (nibble lookup, Harley-Seal and, for dot, scalar
//! `popcnt`) at D = 1024, 10000 and 59049: fastest of many alternating batches
//! (`trinity_runtime::tune::fastest_of`). Prints each contender's time and its ratio to the
//! fastest, and which variant this CPU's planner picks (the target: within 1.05x).
//!
//! `cargo bench --bench variants [-- ROUNDS]` (default 101 rounds)

use trinity_testkit::yardstick;

use std::hint::black_box;
use trinity::emit::kernels::{KernelSpec, Layout, Op, Tier, Variant};
use trinity::runtime::tune::{self, fastest_of, reps_for};
use trinity::runtime::{cpu, BitVector, DenseVector};

/// A contender: its name and a call returning its result as f64 (checked before timing).
type Contender<'a> = (String, Box<dyn FnMut() -> f64 + 'a>);

fn main() {
    if cpu::detect_tier().is_none_or(|t| !t.runs(Tier::Avx2)) || !yardstick::available() {
        eprintln!("SKIPPED: needs an AVX2 machine");
        return;
    }
    let rounds = std::env::args().filter_map(|a| a.parse().ok()).next().unwrap_or(101);
    let planner = cpu::planner();
    println!("CPU family: {}; {rounds} rounds", cpu::detect_family().name());
    println!("| op | layout | D | contender | min ns | / fastest |\n|---|---|---|---|---|---|");
    for dim in [1024u32, 10000, 59049] {
        let a = DenseVector::random(dim as usize, 1).unwrap();
        let b = DenseVector::random(dim as usize, 2).unwrap();
        let (ba, bb) = (BitVector::from(&a), BitVector::from(&b));
        let (da, db) = (a.as_slice(), b.as_slice());
        let (wa, wb) = (ba.words(), bb.words());
        for layout in Layout::ALL {
            for op in [Op::Dot, Op::Hamming, Op::Cosine] {
                let spec = KernelSpec::new(op, layout, dim, Tier::Avx2);
                let want = tune::reference_result(op, &a, &b).unwrap();
                let variants = Variant::candidates(&spec);
                let calls = tune::bind_variants(&spec, &variants, &a, &b).unwrap();
                let mut all: Vec<Contender> = variants
                    .iter()
                    .zip(calls)
                    .map(|(v, call)| (format!("jit {v}"), call as Box<dyn FnMut() -> f64>))
                    .collect();
                let yard =
                    |name: &str, f: Box<dyn FnMut() -> f64>| (format!("yardstick {name}"), f);
                match (layout, op) {
                    (Layout::Dense, Op::Dot) => all.push(yard(
                        "avx2",
                        Box::new(|| yardstick::dense_dot(da, db).unwrap() as f64),
                    )),
                    (Layout::Dense, Op::Hamming) => all.push(yard(
                        "avx2",
                        Box::new(|| yardstick::dense_hamming(da, db).unwrap() as f64),
                    )),
                    (Layout::Dense, _) => all
                        .push(yard("avx2", Box::new(|| yardstick::dense_cosine(da, db).unwrap()))),
                    (Layout::Bits, Op::Dot) => all.extend([
                        yard("nibble", Box::new(|| yardstick::bits_dot(wa, wb).unwrap() as f64)),
                        yard(
                            "harley-seal",
                            Box::new(|| yardstick::bits_dot_harley_seal(wa, wb).unwrap() as f64),
                        ),
                        yard(
                            "popcnt",
                            Box::new(|| yardstick::bits_dot_popcnt(wa, wb).unwrap() as f64),
                        ),
                    ]),
                    (Layout::Bits, Op::Hamming) => all.extend([
                        yard(
                            "nibble",
                            Box::new(|| yardstick::bits_hamming(wa, wb).unwrap() as f64),
                        ),
                        yard(
                            "harley-seal",
                            Box::new(|| {
                                yardstick::bits_hamming_harley_seal(wa, wb).unwrap() as f64
                            }),
                        ),
                    ]),
                    (Layout::Bits, _) => all.extend([
                        yard("nibble", Box::new(|| yardstick::bits_cosine(wa, wb).unwrap())),
                        yard(
                            "harley-seal",
                            Box::new(|| yardstick::bits_cosine_harley_seal(wa, wb).unwrap()),
                        ),
                    ]),
                }
                for (name, call) in &mut all {
                    let got = call();
                    assert_eq!(got.to_bits(), want.to_bits(), "{spec} {name}: {got} != {want}");
                }
                let mut timed: Vec<Box<dyn FnMut() + '_>> = all
                    .iter_mut()
                    .map(|(_, call)| {
                        Box::new(move || {
                            black_box(call());
                        }) as Box<dyn FnMut()>
                    })
                    .collect();
                let mut refs: Vec<&mut dyn FnMut()> =
                    timed.iter_mut().map(|c| &mut **c as &mut dyn FnMut()).collect();
                let times = fastest_of(rounds, reps_for(dim), &mut refs);
                drop(timed);
                let fastest = times.iter().copied().fold(f64::MAX, f64::min);
                let planned = format!("jit {}", planner.choose(&spec));
                for ((name, _), ns) in all.iter().zip(&times) {
                    let mark = if *name == planned { " (planned)" } else { "" };
                    println!(
                        "| {} | {} | {dim} | {name}{mark} | {ns:.1} | {:.2} |",
                        op.name(),
                        layout.name(),
                        ns / fastest
                    );
                }
            }
        }
    }
}
