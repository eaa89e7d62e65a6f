//! Writing files so that a reader never sees half of one.

use std::io::Write;
use std::path::Path;

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
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::config(format!("{}: not a file path", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.crisp.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io("write", path, e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let result = write(&mut out).and_then(|()| {
        let file = out
            .into_inner()
            .map_err(|e| Error::io("write", path, e.into_error()))?;
        file.sync_all()
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| Error::io("write", path, e))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
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
