//! Every AArch64 instruction form of the table, word for word against llvm-mc 14
//! (`-triple=aarch64 -mattr=+neon,+dotprod`).
//!
//! Forms come from `defs::ALL`, so a new definition is covered without touching this file. Each
//! form is enumerated from its operand kinds: every register of each position (SP and the zero
//! register where the class has them) with the full product of positions up to 4096
//! combinations (every register pair, and more; a further position cycles through its values),
//! every bitmask immediate (enumerated from its definition), every shift and amount, boundary
//! immediates, offsets and element indices, every condition, lists of 1 to 4 vectors, and for
//! label operands branch and literal distances at the limits of their fields. The text comes
//! from the same definition (`Form::text`). Operand combinations the architecture calls
//! unpredictable (`unpredictable`) are left out and counted (the errors test checks that the
//! encoder refuses them), and so are those an earlier form of the same instruction takes
//! (registers 0..=30 fit both the SP and the zero-register class: `mov x0, x1` is `orr`).

use trinity_testkit::tools;

use trinity_emit::aarch64::defs::ALL;
use trinity_emit::aarch64::*;
use trinity_emit::Label;

/// The full product of operand positions is taken up to this many combinations; a position
/// that would exceed it cycles through its values instead.
const MAX_COMBINATIONS: usize = 4096;

/// Every `width`-bit bitmask immediate, from its definition: a rotated run of ones in a
/// replicated element of 2..=width bits.
fn bitmasks(width: u32) -> Vec<u64> {
    let mut out = Vec::new();
    for e in [2u32, 4, 8, 16, 32, 64].into_iter().filter(|&e| e <= width) {
        let mask = if e == 64 { u64::MAX } else { (1u64 << e) - 1 };
        for ones in 1..e {
            for r in 0..e {
                let run = (1u64 << ones) - 1;
                let elem = if r == 0 { run } else { ((run >> r) | (run << (e - r))) & mask };
                let value = (0..width / e).fold(0u64, |v, k| v | elem << (k * e));
                out.push(value);
            }
        }
    }
    out
}

fn gpr(class: Gpr, n: u32) -> Operand {
    let n = n as u8;
    match class {
        Gpr::X => X::new(n).unwrap().into(),
        Gpr::XSp => XSp::new(n).unwrap().into(),
        Gpr::W => W::new(n).unwrap().into(),
        Gpr::WSp => WSp::new(n).unwrap().into(),
    }
}

fn v(n: u32) -> V {
    V::new((n % 32) as u8).unwrap()
}

fn xsp(n: u32) -> XSp {
    XSp::new((n % 32) as u8).unwrap()
}

fn imms(list: &[i64]) -> Vec<Operand> {
    let mut list = list.to_vec();
    list.dedup();
    list.into_iter().map(Operand::Imm).collect()
}

