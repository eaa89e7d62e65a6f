//! Clipping (winsorizing): values beyond fitted training quantiles, or beyond fixed bounds, are
//! set to the bound, so outliers at prediction time cannot reach the model unbounded.

use crisp_core::{bail, column_f64, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::stats::{column_stats, Stat};
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// Clip each selected column to `[lower, upper]`. Each bound is either fixed (`lower`,
/// `upper`) or the training rows' quantile (`lower_quantile`, `upper_quantile`, fractions in
/// [0, 1], linear interpolation as numpy); give at least one bound, and at most one of each
/// pair. Nulls and NaN stay missing; `±inf` are clipped like any value.
///
/// ```toml
/// [[features.steps]]
/// kind = "clip"
/// columns = ["fnlwgt", "hours-per-week"]
/// lower_quantile = 0.01
/// upper_quantile = 0.99
/// # or fixed bounds: lower = 0.0, upper = 80.0
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Clip {
    /// Columns to clip.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// The lower bound is this quantile of the training values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_quantile: Option<f64>,
    /// The upper bound is this quantile of the training values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_quantile: Option<f64>,
    /// A fixed lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower: Option<f64>,
    /// A fixed upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
}

/// One column's bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipColumn {
    /// Column name.
    pub column: String,
    /// Lower bound (none: unbounded below).
    pub lower: Option<f64>,
    /// Upper bound (none: unbounded above).
    pub upper: Option<f64>,
}

/// Fitted clipping bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedClip {
    /// How the bounds were chosen, for the summary.
    pub config: String,
    /// Per-column bounds.
    pub columns: Vec<ClipColumn>,
}

impl Transform for Clip {
    fn name(&self) -> &'static str {
        "clip"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        if self.lower.is_some() && self.lower_quantile.is_some() {
            bail!(Config: "clip: give `lower` or `lower_quantile`, not both");
        }
        if self.upper.is_some() && self.upper_quantile.is_some() {
            bail!(Config: "clip: give `upper` or `upper_quantile`, not both");
        }
        if [
            self.lower,
            self.upper,
            self.lower_quantile,
            self.upper_quantile,
        ]
        .iter()
        .all(Option::is_none)
        {
            bail!(Config: "clip: give a bound: `lower_quantile`/`upper_quantile` (fitted) or `lower`/`upper` (fixed)");
        }
        for (key, q) in [
            ("lower_quantile", self.lower_quantile),
            ("upper_quantile", self.upper_quantile),
        ] {
            if let Some(q) = q {
                if !(0.0..=1.0).contains(&q) {
                    bail!(Config: "clip: {key} must be a fraction between 0 and 1, got {q}");
                }
            }
        }
        if let (Some(lo), Some(hi)) = (self.lower_quantile, self.upper_quantile) {
            if lo > hi {
                bail!(Config: "clip: lower_quantile {lo} is above upper_quantile {hi}");
            }
        }
        if let (Some(lo), Some(hi)) = (self.lower, self.upper) {
            if lo > hi || lo.is_nan() || hi.is_nan() {
                bail!(Config: "clip: lower {lo} is above upper {hi}");
            }
        }
        let mut stats = Vec::new();
        if let Some(q) = self.lower_quantile {
            stats.push(Stat::Quantile(q));
        }
        if let Some(q) = self.upper_quantile {
            stats.push(Stat::Quantile(q));
        }
        let values = if stats.is_empty() {
            // Fixed bounds learn nothing, but the columns must still be numeric.
            for name in columns {
                column_f64(frame, name).map_err(|e| e.context(format!("clip: column '{name}'")))?;
            }
            vec![Vec::new(); columns.len()]
        } else {
            column_stats(frame, columns, self.name(), &stats)?
        };
        let fitted = columns
            .iter()
            .zip(values)
            .map(|(name, v)| {
                let mut v = v.into_iter();
                let lower = self.lower.or_else(|| self.lower_quantile.and(v.next()));
                let upper = self.upper.or_else(|| self.upper_quantile.and(v.next()));
                ClipColumn {
                    column: name.clone(),
                    lower,
                    upper,
                }
            })
            .collect();
        let mut config = Vec::new();
        if let Some(q) = self.lower_quantile {
            config.push(format!("lower_quantile={q}"));
        }
        if let Some(v) = self.lower {
            config.push(format!("lower={v}"));
        }
        if let Some(q) = self.upper_quantile {
            config.push(format!("upper_quantile={q}"));
        }
        if let Some(v) = self.upper {
            config.push(format!("upper={v}"));
        }
        Ok(FittedStep::Clip(FittedClip {
            config: config.join(", "),
            columns: fitted,
        }))
    }
}

impl FittedTransform for FittedClip {
    fn exprs(&self) -> Vec<Expr> {
        self.columns
            .iter()
            .map(|c| {
                let x = col(c.column.as_str()).cast(DataType::Float64);
                // Polars orders NaN above every number: keep it NaN explicitly.
                let mut clipped = x.clone();
                if let Some(lo) = c.lower {
                    clipped = when(clipped.clone().lt(lit(lo)))
                        .then(lit(lo))
                        .otherwise(clipped);
                }
                if let Some(hi) = c.upper {
                    clipped = when(clipped.clone().gt(lit(hi)))
                        .then(lit(hi))
                        .otherwise(clipped);
                }
                when(x.clone().is_nan())
                    .then(x)
                    .otherwise(clipped)
                    .alias(c.column.as_str())
            })
            .collect()
    }

    fn summary(&self) -> StepSummary {
        let bound = |b: Option<f64>| b.map_or("none".to_string(), |v| format!("{v:.6}"));
        StepSummary {
            name: "clip".into(),
            config: self.config.clone(),
            learned: self
                .columns
                .iter()
                .map(|c| format!("{}: [{}, {}]", c.column, bound(c.lower), bound(c.upper)))
                .collect(),
        }
    }

    fn validate(&self) -> std::result::Result<(), String> {
        for c in &self.columns {
            let bounds = c.lower.into_iter().chain(c.upper);
            crate::transform::finite(&format!("clip bounds of '{}'", c.column), bounds)?;
            if let (Some(lo), Some(hi)) = (c.lower, c.upper) {
                if lo > hi {
                    return Err(format!(
                        "clip of '{}': lower bound {lo} above upper {hi}",
                        c.column
                    ));
                }
            }
        }
        Ok(())
    }
}
