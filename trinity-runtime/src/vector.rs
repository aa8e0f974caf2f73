//! Ternary vectors in the two compute layouts of docs/design.md §2, read access to their trits
//! ([`Trits`]), and the sealed [`Vector`] trait kernels are called through.

use crate::{Error, Result, MAX_DIM};
use aligned_vec::{AVec, ConstAlign};
use std::fmt;
use std::hash::{Hash, Hasher};
use trinity_emit::kernels::Layout;

/// The alignment of every vector's elements: a cache line, and the width of the widest load a
/// kernel makes (AVX-512). A 64-byte load from an unaligned operand spans two cache lines,
/// which costs the dense kernels 1.32-1.65x (docs/design.md §3.3).
pub const VECTOR_ALIGN: usize = 64;

/// Elements on a [`VECTOR_ALIGN`] boundary.
type Aligned<T> = AVec<T, ConstAlign<VECTOR_ALIGN>>;

/// `len` zeroed elements, aligned.
fn aligned_zeros<T: Copy + Default>(len: usize) -> Aligned<T> {
    AVec::from_iter(VECTOR_ALIGN, std::iter::repeat_n(T::default(), len))
}

/// A copy of `items`, aligned.
fn aligned_copy<T: Copy>(items: &[T]) -> Aligned<T> {
    AVec::from_slice(VECTOR_ALIGN, items)
}

/// Check a dimension against 1..=[`MAX_DIM`].
pub(crate) fn check_dim(dim: usize) -> Result<()> {
    match dim {
        0 => Err(Error::ZeroDimension),
        d if d > MAX_DIM => Err(Error::DimensionTooLarge { dim }),
        _ => Ok(()),
    }
}

/// Check that two dimensions agree.
pub(crate) fn same_dim(left: usize, right: usize) -> Result<()> {
    if left == right {
        Ok(())
    } else {
        Err(Error::DimensionMismatch { left, right })
    }
}

/// Check that `trits` is a valid dense operand: a valid dimension and every byte -1, 0 or 1
/// ([`Error::InvalidTrit`] names the first other byte).
pub(crate) fn check_trits(trits: &[i8]) -> Result<()> {
    check_dim(trits.len())?;
    match first_invalid(trits) {
        Some(index) => Err(Error::InvalidTrit { value: trits[index], index }),
        None => Ok(()),
    }
}

/// Bytes per block of [`first_invalid`]'s branch-free pass.
const CHECK_BLOCK: usize = 4096;

/// The index of the first byte of `trits` that is not -1, 0 or 1. A byte is a trit exactly when
/// it plus one, as an unsigned byte, is at most 2; each block is tested without a branch per
/// byte (a loop the compiler vectorizes), and only a failing block is searched byte by byte.
pub(crate) fn first_invalid(trits: &[i8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, the one feature `first_invalid_avx2` is compiled for.
        return unsafe { first_invalid_avx2(trits) };
    }
    first_invalid_blocks(trits)
}

/// [`first_invalid_blocks`] compiled for AVX2 (32 bytes a compare instead of SSE2's 16).
///
/// # Safety
/// The CPU must have AVX2. (An `unsafe fn`, not a safe one with `#[target_feature]`, which
/// needs Rust 1.86; the library supports 1.82.)
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn first_invalid_avx2(trits: &[i8]) -> Option<usize> {
    first_invalid_blocks(trits)
}

#[inline(always)]
fn first_invalid_blocks(trits: &[i8]) -> Option<usize> {
    // (t + 1) as u8 is 0, 1 or 2 for a trit, and (t + 1) - 2 saturating at 0 is nonzero for
    // any other byte: an add, a saturating subtract and an or per vector of bytes.
    let excess = |t: i8| (t as u8).wrapping_add(1).saturating_sub(2);
    for (b, block) in trits.chunks(CHECK_BLOCK).enumerate() {
        if block.iter().fold(0u8, |acc, &t| acc | excess(t)) != 0 {
            return block.iter().position(|&t| excess(t) != 0).map(|i| b * CHECK_BLOCK + i);
        }
    }
    None
}

