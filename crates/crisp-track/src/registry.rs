//! The model registry: named, numbered copies of artifacts next to the run store, and aliases
//! (`production`, `staging`, ...) that point at a version, with every move kept.
//!
//! # Layout
//!
//! The store `crisp.db` keeps its registry in the directory `crisp.db.registry/`: version `V`
//! of model `NAME` is the file `crisp.db.registry/NAME/V.crisp`, and the store's
//! `registry_versions` table holds one row per version (its file relative to that directory,
//! hash, blessing, run, who pushed it and when). `registry_alias_moves` keeps every alias move.
//!
//! # The push protocol (why a killed writer leaves nothing partial)
//!
//! 1. The artifact is copied to a temporary file `NAME/.tmp-<pid>-<nanos>` in the model's
//!    directory and synced to disk. No row names it; every reader ignores such files.
//! 2. A write transaction starts with `BEGIN IMMEDIATE` (it takes the store's write lock, or
//!    waits for it up to the busy timeout): the next version is `max + 1`, read under the lock,
//!    so two pushers can never get the same number.
//! 3. Inside the transaction, leftovers of killed pushes are removed: `V.crisp` files of the
//!    name with no row (a push killed between its rename and its commit) and temporary files
//!    older than [`STALE_TEMP`].
//! 4. The row is inserted, the temporary file renamed to `V.crisp` (atomic on one file
//!    system), the directory synced, and the transaction committed. A detached signature
//!    `ARTIFACT.sig` next to the pushed artifact goes the same way, to `V.crisp.sig`, renamed
//!    just before the artifact (and removed with it when it has no row).
//!
//! A process killed before the rename leaves only a temporary file; killed between the rename
//! and the commit, a `V.crisp` without a row, which the next push removes (or replaces, as it
//! gets the same version) before anything can read it, since readers resolve versions through
//! rows. After the commit both the row and the file exist. If the commit itself fails, the
//! renamed file is removed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crisp_core::{bail, Error, Result};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

use crate::store::sql;
use crate::Store;

/// How a model path names a registered version instead of a file:
/// `registry:NAME@ALIAS`, `registry:NAME@VERSION` or `registry:NAME` (the latest version).
pub const REGISTRY_PREFIX: &str = "registry:";

/// Temporary files of a push older than this are leftovers of a killed push, removed by the
/// next push of the same name.
const STALE_TEMP: Duration = Duration::from_secs(600);

const TEMP_PREFIX: &str = ".tmp-";

/// One registered version of a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelVersion {
    /// The model's name.
    pub name: String,
    /// Its version, from 1.
    pub version: u32,
    /// The registered copy of the artifact.
    pub path: PathBuf,
    /// The copy's fingerprint (xxh3-128, 32 hex digits, as run records give artifacts).
    pub hash: String,
    /// Whether the artifact was blessed (passed `crisp validate --bless`) when pushed.
    pub blessed: bool,
    /// The run that trained it, as the artifact records it.
    pub run: Option<u64>,
    /// The file it was pushed from.
    pub source: String,
    /// Who pushed it (`USER`, else `USERNAME`, else `unknown`).
    pub pushed_by: String,
    /// When (RFC 3339, UTC).
    pub pushed_at: String,
}

/// One move of an alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AliasMove {
    /// The alias.
    pub alias: String,
    /// The version it was moved to.
    pub version: u32,
    /// `move`, or `rollback` (back to the version before the last move).
    pub kind: String,
    /// Whether the version was not blessed and `--force` overrode the gate.
    pub forced: bool,
    /// The reason given with `--force`.
    pub reason: Option<String>,
    /// Who moved it.
    pub moved_by: String,
    /// When (RFC 3339, UTC).
    pub moved_at: String,
}

/// A registered model in short: `crisp registry list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelSummary {
    /// The model's name.
    pub name: String,
    /// How many versions it has.
    pub versions: u32,
    /// Its latest version.
    pub latest: u32,
    /// Its aliases and the versions they point at.
    pub aliases: BTreeMap<String, u32>,
}

