//! The `trinity` command line. See `trinity --help`.

mod cli;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

/// What the encoders can emit today: every x86-64 and every AArch64 instruction, each with the
/// CPU features of its forms.
fn catalogue() -> String {
    use trinity::emit::{
        aarch64::defs as a64,
        x86_64::{defs, Enc},
    };
    let mut out = String::from("Trinity encoders (checked against llvm-mc by `cargo test`)\n\n");
    let forms = defs::ALL.iter().flat_map(|inst| inst.forms);
    let evex = forms.clone().filter(|form| form.enc == Enc::Evex).count();
    out.push_str(&format!(
        "x86-64 (REX/VEX/EVEX: AVX2, AVX-512 F/BW/VPOPCNTDQ/BITALG): {} instructions, {} forms \
         ({evex} EVEX); [features]:\n",
        defs::ALL.len(),
        forms.count()
    ));
    let x86 = defs::ALL.iter().map(|inst| {
        (inst.mnemonic, inst.forms.iter().map(|form| form.features.to_string()).collect())
    });
    wrap(&mut out, &with_features(x86));
    out.push_str(&format!(
        "\nAArch64 (A64: base, FP, NEON, DotProd): {} instructions, {} forms; [features]:\n",
        a64::ALL.len(),
        a64::ALL.iter().map(|inst| inst.forms.len()).sum::<usize>()
    ));
    let a64 = a64::ALL.iter().map(|inst| {
        (inst.mnemonic, inst.forms.iter().map(|form| form.features.to_string()).collect())
    });
    wrap(&mut out, &with_features(a64));
    out.push_str("\nSee `trinity --help` for the other commands.\n");
    out
}

/// One entry per mnemonic with the distinct feature sets of its forms, in order:
/// `vpaddb[avx,avx2,avx512f+avx512bw]` has forms needing each of those.
fn with_features(insts: impl Iterator<Item = (&'static str, Vec<String>)>) -> Vec<String> {
    let mut merged: Vec<(&str, Vec<String>)> = Vec::new();
    for (mnemonic, features) in insts {
        let at = match merged.iter().position(|(m, _)| *m == mnemonic) {
            Some(at) => at,
            None => {
                merged.push((mnemonic, Vec::new()));
                merged.len() - 1
            }
        };
        for f in features {
            if !merged[at].1.contains(&f) {
                merged[at].1.push(f);
            }
        }
    }
    merged.iter().map(|(m, f)| format!("{m}[{}]", f.join(","))).collect()
}

fn wrap(out: &mut String, names: &[String]) {
    for row in names.chunks(8) {
        out.push_str(&format!("    {}\n", row.join(" ")));
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        None => cli::run::run(&cli.run),
        Some(Command::Encoders) => Ok((catalogue(), true)),
        Some(Command::Disasm(args)) => cli::disasm::run(args).map(|text| (text, true)),
        Some(Command::Bake(args)) => cli::bake::run(args).map(|text| (text, true)),
        Some(Command::SearchBench(args)) => cli::search_bench::run(args).map(|text| (text, true)),
        Some(Command::Tune(args)) => cli::tune::run(args).map(|text| (text, true)),
    };
    match result {
        Ok((text, passed)) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("error: {}", error.message());
            ExitCode::from(error.exit_code())
        }
    }
}
