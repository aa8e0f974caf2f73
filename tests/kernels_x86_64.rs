//! The x86-64 AVX2 kernels, run natively and compared with the plain reference
//! (`trinity_runtime::reference`) for every (op, layout) cell: many dimensions, seeded random,
//! all -1 and all-zero vectors, aliased outputs, permute shifts, operands against guard pages,
//! callee-saved registers checked around every call, Win64 kernels run through a thunk, plus
//! reviewed snapshots and determinism.
#![cfg(target_arch = "x86_64")]

use trinity_testkit::native;

use native::{Alias, Edge, Guarded, Harnessed};
use std::collections::BTreeSet;
use trinity_emit::kernels::{
    generate, CallConv, Kernel, KernelSpec, Layout, Op, Tier, Variant, MAX_DIM,
};
use trinity_runtime::exec::Arena;
use trinity_runtime::{reference, BitVector, DenseVector};

const ELEMENTWISE: [Op; 2] = [Op::Bind, Op::Bundle];
const REDUCE: [Op; 3] = [Op::Dot, Op::Hamming, Op::Cosine];

/// Every x86-64 tier: the static checks run them all, the native ones those this CPU has.
const TIERS: [Tier; 3] = [Tier::Avx2, Tier::Avx512, Tier::Avx512Vpopcnt];

fn tier_spec(
    tier: Tier,
    op: Op,
    layout: Layout,
    dim: usize,
    shift: usize,
    conv: CallConv,
) -> KernelSpec {
    let mut s = if op == Op::Permute {
        KernelSpec::permute(layout, dim as u32, tier, shift as i64)
    } else {
        KernelSpec::new(op, layout, dim as u32, tier)
    };
    s.conv = conv;
    s
}

fn spec(op: Op, layout: Layout, dim: usize, shift: usize, conv: CallConv) -> KernelSpec {
    tier_spec(Tier::Avx2, op, layout, dim, shift, conv)
}

fn kernel(op: Op, layout: Layout, dim: usize, shift: usize, conv: CallConv) -> Kernel {
    tier_kernel(Tier::Avx2, op, layout, dim, shift, conv)
}

