//! Frequency (count) encoding: each category replaced by how often it occurs in training.

use crisp_core::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::categories::{as_text, text_list, value_counts};
use crate::select::ColumnSelector;
use crate::transform::{category_line, FittedStep, FittedTransform, StepSummary, Transform};

fn yes() -> bool {
    true
}

/// Replace each selected column by its category's share of the training rows (`normalize =
/// true`, the default) or its count. A category not seen in training encodes as 0; a null as
/// the share (count) of nulls in training.
///
/// ```toml
/// [[features.steps]]
/// kind = "frequency_encode"
/// columns = ["native-country"]
/// normalize = true     # share of rows (default) or, false, the count
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrequencyEncode {
    /// Columns to encode.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// Shares of the training rows instead of counts.
    #[serde(default = "yes")]
    pub normalize: bool,
}

/// One column's frequencies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrequencyColumn {
    /// Column name.
    pub column: String,
    /// Training categories, sorted.
    pub categories: Vec<String>,
    /// Their frequencies.
    pub frequencies: Vec<f64>,
    /// Frequency of nulls in training.
    pub missing: f64,
}

/// Fitted frequency encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedFrequencyEncode {
    /// Shares (true) or counts.
    pub normalize: bool,
    /// Per-column frequencies.
    pub columns: Vec<FrequencyColumn>,
}

impl Transform for FrequencyEncode {
    fn name(&self) -> &'static str {
        "frequency_encode"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        let rows = frame.height().max(1) as f64;
        let scale = |n: usize| {
            if self.normalize {
                n as f64 / rows
            } else {
                n as f64
            }
        };
        let mut fitted = Vec::with_capacity(columns.len());
        for name in columns {
            let counts = value_counts(frame, name)?;
            let nulls = frame.column(name)?.null_count();
            fitted.push(FrequencyColumn {
                column: name.clone(),
                categories: counts.iter().map(|(c, _)| c.clone()).collect(),
                frequencies: counts.iter().map(|(_, n)| scale(*n)).collect(),
                missing: scale(nulls),
            });
        }
        Ok(FittedStep::FrequencyEncode(FittedFrequencyEncode {
            normalize: self.normalize,
            columns: fitted,
        }))
    }
}

impl FittedTransform for FittedFrequencyEncode {
    fn exprs(&self) -> Vec<Expr> {
        self.columns
            .iter()
            .map(|c| {
                let value = as_text(&c.column);
                let known = if c.categories.is_empty() {
                    lit(0.0)
                } else {
                    value.clone().replace_strict(
                        text_list(&c.categories),
                        lit(Series::new("frequencies".into(), c.frequencies.clone())).implode(true),
                        Some(lit(0.0)),
                        Some(DataType::Float64),
                    )
                };
                when(value.is_null())
                    .then(lit(c.missing))
                    .otherwise(known)
                    .cast(DataType::Float64)
                    .alias(c.column.as_str())
            })
            .collect()
    }

    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "frequency_encode".into(),
            config: if self.normalize {
                "normalize=true".into()
            } else {
                "normalize=false".into()
            },
            learned: self
                .columns
                .iter()
                .map(|c| {
                    category_line(
                        &c.column,
                        c.categories
                            .iter()
                            .zip(&c.frequencies)
                            .map(|(cat, f)| format!("{cat}={f:.6}")),
                        c.categories.len(),
                        (c.missing > 0.0).then(|| format!("{:.6}", c.missing)),
                    )
                })
                .collect(),
        }
    }

    fn validate(&self) -> std::result::Result<(), String> {
        for c in &self.columns {
            if c.categories.len() != c.frequencies.len() {
                return Err(format!(
                    "frequency_encode of '{}': {} categories with {} frequencies",
                    c.column,
                    c.categories.len(),
                    c.frequencies.len()
                ));
            }
            let values = c.frequencies.iter().copied().chain([c.missing]);
            crate::transform::finite(&format!("frequencies of '{}'", c.column), values)?;
        }
        Ok(())
    }
}