/// Words per bit plane for dimension `dim`.
///
/// ```
/// assert_eq!(trinity_runtime::words_per_plane(64), 1);
/// assert_eq!(trinity_runtime::words_per_plane(65), 2);
/// ```
pub fn words_per_plane(dim: usize) -> usize {
    dim.div_ceil(64)
}

/// A ternary vector stored densely: one `i8` (-1, 0 or +1) per trit, the first on a
/// [`VECTOR_ALIGN`]-byte boundary.
///
/// ```
/// use trinity_runtime::DenseVector;
/// let v = DenseVector::from_slice(&[1, 0, -1])?;
/// assert_eq!(v.dim(), 3);
/// assert_eq!(v.get(2), Some(-1));
/// assert!(DenseVector::from_slice(&[1, 2]).is_err()); // 2 is not a trit
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DenseVector {
    trits: Aligned<i8>,
}

impl DenseVector {
    /// A vector from trits, checked: every byte must be -1, 0 or 1 and the length must be a
    /// valid dimension. The trits are copied into aligned storage.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, Error};
    /// assert_eq!(DenseVector::new(vec![1, 0, -1])?.dim(), 3);
    /// assert_eq!(DenseVector::new(vec![]).unwrap_err(), Error::ZeroDimension);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(trits: Vec<i8>) -> Result<Self> {
        Self::from_slice(&trits)
    }

    /// A vector from a slice of trits, checked like [`new`](Self::new).
    ///
    /// ```
    /// let v = trinity_runtime::DenseVector::from_slice(&[0, 1])?;
    /// assert_eq!(v.as_slice(), &[0, 1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn from_slice(trits: &[i8]) -> Result<Self> {
        check_trits(trits)?;
        Ok(DenseVector { trits: aligned_copy(trits) })
    }

    /// The all-zero vector of dimension `dim`.
    ///
    /// ```
    /// let z = trinity_runtime::DenseVector::zeros(4)?;
    /// assert_eq!(z.as_slice(), &[0, 0, 0, 0]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn zeros(dim: usize) -> Result<Self> {
        check_dim(dim)?;
        Ok(DenseVector { trits: aligned_zeros(dim) })
    }

    /// A seeded random vector, trit for trit the same as the original Trinity's (docs/design.md §1).
    ///
    /// ```
    /// use trinity_runtime::DenseVector;
    /// let a = DenseVector::random(10_000, 42)?;
    /// assert_eq!(a, DenseVector::random(10_000, 42)?);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn random(dim: usize, seed: u64) -> Result<Self> {
        check_dim(dim)?;
        Ok(DenseVector::from_trusted(crate::random::trits(dim, seed)))
    }

    /// Trusted construction for results computed from valid vectors (copied into aligned
    /// storage).
    pub(crate) fn from_trusted(trits: Vec<i8>) -> Self {
        debug_assert!(!trits.is_empty() && trits.iter().all(|t| (-1..=1).contains(t)));
        DenseVector { trits: aligned_copy(&trits) }
    }

    /// The all-zero vector of a dimension already checked.
    pub(crate) fn zeroed(dim: usize) -> Self {
        DenseVector { trits: aligned_zeros(dim) }
    }

    /// The dimension D.
    ///
    /// ```
    /// assert_eq!(trinity_runtime::DenseVector::zeros(9)?.dim(), 9);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.trits.len()
    }

    /// The trits.
    ///
    /// ```
    /// let v = trinity_runtime::DenseVector::from_slice(&[-1, 1])?;
    /// assert_eq!(v.as_slice().iter().map(|&t| i64::from(t)).sum::<i64>(), 0);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn as_slice(&self) -> &[i8] {
        &self.trits
    }

    /// The trit at `index`, or `None` past the end.
    ///
    /// ```
    /// let v = trinity_runtime::DenseVector::from_slice(&[-1, 1])?;
    /// assert_eq!((v.get(1), v.get(2)), (Some(1), None));
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn get(&self, index: usize) -> Option<i8> {
        self.trits.get(index).copied()
    }

    /// The trits, copied into a `Vec`.
    ///
    /// ```
    /// let v = trinity_runtime::DenseVector::from_slice(&[0, -1])?;
    /// assert_eq!(v.into_vec(), vec![0, -1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn into_vec(self) -> Vec<i8> {
        self.trits.to_vec()
    }
}

