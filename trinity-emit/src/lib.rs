//! Deterministic machine-code encoders for Trinity's kernels.
//!
//! `trinity-emit` is pure: the same calls give the same bytes on any host, and nothing here
//! maps memory or runs code. It holds one encoder per instruction set, sharing one code buffer
//! with labels and fixups:
//!
//! - [`x86_64`]: general-purpose, AVX, AVX2 and AVX-512 instructions with REX/VEX/EVEX/ModRM/SIB
//!   encoding.
//! - [`aarch64`]: A64 general-purpose and NEON (ASIMD, plus `sdot` from FEAT_DotProd) instructions.
//!
//! Every encoding is checked against LLVM's assembler in this crate's tests.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod aarch64;
pub mod asm_source;
mod buffer;
pub mod build;
#[cfg(feature = "disasm")]
pub mod disasm;
mod error;
mod features;
pub mod kernels;
pub mod object_file;
pub mod x86_64;

pub use buffer::{CodeBuffer, FixupKind, Label};
pub use error::EmitError;
