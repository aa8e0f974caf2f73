//! AArch64 registers. Register number 31 means the zero register in some operand positions and
//! the stack pointer in others, so each meaning has its own type: [`X`]/[`W`] (31 is XZR/WZR) and
//! [`XSp`]/[`WSp`] (31 is SP/WSP). An instruction that takes SP cannot be handed XZR, and the
//! reverse, and converting between the two is fallible exactly where 31 is involved.

use crate::EmitError;
use std::fmt;

macro_rules! gpr {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $r31:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u8);

        impl $name {
            /// The register with number `n` (0..=31; 31 is
            #[doc = $r31]
            /// ), or `None` above 31.
            pub const fn new(n: u8) -> Option<Self> {
                if n < 32 { Some($name(n)) } else { None }
            }

            /// The register number, 0..=31.
            pub const fn num(self) -> u32 {
                self.0 as u32
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if self.0 == 31 {
                    f.write_str($r31)
                } else {
                    write!(f, "{}{}", $prefix, self.0)
                }
            }
        }
    };
}

gpr!(
    /// A 64-bit general register where number 31 is the zero register XZR.
    X, "x", "xzr"
);
gpr!(
    /// A 64-bit general register where number 31 is the stack pointer SP.
    XSp, "x", "sp"
);
gpr!(
    /// A 32-bit general register where number 31 is the zero register WZR.
    W, "w", "wzr"
);
gpr!(
    /// A 32-bit general register where number 31 is the stack pointer WSP.
    WSp, "w", "wsp"
);

/// The 64-bit zero register.
pub const XZR: X = X(31);
/// The stack pointer.
pub const SP: XSp = XSp(31);
/// The 32-bit zero register.
pub const WZR: W = W(31);
/// The 32-bit stack pointer.
pub const WSP: WSp = WSp(31);

macro_rules! consts {
    ($ty:ident: $($name:ident = $n:literal),*) => {
        $(
            #[doc = concat!("Register ", stringify!($name), ".")]
            pub const $name: $ty = $ty($n);
        )*
    };
}

consts!(X: X0 = 0, X1 = 1, X2 = 2, X3 = 3, X4 = 4, X5 = 5, X6 = 6, X7 = 7, X8 = 8, X9 = 9,
    X10 = 10, X11 = 11, X12 = 12, X13 = 13, X14 = 14, X15 = 15, X16 = 16, X17 = 17, X18 = 18,
    X19 = 19, X20 = 20, X21 = 21, X22 = 22, X23 = 23, X24 = 24, X25 = 25, X26 = 26, X27 = 27,
    X28 = 28, X29 = 29, X30 = 30);
consts!(W: W0 = 0, W1 = 1, W2 = 2, W3 = 3, W4 = 4, W5 = 5, W6 = 6, W7 = 7, W8 = 8, W9 = 9,
    W10 = 10, W11 = 11, W12 = 12, W13 = 13, W14 = 14, W15 = 15, W16 = 16, W17 = 17, W18 = 18,
    W19 = 19, W20 = 20, W21 = 21, W22 = 22, W23 = 23, W24 = 24, W25 = 25, W26 = 26, W27 = 27,
    W28 = 28, W29 = 29, W30 = 30);

fn sp_conflict(what: &str, n: u8) -> EmitError {
    EmitError::InvalidOperand {
        instruction: "register conversion",
        reason: format!(
            "{what} register number {n} means the zero register in one form and SP in the other"
        ),
    }
}

macro_rules! convert {
    ($from:ident => $to:ident) => {
        impl TryFrom<$from> for $to {
            type Error = EmitError;
            fn try_from(r: $from) -> Result<$to, EmitError> {
                if r.0 == 31 {
                    Err(sp_conflict(stringify!($from), r.0))
                } else {
                    Ok($to(r.0))
                }
            }
        }
    };
}
convert!(X => XSp);
convert!(XSp => X);
convert!(W => WSp);
convert!(WSp => W);

/// A SIMD&FP register V0..V31, to be viewed with an arrangement, as a scalar or as an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct V(u8);

