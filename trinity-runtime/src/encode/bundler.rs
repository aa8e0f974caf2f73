//! [`Bundler`]: an n-way bundle built up one vector at a time.

use super::EncodeError;
use crate::vector::{check_dim, same_dim, sealed::Internal};
use crate::{BitVector, DenseVector, Error, Result, Vector};

/// An accumulator for an n-way bundle: per-position sums (`i32`, so O(D) memory however many
/// vectors are added) and the number of vectors added. [`finish`](Self::finish) gives
/// `c[i] = sign(sum of v[i])`, ties giving 0 — the same as
/// [`reference::bundle_n`](crate::reference::bundle_n) of every vector added.
///
/// Vectors of either layout may be added to the same bundler and it may finish in either;
/// bitsliced vectors are added a word of each plane at a time.
///
/// ```
/// use trinity_runtime::encode::Bundler;
/// use trinity_runtime::{reference, BitVector, DenseVector};
/// let (a, b, c) = (DenseVector::random(100, 1)?, DenseVector::random(100, 2)?, DenseVector::random(100, 3)?);
/// let mut bundler = Bundler::new(100)?;
/// bundler.add(&a)?;
/// bundler.add_all(&[&b, &c])?;
/// assert_eq!(bundler.count(), 3);
/// let bundle: DenseVector = bundler.finish()?;
/// assert_eq!(bundle.as_slice(), reference::bundle_n(&[&a, &b, &c])?);
/// assert_eq!(bundler.finish::<BitVector>()?, BitVector::from(&bundle));
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundler {
    sums: Vec<i32>,
    count: usize,
}

/// The most vectors a bundler holds, so that no sum can overflow an `i32`.
pub const MAX_BUNDLE: usize = i32::MAX as usize;

