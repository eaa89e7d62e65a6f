//! Training-data statistics for the artifact, and comparing new data to them (the data checks
//! `crisp validate` runs before the model checks).

use crisp_core::{column_f64, ColumnKind, Result, Schema};
use crisp_validate::{ColumnDrift, ColumnProfile, DataProfile};
use polars::prelude::*;

fn numeric_values(frame: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(column_f64(frame, name)?.iter().collect())
}

fn text_values(column: &Column) -> Result<StringChunked> {
    Ok(column.cast(&DataType::String)?.str()?.clone())
}

/// Profiles of the `schema` columns of `frame` (numbers and booleans as numeric, text as
/// categorical; dates are not profiled).
pub fn profile_frame(frame: &DataFrame, schema: &Schema) -> Result<DataProfile> {
    let mut columns = Vec::with_capacity(schema.columns.len());
    for c in &schema.columns {
        let profile = match c.kind {
            k if k.is_numeric() || k == ColumnKind::Boolean => {
                ColumnProfile::numeric(&c.name, &numeric_values(frame, &c.name)?)
            }
            ColumnKind::Text => {
                let text = text_values(frame.column(&c.name)?)?;
                let values: Vec<Option<&str>> = text.iter().collect();
                ColumnProfile::categorical(&c.name, &values)
            }
            _ => continue,
        };
        columns.push(profile);
    }
    Ok(DataProfile::new(columns))
}

/// Drift of every profiled column that `frame` has, with a compatible type (schema problems
/// are reported separately by the schema check).
pub fn drift_of(profile: &DataProfile, frame: &DataFrame) -> Result<Vec<ColumnDrift>> {
    let mut drifts = Vec::new();
    for p in &profile.columns {
        let Ok(column) = frame.column(&p.name) else {
            continue;
        };
        let kind = ColumnKind::of(column.dtype());
        let drift = match p.kind() {
            crisp_validate::ProfileKind::Numeric
                if kind.is_numeric() || kind == ColumnKind::Boolean =>
            {
                p.compare_numeric(&numeric_values(frame, &p.name)?)
            }
            crisp_validate::ProfileKind::Categorical => {
                let text = text_values(column)?;
                let values: Vec<Option<&str>> = text.iter().collect();
                p.compare_categorical(&values)
            }
            _ => continue,
        };
        drifts
            .push(drift.map_err(|e| crisp_core::Error::data(format!("column '{}': {e}", p.name)))?);
    }
    Ok(drifts)
}
