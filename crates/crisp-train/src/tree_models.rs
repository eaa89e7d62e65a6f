//! crisp-trees' histogram models (decision tree, random forest, gradient boosting), trained
//! through the same linfa `Fit` / `Predict` traits as linfa's own models.

use crisp_core::ndarray::{Array1, Array2};
use crisp_core::{Error, Result};
use crisp_trees::{DecisionTree, GradientBoosting, HyperParams, RandomForest};
use linfa::prelude::*;

use crate::inputs::ParamDoc;
use crate::model::{Predictions, TrainedModel, TrainingData};
use crate::params::Params;
use crate::target::TargetValues;

/// Parameters of `decision_tree`.
pub const DECISION_TREE_PARAMS: &[&str] = crisp_trees::DecisionTreeParams::PARAM_NAMES;
/// Parameters of `random_forest`.
pub const RANDOM_FOREST_PARAMS: &[&str] = crisp_trees::RandomForestParams::PARAM_NAMES;
/// Parameters of `gbdt`.
pub const GBDT_PARAMS: &[&str] = crisp_trees::GradientBoostingParams::PARAM_NAMES;

const fn doc(name: &'static str, default: &'static str, range: &'static str) -> ParamDoc {
    ParamDoc {
        name,
        default,
        range,
    }
}

const DEPTH: ParamDoc = doc("max_depth", "unlimited", "an integer >= 1");
const LEAVES: ParamDoc = doc("max_leaves", "unlimited", "an integer >= 2");
const SPLIT: ParamDoc = doc("min_samples_split", "2", "an integer >= 2");
const BINS: ParamDoc = doc("max_bins", "255", "an integer in 2..=255");
const CRITERION: ParamDoc = doc("criterion", "gini", "gini or entropy (classification)");
const SEED: ParamDoc = doc("seed", "the run's seed", "an integer >= 0");
const N_CLASSES: ParamDoc = doc("n_classes", "set by crisp", "an integer >= 1");
const CATEGORICAL: ParamDoc = doc(
    "categorical_features",
    "set by crisp (the pipeline's category codes)",
    "feature indices",
);

/// What `crisp models` shows of `decision_tree`'s parameters.
pub const DECISION_TREE_PARAM_DOCS: &[ParamDoc] = &[
    DEPTH,
    LEAVES,
    doc("min_samples_leaf", "1", "an integer >= 1"),
    SPLIT,
    BINS,
    CRITERION,
    doc(
        "colsample",
        "1.0",
        "a fraction in (0, 1]: features tried at each split",
    ),
    doc(
        "max_features",
        "all",
        "all, sqrt, log2, a fraction or a count: features tried at each split",
    ),
    SEED,
    N_CLASSES,
    CATEGORICAL,
];

/// What `crisp models` shows of `random_forest`'s parameters.
pub const RANDOM_FOREST_PARAM_DOCS: &[ParamDoc] = &[
    doc("n_trees", "100", "an integer >= 1"),
    DEPTH,
    LEAVES,
    doc("min_samples_leaf", "1", "an integer >= 1"),
    SPLIT,
    BINS,
    CRITERION,
    doc(
        "colsample",
        "as max_features",
        "a fraction in (0, 1]: candidate features",
    ),
    doc(
        "max_features",
        "auto (sqrt for classification, all for regression)",
        "auto, all, sqrt, log2, a fraction or a count",
    ),
    doc(
        "feature_sampling",
        "split",
        "split or tree: where features are drawn",
    ),
    doc(
        "subsample",
        "1.0",
        "a fraction in (0, 1]: rows drawn per tree",
    ),
    doc(
        "bootstrap",
        "true",
        "true or false: draw rows with replacement",
    ),
    SEED,
    N_CLASSES,
    CATEGORICAL,
];

/// What `crisp models` shows of `gbdt`'s parameters.
pub const GBDT_PARAM_DOCS: &[ParamDoc] = &[
    doc("n_rounds", "100", "an integer >= 1"),
    doc("learning_rate", "0.1", "a number > 0"),
    DEPTH,
    doc("max_leaves", "31", "an integer >= 2"),
    doc("min_samples_leaf", "20", "an integer >= 1"),
    SPLIT,
    doc("l2", "0", "a number >= 0: L2 penalty on leaf values"),
    doc("subsample", "1.0", "a fraction in (0, 1]: rows per round"),
    doc(
        "colsample",
        "1.0",
        "a fraction in (0, 1]: features per round",
    ),
    BINS,
    SEED,
    doc(
        "min_child_weight",
        "0.001",
        "a number >= 0: least hessian sum in a leaf",
    ),
    doc(
        "early_stopping",
        "auto (on above 10,000 rows)",
        "auto, true or false",
    ),
    doc(
        "early_stopping_rounds",
        "10",
        "an integer >= 1: rounds of patience",
    ),
    doc(
        "validation_fraction",
        "0.1",
        "a number in (0, 1): rows held out for early stopping",
    ),
    N_CLASSES,
    CATEGORICAL,
];

