//! x86-64 pair kernels of the AVX-512 tiers, `avx512` (F, BW) and `avx512vpopcnt` (the same
//! plus VPOPCNTDQ) (docs/design.md §4).
//!
//! 64-byte vectors. A final partial vector is read and written with EVEX write masks (`{k}
//! {z}` loads, `{k}` stores), so no byte outside the operands is touched and short operands
//! need no stack staging; the zero-filled lanes of a masked load count nothing in any
//! reduction. The kernels use only zmm0-zmm5 and zmm16-zmm31, volatile in both conventions,
//! and no stack: they are leaves with no frame, on Win64 too (which keeps xmm6-xmm15).
//!
//! - dense reductions: 512-bit AVX-512 has no `vpsignb`, so products are formed from masks:
//!   `vptestmb` marks lanes where both trits are nonzero, where the product is `(a ^ b) | 1`
//!   (+1 equal, -1 opposite), added into byte accumulators under that mask; hamming adds 1
//!   under a `vpcmpb` not-equal mask;
//! - bitsliced: the terms of each pair of planes are one `vpandq`/`vpxorq` and one `vpternlogq`,
//!   counted by `vpopcntq` into 64-bit totals (`avx512vpopcnt`) or by the nibble lookup
//!   (`vpshufb`) into byte counters summed by `vpsadbw` every 31 vectors (`avx512`);
//! - permute and dense bind and bundle are the AVX2 code ([`has_own_code`]).

use super::{at, at_index, Gen, Logic, Plane, Term, R};
use crate::kernels::{Kernel, KernelError, KernelSpec, Layout, Op, Tier};
use crate::x86_64::{Gpr32, Gpr64, Gpr64::*, Mem, Xmm, Ymm, Zmm, K};

/// Bytes per vector.
const VEC: usize = 64;

/// Whether the AVX-512 tiers have code of their own for `spec`: not for permute and dense bind
/// and bundle, whose AVX2 code is as fast or faster (one `vpsignb` per 32 bytes against three
/// mask and lane ops per 64; copies are bound by memory).
pub fn has_own_code(spec: &KernelSpec) -> bool {
    !matches!((spec.layout, spec.op), (_, Op::Permute) | (Layout::Dense, Op::Bind | Op::Bundle))
}

/// Generate the kernel of a validated `spec` of an AVX-512 tier that [`has_own_code`].
pub fn generate(spec: &KernelSpec) -> Result<Kernel, KernelError> {
    let mut g = Gen::new(spec.tier, spec.conv, Vec::new());
    let (dim, unroll) = (spec.dim as usize, spec.variant.unroll);
    let vpopcnt = spec.tier == Tier::Avx512Vpopcnt;
    match (spec.layout, spec.op) {
        (Layout::Dense, Op::Dot | Op::Hamming | Op::Cosine) => {
            g.dense_reduce512(spec.op, dim, unroll)?
        }
        (Layout::Bits, Op::Dot | Op::Hamming | Op::Cosine) => {
            g.bits_reduce512(spec.op, dim, unroll, vpopcnt)?
        }
        (Layout::Bits, Op::Bind | Op::Bundle) => g.bits_binary512(spec.op, dim)?,
        _ => return Err(KernelError::Unsupported { spec: *spec }),
    }
    Ok(Kernel { spec: *spec, code: g.finish()?, unwind: None })
}

/// The `i`th vector register these kernels may use: zmm0-zmm5, then zmm16-zmm31.
fn z(i: usize) -> Zmm {
    Zmm::from_num(if i < 6 { i as u8 } else { i as u8 + 10 })
}

/// The `vpternlog` immediate of `f(a, b, c)`, where `a` is the destination's bit, `b` the
/// second operand's and `c` the third's.
pub(super) fn ternlog(f: impl Fn(bool, bool, bool) -> bool) -> u8 {
    (0..8).filter(|i| f(i & 4 != 0, i & 2 != 0, i & 1 != 0)).fold(0, |imm, i| imm | 1 << i)
}

/// A memory operand at `base + disp`, plus the loop's index r9 when `indexed`.
fn mem(base: Gpr64, disp: usize, indexed: bool) -> Mem {
    if indexed {
        at_index(base, R9, disp)
    } else {
        at(base, disp)
    }
}

impl Gen {
    /// `dst` = a 64-byte constant of `bytes` repeated.
    fn splat512(&mut self, dst: Zmm, bytes: &[u8]) -> R {
        let table = self.constant(bytes.repeat(VEC / bytes.len()));
        self.a.vmovdqu64(dst, Mem::label(table))
    }

    /// `k` = the low `elements` bits set (a tail of 1..=63 elements). Clobbers rax.
    fn low_mask(&mut self, k: K, elements: usize) -> R {
        self.a.mov(Rax, ((1u64 << elements) - 1) as i64)?;
        self.a.kmovq(k, Rax)
    }

