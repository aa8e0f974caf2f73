//! AArch64 (A64) encoder: general-purpose, load/store, branch, NEON and DotProd instructions.
//!
//! Every A64 instruction is one 32-bit word: a fixed pattern with operand fields. Each group
//! of instructions is defined as data (a base word per mnemonic) and encoded by one routine
//! that packs the fields, so the shape of an encoding is written once. NEON instructions with
//! regular shapes are the [`neon`] table. Encodings are checked against llvm-mc in the tests.
//!
//! ```
//! use trinity_emit::aarch64::{neon, Addr, Assembler, Cond, X0, X1, X2, V0, V1, V2};
//! # fn main() -> Result<(), trinity_emit::EmitError> {
//! let mut a = Assembler::new();
//! let top = a.new_label();
//! a.movi(V0.b16(), 0)?;
//! a.bind(top)?;
//! a.ld1(&[V1.b16()], Addr::post(X0.try_into()?, 16))?;
//! a.neon3(&neon::ADD, V0.b16(), V0.b16(), V1.b16())?;
//! a.subs_imm(X2, X2.try_into()?, 1)?;
//! a.b_cond(Cond::Ne, top)?;
//! a.ret()?;
//! let code = a.finish()?;
//! assert_eq!(code.len(), 6 * 4);
//! assert_eq!(&code[20..], &[0xc0, 0x03, 0x5f, 0xd6]); // ret
//! # let _ = X1;
//! # Ok(())
//! # }
//! ```

mod bitmask;
pub mod neon;
mod regs;

pub use bitmask::bitmask;
pub use neon::{NeonOp, Shape};
pub use regs::*;

use crate::{CodeBuffer, EmitError, FixupKind, Label};

/// The branch and literal fixups of A64: where the offset field is and how far it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum A64Fixup {
    /// `b`, `bl`: imm26 words, ±128 MiB.
    Imm26,
    /// `b.cond`, `cbz`, `cbnz`, `ldr (literal)`: imm19 words, ±1 MiB.
    Imm19,
    /// `tbz`, `tbnz`: imm14 words, ±32 KiB.
    Imm14,
    /// `adr`: imm21 bytes, ±1 MiB.
    Adr,
}

impl A64Fixup {
    /// (bits of the field, scale in bytes, first bit, name)
    fn layout(self) -> (u32, i64, u32, &'static str) {
        match self {
            A64Fixup::Imm26 => (26, 4, 0, "b/bl (imm26)"),
            A64Fixup::Imm19 => (19, 4, 5, "b.cond/cbz/ldr literal (imm19)"),
            A64Fixup::Imm14 => (14, 4, 5, "tbz/tbnz (imm14)"),
            A64Fixup::Adr => (21, 1, 0, "adr (imm21)"),
        }
    }
}

impl FixupKind for A64Fixup {
    fn patch(self, code: &mut [u8], at: usize, target: usize) -> Result<(), EmitError> {
        let (bits, scale, shift, kind) = self.layout();
        let distance = target as i64 - at as i64;
        let max = ((1i64 << (bits - 1)) - 1) * scale;
        let min = -(1i64 << (bits - 1)) * scale;
        if distance < min || distance > max || distance % scale != 0 {
            return Err(EmitError::BranchOutOfRange { kind, at, target, distance, min, max });
        }
        let field = ((distance / scale) as u32) & ((1u32 << bits) - 1);
        let mut word = u32::from_le_bytes(code[at..at + 4].try_into().expect("4 bytes"));
        word |= match self {
            A64Fixup::Adr => ((field & 3) << 29) | ((field >> 2) << 5),
            _ => field << shift,
        };
        code[at..at + 4].copy_from_slice(&word.to_le_bytes());
        Ok(())
    }
}

/// An addressing mode for loads and stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addr {
    /// `[base, #offset]`.
    Offset(XSp, i64),
    /// `[base, #offset]!`: the base is updated before the access.
    Pre(XSp, i64),
    /// `[base], #offset`: the base is updated after the access.
    Post(XSp, i64),
    /// `[base, index]`, or `[base, index, lsl #size]` when the flag is set.
    Reg(XSp, X, bool),
}

impl Addr {
    /// `[base]`.
    pub fn base(base: XSp) -> Addr {
        Addr::Offset(base, 0)
    }
    /// `[base, #offset]`.
    pub fn offset(base: XSp, offset: i64) -> Addr {
        Addr::Offset(base, offset)
    }
    /// `[base, #offset]!`.
    pub fn pre(base: XSp, offset: i64) -> Addr {
        Addr::Pre(base, offset)
    }
    /// `[base], #offset`.
    pub fn post(base: XSp, offset: i64) -> Addr {
        Addr::Post(base, offset)
    }
    /// `[base, index]`.
    pub fn reg(base: XSp, index: X) -> Addr {
        Addr::Reg(base, index, false)
    }
    /// `[base, index, lsl #log2(access size)]`.
    pub fn reg_scaled(base: XSp, index: X) -> Addr {
        Addr::Reg(base, index, true)
    }

    fn base_reg(self) -> XSp {
        match self {
            Addr::Offset(b, _) | Addr::Pre(b, _) | Addr::Post(b, _) | Addr::Reg(b, _, _) => b,
        }
    }
}

/// The register a load or store transfers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rt {
    /// A 64-bit general register.
    X(X),
    /// A 32-bit general register.
    W(W),
    /// A SIMD&FP scalar (`b`, `h`, `s`, `d` or `q`).
    V(Scalar),
}

impl From<X> for Rt {
    fn from(r: X) -> Rt {
        Rt::X(r)
    }
}
impl From<W> for Rt {
    fn from(r: W) -> Rt {
        Rt::W(r)
    }
}
impl From<Scalar> for Rt {
    fn from(r: Scalar) -> Rt {
        Rt::V(r)
    }
}

impl Rt {
    fn num(self) -> u32 {
        match self {
            Rt::X(r) => r.num(),
            Rt::W(r) => r.num(),
            Rt::V(s) => s.v.num(),
        }
    }
    fn is_gpr(self) -> bool {
        !matches!(self, Rt::V(_))
    }
}

/// A load/store of one register: the unsigned-offset form's base word and the access size.
#[derive(Debug, Clone, Copy)]
struct LoadStore {
    mnemonic: &'static str,
    base: u32,
    log2_size: u32,
}

/// The pairs forms: (base word of the signed-offset form, log2 of the register size).
fn pair_base(rt: Rt, load: bool) -> Option<(u32, u32)> {
    let base = match rt {
        Rt::X(_) => (0xa900_0000, 3),
        Rt::V(Scalar { size: Size::D, .. }) => (0x6d00_0000, 3),
        Rt::V(Scalar { size: Size::Q, .. }) => (0xad00_0000, 4),
        _ => return None,
    };
    Some((base.0 | ((load as u32) << 22), base.1))
}

fn imm_range(what: &'static str, value: i64, min: i64, max: i64) -> Result<(), EmitError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(EmitError::ImmediateOutOfRange { what, value, min, max })
    }
}

fn invalid(instruction: &'static str, reason: String) -> EmitError {
    EmitError::InvalidOperand { instruction, reason }
}

