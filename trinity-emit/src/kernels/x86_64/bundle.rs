//! x86-64 AVX2 n-way bundle kernels (System V); the contract and the counting scheme are in
//! [`crate::kernels::bundle`].
//!
//! Registers: rdi the operand table, rsi `n`, rdx `out`; r9 the tile's byte offset (within a
//! plane, bitsliced) and r10 the tile counter of `Gen::counted`; rcx the operand index, r8 the
//! end of the current batch (then, bitsliced, the byte offset of a counter level), r11 the
//! current operand, rax (bitsliced) 64 times the number of counter levels `L`.
//!
//! Dense: ymm0-7 the 32-bit sums of a 64-byte tile (four per 32 bytes, in the lane order of
//! `vpunpck*`, which the final `vpack*` undoes), ymm8-9 the batch's byte sums, ymm10-13
//! temporaries, ymm14 bytes of 1. Bitsliced: ymm0-3 / ymm4-7 bits 0..3 of the batch's +1 / -1
//! counts, ymm8-9 the operand's planes, ymm10-13 carries; counter level j of the +1 count at
//! `rsp + 64 j`, of the -1 count 32 bytes above it. ymm15 is left to `copy_bytes` and
//! `load_words`.

use super::{at, at_index, Gen, R, VEC};
use crate::kernels::bundle::BundleSpec;
use crate::kernels::{CallConv, KernelError, Layout};
use crate::x86_64::{Cond, Gpr64, Gpr64::*, Mem, Ymm, Ymm::*};

/// Operands per dense batch: a byte sum of 127 trits cannot overflow.
const DENSE_BATCH: i32 = 127;
/// Operands per bitsliced batch: a count of 15 fits the four in-register bits.
const BITS_BATCH: i32 = 15;
/// Bitsliced counter levels on the stack: enough for [`MAX_OPERANDS`](crate::kernels::bundle::MAX_OPERANDS).
const LEVELS: usize = 24;
/// Bytes per counter level: the +1 count's plane, then the -1 count's.
const LEVEL: usize = 2 * VEC;
/// Dense scratch: the staged operand, then the staged result (for D < 32).
const DENSE_SCRATCH: usize = 2 * VEC;

/// Generate the bundle kernel for a validated x86-64 `spec`.
pub fn generate(spec: &BundleSpec) -> Result<Vec<u8>, KernelError> {
    // Bundle kernels allocate in their body (native convention only: no unwind data).
    let mut g = Gen::new(CallConv::Native, Vec::new());
    match spec.layout {
        Layout::Dense => dense(&mut g, spec.dim as usize)?,
        Layout::Bits => bits(&mut g, spec.dim as usize)?,
    }
    Ok(g.finish()?)
}

/// Run `body` once per operand, in batches of at most `batch`: `start` before each batch,
/// `flush` after it. rcx counts the operands, r8 ends the batch, r11 is the operand.
fn batches(
    g: &mut Gen,
    batch: i32,
    start: &mut impl FnMut(&mut Gen) -> R,
    body: &mut impl FnMut(&mut Gen) -> R,
    flush: &mut impl FnMut(&mut Gen) -> R,
) -> R {
    let (top, inner, test) = (g.a.new_label(), g.a.new_label(), g.a.new_label());
    g.a.xor(Rcx, Rcx)?;
    g.a.jmp(test)?;
    g.a.bind(top)?;
    start(g)?;
    g.a.lea(R8, at(Rcx, batch as usize))?;
    g.a.cmp(R8, Rsi)?;
    g.a.cmovcc(Cond::A, R8, Rsi)?;
    g.a.align(16)?;
    g.a.bind(inner)?;
    g.a.mov(R11, Mem::base(Rdi).index(Rcx, 8))?;
    body(g)?;
    g.a.inc(Rcx)?;
    g.a.cmp(Rcx, R8)?;
    g.a.jcc(Cond::B, inner)?;
    flush(g)?;
    g.a.bind(test)?;
    g.a.cmp(Rcx, Rsi)?;
    g.a.jcc(Cond::B, top)
}

// ---- dense ---------------------------------------------------------------------------------

