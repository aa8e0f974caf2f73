//! Win64 unwind data, read back from the objects that carry it: COFF objects from
//! `write_object`, and `kernel_source` text assembled by llvm-mc for x86_64-pc-windows-msvc and
//! -gnu (and in Intel syntax, as `global_asm!` has it). Every Win64 kernel whose prologue moves rsp must have exactly one RUNTIME_FUNCTION,
//! covering exactly its bytes, whose UNWIND_INFO describes that prologue. The expected
//! description comes from the kernel's bytes, decoded with iced-x86 (not from the generator's
//! prologue list), and the unwind data is read twice: by this file's decoder of the format and
//! by `llvm-readobj --unwind`. Kernels without such a prologue have no entry.

use trinity_testkit::tools;

use iced_x86::{Decoder, DecoderOptions, Instruction, Mnemonic, OpKind, Register};
use object::{Object, ObjectSection, ObjectSymbol, RelocationFlags, SectionIndex};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use trinity_emit::asm_source::{assembler_name, kernel_source};
use trinity_emit::kernels::{generate, spec_set, CallConv, Kernel, KernelSpec, Layout, Op, Tier};
use trinity_emit::object_file::{write_object, ObjectFormat};

/// One effect of a prologue instruction, as the unwinder must undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Push of the GPR with this number.
    Push(u32),
    /// rsp lowered by this many bytes.
    Alloc(u32),
    /// xmm register saved at this offset from rsp at the end of the prologue.
    SaveXmm(u32, u32),
}

/// A prologue: its length and each effect with the code offset just past its instruction, in
/// prologue order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Prologue {
    size: u32,
    effects: Vec<(u32, Effect)>,
}

/// Dense and bitsliced kernels of every op at dimensions on both sides of the short-operand
/// scratch (32) and of `rep movsb` (4096-byte copies: shifts 1 and -1 make one long copy at
/// D = 10000, 5000 two).
fn kernels(conv: CallConv, tier: Tier) -> Vec<Kernel> {
    spec_set(&[1, 31, 32, 65, 10000], &Op::ALL, &Layout::ALL, &[1, -1, 5000], tier)
        .into_iter()
        .map(|mut spec| {
            spec.conv = conv;
            generate(&spec).expect("kernel generates")
        })
        .collect()
}

/// The prologue decoded from `code`: the leading pushes, `sub rsp, imm` and 128-bit stores of
/// xmm registers to `[rsp + disp]`, up to the first other instruction.
fn decoded_prologue(code: &[u8]) -> Prologue {
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    // (end, effect, bytes pushed or allocated before it)
    let mut found: Vec<(u32, Effect, u32)> = Vec::new();
    let mut depth = 0;
    let mut size = 0;
    for i in decoder.iter() {
        let rsp_store = i.op_count() == 2
            && i.op0_kind() == OpKind::Memory
            && i.memory_base() == Register::RSP
            && i.memory_index() == Register::None
            && i.op1_kind() == OpKind::Register
            && i.op1_register().is_xmm();
        let effect = match i.mnemonic() {
            Mnemonic::Push if i.op0_kind() == OpKind::Register && i.op0_register().is_gpr64() => {
                Effect::Push(i.op0_register().number() as u32)
            }
            Mnemonic::Sub
                if i.op0_register() == Register::RSP
                    && matches!(i.op1_kind(), OpKind::Immediate8to64 | OpKind::Immediate32to64) =>
            {
                Effect::Alloc(i.immediate(1) as u32)
            }
            Mnemonic::Vmovdqu
            | Mnemonic::Vmovdqa
            | Mnemonic::Vmovaps
            | Mnemonic::Vmovups
            | Mnemonic::Movdqu
            | Mnemonic::Movdqa
            | Mnemonic::Movaps
            | Mnemonic::Movups
                if rsp_store =>
            {
                Effect::SaveXmm(i.op1_register().number() as u32, i.memory_displacement64() as u32)
            }
            _ => break,
        };
        found.push((i.next_ip() as u32, effect, depth));
        depth += match effect {
            Effect::Push(_) => 8,
            Effect::Alloc(bytes) => bytes,
            Effect::SaveXmm(..) => 0,
        };
        size = i.next_ip() as u32;
    }
    // Save offsets count from rsp at the end of the prologue.
    let effects = found
        .into_iter()
        .map(|(end, effect, before)| match effect {
            Effect::SaveXmm(reg, disp) => (end, Effect::SaveXmm(reg, disp + depth - before)),
            other => (end, other),
        })
        .collect();
    Prologue { size, effects }
}