    /// Sum the lanes of `v` (i32, or u64 when `qwords`) into `out`; clobbers zmm0 and zmm1,
    /// so `v` is neither.
    fn hsum512(&mut self, v: Zmm, qwords: bool, out: Gpr64) -> R {
        self.a.vextracti64x4(Ymm::Y0, v, 0)?;
        self.a.vextracti64x4(Ymm::Y1, v, 1)?;
        if qwords {
            self.a.vpaddq(Ymm::Y0, Ymm::Y0, Ymm::Y1)?;
        } else {
            self.a.vpaddd(Ymm::Y0, Ymm::Y0, Ymm::Y1)?;
        }
        self.hsum_with(Ymm::Y0, Xmm::X1, qwords, out)
    }

    // ---- dense -------------------------------------------------------------------------

    /// A dense reduction with `unroll` accumulators per quantity (0: 4, or 2 for cosine).
    ///
    /// Registers: z0, z1 the operands (and the horizontal sums' scratch at the end), z2 the
    /// product, z3 ones, then the byte accumulators (unroll x quantities) and the wide totals.
    /// Dot's bytes are widened to i32 by `vpmaddubsw`/`vpmaddwd`, counts to u64 by `vpsadbw`,
    /// every 127 additions.
    fn dense_reduce512(&mut self, op: Op, dim: usize, unroll: u8) -> R {
        let [a, b, _] = self.args();
        let quantities = if op == Op::Cosine { 3 } else { 1 };
        let unroll = match (unroll, op) {
            (0, Op::Cosine) => 2,
            (0, _) => 4,
            (u, _) => usize::from(u),
        };
        let (va, vb, t, ones) = (z(0), z(1), z(2), z(3));
        let narrow = |u: usize, q: usize| z(4 + u * quantities + q);
        let wide = |q: usize| z(4 + unroll * quantities + q);
        // Quantity 0 is the dot (signed) or hamming (a count); cosine's 1 and 2 count nonzeros.
        let signed = |q: usize| q == 0 && op != Op::Hamming;
        for r in 4..4 + (unroll + 1) * quantities {
            self.a.vpxord(z(r), z(r), z(r))?;
        }
        self.splat512(ones, &[1])?;
        let both_nonzero = K::K1;
        let add_vector = |g: &mut Gen, u: usize| -> R {
            if op == Op::Cosine {
                for (q, v) in [(1, va), (2, vb)] {
                    g.a.vpabsb(t, v)?;
                    g.a.vpaddb(narrow(u, q), narrow(u, q), t)?;
                }
            }
            if op == Op::Hamming {
                g.a.vpcmpb(K::K1, va, vb, 4)?;
                return g.a.vpaddb(narrow(u, 0).mask(K::K1), narrow(u, 0), ones);
            }
            // Where both are nonzero the product is (a ^ b) | 1.
            g.a.vptestmb(both_nonzero, va, vb)?;
            g.a.vpternlogd(va, vb, ones, ternlog(|a, b, c| (a ^ b) | c))?;
            g.a.vpaddb(narrow(u, 0).mask(both_nonzero), narrow(u, 0), va)
        };
        let load = |g: &mut Gen, disp: usize, indexed: bool| -> R {
            g.a.vmovdqu8(va, mem(a, disp, indexed))?;
            g.a.vmovdqu8(vb, mem(b, disp, indexed))
        };
        let flush = |g: &mut Gen| -> R {
            for u in 0..unroll {
                for q in 0..quantities {
                    let acc = narrow(u, q);
                    if signed(q) {
                        // i8 lanes -> i16 pairs -> i32 quads.
                        g.a.vpmaddubsw(acc, ones, acc)?;
                        g.splat512(t, &[1, 0])?;
                        g.a.vpmaddwd(acc, acc, t)?;
                        g.a.vpaddd(wide(q), wide(q), acc)?;
                    } else {
                        g.a.vpxord(t, t, t)?;
                        g.a.vpsadbw(acc, acc, t)?;
                        g.a.vpaddq(wide(q), wide(q), acc)?;
                    }
                    g.a.vpxord(acc, acc, acc)?;
                }
            }
            Ok(())
        };
        let full = dim / VEC;
        // Byte accumulators take at most 127 additions between flushes.
        let per_block = 127 * unroll;
        let blocks = full / per_block;
        let rest = full % per_block;
        let unrolled = |g: &mut Gen| -> R {
            for u in 0..unroll {
                load(g, u * VEC, true)?;
                add_vector(g, u)?;
            }
            Ok(())
        };
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        self.blocked(blocks, 127, unroll * VEC, unrolled, flush)?;
        let iterations = rest / unroll;
        self.counted(iterations, unroll * VEC, unrolled)?;
        // The last whole vectors, one per accumulator (each stays within 127 additions).
        let done = blocks * per_block + iterations * unroll;
        for (u, v) in (done..full).enumerate() {
            load(self, v * VEC, false)?;
            add_vector(self, u)?;
        }
        if dim % VEC > 0 {
            let tail = K::K2;
            self.low_mask(tail, dim % VEC)?;
            self.a.vmovdqu8(va.mask(tail).zero(), at(a, full * VEC))?;
            self.a.vmovdqu8(vb.mask(tail).zero(), at(b, full * VEC))?;
            add_vector(self, unroll - 1)?;
        }
        flush(self)?;
        let outs = [Rax, R9, R10];
        for (q, &out) in outs.iter().take(quantities).enumerate() {
            self.hsum512(wide(q), !signed(q), out)?;
        }
        self.finish_sums(op, outs)
    }