/// Check that `arr` is among `allowed`.
fn check_arr(
    instruction: &'static str,
    what: &str,
    arr: Arr,
    allowed: &[Arr],
) -> Result<(), EmitError> {
    if allowed.contains(&arr) {
        Ok(())
    } else {
        let names: Vec<&str> = allowed.iter().map(|a| a.suffix()).collect();
        Err(invalid(
            instruction,
            format!("{what} arrangement .{} is not one of .{}", arr.suffix(), names.join(", .")),
        ))
    }
}

fn same_arr(instruction: &'static str, regs: &[VReg]) -> Result<(), EmitError> {
    for r in &regs[1..] {
        if r.arr != regs[0].arr {
            return Err(invalid(
                instruction,
                format!("{r} does not match the arrangement of {}", regs[0]),
            ));
        }
    }
    Ok(())
}

/// `imm5` selecting an element: the size as the lowest set bit, the index above it.
fn elem_imm5(instruction: &'static str, e: Elem) -> Result<u32, EmitError> {
    if e.size == Size::Q {
        return Err(invalid(instruction, format!("{e}: elements are b, h, s or d")));
    }
    let count = 16 >> e.size.log2();
    imm_range("element index", i64::from(e.index), 0, count - 1)?;
    Ok((u32::from(e.index) << (e.size.log2() + 1)) | (1 << e.size.log2()))
}

/// An A64 assembler: instructions are appended in order; labels resolve in [`finish`](Self::finish).
#[derive(Debug, Clone, Default)]
pub struct Assembler {
    buf: CodeBuffer<A64Fixup>,
}

impl Assembler {
    crate::buffer::assembler_buffer_methods!();

    /// Append one raw instruction word.
    pub fn word(&mut self, word: u32) {
        self.buf.put_u32(word);
    }

    /// Pad with `nop`s up to a multiple of `alignment` bytes (a power of two, at least 4).
    pub fn align(&mut self, alignment: usize) -> Result<(), EmitError> {
        if !alignment.is_power_of_two() || alignment < 4 || self.offset() % 4 != 0 {
            return Err(invalid(
                "align",
                format!("alignment {alignment} at offset {}", self.offset()),
            ));
        }
        while self.offset() % alignment != 0 {
            self.nop();
        }
        Ok(())
    }

    fn refer(&mut self, word: u32, label: Label, kind: A64Fixup) -> Result<(), EmitError> {
        let at = self.offset();
        self.buf.refer(at, label, kind)?;
        self.word(word);
        Ok(())
    }

    // ---- Data processing: arithmetic and logic -------------------------------------------

    fn addsub_imm<R: Gpr>(
        &mut self,
        base: u32,
        rd: u32,
        rn: u32,
        imm: u64,
    ) -> Result<(), EmitError> {
        let (sh, imm12) = if imm < 1 << 12 {
            (0, imm)
        } else if imm & 0xfff == 0 && imm < 1 << 24 {
            (1, imm >> 12)
        } else {
            return Err(EmitError::ImmediateOutOfRange {
                what: "add/sub immediate (imm12, optionally shifted by 12)",
                value: imm as i64,
                min: 0,
                max: 0xfff << 12,
            });
        };
        self.word(base | R::SF << 31 | sh << 22 | (imm12 as u32) << 10 | rn << 5 | rd);
        Ok(())
    }

    /// `add rd, rn, #imm` (imm12, or imm12 << 12); SP allowed for both registers.
    pub fn add_imm<R: Gpr>(&mut self, rd: R::Sp, rn: R::Sp, imm: u64) -> Result<(), EmitError> {
        self.addsub_imm::<R>(0x1100_0000, rd.num(), rn.num(), imm)
    }

    /// `sub rd, rn, #imm`; SP allowed for both registers.
    pub fn sub_imm<R: Gpr>(&mut self, rd: R::Sp, rn: R::Sp, imm: u64) -> Result<(), EmitError> {
        self.addsub_imm::<R>(0x5100_0000, rd.num(), rn.num(), imm)
    }

    /// `adds rd, rn, #imm` (flags); the destination is a zero-register type, `rn` may be SP.
    pub fn adds_imm<R: Gpr>(&mut self, rd: R, rn: R::Sp, imm: u64) -> Result<(), EmitError> {
        self.addsub_imm::<R>(0x3100_0000, rd.num(), rn.num(), imm)
    }

    /// `subs rd, rn, #imm` (flags).
    pub fn subs_imm<R: Gpr>(&mut self, rd: R, rn: R::Sp, imm: u64) -> Result<(), EmitError> {
        self.addsub_imm::<R>(0x7100_0000, rd.num(), rn.num(), imm)
    }

    /// `cmp rn, #imm` (`subs zr, rn, #imm`).
    pub fn cmp_imm<R: Gpr>(&mut self, rn: R::Sp, imm: u64) -> Result<(), EmitError> {
        self.addsub_imm::<R>(0x7100_0000, 31, rn.num(), imm)
    }

    fn shifted<R: Gpr>(
        &mut self,
        name: &'static str,
        base: u32,
        regs: [R; 3],
        shift: Shift,
        amount: u32,
        ror_ok: bool,
    ) -> Result<(), EmitError> {
        if shift == Shift::Ror && !ror_ok {
            return Err(invalid(name, "ror is only allowed on logical instructions".into()));
        }
        imm_range("shift amount", i64::from(amount), 0, i64::from(R::BITS) - 1)?;
        let [rd, rn, rm] = regs;
        self.word(
            base | R::SF << 31
                | (shift as u32) << 22
                | rm.num() << 16
                | amount << 10
                | rn.num() << 5
                | rd.num(),
        );
        Ok(())
    }

    /// Add, sub, adds or subs with a shifted register: `op rd, rn, rm, shift #amount`
    /// (`op` is one of [`ADD`], [`SUB`], [`ADDS`], [`SUBS`]).
    pub fn arith<R: Gpr>(
        &mut self,
        op: &ArithOp,
        rd: R,
        rn: R,
        rm: R,
        shift: Shift,
        amount: u32,
    ) -> Result<(), EmitError> {
        self.shifted(op.mnemonic, op.reg_base, [rd, rn, rm], shift, amount, false)
    }

    /// A logical operation with a shifted register: `op rd, rn, rm, shift #amount`.
    pub fn logic<R: Gpr>(
        &mut self,
        op: &LogicOp,
        rd: R,
        rn: R,
        rm: R,
        shift: Shift,
        amount: u32,
    ) -> Result<(), EmitError> {
        self.shifted(op.mnemonic, op.reg_base, [rd, rn, rm], shift, amount, true)
    }

    /// A logical operation with a bitmask immediate: `op rd, rn, #imm`. The destination may
    /// be SP except for `ands`; an unencodable value is [`EmitError::UnencodableBitmask`].
    pub fn logic_imm<R: Gpr>(
        &mut self,
        op: &LogicOp,
        rd: u32,
        rn: R,
        imm: u64,
    ) -> Result<(), EmitError> {
        let base = op.imm_base.ok_or_else(|| invalid(op.mnemonic, "no immediate form".into()))?;
        let (n, immr, imms) = bitmask(imm, R::BITS)
            .ok_or(EmitError::UnencodableBitmask { value: imm, width: R::BITS })?;
        imm_range("register number", i64::from(rd), 0, 31)?;
        self.word(base | R::SF << 31 | n << 22 | immr << 16 | imms << 10 | rn.num() << 5 | rd);
        Ok(())
    }

