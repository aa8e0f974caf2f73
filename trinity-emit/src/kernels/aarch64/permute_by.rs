//! AArch64 permute-by kernels (AAPCS64), the same code for the neon and dotprod tiers: `out` in
//! x0, `v` in x1, the shift `k` in x2; the contract and the word ranges are in
//! [`crate::kernels::permute_by`].
//!
//! Dense: x10 `D - k`; each copy takes its destination in x11, its source in x12 and its length
//! in x13. Bitsliced: x3 `q`, x11 `p`, x13 `hi`, x14 `lo`, x15 and x16 the planes of `out` and
//! `v`; v16-v19 the `ushl` counts `r`, `r - 64`, `-t` and `64 - t` (a negative count shifts
//! right, and one of 64 either way gives zero); a funnel run takes its destination in x9, its
//! window in x10 (and x17 one word on) and its length in x12.

use super::{b16, v, x, xs, Gen, R};
use crate::aarch64::{self as a64, Addr, Cond, VReg, XZR};
use crate::kernels::permute_by::PermuteBySpec;
use crate::kernels::{KernelError, Layout};

/// Generate the permute-by kernel for a validated AArch64 `spec`.
pub fn generate(spec: &PermuteBySpec) -> Result<Vec<u8>, KernelError> {
    let mut g = Gen::new(spec.tier);
    match spec.layout {
        Layout::Dense => dense(&mut g, spec.dim as usize)?,
        Layout::Bits => bits(&mut g, spec.dim as usize)?,
    }
    g.a.ret()?;
    Ok(g.a.finish()?)
}

fn w(n: u8) -> a64::W {
    a64::W::new(n).expect("register number")
}

fn d2(n: u8) -> VReg {
    v(n).d2()
}

/// `rd = rn + rm << shift`, or `rd = rn - rm` (`sub`).
fn add_shifted(g: &mut Gen, rd: u8, rn: u8, rm: u8, shift: u32) -> R {
    g.a.add(x(rd), x(rn), x(rm).lsl(shift))
}

fn sub(g: &mut Gen, rd: u8, rn: u8, rm: u8) -> R {
    g.a.sub(x(rd), x(rn), x(rm))
}

fn cmp(g: &mut Gen, rn: u8, rm: u8) -> R {
    g.a.subs(XZR, x(rn), x(rm))
}

fn dense(g: &mut Gen, dim: usize) -> R {
    g.a.mov_imm(x(10), dim as u64)?;
    sub(g, 10, 10, 2)?;
    // out[k..] = v[..D - k]: 1..=D bytes.
    add_shifted(g, 11, 0, 2, 0)?;
    g.a.mov(x(12), x(1))?;
    g.a.mov(x(13), x(10))?;
    copy(g, dim)?;
    // out[..k] = v[D - k..]: 0..D bytes.
    g.a.mov(x(11), x(0))?;
    add_shifted(g, 12, 1, 10, 0)?;
    g.a.mov(x(13), x(2))?;
    copy(g, dim - 1)
}

