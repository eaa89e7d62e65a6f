//! linfa's own models, trained through linfa's `Fit` and `Predict` traits.

use crisp_core::ndarray::{Array1, Array2, Axis};
use crisp_core::{bail, Error, Result, SeededRng};
use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality};
use serde::{Deserialize, Serialize};

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
    Ok(DecisionTree::params()
        .split_quality(quality)
        .max_depth(p.get("max_depth")?)
        .min_weight_leaf(p.get_or("min_samples_leaf", 1.0f32)?)
        .min_weight_split(p.get_or("min_samples_split", 2.0f32)?))
}

/// linfa-trees' CART decision tree (classification).
pub fn fit_decision_tree(p: &Params, data: &TrainingData) -> Result<DecisionTree<f64, usize>> {
    let dataset = Dataset::new(data.x.clone(), classes(data)?);
    tree_params(p)?
        .fit(&dataset)
        .map_err(|e| Error::model(format!("linfa_decision_tree: {e}")))
}

/// A linfa-ensemble random forest in a form serde can store: linfa's `EnsembleLearner` has no
/// serde derive, but its fields are public, so the trees and their feature subsets are mirrored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinfaForest {
    /// One decision tree per bootstrap sample.
    pub trees: Vec<DecisionTree<f64, usize>>,
    /// The feature columns each tree was trained on.
    pub features: Vec<Vec<usize>>,
    /// Number of classes.
    pub n_classes: usize,
}

/// linfa-ensemble's random forest (bagged linfa-trees with feature subsets).
pub fn fit_random_forest(p: &Params, data: &TrainingData) -> Result<LinfaForest> {
    let dataset = Dataset::new(data.x.clone(), classes(data)?);
    let seed = p.get_or("seed", data.seed)?;
    let n_trees: usize = p.get_or("n_trees", 100)?;
    let colsample: f64 = p.get_or("colsample", 1.0 / (data.x.ncols().max(1) as f64).sqrt())?;
    let subsample: f64 = p.get_or("subsample", 1.0)?;
    let learner =
        linfa_ensemble::EnsembleLearnerParams::new_fixed_rng(tree_params(p)?, SeededRng::new(seed))
            .ensemble_size(n_trees)
            .bootstrap_proportion(subsample)
            .feature_proportion(colsample)
            .fit(&dataset)
            .map_err(|e| Error::model(format!("linfa_random_forest: {e}")))?;
    Ok(LinfaForest {
        trees: learner.models,
        features: learner.model_features,
        n_classes: data.n_classes,
    })
}

impl LinfaForest {
    /// Majority vote of the trees, with the vote shares as probabilities. Ties go to the lowest
    /// class index (linfa's own vote breaks ties by hash order, which is not reproducible).
    pub fn predict(&self, x: &Array2<f64>) -> Predictions {
        let n = x.nrows();
        let k = self.n_classes;
        let mut votes = vec![0.0; n * k];
        for (tree, features) in self.trees.iter().zip(&self.features) {
            let sub = x.select(Axis(1), features);
            let pred: Array1<usize> = tree.predict(&sub);
            for (i, &c) in pred.iter().enumerate() {
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
