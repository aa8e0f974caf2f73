//! AArch64 NEON and DotProd scan kernels (AAPCS64); the contract is in
//! [`crate::kernels::scan`].
//!
//! Registers: x0 the current record, x1 the stride, x2 the records left, x4 the current
//! scores; query q's base in `QUERY_BASES[q]` (x3 and caller-saved registers only); x9 the
//! byte offset within a record (and x14 the offset of the -1 plane), x15/x16 the loop counters
//! of `Gen::blocked`/`Gen::counted`. v16.. hold the narrow accumulators (one set of Q per
//! chunk of a loop iteration: fewer queries get more sets, so that consecutive chunks do not
//! wait on one accumulator's latency), v24+q query q's 32-bit total; v0-v7 hold the record
//! chunk and temporaries. v8-v15 and x18 are never touched.
//!
//! Each record chunk is loaded once and combined with every query's chunk (the queries stay
//! in L1). At the end of a record the Q totals are folded with `addp` into vectors of four
//! scores and stored together.

use super::{Gen, OFFSET, R, VEC};
use crate::aarch64::{
    Addr, Cond, Size, SP, V, V0, V1, V16, V17, V18, V19, V2, V20, V21, V22, V23, V24, V25, V26,
    V27, V28, V29, V3, V30, V31, V4, V5, V6, V7, W17, X, X0, X1, X10, X11, X12, X14, X15, X17, X2,
    X3, X4, X5, X6, X7, X8,
};
use crate::kernels::scan::{ScanMetric, ScanSpec};
use crate::kernels::{KernelError, Layout, Tier};

/// The arguments: the current record, the stride, the records left, the queries' base.
const RECORD: X = X0;
const STRIDE: X = X1;
const RECORDS: X = X2;
/// The current scores.
const SCORES: X = X4;
/// Query q's base register: x3 (the argument), then caller-saved registers.
const QUERY_BASES: [X; 8] = [X3, X5, X6, X7, X8, X10, X11, X12];
/// Byte offset of the -1 plane's chunk (bitsliced): x9 plus the plane size.
const MINUS_OFFSET: X = X14;
/// The stack pointer's copy for staged operands (dense, D < 16).
const STAGE: X = X14;
/// The record chunk (dense), or the -1 plane's chunk (bitsliced).
const REC: V = V0;
/// The +1 plane's chunk, then the record's nonzero positions (bitsliced dot).
const REC_PLUS: V = V1;
/// The narrow accumulators: set s of query q is `ACCS[s * Q + q]`.
const ACCS: [V; 8] = [V16, V17, V18, V19, V20, V21, V22, V23];
/// Query q's 32-bit total.
const TOTALS: [V; 8] = [V24, V25, V26, V27, V28, V29, V30, V31];
/// Query q's chunk (dense) is in `DENSE_TEMPS[q % 4]`, its planes (bitsliced) in
/// `PLANE_TEMPS[q % 3]`.
const DENSE_TEMPS: [V; 4] = [V2, V3, V4, V5];
const PLANE_TEMPS: [(V, V); 3] = [(V2, V3), (V4, V5), (V6, V7)];

/// Generate the scan kernel for a validated AArch64 `spec`.
pub fn generate(spec: &ScanSpec) -> Result<Vec<u8>, KernelError> {
    let mut g = Gen::new(spec.tier);
    Shape::new(spec).emit(&mut g)?;
    Ok(g.a.finish()?)
}

/// How a query's narrow accumulator is added to and widened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Acc {
    /// Bytes counting equal lanes (dense hamming): `sub` of `cmeq`'s -1.
    U8,
    /// Halfwords from `uadalp` of byte popcounts (bitsliced hamming).
    U16,
    /// Halfwords from `sadalp` of signed bytes (dense dot on NEON, bitsliced dot).
    I16,
    /// Words from `sdot` (dense dot on DotProd).
    I32,
}

/// Everything about a scan kernel that is decided at generation time.
#[derive(Clone, Copy)]
struct Shape {
    metric: ScanMetric,
    layout: Layout,
    dim: usize,
    queries: usize,
    dotprod: bool,
    /// Dense operands shorter than a vector are copied to zeroed stack slots (the record's at
    /// sp, query q's 16 bytes after it), since a vector load would read past them.
    staged: bool,
    /// Accumulator sets, and chunks per loop iteration.
    sets: usize,
}

