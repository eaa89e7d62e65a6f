//! Filling missing values with statistics learned on the training data.

use crisp_core::{bail, column_f64, ColumnKind, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::categories::value_counts;
use crate::select::ColumnSelector;
use crate::stats::{column_stats, Stat};
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// How the fill value is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImputeStrategy {
    /// The column mean (numeric columns).
    #[default]
    Mean,
    /// The column median (numeric columns).
    Median,
    /// The most frequent value (ties go to the smallest, as in scikit-learn).
    MostFrequent,
    /// `fill_value`.
    Constant,
}

/// Replace nulls (and NaN) in the selected columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impute {
    /// Columns to impute.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// How the fill value is learned.
    #[serde(default)]
    pub strategy: ImputeStrategy,
    /// The value for `strategy = "constant"` (a number or a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_value: Option<ConstantValue>,
    /// Also add a `<column>_missing` 0/1 column.
    #[serde(default)]
    pub add_indicator: bool,
}

impl Impute {
    /// Impute `select` with `strategy`.
    pub fn new(select: ColumnSelector, strategy: ImputeStrategy) -> Self {
        Impute {
            select,
            strategy,
            fill_value: None,
            add_indicator: false,
        }
    }
}

/// A constant as written in the pipeline TOML: `fill_value = 0` or `fill_value = "unknown"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConstantValue {
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
}

/// A learned fill value: numeric columns get a number, text columns a string. (Stored in
/// artifacts, so externally tagged: bincode cannot decode untagged enums.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FillValue {
    /// For numeric columns.
    Number(f64),
    /// For text columns.
    Text(String),
}

impl std::fmt::Display for FillValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FillValue::Number(v) => write!(f, "{v}"),
            FillValue::Text(s) => write!(f, "'{s}'"),
        }
    }
}

/// The learned fill value of each column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedImpute {
    /// The strategy that produced the values.
    pub strategy: ImputeStrategy,
    /// (column, fill value).
    pub fills: Vec<(String, FillValue)>,
    /// Whether `<column>_missing` indicators are added.
    pub add_indicator: bool,
}

impl Transform for Impute {
    fn name(&self) -> &'static str {
        "impute"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        let mut fills = Vec::with_capacity(columns.len());
        for name in columns {
            let col = frame.column(name)?;
            let numeric =
                ColumnKind::of(col.dtype()).is_numeric() || col.dtype() == &DataType::Boolean;
            let value = match (self.strategy, numeric) {
                (ImputeStrategy::Constant, _) => match (&self.fill_value, numeric) {
                    (Some(ConstantValue::Number(v)), true) => FillValue::Number(*v),
                    (Some(ConstantValue::Text(s)), false) => FillValue::Text(s.clone()),
                    (Some(v), _) => bail!(
                        Config: "impute: fill_value {v:?} does not suit column '{name}' of type {}",
                        col.dtype()
                    ),
                    (None, _) => bail!(Config: "impute: strategy 'constant' needs a fill_value"),
                },
                (ImputeStrategy::Mean | ImputeStrategy::Median, false) => bail!(
                    Config: "impute: strategy '{:?}' needs a numeric column, but '{name}' is {}",
                    self.strategy,
                    col.dtype()
                ),
                (ImputeStrategy::Mean | ImputeStrategy::Median, true) => {
                    // Filled below, for all such columns in one Polars query.
                    FillValue::Number(f64::NAN)
                }
                (ImputeStrategy::MostFrequent, true) => {
                    FillValue::Number(most_frequent_number(frame, name)?)
                }
                (ImputeStrategy::MostFrequent, false) => {
                    FillValue::Text(most_frequent_text(frame, name)?)
                }
            };
            fills.push((name.clone(), value));
        }
        if matches!(self.strategy, ImputeStrategy::Mean | ImputeStrategy::Median) {
            let stat = if self.strategy == ImputeStrategy::Mean {
                Stat::Mean
            } else {
                Stat::Median
            };
            let names: Vec<String> = fills.iter().map(|(c, _)| c.clone()).collect();
            let values = column_stats(frame, &names, "impute", &[stat])?;
            for ((_, fill), v) in fills.iter_mut().zip(values) {
                *fill = FillValue::Number(v[0]);
            }
        }
        Ok(FittedStep::Impute(FittedImpute {
            strategy: self.strategy,
            fills,
            add_indicator: self.add_indicator,
        }))
    }
}

fn finite_values(frame: &DataFrame, name: &str) -> Result<Vec<f64>> {
    let values: Vec<f64> = column_f64(frame, name)?
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        bail!(Data: "impute: column '{name}' has no values in the training data to learn from");
    }
    Ok(values)
}

fn most_frequent_number(frame: &DataFrame, name: &str) -> Result<f64> {
    let mut values = finite_values(frame, name)?;
    values.sort_unstable_by(f64::total_cmp);
    // Sorted input: the longest run is the mode, and the first longest run is the smallest value.
    let (mut best, mut best_len, mut i) = (values[0], 0, 0);
    while i < values.len() {
        let j = values[i..]
            .iter()
            .position(|&v| v != values[i])
            .map_or(values.len(), |k| i + k);
        if j - i > best_len {
            best = values[i];
            best_len = j - i;
        }
        i = j;
    }
    Ok(best)
}

fn most_frequent_text(frame: &DataFrame, name: &str) -> Result<String> {
    // Sorted by value: the first of the most frequent is the smallest, as scikit-learn.
    let counts = value_counts(frame, name)?;
    let best = counts.iter().map(|(_, n)| *n).max();
    counts
        .into_iter()
        .find(|(_, n)| Some(*n) == best)
        .map(|(v, _)| v)
        .ok_or_else(|| {
            crisp_core::Error::data(format!(
                "impute: column '{name}' has no values in the training data to learn from"
            ))
        })
}

impl FittedTransform for FittedImpute {
    fn exprs(&self) -> Vec<Expr> {
        let mut exprs = Vec::new();
        for (name, value) in &self.fills {
            if self.add_indicator {
                let missing = match value {
                    FillValue::Number(_) => col(name.as_str())
                        .cast(DataType::Float64)
                        .is_null()
                        .or(col(name.as_str()).cast(DataType::Float64).is_nan()),
                    FillValue::Text(_) => col(name.as_str()).is_null(),
                };
                exprs.push(
                    missing
                        .fill_null(lit(true))
                        .cast(DataType::Float64)
                        .alias(format!("{name}_missing")),
                );
            }
            exprs.push(match value {
                FillValue::Number(v) => col(name.as_str())
                    .cast(DataType::Float64)
                    .fill_nan(lit(*v))
                    .fill_null(lit(*v)),
                FillValue::Text(s) => col(name.as_str()).fill_null(lit(s.clone())),
            });
        }
        exprs
    }

    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "impute".into(),
            config: format!(
                "strategy={:?}{}",
                self.strategy,
                if self.add_indicator {
                    ", add_indicator"
                } else {
                    ""
                }
            )
            .to_lowercase(),
            learned: self
                .fills
                .iter()
                .map(|(c, v)| format!("{c}: fill {v}"))
                .collect(),
        }
    }

    fn validate(&self) -> std::result::Result<(), String> {
        for (column, fill) in &self.fills {
            if let FillValue::Number(v) = fill {
                crate::transform::finite(&format!("the fill value of '{column}'"), [*v])?;
            }
        }
        Ok(())
    }
}
