//! Operands: the generic [`Operand`] every instruction method takes, shifted registers, vector
//! lists and addressing modes.

use super::form::{Gpr, Kind, Rel};
use super::regs::{Arr, Cond, Elem, Scalar, Shift, Size, VReg, WSp, XSp, W, X};
use crate::Label;
use std::fmt;

/// A general register with a shift applied, as the last source of a data-processing
/// instruction: `X2.lsl(3)` is `x2, lsl #3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shifted {
    /// The register number (31 is the zero register).
    pub num: u8,
    /// 64-bit (X) rather than 32-bit (W).
    pub wide: bool,
    /// The shift.
    pub shift: Shift,
    /// The amount.
    pub amount: u32,
}

impl fmt::Display for Shifted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reg = if self.wide {
            X::new(self.num).map(|r| r.to_string())
        } else {
            W::new(self.num).map(|r| r.to_string())
        };
        write!(f, "{}, {} #{}", reg.unwrap_or_default(), self.shift.name(), self.amount)
    }
}

macro_rules! shifts {
    ($ty:ident, $wide:literal) => {
        impl $ty {
            /// This register shifted by `amount`.
            pub fn shifted(self, shift: Shift, amount: u32) -> Shifted {
                Shifted { num: self.num() as u8, wide: $wide, shift, amount }
            }
            /// `reg, lsl #amount`.
            pub fn lsl(self, amount: u32) -> Shifted {
                self.shifted(Shift::Lsl, amount)
            }
            /// `reg, lsr #amount`.
            pub fn lsr(self, amount: u32) -> Shifted {
                self.shifted(Shift::Lsr, amount)
            }
            /// `reg, asr #amount`.
            pub fn asr(self, amount: u32) -> Shifted {
                self.shifted(Shift::Asr, amount)
            }
            /// `reg, ror #amount` (logical instructions only).
            pub fn ror(self, amount: u32) -> Shifted {
                self.shifted(Shift::Ror, amount)
            }
        }
    };
}
shifts!(X, true);
shifts!(W, false);

/// A list of vector registers for `ld1`/`st1`: `{v0.16b, v1.16b}`. Built from a slice of
/// [`VReg`]s; the instruction checks that there are 1 to 4, consecutive (wrapping past v31),
/// of one arrangement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VList {
    regs: [Option<VReg>; 4],
    len: usize,
}

impl VList {
    /// The list of `regs` (only the first four are kept; a longer list is refused when used).
    pub fn new(regs: &[VReg]) -> VList {
        let mut kept = [None; 4];
        for (slot, r) in kept.iter_mut().zip(regs) {
            *slot = Some(*r);
        }
        VList { regs: kept, len: regs.len() }
    }

    /// The number of registers given.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The registers kept (at most four).
    pub fn regs(&self) -> impl Iterator<Item = VReg> + '_ {
        self.regs.iter().flatten().copied()
    }
}

impl fmt::Display for VList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let regs: Vec<String> = self.regs().map(|r| r.to_string()).collect();
        write!(f, "{{{}}}", regs.join(", "))
    }
}

/// The base register of an address: an [`XSp`] (31 is SP) or an [`X`] (then 31 is XZR, which
/// cannot be a base: the instruction refuses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Base {
    num: u8,
    zr: bool,
}

impl Base {
    /// The register number, or `None` for XZR.
    pub fn num(self) -> Option<u32> {
        (!self.zr).then_some(u32::from(self.num))
    }
}

impl From<XSp> for Base {
    fn from(r: XSp) -> Base {
        Base { num: r.num() as u8, zr: false }
    }
}

impl From<X> for Base {
    fn from(r: X) -> Base {
        Base { num: r.num() as u8, zr: r.num() == 31 }
    }
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.num, self.zr) {
            (31, true) => f.write_str("xzr"),
            (31, false) => f.write_str("sp"),
            (n, _) => write!(f, "x{n}"),
        }
    }
}

/// An addressing mode for loads and stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addr {
    /// `[base, #offset]`.
    Offset(Base, i64),
    /// `[base, #offset]!`: the base is updated before the access.
    Pre(Base, i64),
    /// `[base], #offset`: the base is updated after the access.
    Post(Base, i64),
    /// `[base, index]`, or `[base, index, lsl #size]` when the flag is set.
    Reg(Base, X, bool),
}

impl Addr {
    /// `[base]`.
    pub fn base(base: impl Into<Base>) -> Addr {
        Addr::Offset(base.into(), 0)
    }
    /// `[base, #offset]`.
    pub fn offset(base: impl Into<Base>, offset: i64) -> Addr {
        Addr::Offset(base.into(), offset)
    }
    /// `[base, #offset]!`.
    pub fn pre(base: impl Into<Base>, offset: i64) -> Addr {
        Addr::Pre(base.into(), offset)
    }
    /// `[base], #offset`.
    pub fn post(base: impl Into<Base>, offset: i64) -> Addr {
        Addr::Post(base.into(), offset)
    }
    /// `[base, index]`.
    pub fn reg(base: impl Into<Base>, index: X) -> Addr {
        Addr::Reg(base.into(), index, false)
    }
    /// `[base, index, lsl #log2(access size)]`.
    pub fn reg_scaled(base: impl Into<Base>, index: X) -> Addr {
        Addr::Reg(base.into(), index, true)
    }

