//! Category vocabularies learned from a training column, shared by the encoders.

use crisp_core::{bail, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// What an encoder does with a category it never saw in training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandleUnknown {
    /// Fail with an error naming the column, value and row.
    Error,
    /// Encode as "no category" (all zeros for one-hot, missing for ordinal).
    #[default]
    Ignore,
    /// Count it with the infrequent categories (one-hot only; like `ignore` for ordinal).
    Infrequent,
}

/// Each distinct non-null value of `column` (as text) with its count, sorted by value
/// (counted by Polars' group-by).
pub fn value_counts(frame: &DataFrame, column: &str) -> Result<Vec<(String, usize)>> {
    let text = frame.column(column)?.cast(&DataType::String)?;
    // Threads only pay off on large columns (and a busy machine makes them cost).
    let parallel = text.len() > 250_000;
    let counts =
        text.as_materialized_series()
            .value_counts(false, parallel, "__count".into(), false)?;
    let values = counts.column(column)?.str()?.clone();
    let n = counts.column("__count")?.cast(&DataType::UInt64)?;
    let n = n.u64()?;
    let mut out: Vec<(String, usize)> = values
        .iter()
        .zip(n.iter())
        .filter_map(|(v, n)| Some((v?.to_string(), n.unwrap_or(0) as usize)))
        .collect();
    out.sort();
    Ok(out)
}

/// The categories of `column` (as text, in order of first appearance) and each row's index
/// into them, nulls getting index `categories.len()` (grouped by Polars' hash group-by on the
/// column as it is; only the distinct values are turned into text).
pub fn category_slots(frame: &DataFrame, column: &str) -> Result<(Vec<String>, Vec<u32>)> {
    let series = frame.column(column)?.as_materialized_series();
    // Threads only pay off on large columns (and a busy machine makes them cost).
    let mut groups = series
        .group_tuples(series.len() > 250_000, false)?
        .into_idx();
    groups.sort_by_first_idx();
    let firsts = IdxCa::from_vec("first".into(), groups.first().to_vec());
    let distinct = series.take(&firsts)?.cast(&DataType::String)?;
    let distinct = distinct.str()?;
    let mut slots = vec![0u32; series.len()];
    let mut categories = Vec::with_capacity(distinct.len());
    let mut null_rows = None;
    for (value, rows) in distinct.iter().zip(groups.all()) {
        match value {
            Some(v) => {
                let id = categories.len() as u32;
                categories.push(v.to_string());
                for &r in rows.iter() {
                    slots[r as usize] = id;
                }
            }
            None => null_rows = Some(rows),
        }
    }
    if let Some(rows) = null_rows {
        let null_slot = categories.len() as u32;
        for &r in rows.iter() {
            slots[r as usize] = null_slot;
        }
    }
    Ok((categories, slots))
}

/// The column as text, the form categories are compared in.
pub fn as_text(column: &str) -> Expr {
    col(column).cast(DataType::String)
}

/// A string list literal for `is_in` / `replace_strict`.
pub fn text_list(values: &[String]) -> Expr {
    lit(Series::new("categories".into(), values)).implode(true)
}

/// Fail if `column` of `frame` holds a value outside `known`, naming the first such row.
pub fn ensure_known(
    frame: &DataFrame,
    column: &str,
    known: &[String],
    source: &str,
    step: &str,
) -> Result<()> {
    let Ok(values) = frame.column(column) else {
        return Ok(());
    };
    let text = values.cast(&DataType::String)?;
    let known: std::collections::HashSet<&str> = known.iter().map(String::as_str).collect();
    for (row, v) in text.str()?.iter().enumerate() {
        if let Some(v) = v {
            if !known.contains(v) {
                bail!(
                    Data { file: source, column: column, row: row + 1, value: v }: "{source}: column '{column}' has category '{v}' on data row {} that was not seen in training ({step} is set to handle_unknown = \"error\")",
                    row + 1
                );
            }
        }
    }
    Ok(())
}