consts!(V: V0 = 0, V1 = 1, V2 = 2, V3 = 3, V4 = 4, V5 = 5, V6 = 6, V7 = 7, V8 = 8, V9 = 9,
    V10 = 10, V11 = 11, V12 = 12, V13 = 13, V14 = 14, V15 = 15, V16 = 16, V17 = 17, V18 = 18,
    V19 = 19, V20 = 20, V21 = 21, V22 = 22, V23 = 23, V24 = 24, V25 = 25, V26 = 26, V27 = 27,
    V28 = 28, V29 = 29, V30 = 30, V31 = 31);

/// A vector arrangement: element size and count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arr {
    /// Eight bytes (64-bit vector).
    B8,
    /// Sixteen bytes.
    B16,
    /// Four halfwords (64-bit vector).
    H4,
    /// Eight halfwords.
    H8,
    /// Two words (64-bit vector).
    S2,
    /// Four words.
    S4,
    /// One doubleword (64-bit vector).
    D1,
    /// Two doublewords.
    D2,
}

impl Arr {
    /// Every arrangement.
    pub const ALL: [Arr; 8] =
        [Arr::B8, Arr::B16, Arr::H4, Arr::H8, Arr::S2, Arr::S4, Arr::D1, Arr::D2];

    /// The `size` field: log2 of the element size in bytes.
    pub const fn size(self) -> u32 {
        match self {
            Arr::B8 | Arr::B16 => 0,
            Arr::H4 | Arr::H8 => 1,
            Arr::S2 | Arr::S4 => 2,
            Arr::D1 | Arr::D2 => 3,
        }
    }

    /// The `Q` bit: 1 for 128-bit vectors.
    pub const fn q(self) -> u32 {
        matches!(self, Arr::B16 | Arr::H8 | Arr::S4 | Arr::D2) as u32
    }

    /// The assembler suffix (`16b`, `4s`, ...).
    pub fn suffix(self) -> &'static str {
        match self {
            Arr::B8 => "8b",
            Arr::B16 => "16b",
            Arr::H4 => "4h",
            Arr::H8 => "8h",
            Arr::S2 => "2s",
            Arr::S4 => "4s",
            Arr::D1 => "1d",
            Arr::D2 => "2d",
        }
    }

    /// The arrangement with elements twice as wide and the same total width (`8b` -> `4h`).
    pub fn widened(self) -> Option<Arr> {
        match self {
            Arr::B8 => Some(Arr::H4),
            Arr::B16 => Some(Arr::H8),
            Arr::H4 => Some(Arr::S2),
            Arr::H8 => Some(Arr::S4),
            Arr::S2 => Some(Arr::D1),
            Arr::S4 => Some(Arr::D2),
            Arr::D1 | Arr::D2 => None,
        }
    }

    /// The 128-bit arrangement of elements twice as wide (`8b` and `16b` -> `8h`).
    pub fn long(self) -> Option<Arr> {
        match self.size() {
            0 => Some(Arr::H8),
            1 => Some(Arr::S4),
            2 => Some(Arr::D2),
            _ => None,
        }
    }
}

/// A vector register with an arrangement, such as `v3.16b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VReg {
    /// The register.
    pub v: V,
    /// The arrangement.
    pub arr: Arr,
}

impl fmt::Display for VReg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.v.0, self.arr.suffix())
    }
}

/// The size of a scalar or element: B, H, S, D (and Q for whole-register scalars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Size {
    /// 8 bits.
    B,
    /// 16 bits.
    H,
    /// 32 bits.
    S,
    /// 64 bits.
    D,
    /// 128 bits.
    Q,
}

impl Size {
    /// log2 of the size in bytes.
    pub fn log2(self) -> u32 {
        self as u32
    }

    /// The register-name letter.
    pub fn letter(self) -> char {
        ['b', 'h', 's', 'd', 'q'][self as usize]
    }
}

/// A scalar view of a vector register, such as `d5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scalar {
    /// The register.
    pub v: V,
    /// The size.
    pub size: Size,
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.size.letter(), self.v.0)
    }
}

