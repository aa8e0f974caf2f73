//! AArch64 NEON and DotProd kernel generators (AAPCS64).
//!
//! Registers: arguments in x0-x2, scratch x9-x17 and v0-v7, v16-v31 (v8-v15 are callee-saved
//! and never touched). Shapes, resolved at generation time:
//!
//! - bitsliced: 16-byte vectors of two words; an odd last word is loaded with a 64-bit `ldr d`
//!   (which zeroes the upper half), so it goes through the same vector code and nothing outside
//!   the operands is read. Popcounts are `cnt` then `uadalp` into halfword counters, widened
//!   into words every 4000 vectors.
//! - dense: 16-byte vectors, products with `mul` (or `sdot` on the DotProd tier) accumulated with
//!   `sadalp`; the last `D mod 16` elements go through a scalar loop-free tail.
//! - permute: two copies (dense) or the word runs of [`rotate_plan`].
//!
//! The reductions' `nibble:x2` and `nibble:x4` variants unroll the vector loop with
//! immediate-offset loads and independent accumulators (`Gen::reduce_loop`); every variant
//! gives the same results.

pub mod bundle;
pub mod permute_by;
pub mod scan;

use super::plan::rotate_plan;
use super::{Kernel, KernelError, KernelSpec, Layout, Op, Tier};
use crate::aarch64::{
    Addr, Assembler, Cond, Features, Size, V, V0, V1, V16, V17, V18, V19, V2, V20, V21, V22, V23,
    V24, V25, V26, V27, V28, V29, V3, V30, V31, V4, V5, V6, V7, W, W10, X, X0, X1, X10, X11, X12,
    X13, X14, X15, X16, X17, X2, X3, X9, XZR,
};
use crate::EmitError;

type R = Result<(), EmitError>;

/// Generate the AArch64 kernel for a validated `spec` whose tier is `Neon` or `DotProd`.
pub fn generate(spec: &KernelSpec) -> Result<Kernel, KernelError> {
    let mut g = Gen::new(spec.tier);
    let dim = spec.dim as usize;
    match (spec.layout, spec.op) {
        (Layout::Dense, Op::Dot | Op::Hamming | Op::Cosine) => {
            g.dense_reduce(spec.op, dim, spec.variant.unroll.into())?
        }
        (Layout::Dense, Op::Bind | Op::Bundle) => g.dense_binary(spec.op, dim)?,
        (Layout::Dense, Op::Permute) => g.dense_permute(dim, spec.shift as usize)?,
        (Layout::Bits, Op::Dot | Op::Hamming | Op::Cosine) => {
            g.bits_reduce(spec.op, dim, spec.variant.unroll.into())?
        }
        (Layout::Bits, Op::Bind | Op::Bundle) => g.bits_binary(spec.op, dim)?,
        (Layout::Bits, Op::Permute) => g.bits_permute(spec.dim, spec.shift)?,
    }
    g.a.ret()?;
    // AAPCS64 kernels never touch sp: leaves, with no unwind data.
    Ok(Kernel { spec: *spec, code: g.a.finish()?, unwind: None })
}

struct Gen {
    a: Assembler,
    dotprod: bool,
}

/// The CPU features the code of an AArch64 `tier` may use: FP and NEON, and on the DotProd tier
/// also the dot product instructions.
pub fn tier_features(tier: Tier) -> Features {
    let neon = Features::FP.with(Features::NEON);
    if tier == Tier::DotProd {
        neon.with(Features::DOTPROD)
    } else {
        neon
    }
}

impl Gen {
    /// A generator whose assembler refuses instructions beyond `tier`.
    fn new(tier: Tier) -> Gen {
        Gen { a: Assembler::for_features(tier_features(tier)), dotprod: tier == Tier::DotProd }
    }
}

/// The 32-bit view of `r` (`w9` for `x9`).
fn w(r: X) -> W {
    W::new(r.num() as u8).expect("X registers and W registers are numbered alike")
}

