//! x86-64 AVX2 kernel generators (to be written).

use super::{Kernel, KernelError, KernelSpec};

/// Generate the x86-64 kernel for a validated `spec` whose tier is [`Tier::Avx2`](super::Tier::Avx2).
pub fn generate(spec: &KernelSpec) -> Result<Kernel, KernelError> {
    Err(KernelError::Unsupported { spec: *spec })
}
