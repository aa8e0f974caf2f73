//! Fast portable Rust for every op and layout: the engine's fallback when no kernel can run.
//!
//! Bitsliced ops work a word (64 trits) at a time. With `p`/`m` the +1/-1 planes:
//! - product `a*b` is +1 where the signs agree: `(ap & bp) | (am & bm)`, and -1 where they
//!   differ: `(ap & bm) | (am & bp)`;
//! - `sign(a + b)` is +1 where either is +1 and neither is -1: `(ap | bp) & !(am | bm)`, and
//!   -1 symmetrically;
//! - `a != b` wherever either plane differs: `(ap ^ bp) | (am ^ bm)`.
//!
//! The unit tests check each formula on all nine trit pairs.

/// Whether the portable ops run their AVX2 builds: the CPU has AVX2 and POPCNT, and the
/// environment variable `TRINITY_PORTABLE` is not `baseline` (read once per process; the
/// baseline builds can so be timed and tested on any CPU).
#[cfg(target_arch = "x86_64")]
fn host_builds() -> bool {
    static HOST: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HOST.get_or_init(|| {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("popcnt")
            && std::env::var_os("TRINITY_PORTABLE").is_none_or(|v| v != "baseline")
    })
}

/// `pub fn $name`, built twice: for the baseline target, and with AVX2 and POPCNT for x86-64
/// CPUs that have them (chosen at run time by [`host_builds`]). Where executable memory is
/// refused, this is what keeps the fallback near the speed of the host CPU.
macro_rules! multiversion {
    ($(#[$doc:meta])* pub fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn generic($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,popcnt")]
                unsafe fn host($($arg: $ty),*) $(-> $ret)? {
                    generic($($arg),*)
                }
                if host_builds() {
                    // SAFETY: the CPU has AVX2 and POPCNT, the features `host` is built for.
                    return unsafe { host($($arg),*) };
                }
            }
            generic($($arg),*)
        }
    };
}

/// Elements summed in 32 bits before widening: a product of two `i8`s is at most 2^14 in
/// magnitude, so 2^16 of them stay below 2^31.
const CHUNK: usize = 1 << 16;

/// The bit planes of a pair of operands, word by word.
fn plane_words<'a>(a: &'a [u64], b: &'a [u64]) -> impl Iterator<Item = [u64; 4]> + 'a {
    // Zipped plane slices rather than indices: no bounds checks, so the loops vectorise.
    let ((ap, am), (bp, bm)) = (a.split_at(a.len() / 2), b.split_at(b.len() / 2));
    ap.iter().zip(am).zip(bp).zip(bm).map(|(((&ap, &am), &bp), &bm)| [ap, am, bp, bm])
}

/// `(plus, minus)` of `a * b` for one word of each plane.
pub(crate) fn bind_word([ap, am, bp, bm]: [u64; 4]) -> (u64, u64) {
    ((ap & bp) | (am & bm), (ap & bm) | (am & bp))
}

/// `(plus, minus)` of `sign(a + b)` for one word of each plane: with disjoint planes, +1
/// where either is +1 and neither is -1.
pub(crate) fn bundle_word([ap, am, bp, bm]: [u64; 4]) -> (u64, u64) {
    let (any_plus, any_minus) = (ap | bp, am | bm);
    (any_plus & !any_minus, any_minus & !any_plus)
}

/// Positions that differ, for one word of each plane.
pub(crate) fn differ_word([ap, am, bp, bm]: [u64; 4]) -> u64 {
    (ap ^ bp) | (am ^ bm)
}