/// Everything the registry holds about a model: `crisp registry show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModelDetail {
    /// The model's name.
    pub name: String,
    /// Its versions, oldest first.
    pub versions: Vec<ModelVersion>,
    /// Its aliases and the versions they point at.
    pub aliases: BTreeMap<String, u32>,
    /// Every alias move, oldest first.
    pub history: Vec<AliasMove>,
}

/// What follows `NAME@`: a version number or an alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// A version number.
    Version(u32),
    /// An alias.
    Alias(String),
}

impl Reference {
    /// `NAME`, `NAME@VERSION` or `NAME@ALIAS`, checked.
    pub fn parse(text: &str) -> Result<(String, Option<Reference>)> {
        let (name, reference) = match text.split_once('@') {
            Some((name, r)) => (name, Some(r)),
            None => (text, None),
        };
        check_name(name, "model name")?;
        let reference = match reference {
            None => None,
            Some(r) if !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) => {
                match r.parse::<u32>() {
                    Ok(v) if v > 0 => Some(Reference::Version(v)),
                    _ => bail!(Config: "'{text}': versions are numbers from 1"),
                }
            }
            Some(r) => {
                check_name(r, "alias")?;
                Some(Reference::Alias(r.to_string()))
            }
        };
        Ok((name.to_string(), reference))
    }
}

/// Names and aliases: letters, digits, `.`, `_` and `-`, not starting with `.` or `-`, at most
/// 64 characters (they become directory names).
fn check_name(text: &str, what: &str) -> Result<()> {
    let ok = !text.is_empty()
        && text.len() <= 64
        && !text.starts_with(['.', '-'])
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        bail!(Config: "'{text}' is not a valid {what}: use 1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'");
    }
    Ok(())
}

/// Who is acting: `USER`, else `USERNAME`, else `unknown`.
pub fn who() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The file a model path names: `path` itself, or for `registry:NAME@ALIAS`,
/// `registry:NAME@VERSION` and `registry:NAME` the registered copy in the store at `store`.
/// Every crisp command that takes a model path resolves it here.
pub fn resolve_model_path(path: &Path, store: &Path) -> Result<PathBuf> {
    let Some(spec) = path.to_str().and_then(|p| p.strip_prefix(REGISTRY_PREFIX)) else {
        return Ok(path.to_path_buf());
    };
    let (name, reference) = Reference::parse(spec)?;
    let store = Store::open_existing(store)?;
    Ok(store.resolve(&name, reference.as_ref())?.path)
}

impl Store {
    /// The directory that holds the registered artifacts: the store's file name with
    /// `.registry` appended, next to it.
    pub fn registry_dir(&self) -> PathBuf {
        let mut name = self.path.as_os_str().to_os_string();
        name.push(".registry");
        PathBuf::from(name)
    }

    /// Register a copy of the artifact `source` as the next version of `name`, with what its
    /// header says (`blessed`, the `run` that trained it), pushed by `who`. Safe against
    /// concurrent pushes and killed pushers: see the module's protocol.
    pub fn push(
        &self,
        source: &Path,
        name: &str,
        blessed: bool,
        run: Option<u64>,
        who: &str,
    ) -> Result<ModelVersion> {
        check_name(name, "model name")?;
        let bytes = fs::read(source).map_err(|e| Error::data_file(source, e))?;
        let hash = crisp_core::fingerprint(&bytes);
        let dir = self.registry_dir().join(name);
        fs::create_dir_all(&dir).map_err(|e| Error::io("create the directory", &dir, e))?;
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let temp = dir.join(format!("{TEMP_PREFIX}{}-{nanos}", std::process::id()));
        write_synced(&temp, &bytes)?;
        die_here_for_tests("after-copy");
        // A detached signature `ARTIFACT.sig` travels with the artifact, as `V.crisp.sig`.
        let mut sig_source = source.as_os_str().to_os_string();
        sig_source.push(".sig");
        let sig_source = PathBuf::from(sig_source);
        let sig_temp = match fs::read(&sig_source) {
            Ok(sig) => {
                let t = dir.join(format!("{TEMP_PREFIX}{}-{nanos}.sig", std::process::id()));
                write_synced(&t, &sig)?;
                Some(t)
            }
            Err(_) => None,
        };
        let pushed = self.commit_push(
            (&temp, sig_temp.as_deref()),
            &dir,
            name,
            &hash,
            blessed,
            run,
            source,
            who,
        );
        if pushed.is_err() {
            let _ = fs::remove_file(&temp);
            if let Some(t) = &sig_temp {
                let _ = fs::remove_file(t);
            }
        }
        pushed
    }

