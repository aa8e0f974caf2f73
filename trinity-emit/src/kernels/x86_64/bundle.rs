//! x86-64 AVX2 n-way bundle kernels (System V); the contract and the counting scheme are in
//! [`crate::kernels::bundle`].
//!
//! Registers: rdi the operand table, rsi `n`, rdx `out`; r9 the tile's byte offset (within a
//! plane, bitsliced) and r10 the tile counter of `Gen::counted`; rcx the operand index, r8 the
//! end of the current batch (then, bitsliced, the byte offset of a counter level), r11 the
//! current operand, rbx (pushed) the operand whose lines are prefetched, rax (bitsliced)
//! `LEVEL` times the number of counter levels `L`.
//!
//! Dense: ymm0-7 the 32-bit sums of a 64-byte tile (four per 32 bytes, in the lane order of
//! `vpunpck*`, which the final `vpack*` undoes), ymm8-9 the batch's byte sums, ymm10-13
//! temporaries, ymm14 bytes of 1, ymm15 left to `copy_bytes`. Bitsliced: ymm0-11 bits 0..2 of
//! the batch's counts (half-tile 0 +1, 0 -1, 1 +1, 1 -1), ymm12-13 carries, ymm14 a partial
//! operand plane, ymm12-15 the flush's temporaries; the counter levels on the stack (see
//! `bits_tile`).

use super::{at, at_index, Gen, R, VEC};
use crate::kernels::bundle::BundleSpec;
use crate::kernels::{CallConv, KernelError, Layout};
use crate::x86_64::{Cond, Gpr64, Gpr64::*, Mem, Operand, Ymm, Ymm::*};

/// Operands per dense batch: a byte sum of 127 trits cannot overflow.
pub(super) const DENSE_BATCH: i32 = 127;
/// Operands per bitsliced batch: a count of 7 fits the three in-register bits.
pub(super) const BITS_BATCH: i32 = 7;
/// Bitsliced counter levels on the stack: enough for [`MAX_OPERANDS`](crate::kernels::bundle::MAX_OPERANDS).
pub(super) const LEVELS: usize = 24;
/// Bytes per counter level: per half-tile, the +1 count's plane, then the -1 count's.
const LEVEL: usize = HALVES * 2 * VEC;
/// How many operands ahead the tile's lines are prefetched: the operands are scattered, so
/// the hardware prefetchers, which follow streams, do not fetch them ahead by themselves.
pub(super) const BITS_AHEAD: i32 = 16;
pub(super) const DENSE_AHEAD: i32 = 32;
/// Dense scratch: the staged operand, then the staged result (for D < 32).
const DENSE_SCRATCH: usize = 2 * VEC;

/// Generate the bundle kernel for a validated x86-64 `spec`.
pub fn generate(spec: &BundleSpec) -> Result<Vec<u8>, KernelError> {
    // Bundle kernels allocate in their body (native convention only: no unwind data).
    let mut g = Gen::new(spec.tier, CallConv::Native, Vec::new());
    match spec.layout {
        Layout::Dense => dense(&mut g, spec.dim as usize)?,
        Layout::Bits => bits(&mut g, spec.dim as usize)?,
    }
    Ok(g.finish()?)
}

