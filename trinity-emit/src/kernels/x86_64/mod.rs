//! x86-64 AVX2 kernel generators.
//!
//! Every kernel is specialised for its dimension: trip counts, tails and masks are decided
//! here, so the code has no length argument and no run-time case analysis. Shared shapes:
//!
//! - dense reductions (dot, hamming, cosine) accumulate per-lane `i8`/`u8` counts in several
//!   independent accumulators for at most 127 additions each, then widen them into 32- or
//!   64-bit totals; a final partial vector is an overlapping load of the last 32 bytes ANDed
//!   with a constant mask that zeroes the lanes already counted;
//! - bitsliced reductions popcount with the nibble lookup (`vpshufb`) into byte counters that
//!   are summed with `vpsadbw` every 31 vectors; a final partial vector of 1 to 3 words is
//!   loaded exactly (no byte outside the operands is touched); planes shorter than a vector
//!   count with scalar `popcnt` instead;
//! - element-wise ops (bind, bundle) compute the overlapping last vector from the original
//!   inputs before the main loop and store it after, so `out` may alias `a` or `b`;
//! - operands shorter than one vector are copied to a zeroed stack buffer first;
//! - permute is two copies (dense) or the word runs of [`rotate_plan`];
//! - the prologue is data (`frame`): the only instructions that move `rsp` or save
//!   nonvolatile registers, emitted from it, undone from it in reverse by the epilogue, and
//!   described by it as the kernel's Win64 [`unwind`](super::unwind) data.

pub mod avx512;
pub mod bundle;
pub mod bundle_avx512;
pub mod permute_by;
pub mod scan;
pub mod scan_avx512;

use super::plan::{copy_pieces, rotate_plan};
use super::unwind::{PrologueOp, PrologueStep, UnwindInfo};
use super::{CallConv, Kernel, KernelError, KernelSpec, Layout, Op, Popcount, Tier};
use crate::x86_64::{
    Assembler, Cond, Features, Gpr32, Gpr64, Gpr64::*, Gpr8, Mem, Operand, Xmm, Ymm, Ymm::*,
};
use crate::{EmitError, Label};

type R = Result<(), EmitError>;

/// Generate the x86-64 kernel for a validated `spec`: AVX2 code here, AVX-512 tiers in
/// [`avx512`] where they [`have code of their own`](avx512::has_own_code) and the variant does
/// not ask for the 256-bit code ([`Variant::ymm`](super::Variant::ymm)).
pub fn generate(spec: &KernelSpec) -> Result<Kernel, KernelError> {
    if spec.tier != Tier::Avx2 && !spec.variant.ymm && avx512::has_own_code(spec) {
        return avx512::generate(spec);
    }
    let mut g = Gen::new(spec.tier, spec.conv, frame(spec));
    let steps = g.prologue()?;
    match (spec.layout, spec.op) {
        (Layout::Dense, Op::Dot | Op::Hamming | Op::Cosine) => {
            g.dense_reduce(spec.op, spec.dim as usize, spec.variant.unroll)?
        }
        (Layout::Dense, Op::Bind | Op::Bundle) => g.dense_binary(spec.op, spec.dim as usize)?,
        (Layout::Dense, Op::Permute) => g.dense_permute(spec.dim as usize, spec.shift as usize)?,
        (Layout::Bits, Op::Dot | Op::Hamming | Op::Cosine) => {
            let (op, dim) = (spec.op, spec.dim as usize);
            match popcount(spec) {
                Popcount::Nibble => g.bits_reduce(op, dim, spec.variant.unroll)?,
                Popcount::HarleySeal => g.bits_reduce_harley_seal(op, dim)?,
                Popcount::Scalar => g.bits_reduce_popcnt(op, dim)?,
            }
        }
        (Layout::Bits, Op::Bind | Op::Bundle) => g.bits_binary(spec.op, spec.dim as usize)?,
        (Layout::Bits, Op::Permute) => g.bits_permute(spec.dim, spec.shift)?,
    }
    let unwind = match spec.conv {
        CallConv::Win64 if !steps.is_empty() => Some(UnwindInfo::new(steps)?),
        _ => None,
    };
    Ok(Kernel { spec: *spec, code: g.finish()?, unwind })
}

/// The prologue of `spec`'s kernel, in order: every instruction that moves `rsp` or saves a
/// nonvolatile register. The body never moves `rsp`, so these (and the epilogue, which undoes
/// them in reverse) are all a Win64 unwinder needs to know.
///
/// - Win64 keeps rdi and rsi callee-saved: pushed first when `rep movsb` or the scalar
///   popcount variant needs them;
/// - one allocation holds the stack scratch at `[rsp, rsp + 96)` for short dense operands,
///   then, on Win64, the xmm6-xmm15 save area, padded so that `rsp` is 16-byte aligned after
///   the prologue (Win64 frames keep it so, and the unwinder restores xmm slots as aligned
///   128-bit values; `rsp` is 8 mod 16 at entry);
/// - on Win64, xmm6-xmm15 saved above the scratch.
fn frame(spec: &KernelSpec) -> Vec<PrologueOp> {
    let (dim, win64) = (spec.dim as usize, spec.conv == CallConv::Win64);
    let mut ops = Vec::new();
    let dense = spec.layout == Layout::Dense;
    let rep_movsb = dense && spec.op == Op::Permute && uses_rep_movsb(dim, spec.shift as usize);
    // The scalar popcount variant needs every volatile GPR System V has.
    let scalar = popcount(spec) == Popcount::Scalar;
    if win64 && (rep_movsb || scalar) {
        ops.extend([PrologueOp::Push(Rdi), PrologueOp::Push(Rsi)]);
    }
    let scratch = if dense && spec.op != Op::Permute && staged(dim) { STACK_SCRATCH } else { 0 };
    let mut alloc = scratch;
    if win64 {
        alloc += WIN64_SAVE;
        let depth = 8 + 8 * ops.len() as u32 + alloc;
        alloc += depth.next_multiple_of(16) - depth;
    }
    if alloc > 0 {
        ops.push(PrologueOp::Alloc(alloc));
    }
    if win64 {
        ops.extend((0..10).map(|i| PrologueOp::SaveXmm(Xmm::ALL[6 + i], scratch + 16 * i as u32)));
    }
    ops
}

/// Whether bitsliced planes of `dim` trits are shorter than one vector. Their reductions then
/// count with scalar `popcnt` whatever the variant: a vector lookup would count mostly zeros
/// (at D = 64, 8.5 ns against 12.9 ns for the nibble lookup on an AMD Zen 3; from 4 words on
/// the lookup wins). Every variant of such a spec gives these same bytes.
fn short_planes(dim: u32) -> bool {
    (dim as usize).div_ceil(64) * 8 < VEC
}

/// The popcount method `spec`'s kernel uses: its variant's, except on [`short_planes`].
fn popcount(spec: &KernelSpec) -> Popcount {
    match spec.layout == Layout::Bits && short_planes(spec.dim) {
        true => Popcount::Scalar,
        false => spec.variant.popcount,
    }
}

