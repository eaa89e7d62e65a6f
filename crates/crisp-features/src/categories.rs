//! Category vocabularies learned from a training column, shared by the encoders.

use std::collections::HashMap;

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

/// Each distinct non-null value of `column` (as text) with its count, sorted by value.
pub fn value_counts(frame: &DataFrame, column: &str) -> Result<Vec<(String, usize)>> {
    let text = frame.column(column)?.cast(&DataType::String)?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for v in text.str()?.iter().flatten() {
        *counts.entry(v).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    counts.sort();
    Ok(counts)
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
                    Data: "{source}: column '{column}' has category '{v}' on data row {} that was not seen in training ({step} is set to handle_unknown = \"error\")",
                    row + 1
                );
            }
        }
    }
    Ok(())
}
