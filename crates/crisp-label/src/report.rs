//! What a labeling produced: class balance and unlabeled rows, and for labeling functions
//! Snorkel's per-function figures (coverage, overlap, conflict), the pairwise conflict matrix
//! and, with gold labels, empirical accuracies. Serializes to the JSON report; `table()` is the
//! text shown on stdout.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::gold::GoldReport;
use crate::join::JoinReport;
use crate::lf::LabelMatrix;
use crate::vote::{Combine, TiePolicy};

/// How a labeling went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelReport {
    /// Rows in the input.
    pub rows: usize,
    /// Rows that received a label.
    pub labeled: usize,
    /// Rows left without a label.
    pub unlabeled: usize,
    /// Rows per label value (class balance).
    pub classes: BTreeMap<String, usize>,
    /// `rule`, `buckets`, `join` or `labeling functions`.
    #[serde(default)]
    pub method: String,
    /// The SQL that made the labels (a rule, or the CASE generated for buckets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Join labeling: matches, unmatched rows on both sides, duplicate keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<JoinReport>,
    /// Labeling functions: per-function figures and how they were combined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<LfReport>,
    /// Gold labels: how they matched and the result's accuracy on them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gold: Option<GoldReport>,
}

/// Labeling functions and their combination.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LfReport {
    /// How the votes were combined.
    pub combine: Combine,
    /// What a tied vote did (majority and weighted votes).
    pub tie_policy: TiePolicy,
    /// One entry per function, in declaration order.
    pub stats: Vec<LfStats>,
    /// `conflict_matrix[a][b]`: share of rows where functions `a` and `b` both voted and
    /// disagree (symmetric, 0 on the diagonal).
    pub conflict_matrix: Vec<Vec<f64>>,
    /// Rows with votes that the combination left unlabeled on a tie (or labeled by the tie
    /// policy).
    pub ties: usize,
    /// Rows where every function abstained.
    pub no_votes: usize,
    /// The fitted label model, with `combine = label_model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_model: Option<LabelModelSummary>,
}

/// The label model's fit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelModelSummary {
    /// EM rounds run.
    pub iterations: usize,
    /// Whether it settled before the round limit.
    pub converged: bool,
    /// The learned class prior.
    pub prior: BTreeMap<String, f64>,
    /// The seed of the initial jitter.
    pub seed: u64,
}

/// One labeling function's figures (shares are of all rows, as in Snorkel's `LFAnalysis`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LfStats {
    /// The function's name.
    pub name: String,
    /// Its SQL.
    pub sql: String,
    /// Rows it labeled.
    pub votes: usize,
    /// Share of rows it labeled.
    pub coverage: f64,
    /// Share of rows it labeled and at least one other function labeled too.
    pub overlap: f64,
    /// Share of rows it labeled and at least one other function gave a different label.
    pub conflict: f64,
    /// Its votes per label.
    pub labels: BTreeMap<String, usize>,
    /// Its weight in a weighted vote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// Its accuracy as the label model estimates it (no ground truth used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_accuracy: Option<f64>,
    /// Gold-labeled rows it voted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gold_votes: Option<usize>,
    /// Share of those where it agrees with the gold label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
}

impl LabelReport {
    /// Rows, labeled rows and class balance of `labels`, made by `method`.
    pub fn count(labels: &[Option<String>], method: &str) -> LabelReport {
        let mut classes = BTreeMap::new();
        for v in labels.iter().flatten() {
            *classes.entry(v.clone()).or_insert(0usize) += 1;
        }
        let labeled: usize = classes.values().sum();
        LabelReport {
            rows: labels.len(),
            labeled,
            unlabeled: labels.len() - labeled,
            classes,
            method: method.to_string(),
            ..LabelReport::default()
        }
    }