    #[allow(clippy::too_many_arguments)]
    fn commit_push(
        &self,
        (temp, sig_temp): (&Path, Option<&Path>),
        dir: &Path,
        name: &str,
        hash: &str,
        blessed: bool,
        run: Option<u64>,
        source: &Path,
        who: &str,
    ) -> Result<ModelVersion> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| sql(&self.path, e))?;
        let latest: Option<i64> = tx
            .query_row(
                "SELECT MAX(version) FROM registry_versions WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .map_err(|e| sql(&self.path, e))?;
        let version = u32::try_from(latest.unwrap_or(0) + 1)
            .map_err(|_| Error::config(format!("model '{name}' has no versions left")))?;
        remove_leftovers(&tx, &self.path, dir, name)?;
        let file = format!("{name}/{version}.crisp");
        let version_row = ModelVersion {
            name: name.to_string(),
            version,
            path: dir.join(format!("{version}.crisp")),
            hash: hash.to_string(),
            blessed,
            run,
            source: source.display().to_string(),
            pushed_by: who.to_string(),
            pushed_at: crate::now_rfc3339(),
        };
        tx.execute(
            "INSERT INTO registry_versions (name, version, file, hash, blessed, run_id, source, \
             pushed_by, pushed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                name,
                version,
                file,
                hash,
                blessed,
                run.map(|r| i64::try_from(r).unwrap_or(i64::MAX)),
                version_row.source,
                who,
                version_row.pushed_at
            ],
        )
        .map_err(|e| sql(&self.path, e))?;
        let sig_path = dir.join(format!("{version}.crisp.sig"));
        if let Some(sig_temp) = sig_temp {
            fs::rename(sig_temp, &sig_path)
                .map_err(|e| Error::io("move into place", &sig_path, e))?;
        }
        fs::rename(temp, &version_row.path)
            .map_err(|e| Error::io("move into place", &version_row.path, e))?;
        sync_dir(dir);
        die_here_for_tests("before-commit");
        if let Err(e) = tx.commit() {
            let _ = fs::remove_file(&version_row.path);
            let _ = fs::remove_file(&sig_path);
            return Err(sql(&self.path, e));
        }
        Ok(version_row)
    }

    /// Every registered model, by name.
    pub fn models(&self) -> Result<Vec<ModelSummary>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, COUNT(*), MAX(version) FROM registry_versions GROUP BY name \
                 ORDER BY name",
            )
            .map_err(|e| sql(&self.path, e))?;
        let rows: Vec<(String, u32, u32)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(|e| sql(&self.path, e))?;
        rows.into_iter()
            .map(|(name, versions, latest)| {
                let aliases = aliases(&self.moves(&name)?);
                Ok(ModelSummary {
                    name,
                    versions,
                    latest,
                    aliases,
                })
            })
            .collect()
    }

    /// Everything about the model `name`, or an error naming it and the registered models.
    pub fn model(&self, name: &str) -> Result<ModelDetail> {
        let versions = self.versions(name)?;
        if versions.is_empty() {
            bail!(Config: "no model '{name}' in the registry of {} ({})", self.path.display(), self.known_models()?);
        }
        let history = self.moves(name)?;
        Ok(ModelDetail {
            name: name.to_string(),
            versions,
            aliases: aliases(&history),
            history,
        })
    }

    /// The version `reference` (the latest when `None`) of model `name`: an unknown name,
    /// version or alias is an error naming it and listing what exists.
    pub fn resolve(&self, name: &str, reference: Option<&Reference>) -> Result<ModelVersion> {
        let model = self.model(name)?;
        let version = match reference {
            None => model.versions.last().map_or(0, |v| v.version),
            Some(Reference::Version(v)) => *v,
            Some(Reference::Alias(a)) => match model.aliases.get(a) {
                Some(v) => *v,
                None => {
                    bail!(Config: "model '{name}' has no alias '{a}' ({})", alias_list(&model.aliases))
                }
            },
        };
        let Some(found) = model.versions.into_iter().find(|v| v.version == version) else {
            bail!(Config: "model '{name}' has no version {version} (it has 1 to {})", self.latest(name)?);
        };
        if !found.path.is_file() {
            bail!(Config { file: found.path.display() }: "the registered file of {name}@{version}, {}, is missing", found.path.display());
        }
        Ok(found)
    }

    /// Point `alias` of model `name` at `version`. Only a blessed version may take an alias,
    /// unless `force` gives the reason for overriding that, which is recorded with `who`.
    pub fn move_alias(
        &self,
        name: &str,
        version: u32,
        alias: &str,
        force: Option<&str>,
        who: &str,
    ) -> Result<AliasMove> {
        check_name(alias, "alias")?;
        if alias.bytes().all(|b| b.is_ascii_digit()) {
            bail!(Config: "alias '{alias}' is a number, which would read as a version: choose a name such as 'production'");
        }
        let target = self.resolve(name, Some(&Reference::Version(version)))?;
        if let Some(reason) = force {
            if reason.trim().is_empty() {
                bail!(Config: "--force needs a --reason that says why the gate is overridden");
            }
        } else if !target.blessed {
            bail!(Config: "{name}@{version} is not blessed (it has not passed crisp validate --bless), so it cannot become '{alias}'; bless the artifact and push it again, or override with --force --reason \"...\"");
        }
        let forced = force.is_some() && !target.blessed;
        self.record_move(name, alias, version, "move", forced, force, who)
    }

    /// Move `alias` of model `name` back one step: to the version it pointed at before its
    /// last move (rollbacks undo moves in turn). An error when there is no earlier step.
    pub fn rollback(&self, name: &str, alias: &str, who: &str) -> Result<AliasMove> {
        let model = self.model(name)?;
        let stack = replay(model.history.iter().filter(|m| m.alias == alias));
        match stack.as_slice() {
            [] => {
                bail!(Config: "model '{name}' has no alias '{alias}' ({})", alias_list(&model.aliases))
            }
            [only] => {
                bail!(Config: "alias '{alias}' of model '{name}' has no earlier version to roll back to (it was first set to version {only})")
            }
            [.., previous, _] => {
                let previous = *previous;
                self.record_move(name, alias, previous, "rollback", false, None, who)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record_move(
        &self,
        name: &str,
        alias: &str,
        version: u32,
        kind: &str,
        forced: bool,
        reason: Option<&str>,
        who: &str,
    ) -> Result<AliasMove> {
        let moved = AliasMove {
            alias: alias.to_string(),
            version,
            kind: kind.to_string(),
            forced,
            reason: reason.map(str::to_string),
            moved_by: who.to_string(),
            moved_at: crate::now_rfc3339(),
        };
        self.conn
            .execute(
                "INSERT INTO registry_alias_moves (name, alias, version, kind, forced, reason, \
                 moved_by, moved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    name,
                    alias,
                    version,
                    kind,
                    forced,
                    moved.reason,
                    who,
                    moved.moved_at
                ],
            )
            .map_err(|e| sql(&self.path, e))?;
        Ok(moved)
    }

    fn versions(&self, name: &str) -> Result<Vec<ModelVersion>> {
        let base = self.registry_dir();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT version, file, hash, blessed, run_id, source, pushed_by, pushed_at \
                 FROM registry_versions WHERE name = ?1 ORDER BY version",
            )
            .map_err(|e| sql(&self.path, e))?;
        stmt.query_map(params![name], |r| {
            let file: String = r.get(1)?;
            let run: Option<i64> = r.get(4)?;
            Ok(ModelVersion {
                name: name.to_string(),
                version: r.get(0)?,
                path: base.join(file),
                hash: r.get(2)?,
                blessed: r.get(3)?,
                run: run.and_then(|r| u64::try_from(r).ok()),
                source: r.get(5)?,
                pushed_by: r.get(6)?,
                pushed_at: r.get(7)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| sql(&self.path, e))
    }

    fn moves(&self, name: &str) -> Result<Vec<AliasMove>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT alias, version, kind, forced, reason, moved_by, moved_at \
                 FROM registry_alias_moves WHERE name = ?1 ORDER BY id",
            )
            .map_err(|e| sql(&self.path, e))?;
        stmt.query_map(params![name], |r| {
            Ok(AliasMove {
                alias: r.get(0)?,
                version: r.get(1)?,
                kind: r.get(2)?,
                forced: r.get(3)?,
                reason: r.get(4)?,
                moved_by: r.get(5)?,
                moved_at: r.get(6)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| sql(&self.path, e))
    }

    fn latest(&self, name: &str) -> Result<u32> {
        Ok(self.versions(name)?.last().map_or(0, |v| v.version))
    }

    fn known_models(&self) -> Result<String> {
        let names: Vec<String> = self.models()?.into_iter().map(|m| m.name).collect();
        Ok(if names.is_empty() {
            "the registry is empty: crisp registry push adds models".to_string()
        } else {
            format!("registered: {}", names.join(", "))
        })
    }
}

/// The versions an alias has pointed at, replayed: a move pushes its version, a rollback pops
/// the last one. The last entry is where the alias points now.
fn replay<'a>(moves: impl Iterator<Item = &'a AliasMove>) -> Vec<u32> {
    let mut stack = Vec::new();
    for m in moves {
        if m.kind == "rollback" {
            stack.pop();
            if stack.last() != Some(&m.version) {
                stack.push(m.version);
            }
        } else {
            stack.push(m.version);
        }
    }
    stack
}

/// Each alias and the version it points at now.
fn aliases(history: &[AliasMove]) -> BTreeMap<String, u32> {
    let names: std::collections::BTreeSet<&str> =
        history.iter().map(|m| m.alias.as_str()).collect();
    names
        .into_iter()
        .filter_map(|a| {
            let stack = replay(history.iter().filter(|m| m.alias == a));
            stack.last().map(|v| (a.to_string(), *v))
        })
        .collect()
}

fn alias_list(aliases: &BTreeMap<String, u32>) -> String {
    if aliases.is_empty() {
        "it has no aliases: crisp registry alias sets one".to_string()
    } else {
        let list: Vec<String> = aliases.iter().map(|(a, v)| format!("{a} -> {v}")).collect();
        format!("its aliases: {}", list.join(", "))
    }
}

/// Inside the push's write transaction: remove `V.crisp` files of `name` that have no row
/// (left by a push killed between its rename and its commit) and stale temporary files.
fn remove_leftovers(tx: &Transaction<'_>, store: &Path, dir: &Path, name: &str) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        if file_name.starts_with(TEMP_PREFIX) {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_TEMP);
            if stale {
                let _ = fs::remove_file(entry.path());
            }
            continue;
        }
        let Some(version) = file_name
            .strip_suffix(".sig")
            .unwrap_or(file_name)
            .strip_suffix(".crisp")
            .and_then(|v| v.parse::<u32>().ok())
        else {
            continue;
        };
        let known: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM registry_versions WHERE name = ?1 AND version = ?2",
                params![name, version],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| sql(store, e))?;
        if known.is_none() {
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = fs::File::create(path).map_err(|e| Error::io("create", path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("write", path, e))
}

/// Make a rename in `dir` durable (best effort: not every platform can open a directory).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Kills the process on the spot, as `kill -9` would (no destructor, no rollback code), when
/// the environment variable `CRISP_TEST_ABORT_AT` names `point`: how tests/registry.rs checks
/// that a push killed at its two worst moments (its copy written but no transaction; its file
/// renamed into place but the transaction not committed) leaves nothing that is read, and
/// that the next push repairs it. Unset, it costs one environment lookup per push.
fn die_here_for_tests(point: &str) {
    if std::env::var_os("CRISP_TEST_ABORT_AT").is_some_and(|v| v == point) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &tempfile::TempDir) -> Store {
        Store::open(dir.path().join("crisp.db")).unwrap()
    }

    fn artifact(dir: &tempfile::TempDir, name: &str, body: &str) -> PathBuf {
        let path = dir.path().join(name);
        fs::write(&path, body).unwrap();
        path
    }

    #[test]
    fn references_parse_and_bad_names_are_refused() {
        assert_eq!(
            Reference::parse("iris@2").unwrap(),
            ("iris".into(), Some(Reference::Version(2)))
        );
        assert_eq!(
            Reference::parse("iris@production").unwrap(),
            ("iris".into(), Some(Reference::Alias("production".into())))
        );
        assert_eq!(Reference::parse("iris").unwrap(), ("iris".into(), None));
        for bad in ["", "../x", "a/b", "iris@0", "iris@", ".hidden", "x@a b"] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn push_numbers_versions_and_copies_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let a = artifact(&dir, "a.crisp", "first");
        let v1 = store.push(&a, "iris", false, Some(3), "ann").unwrap();
        let v2 = store.push(&a, "iris", true, None, "bob").unwrap();
        assert_eq!((v1.version, v2.version), (1, 2));
        assert_eq!(fs::read_to_string(&v2.path).unwrap(), "first");
        assert_eq!(v1.hash, crisp_core::fingerprint(b"first"));
        assert_eq!(v1.path, store.registry_dir().join("iris/1.crisp"));
        let model = store.model("iris").unwrap();
        assert_eq!(model.versions, vec![v1.clone(), v2.clone()]);
        assert_eq!(store.resolve("iris", None).unwrap(), v2);
        let err = store
            .resolve("iris", Some(&Reference::Version(9)))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no version 9") && err.contains("1 to 2"),
            "{err}"
        );
        let err = store.model("wine").unwrap_err().to_string();
        assert!(
            err.contains("no model 'wine'") && err.contains("iris"),
            "{err}"
        );
    }

    #[test]
    fn aliases_need_a_blessing_or_a_reason_and_roll_back_in_steps() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let a = artifact(&dir, "a.crisp", "x");
        store.push(&a, "m", false, None, "ann").unwrap();
        store.push(&a, "m", true, None, "ann").unwrap();
        store.push(&a, "m", true, None, "ann").unwrap();
        let err = store
            .move_alias("m", 1, "production", None, "ann")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not blessed") && err.contains("--force"),
            "{err}"
        );
        let forced = store
            .move_alias("m", 1, "production", Some("hotfix"), "ann")
            .unwrap();
        assert!(forced.forced);
        store.move_alias("m", 2, "production", None, "ann").unwrap();
        store.move_alias("m", 3, "production", None, "ann").unwrap();
        let now = |s: &Store| s.model("m").unwrap().aliases["production"];
        assert_eq!(now(&store), 3);
        assert_eq!(store.rollback("m", "production", "ann").unwrap().version, 2);
        assert_eq!(store.rollback("m", "production", "ann").unwrap().version, 1);
        let err = store
            .rollback("m", "production", "ann")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no earlier version"), "{err}");
        assert_eq!(now(&store), 1);
        assert_eq!(store.model("m").unwrap().history.len(), 5);
        let err = store
            .resolve("m", Some(&Reference::Alias("staging".into())))
            .unwrap_err()
            .to_string();
        assert!(err.contains("production -> 1"), "{err}");
        assert!(store.move_alias("m", 2, "42", None, "ann").is_err());
    }

    #[test]
    fn leftovers_of_a_killed_push_are_removed_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let a = artifact(&dir, "a.crisp", "x");
        store.push(&a, "m", false, None, "ann").unwrap();
        let model_dir = store.registry_dir().join("m");
        // Killed between rename and commit: a file with no row.
        fs::write(model_dir.join("2.crisp"), "partial").unwrap();
        fs::write(model_dir.join("7.crisp"), "partial").unwrap();
        let v2 = store.push(&a, "m", false, None, "ann").unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(fs::read_to_string(&v2.path).unwrap(), "x");
        assert!(!model_dir.join("7.crisp").exists());
    }

    #[test]
    fn a_schema_2_store_migrates_to_the_registry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        Store::create_at_schema(&path, 2).unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), crate::SCHEMA_VERSION);
        assert!(store.models().unwrap().is_empty());
        let a = artifact(&dir, "a.crisp", "x");
        assert_eq!(store.push(&a, "m", true, None, "ann").unwrap().version, 1);
    }
}
