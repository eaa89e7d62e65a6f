//! Gradient boosted decision trees (histogram GBDT, like LightGBM and scikit-learn's
//! `HistGradientBoosting*`).

use std::marker::PhantomData;

use crisp_core::progress::Progress;
use crisp_core::SeededRng;
use linfa::dataset::{AsSingleTargets, DatasetBase};
use linfa::traits::{Fit, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayBase, ArrayView1, ArrayView2, Data, Ix2};
use serde::{Deserialize, Serialize};

use crate::binned::{BinMapper, BinnedMatrix};
use crate::binning::BinnedData;
use crate::data::{prepare, sample_weights, Targets};
use crate::error::{Result, TreeError};
use crate::grow::{grow, Buffers, GrowConfig};
use crate::histogram::{HistLayout, Stats};
use crate::loss::{sigmoid, softmax, Loss};
use crate::params::{
    check_fraction, invalid, tree_option_accessors, EarlyStopping, Parser, TreeOptions,
};
use crate::predict::map_blocks;
use crate::spin::{self, Spread};
use crate::split::Scorer;
use crate::target::{check_importances, is_classification, TreeTarget};
use crate::tree::Tree;

/// Early stopping switches itself on above this many rows (scikit-learn's rule).
const AUTO_EARLY_STOPPING_ROWS: usize = 10_000;

/// Smoothing added to the hessian when ordering categories by gradient ratio, so that rare
/// categories are not ranked on a handful of rows (scikit-learn and LightGBM use the same).
const CAT_SMOOTH: f64 = 10.0;

/// Work units (see [`Spread::of`]) of routing one row down a fresh tree.
const ROUTE_WORK: usize = 32;

/// Checked hyperparameters of [`GradientBoosting`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingValidParams {
    pub(crate) tree: TreeOptions,
    n_rounds: usize,
    learning_rate: f64,
    l2: f64,
    subsample: f64,
    colsample: f64,
    min_child_weight: f64,
    early_stopping: EarlyStopping,
    early_stopping_rounds: usize,
    validation_fraction: f64,
}

/// Hyperparameters of [`GradientBoosting`]; get them from [`GradientBoosting::params`].
///
/// Defaults follow scikit-learn's `HistGradientBoosting*`: 100 rounds, learning rate 0.1,
/// leaf-wise trees of at most 31 leaves and no depth limit, 20 rows per leaf, no L2, 255 bins,
/// and early stopping (10 rounds of patience on a 10% validation split) when there are more
/// than 10 000 rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingParams(GradientBoostingValidParams);

impl Default for GradientBoostingParams {
    fn default() -> Self {
        Self::new()
    }
}

