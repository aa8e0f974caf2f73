//! The AArch64 kernels, run under qemu-user: every cell against the portable reference,
//! with operands against unmapped pages and callee-saved canaries (see support/qemu_aarch64.rs).
//! `-cpu cortex-a72` has no DotProd: the `neon` tier runs there, and a `dotprod` kernel must
//! die with SIGILL there; `-cpu max` runs the `dotprod` tier.

use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Signature, Tier};
use trinity::runtime::{BitVector, DenseVector};
use trinity_testkit::cases::{self, operand, variants, FLUSH_DIM};
use trinity_testkit::qemu_aarch64::{
    cpu, executable, generated_bytes, qemu, run, run_kernels, Call, Fill, Input, Outcome, Pattern,
};
use trinity_testkit::reference::{expected, words, Output};

/// The reductions, which have variants and share their operands: one qemu run takes every
/// variant of the three.
const REDUCTIONS: [Op; 3] = [Op::Dot, Op::Hamming, Op::Cosine];

/// Run every spec's kernel on the operands of `call` in one qemu run.
fn run_specs(qemu: &std::path::Path, specs: &[KernelSpec], call: &Call) -> Vec<Outcome> {
    let codes: Vec<Vec<u8>> = specs.iter().map(|s| generate(s).unwrap().code).collect();
    let codes: Vec<&[u8]> = codes.iter().map(Vec::as_slice).collect();
    run_kernels(qemu, cpu(specs[0].tier), &codes, call)
        .unwrap_or_else(|e| panic!("{} (and {} more): {e}", specs[0], specs.len() - 1))
}

/// Check one outcome of `spec` (on the operands `what`) against what the reference expects.
fn check(spec: &KernelSpec, what: &str, got: &Outcome, want: &Output) {
    match want {
        Output::Int(x0) => assert_eq!(got.x0, *x0, "{spec} ({what})"),
        Output::Float(d0) => {
            assert_eq!(
                got.d0.to_bits(),
                *d0,
                "{spec} ({what}): {} vs {}",
                got.d0,
                f64::from_bits(*d0)
            )
        }
        Output::Operand(out) => {
            // The whole output (run checked its length); 16 MiB are too many to print.
            if let Some(i) = (0..out.len()).find(|&i| got.out[i] != out[i]) {
                let word = |b: &[u8]| u64::from_le_bytes(b[i / 8 * 8..][..8].try_into().unwrap());
                let (want, got, w) = (word(out), word(&got.out), i / 8);
                let words = format!("word {w} is {got:#018x}, not {want:#018x}");
                panic!("{spec} ({what}): first wrong byte {i}: {words}");
            }
        }
    }
    if !matches!(want, Output::Operand(_)) {
        assert!(got.out.is_empty(), "{spec} ({what}): a reduction wrote an output");
    }
    assert!(got.callee_saved_intact, "{spec} ({what}) clobbered a callee-saved register");
}

fn check_tier(tier: Tier) {
    let Some(qemu) = qemu() else { return };
    let (mut runs, mut checked) = (0, 0);
    // Every op at the shared dimensions; the reductions also at every tail class of their
    // unrolled loops and once past the bitsliced x4 variants' first flush.
    let every_op = cases::dims().into_iter().map(|dim| (dim, true));
    let reductions = cases::reduction_dims().into_iter().chain([FLUSH_DIM]);
    for (n, (dim, every_op)) in every_op.chain(reductions.map(|dim| (dim, false))).enumerate() {
        // One edge pair per dimension, in turn.
        let pick = cases::PAIRS[n % cases::PAIRS.len()];
        let (a, b) = cases::pairs(dim, n as u64, &[pick]).remove(0);
        let what = format!("pair {pick:?} of cases::vectors");
        for layout in Layout::ALL {
            let (xa, xb) = (operand(layout, &a), operand(layout, &b));
            let shift = [0, 1, dim - 1, dim / 2][n % 4];
            // The reductions together, then each other op on its own.
            let mut groups = vec![REDUCTIONS.to_vec()];
            if every_op {
                groups.extend([Op::Bind, Op::Bundle, Op::Permute].map(|op| vec![op]));
            }
            for ops in groups {
                let specs: Vec<KernelSpec> = ops
                    .iter()
                    .flat_map(|&op| {
                        variants(if op == Op::Permute {
                            KernelSpec::permute(layout, dim as u32, tier, shift as i64)
                        } else {
                            KernelSpec::new(op, layout, dim as u32, tier)
                        })
                    })
                    .collect();
                let (inputs, out_len) = match specs[0].op.signature() {
                    Signature::Reduce | Signature::ReduceF64 => {
                        (vec![Input::Bytes(&xa), Input::Bytes(&xb)], None)
                    }
                    Signature::Binary => {
                        (vec![Input::Bytes(&xa), Input::Bytes(&xb)], Some(xa.len()))
                    }
                    Signature::Unary => (vec![Input::Bytes(&xa)], Some(xa.len())),
                };
                let call = Call { inputs, out_len, guard_start: n % 2 == 1, out_aliases: None };
                let outcomes = run_specs(&qemu, &specs, &call);
                runs += 1;
                for (spec, got) in specs.iter().zip(&outcomes) {
                    check(spec, &what, got, &expected(spec.op, layout, dim, &xa, &xb, shift));
                    checked += 1;
                }
            }
        }
    }
    println!("{checked} AArch64 {} kernels checked in {runs} qemu runs", tier.name());
}

