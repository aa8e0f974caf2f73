//! The instruction table: every instruction the encoder knows, as data.
//!
//! Each entry is an [`Inst`] static (its mnemonic and [`Form`]s) and a method of the same name on
//! [`Assembler`] taking `impl Into<Operand>` per operand. [`ALL`] lists every entry, so tests
//! and tools that iterate it cover new definitions automatically. Encodings are from the Intel
//! SDM volume 2; where llvm-mc picks among equivalent encodings, the forms pick the same
//! (see [`Alt`] and [`Form::rev`]).

#![allow(non_upper_case_globals)]

use super::form::{Alt, Features, Form, Inst, Map, Role};
use super::operand::{Kind, MemSize, Operand};
use super::Assembler;
use crate::EmitError;

use Kind::{
    Cc as CC, Count, Km, Rm32, Rm64, Rm8, Xm, Ym, Zm, I32, I64, I8, K, R32, R64, R8, U8, X, Y, Z,
};
use Map::{M0F, M0F38, M0F3A};
use MemSize::{Addr, B8, D32, Q64, W16, X128, Y256, Z512};
use Role::{Fixed, Imm, Is4, OpReg, Reg, Rm, Vvvv};

type Shape = &'static [(Kind, Role)];

const fn m(size: MemSize) -> Kind {
    Kind::M(size)
}

// Legacy operand shapes, named after the Intel manual's Op/En column and operand width.
const MR64: Shape = &[(Rm64, Rm), (R64, Reg)];
const MR32: Shape = &[(Rm32, Rm), (R32, Reg)];
const MR8: Shape = &[(Rm8, Rm), (R8, Reg)];
const RM64: Shape = &[(R64, Reg), (Rm64, Rm)];
const RM32: Shape = &[(R32, Reg), (Rm32, Rm)];
const RMEM64: Shape = &[(R64, Reg), (m(Q64), Rm)];
const RMEM32: Shape = &[(R32, Reg), (m(D32), Rm)];
const RMEM8: Shape = &[(R8, Reg), (m(B8), Rm)];
const MI64: Shape = &[(Rm64, Rm), (I32, Imm)];
const MI32: Shape = &[(Rm32, Rm), (I32, Imm)];
const RMI64: Shape = &[(R64, Reg), (Rm64, Rm), (I32, Imm)];
const RMI32: Shape = &[(R32, Reg), (Rm32, Rm), (I32, Imm)];
const M64: Shape = &[(Rm64, Rm)];
const M32: Shape = &[(Rm32, Rm)];
const SHI64: Shape = &[(Rm64, Rm), (Count(63), Imm)];
const SHI32: Shape = &[(Rm32, Rm), (Count(31), Imm)];
const SHC64: Shape = &[(Rm64, Rm), (Kind::Cl, Fixed)];
const SHC32: Shape = &[(Rm32, Rm), (Kind::Cl, Fixed)];
const CCRM64: Shape = &[(CC, Role::Cc), (R64, Reg), (Rm64, Rm)];
const CCRM32: Shape = &[(CC, Role::Cc), (R32, Reg), (Rm32, Rm)];
const NONE: Shape = &[];

// VEX operand shapes.
const RVM_X: Shape = &[(X, Reg), (X, Vvvv), (Xm(X128), Rm)];
const RVM_Y: Shape = &[(Y, Reg), (Y, Vvvv), (Ym, Rm)];
const COUNT_Y: Shape = &[(Y, Reg), (Y, Vvvv), (Xm(X128), Rm)];
const RM_X: Shape = &[(X, Reg), (Xm(X128), Rm)];
const RM_Y: Shape = &[(Y, Reg), (Ym, Rm)];
const MR_X: Shape = &[(m(X128), Rm), (X, Reg)];
const MR_Y: Shape = &[(m(Y256), Rm), (Y, Reg)];
const VMI_X: Shape = &[(X, Vvvv), (X, Rm), (U8, Imm)];
const VMI_Y: Shape = &[(Y, Vvvv), (Y, Rm), (U8, Imm)];
const RVMI_X: Shape = &[(X, Reg), (X, Vvvv), (Xm(X128), Rm), (U8, Imm)];
const RVMI_Y: Shape = &[(Y, Reg), (Y, Vvvv), (Ym, Rm), (U8, Imm)];
const RMI_X: Shape = &[(X, Reg), (Xm(X128), Rm), (U8, Imm)];
const RMI_Y: Shape = &[(Y, Reg), (Ym, Rm), (U8, Imm)];
const RVMR_X: Shape = &[(X, Reg), (X, Vvvv), (Xm(X128), Rm), (X, Is4)];
const RVMR_Y: Shape = &[(Y, Reg), (Y, Vvvv), (Ym, Rm), (Y, Is4)];
const SD_RVM: Shape = &[(X, Reg), (X, Vvvv), (Xm(Q64), Rm)];
const SD_RM: Shape = &[(X, Reg), (Xm(Q64), Rm)];

// EVEX (AVX-512) operand shapes; the first operand may carry a write mask.
const E_RVM: Shape = &[(Z, Reg), (Z, Vvvv), (Zm, Rm)];
const E_RM: Shape = &[(Z, Reg), (Zm, Rm)];
const E_MR: Shape = &[(m(Z512), Rm), (Z, Reg)];
const E_RMI: Shape = &[(Z, Reg), (Zm, Rm), (U8, Imm)];
const E_VMI: Shape = &[(Z, Vvvv), (Zm, Rm), (U8, Imm)];
const E_RVMI: Shape = &[(Z, Reg), (Z, Vvvv), (Zm, Rm), (U8, Imm)];
const E_COUNT: Shape = &[(Z, Reg), (Z, Vvvv), (Xm(X128), Rm)];
const E_KVM: Shape = &[(K, Reg), (Z, Vvvv), (Zm, Rm)];

// Opmask operand shapes (VEX-encoded).
const K_RM: Shape = &[(K, Reg), (K, Rm)];
const K_RVM: Shape = &[(K, Reg), (K, Vvvv), (K, Rm)];
const K_RMI: Shape = &[(K, Reg), (K, Rm), (U8, Imm)];

const fn leg(ops: Shape, opcode: u8) -> Form {
    Form::legacy(ops, opcode)
}

const fn vex(ops: Shape, prefix: u8, map: Map, opcode: u8) -> Form {
    Form::vex(ops, prefix, map, opcode)
}

const fn evex(ops: Shape, prefix: u8, map: Map, opcode: u8) -> Form {
    Form::evex(ops, prefix, map, opcode)
}

/// The eight classic ALU operations: `op r/m, r` at `base+1`, `op r, m` at `base+3`,
/// `op r/m, imm` at `81 /digit` (or `83 /digit ib`, or `base+5` on rax/eax).
macro_rules! alu {
    ($base:literal, $digit:literal) => {
        &[
            leg(MR64, $base + 1).w(),
            leg(RMEM64, $base + 3).w(),
            leg(MI64, 0x81).w().digit($digit).alts(&[Alt::Imm8(0x83), Alt::Acc($base + 5)]),
            leg(MR32, $base + 1),
            leg(RMEM32, $base + 3),
            leg(MI32, 0x81).digit($digit).alts(&[Alt::Imm8(0x83), Alt::Acc($base + 5)]),
        ]
    };
}

