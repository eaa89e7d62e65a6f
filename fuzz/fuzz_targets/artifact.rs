//! Any bytes as an artifact: decoding, the checks after decoding, and (when those accept it)
//! one prediction on rows that fit the artifact's input schema. Errors are expected; a panic,
//! a hang or an allocation beyond the limits is a bug.
#![no_main]

use crisp_artifact::Artifact;
use crisp_core::polars::prelude::*;
use crisp_core::{ColumnKind, Schema};
use libfuzzer_sys::fuzz_target;

/// Four rows for `schema`: ordinary values, a missing one, an unusual one and an extreme one.
fn rows_for(schema: &Schema) -> Option<DataFrame> {
    let columns: Vec<Column> = schema
        .columns
        .iter()
        .map(|c| {
            let name = c.name.as_str().into();
            match c.kind {
                ColumnKind::Float => Column::new(name, [Some(0.5), None, Some(-3.0), Some(1e300)]),
                ColumnKind::Integer => {
                    Column::new(name, [Some(1i64), None, Some(-7), Some(i64::MAX)])
                }
                ColumnKind::Boolean => {
                    Column::new(name, [Some(true), None, Some(false), Some(true)])
                }
                _ => Column::new(name, [Some("a"), None, Some("Biscoe"), Some("")]),
            }
        })
        .collect();
    DataFrame::new(4, columns).ok()
}

/// `data` with its checksum recomputed when its length prefixes are consistent, so that
/// mutated bytes reach the decoder and the checks after it (a checksum only catches
/// accidents; an attacker recomputes it, and so does the fuzzer).
fn with_valid_checksum(data: &[u8]) -> Vec<u8> {
    let mut bytes = data.to_vec();
    let len = |at: usize| -> Option<usize> {
        let b = bytes.get(at..at.checked_add(8)?)?;
        usize::try_from(u64::from_le_bytes(b.try_into().ok()?)).ok()
    };
    let Some(header_len) = len(12) else {
        return bytes;
    };
    let body_at = 20usize.saturating_add(header_len);
    let Some(body_len) = len(body_at) else {
        return bytes;
    };
    let end = body_at.saturating_add(8).saturating_add(body_len);
    if end.checked_add(8) != Some(bytes.len()) {
        return bytes;
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&bytes[20..body_at]);
    h.update(&bytes[body_at + 8..end]);
    let sum = h.digest().to_le_bytes();
    bytes[end..].copy_from_slice(&sum);
    bytes
}

fuzz_target!(|data: &[u8]| {
    let Ok(artifact) = Artifact::from_bytes(&with_valid_checksum(data)) else {
        return;
    };
    // Only a few rows: the point is that nothing panics, not throughput.
    if let Some(frame) = rows_for(&artifact.model.pipeline.input) {
        let _ = artifact.model.predict(&frame, "fuzz");
    }
});
