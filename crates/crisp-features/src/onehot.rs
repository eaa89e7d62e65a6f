//! One 0/1 column per category, with unknown and infrequent categories handled as configured.

use crisp_core::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::categories::{as_text, ensure_known, text_list, value_counts, HandleUnknown};
use crate::select::ColumnSelector;
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// Replace each selected column by one `<column>=<category>` column per training category.
/// Nulls encode as all zeros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneHot {
    /// Columns to encode.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// What to do with categories not seen in training.
    #[serde(default)]
    pub handle_unknown: HandleUnknown,
    /// Categories seen fewer times than this share one `<column>=infrequent` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_frequency: Option<usize>,
    /// Keep at most this many categories per column (the most frequent), counting the
    /// infrequent bucket; the rest are infrequent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_categories: Option<usize>,
}

impl OneHot {
    /// One-hot encode `select`, ignoring unknown categories.
    pub fn new(select: ColumnSelector) -> Self {
        OneHot {
            select,
            handle_unknown: HandleUnknown::Ignore,
            min_frequency: None,
            max_categories: None,
        }
    }
}

/// The categories of one encoded column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneHotColumn {
    /// Source column.
    pub column: String,
    /// Categories with their own output column, in output order.
    pub categories: Vec<String>,
    /// Categories grouped into `<column>=infrequent` (empty: no such column).
    pub infrequent: Vec<String>,
}

/// Fitted one-hot encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedOneHot {
    /// Per-column vocabularies.
    pub columns: Vec<OneHotColumn>,
    /// Unknown-category policy.
    pub handle_unknown: HandleUnknown,
}

/// The most indicator columns one column may become without `max_categories`: past it a
/// column is an identifier or free text, and its indicators would not fit in memory.
pub const MAX_LEVELS: usize = 10_000;

impl Transform for OneHot {
    fn name(&self) -> &'static str {
        "one_hot"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        let mut fitted = Vec::with_capacity(columns.len());
        for name in columns {
            let mut counts = value_counts(frame, name)?;
            // Most frequent first, ties by value, so `max_categories` keeps the common ones.
            counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let min = self.min_frequency.unwrap_or(0);
            let (mut keep, mut rare): (Vec<_>, Vec<_>) =
                counts.into_iter().partition(|(_, n)| *n >= min);
            if let Some(max) = self.max_categories {
                let room = if rare.is_empty() && keep.len() <= max {
                    max
                } else {
                    max.saturating_sub(1).max(1)
                };
                if keep.len() > room {
                    rare.extend(keep.split_off(room));
                }
            }
            if keep.len() > MAX_LEVELS {
                crisp_core::bail!(
                    Config { column: name, value: keep.len() }:
                    "one_hot: column '{name}' has {} categories, more than the {MAX_LEVELS} columns one column may become; set max_categories (or min_frequency), or use target_encode or frequency_encode for a column of many values",
                    keep.len()
                );
            }
            let mut categories: Vec<String> = keep.into_iter().map(|(v, _)| v).collect();
            let mut infrequent: Vec<String> = rare.into_iter().map(|(v, _)| v).collect();
            categories.sort();
            infrequent.sort();
            fitted.push(OneHotColumn {
                column: name.clone(),
                categories,
                infrequent,
            });
        }
        Ok(FittedStep::OneHot(FittedOneHot {
            columns: fitted,
            handle_unknown: self.handle_unknown,
        }))
    }
}

impl FittedTransform for FittedOneHot {
    fn exprs(&self) -> Vec<Expr> {
        let mut exprs = Vec::new();
        for c in &self.columns {
            let value = as_text(&c.column);
            for cat in &c.categories {
                exprs.push(
                    value
                        .clone()
                        .eq(lit(cat.clone()))
                        .fill_null(lit(false))
                        .cast(DataType::Float64)
                        .alias(format!("{}={}", c.column, cat)),
                );
            }
            let unknown_is_infrequent = self.handle_unknown == HandleUnknown::Infrequent;
            if !c.infrequent.is_empty() || unknown_is_infrequent {
                let mut bucket = value.clone().is_in(text_list(&c.infrequent), false);
                if unknown_is_infrequent {
                    let known: Vec<String> =
                        c.categories.iter().chain(&c.infrequent).cloned().collect();
                    let unknown = value
                        .clone()
                        .is_not_null()
                        .and(value.clone().is_in(text_list(&known), false).not());
                    bucket = bucket.or(unknown);
                }
                exprs.push(
                    bucket
                        .fill_null(lit(false))
                        .cast(DataType::Float64)
                        .alias(format!("{}=infrequent", c.column)),
                );
            }
        }
        exprs
    }

    fn dropped(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.column.clone()).collect()
    }

    fn check(&self, frame: &DataFrame, source: &str) -> Result<()> {
        if self.handle_unknown != HandleUnknown::Error {
            return Ok(());
        }
        for c in &self.columns {
            let known: Vec<String> = c.categories.iter().chain(&c.infrequent).cloned().collect();
            ensure_known(frame, &c.column, &known, source, "one_hot")?;
        }
        Ok(())
    }

    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "one_hot".into(),
            config: format!("handle_unknown={:?}", self.handle_unknown).to_lowercase(),
            learned: self
                .columns
                .iter()
                .map(|c| {
                    let mut line = format!("{}: [{}]", c.column, c.categories.join(", "));
                    if !c.infrequent.is_empty() {
                        line.push_str(&format!(" infrequent: [{}]", c.infrequent.join(", ")));
                    }
                    line
                })
                .collect(),
        }
    }
}