/// Instructions from the start of `code` through its first `ret` (kernels have one; constant
/// tables follow it).
fn through_ret(code: &[u8]) -> Vec<Instruction> {
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut out = Vec::new();
    for i in decoder.iter() {
        out.push(i);
        if i.mnemonic() == Mnemonic::Ret {
            return out;
        }
    }
    panic!("no ret in the code");
}

/// The Win64 rules the unwinder relies on, checked on the decoded code: rsp 16-byte aligned
/// after the prologue (it is 8 mod 16 at entry), xmm slots 16-byte aligned, and the epilogue
/// exactly `add rsp, alloc`, the pops in reverse, `ret` (so the unwinder recognises it).
fn check_frame_rules(kernel: &Kernel, prologue: &Prologue) {
    let what = kernel.spec.to_string();
    let (mut pushes, mut alloc) = (Vec::new(), 0);
    for &(_, effect) in &prologue.effects {
        match effect {
            Effect::Push(reg) => pushes.push(reg),
            Effect::Alloc(bytes) => alloc += bytes,
            Effect::SaveXmm(reg, offset) => {
                assert!((6..16).contains(&reg), "{what}: saves volatile xmm{reg}");
                assert_eq!(offset % 16, 0, "{what}: xmm{reg} slot {offset} misaligned");
            }
        }
    }
    assert_eq!((8 + 8 * pushes.len() as u32 + alloc) % 16, 0, "{what}: rsp misaligned");
    let ins = through_ret(&kernel.code);
    let mut tail = ins.iter().rev().skip(1);
    for &reg in &pushes {
        let pop = tail.next().unwrap();
        assert!(
            pop.mnemonic() == Mnemonic::Pop && pop.op0_register().number() as u32 == reg,
            "{what}: expected pop of register {reg} before ret, found {pop}"
        );
    }
    if alloc > 0 {
        let add = tail.next().unwrap();
        assert!(
            add.mnemonic() == Mnemonic::Add
                && add.op0_register() == Register::RSP
                && add.immediate(1) as u32 == alloc,
            "{what}: expected add rsp, {alloc} to start the epilogue, found {add}"
        );
    }
}

/// An UNWIND_INFO as this file reads the format (Microsoft's "x64 exception handling").
#[derive(Debug, PartialEq, Eq)]
struct UnwindInfo {
    prologue: Prologue,
    /// Every code used its shortest encoding.
    shortest: bool,
}

