//! Where the served model comes from, and loading it: the same checks as `crisp predict`
//! (a `registry:` path resolved in the store, the signature, the blessing, the artifact's own
//! checks), so a model that `crisp predict` would refuse is never served.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use crisp_artifact::Artifact;
use crisp_core::{bail, Error, Result};
use serde_json::{json, Value};

/// What to serve and what to demand of it.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    /// An artifact file, or `registry:NAME@ALIAS` / `registry:NAME@VERSION` / `registry:NAME`.
    pub path: PathBuf,
    /// The run store that `registry:` paths are resolved in.
    pub store: PathBuf,
    /// Refuse a model that `crisp validate --bless` has not blessed.
    pub require_blessed: bool,
    /// Refuse a model whose `ARTIFACT.sig` is not its signature by this public key.
    pub verify_key: Option<PathBuf>,
    /// The largest artifact file read, in bytes.
    pub max_artifact_bytes: u64,
}

impl ModelSpec {
    /// Serve the artifact (or `registry:` path) `path`, resolved in `store`, with no other
    /// demand and the default size limit.
    pub fn new(path: impl Into<PathBuf>, store: impl Into<PathBuf>) -> Self {
        ModelSpec {
            path: path.into(),
            store: store.into(),
            require_blessed: false,
            verify_key: None,
            max_artifact_bytes: crisp_artifact::MAX_FILE_BYTES,
        }
    }

    /// The file the spec points at now, and its size and modification time: what the poller
    /// compares to notice an alias that moved or a file that was replaced.
    pub fn locate(&self) -> Result<Located> {
        let file = crisp_track::resolve_model_path(&self.path, &self.store)?;
        let meta = std::fs::metadata(&file).map_err(|e| Error::data_file(&file, e))?;
        Ok(Located {
            modified: meta.modified().ok(),
            len: meta.len(),
            file,
        })
    }

    /// Resolve, read and check the model: signature, artifact checks, blessing.
    pub fn load(&self) -> Result<LoadedModel> {
        let located = self.locate()?;
        let file = &located.file;
        if let Some(key) = &self.verify_key {
            crisp_sign::PublicKey::read(key)?.verify_file(file, key)?;
        }
        let (artifact, bytes) = Artifact::read_with_bytes(file, self.max_artifact_bytes)?;
        if self.require_blessed && !artifact.header.blessing.as_ref().is_some_and(|b| b.passed) {
            bail!(
                Artifact { file: file.display() }: "{}: the model is not blessed (run `crisp validate --bless` on it first), and blessed models are required",
                file.display()
            );
        }
        Ok(LoadedModel::new(
            artifact,
            self.path.display().to_string(),
            located,
            crisp_core::fingerprint(&bytes),
        ))
    }
}

/// A file the model spec resolved to, with what identifies its contents cheaply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The artifact file.
    pub file: PathBuf,
    /// Its modification time.
    pub modified: Option<SystemTime>,
    /// Its size in bytes.
    pub len: u64,
}

/// A model ready to predict, with what `/metadata` says about it.
#[derive(Debug)]
pub struct LoadedModel {
    /// The artifact.
    pub artifact: Artifact,
    /// The file it was read from, as it was then.
    pub located: Located,
    /// The xxh3-128 hash of the artifact's bytes.
    pub hash: String,
    /// The `/metadata` body.
    pub metadata: String,
}

impl LoadedModel {
    /// `artifact`, asked for as `requested` and read from `located`, whose bytes hash to `hash`.
    pub fn new(artifact: Artifact, requested: String, located: Located, hash: String) -> Self {
        let loaded_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let metadata = metadata(&artifact, &requested, &located, &hash, loaded_unix).to_string();
        LoadedModel {
            artifact,
            located,
            hash,
            metadata,
        }
    }
}

/// The input schema, task, metrics, gate verdict, versions and hash of a model.
fn metadata(
    artifact: &Artifact,
    requested: &str,
    located: &Located,
    hash: &str,
    loaded_unix: u64,
) -> Value {
    let h = &artifact.header;
    let schema: Vec<Value> = artifact
        .model
        .pipeline
        .input
        .columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.kind.name()}))
        .collect();
    json!({
        "model": {
            "requested": requested,
            "file": located.file.display().to_string(),
            "artifact_hash": hash,
            "loaded_unix": loaded_unix,
        },
        "task": h.task,
        "target": h.target,
        "classes": h.classes,
        "model_name": h.model,
        "model_description": h.model_description,
        "model_params": h.model_params,
        "input_schema": schema,
        "ignored_columns": h.ignored_columns,
        "features": h.features,
        "metrics": h.metrics.metrics,
        "evaluated_rows": h.metrics.rows,
        "gate": h.blessing,
        "trained_with_crisp": h.crate_version,
        "created_unix": h.created_unix,
        "training_data": h.data,
        "seed": h.seed,
        "run": h.run,
        "server": {"crisp_serve": env!("CARGO_PKG_VERSION")},
    })
}
