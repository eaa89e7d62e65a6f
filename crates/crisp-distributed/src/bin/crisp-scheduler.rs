//! `crisp-scheduler`: a Ballista scheduler whose sessions know crisp's functions.
//!
//! `crisp-scheduler [--bind HOST:PORT] [--executor-timeout SECONDS]` (default
//! 127.0.0.1:50050, 30 s).

use std::net::SocketAddr;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut bind: SocketAddr = "127.0.0.1:50050".parse().expect("address");
    let mut timeout = 30u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next();
        let parsed = match (a.as_str(), value.as_deref()) {
            ("--bind", Some(v)) => v.parse().map(|v| bind = v).map_err(|e| e.to_string()),
            ("--executor-timeout", Some(v)) => {
                v.parse().map(|v| timeout = v).map_err(|e| e.to_string())
            }
            _ => {
                Err("usage: crisp-scheduler [--bind HOST:PORT] [--executor-timeout SECONDS]".into())
            }
        };
        if let Err(e) = parsed {
            eprintln!("crisp-scheduler: {a}: {e}");
            return ExitCode::from(2);
        }
    }

    crisp_distributed::cluster::init_logging();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .expect("tokio runtime");
    match rt.block_on(crisp_distributed::cluster::run_scheduler(bind, timeout)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("crisp-scheduler: {e}");
            ExitCode::from(2)
        }
    }
}
