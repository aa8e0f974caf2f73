//! The shared encoder: any [`Form`] with its operands to bytes (prefixes, REX, VEX or EVEX,
//! opcode, ModRM, SIB, displacement, immediate), and the fixups for label references.

use super::form::{Alt, Enc, Form, Inst, Map, Mask, Role};
use super::operand::{Base, Masked, Mem, Operand};
use super::regs::K;
use crate::{CodeBuffer, EmitError, FixupKind};

/// How a reference to a label is patched once the label is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum X86Fixup {
    /// A signed byte relative to the end of the byte (short `jmp`/`jcc`). `head` is the number of
    /// instruction bytes before the field, so errors can name the instruction's offset.
    Rel8 {
        /// Bytes from the start of the instruction to the field.
        head: u8,
    },
    /// A signed 32-bit field relative to the end of the instruction, which ends `tail` bytes
    /// after the field (an imm8 after a RIP-relative disp32). The value already stored in the
    /// field is an addend (`Mem::label(l).disp(8)`).
    Rel32 {
        /// Bytes from the start of the instruction to the field.
        head: u8,
        /// Bytes of the instruction after the field.
        tail: u8,
    },
}

impl FixupKind for X86Fixup {
    fn patch(self, code: &mut [u8], at: usize, target: usize) -> Result<(), EmitError> {
        let (kind, width, head, tail, min, max) = match self {
            X86Fixup::Rel8 { head } => ("rel8", 1, head, 0, i8::MIN as i64, i8::MAX as i64),
            X86Fixup::Rel32 { head, tail } => {
                ("rel32", 4, head, tail, i32::MIN as i64, i32::MAX as i64)
            }
        };
        let addend = if width == 4 {
            i64::from(i32::from_le_bytes([code[at], code[at + 1], code[at + 2], code[at + 3]]))
        } else {
            0
        };
        let end = at + width + usize::from(tail);
        let distance = target as i64 - end as i64 + addend;
        if distance < min || distance > max {
            return Err(EmitError::BranchOutOfRange {
                kind,
                at: at - usize::from(head),
                target,
                distance,
                min,
                max,
            });
        }
        let bytes = distance.to_le_bytes();
        code[at..at + width].copy_from_slice(&bytes[..width]);
        Ok(())
    }
}

/// The r/m operand after role assignment.
#[derive(Clone, Copy)]
enum Rm {
    None,
    Reg(u8),
    Mem(Mem),
}

/// Operand fields after role assignment, before bytes are written.
struct Parts {
    reg: u8,
    rm: Rm,
    vvvv: u8,
    imm: i64,
    opreg: Option<u8>,
    cc: u8,
    /// An 8-bit operand is spl/bpl/sil/dil: needs a REX prefix even when it is 0x40.
    force_rex: bool,
    /// EVEX.aaa: the write mask register (0: none).
    aaa: u8,
    /// EVEX.z: zeroing-masking.
    zero: bool,
}

fn reg_num(op: &Operand) -> u8 {
    match op {
        Operand::R64(r) => r.num(),
        Operand::R32(r) => r.num(),
        Operand::R8(r) => r.num(),
        Operand::Xmm(r) => r.num(),
        Operand::Ymm(r) => r.num(),
        Operand::Zmm(r) => r.num(),
        Operand::K(r) => r.num(),
        Operand::Mem(_) | Operand::Imm(_) | Operand::Cond(_) | Operand::Masked(_) => 0,
    }
}

const fn fits_i8(v: i64) -> bool {
    v >= i8::MIN as i64 && v <= i8::MAX as i64
}

const fn fits_i32(v: i64) -> bool {
    v >= i32::MIN as i64 && v <= i32::MAX as i64
}