/// A dense operand borrowed from someone else's buffer (a NumPy array's row, a mapped file),
/// checked once like [`DenseVector::new`]: a valid dimension and every byte -1, 0 or 1. The
/// engine's `*_slices` ops run kernels on it in place, with no copy.
///
/// ```
/// use trinity_runtime::{DenseSlice, Error};
/// let rows = [1i8, 0, -1, 1, 1, 1];
/// let a = DenseSlice::new(&rows[..3])?;
/// assert_eq!((a.dim(), a.as_slice()), (3, &[1, 0, -1][..]));
/// assert_eq!(DenseSlice::new(&[1, 0, 5]).unwrap_err(), Error::InvalidTrit { value: 5, index: 2 });
/// assert_eq!(DenseSlice::new(&[]).unwrap_err(), Error::ZeroDimension);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DenseSlice<'a> {
    trits: &'a [i8],
}

impl<'a> DenseSlice<'a> {
    /// Borrow `trits` as an operand, checked.
    pub fn new(trits: &'a [i8]) -> Result<Self> {
        check_trits(trits)?;
        Ok(DenseSlice { trits })
    }

    /// The dimension D.
    ///
    /// ```
    /// assert_eq!(trinity_runtime::DenseSlice::new(&[0, 1])?.dim(), 2);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.trits.len()
    }

    /// The trits.
    ///
    /// ```
    /// assert_eq!(trinity_runtime::DenseSlice::new(&[0, 1])?.as_slice(), &[0, 1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn as_slice(&self) -> &'a [i8] {
        self.trits
    }

    /// An owned copy.
    ///
    /// ```
    /// use trinity_runtime::{DenseSlice, DenseVector};
    /// assert_eq!(DenseSlice::new(&[0, -1])?.to_vector(), DenseVector::from_slice(&[0, -1])?);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn to_vector(&self) -> DenseVector {
        DenseVector { trits: aligned_copy(self.trits) }
    }
}

impl<'a> From<&'a DenseVector> for DenseSlice<'a> {
    fn from(v: &'a DenseVector) -> Self {
        DenseSlice { trits: v.as_slice() }
    }
}

impl fmt::Debug for DenseSlice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_summary(f, "DenseSlice", self.dim(), self.trits.iter().copied())
    }
}

impl fmt::Debug for DenseVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_summary(f, "DenseVector", self.dim(), self.trits.iter().copied())
    }
}

/// `Name { dim: D, trits: [first 16..] }`: a summary that does not print 10000 numbers.
fn write_summary(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    dim: usize,
    trits: impl Iterator<Item = i8>,
) -> fmt::Result {
    const SHOWN: usize = 16;
    let head: Vec<String> = trits.take(SHOWN).map(|t| t.to_string()).collect();
    let more = if dim > SHOWN { ", .." } else { "" };
    write!(f, "{name} {{ dim: {dim}, trits: [{}{more}] }}", head.join(", "))
}

/// A ternary vector stored as two bit planes (docs/design.md §2): `ceil(D/64)` little-endian `u64`
/// words with a bit set where the trit is +1, then as many words with a bit set where it is
/// -1. No position is set in both planes and padding bits past D are zero.
///
/// ```
/// use trinity_runtime::{BitVector, DenseVector};
/// let dense = DenseVector::from_slice(&[1, -1, 0, 1])?;
/// let bits = BitVector::from(&dense);
/// assert_eq!(bits.plus(), &[0b1001]);
/// assert_eq!(bits.minus(), &[0b0010]);
/// assert_eq!(DenseVector::from(&bits), dense);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct BitVector {
    dim: usize,
    words: Aligned<u64>,
}

