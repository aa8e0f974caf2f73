//! x86-64 encoder: general-purpose, BMI, AVX, AVX2 and AVX-512 (EVEX) instructions, labels and
//! branches.
//!
//! Instructions are data: [`defs`] lists every [`Inst`] (a mnemonic and its [`Form`]s: operand
//! kinds, where each goes, opcode fields), and one encoder writes any form. [`Assembler`] has one
//! method per instruction, named after it, taking `impl Into<`[`Operand`]`>` per operand (Intel
//! operand order: destination first); the operands pick the form, and an operand combination no
//! form accepts is an [`EmitError::InvalidOperand`]. Encodings match llvm-mc byte for byte,
//! including its choice among equivalent encodings (imm8 vs imm32, the `rax` short forms,
//! `movabs`, 2-byte VEX where possible, EVEX disp8*N).
//!
//! AVX-512 forms take [`Zmm`] registers (zmm0..zmm31) and opmask registers [`K`]; their xmm and
//! ymm operands (shift counts, broadcast sources, extracted halves) are registers 0..=15. A
//! destination may carry a write mask, as a [`Masked`] operand: `asm.vpaddb(Z1.mask(K1).zero(),
//! Z2, Z3)` is `vpaddb zmm1 {k1} {z}, zmm2, zmm3`.
//!
//! ```
//! use trinity_emit::x86_64::{Assembler, Cond, Gpr64::*, Mem, Ymm::*};
//! # fn main() -> Result<(), trinity_emit::EmitError> {
//! let mut asm = Assembler::new();
//! let top = asm.new_label();
//! asm.vpxor(Y0, Y0, Y0)?;
//! asm.align(16)?;
//! asm.bind(top)?;
//! asm.vmovdqu(Y1, Mem::base(Rdi).index(Rcx, 1))?;
//! asm.vpaddb(Y0, Y0, Y1)?;
//! asm.add(Rcx, 32)?;
//! asm.cmp(Rcx, Rdx)?;
//! asm.jcc(Cond::B, top)?;
//! asm.vzeroupper()?;
//! asm.ret()?;
//! let code = asm.finish()?;
//! assert_eq!(&code[..4], &[0xC5, 0xFD, 0xEF, 0xC0]); // vpxor ymm0, ymm0, ymm0
//! # Ok(())
//! # }
//! ```
//!
//! Every form names the CPU [`Features`] it needs. An assembler made with
//! [`Assembler::for_features`] refuses instructions beyond its set with
//! [`EmitError::FeatureNotAllowed`]: the kernel generators make theirs with their tier's set.
//!
//! Branches to labels choose their size automatically (`jmp`, `jcc`: rel8 for a bound label in
//! reach, otherwise rel32) or explicitly (`*_short`: rel8, checked at [`Assembler::finish`];
//! `*_near`: rel32). Memory operands may be RIP-relative to a label ([`Mem::label`]), for
//! constant tables placed in the code with [`Assembler::data`].

pub mod defs;
mod encode;
mod form;
mod operand;
mod regs;

pub use encode::X86Fixup;
pub use form::{Alt, Enc, Features, Form, Inst, Map, Mask, Role};
pub use operand::{Base, Kind, Masked, Mem, MemSize, Operand};
pub use regs::{Cond, Gpr32, Gpr64, Gpr8, Xmm, Ymm, Zmm, K};

use crate::{CodeBuffer, EmitError, Label};

