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

pub mod bundle;
pub mod permute_by;
pub mod scan;

use super::plan::rotate_plan;
use super::{Kernel, KernelError, KernelSpec, Layout, Op, Tier};
use crate::aarch64::{self as a64, Addr, Assembler, Cond, Features, Size, VReg, XSp, V, X, XZR};
use crate::EmitError;

type R = Result<(), EmitError>;

/// Generate the AArch64 kernel for a validated `spec` whose tier is `Neon` or `DotProd`.
pub fn generate(spec: &KernelSpec) -> Result<Kernel, KernelError> {
    let mut g = Gen::new(spec.tier);
    let dim = spec.dim as usize;
    match (spec.layout, spec.op) {
        (Layout::Dense, Op::Dot | Op::Hamming | Op::Cosine) => g.dense_reduce(spec.op, dim)?,
        (Layout::Dense, Op::Bind | Op::Bundle) => g.dense_binary(spec.op, dim)?,
        (Layout::Dense, Op::Permute) => g.dense_permute(dim, spec.shift as usize)?,
        (Layout::Bits, Op::Dot | Op::Hamming | Op::Cosine) => g.bits_reduce(spec.op, dim)?,
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

fn x(n: u8) -> X {
    X::new(n).expect("register number")
}

fn xs(n: u8) -> XSp {
    XSp::try_from(x(n)).expect("not xzr")
}

fn v(n: u8) -> V {
    V::new(n).expect("register number")
}

fn b16(n: u8) -> VReg {
    v(n).b16()
}

const VEC: usize = 16;
/// Halfword counters take at most 16 per vector (two bytes of at most 8): flush well before
/// 65535.
const FLUSH_VECTORS: usize = 4000;

impl Gen {
    /// `dst = src + offset` for any offset (a constant that may not fit an immediate).
    fn add_offset(&mut self, dst: u8, src: u8, offset: usize) -> R {
        if offset < 4096 {
            self.a.add(xs(dst), xs(src), offset as u64)
        } else {
            self.a.mov_imm(x(17), offset as u64)?;
            self.a.add(x(dst), x(src), x(17))
        }
    }

    /// A counted loop: `body` runs `count` times with x9 as the byte offset (advanced by
    /// `step`, unless 0: then the body advances it); x16 counts down. Emits nothing when
    /// `count` is 0.
    fn counted(&mut self, count: usize, step: usize, mut body: impl FnMut(&mut Gen) -> R) -> R {
        if count == 0 {
            return Ok(());
        }
        self.a.mov_imm(x(16), count as u64)?;
        let top = self.a.new_label();
        self.a.bind(top)?;
        body(self)?;
        if step > 0 {
            self.a.add(xs(9), xs(9), step as u64)?;
        }
        self.a.subs(x(16), xs(16), 1)?;
        self.a.b_cond(Cond::Ne, top)
    }

    /// `blocks` rounds (x15 counts down) of a [`counted`](Self::counted) loop of `per_block`
    /// runs followed by `flush`: how narrow accumulators are emptied before they overflow.
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
        self.a.mov_imm(x(15), blocks as u64)?;
        let outer = self.a.new_label();
        self.a.bind(outer)?;
        self.counted(per_block, step, &mut body)?;
        flush(self)?;
        self.a.subs(x(15), xs(15), 1)?;
        self.a.b_cond(Cond::Ne, outer)
    }

    /// Load `bytes` (16 or 8) at `base + x9 + disp` into `dst` (8 bytes zero the upper half).
    fn load(&mut self, dst: V, base: u8, bytes: usize) -> R {
        let size = if bytes == 16 { Size::Q } else { Size::D };
        self.a.ldr(dst.scalar(size), Addr::reg(xs(base), x(9)))
    }

    fn store(&mut self, src: V, base: u8, bytes: usize) -> R {
        let size = if bytes == 16 { Size::Q } else { Size::D };
        self.a.str(src.scalar(size), Addr::reg(xs(base), x(9)))
    }

    // ---- bitsliced ---------------------------------------------------------------------

    fn bits_binary(&mut self, op: Op, dim: usize) -> R {
        let words = dim.div_ceil(64);
        // x10/x11/x12: the -1 planes of out, a, b.
        self.add_offset(10, 0, 8 * words)?;
        self.add_offset(11, 1, 8 * words)?;
        self.add_offset(12, 2, 8 * words)?;
        self.a.movz(x(9), 0, 0)?;
        let body = |g: &mut Gen, bytes: usize| -> R {
            g.load(v(0), 1, bytes)?;
            g.load(v(1), 11, bytes)?;
            g.load(v(2), 2, bytes)?;
            g.load(v(3), 12, bytes)?;
            let (ap, am, bp, bm) = (b16(0), b16(1), b16(2), b16(3));
            let (p, m, t) = (b16(4), b16(5), b16(6));
            if op == Op::Bind {
                g.a.and(p, ap, bp)?;
                g.a.and(t, am, bm)?;
                g.a.orr(p, p, t)?;
                g.a.and(m, ap, bm)?;
                g.a.and(t, am, bp)?;
                g.a.orr(m, m, t)?;
            } else {
                // plus = (ap | bp) & !(am | bm), minus the reverse (bic x, y, z = y & !z).
                let u = b16(7);
                g.a.orr(t, ap, bp)?;
                g.a.orr(u, am, bm)?;
                g.a.bic(p, t, u)?;
                g.a.bic(m, u, t)?;
            }
            g.store(v(4), 0, bytes)?;
            g.store(v(5), 10, bytes)
        };
        self.counted(words / 2, VEC, |g| body(g, VEC))?;
        if words % 2 == 1 {
            body(self, 8)?;
        }
        Ok(())
    }

    /// Add the popcount of `src` to the halfword counter `counter` (clobbers `src`).
    fn popcount_into(&mut self, counter: u8, src: u8) -> R {
        self.a.cnt(b16(src), b16(src))?;
        self.a.uadalp(v(counter).h8(), b16(src))
    }

    fn bits_reduce(&mut self, op: Op, dim: usize) -> R {
        let words = dim.div_ceil(64);
        self.add_offset(11, 0, 8 * words)?;
        self.add_offset(12, 1, 8 * words)?;
        let quantities = match op {
            Op::Hamming => 1,
            Op::Dot => 2,
            _ => 4,
        };
        // Halfword counters v16.., word totals v20...
        let half = |q: usize| 16 + q as u8;
        let total = |q: usize| 20 + q as u8;
        for q in 0..quantities {
            self.a.movi(b16(half(q)), 0)?;
            self.a.movi(b16(total(q)), 0)?;
        }
        self.a.movz(x(9), 0, 0)?;
        let body = |g: &mut Gen, bytes: usize| -> R {
            g.load(v(0), 0, bytes)?;
            g.load(v(1), 11, bytes)?;
            g.load(v(2), 1, bytes)?;
            g.load(v(3), 12, bytes)?;
            let (ap, am, bp, bm, t, u) = (b16(0), b16(1), b16(2), b16(3), b16(4), b16(5));
            match op {
                Op::Hamming => {
                    g.a.eor(t, ap, bp)?;
                    g.a.eor(u, am, bm)?;
                    g.a.orr(t, t, u)?;
                    g.popcount_into(half(0), 4)
                }
                _ => {
                    if op == Op::Cosine {
                        g.a.orr(t, ap, am)?;
                        g.popcount_into(half(2), 4)?;
                        g.a.orr(t, bp, bm)?;
                        g.popcount_into(half(3), 4)?;
                    }
                    g.a.and(t, ap, bp)?;
                    g.a.and(u, am, bm)?;
                    g.a.orr(t, t, u)?;
                    g.popcount_into(half(0), 4)?;
                    g.a.and(t, ap, bm)?;
                    g.a.and(u, am, bp)?;
                    g.a.orr(t, t, u)?;
                    g.popcount_into(half(1), 4)
                }
            }
        };
        let flush = |g: &mut Gen| -> R {
            for q in 0..quantities {
                g.a.uadalp(v(total(q)).s4(), v(half(q)).h8())?;
                g.a.movi(b16(half(q)), 0)?;
            }
            Ok(())
        };
        let vectors = words / 2;
        let blocks = vectors / FLUSH_VECTORS;
        self.blocked(blocks, FLUSH_VECTORS, VEC, |g| body(g, VEC), flush)?;
        self.counted(vectors % FLUSH_VECTORS, VEC, |g| body(g, VEC))?;
        if words % 2 == 1 {
            body(self, 8)?;
        }
        flush(self)?;
        // Sums into x0 (and x13, x14 for cosine).
        let outs = [0u8, 10, 13, 14];
        for (q, &out) in outs.iter().enumerate().take(quantities) {
            self.a.addv(v(total(q)).scalar(Size::S), v(total(q)).s4())?;
            self.a.umov(a64::W::new(out).unwrap(), v(total(q)).elem(Size::S, 0))?;
        }
        match op {
            Op::Hamming => Ok(()),
            Op::Dot => self.a.sub(x(0), x(0), x(10)),
            _ => {
                self.a.sub(x(0), x(0), x(10))?;
                self.cosine_from(0, 13, 14)
            }
        }
    }

    /// d0 = x[dot] / sqrt(x[aa] * x[bb]), or 0.0 when either is zero.
    fn cosine_from(&mut self, dot: u8, aa: u8, bb: u8) -> R {
        let zero = self.a.new_label();
        let end = self.a.new_label();
        self.a.cbz(x(aa), zero)?;
        self.a.cbz(x(bb), zero)?;
        self.a.scvtf(v(0).d(), x(dot))?;
        self.a.scvtf(v(1).d(), x(aa))?;
        self.a.scvtf(v(2).d(), x(bb))?;
        self.a.fmul(v(1).d(), v(1).d(), v(2).d())?;
        self.a.fsqrt(v(1).d(), v(1).d())?;
        self.a.fdiv(v(0).d(), v(0).d(), v(1).d())?;
        self.a.b(end)?;
        self.a.bind(zero)?;
        self.a.fmov(v(0).d(), XZR)?;
        self.a.bind(end)
    }

    // ---- dense -------------------------------------------------------------------------

    fn dense_reduce(&mut self, op: Op, dim: usize) -> R {
        let vectors = dim / VEC;
        // Halfword (or, with sdot, word) accumulators v16.. and word totals v20.. per quantity.
        let quantities = if op == Op::Cosine { 3 } else { 1 };
        let acc = |q: usize| 16 + q as u8;
        let total = |q: usize| 20 + q as u8;
        let sdot = self.dotprod && op != Op::Hamming;
        for q in 0..quantities {
            self.a.movi(b16(acc(q)), 0)?;
            self.a.movi(b16(total(q)), 0)?;
        }
        self.a.movz(x(9), 0, 0)?;
        let body = |g: &mut Gen| -> R {
            g.load(v(0), 0, VEC)?;
            g.load(v(1), 1, VEC)?;
            match op {
                Op::Hamming => {
                    // cmeq gives -1 where equal: subtracting counts equal lanes (u8, <= 255 per flush).
                    g.a.cmeq(b16(2), b16(0), b16(1))?;
                    g.a.sub(b16(acc(0)), b16(acc(0)), b16(2))
                }
                _ if sdot => {
                    g.a.sdot(v(acc(0)).s4(), b16(0), b16(1))?;
                    if op == Op::Cosine {
                        g.a.sdot(v(acc(1)).s4(), b16(0), b16(0))?;
                        g.a.sdot(v(acc(2)).s4(), b16(1), b16(1))?;
                    }
                    Ok(())
                }
                _ => {
                    g.a.mul(b16(2), b16(0), b16(1))?;
                    g.a.sadalp(v(acc(0)).h8(), b16(2))?;
                    if op == Op::Cosine {
                        g.a.abs(b16(3), b16(0))?;
                        g.a.sadalp(v(acc(1)).h8(), b16(3))?;
                        g.a.abs(b16(4), b16(1))?;
                        g.a.sadalp(v(acc(2)).h8(), b16(4))?;
                    }
                    Ok(())
                }
            }
        };
        let flush = |g: &mut Gen| -> R {
            for q in 0..quantities {
                if op == Op::Hamming {
                    g.a.uaddlp(v(3).h8(), b16(acc(q)))?;
                    g.a.uadalp(v(total(q)).s4(), v(3).h8())?;
                } else if sdot {
                    g.a.add(v(total(q)).s4(), v(total(q)).s4(), v(acc(q)).s4())?;
                } else {
                    g.a.sadalp(v(total(q)).s4(), v(acc(q)).h8())?;
                }
                g.a.movi(b16(acc(q)), 0)?;
            }
            Ok(())
        };
        // Byte counters (hamming) flush every 255 vectors; halfword ones every 4000.
        let per_flush = if op == Op::Hamming { 255 } else { FLUSH_VECTORS };
        let blocks = vectors / per_flush;
        self.blocked(blocks, per_flush, VEC, body, flush)?;
        self.counted(vectors % per_flush, VEC, body)?;
        flush(self)?;
        // Sums into x3 (and x13, x14 for cosine): x0 and x1 still point at the operands.
        let outs = [3u8, 13, 14];
        for (q, &out) in outs.iter().enumerate().take(quantities) {
            self.a.addv(v(total(q)).scalar(Size::S), v(total(q)).s4())?;
            self.a.smov(x(out), v(total(q)).elem(Size::S, 0))?;
        }
        if op == Op::Hamming {
            // The vector part counted equal lanes: turn that into differing ones.
            self.a.mov_imm(x(10), (vectors * VEC) as u64)?;
            self.a.sub(x(3), x(10), x(3))?;
        }
        // The last D mod 16 elements, one by one, from x12 = a + 16 * vectors, x15 = b + ...
        let tail = vectors * VEC;
        if tail < dim {
            self.add_offset(12, 0, tail)?;
            self.add_offset(15, 1, tail)?;
        }
        for i in 0..dim - tail {
            self.a.ldrsb(x(10), Addr::offset(xs(12), i as i64))?;
            self.a.ldrsb(x(11), Addr::offset(xs(15), i as i64))?;
            match op {
                Op::Hamming => {
                    self.a.subs(XZR, x(10), x(11))?;
                    self.a.csinc(x(3), x(3), x(3), Cond::Eq)?;
                }
                _ => {
                    self.a.madd(x(3), x(10), x(11), x(3))?;
                    if op == Op::Cosine {
                        self.a.madd(x(13), x(10), x(10), x(13))?;
                        self.a.madd(x(14), x(11), x(11), x(14))?;
                    }
                }
            }
        }
        match op {
            Op::Cosine => self.cosine_from(3, 13, 14),
            _ => {
                self.a.mov(x(0), x(3))?;
                Ok(())
            }
        }
    }

    fn dense_binary(&mut self, op: Op, dim: usize) -> R {
        let vectors = dim / VEC;
        if op == Op::Bundle {
            self.a.movi(b16(6), 1)?;
            self.a.movi(b16(7), 0xff)?;
        }
        self.a.movz(x(9), 0, 0)?;
        self.counted(vectors, VEC, |g| {
            g.load(v(0), 1, VEC)?;
            g.load(v(1), 2, VEC)?;
            if op == Op::Bind {
                g.a.mul(b16(2), b16(0), b16(1))?;
            } else {
                g.a.add(b16(2), b16(0), b16(1))?;
                g.a.smin(b16(2), b16(2), b16(6))?;
                g.a.smax(b16(2), b16(2), b16(7))?;
            }
            g.store(v(2), 0, VEC)
        })?;
        // The last D mod 16 elements, from x14 = out + 16 * vectors, x15 = a + ..., x16 = b + ...
        let tail = vectors * VEC;
        if tail < dim {
            self.add_offset(14, 0, tail)?;
            self.add_offset(15, 1, tail)?;
            self.add_offset(16, 2, tail)?;
        }
        for i in 0..dim - tail {
            let at = |base: u8| Addr::offset(xs(base), i as i64);
            self.a.ldrsb(x(10), at(15))?;
            self.a.ldrsb(x(11), at(16))?;
            if op == Op::Bind {
                self.a.mul(x(12), x(10), x(11))?;
            } else {
                // sign(a + b) = (s > 0) - (s < 0).
                self.a.add(x(10), x(10), x(11))?;
                self.a.subs(XZR, x(10), XZR)?;
                self.a.cset(x(12), Cond::Gt)?;
                self.a.cset(x(13), Cond::Lt)?;
                self.a.sub(x(12), x(12), x(13))?;
            }
            self.a.strb(a64::W::new(12).unwrap(), at(14))?;
        }
        Ok(())
    }

    /// Copy `len` bytes from `x[src] + soff` to `x[dst] + doff`: 16-byte vectors in a loop,
    /// then single bytes.
    fn copy(&mut self, dst: u8, doff: usize, src: u8, soff: usize, len: usize) -> R {
        self.add_offset(12, src, soff)?;
        self.add_offset(13, dst, doff)?;
        self.a.movz(x(9), 0, 0)?;
        self.counted(len / VEC, VEC, |g| {
            g.load(v(0), 12, VEC)?;
            g.store(v(0), 13, VEC)
        })?;
        let w10 = a64::W::new(10).unwrap();
        for i in len / VEC * VEC..len {
            self.a.ldrb(w10, Addr::reg(xs(12), x(9)))?;
            self.a.strb(w10, Addr::reg(xs(13), x(9)))?;
            if i + 1 < len {
                self.a.add(xs(9), xs(9), 1)?;
            }
        }
        Ok(())
    }

    fn dense_permute(&mut self, dim: usize, k: usize) -> R {
        // out[k..] = v[..dim - k]; out[..k] = v[dim - k..].
        self.copy(0, k, 1, 0, dim - k)?;
        self.copy(0, 0, 1, dim - k, k)
    }

    fn bits_permute(&mut self, dim: u32, shift: u32) -> R {
        let plan = rotate_plan(dim, shift);
        let words = dim.div_ceil(64) as usize;
        for plane in 0..2 {
            let base = plane * 8 * words;
            for run in &plan.runs {
                // x12 = source base for the run's first word, x13 = destination.
                let word_run = |g: &mut Gen, first: usize, bytes: usize| -> R {
                    g.a.movi(b16(0), 0)?;
                    for term in &run.terms {
                        let src = base as i64 + 8 * (first as i64 + term.offset);
                        g.add_offset(12, 1, src as usize)?;
                        g.load(v(1), 12, bytes)?;
                        if term.shift != 0 {
                            if term.left {
                                g.a.shl(v(1).d2(), v(1).d2(), term.shift)?;
                            } else {
                                g.a.ushr(v(1).d2(), v(1).d2(), term.shift)?;
                            }
                        }
                        g.a.orr(b16(0), b16(0), b16(1))?;
                    }
                    g.add_offset(13, 0, base + 8 * first)?;
                    g.store(v(0), 13, bytes)
                };
                self.a.movz(x(9), 0, 0)?;
                let pairs = run.len / 2;
                self.counted(pairs, VEC, |g| word_run(g, run.start, VEC))?;
                if run.len % 2 == 1 {
                    // x9 already points past the pairs.
                    word_run(self, run.start, 8)?;
                }
            }
            if plan.last_word_mask != u64::MAX {
                self.add_offset(13, 0, base + 8 * (words - 1))?;
                self.a.ldr(x(10), Addr::base(xs(13)))?;
                self.a.and(xs(10), x(10), plan.last_word_mask)?;
                self.a.str(x(10), Addr::base(xs(13)))?;
            }
        }
        Ok(())
    }
}
