//! Operands: memory references, the generic [`Operand`] every instruction method takes, and the
//! operand [`Kind`]s an instruction form accepts.

use super::regs::{Cond, Gpr32, Gpr64, Gpr8, Xmm, Ymm, Zmm, K};
use crate::{EmitError, Label};
use std::fmt;

/// What a memory operand's address is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    /// No base register: `[index*scale + disp32]` or the absolute `[disp32]`.
    None,
    /// A general-purpose base register.
    Reg(Gpr64),
    /// The address of the next instruction (RIP-relative), plus the displacement.
    Rip,
    /// A label in the same code (RIP-relative), plus the displacement; for constant tables
    /// emitted inside the kernel.
    Label(Label),
}

/// A memory operand: `[base + index*scale + disp]`, `[rip + disp]` or `[label + disp]`.
///
/// The encoder picks the shortest form: no displacement, disp8 or disp32, and adds the SIB byte
/// or the zero disp8 that `rsp`/`r12` and `rbp`/`r13` bases need. A scale other than 1, 2, 4
/// or 8, `rsp` as index, or an index together with a RIP/label base are reported as
/// [`EmitError::InvalidOperand`] when the instruction is emitted.
///
/// ```
/// use trinity_emit::x86_64::{Gpr64::*, Mem};
/// let m = Mem::base(Rsi).index(Rcx, 8).disp(-16); // [rsi + 8*rcx - 16]
/// assert_eq!(m.to_string(), "[rsi + 8*rcx - 16]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mem {
    pub(crate) base: Base,
    pub(crate) index: Option<Gpr64>,
    pub(crate) scale: u8,
    pub(crate) disp: i32,
    pub(crate) size: Option<MemSize>,
}

impl Mem {
    /// `[base]`.
    pub const fn base(base: Gpr64) -> Mem {
        Mem { base: Base::Reg(base), index: None, scale: 1, disp: 0, size: None }
    }

    /// `[disp32]`: an absolute address (encoded with a SIB byte, since the plain form means
    /// RIP-relative in 64-bit mode).
    pub const fn abs(disp: i32) -> Mem {
        Mem { base: Base::None, index: None, scale: 1, disp, size: None }
    }

    /// `[index*scale + disp32]` without a base register.
    pub const fn index_only(index: Gpr64, scale: u8) -> Mem {
        Mem { base: Base::None, index: Some(index), scale, disp: 0, size: None }
    }

    /// `[rip + disp]`: relative to the end of the instruction.
    pub const fn rip(disp: i32) -> Mem {
        Mem { base: Base::Rip, index: None, scale: 1, disp, size: None }
    }

    /// `[label]`: RIP-relative to a label of the same code, patched when the code is finished.
    pub const fn label(label: Label) -> Mem {
        Mem { base: Base::Label(label), index: None, scale: 1, disp: 0, size: None }
    }

    /// The same operand with an index register and a scale (1, 2, 4 or 8).
    pub const fn index(self, index: Gpr64, scale: u8) -> Mem {
        Mem { index: Some(index), scale, ..self }
    }

    /// The same operand with displacement `disp`.
    pub const fn disp(self, disp: i32) -> Mem {
        Mem { disp, ..self }
    }

    /// The same operand with an explicit size, needed only where the other operands leave the
    /// size open (`mov [m], imm`, `add [m], imm`, `shl [m], 1`, `inc [m]`, `vcvtsi2sd x, x, [m]`);
    /// elsewhere a size, if given, must match the instruction's.
    pub const fn sized(self, size: MemSize) -> Mem {
        Mem { size: Some(size), ..self }
    }

    /// `byte ptr`: the same operand sized 8 bits.
    pub const fn byte(self) -> Mem {
        self.sized(MemSize::B8)
    }

    /// `dword ptr`: the same operand sized 32 bits.
    pub const fn dword(self) -> Mem {
        self.sized(MemSize::D32)
    }

    /// `qword ptr`: the same operand sized 64 bits.
    pub const fn qword(self) -> Mem {
        self.sized(MemSize::Q64)
    }

