//! x86-64 AVX-512 scan kernels (System V) of the `avx512` and `avx512vpopcnt` tiers; the
//! contract is in [`crate::kernels::scan`].
//!
//! The AVX2 kernels' plan ([`super::scan`]) on 64-byte chunks: rdi the current record, rsi the
//! stride, rdx the records left, r8 the current scores, query q's base in `QUERY_BASES[q]`, r9
//! the byte offset within a record, r10/r11 the loop counters. zmm0..Q-1 accumulate each
//! query's score; zmm8..8+Q-1 hold its 32-bit totals between widenings or, counted with
//! `vpopcntq`, its count of opposite signs (dot); zmm16-31 hold the record, temporaries and
//! constants. Every chunk is loaded into a register, once; a partial last chunk under the
//! write mask k1 with zeroing, so no byte past an operand is read and the lanes past it are
//! zero, which count nothing (a zero dense lane equals the query's zero lane and multiplies to
//! zero; a zero word has no bits). So short operands need no staging and the kernels no stack.
//!
//! - Dense dot: k2 = the record's -1 lanes (`vpmovb2m`), k3 its +1 lanes; each query's bytes
//!   are added under k3 and subtracted under k2 (AVX-512 has no `vpsignb`). A single query
//!   takes the pair kernel's three instructions instead of those four: k2 = the lanes where
//!   both are nonzero (`vptestmb`), where the product is `(r ^ q) | 1` (`vpternlogd`).
//! - Dense hamming: k2 = the lanes where record and query differ; bytes of 1 added under it.
//! - Bitsliced: the AVX2 formulas with `vpternlogq` (nonzero in both, and where those differ
//!   in sign, are one instruction each), popcounts by `vpopcntq` into 64-bit lanes that never
//!   need widening (`avx512vpopcnt`), or by the nibble lookup into bytes (`avx512`).

use super::avx512::ternlog;
use super::scan::{blocks, fold, query_bases, record_loop, saved_bases, store_sums, QUERY_BASES};
use super::{at, at_index, Gen, R};
use crate::kernels::scan::{ScanMetric, ScanSpec};
use crate::kernels::{CallConv, KernelError, Layout, Tier};
use crate::x86_64::{Gpr32, Gpr64::*, Mem, Ymm, Zmm, Zmm::*, K};

/// Bytes per vector.
const VEC: usize = 64;

/// The record chunk (bitsliced: its +1 plane), its -1 plane, and its nonzero positions.
const REC: Zmm = Z16;
const REC_MINUS: Zmm = Z17;
const REC_NONZERO: Zmm = Z18;
const TMP: [Zmm; 3] = [Z19, Z20, Z21];
/// Nibble popcounts, and the same times -2 (the dot subtracts twice the opposite signs).
const LUT: Zmm = Z22;
const LUT_NEG: Zmm = Z23;
const LOW: Zmm = Z24;
const ONE_BYTES: Zmm = Z25;
const ONE_WORDS: Zmm = Z26;
const ZERO: Zmm = Z27;
/// The partial last chunk's load mask.
const TAIL: K = K::K1;
/// Per-chunk lane masks.
const LANES: [K; 2] = [K::K2, K::K3];

/// Query q's accumulator (as a ymm: the fold reads the low halves with VEX instructions).
fn acc(q: usize) -> Ymm {
    Ymm::ALL[q]
}

/// Query q's accumulator for the odd chunks of a split dense loop (free when Q <= 4).
fn odd_acc(q: usize) -> Zmm {
    Zmm::ALL[4 + q]
}

/// Query q's second register: 32-bit totals, or the vpopcnt dot's opposite-sign count.
fn second(q: usize) -> Zmm {
    Zmm::ALL[8 + q]
}

/// Generate the scan kernel for a validated x86-64 `spec` of an AVX-512 tier.
pub fn generate(spec: &ScanSpec) -> Result<Vec<u8>, KernelError> {
    let mut g = Gen::new(spec.tier, CallConv::Native, Vec::new());
    let shape = Shape::new(spec);
    let (setup, record) = (|g: &mut Gen| shape.setup(g), |g: &mut Gen| shape.record(g));
    record_loop(&mut g, shape.queries, saved_bases(shape.queries), 0, setup, record)?;
    Ok(g.finish()?)
}

