//! Max-abs scaling: divide by the training maximum absolute value (scikit-learn's MaxAbsScaler),
//! mapping the training data into [-1, 1] without shifting it (zeros stay zeros).

use crisp_core::Result;
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

use crate::scale::FittedScale;
use crate::select::ColumnSelector;
use crate::stats::{column_stats, Stat};
use crate::transform::{FittedStep, Transform};

/// `x / max|x|` over the training rows' finite values; an all-zero column keeps scale 1.
///
/// ```toml
/// [[features.steps]]
/// kind = "max_abs_scale"
/// columns = ["capital-gain", "capital-loss"]
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaxAbsScale {
    /// Columns to scale.
    #[serde(flatten)]
    pub select: ColumnSelector,
}

impl Transform for MaxAbsScale {
    fn name(&self) -> &'static str {
        "max_abs_scale"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        let stats = column_stats(frame, columns, self.name(), &[Stat::MaxAbs])?;
        let fitted = columns
            .iter()
            .zip(stats)
            .map(|(name, v)| (name.clone(), 0.0, if v[0] > 0.0 { v[0] } else { 1.0 }))
            .collect();
        Ok(FittedStep::Scale(FittedScale {
            method: self.name().to_string(),
            columns: fitted,
        }))
    }
}
