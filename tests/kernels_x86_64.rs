//! The x86-64 kernels, run natively and compared with the reference (`trinity_testkit::reference`)
//! for every (op, layout) cell: the test matrix's dimensions and edge vectors
//! (`trinity_testkit::cases`), aliased outputs, permute shifts, operands against guard pages,
//! callee-saved registers checked around every call, Win64 kernels run through a thunk, plus
//! reviewed snapshots and determinism.
#![cfg(target_arch = "x86_64")]

use std::collections::BTreeSet;
use trinity_emit::kernels::{
    generate, CallConv, Kernel, KernelSpec, Layout, Op, Signature, Tier, MAX_DIM,
};
use trinity_runtime::exec::Arena;
use trinity_runtime::DenseVector;
use trinity_testkit::cases::{self, operand};
use trinity_testkit::native::{self, Alias, Edge, Guarded, Harnessed};
use trinity_testkit::reference::{expected, Output};

const ELEMENTWISE: [Op; 2] = [Op::Bind, Op::Bundle];
const REDUCE: [Op; 3] = [Op::Dot, Op::Hamming, Op::Cosine];

/// Every x86-64 tier: the static checks run them all, the native ones those this CPU has.
const TIERS: [Tier; 3] = [Tier::Avx2, Tier::Avx512, Tier::Avx512Vpopcnt];

/// The x86-64 tiers this CPU runs (each one it lacks says so).
fn native_tiers() -> Vec<Tier> {
    TIERS.into_iter().filter(|&t| native::host_runs(t)).collect()
}

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

/// The kernels of every variant of a spec (`cases::variants`), so each runs every check.
fn variants(s: KernelSpec) -> Vec<Kernel> {
    let generated = |s: KernelSpec| generate(&s).unwrap_or_else(|e| panic!("{s}: {e}"));
    cases::variants(s).into_iter().map(generated).collect()
}

/// Run `kernel` (through the canary harness, with every aliasing of the output it allows) on
/// the pairs of `vs` (indices as in [`cases::PAIRS`], those that exist), or on each vector but
/// the constants for permute, and compare with the reference. Returns the number of calls.
fn check_kernel(arena: &Arena, k: &Kernel, vs: &[(&str, DenseVector)], shifts_note: &str) -> usize {
    let spec = k.spec;
    let operands: Vec<Vec<u8>> = vs.iter().map(|(_, v)| operand(spec.layout, v)).collect();
    let aliases: &[Alias] = match spec.op.signature() {
        Signature::Binary => &[Alias::None, Alias::OutIsA, Alias::OutIsB],
        _ => &[Alias::None],
    };
    let harnesses: Vec<Harnessed> = aliases.iter().map(|&a| Harnessed::new(arena, k, a)).collect();
    let pairs: Vec<(usize, usize)> = if spec.op == Op::Permute {
        let varied = |i: &usize| !["zeros", "all +1"].contains(&vs[*i].0);
        (0..vs.len()).filter(varied).map(|i| (i, i)).collect()
    } else {
        cases::PAIRS.into_iter().filter(|&(i, j)| i < vs.len() && j < vs.len()).collect()
    };
    let mut calls = 0;
    for (i, j) in pairs {
        let (a, b) = (&operands[i], &operands[j]);
        let want = expected(spec.op, spec.layout, spec.dim as usize, a, b, spec.shift as usize);
        for h in &harnesses {
            let what = format!("{spec} on ({}, {}), {:?} {shifts_note}", vs[i].0, vs[j].0, h.alias);
            assert!(h.run(a, b) == want, "{what}");
            calls += 1;
        }
    }
    calls
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

/// Every op of `tier` at `dims`, each variant, with permute at a set of shifts.
fn check_tier_dims(tier: Tier, dims: impl IntoIterator<Item = usize>, conv: CallConv) -> usize {
    let arena = Arena::new();
    let mut calls = 0;
    for dim in dims {
        let vs = cases::vectors(dim, dim as u64);
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
    let calls = check_dims(cases::SMALL_DIMS, CallConv::Native);
    println!("{calls} kernel calls checked");
}

#[test]
fn boundary_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let calls = check_dims(cases::BOUNDARY_DIMS, CallConv::Native);
    println!("{calls} kernel calls checked");
}

#[test]
fn large_dimensions_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let calls = check_dims(cases::LARGE_DIMS, CallConv::Native);
    println!("{calls} kernel calls checked");
}

