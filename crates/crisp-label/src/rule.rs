//! Labeling by a SQL expression evaluated by Polars (`CASE WHEN quality >= 7 THEN 'good'
//! ELSE 'bad' END`): no home-made parser, and the rule is stored as written.

use crisp_core::{bail, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::report::LabelReport;
use crate::sql::{evaluate, texts};

/// A labeling rule: a SQL expression over the record's columns, and the target it produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// SQL expression; NULL means "no label" for that row.
    pub sql: String,
    /// Name of the target column to add.
    pub target: String,
}

impl Rule {
    /// A rule producing `target` from `sql`.
    pub fn new(sql: impl Into<String>, target: impl Into<String>) -> Self {
        Rule {
            sql: sql.into(),
            target: target.into(),
        }
    }

    /// `frame` with the target column appended (every input row and column kept, in order),
    /// and a report. Errors name the rule: bad SQL, unknown columns, a rule that labels nothing.
    pub fn apply(&self, frame: &DataFrame) -> Result<(DataFrame, LabelReport)> {
        if frame.column(&self.target).is_ok() {
            bail!(Config: "the data already has a column named '{}'; choose another target name", self.target);
        }
        let who = format!("rule '{}'", self.sql);
        let column = evaluate(frame, &self.sql, &who)?;
        let labels = texts(&column)?;
        let report = LabelReport::count(&labels, "rule");
        if report.labeled == 0 {
            bail!(Data: "{who} labels no row (it returns NULL everywhere)");
        }
        let mut labeled = frame.clone();
        labeled.with_column(column.with_name(self.target.as_str().into()))?;
        Ok((
            labeled,
            LabelReport {
                sql: Some(self.sql.clone()),
                ..report
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_rule_counts_classes_and_abstentions() {
        let df = df!("quality" => [Some(5i64), Some(7), Some(8), None]).unwrap();
        let rule = Rule::new(
            "CASE WHEN quality >= 7 THEN 'good' WHEN quality < 7 THEN 'bad' END",
            "grade",
        );
        let (out, report) = rule.apply(&df).unwrap();
        assert_eq!(out.get_column_names(), ["quality", "grade"]);
        assert_eq!(report.labeled, 3);
        assert_eq!(report.unlabeled, 1);
        assert_eq!(report.classes["good"], 2);
        assert_eq!(report.classes["bad"], 1);
    }

    #[test]
    fn errors_name_the_rule() {
        let df = df!("a" => [1i64]).unwrap();
        let err = Rule::new("CASE WHEN nope > 1 THEN 'x' END", "t")
            .apply(&df)
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("rule 'CASE WHEN nope > 1 THEN 'x' END' refers to a column"),
            "{err}"
        );
        let err = Rule::new("CASE WHEN a > 5 THEN 'x' END", "t")
            .apply(&df)
            .unwrap_err();
        assert!(err.to_string().contains("labels no row"), "{err}");
        let err = Rule::new("a >>> 1 (", "t").apply(&df).unwrap_err();
        assert!(
            err.to_string().contains("not a valid SQL expression"),
            "{err}"
        );
    }
}
