//! Trinity: native machine code for ternary hyperdimensional-computing (VSA) kernels.
//!
//! This facade re-exports the parts users need, so that they write `trinity::...` only:
//! [`emit`] (encoders, kernel specs and generators, object files), [`runtime`] (vectors,
//! the portable reference, executable memory, the engine), the [`vsa`] attribute with its
//! [`Vsa`] API, and `disasm`, which turns generated code into readable listings for either
//! architecture.
//!
//! Features: `cli` (default) builds the `trinity` command and turns on `disasm`; `disasm` adds
//! the listings (iced-x86, yaxpeax-arm). A library that only calls kernels can depend on
//! `trinity = { version = "0.1", default-features = false }`: the engine, the attribute and the
//! encoders, without the command line's dependencies.
//!
//! Kernels compiled just in time, for any dimension:
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
//!
//! Kernels baked into the program at compile time, for a dimension known in advance:
//!
//! ```
//! use trinity::Vsa;
//!
//! #[trinity::vsa(dim = 10000, permute(1, -1))]
//! pub struct Hv;
//!
//! fn main() -> Result<(), trinity::runtime::Error> {
//!     let a = Hv::random_bits(1)?;
//!     let b = Hv::random_bits(2)?;
//!     let rotated = Hv::permute(&Hv::bundle(&a, &b)?, -1)?;
//!     println!("dot {}, cosine {:.4}", Hv::dot(&a, &rotated)?, Hv::cosine(&a, &b)?);
//!     // Nothing was compiled at run time where this CPU has a baked tier.
//!     println!("{:?}", Hv::kernels());
//!     Ok(())
//! }
//! ```

#![deny(missing_docs)]

#[cfg(feature = "disasm")]
pub mod disasm;
pub use trinity_emit as emit;
pub use trinity_macros::vsa;
pub use trinity_runtime as runtime;
pub use trinity_runtime::Vsa;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
