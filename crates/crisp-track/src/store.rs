//! The run store: one SQLite file, one row per run, its schema versioned by
//! `PRAGMA user_version`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crisp_core::{bail, Error, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior};

use crate::record::{FileRef, Run, RunId, RunRecord, Status};
use crate::Query;

/// Where the `crisp` command keeps its runs unless told otherwise: `crisp.db` in the working
/// directory.
pub const DEFAULT_PATH: &str = "crisp.db";

/// How long a writer waits for another process that holds the store's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema migrations, in order: migration `i` (from 0) takes a store from schema `i` to
/// `i + 1`. A new schema is one more entry at the end; entries are never edited, since stores
/// made by released versions have run them.
const MIGRATIONS: &[&str] = &[
    // 1: one row per run.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        command TEXT NOT NULL,
        status TEXT NOT NULL,
        exit_code INTEGER,
        started_at TEXT NOT NULL,
        duration_seconds REAL NOT NULL,
        params TEXT NOT NULL,
        config TEXT NOT NULL,
        metrics TEXT NOT NULL,
        model TEXT,
        verdict TEXT,
        data_path TEXT,
        data_fingerprint TEXT,
        artifact_path TEXT,
        artifact_hash TEXT,
        seed INTEGER,
        crisp_version TEXT NOT NULL,
        git_commit TEXT
    );",
    // 2: lineage. A label run's output file, and indexes to go from a file's fingerprint to
    // the runs that read or wrote it.
    "ALTER TABLE runs ADD COLUMN output_path TEXT;
     ALTER TABLE runs ADD COLUMN output_fingerprint TEXT;
     CREATE INDEX runs_by_data ON runs (data_fingerprint);
     CREATE INDEX runs_by_output ON runs (output_fingerprint);
     CREATE INDEX runs_by_artifact ON runs (artifact_hash);",
    // 3: the model registry. One row per pushed version (its file relative to the registry
    // directory), and every alias move, in order (an alias points at its last move's version
    // once rollbacks are replayed: see registry.rs).
    "CREATE TABLE registry_versions (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        file TEXT NOT NULL,
        hash TEXT NOT NULL,
        blessed INTEGER NOT NULL,
        run_id INTEGER,
        source TEXT NOT NULL,
        pushed_by TEXT NOT NULL,
        pushed_at TEXT NOT NULL,
        PRIMARY KEY (name, version)
    );
    CREATE TABLE registry_alias_moves (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        alias TEXT NOT NULL,
        version INTEGER NOT NULL,
        kind TEXT NOT NULL,
        forced INTEGER NOT NULL,
        reason TEXT,
        moved_by TEXT NOT NULL,
        moved_at TEXT NOT NULL
    );
    CREATE INDEX registry_moves_by_alias ON registry_alias_moves (name, alias, id);",
];

/// The schema this crisp writes: stores of older schemas are migrated when opened, stores of
/// newer ones refused.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

const COLUMNS: &str = "id, command, status, exit_code, started_at, duration_seconds, params, \
    config, metrics, model, verdict, data_path, data_fingerprint, output_path, \
    output_fingerprint, artifact_path, artifact_hash, seed, crisp_version, git_commit";

/// A run store: a SQLite database in WAL mode (readers never wait for the writer) with a
/// 10-second busy timeout, so that several crisp processes can record into one store at once.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) path: PathBuf,
}

