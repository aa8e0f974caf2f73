//! Dropping an engine unmaps the code it compiled (its own test binary, so no other test maps
//! or unmaps memory meanwhile).
#![cfg(target_os = "linux")]

use trinity_runtime::{BitVector, DenseVector, JitEngine};

/// Anonymous read+execute mappings of this process.
fn anonymous_code_mappings() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .filter(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            fields.get(1).is_some_and(|p| p.starts_with("r-x")) && fields.len() < 6
        })
        .count()
}

#[test]
fn dropping_the_engine_unmaps_its_code() {
    let before = anonymous_code_mappings();
    let engine = JitEngine::new();
    if engine.tier().is_none() {
        eprintln!("SKIPPED: no JIT tier here, so the engine maps no code");
        return;
    }
    let a = BitVector::random(1000, 1).unwrap();
    let d = DenseVector::random(1000, 1).unwrap();
    engine.dot(&a, &a).unwrap();
    engine.cosine(&d, &d).unwrap();
    engine.permute(&a, 5).unwrap();
    assert_eq!(engine.stats().cache_size, 3);
    let during = anonymous_code_mappings();
    assert!(during > before, "compiled code should be mapped ({before} -> {during})");
    drop(engine);
    assert_eq!(anonymous_code_mappings(), before, "the engine's code pages are unmapped on drop");
}