multiversion! {
    /// Dense dot product of equal-length trit slices.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// assert_eq!(portable::dense_dot(&[1, -1, 1], &[1, 1, 1]), 1);
    /// ```
    pub fn dense_dot(a: &[i8], b: &[i8]) -> i64 {
        // 32-bit sums a chunk at a time: lanes the compiler vectorises four times wider than
        // 64-bit ones.
        let chunk = |a: &[i8], b: &[i8]| -> i64 {
            let sum: i32 = a.iter().zip(b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
            i64::from(sum)
        };
        if a.len() <= CHUNK {
            return chunk(a, b);
        }
        a.chunks(CHUNK).zip(b.chunks(CHUNK)).map(|(a, b)| chunk(a, b)).sum()
    }
}

multiversion! {
    /// Dense hamming distance.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// assert_eq!(portable::dense_hamming(&[1, -1, 0], &[1, 1, 1]), 2);
    /// ```
    pub fn dense_hamming(a: &[i8], b: &[i8]) -> i64 {
        a.chunks(CHUNK)
            .zip(b.chunks(CHUNK))
            .map(|(a, b)| {
                let count: u32 = a.iter().zip(b).map(|(x, y)| u32::from(x != y)).sum();
                i64::from(count)
            })
            .sum()
    }
}

multiversion! {
    /// Dense cosine similarity.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// assert_eq!(portable::dense_cosine(&[1, -1], &[1, -1]), 1.0);
    /// assert_eq!(portable::dense_cosine(&[0, 0], &[1, -1]), 0.0);
    /// ```
    pub fn dense_cosine(a: &[i8], b: &[i8]) -> f64 {
        let (mut ab, mut aa, mut bb) = (0i64, 0i64, 0i64);
        for (a, b) in a.chunks(CHUNK).zip(b.chunks(CHUNK)) {
            let (mut sab, mut saa, mut sbb) = (0i32, 0i32, 0i32);
            for (&x, &y) in a.iter().zip(b) {
                let (x, y) = (i32::from(x), i32::from(y));
                sab += x * y;
                saa += x * x;
                sbb += y * y;
            }
            (ab, aa, bb) = (ab + i64::from(sab), aa + i64::from(saa), bb + i64::from(sbb));
        }
        cosine_from_sums(ab, aa, bb)
    }
}

multiversion! {
    /// Dense bind into `out`.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// let mut out = [0; 3];
    /// portable::dense_bind(&mut out, &[1, -1, 0], &[-1, -1, 1]);
    /// assert_eq!(out, [-1, 1, 0]);
    /// ```
    pub fn dense_bind(out: &mut [i8], a: &[i8], b: &[i8]) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = x.wrapping_mul(y);
        }
    }
}

multiversion! {
    /// Dense bundle into `out`.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// let mut out = [0; 3];
    /// portable::dense_bundle(&mut out, &[1, -1, 0], &[1, 1, -1]);
    /// assert_eq!(out, [1, 0, -1]);
    /// ```
    pub fn dense_bundle(out: &mut [i8], a: &[i8], b: &[i8]) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = x.wrapping_add(y).signum();
        }
    }
}

/// Dense right rotation by `k` (already reduced mod D) into `out`.
///
/// ```
/// use trinity_runtime::portable;
/// let mut out = [0; 3];
/// portable::dense_permute(&mut out, &[1, 0, -1], 1);
/// assert_eq!(out, [-1, 1, 0]);
/// ```
pub fn dense_permute(out: &mut [i8], v: &[i8], k: usize) {
    let d = v.len();
    out[k..].copy_from_slice(&v[..d - k]);
    out[..k].copy_from_slice(&v[d - k..]);
}

multiversion! {
    /// Bitsliced dot product (operands are both planes, `2 * ceil(D/64)` words).
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// // D = 3: a = [1, -1, 0], b = [1, 1, 0]
    /// assert_eq!(portable::bits_dot(&[0b001, 0b010], &[0b011, 0]), 0);
    /// ```
    pub fn bits_dot(a: &[u64], b: &[u64]) -> i64 {
        plane_words(a, b)
            .map(|w| {
                let (plus, minus) = bind_word(w);
                i64::from(plus.count_ones()) - i64::from(minus.count_ones())
            })
            .sum()
    }
}

multiversion! {
    /// Bitsliced hamming distance.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// assert_eq!(portable::bits_hamming(&[0b001, 0b010], &[0b011, 0]), 1);
    /// ```
    pub fn bits_hamming(a: &[u64], b: &[u64]) -> i64 {
        plane_words(a, b).map(|w| i64::from(differ_word(w).count_ones())).sum()
    }
}

multiversion! {
    /// Bitsliced cosine similarity.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// assert_eq!(portable::bits_cosine(&[0b001, 0], &[0b001, 0]), 1.0);
    /// ```
    pub fn bits_cosine(a: &[u64], b: &[u64]) -> f64 {
        let (mut ab, mut aa, mut bb) = (0i64, 0i64, 0i64);
        for w @ [ap, am, bp, bm] in plane_words(a, b) {
            let (plus, minus) = bind_word(w);
            ab += i64::from(plus.count_ones()) - i64::from(minus.count_ones());
            aa += i64::from((ap | am).count_ones());
            bb += i64::from((bp | bm).count_ones());
        }
        cosine_from_sums(ab, aa, bb)
    }
}

#[inline(always)]
fn bits_map(out: &mut [u64], a: &[u64], b: &[u64], f: impl Fn([u64; 4]) -> (u64, u64)) {
    let (out_plus, out_minus) = out.split_at_mut(out.len() / 2);
    for ((p, m), w) in out_plus.iter_mut().zip(out_minus).zip(plane_words(a, b)) {
        (*p, *m) = f(w);
    }
}

