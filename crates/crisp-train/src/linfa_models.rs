//! linfa's own models, trained through linfa's `Fit` and `Predict` traits.

use crisp_core::ndarray::{Array1, Array2, Axis};
use crisp_core::{bail, Error, Result, SeededRng};
use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality};
use serde::{Deserialize, Serialize};

use crate::inputs::{doc, ParamDoc};
use crate::linfa_tree::LinfaTree;
use crate::model::{Predictions, TrainingData};
use crate::params::Params;
use crate::target::TargetValues;

/// Parameters of `linfa_decision_tree`.
pub const DECISION_TREE_PARAMS: &[&str] = &[
    "max_depth",
    "min_samples_leaf",
    "min_samples_split",
    "criterion",
];
/// Parameters of `linfa_random_forest`.
pub const RANDOM_FOREST_PARAMS: &[&str] = &[
    "n_trees",
    "max_depth",
    "min_samples_leaf",
    "min_samples_split",
    "criterion",
    "colsample",
    "subsample",
    "seed",
];
/// Parameters of `linear_regression`.
pub const LINEAR_PARAMS: &[&str] = &["fit_intercept"];

const DEPTH: ParamDoc = doc("max_depth", "unlimited", "an integer >= 1");
const LEAF: ParamDoc = doc("min_samples_leaf", "1", "a number >= 1");
const SPLIT: ParamDoc = doc("min_samples_split", "2", "a number >= 2");
const CRITERION: ParamDoc = doc("criterion", "gini", "gini or entropy");

/// What `crisp models` shows of `linfa_decision_tree`'s parameters.
pub const DECISION_TREE_PARAM_DOCS: &[ParamDoc] = &[DEPTH, LEAF, SPLIT, CRITERION];
/// What `crisp models` shows of `linfa_random_forest`'s parameters.
pub const RANDOM_FOREST_PARAM_DOCS: &[ParamDoc] = &[
    doc("n_trees", "100", "an integer >= 1"),
    DEPTH,
    LEAF,
    SPLIT,
    CRITERION,
    doc(
        "colsample",
        "1 / sqrt(number of features)",
        "a fraction in (0, 1]: features per tree",
    ),
    doc(
        "subsample",
        "1.0",
        "a fraction in (0, 1]: bootstrap rows per tree",
    ),
    doc("seed", "the run's seed", "an integer >= 0"),
];
/// What `crisp models` shows of `linear_regression`'s parameters.
pub const LINEAR_PARAM_DOCS: &[ParamDoc] = &[doc("fit_intercept", "true", "true or false")];

fn classes(data: &TrainingData) -> Result<Array1<usize>> {
    match data.y {
        TargetValues::Classes(c) => Ok(Array1::from(c.clone())),
        TargetValues::Values(_) => {
            bail!(Model: "this model is a classifier and cannot fit a numeric target")
        }
    }
}

fn tree_params(p: &Params) -> Result<linfa_trees::DecisionTreeParams<f64, usize>> {
    let quality = match p.get::<String>("criterion")?.as_deref() {
        None | Some("gini") => SplitQuality::Gini,
        Some("entropy") => SplitQuality::Entropy,
        Some(other) => bail!(Config: "criterion must be 'gini' or 'entropy', got '{other}'"),
    };
    let max_depth = match p.get::<usize>("max_depth")? {
        Some(depth) => Some(p.get_checked(
            "max_depth",
            depth,
            |d| *d >= 1,
            "an integer >= 1 (or left out: unlimited)",
        )?),
        None => None,
    };
    let min_leaf = p.get_checked(
        "min_samples_leaf",
        1.0f32,
        |v| v.is_finite() && *v >= 1.0,
        "a number >= 1",
    )?;
    let min_split = p.get_checked(
        "min_samples_split",
        2.0f32,
        |v| v.is_finite() && *v >= 2.0,
        "a number >= 2",
    )?;
    Ok(DecisionTree::params()
        .split_quality(quality)
        .max_depth(max_depth)
        .min_weight_leaf(min_leaf)
        .min_weight_split(min_split))
}

/// linfa-trees' CART decision tree (classification), kept in its flat form.
///
/// It reads the training rows' weights (class and sample weights): class frequencies are sums
/// of weights, and `min_samples_leaf` / `min_samples_split` bound weight sums.
pub fn fit_decision_tree(p: &Params, data: &TrainingData) -> Result<LinfaTree> {
    let dataset = crate::tree_models::weighted(Dataset::new(data.x.clone(), classes(data)?), data);
    let tree = tree_params(p)?
        .fit(&dataset)
        .map_err(|e| Error::model(format!("linfa_decision_tree: {e}")))?;
    Ok(LinfaTree::from_linfa(&tree, data.x.ncols()))
}

