//! x86-64 AVX2 scan kernels (System V); the contract is in [`crate::kernels::scan`].
//!
//! Registers: rdi the current record, rsi the stride, rdx the records left, r8 the current
//! scores; query q's base in `QUERY_BASES[q]` (the callee-saved ones pushed first); r9 the
//! byte offset within a record and r10/r11 the counters of `Gen::counted`/`Gen::blocked`.
//! ymm0..ymmQ-1 hold one byte accumulator per query.
//!
//! Each record chunk is loaded once and combined with every query's chunk (dense: as a memory
//! operand; bitsliced: loaded into registers). A bitsliced record is read as both planes'
//! chunk i together, except by one query's kernel (up to `SEQUENTIAL_MAX_BYTES`), which
//! reads the whole plus plane then the whole minus plane, with rax the record it prefetches
//! and, for hamming, the query's nonzero count in ymm7. The byte accumulators are widened every
//! `Shape::limit` chunks, into 32-bit totals on the stack when a record needs more than one
//! round; at the end of a record the Q totals are folded with `vphaddd` into one vector and
//! stored together.

use super::{at, at_index, Gen, R, VEC};
use crate::kernels::scan::{ScanMetric, ScanSpec};
use crate::kernels::{CallConv, KernelError, Layout};
use crate::x86_64::{Cond, Gpr32, Gpr64, Gpr64::*, Mem, Ymm, Ymm::*};
use crate::EmitError;

/// Query q's base register. rcx (the argument) and rax are free; the others are callee-saved.
pub(super) const QUERY_BASES: [Gpr64; 8] = [Rcx, Rax, Rbx, Rbp, R12, R13, R14, R15];

/// The callee-saved query bases a kernel of `queries` queries uses.
pub(super) fn saved_bases(queries: usize) -> &'static [Gpr64] {
    &QUERY_BASES[2..queries.max(2)]
}

/// The record loop of every x86-64 scan kernel: save `saved`, reserve `frame` bytes of stack,
/// and unless n is 0 run `setup`, then `record` once per record (rdi the record, r8 its
/// scores), stepping rdi by the stride and r8 by `queries` scores.
pub(super) fn record_loop(
    g: &mut Gen,
    queries: usize,
    saved: &[Gpr64],
    frame: i32,
    setup: impl FnOnce(&mut Gen) -> R,
    record: impl FnOnce(&mut Gen) -> R,
) -> R {
    for &r in saved {
        g.a.push(r)?;
    }
    if frame > 0 {
        g.a.sub(Rsp, frame)?;
    }
    let done = g.a.new_label();
    g.a.test(Rdx, Rdx)?;
    g.a.jcc(Cond::E, done)?;
    setup(g)?;
    let top = g.a.new_label();
    g.a.align(16)?;
    g.a.bind(top)?;
    record(g)?;
    g.a.add(Rdi, Rsi)?;
    g.a.add(R8, 4 * queries as i32)?;
    g.a.dec(Rdx)?;
    g.a.jcc(Cond::Ne, top)?;
    g.a.bind(done)?;
    if frame > 0 {
        g.a.add(Rsp, frame)?;
    }
    for &r in saved.iter().rev() {
        g.a.pop(r)?;
    }
    g.epilogue()
}

/// Point each query base past the first at its query: base q = queries + q * stride, each
/// from an earlier one and a scaled stride.
pub(super) fn query_bases(g: &mut Gen, queries: usize) -> R {
    let from: [(Gpr64, u8); 8] =
        [(Rcx, 0), (Rcx, 1), (Rcx, 2), (Rax, 2), (Rcx, 4), (Rax, 4), (Rbx, 4), (Rbp, 4)];
    for q in 1..queries {
        let (base, scale) = from[q];
        g.a.lea(QUERY_BASES[q], Mem::base(base).index(Rsi, scale))?;
    }
    Ok(())
}

/// Loop iterations per widening round and the rounds of the blocked loop, for byte
/// accumulators that take `limit` chunks between widenings, `unroll` chunks per iteration and
/// `full` whole chunks per record.
pub(super) fn blocks(limit: usize, unroll: usize, full: usize) -> (usize, usize) {
    let per_block = limit / unroll;
    (per_block, full / (per_block * unroll))
}

