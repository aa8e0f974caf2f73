//! AArch64 permute-by kernels (AAPCS64), the same code for the neon and dotprod tiers: `out` in
//! x0, `v` in x1, the shift `k` in x2; the contract and the word ranges are in
//! [`crate::kernels::permute_by`].
//!
//! Dense: x10 `D - k`; each copy takes its destination in x11, its source in x12 and its length
//! in x13. Bitsliced: x3 `q`, x11 `p`, x13 `hi`, x14 `lo`, x15 and x16 the planes of `out` and
//! `v`; v16-v19 the `ushl` counts `r`, `r - 64`, `-t` and `64 - t` (a negative count shifts
//! right, and one of 64 either way gives zero); a funnel run takes its destination in x9, its
//! window in x10 (and x17 one word on) and its length in x12.

use super::{Gen, R};
use crate::aarch64::{
    Addr, Cond, Size, V, V0, V1, V16, V17, V18, V19, V2, V3, W9, X, X0, X1, X10, X11, X12, X13,
    X14, X15, X16, X17, X2, X3, X9, XZR,
};
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

/// The arguments: `out`, `v`, `k`.
const OUT: X = X0;
const SRC: X = X1;
const SHIFT: X = X2;
/// A copy's destination, source and length.
const COPY_DST: X = X11;
const COPY_SRC: X = X12;
const COPY_LEN: X = X13;

/// `rd = rn + rm << shift`.
fn add_shifted(g: &mut Gen, rd: X, rn: X, rm: X, shift: u32) -> R {
    g.a.add(rd, rn, rm.lsl(shift))
}

fn cmp(g: &mut Gen, rn: X, rm: X) -> R {
    g.a.subs(XZR, rn, rm)
}

fn dense(g: &mut Gen, dim: usize) -> R {
    let rest = X10;
    g.a.mov_imm(rest, dim as u64)?;
    g.a.sub(rest, rest, SHIFT)?;
    // out[k..] = v[..D - k]: 1..=D bytes.
    add_shifted(g, COPY_DST, OUT, SHIFT, 0)?;
    g.a.mov(COPY_SRC, SRC)?;
    g.a.mov(COPY_LEN, rest)?;
    copy(g, dim)?;
    // out[..k] = v[D - k..]: 0..D bytes.
    g.a.mov(COPY_DST, OUT)?;
    add_shifted(g, COPY_SRC, SRC, rest, 0)?;
    g.a.mov(COPY_LEN, SHIFT)?;
    copy(g, dim - 1)
}

/// Copy x13 bytes (at most `max`, which prunes the paths no length takes) from x12 to x11:
/// 32 bytes a turn and an overlapping last 32 from 32 bytes, else two overlapping moves of 16,
/// 8 or 4 bytes, or bytes 0, len / 2 and len - 1. Clobbers x11, x12, x14-x16 and v0-v3.
fn copy(g: &mut Gen, max: usize) -> R {
    let done = g.a.new_label();
    // The source's and the destination's last bytes.
    let (src_end, dst_end) = (X14, X15);
    if max >= 32 {
        let (small, turn) = (g.a.new_label(), g.a.new_label());
        g.a.cmp(COPY_LEN, 32)?;
        g.a.b_cond(Cond::Lo, small)?;
        add_shifted(g, src_end, COPY_SRC, COPY_LEN, 0)?;
        g.a.sub(src_end, src_end, 32)?;
        add_shifted(g, dst_end, COPY_DST, COPY_LEN, 0)?;
        g.a.sub(dst_end, dst_end, 32)?;
        g.a.bind(turn)?;
        g.a.ldp(V0.q(), V1.q(), Addr::post(COPY_SRC, 32))?;
        g.a.stp(V0.q(), V1.q(), Addr::post(COPY_DST, 32))?;
        cmp(g, COPY_SRC, src_end)?;
        g.a.b_cond(Cond::Lo, turn)?;
        g.a.ldp(V0.q(), V1.q(), Addr::base(src_end))?;
        g.a.stp(V0.q(), V1.q(), Addr::base(dst_end))?;
        g.a.b(done)?;
        g.a.bind(small)?;
    }
    for size in [16usize, 8, 4] {
        if max < size {
            continue;
        }
        let next = g.a.new_label();
        g.a.cmp(COPY_LEN, size as u64)?;
        g.a.b_cond(Cond::Lo, next)?;
        let reg = |r: V| match size {
            16 => r.q(),
            8 => r.d(),
            _ => r.scalar(Size::S),
        };
        add_shifted(g, src_end, COPY_SRC, COPY_LEN, 0)?;
        g.a.sub(src_end, src_end, size as u64)?;
        add_shifted(g, dst_end, COPY_DST, COPY_LEN, 0)?;
        g.a.sub(dst_end, dst_end, size as u64)?;
        g.a.ldr(reg(V0), Addr::base(COPY_SRC))?;
        g.a.ldr(reg(V1), Addr::base(src_end))?;
        g.a.str(reg(V0), Addr::base(COPY_DST))?;
        g.a.str(reg(V1), Addr::base(dst_end))?;
        g.a.b(done)?;
        g.a.bind(next)?;
    }
    // 0..=3 bytes: bytes 0, len / 2 and len - 1 cover 1, 2 and 3.
    let indices = [X14, X15, X16];
    g.a.cbz(COPY_LEN, done)?;
    g.a.movz(indices[0], 0, 0)?;
    g.a.lsr(indices[1], COPY_LEN, 1)?;
    g.a.sub(indices[2], COPY_LEN, 1)?;
    for index in indices {
        g.a.ldrb(W9, Addr::reg(COPY_SRC, index))?;
        g.a.strb(W9, Addr::reg(COPY_DST, index))?;
    }
    g.a.bind(done)
}