fn check_aliasing(tier: Tier) {
    let Some(qemu) = qemu() else { return };
    for dim in [1, 15, 16, 17, 64, 65, 100, 1000] {
        let a = DenseVector::random(dim, 21).unwrap();
        let b = DenseVector::random(dim, 22).unwrap();
        for layout in Layout::ALL {
            let (xa, xb) = (operand(layout, &a), operand(layout, &b));
            for op in [Op::Bind, Op::Bundle] {
                let spec = KernelSpec::new(op, layout, dim as u32, tier);
                let kernel = generate(&spec).unwrap();
                let Output::Operand(want) = expected(op, layout, dim, &xa, &xb, 0) else {
                    unreachable!()
                };
                for alias in [0, 1] {
                    let call = Call {
                        inputs: vec![Input::Bytes(&xa), Input::Bytes(&xb)],
                        out_len: Some(xa.len()),
                        guard_start: false,
                        out_aliases: Some(alias),
                    };
                    let got = run(&qemu, cpu(tier), &kernel.code, &call)
                        .unwrap_or_else(|e| panic!("{spec}: {e}"));
                    assert_eq!(got.out, want, "{spec} with out == input {alias}");
                }
            }
        }
    }
}

/// A named input of the MAX_DIM test: how the harness generates it, and its bytes.
struct MaxDimInput {
    name: &'static str,
    fills: Vec<Fill>,
    bytes: Vec<u8>,
}

/// The inputs of `layout` at `dim` (a multiple of 64: no padding bits), each checked to be a
/// valid vector: all -1, all +1, and two seeded patterns.
fn max_dim_inputs(layout: Layout, dim: usize) -> Vec<MaxDimInput> {
    assert_eq!(dim % 64, 0);
    let fill = |len, pattern| Fill { len, pattern };
    let inputs = match layout {
        Layout::Dense => vec![
            ("all -1", vec![fill(dim, Pattern::Const(u64::MAX))]),
            ("all +1", vec![fill(dim, Pattern::Const(0x0101_0101_0101_0101))]),
            ("pattern 1", vec![fill(dim, Pattern::Dense(1))]),
            ("pattern 2", vec![fill(dim, Pattern::Dense(2))]),
        ],
        Layout::Bits => {
            let plane = dim / 8;
            let planes = |p, m| vec![fill(plane, p), fill(plane, m)];
            vec![
                ("all -1", planes(Pattern::Const(0), Pattern::Const(u64::MAX))),
                ("all +1", planes(Pattern::Const(u64::MAX), Pattern::Const(0))),
                ("pattern 1", planes(Pattern::Plus(1), Pattern::Minus(1))),
                ("pattern 2", planes(Pattern::Plus(2), Pattern::Minus(2))),
            ]
        }
    };
    let check = |name: &str, bytes: &[u8]| {
        let valid = match layout {
            Layout::Dense => DenseVector::new(bytes.iter().map(|&b| b as i8).collect()).map(|_| ()),
            Layout::Bits => {
                let w = words(bytes);
                BitVector::from_planes(dim, &w[..dim / 64], &w[dim / 64..]).map(|_| ())
            }
        };
        valid.unwrap_or_else(|e| panic!("{} input {name}: {e}", layout.name()));
    };
    inputs
        .into_iter()
        .map(|(name, fills)| {
            let bytes = generated_bytes(&fills);
            check(name, &bytes);
            MaxDimInput { name, fills, bytes }
        })
        .collect()
}