/// Fold `accs`, one vector of 32-bit lanes per query (1, 2, 4 or 8 of them), into one sum per
/// query, in query order in the low lanes of the result (a single sum in its every 32-bit
/// lane); `t` is scratch.
pub(super) fn fold(g: &mut Gen, accs: &[Ymm], t: Ymm) -> Result<Ymm, EmitError> {
    // Two rounds of vphaddd leave, in each 128-bit lane, the lane sums of 4 accumulators
    // (fewer accumulators are paired with themselves).
    let mut level = accs.to_vec();
    for _ in 0..2 {
        let mut next = Vec::new();
        for pair in level.chunks(2) {
            g.a.vphaddd(pair[0], pair[0], pair[pair.len() - 1])?;
            next.push(pair[0]);
        }
        level = next;
    }
    let sums = level[0];
    if let [low, high] = level[..] {
        g.a.vperm2i128(t, low, high, 0x31)?;
        g.a.vinserti128(sums, low, high.xmm(), 1)?;
        g.a.vpaddd(sums, sums, t)?;
    } else {
        g.a.vextracti128(t.xmm(), sums, 1)?;
        g.a.vpaddd(sums.xmm(), sums.xmm(), t.xmm())?;
    }
    Ok(sums)
}

/// Store the `queries` sums of [`fold`] at r8.
pub(super) fn store_sums(g: &mut Gen, sums: Ymm, queries: usize) -> R {
    let out = Mem::base(R8);
    match queries {
        1 => g.a.vmovd(out, sums.xmm()),
        2 => g.a.vmovq(out, sums.xmm()),
        4 => g.a.vmovdqu(out, sums.xmm()),
        _ => g.a.vmovdqu(out, sums),
    }
}

/// Generate the scan kernel for a validated x86-64 `spec`.
pub fn generate(spec: &ScanSpec) -> Result<Vec<u8>, KernelError> {
    // Scan kernels push and allocate in `emit` (native convention only: no unwind data).
    let mut g = Gen::new(spec.tier, CallConv::Native, Vec::new());
    Shape::new(spec).emit(&mut g)?;
    Ok(g.finish()?)
}

/// Everything about a scan kernel that is decided at generation time.
#[derive(Clone, Copy)]
struct Shape {
    metric: ScanMetric,
    layout: Layout,
    dim: usize,
    queries: usize,
    /// Dense operands shorter than a vector are copied to zeroed stack slots (the record's at
    /// rsp, query q's 32 bytes after it), since a vector load would read past them. Other
    /// kernels keep query q's 32-bit total at `rsp + 32 q` when a record needs several rounds.
    staged: bool,
    /// Chunks per inner-loop iteration.
    unroll: usize,
    /// One query, bitsliced, records streaming from memory ([`ScanSpec::streaming`]): each
    /// record is read strictly in order, its plus plane then its minus plane (see
    /// [`Shape::plane_chunk`]), not as two interleaved streams.
    sequential: bool,
}

/// The largest bitsliced operand (both planes) read by the sequential form. Each chunk of a
/// record plane is combined with both query planes, twice the query loads of the interleaved
/// form; once the query no longer stays in L1 beside the stream, that costs more than the
/// ordered reads gain. Measured on a Zen 3 VM (one query, 256 MB of records, fastest of 9,
/// GB/s, interleaved -> sequential): D = 1024 7.1-7.5 -> 8.4, 4096 5.7 -> 9.0, 10000
/// 5.9-6.2 -> 8.5-9.1, 20000 7.9 -> 9.3, 32768 6.9-7.3 -> 8.2-8.9, 45000 7.3-9.0 -> 8.3-9.4,
/// but 59049 9.4-10.5 -> 9.1-9.5, 80000 7.5-8.0 -> 6.7-7.1, 150000 9.4 -> 8.9.
const SEQUENTIAL_MAX_BYTES: usize = 12 * 1024;

/// A record plane of the sequential form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plane {
    Plus,
    Minus,
}

