//! How an instruction is described as data: an [`Inst`] is a mnemonic with a list of [`Form`]s,
//! and a form is the operand kinds, where each operand goes in the encoding ([`Role`]), and the
//! opcode fields. One shared encoder turns any form into bytes and one formatter into text.

use super::operand::{Kind, Operand};
use crate::EmitError;
use std::fmt::Write as _;

/// Where an operand goes in the encoding (the Intel manual's "Op/En" column, per operand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// ModRM.reg (extended by REX.R / VEX.R).
    Reg,
    /// ModRM.rm: a register, or memory through SIB and displacement (REX.B/X, VEX.B/X).
    Rm,
    /// VEX.vvvv, the extra (non-destructive) source.
    Vvvv,
    /// The immediate that follows ModRM.
    Imm,
    /// A register in bits 7:4 of a trailing imm8 (`vpblendvb`'s mask).
    Is4,
    /// Added to the low three bits of the opcode (`push r64`, `mov r32, imm32`).
    OpReg,
    /// A condition code added to the opcode (`setcc`, `cmovcc`).
    Cc,
    /// Implied by the opcode and not encoded (`cl` of `shl r/m64, cl`).
    Fixed,
}

/// The opcode map: the escape bytes before the opcode (or VEX.mmmmm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Map {
    /// One-byte opcodes (legacy only).
    Base,
    /// `0F`.
    M0F,
    /// `0F 38`.
    M0F38,
    /// `0F 3A`.
    M0F3A,
}

/// A shorter encoding of a legacy form, chosen when the operands allow it, as llvm-mc does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alt {
    /// When the immediate fits a signed byte: this opcode with an imm8 (`83 /d ib`).
    Imm8(u8),
    /// When the r/m operand is `rax`/`eax`: this opcode without ModRM (`05 id`).
    Acc(u8),
    /// When the immediate is 1: this opcode without an immediate (`D1 /d`).
    One(u8),
    /// When the immediate does not fit a signed 32-bit field: this opcode plus the register
    /// with an imm64 (`REX.W B8+r io`, llvm-mc's `movabs`). The only alt that makes code longer.
    Imm64(u8),
}

/// One encoding of an instruction for one combination of operand kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Form {
    /// The operands in Intel order: what each accepts and where it is encoded.
    pub ops: &'static [(Kind, Role)],
    /// VEX-encoded (otherwise legacy with optional REX).
    pub vex: bool,
    /// Mandatory prefix `0x66`, `0xF3` or `0xF2` (VEX: the pp field), or 0 for none.
    pub prefix: u8,
    /// Opcode map.
    pub map: Map,
    /// The opcode byte.
    pub opcode: u8,
    /// REX.W / VEX.W. VEX "WIG" forms are encoded with W=0, as llvm-mc does.
    pub w: bool,
    /// The ModRM.reg opcode extension (`/digit`), if any.
    pub digit: Option<u8>,
    /// Bytes of immediate that follow ModRM (before any [`Alt`] changes it).
    pub imm_bytes: u8,
    /// VEX.L: set when any operand is 256-bit.
    pub l: bool,
    /// Shorter encodings tried in order (legacy forms).
    pub alts: &'static [Alt],
    /// For register-to-register moves: the (prefix, opcode) of the same move with ModRM.reg and
    /// ModRM.rm swapped. llvm-mc uses it when only the source register is r8..r15, so that the
    /// 2-byte VEX prefix suffices; so do we.
    pub rev: Option<(u8, u8)>,
}

const fn imm_bytes_of(ops: &[(Kind, Role)]) -> u8 {
    let mut i = 0;
    while i < ops.len() {
        match ops[i] {
            (_, Role::Is4) => return 1,
            (Kind::I8 | Kind::U8 | Kind::Count(_), Role::Imm) => return 1,
            (Kind::I32 | Kind::I64, Role::Imm) => return 4,
            _ => {}
        }
        i += 1;
    }
    0
}

const fn any_256(ops: &[(Kind, Role)]) -> bool {
    let mut i = 0;
    while i < ops.len() {
        if ops[i].0.is_256() {
            return true;
        }
        i += 1;
    }
    false
}

impl Form {
    /// A legacy form with one-byte opcode `opcode`, no prefix, W=0.
    pub const fn legacy(ops: &'static [(Kind, Role)], opcode: u8) -> Form {
        Form {
            ops,
            vex: false,
            prefix: 0,
            map: Map::Base,
            opcode,
            w: false,
            digit: None,
            imm_bytes: imm_bytes_of(ops),
            l: false,
            alts: &[],
            rev: None,
        }
    }