/// The reductions, which have unrolled variants, at every tail class of their loops
/// (`cases::reduction_dims`), in every x86-64 tier this CPU runs: one edge pair per dimension,
/// in turn, as the AArch64 suite takes them.
#[test]
fn reduction_tails_match_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let tiers = native_tiers();
    let arena = Arena::new();
    let mut calls = 0;
    for (n, dim) in cases::reduction_dims().into_iter().enumerate() {
        let pick = cases::PAIRS[n % cases::PAIRS.len()];
        calls += check_reductions_once(&arena, &tiers, &cases::vectors(dim, n as u64), &[pick]);
    }
    println!("{calls} kernel calls checked");
}

/// Every cell once at D = 2^24 (accumulators must not overflow), and the reductions once at
/// `cases::FLUSH_DIM`, in every x86-64 tier this CPU runs: all +1 maximises the dot, all -1
/// against all +1 the hamming distance.
#[test]
fn max_dim_matches_reference() {
    if !native::host_has_avx2() {
        return;
    }
    let tiers = native_tiers();
    let arena = Arena::new();
    let dim = MAX_DIM as usize;
    let vs = ["random a", "all +1", "all -1"].map(|name| (name, cases::vector(name, dim, 99)));
    let calls = check_reductions_once(&arena, &tiers, &vs, &[(0, 0), (1, 1), (1, 2), (0, 2)]);
    for layout in Layout::ALL {
        // Random and all -1 for bind and bundle, random for permute.
        let random_and_minus = [vs[0].clone(), vs[2].clone()];
        for op in ELEMENTWISE {
            let k = kernel(op, layout, dim, 0, CallConv::Native);
            check_kernel(&arena, &k, &random_and_minus, "");
        }
        let k = kernel(Op::Permute, layout, dim, dim / 2 + 3, CallConv::Native);
        check_kernel(&arena, &k, &vs[..1], "");
    }
    let vs = ["random a", "random b", "all -1", "all +1"]
        .map(|name| (name, cases::vector(name, cases::FLUSH_DIM, 98)));
    let flush_calls = check_reductions_once(&arena, &tiers, &vs, &[(0, 1), (2, 2), (3, 2)]);
    println!("{calls} reduction calls at MAX_DIM, {flush_calls} at {}", cases::FLUSH_DIM);
}

/// Every reduction of every variant of `tiers` on the `pairs` of `vs` (one dimension), each
/// expected value computed once (the reference in a debug build is the slow part at millions
/// of trits). Returns the number of calls.
fn check_reductions_once(
    arena: &Arena,
    tiers: &[Tier],
    vs: &[(&str, DenseVector)],
    pairs: &[(usize, usize)],
) -> usize {
    let dim = vs[0].1.dim();
    let mut calls = 0;
    for layout in Layout::ALL {
        let operands: Vec<Vec<u8>> = vs.iter().map(|(_, v)| operand(layout, v)).collect();
        for op in REDUCE {
            let wants: Vec<Output> = pairs
                .iter()
                .map(|&(i, j)| expected(op, layout, dim, &operands[i], &operands[j], 0))
                .collect();
            let specs = tiers.iter().map(|&t| tier_spec(t, op, layout, dim, 0, CallConv::Native));
            for k in specs.flat_map(variants) {
                let h = Harnessed::new(arena, &k, Alias::None);
                for (&(i, j), want) in pairs.iter().zip(&wants) {
                    let what = format!("{} on ({}, {})", k.spec, vs[i].0, vs[j].0);
                    assert!(h.run(&operands[i], &operands[j]) == *want, "{what}");
                    calls += 1;
                }
            }
        }
    }
    calls
}