/// One run at MAX_DIM: a cell, its generated inputs and the portable reference's result on
/// the same bytes.
struct MaxDimCase {
    what: String,
    op: Op,
    layout: Layout,
    shift: usize,
    inputs: Vec<Vec<Fill>>,
    want: Output,
}

fn max_dim_cases(layout: Layout, dim: usize) -> Vec<MaxDimCase> {
    let d = dim as i64;
    let inputs = max_dim_inputs(layout, dim);
    let input = |name: &str| inputs.iter().find(|i| i.name == name).unwrap();
    let case = |op: Op, a: &str, b: &str, shift: usize| {
        let (a, b) = (input(a), input(b));
        let want = expected(op, layout, dim, &a.bytes, &b.bytes, shift);
        let (what, inputs) = if op == Op::Permute {
            (format!("v = {}, k = {shift}", a.name), vec![a.fills.clone()])
        } else {
            (format!("a = {}, b = {}", a.name, b.name), vec![a.fills.clone(), b.fills.clone()])
        };
        MaxDimCase { what, op, layout, shift, inputs, want }
    };
    let mut cases = Vec::new();
    // The largest accumulator magnitudes, with the results derived by hand (which the
    // reference must give too), and a patterned pair.
    let (neg, pos, p1, p2) = ("all -1", "all +1", "pattern 1", "pattern 2");
    let (one, minus_one) = (Output::Float(1.0f64.to_bits()), Output::Float((-1.0f64).to_bits()));
    let reductions = [
        (Op::Dot, neg, neg, Some(Output::Int(d))),
        (Op::Dot, pos, neg, Some(Output::Int(-d))),
        (Op::Dot, p1, p2, None),
        (Op::Hamming, neg, neg, Some(Output::Int(0))),
        (Op::Hamming, pos, neg, Some(Output::Int(d))),
        (Op::Hamming, p1, p2, None),
        (Op::Cosine, neg, neg, Some(one)),
        (Op::Cosine, pos, neg, Some(minus_one)),
        (Op::Cosine, p1, p2, None),
    ];
    for (op, a, b, by_hand) in reductions {
        let c = case(op, a, b, 0);
        if let Some(by_hand) = by_hand {
            assert_eq!(c.want, by_hand, "{} {} ({})", layout.name(), op.name(), c.what);
        }
        cases.push(c);
    }
    for op in [Op::Bind, Op::Bundle] {
        cases.push(case(op, p1, p2, 0));
    }
    for shift in [1, dim - 1] {
        cases.push(case(Op::Permute, p1, p1, shift));
    }
    cases
}

/// Run one MAX_DIM case on `tier`, every variant, and check it (`guard_start` as in [`Call`]).
fn check_max_dim_case(qemu: &std::path::Path, tier: Tier, case: &MaxDimCase, guard_start: bool) {
    let dim = trinity::runtime::MAX_DIM as u32;
    let spec = if case.op == Op::Permute {
        KernelSpec::permute(case.layout, dim, tier, case.shift as i64)
    } else {
        KernelSpec::new(case.op, case.layout, dim, tier)
    };
    let out_len = match &case.want {
        Output::Operand(out) => Some(out.len()),
        _ => None,
    };
    let call = Call {
        inputs: case.inputs.iter().map(|fills| Input::Generated(fills)).collect(),
        out_len,
        guard_start,
        out_aliases: None,
    };
    let what = &case.what;
    let specs = variants(spec);
    for (spec, got) in specs.iter().zip(run_specs(qemu, &specs, &call)) {
        check(spec, what, &got, &case.want);
    }
}

