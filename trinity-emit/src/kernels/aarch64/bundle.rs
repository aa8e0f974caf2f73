//! AArch64 NEON n-way bundle kernels (AAPCS64); the contract is in [`crate::kernels::bundle`].
//! Both tiers get the same code: nothing here needs DotProd.
//!
//! Arguments: x0 the table of operand pointers, x1 the count n, x2 out. Both layouts walk the
//! positions a tile at a time and, per tile, every operand in batches: x10 walks the table,
//! x11 counts the operands left, x12 those left in the batch, x13 is the current operand's
//! address, x15 counts the tiles, x16/x17 are scratch.
//!
//! - Dense: x9 is the tile's byte offset. A tile is up to four 16-byte chunks; chunk c is
//!   loaded into v4+c, summed in bytes in v(c) over a batch of at most 127 operands (no
//!   overflow), and after each batch widened into the 32-bit sums v(16+4c)..v(19+4c) (through
//!   halfwords in v4-v7). The result is the sign of the sums narrowed with saturation. The last
//!   `D mod 64` bytes are a shorter tile whose first chunk overlaps the previous tile; operands
//!   shorter than 16 bytes are loaded and stored exactly, in pieces of 8, 4, 2 and 1 bytes.
//! - Bitsliced: a tile is 32 bytes of each plane (256 positions), in groups g = 2 * plane +
//!   chunk: chunk 0 and 1 of the +1 plane, then of the -1 plane, at the byte offsets x4, x5,
//!   x6, x7. Group g's operand chunk is loaded into v(g); its 4-bit batch counter is
//!   v(16+4g)..v(19+4g), with v(4+g) as the temporary of the ripple-carry add, for batches of
//!   at most 15 operands. After each batch the counter is added into the group's counter
//!   planes on the stack (x3 = sp: level k of group g at x3 + 64k + 16g), levels 0..3 with full
//!   adders and the rest with an increment that stops once every carry is zero. x8 holds L,
//!   the number of levels (max(4, bit length of n), at most 24), x14 the end of the levels in
//!   use. The tile's result compares the counts from level L-1 down into v0/v1 (+1 wins) and
//!   v2/v3 (-1 wins). The last `ceil(D/64) mod 4` words of each plane are a tile of their own
//!   with exact 8- and 16-byte loads and stores.
//!
//! v8-v15, x18 and x19-x29 are never touched.

use super::{w, Gen, R, VEC};
use crate::aarch64::{
    defs, Addr, Cond, Size, VReg, SP, V, V0, V1, V16, V17, V18, V19, V2, V20, V21, V22, V23, V24,
    V25, V26, V27, V28, V29, V3, V30, V31, V4, V5, V6, V7, X, X0, X1, X10, X11, X12, X13, X14, X15,
    X16, X17, X2, X3, X4, X5, X6, X7, X8, X9, XZR,
};
use crate::kernels::bundle::BundleSpec;
use crate::kernels::{KernelError, Layout};

/// The table of operand pointers, the count and the output (the arguments).
const TABLE: X = X0;
const COUNT: X = X1;
const OUT: X = X2;
/// The next table entry, the operands left, the operands left in the batch, the operand.
const CURSOR: X = X10;
const LEFT: X = X11;
const BATCH: X = X12;
const PTR: X = X13;
/// Tiles left in the tile loop.
const TILES: X = X15;
/// Scratch.
const TMP: X = X16;
const TMP2: X = X17;
/// Dense: the tile's byte offset.
const OFFSET: X = X9;
/// Bitsliced: the copy of sp that addresses the counter planes, the levels L, the end of the
/// levels in use, and group g's byte offset in `GROUP_OFFSET[g]`.
const FRAME_BASE: X = X3;
const LEVELS: X = X8;
const LEVELS_END: X = X14;
const GROUP_OFFSET: [X; 4] = [X4, X5, X6, X7];

