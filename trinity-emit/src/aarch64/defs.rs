//! The instruction table: every A64 instruction the encoder knows, as data.
//!
//! Each entry is an [`Inst`] static (its mnemonic and [`Form`]s) and a method of the same name on
//! [`Assembler`] taking `impl Into<Operand>` per operand (assembler order: destination first).
//! [`ALL`] lists every entry, so tests and tools that iterate it cover new definitions
//! automatically. General-purpose forms come in pairs, 64-bit (`sf` set) then 32-bit; NEON
//! forms come one per arrangement, with the arrangement's Q and size fields in the base word.
//! Encodings are from the Arm ARM (DDI 0487), section C6/C7.

#![allow(non_upper_case_globals)]

use super::form::{Features, Form, Gpr, Inst, Kind, Rel, A, D, M, N};
use super::operand::Operand;
use super::regs::{Arr, Size};
use super::{A64Fixup, Assembler};
use crate::EmitError;

use Gpr::{WSp, XSp, W, X};
use Kind::*;
use Rel::{Bytes, Long, Widened, T};

type Shape = &'static [Kind];

const SF: u32 = 1 << 31;

/// A 64-bit general-purpose form (`sf` set).
const fn x(base: u32, ops: Shape) -> Form {
    Form::new(base | SF, ops)
}

/// A 32-bit general-purpose form (or one without `sf`).
const fn w(base: u32, ops: Shape) -> Form {
    Form::new(base, ops)
}

/// Q at 30 and size at 22: the arrangement fields of most NEON instructions.
const fn qs(t: Arr) -> u32 {
    t.q() << 30 | t.size() << 22
}

/// Q only (the size is part of the opcode, or is another field).
const fn q(t: Arr) -> u32 {
    t.q() << 30
}

/// Q and immh = the source element size (`sxtl` is `sshll #0`).
const fn qimmh(t: Arr) -> u32 {
    t.q() << 30 | (8 << t.size()) << 16
}

/// Q and the element size as the lowest set bit of imm5 (`dup` from a general register).
const fn qimm5(t: Arr) -> u32 {
    t.q() << 30 | (1 << t.size()) << 16
}

/// Q and size at 10 (`ld1`, `st1`).
const fn qs10(t: Arr) -> u32 {
    t.q() << 30 | t.size() << 10
}

/// No arrangement fields.
const fn none(_: Arr) -> u32 {
    0
}

/// Forms: explicit ones, then after `;` one per arrangement: `shape base bits [arrangements]`.
macro_rules! forms {
    ($($form:expr),* $(,)? ; $($shape:ident $base:literal $bits:ident [$($a:ident)*]);* $(;)?) => {
        &[$($form,)* $($(Form::arr($base, $shape, Arr::$a, $bits(Arr::$a)),)*)*]
    };
}

/// NEON forms one per arrangement: `shape base bits [arrangements]; ...`.
macro_rules! v {
    ($($t:tt)*) => {
        forms!(; $($t)*)
    };
}

// NEON operand shapes, relative to the form's arrangement T.
const SAME3: Shape = &[V(T, D), V(T, N), V(T, M)];
const SAME2: Shape = &[V(T, D), V(T, N)];
const ZERO2: Shape = &[V(T, D), V(T, N), Zero];
const PAIRWISE: Shape = &[V(Widened, D), V(T, N)];
const NARROW: Shape = &[V(T, D), V(Long, N)];
const LONG3: Shape = &[V(Long, D), V(T, N), V(T, M)];
const WIDE3: Shape = &[V(Long, D), V(Long, N), V(T, M)];
const EXTEND: Shape = &[V(Long, D), V(T, N)];
const ACROSS: Shape = &[Fe(false), V(T, N)];
const ACROSS_LONG: Shape = &[Fe(true), V(T, N)];
const SHIFT_R: Shape = &[V(T, D), V(T, N), ShrImm];
const SHIFT_L: Shape = &[V(T, D), V(T, N), ShlImm];
const DOT: Shape = &[V(T, D), V(Bytes, N), V(Bytes, M)];
const DOT_ELEM: Shape = &[V(T, D), V(Bytes, N), DotElem];
const EXT_IDX: Shape = &[V(T, D), V(T, N), V(T, M), ByteIdx];
const DUP_ELEM: Shape = &[V(T, D), E(N)];
const DUP_W: Shape = &[V(T, D), R(W, N)];
const DUP_X: Shape = &[V(T, D), R(X, N)];
const MOVI_B: Shape = &[V(T, D), Imm8];
const MOVI_D: Shape = &[V(T, D), ByteMask];
const TO_W: Shape = &[R(W, D), E(N)];
const TO_X: Shape = &[R(X, D), E(N)];
const INS_W: Shape = &[E(D), R(W, N)];
const INS_X: Shape = &[E(D), R(X, N)];
const INS_E: Shape = &[E(D), E4];
const ADDP_D: Shape = &[F(Size::D, D), V(T, N)];
const LIST_BASE: Shape = &[List, ListBase];
const LIST_POST: Shape = &[List, ListPost];
const LIST_REG: Shape = &[List, ListPostReg];