    // ---- bitsliced ---------------------------------------------------------------------

    /// Load the four planes' vectors of `a` and `b` at `disp` (eight words, or under `tail`
    /// the low ones, zero-filling the rest) into z0-z3, in [`Plane`] order.
    fn load_planes(
        &mut self,
        [a, b]: [Gpr64; 2],
        minus: usize,
        disp: usize,
        indexed: bool,
        tail: Option<K>,
    ) -> R {
        for (k, plane) in Plane::ALL.into_iter().enumerate() {
            let (base, off) = plane.of(a, b, minus);
            let m = mem(base, off + disp, indexed);
            match tail {
                Some(t) => self.a.vmovdqu64(z(k).mask(t).zero(), m)?,
                None => self.a.vmovdqu64(z(k), m)?,
            }
        }
        Ok(())
    }

    /// `dst` = the vector `term` of the planes in z0-z3: one logic op on the first pair,
    /// a `vpternlogq` folding in the second.
    fn term512(&mut self, term: Term, dst: Zmm) -> R {
        let (logic, pairs) = term.formula();
        let reg = |p: Plane| z(p as usize);
        let (x, y) = pairs[0];
        match logic {
            Logic::And => self.a.vpandq(dst, reg(x), reg(y))?,
            Logic::Or => self.a.vporq(dst, reg(x), reg(y))?,
            Logic::Xor => self.a.vpxorq(dst, reg(x), reg(y))?,
        }
        if let Some(&(x, y)) = pairs.get(1) {
            let imm = match logic {
                Logic::And => ternlog(|d, x, y| d | (x & y)),
                Logic::Or => ternlog(|d, x, y| d | x | y),
                Logic::Xor => ternlog(|d, x, y| d | (x ^ y)),
            };
            self.a.vpternlogq(dst, reg(x), reg(y), imm)?;
        }
        Ok(())
    }