/// docs/design.md §7: every AArch64 cell (every variant) once at MAX_DIM = 2^24, where the
/// accumulators are largest, against the portable reference. The harness generates the operands (nothing of them is in
/// the executable); the two tiers run side by side.
#[test]
fn every_cell_at_max_dim() {
    let Some(qemu) = qemu() else { return };
    let start = std::time::Instant::now();
    let dim = trinity::runtime::MAX_DIM;
    // Inputs and references for the two layouts side by side.
    let cases: Vec<MaxDimCase> = std::thread::scope(|scope| {
        let layouts = Layout::ALL.map(|layout| scope.spawn(move || max_dim_cases(layout, dim)));
        layouts.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let prepared = start.elapsed();
    std::thread::scope(|scope| {
        for tier in [Tier::Neon, Tier::DotProd] {
            let (qemu, cases) = (&qemu, &cases);
            scope.spawn(move || {
                for (n, case) in cases.iter().enumerate() {
                    check_max_dim_case(qemu, tier, case, n % 2 == 1);
                }
                println!("{} AArch64 {} runs checked at D = {dim}", cases.len(), tier.name());
            });
        }
    });
    println!("MAX_DIM inputs and references: {prepared:.1?}; total {:.1?}", start.elapsed());
}

/// The operands the harness generates are the bytes [`generated_bytes`] defines (copied out
/// by the dense permute kernel with k = 0), including partial words and runs that start
/// inside a word; and a generated operand costs nothing in the executable.
#[test]
fn generated_operands_match_their_definition() {
    let Some(qemu) = qemu() else { return };
    let fill = |len, pattern| Fill { len, pattern };
    let cases = [
        vec![fill(8, Pattern::Const(0x0123_4567_89ab_cdef))],
        vec![fill(3, Pattern::Const(0x0123_4567_89ab_cdef))],
        vec![fill(301, Pattern::Dense(7))],
        vec![fill(301, Pattern::Plus(7))],
        vec![fill(301, Pattern::Minus(7))],
        vec![fill(13, Pattern::Dense(1)), fill(29, Pattern::Minus(2)), fill(64, Pattern::Plus(3))],
    ];
    for fills in &cases {
        let want = generated_bytes(fills);
        let spec = KernelSpec::permute(Layout::Dense, want.len() as u32, Tier::Neon, 0);
        let kernel = generate(&spec).unwrap();
        let call = Call {
            inputs: vec![Input::Generated(fills)],
            out_len: Some(want.len()),
            guard_start: false,
            out_aliases: None,
        };
        let got = run(&qemu, "cortex-a72", &kernel.code, &call).unwrap();
        assert_eq!(got.out, want, "{fills:?}");
    }
    let big = [fill(1 << 24, Pattern::Dense(1))];
    let kernel = generate(&KernelSpec::permute(Layout::Dense, 1 << 24, Tier::Neon, 1)).unwrap();
    let call = Call {
        inputs: vec![Input::Generated(&big)],
        out_len: Some(1 << 24),
        guard_start: false,
        out_aliases: None,
    };
    let (exe, _) = executable(&kernel.code, &call);
    assert!(exe.len() < 64 << 10, "a 2 x 16 MiB call made a {}-byte executable", exe.len());
}

#[test]
fn out_may_alias_either_input() {
    check_aliasing(Tier::Neon);
    check_aliasing(Tier::DotProd);
}

#[test]
fn neon_kernels_match_the_reference() {
    check_tier(Tier::Neon);
}

#[test]
fn dotprod_kernels_match_the_reference() {
    check_tier(Tier::DotProd);
}

#[test]
fn dotprod_kernels_need_dotprod() {
    let Some(qemu) = qemu() else { return };
    let a = DenseVector::random(64, 1).unwrap();
    let xa = operand(Layout::Dense, &a);
    let kernel = generate(&KernelSpec::new(Op::Dot, Layout::Dense, 64, Tier::DotProd)).unwrap();
    let call = Call {
        inputs: vec![Input::Bytes(&xa), Input::Bytes(&xa)],
        out_len: None,
        guard_start: false,
        out_aliases: None,
    };
    let err = run(&qemu, "cortex-a72", &kernel.code, &call).unwrap_err();
    assert!(err.contains("signal") || err.contains("Illegal") || err.contains("SIGILL"), "{err}");
    assert!(run(&qemu, "max", &kernel.code, &call).is_ok());
    let neon = generate(&KernelSpec::new(Op::Dot, Layout::Dense, 64, Tier::Neon)).unwrap();
    assert!(
        run(&qemu, "cortex-a72", &neon.code, &call).is_ok(),
        "the neon tier runs without DotProd"
    );
}

#[test]
fn generation_is_deterministic_and_snapshotted() {
    for tier in [Tier::Neon, Tier::DotProd] {
        for layout in Layout::ALL {
            for op in Op::ALL {
                let spec = if op == Op::Permute {
                    KernelSpec::permute(layout, 100, tier, 37)
                } else {
                    KernelSpec::new(op, layout, 100, tier)
                };
                let code = generate(&spec).unwrap().code;
                assert_eq!(code, generate(&spec).unwrap().code, "{spec}");
                let listing =
                    trinity::disasm::listing(trinity::emit::kernels::Arch::Aarch64, &code);
                let name = format!("{}_{}_{}_100", op.name(), layout.name(), tier.name());
                insta::with_settings!({snapshot_path => "../snapshots/kernels_aarch64", prepend_module_to_snapshot => false}, {
                    insta::assert_snapshot!(name, listing);
                });
            }
        }
    }
}
