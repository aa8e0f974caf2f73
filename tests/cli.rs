//! The `trinity` binary as a user runs it.

use std::process::Command;

fn trinity(args: &[&str]) -> (i32, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_trinity")).args(args).output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn default_run_lists_both_encoders() {
    let (code, out, _) = trinity(&[]);
    assert_eq!(code, 0);
    assert!(out.contains("x86-64") && out.contains("vpshufb"), "{out}");
    assert!(out.contains("AArch64") && out.contains("sdot"), "{out}");
}

#[test]
fn bad_values_are_named_with_exit_code_1_or_2() {
    let (code, _, err) = trinity(&["disasm", "--op", "dot", "--dim", "0"]);
    assert_eq!(code, 1);
    assert!(err.contains("dimension 0"), "{err}");
    let (code, _, err) = trinity(&["disasm", "--op", "dot", "--arch", "aarch64", "--tier", "avx2"]);
    assert_eq!(code, 1);
    assert!(err.contains("avx2") && err.contains("neon"), "{err}");
    let (code, _, err) = trinity(&["disasm", "--op", "median"]);
    assert_eq!(code, 2, "clap reports unknown values as usage errors");
    assert!(err.contains("median"), "{err}");
}

#[test]
fn help_lists_the_subcommands() {
    let (code, out, _) = trinity(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("disasm") && out.contains("bake") && out.contains("Exit codes"), "{out}");
}
