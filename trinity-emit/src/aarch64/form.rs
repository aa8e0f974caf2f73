//! How an A64 instruction is described as data: an [`Inst`] is a mnemonic with a list of
//! [`Form`]s, and a form is a base word (every operand field zero), the operand [`Kind`]s (each
//! knowing which fields it fills), the arrangement its vector operands are relative to and the
//! CPU [`Features`] it needs. One encoder turns any form into a word and one printer into
//! LLVM-syntax text.

use super::operand::Operand;
use super::regs::{Arr, Size};
use super::A64Fixup;
use crate::EmitError;

crate::features::feature_set! {
    /// A set of CPU features beyond the A64 base instruction set.
    Features(u8), base: "The base instruction set only (general-purpose, loads and stores, branches).";
    /// Scalar floating point and SIMD&FP register loads and stores (FEAT_FP).
    FP = 0, "fp";
    /// Advanced SIMD (NEON, FEAT_AdvSIMD).
    NEON = 1, "neon";
    /// The dot product instructions (FEAT_DotProd).
    DOTPROD = 2, "dotprod";
}

/// A general register class: which Rust type an operand position takes and what 31 means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gpr {
    /// 64-bit, 31 is XZR.
    X,
    /// 64-bit, 31 is SP.
    XSp,
    /// 32-bit, 31 is WZR.
    W,
    /// 32-bit, 31 is WSP.
    WSp,
}

/// A vector operand's arrangement, relative to the form's arrangement `T`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rel {
    /// `T` itself.
    T,
    /// Elements twice as wide, same total width (`8b` -> `4h`).
    Widened,
    /// The 128-bit arrangement of elements twice as wide (`8b`, `16b` -> `8h`).
    Long,
    /// Bytes of the same total width (`2s` -> `8b`, `4s` -> `16b`: dot product sources).
    Bytes,
}

impl Rel {
    /// The arrangement for form arrangement `t`.
    pub fn of(self, t: Arr) -> Option<Arr> {
        match self {
            Rel::T => Some(t),
            Rel::Widened => t.widened(),
            Rel::Long => t.long(),
            Rel::Bytes => Some(if t.q() == 1 { Arr::B16 } else { Arr::B8 }),
        }
    }
}

/// Register field positions: bit `i` set means the register number goes at bit `i`.
pub type Pos = u32;
/// Rd / Rt (bits 4:0).
pub const D: Pos = 1;
/// Rn (bits 9:5).
pub const N: Pos = 1 << 5;
/// Ra / Rt2 (bits 14:10).
pub const A: Pos = 1 << 10;
/// Rm (bits 20:16).
pub const M: Pos = 1 << 16;

/// What an operand position accepts and which fields of the word it fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A general register of the class, at the positions.
    R(Gpr, Pos),
    /// Rm with an optional shift (shift type at 22, amount at 10): 64-bit when the flag is
    /// set, `ror` allowed when the second is.
    Sh(bool, bool),
    /// A SIMD&FP scalar of the size, at the position.
    F(Size, Pos),
    /// A vector of the arrangement relative to the form's, at the position.
    V(Rel, Pos),
    /// A scalar of the form's element size (twice it when set) at 0 (reductions across lanes).
    Fe(bool),
    /// An element of the form's element size: register at the position, `imm5` at 16.
    E(Pos),
    /// The source element of `ins` (register at 5, `imm4` at 11).
    E4,
    /// `Vm.4b[i]` of a dot product by element (register at 16, index in H:L at 11 and 21).
    DotElem,
    /// A list of 1..=4 consecutive vectors of the form's arrangement (register at 0, the
    /// list's opcode at 12).
    List,
    /// imm12 at 10, shifted by 12 (bit 22) when the value needs it.
    AddImm,
    /// A logical immediate of the width (N:immr:imms at 22, 16, 10).
    Bitmask(u8),
    /// An unsigned immediate `0..=max` at bit `lsb`.
    U(u8, u16),
    /// `lsl #shift` as `ubfm` of the width: immr = -shift mod width, imms = width - 1 - shift.
    LslImm(u8),
    /// `lsl #0/16/32/48` (below the width) as hw at 21.
    Hw(u8),
    /// A NEON right shift 1..=element bits (immh:immb = 2 * esize - shift at 16).
    ShrImm,
    /// A NEON left shift 0..element bits (immh:immb = esize + shift at 16).
    ShlImm,
    /// A byte index below the form's byte count, at 11 (`ext`).
    ByteIdx,
    /// A byte immediate split a:b:c at 16 and d:e:f:g:h at 5 (`movi`).
    Imm8,
    /// A 64-bit mask of 0x00/0xff bytes, one bit per byte, split as [`Kind::Imm8`].
    ByteMask,
    /// A bit number below the width (b5 at 31, b40 at 19).
    Bit(u8),
    /// A condition at 12.
    Cond,
    /// A condition at 12, encoded inverted; `al` is refused (`cset`, `cneg`).
    CondInv,
    /// A condition at 0, printed as the mnemonic's suffix (`b.eq`).
    CondSuffix,
    /// The immediate zero, not encoded (`cmeq v0.16b, v1.16b, #0`).
    Zero,
    /// The floating-point zero, not encoded (`fcmp d0, #0.0`).
    FZero,
    /// A label, resolved with the fixup.
    Label(A64Fixup),
    /// `[base, #offset]` with an unsigned offset scaled by `1 << scale` (imm12 at 10).
    Off(u8),
    /// `[base, #offset]!` with a signed 9-bit offset at 12.
    Pre,
    /// `[base], #offset` with a signed 9-bit offset at 12.
    Post,
    /// `[base, index{, lsl #scale}]` (index at 16, S at 12).
    RegOff(u8),
    /// A pair's `[base, #offset]`, signed 7-bit scaled (imm7 at 15).
    PairOff(u8),
    /// A pair's `[base, #offset]!`.
    PairPre(u8),
    /// A pair's `[base], #offset`.
    PairPost(u8),
    /// `[base]` of a structure load or store.
    ListBase,
    /// `[base], #bytes` after a structure load or store: the list's size (Rm = 31, bit 23).
    ListPost,
    /// `[base], index` after a structure load or store (Rm at 16, bit 23).
    ListPostReg,
}

