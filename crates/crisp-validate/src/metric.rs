//! The registry of metric names: which exist, for which task, and which direction is better.

use crate::task::Task;

/// Scalar classification metric names, in report order.
const CLASSIFICATION: &[&str] = &[
    "accuracy",
    "balanced_accuracy",
    "precision_macro",
    "precision_micro",
    "precision_weighted",
    "recall_macro",
    "recall_micro",
    "recall_weighted",
    "f1_macro",
    "f1_micro",
    "f1_weighted",
    "roc_auc",
    "pr_auc",
    "log_loss",
    "brier",
    "mcc",
    "cohen_kappa",
];

/// Regression metric names, in report order.
const REGRESSION: &[&str] = &[
    "mae",
    "mse",
    "rmse",
    "r2",
    "mape",
    "median_ae",
    "explained_variance",
];

/// Per-class metric kinds, addressed as `kind[<class name>]`.
const PER_CLASS: &[&str] = &["precision", "recall", "f1"];

/// Metrics for which a smaller value is better.
const LOWER_IS_BETTER: &[&str] = &[
    "log_loss",
    "brier",
    "mae",
    "mse",
    "rmse",
    "mape",
    "median_ae",
];

/// The metric registry (a namespace of associated functions).
///
/// Scalar names are listed by [`Metric::names`]; classification models also have the
/// per-class metrics `precision[<class>]`, `recall[<class>]` and `f1[<class>]`, where
/// `<class>` is a class name taken verbatim (it may contain spaces, `<`, `>`, `=`).
///
/// ```
/// use crisp_validate::{Metric, Task};
/// assert!(Metric::is_valid("f1[>50K]", Task::Classification));
/// assert!(!Metric::is_valid("rmse", Task::Classification));
/// assert!(!Metric::higher_is_better("rmse"));
/// assert_eq!(Metric::per_class("recall[ <=50K]"), Some(("recall", " <=50K")));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Metric;

impl Metric {
    /// The scalar metric names of `task`, in report order.
    pub fn names(task: Task) -> &'static [&'static str] {
        match task {
            Task::Classification => CLASSIFICATION,
            Task::Regression => REGRESSION,
        }
    }

    /// The per-class metric kinds: `precision`, `recall`, `f1`.
    pub fn per_class_kinds() -> &'static [&'static str] {
        PER_CLASS
    }

    /// `false` for the losses and errors (`log_loss`, `brier`, `mae`, `mse`, `rmse`, `mape`,
    /// `median_ae`), `true` for every other name (scores, including per-class ones).
    pub fn higher_is_better(name: &str) -> bool {
        !LOWER_IS_BETTER.contains(&name)
    }

    /// Splits a per-class name `kind[class]` into `(kind, class)`; `None` if `name` is not
    /// of that form or `kind` is not `precision`, `recall` or `f1`.
    pub fn per_class(name: &str) -> Option<(&str, &str)> {
        let open = name.find('[')?;
        let inner = name[open + 1..].strip_suffix(']')?;
        let kind = &name[..open];
        (PER_CLASS.contains(&kind) && !inner.is_empty()).then_some((kind, inner))
    }

    /// The task a metric name belongs to, or `None` if the name is unknown.
    /// Per-class names belong to classification whatever the class name.
    pub fn task_of(name: &str) -> Option<Task> {
        if CLASSIFICATION.contains(&name) || Self::per_class(name).is_some() {
            Some(Task::Classification)
        } else if REGRESSION.contains(&name) {
            Some(Task::Regression)
        } else {
            None
        }
    }

    /// Whether `name` is a metric of `task` (any class name is accepted in `kind[class]`).
    pub fn is_valid(name: &str, task: Task) -> bool {
        Self::task_of(name) == Some(task)
    }

    /// Every name accepted for `task`, for error messages: the scalar names followed (for
    /// classification) by the per-class patterns `precision[<class>]`, ...
    pub fn valid_names(task: Task) -> Vec<String> {
        let mut out: Vec<String> = Self::names(task).iter().map(|s| s.to_string()).collect();
        if task == Task::Classification {
            out.extend(PER_CLASS.iter().map(|k| format!("{k}[<class>]")));
        }
        out
    }

    /// Every name accepted for either task, for error messages.
    pub fn all_valid_names() -> Vec<String> {
        let mut out = Self::valid_names(Task::Classification);
        out.extend(Self::valid_names(Task::Regression));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions() {
        for n in [
            "log_loss",
            "brier",
            "mae",
            "mse",
            "rmse",
            "mape",
            "median_ae",
        ] {
            assert!(!Metric::higher_is_better(n), "{n}");
        }
        for n in ["accuracy", "roc_auc", "r2", "explained_variance", "f1[a]"] {
            assert!(Metric::higher_is_better(n), "{n}");
        }
    }

    #[test]
    fn tasks() {
        assert_eq!(Metric::task_of("r2"), Some(Task::Regression));
        assert_eq!(Metric::task_of("mcc"), Some(Task::Classification));
        assert_eq!(Metric::task_of("f1[x y]"), Some(Task::Classification));
        assert_eq!(Metric::task_of("f1[]"), None);
        assert_eq!(Metric::task_of("support[x]"), None);
        assert_eq!(Metric::task_of("nope"), None);
        assert!(Metric::valid_names(Task::Classification).contains(&"f1[<class>]".to_string()));
        assert_eq!(Metric::all_valid_names().len(), 17 + 3 + 7);
    }
}
