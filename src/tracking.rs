//! Recording `train`, `validate` and `label` runs in the run store (crisp-track). A store that
//! cannot be opened or written is a warning on stderr, never a failed command.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crisp_track::{RunId, RunRecord, Status, Store};
use serde::Serialize;
use serde_json::{Map, Value};

/// The environment variable that names the run store when `--store` is not given.
pub const STORE_VARIABLE: &str = "CRISP_STORE";

/// Where and whether this process records its run.
pub struct Tracking {
    /// The store's file; `None` with `--no-track`.
    store: Option<PathBuf>,
    /// Whether `--store` or `CRISP_STORE` named the store (else it is ./crisp.db).
    named: Option<PathBuf>,
    started: Instant,
    started_at: String,
}

impl Tracking {
    /// The store of `--store`, else of `CRISP_STORE`, else `./crisp.db`; none with `--no-track`.
    pub fn new(store: Option<PathBuf>, no_track: bool) -> Tracking {
        let named = store.or_else(|| {
            std::env::var_os(STORE_VARIABLE)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        Tracking {
            store: if no_track {
                None
            } else {
                Some(
                    named
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(crisp_track::DEFAULT_PATH)),
                )
            },
            named,
            started: Instant::now(),
            started_at: crisp_track::now_rfc3339(),
        }
    }

    /// Records nothing (the demo, which writes to a directory of its own).
    pub fn off() -> Tracking {
        Tracking {
            store: None,
            named: None,
            started: Instant::now(),
            started_at: crisp_track::now_rfc3339(),
        }
    }

    /// The store named by `--store` or `CRISP_STORE`, if one was.
    pub fn named_store(&self) -> Option<&Path> {
        self.named.as_deref()
    }

    /// The store to read runs from: the named one, else `./crisp.db`.
    pub fn read_store(&self) -> PathBuf {
        self.named
            .clone()
            .unwrap_or_else(|| PathBuf::from(crisp_track::DEFAULT_PATH))
    }

    /// A record of `command`, started when this process started, with its flags `args` (those
    /// given: no nulls, empty lists or false switches) and the working directory's git commit.
    /// `None` when nothing is recorded.
    pub fn start(&self, command: &str, args: &impl Serialize) -> Option<RunRecord> {
        self.store.as_ref()?;
        let mut record = RunRecord::new(command);
        record.started_at = self.started_at.clone();
        record.params = flags(args);
        record.git_commit = std::env::current_dir()
            .ok()
            .and_then(|dir| crisp_track::git_commit(&dir));
        Some(record)
    }

    /// Record `record` as finished with `status`.
    pub fn record(&self, record: Option<RunRecord>, status: Status) {
        let (Some(path), Some(record)) = (&self.store, record) else {
            return;
        };
        let record = self.finished(record, status);
        if let Err(e) = Store::open(path).and_then(|s| s.record(&record)) {
            warn(&e);
        }
    }

    /// Record `record` as running, before its outputs are written: its id and the store's
    /// path, for the artifact to carry.
    pub fn reserve(&self, record: Option<&RunRecord>) -> Option<(RunId, String)> {
        let (path, record) = (self.store.as_ref()?, record?);
        let reserved = Store::open(path).and_then(|store| {
            let id = store.record(record)?;
            Ok((id, store.path().display().to_string()))
        });
        reserved.map_err(|e| warn(&e)).ok()
    }

    /// Finish the reserved run `id` with `record` and `status`.
    pub fn update(&self, id: RunId, record: RunRecord, status: Status) {
        let Some(path) = &self.store else {
            return;
        };
        let record = self.finished(record, status);
        if let Err(e) = Store::open(path).and_then(|s| s.update(id, &record)) {
            warn(&e);
        }
    }

    fn finished(&self, record: RunRecord, status: Status) -> RunRecord {
        let mut record = record.finished(status);
        record.duration_seconds = self.started.elapsed().as_secs_f64();
        record
    }
}

fn warn(e: &crisp_core::Error) {
    eprintln!(
        "crisp: warning: the run was not recorded: {}",
        crate::messages::error_message(e)
    );
}

/// The flags given, by name: `args` as JSON without nulls, empty lists and false switches.
fn flags(args: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(args) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter(|(_, v)| match v {
                Value::Null | Value::Bool(false) => false,
                Value::Array(a) => !a.is_empty(),
                _ => true,
            })
            .collect(),
        _ => Map::new(),
    }
}
