//! The training run: target, split, feature pipeline fitted on the training rows only, model,
//! evaluation on the held-out rows.

use std::time::Instant;

use crisp_core::{require_column, train_test_split, Result, Split};
use crisp_features::{default_pipeline, PipelineSpec};
use crisp_validate::{Evaluation, Task};
use polars::prelude::*;

use crate::fitted::FittedModel;
use crate::model::{default_model, find_model, ModelSpec, TrainingData};
use crate::target::{
    drop_missing_target, infer_task, TargetInfo, TargetValues, DEFAULT_MAX_CLASSES,
};

/// Where the evaluation rows come from.
#[derive(Debug, Clone)]
pub enum Holdout {
    /// A seeded split of the training data (stratified for classification).
    Fraction(f64),
    /// A separate labeled frame, named in errors by `source`.
    Frame {
        /// The rows.
        frame: DataFrame,
        /// Their file name.
        source: String,
    },
}

/// Everything a training run needs besides the data.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Target column.
    pub target: String,
    /// Task, inferred from the target when `None`.
    pub task: Option<Task>,
    /// Model; an empty name picks the default for the task.
    pub model: ModelSpec,
    /// Declared feature pipeline; the default one for the model when `None`.
    pub features: Option<PipelineSpec>,
    /// Seed for the split and the model.
    pub seed: u64,
    /// Evaluation rows.
    pub holdout: Holdout,
    /// The most classes a classification target may have.
    pub max_classes: usize,
}

impl TrainConfig {
    /// The seed [`TrainConfig::new`] uses.
    pub const DEFAULT_SEED: u64 = 42;
    /// The share of rows [`TrainConfig::new`] holds out.
    pub const DEFAULT_TEST_FRACTION: f64 = 0.2;

    /// Predict `target` with the default model and feature pipeline for its (inferred) task,
    /// holding out a seeded, stratified 20% of the rows for evaluation.
    pub fn new(target: impl Into<String>) -> Self {
        TrainConfig {
            target: target.into(),
            task: None,
            model: ModelSpec::default(),
            features: None,
            seed: Self::DEFAULT_SEED,
            holdout: Holdout::Fraction(Self::DEFAULT_TEST_FRACTION),
            max_classes: DEFAULT_MAX_CLASSES,
        }
    }

    /// Refusing classification targets of more than `max_classes` classes.
    pub fn max_classes(mut self, max_classes: usize) -> Self {
        self.max_classes = max_classes;
        self
    }

    /// With the model `model`.
    pub fn model(mut self, model: ModelSpec) -> Self {
        self.model = model;
        self
    }

    /// With the task given instead of inferred.
    pub fn task(mut self, task: Task) -> Self {
        self.task = Some(task);
        self
    }

    /// With the feature pipeline `features` instead of the model's default one.
    pub fn features(mut self, features: PipelineSpec) -> Self {
        self.features = Some(features);
        self
    }

    /// With the seed `seed` (split and model).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Evaluating on `holdout`.
    pub fn holdout(mut self, holdout: Holdout) -> Self {
        self.holdout = holdout;
        self
    }
}

/// The result of a training run.
#[derive(Debug, Clone)]
pub struct TrainRun {
    /// The trained bundle.
    pub fitted: FittedModel,
    /// The pipeline that was fitted (declared or default).
    pub features: PipelineSpec,
    /// Metrics on the held-out rows.
    pub evaluation: Evaluation,
    /// Rows fitted on.
    pub rows_train: usize,
    /// Rows evaluated on.
    pub rows_test: usize,
    /// Training-file rows skipped for a missing target.
    pub rows_missing_target: usize,
    /// Test-file rows skipped for a missing target (separate test file only).
    pub rows_missing_target_test: usize,
    /// Seconds spent fitting the pipeline and the model.
    pub train_seconds: f64,
    /// Statistics of the training rows' input columns, for data checks at validation time.
    pub profile: crisp_validate::DataProfile,
}