impl Store {
    /// The store at `path`, created if there is none, migrated to [`SCHEMA_VERSION`] if it is
    /// older. A store of a newer schema, or a file that is not a SQLite database, is an error
    /// naming the file.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path.as_ref(), true)
    }

    /// The store at `path`, which must exist (reading runs should not leave an empty store
    /// behind); migrated like [`Store::open`].
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with(path.as_ref(), false)
    }

    /// Make an empty store at `path` with the schema of an older crisp (`version` from 1 to
    /// [`SCHEMA_VERSION`]), as that crisp would have: for testing that old stores open. The
    /// file must not exist yet.
    pub fn create_at_schema(path: impl AsRef<Path>, version: u32) -> Result<()> {
        let path = path.as_ref();
        if !(1..=SCHEMA_VERSION).contains(&version) {
            bail!(Config: "run store schema {version} does not exist (this crisp knows 1 to {SCHEMA_VERSION})");
        }
        if path.exists() {
            bail!(Config { file: path.display() }: "{} already exists", path.display());
        }
        let mut conn = connect(path, true)?;
        migrate(&mut conn, path, version)
    }

    fn open_with(path: &Path, create: bool) -> Result<Store> {
        if !create && !path.is_file() {
            bail!(
                Config { file: path.display() }:
                "no run store at {} (crisp train, validate and label create it)",
                path.display()
            );
        }
        let mut conn = connect(path, create)?;
        migrate(&mut conn, path, SCHEMA_VERSION)?;
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(Store { conn, path })
    }

    /// The store's file, as an absolute path when it can be resolved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the store (after the migrations of [`Store::open`]).
    pub fn schema_version(&self) -> Result<u32> {
        user_version(&self.conn, &self.path)
    }

    /// Record `record` as a new run and return its id. Metrics that are not finite numbers
    /// are left out.
    pub fn record(&self, record: &RunRecord) -> Result<RunId> {
        let values = Values::of(record, &self.path)?;
        self.conn
            .execute(
                "INSERT INTO runs (command, status, exit_code, started_at, duration_seconds, \
                 params, config, metrics, model, verdict, data_path, data_fingerprint, \
                 output_path, output_fingerprint, artifact_path, artifact_hash, seed, \
                 crisp_version, git_commit) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
                 ?16, ?17, ?18, ?19)",
                values.params().as_slice(),
            )
            .map_err(|e| sql(&self.path, e))?;
        let id = self.conn.last_insert_rowid();
        Ok(RunId(u64::try_from(id).unwrap_or(0)))
    }

    /// Replace what run `id` recorded with `record` (a run recorded as
    /// [`Status::Running`] before its outputs were written, finished now).
    pub fn update(&self, id: RunId, record: &RunRecord) -> Result<()> {
        let key = id_param(id);
        let values = Values::of(record, &self.path)?;
        let mut bound = values.params();
        bound.push(&key);
        let changed = self
            .conn
            .execute(
                "UPDATE runs SET command = ?1, status = ?2, exit_code = ?3, started_at = ?4, \
                 duration_seconds = ?5, params = ?6, config = ?7, metrics = ?8, model = ?9, \
                 verdict = ?10, data_path = ?11, data_fingerprint = ?12, output_path = ?13, \
                 output_fingerprint = ?14, artifact_path = ?15, artifact_hash = ?16, \
                 seed = ?17, crisp_version = ?18, git_commit = ?19 WHERE id = ?20",
                bound.as_slice(),
            )
            .map_err(|e| sql(&self.path, e))?;
        if changed == 0 {
            bail!(Config { file: self.path.display() }: "no run {id} in {}", self.path.display());
        }
        Ok(())
    }

    /// The run `id`, or an error naming it and the store.
    pub fn get(&self, id: RunId) -> Result<Run> {
        let run = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM runs WHERE id = ?1"),
                params![id_param(id)],
                |row| Ok(read_row(row)),
            )
            .optional()
            .map_err(|e| sql(&self.path, e))?;
        match run {
            Some(run) => run.map_err(|e| e.file(self.path.display())),
            None => bail!(
                Config { file: self.path.display() }:
                "no run {id} in {} ({} runs recorded)",
                self.path.display(), self.count()?
            ),
        }
    }

    /// How many runs the store holds.
    pub fn count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get::<_, i64>(0))
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(|e| sql(&self.path, e))
    }

    /// The runs that match every filter of `query`, newest first, at most `query.last` of them.
    pub fn list(&self, query: &Query) -> Result<Vec<Run>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM runs ORDER BY id DESC"))
            .map_err(|e| sql(&self.path, e))?;
        let mut rows = stmt.query([]).map_err(|e| sql(&self.path, e))?;
        let mut runs = Vec::new();
        while let Some(row) = rows.next().map_err(|e| sql(&self.path, e))? {
            if query.last.is_some_and(|n| runs.len() >= n) {
                break;
            }
            let run = read_row(row).map_err(|e| e.file(self.path.display()))?;
            if query.matches(&run) {
                runs.push(run);
            }
        }
        Ok(runs)
    }

    /// The labeling run that wrote the data `run` read: the latest successful `label` run
    /// recorded before it whose output has the fingerprint of `run`'s data file.
    pub fn labeled_by(&self, run: &Run) -> Result<Option<Run>> {
        let Some(data) = &run.record.data else {
            return Ok(None);
        };
        let found = self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM runs WHERE command = 'label' AND status = 'ok' \
                     AND output_fingerprint = ?1 AND id < ?2 ORDER BY id DESC LIMIT 1"
                ),
                params![data.fingerprint, id_param(run.id)],
                |row| Ok(read_row(row)),
            )
            .optional()
            .map_err(|e| sql(&self.path, e))?;
        found.transpose().map_err(|e| e.file(self.path.display()))
    }

    /// The runs that read the file with `fingerprint` as their data (training and validation
    /// runs on a labeled file, for instance), oldest first.
    pub fn runs_on_data(&self, fingerprint: &str) -> Result<Vec<Run>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM runs WHERE data_fingerprint = ?1 ORDER BY id"
            ))
            .map_err(|e| sql(&self.path, e))?;
        let mut rows = stmt
            .query(params![fingerprint])
            .map_err(|e| sql(&self.path, e))?;
        let mut runs = Vec::new();
        while let Some(row) = rows.next().map_err(|e| sql(&self.path, e))? {
            runs.push(read_row(row).map_err(|e| e.file(self.path.display()))?);
        }
        Ok(runs)
    }
}