/// Run `body` once per operand, in batches of at most `batch`: `start` before each batch,
/// `flush` after it. rcx counts the operands, r8 ends the batch, r11 is the operand; rbx is
/// the operand `ahead` places on (the last one near the end), whose `prefetch` addresses (on
/// rbx) are prefetched before each body.
pub(super) fn batches(
    g: &mut Gen,
    batch: i32,
    ahead: i32,
    prefetch: &[Mem],
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
    if !prefetch.is_empty() {
        // rbx = vectors[min(rcx + ahead, n - 1)]: never a pointer past the table.
        g.a.lea(Rbx, at(Rcx, ahead as usize))?;
        g.a.cmp(Rbx, Rsi)?;
        g.a.cmovcc(Cond::Ae, Rbx, Rcx)?;
        g.a.mov(Rbx, Mem::base(Rdi).index(Rbx, 8))?;
        for &m in prefetch {
            g.a.prefetcht0(m)?;
        }
    }
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
    g.a.push(Rbx)?;
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
    g.a.pop(Rbx)?;
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
            widen_into(g, DENSE_BYTES[k], &DENSE_SUMS[4 * k..4 * k + 4], [Y12, Y13])?;
        }
        Ok(())
    };
    // The first and last byte of the tile: one or two cache lines.
    let prefetch = match tile {
        DenseTile::At(_) => {
            vec![at_index(Rbx, R9, offsets[0]), at_index(Rbx, R9, offsets[vectors - 1] + VEC - 1)]
        }
        DenseTile::Staged(_) => Vec::new(),
    };
    batches(g, DENSE_BATCH, DENSE_AHEAD, &prefetch, &mut start, &mut body, &mut flush)?;
    for k in 0..vectors {
        let sums = &DENSE_SUMS[4 * k..4 * k + 4];
        let (lo, hi) = (Y10, Y11);
        pack(g, sums, lo, hi)?;
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
/// 128-bit lane, words from the low then high 8 bytes, dwords from the low then high 4 words
/// (ymm or zmm registers; `words` and `dwords` are scratch).
pub(super) fn widen_into<V: Into<Operand> + Copy>(
    g: &mut Gen,
    bytes: V,
    sums: &[V],
    [words, dwords]: [V; 2],
) -> R {
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

/// Pack the four vectors of 32-bit `sums` of [`widen_into`] back into `lo`, bytes in their
/// original order, with signed saturation (which keeps the sign); `hi` is scratch.
pub(super) fn pack<V: Into<Operand> + Copy>(g: &mut Gen, sums: &[V], lo: V, hi: V) -> R {
    g.a.vpackssdw(lo, sums[0], sums[1])?;
    g.a.vpackssdw(hi, sums[2], sums[3])?;
    g.a.vpacksswb(lo, lo, hi)
}

// ---- bitsliced -----------------------------------------------------------------------------

/// Half-tiles of one tile: each 32 bytes of both planes, so that a tile reads 64 bytes of each
/// plane, every cache line of an operand in one visit. (With one half, a pass over thousands
/// of operands evicts each line before the next tile comes back for its other half.)
const HALVES: usize = 2;
/// The three in-register count bits of half `h`, plane `s` (0 plus, 1 minus).
fn count_bits(h: usize, s: usize) -> [Ymm; 3] {
    let first = 3 * (2 * h + s);
    [Ymm::ALL[first], Ymm::ALL[first + 1], Ymm::ALL[first + 2]]
}
const CARRY: [Ymm; 2] = [Y12, Y13];
/// A partial half's operand plane (loaded exactly; whole ones are memory operands).
const PARTIAL: Ymm = Y14;

fn bits(g: &mut Gen, dim: usize) -> R {
    let words = dim.div_ceil(64);
    let minus = 8 * words;
    g.a.push(Rbx)?;
    g.a.sub(Rsp, (LEVELS * LEVEL) as i32)?;
    level_count(g, LEVEL)?;
    let full = words / 8;
    g.a.xor(R9, R9)?;
    g.counted(full, 2 * VEC, |g| bits_tile(g, minus, Some(R9), &[(0, 4), (VEC, 4)]))?;
    let (rest, disp) = (words % 8, 2 * VEC * full);
    match rest {
        0 => {}
        1..=4 => bits_tile(g, minus, None, &[(disp, rest)])?,
        _ => bits_tile(g, minus, None, &[(disp, 4), (disp + VEC, rest - 4)])?,
    }
    g.a.add(Rsp, (LEVELS * LEVEL) as i32)?;
    g.a.pop(Rbx)?;
    g.epilogue()
}

/// rax = `level` times L, the counter levels: the bit length of n (rsi), at least 3, at most
/// [`LEVELS`]. Clobbers rcx and r8.
pub(super) fn level_count(g: &mut Gen, level: usize) -> R {
    let more = g.a.new_label();
    g.a.xor(Rax, Rax)?;
    g.a.mov(Rcx, Rsi)?;
    g.a.bind(more)?;
    g.a.add(Rax, level as i32)?;
    g.a.shr(Rcx, 1)?;
    g.a.jcc(Cond::Ne, more)?;
    g.a.mov(R8, (3 * level) as i32)?;
    g.a.cmp(Rax, R8)?;
    g.a.cmovcc(Cond::B, Rax, R8)?;
    // At most LEVELS: past MAX_OPERANDS the counts are wrong, but nothing past the frame is
    // written.
    g.a.mov(R8, (LEVELS * level) as i32)?;
    g.a.cmp(Rax, R8)?;
    g.a.cmovcc(Cond::A, Rax, R8)
}

/// One bitsliced tile: `halves` of (displacement, words per plane), at `[index] + disp` of
/// each plane. Counter level j of half h, plane s is at `rsp + LEVEL j + 64 h + 32 s`.
fn bits_tile(g: &mut Gen, minus: usize, index: Option<Gpr64>, halves: &[(usize, usize)]) -> R {
    let m = |base: Gpr64, disp: usize| match index {
        Some(i) => at_index(base, i, disp),
        None => at(base, disp),
    };
    let planes = |h: usize| [halves[h].0, minus + halves[h].0];
    let zero = Y15;
    g.a.vpxor(zero, zero, zero)?;
    level_loop(g, false, LEVEL, |g| {
        for slot in 0..2 * halves.len() {
            g.a.vmovdqu(at_index(Rsp, R8, slot * VEC), zero)?;
        }
        Ok(())
    })?;
    let mut start = |g: &mut Gen| -> R {
        for h in 0..halves.len() {
            for r in count_bits(h, 0).into_iter().chain(count_bits(h, 1)) {
                g.a.vpxor(r, r, r)?;
            }
        }
        Ok(())
    };
    // The first and last byte of each plane's part of the tile: one or two cache lines.
    let ends = [halves[0].0, halves[halves.len() - 1].0 + 8 * halves[halves.len() - 1].1 - 1];
    let prefetch: Vec<Mem> = [0, minus].iter().flat_map(|&p| ends.map(|e| m(Rbx, p + e))).collect();
    let mut body = |g: &mut Gen| -> R {
        for (h, &(_, count)) in halves.iter().enumerate() {
            for (s, disp) in planes(h).into_iter().enumerate() {
                if count == 4 {
                    ripple(g, &count_bits(h, s), m(R11, disp))?;
                } else {
                    g.load_words(PARTIAL, R11, index, disp, count)?;
                    ripple(g, &count_bits(h, s), PARTIAL)?;
                }
            }
        }
        Ok(())
    };
    let mut flush = |g: &mut Gen| -> R {
        for h in 0..halves.len() {
            for s in 0..2 {
                flush_counter(g, &count_bits(h, s), (2 * h + s) * VEC)?;
            }
        }
        Ok(())
    };
    batches(g, BITS_BATCH, BITS_AHEAD, &prefetch, &mut start, &mut body, &mut flush)?;
    // Compare the counts from the top level down: gt where plus is greater, lt where minus is.
    for (h, &(_, count)) in halves.iter().enumerate() {
        let (gt, lt, p, q, p_gt, q_gt) = (Y0, Y1, Y2, Y3, Y4, Y5);
        g.a.vpxor(gt, gt, gt)?;
        g.a.vpxor(lt, lt, lt)?;
        level_loop(g, true, LEVEL, |g| {
            g.a.vmovdqu(p, at_index(Rsp, R8, 2 * h * VEC))?;
            g.a.vmovdqu(q, at_index(Rsp, R8, (2 * h + 1) * VEC))?;
            g.a.vpandn(p_gt, q, p)?;
            g.a.vpandn(q_gt, p, q)?;
            // Decide only positions still equal above this level (gt and lt before it).
            g.a.vpandn(p_gt, lt, p_gt)?;
            g.a.vpandn(q_gt, gt, q_gt)?;
            g.a.vpor(gt, gt, p_gt)?;
            g.a.vpor(lt, lt, q_gt)
        })?;
        let [plus, minus] = planes(h);
        g.store_words(gt, Rdx, index, plus, count)?;
        g.store_words(lt, Rdx, index, minus, count)?;
    }
    Ok(())
}

/// Run `body` for each counter level with r8 its byte offset: 0, `level`, ..., rax - `level`,
/// or from the top down when `down`.
pub(super) fn level_loop(
    g: &mut Gen,
    down: bool,
    level: usize,
    mut body: impl FnMut(&mut Gen) -> R,
) -> R {
    let top = g.a.new_label();
    if down {
        g.a.mov(R8, Rax)?;
        g.a.bind(top)?;
        g.a.sub(R8, level as i32)?;
        body(g)?;
        g.a.test(R8, R8)?;
        g.a.jcc(Cond::Ne, top)
    } else {
        g.a.xor(R8, R8)?;
        g.a.bind(top)?;
        body(g)?;
        g.a.add(R8, level as i32)?;
        g.a.cmp(R8, Rax)?;
        g.a.jcc(Cond::B, top)
    }
}

/// Add the bit plane `x` to the 3-bit counter `bits` (which stays below 8: no carry out).
fn ripple(g: &mut Gen, bits: &[Ymm; 3], x: impl Into<Operand> + Copy) -> R {
    let [t, u] = CARRY;
    g.a.vpand(t, bits[0], x)?;
    g.a.vpxor(bits[0], bits[0], x)?;
    g.a.vpand(u, bits[1], t)?;
    g.a.vpxor(bits[1], bits[1], t)?;
    g.a.vpxor(bits[2], bits[2], u)
}

/// Add the 3-bit counter `bits` into the counter levels at `rsp + slot` (+ LEVEL per level):
/// full adds for levels 0..2, then carries up until the carry is zero (or the levels end).
/// Uses ymm12-15 only, so the other halves' counters stay live.
fn flush_counter(g: &mut Gen, bits: &[Ymm; 3], slot: usize) -> R {
    let (level, sum, carry, x) = (Y12, Y13, Y14, Y15);
    for (j, &b) in bits.iter().enumerate() {
        let at_level = at(Rsp, j * LEVEL + slot);
        g.a.vmovdqu(level, at_level)?;
        if j == 0 {
            g.a.vpxor(sum, level, b)?;
            g.a.vpand(carry, level, b)?;
        } else {
            // sum = level ^ b ^ carry; carry = (level & b) | ((level ^ b) & carry).
            g.a.vpxor(x, level, b)?;
            g.a.vpxor(sum, x, carry)?;
            g.a.vpand(level, level, b)?;
            g.a.vpand(x, x, carry)?;
            g.a.vpor(carry, level, x)?;
        }
        g.a.vmovdqu(at_level, sum)?;
    }
    let (top, done) = (g.a.new_label(), g.a.new_label());
    g.a.mov(R8, (3 * LEVEL) as i32)?;
    g.a.bind(top)?;
    g.a.cmp(R8, Rax)?;
    g.a.jcc(Cond::Ae, done)?;
    g.a.vptest(carry, carry)?;
    g.a.jcc(Cond::E, done)?;
    let at_level = at_index(Rsp, R8, slot);
    g.a.vmovdqu(level, at_level)?;
    g.a.vpxor(sum, level, carry)?;
    g.a.vpand(carry, level, carry)?;
    g.a.vmovdqu(at_level, sum)?;
    g.a.add(R8, LEVEL as i32)?;
    g.a.jmp(top)?;
    g.a.bind(done)
}
