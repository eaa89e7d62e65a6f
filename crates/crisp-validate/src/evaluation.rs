//! The evaluation report of a model on labelled rows, and metric lookup by name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::classification::{self, ClassMetrics, Computed, ConfusionMatrix};
use crate::error::{Result, ValidateError};
use crate::input::EvalInput;
use crate::metric::Metric;
use crate::task::Task;
use crate::{probability, ranking, regression};

const NO_PROBA: &str = "needs predicted probabilities, and none were given";

/// Every metric of a model on a set of rows.
///
/// Scalar metrics that could be computed are in `metrics`; the others are in
/// `unavailable` with the reason (never NaN). Classification reports also carry per-class
/// metrics and the confusion matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The task of the model.
    pub task: Task,
    /// Number of rows evaluated.
    pub rows: usize,
    /// Every computable scalar metric, by name.
    pub metrics: BTreeMap<String, f64>,
    /// Metric name → why it could not be computed.
    pub unavailable: BTreeMap<String, String>,
    /// Classification only (and not on empty input): metrics of each class, by class name.
    pub per_class: Option<BTreeMap<String, ClassMetrics>>,
    /// Classification only: rows = true class, columns = predicted class.
    pub confusion_matrix: Option<ConfusionMatrix>,
}

impl Evaluation {
    /// Evaluates a classifier. `y_true`/`y_pred` are indices into `class_names`; `proba`
    /// (optional) is row-major `n_rows × n_classes`. Without `proba`, `roc_auc`, `pr_auc`,
    /// `log_loss` and `brier` are unavailable.
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] if the inputs are inconsistent (see
    /// [`EvalInput::validate`]).
    pub fn classification(
        y_true: &[usize],
        y_pred: &[usize],
        proba: Option<&[f64]>,
        class_names: &[String],
    ) -> Result<Evaluation> {
        Self::from_input(&EvalInput::classification(
            y_true,
            y_pred,
            proba,
            class_names,
        ))
    }

    /// Evaluates a regressor.
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] on a length mismatch or a non-finite value.
    pub fn regression(y_true: &[f64], y_pred: &[f64]) -> Result<Evaluation> {
        Self::from_input(&EvalInput::regression(y_true, y_pred))
    }

    /// Evaluates either kind of input.
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] if `input` does not validate.
    pub fn from_input(input: &EvalInput<'_>) -> Result<Evaluation> {
        Self::evaluate(input, None)
    }

    /// Evaluates either kind of input with a weight per row, as scikit-learn's `sample_weight`
    /// (see the docs of [`classification`], [`ranking`], [`probability`] and [`regression`]):
    /// every metric is weighted; the confusion matrix and the per-class support still count
    /// rows. A row of weight 2 counts as two rows of weight 1. When the weights sum to 0 every
    /// metric is unavailable.
    ///
    /// ```
    /// use crisp_validate::{EvalInput, Evaluation};
    ///
    /// let classes = vec!["no".to_string(), "yes".to_string()];
    /// let input = EvalInput::classification(&[0, 0, 1, 1], &[0, 1, 1, 0], None, &classes);
    /// // The rows predicted right weigh 3 and 1, the wrong ones 1 and 1.
    /// let eval = Evaluation::from_input_weighted(&input, &[3.0, 1.0, 1.0, 1.0])?;
    /// assert_eq!(eval.get("accuracy")?, 4.0 / 6.0);
    /// assert_eq!(eval.get("recall[no]")?, 3.0 / 4.0);
    /// assert_eq!(eval.per_class.unwrap()["no"].support, 2);
    /// # Ok::<(), crisp_validate::ValidateError>(())
    /// ```
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] if `input` does not validate, or a weight is negative,
    /// not finite, or there are not as many weights as rows.
    pub fn from_input_weighted(input: &EvalInput<'_>, weights: &[f64]) -> Result<Evaluation> {
        input.validate_weights(weights)?;
        Self::evaluate(input, Some(weights))
    }

    fn evaluate(input: &EvalInput<'_>, weights: Option<&[f64]>) -> Result<Evaluation> {
        input.validate()?;
        let mut eval = Evaluation {
            task: input.task(),
            rows: input.rows(),
            metrics: BTreeMap::new(),
            unavailable: BTreeMap::new(),
            per_class: None,
            confusion_matrix: None,
        };
        let computed: Vec<(&str, Computed)> = match *input {
            EvalInput::Regression { y_true, y_pred } => match weights {
                None => regression::regression_metrics(y_true, y_pred),
                Some(w) => regression::regression_metrics_weighted(y_true, y_pred, w),
            },
            EvalInput::Classification {
                y_true,
                y_pred,
                proba,
                class_names,
            } => {
                let k = class_names.len();
                let cm = ConfusionMatrix::from_labels(y_true, y_pred, class_names);
                let weighted =
                    weights.map(|w| classification::weighted_counts(y_true, y_pred, w, k));
                let mut out = match &weighted {
                    None => classification::confusion_metrics(&cm.counts),
                    Some(wc) => classification::confusion_metrics_weighted(&cm.counts, wc),
                };
                if !y_true.is_empty() {
                    let pc = match &weighted {
                        None => classification::per_class(&cm.counts),
                        Some(wc) => classification::per_class_weighted(&cm.counts, wc),
                    };
                    eval.per_class = Some(class_names.iter().cloned().zip(pc).collect());
                }
                eval.confusion_matrix = Some(cm);
                out.extend(match weights {
                    None => probability_metrics(y_true, proba, k),
                    Some(w) => weighted_probability_metrics(y_true, proba, k, w),
                });
                out
            }
        };
        for (name, value) in computed {
            match value {
                Ok(v) => {
                    eval.metrics.insert(name.to_string(), v);
                }
                Err(reason) => {
                    eval.unavailable.insert(name.to_string(), reason);
                }
            }
        }
        Ok(eval)
    }

    /// The value of a metric: a scalar name (`"accuracy"`, `"rmse"`) or a per-class name
    /// (`"f1[>50K]"`).
    ///
    /// # Errors
    /// [`ValidateError::UnknownMetric`] (listing the valid names) for a name that is not a
    /// metric of this task or not a class of this model; [`ValidateError::Unavailable`]
    /// with the reason for a metric that could not be computed.
    pub fn get(&self, name: &str) -> Result<f64> {
        if let Some(&v) = self.metrics.get(name) {
            return Ok(v);
        }
        if let Some(reason) = self.unavailable.get(name) {
            return Err(unavailable(name, reason));
        }
        let labels = self
            .confusion_matrix
            .as_ref()
            .map(|cm| cm.labels.as_slice());
        match (Metric::per_class(name), labels) {
            (Some((kind, class)), Some(labels)) if labels.iter().any(|l| l == class) => {
                match self.per_class.as_ref().and_then(|pc| pc.get(class)) {
                    Some(cm) => Ok(cm.kind(kind).expect("per-class kind")),
                    None => Err(unavailable(name, "there are no rows")),
                }
            }
            _ => Err(ValidateError::UnknownMetric {
                name: name.to_string(),
                valid: valid_names(self.task, labels.unwrap_or_default()),
            }),
        }
    }

    /// Every name [`Evaluation::get`] accepts: the task's scalar metrics, then the
    /// per-class names of every class.
    pub fn metric_names(&self) -> Vec<String> {
        let labels = self
            .confusion_matrix
            .as_ref()
            .map(|cm| cm.labels.as_slice());
        valid_names(self.task, labels.unwrap_or_default())
    }
}

