//! NEON (Advanced SIMD) instructions that follow a few regular shapes, defined as data: each
//! [`NeonOp`] is a mnemonic, the instruction word with all operand fields zero, and the
//! [`Shape`] saying which operands it takes and how they fill the fields.

use super::regs::Arr;

/// Byte arrangements only.
pub const BYTES: &[Arr] = &[Arr::B8, Arr::B16];
/// Byte, halfword and word arrangements.
pub const BHS: &[Arr] = &[Arr::B8, Arr::B16, Arr::H4, Arr::H8, Arr::S2, Arr::S4];
/// Every vector arrangement but `1d`.
pub const NO_D1: &[Arr] = &[Arr::B8, Arr::B16, Arr::H4, Arr::H8, Arr::S2, Arr::S4, Arr::D2];
/// 64-bit vectors of bytes, halfwords and words (the narrow side of long operations).
pub const NARROW: &[Arr] = &[Arr::B8, Arr::H4, Arr::S2];
/// 128-bit vectors of bytes, halfwords and words (the `2` variants of long operations).
pub const NARROW2: &[Arr] = &[Arr::B16, Arr::H8, Arr::S4];
/// Arrangements reductions across lanes accept.
pub const ACROSS: &[Arr] = &[Arr::B8, Arr::B16, Arr::H4, Arr::H8, Arr::S4];