impl GradientBoostingParams {
    /// The names [`GradientBoostingParams::set_param`] accepts.
    pub const PARAM_NAMES: &'static [&'static str] = &[
        "n_rounds",
        "learning_rate",
        "max_depth",
        "max_leaves",
        "min_samples_leaf",
        "min_samples_split",
        "l2",
        "subsample",
        "colsample",
        "max_bins",
        "seed",
        "min_child_weight",
        "early_stopping",
        "early_stopping_rounds",
        "validation_fraction",
        "n_classes",
        "categorical_features",
    ];

    /// Default hyperparameters.
    pub fn new() -> Self {
        GradientBoostingParams(GradientBoostingValidParams {
            tree: TreeOptions {
                max_leaves: Some(31),
                min_samples_leaf: 20,
                ..TreeOptions::tree_defaults()
            },
            n_rounds: 100,
            learning_rate: 0.1,
            l2: 0.0,
            subsample: 1.0,
            colsample: 1.0,
            min_child_weight: 1e-3,
            early_stopping: EarlyStopping::Auto,
            early_stopping_rounds: 10,
            validation_fraction: 0.1,
        })
    }

    /// Number of boosting rounds (one tree per round, or one per class for multiclass).
    pub fn n_rounds(mut self, n_rounds: usize) -> Self {
        self.0.n_rounds = n_rounds;
        self
    }

    /// Shrinkage applied to every tree's output.
    pub fn learning_rate(mut self, learning_rate: f64) -> Self {
        self.0.learning_rate = learning_rate;
        self
    }

    /// L2 regularisation of leaf values (added to the hessian sum).
    pub fn l2(mut self, l2: f64) -> Self {
        self.0.l2 = l2;
        self
    }

    /// Fraction of training rows drawn (without replacement) for each round.
    pub fn subsample(mut self, subsample: f64) -> Self {
        self.0.subsample = subsample;
        self
    }

    /// Fraction of features drawn for each tree.
    pub fn colsample(mut self, colsample: f64) -> Self {
        self.0.colsample = colsample;
        self
    }

    /// Minimum hessian sum in a leaf (LightGBM's `min_sum_hessian_in_leaf`).
    pub fn min_child_weight(mut self, min_child_weight: f64) -> Self {
        self.0.min_child_weight = min_child_weight;
        self
    }

    /// When to hold out a validation split and stop once it stops improving.
    pub fn early_stopping(mut self, early_stopping: EarlyStopping) -> Self {
        self.0.early_stopping = early_stopping;
        self
    }

    /// Rounds without improvement of the validation loss before stopping.
    pub fn early_stopping_rounds(mut self, rounds: usize) -> Self {
        self.0.early_stopping_rounds = rounds;
        self
    }

    /// Fraction of rows held out for early stopping (stratified for classification).
    pub fn validation_fraction(mut self, fraction: f64) -> Self {
        self.0.validation_fraction = fraction;
        self
    }

    /// Sets a hyperparameter by name from text (see [`GradientBoostingParams::PARAM_NAMES`]).
    /// `early_stopping` takes `auto`, `true` or `false`.
    pub fn set_param(&mut self, name: &str, value: &str) -> Result<()> {
        let p = Parser {
            model: "gbdt",
            names: Self::PARAM_NAMES,
        };
        let v = &mut self.0;
        match name {
            "n_rounds" => v.n_rounds = p.usize(name, value)?,
            "learning_rate" => v.learning_rate = p.f64(name, value)?,
            "l2" => v.l2 = p.f64(name, value)?,
            "subsample" => v.subsample = p.f64(name, value)?,
            "colsample" => v.colsample = p.f64(name, value)?,
            "min_child_weight" => v.min_child_weight = p.f64(name, value)?,
            "early_stopping" => {
                v.early_stopping = if value.trim().eq_ignore_ascii_case("auto") {
                    EarlyStopping::Auto
                } else if p.bool(name, value)? {
                    EarlyStopping::On
                } else {
                    EarlyStopping::Off
                }
            }
            "early_stopping_rounds" => v.early_stopping_rounds = p.usize(name, value)?,
            "validation_fraction" => v.validation_fraction = p.f64(name, value)?,
            _ => {
                return v
                    .tree
                    .set(&p, name, value)
                    .unwrap_or_else(|| Err(p.unknown(name)))
            }
        }
        Ok(())
    }
}

tree_option_accessors!(GradientBoostingParams, GradientBoostingValidParams);

impl GradientBoostingValidParams {
    /// Number of boosting rounds.
    pub fn n_rounds(&self) -> usize {
        self.n_rounds
    }

    /// Shrinkage.
    pub fn learning_rate(&self) -> f64 {
        self.learning_rate
    }

    /// L2 regularisation of leaf values.
    pub fn l2(&self) -> f64 {
        self.l2
    }

    /// Fraction of rows per round.
    pub fn subsample(&self) -> f64 {
        self.subsample
    }

    /// Fraction of features per tree.
    pub fn colsample(&self) -> f64 {
        self.colsample
    }

    /// Minimum hessian sum per leaf.
    pub fn min_child_weight(&self) -> f64 {
        self.min_child_weight
    }

    /// Early stopping mode.
    pub fn early_stopping(&self) -> EarlyStopping {
        self.early_stopping
    }

    /// Patience of early stopping, in rounds.
    pub fn early_stopping_rounds(&self) -> usize {
        self.early_stopping_rounds
    }

