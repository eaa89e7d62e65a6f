//! Removing columns (identifiers, leaks) before the model sees them.

use crisp_core::Result;
use polars::prelude::{DataFrame, Expr};
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// Drop the selected columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drop {
    /// Columns to drop.
    #[serde(flatten)]
    pub select: ColumnSelector,
}

/// The dropped column names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDrop {
    /// Columns removed.
    pub columns: Vec<String>,
}

impl Transform for Drop {
    fn name(&self) -> &'static str {
        "drop"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, _frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        Ok(FittedStep::Drop(FittedDrop {
            columns: columns.to_vec(),
        }))
    }
}

impl FittedTransform for FittedDrop {
    fn exprs(&self) -> Vec<Expr> {
        Vec::new()
    }
    fn dropped(&self) -> Vec<String> {
        self.columns.clone()
    }
    fn ignored(&self) -> Vec<String> {
        self.columns.clone()
    }
    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "drop".into(),
            config: String::new(),
            learned: self.columns.clone(),
        }
    }
}
