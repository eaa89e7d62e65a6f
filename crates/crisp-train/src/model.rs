//! The model registry and the fitted models crisp can store and run.
//!
//! Adding a model: write a `fit_*` function (in its own file) returning a type that is
//! `Serialize + Deserialize`, append a variant to [`TrainedModel`] (append only: bincode stores
//! variants by index; bump the artifact format version) with its arm in `predict`, and add a
//! [`ModelInfo`] line to [`MODELS`].

use std::collections::BTreeMap;

use crisp_core::ndarray::Array2;
use crisp_core::{bail, Result};
use crisp_features::Encoding;
use crisp_validate::Task;
use linfa::prelude::*;
use serde::{Deserialize, Serialize};

use crate::bayes::{self, GaussianNbModel};
use crate::elasticnet::{self, ElasticNetModel, Penalty};
use crate::inputs::ParamDoc;
use crate::knn::{self, Knn, KnnClassifier, KnnRegressor};
use crate::linfa_models::{self, LinfaForest};
use crate::linfa_tree::LinfaTree;
use crate::logistic::{self, MultinomialLogistic};
use crate::params::Params;
use crate::svm::{self, SvmModel};
use crate::target::TargetValues;
use crate::tree_models::{self, from_proba_matrix};
use crate::weights::{RowWeights, WeightSupport};

/// A model choice: registry name and raw hyperparameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Registry name (`crisp train --model`).
    pub name: String,
    /// `name = value` hyperparameters.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

impl ModelSpec {
    /// The model `name` (see [`MODELS`]) with its default hyperparameters.
    pub fn new(name: impl Into<String>) -> Self {
        ModelSpec {
            name: name.into(),
            params: BTreeMap::new(),
        }
    }

    /// With hyperparameter `name` set to `value` (as text, as in a config file).
    pub fn param(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.params.insert(name.into(), value.to_string());
        self
    }
}

/// What the training code hands a model.
#[derive(Debug)]
pub struct TrainingData<'a> {
    /// Feature matrix (NaN = missing, when the model's encoding passes missing values through).
    pub x: &'a Array2<f64>,
    /// Encoded target.
    pub y: &'a TargetValues,
    /// Number of classes (0 for regression).
    pub n_classes: usize,
    /// Feature indices holding category codes.
    pub categorical: &'a [usize],
    /// Seed for anything random in the model.
    pub seed: u64,
    /// The weights of the training rows and classes, when the run weighs them (see
    /// [`ModelInfo::weights`]: [`ModelInfo::fit`] refuses weights a model does not take).
    pub weights: Option<RowWeights<'a>>,
}

type FitFn = fn(&Params, &TrainingData) -> Result<TrainedModel>;

/// A registered model.
#[derive(Debug, Clone, Copy)]
pub struct ModelInfo {
    /// Registry name.
    pub name: &'static str,
    /// One line for `crisp train --model help`.
    pub description: &'static str,
    /// Tasks it handles.
    pub tasks: &'static [Task],
    /// How its features are encoded by the default pipeline.
    pub encoding: Encoding,
    /// Hyperparameter names it accepts.
    pub params: &'static [&'static str],
    /// Its hyperparameters with their defaults and ranges, for `crisp models` (in the order of
    /// `params`).
    pub param_docs: &'static [ParamDoc],
    /// The weights it takes: a weight per row (sample and class weights), class weights only,
    /// or none.
    pub weights: WeightSupport,
    fit: FitFn,
}

const CLASSIFICATION: &[Task] = &[Task::Classification];
const REGRESSION: &[Task] = &[Task::Regression];
const BOTH: &[Task] = &[Task::Classification, Task::Regression];

