//! The AVX-512 tiers' pair kernels in the x86-64 simulator (trinity-testkit), which this CPU need
//! not have: every op and layout of `avx512` and `avx512vpopcnt`, at dimensions hitting every tail
//! class of 64-byte vectors (dense: 1..=130, 63/64/65, 511/512/513; bitsliced: every count of words
//! in a last vector, 1 to 8), on all-zero, all +1, all -1 and random operands, must equal the
//! reference (`trinity_testkit::reference`). Each operand is an exact region, so a masked tail
//! that reads or writes one byte too many is an error; each tier runs under exactly its
//! features (`avx512` without VPOPCNTDQ and BITALG), so a kernel using an instruction of a
//! higher tier is an error too. Win64 kernels run with their own argument registers and must
//! keep rdi, rsi and xmm6-xmm15.

use iced_x86::CpuidFeature;
use trinity_emit::kernels::{
    generate, CallConv, Kernel, KernelSpec, Layout, Op, Signature, Tier, Variant,
};
use trinity_runtime::DenseVector;
use trinity_testkit::cases::{self, operand};
use trinity_testkit::reference::{expected, Output};
use trinity_testkit::x86_sim::{self, Features, MemError, SimError, Simulator};

const TIERS: [Tier; 2] = [Tier::Avx512, Tier::Avx512Vpopcnt];

/// Dimensions run with every edge pairing: tails of every class and a few large ones.
const DIMS: [usize; 16] =
    [1, 63, 64, 65, 127, 128, 129, 511, 512, 513, 1000, 4097, 8191, 10000, 59049, 65537];

/// Run `k` in the simulator under its tier's features with a and b read-only regions and the
/// output a writable one filled with garbage; Win64 kernels get rcx, rdx, r8 and must keep
/// rdi, rsi and xmm6-xmm15 (besides what [`Simulator::call`] checks for System V).
fn simulate(k: &Kernel, a: &[u8], b: &[u8]) -> Result<Output, SimError> {
    let mut sim = Simulator::new(Features::for_tier(k.spec.tier));
    let pa = sim.memory.place(a.to_vec(), false);
    let pb = sim.memory.place(b.to_vec(), false);
    let bytes = k.spec.layout.operand_bytes(k.spec.dim);
    let sig = k.spec.op.signature();
    let out = matches!(sig, Signature::Binary | Signature::Unary)
        .then(|| sim.memory.place(vec![0x5a; bytes], true));
    let args: Vec<u64> = match sig {
        Signature::Binary => vec![out.unwrap(), pa, pb],
        Signature::Unary => vec![out.unwrap(), pa],
        _ => vec![pa, pb],
    };
    let (rax, xmm0, memory) = match k.spec.conv {
        CallConv::Native => {
            let o = sim.call(&k.code, &args)?;
            (o.rax, o.xmm0, o.memory)
        }
        CallConv::Win64 => win64_call(&sim, &k.code, &args)?,
    };
    Ok(match sig {
        Signature::Reduce => Output::Int(rax as i64),
        Signature::ReduceF64 => Output::Float(u64::from_le_bytes(xmm0[..8].try_into().unwrap())),
        _ => Output::Operand(memory.region(out.unwrap()).expect("the output").bytes.clone()),
    })
}

/// A Win64 call: arguments in rcx, rdx, r8; rbx, rbp, rdi, rsi, r12-r15, rsp and xmm6-xmm15
/// must come back unchanged.
fn win64_call(
    sim: &Simulator,
    code: &[u8],
    args: &[u64],
) -> Result<(u64, [u8; 16], x86_sim::Memory), SimError> {
    let mut m = sim.machine(code)?;
    for (&r, &v) in [x86_sim::RCX, x86_sim::RDX, x86_sim::R8].iter().zip(args) {
        m.gpr[r] = v;
    }
    let saved = [x86_sim::RBX, x86_sim::RBP, x86_sim::RDI, x86_sim::RSI, 12, 13, 14, 15];
    let before = (m.gpr, m.zmm);
    m.run(sim.step_limit)?;
    for r in saved.into_iter().chain([x86_sim::RSP]) {
        let expected = before.0[r] + if r == x86_sim::RSP { 8 } else { 0 };
        assert_eq!(m.gpr[r], expected, "Win64 callee-saved gpr {r} changed");
    }
    for x in 6..16 {
        assert_eq!(m.zmm[x][..16], before.1[x][..16], "Win64 callee-saved xmm{x} changed");
    }
    Ok((m.gpr[x86_sim::RAX], m.zmm[0][..16].try_into().unwrap(), m.memory))
}

/// Edge pairings (of [`cases::vectors`]): random against random, all -1 against all +1,
/// equal constants, zeros against random, random against all -1.
const PAIRS: [(usize, usize); 6] = [(0, 1), (2, 3), (3, 3), (2, 2), (4, 0), (0, 2)];

