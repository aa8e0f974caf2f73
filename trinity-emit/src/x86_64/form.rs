//! How an instruction is described as data: an [`Inst`] is a mnemonic with a list of [`Form`]s,
//! and a form is the operand kinds, where each operand goes in the encoding ([`Role`]), the
//! opcode fields and the CPU [`Features`] it needs. One shared encoder turns any form into bytes
//! and one formatter into text.

use super::operand::{Kind, Operand};
use crate::EmitError;
use std::fmt::Write as _;

crate::features::feature_set! {
    /// A set of CPU features beyond baseline x86-64 (which includes CMOV, SSE and SSE2). The
    /// names are those of `is_x86_feature_detected!`.
    Features(u16), base: "Baseline x86-64 only.";
    /// AVX: VEX encoding, 256-bit registers, 128-bit integer and all floating-point VEX forms.
    AVX = 0, "avx";
    /// AVX2: 256-bit integer operations, broadcasts, variable shifts, cross-lane permutes.
    AVX2 = 1, "avx2";
    /// `popcnt`.
    POPCNT = 2, "popcnt";
    /// `lzcnt` (ABM).
    LZCNT = 3, "lzcnt";
    /// BMI1: `andn`, `blsr`, `tzcnt`, ...
    BMI1 = 4, "bmi1";
    /// BMI2: `bzhi`, `shlx`, `shrx`, ...
    BMI2 = 5, "bmi2";
    /// AVX-512 Foundation: EVEX encoding, zmm and opmask registers, 32/64-bit element operations
    /// (every AVX-512 instruction needs it).
    AVX512F = 6, "avx512f";
    /// AVX-512 byte and word element operations and 32/64-bit opmasks.
    AVX512BW = 7, "avx512bw";
    /// AVX-512 operations on xmm and ymm registers (EVEX.128/256).
    AVX512VL = 8, "avx512vl";
    /// `vpopcntd`, `vpopcntq`.
    AVX512VPOPCNTDQ = 9, "avx512vpopcntdq";
    /// `vpopcntb`, `vpopcntw` (and bit shuffles).
    AVX512BITALG = 10, "avx512bitalg";
}

/// Where an operand goes in the encoding (the Intel manual's "Op/En" column, per operand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// ModRM.reg (extended by REX.R / VEX.R).
    Reg,
    /// ModRM.rm: a register, or memory through SIB and displacement (REX.B/X, VEX.B/X).
    Rm,
    /// VEX/EVEX.vvvv (EVEX.V' for registers 16..=31), the extra (non-destructive) source.
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

/// How a form is encoded: the prefix family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Enc {
    /// Legacy prefixes with an optional REX.
    Legacy,
    /// The 2- or 3-byte VEX prefix (AVX, AVX2, BMI, opmask instructions).
    Vex,
    /// The 4-byte EVEX prefix (AVX-512): 32 vector registers, write masks, disp8*N.
    Evex,
}

/// Which write masks the first operand of an EVEX form takes (see [`Masked`]).
///
/// [`Masked`]: super::Masked
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mask {
    /// None: a masked operand does not match the form.
    None,
    /// Merging only, `{k}` (stores, compares into `k`).
    Merge,
    /// Merging `{k}` or zeroing `{k} {z}`; zeroing still needs a register destination.
    Zero,
}

/// One encoding of an instruction for one combination of operand kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Form {
    /// The operands in Intel order: what each accepts and where it is encoded.
    pub ops: &'static [(Kind, Role)],
    /// Legacy, VEX or EVEX.
    pub enc: Enc,
    /// Mandatory prefix `0x66`, `0xF3` or `0xF2` (VEX/EVEX: the pp field), or 0 for none.
    pub prefix: u8,
    /// Opcode map.
    pub map: Map,
    /// The opcode byte.
    pub opcode: u8,
    /// REX.W / VEX.W / EVEX.W. "WIG" forms are encoded with W=0, as llvm-mc does.
    pub w: bool,
    /// The ModRM.reg opcode extension (`/digit`), if any.
    pub digit: Option<u8>,
    /// Bytes of immediate that follow ModRM (before any [`Alt`] changes it).
    pub imm_bytes: u8,
    /// The vector length (VEX.L, EVEX.L'L): 0, 1 or 2 for 128, 256 or 512 bits, from the widest
    /// vector operand.
    pub l: u8,
    /// The write masks the first operand takes (EVEX forms; [`Mask::None`] elsewhere).
    pub mask: Mask,
    /// Shorter encodings tried in order (legacy forms).
    pub alts: &'static [Alt],
    /// For register-to-register moves: the (prefix, opcode) of the same move with ModRM.reg and
    /// ModRM.rm swapped. llvm-mc uses it when only the source register is r8..r15, so that the
    /// 2-byte VEX prefix suffices; so do we.
    pub rev: Option<(u8, u8)>,
    /// The CPU features the form needs: derived from the encoding by the constructors (see
    /// [`Form::vex`], [`Form::evex`]), with the exceptions stated in the table.
    pub features: Features,
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

const fn widest(ops: &[(Kind, Role)]) -> u8 {
    let (mut i, mut l) = (0, 0);
    while i < ops.len() {
        if ops[i].0.vl() > l {
            l = ops[i].0.vl();
        }
        i += 1;
    }
    l
}

const fn has_opmask(ops: &[(Kind, Role)]) -> bool {
    let mut i = 0;
    while i < ops.len() {
        if matches!(ops[i].0, Kind::K | Kind::Km(_)) {
            return true;
        }
        i += 1;
    }
    false
}