/// The pointer arguments: the output (or first operand of a reduction), then the operands.
const ARGS: [X; 3] = [X0, X1, X2];
/// The byte offset a counted loop's body adds to its bases.
const OFFSET: X = X9;
/// The counters of [`Gen::counted`] and [`Gen::blocked`].
const COUNT: X = X16;
const BLOCKS: X = X15;
/// The scratch register of [`Gen::add_offset`].
const SCRATCH: X = X17;
/// The -1 planes (bitsliced): of the output (or first operand of a reduction) and operands.
const MINUS: [X; 3] = [X10, X11, X12];
/// The narrow accumulators of the reductions: set s of quantity q of Q is `NARROW[s * Q + q]`
/// (the default has one set), around the quantities' 32-bit totals.
const NARROW: [V; 12] = [V16, V17, V18, V19, V24, V25, V26, V27, V28, V29, V30, V31];
const TOTAL: [V; 4] = [V20, V21, V22, V23];

/// Accumulator sets of an unrolled reduction of `quantities` sums: one per vector of an
/// iteration (so that consecutive vectors do not wait on one accumulator), halved until
/// [`NARROW`] holds them; the default loop has one.
fn sets(unroll: usize, quantities: usize) -> usize {
    let mut sets = unroll.max(1);
    while sets * quantities > NARROW.len() {
        sets /= 2;
    }
    sets
}

/// Where a reduction's vector is: `[base, x9]` in the default loops, or `[base, #offset]` in
/// the unrolled ones.
#[derive(Clone, Copy)]
enum At {
    Offset,
    Imm(usize),
}

impl At {
    fn of(self, base: X) -> Addr {
        match self {
            At::Offset => Addr::reg(base, OFFSET),
            At::Imm(offset) => Addr::offset(base, offset as i64),
        }
    }
}

const VEC: usize = 16;
/// Halfword counters take at most 16 per vector (two bytes of at most 8): flush well before
/// 65535.
const FLUSH_VECTORS: usize = 4000;

impl Gen {
    /// `dst = src + offset` for any offset (a constant that may not fit an immediate).
    fn add_offset(&mut self, dst: X, src: X, offset: usize) -> R {
        if offset < 4096 {
            self.a.add(dst, src, offset as u64)
        } else {
            self.a.mov_imm(SCRATCH, offset as u64)?;
            self.a.add(dst, src, SCRATCH)
        }
    }

    /// A counted loop: `body` runs `count` times with [`OFFSET`] as the byte offset (advanced
    /// by `step`, unless 0: then the body advances it); [`COUNT`] counts down. Emits nothing
    /// when `count` is 0.
    fn counted(&mut self, count: usize, step: usize, mut body: impl FnMut(&mut Gen) -> R) -> R {
        if count == 0 {
            return Ok(());
        }
        self.a.mov_imm(COUNT, count as u64)?;
        let top = self.a.new_label();
        self.a.bind(top)?;
        body(self)?;
        if step > 0 {
            self.a.add(OFFSET, OFFSET, step as u64)?;
        }
        self.a.subs(COUNT, COUNT, 1)?;
        self.a.b_cond(Cond::Ne, top)
    }

    /// `blocks` rounds ([`BLOCKS`] counts down) of a [`counted`](Self::counted) loop of
    /// `per_block` runs followed by `flush`: how narrow accumulators are emptied before they
    /// overflow.
    fn blocked(
        &mut self,
        blocks: usize,
        per_block: usize,
        step: usize,
        mut body: impl FnMut(&mut Gen) -> R,
        mut flush: impl FnMut(&mut Gen) -> R,
    ) -> R {
        if blocks == 0 {
            return Ok(());
        }
        self.a.mov_imm(BLOCKS, blocks as u64)?;
        let outer = self.a.new_label();
        self.a.bind(outer)?;
        self.counted(per_block, step, &mut body)?;
        flush(self)?;
        self.a.subs(BLOCKS, BLOCKS, 1)?;
        self.a.b_cond(Cond::Ne, outer)
    }

