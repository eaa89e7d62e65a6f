//! A single decision tree (CART), for classification or regression.

use std::marker::PhantomData;

use crisp_core::SeededRng;
use linfa::traits::PredictInplace;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayBase, ArrayView2, Data, Ix2};
use serde::{Deserialize, Serialize};

use crate::data::TreeTargets;
use crate::error::{Result, TreeError};
use crate::grow::{grow, Buffers, GrowConfig};
use crate::histogram::HistLayout;
use crate::linfa_traits::fit_and_predict_classes;
use crate::params::{tree_option_accessors, MaxFeatures, Parser, TreeOptions};
use crate::predict::map_blocks;
use crate::split::Criterion;
use crate::target::{check_importances, is_classification, TreeTarget};
use crate::tree::Tree;

/// Checked hyperparameters of a [`DecisionTree`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeValidParams {
    tree: TreeOptions,
    criterion: Criterion,
    max_features: MaxFeatures,
}

/// Hyperparameters of a [`DecisionTree`]; get them from [`DecisionTree::params`].
///
/// Defaults follow scikit-learn's `DecisionTreeClassifier`: gini, unlimited depth, leaves of one
/// row, every feature considered at every split; plus 255 bins per feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeParams(DecisionTreeValidParams);

impl Default for DecisionTreeParams {
    fn default() -> Self {
        Self::new()
    }
}

impl DecisionTreeParams {
    /// The names [`DecisionTreeParams::set_param`] accepts.
    pub const PARAM_NAMES: &'static [&'static str] = &[
        "max_depth",
        "max_leaves",
        "min_samples_leaf",
        "min_samples_split",
        "max_bins",
        "criterion",
        "colsample",
        "max_features",
        "seed",
        "n_classes",
        "categorical_features",
    ];

    /// Default hyperparameters.
    pub fn new() -> Self {
        DecisionTreeParams(DecisionTreeValidParams {
            tree: TreeOptions::tree_defaults(),
            criterion: Criterion::Gini,
            max_features: MaxFeatures::All,
        })
    }

    /// Impurity measure for classification (ignored by regression, which uses variance).
    pub fn criterion(mut self, criterion: Criterion) -> Self {
        self.0.criterion = criterion;
        self
    }

    /// Features drawn at random as candidates at each split (default: all).
    pub fn max_features(mut self, max_features: MaxFeatures) -> Self {
        self.0.max_features = max_features;
        self
    }

    /// Sets a hyperparameter by name from text (see [`DecisionTreeParams::PARAM_NAMES`]).
    /// `colsample` is the fraction of features considered at each split.
    pub fn set_param(&mut self, name: &str, value: &str) -> Result<()> {
        let p = Parser {
            model: "decision_tree",
            names: Self::PARAM_NAMES,
        };
        match name {
            "criterion" => {
                self.0.criterion =
                    Criterion::parse(value).ok_or_else(|| p.bad(name, value, "gini or entropy"))?;
            }
            "colsample" => self.0.max_features = MaxFeatures::Fraction(p.f64(name, value)?),
            "max_features" => {
                self.0.max_features = MaxFeatures::parse(value)
                    .ok_or_else(|| p.bad(name, value, "all, sqrt, log2, a fraction or a count"))?;
            }
            _ => {
                return self
                    .0
                    .tree
                    .set(&p, name, value)
                    .unwrap_or_else(|| Err(p.unknown(name)))
            }
        }
        Ok(())
    }
}

tree_option_accessors!(DecisionTreeParams, DecisionTreeValidParams);

impl DecisionTreeValidParams {
    /// Impurity measure for classification.
    pub fn criterion(&self) -> Criterion {
        self.criterion
    }

    /// Candidate features per split.
    pub fn max_features(&self) -> MaxFeatures {
        self.max_features
    }
}

impl ParamGuard for DecisionTreeParams {
    type Checked = DecisionTreeValidParams;
    type Error = TreeError;

    fn check_ref(&self) -> Result<&Self::Checked> {
        self.0.tree.check()?;
        self.0.max_features.check("max_features")?;
        Ok(&self.0)
    }

    fn check(self) -> Result<Self::Checked> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted decision tree.
///
/// `L` is the target type: fitting on `usize` class labels gives a classifier
/// `DecisionTree<usize>` (the default), fitting on `f64` targets a regressor
/// `DecisionTree<f64>`; both come from the same [`DecisionTree::params`], on owned arrays or
/// views (see [`crate::TreeTarget`]). Sample weights count as repeated rows: class counts are
/// weight sums, leaf values weighted means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct DecisionTree<L = usize> {
    tree: Tree,
    n_features: usize,
    n_classes: usize,
    importance_gain: Vec<f64>,
    importance_split: Vec<u64>,
    #[serde(skip)]
    target: PhantomData<fn() -> L>,
}

