//! The plain reference: every op of docs/design.md §1, written trit by trit so that it is obviously
//! right. It is the oracle for every test; the engine's fallback is the faster [`portable`]
//! code, which is tested against this.
//!
//! [`portable`]: crate::portable

pub use crate::portable::cosine_from_sums;
use crate::vector::same_dim;
use crate::{Error, Result};

pub use crate::vector::Trits;

fn pairs<'a, V: Trits>(a: &'a V, b: &'a V) -> Result<impl Iterator<Item = (i64, i64)> + 'a> {
    same_dim(a.dim(), b.dim())?;
    Ok((0..a.dim()).map(|i| (i64::from(a.trit(i)), i64::from(b.trit(i)))))
}

/// Sum of `a[i] * b[i]`.
///
/// ```
/// use trinity_runtime::{reference, DenseVector};
/// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
/// let b = DenseVector::from_slice(&[1, 1, 1, -1])?;
/// assert_eq!(reference::dot(&a, &b)?, -1);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn dot<V: Trits>(a: &V, b: &V) -> Result<i64> {
    Ok(pairs(a, b)?.map(|(x, y)| x * y).sum())
}

/// Number of positions where `a` and `b` differ.
///
/// ```
/// use trinity_runtime::{reference, DenseVector};
/// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
/// let b = DenseVector::from_slice(&[1, 1, 1, -1])?;
/// assert_eq!(reference::hamming(&a, &b)?, 3);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn hamming<V: Trits>(a: &V, b: &V) -> Result<i64> {
    Ok(pairs(a, b)?.filter(|(x, y)| x != y).count() as i64)
}

/// `dot(a, b) / sqrt(dot(a, a) * dot(b, b))`, exactly 0.0 when either vector is all zeros.
///
/// Computed as `dot as f64 / ((aa as f64) * (bb as f64)).sqrt()`; every path computes it the
/// same way, so results agree to the bit.
///
/// ```
/// use trinity_runtime::{reference, DenseVector};
/// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
/// let b = DenseVector::from_slice(&[1, 1, 1, -1])?;
/// assert_eq!(reference::cosine(&a, &a)?, 1.0);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn cosine<V: Trits>(a: &V, b: &V) -> Result<f64> {
    let (mut ab, mut aa, mut bb) = (0i64, 0i64, 0i64);
    for (x, y) in pairs(a, b)? {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    Ok(cosine_from_sums(ab, aa, bb))
}

/// `c[i] = a[i] * b[i]` (bind; unbind is the same operation).
///
/// ```
/// use trinity_runtime::{reference, DenseVector};
/// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
/// let b = DenseVector::from_slice(&[1, 1, 1, -1])?;
/// assert_eq!(reference::bind(&a, &b)?, vec![1, -1, 0, -1]);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn bind<V: Trits>(a: &V, b: &V) -> Result<Vec<i8>> {
    Ok(pairs(a, b)?.map(|(x, y)| (x * y) as i8).collect())
}

/// `c[i] = sign(a[i] + b[i])`, ties giving 0.
///
/// ```
/// use trinity_runtime::{reference, DenseVector};
/// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
/// let b = DenseVector::from_slice(&[1, 1, 1, -1])?;
/// assert_eq!(reference::bundle(&a, &b)?, vec![1, 0, 1, 0]);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn bundle<V: Trits>(a: &V, b: &V) -> Result<Vec<i8>> {
    Ok(pairs(a, b)?.map(|(x, y)| (x + y).signum() as i8).collect())
}

/// `c[i] = sign(sum of v[i] over the vectors)`, ties giving 0; at least one vector.
///
/// ```
/// use trinity_runtime::{reference, DenseVector};
/// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
/// let b = DenseVector::from_slice(&[1, 1, 1, -1])?;
/// assert_eq!(reference::bundle_n(&[&a, &b, &b])?, vec![1, 1, 1, -1]);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn bundle_n<V: Trits>(vectors: &[&V]) -> Result<Vec<i8>> {
    let first = vectors.first().ok_or(Error::EmptyBundle)?;
    for v in vectors {
        same_dim(first.dim(), v.dim())?;
    }
    Ok((0..first.dim())
        .map(|i| vectors.iter().map(|v| i64::from(v.trit(i))).sum::<i64>().signum() as i8)
        .collect())
}

/// Right rotation: `c[(i + k) mod D] = v[i]`, for any `k` (negative rotates left).
///
/// ```
/// use trinity_runtime::{reference, DenseVector};
/// let v = DenseVector::from_slice(&[1, 0, -1, 0])?;
/// assert_eq!(reference::permute(&v, 1), vec![0, 1, 0, -1]);
/// assert_eq!(reference::permute(&v, -1), vec![0, -1, 0, 1]);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn permute<V: Trits>(v: &V, k: i64) -> Vec<i8> {
    let d = v.dim();
    let k = shift_mod(k, d);
    let mut out = vec![0i8; d];
    for (i, slot) in (0..d).map(|i| (i + k) % d).enumerate() {
        out[slot] = v.trit(i);
    }
    out
}

/// `permute(v, -k)`.
///
/// ```
/// use trinity_runtime::{reference, DenseVector};
/// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
/// let b = DenseVector::from_slice(&[1, 1, 1, -1])?;
/// assert_eq!(reference::inverse_permute(&a, 1), vec![-1, 0, 1, 1]);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub fn inverse_permute<V: Trits>(v: &V, k: i64) -> Vec<i8> {
    let d = v.dim() as i64;
    // -k mod D without overflowing on i64::MIN.
    permute(v, d - k.rem_euclid(d))
}

/// `k mod dim` in `0..dim` for any `k`.
///
/// ```
/// use trinity_runtime::reference::shift_mod;
/// assert_eq!(shift_mod(-1, 10), 9);
/// assert_eq!(shift_mod(i64::MIN, 10), 2);
/// ```
pub fn shift_mod(k: i64, dim: usize) -> usize {
    k.rem_euclid(dim as i64) as usize
}