    /// Load `bytes` (16 or 8) at `base + OFFSET` into `dst` (8 bytes zero the upper half).
    fn load(&mut self, dst: V, base: X, bytes: usize) -> R {
        self.load_at(dst, Addr::reg(base, OFFSET), bytes)
    }

    fn load_at(&mut self, dst: V, at: Addr, bytes: usize) -> R {
        let size = if bytes == 16 { Size::Q } else { Size::D };
        self.a.ldr(dst.scalar(size), at)
    }

    /// Zero the narrow accumulators of `sets` sets and the totals of `quantities` sums.
    fn zero_sums(&mut self, sets: usize, quantities: usize) -> R {
        for (q, total) in TOTAL.into_iter().enumerate().take(quantities) {
            for set in 0..sets {
                self.a.movi(NARROW[set * quantities + q].b16(), 0)?;
            }
            self.a.movi(total.b16(), 0)?;
        }
        Ok(())
    }

    /// The loop of a reduction over `vectors` 16-byte vectors: `body(g, at, set)` adds the
    /// vector at `at` into accumulator set `set`, and `flush` empties the narrow accumulators,
    /// each of which holds `per_flush` vectors.
    ///
    /// With `unroll` 0, the default: one vector per iteration at `[base, x9]`. Otherwise
    /// `unroll` vectors per iteration at immediate offsets from `bases`, which then move on
    /// (register-offset loads cost two micro-ops on Cortex-A72 and Neoverse N1), vector k going
    /// to set k mod `sets`; then the last `vectors mod unroll` vectors one by one, so that no
    /// set takes more than `per_flush` between flushes. Returns where the data after the
    /// vectors is and the set that may take one more.
    #[allow(clippy::too_many_arguments)]
    fn reduce_loop(
        &mut self,
        vectors: usize,
        unroll: usize,
        sets: usize,
        per_flush: usize,
        bases: &[X],
        mut body: impl FnMut(&mut Gen, At, usize) -> R,
        mut flush: impl FnMut(&mut Gen) -> R,
    ) -> Result<(At, usize), EmitError> {
        if unroll == 0 {
            self.a.movz(OFFSET, 0, 0)?;
            let blocks = vectors / per_flush;
            self.blocked(blocks, per_flush, VEC, |g| body(g, At::Offset, 0), &mut flush)?;
            self.counted(vectors % per_flush, VEC, |g| body(g, At::Offset, 0))?;
            return Ok((At::Offset, 0));
        }
        let per_block = per_flush * sets / unroll;
        let iterations = vectors / unroll;
        let mut iteration = |g: &mut Gen| -> R {
            for k in 0..unroll {
                body(g, At::Imm(VEC * k), k % sets)?;
            }
            for &base in bases {
                g.a.add(base, base, (VEC * unroll) as u64)?;
            }
            Ok(())
        };
        self.blocked(iterations / per_block, per_block, 0, &mut iteration, &mut flush)?;
        self.counted(iterations % per_block, 0, &mut iteration)?;
        let singles = vectors % unroll;
        for k in 0..singles {
            body(self, At::Imm(VEC * k), k % sets)?;
        }
        Ok((At::Imm(VEC * singles), singles % sets))
    }

    fn store(&mut self, src: V, base: X, bytes: usize) -> R {
        let size = if bytes == 16 { Size::Q } else { Size::D };
        self.a.str(src.scalar(size), Addr::reg(base, OFFSET))
    }

    // ---- bitsliced ---------------------------------------------------------------------

