#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod auto;
pub mod bayes;
mod candidates;
mod cluster;
mod cv;
pub mod elasticnet;
mod fitted;
mod gate;
mod importance;
mod inputs;
pub mod knn;
pub mod linfa_models;
pub mod linfa_tree;
pub mod logistic;
mod model;
mod params;
mod profile;
mod search;
mod stream;
pub mod svm;
mod target;
mod train;
pub mod tree_models;
mod until;
mod weights;

pub use auto::{
    auto, auto_candidates, auto_metric, parse_time_budget, AutoConfig, AutoOutcome, FailedCandidate,
};
pub use candidates::candidates;
pub use cluster::{train_on_cluster, ClusterConfig, ClusterFit, ClusterFitRequest, CLUSTER_MODEL};
pub use cv::{cross_validate, fold_plan, holdout_split, CvRun, FoldResult, MetricSummary, SplitBy};
pub use fitted::{FittedModel, Scored};
pub use gate::{data_checks, gate_model, GateRun};
pub use importance::{permutation_importance, ColumnImportance, Importance, ImportanceOptions};
pub use inputs::ParamDoc;
pub use model::{
    default_model, find_model, ModelInfo, ModelSpec, Predictions, TrainedModel, TrainingData,
    MODELS,
};
pub use params::{parse_pairs, Params};
pub use profile::{drift_distributions, drift_of, profile_frame};
pub use search::{
    compare, default_metric, default_space, search, Leaderboard, ParamRange, Rung, Scoring,
    SearchConfig, SearchMethod, SearchOutcome, SearchSpace, Trial,
};
pub use stream::{
    is_held_out, train_stream, StreamConfig, StreamHoldout, StreamRun, DEFAULT_FIT_ROWS,
};
pub use target::{
    drop_missing_target, infer_task, TargetInfo, TargetValues, DEFAULT_MAX_CLASSES,
    MAX_INTEGER_CLASSES,
};
pub use train::{split_labeled, train, HeldOut, Holdout, RefitRounds, TrainConfig, TrainRun};
pub use until::{train_until, Attempt, UntilConfig, UntilOutcome, VALIDATION_FRACTION};
pub use weights::{ClassWeight, RowWeights, WeightSummary, WeightSupport, Weighting};
