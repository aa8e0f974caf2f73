//! Kernels baked into the program at compile time by `#[trinity::vsa(dim = N)]`: the registry
//! every baked kernel joins, and the lookup by spec that the engine and
//! [`KernelTable::baked`](crate::KernelTable::baked) use.
//!
//! Baked code lives in executable sections of the program image: no compile, no mapping,
//! nothing writable that executes.
//!
//! ```
//! use trinity_runtime::baked;
//! println!("{} kernels baked into this program", baked::registry().len());
//! ```

use crate::exec::Code;
use crate::kernel::Compiled;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;
use trinity_emit::kernels::{KernelSpec, Variant};

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
    /// memory behaviour docs/design.md §3 gives that spec), defined under the name `symbol`.
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

/// The baked kernel for `spec` (its tier and calling convention included, its variant not), if
/// one is linked in.
///
/// ```
/// use trinity_emit::kernels::{KernelSpec, Layout, Op, Tier};
/// let spec = KernelSpec::new(Op::Dot, Layout::Bits, 12_345, Tier::Avx2);
/// assert!(trinity_runtime::baked::find(&spec).is_none()); // nothing baked in this doc test
/// ```
pub fn find(spec: &KernelSpec) -> Option<&'static BakedKernel> {
    static INDEX: OnceLock<FxHashMap<KernelSpec, &'static BakedKernel>> = OnceLock::new();
    // A baked kernel serves its spec whatever variant was asked for: every variant computes
    // the same results, and the attribute bakes the default.
    let key = |s: &KernelSpec| KernelSpec { variant: Variant::DEFAULT, ..*s };
    INDEX
        .get_or_init(|| registry().iter().map(|k| (key(&k.spec), k)).collect())
        .get(&key(spec))
        .copied()
}
