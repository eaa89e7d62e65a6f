//! Labeling functions: named SQL expressions that return a label or NULL (abstain), and the
//! label matrix of their votes (one row per record, one column per function).

use std::collections::{BTreeSet, HashSet};

use crisp_core::{bail, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::sql::{evaluate, texts};

/// A labeling function: a SQL expression returning a label, or NULL to abstain.
///
/// It may return text or numbers (labels are compared by their text, so `1` and `'1'` agree);
/// it may not return a boolean (`false` would be ambiguous between "no" and "abstain": write
/// `CASE WHEN <condition> THEN <label> END`) nor a list or struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelingFunction {
    /// Name shown in reports and in `<target>_source` (letters, digits, `_`, `-`, `.`).
    pub name: String,
    /// SQL expression over the record's columns.
    pub sql: String,
    /// Weight in a weighted vote (overrides weights learned from gold labels).
    #[serde(default)]
    pub weight: Option<f64>,
}

impl LabelingFunction {
    /// A labeling function `name` computing `sql`.
    pub fn new(name: impl Into<String>, sql: impl Into<String>) -> Self {
        LabelingFunction {
            name: name.into(),
            sql: sql.into(),
            weight: None,
        }
    }

    /// Parse `name=SQL` (the form `--lf` takes); the SQL may itself contain `=`.
    pub fn parse(text: &str) -> Result<Self> {
        match text.split_once('=') {
            Some((name, sql)) if !name.trim().is_empty() && !sql.trim().is_empty() => {
                let lf = LabelingFunction::new(name.trim(), sql.trim());
                check_name(&lf.name)?;
                Ok(lf)
            }
            _ => {
                bail!(Config: "labeling function '{text}' is not of the form name=SQL (e.g. female=CASE WHEN Sex = 'female' THEN 1 END)")
            }
        }
    }

    /// This function's vote on every row of `frame` as text (`None` = abstain), and the type
    /// it returned. Errors name the function: bad SQL, unknown columns, a boolean, list or
    /// struct result, a failure while evaluating, a function that labels no row.
    pub fn evaluate(&self, frame: &DataFrame) -> Result<(Vec<Option<String>>, DataType)> {
        check_name(&self.name)?;
        let who = format!("labeling function '{}'", self.name);
        let column = evaluate(frame, &self.sql, &who)?;
        if column.dtype() == &DataType::Boolean {
            bail!(Config: "{who} returns a boolean, not a label: write CASE WHEN <condition> THEN <label> END, which abstains (NULL) elsewhere");
        }
        let labels = texts(&column)?;
        if labels.iter().all(Option::is_none) {
            bail!(Data: "{who} labels no row (it returns NULL everywhere)");
        }
        Ok((labels, column.dtype().clone()))
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        bail!(Config: "labeling function name '{name}' is not valid: use letters, digits, '_', '-' or '.'");
    }
    Ok(())
}

/// The votes of a set of labeling functions: `votes[row][function]` is the index of the label
/// in `classes`, or `None` where the function abstains.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMatrix {
    /// The functions' names, in declaration order.
    pub names: Vec<String>,
    /// Every label any function returned, sorted by text.
    pub classes: Vec<String>,
    /// One row per record, one entry per function.
    pub votes: Vec<Vec<Option<usize>>>,
    /// The type every function returned, when they all agree (the result is cast back to it).
    pub dtype: Option<DataType>,
}

impl LabelMatrix {
    /// Evaluate `functions` on `frame`. Errors name the function at fault, or a repeated name.
    pub fn build(frame: &DataFrame, functions: &[LabelingFunction]) -> Result<LabelMatrix> {
        if functions.is_empty() {
            bail!(Config: "no labeling function given");
        }
        let mut seen = HashSet::new();
        let mut columns = Vec::with_capacity(functions.len());
        let mut dtypes = Vec::with_capacity(functions.len());
        for lf in functions {
            if !seen.insert(lf.name.as_str()) {
                bail!(Config: "two labeling functions are named '{}'", lf.name);
            }
            let (labels, dtype) = lf.evaluate(frame)?;
            columns.push(labels);
            dtypes.push(dtype);
        }
        let names = functions.iter().map(|f| f.name.clone()).collect();
        let mut matrix = LabelMatrix::from_labels(names, &columns);
        matrix.dtype = dtypes
            .iter()
            .all(|d| d == &dtypes[0])
            .then(|| dtypes[0].clone());
        Ok(matrix)
    }

