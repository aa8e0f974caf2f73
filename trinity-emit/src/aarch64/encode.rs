//! The one A64 encoder: fills a form's base word with its operands' fields.

use super::bitmask::bitmask;
use super::form::{Form, Kind};
use super::operand::{Addr, Base, Operand};
use super::regs::{Arr, Cond, Shift};
use super::A64Fixup;
use crate::{EmitError, Label};

fn range(what: &'static str, value: i64, min: i64, max: i64) -> Result<i64, EmitError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(EmitError::ImmediateOutOfRange { what, value, min, max })
    }
}

fn scaled(what: &'static str, value: i64, scale: u8) -> Result<i64, EmitError> {
    if value % (1 << scale) != 0 {
        return Err(EmitError::Misaligned { what, value, multiple: 1 << scale });
    }
    Ok(value >> scale)
}

pub(super) fn invalid(instruction: &'static str, reason: String) -> EmitError {
    EmitError::InvalidOperand { instruction, reason }
}

/// The reason `ops` of `form` are unpredictable (and refused), if they are: a writeback base
/// that is also a transferred general register, or a pair load into one register twice.
pub fn unpredictable(mnemonic: &str, form: &Form, ops: &[Operand]) -> Option<String> {
    let gprs: Vec<u32> = ops.iter().filter_map(|op| op.gpr_num()).collect();
    for (kind, op) in form.ops.iter().zip(ops) {
        if let (true, Operand::Addr(addr)) = (kind.writeback(), op) {
            match addr.base_reg().num() {
                Some(n) if n != 31 && gprs.contains(&n) => {
                    return Some(format!("writeback base x{n} is also a transferred register"))
                }
                _ => {}
            }
        }
    }
    let pair_load = mnemonic == "ldp" && form.ops.len() == 3;
    match (pair_load, ops) {
        (true, [a, b, _]) if reg_num(*a) == reg_num(*b) => {
            Some(format!("both loaded registers are number {}", reg_num(*a)))
        }
        _ => None,
    }
}

fn reg_num(op: Operand) -> u32 {
    match op {
        Operand::Scalar(s) => s.v.num(),
        other => other.gpr_num().unwrap_or(u32::MAX),
    }
}

fn base_num(mnemonic: &'static str, base: Base) -> Result<u32, EmitError> {
    base.num().ok_or_else(|| invalid(mnemonic, "xzr cannot be a base register".into()))
}

/// `imm5` for an element of size `log2` bytes and `index`.
fn imm5(log2: u32, index: u8) -> Result<u32, EmitError> {
    let index = range("element index", i64::from(index), 0, (16 >> log2) - 1)?;
    Ok(((index as u32) << (log2 + 1)) | (1 << log2))
}

fn split_imm8(imm8: u32) -> u32 {
    (imm8 >> 5) << 16 | (imm8 & 31) << 5
}

fn imm_of(op: Operand) -> i64 {
    match op {
        Operand::Imm(v) => v,
        _ => 0,
    }
}