    /// This operand as the destination of an EVEX store under write mask `mask` (see [`Masked`]).
    pub const fn mask(self, mask: K) -> Masked {
        Masked { target: Target::Mem(self), mask, zero: false }
    }

    /// The explicit size, if one was given.
    pub const fn size(&self) -> Option<MemSize> {
        self.size
    }

    /// What the address is relative to.
    pub const fn base_kind(&self) -> Base {
        self.base
    }

    /// The index register, if any.
    pub const fn index_reg(&self) -> Option<Gpr64> {
        self.index
    }

    /// The scale applied to the index.
    pub const fn scale(&self) -> u8 {
        self.scale
    }

    /// The displacement.
    pub const fn displacement(&self) -> i32 {
        self.disp
    }

    /// Check what the types cannot: the scale, `rsp` as index, and an index with RIP.
    pub(crate) fn validate(&self, instruction: &'static str) -> Result<(), EmitError> {
        if !matches!(self.scale, 1 | 2 | 4 | 8) {
            return Err(EmitError::InvalidOperand {
                instruction,
                reason: format!("scale {} in {self} is not 1, 2, 4 or 8", self.scale),
            });
        }
        match (self.index, self.base) {
            (Some(Gpr64::Rsp), _) => Err(EmitError::InvalidOperand {
                instruction,
                reason: format!("rsp cannot be an index register (in {self})"),
            }),
            (Some(index), Base::Rip | Base::Label(_)) => Err(EmitError::InvalidOperand {
                instruction,
                reason: format!("a RIP-relative address cannot have an index ({index} in {self})"),
            }),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Mem {
    /// Intel syntax without the size: `[rbx + 4*rcx + 16]`, `[rip + 8]`, `[.L3 + 8]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        let mut first = true;
        match self.base {
            Base::None => {}
            Base::Reg(r) => {
                write!(f, "{r}")?;
                first = false;
            }
            Base::Rip => {
                f.write_str("rip")?;
                first = false;
            }
            Base::Label(l) => {
                write!(f, "rip + .L{}", l.index())?;
                first = false;
            }
        }
        if let Some(index) = self.index {
            if !first {
                f.write_str(" + ")?;
            }
            write!(f, "{}*{index}", self.scale)?;
            first = false;
        }
        let disp = i64::from(self.disp);
        if first {
            write!(f, "{disp}")?;
        } else if disp > 0 {
            write!(f, " + {disp}")?;
        } else if disp < 0 {
            write!(f, " - {}", -disp)?;
        }
        f.write_str("]")
    }
}

/// Any operand of any instruction. Every register, [`Mem`], integer and [`Cond`] converts into
/// it, so instruction methods take `impl Into<Operand>`; which combinations are allowed is the
/// instruction's list of [`Form`](super::Form)s, checked when the instruction is emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operand {
    /// A 64-bit general-purpose register.
    R64(Gpr64),
    /// A 32-bit general-purpose register.
    R32(Gpr32),
    /// An 8-bit general-purpose register.
    R8(Gpr8),
    /// A 128-bit vector register.
    Xmm(Xmm),
    /// A 256-bit vector register.
    Ymm(Ymm),
    /// A 512-bit vector register.
    Zmm(Zmm),
    /// An opmask register.
    K(K),
    /// A destination under an EVEX write mask (`zmm1 {k1} {z}`).
    Masked(Masked),
    /// A memory reference (its size comes from the instruction form).
    Mem(Mem),
    /// An immediate (its width and range come from the instruction form).
    Imm(i64),
    /// A condition code, for `setcc` and `cmovcc`.
    Cond(Cond),
}

macro_rules! operand_from {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl From<$t> for Operand {
            fn from(x: $t) -> Operand {
                Operand::$v(x)
            }
        }
    )*};
}

operand_from!(Gpr64 => R64, Gpr32 => R32, Gpr8 => R8, Xmm => Xmm, Ymm => Ymm, Zmm => Zmm,
    K => K, Masked => Masked, Mem => Mem, i64 => Imm, Cond => Cond);

