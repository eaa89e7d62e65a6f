//! Random forests: bagged histogram trees with random feature subsets, built in parallel.

use std::marker::PhantomData;

use crisp_core::progress::Progress;
use crisp_core::SeededRng;
use linfa::traits::PredictInplace;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayBase, ArrayView2, Data, Ix2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::binning::BinnedData;
use crate::data::TreeTargets;
use crate::error::{Result, TreeError};
use crate::grow::{grow, Buffers, GrowConfig};
use crate::histogram::HistLayout;
use crate::linfa_traits::fit_and_predict_classes;
use crate::params::{
    check_fraction, invalid, tree_option_accessors, FeatureSampling, MaxFeatures, Parser,
    TreeOptions,
};
use crate::predict::map_blocks;
use crate::split::Criterion;
use crate::target::{check_importances, is_classification, TreeTarget};
use crate::tree::Tree;

/// Checked hyperparameters of a [`RandomForest`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomForestValidParams {
    tree: TreeOptions,
    n_trees: usize,
    criterion: Criterion,
    max_features: MaxFeatures,
    feature_sampling: FeatureSampling,
    bootstrap: bool,
    subsample: f64,
}

/// Hyperparameters of a [`RandomForest`]; get them from [`RandomForest::params`].
///
/// Defaults follow scikit-learn's `RandomForest*`: 100 trees of unlimited depth with leaves of
/// one row, bootstrap samples of `n` rows, `sqrt(n_features)` candidate features per split for
/// classification and all of them for regression.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomForestParams(RandomForestValidParams);

impl Default for RandomForestParams {
    fn default() -> Self {
        Self::new()
    }
}

