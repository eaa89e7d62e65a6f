//! Checking fit inputs and turning targets into the statistics trees are grown on.

use ndarray::{ArrayBase, ArrayView1, Data, Ix2};

use crate::binning::{bin_dataset, BinnedData};
use crate::error::{Result, TreeError};
use crate::grow::Grown;
use crate::histogram::Stats;
use crate::params::TreeOptions;
use crate::split::{Criterion, Scorer};
use crate::tree::Tree;

/// Validates the shapes and the categorical columns, then bins the records.
pub(crate) fn prepare<D: Data<Elem = f64>>(
    x: &ArrayBase<D, Ix2>,
    n_targets: usize,
    opts: &TreeOptions,
) -> Result<BinnedData> {
    let (rows, features) = x.dim();
    if rows == 0 || features == 0 {
        return Err(TreeError::EmptyDataset { rows, features });
    }
    if n_targets != rows {
        return Err(TreeError::ShapeMismatch {
            records: rows,
            targets: n_targets,
        });
    }
    if rows > u32::MAX as usize {
        return Err(TreeError::Linfa(linfa::Error::Parameters(format!(
            "at most {} rows are supported, got {rows}",
            u32::MAX
        ))));
    }
    let mut categorical = vec![false; features];
    for &c in &opts.categorical_features {
        if c >= features {
            return Err(TreeError::InvalidCategorical {
                feature: c,
                reason: format!("column index out of range: the data has {features} features"),
            });
        }
        categorical[c] = true;
    }
    bin_dataset(x.view(), opts.max_bins, &categorical)
}

/// Class labels as `u32` and the number of classes (explicit, or largest label + 1).
pub(crate) fn class_labels(
    y: ArrayView1<usize>,
    n_classes: Option<usize>,
) -> Result<(Vec<u32>, usize)> {
    let k = n_classes.unwrap_or_else(|| y.iter().max().map_or(1, |m| m + 1));
    let mut out = Vec::with_capacity(y.len());
    for (row, &label) in y.iter().enumerate() {
        if label >= k || label > u32::MAX as usize {
            return Err(TreeError::LabelOutOfRange {
                label,
                row,
                n_classes: k,
            });
        }
        out.push(label as u32);
    }
    Ok((out, k))
}

/// Regression targets, all of which must be finite.
pub(crate) fn regression_targets(y: ArrayView1<f64>) -> Result<Vec<f64>> {
    y.iter()
        .enumerate()
        .map(|(row, &value)| {
            if value.is_finite() {
                Ok(value)
            } else {
                Err(TreeError::NonFiniteTarget { row, value })
            }
        })
        .collect()
}

/// Checked targets, before a model turns them into the statistics it grows trees on.
///
/// `pub` in a private module: it appears in the sealed [`crate::TreeTarget`] trait, and nowhere
/// in the public API.
pub enum Targets {
    /// Class labels as `u32`, and the number of classes.
    Labels {
        /// One label per row, each below `k`.
        y: Vec<u32>,
        /// Number of classes.
        k: usize,
    },
    /// Finite real targets.
    Reals(Vec<f64>),
}

/// The dataset's sample weights as `f64`, checked: `None` when there are none or all are 1
/// (which fits exactly the model of an unweighted dataset). `model` names the model in errors.
pub(crate) fn sample_weights(
    model: &'static str,
    weights: Option<&[f32]>,
    rows: usize,
) -> Result<Option<Vec<f64>>> {
    let Some(w) = weights.filter(|w| !w.is_empty()) else {
        return Ok(None);
    };
    if w.len() != rows {
        return Err(TreeError::InvalidWeights {
            model,
            reason: format!("{} weights for {rows} rows", w.len()),
        });
    }
    if let Some(row) = w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(TreeError::InvalidWeight {
            model,
            row,
            value: w[row],
        });
    }
    if w.iter().all(|&v| v == 1.0) {
        return Ok(None);
    }
    if w.iter().all(|&v| v == 0.0) {
        return Err(TreeError::InvalidWeights {
            model,
            reason: "every weight is 0".to_string(),
        });
    }
    Ok(Some(w.iter().map(|&v| f64::from(v)).collect()))
}

/// Targets of a decision tree or random forest, in the form histograms consume, with the
/// sample weights if any.
pub(crate) enum TreeTargets {
    Class {
        y: Vec<u32>,
        k: usize,
        /// Sample weights: histograms then hold weighted class counts.
        w: Option<Vec<f64>>,
    },
    /// Targets minus their mean: centring keeps the node scores `G^2 / n` small, so the
    /// rounding tolerance on gains does not hide real splits of targets with a large offset.
    /// With weights, `centred` holds `w * (y - mean)` around the weighted mean, and the
    /// histograms `[sum w (y - mean), sum w]`.
    Regression {
        centred: Vec<f64>,
        mean: f64,
        w: Option<Vec<f64>>,
    },
}

