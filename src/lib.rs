//! Trinity: native machine code for ternary hyperdimensional-computing (VSA) kernels.
//!
//! This facade re-exports the parts users need, so that they write `trinity::...` only:
//! [`emit`] (encoders, kernel specs and generators, object files) and [`runtime`] (vectors,
//! the portable reference, executable memory, the engine). [`disasm`] turns generated code
//! into readable listings for either architecture.
//!
//! ```
//! use trinity::runtime::{BitVector, JitEngine};
//!
//! fn main() -> Result<(), trinity::runtime::Error> {
//!     let engine = JitEngine::global();
//!     let a = BitVector::random(10_000, 1)?;
//!     let b = BitVector::random(10_000, 2)?;
//!     let bound = engine.bind(&a, &b)?;
//!     assert_eq!(engine.unbind(&bound, &b)?.dim(), 10_000);
//!     println!("cosine {:.4}, hamming {}", engine.cosine(&a, &b)?, engine.hamming(&a, &b)?);
//!     println!("{:?}", engine.stats());
//!     Ok(())
//! }
//! ```

#![deny(missing_docs)]

pub mod disasm;
pub use trinity_emit as emit;
pub use trinity_macros::vsa;
pub use trinity_runtime as runtime;
pub use trinity_runtime::baked::Vsa;
