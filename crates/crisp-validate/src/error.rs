//! The crate's error type.

use crate::task::Task;

/// Everything that can go wrong in `crisp-validate`.
///
/// Variants that concern a metric name carry the list of valid names, so a command-line
/// front end can print the message as is (and exit with status 2).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidateError {
    /// A metric name that is not known (for this task / these classes).
    #[error("unknown metric `{name}`; valid metrics: {}", valid.join(", "))]
    UnknownMetric {
        /// The name that was asked for.
        name: String,
        /// The names that would have been accepted.
        valid: Vec<String>,
    },

    /// A metric that is known but could not be computed on this data.
    #[error("metric `{metric}` is unavailable: {reason}")]
    Unavailable {
        /// The metric name.
        metric: String,
        /// Why it could not be computed (no probabilities, a single class, no rows...).
        reason: String,
    },

    /// A threshold string that could not be parsed (bad syntax or unknown metric).
    #[error(
        "invalid threshold `{text}`: {reason}; thresholds look like `accuracy>=0.85`, \
         `f1[>50K]>0.6`, `roc_auc>=baseline-0.005` or `rmse<=baseline*1.02`; valid metrics: {}",
        valid.join(", ")
    )]
    InvalidThreshold {
        /// The threshold text as given.
        text: String,
        /// What is wrong with it.
        reason: String,
        /// The metric names that are accepted.
        valid: Vec<String>,
    },

    /// A metric of one task used with a model of the other task.
    #[error(
        "metric `{metric}` is a {metric_task} metric but the model is a {task} model; \
         valid {task} metrics: {}",
        valid.join(", ")
    )]
    WrongTask {
        /// The metric name.
        metric: String,
        /// The task the metric belongs to.
        metric_task: Task,
        /// The task of the model.
        task: Task,
        /// The metric names valid for `task`.
        valid: Vec<String>,
    },

    /// A threshold relative to a baseline was checked without a baseline value.
    #[error("threshold `{threshold}` compares against a baseline and needs a baseline model")]
    MissingBaseline {
        /// The threshold text.
        threshold: String,
    },

    /// A task name that is neither `classification` nor `regression`.
    #[error("unknown task `{0}`; valid tasks: classification, regression")]
    UnknownTask(String),

    /// Inconsistent or invalid inputs (length mismatch, label out of range, NaN...).
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// The bootstrap could not produce a bound.
    #[error("bootstrap for `{metric}` failed: {reason}")]
    Bootstrap {
        /// The metric name.
        metric: String,
        /// Why no bound could be produced.
        reason: String,
    },
}

/// `Result` with [`ValidateError`] as the error type.
pub type Result<T> = std::result::Result<T, ValidateError>;

/// Into crisp's one error type: names, thresholds and tasks are configuration errors (with the
/// name as the location's value), inconsistent inputs data errors, and metrics that cannot be
/// computed model errors.
impl From<ValidateError> for crisp_core::Error {
    fn from(e: ValidateError) -> Self {
        let message = e.to_string();
        match e {
            ValidateError::UnknownMetric { name, .. } => {
                crisp_core::Error::config(message).value(name)
            }
            ValidateError::InvalidThreshold { text, .. } => {
                crisp_core::Error::config(message).value(text)
            }
            ValidateError::WrongTask { metric, .. } => {
                crisp_core::Error::config(message).value(metric)
            }
            ValidateError::MissingBaseline { threshold } => crisp_core::Error::config(format!(
                "threshold `{threshold}` compares against a baseline"
            ))
            .value(threshold)
            .with_hint(crisp_core::Hint::GiveABaseline),
            ValidateError::UnknownTask(task) => crisp_core::Error::config(message).value(task),
            ValidateError::InvalidInput(_) => crisp_core::Error::data(message),
            ValidateError::Unavailable { .. } | ValidateError::Bootstrap { .. } => {
                crisp_core::Error::model(message)
            }
        }
    }
}
