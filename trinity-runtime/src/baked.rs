//! Kernels baked into the program at compile time by `#[trinity::vsa(dim = N)]`: the registry
//! every baked kernel joins, the per-dimension table the attribute's [`Vsa`] API dispatches
//! through, and the lookup the [`JitEngine`] uses to serve baked kernels instead of compiling.
//!
//! Baked code lives in executable sections of the program image: no compile, no mapping,
//! nothing writable that executes. Dispatch picks, per kernel, the best baked tier this CPU
//! runs; whatever is not baked (another shift, a tier the CPU lacks, an architecture with no
//! kernels) goes to the global [`JitEngine`], and from there to portable Rust.
//!
//! ```
//! use trinity_runtime::baked::{self, BakedDim};
//! // A program without #[trinity::vsa] has no baked kernels; the table is empty and every
//! // call falls back to the engine.
//! let table = BakedDim::new(1000, &[]);
//! assert_eq!((table.dim(), table.tier(), table.len()), (1000, None, 0));
//! println!("{} kernels baked into this program", baked::registry().len());
//! ```

use crate::engine::{detect_tier, Compiled, KernelFn, Vector};
use crate::exec::Code;
use crate::reference::shift_mod;
use crate::{BitVector, DenseVector, Error, JitEngine, Result};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use trinity_emit::kernels::{CallConv, KernelSpec, Layout, Op, Tier};

/// One kernel baked into the program: what it computes, its symbol and where its code is.
///
/// Built by the code `#[trinity::vsa]` generates; see [`registry`] for the ones linked in.
#[derive(Debug)]
pub struct BakedKernel {
    spec: KernelSpec,
    symbol: &'static str,
    entry: unsafe extern "C" fn(),
    len: usize,
}

impl BakedKernel {
    /// Describe a baked kernel.
    ///
    /// # Safety
    /// `entry` must be the first of `len` bytes of program text holding exactly the code that
    /// `trinity_emit::kernels::generate` produces for `spec` (so it has the signature and the
    /// memory behaviour DESIGN §3 gives that spec), defined under the name `symbol`.
    pub const unsafe fn new(
        spec: KernelSpec,
        symbol: &'static str,
        entry: unsafe extern "C" fn(),
        len: usize,
    ) -> Self {
        BakedKernel { spec, symbol, entry, len }
    }

    /// What the kernel computes.
    pub fn spec(&self) -> &KernelSpec {
        &self.spec
    }

    /// Its global symbol (as Rust and C name it; Mach-O adds a leading underscore).
    pub fn symbol(&self) -> &'static str {
        self.symbol
    }

    /// The code, in the program image.
    pub fn code(&self) -> Code {
        // SAFETY: per `new`, entry..entry + len is program text: mapped read + execute for
        // the whole run and never written.
        unsafe { Code::from_static(self.entry as *const u8, self.len) }
    }

    /// The kernel as the engine's typed entry point.
    pub(crate) fn compiled(&self) -> Compiled {
        // SAFETY: per `new`, the code is trinity-emit's kernel for `spec`.
        unsafe { Compiled::new(&self.spec, self.code()) }
    }
}

#[doc(hidden)]
#[linkme::distributed_slice]
pub static BAKED_KERNELS: [BakedKernel];

/// Every baked kernel linked into this program, from every crate that uses `#[trinity::vsa]`.
///
/// ```
/// for kernel in trinity_runtime::baked::registry() {
///     println!("{} at {:p}", kernel.symbol(), kernel.code().entry());
/// }
/// ```
pub fn registry() -> &'static [BakedKernel] {
    &BAKED_KERNELS
}

/// The calling convention kernels follow on this platform.
pub(crate) fn native_conv() -> CallConv {
    if cfg!(windows) {
        CallConv::Win64
    } else {
        CallConv::Native
    }
}

