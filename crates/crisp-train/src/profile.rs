//! Training-data statistics for the artifact, and comparing new data to them (the data checks
//! `crisp validate` runs before the model checks).

use crisp_core::{column_f64, ColumnKind, Result, Schema};
use crisp_validate::{ColumnDrift, ColumnProfile, DataProfile, Distribution};
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
    comparable_columns(profile, frame, |p, values| match values {
        Values::Numeric(v) => p.compare_numeric(v),
        Values::Text(v) => p.compare_categorical(v),
    })
}

/// [`drift_of`], with each column's training and new distributions over the bins its PSI
/// compares: what a report's drift plots draw.
pub fn drift_distributions(
    profile: &DataProfile,
    frame: &DataFrame,
) -> Result<Vec<(ColumnDrift, Distribution)>> {
    comparable_columns(profile, frame, |p, values| match values {
        Values::Numeric(v) => Ok((p.compare_numeric(v)?, p.numeric_distribution(v)?)),
        Values::Text(v) => Ok((p.compare_categorical(v)?, p.categorical_distribution(v)?)),
    })
}

/// A column's new values, in the form its training profile compares.
enum Values<'a> {
    Numeric(&'a [Option<f64>]),
    Text(&'a [Option<&'a str>]),
}

/// `compare` applied to every profiled column that `frame` has with a compatible type.
fn comparable_columns<T>(
    profile: &DataProfile,
    frame: &DataFrame,
    compare: impl Fn(&ColumnProfile, Values<'_>) -> crisp_validate::Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for p in &profile.columns {
        let Ok(column) = frame.column(&p.name) else {
            continue;
        };
        let kind = ColumnKind::of(column.dtype());
        let compared = match p.kind() {
            crisp_validate::ProfileKind::Numeric
                if kind.is_numeric() || kind == ColumnKind::Boolean =>
            {
                compare(p, Values::Numeric(&numeric_values(frame, &p.name)?))
            }
            crisp_validate::ProfileKind::Categorical => {
                let text = text_values(column)?;
                let values: Vec<Option<&str>> = text.iter().collect();
                compare(p, Values::Text(&values))
            }
            _ => continue,
        };
        out.push(
            compared.map_err(|e| crisp_core::Error::data(format!("column '{}': {e}", p.name)))?,
        );
    }
    Ok(out)
}
