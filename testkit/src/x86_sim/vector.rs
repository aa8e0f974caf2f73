//! VEX and EVEX instructions: one table maps each mnemonic to what it computes and the element
//! width its `{k}` masking uses; operands are fetched, and masking, zeroing and the clearing of
//! bits above the vector length applied, in one place for every instruction.

use std::collections::HashMap;
use std::sync::OnceLock;

use iced_x86::{EncodingKind, Instruction, Mnemonic, Mnemonic::*, OpKind, Register};

use super::{le, operand_size, unsupported, width_mask, Flags, Machine, SimError};

/// A vector register's bytes.
type V = [u8; 64];
/// One 128-bit block.
type B = [u8; 16];

/// What a vector instruction computes, per element of its table width unless said otherwise.
#[derive(Clone, Copy)]
enum Kind {
    /// `f(src1, src2, bits)`.
    Binary(fn(u64, u64, u32) -> u64),
    /// `f(src, bits)`.
    Unary(fn(u64, u32) -> u64),
    /// `f(src1, src2, bits, imm8)`: an all-ones element, or a mask bit for a k destination.
    Compare(fn(u64, u64, u32, u8) -> bool),
    /// `f(element, count, bits)`; the count is imm8, src2's low quadword, or (`variable`) the
    /// matching element of src2.
    Shift { f: fn(u64, u64, u32) -> u64, variable: bool },
    /// `f(src1, src2, imm8)` on each 128-bit block.
    Block(fn(&B, &B, u8) -> B),
    /// Elements of `from` bytes widened to the table width, sign- or zero-extended.
    Extend { from: usize, signed: bool },
    /// Elements of src2 chosen by the indices in src1 (`vpermq zmm, zmm_idx, zmm`).
    Permute,
    /// A handler of its own.
    Op(fn(&mut Machine, &Instruction, usize) -> Result<(), SimError>),
}

/// A table entry: what the mnemonic computes and its element width in bytes.
#[derive(Clone, Copy)]
struct Def {
    kind: Kind,
    w: usize,
}

