//! The `[label]` section of the pipeline TOML (and what `crisp label` builds from its flags):
//! one way to label — a rule, buckets, a join or labeling functions — and the target it makes.

use std::collections::BTreeMap;

use crisp_core::{bail, ensure, Error, Hint, ReadOptions, Result};
use polars::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};

use crate::buckets::Buckets;
use crate::gold::{agreement, GoldSpec};
use crate::join::JoinSpec;
use crate::label_model::LabelModel;
use crate::lf::{LabelMatrix, LabelingFunction};
use crate::report::{lf_stats, LabelModelSummary, LabelReport, LfReport};
use crate::rule::Rule;
use crate::sql::texts;
use crate::vote::{weighted_vote, weights_from_accuracy, Combine, Decision, TiePolicy};

/// A declared labeling step: exactly one of `rule`, `buckets`, `join` or labeling functions
/// (`lfs` and/or `[[label.lf]]`), and the target column it creates.
///
/// Files (`join.file`, `gold.file`) are read relative to the working directory. `crisp train`
/// applies the step to each file it labels (the training data, and `--test-data` if given),
/// so gold labels matched by row position only fit a run on the gold file's own data.
///
/// ```toml
/// [label]
/// target = "survived"
/// lfs = { female = "CASE WHEN Sex = 'female' THEN 1 END", third = "CASE WHEN Pclass = 3 THEN 0 END" }
/// combine = "label_model"      # majority (default) | weighted | label_model
/// seed = 7
/// gold = { file = "gold.csv", column = "Survived", key = "PassengerId" }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSpec {
    /// Target column to create.
    pub target: String,
    /// SQL expression giving the label (NULL = unlabeled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Buckets of a numeric column (fixed edges or quantiles), turned into a `CASE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buckets: Option<Buckets>,
    /// Labels looked up by key in another file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<JoinSpec>,
    /// Labeling functions as `name = "SQL"` (taken in name order, after `lf`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lfs: BTreeMap<String, String>,
    /// Labeling functions as `[[label.lf]]` tables (`name`, `sql`, optional `weight`), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lf: Vec<LabelingFunction>,
    /// How labeling functions' votes are combined.
    #[serde(default)]
    pub combine: Combine,
    /// What a tied majority or weighted vote does.
    #[serde(default)]
    pub tie_policy: TiePolicy,
    /// Weights of a weighted vote, by function name (default: learned from `gold`, else 1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub weights: BTreeMap<String, f64>,
    /// Gold labels: per-function and result accuracy, and weights for a weighted vote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gold: Option<GoldSpec>,
    /// Seed of the label model's initialization.
    #[serde(default)]
    pub seed: u64,
    /// How the join and gold files are read (a CSV dialect; not part of the TOML: the
    /// `crisp` command sets it from its flags).
    #[serde(skip)]
    pub read: ReadOptions,
}

/// A labeled column with, per row, what produced the label and how sure it is.
struct Labeled {
    column: Column,
    source: Vec<Option<String>>,
    confidence: Vec<Option<f64>>,
    report: LabelReport,
}

impl LabelSpec {
    /// A step creating `target` with nothing to label it yet (set one of the fields).
    pub fn new(target: impl Into<String>) -> Self {
        LabelSpec {
            target: target.into(),
            rule: None,
            buckets: None,
            join: None,
            lfs: BTreeMap::new(),
            lf: Vec::new(),
            combine: Combine::default(),
            tie_policy: TiePolicy::default(),
            weights: BTreeMap::new(),
            gold: None,
            seed: 0,
            read: ReadOptions::default(),
        }
    }

    /// The name of the target column this step creates.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The labeling functions: `lf` in order, then `lfs` in name order.
    pub fn functions(&self) -> Vec<LabelingFunction> {
        let mut all = self.lf.clone();
        all.extend(
            self.lfs
                .iter()
                .map(|(name, sql)| LabelingFunction::new(name.clone(), sql.clone())),
        );
        all
    }

    /// Label `frame`: every row and column kept in order, the target appended (NULL where
    /// nothing labeled the row).
    pub fn apply(&self, frame: &DataFrame) -> Result<(DataFrame, LabelReport)> {
        let labeled = self.label(frame, false)?;
        let mut out = frame.clone();
        out.with_column(labeled.column)?;
        Ok((out, labeled.report))
    }

