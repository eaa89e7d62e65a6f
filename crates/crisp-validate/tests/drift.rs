//! Profiles and drift: edge cases, errors and serialization.

use crisp_validate::{ColumnProfile, ColumnStats, DataProfile, ProfileKind, ValidateError};

fn some(v: impl IntoIterator<Item = f64>) -> Vec<Option<f64>> {
    v.into_iter().map(Some).collect()
}

#[test]
fn identical_data_has_no_drift() {
    let values = some((0..1000).map(|i| ((i * 7919) % 1000) as f64 / 10.0));
    let p = ColumnProfile::numeric("x", &values);
    let d = p.compare_numeric(&values).unwrap();
    assert!(d.psi.unwrap().abs() < 1e-12, "{:?}", d.psi);
    // 1000 distinct values: the sketch interpolates between knots, within 0.01.
    assert!(d.ks.unwrap() < 0.01, "{:?}", d.ks);
    assert!(d.ks_p_value.unwrap() > 0.99);
    assert_eq!(d.out_of_range_rate, Some(0.0));
    assert_eq!(d.null_rate_increase, 0.0);
    assert_eq!(d.kind, ProfileKind::Numeric);
    assert_eq!((d.js, d.unseen_category_rate), (None, None));
}

#[test]
fn null_rate_increase_and_out_of_range() {
    let train = some((0..100).map(f64::from));
    let p = ColumnProfile::numeric("x", &train);
    // 4 rows: one null, one NaN (null), one below the min, one inside.
    let d = p
        .compare_numeric(&[None, Some(f64::NAN), Some(-1.0), Some(50.0)])
        .unwrap();
    assert_eq!(d.rows_new, 4);
    assert_eq!((d.null_rate_train, d.null_rate_new), (0.0, 0.5));
    assert_eq!(d.null_rate_increase, 0.5);
    assert_eq!(d.out_of_range_rate, Some(0.5));
    // Values at the training min and max are in range.
    let d = p.compare_numeric(&[Some(0.0), Some(99.0)]).unwrap();
    assert_eq!(d.out_of_range_rate, Some(0.0));
}

#[test]
fn shift_is_detected_by_every_metric() {
    let train = some((0..2000).map(|i| (i % 200) as f64));
    let shifted = some((0..2000).map(|i| (i % 200) as f64 + 60.0));
    let p = ColumnProfile::numeric("x", &train);
    let d = p.compare_numeric(&shifted).unwrap();
    assert!(d.psi.unwrap() > 1.0, "{:?}", d.psi);
    assert!((d.ks.unwrap() - 0.3).abs() < 0.01, "{:?}", d.ks);
    assert!(d.ks_p_value.unwrap() < 1e-10);
    assert_eq!(d.out_of_range_rate, Some(0.3));
}

#[test]
fn all_null_new_data_gives_no_distribution_metrics() {
    let p = ColumnProfile::numeric("x", &some([1.0, 2.0, 3.0]));
    let d = p.compare_numeric(&[None, None]).unwrap();
    assert_eq!(d.null_rate_new, 1.0);
    assert_eq!(
        (d.psi, d.ks, d.ks_p_value, d.out_of_range_rate),
        (None, None, None, None)
    );

    let c = ColumnProfile::categorical("c", &[Some("a")]);
    let d = c.compare_categorical(&[None]).unwrap();
    assert_eq!((d.psi, d.js, d.unseen_category_rate), (None, None, None));
}

#[test]
fn all_null_training_column() {
    let p = ColumnProfile::numeric("x", &[None, None]);
    let d = p.compare_numeric(&some([1.0])).unwrap();
    assert_eq!((d.null_rate_train, d.null_rate_new), (1.0, 0.0));
    assert_eq!(d.null_rate_increase, -1.0);
    assert_eq!((d.psi, d.ks), (None, None));
}

#[test]
fn wrong_kind_and_empty_data_are_errors() {
    let n = ColumnProfile::numeric("age", &some([1.0]));
    let c = ColumnProfile::categorical("sex", &[Some("F")]);
    let err = n.compare_categorical(&[Some("x")]).unwrap_err();
    assert!(
        matches!(&err, ValidateError::InvalidInput(m) if m.contains("`age`") && m.contains("numeric")),
        "{err}"
    );
    assert!(c.compare_numeric(&some([1.0])).is_err());
    let err = n.compare_numeric(&[]).unwrap_err();
    assert!(err.to_string().contains("no rows"), "{err}");
}

#[test]
fn categorical_psi_over_training_categories_plus_other() {
    let train: Vec<Option<&str>> = [Some("a"), Some("b"), Some("a"), Some("b"), None].to_vec();
    let p = ColumnProfile::categorical("c", &train);
    assert_eq!(p.null_rate(), 0.2);
    let same = p.compare_categorical(&train).unwrap();
    assert_eq!(
        (same.psi, same.js, same.unseen_category_rate),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    // Entirely new categories: JS is 1 (disjoint), unseen rate 1.
    let d = p.compare_categorical(&[Some("z"), Some("y")]).unwrap();
    assert_eq!(d.js, Some(1.0));
    assert_eq!(d.unseen_category_rate, Some(1.0));
    assert!(d.psi.unwrap() > 5.0);
    assert_eq!(d.kind, ProfileKind::Categorical);
}

#[test]
fn truncated_category_list_does_not_claim_unseen_categories() {
    let owned: Vec<String> = (0..300).map(|i| format!("id{i}")).collect();
    let values: Vec<Option<&str>> = owned.iter().map(|s| Some(s.as_str())).collect();
    let p = ColumnProfile::categorical("id", &values);
    let d = p.compare_categorical(&values).unwrap();
    assert_eq!(d.unseen_category_rate, None);
    assert!(d.psi.unwrap().abs() < 1e-12);
}

#[test]
fn profile_round_trips_through_serde() {
    let profile = DataProfile::new(vec![
        ColumnProfile::numeric("age", &some((0..500).map(|i| ((i * 37) % 91) as f64 + 0.5))),
        ColumnProfile::numeric("empty", &[None]),
        ColumnProfile::categorical("sex", &[Some("M"), Some("F"), None]),
    ]);
    let json = serde_json::to_string(&profile).unwrap();
    let back: DataProfile = serde_json::from_str(&json).unwrap();
    assert_eq!(back, profile);
    // Externally tagged: the variant name is the key (bincode-compatible layout).
    assert!(json.contains(r#""stats":{"Numeric":{"min":0.5"#), "{json}");
    assert!(profile.get("sex").is_some() && profile.get("Sex").is_none());
    let ColumnStats::Numeric(n) = &profile.get("age").unwrap().stats else {
        panic!()
    };
    assert!(n.cdf_sketch.len() <= 101);
    assert!(n.bin_fractions.len() <= 10);
}