    fn bits_binary(&mut self, op: Op, dim: usize) -> R {
        let words = dim.div_ceil(64);
        for (minus, arg) in MINUS.into_iter().zip(ARGS) {
            self.add_offset(minus, arg, 8 * words)?;
        }
        self.a.movz(OFFSET, 0, 0)?;
        let [out, a, b] = ARGS;
        let [out_minus, a_minus, b_minus] = MINUS;
        let body = |g: &mut Gen, bytes: usize| -> R {
            g.load(V0, a, bytes)?;
            g.load(V1, a_minus, bytes)?;
            g.load(V2, b, bytes)?;
            g.load(V3, b_minus, bytes)?;
            let [ap, am, bp, bm, p, m, t] = [V0, V1, V2, V3, V4, V5, V6].map(V::b16);
            if op == Op::Bind {
                g.a.and(p, ap, bp)?;
                g.a.and(t, am, bm)?;
                g.a.orr(p, p, t)?;
                g.a.and(m, ap, bm)?;
                g.a.and(t, am, bp)?;
                g.a.orr(m, m, t)?;
            } else {
                // plus = (ap | bp) & !(am | bm), minus the reverse (bic x, y, z = y & !z).
                let u = V7.b16();
                g.a.orr(t, ap, bp)?;
                g.a.orr(u, am, bm)?;
                g.a.bic(p, t, u)?;
                g.a.bic(m, u, t)?;
            }
            g.store(V4, out, bytes)?;
            g.store(V5, out_minus, bytes)
        };
        self.counted(words / 2, VEC, |g| body(g, VEC))?;
        if words % 2 == 1 {
            body(self, 8)?;
        }
        Ok(())
    }

    /// Add the popcount of `src` to the halfword counter `counter` (clobbers `src`).
    fn popcount_into(&mut self, counter: V, src: V) -> R {
        self.a.cnt(src.b16(), src.b16())?;
        self.a.uadalp(counter.h8(), src.b16())
    }

    fn bits_reduce(&mut self, op: Op, dim: usize, unroll: usize) -> R {
        let words = dim.div_ceil(64);
        let [a, b, _] = ARGS;
        let [_, a_minus, b_minus] = MINUS;
        self.add_offset(a_minus, a, 8 * words)?;
        self.add_offset(b_minus, b, 8 * words)?;
        let quantities = match op {
            Op::Hamming => 1,
            Op::Dot => 2,
            _ => 4,
        };
        let sets = sets(unroll, quantities);
        let narrow = |set: usize, q: usize| NARROW[set * quantities + q];
        // Halfword counters and word totals per quantity.
        self.zero_sums(sets, quantities)?;
        let body = |g: &mut Gen, at: At, set: usize, bytes: usize| -> R {
            g.load_at(V0, at.of(a), bytes)?;
            g.load_at(V1, at.of(a_minus), bytes)?;
            g.load_at(V2, at.of(b), bytes)?;
            g.load_at(V3, at.of(b_minus), bytes)?;
            let [ap, am, bp, bm, t, u] = [V0, V1, V2, V3, V4, V5].map(V::b16);
            let count = |q| narrow(set, q);
            match op {
                Op::Hamming => {
                    g.a.eor(t, ap, bp)?;
                    g.a.eor(u, am, bm)?;
                    g.a.orr(t, t, u)?;
                    g.popcount_into(count(0), V4)
                }
                _ => {
                    if op == Op::Cosine {
                        g.a.orr(t, ap, am)?;
                        g.popcount_into(count(2), V4)?;
                        g.a.orr(t, bp, bm)?;
                        g.popcount_into(count(3), V4)?;
                    }
                    g.a.and(t, ap, bp)?;
                    g.a.and(u, am, bm)?;
                    g.a.orr(t, t, u)?;
                    g.popcount_into(count(0), V4)?;
                    g.a.and(t, ap, bm)?;
                    g.a.and(u, am, bp)?;
                    g.a.orr(t, t, u)?;
                    g.popcount_into(count(1), V4)
                }
            }
        };
        let flush = |g: &mut Gen| -> R {
            for set in 0..sets {
                for (q, total) in TOTAL.into_iter().enumerate().take(quantities) {
                    g.a.uadalp(total.s4(), narrow(set, q).h8())?;
                    g.a.movi(narrow(set, q).b16(), 0)?;
                }
            }
            Ok(())
        };
        let bases = [a, a_minus, b, b_minus];
        let vector = |g: &mut Gen, at, set| body(g, at, set, VEC);
        let (at, set) =
            self.reduce_loop(words / 2, unroll, sets, FLUSH_VECTORS, &bases, vector, flush)?;
        if words % 2 == 1 {
            body(self, at, set, 8)?;
        }
        flush(self)?;
        // Sums into x0 (and x13, x14 for cosine).
        let sums = [X0, X10, X13, X14];
        for (&sum, total) in sums.iter().zip(TOTAL).take(quantities) {
            self.a.addv(total.scalar(Size::S), total.s4())?;
            self.a.umov(w(sum), total.elem(Size::S, 0))?;
        }
        match op {
            Op::Hamming => Ok(()),
            Op::Dot => self.a.sub(X0, X0, X10),
            _ => {
                self.a.sub(X0, X0, X10)?;
                self.cosine_from(X0, X13, X14)
            }
        }
    }