/// One element of a vector register, such as `v2.s[1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Elem {
    /// The register.
    pub v: V,
    /// The element size (B, H, S or D).
    pub size: Size,
    /// The element index.
    pub index: u8,
}

impl fmt::Display for Elem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}[{}]", self.v.0, self.size.letter(), self.index)
    }
}

macro_rules! views {
    ($($method:ident => $arr:ident),*) => {
        $(
            #[doc = concat!("This register as `.", stringify!($method), "`-style arrangement ", stringify!($arr), ".")]
            pub fn $method(self) -> VReg {
                VReg { v: self, arr: Arr::$arr }
            }
        )*
    };
}

impl V {
    /// The register with number `n` (0..=31).
    pub const fn new(n: u8) -> Option<V> {
        if n < 32 {
            Some(V(n))
        } else {
            None
        }
    }

    /// The register number.
    pub fn num(self) -> u32 {
        self.0 as u32
    }

    views!(b8 => B8, b16 => B16, h4 => H4, h8 => H8, s2 => S2, s4 => S4, d1 => D1, d2 => D2);

    /// This register with arrangement `arr`.
    pub fn arr(self, arr: Arr) -> VReg {
        VReg { v: self, arr }
    }

    /// The scalar `b`/`h`/`s`/`d`/`q` view of this register.
    pub fn scalar(self, size: Size) -> Scalar {
        Scalar { v: self, size }
    }

    /// The 64-bit scalar view (`d<n>`).
    pub fn d(self) -> Scalar {
        self.scalar(Size::D)
    }

    /// The 128-bit scalar view (`q<n>`).
    pub fn q(self) -> Scalar {
        self.scalar(Size::Q)
    }

    /// Element `index` of size `size` (`v<n>.s[index]`).
    pub fn elem(self, size: Size, index: u8) -> Elem {
        Elem { v: self, size, index }
    }
}

/// A condition code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cond {
    /// Equal.
    Eq = 0,
    /// Not equal.
    Ne = 1,
    /// Carry set / unsigned higher or same.
    Hs = 2,
    /// Carry clear / unsigned lower.
    Lo = 3,
    /// Negative.
    Mi = 4,
    /// Positive or zero.
    Pl = 5,
    /// Overflow.
    Vs = 6,
    /// No overflow.
    Vc = 7,
    /// Unsigned higher.
    Hi = 8,
    /// Unsigned lower or same.
    Ls = 9,
    /// Signed greater or equal.
    Ge = 10,
    /// Signed less than.
    Lt = 11,
    /// Signed greater than.
    Gt = 12,
    /// Signed less or equal.
    Le = 13,
    /// Always.
    Al = 14,
}

impl Cond {
    /// Every condition.
    pub const ALL: [Cond; 15] = [
        Cond::Eq,
        Cond::Ne,
        Cond::Hs,
        Cond::Lo,
        Cond::Mi,
        Cond::Pl,
        Cond::Vs,
        Cond::Vc,
        Cond::Hi,
        Cond::Ls,
        Cond::Ge,
        Cond::Lt,
        Cond::Gt,
        Cond::Le,
        Cond::Al,
    ];

    /// The opposite condition (`Al` stays `Al`).
    pub fn invert(self) -> Cond {
        if self == Cond::Al {
            self
        } else {
            Cond::ALL[(self as usize) ^ 1]
        }
    }

    /// The assembler name.
    pub fn name(self) -> &'static str {
        ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"]
            [self as usize]
    }
}

/// A shift applied to the last register operand of a data-processing instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shift {
    /// Logical shift left.
    Lsl = 0,
    /// Logical shift right.
    Lsr = 1,
    /// Arithmetic shift right.
    Asr = 2,
    /// Rotate right (logical instructions only).
    Ror = 3,
}

impl Shift {
    /// Every shift.
    pub const ALL: [Shift; 4] = [Shift::Lsl, Shift::Lsr, Shift::Asr, Shift::Ror];

    /// The assembler name.
    pub fn name(self) -> &'static str {
        ["lsl", "lsr", "asr", "ror"][self as usize]
    }
}