/// The baked kernel for `spec` (its tier and calling convention included), if one is linked in.
///
/// ```
/// use trinity_emit::kernels::{KernelSpec, Layout, Op, Tier};
/// let spec = KernelSpec::new(Op::Dot, Layout::Bits, 12_345, Tier::Avx2);
/// assert!(trinity_runtime::baked::find(&spec).is_none()); // nothing baked in this doc test
/// ```
pub fn find(spec: &KernelSpec) -> Option<&'static BakedKernel> {
    static INDEX: OnceLock<FxHashMap<KernelSpec, &'static BakedKernel>> = OnceLock::new();
    INDEX.get_or_init(|| registry().iter().map(|k| (k.spec, k)).collect()).get(spec).copied()
}

/// Whether a CPU whose best tier is `cpu` runs `tier` code, and how much it is preferred
/// (higher is better).
fn preference(cpu: Option<Tier>, tier: Tier) -> Option<u8> {
    match (cpu?, tier) {
        (Tier::Avx2, Tier::Avx2) | (Tier::Neon | Tier::DotProd, Tier::Neon) => Some(1),
        (Tier::DotProd, Tier::DotProd) => Some(2),
        _ => None,
    }
}

/// The kernels baked for one dimension, chosen for this CPU: for each (op, layout, shift) the
/// best tier it runs. Behind the [`Vsa`] API; counts the calls it hands to the engine (a
/// baked call counts nothing: an atomic add would cost a third of a small kernel's time).
pub struct BakedDim {
    dim: usize,
    tier: Option<Tier>,
    specs: Vec<KernelSpec>,
    /// Non-permute kernels, indexed by layout and op (a lookup on every call: no hashing).
    fixed: [[Option<Compiled>; 5]; 2],
    /// Permute kernels by layout and shift (a few at most).
    permutes: Vec<(Layout, u32, Compiled)>,
    fallback_ops: AtomicU64,
}

impl std::fmt::Debug for BakedDim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BakedDim")
            .field("dim", &self.dim)
            .field("tier", &self.tier)
            .field("kernels", &self.specs.len())
            .field("fallback_ops", &self.fallback_ops.load(Relaxed))
            .finish()
    }
}

/// What a [`BakedDim`] served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BakedStats {
    /// Op calls handed to the global [`JitEngine`] (nothing baked for that op on this CPU).
    pub fallback_ops: u64,
}

