//! AArch64 NEON n-way bundle kernels (AAPCS64); the contract is in [`crate::kernels::bundle`].

use crate::kernels::bundle::BundleSpec;
use crate::kernels::KernelError;

/// Generate the bundle kernel for a validated AArch64 `spec`.
pub fn generate(spec: &BundleSpec) -> Result<Vec<u8>, KernelError> {
    unimplemented!("AArch64 bundle_n for {spec}")
}