impl DecisionTree {
    /// Default hyperparameters, to be adjusted and fitted (to labels or to real targets).
    pub fn params() -> DecisionTreeParams {
        DecisionTreeParams::new()
    }
}

impl<L: TreeTarget> DecisionTree<L> {
    /// Checks a model decoded from bytes before it predicts: the tree routes safely on
    /// `n_features()` values and its leaves hold one value (regression) or `n_classes`
    /// probabilities (classification). A model from `fit` always passes.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: String| TreeError::InvalidModel {
            model: "decision_tree",
            reason,
        };
        self.tree.validate(self.n_features).map_err(invalid)?;
        let outputs = if is_classification::<L>() {
            self.n_classes
        } else {
            1
        };
        if outputs == 0 || self.tree.n_outputs() != outputs {
            return Err(invalid(format!(
                "{} outputs per leaf for {} classes",
                self.tree.n_outputs(),
                self.n_classes
            )));
        }
        check_importances(
            self.n_features,
            &self.importance_gain,
            &self.importance_split,
        )
        .map_err(invalid)
    }
}

impl<L> DecisionTree<L> {
    /// Number of features the tree was fitted on.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Total gain (impurity or loss decrease, weighted by rows) of the splits on each feature.
    pub fn feature_importance_gain(&self) -> Vec<f64> {
        self.importance_gain.clone()
    }

    /// Number of splits on each feature.
    pub fn feature_importance_split(&self) -> Vec<u64> {
        self.importance_split.clone()
    }

    /// Depth of the deepest leaf.
    pub fn depth(&self) -> usize {
        self.tree.depth()
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.tree.n_leaves()
    }

    fn fit_targets(
        params: &DecisionTreeValidParams,
        data: &crate::binning::BinnedData,
        targets: &TreeTargets,
    ) -> Self {
        let stats = targets.stats();
        let layout = HistLayout::new(data, stats.stride());
        let n_features = data.n_features();
        let m = params.max_features.resolve(n_features, false);
        let cfg = GrowConfig {
            max_depth: params.tree.max_depth,
            max_leaves: params.tree.max_leaves,
            min_samples_leaf: params.tree.min_samples_leaf,
            min_samples_split: params.tree.min_samples_split,
            min_hessian: 0.0,
            scorer: targets.scorer(params.criterion),
            allow_zero_gain: targets.is_classification(),
            features_per_split: (m < n_features).then_some(m),
            parallel: true,
        };
        let features: Vec<usize> = (0..n_features).collect();
        let mut rng = SeededRng::new(params.tree.seed);
        let indices = (0..data.n_rows as u32).collect();
        let grown = grow(
            data,
            &layout,
            &stats,
            targets.weights(),
            indices,
            true,
            &features,
            &cfg,
            &mut rng,
            targets.n_outputs(),
            &mut Buffers::default(),
        );
        let tree = targets.finish(grown);
        let mut importance_gain = vec![0.0; n_features];
        let mut importance_split = vec![0; n_features];
        tree.add_importances(&mut importance_gain, &mut importance_split);
        DecisionTree {
            tree,
            n_features,
            n_classes: targets.n_classes(),
            importance_gain,
            importance_split,
            target: PhantomData,
        }
    }
}

impl DecisionTree<usize> {
    /// Number of classes (columns of [`DecisionTree::predict_proba`]).
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Class probabilities (the class frequencies of each row's leaf); rows sum to 1.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let (p, k) = (self.n_features, self.n_classes);
        map_blocks(x, p, k, |rows, out| {
            for (row, o) in rows.chunks_exact(p).zip(out.chunks_exact_mut(k)) {
                o.copy_from_slice(self.tree.predict_outputs(row));
            }
        })
    }
}

fit_and_predict_classes!(DecisionTree, DecisionTreeValidParams, "decision_tree");

impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<f64>> for DecisionTree<f64> {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<f64>) {
        assert_eq!(x.nrows(), y.len(), "one target per row");
        let p = self.n_features;
        let out = map_blocks(x.view(), p, 1, |rows, out| {
            for (row, o) in rows.chunks_exact(p).zip(out.iter_mut()) {
                *o = self.tree.predict_one(row);
            }
        });
        y.assign(&out.column(0));
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<f64> {
        Array1::zeros(x.nrows())
    }
}