/// v0-v3 and v4-v7: dense byte sums and chunks, bitsliced group chunks and ripple temporaries.
const LOW: [V; 4] = [V0, V1, V2, V3];
const HIGH: [V; 4] = [V4, V5, V6, V7];
/// v16-v31 in fours: dense chunk c's 32-bit sums, bitsliced group g's batch counter bits.
const QUADS: [[V; 4]; 4] =
    [[V16, V17, V18, V19], [V20, V21, V22, V23], [V24, V25, V26, V27], [V28, V29, V30, V31]];

/// Operands per dense batch: a byte lane holds any sum of 127 trits.
const DENSE_BATCH: u64 = 127;
/// Operands per bitsliced batch: a 4-bit counter holds 15.
const BITS_BATCH: u64 = 15;
/// Counter levels: enough for any count up to `MAX_OPERANDS` = 2^24 - 1.
const MAX_LEVELS: u64 = 24;
/// Bytes per level: two planes of 32 bytes.
const LEVEL_BYTES: u64 = 64;
/// The bitsliced kernel's stack frame: every level.
const FRAME: u64 = MAX_LEVELS * LEVEL_BYTES;

/// Generate the bundle kernel for a validated AArch64 `spec`.
pub fn generate(spec: &BundleSpec) -> Result<Vec<u8>, KernelError> {
    let mut g = Gen::new(spec.tier);
    let dim = spec.dim as usize;
    match spec.layout {
        Layout::Dense => dense(&mut g, dim)?,
        Layout::Bits => bits(&mut g, dim)?,
    }
    g.a.ret()?;
    Ok(g.a.finish()?)
}

fn scalar_size(bytes: usize) -> Size {
    match bytes {
        1 => Size::B,
        2 => Size::H,
        4 => Size::S,
        8 => Size::D,
        _ => Size::Q,
    }
}

/// The operand loop of one tile: for every batch of at most `batch` operands, `reset`, then
/// `body` per operand (x13 = the operand's address), then `flush`. Emits code that handles
/// n = 0 (no batch).
fn operands(
    g: &mut Gen,
    batch: u64,
    mut reset: impl FnMut(&mut Gen) -> R,
    mut body: impl FnMut(&mut Gen) -> R,
    mut flush: impl FnMut(&mut Gen) -> R,
) -> R {
    let (top, op, done) = (g.a.new_label(), g.a.new_label(), g.a.new_label());
    g.a.mov(CURSOR, TABLE)?;
    g.a.mov(LEFT, COUNT)?;
    g.a.bind(top)?;
    g.a.cbz(LEFT, done)?;
    // BATCH = min(LEFT, batch).
    g.a.mov_imm(TMP, batch)?;
    g.a.subs(XZR, LEFT, TMP)?;
    g.a.csel(BATCH, LEFT, TMP, Cond::Lo)?;
    g.a.sub(LEFT, LEFT, BATCH)?;
    reset(g)?;
    g.a.bind(op)?;
    g.a.ldr(PTR, Addr::post(CURSOR, 8))?;
    body(g)?;
    g.a.subs(BATCH, BATCH, 1)?;
    g.a.b_cond(Cond::Ne, op)?;
    flush(g)?;
    g.a.b(top)?;
    g.a.bind(done)
}

/// A counted tile loop: `tile` runs `count` times (x15 counts down), then `advance`.
fn tile_loop(
    g: &mut Gen,
    count: usize,
    mut tile: impl FnMut(&mut Gen) -> R,
    mut advance: impl FnMut(&mut Gen) -> R,
) -> R {
    if count == 0 {
        return Ok(());
    }
    g.a.mov_imm(TILES, count as u64)?;
    let top = g.a.new_label();
    g.a.bind(top)?;
    tile(g)?;
    advance(g)?;
    g.a.subs(TILES, TILES, 1)?;
    g.a.b_cond(Cond::Ne, top)
}