/// The `ushl` count vectors.
const LEFT_R: V = V16;
const RIGHT_64_R: V = V17;
const RIGHT_T: V = V18;
const LEFT_64_T: V = V19;
/// The bitsliced kernel's `q`, `p`, `hi` and `lo`, and the planes of `out` and `v`.
const Q: X = X3;
const P: X = X11;
const HI: X = X13;
const LO: X = X14;
const OUT_PLANE: X = X15;
const SRC_PLANE: X = X16;
/// A funnel run's destination, window and length.
const RUN_DST: X = X9;
const RUN_SRC: X = X10;
const RUN_LEN: X = X12;

fn bits(g: &mut Gen, dim: usize) -> R {
    let words = dim.div_ceil(64);
    // q, r = k / 64, k % 64 (x3, x9); p, t = (D - k) / 64, (D - k) % 64 (x11, x10).
    let (r, t) = (X9, X10);
    g.a.lsr(Q, SHIFT, 6)?;
    g.a.and(r, SHIFT, 63)?;
    g.a.mov_imm(t, dim as u64)?;
    g.a.sub(t, t, SHIFT)?;
    g.a.lsr(P, t, 6)?;
    g.a.and(t, t, 63)?;
    g.a.dup(LEFT_R.d2(), r)?;
    g.a.sub(r, r, 64)?;
    g.a.dup(RIGHT_64_R.d2(), r)?;
    g.a.sub(r, XZR, t)?;
    g.a.dup(RIGHT_T.d2(), r)?;
    g.a.add(r, r, 64)?;
    g.a.dup(LEFT_64_T.d2(), r)?;
    // hi = q + 1; lo = min(q, W - p - 1), unsigned, so that -1 (k = 0 with 64 | D) gives 0.
    g.a.add(HI, Q, 1)?;
    g.a.mov_imm(LO, (words - 1) as u64)?;
    g.a.sub(LO, LO, P)?;
    cmp(g, LO, Q)?;
    g.a.csel(LO, LO, Q, Cond::Lo)?;
    for plane in 0..2 {
        let base = 8 * words * plane;
        g.add_offset(OUT_PLANE, OUT, base)?;
        g.add_offset(SRC_PLANE, SRC, base)?;
        // Words 0..lo: v[i + p] >> t | v[i + p + 1] << (64 - t).
        g.a.mov(RUN_DST, OUT_PLANE)?;
        add_shifted(g, RUN_SRC, SRC_PLANE, P, 3)?;
        g.a.mov(RUN_LEN, LO)?;
        funnel(g, words, RIGHT_T, LEFT_64_T)?;
        middle(g, words)?;
        // Words hi..W: v[i - q - 1] >> (64 - r) | v[i - q] << r.
        add_shifted(g, RUN_DST, OUT_PLANE, HI, 3)?;
        g.a.sub(RUN_SRC, HI, Q)?;
        add_shifted(g, RUN_SRC, SRC_PLANE, RUN_SRC, 3)?;
        g.a.sub(RUN_SRC, RUN_SRC, 8)?;
        g.a.mov_imm(RUN_LEN, words as u64)?;
        g.a.sub(RUN_LEN, RUN_LEN, HI)?;
        funnel(g, words, RIGHT_64_R, LEFT_R)?;
        if dim % 64 != 0 {
            let (at, word) = (X10, X9);
            g.add_offset(at, OUT_PLANE, 8 * (words - 1))?;
            g.a.ldr(word, Addr::base(at))?;
            g.a.and(word, word, (1u64 << (dim % 64)) - 1)?;
            g.a.str(word, Addr::base(at))?;
        }
    }
    Ok(())
}

