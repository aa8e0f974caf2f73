//! A table of ready kernels for one dimension: typed op calls that cost a bounds check and an
//! array index beyond the kernel itself, with a [`JitEngine`] behind them for whatever the
//! table lacks. Built from baked kernels by `#[trinity::vsa]` (through [`crate::Vsa`]), or from
//! JIT-compiled ones by [`JitEngine::table`].

use crate::engine::{Compiled, KernelFn, Vector};
use crate::reference::shift_mod;
use crate::{Error, JitEngine, Result};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use trinity_emit::kernels::{KernelSpec, Layout, Op, Tier};

/// The kernels of one dimension D, ready to call, and the engine that serves the rest.
///
/// Every op of DESIGN §1 for both vector types; operands of another dimension are
/// [`Error::DimensionMismatch`]. A call runs the table's kernel for its (op, layout, shift)
/// when there is one and otherwise goes to the engine (which may compile, or run portable
/// Rust); [`stats`](Self::stats) counts those hand-offs.
///
/// ```
/// use trinity_runtime::{reference, BitVector, JitEngine};
/// let engine = JitEngine::new();
/// let table = engine.table(10_000, &[1])?; // compiles every op for both layouts, and permute by 1
/// let a = BitVector::random(10_000, 1)?;
/// let b = BitVector::random(10_000, 2)?;
/// assert_eq!(table.dot(&a, &b)?, reference::dot(&a, &b)?);
/// let mut out = BitVector::zeros(10_000)?;
/// table.bind_into(&mut out, &a, &b)?;
/// table.permute_into(&mut out, &a, 1)?;
/// assert_eq!(table.stats().fallback_ops, 0);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub struct KernelTable<'e> {
    dim: usize,
    tier: Option<Tier>,
    specs: Vec<KernelSpec>,
    /// Non-permute kernels, indexed by layout and op (no hashing on the call path).
    fixed: [[Option<Compiled>; 5]; 2],
    /// Permute kernels by layout and shift (a few at most).
    permutes: Vec<(Layout, u32, Compiled)>,
    engine: &'e JitEngine,
    fallback_ops: AtomicU64,
}

/// What a [`KernelTable`] handed to its engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableStats {
    /// Op calls the table had no kernel for. (Calls it served count nothing: an atomic add
    /// would cost about a third of a small kernel's time.)
    pub fallback_ops: u64,
}

impl std::fmt::Debug for KernelTable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelTable")
            .field("dim", &self.dim)
            .field("tier", &self.tier)
            .field("kernels", &self.specs.len())
            .field("fallback_ops", &self.fallback_ops.load(Relaxed))
            .finish()
    }
}

impl<'e> KernelTable<'e> {
    /// A table of `kernels` (all of dimension `dim`, at most one per op, layout and shift),
    /// falling back to `engine`.
    pub(crate) fn new(
        dim: usize,
        kernels: Vec<(KernelSpec, Compiled)>,
        engine: &'e JitEngine,
    ) -> Self {
        let mut table = KernelTable {
            dim,
            tier: kernels.iter().map(|(s, _)| s.tier).max(),
            specs: kernels.iter().map(|(s, _)| *s).collect(),
            fixed: Default::default(),
            permutes: Vec::new(),
            engine,
            fallback_ops: AtomicU64::new(0),
        };
        table.specs.sort();
        for (s, compiled) in kernels {
            match s.op {
                Op::Permute => table.permutes.push((s.layout, s.shift, compiled)),
                op => table.fixed[s.layout as usize][op as usize] = Some(compiled),
            }
        }
        table
    }

    /// The dimension D.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The best tier among the table's kernels, or `None` when it has none.
    pub fn tier(&self) -> Option<Tier> {
        self.tier
    }

    /// Number of kernels in the table.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether the table has no kernel (every call goes to the engine).
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// The specs of the table's kernels, sorted.
    pub fn specs(&self) -> &[KernelSpec] {
        &self.specs
    }

    /// The counters now.
    pub fn stats(&self) -> TableStats {
        TableStats { fallback_ops: self.fallback_ops.load(Relaxed) }
    }

    #[inline]
    fn kernel(&self, op: Op, layout: Layout, shift: usize) -> Option<&Compiled> {
        match op {
            Op::Permute => self
                .permutes
                .iter()
                .find(|&&(l, k, _)| l == layout && k as usize == shift)
                .map(|(_, _, c)| c),
            op => self.fixed[layout as usize][op as usize].as_ref(),
        }
    }

    fn check<V: Vector>(&self, v: &V) -> Result<()> {
        if v.dim() == self.dim {
            Ok(())
        } else {
            Err(Error::DimensionMismatch { left: self.dim, right: v.dim() })
        }
    }

    /// Run `kernel` on the table's kernel for `(op, V::LAYOUT, shift)`, or `fallback` on the
    /// engine when there is none (or it has another signature, which `new` never builds).
    fn run<V: Vector, S, R>(
        &self,
        op: Op,
        shift: usize,
        state: S,
        kernel: impl FnOnce(&KernelFn<V::Elem>, S) -> std::result::Result<R, S>,
        fallback: impl FnOnce(&JitEngine, S) -> R,
    ) -> R {
        let state = match self.kernel(op, V::LAYOUT, shift).and_then(V::kernel) {
            Some(f) => match kernel(f, state) {
                Ok(result) => return result,
                Err(state) => state,
            },
            None => state,
        };
        self.fallback_ops.fetch_add(1, Relaxed);
        fallback(self.engine, state)
    }

