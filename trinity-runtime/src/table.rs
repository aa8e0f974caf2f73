//! A table of ready kernels for one dimension: typed op calls that cost a bounds check and an
//! array index beyond the kernel itself, with a [`JitEngine`] behind them for whatever the
//! table lacks. Built from baked kernels by `#[trinity::vsa]` (through [`crate::Vsa`]), or from
//! JIT-compiled ones by [`JitEngine::table`].

use crate::baked::BakedKernel;
use crate::cpu::{detect_tier, native_conv, preference};
use crate::kernel::{Compiled, KernelFn};
use crate::reference::shift_mod;
use crate::vector::{check_dim, sealed::Internal};
use crate::{Error, JitEngine, Result, Vector};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use trinity_emit::kernels::{KernelSpec, Layout, Op, Tier};

/// Ops with one kernel per layout in a table: every op but permute, which has one per shift.
const FIXED_OPS: usize = 5;

/// The row of `layout` in [`KernelTable::fixed`].
#[inline]
const fn layout_slot(layout: Layout) -> usize {
    match layout {
        Layout::Dense => 0,
        Layout::Bits => 1,
    }
}

/// The column of `op` in [`KernelTable::fixed`], written out rather than `op as usize` so that
/// reordering `Op`'s variants cannot move a kernel to another op's slot.
#[inline]
const fn op_slot(op: Op) -> usize {
    match op {
        Op::Dot => 0,
        Op::Bind => 1,
        Op::Bundle => 2,
        Op::Hamming => 3,
        Op::Cosine => 4,
        // Never stored in `fixed` (see `KernelTable::new`); a slot past the end would panic.
        Op::Permute => FIXED_OPS,
    }
}

/// The kernels of one dimension D, ready to call, and the engine that serves the rest.
///
/// Every op of docs/design.md §1 for both vector types; operands of another dimension are
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
    /// Non-permute kernels, indexed by [`layout_slot`] and [`op_slot`] (no hashing on the call
    /// path).
    fixed: [[Option<Compiled>; FIXED_OPS]; 2],
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
                op => table.fixed[layout_slot(s.layout)][op_slot(op)] = Some(compiled),
            }
        }
        table
    }

    /// The table of `entries` for dimension `dim` on this CPU: for each (op, layout, shift) the
    /// best tier the CPU runs; kernels of other dimensions, of tiers this CPU lacks or of another
    /// calling convention are left out. Anything missing goes to [`JitEngine::global`].
    ///
    /// ```
    /// let table = trinity_runtime::KernelTable::baked(64, &[]);
    /// assert!(table.is_empty());
    /// ```
    pub fn baked(dim: usize, entries: &[&'static BakedKernel]) -> KernelTable<'static> {
        let cpu = detect_tier();
        let mut best: FxHashMap<(Op, Layout, u32), (u8, &BakedKernel)> = FxHashMap::default();
        for &entry in entries {
            let s = entry.spec();
            let Some(rank) = preference(cpu, s.tier) else { continue };
            if s.dim as usize != dim || s.conv != native_conv() {
                continue;
            }
            let slot = best.entry((s.op, s.layout, s.shift)).or_insert((rank, entry));
            if rank > slot.0 {
                *slot = (rank, entry);
            }
        }
        let kernels = best.into_values().map(|(_, k)| (*k.spec(), k.compiled())).collect();
        KernelTable::new(dim, kernels, JitEngine::global())
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
            op => self.fixed[layout_slot(layout)][op_slot(op)].as_ref(),
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
                KernelFn::Binary(f) => Ok(f.call_in_place(a.elems_mut(Internal(())), b.elems())),
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
                KernelFn::Binary(f) => {
                    Ok(f.call(out.elems_mut(Internal(())), a.elems(), b.elems()))
                }
                _ => Err(out),
            },
            |engine, out| {
                out.elems_mut(Internal(())).copy_from_slice(a.elems());
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
                KernelFn::Unary(f) => Ok(f.call(out.elems_mut(Internal(())), v.elems())),
                _ => Err(out),
            },
            |engine, out| engine.permute_into(out, v, k),
        )
    }
}

impl JitEngine {
    /// A [`KernelTable`] for dimension `dim`: every op in both layouts, and permute by each of
    /// `shifts` (any integers, reduced mod D), compiled now (or baked) and cached in this engine
    /// like any other kernel. Calls through the table cost a bounds check and an array index
    /// beyond the kernel, where an engine call also looks its kernel up. Where no kernel can
    /// run (no tier, or the JIT off and nothing baked) the table has no kernels and serves
    /// every call through this engine. Its compiles show in [`EngineStats::cache_size`](crate::EngineStats::cache_size),
    /// `compile_time` and `code_bytes`; neither building it nor calling through it counts as an
    /// op call.
    ///
    /// ```
    /// use trinity_runtime::{reference, DenseVector, JitEngine};
    /// let engine = JitEngine::new();
    /// let table = engine.table(1000, &[1, -1])?;
    /// if engine.tier().is_some() {
    ///     assert_eq!(table.len(), 14); // 5 ops + 2 shifts, in 2 layouts
    /// }
    /// let v = DenseVector::random(1000, 1)?;
    /// assert_eq!(table.permute(&v, -1)?.into_vec(), reference::permute(&v, -1));
    /// assert!(engine.table(0, &[]).is_err());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn table(&self, dim: usize, shifts: &[i64]) -> Result<KernelTable<'_>> {
        check_dim(dim)?;
        let mut keys: Vec<(Op, Layout, usize)> = Vec::new();
        for layout in Layout::ALL {
            keys.extend(
                Op::ALL.into_iter().filter(|&op| op != Op::Permute).map(|op| (op, layout, 0)),
            );
            keys.extend(shifts.iter().map(|&k| (Op::Permute, layout, shift_mod(k, dim))));
        }
        keys.sort();
        keys.dedup();
        let kernels = keys
            .into_iter()
            .filter_map(|(op, layout, shift)| self.cached_kernel(op, layout, dim, shift))
            .collect();
        Ok(KernelTable::new(dim, kernels, self))
    }
}