impl BitVector {
    /// The all-zero vector of dimension `dim`.
    ///
    /// ```
    /// let z = trinity_runtime::BitVector::zeros(100)?;
    /// assert_eq!(z.words(), &[0, 0, 0, 0]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn zeros(dim: usize) -> Result<Self> {
        check_dim(dim)?;
        Ok(BitVector::zeroed(dim))
    }

    /// A vector from its two planes, checked: each plane has `ceil(dim/64)` words, no position
    /// is set in both, and no padding bit is set.
    ///
    /// ```
    /// use trinity_runtime::BitVector;
    /// assert!(BitVector::from_planes(3, &[0b001], &[0b100]).is_ok());
    /// assert!(BitVector::from_planes(3, &[0b001], &[0b001]).is_err()); // both planes
    /// assert!(BitVector::from_planes(3, &[0b1000], &[0]).is_err()); // padding bit
    /// ```
    pub fn from_planes(dim: usize, plus: &[u64], minus: &[u64]) -> Result<Self> {
        check_dim(dim)?;
        let w = words_per_plane(dim);
        for plane in [plus, minus] {
            if plane.len() != w {
                return Err(Error::WrongWordCount { dim, expected: w, actual: plane.len() });
            }
        }
        for (i, (&p, &m)) in plus.iter().zip(minus).enumerate() {
            if p & m != 0 {
                return Err(Error::BothPlanes {
                    index: i * 64 + (p & m).trailing_zeros() as usize,
                });
            }
        }
        if dim % 64 != 0 {
            let pad = !((1u64 << (dim % 64)) - 1);
            let bad = (plus[w - 1] | minus[w - 1]) & pad;
            if bad != 0 {
                return Err(Error::PaddingBitSet {
                    index: (w - 1) * 64 + bad.trailing_zeros() as usize,
                    dim,
                });
            }
        }
        let mut words = aligned_copy(plus);
        words.extend_from_slice(minus);
        Ok(BitVector { dim, words })
    }

    /// A seeded random vector: the same trits as [`DenseVector::random`] with the same seed.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, DenseVector};
    /// assert_eq!(DenseVector::from(&BitVector::random(300, 8)?), DenseVector::random(300, 8)?);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn random(dim: usize, seed: u64) -> Result<Self> {
        Ok(BitVector::from(&DenseVector::random(dim, seed)?))
    }

    /// The all-zero vector of a dimension already checked.
    pub(crate) fn zeroed(dim: usize) -> Self {
        BitVector { dim, words: aligned_zeros(2 * words_per_plane(dim)) }
    }

    /// The dimension D.
    ///
    /// ```
    /// assert_eq!(trinity_runtime::BitVector::zeros(130)?.dim(), 130);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Both planes, +1 first: `2 * ceil(D/64)` words. This is the layout kernels take.
    ///
    /// ```
    /// let v = trinity_runtime::BitVector::from_planes(3, &[0b001], &[0b100])?;
    /// assert_eq!(v.words(), &[0b001, 0b100]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The +1 plane.
    ///
    /// ```
    /// let v = trinity_runtime::BitVector::from_planes(3, &[0b001], &[0b100])?;
    /// assert_eq!(v.plus(), &[0b001]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn plus(&self) -> &[u64] {
        &self.words[..self.words.len() / 2]
    }

    /// The -1 plane.
    ///
    /// ```
    /// let v = trinity_runtime::BitVector::from_planes(3, &[0b001], &[0b100])?;
    /// assert_eq!(v.minus(), &[0b100]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn minus(&self) -> &[u64] {
        &self.words[self.words.len() / 2..]
    }

    /// The trit at `index`, or `None` past the end.
    ///
    /// ```
    /// let v = trinity_runtime::BitVector::from_planes(3, &[0b001], &[0b100])?;
    /// assert_eq!((v.get(0), v.get(1), v.get(2), v.get(3)), (Some(1), Some(0), Some(-1), None));
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn get(&self, index: usize) -> Option<i8> {
        if index >= self.dim {
            return None;
        }
        let (word, bit) = (index / 64, index % 64);
        let plus = (self.plus()[word] >> bit) & 1;
        let minus = (self.minus()[word] >> bit) & 1;
        Some(plus as i8 - minus as i8)
    }
}