    /// Held-out fraction for early stopping.
    pub fn validation_fraction(&self) -> f64 {
        self.validation_fraction
    }
}

impl ParamGuard for GradientBoostingParams {
    type Checked = GradientBoostingValidParams;
    type Error = TreeError;

    fn check_ref(&self) -> Result<&Self::Checked> {
        let v = &self.0;
        v.tree.check()?;
        if v.n_rounds == 0 {
            return Err(invalid("n_rounds", ">= 1", 0));
        }
        if !(v.learning_rate > 0.0 && v.learning_rate.is_finite()) {
            return Err(invalid("learning_rate", "> 0", v.learning_rate));
        }
        if !(v.l2 >= 0.0 && v.l2.is_finite()) {
            return Err(invalid("l2", ">= 0", v.l2));
        }
        check_fraction("subsample", v.subsample)?;
        check_fraction("colsample", v.colsample)?;
        if !(v.min_child_weight >= 0.0 && v.min_child_weight.is_finite()) {
            return Err(invalid("min_child_weight", ">= 0", v.min_child_weight));
        }
        if v.early_stopping_rounds == 0 {
            return Err(invalid("early_stopping_rounds", ">= 1", 0));
        }
        if !(v.validation_fraction > 0.0 && v.validation_fraction < 1.0) {
            return Err(invalid(
                "validation_fraction",
                "in (0, 1)",
                v.validation_fraction,
            ));
        }
        Ok(v)
    }

    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted gradient boosting model.
///
/// `L` is the target type: `GradientBoosting<usize>` (the default) is a classifier fitted on
/// `usize` labels (log-loss for two classes, softmax for more), `GradientBoosting<f64>` a
/// regressor fitted on `f64` targets (squared error). Both come from
/// [`GradientBoosting::params`] (see [`crate::TreeTarget`]). Sample weights scale each row's
/// gradient and hessian, and weigh the starting score and the validation loss.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct GradientBoosting<L = usize> {
    /// Round-major: the tree of round `r` for output `k` is at `r * n_outputs + k`.
    trees: Vec<Tree>,
    base_score: Vec<f64>,
    loss: Loss,
    n_features: usize,
    n_classes: usize,
    validation_loss: Vec<f64>,
    importance_gain: Vec<f64>,
    importance_split: Vec<u64>,
    #[serde(skip)]
    target: PhantomData<fn() -> L>,
}

impl GradientBoosting {
    /// Default hyperparameters, to be adjusted and fitted (to labels or to real targets).
    pub fn params() -> GradientBoostingParams {
        GradientBoostingParams::new()
    }
}

impl<L: TreeTarget> GradientBoosting<L> {
    /// Checks a model decoded from bytes before it predicts: the loss fits the task and the
    /// number of classes (log loss for 2 classes, softmax with one score per class above),
    /// the starting scores are finite and one per score, the trees come in whole rounds of one
    /// tree per score, and every tree routes safely on `n_features()` values with one finite
    /// value per leaf. A model from `fit` always passes.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| TreeError::InvalidModel {
            model: "gbdt",
            reason,
        };
        let k = self.base_score.len();
        let expected = match (is_classification::<L>(), self.loss) {
            (true, Loss::LogLoss) if self.n_classes == 2 => 1,
            (true, Loss::Softmax) if self.n_classes > 2 => self.n_classes,
            (false, Loss::SquaredError) => 1,
            (_, loss) => {
                return Err(invalid(format!(
                    "loss {loss:?} does not fit a {} model of {} classes",
                    if is_classification::<L>() {
                        "classification"
                    } else {
                        "regression"
                    },
                    self.n_classes
                )))
            }
        };
        if k != expected {
            return Err(invalid(format!("{k} starting scores, expected {expected}")));
        }
        if self.base_score.iter().any(|v| !v.is_finite()) {
            return Err(invalid("a starting score is not finite".into()));
        }
        if self.trees.len() % k != 0 {
            return Err(invalid(format!(
                "{} trees are not whole rounds of {k}",
                self.trees.len()
            )));
        }
        for (t, tree) in self.trees.iter().enumerate() {
            tree.validate(self.n_features)
                .map_err(|e| invalid(format!("tree {t}: {e}")))?;
            if tree.n_outputs() != 1 {
                return Err(invalid(format!(
                    "tree {t} has {} outputs per leaf, expected 1",
                    tree.n_outputs()
                )));
            }
        }
        check_importances(
            self.n_features,
            &self.importance_gain,
            &self.importance_split,
        )
        .map_err(invalid)
    }
}