impl Form {
    /// A legacy form with one-byte opcode `opcode`, no prefix, W=0, needing baseline x86-64
    /// only (`popcnt` and the like state theirs with [`Form::needs`]).
    pub const fn legacy(ops: &'static [(Kind, Role)], opcode: u8) -> Form {
        Form {
            ops,
            enc: Enc::Legacy,
            prefix: 0,
            map: Map::Base,
            opcode,
            w: false,
            digit: None,
            imm_bytes: imm_bytes_of(ops),
            l: 0,
            mask: Mask::None,
            alts: &[],
            rev: None,
            features: Features::BASE,
        }
    }

    /// A VEX form: mandatory prefix (pp), map and opcode; W=0 (or WIG); L from the operands.
    /// It needs AVX512F when it has opmask operands, else AVX2 when 256-bit (integer
    /// operations), else AVX; the table states the exceptions ([`Form::avx`], [`Form::avx2`],
    /// [`Form::only`]).
    pub const fn vex(ops: &'static [(Kind, Role)], prefix: u8, map: Map, opcode: u8) -> Form {
        let l = widest(ops);
        let features = if has_opmask(ops) {
            Features::AVX512F
        } else if l == 1 {
            Features::AVX2
        } else {
            Features::AVX
        };
        Form { enc: Enc::Vex, prefix, map, l, features, ..Form::legacy(ops, opcode) }
    }

    /// An EVEX form: like [`Form::vex`], and the first operand takes a write mask: merging
    /// only when it is memory or an opmask register (as the architecture allows), else merging
    /// or zeroing. Memory operands use disp8*N with N their size (full-vector, tuple and
    /// half/quarter-vector operands alike, as long as there is no broadcast). It needs AVX512F,
    /// and AVX512VL below 512 bits; byte and word operations add [`Form::bw`].
    pub const fn evex(ops: &'static [(Kind, Role)], prefix: u8, map: Map, opcode: u8) -> Form {
        let mask = match ops[0].0 {
            Kind::M(_) | Kind::K => Mask::Merge,
            _ => Mask::Zero,
        };
        let vex = Form::vex(ops, prefix, map, opcode);
        let features =
            if vex.l < 2 { Features::AVX512F.with(Features::AVX512VL) } else { Features::AVX512F };
        Form { enc: Enc::Evex, mask, features, ..vex }
    }

    /// Also needing `features`.
    pub const fn needs(self, features: Features) -> Form {
        Form { features: self.features.with(features), ..self }
    }

    /// Needing exactly `features`, not what the encoding implies (`andn` is VEX but BMI1).
    pub const fn only(self, features: Features) -> Form {
        Form { features, ..self }
    }

    /// Needing AVX only: a 256-bit VEX form from AVX (moves, `vptest`, floating point).
    pub const fn avx(self) -> Form {
        self.only(Features::AVX)
    }

    /// Needing AVX2 even at 128 bits (broadcasts, `vpblendd`, variable shifts).
    pub const fn avx2(self) -> Form {
        self.only(Features::AVX2)
    }

    /// Also needing AVX512BW: an EVEX byte or word operation, or a 32/64-bit opmask one.
    pub const fn bw(self) -> Form {
        self.needs(Features::AVX512BW)
    }

    /// With vector length `l` where the operands do not imply it (`kandq` is VEX.L1).
    pub const fn l(self, l: u8) -> Form {
        Form { l, ..self }
    }

    /// Without write masks (`vpmovb2m`, `vpmovm2b`).
    pub const fn unmasked(self) -> Form {
        Form { mask: Mask::None, ..self }
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

    /// Whether `ops` are of this form's operand classes (immediates not yet range-checked, nor
    /// the rules of [`Masked`](super::Masked) beyond where a mask may stand).
    pub fn accepts(&self, ops: &[Operand]) -> bool {
        self.ops.len() == ops.len()
            && self.ops.iter().zip(ops).enumerate().all(|(i, ((k, _), op))| match op {
                Operand::Masked(m) => i == 0 && self.mask != Mask::None && k.accepts(&m.target()),
                _ => k.accepts(op),
            })
    }

    /// The operand kinds as the manual writes them, e.g. `(ymm, ymm, ymm/m256)` or
    /// `(zmm {k}{z}, zmm, zmm/m512)`.
    pub fn signature(&self) -> String {
        let mut kinds: Vec<String> = self.ops.iter().map(|(k, _)| k.to_string()).collect();
        match (self.mask, kinds.first_mut()) {
            (Mask::Merge, Some(first)) => first.push_str(" {k}"),
            (Mask::Zero, Some(first)) => first.push_str(" {k}{z}"),
            _ => {}
        }
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
    /// The features of every form together.
    pub fn features(&self) -> Features {
        self.forms.iter().fold(Features::BASE, |f, form| f.with(form.features))
    }

    /// The form that accepts `ops`, or [`EmitError::InvalidOperand`] listing what would.
    pub fn select(&self, ops: &[Operand]) -> Result<&'static Form, EmitError> {
        if let Some(form) = self.forms.iter().find(|f| f.accepts(ops)) {
            // Forms differ in operand class except for memory size, which an unsized memory
            // operand leaves open; refuse to guess.
            let unsized_mem =
                ops.iter().any(|op| matches!(op.unmasked(), Operand::Mem(m) if m.size().is_none()));
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
    /// (`vpand ymm0, ymm1, ymmword ptr [rax + 32]`, `vmovdqu8 zmm1 {k1} {z}, zmm2`); memory
    /// sizes come from the form.
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
            let (op, decoration) = match op {
                Operand::Masked(m) => (m.target(), m.decoration()),
                _ => (*op, String::new()),
            };
            match (op, kind.mem_size()) {
                (Operand::Mem(m), Some(size)) => {
                    let _ = write!(text, "{}{m}", size.intel_ptr());
                }
                _ => {
                    let _ = write!(text, "{op}");
                }
            }
            text.push_str(&decoration);
        }
        Ok(text)
    }
}
