//! Runs side by side: their fields, parameters and metrics, with the rows that differ marked.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::record::{Run, RunId};

/// Which part of a run a [`ComparisonRow`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// What every run has: command, status, model, data, seed, version, commit.
    Run,
    /// A parameter (a flag of the command).
    Param,
    /// A metric.
    Metric,
}

/// One name across the compared runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// Field, parameter or metric.
    pub section: Section,
    /// Its name.
    pub name: String,
    /// Its value in each run, in the order of [`Comparison::runs`] (`None`: the run has none).
    pub values: Vec<Option<String>>,
    /// Whether the values are not all the same (a value missing in one run counts as
    /// different).
    pub differs: bool,
}

/// Runs side by side ([`compare`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The compared runs, in the order given.
    pub runs: Vec<RunId>,
    /// The run fields, then the parameters, then the metrics, each by name.
    pub rows: Vec<ComparisonRow>,
}

/// `runs` side by side: their command, status, model, data, seed, crisp version and git
/// commit, then every parameter and every metric that any of them has, each row marked when
/// the runs differ. Times (start, duration) are left out: they always differ.
pub fn compare(runs: &[Run]) -> Comparison {
    let mut rows = Vec::new();
    let mut push = |section, name: &str, values: Vec<Option<String>>| {
        let differs = values.windows(2).any(|w| w[0] != w[1]);
        rows.push(ComparisonRow {
            section,
            name: name.to_string(),
            values,
            differs,
        });
    };
    type Getter = fn(&Run) -> Option<String>;
    let fields: [(&str, Getter); 10] = [
        ("command", |r| Some(r.record.command.clone())),
        ("status", |r| Some(r.record.status.to_string())),
        ("model", |r| r.record.model.clone()),
        ("verdict", |r| r.record.verdict.clone()),
        ("data", |r| r.record.data.as_ref().map(|f| f.path.clone())),
        ("data_fingerprint", |r| {
            r.record.data.as_ref().map(|f| f.fingerprint.clone())
        }),
        ("seed", |r| r.record.seed.map(|s| s.to_string())),
        ("crisp_version", |r| Some(r.record.crisp_version.clone())),
        ("git_commit", |r| r.record.git_commit.clone()),
        ("artifact", |r| {
            r.record.artifact.as_ref().map(|f| f.path.clone())
        }),
    ];
    for (name, get) in fields {
        let values: Vec<Option<String>> = runs.iter().map(get).collect();
        if values.iter().any(Option::is_some) {
            push(Section::Run, name, values);
        }
    }
    let params: BTreeSet<&String> = runs.iter().flat_map(|r| r.record.params.keys()).collect();
    for name in params {
        let values = runs
            .iter()
            .map(|r| r.record.params.get(name.as_str()).and_then(param_text))
            .collect();
        push(Section::Param, name, values);
    }
    let metrics: BTreeSet<&String> = runs.iter().flat_map(|r| r.record.metrics.keys()).collect();
    for name in metrics {
        let values = runs
            .iter()
            .map(|r| r.record.metrics.get(name.as_str()).map(|v| number_text(*v)))
            .collect();
        push(Section::Metric, name, values);
    }
    Comparison {
        runs: runs.iter().map(|r| r.id).collect(),
        rows,
    }
}

impl Comparison {
    /// The comparison as a text table: one column per run, `*` before each row whose values
    /// differ, `-` where a run has no value.
    pub fn table(&self) -> String {
        let head: Vec<String> = self.runs.iter().map(|id| format!("run {id}")).collect();
        let label = |r: &ComparisonRow| {
            let prefix = match r.section {
                Section::Run => "",
                Section::Param => "param ",
                Section::Metric => "metric ",
            };
            format!("{prefix}{}", r.name)
        };
        let name_width = self.rows.iter().map(|r| label(r).len()).max().unwrap_or(0);
        let mut widths: Vec<usize> = head.iter().map(String::len).collect();
        for row in &self.rows {
            for (w, v) in widths.iter_mut().zip(&row.values) {
                *w = (*w).max(v.as_deref().unwrap_or("-").chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |mark: &str, name: &str, cells: Vec<&str>| {
            let mut text = format!("{mark} {name:<name_width$}");
            for (cell, w) in cells.iter().zip(&widths) {
                let pad = w.saturating_sub(cell.chars().count());
                text.push_str("  ");
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(" ", "", head.iter().map(String::as_str).collect());
        for row in &self.rows {
            line(
                if row.differs { "*" } else { " " },
                &label(row),
                row.values
                    .iter()
                    .map(|v| v.as_deref().unwrap_or("-"))
                    .collect(),
            );
        }
        out
    }
}

fn param_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// A metric with every digit it has (`0.8523`, `3012.5`), the same as JSON writes it.
fn number_text(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RunRecord;

    fn run(id: u64, depth: i64, accuracy: f64, extra_metric: bool) -> Run {
        let mut record = RunRecord::new("train");
        record.model = Some("gbdt".into());
        record.seed = Some(7);
        record.params.insert("max_depth".into(), depth.into());
        record.params.insert("data".into(), "adult.csv".into());
        record.metrics.insert("accuracy".into(), accuracy);
        if extra_metric {
            record.metrics.insert("roc_auc".into(), 0.9);
        }
        Run {
            id: RunId(id),
            record,
        }
    }

    #[test]
    fn rows_that_differ_are_marked() {
        let c = compare(&[run(3, 4, 0.85, false), run(5, 6, 0.85, true)]);
        assert_eq!(c.runs, [RunId(3), RunId(5)]);
        let row = |section, name: &str| {
            c.rows
                .iter()
                .find(|r| r.section == section && r.name == name)
                .unwrap_or_else(|| panic!("no row {name}"))
                .clone()
        };
        let depth = row(Section::Param, "max_depth");
        assert_eq!(depth.values, [Some("4".into()), Some("6".into())]);
        assert!(depth.differs);
        assert!(!row(Section::Param, "data").differs);
        assert!(!row(Section::Metric, "accuracy").differs);
        let auc = row(Section::Metric, "roc_auc");
        assert_eq!(auc.values, [None, Some("0.9".into())]);
        assert!(auc.differs);
        assert!(!row(Section::Run, "model").differs);
        assert!(c.rows.iter().all(|r| r.name != "verdict"), "no run has one");

        let table = c.table();
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].contains("run 3") && lines[0].contains("run 5"),
            "{table}"
        );
        let depth_line = lines
            .iter()
            .find(|l| l.contains("param max_depth"))
            .unwrap();
        assert!(depth_line.starts_with('*'), "{table}");
        let acc_line = lines
            .iter()
            .find(|l| l.contains("metric accuracy"))
            .unwrap();
        assert!(acc_line.starts_with(' '), "{table}");
        let auc_line = lines.iter().find(|l| l.contains("metric roc_auc")).unwrap();
        assert!(
            auc_line.starts_with('*') && auc_line.contains(" - "),
            "{table}"
        );
    }
}
