#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "polars")]
mod csv;
#[cfg(feature = "polars")]
mod csv_file;
mod error;
mod fs;
#[cfg(feature = "polars")]
mod matrix;
pub mod progress;
#[cfg(feature = "polars")]
mod read;
pub mod rng;
#[cfg(feature = "polars")]
mod schema;
#[cfg(feature = "polars")]
mod split;
pub mod stats;

#[cfg(feature = "polars")]
pub use crate::csv::{parse_csv, parse_csv_with, read_csv, CsvData, MAX_COLUMNS, MAX_RECORD_BYTES};
#[cfg(feature = "polars")]
pub use csv_file::{CsvFile, CsvSample, DataFile};
pub use error::{Error, Hint, Location, Result};
#[cfg(feature = "polars")]
pub use fs::{csv_bytes, write_csv};
pub use fs::{write_atomic, write_atomic_with, OutputSet};
#[cfg(feature = "polars")]
pub use matrix::{column_f64, to_matrix, to_vector};
#[cfg(feature = "polars")]
pub use read::{is_parquet, read_table, Encoding, ReadOptions};
pub use rng::SeededRng;
#[cfg(feature = "polars")]
pub use schema::{column_list, require_column, ColumnKind, ColumnSchema, Schema};
#[cfg(feature = "polars")]
pub use split::{train_test_split, Split};
pub use stats::{argmax, quantile_sorted};

/// The crate version, recorded in artifacts.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// xxh3-128 of `bytes` as 32 hex digits: a stable fingerprint of a data file.
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// [`fingerprint`] of the bytes of the file at `path`, read 4 MiB at a time (a file larger
/// than memory has one too).
pub fn fingerprint_file(path: &std::path::Path) -> Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| Error::data_file(path, e))?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 4 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io("read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:032x}", hasher.digest128()))
}

/// The peak resident memory of this process so far, in bytes (`VmHWM` of `/proc/self/status`):
/// `None` where that file does not exist (not Linux). Unlike `getrusage`'s `ru_maxrss`, it does
/// not count the memory of the process this one was forked from before its `exec`.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Re-exported so downstream crates name the same ndarray (0.16) and Polars as crisp.
#[cfg(feature = "polars")]
pub use {ndarray, polars};
