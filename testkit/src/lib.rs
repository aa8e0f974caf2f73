//! Test helpers shared by Trinity's test suites.
//!
//! [`x86_sim`] interprets exactly the x86-64 instructions Trinity's kernels use, strictly: every
//! memory access must lie inside a region the caller declared, every instruction must belong to
//! the CPU features the caller allows. It proves kernels whose tier this machine lacks (AVX-512)
//! and cross-checks the ones it has.

pub mod x86_sim;
