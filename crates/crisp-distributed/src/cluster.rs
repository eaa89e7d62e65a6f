//! Sessions and processes of a Ballista cluster that knows crisp's functions: the client's
//! session, the scheduler and the executors all register them (the plan names a function; each
//! process resolves the name in its own registry).

use std::net::SocketAddr;
use std::sync::Arc;

use ballista::prelude::{SessionConfigExt, SessionContextExt};
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::utils::default_session_builder;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::{FunctionRegistry, SessionState, SessionStateBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::error::{Error, Result};
use crate::functions::{aggregate_functions, scalar_functions};

/// Logs of the scheduler and executor binaries to stderr, filtered by `RUST_LOG` (default:
/// `info` for Ballista, warnings for the rest), with Ballista's `log` records bridged in.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "warn,ballista=info,ballista_scheduler=info,ballista_executor=info",
        )
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Registers crisp's functions in a session.
pub fn register_functions(state: &mut SessionState) -> Result<()> {
    for f in scalar_functions() {
        state.register_udf(f)?;
    }
    for f in aggregate_functions() {
        state.register_udaf(f)?;
    }
    Ok(())
}

/// Ballista's default server-side session with crisp's functions: what the scheduler plans
/// with and what the executors' registry is made from.
pub fn server_session(config: SessionConfig) -> datafusion::error::Result<SessionState> {
    let mut state = default_session_builder(config)?;
    register_functions(&mut state).map_err(|e| {
        datafusion::error::DataFusionError::Execution(format!("crisp's functions: {e}"))
    })?;
    Ok(state)
}

/// A client session with crisp's functions, for a Ballista cluster.
fn client_state(partitions: Option<usize>) -> Result<SessionState> {
    let mut config = SessionConfig::new_with_ballista();
    if let Some(p) = partitions {
        config = config.with_target_partitions(p);
    }
    let mut state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .build();
    register_functions(&mut state)?;
    Ok(state)
}

/// Connects to the Ballista scheduler at `url` (`ballista://HOST:PORT`, or `df://HOST:PORT`).
pub async fn connect(url: &str) -> Result<SessionContext> {
    let rest = url
        .strip_prefix("ballista://")
        .or_else(|| url.strip_prefix("df://"))
        .ok_or_else(|| {
            Error::Data(format!(
                "engine {url:?} is not a Ballista scheduler address (ballista://HOST:PORT)"
            ))
        })?;
    let state = client_state(None)?;
    Ok(SessionContext::remote_with_state(&format!("df://{rest}"), state).await?)
}

/// A scheduler and one executor in this process (Ballista's standalone mode), running on the
/// current tokio runtime: the cluster path without processes, for tests and one machine.
pub async fn standalone(partitions: usize) -> Result<SessionContext> {
    let state = client_state(Some(partitions))?;
    Ok(SessionContext::standalone_with_state(state).await?)
}

/// A plain DataFusion session with crisp's functions: no Ballista at all, the same queries.
pub fn local(partitions: usize) -> Result<SessionContext> {
    let mut state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(SessionConfig::new().with_target_partitions(partitions))
        .build();
    register_functions(&mut state)?;
    Ok(SessionContext::new_with_state(state))
}

/// Runs a Ballista scheduler with crisp's functions on `addr` until it fails.
pub async fn run_scheduler(addr: SocketAddr, executor_timeout_seconds: u64) -> Result<()> {
    let mut config = SchedulerConfig::default()
        .with_hostname(addr.ip().to_string())
        .with_port(addr.port());
    config.bind_host = addr.ip().to_string();
    config.executor_timeout_seconds = executor_timeout_seconds;
    // Checked at least twice per timeout, so a dead executor is noticed within it.
    config.expire_dead_executor_interval_seconds = (executor_timeout_seconds / 2).clamp(1, 15);
    let config = config.with_override_session_builder(Arc::new(server_session));
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| Error::Cluster(e.to_string()))?;
    start_server(cluster, addr, Arc::new(config))
        .await
        .map_err(|e| Error::Cluster(e.to_string()))
}

/// Where an executor listens and whom it serves.
#[derive(Clone, Debug)]
pub struct ExecutorOptions {
    /// The scheduler's host and port.
    pub scheduler: (String, u16),
    /// Host to bind and advertise.
    pub bind_host: String,
    /// Arrow Flight port (shuffle data).
    pub port: u16,
    /// gRPC port (tasks from the scheduler).
    pub grpc_port: u16,
    /// Tasks run at once (default: the machine's cores).
    pub concurrent_tasks: Option<usize>,
    /// Directory for shuffle files (default: a temporary one).
    pub work_dir: Option<String>,
    /// Seconds between heartbeats to the scheduler.
    pub heartbeat_seconds: u64,
}

/// Runs a Ballista executor with crisp's functions until it is stopped.
pub async fn run_executor(opts: ExecutorOptions) -> Result<()> {
    let registry = BallistaFunctionRegistry::from(
        &server_session(SessionConfig::new_with_ballista()).map_err(Error::Engine)?,
    );
    let mut config = ExecutorProcessConfig {
        bind_host: opts.bind_host.clone(),
        external_host: Some(opts.bind_host.clone()),
        port: opts.port,
        grpc_port: opts.grpc_port,
        scheduler_host: opts.scheduler.0.clone(),
        scheduler_port: opts.scheduler.1,
        scheduler_connect_timeout_seconds: 30,
        work_dir: opts.work_dir.clone(),
        executor_heartbeat_interval_seconds: opts.heartbeat_seconds,
        print_thread_info: false,
        override_function_registry: Some(Arc::new(registry)),
        ..Default::default()
    };
    if let Some(n) = opts.concurrent_tasks {
        config.vcores = n;
    }
    start_executor_process(Arc::new(config))
        .await
        .map_err(|e| Error::Cluster(e.to_string()))
}
