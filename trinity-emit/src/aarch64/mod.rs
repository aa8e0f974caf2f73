//! AArch64 (A64) encoder: general-purpose, load/store, branch, FP, NEON and DotProd
//! instructions.
//!
//! Instructions are data: [`defs`] lists every [`Inst`] (a mnemonic and its [`Form`]s: a base
//! word, operand [`Kind`]s that know their fields, the arrangement vector operands are relative
//! to, the CPU [`Features`] needed), and one encoder writes any form. [`Assembler`] has one
//! method per instruction, named after it, taking `impl Into<`[`Operand`]`>` per operand
//! (destination first); the operands pick the form (`add(X0, X1, 16)` is the immediate form,
//! `add(X0, X1, X2.lsl(3))` the shifted register, `add(V0.b16(), V1.b16(), V2.b16())` NEON),
//! and a combination no form accepts is an [`EmitError::InvalidOperand`]. Encodings match
//! llvm-mc word for word. [`Inst::text`] prints LLVM syntax from the same data.
//!
//! ```
//! use trinity_emit::aarch64::{Addr, Assembler, Cond, X0, X2, V0, V1};
//! # fn main() -> Result<(), trinity_emit::EmitError> {
//! let mut a = Assembler::new();
//! let top = a.new_label();
//! a.movi(V0.b16(), 0)?;
//! a.bind(top)?;
//! a.ld1(&[V1.b16()], Addr::post(X0, 16))?;
//! a.add(V0.b16(), V0.b16(), V1.b16())?;
//! a.subs(X2, X2, 1)?;
//! a.b_cond(Cond::Ne, top)?;
//! a.ret()?;
//! let code = a.finish()?;
//! assert_eq!(code.len(), 6 * 4);
//! assert_eq!(&code[20..], &[0xc0, 0x03, 0x5f, 0xd6]); // ret
//! # Ok(())
//! # }
//! ```
//!
//! An assembler made with [`Assembler::for_features`] refuses instructions beyond its set with
//! [`EmitError::FeatureNotAllowed`]: the kernel generators make theirs with their tier's set.

mod bitmask;
pub mod defs;
mod encode;
mod form;
mod operand;
mod regs;

pub use bitmask::bitmask;
pub use encode::unpredictable;
pub use form::{Features, Form, Gpr, Inst, Kind, Pos, Rel, A, D, M, N};
pub use operand::{Addr, Base, Operand, Shifted, VList};
pub use regs::*;

use crate::{CodeBuffer, EmitError, FixupKind};

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

/// An A64 assembler: instructions are appended in order; labels resolve in [`finish`](Self::finish).
///
/// Every method returns `Result`; on error nothing is written, so the assembler stays usable.
/// The instruction methods (`add`, `ldr`, `sdot`, ...) are listed in [`defs`].
#[derive(Debug, Clone, Default)]
pub struct Assembler {
    buf: CodeBuffer<A64Fixup>,
    /// The features instructions may use; `None` is every feature.
    allowed: Option<Features>,
}

impl Assembler {
    crate::buffer::assembler_buffer_methods!();

    /// An empty assembler that refuses instructions needing features outside `allowed` with
    /// [`EmitError::FeatureNotAllowed`].
    pub fn for_features(allowed: Features) -> Self {
        Assembler { allowed: Some(allowed), ..Self::default() }
    }

    /// Encode `inst` with `ops` (assembler order). The instruction methods all call this.
    pub fn emit(&mut self, inst: &Inst, ops: &[Operand]) -> Result<(), EmitError> {
        let form = inst.select(ops)?;
        form.features.allowed_in(self.allowed, inst.mnemonic)?;
        let (word, fixup) = encode::encode(inst.mnemonic, form, ops)?;
        if let Some((label, kind)) = fixup {
            let at = self.offset();
            self.buf.refer(at, label, kind)?;
        }
        self.word(word);
        Ok(())
    }

    /// Append one raw instruction word.
    pub fn word(&mut self, word: u32) {
        self.buf.put_u32(word);
    }

    /// Pad with `nop`s up to a multiple of `alignment` bytes (a power of two, at least 4).
    pub fn align(&mut self, alignment: usize) -> Result<(), EmitError> {
        if !alignment.is_power_of_two() || alignment < 4 || self.offset() % 4 != 0 {
            return Err(encode::invalid(
                "align",
                format!("alignment {alignment} at offset {}", self.offset()),
            ));
        }
        while self.offset() % alignment != 0 {
            self.nop()?;
        }
        Ok(())
    }

    /// Load any 64-bit constant into `rd` in as few instructions as these forms allow: one
    /// `orr` with a bitmask immediate, or `movz`/`movn` then `movk` for the other halfwords.
    pub fn mov_imm(&mut self, rd: X, value: u64) -> Result<(), EmitError> {
        if rd == XZR {
            return Err(encode::invalid("mov_imm", "the destination is xzr".into()));
        }
        let halves: Vec<u32> = (0..4).map(|i| ((value >> (16 * i)) & 0xffff) as u32).collect();
        let zeros = halves.iter().filter(|&&h| h == 0).count();
        let ones = halves.iter().filter(|&&h| h == 0xffff).count();
        if zeros < 3 && ones < 3 && bitmask(value, 64).is_some() {
            return self.orr(rd, XZR, value);
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
}