    /// Like [`LabelSpec::apply`], with two more columns: `<target>_source` (the rule, the
    /// labeling functions that voted for the label joined by `+`, or `join`) and
    /// `<target>_confidence` (1 for a rule or join, the vote share, or the label model's
    /// posterior).
    pub fn apply_explained(&self, frame: &DataFrame) -> Result<(DataFrame, LabelReport)> {
        let labeled = self.label(frame, true)?;
        let mut out = frame.clone();
        out.with_column(labeled.column)?;
        out.with_column(Column::new(
            format!("{}_source", self.target).into(),
            labeled.source,
        ))?;
        out.with_column(Column::new(
            format!("{}_confidence", self.target).into(),
            labeled.confidence,
        ))?;
        Ok((out, labeled.report))
    }

    fn label(&self, frame: &DataFrame, explain: bool) -> Result<Labeled> {
        ensure!(!self.target.is_empty(), Config: "the target name is empty");
        let mut outputs = vec![self.target.clone()];
        if explain {
            outputs.push(format!("{}_source", self.target));
            outputs.push(format!("{}_confidence", self.target));
        }
        for name in &outputs {
            if frame.column(name).is_ok() {
                bail!(Config: "the data already has a column named '{name}'; choose another target name");
            }
        }
        let functions = self.functions();
        let mut ways = Vec::new();
        if self.rule.is_some() {
            ways.push("a rule");
        }
        if self.buckets.is_some() {
            ways.push("buckets");
        }
        if self.join.is_some() {
            ways.push("a join");
        }
        if !functions.is_empty() {
            ways.push("labeling functions");
        }
        match ways.len() {
            0 => {
                return Err(Error::config(
                    "nothing to label with: give a rule, buckets, a join or labeling functions",
                )
                .with_hint(Hint::GiveALabelSource));
            }
            1 => {}
            _ => bail!(Config: "give one way to label, not {}", ways.join(" and ")),
        }
        if functions.is_empty() {
            ensure!(
                self.combine == Combine::Majority && self.weights.is_empty() && self.tie_policy == TiePolicy::Abstain,
                Config: "combine, weights and the tie policy apply to labeling functions only"
            );
        }
        let gold = match &self.gold {
            Some(g) => Some(g.load_with(frame, &self.target, &self.read)?),
            None => None,
        };
        let mut labeled = if let Some(sql) = &self.rule {
            self.by_rule(frame, &Rule::new(sql.clone(), self.target.clone()), "rule")?
        } else if let Some(buckets) = &self.buckets {
            self.by_rule(frame, &buckets.rule(frame, &self.target)?, "buckets")?
        } else if let Some(join) = &self.join {
            let (column, report) = join.apply_with(frame, &self.target, &self.read)?;
            let labels = texts(&column)?;
            ensure!(
                labels.iter().any(Option::is_some),
                Data: "the join with {} labels no row: none of the data's keys ({}) is in it with a label",
                report.file,
                report.keys.join(", ")
            );
            let mut labeled = certain(column, &labels, "join");
            labeled.report.join = Some(report);
            labeled
        } else {
            self.by_functions(frame, &functions, gold.as_ref().map(|g| g.0.as_slice()))?
        };
        if let Some((gold, mut report)) = gold {
            let labels = texts(&labeled.column)?;
            let (right, compared) = agreement(labels.iter().map(|l| l.as_deref()), &gold);
            report.labeled_gold_rows = compared;
            report.accuracy = (compared > 0).then(|| right as f64 / compared as f64);
            labeled.report.gold = Some(report);
        }
        Ok(labeled)
    }

    fn by_rule(&self, frame: &DataFrame, rule: &Rule, method: &str) -> Result<Labeled> {
        let (out, report) = rule.apply(frame)?;
        let column = out.column(&self.target)?.clone();
        let labels = texts(&column)?;
        let mut labeled = certain(column, &labels, method);
        labeled.report.sql = report.sql;
        Ok(labeled)
    }