impl<L> GradientBoosting<L> {
    /// Number of features the model was fitted on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of boosting rounds kept (fewer than asked when early stopping triggered).
    pub fn n_rounds(&self) -> usize {
        self.trees.len() / self.base_score.len()
    }

    /// The loss that was minimised.
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// Validation loss after each round trained (empty without early stopping).
    pub fn validation_loss(&self) -> &[f64] {
        &self.validation_loss
    }

    /// Total loss reduction brought by the splits on each feature.
    pub fn feature_importance_gain(&self) -> Vec<f64> {
        self.importance_gain.clone()
    }

    /// Number of splits on each feature.
    pub fn feature_importance_split(&self) -> Vec<u64> {
        self.importance_split.clone()
    }

    /// `Err` naming the first difference from `other`: the same loss, features and classes,
    /// starting scores within `tolerance`, and the same trees (see the crate README's
    /// "Training elsewhere"): the same splits in the same nodes, leaf values within
    /// `tolerance` (absolute, or relative to the larger value). Two fits on the same bins, one
    /// of them summed by a cluster, differ only in the order of their additions.
    pub fn compare(&self, other: &Self, tolerance: f64) -> std::result::Result<(), String> {
        if (self.loss, self.n_features, self.n_classes)
            != (other.loss, other.n_features, other.n_classes)
        {
            return Err(format!(
                "{:?} on {} features and {} classes against {:?} on {} and {}",
                self.loss,
                self.n_features,
                self.n_classes,
                other.loss,
                other.n_features,
                other.n_classes
            ));
        }
        if self.trees.len() != other.trees.len() {
            return Err(format!(
                "{} trees against {}",
                self.trees.len(),
                other.trees.len()
            ));
        }
        for (a, b) in self.base_score.iter().zip(&other.base_score) {
            if (a - b).abs() > tolerance * a.abs().max(b.abs()).max(1.0) {
                return Err(format!("starting score {a} against {b}"));
            }
        }
        for (t, (a, b)) in self.trees.iter().zip(&other.trees).enumerate() {
            a.compare(b, tolerance)
                .map_err(|e| format!("tree {t}: {e}"))?;
        }
        Ok(())
    }

    /// Raw scores before the link function: logits (one column for binary, one per class for
    /// multiclass) or the regression prediction.
    pub fn predict_raw(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let (p, k) = (self.n_features, self.base_score.len());
        map_blocks(x, p, k, |rows, out| {
            for o in out.chunks_exact_mut(k) {
                o.copy_from_slice(&self.base_score);
            }
            for (t, tree) in self.trees.iter().enumerate() {
                let c = t % k;
                for (row, o) in rows.chunks_exact(p).zip(out.chunks_exact_mut(k)) {
                    o[c] += tree.predict_one(row);
                }
            }
        })
    }
}

impl GradientBoosting<usize> {
    /// Number of classes (columns of [`GradientBoosting::predict_proba`]); at least 2.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Class probabilities; rows sum to 1.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let raw = self.predict_raw(x);
        match self.loss {
            Loss::LogLoss => {
                let mut out = Array2::zeros((raw.nrows(), 2));
                for (mut o, r) in out.rows_mut().into_iter().zip(raw.column(0)) {
                    let p = sigmoid(*r);
                    o[0] = 1.0 - p;
                    o[1] = p;
                }
                out
            }
            _ => {
                let mut raw = raw;
                for mut row in raw.rows_mut() {
                    softmax(row.as_slice_mut().expect("standard layout"));
                }
                raw
            }
        }
    }
}