fn table() -> &'static HashMap<Mnemonic, Def> {
    static TABLE: OnceLock<HashMap<Mnemonic, Def>> = OnceLock::new();
    TABLE.get_or_init(|| {
        use Kind::*;
        let entries: Vec<(Kind, &[(Mnemonic, usize)])> = vec![
            (
                Binary(|a, b, _| a.wrapping_add(b)),
                &[(Vpaddb, 1), (Vpaddw, 2), (Vpaddd, 4), (Vpaddq, 8)],
            ),
            (
                Binary(|a, b, _| a.wrapping_sub(b)),
                &[(Vpsubb, 1), (Vpsubw, 2), (Vpsubd, 4), (Vpsubq, 8)],
            ),
            (Binary(|a, b, _| a.wrapping_mul(b)), &[(Vpmullw, 2), (Vpmulld, 4), (Vpmullq, 8)]),
            (
                Binary(|a, b, _| a & b),
                &[(Vpand, 8), (Vpandd, 4), (Vpandq, 8), (Vandpd, 8), (Vandps, 4)],
            ),
            (Binary(|a, b, _| !a & b), &[(Vpandn, 8), (Vpandnd, 4), (Vpandnq, 8), (Vandnpd, 8)]),
            (Binary(|a, b, _| a | b), &[(Vpor, 8), (Vpord, 4), (Vporq, 8), (Vorpd, 8), (Vorps, 4)]),
            (
                Binary(|a, b, _| a ^ b),
                &[(Vpxor, 8), (Vpxord, 4), (Vpxorq, 8), (Vxorpd, 8), (Vxorps, 4)],
            ),
            (Binary(|a, b, _| a.min(b)), &[(Vpminub, 1), (Vpminuw, 2), (Vpminud, 4), (Vpminuq, 8)]),
            (Binary(|a, b, _| a.max(b)), &[(Vpmaxub, 1), (Vpmaxuw, 2), (Vpmaxud, 4), (Vpmaxuq, 8)]),
            (
                Binary(|a, b, n| sx(a, n).min(sx(b, n)) as u64),
                &[(Vpminsb, 1), (Vpminsw, 2), (Vpminsd, 4), (Vpminsq, 8)],
            ),
            (
                Binary(|a, b, n| sx(a, n).max(sx(b, n)) as u64),
                &[(Vpmaxsb, 1), (Vpmaxsw, 2), (Vpmaxsd, 4), (Vpmaxsq, 8)],
            ),
            (Binary(|a, b, n| (a + b).min(umax(n))), &[(Vpaddusb, 1), (Vpaddusw, 2)]),
            (Binary(|a, b, _| a.saturating_sub(b)), &[(Vpsubusb, 1), (Vpsubusw, 2)]),
            (Binary(|a, b, n| sat(sx(a, n) + sx(b, n), n) as u64), &[(Vpaddsb, 1), (Vpaddsw, 2)]),
            (Binary(|a, b, n| sat(sx(a, n) - sx(b, n), n) as u64), &[(Vpsubsb, 1), (Vpsubsw, 2)]),
            (Binary(|a, b, _| (a + b + 1) >> 1), &[(Vpavgb, 1), (Vpavgw, 2)]),
            (
                Binary(|a, b, n| (sx(a, n) * sx(b, n).signum()) as u64),
                &[(Vpsignb, 1), (Vpsignw, 2), (Vpsignd, 4)],
            ),
            (
                Unary(|a, n| sx(a, n).unsigned_abs()),
                &[(Vpabsb, 1), (Vpabsw, 2), (Vpabsd, 4), (Vpabsq, 8)],
            ),
            (
                Unary(|a, _| u64::from(a.count_ones())),
                &[(Vpopcntb, 1), (Vpopcntw, 2), (Vpopcntd, 4), (Vpopcntq, 8)],
            ),
            (
                Compare(|a, b, _, _| a == b),
                &[(Vpcmpeqb, 1), (Vpcmpeqw, 2), (Vpcmpeqd, 4), (Vpcmpeqq, 8)],
            ),
            (
                Compare(|a, b, n, _| sx(a, n) > sx(b, n)),
                &[(Vpcmpgtb, 1), (Vpcmpgtw, 2), (Vpcmpgtd, 4), (Vpcmpgtq, 8)],
            ),
            (
                Compare(|a, b, n, p| predicate(sx(a, n).cmp(&sx(b, n)), p)),
                &[(Vpcmpb, 1), (Vpcmpw, 2), (Vpcmpd, 4), (Vpcmpq, 8)],
            ),
            (
                Compare(|a, b, _, p| predicate(a.cmp(&b), p)),
                &[(Vpcmpub, 1), (Vpcmpuw, 2), (Vpcmpud, 4), (Vpcmpuq, 8)],
            ),
            (
                Compare(|a, b, _, _| a & b != 0),
                &[(Vptestmb, 1), (Vptestmw, 2), (Vptestmd, 4), (Vptestmq, 8)],
            ),
            (
                Compare(|a, b, _, _| a & b == 0),
                &[(Vptestnmb, 1), (Vptestnmw, 2), (Vptestnmd, 4), (Vptestnmq, 8)],
            ),
            (Shift { f: shl, variable: false }, &[(Vpsllw, 2), (Vpslld, 4), (Vpsllq, 8)]),
            (Shift { f: shr, variable: false }, &[(Vpsrlw, 2), (Vpsrld, 4), (Vpsrlq, 8)]),
            (Shift { f: sar, variable: false }, &[(Vpsraw, 2), (Vpsrad, 4), (Vpsraq, 8)]),
            (Shift { f: shl, variable: true }, &[(Vpsllvw, 2), (Vpsllvd, 4), (Vpsllvq, 8)]),
            (Shift { f: shr, variable: true }, &[(Vpsrlvw, 2), (Vpsrlvd, 4), (Vpsrlvq, 8)]),
            (Shift { f: sar, variable: true }, &[(Vpsravw, 2), (Vpsravd, 4), (Vpsravq, 8)]),
            (
                Block(|a, b, _| {
                    bytes(|i| if b[i] & 0x80 != 0 { 0 } else { a[usize::from(b[i] & 15)] })
                }),
                &[(Vpshufb, 1)],
            ),
            (Block(palignr), &[(Vpalignr, 1)]),
            (Block(sad), &[(Vpsadbw, 8)]),
            (Block(maddubs), &[(Vpmaddubsw, 2)]),
            (Block(madd), &[(Vpmaddwd, 4)]),
            (Block(|a, b, _| hadd(a, b, 2)), &[(Vphaddw, 2)]),
            (Block(|a, b, _| hadd(a, b, 4)), &[(Vphaddd, 4)]),
            (Block(|a, b, _| pack(a, b, 2, true)), &[(Vpacksswb, 1)]),
            (Block(|a, b, _| pack(a, b, 4, true)), &[(Vpackssdw, 2)]),
            (Block(|a, b, _| pack(a, b, 2, false)), &[(Vpackuswb, 1)]),
            (Block(|a, b, _| pack(a, b, 4, false)), &[(Vpackusdw, 2)]),
            (Block(|a, b, _| unpack(a, b, 1, 0)), &[(Vpunpcklbw, 1)]),
            (Block(|a, b, _| unpack(a, b, 2, 0)), &[(Vpunpcklwd, 2)]),
            (Block(|a, b, _| unpack(a, b, 4, 0)), &[(Vpunpckldq, 4)]),
            (Block(|a, b, _| unpack(a, b, 8, 0)), &[(Vpunpcklqdq, 8)]),
            (Block(|a, b, _| unpack(a, b, 1, 8)), &[(Vpunpckhbw, 1)]),
            (Block(|a, b, _| unpack(a, b, 2, 8)), &[(Vpunpckhwd, 2)]),
            (Block(|a, b, _| unpack(a, b, 4, 8)), &[(Vpunpckhdq, 4)]),
            (Block(|a, b, _| unpack(a, b, 8, 8)), &[(Vpunpckhqdq, 8)]),
            (
                Block(|a, _, i| bytes(|j| a[4 * (usize::from(i) >> (j / 4 * 2) & 3) + j % 4])),
                &[(Vpshufd, 4)],
            ),
            (Extend { from: 1, signed: true }, &[(Vpmovsxbw, 2), (Vpmovsxbd, 4), (Vpmovsxbq, 8)]),
            (Extend { from: 2, signed: true }, &[(Vpmovsxwd, 4), (Vpmovsxwq, 8)]),
            (Extend { from: 4, signed: true }, &[(Vpmovsxdq, 8)]),
            (Extend { from: 1, signed: false }, &[(Vpmovzxbw, 2), (Vpmovzxbd, 4), (Vpmovzxbq, 8)]),
            (Extend { from: 2, signed: false }, &[(Vpmovzxwd, 4), (Vpmovzxwq, 8)]),
            (Extend { from: 4, signed: false }, &[(Vpmovzxdq, 8)]),
            (Permute, &[(Vpermb, 1), (Vpermw, 2), (Vpermd, 4)]),
            (
                Op(mov),
                &[
                    (Vmovdqu, 1),
                    (Vmovdqa, 1),
                    (Vmovdqu8, 1),
                    (Vmovdqu16, 2),
                    (Vmovdqu32, 4),
                    (Vmovdqu64, 8),
                ],
            ),
            (
                Op(mov),
                &[
                    (Vmovdqa32, 4),
                    (Vmovdqa64, 8),
                    (Vmovups, 4),
                    (Vmovaps, 4),
                    (Vmovupd, 8),
                    (Vmovapd, 8),
                ],
            ),
            (Op(mov_scalar), &[(Vmovd, 4), (Vmovq, 8)]),
            (
                Op(broadcast),
                &[(Vpbroadcastb, 1), (Vpbroadcastw, 2), (Vpbroadcastd, 4), (Vpbroadcastq, 8)],
            ),
            (
                Op(broadcast),
                &[
                    (Vbroadcasti128, 16),
                    (Vbroadcasti32x4, 4),
                    (Vbroadcasti64x2, 8),
                    (Vbroadcasti32x8, 4),
                    (Vbroadcasti64x4, 8),
                ],
            ),
            (
                Op(extract),
                &[
                    (Vextracti128, 16),
                    (Vextracti32x4, 4),
                    (Vextracti64x2, 8),
                    (Vextracti32x8, 4),
                    (Vextracti64x4, 8),
                ],
            ),
            (
                Op(insert),
                &[
                    (Vinserti128, 16),
                    (Vinserti32x4, 4),
                    (Vinserti64x2, 8),
                    (Vinserti32x8, 4),
                    (Vinserti64x4, 8),
                ],
            ),
            (Op(perm2i128), &[(Vperm2i128, 16)]),
            (Op(permq), &[(Vpermq, 8)]),
            (Op(ternlog), &[(Vpternlogd, 4), (Vpternlogq, 8)]),
            (Op(blendm), &[(Vpblendmb, 1), (Vpblendmw, 2), (Vpblendmd, 4), (Vpblendmq, 8)]),
            (Op(to_mask), &[(Vpmovb2m, 1), (Vpmovw2m, 2), (Vpmovd2m, 4), (Vpmovq2m, 8)]),
            (Op(from_mask), &[(Vpmovm2b, 1), (Vpmovm2w, 2), (Vpmovm2d, 4), (Vpmovm2q, 8)]),
            (Op(ptest), &[(Vptest, 8)]),
            (Op(zeroupper), &[(Vzeroupper, 16)]),
            (
                Op(scalar_f64),
                &[(Vcvtsi2sd, 8), (Vsqrtsd, 8), (Vmulsd, 8), (Vdivsd, 8), (Vaddsd, 8), (Vsubsd, 8)],
            ),
            (Op(kmov), &[(Kmovb, 1), (Kmovw, 2), (Kmovd, 4), (Kmovq, 8)]),
            (
                Op(klogic),
                &[
                    (Kandb, 1),
                    (Kandw, 2),
                    (Kandd, 4),
                    (Kandq, 8),
                    (Kandnb, 1),
                    (Kandnw, 2),
                    (Kandnd, 4),
                    (Kandnq, 8),
                ],
            ),
            (
                Op(klogic),
                &[
                    (Korb, 1),
                    (Korw, 2),
                    (Kord, 4),
                    (Korq, 8),
                    (Kxorb, 1),
                    (Kxorw, 2),
                    (Kxord, 4),
                    (Kxorq, 8),
                ],
            ),
            (
                Op(klogic),
                &[
                    (Kxnorb, 1),
                    (Kxnorw, 2),
                    (Kxnord, 4),
                    (Kxnorq, 8),
                    (Kaddb, 1),
                    (Kaddw, 2),
                    (Kaddd, 4),
                    (Kaddq, 8),
                ],
            ),
            (
                Op(klogic),
                &[
                    (Knotb, 1),
                    (Knotw, 2),
                    (Knotd, 4),
                    (Knotq, 8),
                    (Kunpckbw, 2),
                    (Kunpckwd, 4),
                    (Kunpckdq, 8),
                ],
            ),
            (
                Op(klogic),
                &[
                    (Kshiftlb, 1),
                    (Kshiftlw, 2),
                    (Kshiftld, 4),
                    (Kshiftlq, 8),
                    (Kshiftrb, 1),
                    (Kshiftrw, 2),
                    (Kshiftrd, 4),
                    (Kshiftrq, 8),
                ],
            ),
            (
                Op(ktest),
                &[
                    (Kortestb, 1),
                    (Kortestw, 2),
                    (Kortestd, 4),
                    (Kortestq, 8),
                    (Ktestb, 1),
                    (Ktestw, 2),
                    (Ktestd, 4),
                    (Ktestq, 8),
                ],
            ),
        ];
        let mut table = HashMap::new();
        for (kind, mnemonics) in entries {
            for &(m, w) in mnemonics {
                assert!(table.insert(m, Def { kind, w }).is_none(), "{m:?} twice in the table");
            }
        }
        table
    })
}