impl Shape {
    fn new(spec: &ScanSpec) -> Self {
        let dim = spec.dim as usize;
        Shape {
            metric: spec.metric,
            layout: spec.layout,
            dim,
            queries: spec.queries as usize,
            dotprod: spec.tier == Tier::DotProd,
            staged: spec.layout == Layout::Dense && dim < VEC,
            sets: (8 / spec.queries as usize).min(4),
        }
    }

    /// Query q's narrow accumulator in `set`.
    fn acc_reg(&self, set: usize, q: usize) -> V {
        ACCS[set * self.queries + q]
    }

    fn words(&self) -> usize {
        self.dim.div_ceil(64)
    }

    /// Whole 16-byte chunks per record (a short dense record is one staged chunk).
    fn full(&self) -> usize {
        match self.layout {
            Layout::Dense if self.staged => 1,
            Layout::Dense => self.dim / VEC,
            Layout::Bits => self.words() / 2,
        }
    }

    fn acc(&self) -> Acc {
        match (self.layout, self.metric) {
            (Layout::Dense, ScanMetric::Hamming) => Acc::U8,
            (Layout::Bits, ScanMetric::Hamming) => Acc::U16,
            (Layout::Dense, ScanMetric::Dot) if self.dotprod => Acc::I32,
            (_, ScanMetric::Dot) => Acc::I16,
        }
    }

    /// Chunks a narrow accumulator takes between widenings: its lane's largest value over
    /// the most one chunk adds (2 products or 2 bytes of at most 8 per halfword, 4 products
    /// per word).
    fn limit(&self) -> usize {
        let per_chunk = match (self.acc(), self.layout) {
            (Acc::U8, _) => 1,
            (Acc::I16, Layout::Dense) => 2,
            (Acc::I16 | Acc::U16, _) => 16,
            (Acc::I32, _) => 4,
        };
        let max = match self.acc() {
            Acc::U8 => u8::MAX as usize,
            Acc::U16 => u16::MAX as usize,
            Acc::I16 => i16::MAX as usize,
            Acc::I32 => i32::MAX as usize,
        };
        max / per_chunk
    }

    fn frame(&self) -> u64 {
        if self.staged {
            (VEC * (self.queries + 1)) as u64
        } else {
            0
        }
    }

    /// Where query q's chunk is (`minus`: its -1 plane's).
    fn query(&self, q: usize, minus: bool) -> Addr {
        if self.staged {
            Addr::offset(STAGE, (VEC * (q + 1)) as i64)
        } else {
            Addr::reg(QUERY_BASES[q], if minus { MINUS_OFFSET } else { OFFSET })
        }
    }

    fn record(&self, minus: bool) -> Addr {
        if self.staged {
            Addr::base(STAGE)
        } else {
            Addr::reg(RECORD, if minus { MINUS_OFFSET } else { OFFSET })
        }
    }

    fn emit(&self, g: &mut Gen) -> R {
        let done = g.a.new_label();
        g.a.cbz(RECORDS, done)?;
        self.setup(g)?;
        let record = g.a.new_label();
        g.a.bind(record)?;
        self.record_scores(g)?;
        g.a.add(RECORD, RECORD, STRIDE)?;
        g.a.add(SCORES, SCORES, 4 * self.queries as u64)?;
        g.a.subs(RECORDS, RECORDS, 1)?;
        g.a.b_cond(Cond::Ne, record)?;
        if self.frame() > 0 {
            g.a.add(SP, SP, self.frame())?;
        }
        g.a.bind(done)?;
        g.a.ret()
    }

    /// Before the first record: query bases, or staged queries.
    fn setup(&self, g: &mut Gen) -> R {
        if self.staged {
            g.a.sub(SP, SP, self.frame())?;
            g.a.mov(STAGE, SP)?;
            g.a.movi(REC.b16(), 0)?;
            for slot in 0..=self.queries {
                g.a.str(REC.q(), Addr::offset(STAGE, (VEC * slot) as i64))?;
            }
            // x15 walks the queries; `copy` uses x9, x10, x12 and x13.
            let query = X15;
            g.a.mov(query, QUERY_BASES[0])?;
            for q in 0..self.queries {
                g.copy(STAGE, VEC * (q + 1), query, 0, self.dim)?;
                g.a.add(query, query, STRIDE)?;
            }
        } else {
            for q in 1..self.queries {
                let (b, prev) = (QUERY_BASES[q], QUERY_BASES[q - 1]);
                g.a.add(b, prev, STRIDE)?;
            }
        }
        Ok(())
    }

