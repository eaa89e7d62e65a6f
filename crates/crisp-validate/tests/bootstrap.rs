//! The bootstrap gate: determinism, direction, and undefined resamples.

use crisp_validate::{bootstrap_bound, CheckStatus, EvalInput, Threshold, ValidateError};

fn classes() -> Vec<String> {
    vec!["no".to_string(), "yes".to_string()]
}

/// 50 rows, 43 predicted right: accuracy 0.86.
fn accuracy_086() -> (Vec<usize>, Vec<usize>) {
    let y_true: Vec<usize> = (0..50).map(|i| (i * 7 % 3 == 0) as usize).collect();
    let y_pred: Vec<usize> = y_true
        .iter()
        .enumerate()
        .map(|(i, &y)| if i % 7 == 3 { 1 - y } else { y })
        .collect();
    (y_true, y_pred)
}

fn regression_data() -> (Vec<f64>, Vec<f64>) {
    let t: Vec<f64> = (0..80).map(|i| (i as f64 * 0.37).sin() * 10.0).collect();
    let p: Vec<f64> = t
        .iter()
        .enumerate()
        .map(|(i, v)| v + ((i * 13 % 17) as f64 - 8.0) / 4.0)
        .collect();
    (t, p)
}

#[test]
fn point_passes_but_lower_bound_fails() {
    let (y_true, y_pred) = accuracy_086();
    let c = classes();
    let data = EvalInput::classification(&y_true, &y_pred, None, &c);
    let point = data.metric("accuracy").unwrap();
    assert!((point - 0.86).abs() < 1e-12, "{point}");
    let gate: Threshold = "accuracy>=0.85".parse().unwrap();
    assert_eq!(gate.check(point, None).status, CheckStatus::Passed);

    let low = bootstrap_bound("accuracy", &data, 0.95, 1000, 42).unwrap();
    // normal approximation: 0.86 − 1.645·sqrt(0.86·0.14/50) ≈ 0.78
    assert!(low > 0.72 && low < 0.82, "{low}");
    let out = gate.check(low, None);
    assert_eq!(out.status, CheckStatus::Failed);
    assert_eq!(out.observed, low);
    // lower confidence, tighter bound
    let low80 = bootstrap_bound("accuracy", &data, 0.8, 1000, 42).unwrap();
    assert!(low80 > low && low80 < point, "{low80}");
}

#[test]
fn reproducible_with_a_seed() {
    let (t, p) = regression_data();
    let data = EvalInput::regression(&t, &p);
    let a = bootstrap_bound("rmse", &data, 0.95, 300, 7).unwrap();
    let b = bootstrap_bound("rmse", &data, 0.95, 300, 7).unwrap();
    let c = bootstrap_bound("rmse", &data, 0.95, 300, 8).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn lower_is_better_metrics_use_the_upper_bound() {
    let (t, p) = regression_data();
    let data = EvalInput::regression(&t, &p);
    let point = data.metric("rmse").unwrap();
    let high = bootstrap_bound("rmse", &data, 0.95, 500, 1).unwrap();
    assert!(high > point, "{high} vs {point}");
    let r2 = data.metric("r2").unwrap();
    let r2_low = bootstrap_bound("r2", &data, 0.95, 500, 1).unwrap();
    assert!(r2_low < r2, "{r2_low} vs {r2}");
}

#[test]
fn undefined_resamples_are_skipped() {
    // one positive among 12 rows: ~35% of resamples have no positive, ROC AUC undefined there
    let y: Vec<usize> = (0..12).map(|i| usize::from(i == 5)).collect();
    let proba: Vec<f64> = (0..12)
        .flat_map(|i| {
            let p = if i == 5 { 0.9 } else { i as f64 / 20.0 };
            [1.0 - p, p]
        })
        .collect();
    let c = classes();
    let data = EvalInput::classification(&y, &y, Some(&proba), &c);
    assert_eq!(bootstrap_bound("roc_auc", &data, 0.9, 200, 3).unwrap(), 1.0);

    // two rows, one per class: about half of the resamples hold a single class, so some
    // seeds leave fewer than half defined and the bootstrap refuses with the reason.
    let y = [0, 1];
    let proba = [0.8, 0.2, 0.3, 0.7];
    let data = EvalInput::classification(&y, &y, Some(&proba), &c);
    let mut refused = 0;
    for seed in 0..20 {
        match bootstrap_bound("roc_auc", &data, 0.9, 51, seed) {
            Ok(v) => assert_eq!(v, 1.0),
            Err(e) => {
                let msg = e.to_string();
                assert!(matches!(e, ValidateError::Bootstrap { .. }), "{msg}");
                assert!(msg.contains("single class"), "{msg}");
                refused += 1;
            }
        }
    }
    assert!(refused > 0);
}

#[test]
fn errors() {
    let (y_true, y_pred) = accuracy_086();
    let c = classes();
    let data = EvalInput::classification(&y_true, &y_pred, None, &c);
    assert!(matches!(
        bootstrap_bound("roc_auc", &data, 0.95, 100, 0),
        Err(ValidateError::Unavailable { .. })
    ));
    assert!(matches!(
        bootstrap_bound("acc", &data, 0.95, 100, 0),
        Err(ValidateError::UnknownMetric { .. })
    ));
    assert!(matches!(
        bootstrap_bound("rmse", &data, 0.95, 100, 0),
        Err(ValidateError::WrongTask { .. })
    ));
    for conf in [0.0, 1.0, 1.5, f64::NAN] {
        assert!(matches!(
            bootstrap_bound("accuracy", &data, conf, 100, 0),
            Err(ValidateError::Bootstrap { .. })
        ));
    }
    assert!(bootstrap_bound("accuracy", &data, 0.95, 0, 0).is_err());
    // per-class names work too
    let f1 = bootstrap_bound("f1[yes]", &data, 0.95, 200, 0).unwrap();
    assert!(f1 < data.metric("f1[yes]").unwrap());
    let empty = EvalInput::classification(&[], &[], None, &c);
    assert!(matches!(
        bootstrap_bound("accuracy", &empty, 0.95, 10, 0),
        Err(ValidateError::Unavailable { .. })
    ));
}
