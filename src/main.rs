//! The `trinity` command line. See `trinity --help`.

mod cli;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

/// What the encoders can emit today: every x86-64 instruction, and every AArch64 instruction with
/// the CPU features its forms need.
fn catalogue() -> String {
    use trinity::emit::{
        aarch64::defs as a64,
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
    // One entry per mnemonic, with the features of its forms (`add[neon]`: base forms and NEON
    // forms).
    let mut a64: Vec<(&str, String)> = Vec::new();
    for inst in a64::ALL {
        let features = inst.features().to_string();
        match a64.iter_mut().find(|(m, _)| *m == inst.mnemonic) {
            Some((_, f)) if !f.contains(&features) => *f = format!("{f},{features}"),
            Some(_) => {}
            None => a64.push((inst.mnemonic, features)),
        }
    }
    let a64: Vec<String> = a64.iter().map(|(m, f)| format!("{m}[{f}]")).collect();
    let a64: Vec<&str> = a64.iter().map(String::as_str).collect();
    out.push_str(&format!(
        "\nAArch64 (A64: base, FP, NEON, DotProd): {} instructions, {} forms; [features]:\n",
        a64::ALL.len(),
        a64::ALL.iter().map(|inst| inst.forms.len()).sum::<usize>()
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
