//! The `trinity` binary as a user runs it.

use std::collections::BTreeSet;
use std::path::PathBuf;
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

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
fn bad_flag_values_exit_2_naming_the_flag_and_the_value() {
    let dir = scratch("bad-values");
    let o = dir.join("never.o");
    let o = o.to_str().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["--dim", "0"], &["--dim", "'0'", "1..=16777216"]),
        (&["--dim", "16777217"], &["--dim", "'16777217'"]),
        (&["--dim", "-5"], &["--dim", "'-5'"]),
        (&["--dim", "ten"], &["--dim", "'ten'"]),
        (&["--ops", "dot,median"], &["--ops", "'median'"]),
        (&["--layout", "packed"], &["--layout", "'packed'"]),
        (&["disasm", "--op", "median"], &["--op", "'median'"]),
        (&["disasm", "--op", "dot", "--dim", "0"], &["--dim", "'0'"]),
        (&["disasm", "--op", "dot", "--dim", "16777217"], &["--dim", "'16777217'"]),
        (&["disasm", "--op", "dot", "--arch", "riscv"], &["--arch", "'riscv'"]),
        (
            &["disasm", "--op", "dot", "--arch", "aarch64", "--tier", "avx2"],
            &["--tier avx2", "--arch aarch64", "neon or dotprod"],
        ),
        (&["disasm", "--op", "dot", "--arch", "x86_64", "--tier", "neon"], &["--tier neon"]),
        (&["disasm", "--op", "dot", "--shift", "3"], &["--shift 3", "permute"]),
        (&["bake", "--dim", "64,0", "-o", o], &["--dim", "'0'"]),
        (&["bake", "--dim", "16777217", "-o", o], &["--dim", "'16777217'"]),
        (&["bake", "--dim", "64", "--os", "plan9", "-o", o], &["--os", "'plan9'"]),
        (&["bake", "--dim", "64", "--permute", "1,x", "-o", o], &["--permute", "'x'"]),
        (
            &["bake", "--dim", "64", "--arch", "x86_64", "--tier", "dotprod", "-o", o],
            &["--tier dotprod", "--arch x86_64", "avx2"],
        ),
        (
            &["bake", "--dim", "64", "--ops", "dot", "--permute", "3,-1", "-o", o],
            &["--permute 3,-1"],
        ),
        (&["bake", "--dim", "64"], &["--output"]),
    ];
    for &(args, needles) in cases {
        let (code, out, err) = trinity(args);
        assert_eq!(code, 2, "{args:?} exits 2: {out}{err}");
        assert!(out.is_empty(), "{args:?} prints nothing on stdout: {out}");
        for needle in needles {
            assert!(err.contains(needle), "{args:?}: {needle:?} missing from {err:?}");
        }
    }
    assert!(!dir.join("never.o").exists(), "no object is written after a usage error");
}

#[test]
fn an_unwritable_output_exits_1() {
    let dir = scratch("unwritable");
    let path = dir.join("missing-dir").join("k.o");
    let (code, _, err) = trinity(&["bake", "--dim", "64", "-o", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("cannot write") && err.contains("missing-dir"), "{err}");
}

#[test]
fn help_lists_the_subcommands() {
    let (code, out, _) = trinity(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("disasm") && out.contains("bake") && out.contains("Exit codes"), "{out}");
}