impl Bundler {
    /// An empty bundler for vectors of dimension `dim` (1..=[`MAX_DIM`](crate::MAX_DIM)).
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, Error};
    /// assert_eq!(Bundler::new(10)?.count(), 0);
    /// assert_eq!(Bundler::new(0).unwrap_err(), Error::ZeroDimension);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn new(dim: usize) -> Result<Self> {
        check_dim(dim)?;
        Ok(Bundler { sums: vec![0; dim], count: 0 })
    }

    /// The dimension D.
    ///
    /// ```
    /// assert_eq!(trinity_runtime::encode::Bundler::new(7)?.dim(), 7);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dim(&self) -> usize {
        self.sums.len()
    }

    /// How many vectors have been added (merged bundlers count theirs).
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, DenseVector};
    /// let mut bundler = Bundler::new(4)?;
    /// bundler.add(&DenseVector::zeros(4)?)?;
    /// assert_eq!(bundler.count(), 1);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn count(&self) -> usize {
        self.count
    }

    /// Whether no vector has been added.
    ///
    /// ```
    /// assert!(trinity_runtime::encode::Bundler::new(4)?.is_empty());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The per-position sums of the vectors added so far.
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, DenseVector};
    /// let mut bundler = Bundler::new(3)?;
    /// bundler.add(&DenseVector::from_slice(&[1, -1, 0])?)?;
    /// bundler.add(&DenseVector::from_slice(&[1, 0, 0])?)?;
    /// assert_eq!(bundler.sums(), &[2, -1, 0]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn sums(&self) -> &[i32] {
        &self.sums
    }

    /// Adds one vector. Errors, leaving the bundler unchanged: a dimension other than the
    /// bundler's ([`Error::DimensionMismatch`], `left` the bundler's), or a bundler already
    /// holding [`MAX_BUNDLE`] vectors ([`EncodeError::BundleFull`]).
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, BitVector, Error};
    /// let mut bundler = Bundler::new(100)?;
    /// bundler.add(&BitVector::random(100, 1)?)?;
    /// let err = bundler.add(&BitVector::random(99, 1)?).unwrap_err();
    /// assert_eq!(err, Error::DimensionMismatch { left: 100, right: 99 });
    /// assert_eq!(bundler.count(), 1);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn add<V: Vector>(&mut self, v: &V) -> Result<()> {
        self.add_all(&[v])
    }

    /// Adds every vector of `vectors`, or (on an error, as for [`add`](Self::add)) none.
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, DenseVector};
    /// let (a, b) = (DenseVector::from_slice(&[1, 1])?, DenseVector::from_slice(&[1, -1])?);
    /// let mut bundler = Bundler::new(2)?;
    /// bundler.add_all(&[&a, &b])?;
    /// assert_eq!(bundler.finish::<DenseVector>()?.as_slice(), &[1, 0]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn add_all<V: Vector>(&mut self, vectors: &[&V]) -> Result<()> {
        for v in vectors {
            same_dim(self.dim(), v.dim())?;
        }
        let count = self.grown(vectors.len())?;
        for v in vectors {
            v.accumulate(&mut self.sums);
        }
        self.count = count;
        Ok(())
    }

    /// Adds everything `other` holds, as if its vectors had been added here (for bundlers
    /// filled in parallel). Errors as for [`add`](Self::add).
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, DenseVector};
    /// let vs: Vec<DenseVector> = (0..4).map(|s| DenseVector::random(50, s)).collect::<Result<_, _>>()?;
    /// let (mut left, mut right, mut all) = (Bundler::new(50)?, Bundler::new(50)?, Bundler::new(50)?);
    /// left.add_all(&[&vs[0], &vs[1]])?;
    /// right.add_all(&[&vs[2], &vs[3]])?;
    /// all.add_all(&[&vs[0], &vs[1], &vs[2], &vs[3]])?;
    /// left.merge(&right)?;
    /// assert_eq!(left, all);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Bundler) -> Result<()> {
        same_dim(self.dim(), other.dim())?;
        let count = self.grown(other.count)?;
        for (sum, &o) in self.sums.iter_mut().zip(&other.sums) {
            *sum += o;
        }
        self.count = count;
        Ok(())
    }

    /// The bundle: `c[i] = sign(sums[i])`, ties giving 0. An empty bundler has no bundle, as
    /// [`reference::bundle_n`](crate::reference::bundle_n) of no vectors has none: it gives
    /// [`Error::EmptyBundle`]. The bundler is left as it is, so more may be added.
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, BitVector, Error};
    /// let bundler = Bundler::new(10)?;
    /// assert_eq!(bundler.finish::<BitVector>().unwrap_err(), Error::EmptyBundle);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn finish<V: Vector>(&self) -> Result<V> {
        if self.is_empty() {
            return Err(Error::EmptyBundle);
        }
        Ok(V::from_signs(&self.sums, Internal(())))
    }

    /// [`finish`](Self::finish) as a [`DenseVector`].
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, DenseVector};
    /// let mut bundler = Bundler::new(2)?;
    /// bundler.add(&DenseVector::from_slice(&[0, -1])?)?;
    /// assert_eq!(bundler.finish_dense()?.as_slice(), &[0, -1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn finish_dense(&self) -> Result<DenseVector> {
        self.finish()
    }

    /// [`finish`](Self::finish) as a [`BitVector`].
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, BitVector};
    /// let mut bundler = Bundler::new(65)?;
    /// bundler.add(&BitVector::random(65, 3)?)?;
    /// assert_eq!(bundler.finish_bits()?, BitVector::random(65, 3)?);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn finish_bits(&self) -> Result<BitVector> {
        self.finish()
    }

    /// Empties the bundler, keeping its dimension.
    ///
    /// ```
    /// use trinity_runtime::{encode::Bundler, DenseVector};
    /// let mut bundler = Bundler::new(3)?;
    /// bundler.add(&DenseVector::random(3, 1)?)?;
    /// bundler.clear();
    /// assert_eq!(bundler, Bundler::new(3)?);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.sums.fill(0);
        self.count = 0;
    }

    /// The count after adding `more` vectors, if it stays within [`MAX_BUNDLE`].
    fn grown(&self, more: usize) -> Result<usize> {
        match self.count.checked_add(more) {
            Some(count) if count <= MAX_BUNDLE => Ok(count),
            _ => Err(EncodeError::BundleFull { count: self.count, more }.into()),
        }
    }
}