/// The values of one operand position of `form` (`t`: the form's arrangement).
fn values(kind: Kind, t: Option<Arr>) -> Vec<Operand> {
    let arr = t.unwrap_or(Arr::B8);
    let esize = 8i64 << arr.size();
    let size_of = |log2: u32| [Size::B, Size::H, Size::S, Size::D, Size::Q][log2 as usize];
    let lanes = 16u32 >> arr.size();
    let base_offsets = |offsets: &[i64], mk: fn(XSp, i64) -> Addr| -> Vec<Operand> {
        (0..32 * offsets.len() as u32)
            .map(|i| mk(xsp(i), offsets[(i / 32) as usize]).into())
            .collect()
    };
    match kind {
        Kind::R(class, _) => (0..32).map(|n| gpr(class, n)).collect(),
        Kind::Sh(wide, ror) => {
            let class = if wide { Gpr::X } else { Gpr::W };
            let bits = if wide { 64 } else { 32 };
            let shifts: &[Shift] = if ror { &Shift::ALL } else { &Shift::ALL[..3] };
            let mut out: Vec<Operand> = (0..32).map(|n| gpr(class, n)).collect();
            for i in 0..2 * bits {
                let (n, shift) = ((i * 7 + 3) % 32, shifts[(i as usize) % shifts.len()]);
                out.push(
                    if wide {
                        X::new(n as u8).unwrap().shifted(shift, i % bits)
                    } else {
                        W::new(n as u8).unwrap().shifted(shift, i % bits)
                    }
                    .into(),
                );
            }
            out
        }
        Kind::F(size, _) => (0..32).map(|n| v(n).scalar(size).into()).collect(),
        Kind::Fe(widen) => {
            (0..32).map(|n| v(n).scalar(size_of(arr.size() + widen as u32)).into()).collect()
        }
        Kind::V(rel, _) => (0..32).map(|n| v(n).arr(rel.of(arr).unwrap()).into()).collect(),
        Kind::E(_) | Kind::E4 => (0..32)
            .map(|n| v(n).elem(size_of(arr.size()), ((n * 5 + 1) % lanes) as u8).into())
            .collect(),
        Kind::DotElem => (0..32).map(|n| v(n).elem(Size::S, (n % 4) as u8).into()).collect(),
        Kind::List => (0..4 * 32)
            .map(|i| {
                let regs: Vec<VReg> = (0..=i / 32).map(|k| v(i + k).arr(arr)).collect();
                Operand::from(regs.as_slice())
            })
            .collect(),
        Kind::AddImm => imms(&[0, 1, 4095, 4096, 0xfff000]),
        Kind::Bitmask(w) => bitmasks(w.into()).into_iter().map(Operand::from).collect(),
        Kind::U(_, max) => imms(&[0, 1, i64::from(max) / 2, i64::from(max)]),
        Kind::LslImm(w) | Kind::Bit(w) => (0..i64::from(w)).map(Operand::Imm).collect(),
        Kind::Hw(w) => (0..i64::from(w) / 16).map(|h| Operand::Imm(16 * h)).collect(),
        Kind::ShrImm => (1..=esize).map(Operand::Imm).collect(),
        Kind::ShlImm => (0..esize).map(Operand::Imm).collect(),
        Kind::ByteIdx => (0..8 << arr.q()).map(Operand::Imm).collect(),
        Kind::Imm8 => imms(&[0, 1, 0x1f, 0x20, 0x25, 0x80, 0xff]),
        Kind::ByteMask => (0..32u32)
            .map(|i| {
                let bits = i * 73 + 11;
                (0..8).fold(0u64, |m, b| if bits >> b & 1 == 1 { m | 0xff << (8 * b) } else { m })
            })
            .map(Operand::from)
            .collect(),
        Kind::Cond | Kind::CondSuffix => Cond::ALL.map(Operand::from).to_vec(),
        Kind::CondInv => Cond::ALL[..14].iter().map(|&c| c.into()).collect(),
        Kind::Zero | Kind::FZero | Kind::Label(_) => vec![Operand::Imm(0)],
        Kind::Off(s) => base_offsets(&[0, 1 << s, 4095 << s, 7 << s], Addr::offset),
        Kind::Pre => base_offsets(&[-256, 255, -1, 0], Addr::pre),
        Kind::Post => base_offsets(&[-256, 255, -1, 0], Addr::post),
        Kind::PairOff(s) => base_offsets(&[0, -64 << s, 63 << s, 1 << s], Addr::offset),
        Kind::PairPre(s) => base_offsets(&[0, -64 << s, 63 << s, 1 << s], Addr::pre),
        Kind::PairPost(s) => base_offsets(&[0, -64 << s, 63 << s, 1 << s], Addr::post),
        Kind::RegOff(_) => (0..64)
            .map(|i| {
                let index = X::new(((i * 13 + 5) % 31) as u8).unwrap();
                let addr =
                    if i < 32 { Addr::reg(xsp(i), index) } else { Addr::reg_scaled(xsp(i), index) };
                addr.into()
            })
            .collect(),
        Kind::ListBase => (0..32).map(|i| Addr::base(xsp(i)).into()).collect(),
        // The offset is set from the case's list.
        Kind::ListPost => (0..32).map(|i| Addr::post(xsp(i), 0).into()).collect(),
        Kind::ListPostReg => (0..32)
            .map(|i| Addr::reg(xsp(i), X::new(((i * 13 + 1) % 31) as u8).unwrap()).into())
            .collect(),
    }
}

/// A multiplier coprime to `len`, so that `i * m % len` visits every value.
fn coprime_step(len: usize) -> usize {
    [7, 11, 13, 17, 19].into_iter().find(|m| len % m != 0).unwrap_or(1)
}

/// Operand lists for one form: the product of positions up to [`MAX_COMBINATIONS`], then
/// cycling.
fn cases(form: &Form) -> Vec<Vec<Operand>> {
    let mut out: Vec<Vec<Operand>> = vec![vec![]];
    for (pos, kind) in form.ops.iter().enumerate() {
        let vals = values(*kind, form.arr);
        if out.len() * vals.len() <= MAX_COMBINATIONS {
            out = out
                .into_iter()
                .flat_map(|case| {
                    vals.iter().map(move |op| {
                        let mut next = case.clone();
                        next.push(*op);
                        next
                    })
                })
                .collect();
        } else {
            let n = out.len().max(vals.len());
            let m = coprime_step(vals.len());
            out = (0..n)
                .map(|i| {
                    let mut next = out[i % out.len()].clone();
                    next.push(vals[(i * m + pos) % vals.len()]);
                    next
                })
                .collect();
        }
    }
    for case in &mut out {
        let bytes = case.iter().find_map(|op| match op {
            Operand::List(l) => Some(l.len() as i64 * (8 << form.arr.unwrap().q())),
            _ => None,
        });
        for (kind, op) in form.ops.iter().zip(case.iter_mut()) {
            if let (Kind::ListPost, Operand::Addr(Addr::Post(b, _))) = (kind, *op) {
                *op = Addr::Post(b, bytes.unwrap()).into();
            }
        }
    }
    out
}