    /// `and rd, rn, #imm` with an SP-capable destination.
    pub fn and_imm<R: Gpr>(&mut self, rd: R::Sp, rn: R, imm: u64) -> Result<(), EmitError> {
        self.logic_imm(&AND, rd.num(), rn, imm)
    }

    /// `orr rd, rn, #imm` with an SP-capable destination.
    pub fn orr_imm<R: Gpr>(&mut self, rd: R::Sp, rn: R, imm: u64) -> Result<(), EmitError> {
        self.logic_imm(&ORR, rd.num(), rn, imm)
    }

    /// `eor rd, rn, #imm` with an SP-capable destination.
    pub fn eor_imm<R: Gpr>(&mut self, rd: R::Sp, rn: R, imm: u64) -> Result<(), EmitError> {
        self.logic_imm(&EOR, rd.num(), rn, imm)
    }

    /// `ands rd, rn, #imm` (flags).
    pub fn ands_imm<R: Gpr>(&mut self, rd: R, rn: R, imm: u64) -> Result<(), EmitError> {
        self.logic_imm(&ANDS, rd.num(), rn, imm)
    }

    /// `tst rn, #imm` (`ands zr, rn, #imm`).
    pub fn tst_imm<R: Gpr>(&mut self, rn: R, imm: u64) -> Result<(), EmitError> {
        self.logic_imm(&ANDS, 31, rn, imm)
    }

    /// `mov rd, rm` between general registers (`orr rd, zr, rm`).
    pub fn mov<R: Gpr>(&mut self, rd: R, rm: R) {
        self.word(ORR.reg_base | R::SF << 31 | rm.num() << 16 | 31 << 5 | rd.num());
    }

    /// `mov rd, rn` where either may be SP (`add rd, rn, #0`).
    pub fn mov_sp<R: Gpr>(&mut self, rd: R::Sp, rn: R::Sp) {
        self.word(0x1100_0000 | R::SF << 31 | rn.num() << 5 | rd.num());
    }

    fn madd_like<R: Gpr>(&mut self, base: u32, rd: R, rn: R, rm: R, ra: R) {
        self.word(base | R::SF << 31 | rm.num() << 16 | ra.num() << 10 | rn.num() << 5 | rd.num());
    }

    /// `madd rd, rn, rm, ra`: `rd = ra + rn * rm`.
    pub fn madd<R: Gpr>(&mut self, rd: R, rn: R, rm: R, ra: R) {
        self.madd_like(0x1b00_0000, rd, rn, rm, ra);
    }

    /// `msub rd, rn, rm, ra`: `rd = ra - rn * rm`.
    pub fn msub<R: Gpr>(&mut self, rd: R, rn: R, rm: R, ra: R) {
        self.madd_like(0x1b00_8000, rd, rn, rm, ra);
    }

    /// `clz rd, rn`: the number of leading zero bits.
    pub fn clz<R: Gpr>(&mut self, rd: R, rn: R) {
        self.word(0x5ac0_1000 | R::SF << 31 | rn.num() << 5 | rd.num());
    }

    /// `mul rd, rn, rm` (`madd rd, rn, rm, zr`).
    pub fn mul<R: Gpr>(&mut self, rd: R, rn: R, rm: R) {
        self.word(0x1b00_7c00 | R::SF << 31 | rm.num() << 16 | rn.num() << 5 | rd.num());
    }

    fn move_wide<R: Gpr>(
        &mut self,
        base: u32,
        rd: R,
        imm16: u32,
        shift: u32,
    ) -> Result<(), EmitError> {
        imm_range("move-wide immediate", i64::from(imm16), 0, 0xffff)?;
        if shift % 16 != 0 || shift >= R::BITS {
            return Err(invalid(
                "movz/movk/movn",
                format!("shift {shift} is not a multiple of 16 below {}", R::BITS),
            ));
        }
        self.word(base | R::SF << 31 | (shift / 16) << 21 | imm16 << 5 | rd.num());
        Ok(())
    }

    /// `movz rd, #imm16, lsl #shift`.
    pub fn movz<R: Gpr>(&mut self, rd: R, imm16: u32, shift: u32) -> Result<(), EmitError> {
        self.move_wide(0x5280_0000, rd, imm16, shift)
    }

    /// `movk rd, #imm16, lsl #shift`.
    pub fn movk<R: Gpr>(&mut self, rd: R, imm16: u32, shift: u32) -> Result<(), EmitError> {
        self.move_wide(0x7280_0000, rd, imm16, shift)
    }

    /// `movn rd, #imm16, lsl #shift`.
    pub fn movn<R: Gpr>(&mut self, rd: R, imm16: u32, shift: u32) -> Result<(), EmitError> {
        self.move_wide(0x1280_0000, rd, imm16, shift)
    }

    /// Load any 64-bit constant into `rd` in as few instructions as these forms allow: one
    /// `orr` with a bitmask immediate, or `movz`/`movn` then `movk` for the other halfwords.
    pub fn mov_imm(&mut self, rd: X, value: u64) -> Result<(), EmitError> {
        let rd_sp =
            XSp::try_from(rd).map_err(|_| invalid("mov_imm", "the destination is xzr".into()))?;
        let halves: Vec<u32> = (0..4).map(|i| ((value >> (16 * i)) & 0xffff) as u32).collect();
        let zeros = halves.iter().filter(|&&h| h == 0).count();
        let ones = halves.iter().filter(|&&h| h == 0xffff).count();
        if zeros < 3 && ones < 3 && bitmask(value, 64).is_some() {
            return self.orr_imm::<X>(rd_sp, XZR, value);
        }
        // Start from all zeros (movz) or all ones (movn), whichever leaves fewer halves to set.
        let inverted = ones > zeros;
        let fill = if inverted { 0xffff } else { 0 };
        let first = (0..4).find(|&i| halves[i] != fill).unwrap_or(0);
        let shift = 16 * first as u32;
        if inverted {
            self.movn(rd, !halves[first] & 0xffff, shift)?;
        } else {
            self.movz(rd, halves[first], shift)?;
        }
        for (i, &half) in halves.iter().enumerate().skip(first + 1) {
            if half != fill {
                self.movk(rd, half, 16 * i as u32)?;
            }
        }
        Ok(())
    }

    fn bitfield<R: Gpr>(&mut self, base: u32, rd: R, rn: R, immr: u32, imms: u32) {
        self.word(
            base | R::SF << 31 | R::SF << 22 | immr << 16 | imms << 10 | rn.num() << 5 | rd.num(),
        );
    }

    /// `lsl rd, rn, #shift` (an alias of `ubfm`).
    pub fn lsl_imm<R: Gpr>(&mut self, rd: R, rn: R, shift: u32) -> Result<(), EmitError> {
        imm_range("shift amount", i64::from(shift), 0, i64::from(R::BITS) - 1)?;
        self.bitfield(0x5300_0000, rd, rn, (R::BITS - shift) % R::BITS, R::BITS - 1 - shift);
        Ok(())
    }

    /// `lsr rd, rn, #shift` (an alias of `ubfm`).
    pub fn lsr_imm<R: Gpr>(&mut self, rd: R, rn: R, shift: u32) -> Result<(), EmitError> {
        imm_range("shift amount", i64::from(shift), 0, i64::from(R::BITS) - 1)?;
        self.bitfield(0x5300_0000, rd, rn, shift, R::BITS - 1);
        Ok(())
    }

