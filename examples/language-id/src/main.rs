//! Runs the language-identification benchmark and prints its report; the last two lines are
//! `hdc accuracy: 0.xxxx` and `baseline accuracy: 0.xxxx`.

use std::process::ExitCode;

fn main() -> ExitCode {
    match language_id::run(&language_id::Config::default()) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("language-id: {e}");
            ExitCode::FAILURE
        }
    }
}
