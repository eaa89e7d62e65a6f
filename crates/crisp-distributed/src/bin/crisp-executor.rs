//! `crisp-executor`: a Ballista executor that runs crisp's functions.
//!
//! `crisp-executor --scheduler HOST:PORT [--bind HOST] [--port P] [--grpc-port Q]
//! [--concurrent-tasks N] [--work-dir DIR] [--heartbeat SECONDS]`.

use std::process::ExitCode;

use crisp_distributed::cluster::{run_executor, ExecutorOptions};

const USAGE: &str = "usage: crisp-executor --scheduler HOST:PORT [--bind HOST] [--port P] \
                     [--grpc-port Q] [--concurrent-tasks N] [--work-dir DIR] [--heartbeat SECONDS]";

fn parse() -> Result<ExecutorOptions, String> {
    let mut o = ExecutorOptions {
        scheduler: ("127.0.0.1".into(), 50050),
        bind_host: "127.0.0.1".into(),
        port: 50051,
        grpc_port: 50052,
        concurrent_tasks: None,
        work_dir: None,
        heartbeat_seconds: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args
            .next()
            .ok_or_else(|| format!("{a} needs a value; {USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{a} {v:?}: {e}");
        match a.as_str() {
            "--scheduler" => {
                let (host, port) = v
                    .rsplit_once(':')
                    .ok_or_else(|| format!("--scheduler {v:?}: expected HOST:PORT"))?;
                o.scheduler = (host.to_string(), port.parse().map_err(|e| bad(&e))?);
            }
            "--bind" => o.bind_host = v,
            "--port" => o.port = v.parse().map_err(|e| bad(&e))?,
            "--grpc-port" => o.grpc_port = v.parse().map_err(|e| bad(&e))?,
            "--concurrent-tasks" => o.concurrent_tasks = Some(v.parse().map_err(|e| bad(&e))?),
            "--work-dir" => o.work_dir = Some(v),
            "--heartbeat" => o.heartbeat_seconds = v.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown option {a}; {USAGE}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let opts = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("crisp-executor: {e}");
            return ExitCode::from(2);
        }
    };
    crisp_distributed::cluster::init_logging();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run_executor(opts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crisp-executor: {e}");
            ExitCode::from(2)
        }
    }
}