impl RandomForestParams {
    /// The names [`RandomForestParams::set_param`] accepts.
    pub const PARAM_NAMES: &'static [&'static str] = &[
        "n_trees",
        "max_depth",
        "max_leaves",
        "min_samples_leaf",
        "min_samples_split",
        "max_bins",
        "criterion",
        "colsample",
        "max_features",
        "feature_sampling",
        "subsample",
        "bootstrap",
        "seed",
        "n_classes",
        "categorical_features",
    ];

    /// Default hyperparameters.
    pub fn new() -> Self {
        RandomForestParams(RandomForestValidParams {
            tree: TreeOptions::tree_defaults(),
            n_trees: 100,
            criterion: Criterion::Gini,
            max_features: MaxFeatures::Auto,
            feature_sampling: FeatureSampling::PerSplit,
            bootstrap: true,
            subsample: 1.0,
        })
    }

    /// Number of trees.
    pub fn n_trees(mut self, n_trees: usize) -> Self {
        self.0.n_trees = n_trees;
        self
    }

    /// Impurity measure for classification (regression uses variance).
    pub fn criterion(mut self, criterion: Criterion) -> Self {
        self.0.criterion = criterion;
        self
    }

    /// Candidate features, drawn per split or per tree (see
    /// [`RandomForestParams::feature_sampling`]).
    pub fn max_features(mut self, max_features: MaxFeatures) -> Self {
        self.0.max_features = max_features;
        self
    }

    /// Whether candidate features are drawn at every split or once per tree.
    pub fn feature_sampling(mut self, feature_sampling: FeatureSampling) -> Self {
        self.0.feature_sampling = feature_sampling;
        self
    }

    /// Draw each tree's rows with replacement (`true`) or without.
    pub fn bootstrap(mut self, bootstrap: bool) -> Self {
        self.0.bootstrap = bootstrap;
        self
    }

    /// Rows drawn per tree as a fraction of the training rows (scikit-learn's `max_samples`).
    pub fn subsample(mut self, subsample: f64) -> Self {
        self.0.subsample = subsample;
        self
    }

    /// Sets a hyperparameter by name from text (see [`RandomForestParams::PARAM_NAMES`]).
    /// `colsample` is the fraction of candidate features; `feature_sampling` is `split` or
    /// `tree`.
    pub fn set_param(&mut self, name: &str, value: &str) -> Result<()> {
        let p = Parser {
            model: "random_forest",
            names: Self::PARAM_NAMES,
        };
        let v = &mut self.0;
        match name {
            "n_trees" => v.n_trees = p.usize(name, value)?,
            "criterion" => {
                v.criterion =
                    Criterion::parse(value).ok_or_else(|| p.bad(name, value, "gini or entropy"))?;
            }
            "colsample" => v.max_features = MaxFeatures::Fraction(p.f64(name, value)?),
            "max_features" => {
                v.max_features = MaxFeatures::parse(value).ok_or_else(|| {
                    p.bad(name, value, "auto, all, sqrt, log2, a fraction or a count")
                })?;
            }
            "feature_sampling" => {
                v.feature_sampling = match value.trim().to_ascii_lowercase().as_str() {
                    "split" | "per_split" | "node" => FeatureSampling::PerSplit,
                    "tree" | "per_tree" => FeatureSampling::PerTree,
                    _ => return Err(p.bad(name, value, "split or tree")),
                }
            }
            "subsample" => v.subsample = p.f64(name, value)?,
            "bootstrap" => v.bootstrap = p.bool(name, value)?,
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

tree_option_accessors!(RandomForestParams, RandomForestValidParams);

impl RandomForestValidParams {
    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.n_trees
    }

    /// Impurity measure for classification.
    pub fn criterion(&self) -> Criterion {
        self.criterion
    }

    /// Candidate features.
    pub fn max_features(&self) -> MaxFeatures {
        self.max_features
    }

    /// Per-split or per-tree feature draws.
    pub fn feature_sampling(&self) -> FeatureSampling {
        self.feature_sampling
    }

    /// Whether rows are drawn with replacement.
    pub fn bootstrap(&self) -> bool {
        self.bootstrap
    }

    /// Rows per tree, as a fraction of the training rows.
    pub fn subsample(&self) -> f64 {
        self.subsample
    }
}

impl ParamGuard for RandomForestParams {
    type Checked = RandomForestValidParams;
    type Error = TreeError;

    fn check_ref(&self) -> Result<&Self::Checked> {
        let v = &self.0;
        v.tree.check()?;
        if v.n_trees == 0 {
            return Err(invalid("n_trees", ">= 1", 0));
        }
        v.max_features.check("max_features")?;
        check_fraction("subsample", v.subsample)?;
        Ok(v)
    }

    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted random forest.
///
/// `L` is the target type: `RandomForest<usize>` (the default) is a classifier fitted on
/// `usize` labels, averaging the trees' class frequencies; `RandomForest<f64>` a regressor
/// fitted on `f64` targets, averaging their predictions. Both come from
/// [`RandomForest::params`] (see [`crate::TreeTarget`]). Sample weights count as repeated rows
/// within each tree's sample; the bootstrap draws rows, not weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct RandomForest<L = usize> {
    trees: Vec<Tree>,
    n_features: usize,
    n_classes: usize,
    importance_gain: Vec<f64>,
    importance_split: Vec<u64>,
    #[serde(skip)]
    target: PhantomData<fn() -> L>,
}

impl RandomForest {
    /// Default hyperparameters, to be adjusted and fitted (to labels or to real targets).
    pub fn params() -> RandomForestParams {
        RandomForestParams::new()
    }
}

impl<L: TreeTarget> RandomForest<L> {
    /// Checks a model decoded from bytes before it predicts: at least one tree, every tree
    /// routes safely on `n_features()` values, and their leaves hold one value (regression) or
    /// `n_classes` probabilities (classification). A model from `fit` always passes.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| TreeError::InvalidModel {
            model: "random_forest",
            reason,
        };
        if self.trees.is_empty() {
            return Err(invalid("a forest of no tree".into()));
        }
        let outputs = if is_classification::<L>() {
            self.n_classes
        } else {
            1
        };
        for (t, tree) in self.trees.iter().enumerate() {
            tree.validate(self.n_features)
                .map_err(|e| invalid(format!("tree {t}: {e}")))?;
            if outputs == 0 || tree.n_outputs() != outputs {
                return Err(invalid(format!(
                    "tree {t} has {} outputs per leaf for {} classes",
                    tree.n_outputs(),
                    self.n_classes
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

impl<L> RandomForest<L> {
    /// Number of features the forest was fitted on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// Total gain (impurity decrease weighted by rows) of the splits on each feature, summed
    /// over trees.
    pub fn feature_importance_gain(&self) -> Vec<f64> {
        self.importance_gain.clone()
    }

    /// Number of splits on each feature, over all trees.
    pub fn feature_importance_split(&self) -> Vec<u64> {
        self.importance_split.clone()
    }

    /// Mean of the trees' leaf outputs (`n_out` per row).
    fn average(&self, x: ArrayView2<f64>, n_out: usize) -> Array2<f64> {
        let p = self.n_features;
        let scale = 1.0 / self.trees.len() as f64;
        map_blocks(x, p, n_out, |rows, out| {
            for tree in &self.trees {
                for (row, o) in rows.chunks_exact(p).zip(out.chunks_exact_mut(n_out)) {
                    for (a, v) in o.iter_mut().zip(tree.predict_outputs(row)) {
                        *a += v;
                    }
                }
            }
            out.iter_mut().for_each(|v| *v *= scale);
        })
    }

    fn fit_targets(
        params: &RandomForestValidParams,
        data: &BinnedData,
        targets: &TreeTargets,
    ) -> Self {
        let stats = targets.stats();
        let layout = HistLayout::new(data, stats.stride());
        let n_features = data.n_features();
        let m = params
            .max_features
            .resolve(n_features, targets.is_classification());
        let n = data.n_rows;
        let n_draw = ((params.subsample * n as f64).round() as usize).clamp(1, n);
        let all_features: Vec<usize> = (0..n_features).collect();
        let progress = Progress::start("random forest", params.n_trees as u64, "trees");
        let trees: Vec<Tree> = (0..params.n_trees)
            .into_par_iter()
            .map_init(Buffers::default, |bufs, t| {
                let mut rng = SeededRng::stream(params.tree.seed, t as u64);
                let (indices, all_rows) = if params.bootstrap {
                    let mut rows: Vec<u32> = (0..n_draw).map(|_| rng.index(n) as u32).collect();
                    rows.sort_unstable();
                    (rows, false)
                } else if n_draw < n {
                    let mut rows: Vec<u32> = (0..n as u32).collect();
                    rng.partial_shuffle(&mut rows, n_draw);
                    rows.truncate(n_draw);
                    rows.sort_unstable();
                    (rows, false)
                } else {
                    ((0..n as u32).collect(), true)
                };
                let (features, features_per_split) = match params.feature_sampling {
                    FeatureSampling::PerSplit => {
                        (all_features.clone(), (m < n_features).then_some(m))
                    }
                    FeatureSampling::PerTree => {
                        let mut f = all_features.clone();
                        rng.partial_shuffle(&mut f, m);
                        f.truncate(m);
                        f.sort_unstable();
                        (f, None)
                    }
                };
                let cfg = GrowConfig {
                    max_depth: params.tree.max_depth,
                    max_leaves: params.tree.max_leaves,
                    min_samples_leaf: params.tree.min_samples_leaf,
                    min_samples_split: params.tree.min_samples_split,
                    min_hessian: 0.0,
                    scorer: targets.scorer(params.criterion),
                    allow_zero_gain: targets.is_classification(),
                    features_per_split,
                    // Trees are the unit of parallelism: nesting more would only add overhead.
                    parallel: false,
                };
                let grown = grow(
                    data,
                    &layout,
                    &stats,
                    targets.weights(),
                    indices,
                    all_rows,
                    &features,
                    &cfg,
                    &mut rng,
                    targets.n_outputs(),
                    bufs,
                );
                progress.step();
                targets.finish(grown)
            })
            .collect();
        let mut importance_gain = vec![0.0; n_features];
        let mut importance_split = vec![0; n_features];
        for t in &trees {
            t.add_importances(&mut importance_gain, &mut importance_split);
        }
        RandomForest {
            trees,
            n_features,
            n_classes: targets.n_classes(),
            importance_gain,
            importance_split,
            target: PhantomData,
        }
    }
}

impl RandomForest<usize> {
    /// Number of classes (columns of [`RandomForest::predict_proba`]).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Class probabilities: the trees' leaf class frequencies, averaged; rows sum to 1.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        self.average(x, self.n_classes)
    }
}

fit_and_predict_classes!(RandomForest, RandomForestValidParams, "random_forest");

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<f64>> for RandomForest<f64> {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>) {
        assert_eq!(x.nrows(), y.len(), "one target per row");
        y.assign(&self.average(x.view(), 1).column(0));
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}
