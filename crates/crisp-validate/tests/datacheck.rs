//! The data gate: schema comparison and drift limits.

use crisp_validate::{
    check_schema, data_gate_passed, CheckStatus, ColumnProfile, DataCheck, DataGate,
};

fn find<'a>(checks: &'a [DataCheck], check: &str) -> &'a DataCheck {
    checks
        .iter()
        .find(|c| c.check == check)
        .unwrap_or_else(|| panic!("no `{check}` check in {checks:#?}"))
}

#[test]
fn schema_missing_extra_and_type_changes() {
    let expected = [
        ("age", "integer"),
        ("sex", "text"),
        ("hours", "float"),
        ("born", "date"),
    ];
    let found = vec![
        ("age".to_string(), "float".to_string()),
        ("hours".to_string(), "text".to_string()),
        ("born".to_string(), "Date".to_string()),
        ("comment".to_string(), "text".to_string()),
    ];
    let checks = check_schema(&expected, &found);
    let names: Vec<(&str, &str)> = checks
        .iter()
        .map(|c| (c.check.as_str(), c.column.as_deref().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("dtype_change", "age"),
            ("missing_column", "sex"),
            ("dtype_change", "hours"),
            ("extra_column", "comment"),
        ]
    );
    let status: Vec<&CheckStatus> = checks.iter().map(|c| &c.status).collect();
    assert_eq!(
        status,
        [
            &CheckStatus::Passed,
            &CheckStatus::Failed,
            &CheckStatus::Failed,
            &CheckStatus::Passed
        ]
    );
    assert_eq!(
        checks[2].message,
        "Column `hours` was float in training and is text now."
    );
    assert_eq!(
        checks[1].message,
        "Column `sex` (text) was in the training data but is missing."
    );
    assert!(checks[0].message.contains("compatible"));
    assert!(!data_gate_passed(&checks));
    assert!(checks
        .iter()
        .all(|c| c.observed.is_none() && c.limit.is_none()));
}

#[test]
fn matching_schema_gives_one_summary() {
    let cols = [("a", "float"), ("b", "text")];
    let checks = check_schema(&cols, &cols);
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].check, "schema");
    assert_eq!(checks[0].column, None);
    assert_eq!(checks[0].status, CheckStatus::Passed);
    assert_eq!(
        checks[0].message,
        "All 2 training columns are present with compatible types."
    );
    // An extra column still passes, with the summary.
    let checks = check_schema(&cols, &[("a", "float"), ("b", "text"), ("c", "integer")]);
    assert_eq!(checks.len(), 2);
    assert!(data_gate_passed(&checks));
}

fn drifted_numeric() -> crisp_validate::ColumnDrift {
    let train: Vec<Option<f64>> = (0..1000).map(|i| Some((i % 100) as f64)).collect();
    let new: Vec<Option<f64>> = (0..1000)
        .map(|i| {
            if i % 5 == 0 {
                None
            } else {
                Some((i % 100) as f64 + 20.0)
            }
        })
        .collect();
    ColumnProfile::numeric("hours", &train)
        .compare_numeric(&new)
        .unwrap()
}

#[test]
fn limits_fail_pass_and_informational() {
    let drift = drifted_numeric();
    let gate = DataGate {
        max_psi: Some(0.2),
        max_null_rate_increase: Some(0.5),
        max_out_of_range_rate: Some(0.01),
        ..DataGate::default()
    };
    gate.validate().unwrap();
    let checks = gate.check_drift(&drift);
    let kinds: Vec<&str> = checks.iter().map(|c| c.check.as_str()).collect();
    assert_eq!(
        kinds,
        ["psi", "null_rate_increase", "out_of_range_rate", "ks"]
    );

    let psi = find(&checks, "psi");
    assert_eq!(psi.status, CheckStatus::Failed);
    assert_eq!((psi.observed, psi.limit), (drift.psi, Some(0.2)));
    assert!(
        psi.message.starts_with("Column `hours`: PSI is "),
        "{}",
        psi.message
    );
    assert!(
        psi.message.ends_with(", above the limit 0.2."),
        "{}",
        psi.message
    );

    let nulls = find(&checks, "null_rate_increase");
    assert_eq!(nulls.status, CheckStatus::Passed);
    assert_eq!(
        nulls.message,
        "Column `hours`: null-rate increase is 0.2 (null rate 0 in training, 0.2 now), within the limit 0.5."
    );

    assert_eq!(
        find(&checks, "out_of_range_rate").status,
        CheckStatus::Failed
    );

    // No limit: reported, passed, limit None.
    let ks = find(&checks, "ks");
    assert_eq!((ks.status.clone(), ks.limit), (CheckStatus::Passed, None));
    assert!(
        ks.message.contains("(no limit set)") && ks.message.contains("p-value"),
        "{}",
        ks.message
    );
    assert!(!data_gate_passed(&checks));
}

