//! Discretization into bins whose edges are learned on the training rows (scikit-learn's
//! KBinsDiscretizer), applied with Polars `cut` on those edges so prediction uses the training
//! bins.

use crisp_core::{bail, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::stats::{column_stats, Stat};
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// How bin edges are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinStrategy {
    /// Equal-width bins between the training minimum and maximum.
    Uniform,
    /// Equal-count bins: edges at the training quantiles (linear interpolation).
    #[default]
    Quantile,
}

/// How bins are output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinEncode {
    /// One column of bin codes 0, 1, ... replacing the source.
    #[default]
    Ordinal,
    /// One 0/1 column `<column>=bin<i>` per bin, replacing the source.
    OneHot,
}

fn five() -> usize {
    5
}

/// Replace each selected numeric column by its bin. Bin `i` is `[edge_i, edge_i+1)`; values
/// below the first edge fall in bin 0 and values above the last in the last bin (so `±inf` do
/// too); nulls and NaN are missing (all zeros one-hot). Quantile edges closer than 1e-8 are
/// merged, so a column may get fewer bins than asked; a constant column gets one bin.
///
/// ```toml
/// [[features.steps]]
/// kind = "bin"
/// columns = ["age", "hours-per-week"]
/// strategy = "quantile"   # or "uniform"
/// n_bins = 5              # default 5
/// encode = "ordinal"      # or "one_hot"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Columns to discretize.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// How edges are chosen.
    #[serde(default)]
    pub strategy: BinStrategy,
    /// Number of bins (at least 2).
    #[serde(default = "five")]
    pub n_bins: usize,
    /// Codes or one-hot columns.
    #[serde(default)]
    pub encode: BinEncode,
}

impl Bin {
    /// `n_bins` quantile bins of `select`, as codes.
    pub fn new(select: ColumnSelector, strategy: BinStrategy, n_bins: usize) -> Self {
        Bin {
            select,
            strategy,
            n_bins,
            encode: BinEncode::Ordinal,
        }
    }
}

/// One column's edges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinColumn {
    /// Column name.
    pub column: String,
    /// All edges, ascending: the training minimum, the inner edges, the training maximum
    /// (only the inner ones matter when applying).
    pub edges: Vec<f64>,
}

impl BinColumn {
    fn breaks(&self) -> Vec<f64> {
        if self.edges.len() <= 2 {
            Vec::new()
        } else {
            self.edges[1..self.edges.len() - 1].to_vec()
        }
    }

    fn n_bins(&self) -> usize {
        self.breaks().len() + 1
    }
}

/// Fitted bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedBin {
    /// How the edges were chosen.
    pub strategy: BinStrategy,
    /// Codes or one-hot.
    pub encode: BinEncode,
    /// Per-column edges.
    pub columns: Vec<BinColumn>,
}

/// Equal-width (`Uniform`, from `[min, max]`) or equal-count (`Quantile`, the quantiles at
/// `i / n_bins` with linear interpolation) edges, as scikit-learn's KBinsDiscretizer computes
/// them with `quantile_method="linear"`: edges closer than 1e-8 to the previous one are merged
/// and a constant column gets one bin. `stats` are the column's statistics in the order of
/// [`edge_stats`].
pub fn bin_edges(stats: &[f64], n_bins: usize, strategy: BinStrategy) -> Vec<f64> {
    let raw: Vec<f64> = match strategy {
        BinStrategy::Uniform => {
            let (min, max) = (stats[0], stats[1]);
            if min == max {
                return vec![min, max];
            }
            // numpy.linspace: i * step + start, the last edge exactly the maximum.
            let step = (max - min) / n_bins as f64;
            (0..=n_bins)
                .map(|i| {
                    if i == n_bins {
                        max
                    } else {
                        i as f64 * step + min
                    }
                })
                .collect()
        }
        BinStrategy::Quantile => {
            if stats[0] == stats[n_bins] {
                return vec![stats[0], stats[n_bins]];
            }
            stats.to_vec()
        }
    };
    // Drop edges too close to the previous one (empty bins), as scikit-learn does.
    let mut edges: Vec<f64> = Vec::with_capacity(raw.len());
    for e in raw {
        if edges.last().is_none_or(|&last| e - last > 1e-8) {
            edges.push(e);
        }
    }
    edges
}

/// The statistics [`bin_edges`] needs.
pub fn edge_stats(n_bins: usize, strategy: BinStrategy) -> Vec<Stat> {
    match strategy {
        BinStrategy::Uniform => vec![Stat::Min, Stat::Max],
        BinStrategy::Quantile => (0..=n_bins)
            .map(|i| Stat::Quantile(i as f64 / n_bins as f64))
            .collect(),
    }
}

impl Transform for Bin {
    fn name(&self) -> &'static str {
        "bin"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        if self.n_bins < 2 {
            bail!(Config: "bin: n_bins must be at least 2, got {}", self.n_bins);
        }
        let stats = column_stats(
            frame,
            columns,
            self.name(),
            &edge_stats(self.n_bins, self.strategy),
        )?;
        let fitted = columns
            .iter()
            .zip(stats)
            .map(|(name, v)| BinColumn {
                column: name.clone(),
                edges: bin_edges(&v, self.n_bins, self.strategy),
            })
            .collect();
        Ok(FittedStep::Bin(FittedBin {
            strategy: self.strategy,
            encode: self.encode,
            columns: fitted,
        }))
    }
}

