#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod queries;

use crisp_core::polars::prelude::*;
use crisp_core::{ensure, Result};
use serde::Serialize;

/// The quantiles of a numeric column's [`NumericSummary`].
pub const QUANTILES: [f64; 7] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

/// What [`profile`] computes.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileOptions {
    /// Most frequent values kept per text or boolean column.
    pub top: usize,
    /// Bins of a numeric column's histogram.
    pub bins: usize,
    /// The most numeric columns in the correlation matrix (the first ones; the target's
    /// correlations cover every numeric column).
    pub max_correlated: usize,
    /// The column to predict, if any.
    pub target: Option<String>,
    /// The most classes listed for a text target.
    pub max_classes: usize,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions::new()
    }
}

impl ProfileOptions {
    /// Ten top values, 20 bins, up to 30 correlated columns, no target.
    pub fn new() -> Self {
        ProfileOptions {
            top: 10,
            bins: 20,
            max_correlated: 30,
            target: None,
            max_classes: 1000,
        }
    }

    /// With `column` as the target.
    pub fn target(mut self, column: impl Into<String>) -> Self {
        self.target = Some(column.into());
        self
    }

    /// With `bins` histogram bins.
    pub fn bins(mut self, bins: usize) -> Self {
        self.bins = bins;
        self
    }

    /// Keeping `top` most frequent values.
    pub fn top(mut self, top: usize) -> Self {
        self.top = top;
        self
    }
}

/// What kind of values a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// Integers or floats.
    Numeric,
    /// True and false.
    Boolean,
    /// Text or categories.
    Text,
    /// Dates, times and durations.
    Temporal,
    /// Anything else (lists, structs, binary).
    Other,
}

impl ColumnKind {
    fn of(dtype: &DataType) -> ColumnKind {
        if dtype.is_primitive_numeric() {
            ColumnKind::Numeric
        } else if dtype.is_bool() {
            ColumnKind::Boolean
        } else if matches!(dtype, DataType::String | DataType::Categorical(..)) {
            ColumnKind::Text
        } else if dtype.is_temporal() {
            ColumnKind::Temporal
        } else {
            ColumnKind::Other
        }
    }
}

/// A value and how often it occurs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueCount {
    /// The value as text.
    pub value: String,
    /// Rows holding it.
    pub count: u64,
    /// Its share of the rows that are not null.
    pub share: f64,
}

/// A quantile of a numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantile {
    /// The level, in 0–1.
    pub q: f64,
    /// The value.
    pub value: f64,
}

/// An equal-width histogram: `counts[i]` values in `[edges[i], edges[i + 1])` (the last bin
/// is closed on the right).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    /// `counts.len() + 1` edges from the minimum to the maximum.
    pub edges: Vec<f64>,
    /// Values per bin.
    pub counts: Vec<u64>,
}

/// The statistics of a numeric column (over its values that are not null).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericSummary {
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// The mean.
    pub mean: f64,
    /// The sample standard deviation (ddof 1; `None` for fewer than two values).
    pub std: Option<f64>,
    /// The [`QUANTILES`].
    pub quantiles: Vec<Quantile>,
    /// Values equal to 0.
    pub zeros: u64,
    /// The distribution.
    pub histogram: Histogram,
}

/// One column of a [`Profile`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// Polars dtype, as Polars prints it.
    pub dtype: String,
    /// What kind of values it holds.
    pub kind: ColumnKind,
    /// Null values.
    pub nulls: u64,
    /// Nulls over rows.
    pub null_rate: f64,
    /// Distinct values that are not null.
    pub distinct: u64,
    /// For numeric columns with at least one value.
    pub numeric: Option<NumericSummary>,
    /// For text and boolean columns: the most frequent values, most frequent first (ties in
    /// value order).
    pub top: Vec<ValueCount>,
}

/// A correlation of a column with the target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetCorrelation {
    /// The numeric column.
    pub column: String,
    /// Pearson's r on the rows where both are present.
    pub r: f64,
}