/// Every model `crisp train --model` accepts.
pub const MODELS: &[ModelInfo] = &[
    ModelInfo {
        name: "gbdt",
        description:
            "crisp-trees histogram gradient boosting (native categories and missing values)",
        tasks: BOTH,
        encoding: Encoding::Native,
        params: tree_models::GBDT_PARAMS,
        param_docs: tree_models::GBDT_PARAM_DOCS,
        weights: WeightSupport::SampleWeights,
        fit: tree_models::fit_gbdt,
    },
    ModelInfo {
        name: "random_forest",
        description: "crisp-trees histogram random forest",
        tasks: BOTH,
        encoding: Encoding::Native,
        params: tree_models::RANDOM_FOREST_PARAMS,
        param_docs: tree_models::RANDOM_FOREST_PARAM_DOCS,
        weights: WeightSupport::SampleWeights,
        fit: tree_models::fit_random_forest,
    },
    ModelInfo {
        name: "decision_tree",
        description: "crisp-trees histogram decision tree",
        tasks: BOTH,
        encoding: Encoding::Native,
        params: tree_models::DECISION_TREE_PARAMS,
        param_docs: tree_models::DECISION_TREE_PARAM_DOCS,
        weights: WeightSupport::SampleWeights,
        fit: tree_models::fit_decision_tree,
    },
    ModelInfo {
        name: "linfa_decision_tree",
        description: "linfa-trees CART decision tree",
        tasks: CLASSIFICATION,
        encoding: Encoding::OneHot,
        params: linfa_models::DECISION_TREE_PARAMS,
        param_docs: linfa_models::DECISION_TREE_PARAM_DOCS,
        weights: WeightSupport::SampleWeights,
        fit: |p, d| {
            Ok(TrainedModel::LinfaDecisionTree(
                linfa_models::fit_decision_tree(p, d)?,
            ))
        },
    },
    ModelInfo {
        name: "linfa_random_forest",
        description: "linfa-ensemble random forest of linfa-trees",
        tasks: CLASSIFICATION,
        encoding: Encoding::OneHot,
        params: linfa_models::RANDOM_FOREST_PARAMS,
        param_docs: linfa_models::RANDOM_FOREST_PARAM_DOCS,
        weights: WeightSupport::Unweighted,
        fit: |p, d| {
            Ok(TrainedModel::LinfaRandomForest(
                linfa_models::fit_random_forest(p, d)?,
            ))
        },
    },
    ModelInfo {
        name: "linear_regression",
        description: "linfa-linear ordinary least squares",
        tasks: REGRESSION,
        encoding: Encoding::OneHot,
        params: linfa_models::LINEAR_PARAMS,
        param_docs: linfa_models::LINEAR_PARAM_DOCS,
        weights: WeightSupport::Unweighted,
        fit: |p, d| {
            Ok(TrainedModel::LinearRegression(linfa_models::fit_linear(
                p, d,
            )?))
        },
    },
    ModelInfo {
        name: "logistic_regression",
        description: "linfa-logistic logistic regression (binary, or multinomial beyond 2 classes), L2 penalty",
        tasks: CLASSIFICATION,
        encoding: Encoding::OneHot,
        params: logistic::LOGISTIC_PARAMS,
        param_docs: logistic::LOGISTIC_PARAM_DOCS,
        weights: WeightSupport::Unweighted,
        fit: logistic::fit_logistic,
    },
    ModelInfo {
        name: "gaussian_nb",
        description: "linfa-bayes Gaussian naive Bayes",
        tasks: CLASSIFICATION,
        encoding: Encoding::OneHot,
        params: bayes::GAUSSIAN_NB_PARAMS,
        param_docs: bayes::GAUSSIAN_NB_PARAM_DOCS,
        weights: WeightSupport::Unweighted,
        fit: |p, d| Ok(TrainedModel::GaussianNb(bayes::fit_gaussian_nb(p, d)?)),
    },
    ModelInfo {
        name: "svm",
        description: "linfa-svm support vector classifier (one-vs-rest beyond 2 classes; at most max_rows rows)",
        tasks: CLASSIFICATION,
        encoding: Encoding::OneHot,
        params: svm::SVM_PARAMS,
        param_docs: svm::SVM_PARAM_DOCS,
        weights: WeightSupport::ClassWeights,
        fit: |p, d| Ok(TrainedModel::Svm(svm::fit_svm(p, d)?)),
    },
    ModelInfo {
        name: "knn",
        description: "k nearest neighbours on linfa-nn's k-d and ball trees (vote or mean)",
        tasks: BOTH,
        encoding: Encoding::OneHot,
        params: knn::KNN_PARAMS,
        param_docs: knn::KNN_PARAM_DOCS,
        weights: WeightSupport::ClassWeights,
        fit: |p, d| {
            Ok(match knn::fit_knn(p, d)? {
                Knn::Classifier(m) => TrainedModel::KnnClassifier(m),
                Knn::Regressor(m) => TrainedModel::KnnRegressor(m),
            })
        },
    },
    ModelInfo {
        name: "ridge",
        description: "linfa-elasticnet ridge regression (L2 penalty)",
        tasks: REGRESSION,
        encoding: Encoding::OneHot,
        params: elasticnet::RIDGE_LASSO_PARAMS,
        param_docs: elasticnet::RIDGE_PARAM_DOCS,
        weights: WeightSupport::Unweighted,
        fit: |p, d| {
            Ok(TrainedModel::ElasticNet(elasticnet::fit_elastic_net(
                p,
                d,
                Penalty::Ridge,
            )?))
        },
    },
    ModelInfo {
        name: "lasso",
        description: "linfa-elasticnet lasso regression (L1 penalty)",
        tasks: REGRESSION,
        encoding: Encoding::OneHot,
        params: elasticnet::RIDGE_LASSO_PARAMS,
        param_docs: elasticnet::LASSO_PARAM_DOCS,
        weights: WeightSupport::Unweighted,
        fit: |p, d| {
            Ok(TrainedModel::ElasticNet(elasticnet::fit_elastic_net(
                p,
                d,
                Penalty::Lasso,
            )?))
        },
    },
    ModelInfo {
        name: "elastic_net",
        description: "linfa-elasticnet elastic net regression (L1 and L2 penalties)",
        tasks: REGRESSION,
        encoding: Encoding::OneHot,
        params: elasticnet::ELASTIC_NET_PARAMS,
        param_docs: elasticnet::ELASTIC_NET_PARAM_DOCS,
        weights: WeightSupport::Unweighted,
        fit: |p, d| {
            Ok(TrainedModel::ElasticNet(elasticnet::fit_elastic_net(
                p,
                d,
                Penalty::ElasticNet,
            )?))
        },
    },
];