const DENSE_SUMS: [Ymm; 8] = [Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7];
const DENSE_BYTES: [Ymm; 2] = [Y8, Y9];
const ONES: Ymm = Y14;

/// Where a dense tile's vectors are: at `r11 + r9 + offset` for each offset (one or two), or
/// staged in the scratch slot at `rsp` (D < 32).
#[derive(Clone)]
enum DenseTile {
    At(Vec<usize>),
    Staged(usize),
}

fn dense(g: &mut Gen, dim: usize) -> R {
    g.splat_bytes(ONES, 1)?;
    if dim < VEC {
        g.a.sub(Rsp, DENSE_SCRATCH as i32)?;
        g.a.vpxor(Y15, Y15, Y15)?;
        g.a.vmovdqu(at(Rsp, 0), Y15)?;
        dense_tile(g, &DenseTile::Staged(dim))?;
        g.a.add(Rsp, DENSE_SCRATCH as i32)?;
        return g.epilogue();
    }
    let tiles = dim / (2 * VEC);
    g.a.xor(R9, R9)?;
    g.counted(tiles, 2 * VEC, |g| dense_tile(g, &DenseTile::At(vec![0, VEC])))?;
    match dim % (2 * VEC) {
        0 => {}
        // A last tile ending at D, overlapping the one before it.
        _ if dim >= 2 * VEC => {
            g.a.mov(R9, (dim - 2 * VEC) as i32)?;
            dense_tile(g, &DenseTile::At(vec![0, VEC]))?;
        }
        // 32 <= D < 64: two vectors at 0 and D - 32 (r9 is 0).
        _ => dense_tile(g, &DenseTile::At(vec![0, dim - VEC]))?,
    }
    g.epilogue()
}

/// One dense tile: the sign of every position's sum, stored to `out`.
fn dense_tile(g: &mut Gen, tile: &DenseTile) -> R {
    let offsets = match tile {
        DenseTile::At(offsets) => offsets.clone(),
        DenseTile::Staged(_) => vec![0],
    };
    let vectors = offsets.len();
    for &s in &DENSE_SUMS[..4 * vectors] {
        g.a.vpxor(s, s, s)?;
    }
    let mut start = |g: &mut Gen| -> R {
        for &b in &DENSE_BYTES[..vectors] {
            g.a.vpxor(b, b, b)?;
        }
        Ok(())
    };
    let mut body = |g: &mut Gen| -> R {
        match tile {
            DenseTile::At(_) => {
                for (k, &off) in offsets.iter().enumerate() {
                    let b = DENSE_BYTES[k];
                    g.a.vpaddb(b, b, at_index(R11, R9, off))?;
                }
                Ok(())
            }
            DenseTile::Staged(dim) => {
                g.copy_bytes((Rsp, 0), (R11, 0), *dim)?;
                g.a.vpaddb(DENSE_BYTES[0], DENSE_BYTES[0], at(Rsp, 0))
            }
        }
    };
    let mut flush = |g: &mut Gen| -> R {
        for k in 0..vectors {
            widen_into(g, DENSE_BYTES[k], &DENSE_SUMS[4 * k..4 * k + 4])?;
        }
        Ok(())
    };
    batches(g, DENSE_BATCH, &mut start, &mut body, &mut flush)?;
    for k in 0..vectors {
        let sums = &DENSE_SUMS[4 * k..4 * k + 4];
        let (lo, hi) = (Y10, Y11);
        g.a.vpackssdw(lo, sums[0], sums[1])?;
        g.a.vpackssdw(hi, sums[2], sums[3])?;
        g.a.vpacksswb(lo, lo, hi)?;
        // Saturation keeps the sign; vpsignb turns bytes of 1 into it (0 for 0).
        g.a.vpsignb(lo, ONES, lo)?;
        match tile {
            DenseTile::At(_) => g.a.vmovdqu(at_index(Rdx, R9, offsets[k]), lo)?,
            DenseTile::Staged(dim) => {
                g.a.vmovdqu(at(Rsp, VEC), lo)?;
                g.copy_bytes((Rdx, 0), (Rsp, VEC), *dim)?;
            }
        }
    }
    Ok(())
}