    /// d0 = dot / sqrt(aa * bb), or 0.0 when either is zero.
    fn cosine_from(&mut self, dot: X, aa: X, bb: X) -> R {
        let zero = self.a.new_label();
        let end = self.a.new_label();
        self.a.cbz(aa, zero)?;
        self.a.cbz(bb, zero)?;
        let [d0, d1, d2] = [V0, V1, V2].map(V::d);
        self.a.scvtf(d0, dot)?;
        self.a.scvtf(d1, aa)?;
        self.a.scvtf(d2, bb)?;
        self.a.fmul(d1, d1, d2)?;
        self.a.fsqrt(d1, d1)?;
        self.a.fdiv(d0, d0, d1)?;
        self.a.b(end)?;
        self.a.bind(zero)?;
        self.a.fmov(d0, XZR)?;
        self.a.bind(end)
    }

    // ---- dense -------------------------------------------------------------------------

    fn dense_reduce(&mut self, op: Op, dim: usize, unroll: usize) -> R {
        let vectors = dim / VEC;
        let [a, b, _] = ARGS;
        // Halfword (or, with sdot, word) accumulators and word totals per quantity.
        let quantities = if op == Op::Cosine { 3 } else { 1 };
        let sdot = self.dotprod && op != Op::Hamming;
        let sets = sets(unroll, quantities);
        let narrow = |set: usize, q: usize| NARROW[set * quantities + q];
        self.zero_sums(sets, quantities)?;
        let body = |g: &mut Gen, at: At, set: usize| -> R {
            g.load_at(V0, at.of(a), VEC)?;
            g.load_at(V1, at.of(b), VEC)?;
            let [va, vb, t0, t1, t2] = [V0, V1, V2, V3, V4].map(V::b16);
            let acc = |q| narrow(set, q);
            match op {
                Op::Hamming => {
                    // cmeq gives -1 where equal: subtracting counts equal lanes (u8, <= 255 per flush).
                    g.a.cmeq(t0, va, vb)?;
                    g.a.sub(acc(0).b16(), acc(0).b16(), t0)
                }
                _ if sdot => {
                    g.a.sdot(acc(0).s4(), va, vb)?;
                    if op == Op::Cosine {
                        g.a.sdot(acc(1).s4(), va, va)?;
                        g.a.sdot(acc(2).s4(), vb, vb)?;
                    }
                    Ok(())
                }
                _ => {
                    g.a.mul(t0, va, vb)?;
                    g.a.sadalp(acc(0).h8(), t0)?;
                    if op == Op::Cosine {
                        g.a.abs(t1, va)?;
                        g.a.sadalp(acc(1).h8(), t1)?;
                        g.a.abs(t2, vb)?;
                        g.a.sadalp(acc(2).h8(), t2)?;
                    }
                    Ok(())
                }
            }
        };
        let flush = |g: &mut Gen| -> R {
            for set in 0..sets {
                for (q, total) in TOTAL.into_iter().enumerate().take(quantities) {
                    let acc = narrow(set, q);
                    if op == Op::Hamming {
                        g.a.uaddlp(V3.h8(), acc.b16())?;
                        g.a.uadalp(total.s4(), V3.h8())?;
                    } else if sdot {
                        g.a.add(total.s4(), total.s4(), acc.s4())?;
                    } else {
                        g.a.sadalp(total.s4(), acc.h8())?;
                    }
                    g.a.movi(acc.b16(), 0)?;
                }
            }
            Ok(())
        };
        // Byte counters (hamming) flush every 255 vectors; halfword ones every 4000.
        let per_flush = if op == Op::Hamming { 255 } else { FLUSH_VECTORS };
        let (at, _) = self.reduce_loop(vectors, unroll, sets, per_flush, &[a, b], body, flush)?;
        flush(self)?;
        // Sums into x3 (and x13, x14 for cosine): x0 and x1 still point at the operands.
        let [dot, aa, bb] = [X3, X13, X14];
        for (sum, total) in [dot, aa, bb].into_iter().zip(TOTAL).take(quantities) {
            self.a.addv(total.scalar(Size::S), total.s4())?;
            self.a.smov(sum, total.elem(Size::S, 0))?;
        }
        let (ta, tb) = (X10, X11);
        if op == Op::Hamming {
            // The vector part counted equal lanes: turn that into differing ones.
            self.a.mov_imm(ta, (vectors * VEC) as u64)?;
            self.a.sub(dot, ta, dot)?;
        }
        // The last D mod 16 elements, one by one, from x12 = a + 16 * vectors, x15 = b + ...
        // (the unrolled loops moved a and b on).
        let (tail_a, tail_b) = (X12, X15);
        let tail = vectors * VEC;
        if tail < dim {
            let rest = match at {
                At::Offset => tail,
                At::Imm(offset) => offset,
            };
            self.add_offset(tail_a, a, rest)?;
            self.add_offset(tail_b, b, rest)?;
        }
        for i in 0..dim - tail {
            self.a.ldrsb(ta, Addr::offset(tail_a, i as i64))?;
            self.a.ldrsb(tb, Addr::offset(tail_b, i as i64))?;
            match op {
                Op::Hamming => {
                    self.a.subs(XZR, ta, tb)?;
                    self.a.csinc(dot, dot, dot, Cond::Eq)?;
                }
                _ => {
                    self.a.madd(dot, ta, tb, dot)?;
                    if op == Op::Cosine {
                        self.a.madd(aa, ta, ta, aa)?;
                        self.a.madd(bb, tb, tb, bb)?;
                    }
                }
            }
        }
        match op {
            Op::Cosine => self.cosine_from(dot, aa, bb),
            _ => {
                self.a.mov(X0, dot)?;
                Ok(())
            }
        }
    }