    /// One record against every query: accumulate, widen, fold, store.
    fn record_scores(&self, g: &mut Gen) -> R {
        for (q, total) in TOTALS.iter().enumerate().take(self.queries) {
            for set in 0..self.sets {
                g.a.movi(self.acc_reg(set, q).b16(), 0)?;
            }
            g.a.movi(total.b16(), 0)?;
        }
        if self.staged {
            g.copy(STAGE, 0, RECORD, 0, self.dim)?;
        }
        g.a.movz(OFFSET, 0, 0)?;
        if self.layout == Layout::Bits {
            g.a.mov_imm(MINUS_OFFSET, 8 * self.words() as u64)?;
        }
        // Each set takes one chunk per iteration, so an accumulator gains at most `limit`
        // chunks per round; after the rounds, fewer than `limit` iterations, then one chunk
        // each for some sets (the singles, then the tail in the next set).
        let full = self.full();
        let per_block = self.limit();
        let blocks = full / (per_block * self.sets);
        let rest = full - blocks * per_block * self.sets;
        let body = |g: &mut Gen| -> R {
            for set in 0..self.sets {
                self.chunk(g, set, 16, false)?;
                self.advance(g)?;
            }
            Ok(())
        };
        let widen = |g: &mut Gen, zero: bool| -> R {
            for set in 0..self.sets {
                for q in 0..self.queries {
                    self.widen(g, set, q)?;
                    if zero {
                        g.a.movi(self.acc_reg(set, q).b16(), 0)?;
                    }
                }
            }
            Ok(())
        };
        g.blocked(blocks, per_block, 0, body, |g| widen(g, true))?;
        g.counted(rest / self.sets, 0, body)?;
        for set in 0..rest % self.sets {
            self.chunk(g, set, 16, false)?;
            self.advance(g)?;
        }
        let set = rest % self.sets;
        match self.layout {
            Layout::Dense if !self.staged && self.dim % VEC != 0 => {
                // The last 16 bytes, overlapping chunks already counted, which are masked off.
                g.a.mov_imm(OFFSET, (self.dim - VEC) as u64)?;
                self.chunk(g, set, 16, true)?;
            }
            Layout::Bits if self.words() % 2 == 1 => self.chunk(g, set, 8, false)?,
            _ => {}
        }
        widen(g, false)?;
        self.store(g)
    }

    /// Move x9 (and x14) to the next 16-byte chunk.
    fn advance(&self, g: &mut Gen) -> R {
        g.a.add(OFFSET, OFFSET, VEC as u64)?;
        if self.layout == Layout::Bits {
            g.a.add(MINUS_OFFSET, MINUS_OFFSET, VEC as u64)?;
        }
        Ok(())
    }