/// The bitsliced kernels' persistent registers: record planes, temporaries, lookup tables.
const REC_PLUS: Ymm = Y8;
const REC_MINUS: Ymm = Y9;
const TMP: [Ymm; 3] = [Y10, Y11, Y12];
const LUT: Ymm = Y13;
/// Nibble popcounts times a negative factor: -2 for the interleaved dot, which adds
/// popcount(nonzero) and subtracts 2 popcount(differ); -1 for the sequential form.
const LUT_NEG: Ymm = Y14;
/// The sequential hamming kernel's query nonzero count, in every 32-bit lane of the low half.
const NNZ: Ymm = Y7;
const LOW: Ymm = Y15;

fn acc(q: usize) -> Ymm {
    Ymm::ALL[q]
}

impl Shape {
    fn new(spec: &ScanSpec) -> Self {
        let dim = spec.dim as usize;
        let queries = spec.queries as usize;
        let staged = spec.layout == Layout::Dense && dim < VEC;
        let unroll = match spec.layout {
            Layout::Dense => (4 / queries).max(1),
            // One prefetch per plane per iteration covers a 64-byte line of each.
            Layout::Bits => 2,
        };
        let sequential = spec.streaming
            && spec.layout == Layout::Bits
            && queries == 1
            && spec.layout.operand_bytes(spec.dim) <= SEQUENTIAL_MAX_BYTES;
        Shape { metric: spec.metric, layout: spec.layout, dim, queries, staged, unroll, sequential }
    }

    /// Whole chunks per record (a short dense record is one staged chunk).
    fn full(&self) -> usize {
        match self.layout {
            Layout::Dense if self.staged => 1,
            Layout::Dense => self.dim / VEC,
            Layout::Bits => self.words() / 4,
        }
    }

    /// Whether a partial last chunk follows the whole ones.
    fn has_tail(&self) -> bool {
        match self.layout {
            Layout::Dense => !self.staged && self.dim % VEC != 0,
            Layout::Bits => self.words() % 4 != 0,
        }
    }

    fn words(&self) -> usize {
        self.dim.div_ceil(64)
    }

    /// Chunks an accumulator takes between widenings: a byte lane gains at most 1 (dense) or
    /// 8 (bitsliced, a byte's popcount, or in the sequential form a difference of two on
    /// disjoint bits) per chunk, signed or unsigned ([`Shape::signed`]).
    fn limit(&self) -> usize {
        let per_chunk = if self.layout == Layout::Dense { 1 } else { 8 };
        let cap = if self.signed() { 127 } else { 255 };
        cap / per_chunk
    }

    /// Whether the byte accumulators are signed: the dot's, and the sequential form's (which
    /// adds some popcounts and subtracts others).
    fn signed(&self) -> bool {
        self.metric == ScanMetric::Dot || self.sequential
    }

    fn blocks(&self) -> (usize, usize) {
        blocks(self.limit(), self.unroll, self.full())
    }

    /// Whether a record needs more than one widening round, so 32-bit totals on the stack: the
    /// blocked loop's rounds, or the sequential form's two planes.
    fn totals(&self) -> bool {
        !self.staged && (self.blocks().1 > 0 || self.sequential)
    }

    /// Stack bytes: staging slots, or totals.
    fn frame(&self) -> i32 {
        let slots = if self.staged {
            self.queries + 1
        } else if self.totals() {
            self.queries
        } else {
            0
        };
        (VEC * slots) as i32
    }

    /// Query q's 32-bit total.
    fn total(&self, q: usize) -> Mem {
        at(Rsp, VEC * q)
    }