/// Execute `ins` if the table has it; `Ok(false)` if not.
pub(super) fn execute(m: &mut Machine, ins: &Instruction) -> Result<bool, SimError> {
    let Some(&Def { kind, w }) = table().get(&ins.mnemonic()) else { return Ok(false) };
    if ins.encoding() == EncodingKind::EVEX
        && (ins.rounding_control() != iced_x86::RoundingControl::None
            || ins.suppress_all_exceptions())
    {
        return Err(unsupported(ins));
    }
    let imm = imm8(ins);
    let vl = vl(ins);
    let n = vl / w;
    let bits = 8 * w as u32;
    let value = match kind {
        Kind::Op(handler) => return handler(m, ins, w).map(|()| true),
        Kind::Compare(f) => {
            let (a, b) = (source(m, ins, 1, w)?, source(m, ins, 2, w)?);
            let hits = (0..n)
                .fold(0u64, |k, e| k | u64::from(f(get(&a, e, w), get(&b, e, w), bits, imm)) << e);
            if ins.op_register(0).is_k() {
                m.k[k_index(ins.op_register(0))] = hits & write_mask(m, ins, n);
                return Ok(true);
            }
            lanes(n, w, |e| if hits >> e & 1 == 1 { u64::MAX } else { 0 })
        }
        Kind::Binary(f) => {
            let (a, b) = (source(m, ins, 1, w)?, source(m, ins, 2, w)?);
            lanes(n, w, |e| f(get(&a, e, w), get(&b, e, w), bits))
        }
        Kind::Unary(f) => {
            let a = source(m, ins, 1, w)?;
            lanes(n, w, |e| f(get(&a, e, w), bits))
        }
        Kind::Shift { f, variable } => {
            let a = source(m, ins, 1, w)?;
            let count = match ins.op_kind(2) {
                OpKind::Immediate8 => Count::Uniform(u64::from(imm)),
                _ => {
                    let c = source(m, ins, 2, w)?;
                    if variable {
                        Count::Each(c)
                    } else {
                        Count::Uniform(get(&c, 0, 8))
                    }
                }
            };
            lanes(n, w, |e| {
                let c = match &count {
                    Count::Uniform(c) => *c,
                    Count::Each(c) => get(c, e, w),
                };
                f(get(&a, e, w), if c >= u64::from(bits) { 64 } else { c }, bits)
            })
        }
        Kind::Block(f) => {
            let a = source(m, ins, 1, w)?;
            let b = if ins.op_count() > 2 && ins.op_kind(2) != OpKind::Immediate8 {
                source(m, ins, 2, w)?
            } else {
                [0; 64]
            };
            let mut out = [0u8; 64];
            for blk in (0..vl).step_by(16) {
                let r = f(block(&a, blk), block(&b, blk), imm);
                out[blk..blk + 16].copy_from_slice(&r);
            }
            out
        }
        Kind::Extend { from, signed } => {
            let a = source(m, ins, 1, from)?;
            lanes(n, w, |e| {
                let x = get(&a, e, from);
                if signed {
                    sx(x, 8 * from as u32) as u64
                } else {
                    x
                }
            })
        }
        Kind::Permute => {
            let (idx, src) = (source(m, ins, 1, w)?, source(m, ins, 2, w)?);
            lanes(n, w, |e| get(&src, get(&idx, e, w) as usize % n, w))
        }
    };
    write_reg(m, ins, value, vl, w);
    Ok(true)
}