/// Shifts and rotates: `C1 /digit ib` (`D1 /digit` for a count of 1) and `D3 /digit` for `cl`.
macro_rules! shift {
    ($digit:literal) => {
        &[
            leg(SHI64, 0xC1).w().digit($digit).alts(&[Alt::One(0xD1)]),
            leg(SHC64, 0xD3).w().digit($digit),
            leg(SHI32, 0xC1).digit($digit).alts(&[Alt::One(0xD1)]),
            leg(SHC32, 0xD3).digit($digit),
        ]
    };
}

/// A one-operand `r/m` instruction at `opcode /digit`, 64- and 32-bit.
macro_rules! unary {
    ($opcode:literal, $digit:literal) => {
        &[leg(M64, $opcode).w().digit($digit), leg(M32, $opcode).digit($digit)]
    };
}

/// `F3 0F opcode /r`: popcnt, tzcnt, lzcnt, each needing its own feature.
macro_rules! f3_count {
    ($opcode:literal, $feature:ident) => {
        &[
            leg(RM64, $opcode).w().prefix(0xF3).map(M0F).needs(Features::$feature),
            leg(RM32, $opcode).prefix(0xF3).map(M0F).needs(Features::$feature),
        ]
    };
}

// In the macros below trailing builder names are applied to the form (`w`: W=1, `unmasked`,
// and the feature tags `avx`, `avx2`, `bw`); `$(.$w())*` expands to `.w()`.

/// A packed binary VEX operation `op v, v, v/m`, 128- and 256-bit; after `; shape` also the
/// EVEX form of that shape (`E_RVM`: 512-bit, `E_KVM`: a compare of zmm into an opmask).
macro_rules! vbin {
    ($prefix:literal, $map:ident, $opcode:literal $(, $w:ident)*) => {
        &[vex(RVM_X, $prefix, $map, $opcode)$(.$w())*, vex(RVM_Y, $prefix, $map, $opcode)$(.$w())*]
    };
    ($prefix:literal, $map:ident, $opcode:literal $(, $w:ident)*; $shape:ident $($ew:ident)*) => {
        &[
            vex(RVM_X, $prefix, $map, $opcode)$(.$w())*,
            vex(RVM_Y, $prefix, $map, $opcode)$(.$w())*,
            evex($shape, $prefix, $map, $opcode)$(.$ew())*,
        ]
    };
}

/// A packed binary AVX-512 operation `op zmm, zmm, zmm/m512`.
macro_rules! zbin {
    ($prefix:literal, $map:ident, $opcode:literal $(, $w:ident)*) => {
        &[evex(E_RVM, $prefix, $map, $opcode)$(.$w())*]
    };
}

/// A packed unary VEX operation `op v, v/m`, 128- and 256-bit; after `; shape` also the EVEX
/// form of that shape.
macro_rules! vun {
    ($prefix:literal, $map:ident, $opcode:literal $(, $w:ident)* $(; $shape:ident $($ew:ident)*)?) => {
        &[
            vex(RM_X, $prefix, $map, $opcode)$(.$w())*,
            vex(RM_Y, $prefix, $map, $opcode)$(.$w())*,
            $(evex($shape, $prefix, $map, $opcode)$(.$ew())*,)?
        ]
    };
}

/// A packed unary AVX-512 operation `op zmm, zmm/m512` that also needs `$feature`.
macro_rules! zun {
    ($prefix:literal, $map:ident, $opcode:literal, $feature:ident $(, $w:ident)?) => {
        &[evex(E_RM, $prefix, $map, $opcode).needs(Features::$feature)$(.$w())?]
    };
}

/// A VEX shift by immediate `op v, v, imm8` at `66 0F opcode /digit ib`; after `; zmm count`
/// also the shifts by the count in the low 64 bits of an xmm register or m128 (`66 0F count
/// /r`, VEX and EVEX; counts above the element width give zero) and the EVEX forms by
/// immediate (source may be memory).
macro_rules! vshift {
    ($opcode:literal, $digit:literal) => {
        &[
            vex(VMI_X, 0x66, M0F, $opcode).digit($digit),
            vex(VMI_Y, 0x66, M0F, $opcode).digit($digit),
        ]
    };
    ($opcode:literal, $digit:literal; zmm $count:literal $($w:ident)*) => {
        &[
            vex(VMI_X, 0x66, M0F, $opcode).digit($digit),
            vex(VMI_Y, 0x66, M0F, $opcode).digit($digit),
            vex(RVM_X, 0x66, M0F, $count),
            vex(COUNT_Y, 0x66, M0F, $count),
            evex(E_VMI, 0x66, M0F, $opcode).digit($digit)$(.$w())*,
            evex(E_COUNT, 0x66, M0F, $count)$(.$w())*,
        ]
    };
}

/// A scalar double operation `op xmm, xmm, xmm/m64` at `F2 0F opcode`.
macro_rules! sd {
    ($opcode:literal) => {
        &[vex(SD_RVM, 0xF2, M0F, $opcode)]
    };
}

/// `vpbroadcast*` (AVX2 at both widths) from the low element of an xmm register or from
/// memory of `$size`; into a zmm also from a general register (EVEX opcode `$gpr_opcode`).
macro_rules! vbroadcast {
    ($opcode:literal, $size:ident; zmm $gpr:ident $gpr_opcode:literal $($w:ident)*) => {
        &[
            vex(&[(X, Reg), (Xm($size), Rm)], 0x66, M0F38, $opcode).avx2(),
            vex(&[(Y, Reg), (Xm($size), Rm)], 0x66, M0F38, $opcode).avx2(),
            evex(&[(Z, Reg), (Xm($size), Rm)], 0x66, M0F38, $opcode)$(.$w())*,
            evex(&[(Z, Reg), ($gpr, Rm)], 0x66, M0F38, $gpr_opcode)$(.$w())*,
        ]
    };
}

/// A widening move `op v, xmm/m(half)`, 128-, 256- and 512-bit.
macro_rules! vwiden {
    ($opcode:literal $($ew:ident)*) => {
        &[
            vex(&[(X, Reg), (Xm(Q64), Rm)], 0x66, M0F38, $opcode),
            vex(&[(Y, Reg), (Xm(X128), Rm)], 0x66, M0F38, $opcode),
            evex(&[(Z, Reg), (Ym, Rm)], 0x66, M0F38, $opcode)$(.$ew())*,
        ]
    };
}

/// AVX-512 whole-register moves (`F3`/`F2`/`66 0F 6F` load or register move, `7F` store).
macro_rules! zmov {
    ($prefix:literal $(, $w:ident)*) => {
        &[
            evex(E_RM, $prefix, M0F, 0x6F)$(.$w())*,
            evex(E_MR, $prefix, M0F, 0x7F)$(.$w())*,
        ]
    };
}

