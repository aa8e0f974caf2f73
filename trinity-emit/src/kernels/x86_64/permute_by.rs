//! x86-64 AVX2 permute-by kernels (System V): `out` in rdi, `v` in rsi, the shift `k` in rdx;
//! the contract and the word ranges are in [`crate::kernels::permute_by`].
//!
//! Dense: r10 `out`, r11 `v`, r8 `D - k`; each copy takes rdi, rsi and its length in r9.
//! Bitsliced: rax `q`, r9 `p`, r10 `lo`, r11 `hi`; xmm12-15 the counts `t`, `64 - t`, `r`,
//! `64 - r`; a funnel run takes its destination in rdx, its window in r8 and its length in
//! rcx.

use super::{at, Gen, R, REP_MOVSB_MIN, VEC};
use crate::kernels::permute_by::PermuteBySpec;
use crate::kernels::{CallConv, KernelError, Layout};
use crate::x86_64::{Cond, Gpr32, Gpr64, Gpr64::*, Gpr8, Mem, Xmm, Ymm, Ymm::*};

/// Generate the permute-by kernel for a validated x86-64 `spec`.
pub fn generate(spec: &PermuteBySpec) -> Result<Vec<u8>, KernelError> {
    let mut g = Gen::new(spec.tier, CallConv::Native, Vec::new());
    match spec.layout {
        Layout::Dense => dense(&mut g, spec.dim as usize)?,
        Layout::Bits => bits(&mut g, spec.dim as usize)?,
    }
    g.epilogue()?;
    Ok(g.finish()?)
}

/// `[base + index * scale + disp]`.
fn indexed(base: Gpr64, index: Gpr64, scale: u8, disp: i32) -> Mem {
    Mem::base(base).index(index, scale).disp(disp)
}

fn dense(g: &mut Gen, dim: usize) -> R {
    g.a.mov(R10, Rdi)?;
    g.a.mov(R11, Rsi)?;
    g.a.mov(R8, dim as i64)?;
    g.a.sub(R8, Rdx)?;
    // out[k..] = v[..D - k]: 1..=D bytes.
    g.a.lea(Rdi, indexed(R10, Rdx, 1, 0))?;
    g.a.mov(Rsi, R11)?;
    g.a.mov(R9, R8)?;
    copy(g, dim)?;
    // out[..k] = v[D - k..]: 0..D bytes.
    g.a.mov(Rdi, R10)?;
    g.a.lea(Rsi, indexed(R11, R8, 1, 0))?;
    g.a.mov(R9, Rdx)?;
    copy(g, dim - 1)
}