fn parse_unwind_info(data: &[u8], what: &str) -> UnwindInfo {
    assert!(data.len() >= 4, "{what}: UNWIND_INFO cut short");
    assert_eq!(data[0], 1, "{what}: version 1, no flags");
    assert_eq!(data[3], 0, "{what}: no frame register");
    let count = usize::from(data[2]);
    let padded = count + count % 2;
    assert!(data.len() >= 4 + 2 * padded, "{what}: {count} codes do not fit");
    let slot = |k: usize| u32::from(u16::from_le_bytes([data[4 + 2 * k], data[5 + 2 * k]]));
    let (mut effects, mut shortest, mut k) = (Vec::new(), true, 0);
    while k < count {
        let (end, op, info) = (slot(k) & 0xff, (slot(k) >> 8) & 0xf, slot(k) >> 12);
        let (effect, slots) = match (op, info) {
            (0, reg) => (Effect::Push(reg), 1),
            (1, 0) => (Effect::Alloc(slot(k + 1) * 8), 2),
            (1, 1) => (Effect::Alloc(slot(k + 1) | slot(k + 2) << 16), 3),
            (2, n) => (Effect::Alloc(n * 8 + 8), 1),
            (8, reg) => (Effect::SaveXmm(reg, slot(k + 1) * 16), 2),
            (9, reg) => (Effect::SaveXmm(reg, slot(k + 1) | slot(k + 2) << 16), 3),
            _ => panic!("{what}: unexpected unwind code {op} (info {info})"),
        };
        // The shortest encoding, per the manual's table.
        let best = match effect {
            Effect::Push(_) => 1,
            Effect::Alloc(8..=128) => 1,
            Effect::Alloc(n) if n <= 512 * 1024 - 8 => 2,
            Effect::Alloc(_) => 3,
            Effect::SaveXmm(_, offset) if offset / 16 <= 0xffff => 2,
            Effect::SaveXmm(..) => 3,
        };
        shortest &= slots == best;
        effects.push((end, effect));
        k += slots;
    }
    assert_eq!(k, count, "{what}: the last code runs past the count");
    // The array runs from the last prologue instruction to the first.
    effects.reverse();
    UnwindInfo { prologue: Prologue { size: u32::from(data[1]), effects }, shortest }
}

/// A place in the object: a section and an offset in it.
type Place = (SectionIndex, u64);

/// Every RUNTIME_FUNCTION of the object's `.pdata` sections: start, end and unwind info, each
/// resolved from its ADDR32NB relocation (target symbol plus the addend stored in place).
fn runtime_functions(file: &object::File) -> Vec<[Place; 3]> {
    let mut entries = Vec::new();
    for section in file.sections().filter(|s| s.name() == Ok(".pdata")) {
        let data = section.data().unwrap();
        assert_eq!(data.len() % 12, 0, ".pdata holds whole RUNTIME_FUNCTIONs");
        let relocations: BTreeMap<u64, object::Relocation> = section.relocations().collect();
        for entry in (0..data.len() as u64).step_by(12) {
            entries.push([0, 1, 2].map(|field| {
                let at = entry + 4 * field;
                let relocation = relocations.get(&at).expect("every field is relocated");
                assert_eq!(
                    relocation.flags(),
                    RelocationFlags::Coff { typ: object::pe::IMAGE_REL_AMD64_ADDR32NB },
                    "image-relative"
                );
                let object::RelocationTarget::Symbol(index) = relocation.target() else {
                    panic!("relocation against a symbol");
                };
                let symbol = file.symbol_by_index(index).unwrap();
                let at = at as usize;
                let addend = u32::from_le_bytes(data[at..at + 4].try_into().unwrap());
                (symbol.section_index().unwrap(), symbol.address() + u64::from(addend))
            }));
        }
    }
    entries
}