/// What one fit produces, before being wrapped in the typed model.
pub(crate) struct Boosted {
    trees: Vec<Tree>,
    base_score: Vec<f64>,
    validation_loss: Vec<f64>,
    importance_gain: Vec<f64>,
    importance_split: Vec<u64>,
}

impl Boosted {
    /// The trees kept, with the feature importances they add up to.
    pub(crate) fn new(
        trees: Vec<Tree>,
        base_score: Vec<f64>,
        validation_loss: Vec<f64>,
        n_features: usize,
    ) -> Self {
        let mut importance_gain = vec![0.0; n_features];
        let mut importance_split = vec![0; n_features];
        for t in &trees {
            t.add_importances(&mut importance_gain, &mut importance_split);
        }
        Boosted {
            trees,
            base_score,
            validation_loss,
            importance_gain,
            importance_split,
        }
    }
}

impl GradientBoostingValidParams {
    /// Boosts `n_outputs` trees a round on targets `y` (class indices as `f64` for
    /// classification). Sample `weights` scale each row's gradient and hessian and weigh the
    /// initial score and the validation loss.
    fn boost(
        &self,
        x: Option<ArrayView2<f64>>,
        data: &BinnedData,
        y: &[f64],
        loss: Loss,
        n_outputs: usize,
        weights: Option<&[f64]>,
    ) -> Boosted {
        let n = data.n_rows;
        let n_features = data.n_features();
        let mut rng = SeededRng::new(self.tree.seed);
        let stop_early = match self.early_stopping {
            EarlyStopping::Auto => n > AUTO_EARLY_STOPPING_ROWS,
            EarlyStopping::On => true,
            EarlyStopping::Off => false,
        };
        let (train, valid) = if stop_early {
            validation_split(y, loss, n_outputs, self.validation_fraction, &mut rng)
        } else {
            ((0..n as u32).collect(), Vec::new())
        };
        let base_score = loss.init(y, &train, n_outputs, weights);
        let mut scores: Vec<Vec<f64>> = base_score.iter().map(|&b| vec![b; n]).collect();
        let mut g = vec![vec![0.0; n]; n_outputs];
        let mut h = vec![vec![0.0; n]; n_outputs];
        let squared = loss == Loss::SquaredError;
        let layout = HistLayout::new(data, 2);
        let cfg = self.grow_config(squared);
        let x = x.as_ref().map(|x| x.as_standard_layout());
        let x = x.as_ref().map(|x| x.as_slice().expect("standard layout"));
        let mappers: Vec<BinMapper> = data.features.iter().cloned().map(BinMapper).collect();
        let n_tree_features = self.n_tree_features(n_features);

        let mut bufs = Buffers::default();
        // The rows of each tree, recycled like `bufs`.
        let mut indices = Vec::new();
        let mut trees = Vec::new();
        let mut validation_loss = Vec::new();
        let (mut best_loss, mut best_rounds) = (f64::INFINITY, 0);
        let progress = Progress::start("boosting", self.n_rounds as u64, "rounds");
        let _entered = progress.span().enter();
        for round in 0..self.n_rounds {
            loss.gradients(y, &scores, &mut g, &mut h);
            if let Some(w) = weights {
                for (g, h) in g.iter_mut().zip(&mut h) {
                    for ((g, h), w) in g.iter_mut().zip(h.iter_mut()).zip(w) {
                        *g *= w;
                        *h *= w;
                    }
                }
            }
            let sampled;
            let rows: &[u32] = if self.subsample < 1.0 {
                sampled = sample_rows(&train, self.subsample, &mut rng);
                &sampled
            } else {
                &train
            };
            let all_rows = rows.len() == n;
            let others = if all_rows {
                Vec::new()
            } else {
                complement(rows, n)
            };
            for k in 0..n_outputs {
                let features = draw_features(n_features, n_tree_features, &mut rng);
                // Weighted squared error keeps `[sum g, sum h]` bins, the hessian being the
                // weight: `cfg.scorer` still reads the second value as the count.
                let stats = if squared && weights.is_none() {
                    Stats::Grad { g: &g[k] }
                } else {
                    Stats::GradHess { g: &g[k], h: &h[k] }
                };
                let grown = grow(
                    data,
                    &layout,
                    &stats,
                    weights,
                    {
                        indices.clear();
                        indices.extend_from_slice(rows);
                        std::mem::take(&mut indices)
                    },
                    all_rows,
                    &features,
                    &cfg,
                    &mut rng,
                    1,
                    &mut bufs,
                );
                let mut tree = grown.tree;
                let sk = &mut scores[k];
                for leaf in &grown.leaves {
                    let value = self.leaf_value(&leaf.totals);
                    tree.set_leaf(leaf.node, &[value]);
                    for &i in &grown.indices[leaf.start..leaf.end] {
                        sk[i as usize] += value;
                    }
                }
                // Rows left out of this round (subsampled away, or held out) are routed on raw values.
                let mut deltas = vec![0.0; others.len()];
                // Routing a row down a tree costs about as much as a few dozen histogram additions.
                let spread = Spread::of(ROUTE_WORK * others.len(), true);
                spin::spread_rows(spread, &mut deltas, 1, &others, |out, rows| match x {
                    Some(x) => {
                        for (d, &i) in out.iter_mut().zip(rows) {
                            let i = i as usize;
                            *d = tree.predict_one(&x[i * n_features..(i + 1) * n_features]);
                        }
                    }
                    // Binned beforehand: each bin's value routes like the raw values it holds.
                    None => {
                        let mut row = vec![0.0; n_features];
                        for (d, &i) in out.iter_mut().zip(rows) {
                            for (f, (v, m)) in row.iter_mut().zip(&mappers).enumerate() {
                                *v = m.value_of(data.column(f)[i as usize]);
                            }
                            *d = tree.predict_one(&row);
                        }
                    }
                });
                for (&i, d) in others.iter().zip(deltas) {
                    sk[i as usize] += d;
                }
                indices = grown.indices;
                trees.push(tree);
            }
            progress.step();
            if !valid.is_empty() {
                let l = loss.mean_loss(y, &scores, &valid, weights);
                tracing::debug!("round {}: validation loss {l:.6}", round + 1);
                validation_loss.push(l);
                if l < best_loss - 1e-7 {
                    best_loss = l;
                    best_rounds = round + 1;
                } else if round + 1 - best_rounds >= self.early_stopping_rounds {
                    tracing::info!(
                        "early stopping after round {}: the best validation loss {best_loss:.6} came at round {best_rounds}, {} rounds earlier",
                        round + 1,
                        self.early_stopping_rounds
                    );
                    break;
                }
            } else {
                tracing::trace!("round {} of {}", round + 1, self.n_rounds);
            }
        }
        if !valid.is_empty() {
            trees.truncate(best_rounds * n_outputs);
        }
        Boosted::new(trees, base_score, validation_loss, n_features)
    }
}