    fn by_functions(
        &self,
        frame: &DataFrame,
        functions: &[LabelingFunction],
        gold: Option<&[Option<String>]>,
    ) -> Result<Labeled> {
        let matrix = LabelMatrix::build(frame, functions)?;
        let sql: Vec<String> = functions.iter().map(|f| f.sql.clone()).collect();
        let (mut stats, conflict_matrix) = lf_stats(&matrix, &sql);
        let mut gold_counts = None;
        if let Some(gold) = gold {
            let counts: Vec<(usize, usize)> = (0..matrix.functions())
                .map(|j| {
                    let votes = matrix
                        .votes
                        .iter()
                        .map(|row| row[j].map(|c| matrix.classes[c].as_str()));
                    agreement(votes, gold)
                })
                .collect();
            for (s, &(right, n)) in stats.iter_mut().zip(&counts) {
                s.gold_votes = Some(n);
                s.accuracy = (n > 0).then(|| right as f64 / n as f64);
            }
            gold_counts = Some(counts);
        }
        let weighted = self.combine == Combine::Weighted;
        ensure!(
            weighted || (self.weights.is_empty() && functions.iter().all(|f| f.weight.is_none())),
            Config: "weights apply to combine = weighted, not {}",
            self.combine
        );
        ensure!(
            self.combine != Combine::LabelModel || self.tie_policy == TiePolicy::Abstain,
            Config: "the tie policy applies to majority and weighted votes, not to the label model"
        );
        for name in self.weights.keys() {
            ensure!(
                matrix.names.contains(name),
                Config: "a weight is given for '{name}', which is not a labeling function (they are: {})",
                matrix.names.join(", ")
            );
        }
        let mut summary = None;
        let decisions: Vec<Decision> = match self.combine {
            Combine::Majority => {
                weighted_vote(&matrix, &vec![1.0; matrix.functions()], &self.tie_policy)
            }
            Combine::Weighted => {
                let learned = gold_counts
                    .as_ref()
                    .map(|c| weights_from_accuracy(&matrix, c));
                let weights: Vec<f64> = functions
                    .iter()
                    .enumerate()
                    .map(|(j, f)| {
                        f.weight
                            .or_else(|| self.weights.get(&f.name).copied())
                            .or_else(|| learned.as_ref().map(|l| l[j]))
                            .unwrap_or(1.0)
                    })
                    .collect();
                for (f, w) in functions.iter().zip(&weights) {
                    ensure!(w.is_finite() && *w >= 0.0, Config: "labeling function '{}' has weight {w}: weights are numbers >= 0", f.name);
                }
                for (s, w) in stats.iter_mut().zip(&weights) {
                    s.weight = Some(*w);
                }
                weighted_vote(&matrix, &weights, &self.tie_policy)
            }
            Combine::LabelModel => {
                let model = LabelModel::fit(&matrix, self.seed);
                for (s, a) in stats.iter_mut().zip(model.estimated_accuracy()) {
                    s.estimated_accuracy = Some(a);
                }
                summary = Some(LabelModelSummary {
                    iterations: model.iterations,
                    converged: model.converged,
                    prior: model
                        .classes
                        .iter()
                        .cloned()
                        .zip(model.prior.iter().copied())
                        .collect(),
                    seed: self.seed,
                });
                model.predict(&matrix)
            }
        };
        let labels: Vec<Option<String>> = decisions.iter().map(|d| d.label.clone()).collect();
        let mut report = LabelReport::count(&labels, "labeling functions");
        if report.labeled == 0 {
            return Err(Error::data(format!(
                "the labeling functions ({}) label no row: every row has no vote or a tied vote",
                matrix.names.join(", ")
            ))
            .with_hint(Hint::TiePolicy));
        }
        let source = decisions
            .iter()
            .zip(&matrix.votes)
            .map(|(d, row)| {
                let label = d.label.as_deref()?;
                let names: Vec<&str> = row
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_some_and(|c| matrix.classes[c] == label))
                    .map(|(j, _)| matrix.names[j].as_str())
                    .collect();
                Some(if names.is_empty() {
                    "tie-policy".to_string()
                } else {
                    names.join("+")
                })
            })
            .collect();
        report.functions = Some(LfReport {
            combine: self.combine,
            tie_policy: self.tie_policy.clone(),
            stats,
            conflict_matrix,
            ties: decisions.iter().filter(|d| d.tie).count(),
            no_votes: matrix
                .votes
                .iter()
                .filter(|r| r.iter().all(Option::is_none))
                .count(),
            label_model: summary,
        });
        let mut column = Column::new(self.target.as_str().into(), &labels);
        if let Some(dtype) = matrix.dtype.as_ref().filter(|d| **d != DataType::String) {
            if let Ok(cast) = column.strict_cast(dtype) {
                column = cast;
            }
        }
        Ok(Labeled {
            column,
            source,
            confidence: decisions.iter().map(|d| d.confidence).collect(),
            report,
        })
    }
}

/// A labeling where every label is certain (a rule or a join): confidence 1, source `method`.
fn certain(column: Column, labels: &[Option<String>], method: &str) -> Labeled {
    Labeled {
        source: labels
            .iter()
            .map(|l| l.as_ref().map(|_| method.to_string()))
            .collect(),
        confidence: labels.iter().map(|l| l.as_ref().map(|_| 1.0)).collect(),
        report: LabelReport::count(labels, method),
        column,
    }
}