/// A shift count: one for every element, or one per element.
enum Count {
    Uniform(u64),
    Each(V),
}

/// The vector length: the destination's size, or the first source's for a mask or memory
/// destination.
fn vl(ins: &Instruction) -> usize {
    (0..ins.op_count())
        .filter(|&i| ins.op_kind(i) == OpKind::Register)
        .map(|i| ins.op_register(i))
        .find(|r| r.is_xmm() || r.is_ymm() || r.is_zmm())
        .map_or(16, |r| r.size())
}

fn imm8(ins: &Instruction) -> u8 {
    let last = ins.op_count().saturating_sub(1);
    if ins.op_kind(last) == OpKind::Immediate8 {
        ins.immediate8()
    } else {
        0
    }
}

fn k_index(r: Register) -> usize {
    r.number()
}

/// The `{k}` write mask over `n` elements (all ones without one).
fn write_mask(m: &Machine, ins: &Instruction, n: usize) -> u64 {
    let all = if n >= 64 { u64::MAX } else { (1 << n) - 1 };
    match ins.op_mask() {
        Register::None => all,
        k => m.k[k_index(k)] & all,
    }
}

/// Whether `ins` reads memory with the alignment of its size (`vmovdqa` and kin).
fn aligned(ins: &Instruction) -> bool {
    matches!(ins.mnemonic(), Vmovdqa | Vmovdqa32 | Vmovdqa64 | Vmovaps | Vmovapd)
}

