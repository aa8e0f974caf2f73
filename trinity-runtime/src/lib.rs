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

#![deny(missing_docs)]

pub mod baked;
pub mod engine;
mod error;
pub mod exec;
pub mod memory;
pub mod packed;
pub mod portable;
pub mod random;
pub mod reference;
mod table;
mod vector;

pub use baked::Vsa;
pub use engine::{EngineStats, JitEngine};
pub use memory::{Hit, ItemMemory, Metric};
pub use table::{KernelTable, TableStats};

/// Re-exports for the code `#[trinity::vsa]` generates; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use linkme;
}
pub use error::{Error, Result};
pub use vector::{words_per_plane, BitVector, DenseVector};

/// The largest dimension a vector may have (2^24), the same bound kernels are generated for.
///
/// ```
/// use trinity_runtime::{DenseVector, Error, MAX_DIM};
/// assert_eq!(MAX_DIM, 1 << 24);
/// assert_eq!(DenseVector::zeros(MAX_DIM + 1).unwrap_err(), Error::DimensionTooLarge { dim: MAX_DIM + 1 });
/// ```
pub const MAX_DIM: usize = trinity_emit::kernels::MAX_DIM as usize;
