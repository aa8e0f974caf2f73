//! The yardstick: hand-written `std::arch` AVX2 implementations of every op, both layouts.
//!
//! The benches put these beside the JIT kernels; the JIT's target is to match them. Each
//! function checks for AVX2 and POPCNT at run time and returns `None` when they are missing.
//! Dense operands are `i8` slices of length D; bitsliced operands are `u64` slices of 2W words
//! (+1 plane, then -1 plane, W = ceil(D/64)), and the caller passes D.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Whether this CPU can run the yardstick.
pub fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("popcnt")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

macro_rules! guarded {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty = $imp:ident;) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) -> Option<$ret> {
            if !available() {
                return None;
            }
            // SAFETY: the CPU supports AVX2 and POPCNT (checked just above), the only
            // requirement of the target-feature function.
            Some(unsafe { imp::$imp($($arg),*) })
        }
    };
}

guarded! { /// Dense dot product.
fn dense_dot(a: &[i8], b: &[i8]) -> i64 = dense_dot; }
guarded! { /// Dense hamming distance.
fn dense_hamming(a: &[i8], b: &[i8]) -> i64 = dense_hamming; }
guarded! { /// Dense cosine similarity.
fn dense_cosine(a: &[i8], b: &[i8]) -> f64 = dense_cosine; }
guarded! { /// Dense bind into `out`.
fn dense_bind(out: &mut [i8], a: &[i8], b: &[i8]) -> () = dense_bind; }
guarded! { /// Dense bundle into `out`.
fn dense_bundle(out: &mut [i8], a: &[i8], b: &[i8]) -> () = dense_bundle; }
guarded! { /// Dense right rotation by `k` (0 <= k < D) into `out`.
fn dense_permute(out: &mut [i8], v: &[i8], k: usize) -> () = dense_permute; }
guarded! { /// Bitsliced dot product.
fn bits_dot(a: &[u64], b: &[u64]) -> i64 = bits_dot; }
guarded! { /// Bitsliced dot product with one `popcnt` per word (a popcount candidate to compare).
fn bits_dot_popcnt(a: &[u64], b: &[u64]) -> i64 = bits_dot_popcnt; }
guarded! { /// Bitsliced dot product with Harley-Seal carry-save popcounts (a popcount candidate).
fn bits_dot_harley_seal(a: &[u64], b: &[u64]) -> i64 = bits_dot_harley_seal; }
guarded! { /// Bitsliced hamming distance.
fn bits_hamming(a: &[u64], b: &[u64]) -> i64 = bits_hamming; }
guarded! { /// Bitsliced hamming distance with Harley-Seal carry-save popcounts.
fn bits_hamming_harley_seal(a: &[u64], b: &[u64]) -> i64 = bits_hamming_harley_seal; }
guarded! { /// Bitsliced cosine similarity with Harley-Seal carry-save popcounts.
fn bits_cosine_harley_seal(a: &[u64], b: &[u64]) -> f64 = bits_cosine_harley_seal; }
guarded! { /// Bitsliced cosine similarity.
fn bits_cosine(a: &[u64], b: &[u64]) -> f64 = bits_cosine; }
guarded! { /// Bitsliced bind into `out`.
fn bits_bind(out: &mut [u64], a: &[u64], b: &[u64]) -> () = bits_bind; }
guarded! { /// Bitsliced bundle into `out`.
fn bits_bundle(out: &mut [u64], a: &[u64], b: &[u64]) -> () = bits_bundle; }
guarded! { /// Bitsliced right rotation of a D-trit vector by `k` (0 <= k < D) into `out`.
fn bits_permute(out: &mut [u64], v: &[u64], dim: usize, k: usize) -> () = bits_permute; }

/// One implementation of every op in one layout, as plain function pointers, so a bench can
/// take the yardstick or portable Rust alike. `permute` takes D and the shift.
pub struct Ops<T> {
    pub dot: fn(&[T], &[T]) -> i64,
    pub hamming: fn(&[T], &[T]) -> i64,
    pub cosine: fn(&[T], &[T]) -> f64,
    pub bind: fn(&mut [T], &[T], &[T]),
    pub bundle: fn(&mut [T], &[T], &[T]),
    pub permute: fn(&mut [T], &[T], usize, usize),
}