fn tier_kernel(
    tier: Tier,
    op: Op,
    layout: Layout,
    dim: usize,
    shift: usize,
    conv: CallConv,
) -> Kernel {
    let s = tier_spec(tier, op, layout, dim, shift, conv);
    generate(&s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The kernels of every variant of a spec (`Variant::candidates`), so each runs every check.
fn variants(s: KernelSpec) -> Vec<Kernel> {
    let all = Variant::candidates(&s);
    assert!(!all.is_empty() && all[0] == Variant::DEFAULT, "{s}: the default comes first");
    all.into_iter()
        .map(|variant| {
            let s = KernelSpec { variant, ..s };
            generate(&s).unwrap_or_else(|e| panic!("{s}: {e}"))
        })
        .collect()
}

/// Vectors of one dimension to test with, as (name, trits).
fn vectors(dim: usize, seed: u64) -> Vec<(String, DenseVector)> {
    let mut all = vec![
        ("random a".to_string(), DenseVector::random(dim, seed).unwrap()),
        ("random b".to_string(), DenseVector::random(dim, seed ^ 0xabcdef).unwrap()),
        ("all -1".to_string(), DenseVector::new(vec![-1; dim]).unwrap()),
        ("all +1".to_string(), DenseVector::new(vec![1; dim]).unwrap()),
        ("zeros".to_string(), DenseVector::zeros(dim).unwrap()),
    ];
    // Random with an all -1 tail of up to 40 trits.
    let mut tail = DenseVector::random(dim, seed + 7).unwrap().into_vec();
    let from = dim.saturating_sub(40);
    tail[from..].fill(-1);
    all.push(("random, -1 tail".to_string(), DenseVector::new(tail).unwrap()));
    all
}

/// The pairs of operands a binary op is tested on.
fn pairs(vs: &[(String, DenseVector)]) -> Vec<(usize, usize)> {
    let mut p = vec![(0, 1), (1, 0), (0, 0), (2, 2), (2, 3), (2, 0), (4, 0), (0, 4), (4, 4)];
    p.push((5, 2));
    p.push((5, 1));
    p.retain(|&(i, j)| i < vs.len() && j < vs.len());
    p
}

/// Operand elements in the layout: dense bytes or bitsliced words.
enum Elems {
    Dense(Vec<i8>),
    Bits(Vec<u64>),
}

fn elems(v: &DenseVector, layout: Layout) -> Elems {
    match layout {
        Layout::Dense => Elems::Dense(v.as_slice().to_vec()),
        Layout::Bits => Elems::Bits(BitVector::from(v).words().to_vec()),
    }
}

/// Reference result of an element-wise op or permute, in the layout.
fn expected_vector(trits: Vec<i8>, layout: Layout) -> Elems {
    elems(&DenseVector::new(trits).unwrap(), layout)
}

fn assert_flag(h: &Harnessed, what: &dyn std::fmt::Display) {
    let flag = h.take_flag();
    assert_eq!(flag, 0, "{what}: callee-saved registers clobbered: {:?}", native::clobbered(flag));
}

/// Run `kernel` (through the canary harness) on every vector pair and compare with the
/// reference. Returns the number of calls checked.
fn check_kernel(
    arena: &Arena,
    k: &Kernel,
    vs: &[(String, DenseVector)],
    shifts_note: &str,
) -> usize {
    let spec = k.spec;
    let layout = spec.layout;
    let mut calls = 0;
    match spec.op {
        Op::Dot | Op::Hamming | Op::Cosine => {
            let h = Harnessed::new(arena, k, Alias::None);
            for (i, j) in pairs(vs) {
                let (a, b) = (&vs[i].1, &vs[j].1);
                let what = format!("{spec} on ({}, {})", vs[i].0, vs[j].0);
                match spec.op {
                    Op::Cosine => {
                        let want = reference::cosine(a, b).unwrap();
                        let got = match (elems(a, layout), elems(b, layout)) {
                            (Elems::Dense(x), Elems::Dense(y)) => h.reduce_f64().call(&x, &y),
                            (Elems::Bits(x), Elems::Bits(y)) => h.reduce_f64().call(&x, &y),
                            _ => unreachable!(),
                        }
                        .unwrap();
                        assert_eq!(got.to_bits(), want.to_bits(), "{what}: {got} != {want}");
                    }
                    op => {
                        let want = if op == Op::Dot {
                            reference::dot(a, b).unwrap()
                        } else {
                            reference::hamming(a, b).unwrap()
                        };
                        let got = match (elems(a, layout), elems(b, layout)) {
                            (Elems::Dense(x), Elems::Dense(y)) => h.reduce().call(&x, &y),
                            (Elems::Bits(x), Elems::Bits(y)) => h.reduce().call(&x, &y),
                            _ => unreachable!(),
                        }
                        .unwrap();
                        assert_eq!(got, want, "{what}");
                    }
                }
                assert_flag(&h, &what);
                calls += 1;
            }
        }
        Op::Bind | Op::Bundle => {
            let plain = Harnessed::new(arena, k, Alias::None);
            let out_a = Harnessed::new(arena, k, Alias::OutIsA);
            let out_b = Harnessed::new(arena, k, Alias::OutIsB);
            for (i, j) in pairs(vs) {
                let (a, b) = (&vs[i].1, &vs[j].1);
                let want = if spec.op == Op::Bind {
                    reference::bind(a, b).unwrap()
                } else {
                    reference::bundle(a, b).unwrap()
                };
                let want = expected_vector(want, layout);
                for (alias, h) in
                    [(Alias::None, &plain), (Alias::OutIsA, &out_a), (Alias::OutIsB, &out_b)]
                {
                    let what = format!("{spec} on ({}, {}), {alias:?}", vs[i].0, vs[j].0);
                    match (elems(a, layout), elems(b, layout), &want) {
                        (Elems::Dense(x), Elems::Dense(y), Elems::Dense(w)) => {
                            let got = run_binary(h, alias, x, y);
                            assert_eq!(&got, w, "{what}");
                        }
                        (Elems::Bits(x), Elems::Bits(y), Elems::Bits(w)) => {
                            let got = run_binary(h, alias, x, y);
                            assert_eq!(&got, w, "{what}");
                        }
                        _ => unreachable!(),
                    }
                    assert_flag(h, &what);
                    calls += 1;
                }
            }
        }
        Op::Permute => {
            let h = Harnessed::new(arena, k, Alias::None);
            for (name, v) in vs.iter().filter(|(n, _)| n != "zeros" && n != "all +1") {
                let what = format!("{spec} on {name} {shifts_note}");
                let want = expected_vector(reference::permute(v, i64::from(spec.shift)), layout);
                match (elems(v, layout), want) {
                    (Elems::Dense(x), Elems::Dense(w)) => {
                        let mut out = vec![0x55i8; x.len()];
                        h.unary().call(&mut out, &x).unwrap();
                        assert_eq!(out, w, "{what}");
                    }
                    (Elems::Bits(x), Elems::Bits(w)) => {
                        // Garbage in the output proves every word (padding included) is written.
                        let mut out = vec![0x5555_5555_5555_5555u64; x.len()];
                        h.unary().call(&mut out, &x).unwrap();
                        assert_eq!(out, w, "{what}");
                    }
                    _ => unreachable!(),
                }
                assert_flag(&h, &what);
                calls += 1;
            }
        }
    }
    calls
}

/// Run an element-wise kernel with the given aliasing; returns the output.
fn run_binary<T: Copy + Default>(h: &Harnessed, alias: Alias, a: Vec<T>, b: Vec<T>) -> Vec<T> {
    match alias {
        Alias::None => {
            let mut out = vec![T::default(); a.len()];
            h.binary().call(&mut out, &a, &b).unwrap();
            out
        }
        Alias::OutIsA => {
            let mut x = a;
            h.unary().call(&mut x, &b).unwrap();
            x
        }
        Alias::OutIsB => {
            let mut x = b;
            h.unary().call(&mut x, &a).unwrap();
            x
        }
    }
}

fn permute_shifts(dim: usize, seed: u64, extra: usize) -> BTreeSet<usize> {
    let mut s: BTreeSet<usize> = [0, 1, dim - 1, dim / 2].into_iter().collect();
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for _ in 0..extra {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.insert((x % dim as u64) as usize);
    }
    // Word and vector boundaries.
    for k in [63, 64, 65, 255, 256, 257] {
        if k < dim {
            s.insert(k);
        }
    }
    s
}

fn check_dims(dims: impl IntoIterator<Item = usize>, conv: CallConv) -> usize {
    check_tier_dims(Tier::Avx2, dims, conv)
}

fn check_tier_dims(tier: Tier, dims: impl IntoIterator<Item = usize>, conv: CallConv) -> usize {
    let arena = Arena::new();
    let mut calls = 0;
    for dim in dims {
        let vs = vectors(dim, dim as u64);
        for layout in Layout::ALL {
            for op in REDUCE.into_iter().chain(ELEMENTWISE) {
                for k in variants(tier_spec(tier, op, layout, dim, 0, conv)) {
                    calls += check_kernel(&arena, &k, &vs, "");
                }
            }
            let extra = if dim <= 1025 { 4 } else { 1 };
            for k in permute_shifts(dim, dim as u64, extra) {
                let note = format!("k={k}");
                let k = tier_kernel(tier, Op::Permute, layout, dim, k, conv);
                calls += check_kernel(&arena, &k, &vs, &note);
            }
        }
    }
    calls
}

#[test]
fn small_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let calls = check_dims(1..=70, CallConv::Native);
    println!("{calls} kernel calls checked");
}

#[test]
fn boundary_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let dims = [127, 128, 129, 255, 256, 257, 1000, 1023, 1024, 1025];
    let calls = check_dims(dims, CallConv::Native);
    println!("{calls} kernel calls checked");
}