/// Copy r9 bytes (at most `max`, a bound known here that prunes the paths no length takes) from
/// rsi to rdi: `rep movsb` from [`REP_MOVSB_MIN`] bytes, 32-byte vectors (four a turn, then
/// one, then an overlapping last one) from 32, else two overlapping moves of 16, 8 or 4 bytes,
/// or bytes 0, len / 2 and len - 1. Clobbers rax, rcx, rdi, rsi, r9 and ymm0-3.
fn copy(g: &mut Gen, max: usize) -> R {
    let done = g.a.new_label();
    if max >= REP_MOVSB_MIN {
        let short = g.a.new_label();
        g.a.cmp(R9, REP_MOVSB_MIN as i32)?;
        g.a.jcc(Cond::B, short)?;
        g.aligned_rep_movsb(R9)?;
        g.a.jmp(done)?;
        g.a.bind(short)?;
    }
    if max >= VEC {
        let (small, singles, single, last) =
            (g.a.new_label(), g.a.new_label(), g.a.new_label(), g.a.new_label());
        g.a.cmp(R9, VEC as i32)?;
        g.a.jcc(Cond::B, small)?;
        g.a.xor(Gpr32::Ecx, Gpr32::Ecx)?;
        if max >= 4 * VEC {
            // Four vectors a turn while rcx <= len - 128.
            let quad = g.a.new_label();
            g.a.sub(R9, (4 * VEC) as i32)?;
            g.a.jcc(Cond::L, singles)?;
            g.a.align(16)?;
            g.a.bind(quad)?;
            for k in 0..4 {
                g.a.vmovdqu(Ymm::ALL[k], indexed(Rsi, Rcx, 1, (k * VEC) as i32))?;
            }
            for k in 0..4 {
                g.a.vmovdqu(indexed(Rdi, Rcx, 1, (k * VEC) as i32), Ymm::ALL[k])?;
            }
            g.a.add(Rcx, (4 * VEC) as i32)?;
            g.a.cmp(Rcx, R9)?;
            g.a.jcc(Cond::Le, quad)?;
            g.a.bind(singles)?;
            g.a.add(R9, (3 * VEC) as i32)?;
        } else {
            g.a.bind(singles)?;
            g.a.sub(R9, VEC as i32)?;
        }
        // r9 = len - 32: single vectors while rcx < r9, then the last one at r9.
        g.a.cmp(Rcx, R9)?;
        g.a.jcc(Cond::Ge, last)?;
        g.a.bind(single)?;
        g.a.vmovdqu(Y0, indexed(Rsi, Rcx, 1, 0))?;
        g.a.vmovdqu(indexed(Rdi, Rcx, 1, 0), Y0)?;
        g.a.add(Rcx, VEC as i32)?;
        g.a.cmp(Rcx, R9)?;
        g.a.jcc(Cond::L, single)?;
        g.a.bind(last)?;
        g.a.vmovdqu(Y0, indexed(Rsi, R9, 1, 0))?;
        g.a.vmovdqu(indexed(Rdi, R9, 1, 0), Y0)?;
        g.a.jmp(done)?;
        g.a.bind(small)?;
    }
    for size in [16, 8, 4] {
        if max < size {
            continue;
        }
        let next = g.a.new_label();
        g.a.cmp(R9, size as i32)?;
        g.a.jcc(Cond::B, next)?;
        let (head, tail) = (at(Rsi, 0), indexed(Rsi, R9, 1, -(size as i32)));
        let (to_head, to_tail) = (at(Rdi, 0), indexed(Rdi, R9, 1, -(size as i32)));
        match size {
            16 => {
                g.a.vmovdqu(Xmm::X0, head)?;
                g.a.vmovdqu(Xmm::X1, tail)?;
                g.a.vmovdqu(to_head, Xmm::X0)?;
                g.a.vmovdqu(to_tail, Xmm::X1)?;
            }
            8 => {
                g.a.mov(Rax, head)?;
                g.a.mov(Rcx, tail)?;
                g.a.mov(to_head, Rax)?;
                g.a.mov(to_tail, Rcx)?;
            }
            _ => {
                g.a.mov(Gpr32::Eax, head)?;
                g.a.mov(Gpr32::Ecx, tail)?;
                g.a.mov(to_head, Gpr32::Eax)?;
                g.a.mov(to_tail, Gpr32::Ecx)?;
            }
        }
        g.a.jmp(done)?;
        g.a.bind(next)?;
    }
    // 0..=3 bytes: bytes 0, len / 2 and len - 1 cover 1, 2 and 3.
    g.a.test(R9, R9)?;
    g.a.jcc(Cond::E, done)?;
    g.a.mov(Rcx, R9)?;
    g.a.shr(Rcx, 1)?;
    for (from, to) in [
        (at(Rsi, 0), at(Rdi, 0)),
        (indexed(Rsi, Rcx, 1, 0), indexed(Rdi, Rcx, 1, 0)),
        (indexed(Rsi, R9, 1, -1), indexed(Rdi, R9, 1, -1)),
    ] {
        g.a.mov(Gpr8::Al, from)?;
        g.a.mov(to, Gpr8::Al)?;
    }
    g.a.bind(done)
}

/// The shift counts, in the low quadwords of xmm12-15.
const T: Xmm = Xmm::X12;
const T_BACK: Xmm = Xmm::X13;
const R_: Xmm = Xmm::X14;
const R_BACK: Xmm = Xmm::X15;

fn bits(g: &mut Gen, dim: usize) -> R {
    let words = dim.div_ceil(64);
    // q, r = k / 64, k % 64; p, t = (D - k) / 64, (D - k) % 64; the counts 64 - r, 64 - t.
    g.a.mov(Rax, Rdx)?;
    g.a.shr(Rax, 6)?;
    g.a.mov(Gpr32::Ecx, Gpr32::Edx)?;
    g.a.and(Gpr32::Ecx, 63)?;
    g.a.mov(R8, dim as i64)?;
    g.a.sub(R8, Rdx)?;
    g.a.mov(R9, R8)?;
    g.a.shr(R9, 6)?;
    g.a.and(Gpr32::R8d, 63)?;
    for (reg, x, back) in [(Rcx, R_, R_BACK), (R8, T, T_BACK)] {
        g.a.vmovq(x, reg)?;
        g.a.neg(reg)?;
        g.a.add(reg, 64)?;
        g.a.vmovq(back, reg)?;
    }
    // hi = q + 1; lo = min(q, W - p - 1), unsigned, so that -1 (k = 0 with 64 | D) gives 0.
    g.a.lea(R11, at(Rax, 1))?;
    g.a.mov(R10, (words - 1) as i64)?;
    g.a.sub(R10, R9)?;
    g.a.cmp(R10, Rax)?;
    g.a.cmovcc(Cond::A, R10, Rax)?;
    for plane in 0..2 {
        let base = (8 * words * plane) as i32;
        // Words 0..lo: v[i + p] >> t | v[i + p + 1] << (64 - t).
        g.a.lea(Rdx, at(Rdi, base as usize))?;
        g.a.lea(R8, indexed(Rsi, R9, 8, base))?;
        g.a.mov(Rcx, R10)?;
        funnel(g, words, T, T_BACK)?;
        middle(g, words, base)?;
        // Words hi..W: v[i - q - 1] >> (64 - r) | v[i - q] << r.
        g.a.lea(Rdx, indexed(Rdi, R11, 8, base))?;
        g.a.mov(R8, R11)?;
        g.a.sub(R8, Rax)?;
        g.a.lea(R8, indexed(Rsi, R8, 8, base - 8))?;
        g.a.mov(Rcx, words as i64)?;
        g.a.sub(Rcx, R11)?;
        funnel(g, words, R_BACK, R_)?;
        if dim % 64 != 0 {
            g.a.mov(Rcx, ((1u64 << (dim % 64)) - 1) as i64)?;
            g.a.and(at(Rdi, base as usize + 8 * (words - 1)), Rcx)?;
        }
    }
    Ok(())
}