/// Add the signed bytes of `bytes` to the 32-bit `sums`, in `vpunpck*` lane order: within each
/// 128-bit lane, words from the low then high 8 bytes, dwords from the low then high 4 words.
fn widen_into(g: &mut Gen, bytes: Ymm, sums: &[Ymm]) -> R {
    let (words, dwords) = (Y12, Y13);
    for (half, pair) in sums.chunks(2).enumerate() {
        if half == 0 {
            g.a.vpunpcklbw(words, bytes, bytes)?;
        } else {
            g.a.vpunpckhbw(words, bytes, bytes)?;
        }
        g.a.vpsraw(words, words, 8)?;
        g.a.vpunpcklwd(dwords, words, words)?;
        g.a.vpsrad(dwords, dwords, 16)?;
        g.a.vpaddd(pair[0], pair[0], dwords)?;
        g.a.vpunpckhwd(dwords, words, words)?;
        g.a.vpsrad(dwords, dwords, 16)?;
        g.a.vpaddd(pair[1], pair[1], dwords)?;
    }
    Ok(())
}

// ---- bitsliced -----------------------------------------------------------------------------

const PLUS_BITS: [Ymm; 4] = [Y0, Y1, Y2, Y3];
const MINUS_BITS: [Ymm; 4] = [Y4, Y5, Y6, Y7];
const OPERAND: [Ymm; 2] = [Y8, Y9];
const CARRY: [[Ymm; 2]; 2] = [[Y10, Y11], [Y12, Y13]];

fn bits(g: &mut Gen, dim: usize) -> R {
    let words = dim.div_ceil(64);
    let minus = 8 * words;
    g.a.sub(Rsp, (LEVELS * LEVEL) as i32)?;
    // rax = 64 * L, L = max(4, bit length of n).
    let more = g.a.new_label();
    g.a.xor(Rax, Rax)?;
    g.a.mov(Rcx, Rsi)?;
    g.a.bind(more)?;
    g.a.add(Rax, LEVEL as i32)?;
    g.a.shr(Rcx, 1)?;
    g.a.jcc(Cond::Ne, more)?;
    g.a.mov(R8, (4 * LEVEL) as i32)?;
    g.a.cmp(Rax, R8)?;
    g.a.cmovcc(Cond::B, Rax, R8)?;
    let full = words / 4;
    g.a.xor(R9, R9)?;
    g.counted(full, VEC, |g| bits_tile(g, minus, Some(R9), 0, 4))?;
    if words % 4 != 0 {
        bits_tile(g, minus, None, VEC * full, words % 4)?;
    }
    g.a.add(Rsp, (LEVELS * LEVEL) as i32)?;
    g.epilogue()
}

/// One bitsliced tile of `count` words per plane at `[index] + disp` of each plane.
fn bits_tile(g: &mut Gen, minus: usize, index: Option<Gpr64>, disp: usize, count: usize) -> R {
    // Zero the L counter levels.
    let zero = Y15;
    g.a.vpxor(zero, zero, zero)?;
    level_loop(g, false, |g| {
        g.a.vmovdqu(at_index(Rsp, R8, 0), zero)?;
        g.a.vmovdqu(at_index(Rsp, R8, VEC), zero)
    })?;
    let mut start = |g: &mut Gen| -> R {
        for &r in PLUS_BITS.iter().chain(&MINUS_BITS) {
            g.a.vpxor(r, r, r)?;
        }
        Ok(())
    };
    let mut body = |g: &mut Gen| -> R {
        g.load_words(OPERAND[0], R11, index, disp, count)?;
        g.load_words(OPERAND[1], R11, index, minus + disp, count)?;
        ripple(g, &PLUS_BITS, OPERAND[0], CARRY[0])?;
        ripple(g, &MINUS_BITS, OPERAND[1], CARRY[1])
    };
    let mut flush = |g: &mut Gen| -> R {
        flush_counter(g, &PLUS_BITS, 0)?;
        flush_counter(g, &MINUS_BITS, VEC)
    };
    batches(g, BITS_BATCH, &mut start, &mut body, &mut flush)?;
    // Compare the counts from the top level down: gt where plus is greater, lt where minus is.
    let (gt, lt, p, q) = (Y0, Y1, Y8, Y9);
    let (p_gt, q_gt) = (Y10, Y11);
    g.a.vpxor(gt, gt, gt)?;
    g.a.vpxor(lt, lt, lt)?;
    level_loop(g, true, |g| {
        g.a.vmovdqu(p, at_index(Rsp, R8, 0))?;
        g.a.vmovdqu(q, at_index(Rsp, R8, VEC))?;
        g.a.vpandn(p_gt, q, p)?;
        g.a.vpandn(q_gt, p, q)?;
        // Decide only positions still equal above this level (gt and lt before this level).
        g.a.vpandn(p_gt, lt, p_gt)?;
        g.a.vpandn(q_gt, gt, q_gt)?;
        g.a.vpor(gt, gt, p_gt)?;
        g.a.vpor(lt, lt, q_gt)
    })?;
    g.store_words(gt, Rdx, index, disp, count)?;
    g.store_words(lt, Rdx, index, minus + disp, count)
}