    /// The report as text tables: class balance, then the join, the labeling functions with
    /// their conflict matrix, and the gold comparison when present.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let none = if self.unlabeled > 0 {
            "(none)".len()
        } else {
            0
        };
        let width = self
            .classes
            .keys()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max(5)
            .max(none);
        let _ = writeln!(out, "  {:<width$} {:>8} {:>7}", "class", "rows", "share");
        let share = |n: usize| percent(n as f64 / self.rows.max(1) as f64);
        for (class, n) in &self.classes {
            let _ = writeln!(out, "  {class:<width$} {n:>8} {:>7}", share(*n));
        }
        if self.unlabeled > 0 {
            let _ = writeln!(
                out,
                "  {:<width$} {:>8} {:>7}",
                "(none)",
                self.unlabeled,
                share(self.unlabeled)
            );
        }
        if let Some(sql) = &self.sql {
            let _ = writeln!(out, "sql: {sql}");
        }
        if let Some(join) = &self.join {
            let _ = writeln!(
                out,
                "join on {} with {} (column '{}'): {} rows matched, {} input rows unmatched{}, {} label rows unused{}, {} duplicate keys{}",
                join.keys.join(", "),
                join.file,
                join.label_column,
                join.matched_rows,
                join.unmatched_rows,
                examples(&join.unmatched_row_examples),
                join.unused_label_rows,
                examples(&join.unused_label_examples),
                join.duplicate_keys,
                if join.duplicate_keys > 0 {
                    format!(" (kept by policy '{:?}')", join.on_duplicate).to_lowercase()
                } else {
                    String::new()
                }
            );
        }
        if let Some(f) = &self.functions {
            self.function_table(f, &mut out);
        }
        if let Some(g) = &self.gold {
            let _ = writeln!(
                out,
                "gold: {} rows of {} (column '{}', matched by {}), {} labeled by the result, accuracy {}{}",
                g.gold_rows,
                g.file,
                g.column,
                g.matched_by,
                g.labeled_gold_rows,
                g.accuracy.map_or("-".into(), percent),
                if g.unmatched_gold_rows > 0 {
                    format!("; gold rows matching no data row: {}", g.unmatched_gold_rows)
                } else {
                    String::new()
                }
            );
        }
        out
    }

    fn function_table(&self, f: &LfReport, out: &mut String) {
        let how = match f.combine {
            Combine::Majority => "majority vote",
            Combine::Weighted => "weighted vote",
            Combine::LabelModel => "label model",
        };
        let _ = writeln!(
            out,
            "labeling functions ({how}; {} rows without a vote, {} tied)",
            f.no_votes, f.ties
        );
        let w = f
            .stats
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(0)
            .max(8);
        let _ = writeln!(
            out,
            "  {:<w$} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  labels",
            "function", "coverage", "overlap", "conflict", "accuracy", "est.acc", "weight"
        );
        for s in &f.stats {
            let labels: Vec<String> = s.labels.iter().map(|(l, n)| format!("{l}:{n}")).collect();
            let _ = writeln!(
                out,
                "  {:<w$} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  {}",
                s.name,
                percent(s.coverage),
                percent(s.overlap),
                percent(s.conflict),
                s.accuracy.map_or("-".into(), percent),
                s.estimated_accuracy.map_or("-".into(), percent),
                s.weight.map_or("-".into(), |w| format!("{w:.3}")),
                labels.join(" ")
            );
        }
        if f.stats.len() > 1 {
            let _ = writeln!(
                out,
                "pairwise conflicts (share of rows where both vote and disagree)"
            );
            let _ = write!(out, "  {:<w$}", "");
            for s in &f.stats {
                let _ = write!(out, " {:>8}", clip(&s.name, 8));
            }
            out.push('\n');
            for (a, row) in f.conflict_matrix.iter().enumerate() {
                let _ = write!(out, "  {:<w$}", f.stats[a].name);
                for (b, v) in row.iter().enumerate() {
                    let cell = if a == b { "-".into() } else { percent(*v) };
                    let _ = write!(out, " {cell:>8}");
                }
                out.push('\n');
            }
        }
    }
}

/// Coverage, overlap, conflict of each function and the pairwise conflict matrix.
pub fn lf_stats(matrix: &LabelMatrix, sql: &[String]) -> (Vec<LfStats>, Vec<Vec<f64>>) {
    let m = matrix.functions();
    let n = matrix.rows().max(1) as f64;
    let mut votes = vec![0usize; m];
    let mut overlaps = vec![0usize; m];
    let mut conflicts = vec![0usize; m];
    let mut pairs = vec![vec![0usize; m]; m];
    let mut labels = vec![BTreeMap::new(); m];
    let mut voters: Vec<(usize, usize)> = Vec::with_capacity(m);
    for row in &matrix.votes {
        voters.clear();
        voters.extend(
            row.iter()
                .enumerate()
                .filter_map(|(j, v)| v.map(|c| (j, c))),
        );
        for &(j, c) in &voters {
            votes[j] += 1;
            *labels[j].entry(matrix.classes[c].clone()).or_insert(0usize) += 1;
            if voters.len() > 1 {
                overlaps[j] += 1;
            }
            let mut disagrees = false;
            for &(k, d) in &voters {
                if k != j && d != c {
                    disagrees = true;
                    pairs[j][k] += 1;
                }
            }
            conflicts[j] += usize::from(disagrees);
        }
    }
    let stats = (0..m)
        .map(|j| LfStats {
            name: matrix.names[j].clone(),
            sql: sql.get(j).cloned().unwrap_or_default(),
            votes: votes[j],
            coverage: votes[j] as f64 / n,
            overlap: overlaps[j] as f64 / n,
            conflict: conflicts[j] as f64 / n,
            labels: std::mem::take(&mut labels[j]),
            ..LfStats::default()
        })
        .collect();
    let matrix = pairs
        .iter()
        .map(|row| row.iter().map(|&c| c as f64 / n).collect())
        .collect();
    (stats, matrix)
}

fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

fn examples<T: ToString>(items: &[T]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = items.iter().map(T::to_string).collect();
    format!(" (e.g. {})", shown.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snorkel_figures_on_a_hand_counted_matrix() {
        // rows:     f    g    h
        //   0       a    a    b     f,g,h overlap; f,g conflict with h
        //   1       a    -    -     f alone
        //   2       -    b    b     g,h overlap, agree
        //   3       -    -    -
        let s = |x: &str| Some(x.to_string());
        let cols = vec![
            vec![s("a"), s("a"), None, None],
            vec![s("a"), None, s("b"), None],
            vec![s("b"), None, s("b"), None],
        ];
        let m = LabelMatrix::from_labels(vec!["f".into(), "g".into(), "h".into()], &cols);
        let (stats, conflicts) = lf_stats(&m, &[]);
        let got: Vec<(f64, f64, f64)> = stats
            .iter()
            .map(|s| (s.coverage, s.overlap, s.conflict))
            .collect();
        assert_eq!(got, [(0.5, 0.25, 0.25), (0.5, 0.5, 0.25), (0.5, 0.5, 0.25)]);
        assert_eq!(conflicts[0], [0.0, 0.0, 0.25]);
        assert_eq!(conflicts[2], [0.25, 0.25, 0.0]);
        assert_eq!(stats[2].labels["b"], 2);
    }
}