// General-purpose operand shapes, 64- and 32-bit.
const X3: Shape = &[R(X, D), R(X, N), R(X, M)];
const W3: Shape = &[R(W, D), R(W, N), R(W, M)];
const X2: Shape = &[R(X, D), R(X, N)];
const W2: Shape = &[R(W, D), R(W, N)];
const ADD_X: Shape = &[R(XSp, D), R(XSp, N), AddImm];
const ADD_W: Shape = &[R(WSp, D), R(WSp, N), AddImm];
const ADDS_X: Shape = &[R(X, D), R(XSp, N), AddImm];
const ADDS_W: Shape = &[R(W, D), R(WSp, N), AddImm];
const ARITH_X: Shape = &[R(X, D), R(X, N), Sh(true, false)];
const ARITH_W: Shape = &[R(W, D), R(W, N), Sh(false, false)];
const LOGIC_X: Shape = &[R(X, D), R(X, N), Sh(true, true)];
const LOGIC_W: Shape = &[R(W, D), R(W, N), Sh(false, true)];
const BITMASK_X: Shape = &[R(XSp, D), R(X, N), Bitmask(64)];
const BITMASK_W: Shape = &[R(WSp, D), R(W, N), Bitmask(32)];
const ANDS_X: Shape = &[R(X, D), R(X, N), Bitmask(64)];
const ANDS_W: Shape = &[R(W, D), R(W, N), Bitmask(32)];
const MOVE_WIDE_X: Shape = &[R(X, D), U(5, 0xffff), Hw(64)];
const MOVE_WIDE_W: Shape = &[R(W, D), U(5, 0xffff), Hw(32)];
const CSEL_X: Shape = &[R(X, D), R(X, N), R(X, M), Cond];
const CSEL_W: Shape = &[R(W, D), R(W, N), R(W, M), Cond];
const CBZ_X: Shape = &[R(X, D), Label(A64Fixup::Imm19)];
const CBZ_W: Shape = &[R(W, D), Label(A64Fixup::Imm19)];
const TBZ_X: Shape = &[R(X, D), Bit(64), Label(A64Fixup::Imm14)];
const TBZ_W: Shape = &[R(W, D), Bit(32), Label(A64Fixup::Imm14)];
const FP3: Shape = &[F(Size::D, D), F(Size::D, N), F(Size::D, M)];
const FP2: Shape = &[F(Size::D, D), F(Size::D, N)];

/// The SIMD&FP form of `ldr` (literal) for an `F` of `size`.
const fn literal(base: u32, rt: Kind) -> Form {
    Form::new(base, lit_shape(rt))
}

const fn lit_shape(rt: Kind) -> Shape {
    match rt {
        R(W, _) => &[R(W, D), Label(A64Fixup::Imm19)],
        R(_, _) => &[R(X, D), Label(A64Fixup::Imm19)],
        F(Size::S, _) => &[F(Size::S, D), Label(A64Fixup::Imm19)],
        F(Size::D, _) => &[F(Size::D, D), Label(A64Fixup::Imm19)],
        _ => &[F(Size::Q, D), Label(A64Fixup::Imm19)],
    }
}

/// A load or store of one register in the four addressing modes: unsigned scaled offset (the
/// base word), pre-index, post-index and register offset (the unscaled encodings).
macro_rules! single {
    ($base:expr, $scale:literal, $rt:expr) => {
        [
            Form::new($base, &[$rt, Off($scale)]),
            Form::new(($base & !0x0100_0000) | 0xc00, &[$rt, Pre]),
            Form::new(($base & !0x0100_0000) | 0x400, &[$rt, Post]),
            Form::new(($base & !0x0100_0000) | 0x0020_6800, &[$rt, RegOff($scale)]),
        ]
    };
}

/// Every register class of `ldr`/`str` in every mode: X, W, B, H, S, D, Q; `$load` sets bit 22.
macro_rules! ldr_str {
    ($load:literal $(, $lit:expr)*) => {{
        const L: u32 = $load << 22;
        const T7: [[Form; 4]; 7] = [
            single!((0xf900_0000 | L), 3, R(X, D)),
            single!((0xb900_0000 | L), 2, R(W, D)),
            single!((0x3d00_0000 | L), 0, F(Size::B, D)),
            single!((0x7d00_0000 | L), 1, F(Size::H, D)),
            single!((0xbd00_0000 | L), 2, F(Size::S, D)),
            single!((0xfd00_0000 | L), 3, F(Size::D, D)),
            single!((0x3d80_0000 | L), 4, F(Size::Q, D)),
        ];
        &[
            T7[0][0], T7[0][1], T7[0][2], T7[0][3], T7[1][0], T7[1][1], T7[1][2], T7[1][3],
            T7[2][0], T7[2][1], T7[2][2], T7[2][3], T7[3][0], T7[3][1], T7[3][2], T7[3][3],
            T7[4][0], T7[4][1], T7[4][2], T7[4][3], T7[5][0], T7[5][1], T7[5][2], T7[5][3],
            T7[6][0], T7[6][1], T7[6][2], T7[6][3], $($lit,)*
        ]
    }};
}

