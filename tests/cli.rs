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
fn default_run_checks_and_times_every_op() {
    let (code, out, err) = trinity(&["--dim", "1000"]);
    assert_eq!(code, 0, "{out}{err}");
    for op in ["dot", "bind", "bundle", "hamming", "cosine", "permute"] {
        assert_eq!(
            out.lines().filter(|l| l.starts_with(op)).count(),
            2,
            "{op} in both layouts:\n{out}"
        );
    }
    assert!(out.contains("all checks passed") && !out.contains("MISMATCH"), "{out}");
    let (code, json, _) =
        trinity(&["--dim", "77", "--ops", "dot,cosine", "--layout", "bits", "--json"]);
    assert_eq!(code, 0);
    assert!(
        json.starts_with('{') && json.contains("\"dim\":77") && json.contains("\"ok\":true"),
        "{json}"
    );
    assert_eq!(json.matches("\"op\":").count(), 2, "{json}");
    let (code, _, err) = trinity(&["--dim", "0"]);
    assert_eq!(code, 1);
    assert!(err.contains("--dim 0"), "{err}");
}

#[test]
fn encoders_lists_both_encoders() {
    let (code, out, _) = trinity(&["encoders"]);
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