/// A linfa-ensemble random forest in a form serde can store: linfa's `EnsembleLearner` has no
/// serde derive, but its fields are public, so the trees (flat, see [`LinfaTree`]) and their
/// feature subsets are mirrored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinfaForest {
    /// One decision tree per bootstrap sample.
    pub trees: Vec<LinfaTree>,
    /// The feature columns each tree was trained on.
    pub features: Vec<Vec<usize>>,
    /// Number of classes.
    pub n_classes: usize,
    /// Number of features of the rows the forest predicts.
    pub n_features: usize,
}

/// linfa-ensemble's random forest (bagged linfa-trees with feature subsets).
pub fn fit_random_forest(p: &Params, data: &TrainingData) -> Result<LinfaForest> {
    let dataset = Dataset::new(data.x.clone(), classes(data)?);
    let seed = p.get_or("seed", data.seed)?;
    let n_trees: usize = p.get_checked("n_trees", 100, |n| *n >= 1, "an integer >= 1")?;
    let in_unit = |v: &f64| *v > 0.0 && *v <= 1.0;
    let colsample: f64 = p.get_checked(
        "colsample",
        1.0 / (data.x.ncols().max(1) as f64).sqrt(),
        in_unit,
        "a fraction in (0, 1]",
    )?;
    let subsample: f64 = p.get_checked("subsample", 1.0, in_unit, "a fraction in (0, 1]")?;
    let learner =
        linfa_ensemble::EnsembleLearnerParams::new_fixed_rng(tree_params(p)?, SeededRng::new(seed))
            .ensemble_size(n_trees)
            .bootstrap_proportion(subsample)
            .feature_proportion(colsample)
            .fit(&dataset)
            .map_err(|e| Error::model(format!("linfa_random_forest: {e}")))?;
    Ok(LinfaForest {
        trees: learner
            .models
            .iter()
            .zip(&learner.model_features)
            .map(|(tree, features)| LinfaTree::from_linfa(tree, features.len()))
            .collect(),
        features: learner.model_features,
        n_classes: data.n_classes,
        n_features: data.x.ncols(),
    })
}

impl LinfaForest {
    /// Checks a forest decoded from bytes: as many feature subsets as trees, at least one tree,
    /// every subset's columns below `n_features`, and every tree valid on its subset.
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.trees.is_empty() || self.trees.len() != self.features.len() {
            return Err(format!(
                "{} trees with {} feature subsets",
                self.trees.len(),
                self.features.len()
            ));
        }
        for (t, (tree, features)) in self.trees.iter().zip(&self.features).enumerate() {
            if let Some(f) = features.iter().find(|&&f| f >= self.n_features) {
                return Err(format!("tree {t} reads column {f} of {}", self.n_features));
            }
            if tree.n_features() != features.len() {
                return Err(format!(
                    "tree {t} reads {} features but its subset has {}",
                    tree.n_features(),
                    features.len()
                ));
            }
            tree.validate(self.n_classes)
                .map_err(|e| format!("tree {t}: {e}"))?;
        }
        Ok(())
    }

    /// Majority vote of the trees, with the vote shares as probabilities. Ties go to the lowest
    /// class index (linfa's own vote breaks ties by hash order, which is not reproducible).
    pub fn predict(&self, x: &Array2<f64>) -> Predictions {
        let n = x.nrows();
        let k = self.n_classes;
        let mut votes = vec![0.0; n * k];
        for (tree, features) in self.trees.iter().zip(&self.features) {
            let sub = x.select(Axis(1), features);
            for (i, c) in tree.predict(&sub).into_iter().enumerate() {
                votes[i * k + c] += 1.0;
            }
        }
        let total = self.trees.len().max(1) as f64;
        votes.iter_mut().for_each(|v| *v /= total);
        Predictions::from_proba(votes, k)
    }
}

/// linfa-linear's ordinary least squares (regression).
pub fn fit_linear(
    p: &Params,
    data: &TrainingData,
) -> Result<linfa_linear::FittedLinearRegression<f64>> {
    let TargetValues::Values(y) = data.y else {
        bail!(Model: "linear_regression predicts numbers and cannot fit class labels");
    };
    let dataset = Dataset::new(data.x.clone(), Array1::from(y.clone()));
    linfa_linear::LinearRegression::new()
        .with_intercept(p.get_or("fit_intercept", true)?)
        .fit(&dataset)
        .map_err(|e| Error::model(format!("linear_regression: {e}")))
}
