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

/// Targets of a decision tree or random forest, in the form histograms consume.
pub(crate) enum TreeTargets {
    Class {
        y: Vec<u32>,
        k: usize,
    },
    /// Targets minus their mean: centring keeps the node scores `G^2 / n` small, so the
    /// rounding tolerance on gains does not hide real splits of targets with a large offset.
    Regression {
        centred: Vec<f64>,
        mean: f64,
    },
}

impl TreeTargets {
    pub fn regression(y: Vec<f64>) -> Self {
        let mean = y.iter().sum::<f64>() / y.len().max(1) as f64;
        TreeTargets::Regression {
            centred: y.iter().map(|v| v - mean).collect(),
            mean,
        }
    }

    pub fn stats(&self) -> Stats<'_> {
        match self {
            TreeTargets::Class { y, k } => Stats::Class { y, k: *k },
            TreeTargets::Regression { centred, .. } => Stats::Grad { g: centred },
        }
    }

    pub fn n_outputs(&self) -> usize {
        match self {
            TreeTargets::Class { k, .. } => *k,
            TreeTargets::Regression { .. } => 1,
        }
    }

    pub fn is_classification(&self) -> bool {
        matches!(self, TreeTargets::Class { .. })
    }

    pub fn scorer(&self, criterion: Criterion) -> Scorer {
        Scorer::for_stats(&self.stats(), 0.0, 0.0, criterion)
    }

    /// Gives every leaf its value: class frequencies, or the mean target.
    pub fn finish(&self, grown: Grown) -> Tree {
        let mut tree = grown.tree;
        let mut out = vec![0.0; self.n_outputs()];
        for leaf in &grown.leaves {
            match self {
                TreeTargets::Class { .. } => {
                    let n: f64 = leaf.totals.iter().sum();
                    for (o, c) in out.iter_mut().zip(&leaf.totals) {
                        *o = c / n;
                    }
                }
                TreeTargets::Regression { mean, .. } => {
                    out[0] = mean + leaf.totals[0] / leaf.totals[1];
                }
            }
            tree.set_leaf(leaf.node, &out);
        }
        tree
    }
}