/// Train on `frame` (read from `source`) as `config` says.
pub fn train(frame: &DataFrame, source: &str, config: &TrainConfig) -> Result<TrainRun> {
    require_column(frame, &config.target, source)?;
    let (labeled, rows_missing_target) = drop_missing_target(frame, &config.target, source)?;
    let task = match config.task {
        Some(t) => t,
        None => infer_task(&labeled, &config.target, source)?,
    };
    let model_name = if config.model.name.is_empty() {
        default_model(task)
    } else {
        config.model.name.as_str()
    };
    let info = find_model(model_name)?;
    let target =
        TargetInfo::fit_with_limit(&labeled, &config.target, task, source, config.max_classes)?;
    let truth = target.encode(&labeled, source)?;

    // The training rows' encoded targets come from `truth`, not from encoding them again.
    let (train_frame, y, test_frame, test_source, rows_missing_target_test) = match &config.holdout
    {
        Holdout::Fraction(fraction) => {
            let split = split_rows(&truth, labeled.height(), *fraction, config.seed)?;
            (
                take(&labeled, &split.train)?,
                truth.subset(&split.train),
                take(&labeled, &split.test)?,
                source.to_string(),
                0,
            )
        }
        Holdout::Frame {
            frame,
            source: test_source,
        } => {
            require_column(frame, &config.target, test_source)?;
            let (test, missing) = drop_missing_target(frame, &config.target, test_source)?;
            (labeled.clone(), truth, test, test_source.clone(), missing)
        }
    };

    let started = Instant::now();
    let features = match &config.features {
        Some(spec) => spec.clone(),
        None => default_pipeline(&train_frame, &config.target, info.encoding)?,
    };
    // Out-of-fold values for supervised steps: the model trains on what fit_transform returns.
    let (pipeline, train_features) = features.fit_transform(&train_frame, &config.target)?;
    let x = crisp_core::to_matrix(&train_features, &pipeline.features)?;
    let model_spec = ModelSpec {
        name: model_name.to_string(),
        params: config.model.params.clone(),
    };
    let data = TrainingData {
        x: &x,
        y: &y,
        n_classes: target.classes.len(),
        categorical: &pipeline.categorical,
        seed: config.seed,
    };
    let model = info.fit(&model_spec, task, &data)?;
    let train_seconds = started.elapsed().as_secs_f64();

    let fitted = FittedModel {
        model_name: model_name.to_string(),
        pipeline,
        model,
        target,
    };
    let test_truth = fitted.target.encode(&test_frame, &test_source)?;
    let predictions = fitted.predict(&test_frame, &test_source)?;
    let evaluation = fitted.score(&test_truth, &predictions)?;
    let profile = crate::profile::profile_frame(&train_frame, &fitted.pipeline.input)?;
    Ok(TrainRun {
        profile,
        evaluation,
        features,
        rows_train: train_frame.height(),
        rows_test: test_frame.height(),
        rows_missing_target,
        rows_missing_target_test,
        train_seconds,
        fitted,
    })
}

/// Split labeled rows (no missing target) into train and test parts, stratified by class for
/// classification, reproducibly for `seed`: the split `crisp train --test-fraction` makes.
pub fn split_labeled(
    frame: &DataFrame,
    target: &TargetInfo,
    fraction: f64,
    seed: u64,
    source: &str,
) -> Result<(DataFrame, DataFrame)> {
    let truth = target.encode(frame, source)?;
    let split = split_rows(&truth, frame.height(), fraction, seed)?;
    Ok((take(frame, &split.train)?, take(frame, &split.test)?))
}

/// The seeded split of `n_rows` rows, stratified by class when `truth` holds classes.
fn split_rows(truth: &TargetValues, n_rows: usize, fraction: f64, seed: u64) -> Result<Split> {
    let strata = match truth {
        TargetValues::Classes(c) => Some(c.as_slice()),
        TargetValues::Values(_) => None,
    };
    train_test_split(n_rows, fraction, seed, strata)
}

fn take(frame: &DataFrame, rows: &[usize]) -> Result<DataFrame> {
    let idx = IdxCa::from_vec("rows".into(), rows.iter().map(|&r| r as IdxSize).collect());
    Ok(frame.take(&idx)?)
}