/// Copy x13 bytes (at most `max`, which prunes the paths no length takes) from x12 to x11:
/// 32 bytes a turn and an overlapping last 32 from 32 bytes, else two overlapping moves of 16,
/// 8 or 4 bytes, or bytes 0, len / 2 and len - 1. Clobbers x11, x12, x14-x16 and v0-v3.
fn copy(g: &mut Gen, max: usize) -> R {
    let done = g.a.new_label();
    if max >= 32 {
        let (small, turn) = (g.a.new_label(), g.a.new_label());
        g.a.cmp(xs(13), 32)?;
        g.a.b_cond(Cond::Lo, small)?;
        // x14, x15: the last 32 bytes of the source and the destination.
        add_shifted(g, 14, 12, 13, 0)?;
        g.a.sub(xs(14), xs(14), 32)?;
        add_shifted(g, 15, 11, 13, 0)?;
        g.a.sub(xs(15), xs(15), 32)?;
        g.a.bind(turn)?;
        g.a.ldp(v(0).q(), v(1).q(), Addr::post(xs(12), 32))?;
        g.a.stp(v(0).q(), v(1).q(), Addr::post(xs(11), 32))?;
        cmp(g, 12, 14)?;
        g.a.b_cond(Cond::Lo, turn)?;
        g.a.ldp(v(0).q(), v(1).q(), Addr::base(xs(14)))?;
        g.a.stp(v(0).q(), v(1).q(), Addr::base(xs(15)))?;
        g.a.b(done)?;
        g.a.bind(small)?;
    }
    for size in [16usize, 8, 4] {
        if max < size {
            continue;
        }
        let next = g.a.new_label();
        g.a.cmp(xs(13), size as u64)?;
        g.a.b_cond(Cond::Lo, next)?;
        let reg = |n: u8| match size {
            16 => v(n).q(),
            8 => v(n).d(),
            _ => v(n).scalar(a64::Size::S),
        };
        add_shifted(g, 14, 12, 13, 0)?;
        g.a.sub(xs(14), xs(14), size as u64)?;
        add_shifted(g, 15, 11, 13, 0)?;
        g.a.sub(xs(15), xs(15), size as u64)?;
        g.a.ldr(reg(0), Addr::base(xs(12)))?;
        g.a.ldr(reg(1), Addr::base(xs(14)))?;
        g.a.str(reg(0), Addr::base(xs(11)))?;
        g.a.str(reg(1), Addr::base(xs(15)))?;
        g.a.b(done)?;
        g.a.bind(next)?;
    }
    // 0..=3 bytes: bytes 0, len / 2 and len - 1 cover 1, 2 and 3.
    g.a.cbz(x(13), done)?;
    g.a.movz(x(14), 0, 0)?;
    g.a.lsr(x(15), x(13), 1)?;
    g.a.sub(xs(16), xs(13), 1)?;
    for index in [14, 15, 16] {
        g.a.ldrb(w(9), Addr::reg(xs(12), x(index)))?;
        g.a.strb(w(9), Addr::reg(xs(11), x(index)))?;
    }
    g.a.bind(done)
}

/// The `ushl` count vectors.
const LEFT_R: u8 = 16;
const RIGHT_64_R: u8 = 17;
const RIGHT_T: u8 = 18;
const LEFT_64_T: u8 = 19;

fn bits(g: &mut Gen, dim: usize) -> R {
    let words = dim.div_ceil(64);
    // q, r = k / 64, k % 64 (x3, x9); p, t = (D - k) / 64, (D - k) % 64 (x11, x10).
    g.a.lsr(x(3), x(2), 6)?;
    g.a.and(xs(9), x(2), 63)?;
    g.a.mov_imm(x(10), dim as u64)?;
    sub(g, 10, 10, 2)?;
    g.a.lsr(x(11), x(10), 6)?;
    g.a.and(xs(10), x(10), 63)?;
    g.a.dup(d2(LEFT_R), x(9))?;
    g.a.sub(xs(9), xs(9), 64)?;
    g.a.dup(d2(RIGHT_64_R), x(9))?;
    g.a.sub(x(9), XZR, x(10))?;
    g.a.dup(d2(RIGHT_T), x(9))?;
    g.a.add(xs(9), xs(9), 64)?;
    g.a.dup(d2(LEFT_64_T), x(9))?;
    // hi = q + 1; lo = min(q, W - p - 1), unsigned, so that -1 (k = 0 with 64 | D) gives 0.
    g.a.add(xs(13), xs(3), 1)?;
    g.a.mov_imm(x(14), (words - 1) as u64)?;
    sub(g, 14, 14, 11)?;
    cmp(g, 14, 3)?;
    g.a.csel(x(14), x(14), x(3), Cond::Lo)?;
    for plane in 0..2 {
        let base = 8 * words * plane;
        g.add_offset(15, 0, base)?;
        g.add_offset(16, 1, base)?;
        // Words 0..lo: v[i + p] >> t | v[i + p + 1] << (64 - t).
        g.a.mov(x(9), x(15))?;
        add_shifted(g, 10, 16, 11, 3)?;
        g.a.mov(x(12), x(14))?;
        funnel(g, words, RIGHT_T, LEFT_64_T)?;
        middle(g, words)?;
        // Words hi..W: v[i - q - 1] >> (64 - r) | v[i - q] << r.
        add_shifted(g, 9, 15, 13, 3)?;
        sub(g, 10, 13, 3)?;
        add_shifted(g, 10, 16, 10, 3)?;
        g.a.sub(xs(10), xs(10), 8)?;
        g.a.mov_imm(x(12), words as u64)?;
        sub(g, 12, 12, 13)?;
        funnel(g, words, RIGHT_64_R, LEFT_R)?;
        if dim % 64 != 0 {
            g.add_offset(10, 15, 8 * (words - 1))?;
            g.a.ldr(x(9), Addr::base(xs(10)))?;
            g.a.and(xs(9), x(9), (1u64 << (dim % 64)) - 1)?;
            g.a.str(x(9), Addr::base(xs(10)))?;
        }
    }
    Ok(())
}