/// What a write mask can apply to: a vector or opmask register, or memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Xmm(Xmm),
    Ymm(Ymm),
    Zmm(Zmm),
    K(K),
    Mem(Mem),
}

/// The destination of an EVEX instruction under a write mask: elements whose mask bit is clear
/// keep their old value (merging, `zmm1 {k1}`) or become zero (zeroing, `zmm1 {k1} {z}`).
///
/// Made by `mask` on a register or [`Mem`] and [`Masked::zero`]. Only the first operand of a
/// form that allows masking may be masked; the write mask cannot be `k0` (mask number 0 means
/// "no mask"), and memory destinations and compares into a `k` register only merge. Breaking
/// either rule is an [`EmitError::InvalidOperand`] naming the operand.
///
/// ```
/// use trinity_emit::x86_64::{Gpr64::Rdi, Mem, Zmm::*, K::*};
/// assert_eq!(Z1.mask(K2).zero().to_string(), "zmm1 {k2} {z}");
/// assert_eq!(Mem::base(Rdi).mask(K1).to_string(), "[rdi] {k1}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Masked {
    target: Target,
    mask: K,
    zero: bool,
}

impl Masked {
    /// The same destination with zeroing-masking (`{z}`) instead of merging.
    pub const fn zero(self) -> Masked {
        Masked { zero: true, ..self }
    }

    /// The register or memory the mask applies to, as an operand.
    pub const fn target(&self) -> Operand {
        match self.target {
            Target::Xmm(r) => Operand::Xmm(r),
            Target::Ymm(r) => Operand::Ymm(r),
            Target::Zmm(r) => Operand::Zmm(r),
            Target::K(r) => Operand::K(r),
            Target::Mem(m) => Operand::Mem(m),
        }
    }

    /// The write mask register.
    pub const fn mask_reg(&self) -> K {
        self.mask
    }

    /// Whether masked-off elements are zeroed (`{z}`) rather than kept.
    pub const fn zeroing(&self) -> bool {
        self.zero
    }

    /// The decoration as Intel syntax writes it after the operand: ` {k1}` or ` {k1} {z}`.
    pub fn decoration(&self) -> String {
        format!(" {{{}}}{}", self.mask, if self.zero { " {z}" } else { "" })
    }
}

impl fmt::Display for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.target(), self.decoration())
    }
}

macro_rules! maskable {
    ($($t:ident),*) => {$(
        impl $t {
            /// This register as a destination under write mask `mask` (see [`Masked`]).
            pub const fn mask(self, mask: K) -> Masked {
                Masked { target: Target::$t(self), mask, zero: false }
            }
        }
    )*};
}

maskable!(Xmm, Ymm, Zmm, K);

impl From<i32> for Operand {
    fn from(x: i32) -> Operand {
        Operand::Imm(x.into())
    }
}

impl From<u8> for Operand {
    fn from(x: u8) -> Operand {
        Operand::Imm(x.into())
    }
}

impl fmt::Display for Operand {
    /// Registers by name, memory as in [`Mem`]'s `Display` (without a size), immediates in
    /// decimal and conditions as their mnemonic suffix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::R64(r) => r.fmt(f),
            Operand::R32(r) => r.fmt(f),
            Operand::R8(r) => r.fmt(f),
            Operand::Xmm(r) => r.fmt(f),
            Operand::Ymm(r) => r.fmt(f),
            Operand::Zmm(r) => r.fmt(f),
            Operand::K(r) => r.fmt(f),
            Operand::Masked(m) => m.fmt(f),
            Operand::Mem(m) => m.fmt(f),
            Operand::Imm(i) => i.fmt(f),
            Operand::Cond(c) => c.fmt(f),
        }
    }
}

/// The size of a memory operand, as the Intel syntax `... ptr` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemSize {
    /// No size: the address only (`lea`).
    Addr,
    /// 8 bits.
    B8,
    /// 16 bits.
    W16,
    /// 32 bits.
    D32,
    /// 64 bits.
    Q64,
    /// 128 bits.
    X128,
    /// 256 bits.
    Y256,
    /// 512 bits.
    Z512,
}