    /// A matrix from each function's labels as text (`columns[function][row]`).
    pub fn from_labels(names: Vec<String>, columns: &[Vec<Option<String>>]) -> LabelMatrix {
        let classes: Vec<String> = columns
            .iter()
            .flatten()
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let rows = columns.first().map_or(0, Vec::len);
        let votes = (0..rows)
            .map(|i| {
                columns
                    .iter()
                    .map(|c| {
                        c[i].as_deref()
                            .map(|l| classes.binary_search_by(|x| x.as_str().cmp(l)).unwrap_or(0))
                    })
                    .collect()
            })
            .collect();
        LabelMatrix {
            names,
            classes,
            votes,
            dtype: None,
        }
    }

    /// Number of records.
    pub fn rows(&self) -> usize {
        self.votes.len()
    }

    /// Number of labeling functions.
    pub fn functions(&self) -> usize {
        self.names.len()
    }

    /// The index of `label` among the classes.
    pub fn class_index(&self, label: &str) -> Option<usize> {
        self.classes.iter().position(|c| c == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_at_the_first_equals_sign() {
        let lf = LabelingFunction::parse("adult=CASE WHEN Age >= 18 THEN 'a' END").unwrap();
        assert_eq!(lf.name, "adult");
        assert_eq!(lf.sql, "CASE WHEN Age >= 18 THEN 'a' END");
        let lf = LabelingFunction::parse("eq = CASE WHEN a = 1 THEN 1 END").unwrap();
        assert_eq!(
            (lf.name.as_str(), lf.sql.as_str()),
            ("eq", "CASE WHEN a = 1 THEN 1 END")
        );
        for bad in ["no equals", "=CASE WHEN a THEN 1 END", "x=", "a b=1"] {
            assert!(LabelingFunction::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn matrix_holds_class_indices_and_the_common_type() {
        let df = df!("sex" => ["f", "m", "f"], "age" => [Some(5i64), Some(40), None]).unwrap();
        let lfs = [
            LabelingFunction::new("female", "CASE WHEN sex = 'f' THEN 1 END"),
            LabelingFunction::new(
                "adult",
                "CASE WHEN age >= 18 THEN 0 WHEN age < 10 THEN 1 END",
            ),
        ];
        let m = LabelMatrix::build(&df, &lfs).unwrap();
        assert_eq!(m.classes, ["0", "1"]);
        assert_eq!(m.votes[0], [Some(1), Some(1)]);
        assert_eq!(m.votes[1], [None, Some(0)]);
        assert_eq!(m.votes[2], [Some(1), None]);
        assert!(
            m.dtype.as_ref().is_some_and(|d| d.is_integer()),
            "{:?}",
            m.dtype
        );
    }

    #[test]
    fn wrong_results_name_the_function() {
        let df = df!("a" => [1i64, 2]).unwrap();
        let check = |lf: LabelingFunction, want: &str| {
            let err = LabelMatrix::build(&df, &[lf]).unwrap_err().to_string();
            assert!(err.contains(want), "{err}");
        };
        check(
            LabelingFunction::new("big", "a > 1"),
            "labeling function 'big' returns a boolean, not a label",
        );
        check(
            LabelingFunction::new("never", "CASE WHEN a > 5 THEN 'x' END"),
            "labeling function 'never' labels no row",
        );
        check(
            LabelingFunction::new("typo", "CASE WHEN b > 5 THEN 'x' END"),
            "labeling function 'typo' refers to a column that does not exist ('b')",
        );
        let twice = [
            LabelingFunction::new("f", "CASE WHEN a > 1 THEN 'x' END"),
            LabelingFunction::new("f", "CASE WHEN a > 0 THEN 'y' END"),
        ];
        let err = LabelMatrix::build(&df, &twice).unwrap_err().to_string();
        assert_eq!(err, "two labeling functions are named 'f'");
    }
}
