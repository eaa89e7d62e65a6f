//! What `crisp train --engine` asks of the cluster driver, and what comes back: plain serde
//! types, compiled without the `engine` feature, so the `crisp` binary (which has no DataFusion
//! in it) can launch `crisp-ballista-train` and read its answer.
//!
//! The driver is a separate program for the same reason git's subcommands are: the engine's
//! dependencies (DataFusion, Ballista, a tokio with every feature) stay out of the `crisp`
//! binary, whose build they would double. `crisp` finds it next to its own executable, then on
//! `PATH`; `CRISP_BALLISTA_TRAIN` names it explicitly.

use std::path::{Path, PathBuf};
use std::process::Command;

use crisp_trees::GradientBoosting;
use serde::{Deserialize, Serialize};

/// The driver program's name.
pub const DRIVER: &str = "crisp-ballista-train";

/// A training job for the cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainJob {
    /// The scheduler: `ballista://HOST:PORT`, or `standalone` (an in-process cluster).
    pub engine: String,
    /// A Parquet file or a directory of Parquet files (or a CSV file), readable by every
    /// executor at this path.
    pub data: PathBuf,
    /// Numeric feature columns, in the model's order.
    pub features: Vec<String>,
    /// Target column.
    pub target: String,
    /// A binary classifier on 0/1 targets, else a regressor.
    pub classification: bool,
    /// gbdt hyperparameters by name (as `--param`).
    pub params: Vec<(String, String)>,
    /// The model's seed.
    pub seed: u64,
}

/// The model trained, either task.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum TrainedGbdt {
    /// A binary classifier.
    Classifier(GradientBoosting<usize>),
    /// A regressor.
    Regressor(GradientBoosting<f64>),
}

/// What the driver answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainOutput {
    /// The model.
    pub model: TrainedGbdt,
    /// Rows trained on.
    pub rows: u64,
    /// Histogram queries run.
    pub histogram_queries: usize,
    /// Seconds for the bin edges (one sketch query) and for boosting.
    pub seconds: (f64, f64),
}

/// The driver program: `$CRISP_BALLISTA_TRAIN` (which must name a file), else next to
/// `beside` (the running executable), else the first on `PATH`; `Err` says what is missing.
pub fn find_driver(beside: Option<&Path>) -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("CRISP_BALLISTA_TRAIN") {
        let p = PathBuf::from(p);
        if !p.is_file() {
            return Err(format!(
                "CRISP_BALLISTA_TRAIN names {}, which is not a file (it should name the {DRIVER} program)",
                p.display()
            ));
        }
        return Ok(p);
    }
    let beside = beside
        .and_then(Path::parent)
        .map(|dir| dir.join(DRIVER))
        .filter(|p| p.is_file());
    let on_path = || {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join(DRIVER))
            .find(|p| p.is_file())
    };
    beside.or_else(on_path).ok_or_else(|| {
        format!(
            "--engine needs the {DRIVER} program (cargo build -p crisp-distributed --features engine --bins), \
             next to crisp or on PATH, or named by CRISP_BALLISTA_TRAIN"
        )
    })
}

/// Runs `job` with the driver program; `Err` is one sentence for the user.
pub fn launch(job: &TrainJob) -> Result<TrainOutput, String> {
    let exe = std::env::current_exe().ok();
    let driver = find_driver(exe.as_deref())?;
    let dir = tempfile_dir()?;
    let (job_path, out_path) = (dir.join("job.json"), dir.join("model.bin"));
    let result = (|| {
        let text = serde_json::to_vec(job).map_err(|e| e.to_string())?;
        std::fs::write(&job_path, text).map_err(|e| format!("{}: {e}", job_path.display()))?;
        let output = Command::new(&driver)
            .arg(&job_path)
            .arg(&out_path)
            .output()
            .map_err(|e| format!("{}: {e}", driver.display()))?;
        if !output.status.success() {
            let err = String::from_utf8_lossy(&output.stderr);
            let line = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            return Err(format!(
                "training on {} failed ({}): {}",
                job.engine,
                output.status,
                line.trim_start_matches("crisp-ballista-train: ")
            ));
        }
        let bytes = std::fs::read(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
        decode_output(&bytes)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// [`TrainOutput`] as the driver writes it.
pub fn encode_output(out: &TrainOutput) -> Vec<u8> {
    bincode::serde::encode_to_vec(out, bincode::config::standard()).expect("encodes")
}

/// [`TrainOutput`] from the driver's bytes.
pub fn decode_output(bytes: &[u8]) -> Result<TrainOutput, String> {
    let (out, _): (TrainOutput, usize) =
        bincode::serde::decode_from_slice(bytes, bincode::config::standard())
            .map_err(|e| format!("the driver's answer does not decode: {e}"))?;
    Ok(out)
}

/// A fresh private directory under the system's temporary directory.
fn tempfile_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let dir = base.join(format!("crisp-ballista-{}-{attempt}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        }
    }
    Err("no temporary directory could be made".into())
}
