//! The `trinity` binary as a user runs it.

use object::{Object, ObjectSection, ObjectSymbol};
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

/// Run `trinity bake` with `args` plus `-o <dir>/<name>`; return the object's bytes.
fn bake(dir: &std::path::Path, name: &str, args: &[&str]) -> Vec<u8> {
    let path = dir.join(name);
    let mut all = vec!["bake"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", path.to_str().unwrap()]);
    let (code, out, err) = trinity(&all);
    assert_eq!(code, 0, "{all:?}: {out}{err}");
    std::fs::read(&path).unwrap()
}

/// The defined global symbols of an object, without Mach-O's leading underscore.
fn symbols(file: &object::File) -> BTreeSet<String> {
    file.symbols()
        .filter(|s| s.is_global() && s.is_definition())
        .map(|s| {
            let name = s.name().unwrap();
            let name = if file.format() == object::BinaryFormat::MachO {
                name.strip_prefix('_').unwrap()
            } else {
                name
            };
            name.to_string()
        })
        .collect()
}

/// The bytes of the kernel `name` in an object with that one kernel.
fn only_kernel_bytes(file: &object::File, name: &str) -> Vec<u8> {
    assert_eq!(symbols(file), BTreeSet::from([name.to_string()]));
    let symbol = file.symbols().find(|s| s.is_definition() && s.is_global()).unwrap();
    let section = file.section_by_index(symbol.section_index().unwrap()).unwrap();
    let start = (symbol.address() - section.address()) as usize;
    section.data().unwrap()[start..start + symbol.size() as usize].to_vec()
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
fn with_the_jit_off_the_default_run_is_portable_and_still_checks() {
    let output = Command::new(env!("CARGO_BIN_EXE_trinity"))
        .args(["--dim", "100", "--ops", "dot,permute"])
        .env("TRINITY_JIT", "off")
        .output()
        .expect("the binary runs");
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("backend: portable Rust (TRINITY_JIT turns the JIT off)"), "{out}");
    assert!(out.contains("tier: portable"), "{out}");
    assert!(out.contains("0 compiled") && out.contains("all checks passed"), "{out}");
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
    for key in [
        "total_ops",
        "jit_hits",
        "jit_misses",
        "portable_ops",
        "over_budget_ops",
        "cache_size",
        "code_bytes",
    ] {
        assert!(value["stats"][key].is_u64(), "stats.{key}: {value}");
    }
    assert!(value["stats"]["total_ops"].as_u64().unwrap() > 0);
}

#[test]
fn encoders_lists_both_encoders() {
    let (code, out, _) = trinity(&["encoders"]);
    assert_eq!(code, 0);
    assert!(out.contains("x86-64") && out.contains("vpshufb"), "{out}");
    assert!(out.contains("EVEX") && out.contains("vpternlogd") && out.contains("kmovq"), "{out}");
    assert!(out.contains("AArch64") && out.contains("sdot"), "{out}");
    // Every instruction of both encoders, with the features of each of its forms.
    let entries: Vec<&str> = out.split_whitespace().filter(|w| w.ends_with(']')).collect();
    let listed = |mnemonic: &str, features: String| {
        let tail = mnemonic.rsplit(' ').next().unwrap();
        entries.iter().any(|e| {
            e.strip_prefix(tail)
                .and_then(|r| r.strip_prefix('['))
                .is_some_and(|r| r.trim_end_matches(']').split(',').any(|f| f == features))
        })
    };
    for inst in trinity::emit::x86_64::defs::ALL {
        for form in inst.forms {
            assert!(listed(inst.mnemonic, form.features.to_string()), "{}: {out}", inst.mnemonic);
        }
    }
    for inst in trinity::emit::aarch64::defs::ALL {
        for form in inst.forms {
            assert!(listed(inst.mnemonic, form.features.to_string()), "{}: {out}", inst.mnemonic);
        }
    }
    for entry in [
        "vpaddb[avx,avx2,avx512f+avx512bw]",
        "vpopcntq[avx512f+avx512vpopcntdq]",
        "popcnt[popcnt]",
        "andn[bmi1]",
        "kmovw[avx512f]",
        "sdot[neon+dotprod]",
    ] {
        assert!(entries.contains(&entry), "{entry}: {out}");
    }
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
fn bake_defaults_every_op_both_layouts_shift_1_host_os_and_arch() {
    let dir = scratch("bake-defaults");
    let header = dir.join("kernels.h");
    let object = bake(&dir, "kernels.o", &["--dim", "10000", "--header", header.to_str().unwrap()]);
    let file = object::File::parse(&*object).unwrap();
    let host_format = if cfg!(target_os = "macos") {
        object::BinaryFormat::MachO
    } else if cfg!(target_os = "windows") {
        object::BinaryFormat::Coff
    } else {
        object::BinaryFormat::Elf
    };
    assert_eq!(file.format(), host_format);
    let host_arch = if cfg!(target_arch = "aarch64") {
        object::Architecture::Aarch64
    } else {
        object::Architecture::X86_64
    };
    assert_eq!(file.architecture(), host_arch);
    let mut expected = BTreeSet::new();
    for layout in ["dense", "bits"] {
        for op in ["dot", "bind", "bundle", "hamming", "cosine"] {
            expected.insert(format!("trinity_{layout}_{op}_10000"));
        }
        expected.insert(format!("trinity_{layout}_permute_10000_1"));
    }
    assert_eq!(symbols(&file), expected);
    let header = std::fs::read_to_string(header).unwrap();
    assert!(header.contains("#ifndef KERNELS_H"), "{header}");
    for name in &expected {
        assert!(header.contains(&format!(" {name}(")), "{name} declared:\n{header}");
    }
}

#[test]
fn bake_stores_permute_shifts_mod_d() {
    let dir = scratch("bake-permute");
    let object = bake(
        &dir,
        "p.o",
        &["--dim", "10000", "--ops", "permute", "--layout", "bits", "--permute", "-1"],
    );
    let file = object::File::parse(&*object).unwrap();
    assert_eq!(symbols(&file), BTreeSet::from(["trinity_bits_permute_10000_9999".to_string()]));
    let object = bake(
        &dir,
        "q.o",
        &[
            "--dim",
            "10000,64",
            "--ops",
            "permute",
            "--layout",
            "dense",
            "--permute",
            "1,3,-1,10001",
        ],
    );
    let file = object::File::parse(&*object).unwrap();
    let names: BTreeSet<String> =
        ["10000_1", "10000_3", "10000_9999", "64_1", "64_3", "64_63", "64_17"]
            .iter()
            .map(|s| format!("trinity_dense_permute_{s}"))
            .collect();
    assert_eq!(symbols(&file), names);
}

#[test]
fn bake_targets_every_os_and_arch_with_the_arch_best_tier_by_default() {
    let dir = scratch("bake-targets");
    let args = ["--dim", "1000", "--ops", "dot", "--layout", "dense"];
    for (os, format) in [
        ("linux", object::BinaryFormat::Elf),
        ("macos", object::BinaryFormat::MachO),
        ("windows", object::BinaryFormat::Coff),
    ] {
        for (arch, architecture) in
            [("x86_64", object::Architecture::X86_64), ("aarch64", object::Architecture::Aarch64)]
        {
            let mut all = args.to_vec();
            all.extend_from_slice(&["--os", os, "--arch", arch]);
            let object = bake(&dir, &format!("{os}-{arch}.o"), &all);
            let file = object::File::parse(&*object).unwrap();
            assert_eq!((file.format(), file.architecture()), (format, architecture), "{os} {arch}");
            assert_eq!(symbols(&file), BTreeSet::from(["trinity_dense_dot_1000".to_string()]));
        }
    }
    // Windows x86-64 kernels follow Win64, so their code differs from the System V ones.
    let win = std::fs::read(dir.join("windows-x86_64.o")).unwrap();
    let linux = std::fs::read(dir.join("linux-x86_64.o")).unwrap();
    let name = "trinity_dense_dot_1000";
    assert_ne!(
        only_kernel_bytes(&object::File::parse(&*win).unwrap(), name),
        only_kernel_bytes(&object::File::parse(&*linux).unwrap(), name)
    );
    // The default AArch64 tier is dotprod (dense dot uses sdot there), not neon.
    let code = |tier: Option<&str>| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--os", "linux", "--arch", "aarch64"]);
        if let Some(tier) = tier {
            all.extend(["--tier", tier]);
        }
        let object = bake(&dir, "tier.o", &all);
        only_kernel_bytes(&object::File::parse(&*object).unwrap(), name)
    };
    assert_eq!(code(None), code(Some("dotprod")));
    assert_ne!(code(None), code(Some("neon")));
}

#[test]
fn disasm_lists_either_arch_and_hex_matches_the_baked_bytes() {
    let (code, out, err) =
        trinity(&["disasm", "--op", "dot", "--layout", "dense", "--dim", "1000"]);
    assert_eq!(code, 0, "{err}");
    if cfg!(target_arch = "x86_64") {
        assert!(out.starts_with("; trinity_dense_dot_1000 [avx2]"), "{out}");
        assert!(out.contains("vzeroupper") && out.contains("ret"), "{out}");
    }
    let (_, out, _) = trinity(&[
        "disasm", "--op", "dot", "--layout", "dense", "--dim", "1000", "--arch", "aarch64",
    ]);
    assert!(out.starts_with("; trinity_dense_dot_1000 [dotprod]"), "{out}");
    assert!(out.contains("sdot") && out.contains("ret"), "{out}");
    let (_, out, _) = trinity(&[
        "disasm", "--op", "dot", "--layout", "dense", "--dim", "1000", "--arch", "aarch64",
        "--tier", "neon",
    ]);
    assert!(out.starts_with("; trinity_dense_dot_1000 [neon]"), "{out}");
    assert!(!out.contains("sdot") && out.contains("ret"), "{out}");
    let (_, out, _) = trinity(&["disasm", "--op", "permute", "--dim", "10000", "--permute", "-1"]);
    assert!(out.starts_with("; trinity_bits_permute_10000_9999 "), "{out}");

    let dir = scratch("disasm-hex");
    for arch in ["x86_64", "aarch64"] {
        let (code, out, err) = trinity(&[
            "disasm", "--op", "cosine", "--layout", "bits", "--dim", "10000", "--arch", arch,
            "--hex",
        ]);
        assert_eq!(code, 0, "{err}");
        let mut lines = out.lines();
        let head = lines.next().unwrap();
        let bytes: Vec<u8> = lines
            .flat_map(|l| l.split(' '))
            .map(|b| u8::from_str_radix(b, 16).expect("only hex bytes after the header"))
            .collect();
        assert!(head.ends_with(&format!(": {} bytes", bytes.len())), "{head}");
        let object = bake(
            &dir,
            &format!("{arch}.o"),
            &[
                "--dim", "10000", "--ops", "cosine", "--layout", "bits", "--os", "linux", "--arch",
                arch,
            ],
        );
        let baked =
            only_kernel_bytes(&object::File::parse(&*object).unwrap(), "trinity_bits_cosine_10000");
        assert_eq!(bytes, baked, "disasm --hex and bake agree on {arch}");
    }
}

#[test]
fn help_is_complete_with_exit_codes() {
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["--help"],
            &[
                "disasm",
                "bake",
                "encoders",
                "tune",
                "--dim",
                "--ops",
                "--layout",
                "--json",
                "Without a subcommand",
            ],
        ),
        (
            &["disasm", "--help"],
            &["--op", "--layout", "--dim", "--shift", "--arch", "--tier", "--hex"],
        ),
        (
            &["bake", "--help"],
            &[
                "--dim",
                "--ops",
                "--layout",
                "--permute",
                "--arch",
                "--os",
                "--tier",
                "-o, --output",
                "--header",
                "--wisdom",
                "linux",
                "macos",
                "windows",
                "x86_64",
                "aarch64",
                "avx2",
                "neon",
                "dotprod",
            ],
        ),
        (&["encoders", "--help"], &[]),
        (
            &["tune", "--help"],
            &["--ops", "--layouts", "--dims", "--tier", "--rounds", "--out", "--quiet"],
        ),
    ];
    for &(args, needles) in cases {
        let (code, out, err) = trinity(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        for needle in needles.iter().chain(&["Exit codes: 0 success; 1 ", "; 2 bad"]) {
            assert!(out.contains(needle), "{args:?}: {needle:?} missing from\n{out}");
        }
    }
}