impl Kind {
    /// Whether the kind writes back its base register.
    pub fn writeback(self) -> bool {
        matches!(self, Kind::Pre | Kind::Post | Kind::PairPre(_) | Kind::PairPost(_))
    }

    /// The features an operand of this kind needs.
    const fn features(self) -> Features {
        match self {
            Kind::F(..) | Kind::FZero => Features::FP,
            Kind::V(..)
            | Kind::Fe(_)
            | Kind::E(_)
            | Kind::E4
            | Kind::DotElem
            | Kind::List
            | Kind::ShrImm
            | Kind::ShlImm
            | Kind::ByteIdx
            | Kind::Imm8
            | Kind::ByteMask => Features::NEON,
            _ => Features::BASE,
        }
    }

    /// The operand class as text, for error messages and the catalogue (`x|sp`, `v.16b`).
    fn describe(self, arr: Option<Arr>) -> String {
        let vec = |rel: Rel| match arr.and_then(|t| rel.of(t)) {
            Some(a) => format!("v.{}", a.suffix()),
            None => "v".into(),
        };
        let esize = arr.map_or('?', |t| ['b', 'h', 's', 'd'][t.size() as usize]);
        match self {
            Kind::R(Gpr::X, _) => "x|xzr".into(),
            Kind::R(Gpr::XSp, _) => "x|sp".into(),
            Kind::R(Gpr::W, _) => "w|wzr".into(),
            Kind::R(Gpr::WSp, _) => "w|wsp".into(),
            Kind::Sh(wide, _) => format!("{}{{, shift #n}}", if wide { "x" } else { "w" }),
            Kind::F(size, _) => size.letter().to_string(),
            Kind::V(rel, _) => vec(rel),
            Kind::Fe(false) => format!("{esize}"),
            Kind::Fe(true) => "2*esize".into(),
            Kind::E(_) | Kind::E4 => format!("v.{esize}[i]"),
            Kind::DotElem => "v.4b[i]".into(),
            Kind::List => format!("{{{}, ...}}", vec(Rel::T)),
            Kind::AddImm => "#imm12{, lsl #12}".into(),
            Kind::Bitmask(w) => format!("#bitmask{w}"),
            Kind::U(_, max) => format!("#0..={max}"),
            Kind::LslImm(w) | Kind::Bit(w) => format!("#0..={}", w - 1),
            Kind::Hw(w) => format!("lsl #0..{w}:16"),
            Kind::ShrImm | Kind::ShlImm | Kind::ByteIdx => "#shift".into(),
            Kind::Imm8 => "#imm8".into(),
            Kind::ByteMask => "#bytemask".into(),
            Kind::Cond | Kind::CondInv | Kind::CondSuffix => "cond".into(),
            Kind::Zero => "#0".into(),
            Kind::FZero => "#0.0".into(),
            Kind::Label(_) => "label".into(),
            Kind::Off(_) => "[xn|sp, #uimm]".into(),
            Kind::Pre => "[xn|sp, #simm9]!".into(),
            Kind::Post => "[xn|sp], #simm9".into(),
            Kind::RegOff(s) => format!("[xn|sp, xm{{, lsl #{s}}}]"),
            Kind::PairOff(_) => "[xn|sp, #simm7]".into(),
            Kind::PairPre(_) => "[xn|sp, #simm7]!".into(),
            Kind::PairPost(_) => "[xn|sp], #simm7".into(),
            Kind::ListBase => "[xn|sp]".into(),
            Kind::ListPost => "[xn|sp], #bytes".into(),
            Kind::ListPostReg => "[xn|sp], xm".into(),
        }
    }
}