impl GradientBoostingValidParams {
    /// How each round's tree grows: squared error without weights grows on `[sum g, count]`
    /// bins, everything else on `[sum g, sum h]`.
    pub(crate) fn grow_config(&self, squared: bool) -> GrowConfig {
        GrowConfig {
            max_depth: self.tree.max_depth,
            max_leaves: self.tree.max_leaves,
            min_samples_leaf: self.tree.min_samples_leaf,
            min_samples_split: self.tree.min_samples_split,
            min_hessian: self.min_child_weight,
            scorer: if squared {
                Scorer::Grad {
                    l2: self.l2,
                    cat_smooth: CAT_SMOOTH,
                }
            } else {
                Scorer::GradHess {
                    l2: self.l2,
                    cat_smooth: CAT_SMOOTH,
                }
            },
            allow_zero_gain: false,
            features_per_split: None,
            parallel: true,
        }
    }

    /// Features each tree is grown on (`colsample` of them, at least one).
    pub(crate) fn n_tree_features(&self, n_features: usize) -> usize {
        ((self.colsample * n_features as f64).round() as usize).clamp(1, n_features)
    }

    /// The output of a leaf whose rows' statistics are `totals` (`[sum g, sum h]`; both
    /// layouts keep the hessian sum, or the count, in slot 1).
    pub(crate) fn leaf_value(&self, totals: &[f64]) -> f64 {
        // The hessian sum is 0 only for a root of rows of weight 0 (subsampled), which learns
        // nothing.
        let h = totals[1] + self.l2;
        if h > 0.0 {
            -self.learning_rate * totals[0] / h
        } else {
            0.0
        }
    }

