//! `ln(1 + x)`, for skewed non-negative amounts (capital gains, prices, counts).

use crisp_core::{bail, column_f64, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// Replace each selected column by `ln(1 + x)`. Fitting checks that every training value is
/// above -1 (an error names the column, row and value); at prediction a value ≤ -1 becomes
/// missing, NaN stays NaN and `+inf` stays `+inf`.
///
/// ```toml
/// [[features.steps]]
/// kind = "log1p"
/// columns = ["capital-gain", "capital-loss"]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Log1p {
    /// Columns to transform.
    #[serde(flatten)]
    pub select: ColumnSelector,
}

/// The transformed columns (nothing is learned beyond the check of the training range).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLog1p {
    /// Columns replaced by `ln(1 + x)`.
    pub columns: Vec<String>,
}

impl Transform for Log1p {
    fn name(&self) -> &'static str {
        "log1p"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        for name in columns {
            let values = column_f64(frame, name)
                .map_err(|e| e.context(format!("log1p: column '{name}'")))?;
            let bad = values
                .iter()
                .enumerate()
                .find_map(|(i, v)| v.filter(|v| *v <= -1.0).map(|v| (i, v)));
            if let Some((row, v)) = bad {
                bail!(Data: "log1p: column '{name}' has value {v} on data row {}; ln(1 + x) needs values above -1", row + 1);
            }
        }
        Ok(FittedStep::Log1p(FittedLog1p {
            columns: columns.to_vec(),
        }))
    }
}

impl FittedTransform for FittedLog1p {
    fn exprs(&self) -> Vec<Expr> {
        self.columns
            .iter()
            .map(|name| {
                let x = col(name.as_str()).cast(DataType::Float64);
                // (Polars orders NaN above every number, so NaN takes this branch and stays NaN.)
                when(x.clone().gt(lit(-1.0)))
                    .then(x.log1p())
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias(name.as_str())
            })
            .collect()
    }

    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "log1p".into(),
            config: String::new(),
            learned: self
                .columns
                .iter()
                .map(|c| format!("{c}: ln(1 + x)"))
                .collect(),
        }
    }
}
