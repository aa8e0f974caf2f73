//! Trinity: native machine code for ternary hyperdimensional-computing (VSA) kernels.
//!
//! This facade re-exports the parts users need, so that they write `trinity::...` only:
//! [`emit`] (encoders, kernel specs and generators, object files) and [`runtime`] (vectors,
//! the portable reference, executable memory, the engine). [`disasm`] turns generated code
//! into readable listings for either architecture.

#![deny(missing_docs)]

pub mod disasm;
pub use trinity_emit as emit;
pub use trinity_runtime as runtime;
