//! Thresholds and buckets as SQL: cut a numeric column at fixed points or at quantiles
//! computed on the data, and label each interval. The result is an ordinary [`Rule`] whose
//! generated `CASE` is shown in the report, so what labeled the data is always plain SQL.
//!
//! Intervals are closed on the left: with cut points `e1 < e2`, a value `< e1` gets the first
//! label, `e1 <= v < e2` the second, `>= e2` the last; NULL stays unlabeled. Quantiles
//! interpolate linearly between sorted values (numpy's default), over the non-NULL values.

use crisp_core::{bail, ensure, quantile_sorted, require_column, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::rule::Rule;
use crate::sql::{quote_ident, quote_literal};

/// Buckets of a numeric column: give exactly one of `quantiles`, `count` or `edges`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Buckets {
    /// The numeric column to cut.
    pub column: String,
    /// Cut at these quantiles of the column (each strictly between 0 and 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantiles: Vec<f64>,
    /// Cut into this many equal-frequency buckets (quantiles 1/n, 2/n, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// Cut at these fixed values (a threshold is one edge).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<f64>,
    /// One label per bucket, lowest first [default: q1, q2, ... for quantiles; b1, b2, ...
    /// for edges].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl Buckets {
    /// Parse `COL:N` (N equal-frequency buckets) or `COL:q1,q2,...` (quantiles); with `fixed`,
    /// `COL:e1,e2,...` (fixed cut points). Errors start with the text in quotes, so a front end
    /// can put the option's name in front ([`crisp_core::Error::prefixed`]).
    pub fn parse(text: &str, fixed: bool, labels: Vec<String>) -> Result<Buckets> {
        let Some((column, spec)) = text.rsplit_once(':') else {
            bail!(Config { value: text }: "'{text}': expected COLUMN:{}", if fixed { "EDGE,EDGE,..." } else { "N or COLUMN:Q,Q,..." });
        };
        let numbers: Vec<f64> = spec
            .split(',')
            .map(|x| x.trim().parse::<f64>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| {
                crisp_core::Error::config(format!("'{text}': '{spec}' is not a list of numbers"))
                    .value(text)
            })?;
        let mut b = Buckets {
            column: column.to_string(),
            labels,
            ..Buckets::default()
        };
        match (fixed, numbers.as_slice()) {
            (true, _) => b.edges = numbers,
            (false, [n]) if *n >= 1.0 && n.fract() == 0.0 => b.count = Some(*n as usize),
            (false, _) => b.quantiles = numbers,
        }
        Ok(b)
    }

    /// The cut points on `frame`'s column (quantiles computed on the data).
    pub fn cut_points(&self, frame: &DataFrame) -> Result<Vec<f64>> {
        let what = format!("buckets on '{}'", self.column);
        let given = [
            !self.quantiles.is_empty(),
            self.count.is_some(),
            !self.edges.is_empty(),
        ];
        ensure!(given.iter().filter(|g| **g).count() == 1, Config: "{what}: give exactly one of quantiles, count or edges");
        let column = require_column(frame, &self.column, "the data")?;
        ensure!(
            column.dtype().is_primitive_numeric(),
            Config: "{what}: the column is {}, not numbers",
            column.dtype()
        );
        if !self.edges.is_empty() {
            return increasing(&what, self.edges.clone(), "edges");
        }
        let quantiles = match self.count {
            Some(n) => {
                ensure!(n >= 2, Config: "{what}: count must be at least 2");
                (1..n).map(|i| i as f64 / n as f64).collect()
            }
            None => self.quantiles.clone(),
        };
        for q in &quantiles {
            ensure!(*q > 0.0 && *q < 1.0, Config: "{what}: quantile {q} is not strictly between 0 and 1");
        }
        let mut values: Vec<f64> = column
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .flatten()
            .filter(|v| !v.is_nan())
            .collect();
        ensure!(!values.is_empty(), Data: "{what}: the column has no value");
        values.sort_by(f64::total_cmp);
        let cuts = quantiles
            .iter()
            .map(|&q| quantile_sorted(&values, q))
            .collect();
        increasing(
            &what,
            cuts,
            "quantiles (too many equal values: use fewer buckets or edges)",
        )
    }

    /// The `CASE` expression labeling each bucket.
    pub fn sql(&self, frame: &DataFrame) -> Result<String> {
        let cuts = self.cut_points(frame)?;
        let labels: Vec<String> = if self.labels.is_empty() {
            let prefix = if self.edges.is_empty() { "q" } else { "b" };
            (1..=cuts.len() + 1)
                .map(|i| format!("{prefix}{i}"))
                .collect()
        } else {
            self.labels.clone()
        };
        ensure!(
            labels.len() == cuts.len() + 1,
            Config: "buckets on '{}': the cut points ({}) make {} buckets, so {} labels are needed ({} given)",
            self.column,
            cuts.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "),
            cuts.len() + 1,
            cuts.len() + 1,
            labels.len()
        );
        let col = quote_ident(&self.column);
        let mut sql = format!("CASE WHEN {col} IS NULL THEN NULL");
        for (cut, label) in cuts.iter().zip(&labels) {
            sql.push_str(&format!(
                " WHEN {col} < {} THEN {}",
                number(*cut),
                quote_literal(label)
            ));
        }
        sql.push_str(&format!(" ELSE {} END", quote_literal(&labels[cuts.len()])));
        Ok(sql)
    }

    /// The rule these buckets amount to on `frame`.
    pub fn rule(&self, frame: &DataFrame, target: &str) -> Result<Rule> {
        Ok(Rule::new(self.sql(frame)?, target))
    }
}

