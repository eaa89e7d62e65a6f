//! `crisp serve`: the model behind HTTP (crate crisp-serve). This file reads the flags, loads the
//! model (an error, exit 2, if it cannot be served), binds, and turns signals into reloads
//! (SIGHUP) and a graceful stop (SIGTERM, Ctrl-C: in-flight requests finish, then exit 0).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use crisp_core::{Error, Result};
use crisp_serve::{Limits, ModelSpec, State};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use crate::tracking::Tracking;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Model artifact, or a registered model: `registry:NAME@ALIAS` (followed when the alias
    /// moves), `registry:NAME@VERSION`.
    #[arg(long, value_name = "ARTIFACT")]
    pub model: PathBuf,
    /// Address to listen on; port 0 picks a free port (the address is printed on stderr).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Refuse a model that `crisp validate --bless` has not blessed (at start and at reloads).
    #[arg(long)]
    pub require_blessed: bool,
    /// Refuse a model unless ARTIFACT.sig is its signature by this public key (at start and at
    /// reloads).
    #[arg(long, value_name = "KEY.pub")]
    pub verify_key: Option<PathBuf>,
    /// Largest request body, in bytes (413 above).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_body_bytes)]
    pub max_body_bytes: usize,
    /// Most rows in one request (413 above).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_rows)]
    pub max_rows: usize,
    /// Longest a /predict request may take, reading its body included (504 after): 30s, 500ms.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub timeout: String,
    /// Most /predict requests answered at once; more get 503 with Retry-After.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_concurrent)]
    pub max_concurrent: usize,
    /// Threads that predict [default: one per core].
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// How often to check whether the model moved (a registry alias, a replaced file) and
    /// reload it; 0 never checks.
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub poll_interval: String,
    /// Log lines as text or as one JSON object per line.
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn run(args: &ServeArgs, tracking: &Tracking) -> Result<ExitCode> {
    let limits = Limits {
        max_body_bytes: args.max_body_bytes,
        max_rows: args.max_rows,
        timeout: duration("--timeout", &args.timeout)?,
        max_concurrent: args.max_concurrent,
        workers: args.workers.unwrap_or(Limits::default().workers),
    };
    crisp_core::ensure!(limits.max_rows >= 1, Config: "--max-rows must be at least 1");
    crisp_core::ensure!(limits.max_concurrent >= 1, Config: "--max-concurrent must be at least 1");
    crisp_core::ensure!(limits.workers >= 1, Config: "--workers must be at least 1");
    let poll = match args.poll_interval.trim() {
        "0" => None,
        text => Some(duration("--poll-interval", text)?),
    };
    let spec = ModelSpec {
        path: args.model.clone(),
        store: tracking.read_store(),
        require_blessed: args.require_blessed,
        verify_key: args.verify_key.clone(),
        max_artifact_bytes: super::artifact_limit()?,
    };
    let state = State::load(spec, limits)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("crisp-serve")
        .build()
        .map_err(|e| Error::Io {
            context: "cannot start the server's threads".into(),
            source: e,
        })?;
    runtime.block_on(serve(args.addr, state, poll))?;
    eprintln!("crisp serve: stopped; every request in flight was answered");
    Ok(ExitCode::SUCCESS)
}

async fn serve(addr: SocketAddr, state: State, poll: Option<Duration>) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Io {
            context: format!("cannot listen on {addr}"),
            source: e,
        })?;
    let bound = listener.local_addr().map_err(|e| Error::Io {
        context: format!("cannot read the address bound for {addr}"),
        source: e,
    })?;
    let model = state.slot().current();
    // Tests and scripts read this line to find a port picked with :0.
    eprintln!(
        "crisp serve: listening on http://{bound} (model {}, artifact hash {})",
        model.located.file.display(),
        model.hash
    );
    if let Some(every) = poll {
        tokio::spawn(state.clone().poll(every));
    }
    let stop = on_signals(state.clone())?;
    let app = crisp_serve::router(state);
    crisp_serve::serve(listener, app, async move {
        let _ = stop.await;
    })
    .await
    .map_err(|e| Error::Io {
        context: format!("serving on {bound}"),
        source: e,
    })
}

/// SIGHUP reloads the model; the first SIGTERM or SIGINT completes the returned receiver (a
/// graceful stop), a second one ends the process at once (exit 130).
fn on_signals(state: State) -> Result<tokio::sync::oneshot::Receiver<()>> {
    let mut signals =
        signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT]).map_err(|e| Error::Io {
            context: "cannot handle signals".into(),
            source: e,
        })?;
    let runtime = tokio::runtime::Handle::current();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("crisp-signals".into())
        .spawn(move || {
            let mut stop = Some(stop);
            for signal in signals.forever() {
                if signal == SIGHUP {
                    let state = state.clone();
                    runtime.spawn(async move {
                        let _ = state.reload("SIGHUP").await;
                    });
                } else if let Some(stop) = stop.take() {
                    tracing::info!("stopping: finishing the requests in flight (signal {signal})");
                    let _ = stop.send(());
                } else {
                    eprintln!("crisp serve: stopped at once by a second signal");
                    std::process::exit(130);
                }
            }
        })
        .map_err(|e| Error::Io {
            context: "cannot start the signal thread".into(),
            source: e,
        })?;
    Ok(stopped)
}

fn duration(flag: &str, text: &str) -> Result<Duration> {
    crisp_train::parse_time_budget(text).map_err(|e| e.prefixed(format!("{flag}: ")))
}