fn check_align(ins: &Instruction, address: u64, size: usize) -> Result<(), SimError> {
    if aligned(ins) && address % size as u64 != 0 {
        return Err(SimError::Misaligned {
            offset: super::offset(ins),
            text: super::text(ins),
            address,
            align: size,
        });
    }
    Ok(())
}

/// Vector operand `i`: a register's 64 bytes, or memory (a broadcast element repeated; under
/// an EVEX write mask, a full-width load touches only the unmasked elements of `w` bytes, as
/// the hardware's fault suppression does), zero-filled above what was read.
fn source(m: &Machine, ins: &Instruction, i: u32, w: usize) -> Result<V, SimError> {
    match ins.op_kind(i) {
        OpKind::Register => {
            let r = ins.op_register(i);
            if r.is_xmm() || r.is_ymm() || r.is_zmm() {
                Ok(m.zmm[r.number()])
            } else {
                Err(unsupported(ins))
            }
        }
        OpKind::Memory => {
            let address = m.address(ins);
            let size = ins.memory_size().size();
            let mut out = [0u8; 64];
            if ins.is_broadcast() {
                let e = m.load(ins, address, size)?;
                for chunk in out.chunks_mut(size) {
                    chunk.copy_from_slice(e);
                }
                return Ok(out);
            }
            check_align(ins, address, size)?;
            let n = size / w;
            let mask = write_mask(m, ins, n);
            if ins.op_mask() != Register::None && n <= 64 {
                for e in (0..n).filter(|e| mask >> e & 1 == 1) {
                    let at = e * w;
                    out[at..at + w].copy_from_slice(m.load(ins, address + at as u64, w)?);
                }
            } else {
                out[..size].copy_from_slice(m.load(ins, address, size)?);
            }
            Ok(out)
        }
        _ => Err(unsupported(ins)),
    }
}

/// Write `value` to the destination register under the write mask (merging or zeroing), and
/// clear everything above `vl` bytes (VEX and EVEX writes do).
fn write_reg(m: &mut Machine, ins: &Instruction, mut value: V, vl: usize, w: usize) {
    let dst = ins.op_register(0).number();
    let old = m.zmm[dst];
    if ins.op_mask() != Register::None {
        let mask = write_mask(m, ins, vl / w);
        for e in (0..vl / w).filter(|e| mask >> e & 1 == 0) {
            let r = e * w..e * w + w;
            if ins.zeroing_masking() {
                value[r].fill(0);
            } else {
                value[r.clone()].copy_from_slice(&old[r]);
            }
        }
    }
    value[vl..].fill(0);
    m.zmm[dst] = value;
}

/// Store `vl` bytes of `value` to the memory operand; under a write mask only the unmasked
/// elements of `w` bytes (masked-off ones are not accessed).
fn store_masked(
    m: &mut Machine,
    ins: &Instruction,
    value: &V,
    vl: usize,
    w: usize,
) -> Result<(), SimError> {
    let address = m.address(ins);
    check_align(ins, address, vl)?;
    if ins.op_mask() == Register::None {
        return m.store(ins, address, &value[..vl]);
    }
    let mask = write_mask(m, ins, vl / w);
    for e in (0..vl / w).filter(|e| mask >> e & 1 == 1) {
        m.store(ins, address + (e * w) as u64, &value[e * w..e * w + w])?;
    }
    Ok(())
}

/// Put a computed vector in operand 0: a register (masked) or memory (masked store).
fn put_result(
    m: &mut Machine,
    ins: &Instruction,
    value: V,
    vl: usize,
    w: usize,
) -> Result<(), SimError> {
    if ins.op_kind(0) == OpKind::Memory {
        store_masked(m, ins, &value, vl, w)
    } else {
        write_reg(m, ins, value, vl, w);
        Ok(())
    }
}

/// Element `e` of `w` bytes, zero-extended.
fn get(v: &[u8], e: usize, w: usize) -> u64 {
    le(&v[e * w..e * w + w])
}

/// `n` elements of `w` bytes from `f`, truncated to the width.
fn lanes(n: usize, w: usize, f: impl Fn(usize) -> u64) -> V {
    let mut out = [0u8; 64];
    for e in 0..n {
        out[e * w..e * w + w].copy_from_slice(&f(e).to_le_bytes()[..w]);
    }
    out
}

fn bytes(f: impl Fn(usize) -> u8) -> B {
    std::array::from_fn(f)
}

fn block(v: &V, at: usize) -> &B {
    v[at..at + 16].try_into().expect("16 bytes")
}

/// The low `bits` bits of `a` as a signed number.
fn sx(a: u64, bits: u32) -> i64 {
    let shift = 64 - bits;
    ((a << shift) as i64) >> shift
}

fn umax(bits: u32) -> u64 {
    width_mask(bits as usize / 8)
}

/// Shifts of an element by a count already capped at 64 (0 and sign fill beyond the width).
fn shl(a: u64, count: u64, _: u32) -> u64 {
    a.checked_shl(count as u32).unwrap_or(0)
}

fn shr(a: u64, count: u64, _: u32) -> u64 {
    a.checked_shr(count as u32).unwrap_or(0)
}

fn sar(a: u64, count: u64, bits: u32) -> u64 {
    (sx(a, bits) >> count.min(63)) as u64
}

