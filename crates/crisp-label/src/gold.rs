//! Gold labels: a small hand-labeled file used to measure each labeling function's accuracy,
//! the result's accuracy, and to learn the weights of a weighted vote.
//!
//! Rows are matched **by key** when key columns are given (`--key`, or `key` in `[label.gold]`):
//! the gold file then holds any subset of the records, in any order, and each gold row labels
//! the data row with the same key (a gold key that appears twice is an error; one absent from
//! the data is counted). Without a key, rows are matched **by position**: the gold file must
//! have exactly one row per data row, and an empty gold cell means "no gold label".

use std::collections::HashMap;
use std::path::PathBuf;

use crisp_core::{bail, read_table, require_column, Error, Hint, ReadOptions, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::keys::{key_texts, label_column, show, LabelColumn, Side};
use crate::sql::texts;

/// Where the gold labels are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldSpec {
    /// The gold file (CSV with a header, or Parquet).
    pub file: PathBuf,
    /// Its label column [default: a column named like the target, else the only non-key one].
    #[serde(default)]
    pub column: Option<String>,
    /// Key column(s) matching gold rows to data rows; none: match by row position.
    #[serde(default, deserialize_with = "crate::spec::one_or_many")]
    pub key: Vec<String>,
}

/// How the gold labels matched, and how good the result is on them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GoldReport {
    /// The gold file.
    pub file: String,
    /// Its label column.
    pub column: String,
    /// `key (id)` or `row position`.
    pub matched_by: String,
    /// Data rows that have a gold label.
    pub gold_rows: usize,
    /// Gold rows whose key is not in the data.
    pub unmatched_gold_rows: usize,
    /// Gold-labeled rows the result labeled.
    pub labeled_gold_rows: usize,
    /// Share of those where the result equals the gold label.
    pub accuracy: Option<f64>,
}

impl GoldSpec {
    /// The gold label of each data row (`None` where there is none), and the start of a report.
    /// The gold file is CSV (UTF-8, comma-separated; tab-separated for `.tsv`) or Parquet
    /// (`.parquet`, `.pq`).
    pub fn load(
        &self,
        frame: &DataFrame,
        target: &str,
    ) -> Result<(Vec<Option<String>>, GoldReport)> {
        self.load_with(frame, target, &ReadOptions::default())
    }

    /// [`GoldSpec::load`] with the gold file read with `options` (a CSV dialect).
    pub fn load_with(
        &self,
        frame: &DataFrame,
        target: &str,
        options: &ReadOptions,
    ) -> Result<(Vec<Option<String>>, GoldReport)> {
        let gold = read_table(&self.file, options)?.frame;
        self.match_frame(frame, &gold, &self.file.display().to_string(), target)
    }

    /// Like [`GoldSpec::load`] with the gold file already read into `gold`.
    pub fn match_frame(
        &self,
        frame: &DataFrame,
        gold: &DataFrame,
        source: &str,
        target: &str,
    ) -> Result<(Vec<Option<String>>, GoldReport)> {
        let column = label_column(
            gold,
            source,
            LabelColumn {
                given: self.column.as_deref(),
                keys: &self.key,
                target,
                hint: Hint::NameTheGoldColumn,
            },
        )?;
        let values = texts(require_column(gold, &column, source)?)?;
        let mut report = GoldReport {
            file: source.to_string(),
            column,
            ..GoldReport::default()
        };
        let labels = if self.key.is_empty() {
            report.matched_by = "row position".into();
            if gold.height() != frame.height() {
                return Err(Error::data(format!(
                    "{source} has {} gold rows but the data has {} rows: without a key, gold rows are matched by position",
                    gold.height(),
                    frame.height()
                ))
                .file(source)
                .with_hint(Hint::MatchGoldByKey));
            }
            values
        } else {
            report.matched_by = format!("key ({})", self.key.join(", "));
            let (data_keys, gold_keys) = key_texts(
                Side {
                    frame,
                    source: "the data",
                },
                Side {
                    frame: gold,
                    source,
                },
                &self.key,
            )?;
            let mut row_of: HashMap<&str, usize> = HashMap::new();
            for (row, key) in gold_keys.iter().enumerate() {
                let (Some(key), Some(_)) = (key.as_deref(), &values[row]) else {
                    continue;
                };
                if let Some(first) = row_of.insert(key, row) {
                    bail!(
                        Data: "{source}: the key {} appears twice (rows {} and {}); a gold file has one row per record",
                        show(&self.key, key),
                        first + 1,
                        row + 1
                    );
                }
            }
            let labels: Vec<Option<String>> = data_keys
                .iter()
                .map(|k| {
                    k.as_deref()
                        .and_then(|k| row_of.remove(k))
                        .and_then(|r| values[r].clone())
                })
                .collect();
            report.unmatched_gold_rows = row_of.len();
            labels
        };
        report.gold_rows = labels.iter().flatten().count();
        if report.gold_rows == 0 {
            bail!(Data: "{source}: no gold label matches a data row");
        }
        Ok((labels, report))
    }
}

/// `(right, compared)`: how many of `labels` equal `gold` among rows that have both.
pub(crate) fn agreement<'a>(
    labels: impl Iterator<Item = Option<&'a str>>,
    gold: &[Option<String>],
) -> (usize, usize) {
    let mut right = 0;
    let mut compared = 0;
    for (label, gold) in labels.zip(gold) {
        if let (Some(l), Some(g)) = (label, gold.as_deref()) {
            compared += 1;
            right += usize::from(l == g);
        }
    }
    (right, compared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_key_in_any_order_or_by_position() {
        let data = df!("id" => [10i64, 20, 30], "x" => [1, 2, 3]).unwrap();
        let gold = df!("id" => [30i64, 10, 99], "y" => [Some("b"), Some("a"), Some("c")]).unwrap();
        let spec = GoldSpec {
            file: "gold.csv".into(),
            column: None,
            key: vec!["id".into()],
        };
        let (labels, report) = spec.match_frame(&data, &gold, "gold.csv", "label").unwrap();
        assert_eq!(labels, [Some("a".into()), None, Some("b".into())]);
        assert_eq!((report.gold_rows, report.unmatched_gold_rows), (2, 1));
        assert_eq!(report.column, "y");

        let by_position = GoldSpec {
            key: vec![],
            ..spec.clone()
        };
        let gold = df!("y" => [Some("a"), None, Some("c")]).unwrap();
        let (labels, report) = by_position
            .match_frame(&data, &gold, "gold.csv", "label")
            .unwrap();
        assert_eq!(labels, [Some("a".into()), None, Some("c".into())]);
        assert_eq!(report.matched_by, "row position");
        let short = df!("y" => ["a"]).unwrap();
        let err = by_position
            .match_frame(&data, &short, "gold.csv", "label")
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("gold.csv has 1 gold rows but the data has 3 rows"),
            "{err}"
        );

        let twice = df!("id" => [10i64, 10], "y" => ["a", "b"]).unwrap();
        let err = spec
            .match_frame(&data, &twice, "gold.csv", "label")
            .unwrap_err();
        assert!(
            err.to_string().contains("the key id=10 appears twice"),
            "{err}"
        );
    }
}