multiversion! {
    /// Bitsliced bind into `out` (which may be `a` or `b` in value, not in borrow).
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// let mut out = [0; 2];
    /// portable::bits_bind(&mut out, &[0b001, 0b010], &[0b011, 0]);
    /// assert_eq!(out, [0b001, 0b010]);
    /// ```
    pub fn bits_bind(out: &mut [u64], a: &[u64], b: &[u64]) {
        bits_map(out, a, b, bind_word);
    }
}

multiversion! {
    /// Bitsliced bundle into `out`.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// let mut out = [0; 2];
    /// portable::bits_bundle(&mut out, &[0b001, 0b010], &[0b011, 0]);
    /// assert_eq!(out, [0b001, 0]);
    /// ```
    pub fn bits_bundle(out: &mut [u64], a: &[u64], b: &[u64]) {
        bits_map(out, a, b, bundle_word);
    }
}

multiversion! {
    /// Bitsliced right rotation of a `dim`-trit vector by `k` (already reduced mod D) into `out`.
    ///
    /// ```
    /// use trinity_runtime::portable;
    /// let mut out = [0; 2];
    /// portable::bits_permute(&mut out, &[0b001, 0b100], 3, 1);
    /// assert_eq!(out, [0b010, 0b001]);
    /// ```
    pub fn bits_permute(out: &mut [u64], v: &[u64], dim: usize, k: usize) {
        let w = v.len() / 2;
        let last_word_mask = low_mask(64 - (64 * w - dim));
        for (dst, src) in out.chunks_exact_mut(w).zip(v.chunks_exact(w)) {
            // As dim-bit integers, dst = (src << k) | (src >> (dim - k)); src's padding bits
            // are zero, so both halves are multi-word shifts and only the last word needs a
            // mask.
            shift_left_into(dst, src, k);
            if k != 0 {
                or_shift_right(dst, src, dim - k);
            }
            dst[w - 1] &= last_word_mask;
        }
    }
}

/// `dst = src << bits` over whole words (bits shifted past the last word are dropped).
#[inline(always)]
fn shift_left_into(dst: &mut [u64], src: &[u64], bits: usize) {
    let (q, r) = ((bits / 64).min(dst.len()), bits % 64);
    let (zeros, rest) = dst.split_at_mut(q);
    zeros.fill(0);
    let Some((first, rest)) = rest.split_first_mut() else { return };
    *first = src[0] << r;
    // Split on r so that every shift count is below 64 and the loops vectorise.
    if r == 0 {
        rest.copy_from_slice(&src[1..=rest.len()]);
    } else {
        for (d, pair) in rest.iter_mut().zip(src.windows(2)) {
            *d = pair[1] << r | pair[0] >> (64 - r);
        }
    }
}

/// `dst |= src >> bits` over whole words.
#[inline(always)]
fn or_shift_right(dst: &mut [u64], src: &[u64], bits: usize) {
    let (p, t) = (bits / 64, bits % 64);
    let Some(from) = src.get(p..) else { return };
    let (body, last) = dst[..from.len()].split_at_mut(from.len() - 1);
    last[0] |= from[from.len() - 1] >> t;
    if t == 0 {
        for (d, &word) in body.iter_mut().zip(from) {
            *d |= word;
        }
    } else {
        for (d, pair) in body.iter_mut().zip(from.windows(2)) {
            *d |= pair[0] >> t | pair[1] << (64 - t);
        }
    }
}

fn low_mask(bits: usize) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The cosine formula shared by every path.
///
/// ```
/// use trinity_runtime::reference::cosine_from_sums;
/// assert_eq!(cosine_from_sums(2, 4, 4), 0.5);
/// assert_eq!(cosine_from_sums(0, 0, 9), 0.0);
/// ```
pub fn cosine_from_sums(ab: i64, aa: i64, bb: i64) -> f64 {
    if aa == 0 || bb == 0 {
        0.0
    } else {
        ab as f64 / ((aa as f64) * (bb as f64)).sqrt()
    }
}

multiversion! {
    /// Adds a dense vector's trits to per-position sums: `sums[i] += v[i]` (the slices have equal
    /// length). Callers keep the sums from overflowing.
    ///
    /// ```
    /// let mut sums = [0i32, 5, -1];
    /// trinity_runtime::portable::dense_accumulate(&mut sums, &[1, -1, -1]);
    /// assert_eq!(sums, [1, 4, -2]);
    /// ```
    pub fn dense_accumulate(sums: &mut [i32], v: &[i8]) {
        for (sum, &t) in sums.iter_mut().zip(v) {
            *sum += i32::from(t);
        }
    }
}

