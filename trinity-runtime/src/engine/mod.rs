//! The JIT engine: compiles kernels on first use, caches them per (op, layout, D, tier, shift),
//! and falls back to portable Rust wherever no kernel can run.

mod cache;
mod local;

use crate::cpu::{detect_tier, native_conv};
use crate::exec::call::{BundleNKernel, PermuteByKernel, ScanKernel};
use crate::exec::{self, Arena, Backend, Code, ExecError};
use crate::kernel::{Compiled, CompiledBundle, CompiledPermuteBy, KernelFn};
use crate::reference::shift_mod;
use crate::vector::{same_dim, sealed::Internal, sealed::Sealed};
use crate::{baked, DenseSlice, DenseVector, Error, Result, Vector};
use cache::{Lookup, OnceMap};
use local::{Count, Key, Tallies};
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use trinity_emit::kernels::bundle::{generate_bundle, BundleSpec, MAX_OPERANDS};
use trinity_emit::kernels::permute_by::{generate_permute_by, PermuteBySpec};
use trinity_emit::kernels::scan::{generate_scan, ScanMetric, ScanSpec};
use trinity_emit::kernels::{self, KernelSpec, Layout, Op, Tier};

/// A snapshot of the engine's counters.
///
/// Every op call that passes its argument checks counts once, in exactly one of:
/// - `baked_hits`: served by a kernel baked into the program by `#[trinity::vsa]` (found in
///   [`crate::baked::registry`]; never compiled, whatever the backend).
/// - `jit_hits`: served by a kernel this engine compiled earlier (or that another thread was
///   compiling, which this call waited for).
/// - `jit_misses`: the call that compiled its key's kernel (once per key, however many
///   threads ask at the same time), however the call was then served.
/// - `portable_ops`: served by portable Rust: no tier, JIT off with nothing baked for the key,
///   `bundle_n` of more operands than one kernel takes, or a key whose compile failed
///   (failures are cached, so a key is attempted once).
/// - `over_budget_ops`: served by portable Rust because the key has no kernel and the
///   engine's code budget ([`EngineConfig::code_budget`]) is spent, so none is compiled.
///
/// `total_ops` is their sum. [`JitEngine::table`] makes no op call: the kernels it compiles
/// show in the three below, and calls through the table are not counted here.
/// - `cache_size`: kernel keys with an entry: baked, compiled or failed.
/// - `compile_time`: total time spent generating and placing kernels.
/// - `code_bytes`: bytes of kernel code placed in executable memory.
///
/// ```
/// use trinity_runtime::{DenseVector, JitEngine};
/// let engine = JitEngine::new();
/// let a = DenseVector::random(256, 1)?;
/// engine.dot(&a, &a)?;
/// engine.dot(&a, &a)?;
/// let stats = engine.stats();
/// assert_eq!(stats.total_ops, 2);
/// // Each op is served by a kernel (one cache lookup each) or by portable Rust.
/// let kernels = stats.baked_hits + stats.jit_hits + stats.jit_misses;
/// assert_eq!(kernels + stats.portable_ops + stats.over_budget_ops, 2);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EngineStats {
    /// Op calls: the sum of the five counters below.
    pub total_ops: u64,
    /// Op calls served by baked kernels.
    pub baked_hits: u64,
    /// Op calls served by kernels this engine compiled earlier.
    pub jit_hits: u64,
    /// Op calls that compiled their kernel.
    pub jit_misses: u64,
    /// Op calls served by portable Rust, except those counted in `over_budget_ops`.
    pub portable_ops: u64,
    /// Op calls served by portable Rust because the code budget was spent.
    pub over_budget_ops: u64,
    /// Kernel keys cached (compiled or failed), scan and n-way bundle kernels included.
    pub cache_size: usize,
    /// Time spent compiling.
    pub compile_time: Duration,
    /// Bytes of code placed (each kernel also takes whole pages: the budget counts those).
    pub code_bytes: u64,
    /// Which backend runs kernels.
    pub backend: Backend,
    /// The CPU tier kernels run at: compiled for it, or, when the backend is portable, only
    /// the baked ones. `None` when every op runs portable Rust.
    pub tier: Option<Tier>,
}

impl EngineStats {
    /// `jit_hits / (jit_hits + jit_misses)`, or 0.0 before any JIT lookup.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, JitEngine};
    /// let engine = JitEngine::new();
    /// let a = BitVector::random(1000, 1)?;
    /// for _ in 0..4 {
    ///     engine.hamming(&a, &a)?;
    /// }
    /// let stats = engine.stats();
    /// if stats.tier.is_some() {
    ///     assert_eq!(stats.hit_rate(), 0.75); // one compile, three hits
    /// }
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn hit_rate(&self) -> f64 {
        let lookups = self.jit_hits + self.jit_misses;
        if lookups == 0 {
            0.0
        } else {
            self.jit_hits as f64 / lookups as f64
        }
    }
}

/// What compiling has cost (op calls are counted per thread, in [`Tallies`]).
#[derive(Default)]
struct Costs {
    compile_nanos: AtomicU64,
    code_bytes: AtomicU64,
}

