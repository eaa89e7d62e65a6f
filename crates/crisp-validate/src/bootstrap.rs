//! The statistical gate: a one-sided bootstrap confidence bound of a metric.

use crisp_core::{quantile_sorted, SeededRng};

use crate::error::{Result, ValidateError};
use crate::evaluation::{compute, resolve};
use crate::input::EvalInput;
use crate::metric::Metric;

/// One-sided bootstrap bound of `metric` on `data`.
///
/// Draws `n_resamples` samples of the rows with replacement (each as many rows as `data`,
/// from crisp's [`SeededRng`] for `seed`, so the result is reproducible on every platform), computes the metric
/// on each and returns the pessimistic percentile: the `(1 − confidence)` quantile for a
/// higher-is-better metric (e.g. the 5th percentile at `confidence = 0.95`), the
/// `confidence` quantile for a lower-is-better one (the 95th). Quantiles interpolate
/// linearly between order statistics (NumPy's default).
///
/// Resamples on which the metric is undefined (e.g. ROC AUC on a resample holding one
/// class) are skipped; at least half of them, and at least two, must remain.
///
/// ```
/// use crisp_validate::{bootstrap_bound, EvalInput};
/// let classes = vec!["no".to_string(), "yes".to_string()];
/// let y_true: Vec<usize> = (0..50).map(|i| i % 2).collect();
/// let y_pred: Vec<usize> = (0..50).map(|i| if i < 7 { 1 - i % 2 } else { i % 2 }).collect();
/// let data = EvalInput::classification(&y_true, &y_pred, None, &classes);
/// let low = bootstrap_bound("accuracy", &data, 0.95, 500, 7).unwrap();
/// assert!(low < 0.86 && low > 0.7);
/// assert_eq!(low, bootstrap_bound("accuracy", &data, 0.95, 500, 7).unwrap());
/// ```
///
/// # Errors
/// [`ValidateError::InvalidInput`] for invalid data, [`ValidateError::UnknownMetric`] /
/// [`ValidateError::WrongTask`] for a bad name, [`ValidateError::Unavailable`] when the
/// metric is undefined on the full data, and [`ValidateError::Bootstrap`] for a
/// `confidence` outside (0, 1), zero resamples, or too few defined resamples.
pub fn bootstrap_bound(
    metric: &str,
    data: &EvalInput<'_>,
    confidence: f64,
    n_resamples: usize,
    seed: u64,
) -> Result<f64> {
    let fail = |reason: String| ValidateError::Bootstrap {
        metric: metric.to_string(),
        reason,
    };
    data.validate()?;
    let resolved = resolve(data, metric)?;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(fail(format!(
            "confidence must be strictly between 0 and 1, got {confidence}"
        )));
    }
    if n_resamples == 0 {
        return Err(fail("n_resamples must be at least 1".into()));
    }
    compute(data, &resolved).map_err(|reason| ValidateError::Unavailable {
        metric: metric.to_string(),
        reason,
    })?;

    let n = data.rows();
    let mut rng = SeededRng::new(seed);
    let mut values = Vec::with_capacity(n_resamples);
    let mut first_reason: Option<String> = None;
    let mut idx = vec![0usize; n];
    let mut resampler = Resampler::default();
    for _ in 0..n_resamples {
        for i in idx.iter_mut() {
            *i = rng.index(n);
        }
        match compute(&resampler.resample(data, &idx), &resolved) {
            Ok(v) => values.push(v),
            Err(reason) => {
                first_reason.get_or_insert(reason);
            }
        }
    }
    let needed = n_resamples.div_ceil(2).max(2);
    if values.len() < needed {
        return Err(fail(format!(
            "the metric was defined on only {} of {n_resamples} resamples (need {needed}); \
             first reason: {}",
            values.len(),
            first_reason.unwrap_or_default()
        )));
    }
    values.sort_by(f64::total_cmp);
    let q = if Metric::higher_is_better(metric) {
        1.0 - confidence
    } else {
        confidence
    };
    Ok(quantile_sorted(&values, q))
}

/// Reusable buffers holding one resample.
#[derive(Default)]
struct Resampler {
    labels_true: Vec<usize>,
    labels_pred: Vec<usize>,
    proba: Vec<f64>,
    values_true: Vec<f64>,
    values_pred: Vec<f64>,
}

impl Resampler {
    fn resample<'a>(&'a mut self, data: &EvalInput<'a>, idx: &[usize]) -> EvalInput<'a> {
        match *data {
            EvalInput::Classification {
                y_true,
                y_pred,
                proba,
                class_names,
            } => {
                let k = class_names.len();
                self.labels_true.clear();
                self.labels_true.extend(idx.iter().map(|&i| y_true[i]));
                self.labels_pred.clear();
                self.labels_pred.extend(idx.iter().map(|&i| y_pred[i]));
                self.proba.clear();
                if let Some(p) = proba {
                    for &i in idx {
                        self.proba.extend_from_slice(&p[i * k..(i + 1) * k]);
                    }
                }
                EvalInput::Classification {
                    y_true: &self.labels_true,
                    y_pred: &self.labels_pred,
                    proba: proba.map(|_| self.proba.as_slice()),
                    class_names,
                }
            }
            EvalInput::Regression { y_true, y_pred } => {
                self.values_true.clear();
                self.values_true.extend(idx.iter().map(|&i| y_true[i]));
                self.values_pred.clear();
                self.values_pred.extend(idx.iter().map(|&i| y_pred[i]));
                EvalInput::Regression {
                    y_true: &self.values_true,
                    y_pred: &self.values_pred,
                }
            }
        }
    }
}
