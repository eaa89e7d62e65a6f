//! Losses on predicted probabilities: log loss and Brier score.

use crate::classification::Computed;

/// Cross-entropy, as scikit-learn's `log_loss(y_true, proba, labels=range(k))`:
/// probabilities are clipped to `[ε, 1−ε]` (ε = `f64::EPSILON`), natural log, mean over rows.
pub(crate) fn log_loss(y_true: &[usize], proba: &[f64], k: usize) -> Computed {
    if y_true.is_empty() {
        return Err("there are no rows".into());
    }
    let eps = f64::EPSILON;
    let total: f64 = y_true
        .iter()
        .enumerate()
        .map(|(r, &y)| -proba[r * k + y].clamp(eps, 1.0 - eps).ln())
        .sum();
    Ok(total / y_true.len() as f64)
}

/// Brier score.
///
/// - Two classes: scikit-learn's `brier_score_loss(y_true, proba[:, 1])`, the mean squared
///   difference between the class-1 probability and the 0/1 indicator of class 1.
/// - Otherwise (multiclass Brier): the mean over rows of the sum over classes of
///   `(proba[r, c] − [y_true[r] == c])²`, as scikit-learn's `brier_score_loss` on a
///   probability matrix with three or more columns (twice the two-class value when k = 2).
pub(crate) fn brier(y_true: &[usize], proba: &[f64], k: usize) -> Computed {
    if y_true.is_empty() {
        return Err("there are no rows".into());
    }
    let total: f64 = if k == 2 {
        y_true
            .iter()
            .enumerate()
            .map(|(r, &y)| (proba[r * 2 + 1] - if y == 1 { 1.0 } else { 0.0 }).powi(2))
            .sum()
    } else {
        y_true
            .iter()
            .enumerate()
            .map(|(r, &y)| {
                (0..k)
                    .map(|c| (proba[r * k + c] - if y == c { 1.0 } else { 0.0 }).powi(2))
                    .sum::<f64>()
            })
            .sum()
    };
    Ok(total / y_true.len() as f64)
}

/// The weighted mean of `loss(row)` over the rows (numpy's `average(..., weights=...)`).
fn weighted_mean(weights: &[f64], loss: impl Fn(usize) -> f64) -> Computed {
    if weights.is_empty() {
        return Err("there are no rows".into());
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err("the weights of the rows sum to 0".into());
    }
    Ok(weights
        .iter()
        .enumerate()
        .map(|(r, w)| w * loss(r))
        .sum::<f64>()
        / total)
}

/// [`log_loss`] with a weight per row: scikit-learn's `log_loss(..., sample_weight=...)`.
pub(crate) fn log_loss_weighted(
    y_true: &[usize],
    proba: &[f64],
    k: usize,
    weights: &[f64],
) -> Computed {
    let eps = f64::EPSILON;
    weighted_mean(weights, |r| {
        -proba[r * k + y_true[r]].clamp(eps, 1.0 - eps).ln()
    })
}

/// [`brier`] with a weight per row: scikit-learn's `brier_score_loss(..., sample_weight=...)`.
pub(crate) fn brier_weighted(
    y_true: &[usize],
    proba: &[f64],
    k: usize,
    weights: &[f64],
) -> Computed {
    let indicator = |r: usize, c: usize| if y_true[r] == c { 1.0 } else { 0.0 };
    if k == 2 {
        weighted_mean(weights, |r| (proba[r * 2 + 1] - indicator(r, 1)).powi(2))
    } else {
        weighted_mean(weights, |r| {
            (0..k)
                .map(|c| (proba[r * k + c] - indicator(r, c)).powi(2))
                .sum::<f64>()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cases() {
        // scikit-learn docstring example: log_loss(["spam","ham","ham","spam"], ...) = 0.21616...
        let p = [0.1, 0.9, 0.9, 0.1, 0.8, 0.2, 0.35, 0.65];
        let ll = log_loss(&[1, 0, 0, 1], &p, 2).unwrap();
        assert!((ll - 0.216_161_874_680_579_12).abs() < 1e-12, "{ll}");
        // brier docstring: y=[0,1,1,0], p1=[0.1,0.9,0.8,0.3] -> 0.0375
        let p = [0.9, 0.1, 0.1, 0.9, 0.2, 0.8, 0.7, 0.3];
        assert!((brier(&[0, 1, 1, 0], &p, 2).unwrap() - 0.0375).abs() < 1e-12);
        // multiclass docstring example -> 0.1466... (0.44 / 3)
        let p = [0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.2, 0.2, 0.6];
        assert!((brier(&[0, 1, 2], &p, 3).unwrap() - 0.44 / 3.0).abs() < 1e-12);
        // probability 0 for the true class is clipped, not infinite
        assert!(log_loss(&[0], &[0.0, 1.0], 2).unwrap().is_finite());
        assert!(log_loss(&[], &[], 2).is_err());
    }
}