    /// The callee-saved query bases this kernel uses.
    fn saved(&self) -> &'static [Gpr64] {
        if self.staged {
            &[]
        } else {
            saved_bases(self.queries)
        }
    }

    /// The record's bytes at `disp` (from r9 when `indexed`).
    fn record(&self, indexed: bool, disp: usize) -> Mem {
        if self.staged {
            at(Rsp, disp)
        } else if indexed {
            at_index(Rdi, R9, disp)
        } else {
            at(Rdi, disp)
        }
    }

    /// Query q's bytes at `disp` (from r9 when `indexed`).
    fn query(&self, q: usize, indexed: bool, disp: usize) -> Mem {
        if self.staged {
            at(Rsp, VEC * (q + 1) + disp)
        } else if indexed {
            at_index(QUERY_BASES[q], R9, disp)
        } else {
            at(QUERY_BASES[q], disp)
        }
    }

    fn emit(&self, g: &mut Gen) -> R {
        let (setup, record) = (|g: &mut Gen| self.setup(g), |g: &mut Gen| self.record_scores(g));
        record_loop(g, self.queries, self.saved(), self.frame(), setup, record)
    }

    /// Before the first record: query bases (or staged queries) and lookup tables.
    fn setup(&self, g: &mut Gen) -> R {
        if self.staged {
            g.a.vpxor(Y15, Y15, Y15)?;
            for slot in 0..=self.queries {
                g.a.vmovdqu(at(Rsp, VEC * slot), Y15)?;
            }
            g.a.mov(R9, Rcx)?;
            for q in 0..self.queries {
                g.copy_bytes((Rsp, VEC * (q + 1)), (R9, 0), self.dim)?;
                g.a.add(R9, Rsi)?;
            }
        } else {
            query_bases(g, self.queries)?;
        }
        if self.layout == Layout::Bits {
            let nibbles = |scale: i8| -> Vec<u8> {
                (0u8..32).map(|n| (scale * (n % 16).count_ones() as i8) as u8).collect()
            };
            let lut = g.constant(nibbles(1));
            g.a.vmovdqu(LUT, Mem::label(lut))?;
            if self.signed() {
                let lut = g.constant(nibbles(if self.sequential { -1 } else { -2 }));
                g.a.vmovdqu(LUT_NEG, Mem::label(lut))?;
            }
            self.load_low(g)?;
        }
        if self.sequential && self.metric == ScanMetric::Hamming {
            self.query_nonzeros(g)?;
        }
        Ok(())
    }

    /// NNZ = the query's nonzero count, popcount(plus | minus), summed like a record's score.
    fn query_nonzeros(&self, g: &mut Gen) -> R {
        let minus = 8 * self.words();
        let [t0, t1, t2] = TMP;
        g.a.vpxor(acc(0), acc(0), acc(0))?;
        g.a.vmovdqu(self.total(0), acc(0))?;
        let chunk = |g: &mut Gen, indexed: bool, disp: usize, words: usize, _| -> R {
            let index = indexed.then_some(R9);
            g.load_words(t0, QUERY_BASES[0], index, disp, words)?;
            g.load_words(t1, QUERY_BASES[0], index, minus + disp, words)?;
            if words == 3 {
                self.load_low(g)?;
            }
            g.a.vpor(t0, t0, t1)?;
            g.popcount_into(acc(0), t0, t2, LUT, LOW)
        };
        self.pass(g, chunk, |_| Ok(()))?;
        self.widen(g)?;
        g.a.vpaddd(acc(0), acc(0), self.total(0))?;
        let sums = self.fold(g)?;
        g.a.vmovdqa(NNZ, sums)
    }

    fn load_low(&self, g: &mut Gen) -> R {
        let low = g.constant(vec![0x0f; VEC]);
        g.a.vmovdqu(LOW, Mem::label(low))
    }

    /// One record against every query: accumulate, widen, fold, store.
    fn record_scores(&self, g: &mut Gen) -> R {
        for q in 0..self.queries {
            g.a.vpxor(acc(q), acc(q), acc(q))?;
        }
        if self.totals() {
            g.a.vpxor(TMP[0], TMP[0], TMP[0])?;
            for q in 0..self.queries {
                g.a.vmovdqu(self.total(q), TMP[0])?;
            }
        }
        if self.staged {
            g.copy_bytes((Rsp, 0), (Rdi, 0), self.dim)?;
        }
        if self.sequential {
            // rax = the record prefetched: `ahead()` records on, at the run-time stride.
            g.a.lea(Rax, Mem::base(Rdi).index(Rsi, self.ahead()))?;
            for plane in [Plane::Plus, Plane::Minus] {
                if plane == Plane::Minus {
                    self.flush(g)?;
                }
                let chunk = |g: &mut Gen, indexed: bool, disp: usize, words: usize, _| {
                    self.plane_chunk(g, plane, indexed, disp, words)
                };
                self.pass(g, chunk, |g| self.prefetch_plane(g, plane))?;
            }
        } else {
            let prefetch = |g: &mut Gen| -> R {
                if self.layout == Layout::Bits {
                    // The two planes are two short streams per record, which the hardware
                    // prefetchers pick up late: fetch the same lines of the next record (at
                    // the smallest stride). Measured: 4 -> 6 GB/s for one query at D = 10000.
                    let next = self.layout.operand_bytes(self.dim as u32).next_multiple_of(64);
                    g.a.prefetcht0(at_index(Rdi, R9, next))?;
                    g.a.prefetcht0(at_index(Rdi, R9, next + 8 * self.words()))?;
                }
                Ok(())
            };
            self.pass(
                g,
                |g, indexed, disp, words, masked| self.chunk(g, indexed, disp, words, masked),
                prefetch,
            )?;
        }
        self.widen(g)?;
        if self.totals() {
            for q in 0..self.queries {
                g.a.vpaddd(acc(q), acc(q), self.total(q))?;
            }
        }
        self.store(g)
    }

    /// Widen the byte accumulators into the totals and empty them.
    fn flush(&self, g: &mut Gen) -> R {
        self.widen(g)?;
        for q in 0..self.queries {
            g.a.vpaddd(acc(q), acc(q), self.total(q))?;
            g.a.vmovdqu(self.total(q), acc(q))?;
            g.a.vpxor(acc(q), acc(q), acc(q))?;
        }
        Ok(())
    }

    /// One pass over a record's chunks (a bitsliced plane's words, in both planes at once or
    /// one of them): `chunk(g, indexed, disp, words, masked)` as for [`Shape::chunk`], in the
    /// loop (r9 the offset, `prefetch` before each iteration's chunks) with a flush every
    /// [`Shape::limit`] chunks, then the leftover whole chunks and the partial last one.
    fn pass(
        &self,
        g: &mut Gen,
        chunk: impl Fn(&mut Gen, bool, usize, usize, bool) -> R,
        prefetch: impl Fn(&mut Gen) -> R,
    ) -> R {
        let (per_block, blocks) = self.blocks();
        let step = self.unroll * VEC;
        let body = |g: &mut Gen| -> R {
            prefetch(g)?;
            for u in 0..self.unroll {
                chunk(g, true, u * VEC, 4, false)?;
            }
            Ok(())
        };
        let full = self.full();
        let looped = blocks * per_block * self.unroll;
        let iterations = (full - looped) / self.unroll;
        if !self.staged && iterations + blocks > 0 {
            g.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        }
        g.blocked(blocks, per_block, step, body, |g| self.flush(g))?;
        g.counted(iterations, step, body)?;
        for c in looped + iterations * self.unroll..full {
            chunk(g, false, c * VEC, 4, false)?;
        }
        if self.has_tail() {
            match self.layout {
                Layout::Dense => chunk(g, false, self.dim - VEC, 0, true)?,
                Layout::Bits => chunk(g, false, VEC * full, self.words() % 4, false)?,
            }
        }
        Ok(())
    }

    /// How many records ahead the sequential form prefetches: two, or more to keep at least
    /// 2 KB ahead of short records (at the smallest stride; scaled by the real one). Measured
    /// at D = 1024 (256-byte records): 8 ahead read 7.4-7.6 GB/s, 1 ahead 6.6-7.1.
    fn ahead(&self) -> u8 {
        let least = self.layout.operand_bytes(self.dim as u32).next_multiple_of(64);
        [2, 4, 8].into_iter().find(|&k| k * least >= 2048).unwrap_or(8) as u8
    }

    /// The sequential form's prefetch for one loop iteration: the line of `plane` at the same
    /// offset in the record at rax.
    fn prefetch_plane(&self, g: &mut Gen, plane: Plane) -> R {
        let off = if plane == Plane::Minus { 8 * self.words() } else { 0 };
        g.a.prefetcht0(at_index(Rax, R9, off))
    }

    /// One chunk of the record against every query. Dense: 32 bytes at `disp`, the lanes
    /// before the last `D mod 32` masked off when `masked`. Bitsliced: `words` (1 to 4) words
    /// of each plane at `disp`, loaded exactly.
    fn chunk(&self, g: &mut Gen, indexed: bool, disp: usize, words: usize, masked: bool) -> R {
        match self.layout {
            Layout::Dense => self.dense_chunk(g, indexed, disp, masked),
            Layout::Bits => self.bits_chunk(g, indexed, disp, words),
        }
    }

    fn dense_chunk(&self, g: &mut Gen, indexed: bool, disp: usize, masked: bool) -> R {
        let (rec, mask) = (Y8, Y9);
        g.a.vmovdqu(rec, self.record(indexed, disp))?;
        if masked {
            g.tail_mask(mask, self.dim % VEC)?;
            if self.metric == ScanMetric::Dot {
                // Masked record lanes make zero products with any query.
                g.a.vpand(rec, rec, mask)?;
            }
        }
        for q in 0..self.queries {
            let t = TMP[q % 2];
            let query = self.query(q, indexed, disp);
            match self.metric {
                // rec * sign(query) = rec * query for trits.
                ScanMetric::Dot => g.a.vpsignb(t, rec, query)?,
                ScanMetric::Hamming => {
                    // -1 where equal; subtracting counts equal lanes.
                    g.a.vpcmpeqb(t, rec, query)?;
                    if masked {
                        g.a.vpand(t, t, mask)?;
                    }
                }
            }
            match self.metric {
                ScanMetric::Dot => g.a.vpaddb(acc(q), acc(q), t)?,
                ScanMetric::Hamming => g.a.vpsubb(acc(q), acc(q), t)?,
            }
        }
        Ok(())
    }

    fn bits_chunk(&self, g: &mut Gen, indexed: bool, disp: usize, words: usize) -> R {
        let minus = 8 * self.words();
        let index = indexed.then_some(R9);
        let [t0, t1, t2] = TMP;
        g.load_words(REC_MINUS, Rdi, index, minus + disp, words)?;
        g.load_words(REC_PLUS, Rdi, index, disp, words)?;
        if self.metric == ScanMetric::Dot {
            // The record's nonzero positions, shared by every query.
            g.a.vpor(REC_PLUS, REC_PLUS, REC_MINUS)?;
        }
        for (q, &base) in QUERY_BASES[..self.queries].iter().enumerate() {
            // Separate loads, not memory operands: each query plane is loaded once, and the
            // ops stay one micro-op (VEX ops with an indexed memory operand are two on Intel).
            g.load_words(t0, base, index, disp, words)?;
            g.load_words(t1, base, index, minus + disp, words)?;
            match self.metric {
                ScanMetric::Dot => g.a.vpor(t0, t0, t1)?,
                ScanMetric::Hamming => g.a.vpxor(t0, t0, REC_PLUS)?,
            }
            g.a.vpxor(t1, t1, REC_MINUS)?;
            if words == 3 {
                // load_words used xmm15 (the low-nibble mask) as scratch.
                self.load_low(g)?;
            }
            match self.metric {
                ScanMetric::Dot => {
                    // nonzero = both nonzero; differ = nonzero where the minus planes differ.
                    g.a.vpand(t0, t0, REC_PLUS)?;
                    g.a.vpand(t1, t1, t0)?;
                    g.popcount_into(acc(q), t0, t2, LUT, LOW)?;
                    g.popcount_into(acc(q), t1, t2, LUT_NEG, LOW)?;
                }
                ScanMetric::Hamming => {
                    g.a.vpor(t0, t0, t1)?;
                    g.popcount_into(acc(q), t0, t2, LUT, LOW)?;
                }
            }
        }
        Ok(())
    }

    /// One chunk of one record plane against the query (the sequential form): `words` (1 to
    /// 4) words at `disp` of the plane. With rp, rm the record planes, qp, qm the query's and
    /// pc the popcount, the plus plane adds pc(rp & qp) - pc(rp & qm) to the dot and the
    /// minus plane pc(rm & qm) - pc(rm & qp). Hamming counts a plane's nonzeros where the
    /// query is zero and takes back those where it agrees, pc(rp & !(qp | qm)) - pc(rp & qp)
    /// and likewise, and the query's nonzeros ([`NNZ`]) are added at the end: a position
    /// where both are nonzero and agree is then 0, where they disagree 1.
    fn plane_chunk(
        &self,
        g: &mut Gen,
        plane: Plane,
        indexed: bool,
        disp: usize,
        words: usize,
    ) -> R {
        let minus = 8 * self.words();
        let index = indexed.then_some(R9);
        let [t0, t1, t2] = TMP;
        let rec = REC_PLUS;
        let at_plane = if plane == Plane::Minus { minus } else { 0 };
        g.load_words(rec, Rdi, index, at_plane + disp, words)?;
        g.load_words(t0, QUERY_BASES[0], index, disp, words)?;
        g.load_words(t1, QUERY_BASES[0], index, minus + disp, words)?;
        if words == 3 {
            self.load_low(g)?;
        }
        // The query plane of the record plane's sign, and the other one.
        let (same, other) = if plane == Plane::Plus { (t0, t1) } else { (t1, t0) };
        match self.metric {
            ScanMetric::Dot => {
                g.a.vpand(same, same, rec)?;
                g.a.vpand(other, other, rec)?;
                g.popcount_into(acc(0), same, t2, LUT, LOW)?;
                g.popcount_into(acc(0), other, t2, LUT_NEG, LOW)
            }
            ScanMetric::Hamming => {
                let agree = REC_MINUS;
                g.a.vpand(agree, same, rec)?;
                g.a.vpor(t0, t0, t1)?;
                g.a.vpandn(t0, t0, rec)?;
                g.popcount_into(acc(0), t0, t2, LUT, LOW)?;
                g.popcount_into(acc(0), agree, t2, LUT_NEG, LOW)
            }
        }
    }

    /// Widen each byte accumulator in place into 32-bit lanes (unsigned: 64-bit lanes whose
    /// upper halves are zero, which the 32-bit folds treat alike).
    fn widen(&self, g: &mut Gen) -> R {
        let [t0, t1, _] = TMP;
        if self.signed() {
            g.splat_bytes(t0, 1)?;
            g.splat_words(t1)?;
            for q in 0..self.queries {
                g.a.vpmaddubsw(acc(q), t0, acc(q))?;
                g.a.vpmaddwd(acc(q), acc(q), t1)?;
            }
        } else {
            g.a.vpxor(t0, t0, t0)?;
            for q in 0..self.queries {
                g.a.vpsadbw(acc(q), acc(q), t0)?;
            }
        }
        Ok(())
    }

    /// Fold the Q widened accumulators into Q sums (in the low half of the result; a single
    /// sum in its every 32-bit lane).
    fn fold(&self, g: &mut Gen) -> Result<Ymm, EmitError> {
        let accs: Vec<Ymm> = (0..self.queries).map(acc).collect();
        fold(g, &accs, TMP[0])
    }

    /// Fold the Q widened accumulators into Q sums and store them at r8.
    fn store(&self, g: &mut Gen) -> R {
        let sums = self.fold(g)?;
        let t = TMP[0];
        if self.sequential && self.metric == ScanMetric::Hamming {
            g.a.vpaddd(sums.xmm(), sums.xmm(), NNZ.xmm())?;
        }
        if self.layout == Layout::Dense && self.metric == ScanMetric::Hamming {
            // The sums count equal lanes; padding lanes of staged operands are equal too.
            let lanes = if self.staged { VEC } else { self.dim } as u32;
            let c = g.constant(lanes.to_le_bytes().repeat(8));
            g.a.vmovdqu(t, Mem::label(c))?;
            g.a.vpsubd(sums, t, sums)?;
        }
        store_sums(g, sums, self.queries)
    }
}