    /// `asr rd, rn, #shift` (an alias of `sbfm`).
    pub fn asr_imm<R: Gpr>(&mut self, rd: R, rn: R, shift: u32) -> Result<(), EmitError> {
        imm_range("shift amount", i64::from(shift), 0, i64::from(R::BITS) - 1)?;
        self.bitfield(0x1300_0000, rd, rn, shift, R::BITS - 1);
        Ok(())
    }

    /// `lsl`/`lsr`/`asr`/`ror` by a register (`lslv` and friends).
    pub fn shift_reg<R: Gpr>(&mut self, shift: Shift, rd: R, rn: R, rm: R) {
        self.word(
            0x1ac0_2000
                | R::SF << 31
                | rm.num() << 16
                | (shift as u32) << 10
                | rn.num() << 5
                | rd.num(),
        );
    }

    fn cond_select<R: Gpr>(&mut self, base: u32, rd: R, rn: R, rm: R, cond: Cond) {
        self.word(
            base | R::SF << 31 | rm.num() << 16 | (cond as u32) << 12 | rn.num() << 5 | rd.num(),
        );
    }

    /// `csel rd, rn, rm, cond`.
    pub fn csel<R: Gpr>(&mut self, rd: R, rn: R, rm: R, cond: Cond) {
        self.cond_select(0x1a80_0000, rd, rn, rm, cond);
    }

    /// `csinc rd, rn, rm, cond`.
    pub fn csinc<R: Gpr>(&mut self, rd: R, rn: R, rm: R, cond: Cond) {
        self.cond_select(0x1a80_0400, rd, rn, rm, cond);
    }

    /// `csneg rd, rn, rm, cond`.
    pub fn csneg<R: Gpr>(&mut self, rd: R, rn: R, rm: R, cond: Cond) {
        self.cond_select(0x5a80_0400, rd, rn, rm, cond);
    }

    fn invertible(name: &'static str, cond: Cond) -> Result<Cond, EmitError> {
        if cond == Cond::Al {
            Err(invalid(name, "condition al has no inverse".into()))
        } else {
            Ok(cond.invert())
        }
    }

    /// `cset rd, cond`: 1 if `cond` holds, else 0.
    pub fn cset<R: Gpr>(&mut self, rd: R, cond: Cond, zr: R) -> Result<(), EmitError> {
        let inv = Self::invertible("cset", cond)?;
        self.csinc(rd, zr, zr, inv);
        Ok(())
    }

    /// `cneg rd, rn, cond`: `-rn` if `cond` holds, else `rn`.
    pub fn cneg<R: Gpr>(&mut self, rd: R, rn: R, cond: Cond) -> Result<(), EmitError> {
        let inv = Self::invertible("cneg", cond)?;
        self.csneg(rd, rn, rn, inv);
        Ok(())
    }

    // ---- Loads and stores -------------------------------------------------------------------

    fn load_store(
        &mut self,
        ls: LoadStore,
        rt: u32,
        rt_is_gpr: bool,
        addr: Addr,
    ) -> Result<(), EmitError> {
        let n = addr.base_reg().num();
        let scale = ls.log2_size;
        let unscaled = ls.base & !0x0100_0000;
        let word = match addr {
            Addr::Offset(_, offset) => {
                if offset % (1 << scale) != 0 {
                    return Err(EmitError::Misaligned {
                        what: "load/store offset",
                        value: offset,
                        multiple: 1 << scale,
                    });
                }
                imm_range("load/store offset", offset, 0, 4095 << scale)?;
                ls.base | ((offset >> scale) as u32) << 10 | n << 5 | rt
            }
            Addr::Pre(_, offset) | Addr::Post(_, offset) => {
                imm_range("pre/post-index offset", offset, -256, 255)?;
                if rt_is_gpr && rt == n && n != 31 {
                    return Err(invalid(
                        ls.mnemonic,
                        format!("writeback base x{n} is also the transferred register"),
                    ));
                }
                let mode = if matches!(addr, Addr::Pre(..)) { 3 } else { 1 };
                unscaled | ((offset as u32) & 0x1ff) << 12 | mode << 10 | n << 5 | rt
            }
            Addr::Reg(_, index, shifted) => {
                unscaled
                    | 1 << 21
                    | index.num() << 16
                    | 0b011 << 13
                    | (shifted as u32) << 12
                    | 0b10 << 10
                    | n << 5
                    | rt
            }
        };
        self.word(word);
        Ok(())
    }

    fn ls_for(rt: Rt, load: bool) -> LoadStore {
        let (mnemonic, base, log2_size) = match (rt, load) {
            (Rt::X(_), false) => ("str", 0xf900_0000, 3),
            (Rt::X(_), true) => ("ldr", 0xf940_0000, 3),
            (Rt::W(_), false) => ("str", 0xb900_0000, 2),
            (Rt::W(_), true) => ("ldr", 0xb940_0000, 2),
            (Rt::V(s), load) => {
                let (store, size) = match s.size {
                    Size::B => (0x3d00_0000, 0),
                    Size::H => (0x7d00_0000, 1),
                    Size::S => (0xbd00_0000, 2),
                    Size::D => (0xfd00_0000, 3),
                    Size::Q => (0x3d80_0000, 4),
                };
                (if load { "ldr" } else { "str" }, store | (load as u32) << 22, size)
            }
        };
        LoadStore { mnemonic, base, log2_size }
    }

    /// `ldr rt, addr` for X, W and SIMD&FP scalars (B, H, S, D, Q).
    pub fn ldr(&mut self, rt: impl Into<Rt>, addr: Addr) -> Result<(), EmitError> {
        let rt = rt.into();
        self.load_store(Self::ls_for(rt, true), rt.num(), rt.is_gpr(), addr)
    }

    /// `str rt, addr` for X, W and SIMD&FP scalars (B, H, S, D, Q).
    pub fn str(&mut self, rt: impl Into<Rt>, addr: Addr) -> Result<(), EmitError> {
        let rt = rt.into();
        self.load_store(Self::ls_for(rt, false), rt.num(), rt.is_gpr(), addr)
    }

    /// `ldrb wt, addr` (zero-extending byte load).
    pub fn ldrb(&mut self, rt: W, addr: Addr) -> Result<(), EmitError> {
        self.load_store(
            LoadStore { mnemonic: "ldrb", base: 0x3940_0000, log2_size: 0 },
            rt.num(),
            true,
            addr,
        )
    }

    /// `strb wt, addr`.
    pub fn strb(&mut self, rt: W, addr: Addr) -> Result<(), EmitError> {
        self.load_store(
            LoadStore { mnemonic: "strb", base: 0x3900_0000, log2_size: 0 },
            rt.num(),
            true,
            addr,
        )
    }

    /// `ldrh wt, addr`.
    pub fn ldrh(&mut self, rt: W, addr: Addr) -> Result<(), EmitError> {
        self.load_store(
            LoadStore { mnemonic: "ldrh", base: 0x7940_0000, log2_size: 1 },
            rt.num(),
            true,
            addr,
        )
    }

    /// `strh wt, addr`.
    pub fn strh(&mut self, rt: W, addr: Addr) -> Result<(), EmitError> {
        self.load_store(
            LoadStore { mnemonic: "strh", base: 0x7900_0000, log2_size: 1 },
            rt.num(),
            true,
            addr,
        )
    }