    fn dense_binary(&mut self, op: Op, dim: usize) -> R {
        let vectors = dim / VEC;
        let [out, a, b] = ARGS;
        let [va, vb, r, one, minus_one] = [V0, V1, V2, V6, V7].map(V::b16);
        if op == Op::Bundle {
            self.a.movi(one, 1)?;
            self.a.movi(minus_one, 0xff)?;
        }
        self.a.movz(OFFSET, 0, 0)?;
        self.counted(vectors, VEC, |g| {
            g.load(V0, a, VEC)?;
            g.load(V1, b, VEC)?;
            if op == Op::Bind {
                g.a.mul(r, va, vb)?;
            } else {
                g.a.add(r, va, vb)?;
                g.a.smin(r, r, one)?;
                g.a.smax(r, r, minus_one)?;
            }
            g.store(V2, out, VEC)
        })?;
        // The last D mod 16 elements, from x14 = out + 16 * vectors, x15 = a + ..., x16 = b + ...
        let tails = [X14, X15, X16];
        let tail = vectors * VEC;
        if tail < dim {
            for (t, arg) in tails.into_iter().zip(ARGS) {
                self.add_offset(t, arg, tail)?;
            }
        }
        let [tail_out, tail_a, tail_b] = tails;
        let (ta, tb, s, lt) = (X10, X11, X12, X13);
        for i in 0..dim - tail {
            let at = |base: X| Addr::offset(base, i as i64);
            self.a.ldrsb(ta, at(tail_a))?;
            self.a.ldrsb(tb, at(tail_b))?;
            if op == Op::Bind {
                self.a.mul(s, ta, tb)?;
            } else {
                // sign(a + b) = (s > 0) - (s < 0).
                self.a.add(ta, ta, tb)?;
                self.a.subs(XZR, ta, XZR)?;
                self.a.cset(s, Cond::Gt)?;
                self.a.cset(lt, Cond::Lt)?;
                self.a.sub(s, s, lt)?;
            }
            self.a.strb(w(s), at(tail_out))?;
        }
        Ok(())
    }