impl EvalInput<'_> {
    /// Computes the single metric `name` (scalar or per-class), without the others: what
    /// [`bootstrap_bound`](crate::bootstrap_bound) does on each resample.
    ///
    /// # Errors
    /// As [`Evaluation::get`], plus [`ValidateError::InvalidInput`] for invalid inputs.
    pub fn metric(&self, name: &str) -> Result<f64> {
        self.validate()?;
        let resolved = resolve(self, name)?;
        compute(self, &resolved).map_err(|reason| unavailable(name, &reason))
    }
}

fn unavailable(metric: &str, reason: &str) -> ValidateError {
    ValidateError::Unavailable {
        metric: metric.to_string(),
        reason: reason.to_string(),
    }
}

fn valid_names(task: Task, labels: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Metric::names(task).iter().map(|s| s.to_string()).collect();
    for kind in Metric::per_class_kinds() {
        out.extend(labels.iter().map(|l| format!("{kind}[{l}]")));
    }
    out
}

fn probability_metrics(
    y_true: &[usize],
    proba: Option<&[f64]>,
    k: usize,
) -> Vec<(&'static str, Computed)> {
    let no = || Err(NO_PROBA.to_string());
    match proba {
        None => vec![
            ("roc_auc", no()),
            ("pr_auc", no()),
            ("log_loss", no()),
            ("brier", no()),
        ],
        Some(p) => vec![
            ("roc_auc", ranking::roc_auc(y_true, p, k)),
            ("pr_auc", ranking::pr_auc(y_true, p, k)),
            ("log_loss", probability::log_loss(y_true, p, k)),
            ("brier", probability::brier(y_true, p, k)),
        ],
    }
}