impl fmt::Debug for BitVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_summary(f, "BitVector", self.dim, (0..self.dim).map_while(|i| self.get(i)))
    }
}

impl Hash for DenseVector {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state)
    }
}

impl Hash for BitVector {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.dim, self.words()).hash(state)
    }
}

impl From<&DenseVector> for BitVector {
    fn from(dense: &DenseVector) -> Self {
        let dim = dense.dim();
        let w = words_per_plane(dim);
        let mut bits = BitVector::zeroed(dim);
        let words = &mut bits.words;
        for (i, &t) in dense.as_slice().iter().enumerate() {
            match t {
                1 => words[i / 64] |= 1 << (i % 64),
                -1 => words[w + i / 64] |= 1 << (i % 64),
                _ => {}
            }
        }
        bits
    }
}

impl From<&BitVector> for DenseVector {
    fn from(bits: &BitVector) -> Self {
        let mut dense = DenseVector::zeroed(bits.dim);
        for (i, t) in dense.trits.iter_mut().enumerate() {
            *t = bits.get(i).unwrap_or(0);
        }
        dense
    }
}

impl TryFrom<&[i8]> for DenseVector {
    type Error = Error;
    fn try_from(trits: &[i8]) -> Result<Self> {
        DenseVector::from_slice(trits)
    }
}

impl TryFrom<Vec<i8>> for DenseVector {
    type Error = Error;
    fn try_from(trits: Vec<i8>) -> Result<Self> {
        DenseVector::new(trits)
    }
}

impl From<DenseVector> for Vec<i8> {
    fn from(v: DenseVector) -> Vec<i8> {
        v.into_vec()
    }
}

/// Read access to the trits of either layout.
///
/// ```
/// use trinity_runtime::reference::Trits;
/// use trinity_runtime::{BitVector, DenseVector};
/// let d = DenseVector::from_slice(&[1, 0, -1])?;
/// let b = BitVector::from(&d);
/// assert_eq!((Trits::dim(&b), b.trit(2)), (3, -1));
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub trait Trits {
    /// The dimension D.
    fn dim(&self) -> usize;
    /// The trit at `index < dim`.
    fn trit(&self, index: usize) -> i8;

    /// Every trit, one `i8` each (the form the reference's map ops return).
    ///
    /// ```
    /// use trinity_runtime::reference::Trits;
    /// use trinity_runtime::{BitVector, DenseVector};
    /// let d = DenseVector::from_slice(&[1, 0, -1])?;
    /// assert_eq!(BitVector::from(&d).to_trits(), [1, 0, -1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    fn to_trits(&self) -> Vec<i8> {
        (0..self.dim()).map(|i| self.trit(i)).collect()
    }
}

impl Trits for DenseVector {
    fn dim(&self) -> usize {
        DenseVector::dim(self)
    }
    fn trit(&self, index: usize) -> i8 {
        self.as_slice()[index]
    }
}

impl Trits for BitVector {
    fn dim(&self) -> usize {
        BitVector::dim(self)
    }
    fn trit(&self, index: usize) -> i8 {
        self.get(index).unwrap_or(0)
    }
}

/// The vector types kernels work on: [`DenseVector`] and [`BitVector`]. Their dimension and
/// trits come from the supertrait [`Trits`]; the elements kernels read from [`elems`].
///
/// Sealed: only this crate implements it, and the methods that write elements or pick kernels
/// live in a private supertrait, so code outside the crate cannot break a vector's invariants
/// (every byte of a dense vector a trit; no position in both planes and no padding bit set in a
/// bitsliced one).
///
/// [`elems`]: Vector::elems
///
/// ```
/// use trinity_runtime::{BitVector, DenseVector, Vector};
/// fn words<V: Vector>(v: &V) -> (usize, usize) { (v.dim(), v.elems().len()) }
/// assert_eq!(words(&DenseVector::zeros(100)?), (100, 100));
/// assert_eq!(words(&BitVector::zeros(100)?), (100, 4)); // two planes of two words
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub trait Vector: sealed::Sealed + Clone + Trits {
    /// The layout kernels for this type are generated for.
    const LAYOUT: Layout;
    /// The elements kernels read: `i8` trits (dense), or both planes' `u64` words (bitsliced).
    fn elems(&self) -> &[Self::Elem];
}