/// Everything about a kernel decided at generation time.
#[derive(Clone, Copy)]
struct Shape {
    metric: ScanMetric,
    layout: Layout,
    dim: usize,
    queries: usize,
    /// Popcounts by `vpopcntq` (else the nibble lookup).
    vpopcnt: bool,
    /// Chunks per loop iteration.
    unroll: usize,
    /// Dense loops with two chunks an iteration add the odd chunk into [`odd_acc`]: a
    /// merge-masked add waits for the last one into the same register, so one accumulator
    /// makes a chain as long as the record (measured at Q = 1 on an Intel Xeon: 231 ns
    /// against 83 ns for the pair kernel at D = 10000).
    split: bool,
}

impl Shape {
    fn new(spec: &ScanSpec) -> Self {
        let queries = spec.queries as usize;
        Shape {
            metric: spec.metric,
            layout: spec.layout,
            dim: spec.dim as usize,
            queries,
            vpopcnt: spec.tier == Tier::Avx512Vpopcnt,
            unroll: if queries <= 2 { 2 } else { 1 },
            split: queries <= 2 && spec.layout == Layout::Dense && spec.dim as usize >= 2 * VEC,
        }
    }

    fn words(&self) -> usize {
        self.dim.div_ceil(64)
    }

    /// Whole chunks per record, and the elements of the partial last one (0 for none).
    fn chunks(&self) -> (usize, usize) {
        match self.layout {
            Layout::Dense => (self.dim / VEC, self.dim % VEC),
            Layout::Bits => (self.words() / 8, self.words() % 8),
        }
    }

    /// Whether the byte accumulators are signed (the dot's).
    fn signed(&self) -> bool {
        self.metric == ScanMetric::Dot
    }

    /// Chunks a byte accumulator takes between widenings (a lane gains at most 1 per dense
    /// chunk, at most 8 per bitsliced one), or `None`: `vpopcntq` counts in 64-bit lanes.
    fn limit(&self) -> Option<usize> {
        let cap = if self.signed() { 127 } else { 255 };
        match self.layout {
            Layout::Dense => Some(cap),
            Layout::Bits if self.vpopcnt => None,
            Layout::Bits => Some(cap / 8),
        }
    }

    /// Loop iterations per widening round, and the rounds of the blocked loop (none without
    /// widening).
    fn blocks(&self) -> (usize, usize) {
        self.limit().map_or((0, 0), |limit| blocks(limit, self.unroll, self.chunks().0))
    }

    /// Before the first record: query bases, the tail mask and the constants.
    fn setup(&self, g: &mut Gen) -> R {
        query_bases(g, self.queries)?;
        let (_, rest) = self.chunks();
        if rest > 0 {
            g.a.mov(R11, ((1u64 << rest) - 1) as i64)?;
            g.a.kmovq(TAIL, R11)?;
        }
        let splat = |g: &mut Gen, dst: Zmm, bytes: Vec<u8>| -> R {
            let table = g.constant(bytes);
            g.a.vmovdqu64(dst, Mem::label(table))
        };
        if self.layout == Layout::Bits && !self.vpopcnt {
            let nibbles = |scale: i8| -> Vec<u8> {
                (0u8..64).map(|n| (scale * (n % 16).count_ones() as i8) as u8).collect()
            };
            splat(g, LUT, nibbles(1))?;
            splat(g, LUT_NEG, nibbles(-2))?;
            splat(g, LOW, vec![0x0f; VEC])?;
        }
        if self.limit().is_some() && self.signed() {
            splat(g, ONE_WORDS, [1u8, 0].repeat(VEC / 2))?;
        }
        if self.limit().is_some() {
            splat(g, ONE_BYTES, vec![1; VEC])?;
            g.a.vpxord(ZERO, ZERO, ZERO)?;
        }
        Ok(())
    }