impl TreeTargets {
    pub fn new(targets: Targets, w: Option<Vec<f64>>) -> Self {
        match targets {
            Targets::Labels { y, k } => TreeTargets::Class { y, k, w },
            Targets::Reals(y) => TreeTargets::regression(y, w),
        }
    }

    fn regression(y: Vec<f64>, w: Option<Vec<f64>>) -> Self {
        match w {
            None => {
                let mean = y.iter().sum::<f64>() / y.len().max(1) as f64;
                TreeTargets::Regression {
                    centred: y.iter().map(|v| v - mean).collect(),
                    mean,
                    w: None,
                }
            }
            Some(w) => {
                let total: f64 = w.iter().sum();
                let mean = y.iter().zip(&w).map(|(v, w)| v * w).sum::<f64>() / total;
                TreeTargets::Regression {
                    centred: y.iter().zip(&w).map(|(v, w)| w * (v - mean)).collect(),
                    mean,
                    w: Some(w),
                }
            }
        }
    }

    pub fn stats(&self) -> Stats<'_> {
        match self {
            TreeTargets::Class { y, k, w: None } => Stats::Class { y, k: *k },
            TreeTargets::Class { y, k, w: Some(w) } => Stats::WeightedClass { y, w, k: *k },
            TreeTargets::Regression {
                centred, w: None, ..
            } => Stats::Grad { g: centred },
            // Bins `[sum w (y - mean), sum w]`: the weighted layout of `Stats::Grad`'s
            // `[sum (y - mean), count]`, scored the same way (see `scorer`).
            TreeTargets::Regression {
                centred,
                w: Some(w),
                ..
            } => Stats::GradHess { g: centred, h: w },
        }
    }

    /// The sample weights, if any.
    pub fn weights(&self) -> Option<&[f64]> {
        match self {
            TreeTargets::Class { w, .. } | TreeTargets::Regression { w, .. } => w.as_deref(),
        }
    }

    pub fn n_outputs(&self) -> usize {
        match self {
            TreeTargets::Class { k, .. } => *k,
            TreeTargets::Regression { .. } => 1,
        }
    }

    /// Number of classes, 0 for regression.
    pub fn n_classes(&self) -> usize {
        match self {
            TreeTargets::Class { k, .. } => *k,
            TreeTargets::Regression { .. } => 0,
        }
    }

    pub fn is_classification(&self) -> bool {
        matches!(self, TreeTargets::Class { .. })
    }

    pub fn scorer(&self, criterion: Criterion) -> Scorer {
        match self {
            TreeTargets::Class { k, .. } => Scorer::Class { k: *k, criterion },
            // Weighted or not, the second value of a bin is the count (or weight) the first
            // is divided by.
            TreeTargets::Regression { .. } => Scorer::Grad {
                l2: 0.0,
                cat_smooth: 0.0,
            },
        }
    }

    /// Gives every leaf its value: class frequencies, or the mean target (weighted, with
    /// weights).
    pub fn finish(&self, grown: Grown) -> Tree {
        let mut tree = grown.tree;
        let mut out = vec![0.0; self.n_outputs()];
        for leaf in &grown.leaves {
            match self {
                TreeTargets::Class { .. } => {
                    let n: f64 = leaf.totals.iter().sum();
                    if n > 0.0 {
                        for (o, c) in out.iter_mut().zip(&leaf.totals) {
                            *o = c / n;
                        }
                    } else {
                        // Only a root can weigh nothing (a bootstrap of rows of weight 0): it
                        // predicts the class frequencies of all the data.
                        out.copy_from_slice(&self.class_frequencies());
                    }
                }
                TreeTargets::Regression { mean, .. } => {
                    // A root of rows of weight 0 predicts the mean of all the data.
                    out[0] = if leaf.totals[1] > 0.0 {
                        mean + leaf.totals[0] / leaf.totals[1]
                    } else {
                        *mean
                    };
                }
            }
            tree.set_leaf(leaf.node, &out);
        }
        tree
    }

    /// The (weighted) class frequencies of all rows.
    fn class_frequencies(&self) -> Vec<f64> {
        let TreeTargets::Class { y, k, w } = self else {
            unreachable!("classification only")
        };
        let mut counts = vec![0.0; *k];
        for (i, &c) in y.iter().enumerate() {
            counts[c as usize] += w.as_ref().map_or(1.0, |w| w[i]);
        }
        let total: f64 = counts.iter().sum();
        counts.iter().map(|c| c / total).collect()
    }
}