    /// `ldrsb rt, addr` (sign-extending byte load into X or W).
    pub fn ldrsb(&mut self, rt: impl Into<Rt>, addr: Addr) -> Result<(), EmitError> {
        let (base, num) = match rt.into() {
            Rt::X(r) => (0x3980_0000, r.num()),
            Rt::W(r) => (0x39c0_0000, r.num()),
            Rt::V(s) => return Err(invalid("ldrsb", format!("{s} is not a general register"))),
        };
        self.load_store(LoadStore { mnemonic: "ldrsb", base, log2_size: 0 }, num, true, addr)
    }

    fn pair(&mut self, load: bool, rt1: Rt, rt2: Rt, addr: Addr) -> Result<(), EmitError> {
        let name = if load { "ldp" } else { "stp" };
        let same_class = std::mem::discriminant(&rt1) == std::mem::discriminant(&rt2)
            && match (rt1, rt2) {
                (Rt::V(a), Rt::V(b)) => a.size == b.size,
                _ => true,
            };
        let (base, scale) = pair_base(rt1, load).filter(|_| same_class).ok_or_else(|| {
            invalid(name, format!("{rt1:?} and {rt2:?}: pairs are two X, two D or two Q registers"))
        })?;
        if load && rt1.num() == rt2.num() {
            return Err(invalid(name, format!("both loaded registers are number {}", rt1.num())));
        }
        let (n, offset, mode) = match addr {
            Addr::Offset(b, o) => (b.num(), o, 2),
            Addr::Pre(b, o) => (b.num(), o, 3),
            Addr::Post(b, o) => (b.num(), o, 1),
            Addr::Reg(..) => return Err(invalid(name, "pairs take no register offset".into())),
        };
        if mode != 2 && rt1.is_gpr() && n != 31 && (rt1.num() == n || rt2.num() == n) {
            return Err(invalid(
                name,
                format!("writeback base x{n} is also a transferred register"),
            ));
        }
        if offset % (1 << scale) != 0 {
            return Err(EmitError::Misaligned {
                what: "pair offset",
                value: offset,
                multiple: 1 << scale,
            });
        }
        imm_range("pair offset", offset, -64 << scale, 63 << scale)?;
        let imm7 = ((offset >> scale) as u32) & 0x7f;
        let word =
            (base & !(3 << 23)) | mode << 23 | imm7 << 15 | rt2.num() << 10 | n << 5 | rt1.num();
        self.word(word);
        Ok(())
    }

    /// `ldp rt1, rt2, addr` for two X, D or Q registers (offset, pre- or post-index).
    pub fn ldp(
        &mut self,
        rt1: impl Into<Rt>,
        rt2: impl Into<Rt>,
        addr: Addr,
    ) -> Result<(), EmitError> {
        self.pair(true, rt1.into(), rt2.into(), addr)
    }

    /// `stp rt1, rt2, addr` for two X, D or Q registers (offset, pre- or post-index).
    pub fn stp(
        &mut self,
        rt1: impl Into<Rt>,
        rt2: impl Into<Rt>,
        addr: Addr,
    ) -> Result<(), EmitError> {
        self.pair(false, rt1.into(), rt2.into(), addr)
    }

    fn multiple(&mut self, load: bool, regs: &[VReg], addr: Addr) -> Result<(), EmitError> {
        let name = if load { "ld1" } else { "st1" };
        let opcode = match regs.len() {
            1 => 0b0111,
            2 => 0b1010,
            3 => 0b0110,
            4 => 0b0010,
            n => return Err(invalid(name, format!("{n} registers; ld1/st1 take 1 to 4"))),
        };
        same_arr(name, regs)?;
        for (i, r) in regs.iter().enumerate() {
            if r.v.num() != (regs[0].v.num() + i as u32) % 32 {
                return Err(invalid(
                    name,
                    format!("{r} does not follow {} consecutively", regs[0]),
                ));
            }
        }
        let arr = regs[0].arr;
        let bytes = regs.len() as i64 * if arr.q() == 1 { 16 } else { 8 };
        let base = if load { 0x0c40_0000 } else { 0x0c00_0000 };
        let (n, post) = match addr {
            Addr::Offset(b, 0) => (b.num(), None),
            Addr::Post(b, imm) if imm == bytes => (b.num(), Some(31)),
            Addr::Reg(b, m, false) if m != XZR => (b.num(), Some(m.num())),
            other => {
                return Err(invalid(
                    name,
                    format!("{other:?}: use [base], or post-index by #{bytes} or a register"),
                ))
            }
        };
        let post_bits = post.map_or(0, |m| 1 << 23 | m << 16);
        self.word(
            base | arr.q() << 30
                | post_bits
                | opcode << 12
                | arr.size() << 10
                | n << 5
                | regs[0].v.num(),
        );
        Ok(())
    }

    /// `ld1 {regs}, addr`: 1 to 4 consecutive registers of one arrangement; `addr` is
    /// [`Addr::base`], [`Addr::post`] by the bytes loaded, or [`Addr::reg`] (post-index by a
    /// register).
    pub fn ld1(&mut self, regs: &[VReg], addr: Addr) -> Result<(), EmitError> {
        self.multiple(true, regs, addr)
    }

    /// `st1 {regs}, addr`, as [`ld1`](Self::ld1).
    pub fn st1(&mut self, regs: &[VReg], addr: Addr) -> Result<(), EmitError> {
        self.multiple(false, regs, addr)
    }

    /// `ldr rt, label` (PC-relative literal load) for X, W, S, D and Q registers.
    pub fn ldr_literal(&mut self, rt: impl Into<Rt>, label: Label) -> Result<(), EmitError> {
        let rt = rt.into();
        let base = match rt {
            Rt::W(_) => 0x1800_0000,
            Rt::X(_) => 0x5800_0000,
            Rt::V(Scalar { size: Size::S, .. }) => 0x1c00_0000,
            Rt::V(Scalar { size: Size::D, .. }) => 0x5c00_0000,
            Rt::V(Scalar { size: Size::Q, .. }) => 0x9c00_0000,
            Rt::V(s) => {
                return Err(invalid(
                    "ldr (literal)",
                    format!("{s}: literal loads are w, x, s, d or q"),
                ))
            }
        };
        self.refer(base | rt.num(), label, A64Fixup::Imm19)
    }

    /// `adr xd, label`.
    pub fn adr(&mut self, rd: X, label: Label) -> Result<(), EmitError> {
        self.refer(0x1000_0000 | rd.num(), label, A64Fixup::Adr)
    }

    // ---- Branches -------------------------------------------------------------------------

    /// `b label`.
    pub fn b(&mut self, label: Label) -> Result<(), EmitError> {
        self.refer(0x1400_0000, label, A64Fixup::Imm26)
    }

    /// `bl label`.
    pub fn bl(&mut self, label: Label) -> Result<(), EmitError> {
        self.refer(0x9400_0000, label, A64Fixup::Imm26)
    }

    /// `b.cond label`.
    pub fn b_cond(&mut self, cond: Cond, label: Label) -> Result<(), EmitError> {
        self.refer(0x5400_0000 | cond as u32, label, A64Fixup::Imm19)
    }

    /// `cbz rt, label`.
    pub fn cbz<R: Gpr>(&mut self, rt: R, label: Label) -> Result<(), EmitError> {
        self.refer(0x3400_0000 | R::SF << 31 | rt.num(), label, A64Fixup::Imm19)
    }

