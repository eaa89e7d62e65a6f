//! Regression metrics, following scikit-learn's definitions.
//!
//! - `mape` is `mean(|y_pred − y_true| / max(|y_true|, ε))` with ε = `f64::EPSILON`
//!   (scikit-learn's guard: a zero target gives a huge but finite term), as a fraction,
//!   not a percentage.
//! - `r2` and `explained_variance` use scikit-learn's `force_finite` convention when the
//!   targets are constant: 1.0 for a perfect prediction, else 0.0. `r2` is unavailable
//!   with fewer than two rows (scikit-learn returns NaN).
//! - Everything is unavailable on empty input.

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
}
