//! Registers and condition codes.
//!
//! Each register class is its own type, so a 32-bit register cannot be passed where a 64-bit one
//! is meant without the compiler noticing in typed code. The hardware number is the enum
//! discriminant; bits 0..=2 go into ModRM/SIB/opcode, bit 3 into REX/VEX/EVEX, and bit 4
//! (zmm16..zmm31 only) into EVEX.

use std::fmt;

macro_rules! reg_enum {
    ($(#[$doc:meta])* $name:ident: $($var:ident = $text:literal),+ $(,)?) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum $name {
            $(
                #[doc = concat!("`", $text, "`")]
                $var,
            )+
        }

        impl $name {
            /// Every register of this class, in hardware-number order.
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$var),+];

            /// The hardware register number, below `ALL.len()`.
            pub const fn num(self) -> u8 {
                self as u8
            }

            /// The register with hardware number `n` modulo `ALL.len()` (a power of two).
            pub const fn from_num(n: u8) -> Self {
                Self::ALL[n as usize % Self::ALL.len()]
            }

            /// The assembler name (Intel and AT&T without the `%`).
            pub const fn name(self) -> &'static str {
                const NAMES: &[&str] = &[$($text),+];
                NAMES[self as usize]
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

reg_enum! {
    /// A 64-bit general-purpose register.
    Gpr64: Rax = "rax", Rcx = "rcx", Rdx = "rdx", Rbx = "rbx", Rsp = "rsp", Rbp = "rbp",
    Rsi = "rsi", Rdi = "rdi", R8 = "r8", R9 = "r9", R10 = "r10", R11 = "r11", R12 = "r12",
    R13 = "r13", R14 = "r14", R15 = "r15",
}

reg_enum! {
    /// The low 32 bits of a general-purpose register; writing one zeroes the upper 32 bits.
    Gpr32: Eax = "eax", Ecx = "ecx", Edx = "edx", Ebx = "ebx", Esp = "esp", Ebp = "ebp",
    Esi = "esi", Edi = "edi", R8d = "r8d", R9d = "r9d", R10d = "r10d", R11d = "r11d",
    R12d = "r12d", R13d = "r13d", R14d = "r14d", R15d = "r15d",
}

reg_enum! {
    /// The low 8 bits of a general-purpose register. `spl`, `bpl`, `sil` and `dil` need a REX
    /// prefix (the encoder adds it); the legacy high-byte registers `ah`..`bh` are not offered.
    Gpr8: Al = "al", Cl = "cl", Dl = "dl", Bl = "bl", Spl = "spl", Bpl = "bpl", Sil = "sil",
    Dil = "dil", R8b = "r8b", R9b = "r9b", R10b = "r10b", R11b = "r11b", R12b = "r12b",
    R13b = "r13b", R14b = "r14b", R15b = "r15b",
}

reg_enum! {
    /// A 128-bit SSE/AVX register.
    Xmm: X0 = "xmm0", X1 = "xmm1", X2 = "xmm2", X3 = "xmm3", X4 = "xmm4", X5 = "xmm5",
    X6 = "xmm6", X7 = "xmm7", X8 = "xmm8", X9 = "xmm9", X10 = "xmm10", X11 = "xmm11",
    X12 = "xmm12", X13 = "xmm13", X14 = "xmm14", X15 = "xmm15",
}

reg_enum! {
    /// A 256-bit AVX register (registers 16..=31 of AVX-512 are not offered: use [`Zmm`]).
    Ymm: Y0 = "ymm0", Y1 = "ymm1", Y2 = "ymm2", Y3 = "ymm3", Y4 = "ymm4", Y5 = "ymm5",
    Y6 = "ymm6", Y7 = "ymm7", Y8 = "ymm8", Y9 = "ymm9", Y10 = "ymm10", Y11 = "ymm11",
    Y12 = "ymm12", Y13 = "ymm13", Y14 = "ymm14", Y15 = "ymm15",
}

reg_enum! {
    /// A 512-bit AVX-512 register (EVEX-encoded instructions only).
    Zmm: Z0 = "zmm0", Z1 = "zmm1", Z2 = "zmm2", Z3 = "zmm3", Z4 = "zmm4", Z5 = "zmm5",
    Z6 = "zmm6", Z7 = "zmm7", Z8 = "zmm8", Z9 = "zmm9", Z10 = "zmm10", Z11 = "zmm11",
    Z12 = "zmm12", Z13 = "zmm13", Z14 = "zmm14", Z15 = "zmm15", Z16 = "zmm16", Z17 = "zmm17",
    Z18 = "zmm18", Z19 = "zmm19", Z20 = "zmm20", Z21 = "zmm21", Z22 = "zmm22", Z23 = "zmm23",
    Z24 = "zmm24", Z25 = "zmm25", Z26 = "zmm26", Z27 = "zmm27", Z28 = "zmm28", Z29 = "zmm29",
    Z30 = "zmm30", Z31 = "zmm31",
}

reg_enum! {
    /// An AVX-512 opmask register. `k0` is an ordinary operand of the `k*` instructions but
    /// cannot be a write mask (in EVEX, mask number 0 means "no mask").
    K: K0 = "k0", K1 = "k1", K2 = "k2", K3 = "k3", K4 = "k4", K5 = "k5", K6 = "k6", K7 = "k7",
}

impl Gpr64 {
    /// The low 32 bits of this register.
    pub const fn d(self) -> Gpr32 {
        Gpr32::from_num(self as u8)
    }
    /// The low 8 bits of this register.
    pub const fn b(self) -> Gpr8 {
        Gpr8::from_num(self as u8)
    }
}

impl Ymm {
    /// The low 128 bits of this register.
    pub const fn xmm(self) -> Xmm {
        Xmm::from_num(self as u8)
    }
    /// The 512-bit register whose low half this is.
    pub const fn zmm(self) -> Zmm {
        Zmm::from_num(self as u8)
    }
}

impl Xmm {
    /// The 256-bit register whose low half this is.
    pub const fn ymm(self) -> Ymm {
        Ymm::from_num(self as u8)
    }
    /// The 512-bit register whose low quarter this is.
    pub const fn zmm(self) -> Zmm {
        Zmm::from_num(self as u8)
    }
}

/// A condition code for `jcc`, `setcc` and `cmovcc`: the low four bits of the opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Cond {
    /// Overflow (OF=1).
    O,
    /// No overflow (OF=0).
    No,
    /// Below, unsigned less than (CF=1).
    B,
    /// Above or equal, unsigned (CF=0).
    Ae,
    /// Equal / zero (ZF=1).
    E,
    /// Not equal / not zero (ZF=0).
    Ne,
    /// Below or equal, unsigned (CF=1 or ZF=1).
    Be,
    /// Above, unsigned greater than (CF=0 and ZF=0).
    A,
    /// Sign (SF=1).
    S,
    /// No sign (SF=0).
    Ns,
    /// Parity even (PF=1); after `ucomisd`, "unordered".
    P,
    /// Parity odd (PF=0).
    Np,
    /// Less, signed (SF!=OF).
    L,
    /// Greater or equal, signed (SF=OF).
    Ge,
    /// Less or equal, signed (ZF=1 or SF!=OF).
    Le,
    /// Greater, signed (ZF=0 and SF=OF).
    G,
}

impl Cond {
    /// All sixteen conditions in encoding order.
    pub const ALL: [Cond; 16] = [
        Cond::O,
        Cond::No,
        Cond::B,
        Cond::Ae,
        Cond::E,
        Cond::Ne,
        Cond::Be,
        Cond::A,
        Cond::S,
        Cond::Ns,
        Cond::P,
        Cond::Np,
        Cond::L,
        Cond::Ge,
        Cond::Le,
        Cond::G,
    ];

    /// The 4-bit condition number added to the base opcode.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The opposite condition (`E` <-> `Ne`, `L` <-> `Ge`, ...).
    pub const fn invert(self) -> Cond {
        Cond::ALL[(self as u8 ^ 1) as usize]
    }

    /// The mnemonic suffix, as in `jne`, `setl`, `cmovae`.
    pub const fn suffix(self) -> &'static str {
        const S: [&str; 16] = [
            "o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g",
        ];
        S[self as usize]
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.suffix())
    }
}