/// Dense reductions and element-wise ops stage operands shorter than a vector in stack scratch.
fn staged(dim: usize) -> bool {
    dim < VEC
}

/// A dense permute copies `len` bytes with `rep movsb` from [`REP_MOVSB_MIN`] on.
fn long_copy(len: usize) -> bool {
    len >= REP_MOVSB_MIN
}

/// A dense permute by `k` uses `rep movsb` when either of its two copies is long.
fn uses_rep_movsb(dim: usize, k: usize) -> bool {
    long_copy(dim - k) || long_copy(k)
}

/// Bytes per vector.
const VEC: usize = 32;
/// Scratch bytes on the stack for operands shorter than a vector (two inputs and an output).
const STACK_SCRATCH: u32 = 3 * VEC as u32;
/// Dense permutes of at least this many bytes copy with `rep movsb` (fast-string hardware
/// wins over vector loops from a few KiB on).
const REP_MOVSB_MIN: usize = 4096;
/// Win64 keeps xmm6-xmm15 callee-saved: their save area.
const WIN64_SAVE: u32 = 10 * 16;

struct Gen {
    a: Assembler,
    conv: CallConv,
    /// The prologue, from [`frame`].
    frame: Vec<PrologueOp>,
    /// Constant tables placed after the code: (label, bytes).
    consts: Vec<(Label, Vec<u8>)>,
}

/// A bitsliced plane: `a`'s +1 and -1 planes, then `b`'s.
#[derive(Clone, Copy)]
enum Plane {
    Ap,
    Am,
    Bp,
    Bm,
}

impl Plane {
    const ALL: [Plane; 4] = [Plane::Ap, Plane::Am, Plane::Bp, Plane::Bm];

    /// The plane's base register and offset, given the operands and the -1 plane's offset.
    fn of(self, a: Gpr64, b: Gpr64, minus: usize) -> (Gpr64, usize) {
        match self {
            Plane::Ap => (a, 0),
            Plane::Am => (a, minus),
            Plane::Bp => (b, 0),
            Plane::Bm => (b, minus),
        }
    }
}

#[derive(Clone, Copy)]
enum Logic {
    And,
    Or,
    Xor,
}

/// What a bitsliced reduction counts: the positions where `logic` of any one of the term's
/// pairs of planes is set ([`Term::formula`]).
#[derive(Clone, Copy)]
enum Term {
    /// Both nonzero with the same sign (product +1).
    Agree,
    /// Both nonzero with opposite signs (product -1).
    Differ,
    /// The trits differ.
    Unequal,
    /// `a` is nonzero.
    NonzeroA,
    /// `b` is nonzero.
    NonzeroB,
}

impl Term {
    fn formula(self) -> (Logic, &'static [(Plane, Plane)]) {
        use Plane::*;
        match self {
            Term::Agree => (Logic::And, &[(Ap, Bp), (Am, Bm)]),
            Term::Differ => (Logic::And, &[(Ap, Bm), (Am, Bp)]),
            Term::Unequal => (Logic::Xor, &[(Ap, Bp), (Am, Bm)]),
            Term::NonzeroA => (Logic::Or, &[(Ap, Am)]),
            Term::NonzeroB => (Logic::Or, &[(Bp, Bm)]),
        }
    }
}

/// The sums a bitsliced reduction computes, each of term counts with a sign (`true`:
/// subtracted): the result for dot and hamming; for cosine the dot, then each operand's count of
/// nonzero trits.
fn sums(op: Op) -> Vec<Vec<(Term, bool)>> {
    let dot = vec![(Term::Agree, false), (Term::Differ, true)];
    match op {
        Op::Hamming => vec![vec![(Term::Unequal, false)]],
        Op::Dot => vec![dot],
        _ => vec![dot, vec![(Term::NonzeroA, false)], vec![(Term::NonzeroB, false)]],
    }
}

/// How a reduction combines its accumulators into the result.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Finish {
    Dot,
    Hamming,
    Cosine,
}

fn at(base: Gpr64, disp: usize) -> Mem {
    Mem::base(base).disp(disp as i32)
}

fn at_index(base: Gpr64, index: Gpr64, disp: usize) -> Mem {
    Mem::base(base).index(index, 1).disp(disp as i32)
}

/// The CPU features the code of an x86-64 `tier` may use, and so what a CPU needs for the tier
/// (docs/design.md §4): `avx2` is AVX, AVX2 and POPCNT (scalar popcounts of short planes and
/// the `popcnt` variant); `avx512` adds AVX-512 F and BW (no kernel has an EVEX.128/256 form,
/// so not VL); `avx512vpopcnt` adds VPOPCNTDQ. Each set contains the one below: a CPU of a
/// tier also runs the lower tiers' code ([`Tier::runs`]). The AArch64 tiers have no x86 code:
/// the empty set.
pub fn tier_features(tier: Tier) -> Features {
    let avx2 = Features::AVX.with(Features::AVX2).with(Features::POPCNT);
    let avx512 = avx2.with(Features::AVX512F).with(Features::AVX512BW);
    match tier {
        Tier::Avx2 => avx2,
        Tier::Avx512 => avx512,
        Tier::Avx512Vpopcnt => avx512.with(Features::AVX512VPOPCNTDQ),
        Tier::Neon | Tier::DotProd => Features::BASE,
    }
}

impl Gen {
    /// A generator whose assembler refuses instructions beyond `tier`.
    fn new(tier: Tier, conv: CallConv, frame: Vec<PrologueOp>) -> Self {
        Gen { a: Assembler::for_features(tier_features(tier)), conv, frame, consts: Vec::new() }
    }

    /// Argument registers: (first, second, third).
    fn args(&self) -> [Gpr64; 3] {
        match self.conv {
            CallConv::Native => [Rdi, Rsi, Rdx],
            CallConv::Win64 => [Rcx, Rdx, R8],
        }
    }

    /// Emit the [`frame`], recording where each instruction ends.
    fn prologue(&mut self) -> Result<Vec<PrologueStep>, EmitError> {
        let mut steps = Vec::new();
        for op in self.frame.clone() {
            match op {
                PrologueOp::Push(r) => self.a.push(r)?,
                PrologueOp::Alloc(bytes) => self.a.sub(Rsp, bytes as i32)?,
                PrologueOp::SaveXmm(x, offset) => self.a.vmovdqu(at(Rsp, offset as usize), x)?,
            }
            steps.push(PrologueStep { op, end: self.a.offset() });
        }
        Ok(steps)
    }

    /// Undo the [`frame`] in reverse and return. `vzeroupper` comes first: a Win64 epilogue
    /// must be exactly `add rsp`, pops and `ret` for the unwinder to recognise it.
    fn epilogue(&mut self) -> R {
        self.a.vzeroupper()?;
        for op in self.frame.clone().into_iter().rev() {
            match op {
                PrologueOp::Push(r) => self.a.pop(r)?,
                PrologueOp::Alloc(bytes) => self.a.add(Rsp, bytes as i32)?,
                PrologueOp::SaveXmm(x, offset) => self.a.vmovdqu(x, at(Rsp, offset as usize))?,
            }
        }
        self.a.ret()
    }