    /// The base register.
    pub fn base_reg(self) -> Base {
        match self {
            Addr::Offset(b, _) | Addr::Pre(b, _) | Addr::Post(b, _) | Addr::Reg(b, _, _) => b,
        }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Addr::Offset(b, o) => write!(f, "[{b}, #{o}]"),
            Addr::Pre(b, o) => write!(f, "[{b}, #{o}]!"),
            Addr::Post(b, o) => write!(f, "[{b}], #{o}"),
            Addr::Reg(b, i, false) => write!(f, "[{b}, {i}]"),
            Addr::Reg(b, i, true) => write!(f, "[{b}, {i}, lsl #size]"),
        }
    }
}

/// Any operand of an A64 instruction; every instruction method takes `impl Into<Operand>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operand {
    /// A 64-bit register where 31 is XZR.
    X(X),
    /// A 64-bit register where 31 is SP.
    XSp(XSp),
    /// A 32-bit register where 31 is WZR.
    W(W),
    /// A 32-bit register where 31 is WSP.
    WSp(WSp),
    /// A shifted register.
    Shifted(Shifted),
    /// A SIMD&FP scalar (`b0`, `d3`, `q7`).
    Scalar(Scalar),
    /// A vector with an arrangement.
    V(VReg),
    /// A vector element.
    Elem(Elem),
    /// A list of vectors.
    List(VList),
    /// An immediate (a `u64` is taken bit for bit).
    Imm(i64),
    /// A condition.
    Cond(Cond),
    /// A label.
    Label(Label),
    /// A memory address.
    Addr(Addr),
}

macro_rules! operand_from {
    ($($ty:ty => $variant:ident),*) => {
        $(impl From<$ty> for Operand {
            fn from(v: $ty) -> Operand {
                Operand::$variant(v)
            }
        })*
    };
}
operand_from!(X => X, XSp => XSp, W => W, WSp => WSp, Shifted => Shifted, Scalar => Scalar,
    VReg => V, Elem => Elem, VList => List, i64 => Imm, Cond => Cond, Label => Label, Addr => Addr);

impl From<u64> for Operand {
    fn from(v: u64) -> Operand {
        Operand::Imm(v as i64)
    }
}
impl From<i32> for Operand {
    fn from(v: i32) -> Operand {
        Operand::Imm(v.into())
    }
}
impl From<u32> for Operand {
    fn from(v: u32) -> Operand {
        Operand::Imm(v.into())
    }
}
impl From<&[VReg]> for Operand {
    fn from(regs: &[VReg]) -> Operand {
        Operand::List(VList::new(regs))
    }
}
impl<const LEN: usize> From<&[VReg; LEN]> for Operand {
    fn from(regs: &[VReg; LEN]) -> Operand {
        Operand::List(VList::new(regs))
    }
}

impl Operand {
    /// The general register number and class, if this is one (a shifted register is not).
    fn gpr(self) -> Option<(u32, Gpr)> {
        match self {
            Operand::X(r) => Some((r.num(), Gpr::X)),
            Operand::XSp(r) => Some((r.num(), Gpr::XSp)),
            Operand::W(r) => Some((r.num(), Gpr::W)),
            Operand::WSp(r) => Some((r.num(), Gpr::WSp)),
            _ => None,
        }
    }

    /// The register number of a general register operand (for cross-operand checks).
    pub fn gpr_num(self) -> Option<u32> {
        self.gpr().map(|(n, _)| n)
    }

