//! x86-64 AVX-512 n-way bundle kernels (System V) of the `avx512` and `avx512vpopcnt` tiers
//! (the same code for both); the contract and the counting scheme are in
//! [`crate::kernels::bundle`].
//!
//! The AVX2 kernels' plan ([`super::bundle`]: the same general registers, batches, prefetches
//! and counter levels) on 64-byte vectors, with tiles of two vectors per plane. The last tile
//! ends at D: its partial vector is loaded under the write mask k1 with zeroing and stored
//! under it, so no byte outside the operands is touched and nothing is staged.
//!
//! Dense: zmm0-7 the 32-bit sums of a 128-byte tile (in `vpunpck*` lane order, which the
//! packs undo), zmm8-9 the batch's byte sums, zmm10-13 temporaries, zmm14/zmm15 bytes of 1
//! and of -1 (the sign is a clamp: AVX-512 has no `vpsignb`). Bitsliced: zmm0-11 bits 0..2 of
//! the batch's counts (half 0 +1, 0 -1, 1 +1, 1 -1), zmm12-13 the ripple's operands, zmm16-19
//! the flush's and zmm20-25 the comparison's temporaries; the counter levels on the stack.
//! `vpternlogq` makes the ripple four instructions (AVX2: five), a level's full add three
//! (five) and a level's comparison four (six).

use super::avx512::ternlog;
use super::bundle::{
    batches, level_count, level_loop, pack, widen_into, BITS_AHEAD, BITS_BATCH, DENSE_AHEAD,
    DENSE_BATCH, LEVELS,
};
use super::{at, at_index, Gen, R};
use crate::kernels::bundle::BundleSpec;
use crate::kernels::{CallConv, KernelError, Layout};
use crate::x86_64::{Cond, Gpr64::*, Mem, Zmm, Zmm::*, K};

/// Bytes per vector.
const VEC: usize = 64;
/// Vectors per tile (of each plane, bitsliced).
const HALVES: usize = 2;
/// Bytes per counter level: per half, the +1 count's plane, then the -1 count's.
const LEVEL: usize = HALVES * 2 * VEC;
/// The partial vector's mask.
const TAIL: K = K::K1;

/// Generate the bundle kernel for a validated x86-64 `spec` of an AVX-512 tier.
pub fn generate(spec: &BundleSpec) -> Result<Vec<u8>, KernelError> {
    let mut g = Gen::new(spec.tier, CallConv::Native, Vec::new());
    match spec.layout {
        Layout::Dense => dense(&mut g, spec.dim as usize)?,
        Layout::Bits => bits(&mut g, spec.dim as usize)?,
    }
    Ok(g.finish()?)
}

/// A tile's vectors: (displacement from r9, elements: all of a vector, or fewer under
/// [`TAIL`]).
type Tile = [(usize, usize)];

/// The tiles after the whole ones: at most two vectors ending at `len` elements (of
/// `per_vector` each) from `start`, the last one partial unless it is whole.
fn last_tile(start: usize, len: usize, per_vector: usize) -> Vec<(usize, usize)> {
    let rest = len - start;
    (0..rest.div_ceil(per_vector))
        .map(|v| (start + v * per_vector, (rest - v * per_vector).min(per_vector)))
        .collect()
}

/// Set [`TAIL`] to the low `count` bits (r10 is free between tiles).
fn tail_mask(g: &mut Gen, count: usize) -> R {
    g.a.mov(R10, ((1u64 << count) - 1) as i64)?;
    g.a.kmovq(TAIL, R10)
}

/// `m` as a load or store destination for `count` of `full` elements: whole, or under
/// [`TAIL`] (zeroing for registers).
fn load(g: &mut Gen, dst: Zmm, m: Mem, count: usize, full: usize, bytes: bool) -> R {
    match (count == full, bytes) {
        (true, _) => g.a.vmovdqu64(dst, m),
        (false, true) => g.a.vmovdqu8(dst.mask(TAIL).zero(), m),
        (false, false) => g.a.vmovdqu64(dst.mask(TAIL).zero(), m),
    }
}

fn store(g: &mut Gen, m: Mem, src: Zmm, count: usize, full: usize, bytes: bool) -> R {
    match (count == full, bytes) {
        (true, _) => g.a.vmovdqu64(m, src),
        (false, true) => g.a.vmovdqu8(m.mask(TAIL), src),
        (false, false) => g.a.vmovdqu64(m.mask(TAIL), src),
    }
}

/// The first and last byte of each of `parts` (displacement, bytes) at rbx + r9: the lines a
/// tile reads of the operand [`batches`] prefetches.
fn prefetches(parts: &[(usize, usize)]) -> Vec<Mem> {
    parts
        .iter()
        .flat_map(|&(d, len)| [at_index(Rbx, R9, d), at_index(Rbx, R9, d + len - 1)])
        .collect()
}

// ---- dense ---------------------------------------------------------------------------------

