//! The crate's error type.

use thiserror::Error;

/// Everything that can go wrong when configuring or fitting a model of this crate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TreeError {
    /// A hyperparameter holds a value outside its valid range (reported by `check()`).
    #[error("{name} must be {expected}, got {got}")]
    InvalidParameter {
        /// The parameter's name, as `set_param` spells it.
        name: &'static str,
        /// What a valid value looks like.
        expected: String,
        /// The rejected value.
        got: String,
    },
    /// `set_param` was given a name this model does not have.
    #[error("unknown parameter `{name}` for {model}; valid names: {valid}")]
    UnknownParameter {
        /// The name that was given.
        name: String,
        /// The model whose parameters were being set.
        model: &'static str,
        /// Comma-separated list of the names this model accepts.
        valid: String,
    },
    /// `set_param` could not parse the value given for a known parameter.
    #[error(
        "cannot parse `{value}` for parameter `{name}` of {model} (expected {expected}); \
         valid names: {valid}"
    )]
    BadParameterValue {
        /// The parameter's name.
        name: String,
        /// The text that failed to parse.
        value: String,
        /// What kind of value the parameter takes.
        expected: &'static str,
        /// The model whose parameters were being set.
        model: &'static str,
        /// Comma-separated list of the names this model accepts.
        valid: String,
    },
    /// The dataset has no rows or no columns.
    #[error("cannot fit on an empty dataset ({rows} rows, {features} features)")]
    EmptyDataset {
        /// Number of rows.
        rows: usize,
        /// Number of feature columns.
        features: usize,
    },
    /// Records and targets disagree on the number of rows.
    #[error("records have {records} rows but targets have {targets}")]
    ShapeMismatch {
        /// Rows in the records.
        records: usize,
        /// Entries in the targets.
        targets: usize,
    },
    /// A class label is not below the configured number of classes.
    #[error("class label {label} at row {row} is out of range: n_classes is {n_classes}")]
    LabelOutOfRange {
        /// The offending label.
        label: usize,
        /// Its row.
        row: usize,
        /// The configured number of classes.
        n_classes: usize,
    },
    /// A regression target is NaN or infinite.
    #[error("regression target at row {row} is not finite ({value})")]
    NonFiniteTarget {
        /// The offending row.
        row: usize,
        /// Its value.
        value: f64,
    },
    /// A column declared categorical cannot be used as one.
    #[error("categorical feature {feature}: {reason}")]
    InvalidCategorical {
        /// Column index.
        feature: usize,
        /// Why it was rejected.
        reason: String,
    },
    /// A sample weight of the dataset is negative, NaN or infinite.
    #[error("{model}: sample weight at row {row} is {value}; weights must be finite and >= 0")]
    InvalidWeight {
        /// The model being fitted (`decision_tree`, `random_forest` or `gbdt`).
        model: &'static str,
        /// The offending row.
        row: usize,
        /// Its weight.
        value: f32,
    },
    /// The dataset's sample weights do not match its rows, or are all zero.
    #[error("{model}: cannot fit with these sample weights: {reason}")]
    InvalidWeights {
        /// The model being fitted (`decision_tree`, `random_forest` or `gbdt`).
        model: &'static str,
        /// What is wrong with them.
        reason: String,
    },
    /// A fitted model whose parts do not fit together (decoded from a damaged or edited
    /// file): found by the model's `validate`, before it predicts anything.
    #[error("{model}: the fitted model is invalid: {reason}")]
    InvalidModel {
        /// The model (`decision_tree`, `random_forest` or `gbdt`).
        model: &'static str,
        /// What is inconsistent.
        reason: String,
    },
    /// An error raised by linfa itself.
    #[error(transparent)]
    Linfa(#[from] linfa::Error),
    /// A [`crate::external::HistogramSource`] failed or answered wrongly.
    #[error("the histogram source failed: {0}")]
    Source(String),
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, TreeError>;

/// Into crisp's one error type: hyperparameter problems are [`crisp_core::Error::Parameter`]s
/// naming the parameter, data problems [`crisp_core::Error::Data`] (with the row where there
/// is one), and the rest model errors.
impl From<TreeError> for crisp_core::Error {
    fn from(e: TreeError) -> Self {
        let message = e.to_string();
        match e {
            TreeError::InvalidParameter { name, got, .. } => {
                crisp_core::Error::parameter(name, Some(got), message)
            }
            TreeError::UnknownParameter { name, .. } => {
                crisp_core::Error::parameter(name, None, message)
            }
            TreeError::BadParameterValue { name, value, .. } => {
                crisp_core::Error::parameter(name, Some(value), message)
            }
            TreeError::LabelOutOfRange { row, label, .. } => {
                crisp_core::Error::data(message).row(row + 1).value(label)
            }
            TreeError::NonFiniteTarget { row, value } => {
                crisp_core::Error::data(message).row(row + 1).value(value)
            }
            TreeError::InvalidWeight { row, value, .. } => {
                crisp_core::Error::data(message).row(row + 1).value(value)
            }
            TreeError::EmptyDataset { .. }
            | TreeError::ShapeMismatch { .. }
            | TreeError::InvalidCategorical { .. }
            | TreeError::InvalidWeights { .. } => crisp_core::Error::data(message),
            TreeError::InvalidModel { .. } => crisp_core::Error::artifact(message),
            TreeError::Linfa(_) | TreeError::Source(_) => crisp_core::Error::model(message),
        }
    }
}
