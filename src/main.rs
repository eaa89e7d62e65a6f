//! The `crisp` command: a thin layer over the crisp crates.
//!
//! Exit codes: 0 success, 1 a check failed (a validation threshold), 2 an error.

mod cli;
mod commands;
mod config;
mod html_report;
mod logging;
mod messages;
mod progress_bar;
mod report;
mod tracking;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    reset_sigpipe();
    let cli = cli::Cli::parse();
    let style = logging::Style::of(&cli.command);
    let result = logging::install(cli.verbose, cli.quiet, style).and_then(|()| commands::run(cli));
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("crisp: error: {}", messages::error_message(&err));
            ExitCode::from(2)
        }
    }
}

/// Die quietly on a closed pipe (`crisp predict ... | head`), like other Unix tools, instead of
/// panicking in `println!`: Rust ignores SIGPIPE by default.
fn reset_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
