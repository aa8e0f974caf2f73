//! x86-64 AVX2 n-way bundle kernels (System V); the contract is in [`crate::kernels::bundle`].

use crate::kernels::bundle::BundleSpec;
use crate::kernels::KernelError;

/// Generate the bundle kernel for a validated x86-64 `spec`.
pub fn generate(spec: &BundleSpec) -> Result<Vec<u8>, KernelError> {
    unimplemented!("x86-64 bundle_n for {spec}")
}
