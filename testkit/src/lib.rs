//! Trinity's test kit: everything more than one test suite (or bench) uses, in one place, so
//! that no suite keeps a copy of another's helpers. The workspace's tests and benches, and the
//! tests of trinity-emit and trinity-runtime, take it as a dev-dependency.
//!
//! - [`tools`]: external tools (llvm-mc, cc, qemu, ...) found on PATH under the CI rule: a
//!   missing tool skips a test with a printed reason, and fails it under `CI=true`; llvm-mc as
//!   an encoding oracle; section permissions of object files.
//! - [`listing`]: disassembly listings in the snapshots' layouts, all made by the one
//!   implementation, `trinity_emit::disasm` (the `trinity disasm` command's).
//! - [`reference`](mod@reference): the expected result of any (op, layout) cell, from the
//!   portable reference.
//! - [`cases`]: the test matrix: dimensions, edge vectors, scan and permute cases.
//! - [`native`] (x86-64 Unix): running kernels on this CPU behind a canary harness, with
//!   guard-paged operands (elsewhere a `Native` runner that runs nothing).
//! - [`qemu_aarch64`]: running AArch64 kernels under qemu-user as tiny static executables.
//! - [`x86_sim`]: an instruction-level x86-64 simulator, strict about memory and CPU features,
//!   which proves kernels whose tier this machine lacks (AVX-512) and cross-checks the ones it
//!   has; [`iced_features`] maps iced-x86's CPUID features to the encoder's.
//! - [`yardstick`]: hand-written AVX2 implementations of every op, for the benches.
//!
//! The kit depends on trinity-emit and trinity-runtime, whose own integration tests use it
//! too. Cargo allows that dev-dependency cycle, and an integration test links the one library
//! both see, so types agree; only a crate's unit tests (`#[cfg(test)]` inside the library,
//! a second compilation of it) could not share types with the kit, and none uses it.

pub mod cases;
pub mod iced_features;
pub mod listing;
#[cfg(all(target_arch = "x86_64", unix))]
pub mod native;
pub mod qemu_aarch64;
pub mod reference;
pub mod tools;
pub mod x86_sim;
pub mod yardstick;

/// Where kernels cannot run natively (not x86-64 Unix): a [`Native`](native::Native) runner
/// that runs nothing, so that the simulator suites still check against the reference.
#[cfg(not(all(target_arch = "x86_64", unix)))]
pub mod native {
    use crate::reference::Output;
    use trinity_emit::kernels::bundle::BundleKernel;
    use trinity_emit::kernels::scan::ScanKernel;
    use trinity_emit::kernels::{Kernel, Tier};

    /// Runs nothing: every call is `None`.
    pub struct Native;

    impl Native {
        /// A runner that says once why it runs nothing.
        pub fn new(_: &[Tier]) -> Native {
            eprintln!("skipping the hardware comparison: kernels run natively on x86-64 Unix");
            Native
        }

        /// `None`: see [`Native`].
        pub fn pair(&self, _: &Kernel, _: &[u8], _: &[u8]) -> Option<Output> {
            None
        }

        /// `None`: see [`Native`].
        pub fn scan(
            &self,
            _: &ScanKernel,
            _: &[u8],
            _: usize,
            _: usize,
            _: &[u8],
        ) -> Option<Vec<i32>> {
            None
        }

        /// `None`: see [`Native`].
        pub fn bundle(&self, _: &BundleKernel, _: &[&[u8]]) -> Option<Vec<u8>> {
            None
        }
    }
}