/// Check the operands against `form` (classes already match) and assign them to fields.
fn parts(inst: &Inst, form: &Form, ops: &[Operand]) -> Result<Parts, EmitError> {
    let mut p = Parts {
        reg: 0,
        rm: Rm::None,
        vvvv: 0,
        imm: 0,
        opreg: None,
        cc: 0,
        force_rex: false,
        aaa: 0,
        zero: false,
    };
    for ((kind, role), op) in form.ops.iter().zip(ops) {
        if let Operand::Masked(m) = op {
            write_mask(inst, form, m, &mut p)?;
        }
        let op = &op.unmasked();
        match op {
            Operand::Imm(value) => {
                if let Some((what, min, max)) = kind.imm_range() {
                    if *value < min || *value > max {
                        return Err(EmitError::ImmediateOutOfRange {
                            what,
                            value: *value,
                            min,
                            max,
                        });
                    }
                }
            }
            Operand::Mem(m) => m.validate(inst.mnemonic)?,
            Operand::R8(r) if (4..8).contains(&r.num()) => p.force_rex = true,
            _ => {}
        }
        match role {
            Role::Reg => p.reg = reg_num(op),
            Role::Rm => {
                p.rm = match op {
                    Operand::Mem(m) => Rm::Mem(*m),
                    _ => Rm::Reg(reg_num(op)),
                }
            }
            Role::Vvvv => p.vvvv = reg_num(op),
            Role::Imm => {
                if let Operand::Imm(v) = op {
                    p.imm = *v;
                }
            }
            Role::Is4 => p.imm = i64::from(reg_num(op) << 4),
            Role::OpReg => p.opreg = Some(reg_num(op)),
            Role::Cc => {
                if let Operand::Cond(c) = op {
                    p.cc = c.code();
                }
            }
            Role::Fixed => {}
        }
    }
    if let Some(digit) = form.digit {
        p.reg = digit;
    }
    Ok(p)
}

/// Check a write mask against the rules of [`Masked`](super::Masked) and record it.
fn write_mask(inst: &Inst, form: &Form, m: &Masked, p: &mut Parts) -> Result<(), EmitError> {
    let fail = |why: &str| {
        Err(EmitError::InvalidOperand { instruction: inst.mnemonic, reason: format!("{m}: {why}") })
    };
    if m.mask_reg() == K::K0 {
        return fail("k0 cannot be a write mask (mask number 0 means no masking); use k1..k7");
    }
    if m.zeroing() && matches!(m.target(), Operand::Mem(_)) {
        return fail("a memory destination cannot be zeroing-masked; drop the {z}");
    }
    if m.zeroing() && form.mask != Mask::Zero {
        return fail("this form only merges under a write mask; drop the {z}");
    }
    p.aaa = m.mask_reg().num();
    p.zero = m.zeroing();
    Ok(())
}

/// REX.X and REX.B (or VEX/EVEX.X/B, before inversion) for the r/m operand. A register r/m
/// puts its bit 4 (zmm16..zmm31, EVEX only) in X.
fn xb(rm: &Rm) -> (u8, u8) {
    match rm {
        Rm::None => (0, 0),
        Rm::Reg(r) => (r >> 4 & 1, r >> 3 & 1),
        Rm::Mem(m) => {
            let x = m.index.map_or(0, |i| i.num() >> 3);
            let b = match m.base {
                Base::Reg(r) => r.num() >> 3,
                _ => 0,
            };
            (x, b)
        }
    }
}

fn map_escape(map: Map) -> &'static [u8] {
    match map {
        Map::Base => &[],
        Map::M0F => &[0x0F],
        Map::M0F38 => &[0x0F, 0x38],
        Map::M0F3A => &[0x0F, 0x3A],
    }
}

fn pp(prefix: u8) -> u8 {
    match prefix {
        0x66 => 1,
        0xF3 => 2,
        0xF2 => 3,
        _ => 0,
    }
}