    /// The fitted model around the trees of a fit.
    pub(crate) fn model<L>(
        &self,
        boosted: Boosted,
        loss: Loss,
        n_features: usize,
        n_classes: usize,
    ) -> GradientBoosting<L> {
        GradientBoosting {
            trees: boosted.trees,
            base_score: boosted.base_score,
            loss,
            n_features,
            n_classes,
            validation_loss: boosted.validation_loss,
            importance_gain: boosted.importance_gain,
            importance_split: boosted.importance_split,
            target: PhantomData,
        }
    }
}

/// The ascending features of one tree: all `n_features`, or `n_tree_features` of them drawn
/// from `rng`.
pub(crate) fn draw_features(
    n_features: usize,
    n_tree_features: usize,
    rng: &mut SeededRng,
) -> Vec<usize> {
    let mut f: Vec<usize> = (0..n_features).collect();
    if n_tree_features < n_features {
        rng.partial_shuffle(&mut f, n_tree_features);
        f.truncate(n_tree_features);
        f.sort_unstable();
    }
    f
}

/// Splits rows into (train, validation), stratified by class for classification.
fn validation_split(
    y: &[f64],
    loss: Loss,
    n_outputs: usize,
    fraction: f64,
    rng: &mut SeededRng,
) -> (Vec<u32>, Vec<u32>) {
    let groups: Vec<Vec<u32>> = if loss == Loss::SquaredError {
        vec![(0..y.len() as u32).collect()]
    } else {
        let mut g = vec![Vec::new(); n_outputs.max(2)];
        for (i, &c) in y.iter().enumerate() {
            g[c as usize].push(i as u32);
        }
        g
    };
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    for mut group in groups {
        rng.shuffle(&mut group);
        let n_valid = (group.len() as f64 * fraction).round() as usize;
        valid.extend_from_slice(&group[..n_valid]);
        train.extend_from_slice(&group[n_valid..]);
    }
    train.sort_unstable();
    valid.sort_unstable();
    if train.is_empty() || valid.is_empty() {
        // Too few rows to hold any out: train on everything, without early stopping.
        train.append(&mut valid);
        train.sort_unstable();
    }
    (train, valid)
}

/// A sorted random subset of `rows` of about `fraction` of them (selection sampling).
fn sample_rows(rows: &[u32], fraction: f64, rng: &mut SeededRng) -> Vec<u32> {
    let n = rows.len();
    let mut needed = ((n as f64 * fraction).round() as usize).clamp(1, n);
    let mut out = Vec::with_capacity(needed);
    for (seen, &r) in rows.iter().enumerate() {
        if rng.index(n - seen) < needed {
            out.push(r);
            needed -= 1;
        }
    }
    out
}

/// Rows of `0..n` not in the ascending list `rows`.
fn complement(rows: &[u32], n: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(n - rows.len());
    let mut it = rows.iter().peekable();
    for i in 0..n as u32 {
        if it.peek() == Some(&&i) {
            it.next();
        } else {
            out.push(i);
        }
    }
    out
}