/// Every spec of `tier` at `dim`: each op and layout (permute at shifts 0, 1, 63, D-1).
fn specs(dim: usize, tier: Tier) -> Vec<KernelSpec> {
    let mut specs = Vec::new();
    for layout in Layout::ALL {
        for op in Op::ALL {
            if op == Op::Permute {
                let mut shifts = vec![0, 1, 63 % dim as i64, dim as i64 - 1];
                shifts.dedup();
                specs.extend(
                    shifts.into_iter().map(|s| KernelSpec::permute(layout, dim as u32, tier, s)),
                );
            } else {
                specs.push(KernelSpec::new(op, layout, dim as u32, tier));
            }
        }
    }
    specs
}

fn check(spec: KernelSpec, pairs: &[(DenseVector, DenseVector)]) {
    let k = generate(&spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
    for (a, b) in pairs {
        let (ba, bb) = (operand(spec.layout, a), operand(spec.layout, b));
        let got = simulate(&k, &ba, &bb).unwrap_or_else(|e| panic!("{spec}: {e}"));
        let want = expected(spec.op, spec.layout, spec.dim as usize, &ba, &bb, spec.shift as usize);
        assert_eq!(got, want, "{spec}");
    }
}

#[test]
fn every_op_and_layout_matches_the_reference() {
    let mut calls = 0;
    for tier in TIERS {
        for dim in DIMS {
            let pairs = cases::pairs(dim, dim as u64, &PAIRS);
            for spec in specs(dim, tier) {
                check(spec, &pairs);
                calls += pairs.len();
            }
        }
    }
    println!("{calls} simulated calls agree with the reference");
}

/// Every dense tail length 1..=130 and every count of bitsliced words in a last vector (up
/// to 17 words), on one random pair.
#[test]
fn every_tail_class_matches_the_reference() {
    let dims = (1..=130).chain((3..=17).map(|w| 64 * w - 1));
    for dim in dims {
        let pairs = &cases::pairs(dim, dim as u64, &PAIRS)[..1];
        for tier in TIERS {
            for spec in specs(dim, tier).into_iter().filter(|s| s.op != Op::Permute) {
                check(spec, pairs);
            }
        }
    }
}

/// Every variant (unroll) of every reduction, across block boundaries of the accumulators.
#[test]
fn every_variant_matches_the_reference() {
    for tier in TIERS {
        for dim in [100, 2000, 16_257, 130_000] {
            let pairs = &cases::pairs(dim, dim as u64, &PAIRS)[..2];
            for layout in Layout::ALL {
                for op in [Op::Dot, Op::Hamming, Op::Cosine] {
                    let plain = KernelSpec::new(op, layout, dim as u32, tier);
                    for variant in Variant::candidates(&plain) {
                        check(KernelSpec { variant, ..plain }, pairs);
                    }
                }
            }
        }
    }
}

#[test]
fn win64_kernels_match_the_reference() {
    for tier in TIERS {
        for dim in [1, 65, 513, 10000] {
            let pairs = &cases::pairs(dim, dim as u64, &PAIRS)[..2];
            for spec in specs(dim, tier) {
                check(KernelSpec { conv: CallConv::Win64, ..spec }, pairs);
            }
        }
    }
}

/// The accumulators at their limits: D = MAX_DIM, all -1 against all +1 (release builds;
/// the simulator interprets every instruction).
#[test]
#[cfg_attr(debug_assertions, ignore = "16 Mi-trit operands: run with --release")]
fn max_dim_reductions_match_the_reference() {
    let dim = trinity_emit::kernels::MAX_DIM as usize;
    let c = |t: i8| DenseVector::new(vec![t; dim]).unwrap();
    let pairs = [(c(-1), c(1)), (c(1), c(1))];
    for tier in TIERS {
        for layout in Layout::ALL {
            for op in [Op::Dot, Op::Hamming, Op::Cosine] {
                check(KernelSpec::new(op, layout, dim as u32, tier), &pairs);
            }
        }
    }
}

/// The simulator's strictness applies: an operand one byte short is an out-of-region access,
/// and an `avx512vpopcnt` kernel run under the `avx512` features is a feature error.
#[test]
fn short_operands_and_missing_features_are_reported() {
    for layout in Layout::ALL {
        let spec = KernelSpec::new(Op::Dot, layout, 1000, Tier::Avx512Vpopcnt);
        let k = generate(&spec).unwrap();
        let a = operand(layout, &DenseVector::random(1000, 1).unwrap());
        let short = &a[..a.len() - 1];
        match simulate(&k, short, &a) {
            Err(SimError::Memory { error: MemError::OutOfRegion { .. }, .. }) => {}
            other => panic!("{spec}: a short operand gave {other:?}"),
        }
        let mut sim = Simulator::new(Features::for_tier(Tier::Avx512));
        let pa = sim.memory.place(a.clone(), false);
        let missing = sim.call(&k.code, &[pa, pa]);
        let expect_error = layout == Layout::Bits;
        match missing {
            Err(SimError::Feature { missing, .. }) if expect_error => {
                assert_eq!(missing, [CpuidFeature::AVX512_VPOPCNTDQ])
            }
            Ok(_) if !expect_error => {}
            other => panic!("{spec} under avx512 features: {other:?}"),
        }
    }
}
