//! Unit tests on small frames whose statistics are known by hand.

use super::*;

fn frame() -> DataFrame {
    df!(
        "x" => [Some(1.0), Some(2.0), None, Some(4.0), Some(0.0)],
        "n" => [1i64, 1, 1, 1, 1],
        "y" => [Some(2.0), Some(4.0), Some(6.0), Some(8.0), Some(0.0)],
        "kind" => [Some("b"), Some("a"), Some("b"), None, Some("a")],
        "flag" => [true, false, true, true, true],
    )
    .unwrap()
}

#[test]
fn counts_moments_and_quantiles_match_hand_computed_values() {
    let p = profile(&frame(), &ProfileOptions::new().bins(4)).unwrap();
    assert_eq!(p.rows, 5);
    let x = p.column("x").unwrap();
    assert_eq!((x.kind, x.nulls, x.distinct), (ColumnKind::Numeric, 1, 4));
    assert_eq!(x.null_rate, 0.2);
    let s = x.numeric.as_ref().unwrap();
    assert_eq!((s.min, s.max, s.mean, s.zeros), (0.0, 4.0, 1.75, 1));
    // ddof 1: values 0, 1, 2, 4 around 1.75.
    let var: f64 = [0.0f64, 1.0, 2.0, 4.0]
        .iter()
        .map(|v| (v - 1.75).powi(2))
        .sum::<f64>()
        / 3.0;
    assert!((s.std.unwrap() - var.sqrt()).abs() < 1e-12);
    // Linear interpolation: the median of 0, 1, 2, 4 is 1.5, the 25% quantile 0.75.
    let q = |level: f64| s.quantiles.iter().find(|q| q.q == level).unwrap().value;
    assert_eq!((q(0.25), q(0.5), q(0.75)), (0.75, 1.5, 2.5));
    // Bins of width 1 over [0, 4]: 0 | 1 | 2 | 4 (the maximum joins the last bin).
    assert_eq!(s.histogram.edges, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_eq!(s.histogram.counts, vec![1, 1, 1, 1]);

    // A constant column: one bin, no standard deviation of 0 hidden as NaN.
    let n = p.column("n").unwrap().numeric.as_ref().unwrap();
    assert_eq!(n.histogram.counts, vec![5]);
    assert_eq!(n.std, Some(0.0));

    let kind = p.column("kind").unwrap();
    assert_eq!(
        (kind.kind, kind.nulls, kind.distinct),
        (ColumnKind::Text, 1, 2)
    );
    // A tie: value order.
    let top: Vec<(&str, u64, f64)> = kind
        .top
        .iter()
        .map(|v| (v.value.as_str(), v.count, v.share))
        .collect();
    assert_eq!(top, vec![("a", 2, 0.5), ("b", 2, 0.5)]);
    let flag = p.column("flag").unwrap();
    assert_eq!(flag.kind, ColumnKind::Boolean);
    assert_eq!((flag.top[0].value.as_str(), flag.top[0].count), ("true", 4));
}

#[test]
fn correlations_use_the_rows_where_both_are_present() {
    let p = profile(&frame(), &ProfileOptions::new()).unwrap();
    let c = p.correlations.as_ref().unwrap();
    assert_eq!(c.columns, vec!["x", "n", "y"]);
    // Where x is present, y = 2x exactly.
    let r = c.matrix[0][2].unwrap();
    assert!((r - 1.0).abs() < 1e-12, "{r}");
    assert_eq!(c.matrix[2][0], c.matrix[0][2]);
    // n is constant: no correlation.
    assert_eq!(c.matrix[0][1], None);
    assert_eq!(c.matrix[1][1], Some(1.0));
}

#[test]
fn a_target_gets_its_balance_and_its_correlations() {
    let p = profile(&frame(), &ProfileOptions::new().target("flag")).unwrap();
    let t = p.target.as_ref().unwrap();
    let classes: Vec<(&str, u64)> = t
        .classes
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(classes, vec![("true", 4), ("false", 1)]);
    assert_eq!(t.imbalance_ratio, Some(4.0));
    // The indicator of the rarer class (false: row 2) against y = 2, 4, 6, 8, 0.
    let y = t.correlations.iter().find(|c| c.column == "y").unwrap();
    let ind = [0.0, 1.0, 0.0, 0.0, 0.0];
    let ys = [2.0, 4.0, 6.0, 8.0, 0.0];
    let (mi, my) = (0.2, 4.0);
    let cov: f64 = ind.iter().zip(ys).map(|(a, b)| (a - mi) * (b - my)).sum();
    let sa: f64 = ind.iter().map(|a| (a - mi) * (a - mi)).sum::<f64>().sqrt();
    let sb: f64 = ys.iter().map(|b| (b - my) * (b - my)).sum::<f64>().sqrt();
    assert!((y.r - cov / (sa * sb)).abs() < 1e-12);
    // Sorted by strength.
    let strengths: Vec<f64> = t.correlations.iter().map(|c| c.r.abs()).collect();
    assert!(strengths.windows(2).all(|w| w[0] >= w[1]));

    let numeric = profile(&frame(), &ProfileOptions::new().target("y")).unwrap();
    let t = numeric.target.unwrap();
    assert!(t.classes.is_empty() && t.imbalance_ratio.is_none());
    assert_eq!(t.correlations[0].column, "x");
    // The target is left out of the matrix.
    assert_eq!(numeric.correlations.unwrap().columns, vec!["x", "n"]);

    let err = profile(&frame(), &ProfileOptions::new().target("price")).unwrap_err();
    assert!(err.to_string().contains("price"), "{err}");
}