impl<D, T, E> Fit<ArrayBase<D, Ix2>, T, TreeError> for GradientBoostingValidParams
where
    D: Data<Elem = f64>,
    T: AsSingleTargets<Elem = E>,
    E: TreeTarget,
{
    type Object = GradientBoosting<E>;

    /// `usize` labels fit a classifier (log-loss for two classes, softmax for more), `f64`
    /// targets a regressor (squared error); the dataset's sample weights are honoured.
    fn fit(&self, dataset: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<Self::Object> {
        let y = dataset.targets.as_single_targets();
        let data = prepare(&dataset.records, y.len(), &self.tree)?;
        let weights = sample_weights("gbdt", dataset.weights(), y.len())?;
        let targets = E::read(y, self.tree.n_classes)?;
        let records = dataset.records.view();
        Ok(self.boost_targets(Some(records), &data, targets, weights.as_deref()))
    }
}

impl GradientBoostingValidParams {
    /// Fits on a matrix binned beforehand (see [`crate::BinnedMatrix`]): `usize` labels give
    /// a classifier, `f64` targets a regressor, one target (and one sample weight, if any) per
    /// row of `data`. The matrix's [`BinMapper`]s decide the bins and which features are
    /// categorical, so the `max_bins` and `categorical_features` parameters do not apply.
    /// Rows a round leaves out (early stopping's validation rows, subsampling) are routed on
    /// their bins' values ([`BinMapper::value_of`]), which take the same branches as their
    /// raw values: the model is the one `Fit::fit` gives on raw rows binned to the same bins.
    pub fn fit_binned<E: TreeTarget>(
        &self,
        data: &BinnedMatrix,
        y: ArrayView1<E>,
        weights: Option<&[f32]>,
    ) -> Result<GradientBoosting<E>> {
        data.check_targets(y.len())?;
        let weights = sample_weights("gbdt", weights, y.len())?;
        let targets = E::read(y, self.tree.n_classes)?;
        Ok(self.boost_targets(None, &data.data, targets, weights.as_deref()))
    }

    fn boost_targets<E>(
        &self,
        records: Option<ArrayView2<f64>>,
        data: &BinnedData,
        targets: Targets,
        weights: Option<&[f64]>,
    ) -> GradientBoosting<E> {
        let (y, loss, n_outputs, n_classes) = match targets {
            Targets::Labels { y, k } => {
                let n_classes = k.max(2);
                let (loss, n_outputs) = if n_classes == 2 {
                    (Loss::LogLoss, 1)
                } else {
                    (Loss::Softmax, n_classes)
                };
                let y: Vec<f64> = y.iter().map(|&c| f64::from(c)).collect();
                (y, loss, n_outputs, n_classes)
            }
            Targets::Reals(y) => (y, Loss::SquaredError, 1, 0),
        };
        let b = self.boost(records, data, &y, loss, n_outputs, weights);
        self.model(b, loss, data.n_features(), n_classes)
    }
}

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<usize>>
    for GradientBoosting<usize>
{
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<usize>) {
        assert_eq!(x.nrows(), y.len(), "one target per row");
        let raw = self.predict_raw(x.view());
        for (t, row) in y.iter_mut().zip(raw.rows()) {
            *t = match self.loss {
                Loss::LogLoss => usize::from(row[0] > 0.0),
                _ => crisp_core::argmax(row.as_slice().expect("standard layout")),
            };
        }
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<usize> {
        Array1::zeros(x.nrows())
    }
}

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<f64>> for GradientBoosting<f64> {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>) {
        assert_eq!(x.nrows(), y.len(), "one target per row");
        y.assign(&self.predict_raw(x.view()).column(0));
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_sampling_is_sorted_and_sized() {
        let rows: Vec<u32> = (0..1000).collect();
        let mut rng = SeededRng::new(1);
        let s = sample_rows(&rows, 0.3, &mut rng);
        assert_eq!(s.len(), 300);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(complement(&s, 1000).len(), 700);
    }

    #[test]
    fn validation_split_is_stratified() {
        let y: Vec<f64> = (0..1000)
            .map(|i| f64::from(u8::from(i % 10 == 0)))
            .collect();
        let mut rng = SeededRng::new(1);
        let (train, valid) = validation_split(&y, Loss::LogLoss, 1, 0.1, &mut rng);
        assert_eq!(train.len() + valid.len(), 1000);
        assert_eq!(valid.iter().filter(|&&i| y[i as usize] == 1.0).count(), 10);
    }
}
