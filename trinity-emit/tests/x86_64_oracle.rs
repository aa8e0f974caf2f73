//! Every instruction form of the x86-64 table, checked byte for byte against llvm-mc.
//!
//! Forms come from `defs::ALL`, so a new definition is covered without touching this file. Each
//! form is enumerated over every register combination up to 16^3 (all of them for three 16-
//! register positions; every zmm pair, with a third zmm cycling through zmm0..zmm31), boundary immediates and a set of memory operands covering every
//! base (including rsp, rbp, r12, r13), every valid index, all scales, disp8/disp32 boundaries
//! (for EVEX forms also the disp8*N ones), absolute and RIP-relative addresses; the first
//! operand of a form that takes a write mask cycles through unmasked, `{k1}`..`{k7}` and
//! `{z}`. The text comes from the same definition (`Inst::intel`). Label references
//! (RIP-relative memory, jmp/jcc/call) and alignment padding are checked by assembling whole
//! programs with llvm-mc into an object file. The CPU features each form declares are checked
//! against iced-x86's over a sample of the same cases.

use trinity_testkit::iced_features;
use trinity_testkit::tools;

use iced_features::our_features;
use iced_x86::{Decoder, DecoderOptions};
use std::path::Path;
use std::process::Command;
use tools::{assemble, hex, llvm_mc};
use trinity_emit::x86_64::{
    defs::ALL, Assembler, Branch, BranchSize, Cond, Enc, Form, Gpr32, Gpr64, Gpr8, Inst, Kind,
    Mask, Mem, Operand, Xmm, Ymm, Zmm, K,
};

/// llvm-mc's target: x86-64 with every AVX-512 extension the table uses.
const TARGET: [&str; 3] = [
    "-triple=x86_64",
    "-mattr=+avx512f,+avx512bw,+avx512vl,+avx512vpopcntdq,+avx512bitalg",
    "-x86-asm-syntax=intel",
];

const DISPS: [i32; 9] = [0, 1, -1, 127, 128, -128, -129, i32::MAX, i32::MIN];

/// The displacements of a form: [`DISPS`], and for an EVEX form with an `n`-byte memory operand
/// also the disp8*N boundaries (N*127, N*128, -N*128, -N*129) and displacements that are not
/// multiples of N (which need disp32).
fn disps(form: &Form) -> Vec<i32> {
    let mut out = DISPS.to_vec();
    let n = form.ops.iter().find_map(|(k, _)| k.mem_size()).map_or(1, |s| i32::from(s.bytes()));
    if form.enc == Enc::Evex && n > 1 {
        out.extend([n, -n, n * 127, n * 128, -n * 128, -n * 129, n * 127 + 1, -n * 128 - n / 2]);
    }
    out
}

/// The memory operands a memory-taking form is checked with.
fn mems(disps: &[i32]) -> Vec<Mem> {
    let mut out = Vec::new();
    for base in Gpr64::ALL {
        for &disp in disps {
            out.push(Mem::base(base).disp(disp));
        }
    }
    let mut n = 0;
    for base in Gpr64::ALL {
        for index in Gpr64::ALL.into_iter().filter(|&r| r != Gpr64::Rsp) {
            for scale in [1, 2, 4, 8] {
                out.push(Mem::base(base).index(index, scale).disp(disps[n % disps.len()]));
                n += 1;
            }
        }
    }
    for index in Gpr64::ALL.into_iter().filter(|&r| r != Gpr64::Rsp) {
        for scale in [1, 2, 4, 8] {
            out.push(Mem::index_only(index, scale).disp(disps[n % disps.len()]));
            n += 1;
        }
    }
    for disp in [0, 1, -1, 127, 128, i32::MAX, i32::MIN] {
        out.push(Mem::abs(disp));
    }
    for disp in [0, 1, -1, 127, 128, -129, i32::MAX, i32::MIN] {
        out.push(Mem::rip(disp));
    }
    out
}