const DENSE_BYTES: [Zmm; 2] = [Z8, Z9];
const ONES: Zmm = Z14;
const MINUS_ONES: Zmm = Z15;

fn dense(g: &mut Gen, dim: usize) -> R {
    g.a.push(Rbx)?;
    for (dst, byte) in [(ONES, 1u8), (MINUS_ONES, 0xff)] {
        let table = g.constant(vec![byte; VEC]);
        g.a.vmovdqu64(dst, Mem::label(table))?;
    }
    let tile = 2 * VEC;
    let full = dim / tile;
    g.a.xor(R9, R9)?;
    g.counted(full, tile, |g| dense_tile(g, &[(0, VEC), (VEC, VEC)]))?;
    let last = last_tile(0, dim - full * tile, VEC);
    if let Some(&(_, count)) = last.last() {
        if count < VEC {
            tail_mask(g, count)?;
        }
        // r9 is the tile's start after the loop (or 0).
        dense_tile(g, &last)?;
    }
    g.a.pop(Rbx)?;
    g.epilogue()
}

/// One dense tile at r9: the sign of every position's sum, stored to `out`.
fn dense_tile(g: &mut Gen, tile: &Tile) -> R {
    let sums = |k: usize| &Zmm::ALL[4 * k..4 * k + 4];
    for k in 0..tile.len() {
        for &s in sums(k) {
            g.a.vpxord(s, s, s)?;
        }
    }
    let mut start = |g: &mut Gen| -> R {
        for &b in &DENSE_BYTES[..tile.len()] {
            g.a.vpxord(b, b, b)?;
        }
        Ok(())
    };
    let mut body = |g: &mut Gen| -> R {
        for (k, &(disp, count)) in tile.iter().enumerate() {
            let b = DENSE_BYTES[k];
            if count == VEC {
                g.a.vpaddb(b, b, at_index(R11, R9, disp))?;
            } else {
                load(g, Z10, at_index(R11, R9, disp), count, VEC, true)?;
                g.a.vpaddb(b, b, Z10)?;
            }
        }
        Ok(())
    };
    let mut flush = |g: &mut Gen| -> R {
        for (k, &bytes) in DENSE_BYTES[..tile.len()].iter().enumerate() {
            widen_into(g, bytes, sums(k), [Z12, Z13])?;
        }
        Ok(())
    };
    let prefetch = prefetches(&[(tile[0].0, tile.iter().map(|t| t.1).sum())]);
    batches(g, DENSE_BATCH, DENSE_AHEAD, &prefetch, &mut start, &mut body, &mut flush)?;
    for (k, &(disp, count)) in tile.iter().enumerate() {
        let (lo, hi) = (Z10, Z11);
        pack(g, sums(k), lo, hi)?;
        g.a.vpminsb(lo, lo, ONES)?;
        g.a.vpmaxsb(lo, lo, MINUS_ONES)?;
        store(g, at_index(Rdx, R9, disp), lo, count, VEC, true)?;
    }
    Ok(())
}

// ---- bitsliced -----------------------------------------------------------------------------

/// The three in-register count bits of half `h`, plane `s` (0 plus, 1 minus).
fn count_bits(h: usize, s: usize) -> [Zmm; 3] {
    let first = 3 * (2 * h + s);
    [Zmm::ALL[first], Zmm::ALL[first + 1], Zmm::ALL[first + 2]]
}
/// The operand's plane vector, and the ripple's carry.
const PLANE: Zmm = Z12;
const CARRY: Zmm = Z13;
/// Words per vector.
const WORDS: usize = VEC / 8;

fn bits(g: &mut Gen, dim: usize) -> R {
    let words = dim.div_ceil(64);
    let minus = 8 * words;
    g.a.push(Rbx)?;
    g.a.sub(Rsp, (LEVELS * LEVEL) as i32)?;
    level_count(g, LEVEL)?;
    let per_tile = HALVES * WORDS;
    let full = words / per_tile;
    let whole: Vec<(usize, usize)> = (0..HALVES).map(|h| (h * VEC, WORDS)).collect();
    g.a.xor(R9, R9)?;
    g.counted(full, HALVES * VEC, |g| bits_tile(g, minus, &whole))?;
    let last: Vec<(usize, usize)> = last_tile(full * per_tile, words, WORDS)
        .into_iter()
        .map(|(word, count)| (8 * word - full * HALVES * VEC, count))
        .collect();
    if let Some(&(_, count)) = last.last() {
        if count < WORDS {
            tail_mask(g, count)?;
        }
        bits_tile(g, minus, &last)?;
    }
    g.a.add(Rsp, (LEVELS * LEVEL) as i32)?;
    g.a.pop(Rbx)?;
    g.epilogue()
}

