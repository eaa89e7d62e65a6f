//! Standard and min-max scaling with statistics learned on the training data.

use crisp_core::{bail, column_f64, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// Centre on the training mean and divide by the training standard deviation (population, as
/// scikit-learn's StandardScaler); constant columns are only centred.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardScale {
    /// Columns to scale.
    #[serde(flatten)]
    pub select: ColumnSelector,
}

/// Map the training minimum to 0 and maximum to 1 (values outside that range are not clipped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MinMaxScale {
    /// Columns to scale.
    #[serde(flatten)]
    pub select: ColumnSelector,
}

/// `(x - offset) / scale` per column (fitted `standard_scale`, `min_max_scale`, `robust_scale`
/// and `max_abs_scale`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedScale {
    /// `standard_scale`, `min_max_scale`, `robust_scale` or `max_abs_scale`.
    pub method: String,
    /// (column, offset, scale).
    pub columns: Vec<(String, f64, f64)>,
}

fn fit_scale(
    frame: &DataFrame,
    columns: &[String],
    method: &str,
    stats: impl Fn(&[f64]) -> (f64, f64),
) -> Result<FittedStep> {
    let mut fitted = Vec::with_capacity(columns.len());
    for name in columns {
        let values: Vec<f64> = column_f64(frame, name)
            .map_err(|e| e.context(format!("{method}: column '{name}'")))?
            .iter()
            .flatten()
            .filter(|v| v.is_finite())
            .collect();
        if values.is_empty() {
            bail!(Data: "{method}: column '{name}' has no values in the training data to learn from");
        }
        let (offset, scale) = stats(&values);
        // A constant column would divide by zero; like scikit-learn, leave its scale at 1.
        let scale = if scale > 0.0 && scale.is_finite() {
            scale
        } else {
            1.0
        };
        fitted.push((name.clone(), offset, scale));
    }
    Ok(FittedStep::Scale(FittedScale {
        method: method.to_string(),
        columns: fitted,
    }))
}

impl Transform for StandardScale {
    fn name(&self) -> &'static str {
        "standard_scale"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        fit_scale(frame, columns, self.name(), |v| {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
            (mean, var.sqrt())
        })
    }
}

impl Transform for MinMaxScale {
    fn name(&self) -> &'static str {
        "min_max_scale"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        fit_scale(frame, columns, self.name(), |v| {
            let min = v.iter().copied().fold(f64::INFINITY, f64::min);
            let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (min, max - min)
        })
    }
}

impl FittedTransform for FittedScale {
    fn exprs(&self) -> Vec<Expr> {
        self.columns
            .iter()
            .map(|(name, offset, scale)| {
                ((col(name.as_str()).cast(DataType::Float64) - lit(*offset)) / lit(*scale))
                    .alias(name.as_str())
            })
            .collect()
    }

    fn summary(&self) -> StepSummary {
        let (a, b) = match self.method.as_str() {
            "standard_scale" => ("mean", "std"),
            "robust_scale" => ("median", "range"),
            "max_abs_scale" => ("offset", "max_abs"),
            _ => ("min", "range"),
        };
        StepSummary {
            name: self.method.clone(),
            config: String::new(),
            learned: self
                .columns
                .iter()
                .map(|(c, o, s)| format!("{c}: {a}={o:.6} {b}={s:.6}"))
                .collect(),
        }
    }
}