/// How an engine is set up: [`JitEngine::with_config`].
///
/// ```
/// use trinity_runtime::{EngineConfig, JitEngine};
/// let config = EngineConfig::default().code_budget(1 << 20);
/// assert_eq!(config.code_budget, 1 << 20);
/// let engine = JitEngine::with_config(config);
/// assert_eq!(engine.stats().over_budget_ops, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineConfig {
    /// Most bytes of executable memory the engine fills with compiled kernels (pair, scan
    /// and n-way bundle kernels), counted in the whole pages each kernel takes (one 4 KiB
    /// page for a pair kernel, up to two for a scan kernel). Once a kernel would not fit, the
    /// engine compiles nothing new and serves keys without a kernel in portable Rust
    /// (counted in [`EngineStats::over_budget_ops`]); kernels already compiled keep serving.
    /// Baked kernels are program text and cost nothing. Default
    /// [`DEFAULT_CODE_BUDGET`](Self::DEFAULT_CODE_BUDGET).
    pub code_budget: usize,
}

impl EngineConfig {
    /// 16 MiB: 4096 pair kernels of one 4 KiB page. An application with a few dimensions uses
    /// tens of kernels; the budget stops one that asks for unboundedly many distinct keys
    /// (every permute shift, every dimension) from growing without end (docs/design.md §9.1).
    pub const DEFAULT_CODE_BUDGET: usize = 16 << 20;

    /// This config with the code budget `bytes`.
    pub fn code_budget(mut self, bytes: usize) -> Self {
        self.code_budget = bytes;
        self
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { code_budget: Self::DEFAULT_CODE_BUDGET }
    }
}

/// Compiles, caches and runs kernels. `Send + Sync`; share one engine (or use
/// [`JitEngine::global`]) so kernels are compiled once per process.
///
/// ```
/// use trinity_runtime::{BitVector, JitEngine};
/// let engine = JitEngine::new();
/// let a = BitVector::random(10_000, 1)?;
/// let b = BitVector::random(10_000, 2)?;
/// let d = engine.dot(&a, &b)?;
/// assert_eq!(d, trinity_runtime::reference::dot(&a, &b)?);
/// assert_eq!(engine.stats().total_ops, 1);
/// # Ok::<(), trinity_runtime::Error>(())
/// ```
pub struct JitEngine {
    /// This engine's identity in threads' recent-kernel caches ([`local`]).
    id: u64,
    backend: Backend,
    tier: Option<Tier>,
    arena: Arena,
    kernels: OnceMap<KernelSpec, std::result::Result<Entry, Error>>,
    /// The item memory's scan kernels (JIT only: none are baked).
    scans: OnceMap<ScanSpec, std::result::Result<ScanKernel, Error>>,
    /// n-way bundle kernels (JIT only: none are baked).
    bundles: OnceMap<BundleSpec, std::result::Result<CompiledBundle, Error>>,
    /// Permute kernels taking the shift at run time (JIT only: none are baked).
    permutes: OnceMap<PermuteBySpec, std::result::Result<CompiledPermuteBy, Error>>,
    tallies: Tallies,
    costs: Costs,
    /// Set when the arena first refuses a kernel for the code budget: from then on no new
    /// key enters the caches.
    spent: AtomicBool,
}

/// A cached kernel and where it came from.
struct Entry {
    compiled: Compiled,
    /// Baked into the program (not compiled by this engine).
    baked: bool,
}

impl Default for JitEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl JitEngine {
    /// An engine for this CPU's best tier, or portable Rust where generated code cannot run
    /// (see [`exec::probe`]). Kernels baked into the program by `#[trinity::vsa]` run
    /// whenever the CPU has their tier, even where the JIT cannot (they need no executable
    /// memory of their own).
    ///
    /// ```
    /// let engine = trinity_runtime::JitEngine::new();
    /// println!("{:?}", engine.stats().backend);
    /// ```
    pub fn new() -> Self {
        Self::with_config(EngineConfig::default())
    }

    /// [`new`](Self::new) with `config`.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, EngineConfig, JitEngine};
    /// let engine = JitEngine::with_config(EngineConfig::default().code_budget(0));
    /// let a = DenseVector::random(100, 1)?;
    /// assert_eq!(engine.dot(&a, &a)?, trinity_runtime::reference::dot(&a, &a)?);
    /// engine.dot(&a, &a)?;
    /// let stats = engine.stats();
    /// assert_eq!(stats.code_bytes, 0, "nothing placed");
    /// if stats.backend == trinity_runtime::exec::Backend::Jit && stats.tier.is_some() {
    ///     assert_eq!(stats.over_budget_ops, 2);
    ///     assert_eq!(stats.cache_size, 1, "only the key the arena refused");
    /// }
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn with_config(config: EngineConfig) -> Self {
        let budget = config.code_budget;
        match (exec::probe(), detect_tier()) {
            (Backend::Jit, Some(tier)) => Self::with_backend(Backend::Jit, Some(tier), budget),
            (Backend::Jit, None) => Self::with_backend(
                Backend::Portable {
                    reason: "this CPU has no supported tier (docs/design.md §4)".into(),
                },
                None,
                budget,
            ),
            (portable @ Backend::Portable { .. }, tier) => {
                Self::with_backend(portable.clone(), tier, budget)
            }
        }
    }