/// The non-memory values of an operand kind: every register, boundary immediates, every
/// condition.
fn values(kind: Kind) -> Vec<Operand> {
    let imms = |list: &[i64]| list.iter().map(|&v| Operand::Imm(v)).collect();
    match kind {
        Kind::R64 | Kind::Rm64 => Gpr64::ALL.map(Operand::from).to_vec(),
        Kind::R32 | Kind::Rm32 => Gpr32::ALL.map(Operand::from).to_vec(),
        Kind::R8 | Kind::Rm8 => Gpr8::ALL.map(Operand::from).to_vec(),
        Kind::Cl => vec![Gpr8::Cl.into()],
        Kind::X | Kind::Xm(_) => Xmm::ALL.map(Operand::from).to_vec(),
        Kind::Y | Kind::Ym => Ymm::ALL.map(Operand::from).to_vec(),
        Kind::Z | Kind::Zm => Zmm::ALL.map(Operand::from).to_vec(),
        Kind::K | Kind::Km(_) => K::ALL.map(Operand::from).to_vec(),
        Kind::M(_) => vec![],
        Kind::Cc => Cond::ALL.map(Operand::from).to_vec(),
        Kind::I8 => imms(&[0, 1, 127, -1, -128, 100]),
        Kind::U8 => imms(&[0, 1, 127, 128, 255]),
        Kind::I32 => imms(&[0, 1, 127, 128, 255, -1, -128, -129, i32::MIN.into(), i32::MAX.into()]),
        Kind::I64 => imms(&[
            0,
            1,
            127,
            128,
            -1,
            -129,
            i32::MIN.into(),
            i32::MAX.into(),
            i64::from(i32::MAX) + 1,
            i64::from(i32::MIN) - 1,
            u32::MAX.into(),
            1 << 32,
            i64::MIN,
            i64::MAX,
        ]),
        Kind::Count(max) => imms(&[0, 1, 2, i64::from(max)]),
    }
}

fn is_register(op: &Operand) -> bool {
    matches!(
        op,
        Operand::R64(_)
            | Operand::R32(_)
            | Operand::R8(_)
            | Operand::Xmm(_)
            | Operand::Ymm(_)
            | Operand::Zmm(_)
            | Operand::K(_)
    )
}

/// The first operand of case `n` of a form that takes write masks: unmasked, merging under one
/// of k1..k7, or zeroing where the form and operand allow it, in turn.
fn decorate(form: &Form, op: Operand, n: usize) -> Operand {
    let masked = match op {
        Operand::Xmm(r) => r.mask(K::ALL[1 + n % 7]),
        Operand::Ymm(r) => r.mask(K::ALL[1 + n % 7]),
        Operand::Zmm(r) => r.mask(K::ALL[1 + n % 7]),
        Operand::K(r) => r.mask(K::ALL[1 + n % 7]),
        Operand::Mem(m) => m.mask(K::ALL[1 + n % 7]),
        _ => return op,
    };
    let zero_ok = form.mask == Mask::Zero && !matches!(op, Operand::Mem(_));
    match (form.mask, n % 3) {
        (Mask::None, _) | (_, 0) => op,
        (_, 2) if zero_ok => masked.zero().into(),
        _ => masked.into(),
    }
}

/// The register combinations of a form enumerated in full: all 16^3 of three 16-register
/// positions, or all 32^2 of two zmm positions (a further register position cycles instead).
const MAX_REGISTER_COMBINATIONS: usize = 16 * 16 * 16;

