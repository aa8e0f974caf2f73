//! Seeded random trits, compatible with the original Trinity (docs/design.md §1): xoshiro256++ whose
//! four state words come from SplitMix64(seed); each trit takes one `next()`, uses its low
//! byte `x`, redraws when `x == 0`, and is `floor(3x / 256) - 1`. With x uniform on 1..=255,
//! each trit value gets exactly 85 of the 255 byte values, so the draw is exactly uniform.

/// SplitMix64 (Steele, Lea, Flood 2014): used to expand a 64-bit seed into a larger state.
///
/// ```
/// use trinity_runtime::random::SplitMix64;
/// let mut g = SplitMix64::new(1234567);
/// assert_eq!(g.next_u64(), 6457827717110365317);
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting at `seed`.
    ///
    /// ```
    /// let mut a = trinity_runtime::random::SplitMix64::new(7);
    /// let mut b = trinity_runtime::random::SplitMix64::new(7);
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// ```
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next output.
    ///
    /// ```
    /// let mut g = trinity_runtime::random::SplitMix64::new(1234567);
    /// assert_eq!(g.next_u64(), 6457827717110365317);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// xoshiro256++ (Blackman and Vigna 2019).
///
/// ```
/// use trinity_runtime::random::Xoshiro256PlusPlus;
/// let mut g = Xoshiro256PlusPlus::from_seed(42);
/// let t = g.next_trit();
/// assert!((-1..=1).contains(&t));
/// ```
#[derive(Debug, Clone)]
pub struct Xoshiro256PlusPlus {
    s: [u64; 4],
}

impl Xoshiro256PlusPlus {
    /// A generator with the given state (which must not be all zeros to be useful).
    ///
    /// ```
    /// let mut g = trinity_runtime::random::Xoshiro256PlusPlus::from_state([0, 0, 0, 1]);
    /// assert_eq!(g.next_u64(), 0x80_0000);
    /// ```
    pub fn from_state(s: [u64; 4]) -> Self {
        Xoshiro256PlusPlus { s }
    }

    /// A generator whose state is four outputs of [`SplitMix64`] seeded with `seed`.
    ///
    /// ```
    /// use trinity_runtime::random::{SplitMix64, Xoshiro256PlusPlus};
    /// let mut mix = SplitMix64::new(5);
    /// let state = [mix.next_u64(), mix.next_u64(), mix.next_u64(), mix.next_u64()];
    /// let (mut a, mut b) = (Xoshiro256PlusPlus::from_seed(5), Xoshiro256PlusPlus::from_state(state));
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// ```
    pub fn from_seed(seed: u64) -> Self {
        let mut mix = SplitMix64::new(seed);
        Xoshiro256PlusPlus { s: [mix.next_u64(), mix.next_u64(), mix.next_u64(), mix.next_u64()] }
    }

    /// The next output.
    ///
    /// ```
    /// let mut g = trinity_runtime::random::Xoshiro256PlusPlus::from_state([0, 0, 0, 1]);
    /// assert_eq!(g.next_u64(), 0x80_0000);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// The next trit, by the original Trinity's rule.
    ///
    /// ```
    /// use trinity_runtime::{random::Xoshiro256PlusPlus, DenseVector};
    /// let mut g = Xoshiro256PlusPlus::from_seed(11);
    /// let first: Vec<i8> = (0..5).map(|_| g.next_trit()).collect();
    /// assert_eq!(first, DenseVector::random(5, 11)?.as_slice());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn next_trit(&mut self) -> i8 {
        loop {
            let x = (self.next_u64() & 0xff) as u32;
            if x != 0 {
                return (3 * x / 256) as i8 - 1;
            }
        }
    }
}

/// `dim` trits from `seed` (no dimension check; callers check).
pub(crate) fn trits(dim: usize, seed: u64) -> Vec<i8> {
    let mut g = Xoshiro256PlusPlus::from_seed(seed);
    (0..dim).map(|_| g.next_trit()).collect()
}
