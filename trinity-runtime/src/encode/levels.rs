//! [`Levels`]: vectors for the levels of a scalar feature, nearby levels similar.

use super::{symbol_seed, EncodeError};
use crate::random::Xoshiro256PlusPlus;
use crate::vector::check_dim;
use crate::{DenseVector, Result, Vector};

/// `count` level vectors of dimension D, for a scalar feature quantized to `0..count`: level 0
/// is `random(dim, symbol_seed(seed, 0))`; a seeded shuffle (Xoshiro256++ from
/// `symbol_seed(seed, 1)`, partial Fisher–Yates) picks `floor(D/2)` distinct positions, and
/// level `k` is level `k - 1` with positions `floor((k-1)·floor(D/2)/(count-1))` up to
/// `floor(k·floor(D/2)/(count-1))` of that order negated — about `D/(2(count-1))` per step.
///
/// So levels `a` and `b` differ in a share of about `|a - b|/(count - 1)` of half the
/// positions: their cosine is about `1 - |a - b|/(count - 1)`, falling with the distance, and
/// the first and last levels are near-orthogonal. Every step negates at least one position,
/// so `count - 1` is at most `max(1, floor(D/2))`; zero trits stay zero when negated, so a
/// step may still leave a level unchanged (always for D = 1).
///
/// ```
/// use trinity_runtime::encode::Levels;
/// use trinity_runtime::{DenseVector, JitEngine};
/// let levels = Levels::<DenseVector>::new(10_000, 11, 3)?;
/// let engine = JitEngine::global();
/// let near = engine.cosine(levels.get(0)?, levels.get(1)?)?;
/// let far = engine.cosine(levels.get(0)?, levels.get(10)?)?;
/// assert!(near > 0.85 && far.abs() < 0.1);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Levels<V> {
    levels: Vec<V>,
}

impl<V: Vector> Levels<V> {
    /// `count` levels of dimension `dim`. Errors: a bad dimension, `count < 2`
    /// ([`EncodeError::TooFewLevels`]), or `count - 1 > max(1, floor(dim/2))`
    /// ([`EncodeError::TooManyLevels`]).
    ///
    /// ```
    /// use trinity_runtime::encode::{EncodeError, Levels};
    /// use trinity_runtime::{BitVector, Error};
    /// assert_eq!(Levels::<BitVector>::new(1000, 8, 1)?.count(), 8);
    /// let err = Levels::<BitVector>::new(1000, 1, 1).unwrap_err();
    /// assert_eq!(err, Error::Encode(EncodeError::TooFewLevels { count: 1 }));
    /// let err = Levels::<BitVector>::new(1000, 502, 1).unwrap_err();
    /// assert_eq!(err, Error::Encode(EncodeError::TooManyLevels { count: 502, dim: 1000 }));
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn new(dim: usize, count: usize, seed: u64) -> Result<Self> {
        check_dim(dim)?;
        if count < 2 {
            return Err(EncodeError::TooFewLevels { count }.into());
        }
        let half = dim / 2;
        if count - 1 > half.max(1) {
            return Err(EncodeError::TooManyLevels { count, dim }.into());
        }
        let mut order: Vec<usize> = (0..dim).collect();
        let mut g = Xoshiro256PlusPlus::from_seed(symbol_seed(seed, 1));
        for i in 0..half {
            // A uniform pick from i..dim by multiply-shift.
            let j = i + ((u128::from(g.next_u64()) * (dim - i) as u128) >> 64) as usize;
            order.swap(i, j);
        }
        let mut trits = crate::random::trits(dim, symbol_seed(seed, 0));
        let mut levels = Vec::with_capacity(count);
        levels.push(V::from_dense(&DenseVector::from_trusted(trits.clone())));
        let bound = |k: usize| k * half / (count - 1);
        for k in 1..count {
            for &i in &order[bound(k - 1)..bound(k)] {
                trits[i] = -trits[i];
            }
            levels.push(V::from_dense(&DenseVector::from_trusted(trits.clone())));
        }
        Ok(Levels { levels })
    }

    /// The vector of `level`; [`EncodeError::LevelOutOfRange`] if `level >= count`.
    ///
    /// ```
    /// use trinity_runtime::encode::{EncodeError, Levels};
    /// use trinity_runtime::{DenseVector, Error};
    /// let levels = Levels::<DenseVector>::new(100, 4, 2)?;
    /// assert_eq!(levels.get(3)?.dim(), 100);
    /// let err = levels.get(4).unwrap_err();
    /// assert_eq!(err, Error::Encode(EncodeError::LevelOutOfRange { level: 4, count: 4 }));
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn get(&self, level: usize) -> Result<&V> {
        self.levels
            .get(level)
            .ok_or_else(|| EncodeError::LevelOutOfRange { level, count: self.count() }.into())
    }

    /// The number of levels.
    ///
    /// ```
    /// use trinity_runtime::{encode::Levels, DenseVector};
    /// assert_eq!(Levels::<DenseVector>::new(100, 5, 0)?.count(), 5);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn count(&self) -> usize {
        self.levels.len()
    }

    /// The dimension D.
    ///
    /// ```
    /// use trinity_runtime::{encode::Levels, DenseVector};
    /// assert_eq!(Levels::<DenseVector>::new(100, 5, 0)?.dim(), 100);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.levels[0].dim()
    }
}
