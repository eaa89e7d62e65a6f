//! The harness for integration tests: a fresh temporary directory per test and a runner for the
//! real `crisp` binary that shows the command, its directory and its output when something is
//! not as expected.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use polars::prelude::SerReader;
use serde_json::Value;

/// A scratch directory for one test, removed when dropped.
pub struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            dir: tempfile::Builder::new()
                .prefix("crisp-test-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Write a file inside the directory and return its path.
    pub fn create(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write test file");
        path
    }

    /// Read a file inside the directory as text.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// Read a CSV or Parquet file inside the directory (by its extension) into a frame.
    pub fn frame(&self, name: &str) -> polars::prelude::DataFrame {
        let path = self.path(name);
        if name.ends_with(".parquet") {
            let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("open {name}: {e}"));
            polars::prelude::ParquetReader::new(file)
                .finish()
                .unwrap_or_else(|e| panic!("{name} is not Parquet: {e}"))
        } else {
            crisp_core::read_csv(&path)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .frame
        }
    }

    /// Read a JSON file inside the directory.
    pub fn json(&self, name: &str) -> serde_json::Value {
        serde_json::from_str(&self.read(name)).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
    }

    /// `crisp train --data DATA --target TARGET` followed by `more`, run in this directory.
    pub fn train(&self, data: impl AsRef<OsStr>, target: &str, more: &[&str]) -> Run {
        let head = ["train", "--data"].map(OsStr::new);
        let args = head
            .into_iter()
            .chain([data.as_ref(), OsStr::new("--target"), OsStr::new(target)])
            .chain(more.iter().map(OsStr::new));
        self.crisp(args)
    }

    /// `crisp features --config CONFIG --data DATA --out OUT` followed by `more`, run in this
    /// directory.
    pub fn features(&self, config: &str, data: impl AsRef<OsStr>, out: &str, more: &[&str]) -> Run {
        let head = ["features", "--config", config, "--data"].map(OsStr::new);
        let args = head
            .into_iter()
            .chain([data.as_ref(), OsStr::new("--out"), OsStr::new(out)])
            .chain(more.iter().map(OsStr::new));
        self.crisp(args)
    }

    /// `crisp` with `args`, run in this directory.
    pub fn crisp<S: AsRef<OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Run {
        self.crisp_env(args, &[])
    }

    /// `crisp` with `args` and the environment variables `env`, run in this directory.
    pub fn crisp_env<S: AsRef<OsStr>>(
        &self,
        args: impl IntoIterator<Item = S>,
        env: &[(&str, &str)],
    ) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crisp"));
        cmd.current_dir(self.dir.path()).args(args);
        // The caller's log filter would add lines to stderr that the tests do not expect.
        cmd.env_remove("RUST_LOG");
        cmd.envs(env.iter().copied());
        let shown = format!("{cmd:?}");
        let output = cmd.output().expect("run crisp");
        Run {
            shown,
            output,
            dir: self.dir.path().to_path_buf(),
        }
    }
}

/// `crisp` with `args` on a pseudo-terminal (through util-linux's `script`, which Debian
/// always has): what a user at a terminal sees, stdout and stderr together, with the
/// carriage returns and escape codes of any progress bar.
pub fn crisp_on_terminal(dir: &Dir, args: &[&str]) -> String {
    let quote = |a: &str| format!("'{}'", a.replace('\'', "'\\''"));
    let line: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_crisp"))
        .chain(args.iter().copied())
        .map(quote)
        .collect();
    let output = Command::new("script")
        .args(["-qec", &line.join(" "), "/dev/null"])
        .current_dir(dir.path("."))
        .env("SHELL", "/bin/sh")
        .env_remove("RUST_LOG")
        .output()
        .expect("run crisp through script(1), from util-linux");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{:?}\n{text}", output.status);
    text
}

/// A metric of a `train` or `validate` JSON report, failing the test if it is absent.
pub fn metric(report: &serde_json::Value, name: &str) -> f64 {
    report["metrics"][name]
        .as_f64()
        .unwrap_or_else(|| panic!("no metric {name} in {report:#}"))
}

/// A bundled dataset.
pub fn dataset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets")
        .join(name)
}

/// A finished `crisp` run.
pub struct Run {
    shown: String,
    output: Output,
    dir: PathBuf,
}

impl Run {
    fn describe(&self) -> String {
        let files: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        format!(
            "command: {}\ndir: {} (files: {})\nexit: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.shown,
            self.dir.display(),
            files.join(", "),
            self.output.status.code(),
            self.stdout(),
            self.stderr()
        )
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Assert the exit code, returning the run for more checks.
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.output.status.code(),
            Some(expected),
            "unexpected exit code\n{}",
            self.describe()
        );
        self
    }

    /// Whether the process was killed by a signal (no exit code).
    pub fn killed(&self) -> bool {
        self.output.status.code().is_none()
    }

    /// Assert success (exit 0) and return stdout.
    pub fn ok(self) -> String {
        self.code(0).stdout()
    }

    /// Assert exit 2 with an error on stderr containing every one of `parts`; no panic.
    pub fn error(self, parts: &[&str]) -> String {
        let run = self.code(2);
        let err = run.stderr();
        assert!(
            err.starts_with("crisp: error: "),
            "not a crisp error\n{}",
            run.describe()
        );
        assert!(!err.contains("panicked"), "panicked\n{}", run.describe());
        for part in parts {
            assert!(
                err.contains(part),
                "stderr lacks {part:?}\n{}",
                run.describe()
            );
        }
        err
    }
}

/// A numeric column of `frame` as `f64`s (NaN for missing), failing the test if it is absent.
pub fn values(frame: &polars::prelude::DataFrame, name: &str) -> Vec<f64> {
    crisp_core::to_vector(frame, name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .to_vec()
}

/// Every `every`-th data row of a bundled CSV (from the first), with a `row` column (0, 1, ...)
/// appended when `row_column`; written to `out` in `dir`.
pub fn sample(dir: &Dir, data: &str, out: &str, every: usize, row_column: bool) -> PathBuf {
    let text = std::fs::read_to_string(dataset(data)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let mut csv = String::from(header);
    if row_column {
        csv.push_str(",row");
    }
    csv.push('\n');
    for (i, line) in lines.step_by(every).enumerate() {
        csv.push_str(line);
        if row_column {
            csv.push_str(&format!(",{i}"));
        }
        csv.push('\n');
    }
    dir.create(out, csv)
}

/// The model body of an artifact (the bincode `FittedModel`, without the header that holds the
/// training time), per docs/artifact-format.md.
pub fn body(dir: &Dir, name: &str) -> Vec<u8> {
    let bytes = std::fs::read(dir.path(name)).unwrap();
    let header_len = u64::from_le_bytes(bytes[12..20].try_into().unwrap()) as usize;
    let at = 20 + header_len;
    let body_len = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as usize;
    bytes[at + 8..at + 8 + body_len].to_vec()
}

/// A JSON number, failing the test if it is not one.
pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The entries of a report's leaderboard.
pub fn entries(report: &Value) -> &Vec<Value> {
    report["leaderboard"]["entries"].as_array().unwrap()
}
