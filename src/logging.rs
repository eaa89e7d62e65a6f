//! Where crisp's logs and progress go: a `tracing` subscriber for the binary.
//!
//! The crates only emit `tracing` events and progress spans. Here they become log lines on
//! stderr (`-v` info, `-vv` debug, `-vvv` trace; `RUST_LOG` takes any filter instead) and a
//! progress bar, drawn only when stderr is a terminal and `--quiet` is not given. Log lines
//! print above the bar, not through it. Results go to stdout and files as before: neither
//! the bar nor the logs ever reach stdout.

use std::io::{IsTerminal, Write};

use crisp_core::{Error, Result};
use tracing_subscriber::filter::{filter_fn, EnvFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer;

use crate::progress_bar::{ActiveBar, ProgressLayer};

/// How a command's log lines look.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// One JSON object per line instead of text (`crisp serve --log-format json`).
    pub json: bool,
    /// Show crisp-serve's request lines (info level) without `-v`.
    pub requests: bool,
}

impl Style {
    /// The style `command` asks for.
    pub fn of(command: &crate::cli::Command) -> Style {
        match command {
            #[cfg(feature = "serve")]
            crate::cli::Command::Serve(args) => Style {
                json: args.log_format == crate::commands::serve::LogFormat::Json,
                requests: true,
            },
            _ => Style::default(),
        }
    }
}

/// The log filter of `-v` repeated `verbose` times, or of `--quiet`. The crates' progress
/// events are never log lines.
fn level_filter(verbose: u8, quiet: bool, style: Style) -> String {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    // Other crates' chatter stays at warnings unless RUST_LOG asks for it.
    if style.requests && verbose == 0 && !quiet {
        return format!("warn,crisp={level},crisp_serve=info");
    }
    format!("warn,crisp={level}")
}

/// Installs the subscriber for this process. `RUST_LOG`, when set and not empty, is the
/// filter unless `-v` or `--quiet` is given.
///
/// # Errors
/// A `RUST_LOG` that is not a filter.
pub fn install(verbose: u8, quiet: bool, style: Style) -> Result<()> {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty() && verbose == 0 && !quiet);
    let directives = from_env
        .clone()
        .unwrap_or_else(|| level_filter(verbose, quiet, style));
    let filter = EnvFilter::builder()
        .parse(format!("{directives},crisp::progress=off"))
        .map_err(|e| {
            Error::config(format!(
                "RUST_LOG='{}' is not a log filter ({e}); try RUST_LOG=crisp=debug",
                from_env.as_deref().unwrap_or_default()
            ))
        })?;
    let active = ActiveBar::default();
    let writer = {
        let active = active.clone();
        move || StderrAboveBar(active.clone())
    };
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_target(true);
    let logs = if style.json {
        logs.json().boxed()
    } else {
        logs.boxed()
    }
    .with_filter(filter);
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        ProgressLayer::new(active)
            .with_filter(filter_fn(|m| m.target() == crisp_core::progress::TARGET))
    });
    let subscriber = tracing_subscriber::registry().with(logs).with(bar);
    // Only fails when a subscriber is already set, which this binary never does elsewhere.
    let _ = tracing::subscriber::set_global_default(subscriber);
    Ok(())
}

/// stderr, written with the progress bar hidden for the moment of the write.
struct StderrAboveBar(ActiveBar);

impl Write for StderrAboveBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .suspend(|| std::io::stderr().lock().write_all(buf))
            .map(|()| buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