/// Load or store vector registers `regs[i]` from/to `base + offsets[i]`: pairs of adjacent
/// 16-byte chunks with `ldp`/`stp`, the rest one by one (an offset that is not a multiple of
/// 16, which only the short dense tiles have, through x17).
fn transfer(g: &mut Gen, load: bool, regs: &[V], base: X, offsets: &[usize]) -> R {
    let mut i = 0;
    while i < offsets.len() {
        let r = regs[i];
        let at = if offsets[i] % VEC == 0 {
            Addr::offset(base, offsets[i] as i64)
        } else {
            g.a.add(TMP2, base, offsets[i] as u64)?;
            Addr::base(TMP2)
        };
        let aligned = offsets[i] % VEC == 0;
        if aligned && i + 1 < offsets.len() && offsets[i + 1] == offsets[i] + VEC {
            let r2 = regs[i + 1];
            if load {
                g.a.ldp(r.q(), r2.q(), at)?;
            } else {
                g.a.stp(r.q(), r2.q(), at)?;
            }
            i += 2;
        } else {
            if load {
                g.a.ldr(r.q(), at)?;
            } else {
                g.a.str(r.q(), at)?;
            }
            i += 1;
        }
    }
    Ok(())
}

// ---- dense ---------------------------------------------------------------------------------

/// The chunks of a dense tile: 16-byte vectors at these offsets from the tile's start, or (for
/// operands shorter than 16 bytes) one vector of `D` bytes loaded in pieces.
#[derive(Clone, Debug)]
enum Chunks {
    Vectors(Vec<usize>),
    Short(usize),
}

impl Chunks {
    fn count(&self) -> usize {
        match self {
            Chunks::Vectors(offsets) => offsets.len(),
            Chunks::Short(_) => 1,
        }
    }
}

/// Chunk c's byte sums, the chunk as loaded, and its 32-bit sums.
const BYTE_SUMS: [V; 4] = LOW;
const CHUNKS: [V; 4] = HIGH;
const WORD_SUMS: [[V; 4]; 4] = QUADS;

/// Temporaries for chunk c's widening and narrowing (alternating, so that neighbouring chunks
/// do not wait on each other).
fn dense_temps(c: usize) -> (V, V) {
    if c % 2 == 0 {
        (V4, V5)
    } else {
        (V6, V7)
    }
}

/// The pieces of a short operand: (offset, bytes) for the set bits of `len`, largest first, so
/// that each offset is a multiple of its size (an element of the vector).
fn pieces(len: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for size in [8, 4, 2, 1] {
        if len & size != 0 {
            out.push((at, size));
            at += size;
        }
    }
    out
}

fn dense(g: &mut Gen, dim: usize) -> R {
    if dim < VEC {
        return dense_tile(g, &Chunks::Short(dim), false);
    }
    const TILE: usize = 4 * VEC;
    let full = dim / TILE;
    let rest = dim % TILE;
    g.a.movz(OFFSET, 0, 0)?;
    let whole = Chunks::Vectors(vec![0, VEC, 2 * VEC, 3 * VEC]);
    tile_loop(g, full, |g| dense_tile(g, &whole, true), |g| g.a.add(OFFSET, OFFSET, TILE as u64))?;
    if rest > 0 {
        // ceil(rest / 16) vectors ending at D: after a whole tile, the first one overlaps it;
        // with none (D < 64) the last one overlaps its neighbour.
        let k = rest.div_ceil(VEC);
        let (base, offsets) = if full > 0 {
            (dim - k * VEC, (0..k).map(|i| i * VEC).collect())
        } else {
            (0, (0..k).map(|i| (i * VEC).min(dim - VEC)).collect())
        };
        g.a.mov_imm(OFFSET, base as u64)?;
        dense_tile(g, &Chunks::Vectors(offsets), true)?;
    }
    Ok(())
}