    /// One record against every query: accumulate, combine, fold, store.
    fn record(&self, g: &mut Gen) -> R {
        let seconds = self.blocks().1 > 0 || (self.vpopcnt && self.signed());
        for q in 0..self.queries {
            g.a.vpxord(acc(q).zmm(), acc(q).zmm(), acc(q).zmm())?;
            if self.split {
                g.a.vpxord(odd_acc(q), odd_acc(q), odd_acc(q))?;
            }
            if seconds {
                g.a.vpxord(second(q), second(q), second(q))?;
            }
        }
        self.pass(g)?;
        let scratch = Ymm::ALL[8];
        for q in 0..self.queries {
            let a = acc(q).zmm();
            self.join(g, q)?;
            if self.limit().is_some() {
                self.widen(g, a)?;
                if seconds {
                    g.a.vpaddd(a, a, second(q))?;
                }
            } else if self.signed() {
                // Lanes below 2^31 with zero upper halves: 32-bit arithmetic keeps those zero.
                g.a.vpsubd(a, a, second(q))?;
                g.a.vpsubd(a, a, second(q))?;
            }
            g.a.vextracti64x4(scratch, a, 1)?;
            g.a.vpaddd(acc(q), acc(q), scratch)?;
        }
        let accs: Vec<Ymm> = (0..self.queries).map(acc).collect();
        let sums = fold(g, &accs, scratch)?;
        store_sums(g, sums, self.queries)
    }

    /// Widen the byte accumulator `a` in place into 32-bit lanes (unsigned: 64-bit lanes whose
    /// upper halves are zero, which the 32-bit folds treat alike).
    fn widen(&self, g: &mut Gen, a: Zmm) -> R {
        if self.signed() {
            g.a.vpmaddubsw(a, ONE_BYTES, a)?;
            g.a.vpmaddwd(a, a, ONE_WORDS)
        } else {
            g.a.vpsadbw(a, a, ZERO)
        }
    }

    /// Add query q's odd-chunk bytes into its accumulator and empty them (a split loop): the
    /// sum is what one accumulator of every chunk would hold, so it cannot overflow either.
    fn join(&self, g: &mut Gen, q: usize) -> R {
        if self.split {
            let a = acc(q).zmm();
            g.a.vpaddb(a, a, odd_acc(q))?;
            g.a.vpxord(odd_acc(q), odd_acc(q), odd_acc(q))?;
        }
        Ok(())
    }

    /// Widen every accumulator into its totals and empty it.
    fn flush(&self, g: &mut Gen) -> R {
        for q in 0..self.queries {
            let a = acc(q).zmm();
            self.join(g, q)?;
            self.widen(g, a)?;
            g.a.vpaddd(second(q), second(q), a)?;
            g.a.vpxord(a, a, a)?;
        }
        Ok(())
    }

    /// The record's chunks: the loop (r9 the offset), blocked by widening rounds, then the
    /// leftover whole chunks and the masked partial one.
    fn pass(&self, g: &mut Gen) -> R {
        let (full, rest) = self.chunks();
        let (per_block, blocks) = self.blocks();
        let step = self.unroll * VEC;
        let body = |g: &mut Gen| -> R {
            for u in 0..self.unroll {
                self.prefetch(g, u * VEC)?;
                self.chunk(g, true, u * VEC, false, self.split && u % 2 == 1)?;
            }
            Ok(())
        };
        let looped = blocks * per_block * self.unroll;
        let iterations = (full - looped) / self.unroll;
        if iterations + blocks > 0 {
            g.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        }
        g.blocked(blocks, per_block, step, body, |g| self.flush(g))?;
        g.counted(iterations, step, body)?;
        for c in looped + iterations * self.unroll..full {
            self.chunk(g, false, c * VEC, false, false)?;
        }
        if rest > 0 {
            self.chunk(g, false, full * VEC, true, false)?;
        }
        Ok(())
    }

    /// Bitsliced records are two streams, which the hardware prefetchers pick up late: fetch
    /// the same lines of the next record (at the smallest stride), as the AVX2 kernels do.
    fn prefetch(&self, g: &mut Gen, disp: usize) -> R {
        if self.layout == Layout::Bits {
            let next = self.layout.operand_bytes(self.dim as u32).next_multiple_of(64) + disp;
            g.a.prefetcht0(at_index(Rdi, R9, next))?;
            g.a.prefetcht0(at_index(Rdi, R9, next + 8 * self.words()))?;
        }
        Ok(())
    }

    /// Load 64 bytes at `m` into `dst`, or under the tail mask (zeroing) when `masked`.
    fn load(&self, g: &mut Gen, dst: Zmm, m: Mem, masked: bool) -> R {
        match (masked, self.layout) {
            (false, _) => g.a.vmovdqu64(dst, m),
            (true, Layout::Dense) => g.a.vmovdqu8(dst.mask(TAIL).zero(), m),
            (true, Layout::Bits) => g.a.vmovdqu64(dst.mask(TAIL).zero(), m),
        }
    }

