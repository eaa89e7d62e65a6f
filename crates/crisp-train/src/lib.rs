#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod candidates;
mod fitted;
mod gate;
pub mod linfa_models;
pub mod linfa_tree;
mod model;
mod params;
mod profile;
mod target;
mod train;
pub mod tree_models;
mod until;

pub use candidates::candidates;
pub use fitted::{FittedModel, Scored};
pub use gate::{data_checks, gate_model, GateRun};
pub use model::{
    default_model, find_model, ModelInfo, ModelSpec, Predictions, TrainedModel, TrainingData,
    MODELS,
};
pub use params::{parse_pairs, Params};
pub use profile::{drift_of, profile_frame};
pub use target::{
    drop_missing_target, infer_task, TargetInfo, TargetValues, DEFAULT_MAX_CLASSES,
    MAX_INTEGER_CLASSES,
};
pub use train::{split_labeled, train, Holdout, TrainConfig, TrainRun};
pub use until::{train_until, Attempt, UntilConfig, UntilOutcome, VALIDATION_FRACTION};