/// The AVX-512 tiers natively, where this CPU has them (the simulator proves them anywhere:
/// tests/x86_sim_avx512.rs).
#[test]
fn avx512_tiers_match_reference() {
    for tier in [Tier::Avx512, Tier::Avx512Vpopcnt] {
        if !native::host_runs(tier) {
            continue;
        }
        let calls = check_tier_dims(tier, cases::dims(), CallConv::Native)
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

/// Operands flush against PROT_NONE pages (after the last byte, or before the first), in every
/// x86-64 tier this CPU runs: any access outside an operand faults and kills the test.
#[test]
fn guard_pages_catch_no_access_outside_operands() {
    if !native::host_has_avx2() {
        return;
    }
    // Every tier this CPU runs: AVX-512 tails are masked loads, which must not fault on the
    // guard page past an operand.
    let tiers = native_tiers();
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
            let (xa, xb) = (operand(layout, &a), operand(layout, &b));
            for edge in [Edge::End, Edge::Start] {
                let mut ga = Guarded::new(bytes, edge);
                let mut gb = Guarded::new(bytes, edge);
                let mut go = Guarded::new(bytes, edge);
                let mut shifts: Vec<usize> = vec![0, 1, dim - 1, dim / 2];
                shifts.dedup();
                let pair_ops = Op::ALL.into_iter().filter(|&op| op != Op::Permute);
                let mut specs: Vec<KernelSpec> = pair_ops
                    .flat_map(|op| {
                        tiers
                            .iter()
                            .map(move |&t| tier_spec(t, op, layout, dim, 0, CallConv::Native))
                    })
                    .flat_map(variants)
                    .map(|k| k.spec)
                    .collect();
                specs.extend(
                    shifts.iter().map(|&k| spec(Op::Permute, layout, dim, k, CallConv::Native)),
                );
                for s in specs {
                    let k = generate(&s).unwrap();
                    let h = Harnessed::new(&arena, &k, Alias::None);
                    let what = format!("{s} with operands at the {edge:?} of a guard page");
                    ga.slice::<u8>().copy_from_slice(&xa);
                    gb.slice::<u8>().copy_from_slice(&xb);
                    let got = match layout {
                        Layout::Dense => guarded_call::<i8>(&h, &mut ga, &mut gb, &mut go),
                        Layout::Bits => guarded_call::<u64>(&h, &mut ga, &mut gb, &mut go),
                    };
                    let want = expected(s.op, layout, dim, &xa, &xb, s.shift as usize);
                    assert!(got == want, "{what}");
                    h.assert_intact(&what);
                    calls += 1;
                }
            }
        }
    }
    println!("{calls} guarded calls");
}

/// One call of `h` on the guarded operands (output in `go`), as the kernel's output.
fn guarded_call<T: Copy>(
    h: &Harnessed,
    ga: &mut Guarded,
    gb: &mut Guarded,
    go: &mut Guarded,
) -> Output {
    match h.spec.op.signature() {
        Signature::Reduce => Output::Int(h.reduce::<T>().call(ga.slice(), gb.slice()).unwrap()),
        Signature::ReduceF64 => {
            Output::Float(h.reduce_f64::<T>().call(ga.slice(), gb.slice()).unwrap().to_bits())
        }
        Signature::Binary => {
            h.binary::<T>().call(go.slice(), ga.slice(), gb.slice()).unwrap();
            Output::Operand(go.slice::<u8>().to_vec())
        }
        Signature::Unary => {
            h.unary::<T>().call(go.slice(), ga.slice()).unwrap();
            Output::Operand(go.slice::<u8>().to_vec())
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