/// One dense tile at x9 (`offset`: x9 is added to the addresses; a short operand has none).
fn dense_tile(g: &mut Gen, chunks: &Chunks, offset: bool) -> R {
    let count = chunks.count();
    for sums in &WORD_SUMS[..count] {
        for s in sums {
            g.a.movi(s.b16(), 0)?;
        }
    }
    let reset = |g: &mut Gen| -> R {
        for s in &BYTE_SUMS[..count] {
            g.a.movi(s.b16(), 0)?;
        }
        Ok(())
    };
    let body = |g: &mut Gen| -> R {
        match chunks {
            Chunks::Vectors(offsets) => {
                if offset {
                    g.a.add(PTR, PTR, OFFSET)?;
                }
                transfer(g, true, &CHUNKS, PTR, offsets)?;
            }
            Chunks::Short(len) => load_short(g, CHUNKS[0], V5, PTR, *len)?,
        }
        for (s, chunk) in BYTE_SUMS.into_iter().zip(CHUNKS).take(count) {
            g.a.add(s.b16(), s.b16(), chunk.b16())?;
        }
        Ok(())
    };
    let flush = |g: &mut Gen| -> R {
        for c in 0..count {
            let (lo, hi) = dense_temps(c);
            let s = BYTE_SUMS[c];
            g.a.sxtl(lo.h8(), s.b8())?;
            g.a.sxtl2(hi.h8(), s.b16())?;
            let sum = |i: usize| WORD_SUMS[c][i].s4();
            g.a.saddw(sum(0), sum(0), lo.h4())?;
            g.a.saddw2(sum(1), sum(1), lo.h8())?;
            g.a.saddw(sum(2), sum(2), hi.h4())?;
            g.a.saddw2(sum(3), sum(3), hi.h8())?;
        }
        Ok(())
    };
    operands(g, DENSE_BATCH, reset, body, flush)?;
    // Narrowing with saturation keeps the sign; then sign = (s < 0) - (s > 0) as 0/-1 masks.
    for c in 0..count {
        let (lo, hi) = dense_temps(c);
        let sum = |i: usize| WORD_SUMS[c][i].s4();
        let s = BYTE_SUMS[c];
        g.a.sqxtn(lo.h4(), sum(0))?;
        g.a.sqxtn2(lo.h8(), sum(1))?;
        g.a.sqxtn(hi.h4(), sum(2))?;
        g.a.sqxtn2(hi.h8(), sum(3))?;
        g.a.sqxtn(s.b8(), lo.h8())?;
        g.a.sqxtn2(s.b16(), hi.h8())?;
        g.a.cmgt(lo.b16(), s.b16(), 0)?;
        g.a.cmlt(hi.b16(), s.b16(), 0)?;
        g.a.sub(s.b16(), hi.b16(), lo.b16())?;
    }
    match chunks {
        Chunks::Vectors(offsets) => {
            g.a.add(PTR, OUT, OFFSET)?;
            transfer(g, false, &BYTE_SUMS, PTR, offsets)
        }
        Chunks::Short(len) => store_short(g, BYTE_SUMS[0], V5, OUT, *len),
    }
}

/// Load the `len` (< 16) bytes at `base` into `dst` (zeroing the rest), through `tmp`.
fn load_short(g: &mut Gen, dst: V, tmp: V, base: X, len: usize) -> R {
    for (i, (at, size)) in pieces(len).into_iter().enumerate() {
        let s = scalar_size(size);
        let addr = Addr::offset(base, at as i64);
        if i == 0 {
            // A scalar load zeroes the rest of the register.
            g.a.ldr(dst.scalar(s), addr)?;
        } else {
            g.a.ldr(tmp.scalar(s), addr)?;
            g.a.ins(dst.elem(s, (at / size) as u8), tmp.elem(s, 0))?;
        }
    }
    Ok(())
}

/// Store the first `len` (< 16) bytes of `src` at `base`, through `tmp`.
fn store_short(g: &mut Gen, src: V, tmp: V, base: X, len: usize) -> R {
    for (i, (at, size)) in pieces(len).into_iter().enumerate() {
        let s = scalar_size(size);
        let addr = Addr::offset(base, at as i64);
        if i == 0 {
            g.a.str(src.scalar(s), addr)?;
        } else {
            g.a.ins(tmp.elem(s, 0), src.elem(s, (at / size) as u8))?;
            g.a.str(tmp.scalar(s), addr)?;
        }
    }
    Ok(())
}

// ---- bitsliced -----------------------------------------------------------------------------