#[test]
fn search_bench_reports_one_row_per_query_and_thread_count() {
    let dir = scratch("search-bench");
    let file = dir.join("memory.tmem");
    let args = ["search-bench", "--dim", "1000", "--n", "300", "--queries", "1,3", "--threads"];
    let run = |layout: &str| {
        let mut all = args.to_vec();
        all.extend_from_slice(&["1,2", "--k", "5", "--layout", layout, "--json"]);
        all.extend_from_slice(&["--file", file.to_str().unwrap()]);
        let (code, out, err) = trinity(&all);
        assert_eq!(code, 0, "{out}{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    // The first run builds the file, the second opens it.
    for _ in 0..2 {
        let report = run("bits");
        assert_eq!((report["dim"].as_u64(), report["n"].as_u64()), (Some(1000), Some(300)));
        assert!(report["read_gb_per_s"].as_f64().unwrap() > 0.0, "{report}");
        let rows = report["rows"].as_array().unwrap();
        let cells: Vec<(u64, u64)> = rows
            .iter()
            .map(|r| (r["queries"].as_u64().unwrap(), r["threads"].as_u64().unwrap()))
            .collect();
        assert_eq!(cells, [(1, 1), (3, 1), (1, 2), (3, 2)]);
        for row in rows {
            let (gb, pairs) =
                (row["gb_per_s"].as_f64().unwrap(), row["pairs_per_s"].as_f64().unwrap());
            assert!(gb > 0.0 && pairs > 0.0, "{row}");
            // The row's own yardstick is one of the passes the overall figure is the best of.
            let read = row["read_gb_per_s"].as_f64().unwrap();
            assert!(read > 0.0 && read <= report["read_gb_per_s"].as_f64().unwrap(), "{row}");
        }
    }
    // A dense memory cannot be read from a bitsliced file.
    let (code, _, err) = trinity(&[
        "search-bench",
        "--dim",
        "1000",
        "--layout",
        "dense",
        "--file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("bits") && err.contains("dense"), "{err}");
    let (code, _, err) = trinity(&["search-bench", "--queries", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--queries"), "{err}");
}

/// `trinity tune` writes a wisdom file of this CPU's family whose choices are variants of the
/// specs asked for; `bake --wisdom` generates exactly the chosen variant; a bad wisdom file is
/// refused naming the file, the line and the bad value.
#[test]
fn tune_writes_wisdom_and_bake_generates_its_choices() {
    use trinity::emit::kernels::tuning::Wisdom;
    use trinity::emit::kernels::{generate, KernelSpec, Layout, Op, Popcount, Tier, Variant};
    let dir = scratch("tune");
    if trinity::runtime::cpu::detect_tier().is_some_and(|t| t.runs(Tier::Avx2)) {
        let out = dir.join("tuned.wisdom");
        let (code, text, err) = trinity(&[
            "tune",
            "--ops",
            "dot,bind",
            "--layouts",
            "bits",
            "--dims",
            "100,5000",
            "--rounds",
            "2",
            "--tier",
            "avx2",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{text}{err}");
        let wisdom = Wisdom::read(&out).unwrap();
        assert_eq!(wisdom.cpu, trinity::runtime::cpu::detect_family());
        let dims: Vec<u32> = wisdom.choices.iter().map(|c| c.dim).collect();
        assert_eq!(dims, [100, 5000], "bind has one variant: not tuned\n{text}");
        for c in &wisdom.choices {
            assert_eq!((c.op, c.layout, c.tier), (Op::Dot, Layout::Bits, Tier::Avx2));
            assert!(Variant::candidates(&c.spec()).contains(&c.variant), "{c:?}");
        }
        // A tier of the other architecture is a usage error naming it.
        let (code, _, err) = trinity(&["tune", "--tier", "dotprod", "--quiet"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("--tier dotprod") && err.contains("cannot run"), "{err}");
    } else {
        println!("SKIPPED the tune half: needs a CPU that runs avx2 kernels");
    }
    let wisdom = dir.join("hand.wisdom");
    std::fs::write(&wisdom, "trinity-wisdom 1\ncpu other\navx2 bits dot 10000 harley-seal\n")
        .unwrap();
    let object = bake(
        &dir,
        "hs.o",
        &[
            "--dim",
            "10000",
            "--ops",
            "dot",
            "--layout",
            "bits",
            "--os",
            "linux",
            "--arch",
            "x86_64",
            "--wisdom",
            wisdom.to_str().unwrap(),
        ],
    );
    let baked =
        only_kernel_bytes(&object::File::parse(&*object).unwrap(), "trinity_bits_dot_10000");
    let mut spec = KernelSpec::new(Op::Dot, Layout::Bits, 10000, Tier::Avx2);
    assert_ne!(baked, generate(&spec).unwrap().code, "not the default variant");
    spec.variant = Variant { popcount: Popcount::HarleySeal, ..Variant::DEFAULT };
    assert_eq!(baked, generate(&spec).unwrap().code);

    let bad = dir.join("bad.wisdom");
    std::fs::write(&bad, "trinity-wisdom 1\ncpu other\n\navx2 bits dot 10000 fast\n").unwrap();
    let (code, _, err) = trinity(&[
        "bake",
        "--dim",
        "10000",
        "--wisdom",
        bad.to_str().unwrap(),
        "-o",
        dir.join("x.o").to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("{}:4: \"fast\" is not a kernel variant", bad.display())),
        "{err}"
    );
}
