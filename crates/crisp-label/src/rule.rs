//! Labeling by a SQL expression evaluated by Polars (`CASE WHEN quality >= 7 THEN 'good'
//! ELSE 'bad' END`): no home-made parser, and the rule is stored as written.

use std::collections::BTreeMap;

use crisp_core::{bail, column_list, Error, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// A labeling rule: a SQL expression over the record's columns, and the target it produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// SQL expression; NULL means "no label" for that row.
    pub sql: String,
    /// Name of the target column to add.
    pub target: String,
}

/// How a labeling went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelReport {
    /// Rows in the input.
    pub rows: usize,
    /// Rows that received a label.
    pub labeled: usize,
    /// Rows left without a label.
    pub unlabeled: usize,
    /// Rows per label value (class balance).
    pub classes: BTreeMap<String, usize>,
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
        let expr = polars::sql::sql_expr(&self.sql).map_err(|e| {
            Error::Config(format!(
                "rule '{}' is not a valid SQL expression: {e}",
                self.sql
            ))
        })?;
        for name in expr.clone().meta().root_names() {
            if frame.column(&name).is_err() {
                bail!(
                    ColumnNotFound: "rule '{}' refers to a column that does not exist ('{name}'); the columns are: {}",
                    self.sql,
                    column_list(frame)
                );
            }
        }
        let labeled = frame
            .clone()
            .lazy()
            .with_column(expr.alias(self.target.as_str()))
            .collect()
            .map_err(|e| Error::Data(format!("rule '{}' failed: {e}", self.sql)))?;
        let target = labeled.column(&self.target)?;
        if target.dtype().is_nested() {
            bail!(Config: "rule '{}' returns {}, not a label", self.sql, target.dtype());
        }
        let text = target.cast(&DataType::String)?;
        let mut classes = BTreeMap::new();
        for v in text.str()?.iter().flatten() {
            *classes.entry(v.to_string()).or_insert(0usize) += 1;
        }
        let labeled_rows: usize = classes.values().sum();
        if labeled_rows == 0 {
            bail!(Data: "rule '{}' labels no row (it returns NULL everywhere)", self.sql);
        }
        let report = LabelReport {
            rows: frame.height(),
            labeled: labeled_rows,
            unlabeled: frame.height() - labeled_rows,
            classes,
        };
        Ok((labeled, report))
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
