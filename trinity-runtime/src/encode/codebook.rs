//! [`Codebook`]: seeded random symbol vectors, built when first asked for.

use super::EncodeError;
use crate::random::SplitMix64;
use crate::vector::check_dim;
use crate::{DenseVector, Result, Vector};
use std::sync::OnceLock;

/// The seed of symbol `symbol` in a codebook (or of vector `symbol` of [`Levels`](super::Levels))
/// with seed `seed`: `f(seed, symbol) = SplitMix64::new(seed).next_u64() + symbol`
/// (wrapping). Symbols of one codebook have distinct seeds, and seeds of codebooks with
/// different seeds are scattered over all of `u64`.
///
/// ```
/// use trinity_runtime::encode::symbol_seed;
/// use trinity_runtime::random::SplitMix64;
/// let base = SplitMix64::new(7).next_u64();
/// assert_eq!(symbol_seed(7, 0), base);
/// assert_eq!(symbol_seed(7, 3), base.wrapping_add(3));
/// ```
pub fn symbol_seed(seed: u64, symbol: usize) -> u64 {
    SplitMix64::new(seed).next_u64().wrapping_add(symbol as u64)
}

/// An alphabet of `size` symbols `0..size`, each a seeded random vector: symbol `i` is
/// `random(dim, symbol_seed(seed, i))` (see [`symbol_seed`]), the same trits in either layout.
/// Vectors are made the first time they are asked for, so a large alphabet costs only what is
/// used; a codebook can be shared between threads.
///
/// ```
/// use trinity_runtime::encode::{symbol_seed, Codebook};
/// use trinity_runtime::{BitVector, JitEngine};
/// let letters = Codebook::<BitVector>::new(10_000, 26, 42)?;
/// let a = letters.get(0)?;
/// assert_eq!(a, &BitVector::random(10_000, symbol_seed(42, 0))?);
/// assert!(JitEngine::global().cosine(a, letters.get(1)?)?.abs() < 0.1);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Codebook<V> {
    dim: usize,
    seed: u64,
    symbols: Vec<OnceLock<V>>,
}

impl<V: Vector> Codebook<V> {
    /// A codebook of `size` symbols of dimension `dim`. Errors: a bad dimension
    /// ([`Error::ZeroDimension`](crate::Error::ZeroDimension),
    /// [`Error::DimensionTooLarge`](crate::Error::DimensionTooLarge)), or `size == 0`
    /// ([`EncodeError::EmptyCodebook`]).
    ///
    /// ```
    /// use trinity_runtime::encode::{Codebook, EncodeError};
    /// use trinity_runtime::{DenseVector, Error};
    /// assert_eq!(Codebook::<DenseVector>::new(100, 4, 1)?.size(), 4);
    /// let err = Codebook::<DenseVector>::new(100, 0, 1).unwrap_err();
    /// assert_eq!(err, Error::Encode(EncodeError::EmptyCodebook));
    /// let err = Codebook::<DenseVector>::new(100, usize::MAX, 1).unwrap_err();
    /// assert_eq!(err, Error::Encode(EncodeError::CodebookTooLarge { size: usize::MAX }));
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn new(dim: usize, size: usize, seed: u64) -> Result<Self> {
        check_dim(dim)?;
        if size == 0 {
            return Err(EncodeError::EmptyCodebook.into());
        }
        let mut symbols = Vec::new();
        symbols.try_reserve_exact(size).map_err(|_| EncodeError::CodebookTooLarge { size })?;
        symbols.extend((0..size).map(|_| OnceLock::new()));
        Ok(Codebook { dim, seed, symbols })
    }

    /// The vector of `symbol`; [`EncodeError::UnknownSymbol`] if `symbol >= size`.
    ///
    /// ```
    /// use trinity_runtime::encode::{Codebook, EncodeError};
    /// use trinity_runtime::{DenseVector, Error};
    /// let book = Codebook::<DenseVector>::new(64, 3, 9)?;
    /// assert_eq!(book.get(2)?.dim(), 64);
    /// let err = book.get(3).unwrap_err();
    /// assert_eq!(err, Error::Encode(EncodeError::UnknownSymbol { symbol: 3, size: 3 }));
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn get(&self, symbol: usize) -> Result<&V> {
        let cell = self
            .symbols
            .get(symbol)
            .ok_or(EncodeError::UnknownSymbol { symbol, size: self.size() })?;
        Ok(cell.get_or_init(|| {
            let trits = crate::random::trits(self.dim, symbol_seed(self.seed, symbol));
            V::from_dense(&DenseVector::from_trusted(trits))
        }))
    }

    /// The dimension D of every symbol.
    ///
    /// ```
    /// use trinity_runtime::{encode::Codebook, BitVector};
    /// assert_eq!(Codebook::<BitVector>::new(300, 2, 0)?.dim(), 300);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The number of symbols.
    ///
    /// ```
    /// use trinity_runtime::{encode::Codebook, BitVector};
    /// assert_eq!(Codebook::<BitVector>::new(300, 2, 0)?.size(), 2);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn size(&self) -> usize {
        self.symbols.len()
    }

    /// The codebook's seed.
    ///
    /// ```
    /// use trinity_runtime::{encode::Codebook, BitVector};
    /// assert_eq!(Codebook::<BitVector>::new(300, 2, 5)?.seed(), 5);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn seed(&self) -> u64 {
        self.seed
    }
}
