//! Labeling by a join: the label of each input row is looked up by key in another file (a left
//! join: every input row kept, in order; unmatched rows stay unlabeled). Duplicate keys in the
//! label file are an error naming the key unless a policy picks one row per key.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::str::FromStr;

use crisp_core::{bail, read_table, require_column, Error, Hint, ReadOptions, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::keys::{key_texts, label_column, show, LabelColumn, Side};

/// How many example rows or keys a report lists.
const EXAMPLES: usize = 10;

/// What to do when a key appears more than once in the label file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Stop with an error naming the first duplicated key (the default).
    #[default]
    Error,
    /// Keep the first row of the key (file order).
    First,
    /// Keep the last row of the key.
    Last,
    /// Keep the most frequent label of the key (ties: the one seen first).
    Majority,
}

impl FromStr for OnDuplicate {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "error" => OnDuplicate::Error,
            "first" => OnDuplicate::First,
            "last" => OnDuplicate::Last,
            "majority" => OnDuplicate::Majority,
            _ => {
                bail!(Config: "unknown duplicate-key policy '{s}': use error, first, last or majority")
            }
        })
    }
}

/// Labels looked up by key in another file (CSV or Parquet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinSpec {
    /// The label file (CSV with a header, or Parquet).
    pub file: PathBuf,
    /// Key column(s), present in both files (`key = "id"` or `key = ["a", "b"]` in TOML).
    #[serde(deserialize_with = "crate::spec::one_or_many")]
    pub key: Vec<String>,
    /// The label column of the label file [default: a column named like the target, else the
    /// only column that is not a key].
    #[serde(default)]
    pub label_column: Option<String>,
    /// Duplicate-key policy.
    #[serde(default)]
    pub on_duplicate: OnDuplicate,
}

/// How a join labeling went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JoinReport {
    /// The label file.
    pub file: String,
    /// The key columns.
    pub keys: Vec<String>,
    /// The label column read from the label file.
    pub label_column: String,
    /// Input rows whose key was found in the label file.
    pub matched_rows: usize,
    /// Input rows whose key is not in the label file (or has an empty part).
    pub unmatched_rows: usize,
    /// The first unmatched input rows (1-based data row numbers, header not counted).
    pub unmatched_row_examples: Vec<usize>,
    /// Label-file rows whose key matches no input row.
    pub unused_label_rows: usize,
    /// The first keys of unused label rows.
    pub unused_label_examples: Vec<String>,
    /// Distinct keys that appear more than once in the label file.
    pub duplicate_keys: usize,
    /// The first duplicated keys.
    pub duplicate_key_examples: Vec<String>,
    /// The policy that resolved duplicates.
    pub on_duplicate: OnDuplicate,
    /// Matched input rows whose label cell is empty (they stay unlabeled).
    pub empty_labels: usize,
}

impl JoinSpec {
    /// The label of every row of `frame` from the label file, as a column named `target`
    /// (NULL where unmatched), and a report. The label file is CSV (UTF-8, comma-separated;
    /// tab-separated for `.tsv`) or Parquet (`.parquet`, `.pq`).
    pub fn apply(&self, frame: &DataFrame, target: &str) -> Result<(Column, JoinReport)> {
        self.apply_with(frame, target, &ReadOptions::default())
    }

    /// [`JoinSpec::apply`] with the label file read with `options` (a CSV dialect).
    pub fn apply_with(
        &self,
        frame: &DataFrame,
        target: &str,
        options: &ReadOptions,
    ) -> Result<(Column, JoinReport)> {
        let labels = read_table(&self.file, options)?.frame;
        self.apply_frame(frame, &labels, &self.file.display().to_string(), target)
    }

    /// Like [`JoinSpec::apply`] with the label file already read into `labels`; `source`
    /// names it in errors.
    pub fn apply_frame(
        &self,
        frame: &DataFrame,
        labels: &DataFrame,
        source: &str,
        target: &str,
    ) -> Result<(Column, JoinReport)> {
        let label_column = label_column(
            labels,
            source,
            LabelColumn {
                given: self.label_column.as_deref(),
                keys: &self.key,
                target,
                hint: Hint::NameTheLabelColumn,
            },
        )?;
        let (data_keys, label_keys) = key_texts(
            Side {
                frame,
                source: "the data",
            },
            Side {
                frame: labels,
                source,
            },
            &self.key,
        )?;
        let label_values = crate::sql::texts(require_column(labels, &label_column, source)?)?;

        // Label-file rows per key, in file order.
        let mut rows_of: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        for (row, key) in label_keys.iter().enumerate() {
            if let Some(key) = key.as_deref() {
                let rows = rows_of.entry(key).or_default();
                if rows.is_empty() {
                    order.push(key);
                }
                rows.push(row);
            }
        }
        let duplicated: Vec<&str> = order
            .iter()
            .copied()
            .filter(|k| rows_of[k].len() > 1)
            .collect();
        if let (Some(first), OnDuplicate::Error) = (duplicated.first(), self.on_duplicate) {
            let rows = &rows_of[first];
            let shown: Vec<String> = rows
                .iter()
                .take(EXAMPLES)
                .map(|r| (r + 1).to_string())
                .collect();
            return Err(Error::data(format!(
                "{source}: the key {} appears {} times (rows {}{})",
                show(&self.key, first),
                rows.len(),
                shown.join(", "),
                if rows.len() > EXAMPLES { ", ..." } else { "" }
            ))
            .file(source)
            .value(show(&self.key, first))
            .with_hint(Hint::ChooseOnDuplicate));
        }
        let chosen: HashMap<&str, usize> = rows_of
            .iter()
            .map(|(key, rows)| (*key, pick(rows, &label_values, self.on_duplicate)))
            .collect();

        let mut report = JoinReport {
            file: source.to_string(),
            keys: self.key.clone(),
            label_column: label_column.clone(),
            duplicate_keys: duplicated.len(),
            duplicate_key_examples: duplicated
                .iter()
                .take(EXAMPLES)
                .map(|k| show(&self.key, k))
                .collect(),
            on_duplicate: self.on_duplicate,
            ..JoinReport::default()
        };
        let mut take: Vec<Option<IdxSize>> = Vec::with_capacity(frame.height());
        let mut seen: HashSet<&str> = HashSet::new();
        for (row, key) in data_keys.iter().enumerate() {
            let hit = key.as_deref().and_then(|k| chosen.get(k).map(|&r| (k, r)));
            match hit {
                Some((k, r)) => {
                    seen.insert(k);
                    report.matched_rows += 1;
                    if label_values[r].is_none() {
                        report.empty_labels += 1;
                    }
                    take.push(Some(r as IdxSize));
                }
                None => {
                    report.unmatched_rows += 1;
                    if report.unmatched_row_examples.len() < EXAMPLES {
                        report.unmatched_row_examples.push(row + 1);
                    }
                    take.push(None);
                }
            }
        }
        for key in &label_keys {
            match key.as_deref() {
                Some(k) if seen.contains(k) => {}
                _ => {
                    report.unused_label_rows += 1;
                    if report.unused_label_examples.len() < EXAMPLES {
                        report.unused_label_examples.push(match key {
                            Some(k) => show(&self.key, k),
                            None => "(empty key)".to_string(),
                        });
                    }
                }
            }
        }
        let idx = IdxCa::from_iter_options("idx".into(), take.into_iter());
        let column = labels
            .column(&label_column)?
            .take(&idx)?
            .with_name(target.into());
        Ok((column, report))
    }
}