/// Group g's operand chunk, its ripple temporary, and bit k of its batch counter.
const GROUP_CHUNK: [V; 4] = LOW;
const RIPPLE_TEMP: [V; 4] = HIGH;
const COUNTER: [[V; 4]; 4] = QUADS;

/// A register of a group in the ripple-carry add.
#[derive(Clone, Copy)]
enum Role {
    Chunk,
    Temp,
    Bit(usize),
}

impl Role {
    fn of(self, g: usize) -> VReg {
        match self {
            Role::Chunk => GROUP_CHUNK[g],
            Role::Temp => RIPPLE_TEMP[g],
            Role::Bit(k) => COUNTER[g][k],
        }
        .b16()
    }
}

/// After a batch's levels 0..3, group g's carry is in the register of counter bit 2.
fn carry_reg(g: usize) -> V {
    COUNTER[g][2]
}

fn bits(g: &mut Gen, dim: usize) -> R {
    let words = dim.div_ceil(64);
    let plane = 8 * words;
    g.a.sub(SP, SP, FRAME)?;
    g.a.mov(FRAME_BASE, SP)?;
    // L = max(4, bit length of n), at most 24 (more only for n beyond the contract, which
    // then gets wrong counts but stays in the frame).
    g.a.clz(LEVELS, COUNT)?;
    g.a.movz(TMP, 64, 0)?;
    g.a.sub(LEVELS, TMP, LEVELS)?;
    g.a.movz(TMP, 4, 0)?;
    g.a.cmp(LEVELS, 4)?;
    g.a.csel(LEVELS, LEVELS, TMP, Cond::Hi)?;
    g.a.movz(TMP, MAX_LEVELS as u32, 0)?;
    g.a.cmp(LEVELS, MAX_LEVELS)?;
    g.a.csel(LEVELS, LEVELS, TMP, Cond::Lo)?;
    let shift = LEVEL_BYTES.trailing_zeros();
    g.a.add(LEVELS_END, FRAME_BASE, LEVELS.lsl(shift))?;
    // Group offsets: +1 plane chunks 0 and 1, then the -1 plane's.
    for (i, &r) in GROUP_OFFSET.iter().enumerate() {
        g.a.mov_imm(r, ((i / 2) * plane + (i % 2) * VEC) as u64)?;
    }
    tile_loop(
        g,
        words / 4,
        |g| bits_tile(g, &[VEC, VEC]),
        |g| {
            for &r in &GROUP_OFFSET {
                g.a.add(r, r, 2 * VEC as u64)?;
            }
            Ok(())
        },
    )?;
    // The last 1..3 words of each plane, loaded exactly.
    match words % 4 {
        1 => bits_tile(g, &[8])?,
        2 => bits_tile(g, &[VEC])?,
        3 => bits_tile(g, &[VEC, 8])?,
        _ => {}
    }
    g.a.add(SP, SP, FRAME)
}