/// A pair of registers of `$scale` in the three modes: signed offset (the base word, mode
/// 0b10 at 23), pre-index (0b11) and post-index (0b01).
macro_rules! pair {
    ($base:expr, $scale:literal, $rt:ident($($a:tt)*)) => {
        [
            Form::new($base, &[$rt($($a)*, D), $rt($($a)*, A), PairOff($scale)]),
            Form::new($base | 1 << 23, &[$rt($($a)*, D), $rt($($a)*, A), PairPre($scale)]),
            Form::new(($base & !(3 << 23)) | 1 << 23, &[$rt($($a)*, D), $rt($($a)*, A), PairPost($scale)]),
        ]
    };
}

/// `ldp`/`stp` of X, D and Q registers; `$load` sets bit 22.
macro_rules! ldp_stp {
    ($load:literal) => {{
        const L: u32 = $load << 22;
        const T3: [[Form; 3]; 3] = [
            pair!((0xa900_0000 | L), 3, R(X)),
            pair!((0x6d00_0000 | L), 3, F(Size::D)),
            pair!((0xad00_0000 | L), 4, F(Size::Q)),
        ];
        &[T3[0][0], T3[0][1], T3[0][2], T3[1][0], T3[1][1], T3[1][2], T3[2][0], T3[2][1], T3[2][2]]
    }};
}

/// `ld1`/`st1` of every arrangement: `[base]`, post-index by the list's size, by a register.
macro_rules! ld1_st1 {
    ($base:literal) => {
        v!(LIST_BASE $base qs10 [B8 B16 H4 H8 S2 S4 D1 D2];
           LIST_POST $base qs10 [B8 B16 H4 H8 S2 S4 D1 D2];
           LIST_REG $base qs10 [B8 B16 H4 H8 S2 S4 D1 D2])
    };
}

