//! The README's C workflow, as a newcomer runs it: `trinity bake` writes the D = 10000
//! bitsliced kernels and their header, `cc` builds `examples/c/main.c` against them, and the
//! program's own trit-by-trit checks pass. Its printed dot, hamming and cosine must also equal
//! the Rust reference on the same trits (the program's LCG, redone here).

use trinity_testkit::tools;

use std::process::Command;
use trinity::runtime::{reference, DenseVector};

/// The example's vectors: trits from its 64-bit LCG, a then b.
fn example_vectors() -> (DenseVector, DenseVector) {
    let mut seed: u64 = 1;
    let mut next = || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) % 3) as i8 - 1
    };
    let a: Vec<i8> = (0..10_000).map(|_| next()).collect();
    let b: Vec<i8> = (0..10_000).map(|_| next()).collect();
    (DenseVector::from_slice(&a).unwrap(), DenseVector::from_slice(&b).unwrap())
}

#[test]
fn the_c_example_builds_against_baked_kernels_and_agrees_with_rust() {
    let Some(cc) = tools::require_tool(&["cc"], "the C example") else { return };
    let dir = tools::scratch_dir("c-example");
    let (object, header) = (dir.join("kernels.o"), dir.join("kernels.h"));
    let bake = Command::new(env!("CARGO_BIN_EXE_trinity"))
        .args(["bake", "--dim", "10000", "--layout", "bits", "-o"])
        .arg(&object)
        .arg("--header")
        .arg(&header)
        .output()
        .unwrap();
    assert!(bake.status.success(), "{}", String::from_utf8_lossy(&bake.stderr));
    let program = dir.join("vsa-demo");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/c/main.c");
    let build = Command::new(cc)
        .args(["-O2", "-Wall", "-Werror", "-I"])
        .arg(&dir)
        .arg(example)
        .arg(&object)
        .args(["-lm", "-o"])
        .arg(&program)
        .output()
        .unwrap();
    assert!(build.status.success(), "cc: {}", String::from_utf8_lossy(&build.stderr));
    let run = Command::new(&program).output().unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{out}");
    assert_eq!(out.lines().filter(|l| l.ends_with(" ok")).count(), 6, "{out}");
    let (a, b) = example_vectors();
    let want = format!(
        "dot {}, hamming {}, cosine {:.4}",
        reference::dot(&a, &b).unwrap(),
        reference::hamming(&a, &b).unwrap(),
        reference::cosine(&a, &b).unwrap()
    );
    assert_eq!(out.lines().last(), Some(want.as_str()), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
