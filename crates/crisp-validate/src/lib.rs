//! Metrics and threshold gates for crisp models: the logic of the model gate.
//!
//! Pure functions over slices (no I/O, no data frames), so the CLI and the other crates
//! can call them directly.
//!
//! - [`Evaluation`] computes every metric of a classifier ([`Evaluation::classification`])
//!   or a regressor ([`Evaluation::regression`]); metrics that cannot be computed are
//!   listed as unavailable with a reason, never NaN. [`Evaluation::get`] looks a metric up
//!   by name, including per-class names such as `f1[>50K]`.
//! - [`Metric`] is the registry of names, their [`Task`] and direction.
//! - [`Threshold`] parses gates such as `accuracy>=0.85`, `rmse<=baseline*1.02` or
//!   `roc_auc>=baseline-0.005` and checks values into a [`CheckOutcome`].
//! - [`bootstrap_bound`] gives a one-sided bootstrap confidence bound of a metric, for a
//!   gate that must hold with statistical confidence rather than on the point estimate.
//!
//! Metric definitions follow scikit-learn (and are tested against it): ratios with a zero
//! denominator are 0.0 (`zero_division=0`); see the module docs of each metric family for
//! the details ([`classification`], [`ranking`], [`probability`], [`regression`]).
//!
//! ```
//! use crisp_validate::{CheckStatus, Evaluation, Threshold};
//!
//! let classes = vec!["<=50K".to_string(), ">50K".to_string()];
//! let y_true = [0, 0, 1, 1, 0, 1];
//! let y_pred = [0, 1, 1, 1, 0, 0];
//! let proba = [0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7, 0.8, 0.2, 0.6, 0.4];
//! let eval = Evaluation::classification(&y_true, &y_pred, Some(&proba), &classes)?;
//! assert!((eval.get("accuracy")? - 4.0 / 6.0).abs() < 1e-12);
//! assert_eq!(eval.get("roc_auc")?, 8.0 / 9.0);
//!
//! let gate: Threshold = "f1[>50K] >= 0.6".parse()?;
//! let outcome = gate.check(eval.get(&gate.metric)?, None);
//! assert_eq!(outcome.status, CheckStatus::Passed);
//!
//! // A change threshold without a baseline is skipped (or an error, on request).
//! let change: Threshold = "roc_auc>=baseline-0.005".parse()?;
//! assert!(matches!(change.check(0.9, None).status, CheckStatus::Skipped { .. }));
//! # Ok::<(), crisp_validate::ValidateError>(())
//! ```
#![deny(missing_docs)]

mod bootstrap;
pub mod classification;
mod error;
mod evaluation;
mod input;
mod metric;
pub mod probability;
pub mod ranking;
pub mod regression;
mod task;
mod threshold;

pub use bootstrap::bootstrap_bound;
pub use classification::{ClassMetrics, ConfusionMatrix};
pub use error::{Result, ValidateError};
pub use evaluation::Evaluation;
pub use input::EvalInput;
pub use metric::Metric;
pub use task::Task;
pub use threshold::{CheckOutcome, CheckStatus, MissingBaseline, Op, Target, Threshold};
