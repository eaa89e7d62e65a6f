//! What one run is: the record a command writes, and the run read back with its id.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The id of a run in its store: 1, 2, 3... in the order runs were recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub u64);

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for RunId {
    type Err = crisp_core::Error;

    fn from_str(text: &str) -> crisp_core::Result<Self> {
        match text.trim().parse::<u64>() {
            Ok(id) if id > 0 => Ok(RunId(id)),
            _ => {
                crisp_core::bail!(Config: "'{text}' is not a run id (runs are numbered 1, 2, 3...)")
            }
        }
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Status {
    /// Recorded before its outputs were written (a training run's id goes into its artifact);
    /// a run left in this state did not finish.
    Running,
    /// Finished and succeeded (exit code 0).
    Ok,
    /// Finished, and a check failed: a validation gate or `train --until` (exit code 1).
    Failed,
    /// Stopped by an error (exit code 2).
    Error,
}

impl Status {
    /// `running`, `ok`, `failed` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Error => "error",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Status> {
        Some(match text {
            "running" => Status::Running,
            "ok" => Status::Ok,
            "failed" => Status::Failed,
            "error" => Status::Error,
            _ => return None,
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file a run read or wrote, with the xxh3-128 fingerprint of its bytes
/// (`crisp_core::fingerprint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// The path as the command was given it.
    pub path: String,
    /// xxh3-128 of the file's bytes, 32 hex digits.
    pub fingerprint: String,
}

impl FileRef {
    /// The file at `path` with fingerprint `fingerprint`.
    pub fn new(path: impl Into<String>, fingerprint: impl Into<String>) -> Self {
        FileRef {
            path: path.into(),
            fingerprint: fingerprint.into(),
        }
    }
}

/// One run of a command, as recorded: what was asked, what it read and wrote, how it scored.
///
/// Lineage is by fingerprint: a `label` run records its output file's fingerprint, a `train`
/// or `validate` run its data file's, so the labeling run that made a training file is the
/// `label` run whose `output` fingerprint is the training run's `data` fingerprint
/// ([`Store::labeled_by`](crate::Store::labeled_by)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunRecord {
    /// `train`, `validate` or `label` (any name a program chooses).
    pub command: String,
    /// How it ended.
    pub status: Status,
    /// The process exit code, when the run finished.
    pub exit_code: Option<i32>,
    /// When it started, in UTC (RFC 3339).
    pub started_at: String,
    /// How long it took, in seconds.
    pub duration_seconds: f64,
    /// The command's flags, by name.
    pub params: Map<String, Value>,
    /// The configuration the command resolved from its flags and files (JSON).
    pub config: Value,
    /// Scalar metrics by name (test metrics of a training run, the metrics a validation
    /// evaluated, the counts of a labeling).
    pub metrics: BTreeMap<String, f64>,
    /// The model's name (train, validate).
    pub model: Option<String>,
    /// The gate's verdict (validate): `pass` or `fail`.
    pub verdict: Option<String>,
    /// The data file read.
    pub data: Option<FileRef>,
    /// The data file written (label's output).
    pub output: Option<FileRef>,
    /// The model artifact written (train) or checked (validate), with the hash of its bytes
    /// as written.
    pub artifact: Option<FileRef>,
    /// The seed of the run.
    pub seed: Option<u64>,
    /// The crisp version that ran it.
    pub crisp_version: String,
    /// `git rev-parse HEAD` of the working directory, `-dirty` when tracked files had changes
    /// ([`git_commit`]).
    pub git_commit: Option<String>,
}

impl RunRecord {
    /// A run of `command` starting now, with this crisp's version, status
    /// [`Status::Running`] and nothing else known yet.
    pub fn new(command: impl Into<String>) -> Self {
        RunRecord {
            command: command.into(),
            status: Status::Running,
            exit_code: None,
            started_at: crate::now_rfc3339(),
            duration_seconds: 0.0,
            params: Map::new(),
            config: Value::Object(Map::new()),
            metrics: BTreeMap::new(),
            model: None,
            verdict: None,
            data: None,
            output: None,
            artifact: None,
            seed: None,
            crisp_version: crisp_core::VERSION.to_string(),
            git_commit: None,
        }
    }

    /// The same record, finished with `status` and the exit code that goes with it.
    pub fn finished(mut self, status: Status) -> Self {
        self.exit_code = match status {
            Status::Running => None,
            Status::Ok => Some(0),
            Status::Failed => Some(1),
            Status::Error => Some(2),
        };
        self.status = status;
        self
    }
}

/// A recorded run: its id and its record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// The run's id in its store.
    pub id: RunId,
    /// What was recorded.
    #[serde(flatten)]
    pub record: RunRecord,
}

/// The git commit checked out in `dir` (`git rev-parse HEAD`), with `-dirty` appended when
/// tracked files have uncommitted changes (`git status --porcelain --untracked-files=no`:
/// untracked outputs such as the run store or an artifact do not count). `None` outside a
/// repository or without git.
pub fn git_commit(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "HEAD"]).filter(|h| !h.is_empty())?;
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|changes| !changes.is_empty());
    Some(if dirty { format!("{head}-dirty") } else { head })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_parse_and_refuse_nonsense() {
        assert_eq!("12".parse::<RunId>().unwrap(), RunId(12));
        for bad in ["0", "-3", "x", ""] {
            let err = bad.parse::<RunId>().unwrap_err().to_string();
            assert!(err.contains("is not a run id"), "{bad}: {err}");
        }
    }

    #[test]
    fn finished_sets_the_exit_code() {
        let r = RunRecord::new("validate").finished(Status::Failed);
        assert_eq!((r.status, r.exit_code), (Status::Failed, Some(1)));
        assert_eq!(r.crisp_version, crisp_core::VERSION);
        for s in [Status::Running, Status::Ok, Status::Failed, Status::Error] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn git_commit_outside_a_repository_is_none() {
        let dir = tempfile::tempdir().unwrap();
        // A temporary directory is in no repository (unless /tmp itself is in one).
        if git_commit(&std::env::temp_dir()).is_none() {
            assert_eq!(git_commit(dir.path()), None);
        }
    }

    #[test]
    fn git_commit_of_a_repository_and_dirty_changes() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_AUTHOR_NAME", "t")
                .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
                .env("GIT_COMMITTER_NAME", "t")
                .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        if !git(&["init", "-q"]) {
            return; // no git on this machine: nothing to check
        }
        std::fs::write(dir.path().join("a.txt"), "one").unwrap();
        assert!(git(&["add", "a.txt"]));
        assert!(git(&["commit", "-q", "-m", "one"]));
        let clean = git_commit(dir.path()).expect("a commit");
        assert_eq!(clean.len(), 40, "{clean}");
        // An untracked file (a run store) leaves it clean; a changed tracked file does not.
        std::fs::write(dir.path().join("crisp.db"), "x").unwrap();
        assert_eq!(git_commit(dir.path()).as_deref(), Some(clean.as_str()));
        std::fs::write(dir.path().join("a.txt"), "two").unwrap();
        assert_eq!(git_commit(dir.path()), Some(format!("{clean}-dirty")));
    }
}