impl<T> Ops<T> {
    /// The reduce op (dot or hamming).
    pub fn reduce(&self, op: trinity_emit::kernels::Op) -> fn(&[T], &[T]) -> i64 {
        if op == trinity_emit::kernels::Op::Hamming {
            self.hamming
        } else {
            self.dot
        }
    }

    /// The map op (bind or bundle).
    pub fn map(&self, op: trinity_emit::kernels::Op) -> fn(&mut [T], &[T], &[T]) {
        if op == trinity_emit::kernels::Op::Bundle {
            self.bundle
        } else {
            self.bind
        }
    }
}

// The yardstick as `Ops`: callers check `available()` first, so the unwraps never fire (and
// cost one predictable branch).
/// The dense yardstick.
pub const DENSE: Ops<i8> = Ops {
    dot: |a, b| dense_dot(a, b).unwrap(),
    hamming: |a, b| dense_hamming(a, b).unwrap(),
    cosine: |a, b| dense_cosine(a, b).unwrap(),
    bind: |o, a, b| dense_bind(o, a, b).unwrap(),
    bundle: |o, a, b| dense_bundle(o, a, b).unwrap(),
    permute: |o, v, _dim, k| dense_permute(o, v, k).unwrap(),
};

/// The bitsliced yardstick.
pub const BITS: Ops<u64> = Ops {
    dot: |a, b| bits_dot(a, b).unwrap(),
    hamming: |a, b| bits_hamming(a, b).unwrap(),
    cosine: |a, b| bits_cosine(a, b).unwrap(),
    bind: |o, a, b| bits_bind(o, a, b).unwrap(),
    bundle: |o, a, b| bits_bundle(o, a, b).unwrap(),
    permute: |o, v, dim, k| bits_permute(o, v, dim, k).unwrap(),
};

/// Portable Rust (`trinity_runtime::portable`), dense.
pub const PORTABLE_DENSE: Ops<i8> = {
    use trinity_runtime::portable as p;
    Ops {
        dot: p::dense_dot,
        hamming: p::dense_hamming,
        cosine: p::dense_cosine,
        bind: p::dense_bind,
        bundle: p::dense_bundle,
        permute: |o, v, _dim, k| p::dense_permute(o, v, k),
    }
};

/// Portable Rust, bitsliced.
pub const PORTABLE_BITS: Ops<u64> = {
    use trinity_runtime::portable as p;
    Ops {
        dot: p::bits_dot,
        hamming: p::bits_hamming,
        cosine: p::bits_cosine,
        bind: p::bits_bind,
        bundle: p::bits_bundle,
        permute: p::bits_permute,
    }
};