/// One bitsliced tile of `chunks` bytes (16 or 8) per plane at the group offsets.
fn bits_tile(g: &mut Gen, chunks: &[usize]) -> R {
    let groups: Vec<(usize, usize)> =
        (0..2).flat_map(|p| chunks.iter().enumerate().map(move |(j, &b)| (2 * p + j, b))).collect();
    // Zero the L levels.
    let zero = g.a.new_label();
    let zeros = V4;
    g.a.movi(zeros.b16(), 0)?;
    g.a.mov(PTR, FRAME_BASE)?;
    g.a.mov(BATCH, LEVELS)?;
    g.a.bind(zero)?;
    g.a.stp(zeros.q(), zeros.q(), Addr::offset(PTR, 32))?;
    g.a.stp(zeros.q(), zeros.q(), Addr::post(PTR, LEVEL_BYTES as i64))?;
    g.a.subs(BATCH, BATCH, 1)?;
    g.a.b_cond(Cond::Ne, zero)?;
    let reset = |g: &mut Gen| -> R {
        for &(grp, _) in &groups {
            for bit in COUNTER[grp] {
                g.a.movi(bit.b16(), 0)?;
            }
        }
        Ok(())
    };
    let body = |g: &mut Gen| -> R {
        for &(grp, bytes) in &groups {
            let addr = Addr::reg(PTR, GROUP_OFFSET[grp]);
            g.a.ldr(GROUP_CHUNK[grp].scalar(scalar_size(bytes)), addr)?;
        }
        // The ripple-carry add of each group's chunk (t = c0 & x; c0 ^= x; u = c1 & t;
        // c1 ^= t; t = c2 & u; c2 ^= u; c3 ^= t), step by step across the groups; the chunk
        // register holds u once x is added into bit 0.
        use Role::{Bit, Chunk, Temp};
        let steps = [
            (&defs::AND, Temp, Bit(0), Chunk),
            (&defs::EOR, Bit(0), Bit(0), Chunk),
            (&defs::AND, Chunk, Bit(1), Temp),
            (&defs::EOR, Bit(1), Bit(1), Temp),
            (&defs::AND, Temp, Bit(2), Chunk),
            (&defs::EOR, Bit(2), Bit(2), Chunk),
            (&defs::EOR, Bit(3), Bit(3), Temp),
        ];
        for (op, d, n, m) in steps {
            for &(grp, _) in &groups {
                g.a.emit(op, &[d.of(grp).into(), n.of(grp).into(), m.of(grp).into()])?;
            }
        }
        Ok(())
    };
    let flush = |g: &mut Gen| -> R { add_batch(g, &groups) };
    operands(g, BITS_BATCH, reset, body, flush)?;
    compare(g, chunks)
}

/// Add each group's 4-bit batch counter into its counter planes.
fn add_batch(g: &mut Gen, groups: &[(usize, usize)]) -> R {
    let level = |k: usize, grp: usize| {
        Addr::offset(FRAME_BASE, (k * LEVEL_BYTES as usize + grp * VEC) as i64)
    };
    for &(grp, _) in groups {
        let s = RIPPLE_TEMP[grp];
        let bits = COUNTER[grp];
        let c = |k: usize| bits[k].b16();
        // Level 0: half adder, the carry into the chunk's register.
        g.a.ldr(s.q(), level(0, grp))?;
        g.a.and(GROUP_CHUNK[grp].b16(), s.b16(), c(0))?;
        g.a.eor(c(0), s.b16(), c(0))?;
        g.a.str(bits[0].q(), level(0, grp))?;
        // Levels 1..3: full adders. t = S ^ c; sum = t ^ carry; carry = t ? carry : S (bsl).
        // t goes into the register of the counter bit below, stored already, and becomes the
        // carry, which so ends in counter bit 2's register.
        let mut carry = GROUP_CHUNK[grp].b16();
        for (k, pair) in bits.windows(2).enumerate().map(|(k, p)| (k + 1, p)) {
            let (t, bit) = (pair[0].b16(), pair[1]);
            g.a.ldr(s.q(), level(k, grp))?;
            g.a.eor(t, s.b16(), bit.b16())?;
            g.a.eor(bit.b16(), t, carry)?;
            g.a.bsl(t, carry, s.b16())?;
            g.a.str(bit.q(), level(k, grp))?;
            carry = t;
        }
        debug_assert_eq!(carry, carry_reg(grp).b16());
    }
    // Levels 4..L-1: increment by the carry until it is zero everywhere (it always is by
    // level L, since no count reaches 2^L).
    let (top, done) = (g.a.new_label(), g.a.new_label());
    g.a.add(PTR, FRAME_BASE, 4 * LEVEL_BYTES)?;
    g.a.bind(top)?;
    g.a.subs(XZR, PTR, LEVELS_END)?;
    g.a.b_cond(Cond::Hs, done)?;
    let carries: Vec<VReg> = groups.iter().map(|&(grp, _)| carry_reg(grp).b16()).collect();
    let (any, more) = (V0, V1.b16());
    g.a.orr(any.b16(), carries[0], carries[1])?;
    if carries.len() == 4 {
        g.a.orr(more, carries[2], carries[3])?;
        g.a.orr(any.b16(), any.b16(), more)?;
    }
    g.a.umaxv(any.scalar(Size::S), any.s4())?;
    g.a.umov(w(TMP), any.elem(Size::S, 0))?;
    g.a.cbz(w(TMP), done)?;
    let offsets: Vec<usize> = groups.iter().map(|&(grp, _)| grp * VEC).collect();
    let temps: Vec<V> = groups.iter().map(|&(grp, _)| RIPPLE_TEMP[grp]).collect();
    if groups.len() == 4 {
        transfer(g, true, &temps, PTR, &offsets)?;
    } else {
        for (&t, &at) in temps.iter().zip(&offsets) {
            g.a.ldr(t.q(), Addr::offset(PTR, at as i64))?;
        }
    }
    for &(grp, _) in groups {
        // S ^= carry; carry &= old S, which is carry & !new S.
        let (s, c) = (RIPPLE_TEMP[grp].b16(), carry_reg(grp).b16());
        g.a.eor(s, s, c)?;
        g.a.bic(c, c, s)?;
    }
    if groups.len() == 4 {
        transfer(g, false, &temps, PTR, &offsets)?;
    } else {
        for (&t, &at) in temps.iter().zip(&offsets) {
            g.a.str(t.q(), Addr::offset(PTR, at as i64))?;
        }
    }
    g.a.add(PTR, PTR, LEVEL_BYTES)?;
    g.a.b(top)?;
    g.a.bind(done)
}

