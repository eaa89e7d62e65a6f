//! Training on rows that stay on a cluster (`crisp train --engine`): the gbdt trains where the
//! rows are (crisp-distributed, on DataFusion Ballista), and this side does what needs only a
//! sample: the task, the target's classes, the feature pipeline, the profile, and the
//! evaluation on a test file.
//!
//! The cluster bins raw numeric columns, so the pipeline must pass its features through: the
//! default gbdt pipeline of a frame of numeric (and boolean) columns does, dropping date
//! columns. Text columns would need their encoding run on the cluster, which it does not do
//! yet: they are refused by name.

use std::time::Instant;

use crisp_core::{bail, ensure, ColumnKind, Result};
use crisp_features::{default_pipeline, StepSpec};
use crisp_validate::Task;
use polars::prelude::DataFrame;

use crate::fitted::FittedModel;
use crate::model::{find_model, ModelSpec, TrainedModel};
use crate::params::Params;
use crate::target::{drop_missing_target, infer_task, TargetInfo};
use crate::train::{HeldOut, TrainRun};

/// The model the cluster path trains.
pub const CLUSTER_MODEL: &str = "gbdt";

/// Everything a cluster run needs besides the engine.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// Target column.
    pub target: String,
    /// Task, inferred from the sample's target when `None`.
    pub task: Option<Task>,
    /// Model: empty or gbdt, with its hyperparameters.
    pub model: ModelSpec,
    /// The model's seed.
    pub seed: u64,
    /// The test frame the model is evaluated on, and its file name.
    pub test: (DataFrame, String),
}

/// What the engine is asked to fit: numeric `features` (in model order) and `target`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterFitRequest {
    /// Feature columns, passed through unchanged by the pipeline.
    pub features: Vec<String>,
    /// Target column.
    pub target: String,
    /// A binary classifier on 0/1 targets, else a regressor.
    pub classification: bool,
    /// gbdt hyperparameters.
    pub params: Vec<(String, String)>,
    /// The model's seed.
    pub seed: u64,
}

/// What the engine fitted: a gbdt, and the rows it trained on.
#[derive(Debug, Clone)]
pub struct ClusterFit {
    /// [`TrainedModel::GbdtClassifier`] or [`TrainedModel::GbdtRegressor`].
    pub model: TrainedModel,
    /// Rows trained on.
    pub rows: usize,
}

/// Trains through `fit` (which runs the cluster) with the task, pipeline and classes found on
/// `sample` (rows of the training data, named `source` in errors), and evaluates the model on
/// the configured test frame.
pub fn train_on_cluster(
    sample: &DataFrame,
    source: &str,
    config: &ClusterConfig,
    fit: impl FnOnce(&ClusterFitRequest) -> Result<ClusterFit>,
) -> Result<TrainRun> {
    let (frame, _) = drop_missing_target(sample, &config.target, source)?;
    let task = match config.task {
        Some(t) => t,
        None => infer_task(&frame, &config.target, source)?,
    };
    let name = if config.model.name.is_empty() {
        CLUSTER_MODEL.to_string()
    } else {
        config.model.name.clone()
    };
    if name != CLUSTER_MODEL {
        bail!(Config: "--engine trains {CLUSTER_MODEL} (histograms summed on the cluster); model '{name}' needs its rows here");
    }
    let info = find_model(&name)?;
    let spec = ModelSpec {
        name: name.clone(),
        params: config.model.params.clone(),
    };
    // The names and values are checked here, before the cluster is asked.
    Params::new(info.name, &spec.params, info.params)?;
    let target = TargetInfo::fit(&frame, &config.target, task, source)?;
    let classification = task == Task::Classification;
    if classification {
        let binary = target.classes.len() == 2
            && target
                .classes
                .iter()
                .zip([0.0, 1.0])
                .all(|(c, v)| c.parse::<f64>() == Ok(v));
        ensure!(binary, Config: "--engine trains a binary classifier on a 0/1 target; '{}' has classes {} (label it 0/1 first, e.g. with `crisp label`)", config.target, target.classes.join(", "));
    }
    let text: Vec<String> = frame
        .columns()
        .iter()
        .filter(|c| {
            c.name().as_str() != config.target && ColumnKind::of(c.dtype()) == ColumnKind::Text
        })
        .map(|c| c.name().to_string())
        .collect();
    if !text.is_empty() {
        bail!(Config: "--engine trains on numeric columns; {} of {source} {} text and would need encoding on the cluster (drop or encode them first)", text.join(", "), if text.len() == 1 { "is" } else { "are" });
    }
    let features = default_pipeline(&frame, &config.target, info.encoding)?;
    debug_assert!(features
        .steps
        .iter()
        .all(|s| matches!(s, StepSpec::Drop(_))));
    let (pipeline, _) = features.fit_transform(&frame, &config.target)?;
    let request = ClusterFitRequest {
        features: pipeline.features.clone(),
        target: config.target.clone(),
        classification,
        params: spec
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        seed: config.seed,
    };
    let started = Instant::now();
    let fitted_on_cluster = fit(&request)?;
    let seconds = started.elapsed().as_secs_f64();
    let profile = crate::profile::profile_frame(&frame, &pipeline.input)?;
    let fitted = FittedModel {
        model_name: name,
        pipeline,
        model: fitted_on_cluster.model,
        target,
    };
    let (test, test_source) = &config.test;
    crisp_core::require_column(test, &config.target, test_source)?;
    let scored = fitted.evaluate(test, test_source)?;
    Ok(TrainRun {
        evaluation: scored.evaluation.clone(),
        model: spec,
        features,
        rows_train: fitted_on_cluster.rows,
        rows_test: scored.rows,
        rows_train_evaluated: None,
        refit: false,
        cv: None,
        refit_rounds: None,
        rows_missing_target: 0,
        rows_missing_target_test: scored.rows_missing_target,
        train_seconds: seconds,
        profile,
        weighting: None,
        held_out: Some(HeldOut {
            model: fitted.clone(),
            scored,
        }),
        fitted,
    })
}