/// A connection to `path` with the busy timeout and WAL journal.
fn connect(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        Error::data(format!("cannot open the run store {}: {e}", path.display()))
            .file(path.display())
    })?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| sql(path, e))?;
    // Switching to WAL takes an exclusive lock for a moment: two processes creating the
    // store at once can see SQLITE_BUSY here, which the busy handler does not always cover.
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Ok(_) => break,
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(sql(path, e)),
        }
    }
    Ok(conn)
}

/// Run the migrations that take the store from its schema to `target`, in one write
/// transaction (a concurrent opener waits, then finds nothing left to do).
fn migrate(conn: &mut Connection, path: &Path, target: u32) -> Result<()> {
    let version = user_version(conn, path)?;
    check_not_newer(version, path)?;
    if version >= target {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| sql(path, e))?;
    let version = user_version(&tx, path)?;
    check_not_newer(version, path)?;
    if version < target {
        for sql_text in &MIGRATIONS[version as usize..target as usize] {
            tx.execute_batch(sql_text).map_err(|e| sql(path, e))?;
        }
        tx.pragma_update(None, "user_version", target)
            .map_err(|e| sql(path, e))?;
    }
    tx.commit().map_err(|e| sql(path, e))
}

fn check_not_newer(version: u32, path: &Path) -> Result<()> {
    if version > SCHEMA_VERSION {
        bail!(
            Config { file: path.display() }:
            "the run store {} has schema {version}, written by a newer crisp (this one, {}, reads up to schema {SCHEMA_VERSION}); upgrade crisp",
            path.display(), crisp_core::VERSION
        );
    }
    Ok(())
}

fn user_version(conn: &Connection, path: &Path) -> Result<u32> {
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| sql(path, e))?;
    Ok(u32::try_from(v).unwrap_or(u32::MAX))
}

pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// A SQLite failure on the store at `path`, in one sentence naming it.
pub(crate) fn sql(path: &Path, e: rusqlite::Error) -> Error {
    let what = match &e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            format!("{} is not a crisp run store: {e}", path.display())
        }
        _ => format!("run store {}: {e}", path.display()),
    };
    Error::data(what).file(path.display())
}

/// Row ids are SQLite integers (i64); ids past i64::MAX cannot exist in a store.
fn id_param(id: RunId) -> i64 {
    i64::try_from(id.0).unwrap_or(i64::MAX)
}

/// A record's columns, in the order of the INSERT and UPDATE statements.
struct Values {
    command: String,
    status: &'static str,
    exit_code: Option<i32>,
    started_at: String,
    duration_seconds: f64,
    params: String,
    config: String,
    metrics: String,
    model: Option<String>,
    verdict: Option<String>,
    files: [Option<String>; 6],
    seed: Option<i64>,
    crisp_version: String,
    git_commit: Option<String>,
}

impl Values {
    fn of(record: &RunRecord, path: &Path) -> Result<Values> {
        let finite: std::collections::BTreeMap<&String, f64> = record
            .metrics
            .iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(k, v)| (k, *v))
            .collect();
        let json = |what: &str, r: serde_json::Result<String>| {
            r.map_err(|e| {
                Error::data(format!(
                    "cannot record the run's {what} in {}: {e}",
                    path.display()
                ))
            })
        };
        let path_of = |f: &Option<FileRef>| f.as_ref().map(|f| f.path.clone());
        let fingerprint_of = |f: &Option<FileRef>| f.as_ref().map(|f| f.fingerprint.clone());
        Ok(Values {
            command: record.command.clone(),
            status: record.status.as_str(),
            exit_code: record.exit_code,
            started_at: record.started_at.clone(),
            duration_seconds: record.duration_seconds,
            params: json("parameters", serde_json::to_string(&record.params))?,
            config: json("configuration", serde_json::to_string(&record.config))?,
            metrics: json("metrics", serde_json::to_string(&finite))?,
            model: record.model.clone(),
            verdict: record.verdict.clone(),
            files: [
                path_of(&record.data),
                fingerprint_of(&record.data),
                path_of(&record.output),
                fingerprint_of(&record.output),
                path_of(&record.artifact),
                fingerprint_of(&record.artifact),
            ],
            // Seeds are u64; SQLite integers are i64. The bits are kept (a seed above
            // i64::MAX reads back as itself).
            seed: record.seed.map(|s| s as i64),
            crisp_version: record.crisp_version.clone(),
            git_commit: record.git_commit.clone(),
        })
    }

    /// Parameters ?1 to ?19.
    fn params(&self) -> Vec<&dyn rusqlite::ToSql> {
        let [data_path, data_fp, output_path, output_fp, artifact_path, artifact_hash] =
            &self.files;
        vec![
            &self.command,
            &self.status,
            &self.exit_code,
            &self.started_at,
            &self.duration_seconds,
            &self.params,
            &self.config,
            &self.metrics,
            &self.model,
            &self.verdict,
            data_path,
            data_fp,
            output_path,
            output_fp,
            artifact_path,
            artifact_hash,
            &self.seed,
            &self.crisp_version,
            &self.git_commit,
        ]
    }
}