/// One bitsliced tile at r9: `halves` of (displacement, words) in each plane. Counter level j
/// of half h, plane s is at `rsp + LEVEL j + 128 h + 64 s`.
fn bits_tile(g: &mut Gen, minus: usize, halves: &Tile) -> R {
    let planes = |h: usize| [halves[h].0, minus + halves[h].0];
    let zero = Z15;
    g.a.vpxord(zero, zero, zero)?;
    level_loop(g, false, LEVEL, |g| {
        for slot in 0..2 * halves.len() {
            g.a.vmovdqu64(at_index(Rsp, R8, slot * VEC), zero)?;
        }
        Ok(())
    })?;
    let mut start = |g: &mut Gen| -> R {
        for h in 0..halves.len() {
            for r in count_bits(h, 0).into_iter().chain(count_bits(h, 1)) {
                g.a.vpxord(r, r, r)?;
            }
        }
        Ok(())
    };
    let bytes = 8 * halves.iter().map(|h| h.1).sum::<usize>();
    let prefetch = prefetches(&[(halves[0].0, bytes), (minus + halves[0].0, bytes)]);
    let mut body = |g: &mut Gen| -> R {
        for (h, &(_, count)) in halves.iter().enumerate() {
            for (s, disp) in planes(h).into_iter().enumerate() {
                load(g, PLANE, at_index(R11, R9, disp), count, WORDS, false)?;
                ripple(g, &count_bits(h, s))?;
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
    let undecided = ternlog(|d, x, other| d | (x & !other));
    for (h, &(_, count)) in halves.iter().enumerate() {
        let (gt, lt, p, q, p_gt, q_gt) = (Z20, Z21, Z22, Z23, Z24, Z25);
        g.a.vpxord(gt, gt, gt)?;
        g.a.vpxord(lt, lt, lt)?;
        level_loop(g, true, LEVEL, |g| {
            g.a.vmovdqu64(p, at_index(Rsp, R8, 2 * h * VEC))?;
            g.a.vmovdqu64(q, at_index(Rsp, R8, (2 * h + 1) * VEC))?;
            g.a.vpandnq(p_gt, q, p)?;
            g.a.vpandnq(q_gt, p, q)?;
            // Decide only positions still equal above this level. (A position gt decides
            // here has no q_gt, so lt may see the new gt.)
            g.a.vpternlogq(gt, p_gt, lt, undecided)?;
            g.a.vpternlogq(lt, q_gt, gt, undecided)
        })?;
        for (plane, result) in planes(h).into_iter().zip([gt, lt]) {
            store(g, at_index(Rdx, R9, plane), result, count, WORDS, false)?;
        }
    }
    Ok(())
}

/// Add the plane in [`PLANE`] to the 3-bit counter `bits` (which stays below 8: no carry out).
fn ripple(g: &mut Gen, bits: &[Zmm; 3]) -> R {
    g.a.vpandq(CARRY, bits[0], PLANE)?;
    g.a.vpxorq(bits[0], bits[0], PLANE)?;
    g.a.vpternlogq(bits[2], bits[1], CARRY, ternlog(|b2, b1, c| b2 ^ (b1 & c)))?;
    g.a.vpxorq(bits[1], bits[1], CARRY)
}

/// Add the 3-bit counter `bits` into the counter levels at `rsp + slot` (+ LEVEL per level):
/// full adds for levels 0..2, then carries up until the carry is zero (or the levels end).
/// Uses zmm16-19 and k2 only, so the other halves' counters stay live.
fn flush_counter(g: &mut Gen, bits: &[Zmm; 3], slot: usize) -> R {
    let (mut level, sum, mut carry, x) = (Z16, Z17, Z18, Z19);
    for (j, &b) in bits.iter().enumerate() {
        let at_level = at(Rsp, j * LEVEL + slot);
        g.a.vmovdqu64(level, at_level)?;
        if j == 0 {
            g.a.vpxorq(sum, level, b)?;
            g.a.vpandq(carry, level, b)?;
        } else {
            // sum = level ^ b ^ carry; the new carry, their majority, replaces level.
            g.a.vpxorq(x, level, b)?;
            g.a.vpternlogq(level, b, carry, ternlog(|l, b, c| (l & b) | (l & c) | (b & c)))?;
            g.a.vpxorq(sum, x, carry)?;
            (level, carry) = (carry, level);
        }
        g.a.vmovdqu64(at_level, sum)?;
    }
    let (top, done) = (g.a.new_label(), g.a.new_label());
    let nonzero = K::K2;
    g.a.mov(R8, (3 * LEVEL) as i32)?;
    g.a.bind(top)?;
    g.a.cmp(R8, Rax)?;
    g.a.jcc(Cond::Ae, done)?;
    g.a.vptestmq(nonzero, carry, carry)?;
    g.a.kortestw(nonzero, nonzero)?;
    g.a.jcc(Cond::E, done)?;
    let at_level = at_index(Rsp, R8, slot);
    g.a.vmovdqu64(level, at_level)?;
    g.a.vpxorq(sum, level, carry)?;
    g.a.vpandq(carry, level, carry)?;
    g.a.vmovdqu64(at_level, sum)?;
    g.a.add(R8, LEVEL as i32)?;
    g.a.jmp(top)?;
    g.a.bind(done)
}
