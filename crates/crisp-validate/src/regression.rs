//! Regression metrics, following scikit-learn's definitions.
//!
//! - `mape` is `mean(|y_pred − y_true| / max(|y_true|, ε))` with ε = `f64::EPSILON`
//!   (scikit-learn's guard: a zero target gives a huge but finite term), as a fraction,
//!   not a percentage.
//! - `r2` and `explained_variance` use scikit-learn's `force_finite` convention when the
//!   targets are constant: 1.0 for a perfect prediction, else 0.0. `r2` is unavailable
//!   with fewer than two rows (scikit-learn returns NaN).
//! - Everything is unavailable on empty input.
//!
//! With a weight per row every mean is a weighted mean, as scikit-learn's `sample_weight`:
//! `r2` compares weighted squared errors with the weighted spread around the weighted mean,
//! and `median_ae` is the weighted median (scikit-learn's `_weighted_percentile` with
//! `average=True`: the mean of the two middle values when the weight splits exactly in half).

use crate::classification::Computed;

/// Names of the metrics computed by [`regression_metrics`], in its output order.
pub(crate) const REGRESSION_METRICS: &[&str] = &[
    "mae",
    "mse",
    "rmse",
    "r2",
    "mape",
    "median_ae",
    "explained_variance",
];

fn mean(xs: impl Iterator<Item = f64>, n: usize) -> f64 {
    xs.sum::<f64>() / n as f64
}