/// `v` saturated to a signed `bits`-bit number.
fn sat(v: i64, bits: u32) -> i64 {
    let max = (1i64 << (bits - 1)) - 1;
    v.clamp(-max - 1, max)
}

/// The `vpcmp` predicates: 0 eq, 1 lt, 2 le, 3 false, 4 ne, 5 nlt, 6 nle, 7 true.
fn predicate(order: std::cmp::Ordering, p: u8) -> bool {
    use std::cmp::Ordering::*;
    match p & 7 {
        0 => order == Equal,
        1 => order == Less,
        2 => order != Greater,
        3 => false,
        4 => order != Equal,
        5 => order != Less,
        6 => order == Greater,
        _ => true,
    }
}

fn palignr(a: &B, b: &B, i: u8) -> B {
    // (a:b) >> 8i: bytes of b, then of a, then zeros.
    bytes(|j| {
        let k = j + usize::from(i);
        match k {
            0..=15 => b[k],
            16..=31 => a[k - 16],
            _ => 0,
        }
    })
}

fn sad(a: &B, b: &B, _: u8) -> B {
    let mut out = [0u8; 16];
    for half in 0..2 {
        let sum: u16 = (0..8).map(|j| u16::from(a[8 * half + j].abs_diff(b[8 * half + j]))).sum();
        out[8 * half..8 * half + 2].copy_from_slice(&sum.to_le_bytes());
    }
    out
}

fn maddubs(a: &B, b: &B, _: u8) -> B {
    let words: [i64; 8] = std::array::from_fn(|j| {
        let p = |k: usize| i64::from(a[k]) * i64::from(b[k] as i8);
        sat(p(2 * j) + p(2 * j + 1), 16)
    });
    bytes(|k| words[k / 2].to_le_bytes()[k % 2])
}

fn madd(a: &B, b: &B, _: u8) -> B {
    let word = |v: &B, k: usize| i64::from(i16::from_le_bytes([v[2 * k], v[2 * k + 1]]));
    let dwords: [i64; 4] = std::array::from_fn(|j| {
        word(a, 2 * j) * word(b, 2 * j) + word(a, 2 * j + 1) * word(b, 2 * j + 1)
    });
    bytes(|k| dwords[k / 4].to_le_bytes()[k % 4])
}

/// Horizontal add of adjacent `w`-byte elements: a's pairs, then b's.
fn hadd(a: &B, b: &B, w: usize) -> B {
    let n = 16 / w;
    let sums = lanes(n, w, |e| {
        let (v, j) = if e < n / 2 { (a, 2 * e) } else { (b, 2 * e - n) };
        get(v, j, w).wrapping_add(get(v, j + 1, w))
    });
    *block(&sums, 0)
}

/// Narrow a's then b's signed `w`-byte elements to half width, saturating signed or unsigned.
fn pack(a: &B, b: &B, w: usize, signed: bool) -> B {
    let n = 16 / w;
    let half = w / 2;
    let bits = 8 * half as u32;
    let packed = lanes(2 * n, half, |e| {
        let v = sx(get(if e < n { a } else { b }, e % n, w), 8 * w as u32);
        if signed {
            sat(v, bits) as u64
        } else {
            v.clamp(0, umax(bits) as i64) as u64
        }
    });
    *block(&packed, 0)
}

/// Interleave the `w`-byte elements of the low (`from` 0) or high (`from` 8) halves of a and b.
fn unpack(a: &B, b: &B, w: usize, from: usize) -> B {
    bytes(|k| {
        let (e, j) = (k / w, k % w);
        let v = if e % 2 == 0 { a } else { b };
        v[from + e / 2 * w + j]
    })
}

// Handlers with an operand shape of their own.

fn mov(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let vl = vl(ins);
    if ins.op_kind(0) == OpKind::Memory {
        let value = m.zmm[ins.op_register(1).number()];
        return store_masked(m, ins, &value, vl, w);
    }
    let value = source(m, ins, 1, w)?;
    write_reg(m, ins, value, vl, w);
    Ok(())
}

/// vmovd, vmovq: a GPR or memory to the low element (zeroing the rest), or back.
fn mov_scalar(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let r0 = ins.op_register(0);
    if ins.op_kind(0) == OpKind::Register && r0.is_xmm() {
        let v = match ins.op_kind(1) {
            OpKind::Register if ins.op_register(1).is_xmm() => {
                get(&m.zmm[ins.op_register(1).number()], 0, w)
            }
            _ => m.operand(ins, 1)?,
        };
        let mut out = [0u8; 64];
        out[..w].copy_from_slice(&v.to_le_bytes()[..w]);
        m.zmm[r0.number()] = out;
        Ok(())
    } else {
        let v = get(&m.zmm[ins.op_register(1).number()], 0, w);
        m.set_operand(ins, 0, v)
    }
}

/// vpbroadcast*, vbroadcasti*: an element (from an xmm, a GPR or memory) or a memory block
/// repeated across the destination.
fn broadcast(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let vl = vl(ins);
    let piece: Vec<u8> = match ins.op_kind(1) {
        OpKind::Memory => m.load(ins, m.address(ins), ins.memory_size().size())?.to_vec(),
        _ => {
            let r = ins.op_register(1);
            if r.is_xmm() {
                m.zmm[r.number()][..w].to_vec()
            } else {
                m.reg(r).to_le_bytes()[..w].to_vec()
            }
        }
    };
    let mut out = [0u8; 64];
    for chunk in out[..vl].chunks_mut(piece.len()) {
        chunk.copy_from_slice(&piece);
    }
    write_reg(m, ins, out, vl, w);
    Ok(())
}