/// x12 words from x9 on: `x[j] >> a | x[j + 1] << (64 - a)` with `x` the words from x10 on and
/// the counts in `right` and `left`, four a turn, then one by one. At most `max` words.
/// Clobbers x9, x10, x12, x17 and v0-v3.
fn funnel(g: &mut Gen, max: usize, right: V, left: V) -> R {
    let (single, word, done) = (g.a.new_label(), g.a.new_label(), g.a.new_label());
    // The window one word on.
    let next = X17;
    g.a.add(next, RUN_SRC, 8)?;
    if max >= 4 {
        let turn = g.a.new_label();
        g.a.cmp(RUN_LEN, 4)?;
        g.a.b_cond(Cond::Lo, single)?;
        g.a.bind(turn)?;
        g.a.ldp(V0.q(), V1.q(), Addr::post(RUN_SRC, 32))?;
        g.a.ldp(V2.q(), V3.q(), Addr::post(next, 32))?;
        for (r, count) in [(V0, right), (V1, right), (V2, left), (V3, left)] {
            g.a.ushl(r.d2(), r.d2(), count.d2())?;
        }
        g.a.orr(V0.b16(), V0.b16(), V2.b16())?;
        g.a.orr(V1.b16(), V1.b16(), V3.b16())?;
        g.a.stp(V0.q(), V1.q(), Addr::post(RUN_DST, 32))?;
        g.a.sub(RUN_LEN, RUN_LEN, 4)?;
        g.a.cmp(RUN_LEN, 4)?;
        g.a.b_cond(Cond::Hs, turn)?;
    }
    g.a.bind(single)?;
    g.a.cbz(RUN_LEN, done)?;
    g.a.bind(word)?;
    g.a.ldr(V0.d(), Addr::post(RUN_SRC, 8))?;
    g.a.ldr(V1.d(), Addr::post(next, 8))?;
    g.a.ushl(V0.d2(), V0.d2(), right.d2())?;
    g.a.ushl(V1.d2(), V1.d2(), left.d2())?;
    g.a.orr(V0.b16(), V0.b16(), V1.b16())?;
    g.a.str(V0.d(), Addr::post(RUN_DST, 8))?;
    g.a.subs(RUN_LEN, RUN_LEN, 1)?;
    g.a.b_cond(Cond::Ne, word)?;
    g.a.bind(done)
}

/// Emits one step of a computation.
type Step = fn(&mut Gen) -> R;

/// Words lo..hi (one or two): each of the four terms where its source index is inside the
/// plane. Clobbers x9, x10, x12, v0 and v1.
fn middle(g: &mut Gen, words: usize) -> R {
    const WORDS: X = X9;
    const INDEX: X = X10;
    const I: X = X12;
    let end = g.a.new_label();
    g.a.mov_imm(WORDS, words as u64)?;
    for j in 0..2 {
        g.a.add(I, LO, j)?;
        if j == 1 {
            cmp(g, I, HI)?;
            g.a.b_cond(Cond::Hs, end)?;
        }
        g.a.movi(V0.b16(), 0)?;
        // Per term: how INDEX becomes its source index (from the previous term's) and its count.
        let terms: [(Step, V); 4] = [
            (|g| g.a.sub(INDEX, I, Q), LEFT_R),
            (|g| g.a.sub(INDEX, INDEX, 1), RIGHT_64_R),
            (|g| add_shifted(g, INDEX, I, P, 0), RIGHT_T),
            (|g| g.a.add(INDEX, INDEX, 1), LEFT_64_T),
        ];
        for (index, count) in terms {
            let skip = g.a.new_label();
            index(g)?;
            // Unsigned: a negative index is out of range too.
            cmp(g, INDEX, WORDS)?;
            g.a.b_cond(Cond::Hs, skip)?;
            g.a.ldr(V1.d(), Addr::reg_scaled(SRC_PLANE, INDEX))?;
            g.a.ushl(V1.d2(), V1.d2(), count.d2())?;
            g.a.orr(V0.b16(), V0.b16(), V1.b16())?;
            g.a.bind(skip)?;
        }
        g.a.str(V0.d(), Addr::reg_scaled(OUT_PLANE, I))?;
    }
    g.a.bind(end)
}