    /// Whether this operand is of the class `kind` takes in a form of arrangement `arr`.
    /// Registers 0..=30 fit both the SP and the zero-register class of their width.
    pub(crate) fn fits(self, kind: Kind, arr: Option<Arr>) -> bool {
        let rel = |r: Rel| arr.and_then(|t| r.of(t));
        let esize = arr.map(|t| t.size());
        match (kind, self) {
            (Kind::R(class, _), op) => match op.gpr() {
                Some((n, c)) => {
                    let wide = |g| matches!(g, Gpr::X | Gpr::XSp);
                    c == class || (wide(c) == wide(class) && n != 31)
                }
                None => false,
            },
            (Kind::Sh(wide, _), Operand::Shifted(s)) => s.wide == wide,
            (Kind::Sh(true, _), Operand::X(_)) | (Kind::Sh(false, _), Operand::W(_)) => true,
            (Kind::F(size, _), Operand::Scalar(s)) => s.size == size,
            (Kind::V(r, _), Operand::V(v)) => rel(r) == Some(v.arr),
            (Kind::Fe(widen), Operand::Scalar(s)) => {
                esize.map(|e| e + widen as u32) == Some(s.size.log2())
            }
            (Kind::E(_) | Kind::E4, Operand::Elem(e)) => esize == Some(e.size.log2()),
            (Kind::DotElem, Operand::Elem(e)) => e.size == Size::S,
            (Kind::List, Operand::List(l)) => l.regs().next().map(|r| r.arr) == arr,
            (
                Kind::AddImm
                | Kind::Bitmask(_)
                | Kind::U(..)
                | Kind::LslImm(_)
                | Kind::Hw(_)
                | Kind::ShrImm
                | Kind::ShlImm
                | Kind::ByteIdx
                | Kind::Imm8
                | Kind::ByteMask
                | Kind::Bit(_),
                Operand::Imm(_),
            ) => true,
            (Kind::Zero | Kind::FZero, Operand::Imm(0)) => true,
            (Kind::Cond | Kind::CondInv | Kind::CondSuffix, Operand::Cond(_)) => true,
            (Kind::Label(_), Operand::Label(_)) => true,
            (Kind::Off(_) | Kind::PairOff(_) | Kind::ListBase, Operand::Addr(Addr::Offset(..))) => {
                true
            }
            (Kind::Pre | Kind::PairPre(_), Operand::Addr(Addr::Pre(..))) => true,
            (Kind::Post | Kind::PairPost(_) | Kind::ListPost, Operand::Addr(Addr::Post(..))) => {
                true
            }
            (Kind::RegOff(_), Operand::Addr(Addr::Reg(..))) => true,
            (Kind::ListPostReg, Operand::Addr(Addr::Reg(_, _, false))) => true,
            _ => false,
        }
    }

    /// The operand's text in a position of `kind` (LLVM syntax).
    pub(crate) fn text(self, kind: Kind, arr: Option<Arr>) -> String {
        let reg = |class: Gpr, n: u32| {
            let n = n as u8;
            match class {
                Gpr::X => X::new(n).map(|r| r.to_string()),
                Gpr::XSp => XSp::new(n).map(|r| r.to_string()),
                Gpr::W => W::new(n).map(|r| r.to_string()),
                Gpr::WSp => WSp::new(n).map(|r| r.to_string()),
            }
            .unwrap_or_default()
        };
        match (kind, self) {
            // A register 0..=30 of the other class prints the same; 31 prints as the class
            // of the position (only the matching class fits there).
            (Kind::R(class, _), op) => {
                op.gpr().map_or_else(|| op.to_string(), |(n, _)| reg(class, n))
            }
            (Kind::Sh(..), Operand::Shifted(s)) if s.shift == Shift::Lsl && s.amount == 0 => {
                reg(if s.wide { Gpr::X } else { Gpr::W }, u32::from(s.num))
            }
            (Kind::AddImm, Operand::Imm(v)) if v >= 1 << 12 && v & 0xfff == 0 => {
                format!("#{}, lsl #12", v >> 12)
            }
            (Kind::Bitmask(_) | Kind::ByteMask, Operand::Imm(v)) => format!("#{:#x}", v as u64),
            (Kind::Hw(_), Operand::Imm(v)) => format!("lsl #{v}"),
            (Kind::Zero, _) => "#0".into(),
            (Kind::FZero, _) => "#0.0".into(),
            (Kind::Label(_), Operand::Label(l)) => format!(".L{}", l.index()),
            (Kind::DotElem, Operand::Elem(e)) => format!("v{}.4b[{}]", e.v.num(), e.index),
            (Kind::RegOff(s), Operand::Addr(Addr::Reg(b, i, true))) => {
                format!("[{b}, {i}, lsl #{s}]")
            }
            (Kind::ListPostReg, Operand::Addr(Addr::Reg(b, i, _))) => format!("[{b}], {i}"),
            (Kind::ListBase, Operand::Addr(Addr::Offset(b, 0))) => format!("[{b}]"),
            (Kind::ListPost, Operand::Addr(Addr::Post(b, o))) => format!("[{b}], #{o}"),
            (Kind::List, Operand::List(l)) => l.to_string(),
            (_, op) => {
                let _ = arr;
                op.to_string()
            }
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::X(r) => r.fmt(f),
            Operand::XSp(r) => r.fmt(f),
            Operand::W(r) => r.fmt(f),
            Operand::WSp(r) => r.fmt(f),
            Operand::Shifted(s) => s.fmt(f),
            Operand::Scalar(s) => s.fmt(f),
            Operand::V(v) => v.fmt(f),
            Operand::Elem(e) => e.fmt(f),
            Operand::List(l) => l.fmt(f),
            Operand::Imm(v) => write!(f, "#{v}"),
            Operand::Cond(c) => f.write_str(c.name()),
            Operand::Label(l) => write!(f, "label {}", l.index()),
            Operand::Addr(a) => a.fmt(f),
        }
    }
}