    /// `cbnz rt, label`.
    pub fn cbnz<R: Gpr>(&mut self, rt: R, label: Label) -> Result<(), EmitError> {
        self.refer(0x3500_0000 | R::SF << 31 | rt.num(), label, A64Fixup::Imm19)
    }

    fn test_bit<R: Gpr>(
        &mut self,
        base: u32,
        rt: R,
        bit: u32,
        label: Label,
    ) -> Result<(), EmitError> {
        imm_range("tested bit", i64::from(bit), 0, i64::from(R::BITS) - 1)?;
        self.refer(base | (bit >> 5) << 31 | (bit & 31) << 19 | rt.num(), label, A64Fixup::Imm14)
    }

    /// `tbz rt, #bit, label`.
    pub fn tbz<R: Gpr>(&mut self, rt: R, bit: u32, label: Label) -> Result<(), EmitError> {
        self.test_bit(0x3600_0000, rt, bit, label)
    }

    /// `tbnz rt, #bit, label`.
    pub fn tbnz<R: Gpr>(&mut self, rt: R, bit: u32, label: Label) -> Result<(), EmitError> {
        self.test_bit(0x3700_0000, rt, bit, label)
    }

    /// `ret` (to x30).
    pub fn ret(&mut self) -> Result<(), EmitError> {
        self.ret_to(X30);
        Ok(())
    }

    /// `ret xn`.
    pub fn ret_to(&mut self, rn: X) {
        self.word(0xd65f_0000 | rn.num() << 5);
    }

    /// `br xn`.
    pub fn br(&mut self, rn: X) {
        self.word(0xd61f_0000 | rn.num() << 5);
    }

    /// `blr xn`.
    pub fn blr(&mut self, rn: X) {
        self.word(0xd63f_0000 | rn.num() << 5);
    }

    /// `svc #imm16`.
    pub fn svc(&mut self, imm16: u32) -> Result<(), EmitError> {
        imm_range("svc immediate", i64::from(imm16), 0, 0xffff)?;
        self.word(0xd400_0001 | imm16 << 5);
        Ok(())
    }

    /// `brk #imm16`.
    pub fn brk(&mut self, imm16: u32) -> Result<(), EmitError> {
        imm_range("brk immediate", i64::from(imm16), 0, 0xffff)?;
        self.word(0xd420_0000 | imm16 << 5);
        Ok(())
    }

    /// `nop`.
    pub fn nop(&mut self) {
        self.word(0xd503_201f);
    }

    // ---- NEON -------------------------------------------------------------------------------

    /// A three-register NEON op ([`Shape::Same3`], [`Shape::Long3`], [`Shape::Wide3`],
    /// [`Shape::Dot`]).
    pub fn neon3(&mut self, op: &NeonOp, d: VReg, n: VReg, m: VReg) -> Result<(), EmitError> {
        let name = op.mnemonic;
        let size = match op.shape {
            Shape::Same3(arrs) => {
                check_arr(name, "the", d.arr, arrs)?;
                same_arr(name, &[d, n, m])?;
                d.arr.size()
            }
            Shape::Long3(arrs) => {
                check_arr(name, "the source", n.arr, arrs)?;
                same_arr(name, &[n, m])?;
                let long = n.arr.long().expect("narrow arrangements widen");
                check_arr(name, "the destination", d.arr, &[long])?;
                n.arr.size()
            }
            Shape::Wide3(arrs) => {
                check_arr(name, "the narrow source", m.arr, arrs)?;
                let long = m.arr.long().expect("narrow arrangements widen");
                check_arr(name, "the destination", d.arr, &[long])?;
                same_arr(name, &[d, n])?;
                m.arr.size()
            }
            Shape::Dot => {
                check_arr(name, "the destination", d.arr, &[Arr::S2, Arr::S4])?;
                let src = if d.arr == Arr::S4 { Arr::B16 } else { Arr::B8 };
                check_arr(name, "the source", n.arr, &[src])?;
                same_arr(name, &[n, m])?;
                0
            }
            other => {
                return Err(invalid(
                    name,
                    format!("{other:?} does not take three vector registers"),
                ))
            }
        };
        // Long and wide forms take Q from the narrow source (the `2` variants).
        let q = match op.shape {
            Shape::Long3(_) => n.arr.q(),
            Shape::Wide3(_) => m.arr.q(),
            _ => d.arr.q(),
        };
        self.word(op.base | q << 30 | size << 22 | m.v.num() << 16 | n.v.num() << 5 | d.v.num());
        Ok(())
    }

    /// A two-register NEON op ([`Shape::Same2`], [`Shape::Zero2`], [`Shape::Pairwise`],
    /// [`Shape::Narrow`], [`Shape::Extend`]).
    pub fn neon2(&mut self, op: &NeonOp, d: VReg, n: VReg) -> Result<(), EmitError> {
        let name = op.mnemonic;
        let (q, field) = match op.shape {
            Shape::Same2(arrs) | Shape::Zero2(arrs) => {
                check_arr(name, "the", d.arr, arrs)?;
                same_arr(name, &[d, n])?;
                (d.arr.q(), d.arr.size() << 22)
            }
            Shape::Pairwise(arrs) => {
                check_arr(name, "the source", n.arr, arrs)?;
                check_arr(name, "the destination", d.arr, &[n.arr.widened().expect("widens")])?;
                (n.arr.q(), n.arr.size() << 22)
            }
            Shape::Narrow(arrs) => {
                check_arr(name, "the destination", d.arr, arrs)?;
                check_arr(
                    name,
                    "the source",
                    n.arr,
                    &[d.arr.long().expect("narrow arrangements widen")],
                )?;
                (d.arr.q(), d.arr.size() << 22)
            }
            Shape::Extend(arrs) => {
                check_arr(name, "the source", n.arr, arrs)?;
                check_arr(name, "the destination", d.arr, &[n.arr.long().expect("widens")])?;
                // sshll/ushll #0: immh holds the source element size.
                (n.arr.q(), (8u32 << n.arr.size()) << 16)
            }
            other => {
                return Err(invalid(name, format!("{other:?} does not take two vector registers")))
            }
        };
        self.word(op.base | q << 30 | field | n.v.num() << 5 | d.v.num());
        Ok(())
    }

    /// A reduction across lanes ([`Shape::Across`]): `op d, Vn.T`.
    pub fn neon_across(&mut self, op: &NeonOp, d: Scalar, n: VReg) -> Result<(), EmitError> {
        let Shape::Across { arrs, widen } = op.shape else {
            return Err(invalid(
                op.mnemonic,
                format!("{:?} is not a reduction across lanes", op.shape),
            ));
        };
        check_arr(op.mnemonic, "the source", n.arr, arrs)?;
        let want = n.arr.size() + widen as u32;
        if d.size.log2() != want {
            return Err(invalid(
                op.mnemonic,
                format!(
                    "{d}: the result of .{} is {}-sized",
                    n.arr.suffix(),
                    ['b', 'h', 's', 'd'][want as usize]
                ),
            ));
        }
        self.word(op.base | n.arr.q() << 30 | n.arr.size() << 22 | n.v.num() << 5 | d.v.num());
        Ok(())
    }