    /// One chunk of `bytes` (16, or 8 for a bitsliced last word, which `ldr d` zero-extends)
    /// of the record against every query, into accumulator `set`; `masked`: a dense chunk
    /// whose first `16 - D mod 16` lanes were counted already.
    fn chunk(&self, g: &mut Gen, set: usize, bytes: usize, masked: bool) -> R {
        let size = if bytes == 16 { Size::Q } else { Size::D };
        match self.layout {
            Layout::Dense => {
                g.a.ldr(REC.scalar(size), self.record(false))?;
                let (rec, mask) = (REC.b16(), V7.b16());
                if masked {
                    let [zeros, ones] = [V5, V6].map(V::b16);
                    g.a.movi(zeros, 0)?;
                    g.a.movi(ones, 0xff)?;
                    g.a.ext(mask, zeros, ones, (self.dim % VEC) as u32)?;
                    if self.metric == ScanMetric::Dot {
                        // Masked record lanes make zero products with any query.
                        g.a.and(rec, rec, mask)?;
                    }
                }
                for q in 0..self.queries {
                    let t = DENSE_TEMPS[q % 4];
                    g.a.ldr(t.scalar(size), self.query(q, false))?;
                    let (a, t) = (self.acc_reg(set, q), t.b16());
                    match self.acc() {
                        Acc::I32 => g.a.sdot(a.s4(), rec, t)?,
                        Acc::I16 => {
                            g.a.mul(t, rec, t)?;
                            g.a.sadalp(a.h8(), t)?;
                        }
                        _ => {
                            // -1 where equal; subtracting counts equal lanes.
                            g.a.cmeq(t, rec, t)?;
                            if masked {
                                g.a.and(t, t, mask)?;
                            }
                            g.a.sub(a.b16(), a.b16(), t)?;
                        }
                    }
                }
            }
            Layout::Bits => {
                g.a.ldr(REC.scalar(size), self.record(true))?;
                g.a.ldr(REC_PLUS.scalar(size), self.record(false))?;
                let (rec, rec_plus) = (REC.b16(), REC_PLUS.b16());
                if self.metric == ScanMetric::Dot {
                    // The record's nonzero positions, shared by every query.
                    g.a.orr(rec_plus, rec_plus, rec)?;
                }
                for q in 0..self.queries {
                    let (p, m) = PLANE_TEMPS[q % 3];
                    g.a.ldr(p.scalar(size), self.query(q, false))?;
                    g.a.ldr(m.scalar(size), self.query(q, true))?;
                    let (p, m) = (p.b16(), m.b16());
                    match self.metric {
                        ScanMetric::Dot => {
                            // nonzero = both nonzero; differ = nonzero where the -1 planes
                            // differ; the score adds popcount(nonzero) - 2 popcount(differ).
                            g.a.orr(p, p, m)?;
                            g.a.and(p, p, rec_plus)?;
                            g.a.eor(m, m, rec)?;
                            g.a.and(m, m, p)?;
                            g.a.cnt(p, p)?;
                            g.a.cnt(m, m)?;
                            g.a.sub(p, p, m)?;
                            g.a.sub(p, p, m)?;
                            g.a.sadalp(self.acc_reg(set, q).h8(), p)?;
                        }
                        ScanMetric::Hamming => {
                            g.a.eor(p, p, rec_plus)?;
                            g.a.eor(m, m, rec)?;
                            g.a.orr(p, p, m)?;
                            g.a.cnt(p, p)?;
                            g.a.uadalp(self.acc_reg(set, q).h8(), p)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Add query q's narrow accumulator of `set` to its 32-bit total.
    fn widen(&self, g: &mut Gen, set: usize, q: usize) -> R {
        let (a, t) = (self.acc_reg(set, q), TOTALS[q]);
        match self.acc() {
            Acc::U8 => {
                g.a.uaddlp(V2.h8(), a.b16())?;
                g.a.uadalp(t.s4(), V2.h8())
            }
            Acc::U16 => g.a.uadalp(t.s4(), a.h8()),
            Acc::I16 => g.a.sadalp(t.s4(), a.h8()),
            Acc::I32 => g.a.add(t.s4(), t.s4(), a.s4()),
        }
    }

    /// Fold the Q totals into Q scores and store them at x4.
    fn store(&self, g: &mut Gen) -> R {
        // Two rounds of addp leave four sums per vector (fewer totals are paired with
        // themselves).
        let mut level: Vec<V> = TOTALS[..self.queries].to_vec();
        for _ in 0..2 {
            let mut next = Vec::new();
            for pair in level.chunks(2) {
                let (a, b) = (pair[0].s4(), pair[pair.len() - 1].s4());
                g.a.addp(a, a, b)?;
                next.push(pair[0]);
            }
            level = next;
        }
        if self.layout == Layout::Dense && self.metric == ScanMetric::Hamming {
            // The sums count equal lanes; padding lanes of staged operands are equal too.
            let lanes = if self.staged { VEC } else { self.dim };
            g.a.mov_imm(X17, lanes as u64)?;
            g.a.dup(V2.s4(), W17)?;
            for &s in &level {
                g.a.sub(s.s4(), V2.s4(), s.s4())?;
            }
        }
        let out = Addr::base(SCORES);
        match self.queries {
            1 => g.a.str(level[0].scalar(Size::S), out),
            2 => g.a.str(level[0].d(), out),
            4 => g.a.str(level[0].q(), out),
            _ => g.a.stp(level[0].q(), level[1].q(), out),
        }
    }
}
