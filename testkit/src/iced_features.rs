//! iced-x86's CPUID features in the encoder's terms, for the tests that check declared features
//! against decoded ones.

use iced_x86::CpuidFeature;
use trinity_emit::x86_64::Features;

/// iced-x86's CPUID features as a [`Features`] set: baseline x86-64 (8086 to 486, x64, CMOV,
/// CX8, SSE, SSE2, multi-byte NOP) is the empty set, other names match ours without
/// underscores. Every AVX-512 instruction also needs AVX512F (Intel SDM vol. 1, 15.2), which
/// iced leaves out for the extensions (it lists only `AVX512BW` for `vpaddb zmm`).
pub fn our_features(iced: &[CpuidFeature]) -> Result<Features, String> {
    use CpuidFeature::*;
    const BASELINE: [CpuidFeature; 11] = [
        INTEL8086,
        INTEL186,
        INTEL286,
        INTEL386,
        INTEL486,
        X64,
        CMOV,
        CX8,
        SSE,
        SSE2,
        MULTIBYTENOP,
    ];
    let mut out = Features::BASE;
    for f in iced.iter().filter(|f| !BASELINE.contains(f)) {
        let name = format!("{f:?}").to_lowercase().replace('_', "");
        out = out.with(Features::from_name(&name).ok_or(format!("no feature named {name}"))?);
        if name.starts_with("avx512") {
            out = out.with(Features::AVX512F);
        }
    }
    Ok(out)
}
