//! Standard and min-max scaling with statistics learned on the training data.

use crisp_core::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::stats::{column_stats, Stat};
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

/// `(offset, scale)` per column from `stats` of its finite training values; a zero or
/// non-finite scale (constant column) is left at 1, as scikit-learn does.
fn fit_scale(
    frame: &DataFrame,
    columns: &[String],
    method: &str,
    stats: &[Stat],
    offset_scale: impl Fn(&[f64]) -> (f64, f64),
) -> Result<FittedStep> {
    let values = column_stats(frame, columns, method, stats)?;
    let fitted = columns
        .iter()
        .zip(values)
        .map(|(name, v)| {
            let (offset, scale) = offset_scale(&v);
            let scale = if scale > 0.0 && scale.is_finite() {
                scale
            } else {
                1.0
            };
            (name.clone(), offset, scale)
        })
        .collect();
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
        fit_scale(frame, columns, self.name(), &[Stat::Mean, Stat::Std], |v| {
            (v[0], v[1])
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
        fit_scale(frame, columns, self.name(), &[Stat::Min, Stat::Max], |v| {
            (v[0], v[1] - v[0])
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

    fn validate(&self) -> std::result::Result<(), String> {
        for (column, center, scale) in &self.columns {
            crate::transform::finite(&format!("{} of '{column}'", self.method), [*center, *scale])?;
            if *scale == 0.0 {
                return Err(format!("{} of '{column}' divides by 0", self.method));
            }
        }
        Ok(())
    }
}