/// Check the unwind data of `object` against each kernel's decoded prologue; `name` gives the
/// kernel's symbol in the object. Returns how many kernels have an entry.
fn check_object(object: &[u8], kernels: &[Kernel], name: &dyn Fn(&Kernel) -> String) -> usize {
    let file = object::File::parse(object).unwrap();
    let entries = runtime_functions(&file);
    let mut covered = 0;
    for kernel in kernels {
        let what = format!("{} as {}", kernel.spec, name(kernel));
        let symbol = file.symbols().find(|s| s.name() == Ok(&name(kernel))).unwrap();
        let start = (symbol.section_index().unwrap(), symbol.address());
        let mine: Vec<&[Place; 3]> = entries.iter().filter(|e| e[0] == start).collect();
        let expected = decoded_prologue(&kernel.code);
        if expected.effects.is_empty() {
            assert!(mine.is_empty(), "{what}: a leaf kernel has a RUNTIME_FUNCTION");
            continue;
        }
        check_frame_rules(kernel, &expected);
        assert_eq!(mine.len(), 1, "{what}: one RUNTIME_FUNCTION");
        let [_, end, info] = *mine[0];
        assert_eq!(end, (start.0, start.1 + kernel.code.len() as u64), "{what}: end");
        let xdata = file.section_by_index(info.0).unwrap();
        assert_eq!(xdata.name(), Ok(".xdata"), "{what}: unwind info in .xdata");
        assert_eq!(info.1 % 4, 0, "{what}: UNWIND_INFO is DWORD aligned");
        let found = parse_unwind_info(&xdata.data().unwrap()[info.1 as usize..], &what);
        assert_eq!(found.prologue, expected, "{what}: unwind codes");
        assert!(found.shortest, "{what}: an unwind code is not in its shortest encoding");
        covered += 1;
    }
    assert_eq!(covered, entries.len(), "RUNTIME_FUNCTIONs for kernels that need none");
    covered
}

/// `llvm-readobj --unwind`'s reading of the object, as (start symbol, end offset from it,
/// prologue) per RUNTIME_FUNCTION.
fn readobj_unwind(readobj: &Path, object: &Path) -> Vec<(String, u64, Prologue)> {
    let out = Command::new(readobj).arg("--unwind").arg(object).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    const GPRS: [&str; 16] = [
        "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI", "R8", "R9", "R10", "R11", "R12",
        "R13", "R14", "R15",
    ];
    let field = |line: &str, key: &str| line.trim().strip_prefix(key).map(str::to_string);
    let hex = |s: &str| u32::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
    let mut functions = Vec::new();
    for block in text.split("RuntimeFunction {").skip(1) {
        let (mut start, mut end, mut prologue) =
            (String::new(), 0, Prologue { size: 0, effects: Vec::new() });
        for line in block.lines() {
            if let Some(v) = field(line, "StartAddress: ") {
                // "name (0x..)": a displacement would read "name +0x.. (0x..)".
                start = v.split(' ').next().unwrap().to_string();
                assert!(v.ends_with(')') && !v.contains('+'), "start at a symbol: {v}");
            } else if let Some(v) = field(line, "EndAddress: ") {
                let disp = v.split(" +").nth(1).expect("end past the symbol");
                end = u64::from(hex(disp.split(' ').next().unwrap()));
            } else if let Some(v) = field(line, "PrologSize: ") {
                prologue.size = v.parse().unwrap();
            } else if let Some((offset, code)) = line.trim().split_once(": ") {
                let Some(offset) = offset.strip_prefix("0x") else { continue };
                let (kind, args) = code.split_once(' ').unwrap();
                let arg = |key: &str| {
                    args.split(", ").find_map(|a| a.strip_prefix(key)).unwrap().to_string()
                };
                let effect = match kind {
                    "PUSH_NONVOL" => {
                        Effect::Push(GPRS.iter().position(|&r| r == arg("reg=")).unwrap() as u32)
                    }
                    "ALLOC_SMALL" | "ALLOC_LARGE" => Effect::Alloc(arg("size=").parse().unwrap()),
                    "SAVE_XMM128" | "SAVE_XMM128_FAR" => {
                        Effect::SaveXmm(arg("reg=XMM").parse().unwrap(), hex(&arg("offset=")))
                    }
                    other => panic!("unexpected unwind code {other}"),
                };
                prologue.effects.push((hex(offset), effect));
            }
        }
        prologue.effects.reverse();
        functions.push((start, end, prologue));
    }
    functions
}