/// vextracti*: one block of the source (chosen by imm8) to a register or memory.
fn extract(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let src = ins.op_register(1);
    let piece = operand_size(ins, 0);
    let at = usize::from(ins.immediate8()) % (src.size() / piece) * piece;
    let mut out = [0u8; 64];
    out[..piece].copy_from_slice(&m.zmm[src.number()][at..at + piece]);
    put_result(m, ins, out, piece, w)
}

/// vinserti*: src1 with one block (chosen by imm8) replaced by src2.
fn insert(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let vl = vl(ins);
    let piece = match ins.op_kind(2) {
        OpKind::Memory => ins.memory_size().size(),
        _ => ins.op_register(2).size(),
    };
    let mut out = m.zmm[ins.op_register(1).number()];
    let src = source(m, ins, 2, piece)?;
    let at = usize::from(ins.immediate8()) % (vl / piece) * piece;
    out[at..at + piece].copy_from_slice(&src[..piece]);
    write_reg(m, ins, out, vl, w);
    Ok(())
}

fn perm2i128(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let (a, b) = (source(m, ins, 1, w)?, source(m, ins, 2, w)?);
    let imm = ins.immediate8();
    let mut out = [0u8; 64];
    for half in 0..2 {
        let sel = imm >> (4 * half) & 0xf;
        if sel & 8 == 0 {
            let from = if sel & 2 == 0 { &a } else { &b };
            let at = 16 * usize::from(sel & 1);
            out[16 * half..16 * half + 16].copy_from_slice(&from[at..at + 16]);
        }
    }
    write_reg(m, ins, out, 32, w);
    Ok(())
}

/// vpermq: by imm8 within each 256-bit half, or by an index vector across the register.
fn permq(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let vl = vl(ins);
    let value = if ins.op_kind(2) == OpKind::Immediate8 {
        let (a, imm) = (source(m, ins, 1, w)?, ins.immediate8());
        lanes(vl / 8, 8, |e| get(&a, e / 4 * 4 + usize::from(imm >> (2 * (e % 4)) & 3), 8))
    } else {
        let (idx, src) = (source(m, ins, 1, w)?, source(m, ins, 2, w)?);
        lanes(vl / 8, 8, |e| get(&src, get(&idx, e, 8) as usize % (vl / 8), 8))
    };
    write_reg(m, ins, value, vl, w);
    Ok(())
}

/// vpternlog: each bit of the result is imm8's bit number (dst << 2 | src2 << 1 | src3).
fn ternlog(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let vl = vl(ins);
    let (a, b, c) =
        (m.zmm[ins.op_register(0).number()], source(m, ins, 1, w)?, source(m, ins, 2, w)?);
    let imm = ins.immediate8();
    let value = lanes(vl / 8, 8, |e| {
        let (a, b, c) = (get(&a, e, 8), get(&b, e, 8), get(&c, e, 8));
        (0..8).filter(|i| imm >> i & 1 == 1).fold(0, |r, i| {
            let pick = |v: u64, bit: u8| if i & bit != 0 { v } else { !v };
            r | pick(a, 4) & pick(b, 2) & pick(c, 1)
        })
    });
    write_reg(m, ins, value, vl, w);
    Ok(())
}

/// vpblendm: src2 where the mask is set, else src1 (or zero with `{z}`).
fn blendm(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let vl = vl(ins);
    let (a, b) = (source(m, ins, 1, w)?, source(m, ins, 2, w)?);
    let mask = write_mask(m, ins, vl / w);
    let z = ins.zeroing_masking();
    let value = lanes(vl / w, w, |e| match (mask >> e & 1 == 1, z) {
        (true, _) => get(&b, e, w),
        (false, true) => 0,
        (false, false) => get(&a, e, w),
    });
    m.zmm[ins.op_register(0).number()] = value;
    Ok(())
}

fn to_mask(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let src = ins.op_register(1);
    let v = m.zmm[src.number()];
    let bits = (0..src.size() / w).fold(0u64, |k, e| k | (get(&v, e, w) >> (8 * w - 1) & 1) << e);
    m.k[k_index(ins.op_register(0))] = bits;
    Ok(())
}

fn from_mask(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let vl = vl(ins);
    let k = m.k[k_index(ins.op_register(1))];
    let value = lanes(vl / w, w, |e| if k >> e & 1 == 1 { u64::MAX } else { 0 });
    write_reg(m, ins, value, vl, w);
    Ok(())
}

/// vptest: ZF when src1 & src2 is zero, CF when !src1 & src2 is; the other flags cleared.
fn ptest(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let vl = vl(ins);
    let (a, b) = (m.zmm[ins.op_register(0).number()], source(m, ins, 1, w)?);
    let zf = (0..vl).all(|i| a[i] & b[i] == 0);
    let cf = (0..vl).all(|i| !a[i] & b[i] == 0);
    let f = Some(false);
    m.flags = Flags { cf: Some(cf), zf: Some(zf), sf: f, of: f, pf: f };
    Ok(())
}