fn read_row(row: &Row<'_>) -> Result<Run> {
    let get_err = |e: rusqlite::Error| Error::data(format!("unreadable run: {e}"));
    let id: i64 = row.get(0).map_err(get_err)?;
    let id = RunId(u64::try_from(id).unwrap_or(0));
    let text = |i: usize| -> Result<Option<String>> { row.get(i).map_err(get_err) };
    let json = |i: usize, what: &str| -> Result<serde_json::Value> {
        let t: String = row.get(i).map_err(get_err)?;
        serde_json::from_str(&t)
            .map_err(|e| Error::data(format!("run {id} has unreadable {what}: {e}")))
    };
    let file = |p: usize| -> Result<Option<FileRef>> {
        Ok(match (text(p)?, text(p + 1)?) {
            (Some(path), Some(fp)) => Some(FileRef::new(path, fp)),
            _ => None,
        })
    };
    let status: String = row.get(2).map_err(get_err)?;
    let Some(status) = Status::parse(&status) else {
        bail!(Data: "run {id} has an unknown status '{status}'");
    };
    let params = match json(6, "parameters")? {
        serde_json::Value::Object(m) => m,
        other => bail!(Data: "run {id} has parameters that are not a JSON object: {other}"),
    };
    let metrics = serde_json::from_value(json(8, "metrics")?)
        .map_err(|e| Error::data(format!("run {id} has unreadable metrics: {e}")))?;
    let seed: Option<i64> = row.get(17).map_err(get_err)?;
    Ok(Run {
        id,
        record: RunRecord {
            command: row.get(1).map_err(get_err)?,
            status,
            exit_code: row.get(3).map_err(get_err)?,
            started_at: row.get(4).map_err(get_err)?,
            duration_seconds: row.get(5).map_err(get_err)?,
            params,
            config: json(7, "configuration")?,
            metrics,
            model: text(9)?,
            verdict: text(10)?,
            data: file(11)?,
            output: file(13)?,
            artifact: file(15)?,
            seed: seed.map(|s| s as u64),
            crisp_version: row.get(18).map_err(get_err)?,
            git_commit: text(19)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Filter;

    fn record(command: &str, accuracy: f64) -> RunRecord {
        let mut r = RunRecord::new(command).finished(Status::Ok);
        r.model = Some("gbdt".into());
        r.metrics.insert("accuracy".into(), accuracy);
        r.params.insert("target".into(), "income".into());
        r.data = Some(FileRef::new("adult.csv", "a".repeat(32)));
        r.seed = Some(u64::MAX - 1);
        r
    }

    #[test]
    fn records_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("crisp.db")).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let mut r = record("train", 0.85);
        r.metrics.insert("bad".into(), f64::NAN);
        r.artifact = Some(FileRef::new("m.crisp", "b".repeat(32)));
        r.git_commit = Some("abc-dirty".into());
        r.config = serde_json::json!({"features": [{"kind": "impute"}]});
        let id = store.record(&r).unwrap();
        assert_eq!(id, RunId(1));
        let back = store.get(id).unwrap();
        r.metrics.remove("bad");
        assert_eq!(back.record, r);
        assert_eq!(back.record.seed, Some(u64::MAX - 1));
    }

    #[test]
    fn update_finishes_a_running_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap();
        let id = store.record(&RunRecord::new("train")).unwrap();
        assert_eq!(store.get(id).unwrap().record.status, Status::Running);
        let done = record("train", 0.9);
        store.update(id, &done).unwrap();
        assert_eq!(store.get(id).unwrap().record, done);
        let err = store.update(RunId(99), &done).unwrap_err().to_string();
        assert!(err.contains("no run 99 in"), "{err}");
    }

    #[test]
    fn list_filters_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("crisp.db")).unwrap();
        for (i, acc) in [0.7, 0.9, 0.8, 0.95].into_iter().enumerate() {
            let mut r = record("train", acc);
            if i == 1 {
                r.model = Some("linfa_decision_tree".into());
            }
            store.record(&r).unwrap();
        }
        store
            .record(&RunRecord::new("label").finished(Status::Ok))
            .unwrap();
        let ids =
            |q: Query| -> Vec<u64> { store.list(&q).unwrap().iter().map(|r| r.id.0).collect() };
        assert_eq!(ids(Query::new()), [5, 4, 3, 2, 1]);
        assert_eq!(ids(Query::new().last(2)), [5, 4]);
        let good: Filter = "accuracy>0.75".parse().unwrap();
        assert_eq!(ids(Query::new().filter(good.clone())), [4, 3, 2]);
        assert_eq!(ids(Query::new().filter(good.clone()).last(2)), [4, 3]);
        let gbdt: Filter = "model=gbdt".parse().unwrap();
        assert_eq!(ids(Query::new().filter(good).filter(gbdt)), [4, 3]);
        assert_eq!(store.count().unwrap(), 5);
    }

    #[test]
    fn lineage_finds_the_label_run_that_wrote_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("crisp.db")).unwrap();
        let mut label = RunRecord::new("label").finished(Status::Ok);
        label.data = Some(FileRef::new("raw.csv", "r".repeat(32)));
        label.output = Some(FileRef::new("labeled.csv", "l".repeat(32)));
        let label_id = store.record(&label).unwrap();
        let mut train = record("train", 0.8);
        train.data = Some(FileRef::new("labeled.csv", "l".repeat(32)));
        let train_id = store.record(&train).unwrap();
        let other = store.record(&record("train", 0.8)).unwrap();

        let by = store.labeled_by(&store.get(train_id).unwrap()).unwrap();
        assert_eq!(by.map(|r| r.id), Some(label_id));
        assert_eq!(store.labeled_by(&store.get(other).unwrap()).unwrap(), None);
        let on: Vec<RunId> = store
            .runs_on_data(&"l".repeat(32))
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(on, [train_id]);
    }

    #[test]
    fn a_schema_1_store_with_runs_opens_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        Store::create_at_schema(&path, 1).unwrap();
        {
            // A run as the first schema held it (no output columns).
            let conn = Connection::open(&path).unwrap();
            let v: i64 = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(v, 1);
            conn.execute(
                "INSERT INTO runs (command, status, exit_code, started_at, duration_seconds, \
                 params, config, metrics, model, data_path, data_fingerprint, seed, crisp_version) \
                 VALUES ('train', 'ok', 0, '2026-01-02T03:04:05Z', 1.5, '{\"target\":\"price\"}', \
                 '{}', '{\"rmse\":812.5}', 'gbdt', 'diamonds.csv', 'abc', 7, '0.0.9')",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let old = store.get(RunId(1)).unwrap();
        assert_eq!(old.record.metrics["rmse"], 812.5);
        assert_eq!(old.record.crisp_version, "0.0.9");
        assert_eq!(old.record.output, None);
        let mut label = RunRecord::new("label").finished(Status::Ok);
        label.output = Some(FileRef::new("out.csv", "o".repeat(32)));
        let id = store.record(&label).unwrap();
        assert_eq!(id, RunId(2));
        assert_eq!(store.get(id).unwrap().record.output, label.output);
    }

    #[test]
    fn newer_stores_missing_stores_and_other_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let err = Store::open(&path).unwrap_err().to_string();
        assert!(
            err.contains("written by a newer crisp") && err.contains("new.db"),
            "{err}"
        );

        let missing = dir.path().join("none.db");
        let err = Store::open_existing(&missing).unwrap_err().to_string();
        assert!(
            err.contains("no run store at") && err.contains("none.db"),
            "{err}"
        );
        assert!(!missing.exists());

        let csv = dir.path().join("data.csv");
        std::fs::write(&csv, "a,b\n1,2\n3,4\n".repeat(200)).unwrap();
        let err = Store::open(&csv).unwrap_err().to_string();
        assert!(err.contains("data.csv") && err.contains("not a"), "{err}");

        let err = Store::open(dir.path().join("no/such/dir/crisp.db"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot open the run store"), "{err}");
        assert!(Store::create_at_schema(dir.path().join("x.db"), 0).is_err());
        assert!(Store::create_at_schema(&path, 1).is_err());
    }

    #[test]
    fn concurrent_writers_all_land() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crisp.db");
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let store = Store::open(&path).unwrap();
                    for j in 0..10 {
                        store
                            .record(&record("train", f64::from(i * 10 + j)))
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let runs = store.list(&Query::new()).unwrap();
        assert_eq!(runs.len(), 80);
        let mut seen: Vec<u64> = runs
            .iter()
            .map(|r| r.record.metrics["accuracy"] as u64)
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..80).collect::<Vec<u64>>());
    }
}