    fn reduce<V: Vector>(&self, op: Op, a: &V, b: &V) -> Result<i64> {
        self.check(a)?;
        self.check(b)?;
        self.run::<V, _, _>(
            op,
            0,
            (),
            |k, ()| match k {
                KernelFn::Reduce(f) => Ok(f.call(a.elems(), b.elems())),
                _ => Err(()),
            },
            |engine, ()| match op {
                Op::Hamming => engine.hamming(a, b),
                _ => engine.dot(a, b),
            },
        )
    }

    /// Dot product: the sum of `a[i] * b[i]`.
    pub fn dot<V: Vector>(&self, a: &V, b: &V) -> Result<i64> {
        self.reduce(Op::Dot, a, b)
    }

    /// Hamming distance: the number of positions where `a` and `b` differ.
    pub fn hamming<V: Vector>(&self, a: &V, b: &V) -> Result<i64> {
        self.reduce(Op::Hamming, a, b)
    }

    /// Cosine similarity, exactly 0.0 when either vector is all zeros.
    pub fn cosine<V: Vector>(&self, a: &V, b: &V) -> Result<f64> {
        self.check(a)?;
        self.check(b)?;
        self.run::<V, _, _>(
            Op::Cosine,
            0,
            (),
            |k, ()| match k {
                KernelFn::ReduceF64(f) => Ok(f.call(a.elems(), b.elems())),
                _ => Err(()),
            },
            |engine, ()| engine.cosine(a, b),
        )
    }

    fn binary_assign<V: Vector>(&self, op: Op, a: &mut V, b: &V) -> Result<()> {
        self.check(a)?;
        self.check(b)?;
        self.run::<V, _, _>(
            op,
            0,
            a,
            |k, a| match k {
                KernelFn::Binary(f) => Ok(f.call_in_place(a.elems_mut(), b.elems())),
                _ => Err(a),
            },
            |engine, a| match op {
                Op::Bundle => engine.bundle_assign(a, b),
                _ => engine.bind_assign(a, b),
            },
        )
    }

    fn binary_into<V: Vector>(&self, op: Op, out: &mut V, a: &V, b: &V) -> Result<()> {
        self.check(out)?;
        self.check(a)?;
        self.check(b)?;
        self.run::<V, _, _>(
            op,
            0,
            out,
            |k, out| match k {
                KernelFn::Binary(f) => Ok(f.call(out.elems_mut(), a.elems(), b.elems())),
                _ => Err(out),
            },
            |engine, out| {
                out.elems_mut().copy_from_slice(a.elems());
                match op {
                    Op::Bundle => engine.bundle_assign(out, b),
                    _ => engine.bind_assign(out, b),
                }
            },
        )
    }

    /// Bind: `c[i] = a[i] * b[i]`.
    pub fn bind<V: Vector>(&self, a: &V, b: &V) -> Result<V> {
        let mut out = a.clone();
        self.bind_assign(&mut out, b)?;
        Ok(out)
    }

    /// Unbind: the same operation as [`bind`](Self::bind).
    pub fn unbind<V: Vector>(&self, a: &V, key: &V) -> Result<V> {
        self.bind(a, key)
    }

    /// `a = bind(a, b)` without allocating.
    pub fn bind_assign<V: Vector>(&self, a: &mut V, b: &V) -> Result<()> {
        self.binary_assign(Op::Bind, a, b)
    }

    /// `out = bind(a, b)` into an existing vector.
    pub fn bind_into<V: Vector>(&self, out: &mut V, a: &V, b: &V) -> Result<()> {
        self.binary_into(Op::Bind, out, a, b)
    }

    /// Bundle: `c[i] = sign(a[i] + b[i])`, ties giving 0.
    pub fn bundle<V: Vector>(&self, a: &V, b: &V) -> Result<V> {
        let mut out = a.clone();
        self.bundle_assign(&mut out, b)?;
        Ok(out)
    }

    /// `a = bundle(a, b)` without allocating.
    pub fn bundle_assign<V: Vector>(&self, a: &mut V, b: &V) -> Result<()> {
        self.binary_assign(Op::Bundle, a, b)
    }

    /// `out = bundle(a, b)` into an existing vector.
    pub fn bundle_into<V: Vector>(&self, out: &mut V, a: &V, b: &V) -> Result<()> {
        self.binary_into(Op::Bundle, out, a, b)
    }

    /// n-way bundle of at least one vector (portable Rust, as [`JitEngine::bundle_n`]).
    pub fn bundle_n<V: Vector>(&self, vectors: &[&V]) -> Result<V> {
        for v in vectors {
            self.check(*v)?;
        }
        self.engine.bundle_n(vectors)
    }

    /// Right rotation by any `k` (negative rotates left): the table's kernel for the shift
    /// `k mod D` if it has one, else the engine.
    pub fn permute<V: Vector>(&self, v: &V, k: i64) -> Result<V> {
        let mut out = v.zeros_like();
        self.permute_into(&mut out, v, k)?;
        Ok(out)
    }

    /// `permute(v, -k)`.
    pub fn inverse_permute<V: Vector>(&self, v: &V, k: i64) -> Result<V> {
        let dim = self.dim as i64;
        self.permute(v, dim - k.rem_euclid(dim))
    }

    /// `out = permute(v, k)` into an existing vector.
    pub fn permute_into<V: Vector>(&self, out: &mut V, v: &V, k: i64) -> Result<()> {
        self.check(out)?;
        self.check(v)?;
        self.run::<V, _, _>(
            Op::Permute,
            shift_mod(k, v.dim()),
            out,
            |kernel, out| match kernel {
                KernelFn::Unary(f) => Ok(f.call(out.elems_mut(), v.elems())),
                _ => Err(out),
            },
            |engine, out| engine.permute_into(out, v, k),
        )
    }
}