/// x12 words from x9 on: `x[j] >> a | x[j + 1] << (64 - a)` with `x` the words from x10 on and
/// the counts in `right` and `left`, four a turn, then one by one. At most `max` words.
/// Clobbers x9, x10, x12, x17 and v0-v3.
fn funnel(g: &mut Gen, max: usize, right: u8, left: u8) -> R {
    let (single, word, done) = (g.a.new_label(), g.a.new_label(), g.a.new_label());
    g.a.add(xs(17), xs(10), 8)?;
    if max >= 4 {
        let turn = g.a.new_label();
        g.a.cmp(xs(12), 4)?;
        g.a.b_cond(Cond::Lo, single)?;
        g.a.bind(turn)?;
        g.a.ldp(v(0).q(), v(1).q(), Addr::post(xs(10), 32))?;
        g.a.ldp(v(2).q(), v(3).q(), Addr::post(xs(17), 32))?;
        for (n, count) in [(0, right), (1, right), (2, left), (3, left)] {
            g.a.ushl(d2(n), d2(n), d2(count))?;
        }
        g.a.orr(b16(0), b16(0), b16(2))?;
        g.a.orr(b16(1), b16(1), b16(3))?;
        g.a.stp(v(0).q(), v(1).q(), Addr::post(xs(9), 32))?;
        g.a.sub(xs(12), xs(12), 4)?;
        g.a.cmp(xs(12), 4)?;
        g.a.b_cond(Cond::Hs, turn)?;
    }
    g.a.bind(single)?;
    g.a.cbz(x(12), done)?;
    g.a.bind(word)?;
    g.a.ldr(v(0).d(), Addr::post(xs(10), 8))?;
    g.a.ldr(v(1).d(), Addr::post(xs(17), 8))?;
    g.a.ushl(d2(0), d2(0), d2(right))?;
    g.a.ushl(d2(1), d2(1), d2(left))?;
    g.a.orr(b16(0), b16(0), b16(1))?;
    g.a.str(v(0).d(), Addr::post(xs(9), 8))?;
    g.a.subs(x(12), xs(12), 1)?;
    g.a.b_cond(Cond::Ne, word)?;
    g.a.bind(done)
}

/// Emits one step of a computation.
type Step = fn(&mut Gen) -> R;

/// Words lo..hi (one or two): each of the four terms where its source index is inside the
/// plane. Clobbers x9, x10, x12, v0 and v1.
fn middle(g: &mut Gen, words: usize) -> R {
    let end = g.a.new_label();
    g.a.mov_imm(x(9), words as u64)?;
    for j in 0..2 {
        g.a.add(xs(12), xs(14), j)?;
        if j == 1 {
            cmp(g, 12, 13)?;
            g.a.b_cond(Cond::Hs, end)?;
        }
        g.a.movi(b16(0), 0)?;
        // Per term: how x10 becomes its source index (from the previous term's) and its count.
        let terms: [(Step, u8); 4] = [
            (|g| sub(g, 10, 12, 3), LEFT_R),
            (|g| g.a.sub(xs(10), xs(10), 1), RIGHT_64_R),
            (|g| add_shifted(g, 10, 12, 11, 0), RIGHT_T),
            (|g| g.a.add(xs(10), xs(10), 1), LEFT_64_T),
        ];
        for (index, count) in terms {
            let skip = g.a.new_label();
            index(g)?;
            // Unsigned: a negative index is out of range too.
            cmp(g, 10, 9)?;
            g.a.b_cond(Cond::Hs, skip)?;
            g.a.ldr(v(1).d(), Addr::reg_scaled(xs(16), x(10)))?;
            g.a.ushl(d2(1), d2(1), d2(count))?;
            g.a.orr(b16(0), b16(0), b16(1))?;
            g.a.bind(skip)?;
        }
        g.a.str(v(0).d(), Addr::reg_scaled(xs(15), x(12)))?;
    }
    g.a.bind(end)
}
