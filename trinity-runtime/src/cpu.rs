//! What this CPU and platform run: the best kernel tier (docs/design.md §4), the calling
//! convention kernels must follow, and the CPU family and planner that choose kernel variants.

use std::path::Path;
use std::sync::OnceLock;
use trinity_emit::kernels::tuning::{CpuFamily, Planner, Wisdom, WisdomError};
use trinity_emit::kernels::{CallConv, Tier};

/// The best tier this CPU supports, if any (docs/design.md §4): on x86-64 the highest tier
/// whose [`tier_features`](trinity_emit::kernels::x86_64::tier_features) this CPU has all of.
///
/// ```
/// let tier = trinity_runtime::cpu::detect_tier();
/// println!("best tier: {:?}", tier.map(|t| t.name()));
/// ```
pub fn detect_tier() -> Option<Tier> {
    #[cfg(target_arch = "x86_64")]
    {
        use trinity_emit::kernels::x86_64::tier_features;
        let here = x86_features();
        [Tier::Avx512Vpopcnt, Tier::Avx512, Tier::Avx2]
            .into_iter()
            .find(|&tier| here.contains(tier_features(tier)))
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

/// Each flag of the x86-64 encoder's [`Features`](trinity_emit::x86_64::Features), its name
/// and whether this CPU (and OS) has it. `is_x86_feature_detected!` takes a literal, hence one
/// entry per flag; a test checks that they cover every flag, each under its own name.
#[cfg(target_arch = "x86_64")]
fn x86_detected() -> [(trinity_emit::x86_64::Features, &'static str, bool); 11] {
    use trinity_emit::x86_64::Features as F;
    macro_rules! flag {
        ($flag:ident, $name:tt) => {
            (F::$flag, $name, std::arch::is_x86_feature_detected!($name))
        };
    }
    [
        flag!(AVX, "avx"),
        flag!(AVX2, "avx2"),
        flag!(POPCNT, "popcnt"),
        flag!(LZCNT, "lzcnt"),
        flag!(BMI1, "bmi1"),
        flag!(BMI2, "bmi2"),
        flag!(AVX512F, "avx512f"),
        flag!(AVX512BW, "avx512bw"),
        flag!(AVX512VL, "avx512vl"),
        flag!(AVX512VPOPCNTDQ, "avx512vpopcntdq"),
        flag!(AVX512BITALG, "avx512bitalg"),
    ]
}

/// The x86-64 features this CPU has.
#[cfg(target_arch = "x86_64")]
fn x86_features() -> trinity_emit::x86_64::Features {
    x86_detected()
        .iter()
        .filter(|(_, _, yes)| *yes)
        .fold(trinity_emit::x86_64::Features::BASE, |set, (flag, ..)| set.with(*flag))
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
    cpu?.runs(tier).then_some(tier.level())
}

/// This CPU's family, for choosing kernel variants (docs/design.md §5.2): from the CPUID
/// vendor and family (and, for AMD, AVX-512) on x86-64, from MIDR_EL1 (as Linux shows it in
/// sysfs) on AArch64.
///
/// ```
/// let family = trinity_runtime::cpu::detect_family();
/// println!("{}", family.name());
/// ```
pub fn detect_family() -> CpuFamily {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: CPUID exists on every x86-64 CPU; leaves 0 and 1 always answer. (`__cpuid`
        // is a safe function from Rust 1.87 on.)
        #[allow(unused_unsafe)]
        let (vendor, signature) = unsafe {
            use std::arch::x86_64::__cpuid;
            let zero = __cpuid(0);
            let name: Vec<u8> =
                [zero.ebx, zero.edx, zero.ecx].iter().flat_map(|r| r.to_le_bytes()).collect();
            (name, __cpuid(1).eax)
        };
        let base = (signature >> 8) & 0xf;
        let family = if base == 0xf { base + ((signature >> 20) & 0xff) } else { base };
        match (&vendor[..], family) {
            // Zen 4 shares family 19h with Zen 3; AVX-512 tells them apart.
            (b"AuthenticAMD", 0x17..) if std::arch::is_x86_feature_detected!("avx512f") => {
                CpuFamily::AmdZen4
            }
            (b"AuthenticAMD", 0x17..) => CpuFamily::AmdZen,
            (b"GenuineIntel", 6) => CpuFamily::IntelCore,
            _ => CpuFamily::Other,
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        let path = "/sys/devices/system/cpu/cpu0/regs/identification/midr_el1";
        let midr = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| u64::from_str_radix(t.trim().trim_start_matches("0x"), 16).ok());
        match midr.map(|m| ((m >> 24) & 0xff, (m >> 4) & 0xfff)) {
            // Arm's Neoverse N1, V1, N2, V2, N3 part numbers; its other cores are Cortex.
            Some((0x41, 0xd0c | 0xd40 | 0xd49 | 0xd4f | 0xd8e)) => CpuFamily::ArmNeoverse,
            Some((0x41, _)) => CpuFamily::ArmCortex,
            _ => CpuFamily::Other,
        }
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        CpuFamily::Other
    }
}

/// The environment variable naming a wisdom file (`trinity tune`) the engine plans with.
pub const WISDOM_ENV: &str = "TRINITY_WISDOM";

/// The planner the engine chooses kernel variants with, made on first use: the wisdom file
/// named by `TRINITY_WISDOM` if it is set, else the built-in table of [`detect_family`]. A
/// wisdom file that cannot be read or parsed, or was measured on another CPU family, is
/// ignored with a warning on stderr (the engine has no caller to return an error to); check a
/// file first with [`load_wisdom`].
pub fn planner() -> &'static Planner {
    static PLANNER: OnceLock<Planner> = OnceLock::new();
    PLANNER.get_or_init(|| match std::env::var_os(WISDOM_ENV) {
        None => Planner::new(detect_family()),
        Some(path) => match load_wisdom(Path::new(&path)) {
            Ok(wisdom) => Planner::with_wisdom(wisdom),
            Err(e) => {
                eprintln!("trinity: ignoring {WISDOM_ENV}: {e}");
                Planner::new(detect_family())
            }
        },
    })
}

/// Read a wisdom file and check that it was measured on this CPU's family.
pub fn load_wisdom(path: &Path) -> Result<Wisdom, WisdomError> {
    let wisdom = Wisdom::read(path)?;
    let here = detect_family();
    if wisdom.cpu != here {
        return Err(WisdomError::OtherCpu {
            path: path.display().to_string(),
            found: wisdom.cpu,
            here,
        });
    }
    Ok(wisdom)
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use trinity_emit::kernels::x86_64::tier_features;
    use trinity_emit::x86_64::Features;

    #[test]
    fn detection_covers_every_flag_under_its_name() {
        let detected = x86_detected();
        for (flag, name, _) in detected {
            assert_eq!(Features::from_name(name), Some(flag), "{name}");
        }
        let flags = detected.iter().fold(Features::BASE, |set, (flag, ..)| set.with(*flag));
        assert_eq!(flags, Features::ALL);
    }

    #[test]
    fn the_detected_tier_and_those_it_runs_have_their_features_the_others_not() {
        let here = x86_features();
        let tier = detect_tier();
        println!("detected {:?} on a CPU with {here}", tier.map(Tier::name));
        for t in [Tier::Avx2, Tier::Avx512, Tier::Avx512Vpopcnt] {
            let runs = tier.is_some_and(|best| best.runs(t));
            assert_eq!(here.contains(tier_features(t)), runs, "{}", t.name());
        }
    }
}
