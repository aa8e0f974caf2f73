//! The `trinity` binary as a user runs it.

use std::collections::BTreeSet;
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
    let (code, _, err) = trinity(&["--dim", "0"]);
    assert_eq!(code, 1);
    assert!(err.contains("--dim 0"), "{err}");
}

#[test]
fn json_output_is_valid_json_with_one_row_per_op_and_layout() {
    let (code, json, err) = trinity(&["--dim", "77", "--ops", "dot,cosine", "--json"]);
    assert_eq!(code, 0, "{json}{err}");
    let value: serde_json::Value = serde_json::from_str(&json).expect("--json prints valid JSON");
    assert_eq!(value["dim"], 77);
    assert_eq!(value["ok"], true);
    assert!(value["cpu"].is_string() && value["backend"].is_string(), "{value}");
    let rows = value["rows"].as_array().unwrap();
    let cells: BTreeSet<(&str, &str)> =
        rows.iter().map(|r| (r["op"].as_str().unwrap(), r["layout"].as_str().unwrap())).collect();
    assert_eq!(
        cells,
        BTreeSet::from([
            ("cosine", "bits"),
            ("cosine", "dense"),
            ("dot", "bits"),
            ("dot", "dense")
        ])
    );
    for row in rows {
        assert_eq!(row["ok"], true, "{row}");
        assert!(row["jit_ns"].as_f64().unwrap() > 0.0, "{row}");
        assert!(row["portable_ns"].as_f64().unwrap() > 0.0, "{row}");
        assert!(row["compile_ns"].is_u64(), "{row}");
    }
    for key in ["total_ops", "jit_hits", "jit_misses", "portable_ops", "cache_size", "code_bytes"] {
        assert!(value["stats"][key].is_u64(), "stats.{key}: {value}");
    }
    assert!(value["stats"]["total_ops"].as_u64().unwrap() > 0);
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
