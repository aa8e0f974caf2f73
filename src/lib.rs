//! Trinity: native machine code for ternary hyperdimensional-computing (VSA) kernels.
//!
//! This facade re-exports the parts users need, so that they write `trinity::...` only.

#![deny(missing_docs)]

pub use trinity_emit as emit;
pub use trinity_runtime as runtime;