/// Compare the +1 and -1 counts of the tile from the top level down and store the result:
/// gt |= p & !q & !lt, lt |= q & !p & !gt (old gt), per chunk j in v(j) and v(2 + j).
fn compare(g: &mut Gen, chunks: &[usize]) -> R {
    let gt = |j: usize| LOW[j].b16();
    let lt = |j: usize| LOW[2 + j].b16();
    for j in 0..chunks.len() {
        g.a.movi(gt(j), 0)?;
        g.a.movi(lt(j), 0)?;
    }
    let top = g.a.new_label();
    g.a.sub(PTR, LEVELS_END, LEVEL_BYTES)?;
    g.a.mov(BATCH, LEVELS)?;
    g.a.bind(top)?;
    // +1 counts of chunk j in v4+j, -1 counts in v6+j.
    let offsets: Vec<usize> =
        (0..2).flat_map(|p| (0..chunks.len()).map(move |j| 32 * p + 16 * j)).collect();
    if chunks.len() == 2 {
        transfer(g, true, &HIGH, PTR, &offsets)?;
    } else {
        g.a.ldr(HIGH[0].q(), Addr::offset(PTR, 0))?;
        g.a.ldr(HIGH[2].q(), Addr::offset(PTR, 32))?;
    }
    // v16-v19 as two pairs of temporaries.
    let [a0, b0, a1, b1] = QUADS[0];
    for (j, (a, b)) in [(a0, b0), (a1, b1)].into_iter().enumerate().take(chunks.len()) {
        let (p, q) = (HIGH[j].b16(), HIGH[2 + j].b16());
        let (a, b) = (a.b16(), b.b16());
        g.a.bic(a, p, q)?;
        g.a.bic(b, q, p)?;
        g.a.bic(a, a, lt(j))?;
        g.a.bic(b, b, gt(j))?;
        g.a.orr(gt(j), gt(j), a)?;
        g.a.orr(lt(j), lt(j), b)?;
    }
    g.a.sub(PTR, PTR, LEVEL_BYTES)?;
    g.a.subs(BATCH, BATCH, 1)?;
    g.a.b_cond(Cond::Ne, top)?;
    for (j, &bytes) in chunks.iter().enumerate() {
        let s = scalar_size(bytes);
        g.a.str(LOW[j].scalar(s), Addr::reg(OUT, GROUP_OFFSET[j]))?;
        g.a.str(LOW[2 + j].scalar(s), Addr::reg(OUT, GROUP_OFFSET[2 + j]))?;
    }
    Ok(())
}
