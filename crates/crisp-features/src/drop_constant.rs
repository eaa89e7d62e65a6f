//! Removing constant and near-constant columns, judged on the training rows (scikit-learn's
//! VarianceThreshold, plus a dominant-value rule for any column type).

use crisp_core::{bail, ColumnKind, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::categories::value_counts;
use crate::select::ColumnSelector;
use crate::stats::mean_var;
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

fn one() -> f64 {
    1.0
}

/// Drop each selected column that, in the training rows,
/// * has a single value (nulls count as a value; an all-null column is constant), or
/// * is numeric with a population variance of its finite values `<= threshold` (default 0), or
/// * has one value (null included) covering a share of the rows `>= max_share` (default 1:
///   only truly constant columns).
///
/// Dropped input columns are not required at prediction time.
///
/// ```toml
/// [[features.steps]]
/// kind = "drop_constant"
/// regex = ".*"            # every column
/// threshold = 0.0         # variance threshold for numeric columns
/// max_share = 0.99        # near-constant: one value on >= 99% of the rows
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropConstant {
    /// Columns to examine.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// Numeric columns with a variance at or below this are dropped.
    #[serde(default)]
    pub threshold: f64,
    /// Columns whose most common value covers at least this share of rows are dropped.
    #[serde(default = "one")]
    pub max_share: f64,
}

/// Fitted result: which columns were dropped and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDropConstant {
    /// Variance threshold used.
    pub threshold: f64,
    /// Dominant-share threshold used.
    pub max_share: f64,
    /// (column, reason) for each dropped column.
    pub dropped: Vec<(String, String)>,
    /// Examined columns that were kept.
    pub kept: Vec<String>,
}

/// Why `column` should go, or `None` to keep it.
fn reason(frame: &DataFrame, name: &str, threshold: f64, max_share: f64) -> Result<Option<String>> {
    let column = frame.column(name)?;
    let rows = column.len();
    if rows == 0 {
        return Ok(Some("no rows".into()));
    }
    // Value counts by Polars' group-by, nulls counted as a value of their own.
    let mut counts: Vec<(Option<String>, usize)> = value_counts(frame, name)?
        .into_iter()
        .map(|(v, n)| (Some(v), n))
        .collect();
    let nulls = column.null_count();
    if nulls > 0 {
        counts.push((None, nulls));
    }
    if counts.len() == 1 {
        return Ok(Some(match &counts[0].0 {
            Some(v) => format!("single value '{v}'"),
            None => "all values missing".into(),
        }));
    }
    if ColumnKind::of(column.dtype()).is_numeric() {
        let values: Vec<f64> = column
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .flatten()
            .filter(|v| v.is_finite())
            .collect();
        let var = if values.is_empty() {
            0.0
        } else {
            mean_var(&values).1
        };
        if var <= threshold {
            return Ok(Some(format!("variance {var:.6} <= {threshold}")));
        }
    }
    let (value, top) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(v, n)| (v.as_deref(), *n))
        .unwrap_or((None, 0));
    let share = top as f64 / rows as f64;
    if share >= max_share {
        return Ok(Some(format!(
            "'{}' on {:.2}% of rows >= {:.2}%",
            value.unwrap_or("<null>"),
            100.0 * share,
            100.0 * max_share
        )));
    }
    Ok(None)
}

impl Transform for DropConstant {
    fn name(&self) -> &'static str {
        "drop_constant"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        if self.threshold.is_nan() || self.threshold < 0.0 {
            bail!(Config: "drop_constant: threshold must be >= 0, got {}", self.threshold);
        }
        if !(self.max_share > 0.0 && self.max_share <= 1.0) {
            bail!(Config: "drop_constant: max_share must be in (0, 1], got {}", self.max_share);
        }
        let mut dropped = Vec::new();
        let mut kept = Vec::new();
        for name in columns {
            match reason(frame, name, self.threshold, self.max_share)? {
                Some(why) => dropped.push((name.clone(), why)),
                None => kept.push(name.clone()),
            }
        }
        Ok(FittedStep::DropConstant(FittedDropConstant {
            threshold: self.threshold,
            max_share: self.max_share,
            dropped,
            kept,
        }))
    }
}

impl FittedTransform for FittedDropConstant {
    fn exprs(&self) -> Vec<Expr> {
        Vec::new()
    }
    fn dropped(&self) -> Vec<String> {
        self.dropped.iter().map(|(c, _)| c.clone()).collect()
    }
    fn ignored(&self) -> Vec<String> {
        self.dropped()
    }
    fn summary(&self) -> StepSummary {
        let mut learned: Vec<String> = self
            .dropped
            .iter()
            .map(|(c, why)| format!("{c}: dropped ({why})"))
            .collect();
        if !self.kept.is_empty() {
            learned.push(format!("kept: {}", self.kept.join(", ")));
        }
        StepSummary {
            name: "drop_constant".into(),
            config: format!("threshold={}, max_share={}", self.threshold, self.max_share),
            learned,
        }
    }
}
