//! One module per subcommand; each returns the process exit code.

pub mod bench;
mod compare;
mod demo;
pub mod features;
mod inspect;
pub mod label;
mod output;
mod predict;
mod profile;
pub mod registry;
pub mod runs;
mod search;
#[cfg(feature = "serve")]
pub mod serve;
pub mod sign;
mod train;
mod train_engine;
mod validate;

use std::process::ExitCode;

use crisp_core::Result;

use crate::cli::{Cli, Command};
use crate::tracking::Tracking;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let tracking = Tracking::new(cli.store, cli.no_track);
    let mut command = cli.command;
    resolve_registry_paths(&mut command, &tracking)?;
    match command {
        Command::Train(args) => train::run(&args, &tracking),
        Command::Predict(args) => predict::run(&args).map(|_| ExitCode::SUCCESS),
        Command::Validate(args) => {
            validate::run(&args, &tracking).map(|v| gate_exit_code(v.passed))
        }
        Command::Inspect(args) => inspect::run(&args, &tracking).map(|_| ExitCode::SUCCESS),
        Command::Label(args) => label::run(&args, &tracking).map(|_| ExitCode::SUCCESS),
        Command::Features(args) => features::run(&args).map(|_| ExitCode::SUCCESS),
        Command::Bench(command) => bench::run(&command).map(|_| ExitCode::SUCCESS),
        Command::Compare(args) => compare::run(&args).map(|_| ExitCode::SUCCESS),
        Command::Profile(args) => profile::run(&args).map(|_| ExitCode::SUCCESS),
        Command::Models => {
            print!("{}", train::models_list());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => demo::run(&args),
        Command::Runs(command) => runs::run(&command, &tracking).map(|_| ExitCode::SUCCESS),
        Command::Keygen(args) => sign::keygen(&args).map(|_| ExitCode::SUCCESS),
        Command::Sign(args) => sign::sign(&args).map(|_| ExitCode::SUCCESS),
        Command::Registry(command) => registry::run(&command, &tracking).map(|_| ExitCode::SUCCESS),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(&args, &tracking),
    }
}

/// Replace every `registry:NAME@ALIAS` or `registry:NAME@VERSION` model path (predict and
/// validate `--model`, validate `--baseline`, inspect) by the registered file, resolved in the
/// store of `--store` / `CRISP_STORE` / `./crisp.db`; then check the model's signature when
/// `--verify-key` is given (predict, validate).
fn resolve_registry_paths(command: &mut Command, tracking: &Tracking) -> Result<()> {
    let store = tracking.read_store();
    let resolve = |p: &mut std::path::PathBuf| -> Result<()> {
        *p = crisp_track::resolve_model_path(p, &store)?;
        Ok(())
    };
    let registered = |p: &std::path::Path| {
        p.to_str()
            .is_some_and(|p| p.starts_with(crisp_track::REGISTRY_PREFIX))
    };
    match command {
        Command::Predict(args) => {
            resolve(&mut args.model)?;
            sign::verify(&args.model, args.verify_key.as_deref())
        }
        Command::Validate(args) => {
            if args.bless && registered(&args.model) {
                crisp_core::bail!(Config: "--bless rewrites the artifact, and registered versions do not change: bless the artifact file, then crisp registry push it");
            }
            resolve(&mut args.model)?;
            sign::verify(&args.model, args.verify_key.as_deref())?;
            if let Some(baseline) = args.baseline.as_mut() {
                resolve(baseline)?;
                sign::verify(baseline, args.baseline_verify_key.as_deref())?;
            }
            Ok(())
        }
        Command::Inspect(args) => resolve(&mut args.artifact),
        _ => Ok(()),
    }
}

/// The artifact at `path`, read with the size limit of the environment variable
/// `CRISP_MAX_ARTIFACT_BYTES` (default: crisp_artifact::MAX_FILE_BYTES, 1 GiB).
pub fn read_artifact(path: &std::path::Path) -> Result<crisp_artifact::Artifact> {
    crisp_artifact::Artifact::read_limited(path, artifact_limit()?)
}

/// The largest artifact read: `CRISP_MAX_ARTIFACT_BYTES`, else crisp_artifact::MAX_FILE_BYTES.
pub fn artifact_limit() -> Result<u64> {
    Ok(match std::env::var("CRISP_MAX_ARTIFACT_BYTES") {
        Ok(text) => text.trim().parse::<u64>().map_err(|_| {
            crisp_core::Error::config(format!(
                "CRISP_MAX_ARTIFACT_BYTES must be a number of bytes, got '{text}'"
            ))
        })?,
        Err(_) => crisp_artifact::MAX_FILE_BYTES,
    })
}

/// 0 when a gate passed, 1 when a check failed.
pub fn gate_exit_code(passed: bool) -> ExitCode {
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
