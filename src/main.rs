//! The `trinity` command line. See `trinity --help`.

mod cli;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn catalogue() -> String {
    use trinity::emit::x86_64::defs;
    let mut out = String::from("Trinity encoders\n\nx86-64 (REX/VEX, AVX2):\n");
    let names: Vec<&str> = defs::ALL.iter().map(|inst| inst.mnemonic).collect();
    let forms: usize = defs::ALL.iter().map(|inst| inst.forms.len()).sum();
    out.push_str(&format!("  {} instructions, {forms} forms:\n", names.len()));
    for row in names.chunks(12) {
        out.push_str(&format!("    {}\n", row.join(" ")));
    }
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        None => Ok(catalogue()),
        Some(Command::Disasm(args)) => cli::disasm::run(args),
        Some(Command::Bake(args)) => cli::bake::run(args),
    };
    match result {
        Ok(text) => {
            print!("{text}");
            if !text.ends_with('\n') {
                println!();
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}
