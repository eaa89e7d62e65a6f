//! The artifact header: what a model is, where it came from and how it scored, readable without
//! decoding the model itself.

use std::collections::BTreeMap;

use crisp_core::Schema;
use crisp_features::StepSummary;
use crisp_validate::{Evaluation, Task};
use serde::{Deserialize, Serialize};

/// Where the training data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataInfo {
    /// File the model was trained from.
    pub source: String,
    /// xxh3-128 of the file's bytes.
    pub fingerprint: String,
    /// Rows in the file.
    pub rows: usize,
}

impl DataInfo {
    /// The training data `source` held in memory as `frame`: its fingerprint is that of the
    /// frame written as CSV (the same as the file's when the frame was read from an unchanged
    /// CSV file written by Polars).
    pub fn of_frame(
        source: impl Into<String>,
        frame: &crisp_core::polars::prelude::DataFrame,
    ) -> crisp_core::Result<Self> {
        let bytes = crisp_core::csv_bytes(&mut frame.clone())?;
        Ok(DataInfo {
            source: source.into(),
            fingerprint: crisp_core::fingerprint(&bytes),
            rows: frame.height(),
        })
    }
}

/// A validation verdict written into the artifact by `crisp validate --bless`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blessing {
    /// Whether every check passed.
    pub passed: bool,
    /// The thresholds checked, as written.
    pub thresholds: Vec<String>,
    /// Fingerprint of the validation data.
    pub data_fingerprint: String,
    /// Seconds since the Unix epoch.
    pub at_unix: u64,
}

/// The tracked run that made an artifact: its id in a run store (`crisp-track`) and that
/// store's file, so that `crisp inspect` can say which run made the model, on which data, and
/// which labeling run made that data's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRef {
    /// The run's id in the store.
    pub id: u64,
    /// The store's file (an absolute path when it could be resolved).
    pub store: String,
}

/// Everything about the model except its fitted state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactHeader {
    /// crisp version that wrote the file.
    pub crate_version: String,
    /// Seconds since the Unix epoch at training time.
    pub created_unix: u64,
    /// Classification or regression.
    pub task: Task,
    /// Target column.
    pub target: String,
    /// Class labels (classification).
    pub classes: Vec<String>,
    /// Registry name of the model.
    pub model: String,
    /// One-line description of the fitted model.
    pub model_description: String,
    /// Hyperparameters given.
    pub model_params: BTreeMap<String, String>,
    /// Input columns the model reads, with their training kinds.
    pub input_schema: Schema,
    /// Input columns present in training but not used.
    pub ignored_columns: Vec<String>,
    /// Fitted feature steps with what they learned.
    pub feature_steps: Vec<StepSummary>,
    /// Feature columns the model sees.
    pub features: Vec<String>,
    /// Metrics on the held-out rows at training time.
    pub metrics: Evaluation,
    /// Rows fitted on.
    pub rows_train: usize,
    /// Rows evaluated on.
    pub rows_test: usize,
    /// Seed of the run.
    pub seed: u64,
    /// The training data.
    pub data: DataInfo,
    /// The validation verdict, once blessed.
    pub blessing: Option<Blessing>,
    /// Statistics of the training rows' input columns (null rates, bins, categories), which
    /// `crisp validate` compares new data against.
    pub data_profile: crisp_validate::DataProfile,
    /// The tracked run that trained the model (since format 5); `None` when the run was not
    /// recorded (`--no-track`, a store that could not be written, a library caller).
    pub run: Option<RunRef>,
}

impl ArtifactHeader {
    /// The header of a model fresh from `crisp_train::train` with `config`, trained on `data`.
    pub fn for_run(
        run: &crisp_train::TrainRun,
        config: &crisp_train::TrainConfig,
        data: DataInfo,
        created_unix: u64,
    ) -> Self {
        let fitted = &run.fitted;
        ArtifactHeader {
            crate_version: crisp_core::VERSION.to_string(),
            created_unix,
            task: fitted.task(),
            target: fitted.target.name.clone(),
            classes: fitted.target.classes.clone(),
            model: fitted.model_name.clone(),
            model_description: fitted.model.describe(),
            model_params: config.model.params.clone(),
            input_schema: fitted.pipeline.input.clone(),
            ignored_columns: fitted.pipeline.ignored.clone(),
            feature_steps: fitted.pipeline.summaries(),
            features: fitted.pipeline.features.clone(),
            metrics: run.evaluation.clone(),
            rows_train: run.rows_train,
            rows_test: run.rows_test,
            seed: config.seed,
            data,
            blessing: None,
            data_profile: run.profile.clone(),
            run: None,
        }
    }
}