#[test]
fn empty_gate_reports_everything_and_passes() {
    let drift = drifted_numeric();
    let gate = DataGate::default();
    assert!(gate.is_empty());
    let checks = gate.check_drift(&drift);
    assert_eq!(checks.len(), 4);
    assert!(checks
        .iter()
        .all(|c| c.status == CheckStatus::Passed && c.limit.is_none()));
    assert!(data_gate_passed(&checks));
}

#[test]
fn limit_on_uncomputable_metric_is_skipped() {
    let p = ColumnProfile::numeric("x", &[Some(1.0), Some(2.0)]);
    let drift = p.compare_numeric(&[None, None]).unwrap();
    let gate = DataGate {
        max_psi: Some(0.2),
        ..DataGate::default()
    };
    let checks = gate.check_drift(&drift);
    // psi skipped (limited), null_rate_increase reported; ks and out_of_range left out.
    let kinds: Vec<&str> = checks.iter().map(|c| c.check.as_str()).collect();
    assert_eq!(kinds, ["psi", "null_rate_increase"]);
    assert!(matches!(
        &checks[0].status,
        CheckStatus::Skipped { reason } if reason.contains("no non-null value")
    ));
    assert!(data_gate_passed(&checks));
}

#[test]
fn categorical_checks() {
    let train: Vec<Option<&str>> = [Some("a"); 8].into_iter().chain([Some("b"); 2]).collect();
    let new = [Some("a"), Some("c"), Some("c"), Some("b")];
    let drift = ColumnProfile::categorical("workclass", &train)
        .compare_categorical(&new)
        .unwrap();
    let gate = DataGate {
        max_unseen_category_rate: Some(0.25),
        max_ks: Some(0.1),
        max_out_of_range_rate: Some(0.0),
        ..DataGate::default()
    };
    let checks = gate.check_drifts(&[drift]);
    let kinds: Vec<&str> = checks.iter().map(|c| c.check.as_str()).collect();
    assert_eq!(
        kinds,
        ["psi", "null_rate_increase", "unseen_category_rate", "js"]
    );
    let unseen = find(&checks, "unseen_category_rate");
    assert_eq!(unseen.status, CheckStatus::Failed);
    assert_eq!(
        unseen.message,
        "Column `workclass`: share of values in unseen categories is 0.5, above the limit 0.25."
    );
    assert_eq!(unseen.column.as_deref(), Some("workclass"));
}

#[test]
fn nan_observed_fails_a_limit() {
    let mut drift = drifted_numeric();
    drift.psi = Some(f64::NAN);
    let gate = DataGate {
        max_psi: Some(1.0),
        ..DataGate::default()
    };
    assert_eq!(gate.check_drift(&drift)[0].status, CheckStatus::Failed);
}

#[test]
fn invalid_limits_and_config_parsing() {
    let bad = DataGate {
        max_ks: Some(-0.1),
        ..DataGate::default()
    };
    let err = bad.validate().unwrap_err();
    assert!(err.to_string().contains("max_ks"), "{err}");
    let gate: DataGate = serde_json::from_str(r#"{"max_psi": 0.25}"#).unwrap();
    assert_eq!(gate.max_psi, Some(0.25));
    assert_eq!(gate.max_ks, None);
    assert!(serde_json::from_str::<DataGate>(r#"{"max_pis": 0.25}"#).is_err());
}