/// What only this crate may call. The trait is public in a private module, so other crates can
/// neither implement it nor name it, and so cannot call its methods.
pub(crate) mod sealed {
    // `Compiled` is crate-private while the trait is public in name; nothing outside the crate
    // can name the trait, so nothing outside can reach `kernel`.
    #![allow(private_interfaces)]

    use crate::exec::call::{BundleNKernel, PermuteByKernel};
    use crate::kernel::{Compiled, CompiledBundle, CompiledPermuteBy, KernelFn};
    use crate::{portable, BitVector, DenseVector};
    use trinity_emit::kernels::Op;

    /// A value only this crate can make. A trait bound `V: Vector` makes the supertrait's
    /// methods callable in any crate's generic code, whether or not the trait can be named, so
    /// the methods that could break a vector's invariants also ask for this.
    pub struct Internal(pub(crate) ());

    pub trait Sealed {
        /// The element kernels read: `i8` or `u64`.
        type Elem: Copy;
        /// Mutable elements, for kernels and portable code that keep the invariants.
        fn elems_mut(&mut self, _: Internal) -> &mut [Self::Elem];
        /// The typed kernel of this layout in `compiled`, if it is of this layout.
        fn kernel(compiled: &Compiled) -> Option<&KernelFn<Self::Elem>>;
        /// The typed n-way bundle kernel in `compiled`, if it is of this layout.
        fn bundle_kernel(compiled: &CompiledBundle) -> Option<&BundleNKernel<Self::Elem>>;
        /// The typed run-time-shift permute kernel in `compiled`, if it is of this layout.
        fn permute_by_kernel(compiled: &CompiledPermuteBy) -> Option<&PermuteByKernel<Self::Elem>>;
        /// Portable dot or hamming.
        fn portable_reduce(op: Op, a: &[Self::Elem], b: &[Self::Elem]) -> i64;
        /// Portable cosine.
        fn portable_cosine(a: &[Self::Elem], b: &[Self::Elem]) -> f64;
        /// Portable bind or bundle.
        fn portable_binary(op: Op, out: &mut [Self::Elem], a: &[Self::Elem], b: &[Self::Elem]);
        /// Portable right rotation by `k < dim`.
        fn portable_permute(out: &mut [Self::Elem], v: &[Self::Elem], dim: usize, k: usize);
        /// The zero vector of the same dimension.
        fn zeros_like(&self) -> Self;
        /// The same trits, dense.
        fn to_dense(&self) -> DenseVector;
        /// The same trits in this layout.
        fn from_dense(dense: &DenseVector) -> Self;
        /// `sums[i] += trit i` for every position (`sums.len() == dim`), in this layout.
        fn accumulate(&self, sums: &mut [i32]);
        /// The vector of `sign(sums[i])`, `sums` non-empty and at most `MAX_DIM` long (which
        /// only this crate can promise, hence the token).
        fn from_signs(sums: &[i32], _: Internal) -> Self;
    }