#[test]
fn large_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let calls = check_dims([10000, 59049, 65537], CallConv::Native);
    println!("{calls} kernel calls checked");
}

/// Every cell once at D = 2^24 (accumulators must not overflow), in every x86-64 tier this CPU
/// runs: all +1 maximises the dot, all -1 against all +1 the hamming distance.
#[test]
fn max_dim_matches_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let tiers: Vec<Tier> = TIERS.into_iter().filter(|&t| native::host_runs(t)).collect();
    let dim = MAX_DIM as usize;
    let arena = Arena::new();
    let random = DenseVector::random(dim, 99).unwrap();
    let ones = DenseVector::new(vec![1; dim]).unwrap();
    let minus = DenseVector::new(vec![-1; dim]).unwrap();
    let vs = [
        ("random".to_string(), random),
        ("all +1".to_string(), ones),
        ("all -1".to_string(), minus),
    ];
    let pairs = [(0, 0), (1, 1), (1, 2), (0, 2)];
    // The reference in a debug build is the slow part at 2^24 trits: each expected value is
    // computed once and checked against every variant.
    let want = |op: Op, (i, j): (usize, usize)| -> u64 {
        let (a, b) = (&vs[i].1, &vs[j].1);
        match op {
            Op::Cosine => reference::cosine(a, b).unwrap().to_bits(),
            Op::Dot => reference::dot(a, b).unwrap() as u64,
            _ => reference::hamming(a, b).unwrap() as u64,
        }
    };
    let wants: Vec<Vec<u64>> =
        REDUCE.iter().map(|&op| pairs.iter().map(|&p| want(op, p)).collect()).collect();
    for layout in Layout::ALL {
        let operands: Vec<Elems> = vs.iter().map(|(_, v)| elems(v, layout)).collect();
        for (op, wants) in REDUCE.into_iter().zip(&wants) {
            let specs = tiers.iter().map(|&t| tier_spec(t, op, layout, dim, 0, CallConv::Native));
            for k in specs.flat_map(variants) {
                let h = Harnessed::new(&arena, &k, Alias::None);
                for (&(i, j), &want) in pairs.iter().zip(wants) {
                    let what = format!("{} on ({}, {})", k.spec, vs[i].0, vs[j].0);
                    let got = match (&operands[i], &operands[j], op) {
                        (Elems::Dense(x), Elems::Dense(y), Op::Cosine) => {
                            h.reduce_f64().call(x, y).unwrap().to_bits()
                        }
                        (Elems::Bits(x), Elems::Bits(y), Op::Cosine) => {
                            h.reduce_f64().call(x, y).unwrap().to_bits()
                        }
                        (Elems::Dense(x), Elems::Dense(y), _) => {
                            h.reduce().call(x, y).unwrap() as u64
                        }
                        (Elems::Bits(x), Elems::Bits(y), _) => {
                            h.reduce().call(x, y).unwrap() as u64
                        }
                        _ => unreachable!(),
                    };
                    assert_eq!(got, want, "{what}");
                    assert_flag(&h, &what);
                }
            }
        }
        for op in ELEMENTWISE {
            let k = kernel(op, layout, dim, 0, CallConv::Native);
            check_kernel(
                &arena,
                &k,
                &vs[..1].iter().cloned().chain(vs[2..].iter().cloned()).collect::<Vec<_>>(),
                "",
            );
        }
        let k = kernel(Op::Permute, layout, dim, dim / 2 + 3, CallConv::Native);
        check_kernel(&arena, &k, &vs[..1], "");
    }
}

