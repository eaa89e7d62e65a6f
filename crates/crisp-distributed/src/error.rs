//! The one error type of crisp-distributed.

use crisp_trees::TreeError;
use datafusion::error::DataFusionError;

/// What can go wrong training on a cluster.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The engine failed: a query, the connection to the scheduler, a lost job.
    #[error("the engine failed: {0}")]
    Engine(#[from] DataFusionError),
    /// The trees refused the data or the parameters.
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// The data does not fit the task (a column missing, a label out of range).
    #[error("{0}")]
    Data(String),
    /// The scheduler or an executor did not start.
    #[error("the cluster failed: {0}")]
    Cluster(String),
}

/// Into crisp's one error type: the data's problems are data errors, the engine's and the
/// cluster's model errors.
impl From<Error> for crisp_core::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Tree(t) => t.into(),
            Error::Data(m) => crisp_core::Error::data(m),
            other => crisp_core::Error::model(other.to_string()),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Returns early with an [`Error::Data`] built like `format!`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::Error::Data(format!($($arg)*)))
    };
}