    /// A shift by immediate ([`Shape::ShiftRight`]: 1..=element bits, [`Shape::ShiftLeft`]:
    /// 0..element bits).
    pub fn neon_shift(
        &mut self,
        op: &NeonOp,
        d: VReg,
        n: VReg,
        shift: u32,
    ) -> Result<(), EmitError> {
        let esize = 8u32 << d.arr.size();
        let immhb = match op.shape {
            Shape::ShiftRight(arrs) => {
                check_arr(op.mnemonic, "the", d.arr, arrs)?;
                imm_range("right shift", i64::from(shift), 1, i64::from(esize))?;
                2 * esize - shift
            }
            Shape::ShiftLeft(arrs) => {
                check_arr(op.mnemonic, "the", d.arr, arrs)?;
                imm_range("left shift", i64::from(shift), 0, i64::from(esize) - 1)?;
                esize + shift
            }
            other => {
                return Err(invalid(op.mnemonic, format!("{other:?} is not a shift by immediate")))
            }
        };
        same_arr(op.mnemonic, &[d, n])?;
        self.word(op.base | d.arr.q() << 30 | immhb << 16 | n.v.num() << 5 | d.v.num());
        Ok(())
    }

    /// Dot product by element ([`Shape::DotElem`]): `op Vd.S, Vn.B, Vm.4b[index]`.
    pub fn neon_dot_elem(
        &mut self,
        op: &NeonOp,
        d: VReg,
        n: VReg,
        m: V,
        index: u8,
    ) -> Result<(), EmitError> {
        if op.shape != Shape::DotElem {
            return Err(invalid(
                op.mnemonic,
                format!("{:?} is not a by-element dot product", op.shape),
            ));
        }
        check_arr(op.mnemonic, "the destination", d.arr, &[Arr::S2, Arr::S4])?;
        let src = if d.arr == Arr::S4 { Arr::B16 } else { Arr::B8 };
        check_arr(op.mnemonic, "the source", n.arr, &[src])?;
        imm_range("element index", i64::from(index), 0, 3)?;
        let (h, l) = (u32::from(index) >> 1, u32::from(index) & 1);
        self.word(
            op.base
                | d.arr.q() << 30
                | l << 21
                | m.num() << 16
                | h << 11
                | n.v.num() << 5
                | d.v.num(),
        );
        Ok(())
    }

    /// `ext Vd.T, Vn.T, Vm.T, #index` (T is `8b` or `16b`; index below the byte count).
    pub fn ext(&mut self, d: VReg, n: VReg, m: VReg, index: u32) -> Result<(), EmitError> {
        check_arr("ext", "the", d.arr, neon::BYTES)?;
        same_arr("ext", &[d, n, m])?;
        imm_range("ext index", i64::from(index), 0, if d.arr.q() == 1 { 15 } else { 7 })?;
        self.word(
            0x2e00_0000
                | d.arr.q() << 30
                | m.v.num() << 16
                | index << 11
                | n.v.num() << 5
                | d.v.num(),
        );
        Ok(())
    }

    /// `dup Vd.T, Vn.<size>[index]`.
    pub fn dup_elem(&mut self, d: VReg, n: Elem) -> Result<(), EmitError> {
        if d.arr == Arr::D1 || d.arr.size() != n.size.log2() {
            return Err(invalid("dup", format!("{d} cannot hold copies of {n}")));
        }
        let imm5 = elem_imm5("dup", n)?;
        self.word(0x0e00_0400 | d.arr.q() << 30 | imm5 << 16 | n.v.num() << 5 | d.v.num());
        Ok(())
    }

    /// `dup Vd.T, rn` from a general register (W for byte/half/word elements, X for `2d`).
    pub fn dup_gpr(&mut self, d: VReg, rn: Rt) -> Result<(), EmitError> {
        let ok = match rn {
            Rt::W(_) => d.arr.size() < 3,
            Rt::X(_) => d.arr == Arr::D2,
            Rt::V(_) => false,
        };
        if !ok || d.arr == Arr::D1 {
            return Err(invalid("dup", format!("{d} cannot be filled from {rn:?}")));
        }
        self.word(
            0x0e00_0c00 | d.arr.q() << 30 | (1 << d.arr.size()) << 16 | rn.num() << 5 | d.v.num(),
        );
        Ok(())
    }

    /// `movi Vd.T, #imm8` for byte arrangements (every byte set to `imm8`).
    pub fn movi(&mut self, d: VReg, imm8: u32) -> Result<(), EmitError> {
        check_arr("movi", "the", d.arr, neon::BYTES)?;
        imm_range("movi immediate", i64::from(imm8), 0, 255)?;
        self.word(0x0f00_e400 | d.arr.q() << 30 | (imm8 >> 5) << 16 | (imm8 & 31) << 5 | d.v.num());
        Ok(())
    }

    /// `movi Vd.2d, #mask`: every byte of `mask` must be 0x00 or 0xff.
    pub fn movi_2d(&mut self, d: VReg, mask: u64) -> Result<(), EmitError> {
        check_arr("movi", "the", d.arr, &[Arr::D2])?;
        let mut imm8 = 0u32;
        for i in 0..8 {
            match (mask >> (8 * i)) & 0xff {
                0 => {}
                0xff => imm8 |= 1 << i,
                _ => {
                    return Err(invalid(
                        "movi",
                        format!("{mask:#x}: every byte must be 0x00 or 0xff"),
                    ))
                }
            }
        }
        self.word(0x6f00_e400 | (imm8 >> 5) << 16 | (imm8 & 31) << 5 | d.v.num());
        Ok(())
    }

    /// `umov rd, Vn.<size>[index]` (W for b/h/s elements, X for d).
    pub fn umov(&mut self, rd: Rt, n: Elem) -> Result<(), EmitError> {
        let q = match (rd, n.size) {
            (Rt::W(_), Size::B | Size::H | Size::S) => 0,
            (Rt::X(_), Size::D) => 1,
            _ => return Err(invalid("umov", format!("{rd:?} cannot receive {n}"))),
        };
        let imm5 = elem_imm5("umov", n)?;
        self.word(0x0e00_3c00 | q << 30 | imm5 << 16 | n.v.num() << 5 | rd.num());
        Ok(())
    }

    /// `smov rd, Vn.<size>[index]` (sign-extending: b/h into W or X, s into X).
    pub fn smov(&mut self, rd: Rt, n: Elem) -> Result<(), EmitError> {
        let q = match (rd, n.size) {
            (Rt::W(_), Size::B | Size::H) => 0,
            (Rt::X(_), Size::B | Size::H | Size::S) => 1,
            _ => return Err(invalid("smov", format!("{rd:?} cannot receive {n}"))),
        };
        let imm5 = elem_imm5("smov", n)?;
        self.word(0x0e00_2c00 | q << 30 | imm5 << 16 | n.v.num() << 5 | rd.num());
        Ok(())
    }

    /// `ins Vd.<size>[index], rn` (W for b/h/s elements, X for d).
    pub fn ins_gpr(&mut self, d: Elem, rn: Rt) -> Result<(), EmitError> {
        let ok =
            matches!((rn, d.size), (Rt::W(_), Size::B | Size::H | Size::S) | (Rt::X(_), Size::D));
        if !ok {
            return Err(invalid("ins", format!("{d} cannot be set from {rn:?}")));
        }
        let imm5 = elem_imm5("ins", d)?;
        self.word(0x4e00_1c00 | imm5 << 16 | rn.num() << 5 | d.v.num());
        Ok(())
    }

