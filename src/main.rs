//! The `crisp` command: a thin layer over the crisp crates.
//!
//! Exit codes: 0 success, 1 a check failed (a validation threshold), 2 an error.

mod cli;
mod commands;
mod config;
mod report;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("crisp: error: {err}");
            ExitCode::from(2)
        }
    }
}