/// Operand lists for one form: the full product of the non-memory values, except that a register
/// position that would take the register combinations past [`MAX_REGISTER_COMBINATIONS`]
/// cycles instead of multiplying; then every memory operand in each
/// memory position, with the other positions cycling through their values; the first operand
/// decorated with write masks in turn.
fn cases(form: &Form, mems: &[Mem]) -> Vec<Vec<Operand>> {
    let vals: Vec<Vec<Operand>> = form.ops.iter().map(|(k, _)| values(*k)).collect();
    let mut out = Vec::new();
    if vals.iter().all(|v| !v.is_empty()) {
        let mut product: Vec<Vec<Operand>> = vec![vec![]];
        let mut registers = 1;
        for (pos, v) in vals.iter().enumerate() {
            if is_register(&v[0]) {
                registers *= v.len();
            }
            if registers > MAX_REGISTER_COMBINATIONS && is_register(&v[0]) {
                for (n, case) in product.iter_mut().enumerate() {
                    case.push(v[(n * 7 + pos) % v.len()]);
                }
            } else {
                product = product
                    .into_iter()
                    .flat_map(|case| {
                        v.iter().map(move |op| {
                            let mut next = case.clone();
                            next.push(*op);
                            next
                        })
                    })
                    .collect();
            }
        }
        out.extend(product);
    }
    for (pos, (kind, _)) in form.ops.iter().enumerate() {
        if kind.mem_size().is_none() {
            continue;
        }
        for (n, mem) in mems.iter().enumerate() {
            let case = vals
                .iter()
                .enumerate()
                .map(|(p, v)| {
                    if p == pos {
                        Operand::Mem(mem.sized(kind.mem_size().unwrap()))
                    } else {
                        v[(n * (2 * p + 3) + p) % v.len()]
                    }
                })
                .collect();
            out.push(case);
        }
    }
    for (n, case) in out.iter_mut().enumerate() {
        if let Some(first) = case.first_mut() {
            *first = decorate(form, *first, n);
        }
    }
    out
}

fn encode(inst: &Inst, ops: &[Operand]) -> Vec<u8> {
    let mut asm = Assembler::new();
    asm.emit(inst, ops).unwrap_or_else(|e| panic!("{}: {e}", inst.intel(ops).unwrap()));
    asm.finish().unwrap()
}

struct Case {
    text: String,
    ours: Vec<u8>,
}

fn check_batch(mc: &Path, cases: &[Case], failures: &mut Vec<String>) {
    let lines: Vec<String> = cases.iter().map(|c| c.text.clone()).collect();
    let got = assemble(mc, &TARGET, &lines);
    for (case, theirs) in cases.iter().zip(got) {
        if case.ours != theirs && failures.len() < 40 {
            failures.push(format!(
                "{}: ours {} llvm-mc {}",
                case.text,
                hex(&case.ours),
                hex(&theirs)
            ));
        }
    }
}

#[test]
fn every_form_matches_llvm_mc() {
    let Some(mc) = llvm_mc() else { return };
    let mut batch = Vec::new();
    let mut failures = Vec::new();
    let mut total = 0usize;
    let mut forms = 0usize;
    let mut evex = 0usize;
    for inst in ALL {
        for form in inst.forms {
            forms += 1;
            let before = total;
            for ops in cases(form, &mems(&disps(form))) {
                let selected = inst.select(&ops).unwrap();
                assert!(
                    std::ptr::eq(selected, form),
                    "{}: operands select form {} instead of {}",
                    inst.intel(&ops).unwrap(),
                    selected.signature(),
                    form.signature()
                );
                batch.push(Case { text: inst.intel(&ops).unwrap(), ours: encode(inst, &ops) });
                total += 1;
            }
            // A label operand in each memory position: backward (label at the instruction's
            // start) and forward with an addend (label 100 bytes after its end, plus 8). The
            // expected text is the same instruction with the resolved [rip + disp].
            for (pos, (kind, _)) in form.ops.iter().enumerate() {
                if kind.mem_size().is_none() {
                    continue;
                }
                let size = kind.mem_size().unwrap();
                let base_ops: Vec<Operand> = cases(form, &[Mem::rip(0)])
                    .into_iter()
                    .find(|c| matches!(c[pos].unmasked(), Operand::Mem(_)))
                    .unwrap();
                for forward in [false, true] {
                    let mut asm = Assembler::new();
                    let label = asm.new_label();
                    let mut ops = base_ops.clone();
                    if forward {
                        ops[pos] = Operand::Mem(Mem::label(label).disp(8).sized(size));
                        asm.emit(inst, &ops).unwrap();
                        let len = asm.offset();
                        asm.data(&[0xCC; 100]);
                        asm.bind(label).unwrap();
                        let code = asm.finish().unwrap();
                        ops[pos] = Operand::Mem(Mem::rip(108).sized(size));
                        batch.push(Case {
                            text: inst.intel(&ops).unwrap(),
                            ours: code[..len].to_vec(),
                        });
                    } else {
                        asm.bind(label).unwrap();
                        ops[pos] = Operand::Mem(Mem::label(label).sized(size));
                        asm.emit(inst, &ops).unwrap();
                        let code = asm.finish().unwrap();
                        ops[pos] = Operand::Mem(Mem::rip(-(code.len() as i32)).sized(size));
                        batch.push(Case { text: inst.intel(&ops).unwrap(), ours: code });
                    }
                    total += 1;
                }
            }
            if form.enc == Enc::Evex {
                evex += total - before;
            }
            if batch.len() > 200_000 {
                check_batch(&mc, &batch, &mut failures);
                batch.clear();
            }
        }
    }
    check_batch(&mc, &batch, &mut failures);
    println!(
        "{total} (form, operands) cases ({evex} of EVEX forms) over {forms} forms of {} \
         instructions match llvm-mc",
        ALL.len()
    );
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    assert!(total > 100_000, "only {total} cases");
}