    /// One chunk at `disp` (from r9 when `indexed`) of the record against every query, dense
    /// chunks into the [`odd_acc`]s when `odd`.
    fn chunk(&self, g: &mut Gen, indexed: bool, disp: usize, masked: bool, odd: bool) -> R {
        let m = |base, disp| if indexed { at_index(base, R9, disp) } else { at(base, disp) };
        let record = |disp| m(Rdi, disp);
        let query = |q: usize, disp| m(QUERY_BASES[q], disp);
        let [t0, t1, t2] = TMP;
        match self.layout {
            Layout::Dense => {
                self.load(g, REC, record(disp), masked)?;
                let [minus, plus] = LANES;
                let record_signs = self.metric == ScanMetric::Dot && self.queries > 1;
                if record_signs {
                    g.a.vpmovb2m(minus, REC)?;
                    g.a.vpcmpgtb(plus, REC, ZERO)?;
                }
                for q in 0..self.queries {
                    let a = if odd { odd_acc(q) } else { acc(q).zmm() };
                    let t = TMP[q % 2];
                    self.load(g, t, query(q, disp), masked)?;
                    match self.metric {
                        ScanMetric::Dot if record_signs => {
                            g.a.vpaddb(a.mask(plus), a, t)?;
                            g.a.vpsubb(a.mask(minus), a, t)?;
                        }
                        ScanMetric::Dot => {
                            let both = LANES[0];
                            g.a.vptestmb(both, REC, t)?;
                            g.a.vpternlogd(t, REC, ONE_BYTES, ternlog(|q, r, one| (q ^ r) | one))?;
                            g.a.vpaddb(a.mask(both), a, t)?;
                        }
                        ScanMetric::Hamming => {
                            let differ = LANES[q % 2];
                            g.a.vpcmpb(differ, REC, t, 4)?;
                            g.a.vpaddb(a.mask(differ), a, ONE_BYTES)?;
                        }
                    }
                }
            }
            Layout::Bits => {
                let minus = 8 * self.words();
                self.load(g, REC_MINUS, record(minus + disp), masked)?;
                self.load(g, REC, record(disp), masked)?;
                if self.metric == ScanMetric::Dot {
                    g.a.vporq(REC_NONZERO, REC, REC_MINUS)?;
                }
                for q in 0..self.queries {
                    let a = acc(q).zmm();
                    self.load(g, t0, query(q, disp), masked)?;
                    self.load(g, t1, query(q, minus + disp), masked)?;
                    match self.metric {
                        ScanMetric::Dot => {
                            // Nonzero in both; and of those, where the -1 planes differ.
                            g.a.vpternlogq(t0, t1, REC_NONZERO, ternlog(|p, m, r| (p | m) & r))?;
                            g.a.vpternlogq(t1, REC_MINUS, t0, ternlog(|q, r, n| (q ^ r) & n))?;
                            if self.vpopcnt {
                                self.count(g, a, t0)?;
                                self.count(g, second(q), t1)?;
                            } else {
                                popcount_into(g, a, t0, t2, LUT)?;
                                popcount_into(g, a, t1, t2, LUT_NEG)?;
                            }
                        }
                        ScanMetric::Hamming => {
                            g.a.vpxorq(t0, t0, REC)?;
                            g.a.vpternlogq(t0, t1, REC_MINUS, ternlog(|x, m, r| x | (m ^ r)))?;
                            if self.vpopcnt {
                                self.count(g, a, t0)?;
                            } else {
                                popcount_into(g, a, t0, t2, LUT)?;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// `total` += the popcount of each 64-bit lane of `v` (`vpopcntq`; `v` is clobbered).
    fn count(&self, g: &mut Gen, total: Zmm, v: Zmm) -> R {
        g.a.vpopcntq(v, v)?;
        g.a.vpaddq(total, total, v)
    }
}

/// `acc` += `lut` looked up by each nibble of `v`, per byte (`v` and `tmp` clobbered; `LOW`
/// preloaded).
fn popcount_into(g: &mut Gen, acc: Zmm, v: Zmm, tmp: Zmm, lut: Zmm) -> R {
    g.a.vpsrlw(tmp, v, 4)?;
    g.a.vpandq(v, v, LOW)?;
    g.a.vpandq(tmp, tmp, LOW)?;
    g.a.vpshufb(v, lut, v)?;
    g.a.vpshufb(tmp, lut, tmp)?;
    g.a.vpaddb(acc, acc, v)?;
    g.a.vpaddb(acc, acc, tmp)
}