/// `dot / sqrt(aa * bb)`, 0.0 when either norm is zero.
fn cosine_of(dot: i64, aa: i64, bb: i64) -> f64 {
    if aa == 0 || bb == 0 {
        0.0
    } else {
        dot as f64 / ((aa as f64) * (bb as f64)).sqrt()
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::*;

    const LANES: usize = 32;

    #[inline(always)]
    unsafe fn load(p: *const i8) -> __m256i {
        _mm256_loadu_si256(p.cast())
    }

    #[inline(always)]
    unsafe fn hsum_epi64(v: __m256i) -> i64 {
        let mut lanes = [0i64; 4];
        _mm256_storeu_si256(lanes.as_mut_ptr().cast(), v);
        lanes.iter().sum()
    }

    /// Sum of the i8 lanes of `v`, widened to i64 lanes (four partial sums).
    #[inline(always)]
    unsafe fn widen_i8(v: __m256i) -> __m256i {
        let pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), v);
        let quads = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
        let lo = _mm256_cvtepi32_epi64(_mm256_castsi256_si128(quads));
        let hi = _mm256_cvtepi32_epi64(_mm256_extracti128_si256::<1>(quads));
        _mm256_add_epi64(lo, hi)
    }

    /// Sums over dense lanes of three per-lane i8 quantities, each in -1..=1: for blocks of at
    /// most 127 vectors the i8 accumulators cannot overflow.
    #[inline(always)]
    unsafe fn dense_reduce<const N: usize>(
        a: &[i8],
        b: &[i8],
        lane: impl Fn(__m256i, __m256i) -> [__m256i; N],
        scalar: impl Fn(i8, i8) -> [i64; N],
    ) -> [i64; N] {
        let n = a.len();
        let vectors = n / LANES;
        let mut wide = [_mm256_setzero_si256(); N];
        let mut start = 0;
        while start < vectors {
            let end = (start + 127).min(vectors);
            let mut narrow = [_mm256_setzero_si256(); N];
            for v in start..end {
                let va = load(a.as_ptr().add(v * LANES));
                let vb = load(b.as_ptr().add(v * LANES));
                let terms = lane(va, vb);
                for k in 0..N {
                    narrow[k] = _mm256_add_epi8(narrow[k], terms[k]);
                }
            }
            for k in 0..N {
                wide[k] = _mm256_add_epi64(wide[k], widen_i8(narrow[k]));
            }
            start = end;
        }
        let mut sums = [0i64; N];
        for k in 0..N {
            sums[k] = hsum_epi64(wide[k]);
        }
        for i in vectors * LANES..n {
            let terms = scalar(a[i], b[i]);
            for k in 0..N {
                sums[k] += terms[k];
            }
        }
        sums
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn dense_dot(a: &[i8], b: &[i8]) -> i64 {
        let [dot] = dense_reduce(
            a,
            b,
            |va, vb| [_mm256_sign_epi8(va, vb)],
            |x, y| [i64::from(x) * i64::from(y)],
        );
        dot
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn dense_hamming(a: &[i8], b: &[i8]) -> i64 {
        // cmpeq gives -1 where equal: the sum is minus the number of equal lanes.
        let [neg_equal] =
            dense_reduce(a, b, |va, vb| [_mm256_cmpeq_epi8(va, vb)], |x, y| [-i64::from(x == y)]);
        a.len() as i64 + neg_equal
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn dense_cosine(a: &[i8], b: &[i8]) -> f64 {
        let [dot, aa, bb] = dense_reduce(
            a,
            b,
            |va, vb| [_mm256_sign_epi8(va, vb), _mm256_abs_epi8(va), _mm256_abs_epi8(vb)],
            |x, y| {
                let (x, y) = (i64::from(x), i64::from(y));
                [x * y, x * x, y * y]
            },
        );
        cosine_of(dot, aa, bb)
    }

    #[inline(always)]
    unsafe fn dense_map(
        out: &mut [i8],
        a: &[i8],
        b: &[i8],
        lane: impl Fn(__m256i, __m256i) -> __m256i,
        scalar: impl Fn(i8, i8) -> i8,
    ) {
        let n = a.len();
        let vectors = n / LANES;
        for v in 0..vectors {
            let va = load(a.as_ptr().add(v * LANES));
            let vb = load(b.as_ptr().add(v * LANES));
            _mm256_storeu_si256(out.as_mut_ptr().add(v * LANES).cast(), lane(va, vb));
        }
        for i in vectors * LANES..n {
            out[i] = scalar(a[i], b[i]);
        }
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn dense_bind(out: &mut [i8], a: &[i8], b: &[i8]) {
        dense_map(out, a, b, |va, vb| _mm256_sign_epi8(va, vb), |x, y| x * y);
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn dense_bundle(out: &mut [i8], a: &[i8], b: &[i8]) {
        // sign(a + b): vpsignb of ones by the sum.
        dense_map(
            out,
            a,
            b,
            |va, vb| _mm256_sign_epi8(_mm256_set1_epi8(1), _mm256_add_epi8(va, vb)),
            |x, y| (x + y).signum(),
        );
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn dense_permute(out: &mut [i8], v: &[i8], k: usize) {
        let n = v.len();
        out[k..].copy_from_slice(&v[..n - k]);
        out[..k].copy_from_slice(&v[n - k..]);
    }

    /// Per-byte popcount of a 256-bit vector by nibble lookup.
    #[inline(always)]
    unsafe fn popcnt_bytes(v: __m256i) -> __m256i {
        let table = _mm256_setr_epi8(
            0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2,
            3, 3, 4,
        );
        let low = _mm256_set1_epi8(0x0f);
        let lo = _mm256_and_si256(v, low);
        let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), low);
        _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi))
    }

    /// Popcounts of N per-word quantities over the two planes of `a` and `b`. Byte counters
    /// take at most 8 per block, so blocks of 31 vectors cannot overflow them.
    #[inline(always)]
    unsafe fn bits_reduce<const N: usize>(
        a: &[u64],
        b: &[u64],
        lane: impl Fn([__m256i; 4]) -> [__m256i; N],
        scalar: impl Fn([u64; 4]) -> [u64; N],
    ) -> [i64; N] {
        let w = a.len() / 2;
        let (ap, am) = a.split_at(w);
        let (bp, bm) = b.split_at(w);
        let vectors = w / 4;
        let mut wide = [_mm256_setzero_si256(); N];
        let mut start = 0;
        while start < vectors {
            let end = (start + 31).min(vectors);
            let mut narrow = [_mm256_setzero_si256(); N];
            for v in start..end {
                let at = |s: &[u64]| _mm256_loadu_si256(s.as_ptr().add(v * 4).cast());
                let terms = lane([at(ap), at(am), at(bp), at(bm)]);
                for k in 0..N {
                    narrow[k] = _mm256_add_epi8(narrow[k], popcnt_bytes(terms[k]));
                }
            }
            for k in 0..N {
                wide[k] =
                    _mm256_add_epi64(wide[k], _mm256_sad_epu8(narrow[k], _mm256_setzero_si256()));
            }
            start = end;
        }
        let mut sums = [0i64; N];
        for k in 0..N {
            sums[k] = hsum_epi64(wide[k]);
        }
        for i in vectors * 4..w {
            let terms = scalar([ap[i], am[i], bp[i], bm[i]]);
            for k in 0..N {
                sums[k] += i64::from(terms[k].count_ones());
            }
        }
        sums
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_dot(a: &[u64], b: &[u64]) -> i64 {
        // Products are +1 where the signs agree and -1 where they differ.
        let [pos, neg] = bits_reduce(a, b, |v| dot_lanes(v), dot_words);
        pos - neg
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_dot_popcnt(a: &[u64], b: &[u64]) -> i64 {
        let w = a.len() / 2;
        let (ap, am) = a.split_at(w);
        let (bp, bm) = b.split_at(w);
        let mut sum = 0i64;
        for i in 0..w {
            let pos = (ap[i] & bp[i]) | (am[i] & bm[i]);
            let neg = (ap[i] & bm[i]) | (am[i] & bp[i]);
            sum += i64::from(pos.count_ones()) - i64::from(neg.count_ones());
        }
        sum
    }

    /// Harley-Seal state for one stream of 256-bit vectors: bit-sliced counters of weight
    /// 1, 2, 4, 8 and the popcount total of the weight-16 carries.
    #[derive(Clone, Copy)]
    struct HarleySeal {
        ones: __m256i,
        twos: __m256i,
        fours: __m256i,
        eights: __m256i,
        total: __m256i,
    }

    #[inline(always)]
    unsafe fn csa(a: __m256i, b: __m256i, c: __m256i) -> (__m256i, __m256i) {
        // Carry-save adder: (carry, sum) of three bit vectors.
        let u = _mm256_xor_si256(a, b);
        (_mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(u, c)), _mm256_xor_si256(u, c))
    }

    #[inline(always)]
    unsafe fn popcnt64(v: __m256i) -> __m256i {
        _mm256_sad_epu8(popcnt_bytes(v), _mm256_setzero_si256())
    }

    impl HarleySeal {
        // SAFETY: an all-zero __m256i is a valid value (the transmute needs no AVX).
        const ZERO: HarleySeal = {
            let z: __m256i = unsafe { std::mem::transmute([0u64; 4]) };
            HarleySeal { ones: z, twos: z, fours: z, eights: z, total: z }
        };

        /// Add 16 vectors.
        #[inline(always)]
        unsafe fn add16(&mut self, d: &[__m256i; 16]) {
            let mut eights_pair = [_mm256_setzero_si256(); 2];
            for (half, eights) in eights_pair.iter_mut().enumerate() {
                let d = &d[8 * half..8 * half + 8];
                let mut fours_pair = [_mm256_setzero_si256(); 2];
                for (quarter, fours) in fours_pair.iter_mut().enumerate() {
                    let (twos_a, ones) = csa(self.ones, d[4 * quarter], d[4 * quarter + 1]);
                    let (twos_b, ones) = csa(ones, d[4 * quarter + 2], d[4 * quarter + 3]);
                    self.ones = ones;
                    let (f, twos) = csa(self.twos, twos_a, twos_b);
                    self.twos = twos;
                    *fours = f;
                }
                let (e, fours) = csa(self.fours, fours_pair[0], fours_pair[1]);
                self.fours = fours;
                *eights = e;
            }
            let (sixteens, eights) = csa(self.eights, eights_pair[0], eights_pair[1]);
            self.eights = eights;
            self.total = _mm256_add_epi64(self.total, popcnt64(sixteens));
        }

        #[inline(always)]
        unsafe fn sum(&self) -> i64 {
            let mut t = _mm256_slli_epi64::<4>(self.total);
            t = _mm256_add_epi64(t, _mm256_slli_epi64::<3>(popcnt64(self.eights)));
            t = _mm256_add_epi64(t, _mm256_slli_epi64::<2>(popcnt64(self.fours)));
            t = _mm256_add_epi64(t, _mm256_slli_epi64::<1>(popcnt64(self.twos)));
            t = _mm256_add_epi64(t, popcnt64(self.ones));
            hsum_epi64(t)
        }
    }

    /// Popcounts of N per-word quantities over the two planes of `a` and `b`, by Harley-Seal:
    /// blocks of 16 vectors through the carry-save tree, the last words by scalar `popcnt`.
    #[inline(always)]
    unsafe fn harley_seal_reduce<const N: usize>(
        a: &[u64],
        b: &[u64],
        lane: impl Fn([__m256i; 4]) -> [__m256i; N],
        scalar: impl Fn([u64; 4]) -> [u64; N],
    ) -> [i64; N] {
        let w = a.len() / 2;
        let (ap, am) = a.split_at(w);
        let (bp, bm) = b.split_at(w);
        // Plain loops, not closures: a closure would not inherit the caller's AVX2 and its
        // intrinsics would become calls.
        let mut state = [HarleySeal::ZERO; N];
        let blocks = w / 64; // 16 vectors of 4 words
        let at = |s: &[u64], i: usize| _mm256_loadu_si256(s.as_ptr().add(4 * i).cast());
        for block in 0..blocks {
            let mut d = [[_mm256_setzero_si256(); 16]; N];
            for k in 0..16 {
                let i = 16 * block + k;
                let terms = lane([at(ap, i), at(am, i), at(bp, i), at(bm, i)]);
                for (stream, term) in d.iter_mut().zip(terms) {
                    stream[k] = term;
                }
            }
            for (state, stream) in state.iter_mut().zip(&d) {
                state.add16(stream);
            }
        }
        let mut sums = [0i64; N];
        for q in 0..N {
            sums[q] = state[q].sum();
        }
        for i in 64 * blocks..w {
            let terms = scalar([ap[i], am[i], bp[i], bm[i]]);
            for q in 0..N {
                sums[q] += i64::from(terms[q].count_ones());
            }
        }
        sums
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_dot_harley_seal(a: &[u64], b: &[u64]) -> i64 {
        let [pos, neg] = harley_seal_reduce(a, b, |v| dot_lanes(v), dot_words);
        pos - neg
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_hamming_harley_seal(a: &[u64], b: &[u64]) -> i64 {
        let [differ] = harley_seal_reduce(a, b, |v| hamming_lanes(v), hamming_words);
        differ
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_cosine_harley_seal(a: &[u64], b: &[u64]) -> f64 {
        let [pos, neg, na, nb] = harley_seal_reduce(a, b, |v| cosine_lanes(v), cosine_words);
        cosine_of(pos - neg, na, nb)
    }

    // What each bitsliced reduction counts per position, per vector and per word.
    #[inline(always)]
    unsafe fn dot_lanes([ap, am, bp, bm]: [__m256i; 4]) -> [__m256i; 2] {
        let or = _mm256_or_si256;
        let and = _mm256_and_si256;
        [or(and(ap, bp), and(am, bm)), or(and(ap, bm), and(am, bp))]
    }
    fn dot_words([ap, am, bp, bm]: [u64; 4]) -> [u64; 2] {
        [(ap & bp) | (am & bm), (ap & bm) | (am & bp)]
    }
    #[inline(always)]
    unsafe fn hamming_lanes([ap, am, bp, bm]: [__m256i; 4]) -> [__m256i; 1] {
        [_mm256_or_si256(_mm256_xor_si256(ap, bp), _mm256_xor_si256(am, bm))]
    }
    fn hamming_words([ap, am, bp, bm]: [u64; 4]) -> [u64; 1] {
        [(ap ^ bp) | (am ^ bm)]
    }
    #[inline(always)]
    unsafe fn cosine_lanes(v: [__m256i; 4]) -> [__m256i; 4] {
        let [pos, neg] = dot_lanes(v);
        let [ap, am, bp, bm] = v;
        [pos, neg, _mm256_or_si256(ap, am), _mm256_or_si256(bp, bm)]
    }
    fn cosine_words(v: [u64; 4]) -> [u64; 4] {
        let [pos, neg] = dot_words(v);
        let [ap, am, bp, bm] = v;
        [pos, neg, ap | am, bp | bm]
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_hamming(a: &[u64], b: &[u64]) -> i64 {
        let [differ] = bits_reduce(a, b, |v| hamming_lanes(v), hamming_words);
        differ
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_cosine(a: &[u64], b: &[u64]) -> f64 {
        let [pos, neg, na, nb] = bits_reduce(a, b, |v| cosine_lanes(v), cosine_words);
        cosine_of(pos - neg, na, nb)
    }

    #[inline(always)]
    unsafe fn bits_map(
        out: &mut [u64],
        a: &[u64],
        b: &[u64],
        lane: impl Fn([__m256i; 4]) -> [__m256i; 2],
        scalar: impl Fn([u64; 4]) -> [u64; 2],
    ) {
        let w = a.len() / 2;
        let vectors = w / 4;
        let (ap, am) = a.split_at(w);
        let (bp, bm) = b.split_at(w);
        let (op, om) = out.split_at_mut(w);
        for v in 0..vectors {
            let at = |s: &[u64]| _mm256_loadu_si256(s.as_ptr().add(v * 4).cast());
            let [p, m] = lane([at(ap), at(am), at(bp), at(bm)]);
            _mm256_storeu_si256(op.as_mut_ptr().add(v * 4).cast(), p);
            _mm256_storeu_si256(om.as_mut_ptr().add(v * 4).cast(), m);
        }
        for i in vectors * 4..w {
            let [p, m] = scalar([ap[i], am[i], bp[i], bm[i]]);
            op[i] = p;
            om[i] = m;
        }
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_bind(out: &mut [u64], a: &[u64], b: &[u64]) {
        bits_map(
            out,
            a,
            b,
            |[ap, am, bp, bm]| {
                let or = _mm256_or_si256;
                let and = _mm256_and_si256;
                [or(and(ap, bp), and(am, bm)), or(and(ap, bm), and(am, bp))]
            },
            |[ap, am, bp, bm]| [(ap & bp) | (am & bm), (ap & bm) | (am & bp)],
        );
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_bundle(out: &mut [u64], a: &[u64], b: &[u64]) {
        // sign(a + b) is +1 where one is +1 and the other is not -1 (and the reverse for -1).
        bits_map(
            out,
            a,
            b,
            |[ap, am, bp, bm]| {
                let or = _mm256_or_si256;
                let andn = _mm256_andnot_si256;
                [or(andn(bm, ap), andn(am, bp)), or(andn(bp, am), andn(ap, bm))]
            },
            |[ap, am, bp, bm]| [(ap & !bm) | (bp & !am), (am & !bp) | (bm & !ap)],
        );
    }

    /// Word `i` of `plane` shifted left by `bits` as a multi-word integer (0 < bits), reading
    /// zero outside the plane.
    #[inline(always)]
    fn word_shl(plane: &[u64], i: isize, words: isize, bits: u32) -> u64 {
        let at =
            |j: isize| if j >= 0 && (j as usize) < plane.len() { plane[j as usize] } else { 0 };
        let hi = at(i - words);
        if bits == 0 {
            hi
        } else {
            (hi << bits) | (at(i - words - 1) >> (64 - bits))
        }
    }

    /// Word `i` of `plane` shifted right by `words * 64 + bits`, reading zero outside the plane.
    #[inline(always)]
    fn word_shr(plane: &[u64], i: isize, words: isize, bits: u32) -> u64 {
        let at =
            |j: isize| if j >= 0 && (j as usize) < plane.len() { plane[j as usize] } else { 0 };
        let lo = at(i + words);
        if bits == 0 {
            lo
        } else {
            (lo >> bits) | (at(i + words + 1) << (64 - bits))
        }
    }

    /// Four words of a multi-word shift by `r` bits (0 <= r < 64) of the words at `src + i`,
    /// pulling bits in from the next word down (`left`) or up. A shift by 64 gives zero in
    /// AVX2, so r = 0 needs no special case.
    #[inline(always)]
    unsafe fn funnel4(src: *const u64, i: usize, r: u32, left: bool) -> __m256i {
        let near = _mm256_loadu_si256(src.add(i).cast());
        let far = _mm256_loadu_si256(src.add(i).offset(if left { -1 } else { 1 }).cast());
        let (near_shift, far_shift) =
            (_mm_cvtsi32_si128(r as i32), _mm_cvtsi32_si128(64 - r as i32));
        if left {
            _mm256_or_si256(_mm256_sll_epi64(near, near_shift), _mm256_srl_epi64(far, far_shift))
        } else {
            _mm256_or_si256(_mm256_srl_epi64(near, near_shift), _mm256_sll_epi64(far, far_shift))
        }
    }

    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn bits_permute(out: &mut [u64], v: &[u64], dim: usize, k: usize) {
        // Right rotation of a D-bit ring: out = (v << k) | (v >> (D - k)), masked to D bits.
        let w = v.len() / 2;
        let tail_mask = if dim % 64 == 0 { !0 } else { (1u64 << (dim % 64)) - 1 };
        let (lq, lr) = ((k / 64) as isize, (k % 64) as u32);
        let back = dim - k;
        let (rq, rr) = ((back / 64) as isize, (back % 64) as u32);
        for plane in 0..2 {
            let src = &v[plane * w..(plane + 1) * w];
            let dst = &mut out[plane * w..(plane + 1) * w];
            let mut i = 0usize;
            while i < w {
                let ii = i as isize;
                // Four words at once where every source word of both shifts is in range.
                let shl_ok = ii - lq > 0 && ii - lq + 3 < w as isize;
                let shr_ok = ii + rq + 4 < w as isize;
                if shl_ok && shr_ok && i + 4 <= w {
                    let l = funnel4(src.as_ptr().offset(-lq), i, lr, true);
                    let r = funnel4(src.as_ptr().offset(rq), i, rr, false);
                    _mm256_storeu_si256(dst.as_mut_ptr().add(i).cast(), _mm256_or_si256(l, r));
                    i += 4;
                    continue;
                }
                let mut word = word_shl(src, ii, lq, lr) | word_shr(src, ii, rq, rr);
                if i == w - 1 {
                    word &= tail_mask;
                }
                dst[i] = word;
                i += 1;
            }
        }
    }
}
