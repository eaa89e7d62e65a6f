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

fuzz_target!(|data: &[u8]| {
    let Ok(artifact) = Artifact::from_bytes(data) else {
        return;
    };
    // Only a few rows: the point is that nothing panics, not throughput.
    if let Some(frame) = rows_for(&artifact.model.pipeline.input) {
        let _ = artifact.model.predict(&frame, "fuzz");
    }
});
