//! Writing files so that a reader never sees half of one.

use std::io::Write;
use std::path::Path;

use crate::{Error, Result};

/// Write `bytes` to `path` atomically: to a temporary file in the same directory, synced, then
/// renamed over `path`. A crash or a full disk leaves the old file (or none), never a torn one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::Config(format!("{}: not a file path", path.display())))?;
    let tmp = dir.join(format!(
        ".{}.crisp.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io("write", path, e));
    }
    Ok(())
}

/// Write `frame` as CSV (with a header) to `path`, atomically.
pub fn write_csv(path: &Path, frame: &mut polars::prelude::DataFrame) -> Result<()> {
    write_atomic(path, &csv_bytes(frame)?)
}

/// `frame` as CSV bytes with a header row.
pub fn csv_bytes(frame: &mut polars::prelude::DataFrame) -> Result<Vec<u8>> {
    use polars::prelude::{CsvWriter, SerWriter};
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf)
        .include_header(true)
        .finish(frame)?;
    Ok(buf)
}