    impl Sealed for DenseVector {
        type Elem = i8;
        fn elems_mut(&mut self, _: Internal) -> &mut [i8] {
            &mut self.trits
        }
        fn kernel(compiled: &Compiled) -> Option<&KernelFn<i8>> {
            match compiled {
                Compiled::Dense(f) => Some(f),
                Compiled::Bits(_) => None,
            }
        }
        fn bundle_kernel(compiled: &CompiledBundle) -> Option<&BundleNKernel<i8>> {
            match compiled {
                CompiledBundle::Dense(f) => Some(f),
                CompiledBundle::Bits(_) => None,
            }
        }
        fn permute_by_kernel(compiled: &CompiledPermuteBy) -> Option<&PermuteByKernel<i8>> {
            match compiled {
                CompiledPermuteBy::Dense(f) => Some(f),
                CompiledPermuteBy::Bits(_) => None,
            }
        }
        fn portable_reduce(op: Op, a: &[i8], b: &[i8]) -> i64 {
            match op {
                Op::Hamming => portable::dense_hamming(a, b),
                _ => portable::dense_dot(a, b),
            }
        }
        fn portable_cosine(a: &[i8], b: &[i8]) -> f64 {
            portable::dense_cosine(a, b)
        }
        fn portable_binary(op: Op, out: &mut [i8], a: &[i8], b: &[i8]) {
            match op {
                Op::Bundle => portable::dense_bundle(out, a, b),
                _ => portable::dense_bind(out, a, b),
            }
        }
        fn portable_permute(out: &mut [i8], v: &[i8], _dim: usize, k: usize) {
            portable::dense_permute(out, v, k)
        }
        fn zeros_like(&self) -> Self {
            DenseVector::zeroed(self.dim())
        }
        fn to_dense(&self) -> DenseVector {
            self.clone()
        }
        fn from_dense(dense: &DenseVector) -> Self {
            dense.clone()
        }
        fn accumulate(&self, sums: &mut [i32]) {
            portable::dense_accumulate(sums, self.as_slice())
        }
        fn from_signs(sums: &[i32], _: Internal) -> Self {
            let mut v = DenseVector::zeroed(sums.len());
            portable::dense_signs(&mut v.trits, sums);
            v
        }
    }

    impl Sealed for BitVector {
        type Elem = u64;
        fn elems_mut(&mut self, _: Internal) -> &mut [u64] {
            &mut self.words
        }
        fn kernel(compiled: &Compiled) -> Option<&KernelFn<u64>> {
            match compiled {
                Compiled::Bits(f) => Some(f),
                Compiled::Dense(_) => None,
            }
        }
        fn bundle_kernel(compiled: &CompiledBundle) -> Option<&BundleNKernel<u64>> {
            match compiled {
                CompiledBundle::Bits(f) => Some(f),
                CompiledBundle::Dense(_) => None,
            }
        }
        fn permute_by_kernel(compiled: &CompiledPermuteBy) -> Option<&PermuteByKernel<u64>> {
            match compiled {
                CompiledPermuteBy::Bits(f) => Some(f),
                CompiledPermuteBy::Dense(_) => None,
            }
        }
        fn portable_reduce(op: Op, a: &[u64], b: &[u64]) -> i64 {
            match op {
                Op::Hamming => portable::bits_hamming(a, b),
                _ => portable::bits_dot(a, b),
            }
        }
        fn portable_cosine(a: &[u64], b: &[u64]) -> f64 {
            portable::bits_cosine(a, b)
        }
        fn portable_binary(op: Op, out: &mut [u64], a: &[u64], b: &[u64]) {
            match op {
                Op::Bundle => portable::bits_bundle(out, a, b),
                _ => portable::bits_bind(out, a, b),
            }
        }
        fn portable_permute(out: &mut [u64], v: &[u64], dim: usize, k: usize) {
            portable::bits_permute(out, v, dim, k)
        }
        fn zeros_like(&self) -> Self {
            BitVector::zeroed(self.dim())
        }
        fn to_dense(&self) -> DenseVector {
            DenseVector::from(self)
        }
        fn from_dense(dense: &DenseVector) -> Self {
            BitVector::from(dense)
        }
        fn accumulate(&self, sums: &mut [i32]) {
            portable::bits_accumulate(sums, self.words())
        }
        fn from_signs(sums: &[i32], _: Internal) -> Self {
            let mut v = BitVector::zeroed(sums.len());
            portable::bits_signs(&mut v.words, sums);
            v
        }
    }
}

impl Vector for DenseVector {
    const LAYOUT: Layout = Layout::Dense;
    fn elems(&self) -> &[i8] {
        self.as_slice()
    }
}

impl Vector for BitVector {
    const LAYOUT: Layout = Layout::Bits;
    fn elems(&self) -> &[u64] {
        self.words()
    }
}
