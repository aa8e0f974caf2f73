//! The `trinity` command line. See `trinity --help`.

mod cli;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

/// What the encoders can emit today: every x86-64 instruction and AArch64 NEON table entry.
fn catalogue() -> String {
    use trinity::emit::{
        aarch64::neon,
        x86_64::{defs, Enc},
    };
    let mut out = String::from("Trinity encoders (checked against llvm-mc by `cargo test`)\n\n");
    let x86: Vec<&str> = defs::ALL.iter().map(|inst| inst.mnemonic).collect();
    let forms = defs::ALL.iter().flat_map(|inst| inst.forms);
    let evex = forms.clone().filter(|form| form.enc == Enc::Evex).count();
    out.push_str(&format!(
        "x86-64 (REX/VEX/EVEX: AVX2, AVX-512 F/BW/VPOPCNTDQ/BITALG): {} instructions, {} forms \
         ({evex} EVEX)\n",
        x86.len(),
        forms.count()
    ));
    wrap(&mut out, &x86);
    let mut a64: Vec<&str> = neon::ALL.iter().map(|op| op.mnemonic).collect();
    a64.sort_unstable();
    a64.dedup();
    out.push_str(&format!(
        "\nAArch64 (A64, NEON, DotProd): general-purpose, load/store, branch and FP forms, plus \
         {} NEON table entries:\n",
        neon::ALL.len()
    ));
    wrap(&mut out, &a64);
    out.push_str("\nSee `trinity --help` for the other commands.\n");
    out
}

fn wrap(out: &mut String, names: &[&str]) {
    for row in names.chunks(12) {
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
