//! Trinity's run-time half: ternary vectors in both layouts, seeded random vectors, the packed
//! serialization format, the plain reference and the fast portable fallback, executable memory
//! for generated code, the cached JIT engine, and the item memory ([`ItemMemory`]) that finds
//! the stored vectors closest to a query.
//!
//! ```
//! use trinity_runtime::{reference, DenseVector};
//! let a = DenseVector::random(10_000, 1)?;
//! let b = DenseVector::random(10_000, 2)?;
//! let same = reference::cosine(&a, &a)?;
//! assert_eq!(same, 1.0);
//! assert!(reference::cosine(&a, &b)?.abs() < 0.1);
//! # Ok::<(), trinity_runtime::Error>(())
//! ```

#![deny(missing_docs, unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

// The modules, from the bottom up; each uses only those below it (rustfmt sorts the
// declarations, so the order is written here):
//   portable, random      slices and seeds, no crate types
//   exec                  executable memory and the one module that calls generated code
//   kernel                typed kernel handles over exec
//   vector, reference,    the two vector types, Trits and the sealed Vector trait; the plain
//   packed                reference and the storage format on top of them
//   cpu                   tier detection and the platform's calling convention
//   baked                 the registry of kernels baked into the program
//   engine                the JIT engine: cache, stats, dispatch, portable fallback
//   table                 KernelTable (from an engine, or from baked kernels)
//   vsa                   the Vsa trait over a table
//   tune                  timing kernel variants (trinity tune, the variant bench)
//   encode                bundler, codebook, levels and encoders of symbols, sequences, records
//   memory                the item memory: stored records, top-k search, persistence
// `error`, the error type every module returns, also wraps exec's errors and names packed's
// constants.
pub mod baked;
pub mod cpu;
pub mod encode;
pub mod engine;
mod error;
pub mod exec;
pub mod kernel;
pub mod memory;
pub mod packed;
pub mod portable;
pub mod random;
pub mod reference;
mod table;
pub mod tune;
mod vector;
mod vsa;

pub use engine::{EngineConfig, EngineStats, JitEngine};
pub use memory::{Hit, ItemMemory, Metric};
pub use table::{KernelTable, TableStats};
pub use vsa::Vsa;

/// Re-exports for the code `#[trinity::vsa]` generates; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use linkme;
}
pub use error::{Error, Result};
pub use vector::{
    words_per_plane, BitVector, DenseSlice, DenseVector, Trits, Vector, VECTOR_ALIGN,
};

/// The largest dimension a vector may have (2^24), the same bound kernels are generated for.
///
/// ```
/// use trinity_runtime::{DenseVector, Error, MAX_DIM};
/// assert_eq!(MAX_DIM, 1 << 24);
/// assert_eq!(DenseVector::zeros(MAX_DIM + 1).unwrap_err(), Error::DimensionTooLarge { dim: MAX_DIM + 1 });
/// ```
pub const MAX_DIM: usize = trinity_emit::kernels::MAX_DIM as usize;