impl MemSize {
    /// The Intel syntax size keyword with a trailing space (`"qword ptr "`), empty for `Addr`.
    pub const fn intel_ptr(self) -> &'static str {
        match self {
            MemSize::Addr => "",
            MemSize::B8 => "byte ptr ",
            MemSize::W16 => "word ptr ",
            MemSize::D32 => "dword ptr ",
            MemSize::Q64 => "qword ptr ",
            MemSize::X128 => "xmmword ptr ",
            MemSize::Y256 => "ymmword ptr ",
            MemSize::Z512 => "zmmword ptr ",
        }
    }

    /// The size in bytes (0 for `Addr`): the EVEX disp8 scale N of a full (non-broadcast)
    /// memory operand of this size.
    pub const fn bytes(self) -> u8 {
        match self {
            MemSize::Addr => 0,
            MemSize::B8 => 1,
            MemSize::W16 => 2,
            MemSize::D32 => 4,
            MemSize::Q64 => 8,
            MemSize::X128 => 16,
            MemSize::Y256 => 32,
            MemSize::Z512 => 64,
        }
    }

    const fn bits(self) -> &'static str {
        match self {
            MemSize::Addr => "",
            MemSize::B8 => "8",
            MemSize::W16 => "16",
            MemSize::D32 => "32",
            MemSize::Q64 => "64",
            MemSize::X128 => "128",
            MemSize::Y256 => "256",
            MemSize::Z512 => "512",
        }
    }
}

/// The kind of operand one position of an instruction form accepts, as in the Intel manual's
/// operand columns (`r/m64`, `xmm/m128`, `imm8`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A 64-bit general-purpose register.
    R64,
    /// A 32-bit general-purpose register.
    R32,
    /// An 8-bit general-purpose register.
    R8,
    /// Exactly `cl` (variable shift counts).
    Cl,
    /// An xmm register.
    X,
    /// A ymm register.
    Y,
    /// Memory of the given size.
    M(MemSize),
    /// A 64-bit register or memory.
    Rm64,
    /// A 32-bit register or memory.
    Rm32,
    /// An 8-bit register or memory.
    Rm8,
    /// An xmm register or memory of the given size.
    Xm(MemSize),
    /// A ymm register or 256-bit memory.
    Ym,
    /// A zmm register.
    Z,
    /// A zmm register or 512-bit memory.
    Zm,
    /// An opmask register.
    K,
    /// An opmask register or memory of the given size.
    Km(MemSize),
    /// A signed 8-bit immediate, -128..=127.
    I8,
    /// An unsigned 8-bit immediate (shuffle/blend controls, byte shifts), 0..=255.
    U8,
    /// A signed 32-bit immediate (sign-extended to 64 bits by 64-bit forms).
    I32,
    /// Any 64-bit immediate.
    I64,
    /// A shift count, 0..=the given maximum.
    Count(u8),
    /// A condition code, written into the mnemonic (`sete`, `cmovl`).
    Cc,
}

impl Kind {
    /// The range an immediate kind accepts, and its name for error messages.
    pub const fn imm_range(self) -> Option<(&'static str, i64, i64)> {
        match self {
            Kind::I8 => Some(("imm8", -128, 127)),
            Kind::U8 => Some(("imm8", 0, 255)),
            Kind::I32 => Some(("imm32", i32::MIN as i64, i32::MAX as i64)),
            Kind::I64 => Some(("imm64", i64::MIN, i64::MAX)),
            Kind::Count(max) => Some(("shift count", 0, max as i64)),
            _ => None,
        }
    }

    /// The memory size when this kind accepts memory.
    pub const fn mem_size(self) -> Option<MemSize> {
        match self {
            Kind::M(s) | Kind::Xm(s) | Kind::Km(s) => Some(s),
            Kind::Rm64 => Some(MemSize::Q64),
            Kind::Rm32 => Some(MemSize::D32),
            Kind::Rm8 => Some(MemSize::B8),
            Kind::Ym => Some(MemSize::Y256),
            Kind::Zm => Some(MemSize::Z512),
            _ => None,
        }
    }