/// The registered model called `name`, or an error listing the choices.
pub fn find_model(name: &str) -> Result<&'static ModelInfo> {
    match MODELS.iter().find(|m| m.name == name) {
        Some(m) => Ok(m),
        None => bail!(
            Config: "unknown model '{name}'; the models are: {}",
            MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The model `crisp train` uses when `--model` is not given: gradient boosting, which does
/// well on tabular data without tuning.
pub fn default_model(_task: Task) -> &'static str {
    "gbdt"
}

impl ModelInfo {
    /// Its default feature pipeline, in words (for `crisp models`).
    pub fn pipeline_in_words(&self) -> &'static str {
        match self.encoding {
            Encoding::OneHot => {
                "missing numbers imputed with the mean, numbers standard-scaled, text one-hot \
                 encoded (at most 64 columns each, rarer values pooled), identifier-like text \
                 and dates dropped"
            }
            Encoding::Native => {
                "numbers as they are (missing values go where the trees learn), text as \
                 category codes split natively (frequency-encoded above 255 values), \
                 identifier-like text and dates dropped"
            }
        }
    }

    /// Fit this model with the hyperparameters in `spec`.
    pub fn fit(&self, spec: &ModelSpec, task: Task, data: &TrainingData) -> Result<TrainedModel> {
        if !self.tasks.contains(&task) {
            bail!(
                Config: "model '{}' does not do {task}; models for {task}: {}",
                self.name,
                MODELS
                    .iter()
                    .filter(|m| m.tasks.contains(&task))
                    .map(|m| m.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(w) = &data.weights {
            self.check_weights(w.sample)?;
        }
        let params = Params::new(self.name, &spec.params, self.params)?;
        (self.fit)(&params, data)
    }

    /// An error unless this model takes sample weights (`sample`; class weights otherwise),
    /// naming the models that do.
    pub fn check_weights(&self, sample: bool) -> Result<()> {
        let takes = |m: &ModelInfo| match m.weights {
            WeightSupport::SampleWeights => true,
            WeightSupport::ClassWeights => !sample,
            WeightSupport::Unweighted => false,
        };
        if !takes(self) {
            let kind = if sample { "sample" } else { "class" };
            bail!(
                Config: "model '{}' does not take {kind} weights{}; models that do: {}",
                self.name,
                if self.weights == WeightSupport::ClassWeights {
                    " (only class weights)"
                } else {
                    ""
                },
                MODELS
                    .iter()
                    .filter(|m| takes(m))
                    .map(|m| m.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Ok(())
    }
}

/// A fitted model, as stored in the artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TrainedModel {
    /// linfa-trees decision tree (flat).
    LinfaDecisionTree(LinfaTree),
    /// linfa-ensemble random forest (mirrored).
    LinfaRandomForest(LinfaForest),
    /// linfa-linear OLS.
    LinearRegression(linfa_linear::FittedLinearRegression<f64>),
    /// crisp-trees decision tree, classification.
    TreeClassifier(crisp_trees::DecisionTree<usize>),
    /// crisp-trees decision tree, regression.
    TreeRegressor(crisp_trees::DecisionTree<f64>),
    /// crisp-trees random forest, classification.
    ForestClassifier(crisp_trees::RandomForest<usize>),
    /// crisp-trees random forest, regression.
    ForestRegressor(crisp_trees::RandomForest<f64>),
    /// crisp-trees gradient boosting, classification.
    GbdtClassifier(crisp_trees::GradientBoosting<usize>),
    /// crisp-trees gradient boosting, regression.
    GbdtRegressor(crisp_trees::GradientBoosting<f64>),
    /// linfa-logistic binary logistic regression.
    LogisticBinary(linfa_logistic::FittedLogisticRegression<f64, usize>),
    /// linfa-logistic multinomial logistic regression.
    LogisticMultinomial(MultinomialLogistic),
    /// linfa-bayes Gaussian naive Bayes (its statistics sorted by class).
    GaussianNb(GaussianNbModel),
    /// linfa-svm support vector classifier(s).
    Svm(SvmModel),
    /// k nearest neighbours, classification.
    KnnClassifier(KnnClassifier),
    /// k nearest neighbours, regression.
    KnnRegressor(KnnRegressor),
    /// linfa-elasticnet ridge, lasso or elastic net.
    ElasticNet(ElasticNetModel),
}

/// Model outputs for a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictions {
    /// Class indices, with class probabilities (row-major, rows × classes) when the model has them.
    Classes {
        /// Predicted class index per row.
        labels: Vec<usize>,
        /// Probabilities, if available.
        proba: Option<Vec<f64>>,
        /// Number of classes (row width of `proba`).
        n_classes: usize,
    },
    /// Predicted numbers.
    Values(Vec<f64>),
}

impl Predictions {
    /// Classes from probabilities: the most probable class (ties to the lowest index).
    pub fn from_proba(proba: Vec<f64>, n_classes: usize) -> Self {
        let labels = proba
            .chunks(n_classes.max(1))
            .map(crisp_core::argmax)
            .collect();
        Predictions::Classes {
            labels,
            proba: Some(proba),
            n_classes,
        }
    }

    /// The predictions of `rows`, in that order.
    pub fn subset(&self, rows: &[usize]) -> Predictions {
        match self {
            Predictions::Classes {
                labels,
                proba,
                n_classes,
            } => Predictions::Classes {
                labels: rows.iter().map(|&r| labels[r]).collect(),
                proba: proba.as_ref().map(|p| {
                    rows.iter()
                        .flat_map(|&r| p[r * n_classes..(r + 1) * n_classes].iter().copied())
                        .collect()
                }),
                n_classes: *n_classes,
            },
            Predictions::Values(v) => Predictions::Values(rows.iter().map(|&r| v[r]).collect()),
        }
    }

    /// Number of rows predicted.
    pub fn len(&self) -> usize {
        match self {
            Predictions::Classes { labels, .. } => labels.len(),
            Predictions::Values(v) => v.len(),
        }
    }

    /// Whether no rows were predicted.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl TrainedModel {
    /// Predict every row of `x`.
    pub fn predict(&self, x: &Array2<f64>) -> Predictions {
        match self {
            TrainedModel::LinfaDecisionTree(tree) => Predictions::Classes {
                labels: tree.predict(x),
                proba: None,
                n_classes: 0,
            },
            TrainedModel::LinfaRandomForest(forest) => forest.predict(x),
            TrainedModel::LinearRegression(model) => Predictions::Values(model.predict(x).to_vec()),
            TrainedModel::TreeClassifier(m) => from_proba_matrix(m.predict_proba(x.view())),
            TrainedModel::ForestClassifier(m) => from_proba_matrix(m.predict_proba(x.view())),
            TrainedModel::GbdtClassifier(m) => from_proba_matrix(m.predict_proba(x.view())),
            TrainedModel::TreeRegressor(m) => Predictions::Values(m.predict(x).to_vec()),
            TrainedModel::ForestRegressor(m) => Predictions::Values(m.predict(x).to_vec()),
            TrainedModel::GbdtRegressor(m) => Predictions::Values(m.predict(x).to_vec()),
            TrainedModel::LogisticBinary(m) => logistic::predict_binary(m, x),
            TrainedModel::LogisticMultinomial(m) => logistic::predict_multinomial(m, x),
            TrainedModel::GaussianNb(m) => m.predict(x),
            TrainedModel::Svm(m) => m.predict(x),
            TrainedModel::KnnClassifier(m) => m.predict(x),
            TrainedModel::KnnRegressor(m) => m.predict(x),
            TrainedModel::ElasticNet(m) => Predictions::Values(m.predict(x)),
        }
    }

    /// The number of features the model reads.
    pub fn n_features(&self) -> usize {
        match self {
            TrainedModel::LinfaDecisionTree(t) => t.n_features(),
            TrainedModel::LinfaRandomForest(f) => f.n_features,
            TrainedModel::LinearRegression(m) => m.params().len(),
            TrainedModel::TreeClassifier(m) => m.n_features(),
            TrainedModel::TreeRegressor(m) => m.n_features(),
            TrainedModel::ForestClassifier(m) => m.n_features(),
            TrainedModel::ForestRegressor(m) => m.n_features(),
            TrainedModel::GbdtClassifier(m) => m.n_features(),
            TrainedModel::GbdtRegressor(m) => m.n_features(),
            TrainedModel::LogisticBinary(m) => m.params().len(),
            TrainedModel::LogisticMultinomial(m) => m.model.params().nrows(),
            TrainedModel::GaussianNb(m) => m.n_features,
            TrainedModel::Svm(m) => m.n_features,
            TrainedModel::KnnClassifier(m) => m.neighbours.x.ncols(),
            TrainedModel::KnnRegressor(m) => m.neighbours.x.ncols(),
            TrainedModel::ElasticNet(m) => m.n_features(),
        }
    }

    /// Checks a model decoded from bytes before it predicts, for a target of `n_classes`
    /// classes (0 for regression): its structure (see each model's `validate`), and that it
    /// predicts the right kind of target with the right number of classes. A model from
    /// training always passes; the message says what is inconsistent.
    pub fn validate(&self, n_classes: usize) -> Result<()> {
        let classifier = !matches!(
            self,
            TrainedModel::LinearRegression(_)
                | TrainedModel::TreeRegressor(_)
                | TrainedModel::ForestRegressor(_)
                | TrainedModel::GbdtRegressor(_)
                | TrainedModel::KnnRegressor(_)
                | TrainedModel::ElasticNet(_)
        );
        if classifier != (n_classes > 0) {
            bail!(
                Artifact: "a {} model for a {} target",
                if classifier { "classification" } else { "regression" },
                if n_classes > 0 { "class" } else { "numeric" }
            );
        }
        let model_classes = match self {
            TrainedModel::LinfaDecisionTree(t) => {
                t.validate(n_classes).map_err(crisp_core::Error::artifact)?;
                n_classes
            }
            TrainedModel::LinfaRandomForest(f) => {
                f.validate().map_err(crisp_core::Error::artifact)?;
                f.n_classes
            }
            TrainedModel::LinearRegression(m) => {
                if !m.intercept().is_finite() || m.params().iter().any(|p| !p.is_finite()) {
                    bail!(Artifact: "a linear model with a coefficient that is not finite");
                }
                0
            }
            TrainedModel::TreeClassifier(m) => {
                m.validate()?;
                m.n_classes()
            }
            TrainedModel::ForestClassifier(m) => {
                m.validate()?;
                m.n_classes()
            }
            TrainedModel::GbdtClassifier(m) => {
                m.validate()?;
                m.n_classes()
            }
            TrainedModel::TreeRegressor(m) => m.validate().map(|()| 0)?,
            TrainedModel::ForestRegressor(m) => m.validate().map(|()| 0)?,
            TrainedModel::GbdtRegressor(m) => m.validate().map(|()| 0)?,
            TrainedModel::LogisticBinary(m) => {
                logistic::validate_binary(m, n_classes).map_err(crisp_core::Error::artifact)?
            }
            TrainedModel::LogisticMultinomial(m) => {
                logistic::validate_multinomial(m).map_err(crisp_core::Error::artifact)?
            }
            TrainedModel::GaussianNb(m) => m.validate().map_err(crisp_core::Error::artifact)?,
            TrainedModel::Svm(m) => m.validate(n_classes).map_err(crisp_core::Error::artifact)?,
            TrainedModel::KnnClassifier(m) => m.validate().map_err(crisp_core::Error::artifact)?,
            TrainedModel::KnnRegressor(m) => m
                .validate()
                .map(|()| 0)
                .map_err(crisp_core::Error::artifact)?,
            TrainedModel::ElasticNet(m) => m
                .validate()
                .map(|()| 0)
                .map_err(crisp_core::Error::artifact)?,
        };
        if model_classes != n_classes {
            bail!(Artifact: "the model predicts {model_classes} classes, the target has {n_classes}");
        }
        Ok(())
    }

    /// A one-line description for `crisp inspect`.
    pub fn describe(&self) -> String {
        match self {
            TrainedModel::LinfaDecisionTree(tree) => {
                format!(
                    "linfa-trees decision tree: depth {}, {} leaves",
                    tree.depth(),
                    tree.n_leaves()
                )
            }
            TrainedModel::LinfaRandomForest(f) => {
                format!("linfa-ensemble random forest: {} trees", f.trees.len())
            }
            TrainedModel::LinearRegression(m) => {
                format!(
                    "linfa-linear OLS: {} coefficients, intercept {:.6}",
                    m.params().len(),
                    m.intercept()
                )
            }
            TrainedModel::TreeClassifier(m) => format!(
                "decision tree: depth {}, {} leaves",
                m.depth(),
                m.n_leaves()
            ),
            TrainedModel::TreeRegressor(m) => format!(
                "decision tree: depth {}, {} leaves",
                m.depth(),
                m.n_leaves()
            ),
            TrainedModel::ForestClassifier(m) => format!("random forest: {} trees", m.n_trees()),
            TrainedModel::ForestRegressor(m) => format!("random forest: {} trees", m.n_trees()),
            TrainedModel::GbdtClassifier(m) => format!(
                "gradient boosting: {} rounds, {:?} loss",
                m.n_rounds(),
                m.loss()
            ),
            TrainedModel::GbdtRegressor(m) => format!(
                "gradient boosting: {} rounds, {:?} loss",
                m.n_rounds(),
                m.loss()
            ),
            TrainedModel::LogisticBinary(m) => format!(
                "linfa-logistic binary logistic regression: {} coefficients, intercept {:.6}",
                m.params().len(),
                m.intercept()
            ),
            TrainedModel::LogisticMultinomial(m) => format!(
                "linfa-logistic multinomial logistic regression: {} features x {} classes",
                m.model.params().nrows(),
                m.model.params().ncols()
            ),
            TrainedModel::GaussianNb(m) => format!(
                "linfa-bayes Gaussian naive Bayes: {} classes, {} features",
                m.classes.len(),
                m.n_features
            ),
            TrainedModel::Svm(m) => m.describe(),
            TrainedModel::KnnClassifier(m) => m.describe(),
            TrainedModel::KnnRegressor(m) => m.describe(),
            TrainedModel::ElasticNet(m) => m.describe(),
        }
    }
}