macro_rules! instructions {
    ($(
        $(#[doc = $doc:literal])+
        $konst:ident $method:ident($($arg:ident),*) = $mnemonic:literal $forms:expr;
    )*) => {
        $(
            #[doc = concat!("`", $mnemonic, "`:")]
            $(#[doc = $doc])+
            pub static $konst: Inst = Inst { mnemonic: $mnemonic, forms: $forms };
        )*

        /// Every instruction of the table, in definition order.
        pub static ALL: &[&Inst] = &[$(&$konst),*];

        impl Assembler {
            $(
                #[doc = concat!("`", $mnemonic, "`:")]
                $(#[doc = $doc])+
                #[doc = concat!("\n\nForms: [`", stringify!($konst), "`](crate::aarch64::defs::",
                    stringify!($konst), ").")]
                pub fn $method(&mut self, $($arg: impl Into<Operand>),*) -> Result<(), EmitError> {
                    self.emit(&$konst, &[$($arg.into()),*])
                }
            )*
        }
    };
}

instructions! {
    // ---- general-purpose arithmetic and logic (and the NEON forms of the same mnemonics) ----
    /// add an immediate (imm12, or imm12 << 12; SP allowed), a shifted register, or vectors.
    ADD add(rd, rn, src) = "add" forms![
        x(0x1100_0000, ADD_X), w(0x1100_0000, ADD_W), x(0x0b00_0000, ARITH_X), w(0x0b00_0000, ARITH_W);
        SAME3 0x0e20_8400 qs [B8 B16 H4 H8 S2 S4 D2]];
    /// add, setting the flags.
    ADDS adds(rd, rn, src) = "adds" &[
        x(0x3100_0000, ADDS_X), w(0x3100_0000, ADDS_W), x(0x2b00_0000, ARITH_X), w(0x2b00_0000, ARITH_W),
    ];
    /// subtract an immediate, a shifted register, or vectors.
    SUB sub(rd, rn, src) = "sub" forms![
        x(0x5100_0000, ADD_X), w(0x5100_0000, ADD_W), x(0x4b00_0000, ARITH_X), w(0x4b00_0000, ARITH_W);
        SAME3 0x2e20_8400 qs [B8 B16 H4 H8 S2 S4 D2]];
    /// subtract, setting the flags.
    SUBS subs(rd, rn, src) = "subs" &[
        x(0x7100_0000, ADDS_X), w(0x7100_0000, ADDS_W), x(0x6b00_0000, ARITH_X), w(0x6b00_0000, ARITH_W),
    ];
    /// compare (`subs zr, rn, src`).
    CMP cmp(rn, src) = "cmp" &[
        x(0x7100_001f, &[R(XSp, N), AddImm]), w(0x7100_001f, &[R(WSp, N), AddImm]),
        x(0x6b00_001f, &[R(X, N), Sh(true, false)]), w(0x6b00_001f, &[R(W, N), Sh(false, false)]),
    ];
    /// bitwise and with a bitmask immediate (SP destination allowed), a shifted register, or
    /// vectors.
    AND and(rd, rn, src) = "and" forms![
        x(0x1200_0000, BITMASK_X), w(0x1200_0000, BITMASK_W), x(0x0a00_0000, LOGIC_X), w(0x0a00_0000, LOGIC_W);
        SAME3 0x0e20_1c00 qs [B8 B16]];
    /// bitwise or.
    ORR orr(rd, rn, src) = "orr" forms![
        x(0x3200_0000, BITMASK_X), w(0x3200_0000, BITMASK_W), x(0x2a00_0000, LOGIC_X), w(0x2a00_0000, LOGIC_W);
        SAME3 0x0ea0_1c00 qs [B8 B16]];
    /// bitwise exclusive or.
    EOR eor(rd, rn, src) = "eor" forms![
        x(0x5200_0000, BITMASK_X), w(0x5200_0000, BITMASK_W), x(0x4a00_0000, LOGIC_X), w(0x4a00_0000, LOGIC_W);
        SAME3 0x2e20_1c00 qs [B8 B16]];
    /// bitwise and, setting the flags.
    ANDS ands(rd, rn, src) = "ands" &[
        x(0x7200_0000, ANDS_X), w(0x7200_0000, ANDS_W), x(0x6a00_0000, LOGIC_X), w(0x6a00_0000, LOGIC_W),
    ];
    /// test bits (`ands zr, rn, src`).
    TST tst(rn, src) = "tst" &[
        x(0x7200_001f, &[R(X, N), Bitmask(64)]), w(0x7200_001f, &[R(W, N), Bitmask(32)]),
        x(0x6a00_001f, &[R(X, N), Sh(true, true)]), w(0x6a00_001f, &[R(W, N), Sh(false, true)]),
    ];
    /// `rn & !src` (shifted register), or of vectors.
    BIC bic(rd, rn, src) = "bic" forms![
        x(0x0a20_0000, LOGIC_X), w(0x0a20_0000, LOGIC_W);
        SAME3 0x0e60_1c00 qs [B8 B16]];
    /// `rn | !src`.
    ORN orn(rd, rn, src) = "orn" forms![
        x(0x2a20_0000, LOGIC_X), w(0x2a20_0000, LOGIC_W);
        SAME3 0x0ee0_1c00 qs [B8 B16]];
    /// `rn ^ !src`.
    EON eon(rd, rn, src) = "eon" &[x(0x4a20_0000, LOGIC_X), w(0x4a20_0000, LOGIC_W)];
    /// `rn & !src`, setting the flags.
    BICS bics(rd, rn, src) = "bics" &[x(0x6a20_0000, LOGIC_X), w(0x6a20_0000, LOGIC_W)];
    /// copy a register (`orr rd, zr, rm`), or to or from SP (`add rd, rn, #0`).
    MOV mov(rd, rn) = "mov" &[
        x(0x2a00_03e0, &[R(X, D), R(X, M)]), w(0x2a00_03e0, &[R(W, D), R(W, M)]),
        x(0x1100_0000, &[R(XSp, D), R(XSp, N)]), w(0x1100_0000, &[R(WSp, D), R(WSp, N)]),
    ];
    /// `rd = ra + rn * rm`.
    MADD madd(rd, rn, rm, ra) = "madd" &[
        x(0x1b00_0000, &[R(X, D), R(X, N), R(X, M), R(X, A)]), w(0x1b00_0000, &[R(W, D), R(W, N), R(W, M), R(W, A)]),
    ];
    /// `rd = ra - rn * rm`.
    MSUB msub(rd, rn, rm, ra) = "msub" &[
        x(0x1b00_8000, &[R(X, D), R(X, N), R(X, M), R(X, A)]), w(0x1b00_8000, &[R(W, D), R(W, N), R(W, M), R(W, A)]),
    ];
    /// multiply (`madd rd, rn, rm, zr`), or vectors of bytes, halfwords or words.
    MUL mul(rd, rn, rm) = "mul" forms![
        x(0x1b00_7c00, X3), w(0x1b00_7c00, W3);
        SAME3 0x0e20_9c00 qs [B8 B16 H4 H8 S2 S4]];
    /// count leading zero bits.
    CLZ clz(rd, rn) = "clz" &[x(0x5ac0_1000, X2), w(0x5ac0_1000, W2)];

    // ---- shifts ----
    /// shift left by an immediate (`ubfm`) or by a register (`lslv`).
    LSL lsl(rd, rn, shift) = "lsl" &[
        x(0x5340_0000, &[R(X, D), R(X, N), LslImm(64)]), w(0x5300_0000, &[R(W, D), R(W, N), LslImm(32)]),
        x(0x1ac0_2000, X3), w(0x1ac0_2000, W3),
    ];
    /// logical shift right by an immediate (`ubfm`) or by a register (`lsrv`).
    LSR lsr(rd, rn, shift) = "lsr" &[
        x(0x5340_fc00, &[R(X, D), R(X, N), U(16, 63)]), w(0x5300_7c00, &[R(W, D), R(W, N), U(16, 31)]),
        x(0x1ac0_2400, X3), w(0x1ac0_2400, W3),
    ];
    /// arithmetic shift right by an immediate (`sbfm`) or by a register (`asrv`).
    ASR asr(rd, rn, shift) = "asr" &[
        x(0x1340_fc00, &[R(X, D), R(X, N), U(16, 63)]), w(0x1300_7c00, &[R(W, D), R(W, N), U(16, 31)]),
        x(0x1ac0_2800, X3), w(0x1ac0_2800, W3),
    ];
    /// rotate right by a register (`rorv`).
    ROR ror(rd, rn, shift) = "ror" &[x(0x1ac0_2c00, X3), w(0x1ac0_2c00, W3)];

    // ---- move wide ----
    /// move a 16-bit immediate shifted by 0, 16, 32 or 48, zeroing the rest.
    MOVZ movz(rd, imm16, shift) = "movz" &[x(0x5280_0000, MOVE_WIDE_X), w(0x5280_0000, MOVE_WIDE_W)];
    /// replace one 16-bit field, keeping the rest.
    MOVK movk(rd, imm16, shift) = "movk" &[x(0x7280_0000, MOVE_WIDE_X), w(0x7280_0000, MOVE_WIDE_W)];
    /// move the inverse of a shifted 16-bit immediate.
    MOVN movn(rd, imm16, shift) = "movn" &[x(0x1280_0000, MOVE_WIDE_X), w(0x1280_0000, MOVE_WIDE_W)];

    // ---- conditional select ----
    /// `rd = cond ? rn : rm`.
    CSEL csel(rd, rn, rm, cond) = "csel" &[x(0x1a80_0000, CSEL_X), w(0x1a80_0000, CSEL_W)];
    /// `rd = cond ? rn : rm + 1`.
    CSINC csinc(rd, rn, rm, cond) = "csinc" &[x(0x1a80_0400, CSEL_X), w(0x1a80_0400, CSEL_W)];
    /// `rd = cond ? rn : -rm`.
    CSNEG csneg(rd, rn, rm, cond) = "csneg" &[x(0x5a80_0400, CSEL_X), w(0x5a80_0400, CSEL_W)];
    /// `rd = cond ? 1 : 0` (`csinc rd, zr, zr, !cond`; not `al`).
    CSET cset(rd, cond) = "cset" &[x(0x1a9f_07e0, &[R(X, D), CondInv]), w(0x1a9f_07e0, &[R(W, D), CondInv])];
    /// `rd = cond ? -rn : rn` (`csneg rd, rn, rn, !cond`; not `al`).
    CNEG cneg(rd, rn, cond) = "cneg" &[
        x(0x5a80_0400, &[R(X, D), R(X, N | M), CondInv]), w(0x5a80_0400, &[R(W, D), R(W, N | M), CondInv]),
    ];

    // ---- loads and stores ----
    /// load a register (X, W, or SIMD&FP B/H/S/D/Q): `[base, #uimm]`, pre/post-index,
    /// register offset, or PC-relative from a label (W, X, S, D, Q).
    LDR ldr(rt, addr) = "ldr" ldr_str!(1,
        literal(0x1800_0000, R(W, D)), literal(0x5800_0000, R(X, D)),
        literal(0x1c00_0000, F(Size::S, D)), literal(0x5c00_0000, F(Size::D, D)), literal(0x9c00_0000, F(Size::Q, D)));
    /// store a register (X, W, or SIMD&FP B/H/S/D/Q).
    STR str(rt, addr) = "str" ldr_str!(0);
    /// load a byte, zero-extended into a W register.
    LDRB ldrb(rt, addr) = "ldrb" &single!(0x3940_0000, 0, R(W, D));
    /// store the low byte of a W register.
    STRB strb(rt, addr) = "strb" &single!(0x3900_0000, 0, R(W, D));
    /// load a halfword, zero-extended.
    LDRH ldrh(rt, addr) = "ldrh" &single!(0x7940_0000, 1, R(W, D));
    /// store the low halfword.
    STRH strh(rt, addr) = "strh" &single!(0x7900_0000, 1, R(W, D));
    /// load a byte, sign-extended into an X or W register.
    LDRSB ldrsb(rt, addr) = "ldrsb" &{
        const T2: [[Form; 4]; 2] = [single!(0x3980_0000, 0, R(X, D)), single!(0x39c0_0000, 0, R(W, D))];
        [T2[0][0], T2[0][1], T2[0][2], T2[0][3], T2[1][0], T2[1][1], T2[1][2], T2[1][3]]
    };
    /// load a pair of X, D or Q registers (offset, pre- or post-index).
    LDP ldp(rt1, rt2, addr) = "ldp" ldp_stp!(1);
    /// store a pair of X, D or Q registers.
    STP stp(rt1, rt2, addr) = "stp" ldp_stp!(0);
    /// load 1 to 4 consecutive vectors: `[base]`, post-index by their size or by a register.
    LD1 ld1(list, addr) = "ld1" ld1_st1!(0x0c40_0000);
    /// store 1 to 4 consecutive vectors.
    ST1 st1(list, addr) = "st1" ld1_st1!(0x0c00_0000);
    /// the address of a label (±1 MiB).
    ADR adr(rd, label) = "adr" &[w(0x1000_0000, &[R(X, D), Label(A64Fixup::Adr)])];

    // ---- branches ----
    /// branch to a label (±128 MiB).
    B b(label) = "b" &[w(0x1400_0000, &[Label(A64Fixup::Imm26)])];
    /// branch with link (call) to a label.
    BL bl(label) = "bl" &[w(0x9400_0000, &[Label(A64Fixup::Imm26)])];
    /// conditional branch to a label (±1 MiB): `b_cond(Cond::Ne, label)` is `b.ne`.
    B_COND b_cond(cond, label) = "b." &[w(0x5400_0000, &[CondSuffix, Label(A64Fixup::Imm19)])];
    /// branch if the register is zero.
    CBZ cbz(rt, label) = "cbz" &[x(0x3400_0000, CBZ_X), w(0x3400_0000, CBZ_W)];
    /// branch if the register is not zero.
    CBNZ cbnz(rt, label) = "cbnz" &[x(0x3500_0000, CBZ_X), w(0x3500_0000, CBZ_W)];
    /// branch if a bit is zero (±32 KiB).
    TBZ tbz(rt, bit, label) = "tbz" &[w(0x3600_0000, TBZ_X), w(0x3600_0000, TBZ_W)];
    /// branch if a bit is one.
    TBNZ tbnz(rt, bit, label) = "tbnz" &[w(0x3700_0000, TBZ_X), w(0x3700_0000, TBZ_W)];
    /// return to x30.
    RET ret() = "ret" &[w(0xd65f_03c0, &[])];
    /// return to the address in a register.
    RET_TO ret_to(rn) = "ret" &[w(0xd65f_0000, &[R(X, N)])];
    /// branch to the address in a register.
    BR br(rn) = "br" &[w(0xd61f_0000, &[R(X, N)])];
    /// call the address in a register.
    BLR blr(rn) = "blr" &[w(0xd63f_0000, &[R(X, N)])];
    /// supervisor call.
    SVC svc(imm16) = "svc" &[w(0xd400_0001, &[U(5, 0xffff)])];
    /// breakpoint.
    BRK brk(imm16) = "brk" &[w(0xd420_0000, &[U(5, 0xffff)])];
    /// no operation.
    NOP nop() = "nop" &[w(0xd503_201f, &[])];

    // ---- scalar double precision ----
    /// copy between a general and a d register, or between d registers.
    FMOV fmov(rd, rn) = "fmov" &[
        w(0x9e67_0000, &[F(Size::D, D), R(X, N)]), w(0x9e66_0000, &[R(X, D), F(Size::D, N)]), w(0x1e60_4000, FP2),
    ];
    /// square root.
    FSQRT fsqrt(rd, rn) = "fsqrt" &[w(0x1e61_c000, FP2)];
    /// add.
    FADD fadd(rd, rn, rm) = "fadd" &[w(0x1e60_2800, FP3)];
    /// multiply.
    FMUL fmul(rd, rn, rm) = "fmul" &[w(0x1e60_0800, FP3)];
    /// divide.
    FDIV fdiv(rd, rn, rm) = "fdiv" &[w(0x1e60_1800, FP3)];
    /// signed 64-bit integer to double.
    SCVTF scvtf(rd, rn) = "scvtf" &[w(0x9e62_0000, &[F(Size::D, D), R(X, N)])];
    /// compare two doubles, or a double with 0.0 (`fcmp(D1, 0)`), setting the flags.
    FCMP fcmp(rn, rm) = "fcmp" &[
        w(0x1e60_2000, &[F(Size::D, N), F(Size::D, M)]), w(0x1e60_2008, &[F(Size::D, N), FZero]),
    ];

    // ---- NEON: bitwise ----
    /// bitwise select: `rd = (rd & rn) | (!rd & rm)`.
    BSL bsl(rd, rn, rm) = "bsl" v!(SAME3 0x2e60_1c00 qs [B8 B16]);
    /// insert `rn` bits where `rm` is zero.
    BIF bif(rd, rn, rm) = "bif" v!(SAME3 0x2ee0_1c00 qs [B8 B16]);
    /// insert `rn` bits where `rm` is one.
    BIT bit(rd, rn, rm) = "bit" v!(SAME3 0x2ea0_1c00 qs [B8 B16]);
    /// bitwise not.
    NOT not(rd, rn) = "not" v!(SAME2 0x2e20_5800 qs [B8 B16]);
    /// population count of each byte.
    CNT cnt(rd, rn) = "cnt" v!(SAME2 0x0e20_5800 qs [B8 B16]);

    // ---- NEON: arithmetic and compares ----
    /// negate each element.
    NEG neg(rd, rn) = "neg" v!(SAME2 0x2e20_b800 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// absolute value of each element.
    ABS abs(rd, rn) = "abs" v!(SAME2 0x0e20_b800 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// elements equal (all ones, else zero), or equal to zero (`cmeq(d, n, 0)`).
    CMEQ cmeq(rd, rn, rm) = "cmeq" v!(SAME3 0x2e20_8c00 qs [B8 B16 H4 H8 S2 S4 D2];
        ZERO2 0x0e20_9800 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// signed greater than, or than zero.
    CMGT cmgt(rd, rn, rm) = "cmgt" v!(SAME3 0x0e20_3400 qs [B8 B16 H4 H8 S2 S4 D2];
        ZERO2 0x0e20_8800 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// signed greater or equal, or than zero.
    CMGE cmge(rd, rn, rm) = "cmge" v!(SAME3 0x0e20_3c00 qs [B8 B16 H4 H8 S2 S4 D2];
        ZERO2 0x2e20_8800 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// unsigned higher.
    CMHI cmhi(rd, rn, rm) = "cmhi" v!(SAME3 0x2e20_3400 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// test bits: all ones where `rn & rm` is not zero.
    CMTST cmtst(rd, rn, rm) = "cmtst" v!(SAME3 0x0e20_8c00 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// signed less than zero (`cmlt(d, n, 0)`).
    CMLT cmlt(rd, rn, zero) = "cmlt" v!(ZERO2 0x0e20_a800 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// signed less or equal to zero.
    CMLE cmle(rd, rn, zero) = "cmle" v!(ZERO2 0x2e20_9800 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// signed maximum.
    SMAX smax(rd, rn, rm) = "smax" v!(SAME3 0x0e20_6400 qs [B8 B16 H4 H8 S2 S4]);
    /// signed minimum.
    SMIN smin(rd, rn, rm) = "smin" v!(SAME3 0x0e20_6c00 qs [B8 B16 H4 H8 S2 S4]);
    /// signed shift left by each element of `rm` (right when negative).
    SSHL sshl(rd, rn, rm) = "sshl" v!(SAME3 0x0e20_4400 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// unsigned shift left by each element of `rm` (right when negative).
    USHL ushl(rd, rn, rm) = "ushl" v!(SAME3 0x2e20_4400 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// add adjacent pairs of the concatenation `rn:rm`, or the two doublewords into a d register.
    ADDP addp(rd, rn, rm) = "addp" v!(SAME3 0x0e20_bc00 qs [B8 B16 H4 H8 S2 S4 D2]);
    /// `addp dd, vn.2d`: the sum of the two doublewords.
    ADDP_SCALAR addp_scalar(rd, rn) = "addp" v!(ADDP_D 0x5ef1_b800 none [D2]);

    // ---- NEON: widening and narrowing ----
    /// add adjacent signed pairs into elements twice as wide.
    SADDLP saddlp(rd, rn) = "saddlp" v!(PAIRWISE 0x0e20_2800 qs [B8 B16 H4 H8 S2 S4]);
    /// add adjacent unsigned pairs into elements twice as wide.
    UADDLP uaddlp(rd, rn) = "uaddlp" v!(PAIRWISE 0x2e20_2800 qs [B8 B16 H4 H8 S2 S4]);
    /// add adjacent signed pairs and accumulate into elements twice as wide.
    SADALP sadalp(rd, rn) = "sadalp" v!(PAIRWISE 0x0e20_6800 qs [B8 B16 H4 H8 S2 S4]);
    /// add adjacent unsigned pairs and accumulate.
    UADALP uadalp(rd, rn) = "uadalp" v!(PAIRWISE 0x2e20_6800 qs [B8 B16 H4 H8 S2 S4]);
    /// narrow each element to half its width (low half of the destination).
    XTN xtn(rd, rn) = "xtn" v!(NARROW 0x0e21_2800 qs [B8 H4 S2]);
    /// narrow into the high half.
    XTN2 xtn2(rd, rn) = "xtn2" v!(NARROW 0x0e21_2800 qs [B16 H8 S4]);
    /// narrow with signed saturation.
    SQXTN sqxtn(rd, rn) = "sqxtn" v!(NARROW 0x0e21_4800 qs [B8 H4 S2]);
    /// narrow with signed saturation into the high half.
    SQXTN2 sqxtn2(rd, rn) = "sqxtn2" v!(NARROW 0x0e21_4800 qs [B16 H8 S4]);
    /// signed multiply of the low halves into elements twice as wide.
    SMULL smull(rd, rn, rm) = "smull" v!(LONG3 0x0e20_c000 qs [B8 H4 S2]);
    /// signed multiply of the high halves.
    SMULL2 smull2(rd, rn, rm) = "smull2" v!(LONG3 0x0e20_c000 qs [B16 H8 S4]);
    /// unsigned multiply of the low halves.
    UMULL umull(rd, rn, rm) = "umull" v!(LONG3 0x2e20_c000 qs [B8 H4 S2]);
    /// unsigned multiply of the high halves.
    UMULL2 umull2(rd, rn, rm) = "umull2" v!(LONG3 0x2e20_c000 qs [B16 H8 S4]);
    /// sign-extend the low half to elements twice as wide.
    SXTL sxtl(rd, rn) = "sxtl" v!(EXTEND 0x0f00_a400 qimmh [B8 H4 S2]);
    /// zero-extend the low half.
    UXTL uxtl(rd, rn) = "uxtl" v!(EXTEND 0x2f00_a400 qimmh [B8 H4 S2]);
    /// sign-extend the high half.
    SXTL2 sxtl2(rd, rn) = "sxtl2" v!(EXTEND 0x0f00_a400 qimmh [B16 H8 S4]);
    /// zero-extend the high half.
    UXTL2 uxtl2(rd, rn) = "uxtl2" v!(EXTEND 0x2f00_a400 qimmh [B16 H8 S4]);
    /// add the sign-extended low half of `rm` to the wide `rn`.
    SADDW saddw(rd, rn, rm) = "saddw" v!(WIDE3 0x0e20_1000 qs [B8 H4 S2]);
    /// add the sign-extended high half.
    SADDW2 saddw2(rd, rn, rm) = "saddw2" v!(WIDE3 0x0e20_1000 qs [B16 H8 S4]);
    /// add the zero-extended low half.
    UADDW uaddw(rd, rn, rm) = "uaddw" v!(WIDE3 0x2e20_1000 qs [B8 H4 S2]);
    /// add the zero-extended high half.
    UADDW2 uaddw2(rd, rn, rm) = "uaddw2" v!(WIDE3 0x2e20_1000 qs [B16 H8 S4]);

    // ---- NEON: reductions and shifts ----
    /// sum of all elements into a scalar of the element size.
    ADDV addv(rd, rn) = "addv" v!(ACROSS 0x0e31_b800 qs [B8 B16 H4 H8 S4]);
    /// signed sum of all elements into a scalar twice the element size.
    SADDLV saddlv(rd, rn) = "saddlv" v!(ACROSS_LONG 0x0e30_3800 qs [B8 B16 H4 H8 S4]);
    /// unsigned sum of all elements into a scalar twice the element size.
    UADDLV uaddlv(rd, rn) = "uaddlv" v!(ACROSS_LONG 0x2e30_3800 qs [B8 B16 H4 H8 S4]);
    /// unsigned maximum of all elements.
    UMAXV umaxv(rd, rn) = "umaxv" v!(ACROSS 0x2e30_a800 qs [B8 B16 H4 H8 S4]);
    /// signed shift right by an immediate (1..=element bits).
    SSHR sshr(rd, rn, shift) = "sshr" v!(SHIFT_R 0x0f00_0400 q [B8 B16 H4 H8 S2 S4 D2]);
    /// unsigned shift right by an immediate.
    USHR ushr(rd, rn, shift) = "ushr" v!(SHIFT_R 0x2f00_0400 q [B8 B16 H4 H8 S2 S4 D2]);
    /// shift left by an immediate (0..element bits).
    SHL shl(rd, rn, shift) = "shl" v!(SHIFT_L 0x0f00_5400 q [B8 B16 H4 H8 S2 S4 D2]);

    // ---- NEON: dot products (DotProd) ----
    /// signed dot product of byte quadruples into words, or with one quadruple `rm.4b[i]`.
    SDOT sdot(rd, rn, rm) = "sdot" &[
        Form::arr(0x0e80_9400, DOT, Arr::S2, 0).needs(Features::DOTPROD),
        Form::arr(0x0e80_9400, DOT, Arr::S4, 1 << 30).needs(Features::DOTPROD),
        Form::arr(0x0f80_e000, DOT_ELEM, Arr::S2, 0).needs(Features::DOTPROD),
        Form::arr(0x0f80_e000, DOT_ELEM, Arr::S4, 1 << 30).needs(Features::DOTPROD),
    ];
    /// unsigned dot product.
    UDOT udot(rd, rn, rm) = "udot" &[
        Form::arr(0x2e80_9400, DOT, Arr::S2, 0).needs(Features::DOTPROD),
        Form::arr(0x2e80_9400, DOT, Arr::S4, 1 << 30).needs(Features::DOTPROD),
        Form::arr(0x2f80_e000, DOT_ELEM, Arr::S2, 0).needs(Features::DOTPROD),
        Form::arr(0x2f80_e000, DOT_ELEM, Arr::S4, 1 << 30).needs(Features::DOTPROD),
    ];

    // ---- NEON: permutes and moves ----
    /// bytes `index..` of the concatenation `rm:rn`.
    EXT ext(rd, rn, rm, index) = "ext" v!(EXT_IDX 0x2e00_0000 q [B8 B16]);
    /// copy an element, or a general register (W, or X for `2d`), to every element.
    DUP dup(rd, src) = "dup" v!(DUP_ELEM 0x0e00_0400 q [B8 B16 H4 H8 S2 S4 D2];
        DUP_W 0x0e00_0c00 qimm5 [B8 B16 H4 H8 S2 S4]; DUP_X 0x0e00_0c00 qimm5 [D2]);
    /// every byte set to an immediate (8b, 16b), or each byte 0x00 or 0xff by a 64-bit mask (2d).
    MOVI movi(rd, imm) = "movi" v!(MOVI_B 0x0f00_e400 q [B8 B16]; MOVI_D 0x6f00_e400 none [D2]);
    /// an element zero-extended into a general register (W for b/h/s, X for d).
    UMOV umov(rd, elem) = "umov" v!(TO_W 0x0e00_3c00 none [B16 H8 S4]; TO_X 0x4e00_3c00 none [D2]);
    /// an element sign-extended into a general register (b/h into W or X, s into X).
    SMOV smov(rd, elem) = "smov" v!(TO_W 0x0e00_2c00 none [B16 H8]; TO_X 0x4e00_2c00 none [B16 H8 S4]);
    /// set one element from a general register or from an element of the same size.
    INS ins(elem, src) = "ins" v!(INS_W 0x4e00_1c00 none [B16 H8 S4]; INS_X 0x4e00_1c00 none [D2];
        INS_E 0x6e00_0400 none [B16 H8 S4 D2]);
}