    /// Whether `op` is of this kind's class (immediates are range-checked separately).
    pub fn accepts(self, op: &Operand) -> bool {
        match (self, op) {
            (Kind::R64 | Kind::Rm64, Operand::R64(_))
            | (Kind::R32 | Kind::Rm32, Operand::R32(_))
            | (Kind::R8 | Kind::Rm8, Operand::R8(_))
            | (Kind::X | Kind::Xm(_), Operand::Xmm(_))
            | (Kind::Y | Kind::Ym, Operand::Ymm(_))
            | (Kind::Z | Kind::Zm, Operand::Zmm(_))
            | (Kind::K | Kind::Km(_), Operand::K(_))
            | (Kind::Cc, Operand::Cond(_)) => true,
            (Kind::Cl, Operand::R8(r)) => *r == Gpr8::Cl,
            (_, Operand::Mem(m)) => match (self.mem_size(), m.size) {
                (None, _) => false,
                (Some(_), None) | (Some(MemSize::Addr), _) => true,
                (Some(want), Some(given)) => want == given,
            },
            (_, Operand::Imm(_)) => self.imm_range().is_some(),
            _ => false,
        }
    }

    /// The vector length code of this kind (VEX.L, EVEX.L'L): 2 for 512-bit vectors, 1 for
    /// 256-bit ones, 0 otherwise.
    pub const fn vl(self) -> u8 {
        match self {
            Kind::Z | Kind::Zm | Kind::M(MemSize::Z512) => 2,
            Kind::Y | Kind::Ym | Kind::M(MemSize::Y256) => 1,
            _ => 0,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::R64 => f.write_str("r64"),
            Kind::R32 => f.write_str("r32"),
            Kind::R8 => f.write_str("r8"),
            Kind::Cl => f.write_str("cl"),
            Kind::X => f.write_str("xmm"),
            Kind::Y => f.write_str("ymm"),
            Kind::M(MemSize::Addr) => f.write_str("m"),
            Kind::M(s) => write!(f, "m{}", s.bits()),
            Kind::Rm64 => f.write_str("r/m64"),
            Kind::Rm32 => f.write_str("r/m32"),
            Kind::Rm8 => f.write_str("r/m8"),
            Kind::Xm(s) => write!(f, "xmm/m{}", s.bits()),
            Kind::Ym => f.write_str("ymm/m256"),
            Kind::Z => f.write_str("zmm"),
            Kind::Zm => f.write_str("zmm/m512"),
            Kind::K => f.write_str("k"),
            Kind::Km(s) => write!(f, "k/m{}", s.bits()),
            Kind::I8 | Kind::U8 => f.write_str("imm8"),
            Kind::I32 => f.write_str("imm32"),
            Kind::I64 => f.write_str("imm64"),
            Kind::Count(max) => write!(f, "count(0..={max})"),
            Kind::Cc => f.write_str("cc"),
        }
    }
}

impl Operand {
    /// The operand without its write mask: the target of a [`Masked`], else the operand itself.
    pub const fn unmasked(&self) -> Operand {
        match self {
            Operand::Masked(m) => m.target(),
            _ => *self,
        }
    }

    /// A short description of the operand's class for error messages (`r64`, `xmm`, `mem`, ...).
    pub fn class(&self) -> &'static str {
        match self {
            Operand::R64(_) => "r64",
            Operand::R32(_) => "r32",
            Operand::R8(_) => "r8",
            Operand::Xmm(_) => "xmm",
            Operand::Ymm(_) => "ymm",
            Operand::Zmm(_) => "zmm",
            Operand::K(_) => "k",
            Operand::Masked(_) => "masked",
            Operand::Mem(_) => "mem",
            Operand::Imm(_) => "imm",
            Operand::Cond(_) => "cc",
        }
    }
}
