//! Robust scaling: centre on the training median, divide by the training inter-quantile range
//! (scikit-learn's RobustScaler).

use crisp_core::{bail, Result};
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use crate::scale::FittedScale;
use crate::select::ColumnSelector;
use crate::stats::{column_stats, Stat};
use crate::transform::{FittedStep, Transform};

fn default_range() -> [f64; 2] {
    [25.0, 75.0]
}

fn yes() -> bool {
    true
}

/// `(x - median) / (q_hi - q_lo)` with the quantiles of `quantile_range` (percentages,
/// default the inter-quartile range `[25, 75]`), learned on the training rows' finite values
/// (linear interpolation, as numpy). A zero range leaves the scale at 1, as scikit-learn does.
///
/// ```toml
/// [[features.steps]]
/// kind = "robust_scale"
/// dtype = "numeric"
/// quantile_range = [10.0, 90.0]   # default [25.0, 75.0]
/// with_centering = true           # default true
/// with_scaling = true             # default true
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustScale {
    /// Columns to scale.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// Lower and upper percentiles whose difference is the scale.
    #[serde(default = "default_range")]
    pub quantile_range: [f64; 2],
    /// Subtract the median.
    #[serde(default = "yes")]
    pub with_centering: bool,
    /// Divide by the quantile range.
    #[serde(default = "yes")]
    pub with_scaling: bool,
}

impl RobustScale {
    /// Robust-scale `select` with the inter-quartile range.
    pub fn new(select: ColumnSelector) -> Self {
        RobustScale {
            select,
            quantile_range: default_range(),
            with_centering: true,
            with_scaling: true,
        }
    }
}

impl Transform for RobustScale {
    fn name(&self) -> &'static str {
        "robust_scale"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        let [lo, hi] = self.quantile_range;
        if !(0.0..=100.0).contains(&lo) || !(0.0..=100.0).contains(&hi) || lo > hi {
            bail!(Config: "robust_scale: quantile_range must be two percentages 0 <= low <= high <= 100, got [{lo}, {hi}]");
        }
        let stats = column_stats(
            frame,
            columns,
            self.name(),
            &[
                Stat::Median,
                Stat::Quantile(lo / 100.0),
                Stat::Quantile(hi / 100.0),
            ],
        )?;
        let fitted = columns
            .iter()
            .zip(stats)
            .map(|(name, v)| {
                let center = if self.with_centering { v[0] } else { 0.0 };
                let range = v[2] - v[1];
                let scale = if self.with_scaling && range > 0.0 && range.is_finite() {
                    range
                } else {
                    1.0
                };
                (name.clone(), center, scale)
            })
            .collect();
        Ok(FittedStep::Scale(FittedScale {
            method: self.name().to_string(),
            columns: fitted,
        }))
    }
}