/// The AVX-512 tiers natively, where this CPU has them (the simulator proves them anywhere:
/// tests/x86_sim_avx512.rs).
#[test]
fn avx512_tiers_match_reference() {
    for tier in [Tier::Avx512, Tier::Avx512Vpopcnt] {
        if !native::host_runs(tier) {
            continue;
        }
        let boundaries = [127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024, 1025];
        let dims = (1..=70).chain(boundaries).chain([10000, 59049, 65537]);
        let calls = check_tier_dims(tier, dims, CallConv::Native)
            + check_tier_dims(tier, [1, 33, 65, 1000, 10000], CallConv::Win64);
        println!("{}: {calls} kernel calls checked", tier.name());
    }
}

/// Win64 kernels run on this host through the harness's argument thunk, which also checks
/// rdi, rsi and xmm6-xmm15 (callee-saved on Windows) besides the System V set.
#[test]
fn win64_kernels_run_through_a_thunk() {
    if !native::host_has_avx2() {
        return;
    }
    let dims = [1, 5, 31, 32, 33, 64, 65, 100, 129, 1000, 1025, 10000];
    let calls = check_dims(dims, CallConv::Win64);
    println!("{calls} Win64 kernel calls checked");
}

/// Win64 kernels read their arguments from rcx, rdx and r8 and never touch a callee-saved GPR;
/// System V ones from rdi, rsi, rdx. Checked on the disassembly: the first use of each
/// argument register is as an address base (never as a destination), and no callee-saved GPR
/// appears at all.
#[test]
fn argument_registers_by_disassembly() {
    use iced_x86::{OpKind, Register};
    for conv in [CallConv::Native, CallConv::Win64] {
        let (args, forbidden): (&[Register], &[Register]) = match conv {
            CallConv::Native => (
                &[Register::RDI, Register::RSI, Register::RDX],
                &[
                    Register::RBX,
                    Register::RBP,
                    Register::R12,
                    Register::R13,
                    Register::R14,
                    Register::R15,
                ],
            ),
            CallConv::Win64 => (
                &[Register::RCX, Register::RDX, Register::R8],
                &[
                    Register::RBX,
                    Register::RBP,
                    Register::RDI,
                    Register::RSI,
                    Register::R12,
                    Register::R13,
                    Register::R14,
                    Register::R15,
                ],
            ),
        };
        for layout in Layout::ALL {
            for op in Op::ALL {
                for dim in [20, 100, 1000] {
                    for tier in TIERS {
                        let k = tier_kernel(tier, op, layout, dim, dim / 3, conv);
                        let nargs = match op {
                            Op::Bind | Op::Bundle => 3,
                            _ => 2,
                        };
                        let mut used_as_base = [false; 3];
                        // Registers the prologue saves (pushes) the kernel may use.
                        let mut saved = Vec::new();
                        for ins in trinity_testkit::listing::x86_64_instructions(&k.code) {
                            if ins.mnemonic() == iced_x86::Mnemonic::Push {
                                saved.push(full64(ins.op_register(0)));
                                continue;
                            }
                            for n in 0..ins.op_count() {
                                let reg = match ins.op_kind(n) {
                                    OpKind::Register => full64(ins.op_register(n)),
                                    OpKind::Memory => full64(ins.memory_base()),
                                    _ => continue,
                                };
                                assert!(
                                    !forbidden.contains(&reg) || saved.contains(&reg),
                                    "{}: uses callee-saved {reg:?} in {ins}",
                                    k.spec
                                );
                                if ins.op_kind(n) == OpKind::Memory {
                                    if let Some(p) = args.iter().position(|&r| r == reg) {
                                        used_as_base[p] = true;
                                    }
                                }
                            }
                            // An argument register must not be overwritten before it is used.
                            if ins.op_count() > 0 && ins.op_kind(0) == OpKind::Register {
                                let dst = full64(ins.op_register(0));
                                if let Some(p) = args[..nargs].iter().position(|&r| r == dst) {
                                    assert!(
                                    used_as_base[p],
                                    "{}: argument register {dst:?} overwritten before use: {ins}",
                                    k.spec
                                );
                                }
                            }
                        }
                        for (p, used) in used_as_base[..nargs].iter().enumerate() {
                            assert!(
                                used,
                                "{}: argument {p} ({:?}) never addressed",
                                k.spec, args[p]
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The 64-bit general-purpose register containing `reg` (itself for anything else).
fn full64(reg: iced_x86::Register) -> iced_x86::Register {
    use iced_x86::Register::*;
    const FAMILIES: [[iced_x86::Register; 4]; 16] = [
        [RAX, EAX, AX, AL],
        [RCX, ECX, CX, CL],
        [RDX, EDX, DX, DL],
        [RBX, EBX, BX, BL],
        [RSP, ESP, SP, SPL],
        [RBP, EBP, BP, BPL],
        [RSI, ESI, SI, SIL],
        [RDI, EDI, DI, DIL],
        [R8, R8D, R8W, R8L],
        [R9, R9D, R9W, R9L],
        [R10, R10D, R10W, R10L],
        [R11, R11D, R11W, R11L],
        [R12, R12D, R12W, R12L],
        [R13, R13D, R13W, R13L],
        [R14, R14D, R14W, R14L],
        [R15, R15D, R15W, R15L],
    ];
    FAMILIES.iter().find(|f| f.contains(&reg)).map_or(reg, |f| f[0])
}

/// Every kernel has a single `ret`, and clears the upper ymm halves on the way: after its last
/// `vzeroupper` comes only the undoing of its frame (xmm restores, `add rsp`, pops; a Win64
/// epilogue must end `add rsp`, pops, `ret` for the unwinder to recognise it).
#[test]
fn kernels_end_with_vzeroupper() {
    use iced_x86::{Mnemonic, OpKind, Register};
    for conv in [CallConv::Native, CallConv::Win64] {
        for layout in Layout::ALL {
            for op in Op::ALL {
                for dim in [1, 33, 100, 1000, 10000] {
                    for tier in TIERS {
                        let k = tier_kernel(tier, op, layout, dim, dim / 2, conv);
                        let ins = trinity_testkit::listing::x86_64_instructions(&k.code);
                        let n = ins.len();
                        assert!(n >= 2, "{}", k.spec);
                        assert_eq!(ins[n - 1].mnemonic(), Mnemonic::Ret, "{}", k.spec);
                        let last = ins.iter().rposition(|i| i.mnemonic() == Mnemonic::Vzeroupper);
                        let last = last.unwrap_or_else(|| panic!("{}: no vzeroupper", k.spec));
                        for i in &ins[last + 1..n - 1] {
                            let undo = match i.mnemonic() {
                                Mnemonic::Vmovdqu => i.op1_kind() == OpKind::Memory,
                                Mnemonic::Add => i.op0_register() == Register::RSP,
                                Mnemonic::Pop => true,
                                _ => false,
                            };
                            assert!(undo, "{}: {i} between vzeroupper and ret", k.spec);
                        }
                        assert!(
                            ins.iter().all(|i| !i.is_invalid()),
                            "{}: undecodable bytes in the code part",
                            k.spec
                        );
                    }
                }
            }
        }
    }
}

/// Operands flush against PROT_NONE pages (after the last byte, or before the first): any
/// access outside an operand faults and kills the test.
#[test]
fn guard_pages_catch_no_access_outside_operands() {
    if !native::host_has_avx2() {
        return;
    }
    let arena = Arena::new();
    let dims = [
        1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 129, 191, 255, 257, 1000,
        1025, 4096, 4099, 6000, 8257,
    ];
    let mut calls = 0;
    for dim in dims {
        let a = DenseVector::random(dim, 1).unwrap();
        let b = DenseVector::random(dim, 2).unwrap();
        for layout in Layout::ALL {
            let bytes = layout.operand_bytes(dim as u32);
            for edge in [Edge::End, Edge::Start] {
                let mut ga = Guarded::new(bytes, edge);
                let mut gb = Guarded::new(bytes, edge);
                let mut go = Guarded::new(bytes, edge);
                let mut shifts: Vec<usize> = vec![0, 1, dim - 1, dim / 2];
                shifts.dedup();
                let mut specs: Vec<KernelSpec> = Op::ALL
                    .into_iter()
                    .filter(|&op| op != Op::Permute)
                    .flat_map(|op| variants(spec(op, layout, dim, 0, CallConv::Native)))
                    .map(|k| k.spec)
                    .collect();
                specs.extend(
                    shifts.iter().map(|&k| spec(Op::Permute, layout, dim, k, CallConv::Native)),
                );
                for s in specs {
                    let k = generate(&s).unwrap();
                    let h = Harnessed::new(&arena, &k, Alias::None);
                    let what = format!("{s} with operands at the {edge:?} of a guard page");
                    match layout {
                        Layout::Dense => {
                            ga.slice::<i8>().copy_from_slice(a.as_slice());
                            gb.slice::<i8>().copy_from_slice(b.as_slice());
                            guarded_call::<i8>(&h, s, &mut ga, &mut gb, &mut go, &a, &b, &what);
                        }
                        Layout::Bits => {
                            ga.slice::<u64>().copy_from_slice(BitVector::from(&a).words());
                            gb.slice::<u64>().copy_from_slice(BitVector::from(&b).words());
                            guarded_call::<u64>(&h, s, &mut ga, &mut gb, &mut go, &a, &b, &what);
                        }
                    }
                    assert_flag(&h, &what);
                    calls += 1;
                }
            }
        }
    }
    println!("{calls} guarded calls");
}

trait Elem: Copy + Default + PartialEq + std::fmt::Debug {
    fn of(v: &DenseVector) -> Vec<Self>;
}
impl Elem for i8 {
    fn of(v: &DenseVector) -> Vec<i8> {
        v.as_slice().to_vec()
    }
}
impl Elem for u64 {
    fn of(v: &DenseVector) -> Vec<u64> {
        BitVector::from(v).words().to_vec()
    }
}

#[allow(clippy::too_many_arguments)]
fn guarded_call<T: Elem>(
    h: &Harnessed,
    s: KernelSpec,
    ga: &mut Guarded,
    gb: &mut Guarded,
    go: &mut Guarded,
    a: &DenseVector,
    b: &DenseVector,
    what: &str,
) {
    let as_vec = |t: Vec<i8>| T::of(&DenseVector::new(t).unwrap());
    match s.op {
        Op::Dot => assert_eq!(
            h.reduce::<T>().call(ga.slice(), gb.slice()).unwrap(),
            reference::dot(a, b).unwrap(),
            "{what}"
        ),
        Op::Hamming => assert_eq!(
            h.reduce::<T>().call(ga.slice(), gb.slice()).unwrap(),
            reference::hamming(a, b).unwrap(),
            "{what}"
        ),
        Op::Cosine => assert_eq!(
            h.reduce_f64::<T>().call(ga.slice(), gb.slice()).unwrap().to_bits(),
            reference::cosine(a, b).unwrap().to_bits(),
            "{what}"
        ),
        Op::Bind | Op::Bundle => {
            h.binary::<T>().call(go.slice(), ga.slice(), gb.slice()).unwrap();
            let want =
                if s.op == Op::Bind { reference::bind(a, b) } else { reference::bundle(a, b) };
            assert_eq!(go.slice::<T>().to_vec(), as_vec(want.unwrap()), "{what}");
        }
        Op::Permute => {
            h.unary::<T>().call(go.slice(), ga.slice()).unwrap();
            let want = reference::permute(a, i64::from(s.shift));
            assert_eq!(go.slice::<T>().to_vec(), as_vec(want), "{what}");
        }
    }
}

/// One small kernel per cell, as hex and iced-x86 disassembly, reviewed.
#[test]
fn snapshots() {
    for layout in Layout::ALL {
        for op in Op::ALL {
            let k = kernel(op, layout, 100, 37, CallConv::Native);
            let name = format!("{}_{}_100", layout.name(), op.name());
            let text = format!("{}\n{}", k.spec, trinity_testkit::listing::x86_64_kernel(&k.code));
            insta::with_settings!({snapshot_path => "../snapshots/kernels_x86_64", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(name, text);
            });
        }
    }
    let k = kernel(Op::Dot, Layout::Bits, 100, 0, CallConv::Win64);
    let text = format!("{}\n{}", k.spec, trinity_testkit::listing::x86_64_kernel(&k.code));
    insta::with_settings!({snapshot_path => "../snapshots/kernels_x86_64", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("bits_dot_100_win64", text);
    });
}

/// The AVX-512 tiers' kernels at D = 10000 (permute is the AVX2 code), reviewed.
#[test]
fn avx512_snapshots() {
    for tier in [Tier::Avx512, Tier::Avx512Vpopcnt] {
        for layout in Layout::ALL {
            for op in REDUCE.into_iter().chain(ELEMENTWISE) {
                let k = tier_kernel(tier, op, layout, 10000, 0, CallConv::Native);
                let name = format!("{}_{}_{}_10000", tier.name(), layout.name(), op.name());
                let text =
                    format!("{}\n{}", k.spec, trinity_testkit::listing::x86_64_kernel(&k.code));
                insta::with_settings!({snapshot_path => "../snapshots/kernels_x86_64", prepend_module_to_snapshot => false}, {
                    insta::assert_snapshot!(name, text);
                });
            }
        }
    }
}

/// The same spec gives the same bytes, every time.
#[test]
fn generation_is_deterministic() {
    for conv in [CallConv::Native, CallConv::Win64] {
        for layout in Layout::ALL {
            for op in Op::ALL {
                for dim in [1, 100, 10000, 65537] {
                    let first = kernel(op, layout, dim, dim / 3, conv);
                    let second = kernel(op, layout, dim, dim / 3, conv);
                    assert_eq!(first.code, second.code, "{}", first.spec);
                }
            }
        }
    }
}

/// A Win64 kernel's prologue saves every one of xmm6-xmm15 that the kernel touches, whatever
/// path its dimension takes (the thunk test checks their values at run time).
#[test]
fn win64_prologue_saves_every_callee_saved_xmm_used() {
    use iced_x86::{Mnemonic, OpKind, Register};
    let vector_index = |r: Register| -> Option<u32> {
        let name = format!("{r:?}");
        let n = ["XMM", "YMM", "ZMM"].iter().find_map(|p| name.strip_prefix(p))?;
        n.parse().ok()
    };
    for layout in Layout::ALL {
        for op in Op::ALL {
            for dim in [1, 5, 20, 31, 33, 100, 1000, 1027, 10000, 100_003] {
                for shift in [1, dim / 3] {
                    for tier in TIERS {
                        let k = tier_kernel(tier, op, layout, dim, shift, CallConv::Win64);
                        let ins = trinity_testkit::listing::x86_64_instructions(&k.code);
                        let mut saved = BTreeSet::new();
                        // The saves follow the pushes and the stack allocation.
                        let start = ins
                            .iter()
                            .position(|i| !matches!(i.mnemonic(), Mnemonic::Push | Mnemonic::Sub))
                            .unwrap_or(0);
                        for i in &ins[start..] {
                            let is_save = i.mnemonic() == Mnemonic::Vmovdqu
                                && i.op_kind(0) == OpKind::Memory
                                && i.memory_base() == Register::RSP;
                            if !is_save {
                                break;
                            }
                            saved.insert(vector_index(i.op_register(1)).unwrap());
                        }
                        for i in &ins {
                            for n in 0..i.op_count() {
                                if i.op_kind(n) != OpKind::Register {
                                    continue;
                                }
                                if let Some(x) = vector_index(i.op_register(n)) {
                                    assert!(
                                        !(6..16).contains(&x) || saved.contains(&x),
                                        "{}: uses xmm{x} without saving it: {i}",
                                        k.spec
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn win64_long_permute_saves_rdi_and_rsi_around_rep_movsb() {
    let mut s = KernelSpec::permute(Layout::Dense, 10000, Tier::Avx2, 7);
    s.conv = CallConv::Win64;
    let text =
        trinity::disasm::listing(trinity::emit::kernels::Arch::X86_64, &generate(&s).unwrap().code);
    let lines: Vec<&str> = text.lines().collect();
    let find = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} missing:\n{text}"))
    };
    let (push_rdi, push_rsi, rep, pop_rsi, pop_rdi) =
        (find("push rdi"), find("push rsi"), find("rep movsb"), find("pop rsi"), find("pop rdi"));
    assert!(push_rdi < push_rsi && push_rsi < rep && rep < pop_rsi && pop_rsi < pop_rdi, "{text}");
}
