//! AArch64 NEON and DotProd kernel generators (to be written).

use super::{Kernel, KernelError, KernelSpec};

/// Generate the AArch64 kernel for a validated `spec` whose tier is `Neon` or `DotProd`.
pub fn generate(spec: &KernelSpec) -> Result<Kernel, KernelError> {
    Err(KernelError::Unsupported { spec: *spec })
}
