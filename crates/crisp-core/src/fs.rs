//! Writing files so that a reader never sees half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Write `bytes` to `path` atomically: to a temporary file in the same directory, synced, then
/// renamed over `path`. A crash or a full disk leaves the old file (or none), never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |out| {
        out.write_all(bytes)
            .map_err(|e| Error::io("write", path, e))
    })
}

/// Write `path` atomically from a writer: `write` fills a buffered temporary file next to
/// `path`, which replaces `path` only when `write` succeeded and the data reached the disk.
/// On any error the temporary file is removed and `path` is untouched. Large outputs are
/// streamed this way instead of being encoded into memory first.
pub fn write_atomic_with<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
{
    let mut outputs = OutputSet::new();
    outputs.stage_with(path, write)?;
    outputs.commit()
}

/// Files that are written together or not at all: each is written in full to a temporary file
/// beside its destination ([`OutputSet::stage`]), and only when every one of them succeeded
/// are they moved into place ([`OutputSet::commit`]). A failure before the commit (an error, a
/// panic, the set dropped) removes the temporary files and leaves every destination as it
/// was: `crisp train --out m.crisp --report missing/dir/r.json` does not replace `m.crisp`.
///
/// The temporary files are named `.NAME.crisp.tmpPID`; those left behind by a process that
/// was killed are removed by the next write to the same destination.
///
/// ```
/// use crisp_core::OutputSet;
///
/// let dir = tempfile::tempdir()?;
/// let (model, report) = (dir.path().join("m.bin"), dir.path().join("missing/r.json"));
/// std::fs::write(&model, b"old")?;
/// let mut outputs = OutputSet::new();
/// outputs.stage(&model, b"new")?;
/// assert!(outputs.stage(&report, b"{}").is_err()); // its directory does not exist
/// drop(outputs);
/// assert_eq!(std::fs::read(&model)?, b"old"); // nothing moved
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct OutputSet {
    /// (temporary file, destination), in the order staged.
    staged: Vec<(PathBuf, PathBuf)>,
}

impl OutputSet {
    /// An empty set.
    pub fn new() -> Self {
        OutputSet::default()
    }

    /// Write `bytes` for `path` (to its temporary file, synced).
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.stage_with(path, |out| {
            out.write_all(bytes)
                .map_err(|e| Error::io("write", path, e))
        })
    }

    /// Write `path`'s temporary file with `write` (buffered, then synced).
    pub fn stage_with<F>(&mut self, path: &Path, write: F) -> Result<()>
    where
        F: FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
    {
        let tmp = temporary_path(path)?;
        remove_orphans(path);
        let file = std::fs::File::create(&tmp).map_err(|e| Error::io("write", path, e))?;
        // Registered before writing, so a failed or panicking `write` leaves nothing behind.
        self.staged.push((tmp.clone(), path.to_path_buf()));
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut out)?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io("write", path, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io("write", path, e))
    }

    /// Moves every staged file into place, in the order staged.
    pub fn commit(mut self) -> Result<()> {
        let staged = std::mem::take(&mut self.staged);
        for (i, (tmp, path)) in staged.iter().enumerate() {
            if let Err(e) = std::fs::rename(tmp, path) {
                for (tmp, _) in &staged[i..] {
                    let _ = std::fs::remove_file(tmp);
                }
                return Err(Error::io("write", path, e));
            }
        }
        Ok(())
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        for (tmp, _) in &self.staged {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

const TMP_MARK: &str = ".crisp.tmp";

/// `.NAME.crisp.tmpPID` beside `path`.
fn temporary_path(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::config(format!("{}: not a file path", path.display())))?;
    Ok(directory_of(path).join(format!(
        ".{}{TMP_MARK}{}",
        name.to_string_lossy(),
        std::process::id()
    )))
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Removes temporary files of `path` left by processes that no longer run (a killed writer).
/// Best effort: errors are ignored, and where process ids cannot be checked, only files older
/// than a day are removed.
fn remove_orphans(path: &Path) {
    let Some(name) = path.file_name() else {
        return;
    };
    let prefix = format!(".{}{TMP_MARK}", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(directory_of(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid, &entry) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn process_alive(pid: u32, entry: &std::fs::DirEntry) -> bool {
    if cfg!(target_os = "linux") {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    let day = std::time::Duration::from_secs(24 * 3600);
    entry
        .metadata()
        .and_then(|m| m.modified())
        .map_or(true, |t| t.elapsed().map_or(true, |age| age < day))
}

/// Checks that `path` can be read as a data file before anything reads it: it exists and is
/// not a directory or a device (/dev/zero would be read forever). Regular files and pipes
/// pass. Only the readers of the `polars` feature call it.
#[cfg(feature = "polars")]
pub(crate) fn check_data_path(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::data_file(path, e))?;
    let kind = meta.file_type();
    #[cfg(unix)]
    let device = {
        use std::os::unix::fs::FileTypeExt;
        kind.is_char_device() || kind.is_block_device() || kind.is_socket()
    };
    #[cfg(not(unix))]
    let device = false;
    if kind.is_dir() || device {
        return Err(Error::data(format!(
            "{}: not a data file (a {})",
            path.display(),
            if kind.is_dir() { "directory" } else { "device" }
        ))
        .file(path.display()));
    }
    Ok(())
}

/// Write `frame` as CSV (with a header) to `path`, atomically.
#[cfg(feature = "polars")]
pub fn write_csv(path: &Path, frame: &mut polars::prelude::DataFrame) -> Result<()> {
    use polars::prelude::{CsvWriter, SerWriter};
    write_atomic_with(path, |out| {
        Ok(CsvWriter::new(out).include_header(true).finish(frame)?)
    })
}

/// `frame` as CSV bytes with a header row.
#[cfg(feature = "polars")]
pub fn csv_bytes(frame: &mut polars::prelude::DataFrame) -> Result<Vec<u8>> {
    use polars::prelude::{CsvWriter, SerWriter};
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf)
        .include_header(true)
        .finish(frame)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_output_leaves_every_destination_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, "old a").unwrap();
        let b = dir.path().join("b.txt");
        let mut set = OutputSet::new();
        set.stage(&a, b"new a").unwrap();
        let failed = set.stage_with(&b, |_| Err(Error::data("the report failed")));
        assert!(failed.is_err());
        drop(set);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert!(!b.exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary files are removed");

        let mut set = OutputSet::new();
        set.stage(&a, b"new a").unwrap();
        set.stage(&b, b"new b").unwrap();
        set.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
    }

    #[test]
    fn temporaries_of_dead_writers_are_removed_by_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("m.crisp");
        // A pid that no process has on Linux (above the kernel's maximum pid).
        let orphan = dir.path().join(format!(".m.crisp{TMP_MARK}4194399"));
        std::fs::write(&orphan, "half a model").unwrap();
        let other = dir.path().join(".unrelated.crisp.tmp4194399");
        std::fs::write(&other, "someone else's").unwrap();
        write_atomic(&out, b"model").unwrap();
        if cfg!(target_os = "linux") {
            assert!(!orphan.exists());
        }
        assert!(other.exists(), "only this destination's temporaries");
        assert_eq!(std::fs::read(&out).unwrap(), b"model");
    }
}