/// One encoding of an instruction for one combination of operand kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Form {
    /// The instruction word with every operand field zero (fields fixed by the form, such as
    /// Q and size of its arrangement or `sf`, already set).
    pub base: u32,
    /// The operands in assembler order.
    pub ops: &'static [Kind],
    /// The arrangement `T` that vector and element operands are relative to.
    pub arr: Option<Arr>,
    /// The CPU features the form needs.
    pub features: Features,
}

const fn features_of(ops: &[Kind]) -> Features {
    let (mut i, mut f) = (0, Features::BASE);
    while i < ops.len() {
        f = f.with(ops[i].features());
        i += 1;
    }
    f
}

impl Form {
    /// A form without an arrangement; its features follow from the operand kinds.
    pub const fn new(base: u32, ops: &'static [Kind]) -> Form {
        Form { base, ops, arr: None, features: features_of(ops) }
    }

    /// A form whose vector operands are relative to `arr`, with `bits` (fields of `arr`, such as
    /// Q and size) set in the base word.
    pub const fn arr(base: u32, ops: &'static [Kind], arr: Arr, bits: u32) -> Form {
        Form { base: base | bits, ops, arr: Some(arr), features: features_of(ops) }
    }

    /// Also needing `features`.
    pub const fn needs(self, features: Features) -> Form {
        Form { features: self.features.with(features), ..self }
    }

    /// Whether `ops` are of this form's operand classes (values not yet range-checked).
    pub fn accepts(&self, ops: &[Operand]) -> bool {
        self.ops.len() == ops.len() && self.ops.iter().zip(ops).all(|(k, op)| op.fits(*k, self.arr))
    }

    /// The operand kinds, e.g. `(v.4s, v.16b, v.16b)`.
    pub fn signature(&self) -> String {
        let kinds: Vec<String> = self.ops.iter().map(|k| k.describe(self.arr)).collect();
        format!("({})", kinds.join(", "))
    }

    /// LLVM-syntax text of `mnemonic` with `ops` in this form's positions, as llvm-mc accepts
    /// it. A label position may hold an immediate byte distance (printed `#distance`).
    pub fn text(&self, mnemonic: &str, ops: &[Operand]) -> String {
        let mut text = String::from(mnemonic);
        let mut first = true;
        for (kind, op) in self.ops.iter().zip(ops) {
            if *kind == Kind::CondSuffix {
                text.push_str(&op.to_string());
                continue;
            }
            text.push_str(if first { " " } else { ", " });
            first = false;
            text.push_str(&op.text(*kind, self.arr));
        }
        text
    }
}

/// An instruction: its mnemonic and the forms it can be encoded in.
///
/// The forms of one instruction accept disjoint operand classes (where SP/XZR-typed registers
/// 0..=30 fit both kinds, the first form listed wins), so the operands alone pick the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Inst {
    /// The mnemonic (`b.` for the conditional branch, whose condition is the suffix).
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
            return Ok(form);
        }
        let given: Vec<String> = ops.iter().map(|o| o.to_string()).collect();
        let mut wanted: Vec<String> = self.forms.iter().map(Form::signature).collect();
        wanted.dedup();
        Err(EmitError::InvalidOperand {
            instruction: self.mnemonic,
            reason: format!(
                "operands ({}) match none of the forms {}",
                given.join(", "),
                wanted.join(" ")
            ),
        })
    }

    /// LLVM-syntax text of this instruction with `ops` (`add x0, x1, #16`, `ld1 {v0.16b}, [x1]`).
    pub fn text(&self, ops: &[Operand]) -> Result<String, EmitError> {
        Ok(self.select(ops)?.text(self.mnemonic, ops))
    }
}
