//! Metrics computed from the confusion matrix: accuracy, precision/recall/F1 (per class
//! and averaged), balanced accuracy, MCC and Cohen's kappa.
//!
//! Conventions follow scikit-learn:
//! - a ratio whose denominator is zero (precision of a never-predicted class, recall of a
//!   class absent from `y_true`) is 0.0 (`zero_division=0`);
//! - macro averages are taken over the classes present in `y_true` or `y_pred`
//!   (scikit-learn's default `labels=None`); weighted averages weight by support;
//! - balanced accuracy is the mean recall over the classes present in `y_true`;
//! - MCC is 0.0 when the predictions are constant (as scikit-learn), but unavailable when
//!   `y_true` holds a single class;
//! - Cohen's kappa is unavailable when undefined (scikit-learn returns NaN).
//!
//! With a weight per row ([`Evaluation::from_input_weighted`](crate::Evaluation::from_input_weighted))
//! every count becomes a sum of weights, as scikit-learn's `sample_weight`: accuracy, the
//! per-class and averaged precision, recall and F1 (the weighted average weighs classes by
//! their weight), balanced accuracy, MCC and kappa. Which classes enter a macro average still
//! depends on the rows (scikit-learn's labels), and the confusion matrix and per-class
//! support still count rows.

use serde::{Deserialize, Serialize};

/// A metric value, or the reason it is undefined.
pub(crate) type Computed = std::result::Result<f64, String>;

/// Confusion matrix: `counts[true][predicted]`, rows and columns in `labels` order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Class names, the order of rows and columns.
    pub labels: Vec<String>,
    /// `counts[i][j]`: number of rows of true class `i` predicted as class `j`.
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// Counts the pairs `(y_true[r], y_pred[r])`. Labels must be indices into
    /// `class_names` (checked by [`EvalInput::validate`](crate::EvalInput::validate)).
    ///
    /// # Panics
    /// If a label is not smaller than `class_names.len()`.
    pub fn from_labels(y_true: &[usize], y_pred: &[usize], class_names: &[String]) -> Self {
        let k = class_names.len();
        let mut counts = vec![vec![0u64; k]; k];
        for (&t, &p) in y_true.iter().zip(y_pred) {
            counts[t][p] += 1;
        }
        ConfusionMatrix {
            labels: class_names.to_vec(),
            counts,
        }
    }

    /// Total number of rows counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }
}

/// Precision, recall, F1 and support of one class (one-vs-rest).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// `tp / (tp + fp)`, 0.0 when the class is never predicted.
    pub precision: f64,
    /// `tp / (tp + fn)`, 0.0 when the class is absent from `y_true`.
    pub recall: f64,
    /// `2·tp / (2·tp + fp + fn)`, 0.0 when that denominator is zero.
    pub f1: f64,
    /// Number of rows whose true class is this class.
    pub support: u64,
}

impl ClassMetrics {
    /// The value of a per-class kind: `precision`, `recall` or `f1`.
    pub(crate) fn kind(&self, kind: &str) -> Option<f64> {
        match kind {
            "precision" => Some(self.precision),
            "recall" => Some(self.recall),
            "f1" => Some(self.f1),
            _ => None,
        }
    }
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    ratio(sum, n as f64)
}

struct Sums {
    tp: Vec<f64>,
    true_sum: Vec<f64>,
    pred_sum: Vec<f64>,
    n: f64,
}

/// `counts` as numbers (exact: counts stay far below 2^53).
fn to_f64(counts: &[Vec<u64>]) -> Vec<Vec<f64>> {
    counts
        .iter()
        .map(|r| r.iter().map(|&c| c as f64).collect())
        .collect()
}

/// Sums of a confusion matrix of counts or of weights.
fn sums(counts: &[Vec<f64>]) -> Sums {
    let k = counts.len();
    let tp = (0..k).map(|i| counts[i][i]).collect();
    let true_sum = counts.iter().map(|r| r.iter().sum::<f64>()).collect();
    let pred_sum = (0..k)
        .map(|j| counts.iter().map(|r| r[j]).sum::<f64>())
        .collect();
    let n = counts.iter().flatten().sum::<f64>();
    Sums {
        tp,
        true_sum,
        pred_sum,
        n,
    }
}