#[test]
fn every_form_declares_the_features_iced_decodes() {
    const PER_FORM: usize = 400;
    let (mut forms, mut checked) = (0, 0);
    let mut failures = Vec::new();
    for inst in ALL {
        for form in inst.forms {
            let cases = cases(form, &mems(&disps(form)));
            let step = cases.len().div_ceil(PER_FORM).max(1);
            for ops in cases.iter().step_by(step) {
                let code = encode(inst, ops);
                let decoded = Decoder::new(64, &code, DecoderOptions::NONE).decode();
                let theirs = our_features(decoded.cpuid_features());
                if theirs != Ok(form.features) && failures.len() < 40 {
                    failures.push(format!(
                        "{} {}: declares {}, iced-x86 says {:?} ({theirs:?})",
                        inst.intel(ops).unwrap(),
                        form.signature(),
                        form.features,
                        decoded.cpuid_features()
                    ));
                }
                checked += 1;
            }
            forms += 1;
        }
    }
    println!("{checked} encodings of {forms} forms need the features their form declares");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    assert!(forms > 400, "only {forms} forms");
}

/// Assemble a whole program with llvm-mc into an object file and return its .text bytes, so
/// that label references are resolved (and relaxed) by llvm-mc itself.
fn assemble_program(mc: &Path, tag: &str, lines: &[String]) -> Option<Vec<u8>> {
    let objcopy = tools::require_tool(&["llvm-objcopy-14", "llvm-objcopy"], "object extraction")?;
    let dir = tools::scratch_dir(&format!("x86-oracle-{tag}"));
    let (src, obj, bin) = (dir.join("p.s"), dir.join("p.o"), dir.join("p.bin"));
    let mut text = String::from(".intel_syntax noprefix\n");
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&src, text).unwrap();
    let out = Command::new(mc)
        .args(["-triple=x86_64", "-filetype=obj", "-o"])
        .arg(&obj)
        .arg(&src)
        .output()
        .unwrap();
    assert!(out.status.success(), "llvm-mc: {}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(objcopy)
        .args(["-O", "binary", "--only-section=.text"])
        .arg(&obj)
        .arg(&bin)
        .output()
        .unwrap();
    assert!(out.status.success(), "llvm-objcopy: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&bin).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Some(bytes)
}

/// Compare two programs built scenario by scenario; name the scenario of the first difference.
fn compare_programs(ours: &[u8], theirs: &[u8], starts: &[(usize, String)]) {
    if let Some(at) = ours.iter().zip(theirs).position(|(a, b)| a != b) {
        let (start, name) = starts.iter().rev().find(|(s, _)| *s <= at).unwrap();
        let end = (at + 8).min(ours.len()).min(theirs.len());
        panic!(
            "{name} (at {start}): byte {at} differs: ours {} llvm-mc {}",
            hex(&ours[at.saturating_sub(4)..end]),
            hex(&theirs[at.saturating_sub(4)..end])
        );
    }
    assert_eq!(ours.len(), theirs.len(), "program lengths differ");
}

#[test]
fn branches_match_llvm_mc() {
    let Some(mc) = llvm_mc() else { return };
    let mut asm = Assembler::new();
    let mut lines = Vec::new();
    let mut starts = Vec::new();
    let mut count = 0;
    let branches: Vec<Branch> = [Branch::Jmp, Branch::Call]
        .into_iter()
        .chain(Cond::ALL.into_iter().map(Branch::Jcc))
        .collect();
    let text = |branch: Branch| match branch {
        Branch::Jmp => "jmp".to_string(),
        Branch::Call => "call".to_string(),
        Branch::Jcc(c) => format!("j{}", c.suffix()),
    };
    for branch in branches {
        for size in [BranchSize::Auto, BranchSize::Short, BranchSize::Near] {
            if branch == Branch::Call && size == BranchSize::Short {
                continue;
            }
            for backward in [false, true] {
                for pad in [0usize, 1, 2, 100, 125, 126, 127, 128, 129, 1000, 70_000] {
                    // Short branches must reach: forward pad <= 127, backward pad + 2 <= 128.
                    if size == BranchSize::Short && (pad > 127 || (backward && pad > 126)) {
                        continue;
                    }
                    let name = format!("{} {size:?} backward={backward} pad={pad}", text(branch));
                    starts.push((asm.offset(), name));
                    let label = asm.new_label();
                    let l = format!(".Lb{count}");
                    // llvm-mc relaxes a plain branch (rel8 when it reaches); {disp32} forces rel32.
                    let forced_near = size == BranchSize::Near
                        || (size == BranchSize::Auto && !backward)
                        || branch == Branch::Call;
                    let prefix =
                        if forced_near && branch != Branch::Call { "{disp32} " } else { "" };
                    let branch_line = format!("{prefix}{} {l}", text(branch));
                    let fill = format!(".fill {pad}, 1, 0xcc");
                    if backward {
                        asm.bind(label).unwrap();
                        asm.data(&vec![0xCC; pad]);
                        asm.branch(branch, label, size).unwrap();
                        lines.extend([format!("{l}:"), fill, branch_line]);
                    } else {
                        asm.branch(branch, label, size).unwrap();
                        asm.data(&vec![0xCC; pad]);
                        asm.bind(label).unwrap();
                        lines.extend([branch_line, fill, format!("{l}:")]);
                    }
                    count += 1;
                }
            }
        }
    }
    let ours = asm.finish().unwrap();
    let Some(theirs) = assemble_program(&mc, "branches", &lines) else { return };
    compare_programs(&ours, &theirs, &starts);
    println!("{count} branch scenarios ({} bytes) match llvm-mc", ours.len());
    assert!(count > 500);
}

#[test]
fn alignment_padding_matches_llvm_mc() {
    let Some(mc) = llvm_mc() else { return };
    let mut asm = Assembler::new();
    let mut lines = Vec::new();
    let mut starts = Vec::new();
    for log in 0..=6u32 {
        for fill in 0..=70usize {
            starts.push((asm.offset(), format!("fill {fill} then align {}", 1 << log)));
            asm.data(&vec![0xCC; fill]);
            asm.align(1 << log).unwrap();
            lines.push(format!(".fill {fill}, 1, 0xcc"));
            lines.push(format!(".p2align {log}"));
        }
    }
    // Explicit no-op runs of every length up to 40.
    for n in 0..=40 {
        starts.push((asm.offset(), format!("nops({n})")));
        asm.nops(n);
        asm.data(&[0xCC]);
        if n > 0 {
            lines.push(format!(".nops {n}"));
        }
        lines.push(".byte 0xcc".to_string());
    }
    let ours = asm.finish().unwrap();
    let Some(theirs) = assemble_program(&mc, "align", &lines) else { return };
    compare_programs(&ours, &theirs, &starts);
    println!("{} alignment and nop scenarios match llvm-mc", starts.len());
}

#[test]
fn same_calls_give_same_bytes() {
    let build = || {
        let mut asm = Assembler::new();
        let mut n = 0;
        for inst in ALL {
            for form in inst.forms {
                for ops in cases(form, &[Mem::base(Gpr64::R13).index(Gpr64::R12, 8).disp(-129)])
                    .into_iter()
                    .step_by(97)
                {
                    asm.emit(inst, &ops).unwrap();
                    n += 1;
                }
            }
        }
        (asm.finish().unwrap(), n)
    };
    let (first, n) = build();
    let (second, _) = build();
    assert!(n > 1000, "only {n} instructions");
    assert_eq!(first, second);
}
