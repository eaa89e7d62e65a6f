//! The kind of supervised task a model solves.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValidateError;

/// The kind of supervised task: predicting a class or a number.
///
/// Serialized, displayed and parsed as `"classification"` / `"regression"`
/// (parsing ignores case and surrounding whitespace).
///
/// ```
/// use crisp_validate::Task;
/// let t: Task = " Regression ".parse().unwrap();
/// assert_eq!(t, Task::Regression);
/// assert_eq!(t.to_string(), "regression");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Predict one of a fixed set of classes.
    Classification,
    /// Predict a real number.
    Regression,
}

impl Task {
    /// The lowercase name: `"classification"` or `"regression"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Task {
    type Err = ValidateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "classification" => Ok(Task::Classification),
            "regression" => Ok(Task::Regression),
            _ => Err(ValidateError::UnknownTask(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for t in [Task::Classification, Task::Regression] {
            assert_eq!(t.to_string().parse::<Task>().unwrap(), t);
        }
        assert!(matches!(
            "ranking".parse::<Task>(),
            Err(ValidateError::UnknownTask(_))
        ));
    }
}