    /// Copy `len` bytes from `src + soff` to `dst + doff`: 16-byte vectors in a loop, then
    /// single bytes. Clobbers x9, x10, x12, x13 (and those of [`counted`](Self::counted)).
    fn copy(&mut self, dst: X, doff: usize, src: X, soff: usize, len: usize) -> R {
        let (from, to) = (X12, X13);
        self.add_offset(from, src, soff)?;
        self.add_offset(to, dst, doff)?;
        self.a.movz(OFFSET, 0, 0)?;
        self.counted(len / VEC, VEC, |g| {
            g.load(V0, from, VEC)?;
            g.store(V0, to, VEC)
        })?;
        for i in len / VEC * VEC..len {
            self.a.ldrb(W10, Addr::reg(from, OFFSET))?;
            self.a.strb(W10, Addr::reg(to, OFFSET))?;
            if i + 1 < len {
                self.a.add(OFFSET, OFFSET, 1)?;
            }
        }
        Ok(())
    }

    fn dense_permute(&mut self, dim: usize, k: usize) -> R {
        // out[k..] = v[..dim - k]; out[..k] = v[dim - k..].
        self.copy(X0, k, X1, 0, dim - k)?;
        self.copy(X0, 0, X1, dim - k, k)
    }

    fn bits_permute(&mut self, dim: u32, shift: u32) -> R {
        let plan = rotate_plan(dim, shift);
        let words = dim.div_ceil(64) as usize;
        let [out, src, _] = ARGS;
        let (from, to, last) = (X12, X13, X10);
        let [acc, term_v] = [V0, V1];
        for plane in 0..2 {
            let base = plane * 8 * words;
            for run in &plan.runs {
                // `from` = source base for the run's first word, `to` = destination.
                let word_run = |g: &mut Gen, first: usize, bytes: usize| -> R {
                    g.a.movi(acc.b16(), 0)?;
                    for term in &run.terms {
                        let at = base as i64 + 8 * (first as i64 + term.offset);
                        g.add_offset(from, src, at as usize)?;
                        g.load(term_v, from, bytes)?;
                        if term.shift != 0 {
                            if term.left {
                                g.a.shl(term_v.d2(), term_v.d2(), term.shift)?;
                            } else {
                                g.a.ushr(term_v.d2(), term_v.d2(), term.shift)?;
                            }
                        }
                        g.a.orr(acc.b16(), acc.b16(), term_v.b16())?;
                    }
                    g.add_offset(to, out, base + 8 * first)?;
                    g.store(acc, to, bytes)
                };
                self.a.movz(OFFSET, 0, 0)?;
                let pairs = run.len / 2;
                self.counted(pairs, VEC, |g| word_run(g, run.start, VEC))?;
                if run.len % 2 == 1 {
                    // OFFSET already points past the pairs.
                    word_run(self, run.start, 8)?;
                }
            }
            if plan.last_word_mask != u64::MAX {
                self.add_offset(to, out, base + 8 * (words - 1))?;
                self.a.ldr(last, Addr::base(to))?;
                self.a.and(last, last, plan.last_word_mask)?;
                self.a.str(last, Addr::base(to))?;
            }
        }
        Ok(())
    }
}