impl BakedDim {
    /// The table for dimension `dim` from `entries`: kernels of other dimensions, of tiers this
    /// CPU lacks or of another calling convention are left out.
    ///
    /// ```
    /// let table = trinity_runtime::baked::BakedDim::new(64, &[]);
    /// assert!(table.is_empty());
    /// ```
    pub fn new(dim: usize, entries: &[&'static BakedKernel]) -> Self {
        let cpu = detect_tier();
        let mut best: FxHashMap<(Op, Layout, u32), (u8, &BakedKernel)> = FxHashMap::default();
        for &entry in entries {
            let s = &entry.spec;
            let Some(rank) = preference(cpu, s.tier) else { continue };
            if s.dim as usize != dim || s.conv != native_conv() {
                continue;
            }
            let slot = best.entry((s.op, s.layout, s.shift)).or_insert((rank, entry));
            if rank > slot.0 {
                *slot = (rank, entry);
            }
        }
        let mut table = BakedDim {
            dim,
            tier: best.values().map(|&(_, k)| k.spec.tier).max_by_key(|&t| preference(cpu, t)),
            specs: best.values().map(|&(_, k)| k.spec).collect(),
            fixed: Default::default(),
            permutes: Vec::new(),
            fallback_ops: AtomicU64::new(0),
        };
        table.specs.sort();
        for (_, kernel) in best.into_values() {
            let s = kernel.spec;
            match s.op {
                Op::Permute => table.permutes.push((s.layout, s.shift, kernel.compiled())),
                op => table.fixed[s.layout as usize][op as usize] = Some(kernel.compiled()),
            }
        }
        table
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

    /// The dimension D.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The best tier among the kernels chosen, or `None` when none runs on this CPU.
    pub fn tier(&self) -> Option<Tier> {
        self.tier
    }

    /// Number of kernels chosen.
    pub fn len(&self) -> usize {
        self.specs.len()
    }

    /// Whether no baked kernel runs here (every call falls back to the engine).
    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// The specs of the kernels chosen, sorted.
    pub fn specs(&self) -> Vec<KernelSpec> {
        self.specs.clone()
    }

    /// The counters now.
    pub fn stats(&self) -> BakedStats {
        BakedStats { fallback_ops: self.fallback_ops.load(Relaxed) }
    }

    fn check<V: Vector>(&self, v: &V) -> Result<()> {
        if v.dim() == self.dim {
            Ok(())
        } else {
            Err(Error::DimensionMismatch { left: self.dim, right: v.dim() })
        }
    }

    /// Run `baked` on the kernel for `(op, V::LAYOUT, shift)`, or `fallback` on the global
    /// engine when none is baked (or the kernel has another signature, which cannot happen for
    /// tables built by [`new`](Self::new)).
    fn run<V: Vector, S, R>(
        &self,
        op: Op,
        shift: usize,
        state: S,
        baked: impl FnOnce(&KernelFn<V::Elem>, S) -> std::result::Result<R, S>,
        fallback: impl FnOnce(&JitEngine, S) -> R,
    ) -> R {
        let kernel = self.kernel(op, V::LAYOUT, shift).and_then(V::kernel);
        let state = match kernel {
            Some(f) => match baked(f, state) {
                Ok(result) => return result,
                Err(state) => state,
            },
            None => state,
        };
        self.fallback_ops.fetch_add(1, Relaxed);
        fallback(JitEngine::global(), state)
    }
}

/// A dimension with kernels baked into the program, implemented by `#[trinity::vsa(dim = N)]`
/// on a unit struct. Every op of DESIGN §1 for both layouts, with operands of another
/// dimension rejected by [`Error::DimensionMismatch`]. Ops run the baked kernel when this CPU
/// has one and otherwise the global [`JitEngine`] (which may compile, or run portable Rust).
///
/// ```
/// use trinity_runtime::baked::{BakedDim, Vsa};
/// use trinity_runtime::{BitVector, DenseVector, Error};
/// use std::sync::OnceLock;
///
/// // What the attribute writes, minus the kernels (so this table is empty and every call is
/// // served by the engine).
/// struct D100;
/// impl Vsa for D100 {
///     const DIM: usize = 100;
///     fn kernels() -> &'static BakedDim {
///         static TABLE: OnceLock<BakedDim> = OnceLock::new();
///         TABLE.get_or_init(|| BakedDim::new(Self::DIM, &[]))
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
    fn kernels() -> &'static BakedDim;

    /// Dot product (DESIGN §1).
    fn dot<V: Vector>(a: &V, b: &V) -> Result<i64> {
        reduce(Self::kernels(), Op::Dot, a, b)
    }

    /// Hamming distance.
    fn hamming<V: Vector>(a: &V, b: &V) -> Result<i64> {
        reduce(Self::kernels(), Op::Hamming, a, b)
    }

    /// Cosine similarity, exactly 0.0 when either vector is all zeros.
    fn cosine<V: Vector>(a: &V, b: &V) -> Result<f64> {
        let table = Self::kernels();
        table.check(a)?;
        table.check(b)?;
        table.run::<V, _, _>(
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

    /// Bind: `c[i] = a[i] * b[i]`.
    fn bind<V: Vector>(a: &V, b: &V) -> Result<V> {
        let mut out = a.clone();
        Self::bind_assign(&mut out, b)?;
        Ok(out)
    }

    /// Unbind: the same operation as [`bind`](Self::bind).
    fn unbind<V: Vector>(a: &V, key: &V) -> Result<V> {
        Self::bind(a, key)
    }

    /// `a = bind(a, b)` without allocating.
    fn bind_assign<V: Vector>(a: &mut V, b: &V) -> Result<()> {
        binary_assign(Self::kernels(), Op::Bind, a, b)
    }

    /// `out = bind(a, b)` into an existing vector.
    fn bind_into<V: Vector>(out: &mut V, a: &V, b: &V) -> Result<()> {
        binary_into(Self::kernels(), Op::Bind, out, a, b)
    }

    /// Bundle: `c[i] = sign(a[i] + b[i])`, ties giving 0.
    fn bundle<V: Vector>(a: &V, b: &V) -> Result<V> {
        let mut out = a.clone();
        Self::bundle_assign(&mut out, b)?;
        Ok(out)
    }

    /// `a = bundle(a, b)` without allocating.
    fn bundle_assign<V: Vector>(a: &mut V, b: &V) -> Result<()> {
        binary_assign(Self::kernels(), Op::Bundle, a, b)
    }

    /// `out = bundle(a, b)` into an existing vector.
    fn bundle_into<V: Vector>(out: &mut V, a: &V, b: &V) -> Result<()> {
        binary_into(Self::kernels(), Op::Bundle, out, a, b)
    }

    /// n-way bundle of at least one vector (portable Rust, as [`JitEngine::bundle_n`]).
    fn bundle_n<V: Vector>(vectors: &[&V]) -> Result<V> {
        for v in vectors {
            Self::kernels().check(*v)?;
        }
        JitEngine::global().bundle_n(vectors)
    }

    /// Right rotation by any `k` (negative rotates left); baked for the shifts named in the
    /// attribute, served by the engine for others.
    fn permute<V: Vector>(v: &V, k: i64) -> Result<V> {
        let mut out = v.zeros_like();
        Self::permute_into(&mut out, v, k)?;
        Ok(out)
    }

    /// `permute(v, -k)`.
    fn inverse_permute<V: Vector>(v: &V, k: i64) -> Result<V> {
        let dim = Self::DIM as i64;
        Self::permute(v, dim - k.rem_euclid(dim))
    }

    /// `out = permute(v, k)` into an existing vector.
    fn permute_into<V: Vector>(out: &mut V, v: &V, k: i64) -> Result<()> {
        let table = Self::kernels();
        table.check(out)?;
        table.check(v)?;
        let shift = shift_mod(k, v.dim());
        table.run::<V, _, _>(
            Op::Permute,
            shift,
            out,
            |kernel, out| match kernel {
                KernelFn::Unary(f) => Ok(f.call(out.elems_mut(), v.elems())),
                _ => Err(out),
            },
            |engine, out| engine.permute_into(out, v, k),
        )
    }

    /// A seeded random dense vector of this dimension (DESIGN §1).
    fn random_dense(seed: u64) -> Result<DenseVector> {
        DenseVector::random(Self::DIM, seed)
    }

    /// A seeded random bitsliced vector of this dimension (the same trits as
    /// [`random_dense`](Self::random_dense)).
    fn random_bits(seed: u64) -> Result<BitVector> {
        BitVector::random(Self::DIM, seed)
    }
}

fn reduce<V: Vector>(table: &BakedDim, op: Op, a: &V, b: &V) -> Result<i64> {
    table.check(a)?;
    table.check(b)?;
    table.run::<V, _, _>(
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

fn binary_assign<V: Vector>(table: &BakedDim, op: Op, a: &mut V, b: &V) -> Result<()> {
    table.check(a)?;
    table.check(b)?;
    table.run::<V, _, _>(
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

fn binary_into<V: Vector>(table: &BakedDim, op: Op, out: &mut V, a: &V, b: &V) -> Result<()> {
    table.check(out)?;
    table.check(a)?;
    table.check(b)?;
    table.run::<V, _, _>(
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
