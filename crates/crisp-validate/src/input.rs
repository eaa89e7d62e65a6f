//! The inputs the metrics are computed from, and their validation.

use std::collections::BTreeSet;

use crate::error::{Result, ValidateError};
use crate::task::Task;

/// Borrowed inputs of an evaluation: true and predicted labels (or values) of every row.
///
/// Used by [`Evaluation::from_input`](crate::Evaluation::from_input),
/// [`EvalInput::metric`] and [`bootstrap_bound`](crate::bootstrap_bound).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EvalInput<'a> {
    /// Class labels as indices into `class_names`.
    Classification {
        /// True class index of each row.
        y_true: &'a [usize],
        /// Predicted class index of each row.
        y_pred: &'a [usize],
        /// Optional predicted probabilities, row-major: `proba[row * n_classes + class]`,
        /// `n_rows * n_classes` values in `[0, 1]`. Columns are used as given (rows are
        /// not renormalised).
        proba: Option<&'a [f64]>,
        /// Class names; `n_classes = class_names.len()`.
        class_names: &'a [String],
    },
    /// Real-valued targets.
    Regression {
        /// True value of each row.
        y_true: &'a [f64],
        /// Predicted value of each row.
        y_pred: &'a [f64],
    },
}

impl<'a> EvalInput<'a> {
    /// Classification inputs (see the variant's fields).
    pub fn classification(
        y_true: &'a [usize],
        y_pred: &'a [usize],
        proba: Option<&'a [f64]>,
        class_names: &'a [String],
    ) -> Self {
        EvalInput::Classification {
            y_true,
            y_pred,
            proba,
            class_names,
        }
    }

    /// Regression inputs.
    pub fn regression(y_true: &'a [f64], y_pred: &'a [f64]) -> Self {
        EvalInput::Regression { y_true, y_pred }
    }

    /// The task these inputs belong to.
    pub fn task(&self) -> Task {
        match self {
            EvalInput::Classification { .. } => Task::Classification,
            EvalInput::Regression { .. } => Task::Regression,
        }
    }

    /// Number of rows (length of `y_true`).
    pub fn rows(&self) -> usize {
        match self {
            EvalInput::Classification { y_true, .. } => y_true.len(),
            EvalInput::Regression { y_true, .. } => y_true.len(),
        }
    }

    /// Checks the inputs are consistent: equal lengths, labels within `class_names`,
    /// unique non-empty class list, `proba` of the right length with values in `[0, 1]`,
    /// finite regression values.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(ValidateError::InvalidInput(msg));
        match *self {
            EvalInput::Classification {
                y_true,
                y_pred,
                proba,
                class_names,
            } => {
                let k = class_names.len();
                if k == 0 {
                    return bad("class_names is empty".into());
                }
                let unique: BTreeSet<&String> = class_names.iter().collect();
                if unique.len() != k {
                    return bad("class_names contains duplicates".into());
                }
                if y_true.len() != y_pred.len() {
                    return bad(format!(
                        "y_true has {} rows but y_pred has {}",
                        y_true.len(),
                        y_pred.len()
                    ));
                }
                for (what, ys) in [("y_true", y_true), ("y_pred", y_pred)] {
                    if let Some((row, &y)) = ys.iter().enumerate().find(|(_, &y)| y >= k) {
                        return bad(format!(
                            "{what}[{row}] = {y} is not a class index (there are {k} classes)"
                        ));
                    }
                }
                if let Some(p) = proba {
                    if p.len() != y_true.len() * k {
                        return bad(format!(
                            "proba has {} values, expected rows × classes = {} × {k}",
                            p.len(),
                            y_true.len()
                        ));
                    }
                    if let Some((i, v)) = p
                        .iter()
                        .enumerate()
                        .find(|(_, v)| !(0.0..=1.0).contains(*v))
                    {
                        return bad(format!(
                            "proba value {v} at row {}, class {} is not a probability in [0, 1]",
                            i / k,
                            i % k
                        ));
                    }
                }
                Ok(())
            }
            EvalInput::Regression { y_true, y_pred } => {
                if y_true.len() != y_pred.len() {
                    return bad(format!(
                        "y_true has {} rows but y_pred has {}",
                        y_true.len(),
                        y_pred.len()
                    ));
                }
                for (what, ys) in [("y_true", y_true), ("y_pred", y_pred)] {
                    if let Some((row, v)) = ys.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                        return bad(format!("{what}[{row}] = {v} is not finite"));
                    }
                }
                Ok(())
            }
        }
    }
}

impl EvalInput<'_> {
    /// Checks a weight per row: as many as rows, each finite and not negative.
    pub(crate) fn validate_weights(&self, weights: &[f64]) -> Result<()> {
        if weights.len() != self.rows() {
            return Err(ValidateError::InvalidInput(format!(
                "{} weights for {} rows",
                weights.len(),
                self.rows()
            )));
        }
        if let Some((row, w)) = weights
            .iter()
            .enumerate()
            .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
        {
            return Err(ValidateError::InvalidInput(format!(
                "weight[{row}] = {w} is not a finite number >= 0"
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn rejects_inconsistent_inputs() {
        let c = names(2);
        let cases = [
            EvalInput::classification(&[0, 1], &[0], None, &c),
            EvalInput::classification(&[0, 2], &[0, 1], None, &c),
            EvalInput::classification(&[0, 1], &[0, 1], Some(&[0.5; 3]), &c),
            EvalInput::classification(&[0, 1], &[0, 1], Some(&[0.5, 0.5, 1.5, -0.5]), &c),
            EvalInput::classification(&[0, 1], &[0, 1], Some(&[0.5, 0.5, f64::NAN, 0.5]), &c),
            EvalInput::classification(&[], &[], None, &[]),
            EvalInput::regression(&[1.0], &[]),
            EvalInput::regression(&[1.0], &[f64::INFINITY]),
        ];
        for case in cases {
            assert!(
                matches!(case.validate(), Err(ValidateError::InvalidInput(_))),
                "{case:?}"
            );
        }
        let dup = vec!["a".to_string(), "a".to_string()];
        assert!(EvalInput::classification(&[0], &[0], None, &dup)
            .validate()
            .is_err());
        assert!(
            EvalInput::classification(&[0, 1], &[1, 1], Some(&[0.2, 0.8, 0.0, 1.0]), &c)
                .validate()
                .is_ok()
        );
    }
}