multiversion! {
    /// Adds a bitsliced vector's trits to per-position sums, a word of each plane at a time:
    /// `sums[i] += plus bit i - minus bit i`, for `i < sums.len()` (the dimension; `words` is the
    /// +1 plane then the -1 plane). Callers keep the sums from overflowing.
    ///
    /// ```
    /// let mut sums = [0i32, 5, -1];
    /// // trits [1, -1, -1]: plus plane 0b001, minus plane 0b110
    /// trinity_runtime::portable::bits_accumulate(&mut sums, &[0b001, 0b110]);
    /// assert_eq!(sums, [1, 4, -2]);
    /// ```
    pub fn bits_accumulate(sums: &mut [i32], words: &[u64]) {
        let (plus, minus) = words.split_at(words.len() / 2);
        for (chunk, (&p, &m)) in sums.chunks_mut(64).zip(plus.iter().zip(minus)) {
            if chunk.len() < 64 {
                for (j, sum) in chunk.iter_mut().enumerate() {
                    *sum += ((p >> j) & 1) as i32 - ((m >> j) & 1) as i32;
                }
                continue;
            }
            // A byte of each plane at a time, through a table of its eight bits as 0/1 lanes:
            // eight-lane adds the compiler vectorises (bit by bit, it does not).
            for (k, eight) in chunk.chunks_exact_mut(8).enumerate() {
                let (up, down) = (
                    &BYTE_BITS[(p >> (8 * k)) as u8 as usize],
                    &BYTE_BITS[(m >> (8 * k)) as u8 as usize],
                );
                for j in 0..8 {
                    eight[j] += up[j] - down[j];
                }
            }
        }
    }
}

/// Bit `j` of each byte value, as the `j`-th of eight 0/1 lanes.
static BYTE_BITS: [[i32; 8]; 256] = {
    let mut table = [[0; 8]; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut j = 0;
        while j < 8 {
            table[byte][j] = ((byte >> j) & 1) as i32;
            j += 1;
        }
        byte += 1;
    }
    table
};

/// Dense signs of per-position sums: `out[i] = sign(sums[i])` (equal lengths).
///
/// ```
/// let mut out = [0i8; 3];
/// trinity_runtime::portable::dense_signs(&mut out, &[4, 0, -2]);
/// assert_eq!(out, [1, 0, -1]);
/// ```
pub fn dense_signs(out: &mut [i8], sums: &[i32]) {
    for (t, &sum) in out.iter_mut().zip(sums) {
        *t = sum.signum() as i8;
    }
}

/// Bitsliced signs of per-position sums, a word of each plane at a time: bit `i` of the +1
/// plane where `sums[i] > 0`, of the -1 plane where `sums[i] < 0` (`out` is both planes of
/// `ceil(sums.len() / 64)` words; padding bits are cleared).
///
/// ```
/// let mut out = [0u64; 2];
/// trinity_runtime::portable::bits_signs(&mut out, &[4, 0, -2]);
/// assert_eq!(out, [0b001, 0b100]);
/// ```
pub fn bits_signs(out: &mut [u64], sums: &[i32]) {
    let (plus, minus) = out.split_at_mut(out.len() / 2);
    for (chunk, (p, m)) in sums.chunks(64).zip(plus.iter_mut().zip(minus)) {
        (*p, *m) = (0, 0);
        for (j, &sum) in chunk.iter().enumerate() {
            *p |= u64::from(sum > 0) << j;
            *m |= u64::from(sum < 0) << j;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planes(t: i8) -> (u64, u64) {
        (u64::from(t == 1), u64::from(t == -1))
    }

    fn trit(plus: u64, minus: u64) -> i8 {
        assert!(plus & minus == 0, "both planes set");
        plus as i8 - minus as i8
    }

    #[test]
    fn word_formulas_hold_for_all_nine_pairs() {
        for a in -1i8..=1 {
            for b in -1i8..=1 {
                let ((ap, am), (bp, bm)) = (planes(a), planes(b));
                let (p, m) = bind_word([ap, am, bp, bm]);
                assert_eq!(trit(p, m), a * b, "bind {a} {b}");
                let (p, m) = bundle_word([ap, am, bp, bm]);
                assert_eq!(trit(p, m), (a + b).signum(), "bundle {a} {b}");
                assert_eq!(differ_word([ap, am, bp, bm]), u64::from(a != b), "differ {a} {b}");
            }
        }
    }
}