/// The confusion matrix of rows weighted by `weights`: `[true][predicted]` holds the sum of
/// the weights of those rows (scikit-learn's `confusion_matrix(..., sample_weight=...)`).
pub(crate) fn weighted_counts(
    y_true: &[usize],
    y_pred: &[usize],
    weights: &[f64],
    k: usize,
) -> Vec<Vec<f64>> {
    let mut counts = vec![vec![0.0; k]; k];
    for ((&t, &p), &w) in y_true.iter().zip(y_pred).zip(weights) {
        counts[t][p] += w;
    }
    counts
}

fn per_class_of(s: &Sums, support: &[u64]) -> Vec<ClassMetrics> {
    (0..s.tp.len())
        .map(|i| ClassMetrics {
            precision: ratio(s.tp[i], s.pred_sum[i]),
            recall: ratio(s.tp[i], s.true_sum[i]),
            f1: ratio(2.0 * s.tp[i], s.true_sum[i] + s.pred_sum[i]),
            support: support[i],
        })
        .collect()
}

/// The rows of each true class.
fn support(counts: &[Vec<u64>]) -> Vec<u64> {
    counts.iter().map(|r| r.iter().sum()).collect()
}

/// Per-class precision/recall/F1/support, in class order.
pub(crate) fn per_class(counts: &[Vec<u64>]) -> Vec<ClassMetrics> {
    per_class_of(&sums(&to_f64(counts)), &support(counts))
}

/// Per-class precision/recall/F1 of rows weighted as `weighted` (see [`weighted_counts`])
/// says, as scikit-learn's `precision_recall_fscore_support` with `sample_weight`; the
/// support stays the rows of each class (`counts`).
pub(crate) fn per_class_weighted(counts: &[Vec<u64>], weighted: &[Vec<f64>]) -> Vec<ClassMetrics> {
    per_class_of(&sums(weighted), &support(counts))
}

/// Names of the metrics computed by [`confusion_metrics`], in its output order.
pub(crate) const CONFUSION_METRICS: &[&str] = &[
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
    "mcc",
    "cohen_kappa",
];

/// All confusion-matrix metrics, named as in [`CONFUSION_METRICS`].
pub(crate) fn confusion_metrics(counts: &[Vec<u64>]) -> Vec<(&'static str, Computed)> {
    metrics_of(counts, &to_f64(counts))
}

/// All confusion-matrix metrics of rows weighted as `weighted` (see [`weighted_counts`]) says,
/// as scikit-learn's with `sample_weight`; `counts` (rows) decides which classes are present
/// (scikit-learn's labels come from the rows, whatever their weights).
pub(crate) fn confusion_metrics_weighted(
    counts: &[Vec<u64>],
    weighted: &[Vec<f64>],
) -> Vec<(&'static str, Computed)> {
    metrics_of(counts, weighted)
}

fn metrics_of(counts: &[Vec<u64>], weighted: &[Vec<f64>]) -> Vec<(&'static str, Computed)> {
    let rows = sums(&to_f64(counts));
    let s = sums(weighted);
    let reason = if rows.n == 0.0 {
        Some("there are no rows")
    } else if s.n <= 0.0 {
        Some("the weights of the rows sum to 0")
    } else {
        None
    };
    if let Some(reason) = reason {
        return CONFUSION_METRICS
            .iter()
            .map(|&m| (m, Err(reason.to_string())))
            .collect();
    }
    let k = counts.len();
    let pc = per_class_of(&s, &support(counts));
    let present: Vec<usize> = (0..k)
        .filter(|&i| rows.true_sum[i] + rows.pred_sum[i] > 0.0)
        .collect();
    let macro_avg = |f: fn(&ClassMetrics) -> f64| mean(present.iter().map(|&i| f(&pc[i])));
    let weighted_avg = |f: fn(&ClassMetrics) -> f64| {
        ratio(
            present.iter().map(|&i| f(&pc[i]) * s.true_sum[i]).sum(),
            s.n,
        )
    };
    let tp: f64 = present.iter().map(|&i| s.tp[i]).sum();
    let true_all: f64 = present.iter().map(|&i| s.true_sum[i]).sum();
    let pred_all: f64 = present.iter().map(|&i| s.pred_sum[i]).sum();
    let classes_in_true = (0..k).filter(|&i| s.true_sum[i] > 0.0).count();

    vec![
        ("accuracy", Ok(tp / s.n)),
        (
            "balanced_accuracy",
            Ok(mean(
                (0..k)
                    .filter(|&i| s.true_sum[i] > 0.0)
                    .map(|i| pc[i].recall),
            )),
        ),
        ("precision_macro", Ok(macro_avg(|c| c.precision))),
        ("precision_micro", Ok(ratio(tp, pred_all))),
        ("precision_weighted", Ok(weighted_avg(|c| c.precision))),
        ("recall_macro", Ok(macro_avg(|c| c.recall))),
        ("recall_micro", Ok(ratio(tp, true_all))),
        ("recall_weighted", Ok(weighted_avg(|c| c.recall))),
        ("f1_macro", Ok(macro_avg(|c| c.f1))),
        ("f1_micro", Ok(ratio(2.0 * tp, true_all + pred_all))),
        ("f1_weighted", Ok(weighted_avg(|c| c.f1))),
        ("mcc", mcc(&s, classes_in_true)),
        ("cohen_kappa", cohen_kappa(&s, weighted)),
    ]
}