/// vzeroupper: bits 128 and up of zmm0-zmm15 (zmm16-31 are untouched).
fn zeroupper(m: &mut Machine, _: &Instruction, _: usize) -> Result<(), SimError> {
    for z in &mut m.zmm[..16] {
        z[16..].fill(0);
    }
    Ok(())
}

/// Scalar double ops: the low double from Rust's f64 (IEEE, round to nearest like the default
/// MXCSR), x86's NaN rules, the high double from src1, zero above.
fn scalar_f64(m: &mut Machine, ins: &Instruction, _: usize) -> Result<(), SimError> {
    if m.mxcsr != super::MXCSR_DEFAULT {
        return Err(unsupported(ins));
    }
    let mut out = [0u8; 64];
    out[..16].copy_from_slice(&m.zmm[ins.op_register(1).number()][..16]);
    let a = f64::from_le_bytes(out[..8].try_into().expect("8 bytes"));
    let r = if ins.mnemonic() == Vcvtsi2sd {
        let size = operand_size(ins, 2);
        sx(m.operand(ins, 2)?, 8 * size as u32) as f64
    } else {
        let b = f64::from_bits(get(&source(m, ins, 2, 8)?, 0, 8));
        let quiet = |x: f64| f64::from_bits(x.to_bits() | 1 << 51);
        let (r, first_nan) = match ins.mnemonic() {
            Vsqrtsd => (b.sqrt(), b.is_nan().then(|| quiet(b))),
            op => {
                let r = match op {
                    Vmulsd => a * b,
                    Vdivsd => a / b,
                    Vaddsd => a + b,
                    _ => a - b,
                };
                (r, [a, b].into_iter().find(|x| x.is_nan()).map(quiet))
            }
        };
        // An input NaN comes through quieted; a new one is the "real indefinite".
        first_nan.unwrap_or(if r.is_nan() { f64::from_bits(0xfff8_0000_0000_0000) } else { r })
    };
    out[..8].copy_from_slice(&r.to_le_bytes());
    m.zmm[ins.op_register(0).number()] = out;
    Ok(())
}

/// A mask register's, a GPR's or memory's low `w` bytes.
fn k_source(m: &Machine, ins: &Instruction, i: u32, w: usize) -> Result<u64, SimError> {
    let v = match ins.op_kind(i) {
        OpKind::Register if ins.op_register(i).is_k() => m.k[k_index(ins.op_register(i))],
        OpKind::Memory => le(m.load(ins, m.address(ins), w)?),
        _ => m.operand(ins, i)?,
    };
    Ok(v & width_mask(w))
}

fn kmov(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let v = k_source(m, ins, 1, w)?;
    match ins.op_kind(0) {
        OpKind::Register if ins.op_register(0).is_k() => m.k[k_index(ins.op_register(0))] = v,
        OpKind::Memory => m.store(ins, m.address(ins), &v.to_le_bytes()[..w])?,
        _ => m.set_reg(ins.op_register(0), v),
    }
    Ok(())
}

/// kand, kandn, kor, kxor, kxnor, kadd, knot, kunpck, kshift on `w`-byte masks.
fn klogic(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let a = k_source(m, ins, 1, w)?;
    let b = if ins.op_count() > 2 && ins.op_kind(2) == OpKind::Register {
        k_source(m, ins, 2, w)?
    } else {
        0
    };
    let count = u32::from(imm8(ins));
    let half = 4 * w as u32;
    let r = match ins.mnemonic() {
        Kandb | Kandw | Kandd | Kandq => a & b,
        Kandnb | Kandnw | Kandnd | Kandnq => !a & b,
        Korb | Korw | Kord | Korq => a | b,
        Kxorb | Kxorw | Kxord | Kxorq => a ^ b,
        Kxnorb | Kxnorw | Kxnord | Kxnorq => !(a ^ b),
        Kaddb | Kaddw | Kaddd | Kaddq => a.wrapping_add(b),
        Knotb | Knotw | Knotd | Knotq => !a,
        Kunpckbw | Kunpckwd | Kunpckdq => (a & width_mask(w / 2)) << half | b & width_mask(w / 2),
        Kshiftlb | Kshiftlw | Kshiftld | Kshiftlq => a.checked_shl(count).unwrap_or(0),
        _ => a.checked_shr(count).unwrap_or(0),
    };
    m.k[k_index(ins.op_register(0))] = r & width_mask(w);
    Ok(())
}

/// kortest (ZF: a | b zero, CF: all ones) and ktest (ZF: a & b zero, CF: !a & b zero).
fn ktest(m: &mut Machine, ins: &Instruction, w: usize) -> Result<(), SimError> {
    let (a, b) = (k_source(m, ins, 0, w)?, k_source(m, ins, 1, w)?);
    let (zf, cf) = match ins.mnemonic() {
        Kortestb | Kortestw | Kortestd | Kortestq => ((a | b) == 0, (a | b) == width_mask(w)),
        _ => (a & b == 0, !a & b & width_mask(w) == 0),
    };
    let f = Some(false);
    m.flags = Flags { cf: Some(cf), zf: Some(zf), sf: f, of: f, pf: f };
    Ok(())
}
