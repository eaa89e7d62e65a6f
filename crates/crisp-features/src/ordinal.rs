//! Category codes in a fitted (or declared) order: one numeric column per categorical column,
//! for tree models that split on categories natively and for ordinal categories.

use std::collections::BTreeMap;

use crisp_core::{bail, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::categories::{as_text, ensure_known, text_list, value_counts, HandleUnknown};
use crate::select::ColumnSelector;
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// Replace each selected column by its category code (0, 1, ...); nulls and unknown categories
/// become missing (NaN), unless `handle_unknown = "error"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ordinal {
    /// Columns to encode.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// Declared category order per column (e.g. `cut = ["Fair", "Good", "Very Good", ...]`);
    /// other columns use sorted order.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub order: BTreeMap<String, Vec<String>>,
    /// What to do with categories not seen in training.
    #[serde(default)]
    pub handle_unknown: HandleUnknown,
}

impl Ordinal {
    /// Ordinal-encode `select` in sorted category order.
    pub fn new(select: ColumnSelector) -> Self {
        Ordinal {
            select,
            order: BTreeMap::new(),
            handle_unknown: HandleUnknown::Ignore,
        }
    }
}

/// Fitted ordinal encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedOrdinal {
    /// (column, categories in code order).
    pub columns: Vec<(String, Vec<String>)>,
    /// Unknown-category policy.
    pub handle_unknown: HandleUnknown,
}

impl Transform for Ordinal {
    fn name(&self) -> &'static str {
        "ordinal"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        let mut fitted = Vec::with_capacity(columns.len());
        for name in columns {
            let seen = value_counts(frame, name)?;
            let categories = match self.order.get(name) {
                Some(order) => {
                    if let Some((v, _)) = seen.iter().find(|(v, _)| !order.contains(v)) {
                        bail!(Config: "ordinal: column '{name}' has category '{v}' missing from its declared order");
                    }
                    order.clone()
                }
                None => seen.into_iter().map(|(v, _)| v).collect(),
            };
            fitted.push((name.clone(), categories));
        }
        if let Some(name) = self.order.keys().find(|k| !columns.contains(k)) {
            bail!(Config: "ordinal: an order is declared for '{name}', which this step does not select");
        }
        Ok(FittedStep::Ordinal(FittedOrdinal {
            columns: fitted,
            handle_unknown: self.handle_unknown,
        }))
    }
}

impl FittedTransform for FittedOrdinal {
    fn exprs(&self) -> Vec<Expr> {
        self.columns
            .iter()
            .map(|(name, cats)| {
                let codes: Vec<f64> = (0..cats.len()).map(|i| i as f64).collect();
                as_text(name)
                    .replace_strict(
                        text_list(cats),
                        lit(Series::new("codes".into(), codes)).implode(true),
                        Some(lit(NULL).cast(DataType::Float64)),
                        Some(DataType::Float64),
                    )
                    .alias(name.as_str())
            })
            .collect()
    }

    fn categorical_outputs(&self) -> Vec<String> {
        self.columns.iter().map(|(c, _)| c.clone()).collect()
    }

    fn check(&self, frame: &DataFrame, source: &str) -> Result<()> {
        if self.handle_unknown == HandleUnknown::Error {
            for (name, cats) in &self.columns {
                ensure_known(frame, name, cats, source, "ordinal")?;
            }
        }
        Ok(())
    }

    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "ordinal".into(),
            config: format!("handle_unknown={:?}", self.handle_unknown).to_lowercase(),
            learned: self
                .columns
                .iter()
                .map(|(c, cats)| format!("{c}: [{}]", cats.join(", ")))
                .collect(),
        }
    }
}