/// The word for `ops` (already accepted by `form`) and the label it refers to, if any.
pub fn encode(
    mnemonic: &'static str,
    form: &Form,
    ops: &[Operand],
) -> Result<(u32, Option<(Label, A64Fixup)>), EmitError> {
    if let Some(reason) = unpredictable(mnemonic, form, ops) {
        return Err(invalid(mnemonic, reason));
    }
    let t = form.arr.unwrap_or(Arr::B8);
    let esize = 8i64 << t.size();
    let mut word = form.base;
    let mut fixup = None;
    // The register at the positions.
    let at =
        |num: u32, pos: u32| (0..32).filter(|b| pos >> b & 1 == 1).fold(0, |w, b| w | num << b);
    for (kind, &op) in form.ops.iter().zip(ops) {
        let imm = imm_of(op);
        word |= match (*kind, op) {
            (Kind::R(_, pos), op) => at(op.gpr_num().unwrap_or(0), pos),
            (Kind::Sh(wide, ror), op) => {
                let (num, shift, amount) = match op {
                    Operand::Shifted(s) => (u32::from(s.num), s.shift, s.amount),
                    other => (other.gpr_num().unwrap_or(0), Shift::Lsl, 0),
                };
                if shift == Shift::Ror && !ror {
                    return Err(invalid(
                        mnemonic,
                        "ror is only allowed on logical instructions".into(),
                    ));
                }
                let bits = if wide { 64 } else { 32 };
                range("shift amount", i64::from(amount), 0, bits - 1)?;
                (shift as u32) << 22 | num << 16 | amount << 10
            }
            (Kind::F(_, pos), Operand::Scalar(s)) => at(s.v.num(), pos),
            (Kind::V(_, pos), Operand::V(v)) => at(v.v.num(), pos),
            (Kind::Fe(_), Operand::Scalar(s)) => s.v.num(),
            (Kind::E(pos), Operand::Elem(e)) => at(e.v.num(), pos) | imm5(t.size(), e.index)? << 16,
            (Kind::E4, Operand::Elem(e)) => {
                imm5(t.size(), e.index)?;
                e.v.num() << 5 | u32::from(e.index) << (11 + t.size())
            }
            (Kind::DotElem, Operand::Elem(e)) => {
                let i = range("element index", i64::from(e.index), 0, 3)? as u32;
                e.v.num() << 16 | (i >> 1) << 11 | (i & 1) << 21
            }
            (Kind::List, Operand::List(l)) => {
                let opcode = match l.len() {
                    1 => 0b0111,
                    2 => 0b1010,
                    3 => 0b0110,
                    4 => 0b0010,
                    n => {
                        return Err(invalid(mnemonic, format!("{n} registers; lists hold 1 to 4")))
                    }
                };
                let first = l.regs().next().expect("a non-empty list");
                for (i, r) in l.regs().enumerate() {
                    if r.arr != first.arr || r.v.num() != (first.v.num() + i as u32) % 32 {
                        return Err(invalid(
                            mnemonic,
                            format!("{r} does not follow {first} consecutively in one arrangement"),
                        ));
                    }
                }
                opcode << 12 | first.v.num()
            }
            (Kind::AddImm, _) => {
                let (sh, imm12) = if (0..1 << 12).contains(&imm) {
                    (0, imm)
                } else if imm & 0xfff == 0 && (0..1 << 24).contains(&imm) {
                    (1, imm >> 12)
                } else {
                    return Err(EmitError::ImmediateOutOfRange {
                        what: "add/sub immediate (imm12, optionally shifted by 12)",
                        value: imm,
                        min: 0,
                        max: 0xfff << 12,
                    });
                };
                sh << 22 | (imm12 as u32) << 10
            }
            (Kind::Bitmask(width), _) => {
                let value = imm as u64;
                let (n, immr, imms) = bitmask(value, width.into())
                    .ok_or(EmitError::UnencodableBitmask { value, width: width.into() })?;
                n << 22 | immr << 16 | imms << 10
            }
            (Kind::U(lsb, max), _) => (range("immediate", imm, 0, max.into())? as u32) << lsb,
            (Kind::LslImm(width), _) => {
                let w = i64::from(width);
                let shift = range("shift amount", imm, 0, w - 1)?;
                (((w - shift) % w) as u32) << 16 | ((w - 1 - shift) as u32) << 10
            }
            (Kind::Hw(width), _) => {
                if imm % 16 != 0 || !(0..i64::from(width)).contains(&imm) {
                    return Err(invalid(
                        mnemonic,
                        format!("shift {imm} is not a multiple of 16 below {width}"),
                    ));
                }
                ((imm / 16) as u32) << 21
            }
            (Kind::ShrImm, _) => ((2 * esize - range("right shift", imm, 1, esize)?) as u32) << 16,
            (Kind::ShlImm, _) => ((esize + range("left shift", imm, 0, esize - 1)?) as u32) << 16,
            (Kind::ByteIdx, _) => (range("ext index", imm, 0, (8 << t.q()) - 1)? as u32) << 11,
            (Kind::Imm8, _) => split_imm8(range("movi immediate", imm, 0, 255)? as u32),
            (Kind::ByteMask, _) => {
                let mut imm8 = 0;
                for i in 0..8 {
                    match (imm as u64 >> (8 * i)) & 0xff {
                        0 => {}
                        0xff => imm8 |= 1 << i,
                        _ => {
                            return Err(invalid(
                                mnemonic,
                                format!("{:#x}: every byte must be 0x00 or 0xff", imm as u64),
                            ))
                        }
                    }
                }
                split_imm8(imm8)
            }
            (Kind::Bit(width), _) => {
                let bit = range("tested bit", imm, 0, i64::from(width) - 1)? as u32;
                (bit >> 5) << 31 | (bit & 31) << 19
            }
            (Kind::Cond, Operand::Cond(c)) => (c as u32) << 12,
            (Kind::CondSuffix, Operand::Cond(c)) => c as u32,
            (Kind::CondInv, Operand::Cond(c)) => {
                if c == Cond::Al {
                    return Err(invalid(mnemonic, "condition al has no inverse".into()));
                }
                (c.invert() as u32) << 12
            }
            (Kind::Zero | Kind::FZero, _) => 0,
            (Kind::Label(kind), Operand::Label(l)) => {
                fixup = Some((l, kind));
                0
            }
            (Kind::Off(scale), Operand::Addr(Addr::Offset(b, o))) => {
                let o = scaled("load/store offset", o, scale)?;
                range("load/store offset", o << scale, 0, 4095 << scale)?;
                (o as u32) << 10 | base_num(mnemonic, b)? << 5
            }
            (Kind::Pre | Kind::Post, Operand::Addr(Addr::Pre(b, o) | Addr::Post(b, o))) => {
                let o = range("pre/post-index offset", o, -256, 255)?;
                ((o as u32) & 0x1ff) << 12 | base_num(mnemonic, b)? << 5
            }
            (Kind::RegOff(_), Operand::Addr(Addr::Reg(b, i, s))) => {
                i.num() << 16 | u32::from(s) << 12 | base_num(mnemonic, b)? << 5
            }
            (
                Kind::PairOff(scale) | Kind::PairPre(scale) | Kind::PairPost(scale),
                Operand::Addr(Addr::Offset(b, o) | Addr::Pre(b, o) | Addr::Post(b, o)),
            ) => {
                let o = scaled("pair offset", o, scale)?;
                range("pair offset", o << scale, -64 << scale, 63 << scale)?;
                ((o as u32) & 0x7f) << 15 | base_num(mnemonic, b)? << 5
            }
            (Kind::ListBase, Operand::Addr(Addr::Offset(b, o))) => {
                if o != 0 {
                    return Err(invalid(mnemonic, format!("offset {o}: lists take [base] only")));
                }
                base_num(mnemonic, b)? << 5
            }
            (Kind::ListPost, Operand::Addr(Addr::Post(b, o))) => {
                let list = ops.iter().find_map(|op| match op {
                    Operand::List(l) => Some(l.len() as i64),
                    _ => None,
                });
                let bytes = list.unwrap_or(0) * (8 << t.q());
                if o != bytes {
                    return Err(invalid(
                        mnemonic,
                        format!("post-index #{o}: the list moves the base by #{bytes}"),
                    ));
                }
                1 << 23 | 31 << 16 | base_num(mnemonic, b)? << 5
            }
            (Kind::ListPostReg, Operand::Addr(Addr::Reg(b, i, _))) => {
                if i.num() == 31 {
                    return Err(invalid(mnemonic, "xzr cannot be a post-index register".into()));
                }
                1 << 23 | i.num() << 16 | base_num(mnemonic, b)? << 5
            }
            (kind, op) => return Err(invalid(mnemonic, format!("{op} does not fit {kind:?}"))),
        };
    }
    Ok((word, fixup))
}
