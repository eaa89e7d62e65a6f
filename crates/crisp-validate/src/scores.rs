//! Owned predictions of a model on labeled rows: what a gate evaluates, whole or by slice.

use crate::error::Result;
use crate::evaluation::Evaluation;
use crate::input::EvalInput;
use crate::task::Task;

/// True and predicted targets of every evaluated row, owned (the owned form of
/// [`EvalInput`]), so that subsets of rows (slices, resamples) can be taken.
///
/// ```
/// use crisp_validate::Scores;
///
/// let scores = Scores::regression(vec![1.0, 2.0, 3.0, 4.0], vec![1.5, 2.0, 2.5, 4.0]);
/// assert_eq!(scores.rows(), 4);
/// let slice = scores.subset(&[1, 3]);
/// assert_eq!(slice.evaluate()?.get("rmse")?, 0.0);
/// # Ok::<(), crisp_validate::ValidateError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Scores {
    /// Class labels as indices into `class_names`.
    Classification {
        /// True class index of each row.
        y_true: Vec<usize>,
        /// Predicted class index of each row.
        y_pred: Vec<usize>,
        /// Predicted probabilities, row-major (`rows × class_names.len()`), when the model
        /// gives them.
        proba: Option<Vec<f64>>,
        /// Class names.
        class_names: Vec<String>,
    },
    /// Real-valued targets.
    Regression {
        /// True value of each row.
        y_true: Vec<f64>,
        /// Predicted value of each row.
        y_pred: Vec<f64>,
    },
}

impl Scores {
    /// Classification scores (see the variant's fields).
    pub fn classification(
        y_true: Vec<usize>,
        y_pred: Vec<usize>,
        proba: Option<Vec<f64>>,
        class_names: Vec<String>,
    ) -> Self {
        Scores::Classification {
            y_true,
            y_pred,
            proba,
            class_names,
        }
    }

    /// Regression scores.
    pub fn regression(y_true: Vec<f64>, y_pred: Vec<f64>) -> Self {
        Scores::Regression { y_true, y_pred }
    }

    /// The borrowed form the metrics are computed on.
    pub fn input(&self) -> EvalInput<'_> {
        match self {
            Scores::Classification {
                y_true,
                y_pred,
                proba,
                class_names,
            } => EvalInput::classification(y_true, y_pred, proba.as_deref(), class_names),
            Scores::Regression { y_true, y_pred } => EvalInput::regression(y_true, y_pred),
        }
    }

    /// The task.
    pub fn task(&self) -> Task {
        self.input().task()
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.input().rows()
    }

    /// Every metric of these scores.
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`](crate::ValidateError::InvalidInput) for inconsistent
    /// scores.
    pub fn evaluate(&self) -> Result<Evaluation> {
        Evaluation::from_input(&self.input())
    }

    /// The scores of `rows` (indices into these scores), in that order.
    pub fn subset(&self, rows: &[usize]) -> Scores {
        match self {
            Scores::Classification {
                y_true,
                y_pred,
                proba,
                class_names,
            } => {
                let k = class_names.len();
                Scores::Classification {
                    y_true: rows.iter().map(|&r| y_true[r]).collect(),
                    y_pred: rows.iter().map(|&r| y_pred[r]).collect(),
                    proba: proba.as_ref().map(|p| {
                        rows.iter()
                            .flat_map(|&r| p[r * k..(r + 1) * k].iter().copied())
                            .collect()
                    }),
                    class_names: class_names.clone(),
                }
            }
            Scores::Regression { y_true, y_pred } => Scores::Regression {
                y_true: rows.iter().map(|&r| y_true[r]).collect(),
                y_pred: rows.iter().map(|&r| y_pred[r]).collect(),
            },
        }
    }
}

impl From<EvalInput<'_>> for Scores {
    fn from(input: EvalInput<'_>) -> Self {
        match input {
            EvalInput::Classification {
                y_true,
                y_pred,
                proba,
                class_names,
            } => Scores::Classification {
                y_true: y_true.to_vec(),
                y_pred: y_pred.to_vec(),
                proba: proba.map(<[f64]>::to_vec),
                class_names: class_names.to_vec(),
            },
            EvalInput::Regression { y_true, y_pred } => Scores::Regression {
                y_true: y_true.to_vec(),
                y_pred: y_pred.to_vec(),
            },
        }
    }
}