    /// A counted loop: `body` runs `count` times (r10 counts down) and r9, the byte offset,
    /// grows by `step` after each run. Emits nothing when `count` is 0.
    fn counted(&mut self, count: usize, step: usize, mut body: impl FnMut(&mut Gen) -> R) -> R {
        if count == 0 {
            return Ok(());
        }
        self.a.mov(R10, count as i32)?;
        let top = self.a.new_label();
        self.a.align(16)?;
        self.a.bind(top)?;
        body(self)?;
        self.a.add(R9, step as i32)?;
        self.a.dec(R10)?;
        self.a.jcc(Cond::Ne, top)
    }

    /// `blocks` rounds (r11 counts down) of a [`counted`](Self::counted) loop of `per_block`
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
        self.a.mov(R11, blocks as i32)?;
        let outer = self.a.new_label();
        self.a.bind(outer)?;
        self.counted(per_block, step, &mut body)?;
        flush(self)?;
        self.a.dec(R11)?;
        self.a.jcc(Cond::Ne, outer)
    }

    /// A label for a constant table placed after the code.
    fn constant(&mut self, bytes: Vec<u8>) -> Label {
        if let Some((label, _)) = self.consts.iter().find(|(_, b)| *b == bytes) {
            return *label;
        }
        let label = self.a.new_label();
        self.consts.push((label, bytes));
        label
    }

    fn finish(mut self) -> Result<Vec<u8>, EmitError> {
        for (label, bytes) in std::mem::take(&mut self.consts) {
            self.a.align(32)?;
            self.a.bind(label)?;
            self.a.data(&bytes);
        }
        self.a.finish()
    }

    /// Broadcast a byte into all lanes of `dst` (from a constant).
    fn splat_bytes(&mut self, dst: Ymm, byte: u8) -> R {
        let table = self.constant(vec![byte; VEC]);
        self.a.vmovdqu(dst, Mem::label(table))
    }

    /// `dst` = mask keeping the last `keep` of 32 byte lanes.
    fn tail_mask(&mut self, dst: Ymm, keep: usize) -> R {
        let mut bytes = vec![0u8; VEC];
        bytes[VEC - keep..].fill(0xff);
        let table = self.constant(bytes);
        self.a.vmovdqu(dst, Mem::label(table))
    }

    /// Copy `len` bytes (`len` < 32 or any length) from `src + s` to `dst + d` with the
    /// overlapping pieces of [`copy_pieces`], or, past 8 vectors, a loop; uses rax and ymm0-8
    /// (ymm15/xmm15 for pieces).
    fn copy_bytes(&mut self, dst: (Gpr64, usize), src: (Gpr64, usize), len: usize) -> R {
        let (d, doff) = dst;
        let (s, soff) = src;
        if len / VEC > 8 {
            // Four vectors a turn with the stores on 32-byte boundaries of the destination,
            // found at run time (a store split across cache lines costs more than the loop's
            // own work): rax starts at the bytes to the first boundary, 0..=31. The first
            // vector and the last four, loaded before the loop and stored after it, cover
            // the skipped head and the tail the loop stops short of.
            let tail = len - 4 * VEC;
            self.a.vmovdqu(Y4, at(s, soff))?;
            for k in 0..4 {
                self.a.vmovdqu(Ymm::ALL[5 + k], at(s, soff + tail + k * VEC))?;
            }
            self.a.lea(Rax, at(d, doff))?;
            self.a.neg(Rax)?;
            self.a.and(Rax, (VEC - 1) as i32)?;
            let top = self.a.new_label();
            self.a.align(16)?;
            self.a.bind(top)?;
            for k in 0..4 {
                self.a.vmovdqu(Ymm::ALL[k], at_index(s, Rax, soff + k * VEC))?;
            }
            for k in 0..4 {
                self.a.vmovdqu(at_index(d, Rax, doff + k * VEC), Ymm::ALL[k])?;
            }
            self.a.add(Rax, (4 * VEC) as i32)?;
            // rax <= 31 < tail (len >= 288), so the loop runs at least once: test at the bottom.
            self.a.cmp(Rax, tail as i32)?;
            self.a.jcc(Cond::B, top)?;
            for k in 0..4 {
                self.a.vmovdqu(at(d, doff + tail + k * VEC), Ymm::ALL[5 + k])?;
            }
            return self.a.vmovdqu(at(d, doff), Y4);
        }
        for (off, size) in copy_pieces(len, VEC) {
            let (from, to) = (at(s, soff + off), at(d, doff + off));
            match size {
                32 => {
                    self.a.vmovdqu(Y15, from)?;
                    self.a.vmovdqu(to, Y15)?;
                }
                16 => {
                    self.a.vmovdqu(Xmm::X15, from)?;
                    self.a.vmovdqu(to, Xmm::X15)?;
                }
                8 => {
                    self.a.mov(Rax, from)?;
                    self.a.mov(to, Rax)?;
                }
                4 => {
                    self.a.mov(Gpr32::Eax, from)?;
                    self.a.mov(to, Gpr32::Eax)?;
                }
                _ => {
                    for k in 0..size {
                        self.a.mov(Gpr8::Al, at(s, soff + off + k))?;
                        self.a.mov(at(d, doff + off + k), Gpr8::Al)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Zero the stack scratch area (three 32-byte slots the [`frame`] reserved at `rsp`), and
    /// copy the first `len` bytes of each input into its slot. Returns each input's new (base,
    /// offset); clobbers rax and ymm15.
    fn stage_short(
        &mut self,
        inputs: &[Gpr64],
        len: usize,
    ) -> Result<Vec<(Gpr64, usize)>, EmitError> {
        self.a.vpxor(Y15, Y15, Y15)?;
        for k in 0..3 {
            self.a.vmovdqu(at(Rsp, k * VEC), Y15)?;
        }
        let mut staged = Vec::new();
        for (k, &input) in inputs.iter().enumerate() {
            self.copy_bytes((Rsp, k * VEC), (input, 0), len)?;
            staged.push((Rsp, k * VEC));
        }
        Ok(staged)
    }

    // ---- dense -------------------------------------------------------------------------

    /// Per-lane terms of a dense reduction for inputs in `va`, `vb`, written to `terms`.
    fn dense_terms(&mut self, op: Op, va: Ymm, vb: Ymm, terms: &[Ymm]) -> R {
        match op {
            Op::Dot => self.a.vpsignb(terms[0], va, vb),
            // vpcmpeqb gives -1 where equal; the accumulator subtracts it.
            Op::Hamming => self.a.vpcmpeqb(terms[0], va, vb),
            _ => {
                self.a.vpsignb(terms[0], va, vb)?;
                self.a.vpabsb(terms[1], va)?;
                self.a.vpabsb(terms[2], vb)
            }
        }
    }

    /// A dense reduction with `unroll` independent accumulators per quantity (0: the default,
    /// 4, or 2 for cosine).
    fn dense_reduce(&mut self, op: Op, dim: usize, unroll: u8) -> R {
        let [a0, b0, _] = self.args();
        let short = staged(dim);
        let (a, aoff, b, boff, lanes) = if short {
            let staged = self.stage_short(&[a0, b0], dim)?;
            (staged[0].0, staged[0].1, staged[1].0, staged[1].1, VEC)
        } else {
            (a0, 0, b0, 0, dim)
        };
        // Quantities: dot -> 1, hamming -> 1, cosine -> 3. Accumulator layout:
        // narrow accumulators Y0.. (unroll x quantities), wide totals after them, temporaries
        // Y12..Y15.
        let quantities = if op == Op::Cosine { 3 } else { 1 };
        let unroll = match (unroll, op) {
            (0, Op::Cosine) => 2,
            (0, _) => 4,
            (u, _) => usize::from(u),
        };
        let narrow = |u: usize, q: usize| Ymm::ALL[u * quantities + q];
        let wide = |q: usize| Ymm::ALL[unroll * quantities + q];
        let (ta, tb) = (Y12, Y13);
        let terms = [Y14, Y15, Y11];
        let ones = Y10;
        for r in 0..unroll * quantities + quantities {
            self.a.vpxor(Ymm::ALL[r], Ymm::ALL[r], Ymm::ALL[r])?;
        }
        let finish = match op {
            Op::Dot => Finish::Dot,
            Op::Hamming => Finish::Hamming,
            _ => Finish::Cosine,
        };
        if finish != Finish::Hamming {
            self.splat_bytes(ones, 1)?;
        }
        let full = lanes / VEC;
        let rem = lanes % VEC;
        // i8 accumulators take at most 127 additions between flushes.
        let per_block = 127 * unroll;
        let blocks = full / per_block;
        let rest = full % per_block;
        let add_vector =
            |g: &mut Gen, base_disp: usize, indexed: bool, u: usize, mask: Option<Ymm>| -> R {
                let (ma, mb) = if indexed {
                    (at_index(a, R9, aoff + base_disp), at_index(b, R9, boff + base_disp))
                } else {
                    (at(a, aoff + base_disp), at(b, boff + base_disp))
                };
                g.a.vmovdqu(ta, ma)?;
                g.a.vmovdqu(tb, mb)?;
                g.dense_terms(op, ta, tb, &terms[..quantities])?;
                for (q, &term) in terms[..quantities].iter().enumerate() {
                    if let Some(m) = mask {
                        g.a.vpand(term, term, m)?;
                    }
                    if finish == Finish::Hamming {
                        g.a.vpsubb(narrow(u, q), narrow(u, q), term)?;
                    } else {
                        g.a.vpaddb(narrow(u, q), narrow(u, q), term)?;
                    }
                }
                Ok(())
            };
        let flush = |g: &mut Gen| -> R {
            for u in 0..unroll {
                for q in 0..quantities {
                    let acc = narrow(u, q);
                    if finish == Finish::Hamming {
                        g.a.vpxor(ta, ta, ta)?;
                        g.a.vpsadbw(acc, acc, ta)?;
                        g.a.vpaddq(wide(q), wide(q), acc)?;
                    } else {
                        // i8 lanes -> i16 pairs -> i32 quads.
                        g.a.vpmaddubsw(acc, ones, acc)?;
                        g.splat_words(tb)?;
                        g.a.vpmaddwd(acc, acc, tb)?;
                        g.a.vpaddd(wide(q), wide(q), acc)?;
                    }
                    g.a.vpxor(acc, acc, acc)?;
                }
            }
            Ok(())
        };
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        let unrolled = |g: &mut Gen| -> R {
            for u in 0..unroll {
                add_vector(g, u * VEC, true, u, None)?;
            }
            Ok(())
        };
        self.blocked(blocks, 127, unroll * VEC, unrolled, flush)?;
        let iterations = rest / unroll;
        self.counted(iterations, unroll * VEC, unrolled)?;
        // The last few whole vectors, one per accumulator (each stays within 127 additions).
        let done = blocks * per_block + iterations * unroll;
        for (u, v) in (done..full).enumerate() {
            add_vector(self, v * VEC, false, u, None)?;
        }
        if rem > 0 {
            // Overlapping last vector; lanes already counted are masked off.
            let last = unroll - 1;
            self.tail_mask(Y9, rem)?;
            add_vector(self, lanes - VEC, false, last, Some(Y9))?;
        }
        flush(self)?;
        // Horizontal sums into rax (and r9, r10 for cosine).
        for (q, out) in [Rax, R9, R10].into_iter().take(quantities).enumerate() {
            self.hsum(wide(q), finish == Finish::Hamming, out)?;
        }
        match finish {
            Finish::Dot => {}
            Finish::Hamming => {
                // Lanes processed minus lanes equal (padding lanes of a short operand are equal).
                self.a.neg(Rax)?;
                self.a.add(Rax, lanes as i32)?;
            }
            Finish::Cosine => self.cosine_from(Rax, R9, R10)?,
        }
        self.epilogue()
    }

    /// `dst` = 16-bit ones in every lane (from a constant).
    fn splat_words(&mut self, dst: Ymm) -> R {
        let table = self.constant([1u8, 0].repeat(VEC / 2));
        self.a.vmovdqu(dst, Mem::label(table))
    }

    /// Sum the lanes of `v` (i32 lanes, or u64 lanes when `qwords`) into `out`, sign-extended.
    fn hsum(&mut self, v: Ymm, qwords: bool, out: Gpr64) -> R {
        self.hsum_with(v, Xmm::X15, qwords, out)
    }

    /// [`hsum`](Self::hsum) with `scratch` as its scratch register.
    fn hsum_with(&mut self, v: Ymm, scratch: Xmm, qwords: bool, out: Gpr64) -> R {
        let (x, t) = (v.xmm(), scratch);
        self.a.vextracti128(t, v, 1)?;
        if qwords {
            self.a.vpaddq(x, x, t)?;
            self.a.vpshufd(t, x, 0x4e)?;
            self.a.vpaddq(x, x, t)?;
            self.a.vmovq(out, x)
        } else {
            self.a.vpaddd(x, x, t)?;
            self.a.vpshufd(t, x, 0x4e)?;
            self.a.vpaddd(x, x, t)?;
            self.a.vpshufd(t, x, 0xb1)?;
            self.a.vpaddd(x, x, t)?;
            self.a.vmovd(out.d(), x)?;
            self.a.movsxd(out, out.d())
        }
    }

    /// xmm0 = dot / sqrt(aa * bb), or 0.0 when aa or bb is zero (the reference's formula).
    fn cosine_from(&mut self, dot: Gpr64, aa: Gpr64, bb: Gpr64) -> R {
        let zero = self.a.new_label();
        let end = self.a.new_label();
        self.a.vxorpd(Xmm::X0, Xmm::X0, Xmm::X0)?;
        self.a.test(aa, aa)?;
        self.a.jcc(Cond::E, zero)?;
        self.a.test(bb, bb)?;
        self.a.jcc(Cond::E, zero)?;
        self.a.vxorpd(Xmm::X1, Xmm::X1, Xmm::X1)?;
        self.a.vxorpd(Xmm::X2, Xmm::X2, Xmm::X2)?;
        self.a.vcvtsi2sd(Xmm::X0, Xmm::X0, dot)?;
        self.a.vcvtsi2sd(Xmm::X1, Xmm::X1, aa)?;
        self.a.vcvtsi2sd(Xmm::X2, Xmm::X2, bb)?;
        self.a.vmulsd(Xmm::X1, Xmm::X1, Xmm::X2)?;
        self.a.vsqrtsd(Xmm::X1, Xmm::X1, Xmm::X1)?;
        self.a.vdivsd(Xmm::X0, Xmm::X0, Xmm::X1)?;
        self.a.jmp(end)?;
        self.a.bind(zero)?;
        self.a.vxorpd(Xmm::X0, Xmm::X0, Xmm::X0)?;
        self.a.bind(end)
    }

    /// One vector of a dense element-wise op.
    fn dense_lane(&mut self, op: Op, dst: Ymm, va: Ymm, vb: Ymm, ones: Ymm) -> R {
        match op {
            Op::Bind => self.a.vpsignb(dst, va, vb),
            _ => {
                self.a.vpaddb(dst, va, vb)?;
                self.a.vpsignb(dst, ones, dst)
            }
        }
    }

    fn dense_binary(&mut self, op: Op, dim: usize) -> R {
        let [out0, a0, b0] = self.args();
        let ones = Y10;
        self.splat_bytes(ones, 1)?;
        if staged(dim) {
            let staged = self.stage_short(&[a0, b0], dim)?;
            self.a.vmovdqu(Y0, at(staged[0].0, staged[0].1))?;
            self.a.vmovdqu(Y1, at(staged[1].0, staged[1].1))?;
            self.dense_lane(op, Y2, Y0, Y1, ones)?;
            self.a.vmovdqu(at(Rsp, 2 * VEC), Y2)?;
            self.copy_bytes((out0, 0), (Rsp, 2 * VEC), dim)?;
            return self.epilogue();
        }
        let full = dim / VEC;
        let rem = dim % VEC;
        if rem > 0 {
            // The overlapping last vector, from the original inputs, before anything is stored.
            self.a.vmovdqu(Y0, at(a0, dim - VEC))?;
            self.a.vmovdqu(Y1, at(b0, dim - VEC))?;
            self.dense_lane(op, Y11, Y0, Y1, ones)?;
        }
        let unroll = 4;
        let iterations = full / unroll;
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        self.counted(iterations, unroll * VEC, |g| {
            for u in 0..unroll {
                let (va, vb) = (Ymm::ALL[2 * u], Ymm::ALL[2 * u + 1]);
                g.a.vmovdqu(va, at_index(a0, R9, u * VEC))?;
                g.a.vmovdqu(vb, at_index(b0, R9, u * VEC))?;
                g.dense_lane(op, va, va, vb, ones)?;
                g.a.vmovdqu(at_index(out0, R9, u * VEC), va)?;
            }
            Ok(())
        })?;
        for v in iterations * unroll..full {
            self.a.vmovdqu(Y0, at(a0, v * VEC))?;
            self.a.vmovdqu(Y1, at(b0, v * VEC))?;
            self.dense_lane(op, Y0, Y0, Y1, ones)?;
            self.a.vmovdqu(at(out0, v * VEC), Y0)?;
        }
        if rem > 0 {
            self.a.vmovdqu(at(out0, dim - VEC), Y11)?;
        }
        self.epilogue()
    }

    fn dense_permute(&mut self, dim: usize, k: usize) -> R {
        let [mut out, mut v, _] = self.args();
        // out[k..] = v[..dim - k]; out[..k] = v[dim - k..]. Each copy picks its own method:
        // a `rep movsb` of a few bytes costs more in start-up than it moves.
        if uses_rep_movsb(dim, k) {
            // `rep movsb` takes rdi, rsi and rcx, which hold arguments in one convention or
            // the other: move the pointers to r10/r11 (volatile in both). (Win64 keeps rdi and
            // rsi callee-saved: the frame pushed them.)
            self.a.mov(R10, out)?;
            self.a.mov(R11, v)?;
            (out, v) = (R10, R11);
        }
        for (dst, src, len) in [((out, k), (v, 0), dim - k), ((out, 0), (v, dim - k), k)] {
            if !long_copy(len) {
                self.copy_bytes(dst, src, len)?;
                continue;
            }
            self.a.lea(Rdi, at(dst.0, dst.1))?;
            self.a.lea(Rsi, at(src.0, src.1))?;
            self.aligned_rep_movsb(len as i32)?;
        }
        self.epilogue()
    }

    /// Copy `len` bytes (at least 64; an immediate, or a register other than rax, rcx, rdi and
    /// rsi) from rsi to rdi with `rep movsb` started at the first 64-byte boundary of the
    /// destination (fast-string copies run fastest with whole destination lines); the skipped
    /// head is copied by two vectors loaded first and stored last. Clobbers rax, rcx, rdi,
    /// rsi, ymm0 and ymm1.
    fn aligned_rep_movsb(&mut self, len: impl Into<Operand>) -> R {
        self.a.vmovdqu(Y0, at(Rsi, 0))?;
        self.a.vmovdqu(Y1, at(Rsi, VEC))?;
        self.a.mov(Rax, Rdi)?;
        self.a.add(Rdi, 64)?;
        self.a.and(Rdi, -64)?;
        self.a.mov(Rcx, Rdi)?;
        self.a.sub(Rcx, Rax)?;
        self.a.add(Rsi, Rcx)?;
        self.a.neg(Rcx)?;
        self.a.add(Rcx, len)?;
        self.a.rep_movsb()?;
        self.a.vmovdqu(at(Rax, 0), Y0)?;
        self.a.vmovdqu(at(Rax, VEC), Y1)
    }

    // ---- bitsliced ---------------------------------------------------------------------

    /// Load words `word..word + count` (count 1..=4) of a plane at `base + plane_off` into `dst`,
    /// zero-filling the lanes past `count` and reading nothing past them.
    fn load_words(
        &mut self,
        dst: Ymm,
        base: Gpr64,
        index: Option<Gpr64>,
        disp: usize,
        count: usize,
    ) -> R {
        let m = |d: usize| match index {
            Some(i) => at_index(base, i, d),
            None => at(base, d),
        };
        match count {
            4 => self.a.vmovdqu(dst, m(disp)),
            2 => self.a.vmovdqu(dst.xmm(), m(disp)),
            1 => self.a.vmovq(dst.xmm(), m(disp)),
            3 => {
                self.a.vmovq(Xmm::X15, m(disp + 16))?;
                self.a.vmovdqu(dst.xmm(), m(disp))?;
                self.a.vinserti128(dst, dst, Xmm::X15, 1)
            }
            _ => unreachable!("1 to 4 words"),
        }
    }

    /// Store the low `count` words of `src` (count 1..=4).
    fn store_words(
        &mut self,
        src: Ymm,
        base: Gpr64,
        index: Option<Gpr64>,
        disp: usize,
        count: usize,
    ) -> R {
        let m = |d: usize| match index {
            Some(i) => at_index(base, i, d),
            None => at(base, d),
        };
        match count {
            4 => self.a.vmovdqu(m(disp), src),
            2 => self.a.vmovdqu(m(disp), src.xmm()),
            1 => self.a.vmovq(m(disp), src.xmm()),
            3 => {
                self.a.vmovdqu(m(disp), src.xmm())?;
                self.a.vextracti128(Xmm::X15, src, 1)?;
                self.a.vmovq(m(disp + 16), Xmm::X15)
            }
            _ => unreachable!("1 to 4 words"),
        }
    }

    /// Per-byte popcounts of the low and high nibbles of `v`, left in `v` and `tmp` (`lut` and
    /// `low` preloaded).
    fn nibble_counts(&mut self, v: Ymm, tmp: Ymm, lut: Ymm, low: Ymm) -> R {
        self.a.vpsrlw(tmp, v, 4)?;
        self.a.vpand(v, v, low)?;
        self.a.vpand(tmp, tmp, low)?;
        self.a.vpshufb(v, lut, v)?;
        self.a.vpshufb(tmp, lut, tmp)
    }

    /// Per-byte popcount of `v` added to `acc` (nibble lookup; `lut` and `low` preloaded).
    fn popcount_into(&mut self, acc: Ymm, v: Ymm, tmp: Ymm, lut: Ymm, low: Ymm) -> R {
        self.nibble_counts(v, tmp, lut, low)?;
        self.a.vpaddb(acc, acc, v)?;
        self.a.vpaddb(acc, acc, tmp)
    }

    /// Load the nibble popcount table (once per 128-bit lane: `vpshufb` looks up within lanes).
    fn nibble_table(&mut self, dst: Ymm) -> R {
        let table: Vec<u8> = (0u8..32).map(|n| (n % 16).count_ones() as u8).collect();
        let label = self.constant(table);
        self.a.vmovdqu(dst, Mem::label(label))
    }

    /// `dst` = the vector `term` of bitsliced reductions, for four words of each plane; `src`
    /// gives each plane's operand (a register, or memory, which is loaded into `dst` or `tmp`
    /// first). Clobbers `tmp`.
    fn term(&mut self, term: Term, dst: Ymm, tmp: Ymm, src: &dyn Fn(Plane) -> Operand) -> R {
        let (logic, pairs) = term.formula();
        for (k, &(x, y)) in pairs.iter().enumerate() {
            let d = if k == 0 { dst } else { tmp };
            let x = match src(x) {
                Operand::Ymm(x) => x,
                memory => {
                    self.a.vmovdqu(d, memory)?;
                    d
                }
            };
            match logic {
                Logic::And => self.a.vpand(d, x, src(y))?,
                Logic::Or => self.a.vpor(d, x, src(y))?,
                Logic::Xor => self.a.vpxor(d, x, src(y))?,
            }
            if k > 0 {
                self.a.vpor(dst, dst, tmp)?;
            }
        }
        Ok(())
    }

    /// The nibble-lookup reduction, `unroll` vectors per loop iteration (0: one).
    fn bits_reduce(&mut self, op: Op, dim: usize, unroll: u8) -> R {
        let [a, b, _] = self.args();
        let words = dim.div_ceil(64);
        let minus = 8 * words;
        // Y0..: byte counters per quantity; Y4..: u64 totals; Y8..Y11 inputs; Y12 tmp,
        // Y13 tmp, Y14 lut, Y15 low-nibble mask (also load_words' xmm15 scratch for 3-word
        // tails, after which it is reloaded).
        let counted_terms: &[(usize, Term)] = match op {
            Op::Hamming => &[(0, Term::Unequal)],
            Op::Dot => &[(0, Term::Agree), (1, Term::Differ)],
            _ => &[(2, Term::NonzeroA), (3, Term::NonzeroB), (0, Term::Agree), (1, Term::Differ)],
        };
        let quantities = counted_terms.len();
        let counter = |q: usize| Ymm::ALL[q];
        let total = |q: usize| Ymm::ALL[4 + q];
        let planes = [Y8, Y9, Y10, Y11];
        let (t0, t1, lut, low) = (Y12, Y13, Y14, Y15);
        for q in 0..quantities {
            self.a.vpxor(counter(q), counter(q), counter(q))?;
            self.a.vpxor(total(q), total(q), total(q))?;
        }
        self.nibble_table(lut)?;
        let load_low = |g: &mut Gen| -> R {
            let l = g.constant(vec![0x0f; VEC]);
            g.a.vmovdqu(low, Mem::label(l))
        };
        load_low(self)?;
        let body = |g: &mut Gen, index: Option<Gpr64>, disp: usize, count: usize| -> R {
            for (plane, reg) in Plane::ALL.into_iter().zip(planes) {
                let (base, off) = plane.of(a, b, minus);
                g.load_words(reg, base, index, off + disp, count)?;
            }
            if count == 3 {
                // load_words used xmm15 (the low-nibble mask) as scratch.
                load_low(g)?;
            }
            let src = |p: Plane| Operand::Ymm(planes[p as usize]);
            for &(q, term) in counted_terms {
                g.term(term, t0, t1, &src)?;
                g.popcount_into(counter(q), t0, t1, lut, low)?;
            }
            Ok(())
        };
        let flush = |g: &mut Gen| -> R {
            g.a.vpxor(t0, t0, t0)?;
            for q in 0..quantities {
                g.a.vpsadbw(counter(q), counter(q), t0)?;
                g.a.vpaddq(total(q), total(q), counter(q))?;
                g.a.vpxor(counter(q), counter(q), counter(q))?;
            }
            Ok(())
        };
        // Byte counters take at most 8 per vector: flush every 31 vectors (or fewer, a whole
        // number of unrolled iterations).
        let unroll = usize::from(unroll.max(1));
        let per_block = 31 / unroll;
        let vectors = words / 4;
        let tail = words % 4;
        let blocks = vectors / (per_block * unroll);
        let rest = vectors % (per_block * unroll);
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        let unrolled = |g: &mut Gen| -> R {
            for u in 0..unroll {
                body(g, Some(R9), u * VEC, 4)?;
            }
            Ok(())
        };
        self.blocked(blocks, per_block, unroll * VEC, unrolled, flush)?;
        self.counted(rest / unroll, unroll * VEC, unrolled)?;
        for u in 0..rest % unroll {
            body(self, Some(R9), u * VEC, 4)?;
        }
        if tail > 0 {
            // A partial vector: its counters get one more addition (31 + 1 is still < 32).
            body(self, None, 8 * 4 * vectors, tail)?;
        }
        flush(self)?;
        for (q, out) in [Rax, R9, R10, R11].into_iter().take(quantities).enumerate() {
            self.hsum(total(q), true, out)?;
        }
        self.bits_result(op)
    }

    /// Return a bitsliced reduction's result from its counts in rax and r9 (and, for cosine,
    /// the nonzero counts in r10 and r11): hamming's count, dot's difference, or the cosine.
    fn bits_result(&mut self, op: Op) -> R {
        match op {
            Op::Hamming => {}
            Op::Dot => self.a.sub(Rax, R9)?,
            _ => {
                self.a.sub(Rax, R9)?;
                self.cosine_from(Rax, R10, R11)?;
            }
        }
        self.epilogue()
    }

    /// The Harley-Seal reduction: each of the op's [`sums`] in a pass of its own over the
    /// operands, its result left in rax, r8 and r11 in turn.
    fn bits_reduce_harley_seal(&mut self, op: Op, dim: usize) -> R {
        let outs = [Rax, R8, R11];
        for (sum, out) in sums(op).iter().zip(outs) {
            self.harley_seal_sum(sum, dim, out)?;
        }
        self.finish_sums(op, outs)
    }

    /// One sum of signed term counts by Harley-Seal carry-save adders, into `out`.
    ///
    /// Per term (stream, at most two) the bit-sliced counters of weight 1, 2, 4 and 8 live in
    /// Y0-Y3 (Y4-Y7 for the second); Y8 holds the u64 total of weight-16 carries (added or
    /// subtracted per the term's sign), Y9-Y11 the pending carries of the adder tree, Y12-Y15
    /// the adder's inputs and scratch. Each block of 16 vectors runs one stream's tree, then
    /// the next stream's over the same vectors. The tail (up to 15 whole vectors and 1 to 3
    /// words) is counted with the nibble lookup, so no byte outside the operands is read.
    fn harley_seal_sum(&mut self, sum: &[(Term, bool)], dim: usize, out: Gpr64) -> R {
        let [a, b, _] = self.args();
        let words = dim.div_ceil(64);
        let minus = 8 * words;
        let level = |s: usize, weight: usize| Ymm::ALL[4 * s + weight];
        let total = Y8;
        let (p0, p1, p2) = (Y9, Y10, Y11);
        let (x, y, u, t) = (Y12, Y13, Y14, Y15);
        for s in 0..sum.len() {
            for w in 0..4 {
                self.a.vpxor(level(s, w), level(s, w), level(s, w))?;
            }
        }
        self.a.vpxor(total, total, total)?;
        // `v` (bytes) summed per u64 lane into `total`, with the term's sign.
        let accumulate = |g: &mut Gen, v: Ymm, negative: bool| -> R {
            g.a.vpxor(t, t, t)?;
            g.a.vpsadbw(v, v, t)?;
            if negative {
                g.a.vpsubq(total, total, v)
            } else {
                g.a.vpaddq(total, total, v)
            }
        };
        let load_low = |g: &mut Gen, low: Ymm| -> R {
            let l = g.constant(vec![0x0f; VEC]);
            g.a.vmovdqu(low, Mem::label(l))
        };
        // The per-byte popcount of `v`, in place (x, y and u as scratch).
        let byte_counts = |g: &mut Gen, v: Ymm| -> R {
            g.nibble_table(y)?;
            load_low(g, u)?;
            g.nibble_counts(v, x, y, u)?;
            g.a.vpaddb(v, v, x)
        };
        let memory = |k: usize| {
            move |p: Plane| {
                let (base, off) = p.of(a, b, minus);
                Operand::Mem(at_index(base, R9, off + k * VEC))
            }
        };
        let vectors = words / 4;
        let blocks = vectors / 16;
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        self.counted(blocks, 16 * VEC, |g| {
            for (s, &(term, negative)) in sum.iter().enumerate() {
                let [ones, twos, fours, eights] = [0, 1, 2, 3].map(|w| level(s, w));
                for half in 0..2 {
                    for quarter in 0..2 {
                        let k = 8 * half + 4 * quarter;
                        g.term(term, x, u, &memory(k))?;
                        g.term(term, y, u, &memory(k + 1))?;
                        g.csa(ones, x, y, p0)?;
                        g.term(term, x, u, &memory(k + 2))?;
                        g.term(term, y, u, &memory(k + 3))?;
                        g.csa(ones, x, y, x)?;
                        g.csa(twos, p0, x, [p1, p0][quarter])?;
                    }
                    g.csa(fours, p1, p0, [p2, p1][half])?;
                }
                g.csa(eights, p2, p1, p2)?;
                byte_counts(g, p2)?;
                accumulate(g, p2, negative)?;
            }
            Ok(())
        })?;
        // Weight the carries by 16, then add each stream's counters by their weights (per
        // byte at most 8 * (8 + 4 + 2 + 1) = 120).
        self.a.vpsllq(total, total, 4)?;
        for (s, &(_, negative)) in sum.iter().enumerate() {
            let acc = level(s, 3);
            byte_counts(self, acc)?;
            for w in (0..3).rev() {
                self.a.vpaddb(acc, acc, acc)?;
                byte_counts(self, level(s, w))?;
                self.a.vpaddb(acc, acc, level(s, w))?;
            }
            accumulate(self, acc, negative)?;
        }
        // The tail: byte counters Y0 and Y4 (at most 16 vectors of 8 each), planes in
        // Y1-Y3 and Y5, the table in Y14 and the mask in Y15.
        let counter = |s: usize| level(s, 0);
        let planes = [Y1, Y2, Y3, Y5];
        let (lut, low) = (Y14, Y15);
        let rest = vectors - 16 * blocks;
        let tail = words % 4;
        if rest + tail == 0 {
            return self.hsum(total, true, out);
        }
        self.nibble_table(lut)?;
        load_low(self, low)?;
        for s in 0..sum.len() {
            self.a.vpxor(counter(s), counter(s), counter(s))?;
        }
        self.counted(rest, VEC, |g| {
            for (s, &(term, _)) in sum.iter().enumerate() {
                g.term(term, x, y, &memory(0))?;
                g.popcount_into(counter(s), x, y, lut, low)?;
            }
            Ok(())
        })?;
        if tail > 0 {
            for (plane, reg) in Plane::ALL.into_iter().zip(planes) {
                let (base, off) = plane.of(a, b, minus);
                self.load_words(reg, base, None, off + 8 * 4 * vectors, tail)?;
            }
            // load_words may have used xmm15 as scratch.
            load_low(self, low)?;
            let src = |p: Plane| Operand::Ymm(planes[p as usize]);
            for (s, &(term, _)) in sum.iter().enumerate() {
                self.term(term, x, y, &src)?;
                self.popcount_into(counter(s), x, y, lut, low)?;
            }
        }
        for (s, &(_, negative)) in sum.iter().enumerate() {
            accumulate(self, counter(s), negative)?;
        }
        self.hsum(total, true, out)
    }

    /// Carry-save adder of bit vectors: `h` becomes the sum bits of `h + x + y`, `carry` the
    /// carry bits. `carry` may be `x`; Y14 and Y15 are scratch.
    fn csa(&mut self, h: Ymm, x: Ymm, y: Ymm, carry: Ymm) -> R {
        let (u, t) = (Y14, Y15);
        self.a.vpxor(u, h, x)?;
        self.a.vpand(carry, h, x)?;
        self.a.vpand(t, u, y)?;
        self.a.vpor(carry, carry, t)?;
        self.a.vpxor(h, u, y)
    }

    /// The scalar `popcnt` reduction: four words per step, one pass. Accumulators are the
    /// three volatile GPRs left after the operand pointers, r8 and r11 (terms), r9 and r10
    /// (the loop): a single sum spreads its words over all three, cosine's three sums take
    /// one each.
    fn bits_reduce_popcnt(&mut self, op: Op, dim: usize) -> R {
        let [a, b, _] = self.args();
        let words = dim.div_ceil(64);
        let minus = 8 * words;
        let accs: Vec<Gpr64> =
            [Rax, Rcx, Rdx, Rsi, Rdi].into_iter().filter(|&r| r != a && r != b).collect();
        let (t0, t1) = (R8, R11);
        let sums = sums(op);
        for &acc in &accs {
            self.a.xor(acc.d(), acc.d())?;
        }
        let word = |g: &mut Gen, index: Option<Gpr64>, disp: usize, k: usize| -> R {
            let src = |p: Plane| {
                let (base, off) = p.of(a, b, minus);
                match index {
                    Some(i) => at_index(base, i, off + disp),
                    None => at(base, off + disp),
                }
            };
            for (q, sum) in sums.iter().enumerate() {
                let acc = if sums.len() == 1 { accs[k % accs.len()] } else { accs[q] };
                for &(term, negative) in sum {
                    let (logic, pairs) = term.formula();
                    for (n, &(x, y)) in pairs.iter().enumerate() {
                        let d = if n == 0 { t0 } else { t1 };
                        g.a.mov(d, src(x))?;
                        match logic {
                            Logic::And => g.a.and(d, src(y))?,
                            Logic::Or => g.a.or(d, src(y))?,
                            Logic::Xor => g.a.xor(d, src(y))?,
                        }
                        if n > 0 {
                            g.a.or(t0, t1)?;
                        }
                    }
                    g.a.popcnt(t0, t0)?;
                    if negative {
                        g.a.sub(acc, t0)?;
                    } else {
                        g.a.add(acc, t0)?;
                    }
                }
            }
            Ok(())
        };
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        self.counted(words / 4, 4 * 8, |g| (0..4).try_for_each(|k| word(g, Some(R9), 8 * k, k)))?;
        for w in words / 4 * 4..words {
            word(self, None, 8 * w, w % 4)?;
        }
        if sums.len() == 1 {
            for &acc in &accs[1..] {
                self.a.add(accs[0], acc)?;
            }
        }
        self.finish_sums(op, [accs[0], accs[1], accs[2]])
    }

    /// End a reduction whose [`sums`] are in `outs` (the first in rax): cosine combines them.
    fn finish_sums(&mut self, op: Op, outs: [Gpr64; 3]) -> R {
        if op == Op::Cosine {
            self.cosine_from(outs[0], outs[1], outs[2])?;
        } else if outs[0] != Rax {
            self.a.mov(Rax, outs[0])?;
        }
        self.epilogue()
    }

    fn bits_binary(&mut self, op: Op, dim: usize) -> R {
        let [out, a, b] = self.args();
        let words = dim.div_ceil(64);
        let minus = 8 * words;
        let body = |g: &mut Gen, index: Option<Gpr64>, disp: usize, count: usize| -> R {
            let (ap, am, bp, bm, p, m) = (Y0, Y1, Y2, Y3, Y4, Y5);
            g.load_words(ap, a, index, disp, count)?;
            g.load_words(am, a, index, minus + disp, count)?;
            g.load_words(bp, b, index, disp, count)?;
            g.load_words(bm, b, index, minus + disp, count)?;
            if op == Op::Bind {
                g.a.vpand(p, ap, bp)?;
                g.a.vpand(Y6, am, bm)?;
                g.a.vpor(p, p, Y6)?;
                g.a.vpand(m, ap, bm)?;
                g.a.vpand(Y6, am, bp)?;
                g.a.vpor(m, m, Y6)?;
            } else {
                // With disjoint planes, sign(a + b) is +1 where either is +1 and neither is -1:
                // plus = (ap | bp) & !(am | bm), minus the reverse. (vpandn x, y = !x & y.)
                g.a.vpor(Y6, ap, bp)?;
                g.a.vpor(Y7, am, bm)?;
                g.a.vpandn(p, Y7, Y6)?;
                g.a.vpandn(m, Y6, Y7)?;
            }
            g.store_words(p, out, index, disp, count)?;
            g.store_words(m, out, index, minus + disp, count)
        };
        let vectors = words / 4;
        let tail = words % 4;
        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
        self.counted(vectors, VEC, |g| body(g, Some(R9), 0, 4))?;
        if tail > 0 {
            body(self, None, 8 * 4 * vectors, tail)?;
        }
        self.epilogue()
    }

    fn bits_permute(&mut self, dim: u32, shift: u32) -> R {
        let [out, v, _] = self.args();
        let plan = rotate_plan(dim, shift);
        let words = dim.div_ceil(64) as usize;
        for plane in 0..2 {
            let base = plane * 8 * words;
            for run in &plan.runs {
                let vectors = run.len / 4;
                let tail = run.len % 4;
                let vector_run =
                    |g: &mut Gen, index: Option<Gpr64>, first: usize, count: usize| -> R {
                        g.a.vpxor(Y0, Y0, Y0)?;
                        for term in &run.terms {
                            let src = base + 8 * (first as i64 + term.offset) as usize;
                            g.load_words(Y1, v, index, src, count)?;
                            if term.shift != 0 {
                                if term.left {
                                    g.a.vpsllq(Y1, Y1, term.shift as u8)?;
                                } else {
                                    g.a.vpsrlq(Y1, Y1, term.shift as u8)?;
                                }
                            }
                            g.a.vpor(Y0, Y0, Y1)?;
                        }
                        g.store_words(Y0, out, index, base + 8 * first, count)
                    };
                if vectors > 0 {
                    if vectors == 1 {
                        vector_run(self, None, run.start, 4)?;
                    } else {
                        self.a.xor(Gpr32::R9d, Gpr32::R9d)?;
                        self.counted(vectors, VEC, |g| vector_run(g, Some(R9), run.start, 4))?;
                    }
                }
                if tail > 0 {
                    vector_run(self, None, run.start + 4 * vectors, tail)?;
                }
            }
            if plan.last_word_mask != u64::MAX {
                self.a.mov(Rax, plan.last_word_mask as i64)?;
                self.a.and(at(out, base + 8 * (words - 1)), Rax)?;
            }
        }
        self.epilogue()
    }
}
