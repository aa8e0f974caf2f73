//! The [`Vsa`] trait: every op for a dimension known at compile time, through the kernel table
//! of a `#[trinity::vsa(dim = N)]` struct.

use crate::{BitVector, DenseVector, KernelTable, Result, Vector};

/// A dimension with kernels baked into the program, implemented by `#[trinity::vsa(dim = N)]`
/// on a unit struct: every op of docs/design.md §1 for both vector types, through its
/// [`KernelTable`] (operands of another dimension are a typed error; anything not baked for
/// this CPU is served by the global [`JitEngine`](crate::JitEngine)).
///
/// ```
/// use trinity_runtime::{BitVector, Error, KernelTable, Vsa};
/// use std::sync::OnceLock;
///
/// // What the attribute writes, minus the kernels (so this table is empty and every call is
/// // served by the engine).
/// struct D100;
/// impl Vsa for D100 {
///     const DIM: usize = 100;
///     fn kernels() -> &'static KernelTable<'static> {
///         static TABLE: OnceLock<KernelTable<'static>> = OnceLock::new();
///         TABLE.get_or_init(|| KernelTable::baked(Self::DIM, &[]))
///     }
/// }
///
/// let a = D100::random_bits(1)?;
/// let b = D100::random_bits(2)?;
/// assert_eq!(D100::dot(&a, &b)?, trinity_runtime::reference::dot(&a, &b)?);
/// let short = BitVector::random(99, 3)?;
/// assert_eq!(D100::dot(&a, &short), Err(Error::DimensionMismatch { left: 100, right: 99 }));
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub trait Vsa {
    /// The dimension D.
    const DIM: usize;

    /// The baked kernels for [`DIM`](Self::DIM), chosen for this CPU on first use.
    fn kernels() -> &'static KernelTable<'static>;

    /// Dot product ([`KernelTable::dot`]).
    fn dot<V: Vector>(a: &V, b: &V) -> Result<i64> {
        Self::kernels().dot(a, b)
    }

    /// Hamming distance ([`KernelTable::hamming`]).
    fn hamming<V: Vector>(a: &V, b: &V) -> Result<i64> {
        Self::kernels().hamming(a, b)
    }

    /// Cosine similarity ([`KernelTable::cosine`]).
    fn cosine<V: Vector>(a: &V, b: &V) -> Result<f64> {
        Self::kernels().cosine(a, b)
    }

    /// Bind ([`KernelTable::bind`]).
    fn bind<V: Vector>(a: &V, b: &V) -> Result<V> {
        Self::kernels().bind(a, b)
    }

    /// Unbind ([`KernelTable::unbind`]).
    fn unbind<V: Vector>(a: &V, key: &V) -> Result<V> {
        Self::kernels().unbind(a, key)
    }

    /// `a = bind(a, b)` ([`KernelTable::bind_assign`]).
    fn bind_assign<V: Vector>(a: &mut V, b: &V) -> Result<()> {
        Self::kernels().bind_assign(a, b)
    }

    /// `out = bind(a, b)` ([`KernelTable::bind_into`]).
    fn bind_into<V: Vector>(out: &mut V, a: &V, b: &V) -> Result<()> {
        Self::kernels().bind_into(out, a, b)
    }

    /// Bundle ([`KernelTable::bundle`]).
    fn bundle<V: Vector>(a: &V, b: &V) -> Result<V> {
        Self::kernels().bundle(a, b)
    }

    /// `a = bundle(a, b)` ([`KernelTable::bundle_assign`]).
    fn bundle_assign<V: Vector>(a: &mut V, b: &V) -> Result<()> {
        Self::kernels().bundle_assign(a, b)
    }

    /// `out = bundle(a, b)` ([`KernelTable::bundle_into`]).
    fn bundle_into<V: Vector>(out: &mut V, a: &V, b: &V) -> Result<()> {
        Self::kernels().bundle_into(out, a, b)
    }

    /// n-way bundle ([`KernelTable::bundle_n`]).
    fn bundle_n<V: Vector>(vectors: &[&V]) -> Result<V> {
        Self::kernels().bundle_n(vectors)
    }

    /// Right rotation by any `k` ([`KernelTable::permute`]); baked for the shifts named in the
    /// attribute.
    fn permute<V: Vector>(v: &V, k: i64) -> Result<V> {
        Self::kernels().permute(v, k)
    }

    /// `permute(v, -k)` ([`KernelTable::inverse_permute`]).
    fn inverse_permute<V: Vector>(v: &V, k: i64) -> Result<V> {
        Self::kernels().inverse_permute(v, k)
    }

    /// `out = permute(v, k)` ([`KernelTable::permute_into`]).
    fn permute_into<V: Vector>(out: &mut V, v: &V, k: i64) -> Result<()> {
        Self::kernels().permute_into(out, v, k)
    }

    /// A seeded random dense vector of this dimension (docs/design.md §1).
    fn random_dense(seed: u64) -> Result<DenseVector> {
        DenseVector::random(Self::DIM, seed)
    }

    /// A seeded random bitsliced vector of this dimension (the same trits as
    /// [`random_dense`](Self::random_dense)).
    fn random_bits(seed: u64) -> Result<BitVector> {
        BitVector::random(Self::DIM, seed)
    }
}