/// How a [`NeonOp`]'s operands look and are encoded (`T` is the arrangement given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `Vd.T, Vn.T, Vm.T`.
    Same3(&'static [Arr]),
    /// `Vd.T, Vn.T`.
    Same2(&'static [Arr]),
    /// `Vd.T, Vn.T, #0` (compare against zero).
    Zero2(&'static [Arr]),
    /// `Vd.W, Vn.T` with `W` = elements twice as wide, same total width (pairwise long adds).
    Pairwise(&'static [Arr]),
    /// `Vd.T, Vn.L` with `L` = the 128-bit arrangement of elements twice as wide (narrowing).
    Narrow(&'static [Arr]),
    /// `Vd.L, Vn.T, Vm.T` with `L` the 128-bit arrangement of elements twice as wide.
    Long3(&'static [Arr]),
    /// `Vd.L, Vn.L, Vm.T` with `L` the 128-bit arrangement of elements twice as wide (wide
    /// adds: `saddw`, `uaddw`).
    Wide3(&'static [Arr]),
    /// `Vd.L, Vn.T` (sign/zero extension: `sxtl`, `uxtl`).
    Extend(&'static [Arr]),
    /// `<s>d, Vn.T`: a reduction across lanes; the scalar has the element size, or twice it
    /// when `widen`.
    Across {
        /// Accepted arrangements.
        arrs: &'static [Arr],
        /// Whether the result is twice the element size.
        widen: bool,
    },
    /// `Vd.T, Vn.T, #shift` with shift in 1..=element bits.
    ShiftRight(&'static [Arr]),
    /// `Vd.T, Vn.T, #shift` with shift in 0..element bits.
    ShiftLeft(&'static [Arr]),
    /// `Vd.S, Vn.B, Vm.B` (dot product: `2s` with `8b`, `4s` with `16b`).
    Dot,
    /// `Vd.S, Vn.B, Vm.4b[i]` (dot product by element, i in 0..4).
    DotElem,
}

/// One NEON instruction defined as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeonOp {
    /// The mnemonic.
    pub mnemonic: &'static str,
    /// The instruction word with every operand field zero.
    pub base: u32,
    /// The operands.
    pub shape: Shape,
}

macro_rules! neon_ops {
    ($($konst:ident = $mnemonic:literal, $base:literal, $shape:expr;)*) => {
        $(
            #[doc = concat!("`", $mnemonic, "`.")]
            pub const $konst: NeonOp = NeonOp { mnemonic: $mnemonic, base: $base, shape: $shape };
        )*
        /// Every NEON op defined here, for tests and listings.
        pub const ALL: &[NeonOp] = &[$($konst),*];
    };
}

neon_ops! {
    AND = "and", 0x0e20_1c00, Shape::Same3(BYTES);
    ORR = "orr", 0x0ea0_1c00, Shape::Same3(BYTES);
    EOR = "eor", 0x2e20_1c00, Shape::Same3(BYTES);
    BIC = "bic", 0x0e60_1c00, Shape::Same3(BYTES);
    ORN = "orn", 0x0ee0_1c00, Shape::Same3(BYTES);
    BSL = "bsl", 0x2e60_1c00, Shape::Same3(BYTES);
    BIF = "bif", 0x2ee0_1c00, Shape::Same3(BYTES);
    BIT = "bit", 0x2ea0_1c00, Shape::Same3(BYTES);
    ADD = "add", 0x0e20_8400, Shape::Same3(NO_D1);
    SUB = "sub", 0x2e20_8400, Shape::Same3(NO_D1);
    MUL = "mul", 0x0e20_9c00, Shape::Same3(BHS);
    CMEQ = "cmeq", 0x2e20_8c00, Shape::Same3(NO_D1);
    CMGT = "cmgt", 0x0e20_3400, Shape::Same3(NO_D1);
    CMGE = "cmge", 0x0e20_3c00, Shape::Same3(NO_D1);
    CMHI = "cmhi", 0x2e20_3400, Shape::Same3(NO_D1);
    CMTST = "cmtst", 0x0e20_8c00, Shape::Same3(NO_D1);
    SMAX = "smax", 0x0e20_6400, Shape::Same3(BHS);
    SMIN = "smin", 0x0e20_6c00, Shape::Same3(BHS);
    SSHL = "sshl", 0x0e20_4400, Shape::Same3(NO_D1);
    USHL = "ushl", 0x2e20_4400, Shape::Same3(NO_D1);
    ADDP = "addp", 0x0e20_bc00, Shape::Same3(NO_D1);
    NOT = "not", 0x2e20_5800, Shape::Same2(BYTES);
    NEG = "neg", 0x2e20_b800, Shape::Same2(NO_D1);
    ABS = "abs", 0x0e20_b800, Shape::Same2(NO_D1);
    CNT = "cnt", 0x0e20_5800, Shape::Same2(BYTES);
    CMEQ0 = "cmeq", 0x0e20_9800, Shape::Zero2(NO_D1);
    CMGT0 = "cmgt", 0x0e20_8800, Shape::Zero2(NO_D1);
    CMGE0 = "cmge", 0x2e20_8800, Shape::Zero2(NO_D1);
    CMLT0 = "cmlt", 0x0e20_a800, Shape::Zero2(NO_D1);
    CMLE0 = "cmle", 0x2e20_9800, Shape::Zero2(NO_D1);
    SADDLP = "saddlp", 0x0e20_2800, Shape::Pairwise(BHS);
    UADDLP = "uaddlp", 0x2e20_2800, Shape::Pairwise(BHS);
    SADALP = "sadalp", 0x0e20_6800, Shape::Pairwise(BHS);
    UADALP = "uadalp", 0x2e20_6800, Shape::Pairwise(BHS);
    XTN = "xtn", 0x0e21_2800, Shape::Narrow(NARROW);
    XTN2 = "xtn2", 0x0e21_2800, Shape::Narrow(NARROW2);
    SQXTN = "sqxtn", 0x0e21_4800, Shape::Narrow(NARROW);
    SQXTN2 = "sqxtn2", 0x0e21_4800, Shape::Narrow(NARROW2);
    SMULL = "smull", 0x0e20_c000, Shape::Long3(NARROW);
    SMULL2 = "smull2", 0x0e20_c000, Shape::Long3(NARROW2);
    UMULL = "umull", 0x2e20_c000, Shape::Long3(NARROW);
    UMULL2 = "umull2", 0x2e20_c000, Shape::Long3(NARROW2);
    SXTL = "sxtl", 0x0f00_a400, Shape::Extend(NARROW);
    UXTL = "uxtl", 0x2f00_a400, Shape::Extend(NARROW);
    SXTL2 = "sxtl2", 0x0f00_a400, Shape::Extend(NARROW2);
    UXTL2 = "uxtl2", 0x2f00_a400, Shape::Extend(NARROW2);
    SADDW = "saddw", 0x0e20_1000, Shape::Wide3(NARROW);
    SADDW2 = "saddw2", 0x0e20_1000, Shape::Wide3(NARROW2);
    UADDW = "uaddw", 0x2e20_1000, Shape::Wide3(NARROW);
    UADDW2 = "uaddw2", 0x2e20_1000, Shape::Wide3(NARROW2);
    ADDV = "addv", 0x0e31_b800, Shape::Across { arrs: ACROSS, widen: false };
    SADDLV = "saddlv", 0x0e30_3800, Shape::Across { arrs: ACROSS, widen: true };
    UADDLV = "uaddlv", 0x2e30_3800, Shape::Across { arrs: ACROSS, widen: true };
    UMAXV = "umaxv", 0x2e30_a800, Shape::Across { arrs: ACROSS, widen: false };
    SSHR = "sshr", 0x0f00_0400, Shape::ShiftRight(NO_D1);
    USHR = "ushr", 0x2f00_0400, Shape::ShiftRight(NO_D1);
    SHL = "shl", 0x0f00_5400, Shape::ShiftLeft(NO_D1);
    SDOT = "sdot", 0x0e80_9400, Shape::Dot;
    UDOT = "udot", 0x2e80_9400, Shape::Dot;
    SDOT_ELEM = "sdot", 0x0f80_e000, Shape::DotElem;
    UDOT_ELEM = "udot", 0x2f80_e000, Shape::DotElem;
}