/// Opmask moves: `k <- k/m` (`90`), `m <- k` (`91`) with prefix `$kp`, `k <- gpr` (`92`) and
/// `gpr <- k` (`93`) with prefix `$gp`; the builders after `;` apply to all four.
macro_rules! kmov {
    ($size:ident, $kp:literal $($kw:ident)?, $gpr:ident, $gp:literal $($gw:ident)? $(; $f:ident)?) => {
        &[
            vex(&[(K, Reg), (Km($size), Rm)], $kp, M0F, 0x90)$(.$kw())?$(.$f())?,
            vex(&[(m($size), Rm), (K, Reg)], $kp, M0F, 0x91)$(.$kw())?$(.$f())?,
            vex(&[(K, Reg), ($gpr, Rm)], $gp, M0F, 0x92)$(.$gw())?$(.$f())?,
            vex(&[($gpr, Reg), (K, Rm)], $gp, M0F, 0x93)$(.$gw())?$(.$f())?,
        ]
    };
}

/// An opmask operation: `k, k, k` (VEX.L1) or `k, k` (VEX.L0).
macro_rules! kop {
    (3, $prefix:literal, $opcode:literal $(, $w:ident)*) => {
        &[vex(K_RVM, $prefix, M0F, $opcode)$(.$w())*.l(1)]
    };
    (2, $prefix:literal, $opcode:literal $(, $w:ident)*) => {
        &[vex(K_RM, $prefix, M0F, $opcode)$(.$w())*]
    };
}

/// Whole-register moves (AVX at both widths): load (also register to register) and store.
macro_rules! vmov {
    ($prefix:literal) => {
        &[
            vex(RM_X, $prefix, M0F, 0x6F).rev($prefix, 0x7F),
            vex(RM_Y, $prefix, M0F, 0x6F).rev($prefix, 0x7F).avx(),
            vex(MR_X, $prefix, M0F, 0x7F),
            vex(MR_Y, $prefix, M0F, 0x7F).avx(),
        ]
    };
}

macro_rules! instructions {
    ($(
        #[doc = $doc:literal]
        $konst:ident $method:ident($($arg:ident),*) = $mnemonic:literal $forms:expr;
    )*) => {
        $(
            #[doc = concat!("`", $mnemonic, "`: ", $doc)]
            pub static $konst: Inst = Inst { mnemonic: $mnemonic, forms: $forms };
        )*

        /// Every instruction of the table, in definition order.
        pub static ALL: &[&Inst] = &[$(&$konst),*];

        impl Assembler {
            $(
                #[doc = concat!("`", $mnemonic, "`: ", $doc, "\n\nForms: [`",
                    stringify!($konst), "`](crate::x86_64::defs::", stringify!($konst), ").")]
                pub fn $method(&mut self, $($arg: impl Into<Operand>),*) -> Result<(), EmitError> {
                    self.emit(&$konst, &[$($arg.into()),*])
                }
            )*
        }
    };
}