/// The label-file row kept for a key seen on `rows` (file order).
fn pick(rows: &[usize], labels: &[Option<String>], policy: OnDuplicate) -> usize {
    match policy {
        OnDuplicate::Error | OnDuplicate::First => rows[0],
        OnDuplicate::Last => rows[rows.len() - 1],
        OnDuplicate::Majority => {
            // label -> (count, first row); most votes wins, the earliest row breaks ties.
            let mut votes: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
            for &r in rows {
                if let Some(label) = labels[r].as_deref() {
                    let e = votes.entry(label).or_insert((0, r));
                    e.0 += 1;
                }
            }
            votes
                .values()
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                .map_or(rows[0], |&(_, first)| first)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(policy: OnDuplicate) -> JoinSpec {
        JoinSpec {
            file: "labels.csv".into(),
            key: vec!["id".into()],
            label_column: None,
            on_duplicate: policy,
        }
    }

    #[test]
    fn left_join_keeps_order_and_reports_both_sides() {
        let data = df!("id" => [Some(3i64), Some(1), Some(9), None], "x" => [1, 2, 3, 4]).unwrap();
        let labels = df!("id" => [1i64, 2, 3], "kind" => ["a", "b", "c"]).unwrap();
        let (col, report) = spec(OnDuplicate::Error)
            .apply_frame(&data, &labels, "labels.csv", "label")
            .unwrap();
        let got: Vec<Option<&str>> = col.str().unwrap().iter().collect();
        assert_eq!(got, [Some("c"), Some("a"), None, None]);
        assert_eq!(col.name().as_str(), "label");
        assert_eq!(report.label_column, "kind");
        assert_eq!((report.matched_rows, report.unmatched_rows), (2, 2));
        assert_eq!(report.unmatched_row_examples, [3, 4]);
        assert_eq!(report.unused_label_rows, 1);
        assert_eq!(report.unused_label_examples, ["id=2"]);
    }

    #[test]
    fn duplicate_keys_error_or_follow_the_policy() {
        let data = df!("id" => [1i64, 2]).unwrap();
        let labels = df!("id" => [1i64, 2, 1, 1], "kind" => ["a", "b", "z", "z"]).unwrap();
        let err = spec(OnDuplicate::Error)
            .apply_frame(&data, &labels, "labels.csv", "label")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "labels.csv: the key id=1 appears 3 times (rows 1, 3, 4); \
             set `on_duplicate` to first, last or majority to keep one"
        );
        assert_eq!(err.hint(), Some(crisp_core::Hint::ChooseOnDuplicate));
        assert_eq!(err.location().value.as_deref(), Some("id=1"));
        for (policy, want) in [
            (OnDuplicate::First, "a"),
            (OnDuplicate::Last, "z"),
            (OnDuplicate::Majority, "z"),
        ] {
            let (col, report) = spec(policy)
                .apply_frame(&data, &labels, "labels.csv", "label")
                .unwrap();
            assert_eq!(col.str().unwrap().get(0), Some(want), "{policy:?}");
            assert_eq!(report.duplicate_keys, 1);
        }
    }

    #[test]
    fn the_label_column_must_be_clear() {
        let data = df!("id" => [1i64]).unwrap();
        let labels = df!("id" => [1i64], "a" => ["x"], "b" => ["y"]).unwrap();
        let err = spec(OnDuplicate::Error)
            .apply_frame(&data, &labels, "labels.csv", "label")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("several columns besides the key (a, b)"),
            "{err}"
        );
        let (col, _) = spec(OnDuplicate::Error)
            .apply_frame(&data, &labels, "labels.csv", "b")
            .unwrap();
        assert_eq!(
            col.str().unwrap().get(0),
            Some("y"),
            "the column named like the target"
        );
    }
}
