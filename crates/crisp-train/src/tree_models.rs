//! crisp-trees' histogram models (decision tree, random forest, gradient boosting), trained
//! through the same linfa `Fit` / `Predict` traits as linfa's own models.

use crisp_core::ndarray::{Array1, Array2};
use crisp_core::{Error, Result};
use crisp_trees::{DecisionTree, GradientBoosting, HyperParams, RandomForest};
use linfa::prelude::*;

use crate::model::{Predictions, TrainedModel, TrainingData};
use crate::params::Params;
use crate::target::TargetValues;

/// Parameters of `decision_tree`.
pub const DECISION_TREE_PARAMS: &[&str] = crisp_trees::DecisionTreeParams::PARAM_NAMES;
/// Parameters of `random_forest`.
pub const RANDOM_FOREST_PARAMS: &[&str] = crisp_trees::RandomForestParams::PARAM_NAMES;
/// Parameters of `gbdt`.
pub const GBDT_PARAMS: &[&str] = crisp_trees::GradientBoostingParams::PARAM_NAMES;

fn model_error(model: &str) -> impl Fn(crisp_trees::TreeError) -> Error + '_ {
    move |e| Error::from(e).context(model)
}

/// Apply crisp's defaults (seed, class count, categorical columns) and then the user's
/// `name=value` parameters, which crisp-trees validates by name.
macro_rules! configure {
    ($params:expr, $p:expr, $data:expr, $name:expr) => {{
        let mut params = $params
            .seed($data.seed)
            .categorical_features($data.categorical.to_vec());
        if $data.n_classes > 0 {
            params = params.n_classes(Some($data.n_classes));
        }
        for (k, v) in $p.iter() {
            HyperParams::set_param(&mut params, k, v).map_err(Error::from)?;
        }
        params
    }};
}

macro_rules! fit_both {
    ($params:expr, $p:expr, $data:expr, $name:expr, $class:ident, $reg:ident) => {{
        let params = configure!($params, $p, $data, $name);
        match $data.y {
            TargetValues::Classes(c) => {
                let dataset = DatasetBase::new($data.x.view(), Array1::from(c.clone()));
                Ok(TrainedModel::$class(
                    params.fit(&dataset).map_err(model_error($name))?,
                ))
            }
            TargetValues::Values(v) => {
                let dataset = DatasetBase::new($data.x.view(), Array1::from(v.clone()));
                Ok(TrainedModel::$reg(
                    params.fit(&dataset).map_err(model_error($name))?,
                ))
            }
        }
    }};
}

/// Fit `decision_tree`.
pub fn fit_decision_tree(p: &Params, data: &TrainingData) -> Result<TrainedModel> {
    fit_both!(
        DecisionTree::params(),
        p,
        data,
        "decision_tree",
        TreeClassifier,
        TreeRegressor
    )
}

/// Fit `random_forest`.
pub fn fit_random_forest(p: &Params, data: &TrainingData) -> Result<TrainedModel> {
    fit_both!(
        RandomForest::params(),
        p,
        data,
        "random_forest",
        ForestClassifier,
        ForestRegressor
    )
}

/// Fit `gbdt`.
pub fn fit_gbdt(p: &Params, data: &TrainingData) -> Result<TrainedModel> {
    fit_both!(
        GradientBoosting::params(),
        p,
        data,
        "gbdt",
        GbdtClassifier,
        GbdtRegressor
    )
}

/// Classes with probabilities from a `rows × classes` probability matrix.
pub fn from_proba_matrix(proba: Array2<f64>) -> Predictions {
    let k = proba.ncols();
    let flat = proba.as_standard_layout().iter().copied().collect();
    Predictions::from_proba(flat, k)
}