/// The recommended multi-byte NOPs (Intel SDM vol. 2, NOP), as llvm-mc pads with them:
/// `NOPS[n - 1]` is the n-byte one. The 10-byte one adds a CS segment prefix.
const NOPS: [&[u8]; 10] = [
    &[0x90],
    &[0x66, 0x90],
    &[0x0F, 0x1F, 0x00],
    &[0x0F, 0x1F, 0x40, 0x00],
    &[0x0F, 0x1F, 0x44, 0x00, 0x00],
    &[0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00],
    &[0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00],
    &[0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    &[0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    &[0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

/// The largest alignment [`Assembler::align`] accepts.
pub const MAX_ALIGN: usize = 4096;

/// How a branch to a label is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BranchSize {
    /// rel8 when the label is already bound and within reach, otherwise rel32.
    Auto,
    /// rel8; [`Assembler::finish`] fails with [`EmitError::BranchOutOfRange`] if it cannot reach.
    Short,
    /// rel32.
    Near,
}

/// The branch instructions that take a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Branch {
    /// Unconditional jump.
    Jmp,
    /// Conditional jump.
    Jcc(Cond),
    /// Call (rel32 only).
    Call,
}

/// Builds x86-64 code: instructions, labels and data into a [`CodeBuffer`].
///
/// Every method returns `Result`; on error nothing is written, so the assembler stays usable.
/// The instruction methods (`mov`, `add`, `vpand`, ...) are listed in [`defs`].
#[derive(Debug, Clone, Default)]
pub struct Assembler {
    buf: CodeBuffer<X86Fixup>,
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

    /// Encode `inst` with `ops` (Intel order). The instruction methods all call this.
    pub fn emit(&mut self, inst: &Inst, ops: &[Operand]) -> Result<(), EmitError> {
        let form = inst.select(ops)?;
        form.features.allowed_in(self.allowed, inst.mnemonic)?;
        encode::encode(&mut self.buf, inst, form, ops)
    }

    /// `n` bytes of no-ops, as few instructions as possible (at most 10 bytes each).
    pub fn nops(&mut self, n: usize) {
        let mut left = n;
        while left > 0 {
            let chunk = left.min(NOPS.len());
            self.buf.put(NOPS[chunk - 1]);
            left -= chunk;
        }
    }

    /// Pad with no-ops to a multiple of `alignment` (a power of two up to [`MAX_ALIGN`]), e.g.
    /// before a loop head. Padding matches llvm-mc's `.p2align`.
    pub fn align(&mut self, alignment: usize) -> Result<(), EmitError> {
        if !alignment.is_power_of_two() || alignment > MAX_ALIGN {
            return Err(EmitError::InvalidOperand {
                instruction: "align",
                reason: format!("alignment {alignment} is not a power of two up to {MAX_ALIGN}"),
            });
        }
        let pad = self.offset().wrapping_neg() & (alignment - 1);
        self.nops(pad);
        Ok(())
    }

    /// A branch to `label` of the given size. The named methods (`jmp`, `jcc_short`, ...) call
    /// this.
    pub fn branch(
        &mut self,
        branch: Branch,
        label: Label,
        size: BranchSize,
    ) -> Result<(), EmitError> {
        let start = self.offset();
        let short = match (branch, size) {
            (Branch::Call, BranchSize::Short) => {
                return Err(EmitError::InvalidOperand {
                    instruction: "call",
                    reason: format!("call has no rel8 form (label {})", label.index()),
                })
            }
            (Branch::Call, _) | (_, BranchSize::Near) => false,
            (_, BranchSize::Short) => true,
            (_, BranchSize::Auto) => match self.buf.label_offset(label)? {
                Some(target) => i8::try_from(target as i64 - (start as i64 + 2)).is_ok(),
                None => false,
            },
        };
        // Fails for a foreign label before anything is written.
        self.buf.label_offset(label)?;
        let head: &[u8] = match (branch, short) {
            (Branch::Jmp, true) => &[0xEB],
            (Branch::Jcc(c), true) => &[0x70 + c.code()],
            (Branch::Jmp, false) => &[0xE9],
            (Branch::Call, _) => &[0xE8],
            (Branch::Jcc(c), false) => &[0x0F, 0x80 + c.code()],
        };
        self.buf.put(head);
        let at = self.offset();
        let head = head.len() as u8;
        if short {
            self.buf.put_u8(0);
            self.buf.refer(at, label, X86Fixup::Rel8 { head })
        } else {
            self.buf.put_u32(0);
            self.buf.refer(at, label, X86Fixup::Rel32 { head, tail: 0 })
        }
    }

    /// `jmp label`, rel8 when the label is bound and in reach, else rel32.
    pub fn jmp(&mut self, label: Label) -> Result<(), EmitError> {
        self.branch(Branch::Jmp, label, BranchSize::Auto)
    }

    /// `jmp label` with rel8 (range-checked at [`finish`](Self::finish)).
    pub fn jmp_short(&mut self, label: Label) -> Result<(), EmitError> {
        self.branch(Branch::Jmp, label, BranchSize::Short)
    }

    /// `jmp label` with rel32.
    pub fn jmp_near(&mut self, label: Label) -> Result<(), EmitError> {
        self.branch(Branch::Jmp, label, BranchSize::Near)
    }

    /// `jcc label`, rel8 when the label is bound and in reach, else rel32.
    pub fn jcc(&mut self, cond: Cond, label: Label) -> Result<(), EmitError> {
        self.branch(Branch::Jcc(cond), label, BranchSize::Auto)
    }

    /// `jcc label` with rel8 (range-checked at [`finish`](Self::finish)).
    pub fn jcc_short(&mut self, cond: Cond, label: Label) -> Result<(), EmitError> {
        self.branch(Branch::Jcc(cond), label, BranchSize::Short)
    }

    /// `jcc label` with rel32.
    pub fn jcc_near(&mut self, cond: Cond, label: Label) -> Result<(), EmitError> {
        self.branch(Branch::Jcc(cond), label, BranchSize::Near)
    }

    /// `call label` (rel32).
    pub fn call(&mut self, label: Label) -> Result<(), EmitError> {
        self.branch(Branch::Call, label, BranchSize::Near)
    }
}