/// The distances a label of `fixup` is checked at: near, and at both limits.
fn distances(fixup: A64Fixup) -> Vec<i64> {
    let reach = match fixup {
        A64Fixup::Imm26 => 1 << 27,
        A64Fixup::Imm19 | A64Fixup::Adr => 1 << 20,
        A64Fixup::Imm14 => 1 << 15,
    };
    vec![0, 4, 8, -4, -8, 1024, -1024, reach - 4, -reach]
}

/// The word of `inst` with `ops` when its label (operand `pos`) is `distance` bytes away.
fn at_distance(inst: &Inst, ops: &[Operand], pos: usize, distance: i64) -> u32 {
    let mut a = Assembler::new();
    let label: Label = a.new_label();
    let mut ops = ops.to_vec();
    ops[pos] = label.into();
    if distance <= 0 {
        a.bind(label).unwrap();
        a.data(&vec![0; distance.unsigned_abs() as usize]);
    }
    let at = a.offset();
    a.emit(inst, &ops).unwrap();
    if distance > 0 {
        a.data(&vec![0; distance as usize - 4]);
        a.bind(label).unwrap();
    }
    let code = a.finish().unwrap();
    u32::from_le_bytes(code[at..at + 4].try_into().unwrap())
}

#[test]
fn every_form_matches_llvm_mc() {
    let Some(llvm_mc) = tools::llvm_mc() else { return };
    let mut text = Vec::new();
    let mut words = Vec::new();
    let (mut forms, mut skipped, mut shadowed) = (0, 0, 0);
    for inst in ALL {
        for form in inst.forms {
            forms += 1;
            let label = form.ops.iter().position(|k| matches!(k, Kind::Label(_)));
            let all = cases(form);
            match label {
                None => {
                    let mut a = Assembler::new();
                    for ops in &all {
                        if unpredictable(inst.mnemonic, form, ops).is_some() {
                            skipped += 1;
                            continue;
                        }
                        // Registers 0..=30 fit both SP- and zero-register classes; such
                        // operands belong to the first form that takes them.
                        if !std::ptr::eq(inst.select(ops).unwrap(), form) {
                            shadowed += 1;
                            continue;
                        }
                        a.emit(inst, ops).unwrap_or_else(|e| {
                            panic!("`{}` was rejected: {e}", form.text(inst.mnemonic, ops))
                        });
                        text.push(inst.text(ops).unwrap());
                    }
                    let code = a.finish().unwrap();
                    words.extend(code.chunks(4).map(|w| u32::from_le_bytes(w.try_into().unwrap())));
                }
                Some(pos) => {
                    let Kind::Label(fixup) = form.ops[pos] else { unreachable!() };
                    for (i, d) in distances(fixup).into_iter().enumerate() {
                        // Near distances with every register; the limits with a few.
                        let count = if d.abs() <= 1024 { all.len().min(32) } else { 2 };
                        for k in 0..count {
                            let ops = &all[(k * 7 + i) % all.len()];
                            words.push(at_distance(inst, ops, pos, d));
                            let mut shown = ops.clone();
                            shown[pos] = Operand::Imm(d);
                            text.push(form.text(inst.mnemonic, &shown));
                        }
                    }
                }
            }
            assert_eq!(words.len(), text.len(), "{}: one word per case", inst.mnemonic);
        }
    }
    // Two llvm-mc processes at once: the machine has two cores.
    let (left, right) = text.split_at(text.len() / 2);
    let args = ["-triple=aarch64", "-mattr=+neon,+dotprod"];
    let encodings = std::thread::scope(|s| {
        let first = s.spawn(|| tools::assemble(&llvm_mc, &args, left));
        let mut second = tools::assemble(&llvm_mc, &args, right);
        let mut out = first.join().unwrap();
        out.append(&mut second);
        out
    });
    let mut mismatches = Vec::new();
    for ((line, ours), theirs) in text.iter().zip(&words).zip(&encodings) {
        if ours.to_le_bytes().as_slice() != theirs.as_slice() {
            mismatches.push(format!(
                "{line}: ours {} llvm-mc {}",
                tools::hex(&ours.to_le_bytes()),
                tools::hex(theirs)
            ));
        }
    }
    println!(
        "aarch64 oracle: {} (form, operands) cases over {forms} forms of {} instructions checked \
         against llvm-mc ({skipped} unpredictable combinations left out, {shadowed} that an earlier form takes; 218571 cases before \
         the table)",
        text.len(),
        ALL.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first ones:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(40)].join("\n")
    );
    assert!(text.len() > 218_571, "only {} cases", text.len());
}