fn model_error(model: &str) -> impl Fn(crisp_trees::TreeError) -> Error + '_ {
    move |e| Error::from(e).context(model)
}

/// `dataset` with the training rows' weights (linfa's `f32` weights), when the run weighs
/// rows; without them, as it is (crisp-trees then runs its unweighted code).
pub(crate) fn weighted<R: linfa::dataset::Records, T>(
    dataset: DatasetBase<R, T>,
    data: &TrainingData,
) -> DatasetBase<R, T> {
    match &data.weights {
        Some(w) => dataset.with_weights(w.rows.iter().map(|&v| v as f32).collect()),
        None => dataset,
    }
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
                let dataset = weighted(
                    DatasetBase::new($data.x.view(), Array1::from(c.clone())),
                    $data,
                );
                Ok(TrainedModel::$class(
                    params.fit(&dataset).map_err(model_error($name))?,
                ))
            }
            TargetValues::Values(v) => {
                let dataset = weighted(
                    DatasetBase::new($data.x.view(), Array1::from(v.clone())),
                    $data,
                );
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

/// What [`configure!`] reads of a binned fit: the matrix's mappers say which features are
/// categorical, so none are passed.
struct BinnedSettings {
    seed: u64,
    n_classes: usize,
    categorical: &'static [usize],
}

macro_rules! fit_binned_both {
    ($params:expr, $p:expr, $s:expr, $name:expr, $data:expr, $y:expr, $class:ident, $reg:ident) => {{
        let params = configure!($params, $p, $s, $name);
        let params = params.check().map_err(model_error($name))?;
        match $y {
            TargetValues::Classes(c) => Ok(TrainedModel::$class(
                params
                    .fit_binned($data, Array1::from(c).view(), None)
                    .map_err(model_error($name))?,
            )),
            TargetValues::Values(v) => Ok(TrainedModel::$reg(
                params
                    .fit_binned($data, Array1::from(v).view(), None)
                    .map_err(model_error($name))?,
            )),
        }
    }};
}

/// The models [`fit_binned`] trains: crisp-trees' histogram models.
pub const BINNED_MODELS: &[&str] = &["gbdt", "random_forest", "decision_tree"];

/// The `max_bins` of model `name` (one of [`BINNED_MODELS`]) with parameters `p`: how many
/// bins the features of a binned fit get.
pub fn binned_max_bins(name: &str, p: &Params) -> Result<usize> {
    let s = BinnedSettings {
        seed: 0,
        n_classes: 0,
        categorical: &[],
    };
    match name {
        "gbdt" => Ok(configure!(GradientBoosting::params(), p, s, name)
            .check()
            .map_err(model_error(name))?
            .max_bins()),
        "random_forest" => Ok(configure!(RandomForest::params(), p, s, name)
            .check()
            .map_err(model_error(name))?
            .max_bins()),
        "decision_tree" => Ok(configure!(DecisionTree::params(), p, s, name)
            .check()
            .map_err(model_error(name))?
            .max_bins()),
        other => Err(Error::config(format!(
            "model '{other}' does not train on binned data; those that do: {}",
            BINNED_MODELS.join(", ")
        ))),
    }
}

/// Fit model `name` (one of [`BINNED_MODELS`]) with parameters `p` on a matrix binned
/// beforehand and its targets `y` (`n_classes` classes, 0 for regression), unweighted. The
/// targets are moved, not copied: a streamed fit holds one copy per row.
pub fn fit_binned(
    name: &str,
    p: &Params,
    data: &crisp_trees::BinnedMatrix,
    y: TargetValues,
    n_classes: usize,
    seed: u64,
) -> Result<TrainedModel> {
    let s = BinnedSettings {
        seed,
        n_classes,
        categorical: &[],
    };
    match name {
        "gbdt" => fit_binned_both!(
            GradientBoosting::params(),
            p,
            s,
            "gbdt",
            data,
            y,
            GbdtClassifier,
            GbdtRegressor
        ),
        "random_forest" => fit_binned_both!(
            RandomForest::params(),
            p,
            s,
            "random_forest",
            data,
            y,
            ForestClassifier,
            ForestRegressor
        ),
        "decision_tree" => fit_binned_both!(
            DecisionTree::params(),
            p,
            s,
            "decision_tree",
            data,
            y,
            TreeClassifier,
            TreeRegressor
        ),
        other => Err(Error::config(format!(
            "model '{other}' does not train on binned data; those that do: {}",
            BINNED_MODELS.join(", ")
        ))),
    }
}
