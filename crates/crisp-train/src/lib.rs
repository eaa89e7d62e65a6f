//! Training for crisp: the model registry (linfa's models and crisp-trees behind one
//! interface), target handling, and the training run that fits the feature pipeline on the
//! training rows only and evaluates on held-out rows.
//!
//! ```
//! use crisp_train::{train, Holdout, ModelSpec, TrainConfig};
//! use polars::prelude::*;
//!
//! let xs: Vec<f64> = (0..60).map(|i| i as f64).collect();
//! let label: Vec<&str> = xs.iter().map(|&x| if x < 30.0 { "low" } else { "high" }).collect();
//! let frame = df!("x" => &xs, "label" => &label)?;
//! let config = TrainConfig {
//!     target: "label".into(),
//!     task: None, // inferred: a text target is classification
//!     model: ModelSpec { name: "linfa_decision_tree".into(), ..Default::default() },
//!     features: None,
//!     seed: 42,
//!     holdout: Holdout::Fraction(0.25),
//! };
//! let run = train(&frame, "example", &config)?;
//! assert_eq!(run.rows_train + run.rows_test, 60);
//! assert!(run.evaluation.get("accuracy")? > 0.9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod candidates;
mod fitted;
mod gate;
pub mod linfa_models;
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
pub use target::{drop_missing_target, infer_task, TargetInfo, TargetValues, MAX_INTEGER_CLASSES};
pub use train::{split_labeled, train, Holdout, TrainConfig, TrainRun};
pub use until::{train_until, Attempt, UntilConfig, UntilOutcome, VALIDATION_FRACTION};