fn increasing(what: &str, cuts: Vec<f64>, name: &str) -> Result<Vec<f64>> {
    for w in cuts.windows(2) {
        ensure!(w[0] < w[1], Config: "{what}: the cut points {} and {} are not increasing; check the {name}", w[0], w[1]);
    }
    ensure!(cuts.iter().all(|c| c.is_finite()), Config: "{what}: cut points must be finite numbers");
    Ok(cuts)
}

/// A float as a SQL number literal Polars reads back exactly.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        format!("{x:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_buckets_match_numpy() {
        // numpy.quantile([1..10], [1/3, 2/3]) = [4.0, 7.0]; [0.25] on [1, 2, 4, 8] = 1.75
        let df = df!("x" => (1..=10).map(|v| v as f64).collect::<Vec<_>>()).unwrap();
        let b = Buckets::parse("x:3", false, vec![]).unwrap();
        assert_eq!(b.count, Some(3));
        let cuts = b.cut_points(&df).unwrap();
        assert!(
            (cuts[0] - 4.0).abs() < 1e-12 && (cuts[1] - 7.0).abs() < 1e-12,
            "{cuts:?}"
        );
        assert!((quantile_sorted(&[1.0, 2.0, 4.0, 8.0], 0.25) - 1.75).abs() < 1e-12);
        let (out, report) = b.rule(&df, "band").unwrap().apply(&df).unwrap();
        assert_eq!(report.classes["q1"], 3, "1, 2, 3 < 4");
        assert_eq!(report.classes["q2"], 3, "4, 5, 6");
        assert_eq!(report.classes["q3"], 4, "7..10");
        assert_eq!(
            out.column("band").unwrap().str().unwrap().get(3),
            Some("q2")
        );
    }

    #[test]
    fn a_threshold_is_one_edge() {
        let df = df!("quality" => [Some(5i64), Some(7), None, Some(8)]).unwrap();
        let b = Buckets::parse("quality:7", true, vec!["ordinary".into(), "good".into()]).unwrap();
        assert_eq!(
            b.sql(&df).unwrap(),
            "CASE WHEN \"quality\" IS NULL THEN NULL WHEN \"quality\" < 7.0 THEN 'ordinary' ELSE 'good' END"
        );
        let (_, report) = b.rule(&df, "grade").unwrap().apply(&df).unwrap();
        assert_eq!(
            (
                report.classes["good"],
                report.classes["ordinary"],
                report.unlabeled
            ),
            (2, 1, 1)
        );
    }

    #[test]
    fn bad_buckets_are_named() {
        let df = df!("x" => [1.0f64, 1.0, 1.0, 2.0], "s" => ["a", "b", "c", "d"]).unwrap();
        let err = |b: Buckets| b.sql(&df).unwrap_err().to_string();
        assert!(err(Buckets::parse("x:4", false, vec![]).unwrap()).contains("not increasing"));
        assert!(err(Buckets::parse("s:2", false, vec![]).unwrap()).contains("is str, not numbers"));
        assert!(
            err(Buckets::parse("x:1.5", true, vec!["a".into()]).unwrap())
                .contains("the cut points (1.5) make 2 buckets, so 2 labels are needed (1 given)")
        );
        assert!(Buckets::parse("x", false, vec![]).is_err());
        assert!(err(Buckets::parse("x:0.5,1.5", false, vec![]).unwrap()).contains("quantile 1.5"));
    }
}
