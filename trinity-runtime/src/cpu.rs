//! What this CPU and platform run: the best kernel tier (docs/design.md §4) and the calling
//! convention kernels must follow.

use trinity_emit::kernels::{CallConv, Tier};

/// The best tier this CPU supports, if any (docs/design.md §4).
///
/// ```
/// let tier = trinity_runtime::cpu::detect_tier();
/// println!("best tier: {:?}", tier.map(|t| t.name()));
/// ```
pub fn detect_tier() -> Option<Tier> {
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("popcnt")
            && std::arch::is_x86_feature_detected!("bmi1")
            && std::arch::is_x86_feature_detected!("bmi2");
        avx2.then_some(Tier::Avx2)
    }
    #[cfg(target_arch = "aarch64")]
    {
        if std::arch::is_aarch64_feature_detected!("dotprod") {
            Some(Tier::DotProd)
        } else {
            Some(Tier::Neon)
        }
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        None
    }
}

/// The calling convention kernels follow on this platform.
pub(crate) fn native_conv() -> CallConv {
    if cfg!(windows) {
        CallConv::Win64
    } else {
        CallConv::Native
    }
}

/// Whether a CPU whose best tier is `cpu` runs `tier` code, and how much it is preferred
/// (higher is better).
pub(crate) fn preference(cpu: Option<Tier>, tier: Tier) -> Option<u8> {
    match (cpu?, tier) {
        (Tier::Avx2, Tier::Avx2) | (Tier::Neon | Tier::DotProd, Tier::Neon) => Some(1),
        (Tier::DotProd, Tier::DotProd) => Some(2),
        _ => None,
    }
}