/// `1 − num/den`, or scikit-learn's finite stand-in when `den` is zero.
fn explained_fraction(num: f64, den: f64) -> f64 {
    if den != 0.0 {
        1.0 - num / den
    } else if num == 0.0 {
        1.0
    } else {
        0.0
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    crisp_core::quantile_sorted(&xs, 0.5)
}

/// All regression metrics, named as in [`REGRESSION_METRICS`]. Inputs must have equal
/// lengths and finite values.
pub(crate) fn regression_metrics(y_true: &[f64], y_pred: &[f64]) -> Vec<(&'static str, Computed)> {
    let n = y_true.len();
    if n == 0 {
        return REGRESSION_METRICS
            .iter()
            .map(|&m| (m, Err("there are no rows".to_string())))
            .collect();
    }
    let err: Vec<f64> = y_true.iter().zip(y_pred).map(|(t, p)| t - p).collect();
    let mae = mean(err.iter().map(|e| e.abs()), n);
    let mse = mean(err.iter().map(|e| e * e), n);
    let true_mean = mean(y_true.iter().copied(), n);
    let ss_res: f64 = err.iter().map(|e| e * e).sum();
    let ss_tot: f64 = y_true.iter().map(|t| (t - true_mean).powi(2)).sum();
    let r2 = if n < 2 {
        Err("r2 needs at least two rows".to_string())
    } else {
        Ok(explained_fraction(ss_res, ss_tot))
    };
    let mape = mean(
        y_true
            .iter()
            .zip(y_pred)
            .map(|(t, p)| (p - t).abs() / t.abs().max(f64::EPSILON)),
        n,
    );
    let err_mean = mean(err.iter().copied(), n);
    let ev_num = mean(err.iter().map(|e| (e - err_mean).powi(2)), n);
    let ev_den = mean(y_true.iter().map(|t| (t - true_mean).powi(2)), n);
    vec![
        ("mae", Ok(mae)),
        ("mse", Ok(mse)),
        ("rmse", Ok(mse.sqrt())),
        ("r2", r2),
        ("mape", Ok(mape)),
        (
            "median_ae",
            Ok(median(err.iter().map(|e| e.abs()).collect())),
        ),
        ("explained_variance", Ok(explained_fraction(ev_num, ev_den))),
    ]
}

/// The weighted median of `values`: the averaged inverted CDF of scikit-learn's
/// `_weighted_percentile(values, weights, 50, average=True)`.
fn weighted_median(values: &[f64], weights: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut cdf = Vec::with_capacity(order.len());
    let mut total = 0.0;
    for &i in &order {
        total += weights[i];
        cdf.push(total);
    }
    let half = 0.5 * total;
    let last = order.len() - 1;
    // The first position whose cumulative weight reaches half (numpy's searchsorted, left).
    let at = cdf.partition_point(|&c| c < half).min(last);
    if cdf[at] - half > f64::EPSILON {
        return values[order[at]];
    }
    // Exactly half below: average with the next value of positive weight.
    let next = cdf.partition_point(|&c| c <= cdf[at]);
    let next = if next > last { at } else { next };
    (values[order[at]] + values[order[next]]) / 2.0
}

/// All regression metrics with a weight per row (see the module docs), named as in
/// [`REGRESSION_METRICS`]. Weights are finite and not negative.
pub(crate) fn regression_metrics_weighted(
    y_true: &[f64],
    y_pred: &[f64],
    weights: &[f64],
) -> Vec<(&'static str, Computed)> {
    let n = y_true.len();
    let total: f64 = weights.iter().sum();
    let reason = if n == 0 {
        Some("there are no rows")
    } else if total <= 0.0 {
        Some("the weights of the rows sum to 0")
    } else {
        None
    };
    if let Some(reason) = reason {
        return REGRESSION_METRICS
            .iter()
            .map(|&m| (m, Err(reason.to_string())))
            .collect();
    }
    let average = |f: &dyn Fn(usize) -> f64| (0..n).map(|i| weights[i] * f(i)).sum::<f64>() / total;
    let err: Vec<f64> = y_true.iter().zip(y_pred).map(|(t, p)| t - p).collect();
    let mae = average(&|i| err[i].abs());
    let mse = average(&|i| err[i] * err[i]);
    let true_mean = average(&|i| y_true[i]);
    let ss_res: f64 = (0..n).map(|i| weights[i] * err[i] * err[i]).sum();
    let ss_tot: f64 = (0..n)
        .map(|i| weights[i] * (y_true[i] - true_mean).powi(2))
        .sum();
    let r2 = if n < 2 {
        Err("r2 needs at least two rows".to_string())
    } else {
        Ok(explained_fraction(ss_res, ss_tot))
    };
    let mape = average(&|i| (y_pred[i] - y_true[i]).abs() / y_true[i].abs().max(f64::EPSILON));
    let err_mean = average(&|i| err[i]);
    let ev_num = average(&|i| (err[i] - err_mean).powi(2));
    let ev_den = average(&|i| (y_true[i] - true_mean).powi(2));
    let abs_err: Vec<f64> = err.iter().map(|e| e.abs()).collect();
    vec![
        ("mae", Ok(mae)),
        ("mse", Ok(mse)),
        ("rmse", Ok(mse.sqrt())),
        ("r2", r2),
        ("mape", Ok(mape)),
        ("median_ae", Ok(weighted_median(&abs_err, weights))),
        ("explained_variance", Ok(explained_fraction(ev_num, ev_den))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(y: &[f64], p: &[f64], name: &str) -> Computed {
        let m = regression_metrics(y, p);
        m.into_iter().find(|(n, _)| *n == name).unwrap().1
    }

    #[test]
    fn degenerate_cases() {
        assert_eq!(get(&[2.0, 2.0], &[2.0, 2.0], "r2"), Ok(1.0));
        assert_eq!(get(&[2.0, 2.0], &[2.0, 3.0], "r2"), Ok(0.0));
        assert_eq!(get(&[2.0, 2.0], &[3.0, 3.0], "explained_variance"), Ok(1.0));
        assert!(get(&[2.0], &[2.0], "r2").is_err());
        assert_eq!(
            get(&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 4.0, 8.0], "median_ae"),
            Ok(0.5)
        );
        assert!(get(&[0.0], &[1.0], "mape").unwrap() > 1e15);
        assert!(regression_metrics(&[], &[]).iter().all(|(_, v)| v.is_err()));
    }

    #[test]
    fn weighted_median_by_hand() {
        // Unit weights: the ordinary median, odd and even.
        assert_eq!(weighted_median(&[3.0, 1.0, 2.0], &[1.0; 3]), 2.0);
        assert_eq!(weighted_median(&[4.0, 1.0, 3.0, 2.0], &[1.0; 4]), 2.5);
        // Weight 3 on 1.0 of a total 5: more than half at 1.0.
        assert_eq!(weighted_median(&[1.0, 2.0, 3.0], &[3.0, 1.0, 1.0]), 1.0);
        // Exactly half at 1.0; the next value of positive weight is 3.0 (2.0 weighs 0).
        assert_eq!(weighted_median(&[1.0, 2.0, 3.0], &[2.0, 0.0, 2.0]), 2.0);
    }

    #[test]
    fn unit_weights_agree_with_the_unweighted_metrics() {
        let y = [1.0, -2.0, 3.5, 10.0, 0.0];
        let p = [1.5, -1.0, 2.0, 12.0, 0.5];
        let plain = regression_metrics(&y, &p);
        let weighted = regression_metrics_weighted(&y, &p, &[1.0; 5]);
        for ((name, a), (_, b)) in plain.iter().zip(&weighted) {
            assert!(
                (a.clone().unwrap() - b.clone().unwrap()).abs() < 1e-12,
                "{name}"
            );
        }
        let zero = regression_metrics_weighted(&y, &p, &[0.0; 5]);
        assert!(zero.iter().all(|(_, v)| v.is_err()));
    }
}