    /// An engine that always uses portable Rust (the same results, no generated or baked
    /// code).
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let engine = JitEngine::portable();
    /// let a = DenseVector::random(64, 3)?;
    /// assert_eq!(engine.dot(&a, &a)?, trinity_runtime::reference::dot(&a, &a)?);
    /// assert_eq!(engine.stats().portable_ops, 1);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn portable() -> Self {
        let reason = "portable engine requested".into();
        Self::with_backend(Backend::Portable { reason }, None, 0)
    }

    fn with_backend(backend: Backend, tier: Option<Tier>, code_budget: usize) -> Self {
        JitEngine {
            id: local::new_engine_id(),
            backend,
            tier,
            arena: Arena::with_limit(code_budget),
            kernels: OnceMap::new(),
            scans: OnceMap::new(),
            bundles: OnceMap::new(),
            permutes: OnceMap::new(),
            tallies: Tallies::default(),
            costs: Costs::default(),
            spent: AtomicBool::new(false),
        }
    }

    /// The process-wide engine, created on first use.
    ///
    /// ```
    /// use trinity_runtime::JitEngine;
    /// assert!(std::ptr::eq(JitEngine::global(), JitEngine::global()));
    /// ```
    pub fn global() -> &'static JitEngine {
        static GLOBAL: OnceLock<JitEngine> = OnceLock::new();
        GLOBAL.get_or_init(JitEngine::new)
    }

    /// The counters now.
    ///
    /// ```
    /// let engine = trinity_runtime::JitEngine::new();
    /// assert_eq!(engine.stats().total_ops, 0);
    /// ```
    pub fn stats(&self) -> EngineStats {
        let counts = self.tallies.sum();
        EngineStats {
            total_ops: counts.iter().sum(),
            baked_hits: counts[Count::Baked as usize],
            jit_hits: counts[Count::JitHit as usize],
            jit_misses: counts[Count::JitMiss as usize],
            portable_ops: counts[Count::Portable as usize],
            over_budget_ops: counts[Count::OverBudget as usize],
            cache_size: self.kernels.len()
                + self.scans.len()
                + self.bundles.len()
                + self.permutes.len(),
            compile_time: Duration::from_nanos(self.costs.compile_nanos.load(Relaxed)),
            code_bytes: self.costs.code_bytes.load(Relaxed),
            backend: self.backend.clone(),
            tier: self.tier,
        }
    }

    /// The tier kernels run at (see [`EngineStats::tier`]), or `None` when every op runs
    /// portable Rust.
    ///
    /// ```
    /// let engine = trinity_runtime::JitEngine::portable();
    /// assert_eq!(engine.tier(), None);
    /// ```
    pub fn tier(&self) -> Option<Tier> {
        self.tier
    }

    /// The kernel key for an op call, or `None` when no kernel can serve it (no tier, or the
    /// JIT is off and nothing is baked for the key).
    fn spec(&self, op: Op, layout: Layout, dim: usize, shift: usize) -> Option<KernelSpec> {
        let tier = self.tier?;
        let mut spec = KernelSpec::new(op, layout, dim as u32, tier);
        spec.shift = shift as u32;
        spec.conv = native_conv();
        spec.variant = crate::cpu::planner().choose(&spec);
        (self.backend == Backend::Jit || baked::find(&spec).is_some()).then_some(spec)
    }

    /// The kernel for `spec`: the baked one if the program has it, else JIT-compiled.
    fn compile(&self, spec: &KernelSpec) -> std::result::Result<Entry, Error> {
        if let Some(kernel) = baked::find(spec) {
            return Ok(Entry { compiled: kernel.compiled(), baked: true });
        }
        let code = self.place(|| Ok(kernels::generate(spec)?.code))?;
        // SAFETY: trinity-emit generated this code for `spec`.
        Ok(Entry { compiled: unsafe { Compiled::new(spec, code) }, baked: false })
    }

    /// Generate code and place it in the arena, counting its bytes and the time both took;
    /// the arena's refusal for the code budget marks the budget spent.
    fn place(&self, generate: impl FnOnce() -> Result<Vec<u8>>) -> Result<Code> {
        let started = Instant::now();
        let placed = self.arena.add(&generate()?);
        if let Err(ExecError::OverBudget { .. }) = placed {
            self.spent.store(true, Relaxed);
        }
        let code = placed?;
        self.costs.compile_nanos.fetch_add(started.elapsed().as_nanos() as u64, Relaxed);
        self.costs.code_bytes.fetch_add(code.len() as u64, Relaxed);
        Ok(code)
    }

    /// The one gate for new kernels of every kind: `with` the entry for `key` in `map`, built
    /// now if no thread has built it and the code budget is not spent. `None` when `key` has
    /// no built entry and the budget is spent: nothing is built or inserted, so the keys
    /// refused cost no memory.
    fn cached<K: Eq + Hash + Clone, T, R>(
        &self,
        map: &OnceMap<K, Result<T>>,
        key: &K,
        build: impl FnOnce() -> Result<T>,
        with: impl FnOnce(&Result<T>, Lookup) -> R,
    ) -> Option<R> {
        if self.spent.load(Relaxed) {
            return map.with_built(key, |entry| with(entry, Lookup::Hit));
        }
        Some(map.with(key, build, with))
    }

    /// Count one op call of this engine.
    fn count(&self, count: Count) {
        local::count(self.id, &self.tallies, count);
    }

    /// The kernel for `(op, V::LAYOUT, dim, shift)`, compiled on first use, or `None` when
    /// portable Rust serves the call. Counts the op call, so the caller runs what it gets.
    ///
    /// The thread's recent kernels come first: a hit there costs a few compares and no shared
    /// write. Otherwise the engine's cache serves the key, and its kernel becomes the
    /// thread's recent one.
    #[inline]
    fn kernel<V: Vector>(&self, op: Op, dim: usize, shift: usize) -> Option<&KernelFn<V::Elem>> {
        let key = Key::new(self.id, op, V::LAYOUT, dim, shift);
        match local::recent(&key) {
            // SAFETY: `recent` returns what `remember` stored for `key`: the kernel in this
            // engine's cache entry for it (the key holds this engine's id, and ids are never
            // reused). The cache never removes or moves an entry while the engine lives, and
            // `&self` keeps it alive for the returned borrow.
            Some(compiled) => V::kernel(unsafe { &*compiled }),
            None => self.kernel_cached::<V>(key, op, dim, shift),
        }
    }

    /// [`kernel`](Self::kernel) through the engine's cache.
    #[inline(never)]
    fn kernel_cached<V: Vector>(
        &self,
        key: Key,
        op: Op,
        dim: usize,
        shift: usize,
    ) -> Option<&KernelFn<V::Elem>> {
        let Some(spec) = self.spec(op, V::LAYOUT, dim, shift) else {
            self.count(Count::Portable);
            return None;
        };
        let found = |entry: &Result<Entry>, lookup: Lookup| {
            let f = entry.as_ref().ok().and_then(|e| V::kernel(&e.compiled));
            self.count(match (entry, lookup, f) {
                (Ok(Entry { baked: true, .. }), _, Some(_)) => Count::Baked,
                (Err(Error::Exec(ExecError::OverBudget { .. })), _, _) => Count::OverBudget,
                (_, Lookup::Miss, _) => Count::JitMiss,
                (_, Lookup::Hit, None) => Count::Portable,
                (_, Lookup::Hit, Some(_)) => Count::JitHit,
            });
            let entry = entry.as_ref().ok().filter(|_| f.is_some())?;
            local::remember(key, entry);
            Some(&entry.compiled as *const Compiled)
        };
        match self.cached(&self.kernels, &spec, || self.compile(&spec), found) {
            // SAFETY: the pointer is to the compiled kernel in this engine's cache entry for
            // `spec`, which the cache never removes or moves while the engine lives; `&self`
            // keeps it alive for the returned borrow.
            Some(found) => V::kernel(unsafe { &*found? }),
            None => {
                self.count(Count::OverBudget);
                None
            }
        }
    }

    /// The item-memory scan kernel for `metric` over vectors of `layout` and `dim`, `queries`
    /// at a time, for records that stream from memory when `streaming` (see
    /// `trinity_emit::kernels::scan` and `ScanSpec::streaming`), compiled on first use and cached like
    /// the pair kernels (in [`EngineStats::cache_size`], `compile_time` and `code_bytes`); not
    /// an op call. `None` where generated code cannot run here (no tier, the JIT off or
    /// refused) or the kernel cannot be generated (a bad `dim` or query block): the caller
    /// then scans in portable Rust.
    ///
    /// ```
    /// use trinity_emit::kernels::{scan::ScanMetric, Layout};
    /// let engine = trinity_runtime::JitEngine::new();
    /// let kernel = engine.scan_kernel(ScanMetric::Dot, Layout::Bits, 10_000, 4, false);
    /// assert_eq!(kernel.is_some(), engine.stats().backend == trinity_runtime::exec::Backend::Jit
    ///     && engine.tier().is_some());
    /// assert!(engine.scan_kernel(ScanMetric::Dot, Layout::Bits, 10_000, 3, false).is_none());
    /// ```
    pub fn scan_kernel(
        &self,
        metric: ScanMetric,
        layout: Layout,
        dim: usize,
        queries: usize,
        streaming: bool,
    ) -> Option<ScanKernel> {
        let tier = self.tier.filter(|_| self.backend == Backend::Jit)?;
        let spec = ScanSpec {
            streaming,
            ..ScanSpec::new(
                metric,
                layout,
                u32::try_from(dim).ok()?,
                tier,
                u32::try_from(queries).ok()?,
            )
        };
        let compile = || {
            let code = self.place(|| Ok(generate_scan(&spec)?.code))?;
            let bytes = layout.operand_bytes(spec.dim);
            // SAFETY: trinity-emit generated this code for `spec`: a scan over vectors of
            // `bytes` bytes, `queries` at a time.
            Ok(unsafe { ScanKernel::new(code, bytes, queries) })
        };
        self.cached(&self.scans, &spec, compile, |entry, _| entry.as_ref().ok().cloned())?
    }

    /// The kernel for `(op, layout, dim, shift)`, from the cache or compiled (or found baked)
    /// now and cached, without counting an op call; `None` where no kernel can run.
    pub(crate) fn cached_kernel(
        &self,
        op: Op,
        layout: Layout,
        dim: usize,
        shift: usize,
    ) -> Option<(KernelSpec, Compiled)> {
        let spec = self.spec(op, layout, dim, shift)?;
        let entry = |entry: &Result<Entry>, _: Lookup| {
            entry.as_ref().ok().map(|e| (spec, e.compiled.clone()))
        };
        self.cached(&self.kernels, &spec, || self.compile(&spec), entry)?
    }

    // The hit path is inlined into the caller, the miss path stays out of line
    // (`benches/engine.rs` times a hit against the bare kernel).
    #[inline]
    fn reduce<V: Vector>(&self, op: Op, a: &V, b: &V) -> Result<i64> {
        same_dim(a.dim(), b.dim())?;
        self.reduce_elems::<V>(op, a.dim(), a.elems(), b.elems())
    }

    /// dot or hamming of the elements of two valid vectors of `V`'s layout and dimension `dim`.
    #[inline]
    fn reduce_elems<V: Vector>(
        &self,
        op: Op,
        dim: usize,
        a: &[V::Elem],
        b: &[V::Elem],
    ) -> Result<i64> {
        match self.kernel::<V>(op, dim, 0) {
            Some(KernelFn::Reduce(f)) => Ok(f.call(a, b)?),
            _ => Ok(V::portable_reduce(op, a, b)),
        }
    }

    /// cosine of the elements of two valid vectors of `V`'s layout and dimension `dim`.
    #[inline]
    fn cosine_elems<V: Vector>(&self, dim: usize, a: &[V::Elem], b: &[V::Elem]) -> Result<f64> {
        match self.kernel::<V>(Op::Cosine, dim, 0) {
            Some(KernelFn::ReduceF64(f)) => Ok(f.call(a, b)?),
            _ => Ok(V::portable_cosine(a, b)),
        }
    }

    /// [`dot`](Self::dot) of two dense operands borrowed in place (see [`DenseSlice`]): the
    /// same kernel, the same count in [`stats`](Self::stats), no copy.
    ///
    /// ```
    /// use trinity_runtime::{DenseSlice, JitEngine};
    /// let rows = [1i8, -1, 0, 1, /* next row */ 1, 1, 1, -1];
    /// let (a, b) = (DenseSlice::new(&rows[..4])?, DenseSlice::new(&rows[4..])?);
    /// assert_eq!(JitEngine::global().dot_slices(a, b)?, -1);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dot_slices(&self, a: DenseSlice<'_>, b: DenseSlice<'_>) -> Result<i64> {
        same_dim(a.dim(), b.dim())?;
        self.reduce_elems::<DenseVector>(Op::Dot, a.dim(), a.as_slice(), b.as_slice())
    }

    /// [`hamming`](Self::hamming) of two dense operands borrowed in place.
    ///
    /// ```
    /// use trinity_runtime::{DenseSlice, JitEngine};
    /// let (a, b) = (DenseSlice::new(&[1, -1, 0])?, DenseSlice::new(&[1, 1, -1])?);
    /// assert_eq!(JitEngine::global().hamming_slices(a, b)?, 2);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn hamming_slices(&self, a: DenseSlice<'_>, b: DenseSlice<'_>) -> Result<i64> {
        same_dim(a.dim(), b.dim())?;
        self.reduce_elems::<DenseVector>(Op::Hamming, a.dim(), a.as_slice(), b.as_slice())
    }

    /// [`cosine`](Self::cosine) of two dense operands borrowed in place.
    ///
    /// ```
    /// use trinity_runtime::{DenseSlice, JitEngine};
    /// let a = DenseSlice::new(&[1, -1, 0, 1])?;
    /// assert_eq!(JitEngine::global().cosine_slices(a, a)?, 1.0);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn cosine_slices(&self, a: DenseSlice<'_>, b: DenseSlice<'_>) -> Result<f64> {
        same_dim(a.dim(), b.dim())?;
        self.cosine_elems::<DenseVector>(a.dim(), a.as_slice(), b.as_slice())
    }

    /// `out = bind(a, b)` (`op` bind) or `bundle(a, b)` over borrowed operands, into the
    /// caller's buffer of the same dimension (which then holds only trits).
    fn binary_slices(
        &self,
        op: Op,
        out: &mut [i8],
        a: DenseSlice<'_>,
        b: DenseSlice<'_>,
    ) -> Result<()> {
        same_dim(a.dim(), b.dim())?;
        same_dim(a.dim(), out.len())?;
        let (a, b) = (a.as_slice(), b.as_slice());
        match self.kernel::<DenseVector>(op, a.len(), 0) {
            Some(KernelFn::Binary(f)) => f.call(out, a, b)?,
            _ => DenseVector::portable_binary(op, out, a, b),
        }
        Ok(())
    }

    /// [`bind`](Self::bind) of two dense operands borrowed in place, into `out` (of the same
    /// dimension; [`Error::DimensionMismatch`] otherwise).
    ///
    /// ```
    /// use trinity_runtime::{DenseSlice, JitEngine};
    /// let (a, key) = (DenseSlice::new(&[1, -1, 0, 1])?, DenseSlice::new(&[-1, -1, 1, 1])?);
    /// let mut out = [0i8; 4];
    /// JitEngine::global().bind_slices(&mut out, a, key)?;
    /// assert_eq!(out, [-1, 1, 0, 1]);
    /// assert!(JitEngine::global().bind_slices(&mut [0; 3], a, key).is_err());
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn bind_slices(&self, out: &mut [i8], a: DenseSlice<'_>, b: DenseSlice<'_>) -> Result<()> {
        self.binary_slices(Op::Bind, out, a, b)
    }

    /// [`bundle`](Self::bundle) of two dense operands borrowed in place, into `out`.
    ///
    /// ```
    /// use trinity_runtime::{DenseSlice, JitEngine};
    /// let (a, b) = (DenseSlice::new(&[1, 1, -1, 0])?, DenseSlice::new(&[1, -1, -1, 0])?);
    /// let mut out = [0i8; 4];
    /// JitEngine::global().bundle_slices(&mut out, a, b)?;
    /// assert_eq!(out, [1, 0, -1, 0]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn bundle_slices(
        &self,
        out: &mut [i8],
        a: DenseSlice<'_>,
        b: DenseSlice<'_>,
    ) -> Result<()> {
        self.binary_slices(Op::Bundle, out, a, b)
    }

    /// [`permute`](Self::permute) of a dense operand borrowed in place, into `out` (of the
    /// same dimension).
    ///
    /// ```
    /// use trinity_runtime::{DenseSlice, JitEngine};
    /// let mut out = [0i8; 4];
    /// JitEngine::global().permute_slices(&mut out, DenseSlice::new(&[1, 0, -1, 0])?, 1)?;
    /// assert_eq!(out, [0, 1, 0, -1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn permute_slices(&self, out: &mut [i8], v: DenseSlice<'_>, k: i64) -> Result<()> {
        same_dim(out.len(), v.dim())?;
        self.permute_elems::<DenseVector>(out, v.as_slice(), v.dim(), k)
    }

    /// [`bundle_n`](Self::bundle_n) of dense operands borrowed in place, into `out` (of their
    /// dimension).
    ///
    /// ```
    /// use trinity_runtime::{DenseSlice, Error, JitEngine};
    /// let rows = [1i8, 1, -1, /**/ 1, -1, -1, /**/ -1, 0, 1];
    /// let vs: Vec<DenseSlice> = rows.chunks(3).map(DenseSlice::new).collect::<Result<_, _>>()?;
    /// let mut out = [0i8; 3];
    /// JitEngine::global().bundle_n_slices(&mut out, &vs)?;
    /// assert_eq!(out, [1, 0, -1]);
    /// assert_eq!(JitEngine::global().bundle_n_slices(&mut out, &[]).unwrap_err(), Error::EmptyBundle);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn bundle_n_slices(&self, out: &mut [i8], vectors: &[DenseSlice<'_>]) -> Result<()> {
        let first = vectors.first().ok_or(Error::EmptyBundle)?;
        for v in vectors {
            same_dim(first.dim(), v.dim())?;
        }
        same_dim(first.dim(), out.len())?;
        if let Some(f) = self.bundle_kernel_for::<DenseVector>(first.dim(), vectors.len()) {
            let operands: Vec<&[i8]> = vectors.iter().map(|v| v.as_slice()).collect();
            return f.call(&operands, out);
        }
        let mut sums = vec![0i32; first.dim()];
        for v in vectors {
            crate::portable::dense_accumulate(&mut sums, v.as_slice());
        }
        crate::portable::dense_signs(out, &sums);
        Ok(())
    }

    /// Dot product: the sum of `a[i] * b[i]`.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
    /// let b = DenseVector::from_slice(&[1, 1, 1, -1])?;
    /// assert_eq!(JitEngine::global().dot(&a, &b)?, -1);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn dot<V: Vector>(&self, a: &V, b: &V) -> Result<i64> {
        self.reduce(Op::Dot, a, b)
    }

    /// Hamming distance: the number of positions where `a` and `b` differ.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, DenseVector, JitEngine};
    /// let a = BitVector::from(&DenseVector::from_slice(&[1, -1, 0, 1])?);
    /// let b = BitVector::from(&DenseVector::from_slice(&[1, 1, 0, -1])?);
    /// assert_eq!(JitEngine::global().hamming(&a, &b)?, 2);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn hamming<V: Vector>(&self, a: &V, b: &V) -> Result<i64> {
        self.reduce(Op::Hamming, a, b)
    }

    /// Cosine similarity, exactly 0.0 when either vector is all zeros.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let engine = JitEngine::new();
    /// let a = DenseVector::random(1000, 7)?;
    /// assert_eq!(engine.cosine(&a, &a)?, 1.0);
    /// assert_eq!(engine.cosine(&a, &DenseVector::zeros(1000)?)?, 0.0);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn cosine<V: Vector>(&self, a: &V, b: &V) -> Result<f64> {
        same_dim(a.dim(), b.dim())?;
        self.cosine_elems::<V>(a.dim(), a.elems(), b.elems())
    }

    #[inline]
    fn binary_assign<V: Vector>(&self, op: Op, a: &mut V, b: &V) -> Result<()> {
        same_dim(a.dim(), b.dim())?;
        match self.kernel::<V>(op, a.dim(), 0) {
            Some(KernelFn::Binary(f)) => f.call_in_place(a.elems_mut(Internal(())), b.elems())?,
            _ => {
                let copy = a.elems().to_vec();
                V::portable_binary(op, a.elems_mut(Internal(())), &copy, b.elems());
            }
        }
        Ok(())
    }

    fn binary<V: Vector>(&self, op: Op, a: &V, b: &V) -> Result<V> {
        let mut out = a.clone();
        self.binary_assign(op, &mut out, b)?;
        Ok(out)
    }

    /// Bind: `c[i] = a[i] * b[i]`.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let engine = JitEngine::new();
    /// let a = DenseVector::from_slice(&[1, -1, 0, 1])?;
    /// let key = DenseVector::from_slice(&[-1, -1, 1, 1])?;
    /// let bound = engine.bind(&a, &key)?;
    /// assert_eq!(bound.as_slice(), &[-1, 1, 0, 1]);
    /// assert_eq!(engine.unbind(&bound, &key)?, a);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn bind<V: Vector>(&self, a: &V, b: &V) -> Result<V> {
        self.binary(Op::Bind, a, b)
    }

    /// Unbind: the same operation as [`bind`](Self::bind) (self-inverse where the key has no zeros).
    ///
    /// ```
    /// use trinity_runtime::{BitVector, JitEngine};
    /// let engine = JitEngine::global();
    /// let value = BitVector::random(1000, 1)?;
    /// let key = BitVector::from(&trinity_runtime::DenseVector::from_slice(&vec![-1; 1000])?);
    /// assert_eq!(engine.unbind(&engine.bind(&value, &key)?, &key)?, value);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn unbind<V: Vector>(&self, a: &V, key: &V) -> Result<V> {
        self.binary(Op::Bind, a, key)
    }

    /// `a = bind(a, b)` without allocating.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let mut a = DenseVector::from_slice(&[1, -1, 0])?;
    /// JitEngine::global().bind_assign(&mut a, &DenseVector::from_slice(&[-1, -1, 1])?)?;
    /// assert_eq!(a.as_slice(), &[-1, 1, 0]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn bind_assign<V: Vector>(&self, a: &mut V, b: &V) -> Result<()> {
        self.binary_assign(Op::Bind, a, b)
    }

    /// Bundle: `c[i] = sign(a[i] + b[i])`, ties giving 0.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let a = DenseVector::from_slice(&[1, 1, -1, 0])?;
    /// let b = DenseVector::from_slice(&[1, -1, -1, 0])?;
    /// assert_eq!(JitEngine::global().bundle(&a, &b)?.as_slice(), &[1, 0, -1, 0]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn bundle<V: Vector>(&self, a: &V, b: &V) -> Result<V> {
        self.binary(Op::Bundle, a, b)
    }

    /// `a = bundle(a, b)` without allocating.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let mut a = DenseVector::from_slice(&[1, 0])?;
    /// JitEngine::global().bundle_assign(&mut a, &DenseVector::from_slice(&[-1, -1])?)?;
    /// assert_eq!(a.as_slice(), &[0, -1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn bundle_assign<V: Vector>(&self, a: &mut V, b: &V) -> Result<()> {
        self.binary_assign(Op::Bundle, a, b)
    }

    /// n-way bundle: `c[i] = sign(sum of v[i])`, ties giving 0; at least one vector.
    ///
    /// Runs the n-way bundle kernel for the layout and dimension (`trinity_emit::kernels::bundle`:
    /// bit-sliced counters for bitsliced vectors, widening sums for dense ones), compiled on
    /// first use; portable Rust where generated code cannot run, and for more than
    /// `trinity_emit::kernels::bundle::MAX_OPERANDS` vectors. Counted as one op.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let engine = JitEngine::new();
    /// let a = DenseVector::from_slice(&[1, 1, -1])?;
    /// let b = DenseVector::from_slice(&[1, -1, -1])?;
    /// let c = DenseVector::from_slice(&[-1, 0, 1])?;
    /// assert_eq!(engine.bundle_n(&[&a, &b, &c])?.as_slice(), &[1, 0, -1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn bundle_n<V: Vector>(&self, vectors: &[&V]) -> Result<V> {
        let first = *vectors.first().ok_or(Error::EmptyBundle)?;
        for v in vectors {
            same_dim(first.dim(), v.dim())?;
        }
        if let Some(f) = self.bundle_kernel_for::<V>(first.dim(), vectors.len()) {
            let mut out = first.zeros_like();
            let operands: Vec<&[V::Elem]> = vectors.iter().map(|v| v.elems()).collect();
            f.call(&operands, out.elems_mut(Internal(())))?;
            return Ok(out);
        }
        let mut sums = vec![0i32; first.dim()];
        for v in vectors {
            v.accumulate(&mut sums);
        }
        Ok(V::from_signs(&sums, Internal(())))
    }

    /// The n-way bundle kernel of `V`'s layout for `n` operands of dimension `dim`, or `None`
    /// where the caller serves the call in portable Rust (no kernel can run or be generated
    /// here, the code budget is spent, or `n` exceeds [`MAX_OPERANDS`]). Counts the call.
    fn bundle_kernel_for<V: Vector>(&self, dim: usize, n: usize) -> Option<BundleNKernel<V::Elem>> {
        let found = match n {
            0..=MAX_OPERANDS => {
                self.jit_only(&self.bundles, V::LAYOUT, dim, BundleSpec::new, |spec| {
                    let code = self.place(|| Ok(generate_bundle(spec)?.code))?;
                    // SAFETY: trinity-emit generated this code for `spec`.
                    Ok(unsafe { CompiledBundle::new(spec, code) })
                })
            }
            _ => Err(Count::Portable),
        };
        self.counted(found.map(|(c, lookup)| (V::bundle_kernel(&c).cloned(), lookup)))
    }

    /// The run-time-shift permute kernel of `V`'s layout for dimension `dim`, or `None` where
    /// the caller serves the call otherwise (no kernel can run or be generated here, or the
    /// code budget is spent). Counts the call.
    fn permute_by_kernel<V: Vector>(&self, dim: usize) -> Option<PermuteByKernel<V::Elem>> {
        let found = self.jit_only(&self.permutes, V::LAYOUT, dim, PermuteBySpec::new, |spec| {
            let code = self.place(|| Ok(generate_permute_by(spec)?.code))?;
            // SAFETY: trinity-emit generated this code for `spec`.
            Ok(unsafe { CompiledPermuteBy::new(spec, code) })
        });
        self.counted(found.map(|(c, lookup)| (V::permute_by_kernel(&c).cloned(), lookup)))
    }

    /// Count a call served by a JIT-only kernel (or without one) and hand the kernel over.
    fn counted<T>(&self, found: std::result::Result<(Option<T>, Lookup), Count>) -> Option<T> {
        let (count, kernel) = match found {
            Ok((Some(f), Lookup::Hit)) => (Count::JitHit, Some(f)),
            Ok((Some(f), Lookup::Miss)) => (Count::JitMiss, Some(f)),
            Ok((None, _)) => (Count::Portable, None),
            Err(count) => (count, None),
        };
        self.count(count);
        kernel
    }

    /// A JIT-only kernel (n-way bundle, run-time-shift permute) for `layout` and `dim` from
    /// `map`, compiled with `compile` on first use, and whether it was cached; or what a call
    /// served without it counts as.
    fn jit_only<S: Eq + Hash + Clone, C: Clone>(
        &self,
        map: &OnceMap<S, Result<C>>,
        layout: Layout,
        dim: usize,
        spec: impl FnOnce(Layout, u32, Tier) -> S,
        compile: impl FnOnce(&S) -> Result<C>,
    ) -> std::result::Result<(C, Lookup), Count> {
        let tier = self.tier.filter(|_| self.backend == Backend::Jit).ok_or(Count::Portable)?;
        let spec = spec(layout, u32::try_from(dim).map_err(|_| Count::Portable)?, tier);
        let found = self.cached(
            map,
            &spec,
            || compile(&spec),
            |entry, lookup| match entry {
                Ok(compiled) => Ok((compiled.clone(), lookup)),
                Err(Error::Exec(ExecError::OverBudget { .. })) => Err(Count::OverBudget),
                Err(_) => Err(Count::Portable),
            },
        );
        found.unwrap_or(Err(Count::OverBudget))
    }

    /// Right rotation: `c[(i + k) mod D] = v[i]`, for any `k` (negative rotates left).
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let v = DenseVector::from_slice(&[1, 0, -1, 0])?;
    /// assert_eq!(JitEngine::global().permute(&v, 1)?.as_slice(), &[0, 1, 0, -1]);
    /// assert_eq!(JitEngine::global().permute(&v, -1)?.as_slice(), &[0, -1, 0, 1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn permute<V: Vector>(&self, v: &V, k: i64) -> Result<V> {
        let mut out = v.zeros_like();
        self.permute_into(&mut out, v, k)?;
        Ok(out)
    }

    /// `permute(v, -k)`.
    ///
    /// ```
    /// use trinity_runtime::{BitVector, JitEngine};
    /// let engine = JitEngine::global();
    /// let v = BitVector::random(100, 9)?;
    /// assert_eq!(engine.inverse_permute(&engine.permute(&v, 37)?, 37)?, v);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn inverse_permute<V: Vector>(&self, v: &V, k: i64) -> Result<V> {
        let dim = v.dim() as i64;
        self.permute(v, dim - k.rem_euclid(dim))
    }

    /// `out = permute(v, k)` into an existing vector of the same dimension.
    ///
    /// ```
    /// use trinity_runtime::{DenseVector, JitEngine};
    /// let v = DenseVector::from_slice(&[1, 0, -1])?;
    /// let mut out = DenseVector::zeros(3)?;
    /// JitEngine::global().permute_into(&mut out, &v, 2)?;
    /// assert_eq!(out.as_slice(), &[0, -1, 1]);
    /// # Ok::<(), trinity_runtime::Error>(())
    /// ```
    pub fn permute_into<V: Vector>(&self, out: &mut V, v: &V, k: i64) -> Result<()> {
        same_dim(out.dim(), v.dim())?;
        self.permute_elems::<V>(out.elems_mut(Internal(())), v.elems(), v.dim(), k)
    }

    /// `out = permute(v, k)` on the elements of valid operands of `V`'s layout and dimension
    /// `dim`: a fixed-shift kernel where the program baked one for this shift, else the
    /// run-time-shift kernel of `dim` (one for every shift, so distinct shifts compile nothing
    /// new), else portable Rust (docs/design.md §9.1).
    fn permute_elems<V: Vector>(
        &self,
        out: &mut [V::Elem],
        v: &[V::Elem],
        dim: usize,
        k: i64,
    ) -> Result<()> {
        let shift = shift_mod(k, dim);
        let baked = || {
            self.spec(Op::Permute, V::LAYOUT, dim, shift).is_some_and(|s| baked::find(&s).is_some())
        };
        if self.backend == Backend::Jit && !baked() {
            match self.permute_by_kernel::<V>(dim) {
                Some(f) => f.call(out, v, k)?,
                None => V::portable_permute(out, v, dim, shift),
            }
            return Ok(());
        }
        match self.kernel::<V>(Op::Permute, dim, shift) {
            Some(KernelFn::Unary(f)) => f.call(out, v)?,
            _ => V::portable_permute(out, v, dim, shift),
        }
        Ok(())
    }
}
