//! A crate that uses Trinity only as a library (`default-features = false`) builds the engine,
//! the attribute and the encoders, and none of what serves the command line and `disasm`.

use std::collections::BTreeSet;
use std::process::Command;

/// The names of the packages `trinity` depends on (normal dependencies, transitively).
fn dependencies(features: &[&str]) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let output = Command::new(cargo)
        .args(["tree", "--manifest-path", manifest, "-p", "trinity", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}", "--offline"])
        .args(features)
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

const CLI_ONLY: [&str; 4] = ["clap", "indicatif", "iced-x86", "yaxpeax-arm"];

#[test]
fn the_library_alone_pulls_in_no_cli_dependencies() {
    let lib = dependencies(&["--no-default-features"]);
    for needed in ["trinity-emit", "trinity-runtime", "trinity-macros"] {
        assert!(lib.contains(needed), "{needed} missing from {lib:?}");
    }
    for unwanted in CLI_ONLY {
        assert!(!lib.contains(unwanted), "{unwanted} is built for a library user: {lib:?}");
    }
    // The default build (the command line) does have them, so the check above can fail.
    let cli = dependencies(&[]);
    for wanted in CLI_ONLY {
        assert!(cli.contains(wanted), "{wanted} missing from the default build: {cli:?}");
    }
}