instructions! {
    // ---- data movement ----
    /// copy. `mov r64, imm` uses the sign-extended imm32 form when the value fits, else `movabs`.
    MOV mov(dst, src) = "mov" &[
        leg(MR64, 0x89).w(),
        leg(RMEM64, 0x8B).w(),
        leg(MR32, 0x89),
        leg(RMEM32, 0x8B),
        leg(MR8, 0x88),
        leg(RMEM8, 0x8A),
        leg(&[(R64, Rm), (I64, Imm)], 0xC7).w().digit(0).alts(&[Alt::Imm64(0xB8)]),
        leg(&[(m(Q64), Rm), (I32, Imm)], 0xC7).w().digit(0),
        leg(&[(R32, OpReg), (I32, Imm)], 0xB8),
        leg(&[(m(D32), Rm), (I32, Imm)], 0xC7).digit(0),
        leg(&[(R8, OpReg), (I8, Imm)], 0xB0),
        leg(&[(m(B8), Rm), (I8, Imm)], 0xC6).digit(0),
    ];
    /// zero-extending byte load or move into a 32- or 64-bit register.
    MOVZX movzx(dst, src) = "movzx" &[
        leg(&[(R64, Reg), (Rm8, Rm)], 0xB6).w().map(M0F),
        leg(&[(R32, Reg), (Rm8, Rm)], 0xB6).map(M0F),
    ];
    /// sign-extending byte load or move into a 32- or 64-bit register.
    MOVSX movsx(dst, src) = "movsx" &[
        leg(&[(R64, Reg), (Rm8, Rm)], 0xBE).w().map(M0F),
        leg(&[(R32, Reg), (Rm8, Rm)], 0xBE).map(M0F),
    ];
    /// sign-extend 32 to 64 bits.
    MOVSXD movsxd(dst, src) = "movsxd" &[leg(&[(R64, Reg), (Rm32, Rm)], 0x63).w()];
    /// load effective address.
    LEA lea(dst, addr) = "lea" &[leg(&[(R64, Reg), (m(Addr), Rm)], 0x8D).w()];
    /// push a 64-bit register.
    PUSH push(src) = "push" &[leg(&[(R64, OpReg)], 0x50)];
    /// pop a 64-bit register.
    POP pop(dst) = "pop" &[leg(&[(R64, OpReg)], 0x58)];
    /// conditional move (`cmovcc`): `cmovcc(Cond::L, dst, src)`.
    CMOVCC cmovcc(cond, dst, src) = "cmov" &[
        leg(CCRM64, 0x40).w().map(M0F),
        leg(CCRM32, 0x40).map(M0F),
    ];
    /// set a byte to 0 or 1 from a condition (`setcc`): `setcc(Cond::E, Gpr8::Al)`.
    SETCC setcc(cond, dst) = "set" &[leg(&[(CC, Role::Cc), (Rm8, Rm)], 0x90).map(M0F).digit(0)];

    // ---- integer arithmetic and logic ----
    /// add.
    ADD add(dst, src) = "add" alu!(0x00, 0);
    /// bitwise or.
    OR or(dst, src) = "or" alu!(0x08, 1);
    /// add with carry.
    ADC adc(dst, src) = "adc" alu!(0x10, 2);
    /// subtract with borrow.
    SBB sbb(dst, src) = "sbb" alu!(0x18, 3);
    /// bitwise and.
    AND and(dst, src) = "and" alu!(0x20, 4);
    /// subtract.
    SUB sub(dst, src) = "sub" alu!(0x28, 5);
    /// bitwise exclusive or.
    XOR xor(dst, src) = "xor" alu!(0x30, 6);
    /// compare (subtract, flags only).
    CMP cmp(a, b) = "cmp" alu!(0x38, 7);
    /// and, flags only.
    TEST test(a, b) = "test" &[
        leg(MR64, 0x85).w(),
        leg(MI64, 0xF7).w().digit(0).alts(&[Alt::Acc(0xA9)]),
        leg(MR32, 0x85),
        leg(MI32, 0xF7).digit(0).alts(&[Alt::Acc(0xA9)]),
    ];
    /// signed multiply: `imul r, r/m` and `imul r, r/m, imm` (imm8 when it fits).
    IMUL imul(dst, src) = "imul" &[
        leg(RM64, 0xAF).w().map(M0F),
        leg(RM32, 0xAF).map(M0F),
    ];
    /// signed multiply by an immediate into a third register: `imul r, r/m, imm`.
    IMUL3 imul3(dst, src, imm) = "imul" &[
        leg(RMI64, 0x69).w().alts(&[Alt::Imm8(0x6B)]),
        leg(RMI32, 0x69).alts(&[Alt::Imm8(0x6B)]),
    ];
    /// two's complement negation.
    NEG neg(dst) = "neg" unary!(0xF7, 3);
    /// bitwise not.
    NOT not(dst) = "not" unary!(0xF7, 2);
    /// increment by one.
    INC inc(dst) = "inc" unary!(0xFF, 0);
    /// decrement by one.
    DEC dec(dst) = "dec" unary!(0xFF, 1);
    /// shift left by an immediate (0..=63, or 0..=31 for 32-bit) or by `cl`.
    SHL shl(dst, count) = "shl" shift!(4);
    /// logical shift right by an immediate or by `cl`.
    SHR shr(dst, count) = "shr" shift!(5);
    /// arithmetic shift right by an immediate or by `cl`.
    SAR sar(dst, count) = "sar" shift!(7);
    /// rotate left by an immediate or by `cl`.
    ROL rol(dst, count) = "rol" shift!(0);
    /// rotate right by an immediate or by `cl`.
    ROR ror(dst, count) = "ror" shift!(1);
    /// population count (POPCNT).
    POPCNT popcnt(dst, src) = "popcnt" f3_count!(0xB8, POPCNT);
    /// count trailing zero bits (BMI1).
    TZCNT tzcnt(dst, src) = "tzcnt" f3_count!(0xBC, BMI1);
    /// count leading zero bits (LZCNT).
    LZCNT lzcnt(dst, src) = "lzcnt" f3_count!(0xBD, LZCNT);
    /// `dst = !a & b` (BMI1).
    ANDN andn(dst, a, b) = "andn" &[vex(&[(R64, Reg), (R64, Vvvv), (Rm64, Rm)], 0, M0F38, 0xF2).w().only(Features::BMI1)];
    /// zero the bits of `src` from bit index `n` up (BMI2): `bzhi dst, src, n`.
    BZHI bzhi(dst, src, n) = "bzhi" &[vex(&[(R64, Reg), (Rm64, Rm), (R64, Vvvv)], 0, M0F38, 0xF5).w().only(Features::BMI2)];
    /// shift left by a register count without touching flags (BMI2).
    SHLX shlx(dst, src, count) = "shlx" &[vex(&[(R64, Reg), (Rm64, Rm), (R64, Vvvv)], 0x66, M0F38, 0xF7).w().only(Features::BMI2)];
    /// logical shift right by a register count without touching flags (BMI2).
    SHRX shrx(dst, src, count) = "shrx" &[vex(&[(R64, Reg), (Rm64, Rm), (R64, Vvvv)], 0xF2, M0F38, 0xF7).w().only(Features::BMI2)];
    /// clear the lowest set bit (BMI1).
    BLSR blsr(dst, src) = "blsr" &[vex(&[(R64, Vvvv), (Rm64, Rm)], 0, M0F38, 0xF3).w().digit(1).only(Features::BMI1)];

    // ---- control and padding ----
    /// return.
    RET ret() = "ret" &[leg(NONE, 0xC3)];
    /// one-byte no-op (see [`Assembler::nops`] and [`Assembler::align`] for longer padding).
    NOP nop() = "nop" &[leg(NONE, 0x90)];
    /// breakpoint trap.
    INT3 int3() = "int3" &[leg(NONE, 0xCC)];
    /// guaranteed invalid opcode trap.
    UD2 ud2() = "ud2" &[leg(NONE, 0x0B).map(M0F)];
    /// hint: bring the cache line of `addr` into every cache level (never faults).
    PREFETCHT0 prefetcht0(addr) = "prefetcht0" &[leg(&[(m(B8), Rm)], 0x18).map(M0F).digit(1)];
    /// copy rcx bytes from `[rsi]` to `[rdi]`, advancing both (fast on CPUs with ERMSB/FSRM).
    REP_MOVSB rep_movsb() = "rep movsb" &[leg(NONE, 0xA4).prefix(0xF3)];

    // ---- AVX / AVX2 moves ----
    /// unaligned 128/256-bit load, store or register move.
    VMOVDQU vmovdqu(dst, src) = "vmovdqu" vmov!(0xF3);
    /// aligned 128/256-bit load, store or register move.
    VMOVDQA vmovdqa(dst, src) = "vmovdqa" vmov!(0x66);
    /// 32-bit move between a general register or memory and the low element of an xmm.
    VMOVD vmovd(dst, src) = "vmovd" &[
        vex(&[(X, Reg), (Rm32, Rm)], 0x66, M0F, 0x6E),
        vex(&[(Rm32, Rm), (X, Reg)], 0x66, M0F, 0x7E),
    ];
    /// 64-bit move: general register <-> xmm, memory <-> xmm, xmm -> xmm (upper half zeroed).
    VMOVQ vmovq(dst, src) = "vmovq" &[
        vex(&[(X, Reg), (R64, Rm)], 0x66, M0F, 0x6E).w(),
        vex(&[(R64, Rm), (X, Reg)], 0x66, M0F, 0x7E).w(),
        vex(&[(X, Reg), (Xm(Q64), Rm)], 0xF3, M0F, 0x7E).rev(0x66, 0xD6),
        vex(&[(m(Q64), Rm), (X, Reg)], 0x66, M0F, 0xD6),
    ];
    /// scalar double move: merge into `src1` (registers), load (zeroing the upper half), store.
    VMOVSD vmovsd(dst, src) = "vmovsd" &[
        vex(&[(X, Reg), (m(Q64), Rm)], 0xF2, M0F, 0x10),
        vex(&[(m(Q64), Rm), (X, Reg)], 0xF2, M0F, 0x11),
    ];
    /// `vmovsd dst, src1, src2`: low double from `src2`, high from `src1`.
    VMOVSD3 vmovsd3(dst, src1, src2) = "vmovsd" &[
        vex(&[(X, Reg), (X, Vvvv), (X, Rm)], 0xF2, M0F, 0x10).rev(0xF2, 0x11),
    ];
    /// extract a 64-bit element to a general register or memory.
    VPEXTRQ vpextrq(dst, src, index) = "vpextrq" &[vex(&[(Rm64, Rm), (X, Reg), (U8, Imm)], 0x66, M0F3A, 0x16).w()];
    /// extract a 32-bit element to a general register or memory.
    VPEXTRD vpextrd(dst, src, index) = "vpextrd" &[vex(&[(Rm32, Rm), (X, Reg), (U8, Imm)], 0x66, M0F3A, 0x16)];
    /// insert a 64-bit element from a general register or memory.
    VPINSRQ vpinsrq(dst, src, val, index) = "vpinsrq" &[vex(&[(X, Reg), (X, Vvvv), (Rm64, Rm), (U8, Imm)], 0x66, M0F3A, 0x22).w()];
    /// insert a 32-bit element from a general register or memory.
    VPINSRD vpinsrd(dst, src, val, index) = "vpinsrd" &[vex(&[(X, Reg), (X, Vvvv), (Rm32, Rm), (U8, Imm)], 0x66, M0F3A, 0x22)];
    /// broadcast a byte to every element.
    VPBROADCASTB vpbroadcastb(dst, src) = "vpbroadcastb" vbroadcast!(0x78, B8; zmm R32 0x7A bw);
    /// broadcast a 16-bit word to every element.
    VPBROADCASTW vpbroadcastw(dst, src) = "vpbroadcastw" vbroadcast!(0x79, W16; zmm R32 0x7B bw);
    /// broadcast a 32-bit element to every element.
    VPBROADCASTD vpbroadcastd(dst, src) = "vpbroadcastd" vbroadcast!(0x58, D32; zmm R32 0x7C);
    /// broadcast a 64-bit element to every element.
    VPBROADCASTQ vpbroadcastq(dst, src) = "vpbroadcastq" vbroadcast!(0x59, Q64; zmm R64 0x7C w);
    /// load 128 bits into both halves of a ymm.
    VBROADCASTI128 vbroadcasti128(dst, src) = "vbroadcasti128" &[vex(&[(Y, Reg), (m(X128), Rm)], 0x66, M0F38, 0x5A)];
    /// sign-extend bytes to 16-bit words.
    VPMOVSXBW vpmovsxbw(dst, src) = "vpmovsxbw" vwiden!(0x20 bw);
    /// zero-extend bytes to 16-bit words.
    VPMOVZXBW vpmovzxbw(dst, src) = "vpmovzxbw" vwiden!(0x30 bw);
    /// sign-extend 16-bit words to 32-bit elements.
    VPMOVSXWD vpmovsxwd(dst, src) = "vpmovsxwd" vwiden!(0x23);
    /// gather the top bit of every byte into a 32-bit mask.
    VPMOVMSKB vpmovmskb(dst, src) = "vpmovmskb" &[
        vex(&[(R32, Reg), (X, Rm)], 0x66, M0F, 0xD7),
        vex(&[(R32, Reg), (Y, Rm)], 0x66, M0F, 0xD7),
    ];
    /// zero the upper halves of all ymm registers (end of AVX code).
    VZEROUPPER vzeroupper() = "vzeroupper" &[vex(NONE, 0, M0F, 0x77)];

    // ---- AVX2 logic ----
    /// bitwise and.
    VPAND vpand(dst, a, b) = "vpand" vbin!(0x66, M0F, 0xDB);
    /// `dst = !a & b`.
    VPANDN vpandn(dst, a, b) = "vpandn" vbin!(0x66, M0F, 0xDF);
    /// bitwise or.
    VPOR vpor(dst, a, b) = "vpor" vbin!(0x66, M0F, 0xEB);
    /// bitwise exclusive or.
    VPXOR vpxor(dst, a, b) = "vpxor" vbin!(0x66, M0F, 0xEF);
    /// set ZF when `a & b` is zero and CF when `!a & b` is zero.
    VPTEST vptest(a, b) = "vptest" vun!(0x66, M0F38, 0x17, avx);

    // ---- AVX2 integer arithmetic ----
    /// add bytes (wrapping).
    VPADDB vpaddb(dst, a, b) = "vpaddb" vbin!(0x66, M0F, 0xFC; E_RVM bw);
    /// add 16-bit words (wrapping).
    VPADDW vpaddw(dst, a, b) = "vpaddw" vbin!(0x66, M0F, 0xFD; E_RVM bw);
    /// add 32-bit elements (wrapping).
    VPADDD vpaddd(dst, a, b) = "vpaddd" vbin!(0x66, M0F, 0xFE; E_RVM);
    /// add 64-bit elements (wrapping).
    VPADDQ vpaddq(dst, a, b) = "vpaddq" vbin!(0x66, M0F, 0xD4; E_RVM w);
    /// subtract bytes (wrapping).
    VPSUBB vpsubb(dst, a, b) = "vpsubb" vbin!(0x66, M0F, 0xF8; E_RVM bw);
    /// subtract 16-bit words (wrapping).
    VPSUBW vpsubw(dst, a, b) = "vpsubw" vbin!(0x66, M0F, 0xF9; E_RVM bw);
    /// subtract 32-bit elements (wrapping).
    VPSUBD vpsubd(dst, a, b) = "vpsubd" vbin!(0x66, M0F, 0xFA; E_RVM);
    /// subtract 64-bit elements (wrapping).
    VPSUBQ vpsubq(dst, a, b) = "vpsubq" vbin!(0x66, M0F, 0xFB; E_RVM w);
    /// add signed bytes with saturation.
    VPADDSB vpaddsb(dst, a, b) = "vpaddsb" vbin!(0x66, M0F, 0xEC);
    /// subtract signed bytes with saturation.
    VPSUBSB vpsubsb(dst, a, b) = "vpsubsb" vbin!(0x66, M0F, 0xE8);
    /// add signed 16-bit words with saturation.
    VPADDSW vpaddsw(dst, a, b) = "vpaddsw" vbin!(0x66, M0F, 0xED);
    /// add unsigned bytes with saturation.
    VPADDUSB vpaddusb(dst, a, b) = "vpaddusb" vbin!(0x66, M0F, 0xDC);
    /// subtract unsigned bytes with saturation.
    VPSUBUSB vpsubusb(dst, a, b) = "vpsubusb" vbin!(0x66, M0F, 0xD8);
    /// negate, zero or keep each byte of `a` by the sign of the byte of `b`.
    VPSIGNB vpsignb(dst, a, b) = "vpsignb" vbin!(0x66, M0F38, 0x08);
    /// negate, zero or keep each 16-bit word of `a` by the sign of `b`.
    VPSIGNW vpsignw(dst, a, b) = "vpsignw" vbin!(0x66, M0F38, 0x09);
    /// negate, zero or keep each 32-bit element of `a` by the sign of `b`.
    VPSIGND vpsignd(dst, a, b) = "vpsignd" vbin!(0x66, M0F38, 0x0A);
    /// absolute value of signed bytes.
    VPABSB vpabsb(dst, src) = "vpabsb" vun!(0x66, M0F38, 0x1C; E_RM bw);
    /// absolute value of signed 16-bit words.
    VPABSW vpabsw(dst, src) = "vpabsw" vun!(0x66, M0F38, 0x1D);
    /// absolute value of signed 32-bit elements.
    VPABSD vpabsd(dst, src) = "vpabsd" vun!(0x66, M0F38, 0x1E);
    /// multiply unsigned bytes of `a` by signed bytes of `b`, add pairs to saturated words.
    VPMADDUBSW vpmaddubsw(dst, a, b) = "vpmaddubsw" vbin!(0x66, M0F38, 0x04; E_RVM bw);
    /// multiply signed words, add pairs to 32-bit elements.
    VPMADDWD vpmaddwd(dst, a, b) = "vpmaddwd" vbin!(0x66, M0F, 0xF5; E_RVM bw);
    /// add adjacent pairs of 32-bit elements, of `a` then of `b`, within each 128-bit lane.
    VPHADDD vphaddd(dst, a, b) = "vphaddd" vbin!(0x66, M0F38, 0x02);
    /// multiply 16-bit words, keep the low halves.
    VPMULLW vpmullw(dst, a, b) = "vpmullw" vbin!(0x66, M0F, 0xD5; E_RVM bw);
    /// multiply 32-bit elements, keep the low halves.
    VPMULLD vpmulld(dst, a, b) = "vpmulld" vbin!(0x66, M0F38, 0x40);
    /// sums of absolute byte differences of each 8-byte group, into 64-bit elements.
    VPSADBW vpsadbw(dst, a, b) = "vpsadbw" vbin!(0x66, M0F, 0xF6; E_RVM unmasked bw);
    /// signed byte minimum.
    VPMINSB vpminsb(dst, a, b) = "vpminsb" vbin!(0x66, M0F38, 0x38; E_RVM bw);
    /// signed byte maximum.
    VPMAXSB vpmaxsb(dst, a, b) = "vpmaxsb" vbin!(0x66, M0F38, 0x3C; E_RVM bw);
    /// unsigned byte minimum.
    VPMINUB vpminub(dst, a, b) = "vpminub" vbin!(0x66, M0F, 0xDA);
    /// unsigned byte maximum.
    VPMAXUB vpmaxub(dst, a, b) = "vpmaxub" vbin!(0x66, M0F, 0xDE);
    /// signed 16-bit minimum.
    VPMINSW vpminsw(dst, a, b) = "vpminsw" vbin!(0x66, M0F, 0xEA);
    /// signed 16-bit maximum.
    VPMAXSW vpmaxsw(dst, a, b) = "vpmaxsw" vbin!(0x66, M0F, 0xEE);

    // ---- AVX2 comparisons ----
    /// bytes equal: all ones, else zero.
    VPCMPEQB vpcmpeqb(dst, a, b) = "vpcmpeqb" vbin!(0x66, M0F, 0x74; E_KVM bw);
    /// 16-bit words equal.
    VPCMPEQW vpcmpeqw(dst, a, b) = "vpcmpeqw" vbin!(0x66, M0F, 0x75);
    /// 32-bit elements equal.
    VPCMPEQD vpcmpeqd(dst, a, b) = "vpcmpeqd" vbin!(0x66, M0F, 0x76);
    /// 64-bit elements equal.
    VPCMPEQQ vpcmpeqq(dst, a, b) = "vpcmpeqq" vbin!(0x66, M0F38, 0x29);
    /// signed bytes greater than.
    VPCMPGTB vpcmpgtb(dst, a, b) = "vpcmpgtb" vbin!(0x66, M0F, 0x64; E_KVM bw);
    /// signed 16-bit words greater than.
    VPCMPGTW vpcmpgtw(dst, a, b) = "vpcmpgtw" vbin!(0x66, M0F, 0x65);
    /// signed 32-bit elements greater than.
    VPCMPGTD vpcmpgtd(dst, a, b) = "vpcmpgtd" vbin!(0x66, M0F, 0x66);
    /// signed 64-bit elements greater than.
    VPCMPGTQ vpcmpgtq(dst, a, b) = "vpcmpgtq" vbin!(0x66, M0F38, 0x37);

    // ---- AVX2 shifts ----
    /// shift 16-bit words left by an immediate or by the count in an xmm register.
    VPSLLW vpsllw(dst, src, count) = "vpsllw" vshift!(0x71, 6; zmm 0xF1 bw);
    /// shift 16-bit words right (logical) by an immediate or by the count in an xmm register.
    VPSRLW vpsrlw(dst, src, count) = "vpsrlw" vshift!(0x71, 2; zmm 0xD1 bw);
    /// shift 16-bit words right (arithmetic) by an immediate or by the count in an xmm register.
    VPSRAW vpsraw(dst, src, count) = "vpsraw" vshift!(0x71, 4; zmm 0xE1 bw);
    /// shift 32-bit elements left by an immediate.
    VPSLLD vpslld(dst, src, count) = "vpslld" vshift!(0x72, 6);
    /// shift 32-bit elements right (logical) by an immediate.
    VPSRLD vpsrld(dst, src, count) = "vpsrld" vshift!(0x72, 2);
    /// shift 32-bit elements right (arithmetic) by an immediate or by the count in an xmm register.
    VPSRAD vpsrad(dst, src, count) = "vpsrad" vshift!(0x72, 4; zmm 0xE2);
    /// shift 64-bit elements left by an immediate or by the count in an xmm register.
    VPSLLQ vpsllq(dst, src, count) = "vpsllq" vshift!(0x73, 6; zmm 0xF3 w);
    /// shift 64-bit elements right (logical) by an immediate or by the count in an xmm register.
    VPSRLQ vpsrlq(dst, src, count) = "vpsrlq" vshift!(0x73, 2; zmm 0xD3 w);
    /// shift each 128-bit lane right by whole bytes.
    VPSRLDQ vpsrldq(dst, src, bytes) = "vpsrldq" vshift!(0x73, 3);
    /// shift each 128-bit lane left by whole bytes.
    VPSLLDQ vpslldq(dst, src, bytes) = "vpslldq" vshift!(0x73, 7);
    /// shift 32-bit elements left by per-element counts.
    VPSLLVD vpsllvd(dst, a, counts) = "vpsllvd" vbin!(0x66, M0F38, 0x47, avx2; E_RVM);
    /// shift 64-bit elements left by per-element counts.
    VPSLLVQ vpsllvq(dst, a, counts) = "vpsllvq" vbin!(0x66, M0F38, 0x47, w, avx2; E_RVM w);
    /// shift 32-bit elements right (logical) by per-element counts.
    VPSRLVD vpsrlvd(dst, a, counts) = "vpsrlvd" vbin!(0x66, M0F38, 0x45, avx2; E_RVM);
    /// shift 64-bit elements right (logical) by per-element counts.
    VPSRLVQ vpsrlvq(dst, a, counts) = "vpsrlvq" vbin!(0x66, M0F38, 0x45, w, avx2; E_RVM w);

    // ---- AVX2 shuffles and lane moves ----
    /// shuffle bytes within each 128-bit lane by the indices in `b`.
    VPSHUFB vpshufb(dst, a, b) = "vpshufb" vbin!(0x66, M0F38, 0x00; E_RVM bw);
    /// shuffle 32-bit elements within each lane by an immediate.
    VPSHUFD vpshufd(dst, src, imm) = "vpshufd" &[vex(RMI_X, 0x66, M0F, 0x70), vex(RMI_Y, 0x66, M0F, 0x70)];
    /// concatenate each lane of `a:b` and take 16 bytes from byte offset `imm`.
    VPALIGNR vpalignr(dst, a, b, imm) = "vpalignr" &[vex(RVMI_X, 0x66, M0F3A, 0x0F), vex(RVMI_Y, 0x66, M0F3A, 0x0F)];
    /// blend 32-bit elements by the immediate's bits.
    VPBLENDD vpblendd(dst, a, b, imm) = "vpblendd" &[vex(RVMI_X, 0x66, M0F3A, 0x02).avx2(), vex(RVMI_Y, 0x66, M0F3A, 0x02)];
    /// blend bytes by the top bit of each byte of `mask`.
    VPBLENDVB vpblendvb(dst, a, b, mask) = "vpblendvb" &[vex(RVMR_X, 0x66, M0F3A, 0x4C), vex(RVMR_Y, 0x66, M0F3A, 0x4C)];
    /// pick each 128-bit half from `a` or `b` (or zero) by the immediate.
    VPERM2I128 vperm2i128(dst, a, b, imm) = "vperm2i128" &[vex(RVMI_Y, 0x66, M0F3A, 0x46)];
    /// permute 64-bit elements across the whole ymm by the immediate.
    VPERMQ vpermq(dst, src, imm) = "vpermq" &[vex(RMI_Y, 0x66, M0F3A, 0x00).w(), evex(E_RMI, 0x66, M0F3A, 0x00).w()];
    /// permute 32-bit elements across the whole ymm by the indices in `a`.
    VPERMD vpermd(dst, idx, src) = "vpermd" &[vex(RVM_Y, 0x66, M0F38, 0x36)];
    /// copy one 128-bit half of a ymm (selected by the immediate) to an xmm or memory.
    VEXTRACTI128 vextracti128(dst, src, imm) = "vextracti128" &[vex(&[(Xm(X128), Rm), (Y, Reg), (U8, Imm)], 0x66, M0F3A, 0x39)];
    /// replace one 128-bit half of `a` (selected by the immediate) with `b`.
    VINSERTI128 vinserti128(dst, a, b, imm) = "vinserti128" &[vex(&[(Y, Reg), (Y, Vvvv), (Xm(X128), Rm), (U8, Imm)], 0x66, M0F3A, 0x38)];
    /// interleave the low bytes of each lane.
    VPUNPCKLBW vpunpcklbw(dst, a, b) = "vpunpcklbw" vbin!(0x66, M0F, 0x60; E_RVM bw);
    /// interleave the high bytes of each lane.
    VPUNPCKHBW vpunpckhbw(dst, a, b) = "vpunpckhbw" vbin!(0x66, M0F, 0x68; E_RVM bw);
    /// interleave the low words of each lane.
    VPUNPCKLWD vpunpcklwd(dst, a, b) = "vpunpcklwd" vbin!(0x66, M0F, 0x61; E_RVM bw);
    /// interleave the high words of each lane.
    VPUNPCKHWD vpunpckhwd(dst, a, b) = "vpunpckhwd" vbin!(0x66, M0F, 0x69; E_RVM bw);
    /// interleave the low 64-bit elements of each lane.
    VPUNPCKLQDQ vpunpcklqdq(dst, a, b) = "vpunpcklqdq" vbin!(0x66, M0F, 0x6C);
    /// interleave the high 64-bit elements of each lane.
    VPUNPCKHQDQ vpunpckhqdq(dst, a, b) = "vpunpckhqdq" vbin!(0x66, M0F, 0x6D);
    /// pack signed words to signed bytes with saturation.
    VPACKSSWB vpacksswb(dst, a, b) = "vpacksswb" vbin!(0x66, M0F, 0x63; E_RVM bw);
    /// pack signed doublewords to signed words with saturation.
    VPACKSSDW vpackssdw(dst, a, b) = "vpackssdw" vbin!(0x66, M0F, 0x6B; E_RVM bw);

    // ---- scalar double (cosine) ----
    /// convert a signed 32- or 64-bit integer to double into the low element (upper from `src1`).
    VCVTSI2SD vcvtsi2sd(dst, src1, src2) = "vcvtsi2sd" &[
        vex(&[(X, Reg), (X, Vvvv), (Rm64, Rm)], 0xF2, M0F, 0x2A).w(),
        vex(&[(X, Reg), (X, Vvvv), (Rm32, Rm)], 0xF2, M0F, 0x2A),
    ];
    /// convert a double to a signed 64-bit integer, truncating.
    VCVTTSD2SI vcvttsd2si(dst, src) = "vcvttsd2si" &[vex(&[(R64, Reg), (Xm(Q64), Rm)], 0xF2, M0F, 0x2C).w()];
    /// scalar double add.
    VADDSD vaddsd(dst, a, b) = "vaddsd" sd!(0x58);
    /// scalar double subtract.
    VSUBSD vsubsd(dst, a, b) = "vsubsd" sd!(0x5C);
    /// scalar double multiply.
    VMULSD vmulsd(dst, a, b) = "vmulsd" sd!(0x59);
    /// scalar double divide.
    VDIVSD vdivsd(dst, a, b) = "vdivsd" sd!(0x5E);
    /// scalar double square root of `b` (upper element from `a`).
    VSQRTSD vsqrtsd(dst, a, b) = "vsqrtsd" sd!(0x51);
    /// packed double exclusive or (zeroing an xmm: `vxorpd x, x, x`).
    VXORPD vxorpd(dst, a, b) = "vxorpd" vbin!(0x66, M0F, 0x57, avx);
    /// unordered compare of scalar doubles, setting ZF, PF and CF.
    VUCOMISD vucomisd(a, b) = "vucomisd" &[vex(SD_RM, 0x66, M0F, 0x2E)];

    // ---- AVX-512 moves (AVX512F, AVX512BW for 8/16-bit elements) ----
    /// 512-bit load, store or register move; masked by bytes.
    VMOVDQU8 vmovdqu8(dst, src) = "vmovdqu8" zmov!(0xF2, bw);
    /// 512-bit load, store or register move; masked by 16-bit words.
    VMOVDQU16 vmovdqu16(dst, src) = "vmovdqu16" zmov!(0xF2, w, bw);
    /// 512-bit load, store or register move; masked by 32-bit elements.
    VMOVDQU32 vmovdqu32(dst, src) = "vmovdqu32" zmov!(0xF3);
    /// 512-bit load, store or register move; masked by 64-bit elements.
    VMOVDQU64 vmovdqu64(dst, src) = "vmovdqu64" zmov!(0xF3, w);
    /// aligned 512-bit load, store or register move; masked by 32-bit elements.
    VMOVDQA32 vmovdqa32(dst, src) = "vmovdqa32" zmov!(0x66);
    /// aligned 512-bit load, store or register move; masked by 64-bit elements.
    VMOVDQA64 vmovdqa64(dst, src) = "vmovdqa64" zmov!(0x66, w);
    /// copy the 256-bit half of a zmm selected by the immediate to a ymm or memory.
    VEXTRACTI64X4 vextracti64x4(dst, src, imm) = "vextracti64x4" &[evex(&[(Ym, Rm), (Z, Reg), (U8, Imm)], 0x66, M0F3A, 0x3B).w()];
    /// copy the 128-bit quarter of a zmm selected by the immediate to an xmm or memory.
    VEXTRACTI32X4 vextracti32x4(dst, src, imm) = "vextracti32x4" &[evex(&[(Xm(X128), Rm), (Z, Reg), (U8, Imm)], 0x66, M0F3A, 0x39)];
    /// replace the 256-bit half of `a` selected by the immediate with `b`.
    VINSERTI64X4 vinserti64x4(dst, a, b, imm) = "vinserti64x4" &[evex(&[(Z, Reg), (Z, Vvvv), (Ym, Rm), (U8, Imm)], 0x66, M0F3A, 0x3A).w()];

    // ---- AVX-512 logic and arithmetic ----
    /// bitwise and, masked by 32-bit elements.
    VPANDD vpandd(dst, a, b) = "vpandd" zbin!(0x66, M0F, 0xDB);
    /// bitwise and, masked by 64-bit elements.
    VPANDQ vpandq(dst, a, b) = "vpandq" zbin!(0x66, M0F, 0xDB, w);
    /// `dst = !a & b`, masked by 32-bit elements.
    VPANDND vpandnd(dst, a, b) = "vpandnd" zbin!(0x66, M0F, 0xDF);
    /// `dst = !a & b`, masked by 64-bit elements.
    VPANDNQ vpandnq(dst, a, b) = "vpandnq" zbin!(0x66, M0F, 0xDF, w);
    /// bitwise or, masked by 32-bit elements.
    VPORD vpord(dst, a, b) = "vpord" zbin!(0x66, M0F, 0xEB);
    /// bitwise or, masked by 64-bit elements.
    VPORQ vporq(dst, a, b) = "vporq" zbin!(0x66, M0F, 0xEB, w);
    /// bitwise exclusive or, masked by 32-bit elements (`vpxord z, z, z` zeroes a zmm).
    VPXORD vpxord(dst, a, b) = "vpxord" zbin!(0x66, M0F, 0xEF);
    /// bitwise exclusive or, masked by 64-bit elements.
    VPXORQ vpxorq(dst, a, b) = "vpxorq" zbin!(0x66, M0F, 0xEF, w);
    /// any three-input bitwise function by 32-bit elements (imm: truth table over dst, a, b).
    VPTERNLOGD vpternlogd(dst, a, b, imm) = "vpternlogd" &[evex(E_RVMI, 0x66, M0F3A, 0x25)];
    /// any three-input bitwise function, by 64-bit elements.
    VPTERNLOGQ vpternlogq(dst, a, b, imm) = "vpternlogq" &[evex(E_RVMI, 0x66, M0F3A, 0x25).w()];
    /// population count of each 32-bit element (AVX512_VPOPCNTDQ).
    VPOPCNTD vpopcntd(dst, src) = "vpopcntd" zun!(0x66, M0F38, 0x55, AVX512VPOPCNTDQ);
    /// population count of each 64-bit element (AVX512_VPOPCNTDQ).
    VPOPCNTQ vpopcntq(dst, src) = "vpopcntq" zun!(0x66, M0F38, 0x55, AVX512VPOPCNTDQ, w);
    /// population count of each byte (AVX512_BITALG).
    VPOPCNTB vpopcntb(dst, src) = "vpopcntb" zun!(0x66, M0F38, 0x54, AVX512BITALG);
    /// population count of each 16-bit word (AVX512_BITALG).
    VPOPCNTW vpopcntw(dst, src) = "vpopcntw" zun!(0x66, M0F38, 0x54, AVX512BITALG, w);
    /// set each mask bit where the 64-bit elements of `a` and `b` share a set bit.
    VPTESTMQ vptestmq(dst, a, b) = "vptestmq" &[evex(E_KVM, 0x66, M0F38, 0x27).w()];
    /// compare signed bytes by predicate `imm` (0 eq, 1 lt, 2 le, 4 ne, 5 ge, 6 gt) into a mask.
    VPCMPB vpcmpb(dst, a, b, imm) = "vpcmpb" &[evex(&[(K, Reg), (Z, Vvvv), (Zm, Rm), (U8, Imm)], 0x66, M0F3A, 0x3F).bw()];
    /// compare unsigned bytes by predicate `imm` into a mask.
    VPCMPUB vpcmpub(dst, a, b, imm) = "vpcmpub" &[evex(&[(K, Reg), (Z, Vvvv), (Zm, Rm), (U8, Imm)], 0x66, M0F3A, 0x3E).bw()];
    /// bytes whose `a & b` is nonzero into a mask.
    VPTESTMB vptestmb(dst, a, b) = "vptestmb" &[evex(E_KVM, 0x66, M0F38, 0x26).bw()];
    /// the top bit of every byte into a mask.
    VPMOVB2M vpmovb2m(dst, src) = "vpmovb2m" &[evex(&[(K, Reg), (Z, Rm)], 0xF3, M0F38, 0x29).unmasked().bw()];
    /// every byte all ones or zero by its mask bit.
    VPMOVM2B vpmovm2b(dst, src) = "vpmovm2b" &[evex(&[(Z, Reg), (K, Rm)], 0xF3, M0F38, 0x28).unmasked().bw()];
    /// each byte from `b` where the write mask is set, else from `a`.
    VPBLENDMB vpblendmb(dst, a, b) = "vpblendmb" zbin!(0x66, M0F38, 0x66, bw);

    // ---- opmask registers (AVX512F for 16-bit masks, AVX512BW for 32/64-bit) ----
    /// 16-bit mask move: k <- k/m16, m16 <- k, k <- r32, r32 <- k.
    KMOVW kmovw(dst, src) = "kmovw" kmov!(W16, 0, R32, 0);
    /// 32-bit mask move: k <- k/m32, m32 <- k, k <- r32, r32 <- k.
    KMOVD kmovd(dst, src) = "kmovd" kmov!(D32, 0x66 w, R32, 0xF2; bw);
    /// 64-bit mask move: k <- k/m64, m64 <- k, k <- r64, r64 <- k.
    KMOVQ kmovq(dst, src) = "kmovq" kmov!(Q64, 0 w, R64, 0xF2 w; bw);
    /// or two 16-bit masks, setting ZF when the result is zero and CF when it is all ones.
    KORTESTW kortestw(a, b) = "kortestw" kop!(2, 0, 0x98);
    /// or two 32-bit masks into ZF and CF.
    KORTESTD kortestd(a, b) = "kortestd" kop!(2, 0x66, 0x98, w, bw);
    /// or two 64-bit masks into ZF and CF.
    KORTESTQ kortestq(a, b) = "kortestq" kop!(2, 0, 0x98, w, bw);
    /// and of 16-bit masks.
    KANDW kandw(dst, a, b) = "kandw" kop!(3, 0, 0x41);
    /// and of 64-bit masks.
    KANDQ kandq(dst, a, b) = "kandq" kop!(3, 0, 0x41, w, bw);
    /// `dst = !a & b` of 64-bit masks.
    KANDNQ kandnq(dst, a, b) = "kandnq" kop!(3, 0, 0x42, w, bw);
    /// or of 64-bit masks.
    KORQ korq(dst, a, b) = "korq" kop!(3, 0, 0x45, w, bw);
    /// exclusive or of 64-bit masks.
    KXORQ kxorq(dst, a, b) = "kxorq" kop!(3, 0, 0x47, w, bw);
    /// add 64-bit masks as integers.
    KADDQ kaddq(dst, a, b) = "kaddq" kop!(3, 0, 0x4A, w, bw);
    /// not of a 64-bit mask.
    KNOTQ knotq(dst, src) = "knotq" kop!(2, 0, 0x44, w, bw);
    /// shift a 64-bit mask right by an immediate (counts above 63 give zero).
    KSHIFTRQ kshiftrq(dst, src, count) = "kshiftrq" &[vex(K_RMI, 0x66, M0F3A, 0x31).w().bw()];
    /// shift a 64-bit mask left by an immediate (counts above 63 give zero).
    KSHIFTLQ kshiftlq(dst, src, count) = "kshiftlq" &[vex(K_RMI, 0x66, M0F3A, 0x33).w().bw()];
}