/// Write ModRM (with `reg` in bits 5:3), SIB and displacement for `rm`. `start` is the
/// instruction's offset and `tail` the bytes that will follow (the immediate), for RIP fixups.
/// A disp8 stands for `disp8 * n` (EVEX compressed displacement; `n` = 1 elsewhere), so it is
/// used only for multiples of `n`.
fn modrm(
    buf: &mut CodeBuffer<X86Fixup>,
    start: usize,
    reg: u8,
    rm: &Rm,
    tail: u8,
    n: i32,
) -> Result<(), EmitError> {
    let reg = (reg & 7) << 3;
    let m = match rm {
        Rm::None => return Ok(()),
        Rm::Reg(r) => {
            buf.put_u8(0xC0 | reg | (r & 7));
            return Ok(());
        }
        Rm::Mem(m) => m,
    };
    let scale_bits = match m.scale {
        1 => 0,
        2 => 1,
        4 => 2,
        _ => 3,
    };
    let index_bits = m.index.map_or(4, |i| i.num() & 7);
    let disp = m.disp;
    match m.base {
        Base::Rip => {
            buf.put_u8(reg | 0b101);
            buf.put_u32(disp as u32);
        }
        Base::Label(label) => {
            buf.put_u8(reg | 0b101);
            let at = buf.len();
            buf.put_u32(disp as u32);
            buf.refer(at, label, X86Fixup::Rel32 { head: (at - start) as u8, tail })?;
        }
        Base::None => {
            // mod=00 rm=100 with SIB base=101: disp32 and no base (rm=101 alone is RIP).
            buf.put_u8(reg | 0b100);
            buf.put_u8(scale_bits << 6 | index_bits << 3 | 0b101);
            buf.put_u32(disp as u32);
        }
        Base::Reg(base) => {
            let low = base.num() & 7;
            // rsp/r12 (low bits 100) can only be a base through SIB; rbp/r13 (101) with mod=00
            // would mean RIP/no base, so they take a zero disp8.
            let sib = m.index.is_some() || low == 0b100;
            let disp8 = (disp % n == 0).then_some(disp / n).filter(|d| fits_i8((*d).into()));
            let mode = if disp == 0 && low != 0b101 {
                0b00
            } else if disp8.is_some() {
                0b01
            } else {
                0b10
            };
            buf.put_u8(mode << 6 | reg | if sib { 0b100 } else { low });
            if sib {
                buf.put_u8(scale_bits << 6 | index_bits << 3 | low);
            }
            match (mode, disp8) {
                (0b01, Some(d)) => buf.put_u8(d as u8),
                (0b10, _) => buf.put_u32(disp as u32),
                _ => {}
            }
        }
    }
    Ok(())
}

fn put_imm(buf: &mut CodeBuffer<X86Fixup>, imm: i64, bytes: u8) {
    buf.put(&imm.to_le_bytes()[..usize::from(bytes)]);
}

/// Encode `inst` with `ops` in `form` (which [`Inst::select`] picked) into `buf`: check the
/// operands, write the bytes. Nothing is written when an error is returned.
pub(crate) fn encode(
    buf: &mut CodeBuffer<X86Fixup>,
    inst: &Inst,
    form: &Form,
    ops: &[Operand],
) -> Result<(), EmitError> {
    let mut p = parts(inst, form, ops)?;
    if let Rm::Mem(Mem { base: Base::Label(label), .. }) = p.rm {
        buf.label_offset(label)?; // a foreign label fails here, before any byte is written
    }
    let start = buf.len();
    match form.enc {
        Enc::Legacy => encode_legacy(buf, start, form, &mut p),
        Enc::Vex => encode_vex(buf, start, form, &mut p),
        Enc::Evex => encode_evex(buf, start, form, &p),
    }
}