fn weighted_probability_metrics(
    y_true: &[usize],
    proba: Option<&[f64]>,
    k: usize,
    weights: &[f64],
) -> Vec<(&'static str, Computed)> {
    match proba {
        None => probability_metrics(y_true, None, k),
        Some(p) => vec![
            ("roc_auc", ranking::roc_auc_weighted(y_true, p, k, weights)),
            ("pr_auc", ranking::pr_auc_weighted(y_true, p, k, weights)),
            (
                "log_loss",
                probability::log_loss_weighted(y_true, p, k, weights),
            ),
            ("brier", probability::brier_weighted(y_true, p, k, weights)),
        ],
    }
}

/// A metric name checked against a task and its classes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    /// A scalar metric of the input's task.
    Scalar(&'static str),
    /// `kind[class]`, with the class index.
    PerClass(&'static str, usize),
}

/// Checks `name` is a metric of `input`'s task (and, per class, one of its classes).
pub(crate) fn resolve(input: &EvalInput<'_>, name: &str) -> Result<Resolved> {
    let task = input.task();
    let labels: &[String] = match input {
        EvalInput::Classification { class_names, .. } => class_names,
        EvalInput::Regression { .. } => &[],
    };
    if let Some(&s) = Metric::names(task).iter().find(|&&s| s == name) {
        return Ok(Resolved::Scalar(s));
    }
    if let Some((kind, class)) = Metric::per_class(name) {
        if let Some(i) = labels.iter().position(|l| l == class) {
            let kind = Metric::per_class_kinds()
                .iter()
                .find(|&&k| k == kind)
                .expect("per-class kind");
            return Ok(Resolved::PerClass(kind, i));
        }
    }
    if let Some(other) = Metric::task_of(name).filter(|&t| t != task) {
        return Err(ValidateError::WrongTask {
            metric: name.to_string(),
            metric_task: other,
            task,
            valid: valid_names(task, labels),
        });
    }
    Err(ValidateError::UnknownMetric {
        name: name.to_string(),
        valid: valid_names(task, labels),
    })
}

/// Computes one resolved metric on valid inputs: only the group it belongs to.
pub(crate) fn compute(input: &EvalInput<'_>, metric: &Resolved) -> Computed {
    let pick = |group: Vec<(&str, Computed)>, name: &str| -> Computed {
        group
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .expect("metric in its group")
    };
    match (*input, metric) {
        (EvalInput::Regression { y_true, y_pred }, &Resolved::Scalar(name)) => {
            pick(regression::regression_metrics(y_true, y_pred), name)
        }
        (EvalInput::Regression { .. }, Resolved::PerClass(..)) => {
            Err("per-class metrics apply to classification only".into())
        }
        (
            EvalInput::Classification {
                y_true,
                y_pred,
                proba,
                class_names,
            },
            metric,
        ) => {
            let k = class_names.len();
            let counts = || ConfusionMatrix::from_labels(y_true, y_pred, class_names).counts;
            match *metric {
                Resolved::PerClass(kind, i) => {
                    if y_true.is_empty() {
                        return Err("there are no rows".into());
                    }
                    Ok(classification::per_class(&counts())[i]
                        .kind(kind)
                        .expect("per-class kind"))
                }
                Resolved::Scalar(name) if classification::CONFUSION_METRICS.contains(&name) => {
                    pick(classification::confusion_metrics(&counts()), name)
                }
                Resolved::Scalar(name) => {
                    let Some(p) = proba else {
                        return Err(NO_PROBA.into());
                    };
                    match name {
                        "roc_auc" => ranking::roc_auc(y_true, p, k),
                        "pr_auc" => ranking::pr_auc(y_true, p, k),
                        "log_loss" => probability::log_loss(y_true, p, k),
                        "brier" => probability::brier(y_true, p, k),
                        _ => unreachable!("unhandled classification metric {name}"),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn get_resolves_scalars_per_class_and_errors() {
        let c = names(&["<=50K", ">50K"]);
        let e = Evaluation::classification(&[0, 0, 1, 1], &[0, 1, 1, 1], None, &c).unwrap();
        assert_eq!(e.get("accuracy").unwrap(), 0.75);
        assert_eq!(e.get("recall[>50K]").unwrap(), 1.0);
        assert_eq!(e.get("precision[>50K]").unwrap(), 2.0 / 3.0);
        assert!(matches!(
            e.get("roc_auc"),
            Err(ValidateError::Unavailable { .. })
        ));
        let err = e.get("f1[nope]").unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, ValidateError::UnknownMetric { .. }));
        assert!(
            msg.contains("f1[>50K]") && msg.contains("accuracy"),
            "{msg}"
        );
        assert!(matches!(
            e.get("rmse"),
            Err(ValidateError::UnknownMetric { .. })
        ));
        assert_eq!(e.metric_names().len(), 17 + 6);
    }

    #[test]
    fn single_metric_matches_full_evaluation() {
        let c = names(&["a", "b", "c"]);
        let yt = [0, 1, 2, 2, 1, 0, 0];
        let yp = [0, 2, 2, 1, 1, 0, 1];
        let p: Vec<f64> = (0..21).map(|i| ((i * 7) % 10) as f64 / 10.0).collect();
        let input = EvalInput::classification(&yt, &yp, Some(&p), &c);
        let e = Evaluation::from_input(&input).unwrap();
        for name in e.metric_names() {
            assert_eq!(
                input.metric(&name).unwrap(),
                e.get(&name).unwrap(),
                "{name}"
            );
        }
        assert!(matches!(
            input.metric("r2"),
            Err(ValidateError::WrongTask { .. })
        ));
    }

    #[test]
    fn empty_input_is_unavailable_not_nan() {
        let c = names(&["a", "b"]);
        let e = Evaluation::classification(&[], &[], Some(&[]), &c).unwrap();
        assert!(e.metrics.is_empty());
        assert_eq!(e.unavailable.len(), 17);
        assert!(matches!(
            e.get("f1[a]"),
            Err(ValidateError::Unavailable { .. })
        ));
        let r = Evaluation::regression(&[], &[]).unwrap();
        assert!(r.metrics.is_empty() && r.unavailable.len() == 7);
        assert!(r.per_class.is_none() && r.confusion_matrix.is_none());
    }

    #[test]
    fn unit_weights_give_the_unweighted_evaluation_and_bad_weights_are_refused() {
        let c = names(&["a", "b", "c"]);
        let yt = [0, 1, 2, 2, 1, 0, 0];
        let yp = [0, 2, 2, 1, 1, 0, 1];
        let p: Vec<f64> = (0..21).map(|i| ((i * 7) % 10) as f64 / 10.0).collect();
        let input = EvalInput::classification(&yt, &yp, Some(&p), &c);
        let plain = Evaluation::from_input(&input).unwrap();
        let unit = Evaluation::from_input_weighted(&input, &[1.0; 7]).unwrap();
        assert_eq!(
            plain.metrics.keys().collect::<Vec<_>>(),
            unit.metrics.keys().collect::<Vec<_>>()
        );
        for (name, v) in &plain.metrics {
            assert!((v - unit.metrics[name]).abs() < 1e-12, "{name}");
        }
        assert_eq!(plain.confusion_matrix, unit.confusion_matrix);
        for w in [
            vec![1.0; 6],
            vec![1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0],
            vec![f64::NAN; 7],
        ] {
            assert!(matches!(
                Evaluation::from_input_weighted(&input, &w),
                Err(ValidateError::InvalidInput(_))
            ));
        }
        let zero = Evaluation::from_input_weighted(&input, &[0.0; 7]).unwrap();
        assert!(zero.metrics.is_empty());
        assert!(zero.unavailable["accuracy"].contains("sum to 0"));
    }

    #[test]
    fn serde_round_trip() {
        let c = names(&["a", "b"]);
        let e = Evaluation::classification(
            &[0, 1, 1],
            &[0, 1, 0],
            Some(&[0.9, 0.1, 0.2, 0.8, 0.6, 0.4]),
            &c,
        )
        .unwrap();
        let json = serde_json::to_string(&e).unwrap();
        let back: Evaluation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
    }
}
