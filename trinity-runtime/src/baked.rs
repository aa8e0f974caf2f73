//! Kernels baked into the program at compile time by `#[trinity::vsa(dim = N)]`: the registry
//! every baked kernel joins, the [`KernelTable`] of one dimension the attribute's [`Vsa`] API
//! dispatches through, and the lookup the [`JitEngine`] uses to serve baked kernels instead of
//! compiling.
//!
//! Baked code lives in executable sections of the program image: no compile, no mapping,
//! nothing writable that executes. Dispatch picks, per kernel, the best baked tier this CPU
//! runs; whatever is not baked (another shift, a tier the CPU lacks, an architecture with no
//! kernels) goes to the global [`JitEngine`], and from there to portable Rust.
//!
//! ```
//! use trinity_runtime::baked;
//! // A program without #[trinity::vsa] has no baked kernels; the table is empty and every
//! // call goes to the engine.
//! let table = baked::table(1000, &[]);
//! assert_eq!((table.dim(), table.tier(), table.len()), (1000, None, 0));
//! println!("{} kernels baked into this program", baked::registry().len());
//! ```

use crate::engine::{detect_tier, Compiled, Vector};
use crate::exec::Code;
use crate::{BitVector, DenseVector, JitEngine, KernelTable, Result};
use rustc_hash::FxHashMap;
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

/// The table of `entries` for dimension `dim` on this CPU: for each (op, layout, shift) the
/// best tier the CPU runs; kernels of other dimensions, of tiers this CPU lacks or of another
/// calling convention are left out. Anything missing goes to [`JitEngine::global`].
///
/// ```
/// let table = trinity_runtime::baked::table(64, &[]);
/// assert!(table.is_empty());
/// ```
pub fn table(dim: usize, entries: &[&'static BakedKernel]) -> KernelTable<'static> {
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
    let kernels = best.into_values().map(|(_, k)| (k.spec, k.compiled())).collect();
    KernelTable::new(dim, kernels, JitEngine::global())
}

/// A dimension with kernels baked into the program, implemented by `#[trinity::vsa(dim = N)]`
/// on a unit struct: every op of DESIGN §1 for both vector types, through its
/// [`KernelTable`] (operands of another dimension are a typed error; anything not baked for
/// this CPU is served by the global [`JitEngine`]).
///
/// ```
/// use trinity_runtime::baked::{self, Vsa};
/// use trinity_runtime::{BitVector, Error, KernelTable};
/// use std::sync::OnceLock;
///
/// // What the attribute writes, minus the kernels (so this table is empty and every call is
/// // served by the engine).
/// struct D100;
/// impl Vsa for D100 {
///     const DIM: usize = 100;
///     fn kernels() -> &'static KernelTable<'static> {
///         static TABLE: OnceLock<KernelTable<'static>> = OnceLock::new();
///         TABLE.get_or_init(|| baked::table(Self::DIM, &[]))
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