/// The bin code of `c` as f64 (null for null or NaN): the number of inner edges at or below
/// the value, which is the index of Polars `cut`'s bin with `left_closed` on the same edges
/// (bin `i` is `[edge_i, edge_i+1)`, `-inf` in bin 0, `+inf` in the last), computed with one
/// comparison per edge instead of building a categorical column.
fn code(c: &BinColumn) -> Expr {
    let x = col(c.column.as_str())
        .cast(DataType::Float64)
        .fill_nan(lit(Null {}));
    let mut breaks = c.breaks().into_iter();
    match breaks.next() {
        None => when(x.is_null())
            .then(lit(Null {}).cast(DataType::Float64))
            .otherwise(lit(0.0)),
        // Counted as 32-bit integers (half the memory traffic of summing floats), converted
        // once.
        Some(first) => breaks
            .fold(
                x.clone().gt_eq(lit(first)).cast(DataType::UInt32),
                |code, b| code + x.clone().gt_eq(lit(b)).cast(DataType::UInt32),
            )
            .cast(DataType::Float64),
    }
}

impl FittedTransform for FittedBin {
    fn exprs(&self) -> Vec<Expr> {
        let mut exprs = Vec::new();
        for c in &self.columns {
            match self.encode {
                BinEncode::Ordinal => exprs.push(code(c).alias(c.column.as_str())),
                BinEncode::OneHot => {
                    for i in 0..c.n_bins() {
                        exprs.push(
                            code(c)
                                .eq(lit(i as f64))
                                .fill_null(lit(false))
                                .cast(DataType::Float64)
                                .alias(format!("{}=bin{i}", c.column)),
                        );
                    }
                }
            }
        }
        exprs
    }

    fn dropped(&self) -> Vec<String> {
        match self.encode {
            BinEncode::Ordinal => Vec::new(),
            BinEncode::OneHot => self.columns.iter().map(|c| c.column.clone()).collect(),
        }
    }

    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "bin".into(),
            config: format!(
                "strategy={}, encode={}",
                match self.strategy {
                    BinStrategy::Uniform => "uniform",
                    BinStrategy::Quantile => "quantile",
                },
                match self.encode {
                    BinEncode::Ordinal => "ordinal",
                    BinEncode::OneHot => "one_hot",
                }
            ),
            learned: self
                .columns
                .iter()
                .map(|c| {
                    let edges: Vec<String> = c.edges.iter().map(|e| format!("{e:.6}")).collect();
                    format!(
                        "{}: {} bins, edges [{}]",
                        c.column,
                        c.n_bins(),
                        edges.join(", ")
                    )
                })
                .collect(),
        }
    }

    fn validate(&self) -> std::result::Result<(), String> {
        for c in &self.columns {
            crate::transform::finite(
                &format!("bin edges of '{}'", c.column),
                c.edges.iter().copied(),
            )?;
            if c.edges.windows(2).any(|w| w[0] >= w[1]) {
                return Err(format!("bin edges of '{}' are not increasing", c.column));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes as Polars `cut` (left-closed, labelled 0..) gives them, the earlier
    /// implementation: the comparison form must agree on every value.
    fn cut_codes(c: &BinColumn, frame: &DataFrame) -> Vec<Option<f64>> {
        let breaks = c.breaks();
        let labels: Vec<String> = (0..=breaks.len()).map(|i| i.to_string()).collect();
        let out = frame
            .clone()
            .lazy()
            .select([col(c.column.as_str())
                .cast(DataType::Float64)
                .cut(breaks, Some(labels), true, false)
                .cast(DataType::String)
                .cast(DataType::Float64)])
            .collect()
            .unwrap();
        out.column(c.column.as_str())
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect()
    }

    #[test]
    fn comparison_codes_equal_cut_codes() {
        let mut values: Vec<Option<f64>> = vec![
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(-0.0),
            Some(0.0),
        ];
        let mut rng = crisp_core::SeededRng::new(7);
        for _ in 0..500 {
            values.push(Some((rng.index(2001) as f64 - 1000.0) / 100.0));
        }
        let frame = df!("x" => &values).unwrap();
        for edges in [
            vec![],
            vec![0.0],
            vec![-10.0, 10.0],
            vec![-10.0, 0.0, 10.0],
            vec![-10.0, -2.5, 0.0, 1.25, 3.0, 10.0],
        ] {
            let c = BinColumn {
                column: "x".into(),
                edges,
            };
            let got: Vec<Option<f64>> = frame
                .clone()
                .lazy()
                .select([code(&c).alias("x")])
                .collect()
                .unwrap()
                .column("x")
                .unwrap()
                .f64()
                .unwrap()
                .iter()
                .collect();
            assert_eq!(got, cut_codes(&c, &frame), "edges {:?}", c.edges);
        }
    }
}