/// `key = "id"` or `key = ["a", "b"]`.
pub(crate) fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

impl LabelSpec {
    /// Resolve relative file paths (`join.file`, `gold.file`) against `base`, the directory of
    /// the TOML file that declared them, so a config works from any working directory.
    pub fn resolve_paths(&mut self, base: &std::path::Path) {
        let resolve = |file: &mut std::path::PathBuf| {
            if file.is_relative() {
                *file = base.join(&*file);
            }
        };
        if let Some(join) = &mut self.join {
            resolve(&mut join.file);
        }
        if let Some(gold) = &mut self.gold {
            resolve(&mut gold.file);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<LabelSpec, toml::de::Error> {
        toml::from_str(text)
    }

    #[test]
    fn every_toml_form_parses() {
        let old = parse("rule = \"CASE WHEN q >= 7 THEN 'good' END\"\ntarget = \"grade\"").unwrap();
        assert_eq!(old.target(), "grade");
        assert!(old.rule.is_some() && old.functions().is_empty());

        let lfs = parse(
            r#"
target = "y"
combine = "weighted"
tie_policy = "first"
weights = { b = 2.0 }
seed = 3
lfs = { b = "CASE WHEN x > 1 THEN 'p' END", a = "CASE WHEN x < 0 THEN 'n' END" }
gold = { file = "gold.csv", key = "id" }

[[lf]]
name = "z"
sql = "CASE WHEN x = 0 THEN 'n' END"
weight = 0.5
"#,
        )
        .unwrap();
        let names: Vec<String> = lfs.functions().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["z", "a", "b"], "[[lf]] first, then lfs by name");
        assert_eq!(lfs.combine, Combine::Weighted);
        assert_eq!(lfs.tie_policy, TiePolicy::First);
        assert_eq!(lfs.gold.as_ref().unwrap().key, ["id"]);

        let join = parse(
            "target = \"kind\"\njoin = { file = \"l.csv\", key = [\"a\", \"b\"], on_duplicate = \"majority\" }",
        )
        .unwrap();
        let join = join.join.unwrap();
        assert_eq!(join.key, ["a", "b"]);
        assert_eq!(join.on_duplicate, crate::OnDuplicate::Majority);

        let buckets = parse(
            "target = \"band\"\nbuckets = { column = \"price\", quantiles = [0.33, 0.66], labels = [\"lo\", \"mid\", \"hi\"] }",
        )
        .unwrap();
        assert_eq!(buckets.buckets.unwrap().quantiles, [0.33, 0.66]);

        let err = parse("target = \"y\"\nrules = \"x\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `rules`"), "{err}");
        let err = parse("target = \"y\"\ncombine = \"vote\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown variant `vote`"), "{err}");
    }

    #[test]
    fn one_way_to_label_and_explained_columns() {
        let df = df!("x" => [0i64, 2, -1, 5]).unwrap();
        let mut spec = LabelSpec::new("y");
        let err = spec.apply(&df).unwrap_err().to_string();
        assert!(err.starts_with("nothing to label with"), "{err}");
        spec.rule = Some("CASE WHEN x > 1 THEN 'p' END".into());
        spec.lfs
            .insert("neg".into(), "CASE WHEN x < 0 THEN 'n' END".into());
        let err = spec.apply(&df).unwrap_err().to_string();
        assert_eq!(
            err,
            "give one way to label, not a rule and labeling functions"
        );
        spec.rule = None;
        spec.lfs
            .insert("pos".into(), "CASE WHEN x > 1 THEN 'p' END".into());
        spec.lfs.insert(
            "big".into(),
            "CASE WHEN x > 4 THEN 'p' WHEN x > 1 THEN 'n' END".into(),
        );
        let (out, report) = spec.apply_explained(&df).unwrap();
        assert_eq!(
            out.get_column_names(),
            ["x", "y", "y_source", "y_confidence"]
        );
        let y: Vec<Option<&str>> = out.column("y").unwrap().str().unwrap().iter().collect();
        // row 1: big says n, pos says p: a tie; row 3: both say p.
        assert_eq!(y, [None, None, Some("n"), Some("p")]);
        let source = out.column("y_source").unwrap();
        assert_eq!(source.str().unwrap().get(3), Some("big+pos"));
        let functions = report.functions.unwrap();
        assert_eq!((functions.ties, functions.no_votes), (1, 1));
        let err = spec.apply(&out).unwrap_err().to_string();
        assert!(err.contains("already has a column named 'y'"), "{err}");
    }
}