/// The target of a [`Profile`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetProfile {
    /// Column name.
    pub name: String,
    /// For a text or boolean target: every class with its count and share, most frequent
    /// first (at most [`ProfileOptions::max_classes`]).
    pub classes: Vec<ValueCount>,
    /// For classes: rows of the most frequent class over rows of the rarest.
    pub imbalance_ratio: Option<f64>,
    /// The numeric columns by the strength of their correlation with the target (|r|,
    /// strongest first): with the target itself when it is numeric, with the indicator of the
    /// rarer class when it has two classes, none for more classes.
    pub correlations: Vec<TargetCorrelation>,
}

/// Pearson correlations between numeric columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlations {
    /// The columns, in the order of the rows and columns of `matrix`.
    pub columns: Vec<String>,
    /// `matrix[i][j]`: r of columns i and j on the rows where both are present (`None`
    /// when one of them is constant there, or fewer than two such rows).
    pub matrix: Vec<Vec<Option<f64>>>,
}

/// The profile of a table: see the crate docs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// Rows.
    pub rows: usize,
    /// Every column, in the frame's order.
    pub columns: Vec<ColumnProfile>,
    /// Between numeric columns (`None` for fewer than two).
    pub correlations: Option<Correlations>,
    /// The target, when one was named.
    pub target: Option<TargetProfile>,
}

impl Profile {
    /// The profile of the column `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Profiles `frame` (see the crate docs).
///
/// # Errors
/// A target that is not a column, options out of range (no bins), and Polars' errors.
pub fn profile(frame: &DataFrame, options: &ProfileOptions) -> Result<Profile> {
    ensure!(options.bins >= 1, Config { value: options.bins }: "a histogram needs at least 1 bin, got {}", options.bins);
    if let Some(target) = &options.target {
        crisp_core::require_column(frame, target, "the data")?;
    }
    let rows = frame.height();
    let schema = frame.schema();
    let kinds: Vec<(String, DataType, ColumnKind)> = schema
        .iter()
        .map(|(name, dtype)| (name.to_string(), dtype.clone(), ColumnKind::of(dtype)))
        .collect();
    let lazy = frame.clone().lazy();
    let counts = queries::counts(&lazy, &kinds)?;
    let numeric: Vec<&str> = kinds
        .iter()
        .filter(|(_, _, k)| *k == ColumnKind::Numeric)
        .map(|(n, _, _)| n.as_str())
        .collect();
    let moments = queries::moments(&lazy, &numeric)?;
    let categorical: Vec<&str> = kinds
        .iter()
        .filter(|(_, _, k)| matches!(k, ColumnKind::Text | ColumnKind::Boolean))
        .map(|(n, _, _)| n.as_str())
        .collect();
    let shapes = queries::shapes(&lazy, &categorical, options)?;

    let columns = kinds
        .iter()
        .zip(counts)
        .map(|((name, dtype, kind), (nulls, distinct))| {
            let non_null = rows as u64 - nulls;
            let numeric = moments
                .iter()
                .find(|m| m.column == *name)
                .and_then(|m| m.summary(options.bins));
            let top = shapes.top(name, non_null);
            ColumnProfile {
                name: name.clone(),
                dtype: dtype.to_string(),
                kind: *kind,
                nulls,
                null_rate: if rows == 0 {
                    0.0
                } else {
                    nulls as f64 / rows as f64
                },
                distinct,
                numeric,
                top,
            }
        })
        .collect::<Vec<_>>();

    let correlated: Vec<&str> = numeric
        .iter()
        .copied()
        .filter(|n| Some(*n) != options.target.as_deref())
        .take(options.max_correlated)
        .collect();
    let correlations = queries::correlations(&lazy, &correlated)?;
    let target = match &options.target {
        Some(name) => Some(queries::target(
            &lazy,
            name,
            &columns,
            &numeric,
            options.max_classes,
        )?),
        None => None,
    };
    Ok(Profile {
        rows,
        columns,
        correlations,
        target,
    })
}

#[cfg(test)]
mod tests;