/// Run `body` for each counter level with r8 its byte offset: 0, 64, ..., rax - 64, or from
/// the top down when `down`.
fn level_loop(g: &mut Gen, down: bool, mut body: impl FnMut(&mut Gen) -> R) -> R {
    let top = g.a.new_label();
    if down {
        g.a.mov(R8, Rax)?;
        g.a.bind(top)?;
        g.a.sub(R8, LEVEL as i32)?;
        body(g)?;
        g.a.test(R8, R8)?;
        g.a.jcc(Cond::Ne, top)
    } else {
        g.a.xor(R8, R8)?;
        g.a.bind(top)?;
        body(g)?;
        g.a.add(R8, LEVEL as i32)?;
        g.a.cmp(R8, Rax)?;
        g.a.jcc(Cond::B, top)
    }
}

/// Add the bit plane `x` to the 4-bit counter `bits` (which stays below 16: no carry out).
fn ripple(g: &mut Gen, bits: &[Ymm; 4], x: Ymm, carry: [Ymm; 2]) -> R {
    let [t, u] = carry;
    g.a.vpand(t, bits[0], x)?;
    g.a.vpxor(bits[0], bits[0], x)?;
    g.a.vpand(u, bits[1], t)?;
    g.a.vpxor(bits[1], bits[1], t)?;
    g.a.vpand(t, bits[2], u)?;
    g.a.vpxor(bits[2], bits[2], u)?;
    g.a.vpxor(bits[3], bits[3], t)
}

/// Add the 4-bit counter `bits` into the counter levels at `rsp + plane` (+ 64 per level):
/// full adds for levels 0..3, then carries up until the carry is zero (or the levels end).
fn flush_counter(g: &mut Gen, bits: &[Ymm; 4], plane: usize) -> R {
    let (level, sum, carry, x) = (Y8, Y9, Y10, Y11);
    let and = Y12;
    for (j, &b) in bits.iter().enumerate() {
        let slot = at(Rsp, j * LEVEL + plane);
        g.a.vmovdqu(level, slot)?;
        if j == 0 {
            g.a.vpxor(sum, level, b)?;
            g.a.vpand(carry, level, b)?;
        } else {
            g.a.vpxor(x, level, b)?;
            g.a.vpxor(sum, x, carry)?;
            g.a.vpand(and, level, b)?;
            g.a.vpand(x, x, carry)?;
            g.a.vpor(carry, and, x)?;
        }
        g.a.vmovdqu(slot, sum)?;
    }
    let (top, done) = (g.a.new_label(), g.a.new_label());
    g.a.mov(R8, (4 * LEVEL) as i32)?;
    g.a.bind(top)?;
    g.a.cmp(R8, Rax)?;
    g.a.jcc(Cond::Ae, done)?;
    g.a.vptest(carry, carry)?;
    g.a.jcc(Cond::E, done)?;
    let slot = at_index(Rsp, R8, plane);
    g.a.vmovdqu(level, slot)?;
    g.a.vpxor(sum, level, carry)?;
    g.a.vpand(carry, level, carry)?;
    g.a.vmovdqu(slot, sum)?;
    g.a.add(R8, LEVEL as i32)?;
    g.a.jmp(top)?;
    g.a.bind(done)
}