fn encode_legacy(
    buf: &mut CodeBuffer<X86Fixup>,
    start: usize,
    form: &Form,
    p: &mut Parts,
) -> Result<(), EmitError> {
    let mut opcode = form.opcode;
    let mut imm_bytes = form.imm_bytes;
    for alt in form.alts {
        match (*alt, p.rm) {
            (Alt::Imm8(op), _) if fits_i8(p.imm) => {
                opcode = op;
                imm_bytes = 1;
            }
            (Alt::Acc(op), Rm::Reg(0)) => {
                opcode = op;
                p.rm = Rm::None;
            }
            (Alt::One(op), _) if p.imm == 1 => {
                opcode = op;
                imm_bytes = 0;
            }
            (Alt::Imm64(op), Rm::Reg(r)) if !fits_i32(p.imm) => {
                opcode = op;
                p.opreg = Some(r);
                p.rm = Rm::None;
                imm_bytes = 8;
            }
            _ => continue,
        }
        break;
    }
    let (x, mut b) = xb(&p.rm);
    if let Some(r) = p.opreg {
        b = r >> 3;
        opcode += r & 7;
    }
    let r = if matches!(p.rm, Rm::None) { 0 } else { p.reg >> 3 };
    let rex = 0x40 | u8::from(form.w) << 3 | r << 2 | x << 1 | b;
    if form.prefix != 0 {
        buf.put_u8(form.prefix);
    }
    if rex != 0x40 || p.force_rex {
        buf.put_u8(rex);
    }
    buf.put(map_escape(form.map));
    buf.put_u8(opcode + p.cc);
    modrm(buf, start, p.reg, &p.rm, imm_bytes, 1)?;
    put_imm(buf, p.imm, imm_bytes);
    Ok(())
}

fn encode_vex(
    buf: &mut CodeBuffer<X86Fixup>,
    start: usize,
    form: &Form,
    p: &mut Parts,
) -> Result<(), EmitError> {
    let (mut prefix, mut opcode) = (form.prefix, form.opcode);
    if let (Some((rev_prefix, rev_opcode)), Rm::Reg(src)) = (form.rev, p.rm) {
        // Only the source is extended: store direction, so VEX.R carries it (2-byte VEX).
        if p.reg < 8 && src >= 8 {
            p.rm = Rm::Reg(p.reg);
            p.reg = src;
            (prefix, opcode) = (rev_prefix, rev_opcode);
        }
    }
    let (x, b) = xb(&p.rm);
    let r = p.reg >> 3;
    let vvvv = !p.vvvv & 0xF;
    let tail = (form.l & 1) << 2 | pp(prefix);
    if form.map == Map::M0F && !form.w && x == 0 && b == 0 {
        buf.put(&[0xC5, (r ^ 1) << 7 | vvvv << 3 | tail]);
    } else {
        buf.put(&[
            0xC4,
            (r ^ 1) << 7 | (x ^ 1) << 6 | (b ^ 1) << 5 | vex_map(form.map),
            u8::from(form.w) << 7 | vvvv << 3 | tail,
        ]);
    }
    buf.put_u8(opcode);
    modrm(buf, start, p.reg, &p.rm, form.imm_bytes, 1)?;
    put_imm(buf, p.imm, form.imm_bytes);
    Ok(())
}

/// VEX.mmmmm / EVEX.mm: the opcode map number.
fn vex_map(map: Map) -> u8 {
    match map {
        Map::Base | Map::M0F => 1,
        Map::M0F38 => 2,
        Map::M0F3A => 3,
    }
}

/// The EVEX prefix (62, P0, P1, P2; register fields inverted), opcode, ModRM with disp8*N.
fn encode_evex(
    buf: &mut CodeBuffer<X86Fixup>,
    start: usize,
    form: &Form,
    p: &Parts,
) -> Result<(), EmitError> {
    let (x, b) = xb(&p.rm);
    let (r, r2) = (p.reg >> 3 & 1, p.reg >> 4 & 1);
    let (vvvv, v2) = (!p.vvvv & 0xF, !p.vvvv >> 4 & 1);
    let n = form.ops.iter().find_map(|(k, _)| k.mem_size()).map_or(1, |s| s.bytes().max(1));
    buf.put(&[
        0x62,
        (r ^ 1) << 7 | (x ^ 1) << 6 | (b ^ 1) << 5 | (r2 ^ 1) << 4 | vex_map(form.map),
        u8::from(form.w) << 7 | vvvv << 3 | 1 << 2 | pp(form.prefix),
        u8::from(p.zero) << 7 | form.l << 5 | v2 << 3 | p.aaa,
    ]);
    buf.put_u8(form.opcode);
    modrm(buf, start, p.reg, &p.rm, form.imm_bytes, n.into())?;
    put_imm(buf, p.imm, form.imm_bytes);
    Ok(())
}