/// Multiclass Matthews correlation coefficient, as scikit-learn's `matthews_corrcoef`.
fn mcc(s: &Sums, classes_in_true: usize) -> Computed {
    if classes_in_true < 2 {
        return Err("y_true contains a single class, so MCC is undefined".into());
    }
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let n_correct: f64 = s.tp.iter().sum();
    let cov_ytyp = n_correct * s.n - dot(&s.true_sum, &s.pred_sum);
    let cov_ypyp = s.n * s.n - dot(&s.pred_sum, &s.pred_sum);
    let cov_ytyt = s.n * s.n - dot(&s.true_sum, &s.true_sum);
    let prod = cov_ypyp * cov_ytyt;
    // Constant predictions: scikit-learn's convention is 0.0.
    Ok(if prod == 0.0 {
        0.0
    } else {
        cov_ytyp / prod.sqrt()
    })
}

/// Unweighted Cohen's kappa between `y_true` and `y_pred`, as scikit-learn.
fn cohen_kappa(s: &Sums, counts: &[Vec<f64>]) -> Computed {
    let (mut observed, mut expected) = (0.0, 0.0);
    for (i, row) in counts.iter().enumerate() {
        for (j, &count) in row.iter().enumerate() {
            if i != j {
                observed += count;
                // scikit-learn: outer(pred_sum, true_sum) / n
                expected += s.pred_sum[i] * s.true_sum[j] / s.n;
            }
        }
    }
    if expected == 0.0 {
        return Err(
            "y_true and y_pred hold the same single class, so Cohen's kappa is undefined".into(),
        );
    }
    Ok(1.0 - observed / expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(m: &[(&str, Computed)], name: &str) -> Computed {
        m.iter().find(|(n, _)| *n == name).unwrap().1.clone()
    }

    #[test]
    fn zero_division_and_degenerate_cases() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        // class c never appears: excluded from macro averages.
        let cm = ConfusionMatrix::from_labels(&[0, 0, 1, 1], &[0, 0, 0, 0], &names);
        let m = confusion_metrics(&cm.counts);
        assert_eq!(get(&m, "accuracy"), Ok(0.5));
        assert_eq!(get(&m, "precision_macro"), Ok(0.25)); // (0.5 + 0) / 2
        assert_eq!(get(&m, "recall_macro"), Ok(0.5));
        assert_eq!(get(&m, "mcc"), Ok(0.0)); // constant predictions
        assert_eq!(get(&m, "cohen_kappa"), Ok(0.0));
        let pc = per_class(&cm.counts);
        assert_eq!(pc[1].precision, 0.0);
        assert_eq!(pc[2].support, 0);

        let cm = ConfusionMatrix::from_labels(&[1, 1], &[1, 1], &names);
        let m = confusion_metrics(&cm.counts);
        assert!(get(&m, "mcc").is_err());
        assert!(get(&m, "cohen_kappa").is_err());
        assert_eq!(get(&m, "balanced_accuracy"), Ok(1.0));

        let cm = ConfusionMatrix::from_labels(&[], &[], &names);
        assert!(confusion_metrics(&cm.counts)
            .iter()
            .all(|(_, v)| v.is_err()));
    }
}