    /// `ins Vd.<size>[i], Vn.<size>[j]`.
    pub fn ins_elem(&mut self, d: Elem, n: Elem) -> Result<(), EmitError> {
        if d.size != n.size {
            return Err(invalid("ins", format!("{d} and {n} differ in size")));
        }
        let imm5 = elem_imm5("ins", d)?;
        elem_imm5("ins", n)?;
        let imm4 = u32::from(n.index) << n.size.log2();
        self.word(0x6e00_0400 | imm5 << 16 | imm4 << 11 | n.v.num() << 5 | d.v.num());
        Ok(())
    }

    /// `addp dd, Vn.2d`: the sum of the two doublewords.
    pub fn addp_scalar(&mut self, d: Scalar, n: VReg) -> Result<(), EmitError> {
        if d.size != Size::D || n.arr != Arr::D2 {
            return Err(invalid("addp", format!("{d}, {n}: the scalar form is addp dN, vM.2d")));
        }
        self.word(0x5ef1_b800 | n.v.num() << 5 | d.v.num());
        Ok(())
    }

    fn double(name: &'static str, regs: &[Scalar]) -> Result<(), EmitError> {
        match regs.iter().find(|r| r.size != Size::D) {
            Some(r) => Err(invalid(name, format!("{r} is not a d register"))),
            None => Ok(()),
        }
    }

    /// `fmov dd, xn`.
    pub fn fmov_from_gpr(&mut self, d: Scalar, rn: X) -> Result<(), EmitError> {
        Self::double("fmov", &[d])?;
        self.word(0x9e67_0000 | rn.num() << 5 | d.v.num());
        Ok(())
    }

    /// `fmov xd, dn`.
    pub fn fmov_to_gpr(&mut self, rd: X, n: Scalar) -> Result<(), EmitError> {
        Self::double("fmov", &[n])?;
        self.word(0x9e66_0000 | n.v.num() << 5 | rd.num());
        Ok(())
    }

    /// A double-precision operation: `fmov`/`fsqrt` take `d, n`; `fadd`/`fmul`/`fdiv` take
    /// `d, n, m`; see [`FpOp`].
    pub fn fp(
        &mut self,
        op: FpOp,
        d: Scalar,
        n: Scalar,
        m: Option<Scalar>,
    ) -> Result<(), EmitError> {
        let name = op.mnemonic();
        let m = match (op.binary(), m) {
            (true, Some(m)) => m,
            (false, None) => V0.d(),
            _ => return Err(invalid(name, format!("wrong operand count for {name}"))),
        };
        Self::double(name, &[d, n, m])?;
        self.word(op.base() | m.v.num() << 16 | n.v.num() << 5 | d.v.num());
        Ok(())
    }

    /// `scvtf dd, xn`: signed integer to double.
    pub fn scvtf(&mut self, d: Scalar, rn: X) -> Result<(), EmitError> {
        Self::double("scvtf", &[d])?;
        self.word(0x9e62_0000 | rn.num() << 5 | d.v.num());
        Ok(())
    }

    /// `fcmp dn, dm`, or `fcmp dn, #0.0` when `m` is `None`.
    pub fn fcmp(&mut self, n: Scalar, m: Option<Scalar>) -> Result<(), EmitError> {
        Self::double("fcmp", &[n])?;
        match m {
            Some(m) => {
                Self::double("fcmp", &[m])?;
                self.word(0x1e60_2000 | m.v.num() << 16 | n.v.num() << 5);
            }
            None => self.word(0x1e60_2008 | n.v.num() << 5),
        }
        Ok(())
    }
}

/// Double-precision scalar operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FpOp {
    /// `fmov dd, dn`.
    Fmov,
    /// `fsqrt dd, dn`.
    Fsqrt,
    /// `fadd dd, dn, dm`.
    Fadd,
    /// `fmul dd, dn, dm`.
    Fmul,
    /// `fdiv dd, dn, dm`.
    Fdiv,
}

impl FpOp {
    /// Every operation.
    pub const ALL: [FpOp; 5] = [FpOp::Fmov, FpOp::Fsqrt, FpOp::Fadd, FpOp::Fmul, FpOp::Fdiv];

    /// The mnemonic.
    pub fn mnemonic(self) -> &'static str {
        ["fmov", "fsqrt", "fadd", "fmul", "fdiv"][self as usize]
    }

    /// Whether it takes two sources.
    pub fn binary(self) -> bool {
        matches!(self, FpOp::Fadd | FpOp::Fmul | FpOp::Fdiv)
    }

    fn base(self) -> u32 {
        [0x1e60_4000, 0x1e61_c000, 0x1e60_2800, 0x1e60_0800, 0x1e60_1800][self as usize]
    }
}

/// An add/sub instruction with shifted-register form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArithOp {
    /// The mnemonic.
    pub mnemonic: &'static str,
    /// Base word of the shifted-register form.
    pub reg_base: u32,
}

/// `add` (shifted register).
pub const ADD: ArithOp = ArithOp { mnemonic: "add", reg_base: 0x0b00_0000 };
/// `adds` (shifted register).
pub const ADDS: ArithOp = ArithOp { mnemonic: "adds", reg_base: 0x2b00_0000 };
/// `sub` (shifted register).
pub const SUB: ArithOp = ArithOp { mnemonic: "sub", reg_base: 0x4b00_0000 };
/// `subs` (shifted register).
pub const SUBS: ArithOp = ArithOp { mnemonic: "subs", reg_base: 0x6b00_0000 };
/// Every add/sub op.
pub const ARITH_OPS: [ArithOp; 4] = [ADD, ADDS, SUB, SUBS];

/// A logical instruction: shifted-register form, and bitmask-immediate form where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicOp {
    /// The mnemonic.
    pub mnemonic: &'static str,
    /// Base word of the shifted-register form.
    pub reg_base: u32,
    /// Base word of the immediate form.
    pub imm_base: Option<u32>,
}

/// `and`.
pub const AND: LogicOp =
    LogicOp { mnemonic: "and", reg_base: 0x0a00_0000, imm_base: Some(0x1200_0000) };
/// `orr`.
pub const ORR: LogicOp =
    LogicOp { mnemonic: "orr", reg_base: 0x2a00_0000, imm_base: Some(0x3200_0000) };
/// `eor`.
pub const EOR: LogicOp =
    LogicOp { mnemonic: "eor", reg_base: 0x4a00_0000, imm_base: Some(0x5200_0000) };
/// `ands`.
pub const ANDS: LogicOp =
    LogicOp { mnemonic: "ands", reg_base: 0x6a00_0000, imm_base: Some(0x7200_0000) };
/// `bic`.
pub const BIC: LogicOp = LogicOp { mnemonic: "bic", reg_base: 0x0a20_0000, imm_base: None };
/// `orn`.
pub const ORN: LogicOp = LogicOp { mnemonic: "orn", reg_base: 0x2a20_0000, imm_base: None };
/// `eon`.
pub const EON: LogicOp = LogicOp { mnemonic: "eon", reg_base: 0x4a20_0000, imm_base: None };
/// `bics`.
pub const BICS: LogicOp = LogicOp { mnemonic: "bics", reg_base: 0x6a20_0000, imm_base: None };
/// Every logical op.
pub const LOGIC_OPS: [LogicOp; 8] = [AND, ORR, EOR, ANDS, BIC, ORN, EON, BICS];