    /// A VEX form: mandatory prefix (pp), map and opcode; W=0 (or WIG); L from the operands.
    pub const fn vex(ops: &'static [(Kind, Role)], prefix: u8, map: Map, opcode: u8) -> Form {
        Form { vex: true, prefix, map, l: any_256(ops), ..Form::legacy(ops, opcode) }
    }

    /// With REX.W / VEX.W set.
    pub const fn w(self) -> Form {
        Form { w: true, ..self }
    }

    /// With mandatory prefix `prefix`.
    pub const fn prefix(self, prefix: u8) -> Form {
        Form { prefix, ..self }
    }

    /// In opcode map `map`.
    pub const fn map(self, map: Map) -> Form {
        Form { map, ..self }
    }

    /// With opcode extension `/digit` in ModRM.reg.
    pub const fn digit(self, digit: u8) -> Form {
        Form { digit: Some(digit), ..self }
    }

    /// With shorter encodings `alts`.
    pub const fn alts(self, alts: &'static [Alt]) -> Form {
        Form { alts, ..self }
    }

    /// With the swapped-direction move `(prefix, opcode)`.
    pub const fn rev(self, prefix: u8, opcode: u8) -> Form {
        Form { rev: Some((prefix, opcode)), ..self }
    }

    /// Whether `ops` are of this form's operand classes (immediates not yet range-checked).
    pub fn accepts(&self, ops: &[Operand]) -> bool {
        self.ops.len() == ops.len() && self.ops.iter().zip(ops).all(|((k, _), op)| k.accepts(op))
    }

    /// The operand kinds as the manual writes them, e.g. `(ymm, ymm, ymm/m256)`.
    pub fn signature(&self) -> String {
        let kinds: Vec<String> = self.ops.iter().map(|(k, _)| k.to_string()).collect();
        format!("({})", kinds.join(", "))
    }
}

/// An instruction: its mnemonic and the forms it can be encoded in.
///
/// The forms of one instruction accept disjoint operand classes, so the operands alone pick the
/// form. Instructions whose mnemonic carries a condition (`setcc`, `cmovcc`) take a [`Kind::Cc`]
/// operand and print as `set` + suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inst {
    /// The mnemonic (for condition instructions, the part before the condition suffix).
    pub mnemonic: &'static str,
    /// Every form, in the order they are tried.
    pub forms: &'static [Form],
}

impl Inst {
    /// The form that accepts `ops`, or [`EmitError::InvalidOperand`] listing what would.
    pub fn select(&self, ops: &[Operand]) -> Result<&'static Form, EmitError> {
        if let Some(form) = self.forms.iter().find(|f| f.accepts(ops)) {
            // Forms differ in operand class except for memory size, which an unsized memory
            // operand leaves open; refuse to guess.
            let unsized_mem =
                ops.iter().any(|op| matches!(op, Operand::Mem(m) if m.size().is_none()));
            if unsized_mem {
                if let Some(other) =
                    self.forms.iter().find(|f| !std::ptr::eq(*f, form) && f.accepts(ops))
                {
                    return Err(EmitError::InvalidOperand {
                        instruction: self.mnemonic,
                        reason: format!(
                            "the memory operand size is ambiguous between {} and {}; give it one \
                             with Mem::sized (.byte(), .dword(), .qword())",
                            form.signature(),
                            other.signature()
                        ),
                    });
                }
            }
            return Ok(form);
        }
        let given: Vec<String> = ops.iter().map(|o| format!("{o} ({})", o.class())).collect();
        let wanted: Vec<String> = self.forms.iter().map(Form::signature).collect();
        Err(EmitError::InvalidOperand {
            instruction: self.mnemonic,
            reason: format!(
                "operands ({}) match none of the forms {}",
                given.join(", "),
                wanted.join(" ")
            ),
        })
    }

    /// Intel-syntax text of this instruction with `ops`, as llvm-mc and objdump accept it
    /// (`vpand ymm0, ymm1, ymmword ptr [rax + 32]`); memory sizes come from the form.
    pub fn intel(&self, ops: &[Operand]) -> Result<String, EmitError> {
        let form = self.select(ops)?;
        let mut text = String::from(self.mnemonic);
        let mut first = true;
        for ((kind, _), op) in form.ops.iter().zip(ops) {
            match op {
                Operand::Cond(c) => {
                    text.push_str(c.suffix());
                    continue;
                }
                _ if first => text.push(' '),
                _ => text.push_str(", "),
            }
            first = false;
            match (op, kind.mem_size()) {
                (Operand::Mem(m), Some(size)) => {
                    let _ = write!(text, "{}{m}", size.intel_ptr());
                }
                _ => {
                    let _ = write!(text, "{op}");
                }
            }
        }
        Ok(text)
    }
}