/// rcx words from rdx on: `x[j] >> right | x[j + 1] << left` with `x` the words from r8 on,
/// four a turn, then one by one. At most `max` words. Clobbers rcx, rdx, r8, ymm0 and ymm1.
fn funnel(g: &mut Gen, max: usize, right: Xmm, left: Xmm) -> R {
    let (single, done) = (g.a.new_label(), g.a.new_label());
    if max >= 4 {
        let vector = g.a.new_label();
        g.a.cmp(Rcx, 4)?;
        g.a.jcc(Cond::B, single)?;
        g.a.align(16)?;
        g.a.bind(vector)?;
        g.a.vmovdqu(Y0, at(R8, 0))?;
        g.a.vmovdqu(Y1, at(R8, 8))?;
        g.a.vpsrlq(Y0, Y0, right)?;
        g.a.vpsllq(Y1, Y1, left)?;
        g.a.vpor(Y0, Y0, Y1)?;
        g.a.vmovdqu(at(Rdx, 0), Y0)?;
        g.a.add(R8, VEC as i32)?;
        g.a.add(Rdx, VEC as i32)?;
        g.a.sub(Rcx, 4)?;
        g.a.cmp(Rcx, 4)?;
        g.a.jcc(Cond::Ae, vector)?;
    }
    g.a.bind(single)?;
    let word = g.a.new_label();
    g.a.test(Rcx, Rcx)?;
    g.a.jcc(Cond::E, done)?;
    g.a.bind(word)?;
    g.a.vmovq(Xmm::X0, at(R8, 0))?;
    g.a.vmovq(Xmm::X1, at(R8, 8))?;
    g.a.vpsrlq(Xmm::X0, Xmm::X0, right)?;
    g.a.vpsllq(Xmm::X1, Xmm::X1, left)?;
    g.a.vpor(Xmm::X0, Xmm::X0, Xmm::X1)?;
    g.a.vmovq(at(Rdx, 0), Xmm::X0)?;
    g.a.add(R8, 8)?;
    g.a.add(Rdx, 8)?;
    g.a.dec(Rcx)?;
    g.a.jcc(Cond::Ne, word)?;
    g.a.bind(done)
}

/// Emits one step of a computation.
type Step = fn(&mut Gen) -> R;

/// Words lo..hi (one or two) of the plane at `base`: each of the four terms where its source
/// index is inside the plane. Clobbers rcx, r8, xmm0 and xmm1.
fn middle(g: &mut Gen, words: usize, base: i32) -> R {
    let end = g.a.new_label();
    for j in 0..2 {
        g.a.lea(Rcx, at(R10, j))?;
        if j == 1 {
            g.a.cmp(Rcx, R11)?;
            g.a.jcc(Cond::Ae, end)?;
        }
        g.a.vpxor(Xmm::X0, Xmm::X0, Xmm::X0)?;
        // Per term: how r8 becomes its source index (from the previous term's), its count,
        // and whether it shifts left.
        let terms: [(Step, Xmm, bool); 4] = [
            (|g| g.a.mov(R8, Rcx).and_then(|_| g.a.sub(R8, Rax)), R_, true),
            (|g| g.a.dec(R8), R_BACK, false),
            (|g| g.a.lea(R8, indexed(Rcx, R9, 1, 0)), T, false),
            (|g| g.a.inc(R8), T_BACK, true),
        ];
        for (index, count, left) in terms {
            let skip = g.a.new_label();
            index(g)?;
            // Unsigned: a negative index is out of range too.
            g.a.cmp(R8, words as i32)?;
            g.a.jcc(Cond::Ae, skip)?;
            g.a.vmovq(Xmm::X1, indexed(Rsi, R8, 8, base))?;
            if left {
                g.a.vpsllq(Xmm::X1, Xmm::X1, count)?;
            } else {
                g.a.vpsrlq(Xmm::X1, Xmm::X1, count)?;
            }
            g.a.vpor(Xmm::X0, Xmm::X0, Xmm::X1)?;
            g.a.bind(skip)?;
        }
        g.a.vmovq(indexed(Rdi, Rcx, 8, base), Xmm::X0)?;
    }
    g.a.bind(end)
}