/// Cross-check with llvm-readobj (when it is found, see `tools::require_tool`): its reading of
/// `object` has one RUNTIME_FUNCTION per kernel with a prologue, at the kernel's symbol,
/// covering its bytes, with the decoded prologue's codes.
fn check_with_readobj(object: &Path, kernels: &[Kernel], name: &dyn Fn(&Kernel) -> String) {
    let Some(readobj) =
        tools::require_tool(&["llvm-readobj-14", "llvm-readobj"], "the llvm-readobj unwind check")
    else {
        return;
    };
    let functions = readobj_unwind(&readobj, object);
    let mut framed = 0;
    for kernel in kernels {
        let expected = decoded_prologue(&kernel.code);
        let mine: Vec<_> = functions.iter().filter(|f| f.0 == name(kernel)).collect();
        if expected.effects.is_empty() {
            assert!(mine.is_empty(), "{}: leaf kernel in llvm-readobj's table", kernel.spec);
            continue;
        }
        framed += 1;
        assert_eq!(mine.len(), 1, "{}: one RUNTIME_FUNCTION in llvm-readobj's table", kernel.spec);
        assert_eq!(mine[0].1, kernel.code.len() as u64, "{}: end (llvm-readobj)", kernel.spec);
        assert_eq!(mine[0].2, expected, "{}: unwind codes (llvm-readobj)", kernel.spec);
    }
    assert_eq!(framed, functions.len(), "llvm-readobj lists entries for no kernel");
}

#[test]
fn coff_objects_carry_unwind_data_matching_each_prologue() {
    let mut kernels = kernels(CallConv::Win64, Tier::Avx2);
    // Every generated Win64 kernel saves xmm6-xmm15, so every one has a frame; a hand-made leaf
    // (a bare `ret`, which leaves rsp alone) must get no entry.
    let mut leaf = KernelSpec::new(Op::Dot, Layout::Bits, 3, Tier::Avx2);
    leaf.conv = CallConv::Win64;
    kernels.push(Kernel { spec: leaf, code: vec![0xc3], unwind: None });
    let object = write_object(&kernels, ObjectFormat::Coff).unwrap();
    let name = |k: &Kernel| k.spec.symbol();
    let covered = check_object(&object, &kernels, &name);
    assert_eq!(covered, kernels.len() - 1);
    let dir = tools::scratch_dir("unwind-object");
    let path = dir.join("kernels.obj");
    std::fs::write(&path, &object).unwrap();
    check_with_readobj(&path, &kernels, &name);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn assembled_sources_carry_unwind_data_matching_each_prologue() {
    let Some(llvm_mc) = tools::llvm_mc() else { return };
    let kernels = kernels(CallConv::Win64, Tier::Avx2);
    let symbol = |k: &Kernel| format!("baked_{}", k.spec.symbol());
    let name = |k: &Kernel| assembler_name(&symbol(k), ObjectFormat::Coff);
    let source: String =
        kernels.iter().map(|k| kernel_source(k, &symbol(k), ObjectFormat::Coff)).collect();
    let dir = tools::scratch_dir("unwind-source");
    let obj = dir.join("k.obj");
    // Both Windows ABIs, and the Intel syntax `global_asm!` assembles in.
    for (triple, syntax) in [
        ("x86_64-pc-windows-msvc", ""),
        ("x86_64-pc-windows-gnu", ""),
        ("x86_64-pc-windows-msvc", ".intel_syntax noprefix\n"),
    ] {
        let data = tools::assemble_object(&llvm_mc, triple, &format!("{syntax}{source}"), &obj);
        let covered = check_object(&data, &kernels, &name);
        assert_eq!(covered, kernels.len(), "{triple} {syntax}");
        check_with_readobj(&obj, &kernels, &name);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Unwind data is Win64's: native x86-64 kernels (System V) and AArch64 kernels carry none.
#[test]
fn only_win64_kernels_carry_unwind_data() {
    for tier in Tier::ALL {
        for kernel in kernels(CallConv::Native, tier) {
            assert_eq!(kernel.unwind, None, "{}", kernel.spec);
        }
    }
    for kernel in kernels(CallConv::Win64, Tier::Avx2) {
        assert!(kernel.unwind.is_some(), "{}", kernel.spec);
    }
}