    /// A bitsliced reduction, `unroll` vectors per loop iteration (0: one).
    ///
    /// Registers: z0-z3 the planes, z4 and z5 scratch, z6-z9 one counter per counted term
    /// (with `vpopcnt` the u64 totals themselves; else byte counters), z10-z13 the u64
    /// totals, z14 the nibble table and z15 the low-nibble mask.
    fn bits_reduce512(&mut self, op: Op, dim: usize, unroll: u8, vpopcnt: bool) -> R {
        let [a, b, _] = self.args();
        let words = dim.div_ceil(64);
        let minus = 8 * words;
        let counted_terms: &[(usize, Term)] = match op {
            Op::Hamming => &[(0, Term::Unequal)],
            Op::Dot => &[(0, Term::Agree), (1, Term::Differ)],
            _ => &[(2, Term::NonzeroA), (3, Term::NonzeroB), (0, Term::Agree), (1, Term::Differ)],
        };
        let quantities = counted_terms.len();
        let counter = |q: usize| z(6 + q);
        let total = |q: usize| if vpopcnt { counter(q) } else { z(10 + q) };
        let (t0, t1, lut, low) = (z(4), z(5), z(14), z(15));
        for q in 0..quantities {
            self.a.vpxord(counter(q), counter(q), counter(q))?;
            if !vpopcnt {
                self.a.vpxord(total(q), total(q), total(q))?;
            }
        }
        if !vpopcnt {
            let table: Vec<u8> = (0u8..16).map(|n| n.count_ones() as u8).collect();
            self.splat512(lut, &table)?;
            self.splat512(low, &[0x0f])?;
        }
        let body = |g: &mut Gen, disp: usize, indexed: bool, tail: Option<K>| -> R {
            g.load_planes([a, b], minus, disp, indexed, tail)?;
            for &(q, term) in counted_terms {
                g.term512(term, t0)?;
                if vpopcnt {
                    g.a.vpopcntq(t0, t0)?;
                    g.a.vpaddq(counter(q), counter(q), t0)?;
                } else {
                    g.a.vpsrlw(t1, t0, 4)?;
                    g.a.vpandq(t0, t0, low)?;
                    g.a.vpandq(t1, t1, low)?;
                    g.a.vpshufb(t0, lut, t0)?;
                    g.a.vpshufb(t1, lut, t1)?;
                    g.a.vpaddb(counter(q), counter(q), t0)?;
                    g.a.vpaddb(counter(q), counter(q), t1)?;
                }
            }
            Ok(())
        };
        let flush = |g: &mut Gen| -> R {
            if vpopcnt {
                return Ok(());
            }
            g.a.vpxord(t0, t0, t0)?;
            for q in 0..quantities {
                g.a.vpsadbw(counter(q), counter(q), t0)?;
                g.a.vpaddq(total(q), total(q), counter(q))?;
                g.a.vpxord(counter(q), counter(q), counter(q))?;
            }
            Ok(())
        };
        let unroll = usize::from(unroll.max(1));
        let vectors = words / 8;
        // Byte counters take at most 8 per vector: flush every 31 vectors (or fewer, a whole
        // number of unrolled iterations). vpopcntq's u64 totals need no flush.
        let per_block = 31 / unroll;
        let blocks = if vpopcnt { 0 } else { vectors / (per_block * unroll) };
        let rest = vectors - blocks * per_block * unroll;
        let unrolled =
            |g: &mut Gen| -> R { (0..unroll).try_for_each(|u| body(g, u * VEC, true, None)) };
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        self.blocked(blocks, per_block, unroll * VEC, unrolled, flush)?;
        self.counted(rest / unroll, unroll * VEC, unrolled)?;
        for u in 0..rest % unroll {
            body(self, u * VEC, true, None)?;
        }
        if words % 8 > 0 {
            // A partial vector: its counters get one more addition (31 + 1 is still < 32).
            self.low_mask(K::K1, words % 8)?;
            body(self, VEC * vectors, false, Some(K::K1))?;
        }
        flush(self)?;
        let outs = [Rax, R9, R10, R11];
        for (q, &out) in outs.iter().take(quantities).enumerate() {
            self.hsum512(total(q), true, out)?;
        }
        self.bits_result(op)
    }

    /// Bitsliced bind and bundle: each vector of the four planes is loaded before the two
    /// output planes are stored at the same offsets, so `out` may be `a` or `b`.
    fn bits_binary512(&mut self, op: Op, dim: usize) -> R {
        let [out, a, b] = self.args();
        let words = dim.div_ceil(64);
        let minus = 8 * words;
        let (plus_out, minus_out) = (z(4), z(5));
        let body = |g: &mut Gen, disp: usize, indexed: bool, tail: Option<K>| -> R {
            g.load_planes([a, b], minus, disp, indexed, tail)?;
            if op == Op::Bind {
                g.term512(Term::Agree, plus_out)?;
                g.term512(Term::Differ, minus_out)?;
            } else {
                // With disjoint planes, sign(a + b) is +1 where either is +1 and neither is -1.
                let neither = ternlog(|d, x, y| d & !(x | y));
                let [ap, am, bp, bm] = [0, 1, 2, 3].map(z);
                g.a.vporq(plus_out, ap, bp)?;
                g.a.vpternlogq(plus_out, am, bm, neither)?;
                g.a.vporq(minus_out, am, bm)?;
                g.a.vpternlogq(minus_out, ap, bp, neither)?;
            }
            for (reg, off) in [(plus_out, 0), (minus_out, minus)] {
                let m = mem(out, off + disp, indexed);
                match tail {
                    Some(t) => g.a.vmovdqu64(m.mask(t), reg)?,
                    None => g.a.vmovdqu64(m, reg)?,
                }
            }
            Ok(())
        };
        let vectors = words / 8;
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        self.counted(vectors, VEC, |g| body(g, 0, true, None))?;
        if words % 8 > 0 {
            self.low_mask(K::K1, words % 8)?;
            body(self, VEC * vectors, false, Some(K::K1))?;
        }
        self.epilogue()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ternlog_immediates_are_truth_tables() {
        assert_eq!(ternlog(|a, _, _| a), 0xf0);
        assert_eq!(ternlog(|_, b, _| b), 0xcc);
        assert_eq!(ternlog(|_, _, c| c), 0xaa);
        assert_eq!(ternlog(|a, b, c| a | (b & c)), 0xf8);
    }

    #[test]
    fn registers_skip_the_win64_nonvolatile_ones() {
        let nums: Vec<u8> = (0..22).map(|i| z(i).num()).collect();
        assert!(nums.iter().all(|&n| !(6..16).contains(&n)), "{nums:?}");
        assert_eq!(nums.len(), 22);
    }
}
