//! The whole validation gate: data checks, then metric thresholds on all rows and per slice,
//! against a baseline model, on the point value or a bootstrap confidence bound, giving one
//! [`Verdict`].
//!
//! A [`Gate`] says what to check; [`Gate::check`] takes the [`Scores`] of the model (and of the
//! baseline, on the same rows), the [`DataCheck`]s already made on the new data (schema and
//! drift, see [`crate::datacheck`]) and, when the gate is sliced, the slice value of every row.
//! The verdict passes when no data check and no threshold check fails (skipped checks do not
//! fail). Slices smaller than the minimum row count are reported, not gated.
//!
//! ```
//! use crisp_validate::{Gate, Scores, Threshold};
//!
//! let classes = vec!["no".to_string(), "yes".to_string()];
//! let truth = vec![0, 1, 1, 0, 1, 0, 1, 1];
//! let model = Scores::classification(truth.clone(), vec![0, 1, 1, 0, 1, 0, 0, 1], None, classes.clone());
//! let baseline = Scores::classification(truth, vec![0, 1, 0, 0, 0, 0, 0, 1], None, classes);
//! let region = ["north", "north", "north", "north", "south", "south", "south", "south"]
//!     .map(String::from);
//!
//! let gate = Gate::new(vec![
//!     "accuracy>=0.8".parse::<Threshold>()?,
//!     "accuracy>=baseline".parse()?,
//! ])
//! .slice("region", 4);
//! let verdict = gate.check(Vec::new(), &model, Some(&baseline), Some(&region))?;
//! // On all rows the model is right 7 times in 8, the baseline 5 times.
//! assert!(verdict.checks.iter().all(|c| c.outcome.passed()));
//! // In the south it is right 3 times in 4: below 0.8, so the gate fails.
//! let south = &verdict.slices[1];
//! assert_eq!((south.value.as_str(), south.rows, south.passed), ("south", 4, false));
//! assert!(!verdict.passed);
//! assert!(verdict.markdown("gate").contains("slice region=south"));
//! # Ok::<(), crisp_validate::ValidateError>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bootstrap::bootstrap_bound;
use crate::datacheck::{data_gate_passed, DataCheck, DataGate};
use crate::error::{Result, ValidateError};
use crate::evaluation::Evaluation;
use crate::render::{junit_xml, markdown, GateRecord};
use crate::scores::Scores;
use crate::task::Task;
use crate::threshold::{CheckOutcome, CheckStatus, MissingBaseline, Threshold};

/// The default number of bootstrap resamples.
pub const DEFAULT_RESAMPLES: usize = 1000;

/// Rows sharing a value of one column, gated separately.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceSpec {
    /// The column whose values define the slices.
    pub column: String,
    /// Slices with fewer rows are reported but not gated.
    pub min_rows: usize,
}

/// A one-sided bootstrap bound used in place of the point value of every metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// Confidence of the bound, strictly between 0 and 1 (0.95: the 5th percentile of a
    /// higher-is-better metric must clear the threshold).
    pub confidence: f64,
    /// Number of resamples (at least 1).
    pub resamples: usize,
    /// Seed of the resampling.
    pub seed: u64,
}

/// What the gate checks. Build it with [`Gate::new`] and the builder methods, then
/// [`Gate::check`] scores.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gate {
    /// Metric thresholds, checked on all rows and on every gated slice.
    pub thresholds: Vec<Threshold>,
    /// Limits of the data checks (see [`DataGate`]).
    pub data: DataGate,
    /// Slices to gate separately.
    pub slice: Option<SliceSpec>,
    /// Check bootstrap bounds instead of point values.
    pub bootstrap: Option<Bootstrap>,
    /// What a threshold relative to a baseline does when there is no baseline.
    pub missing_baseline: MissingBaseline,
}

/// One threshold's outcome on a set of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCheck {
    /// The outcome.
    #[serde(flatten)]
    pub outcome: CheckOutcome,
    /// The point value, when the gate checked a bootstrap bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<f64>,
    /// Why the metric could not be computed (the check then fails).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The checks of one slice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SliceVerdict {
    /// The slicing column.
    pub column: String,
    /// The slice's value (`(missing)` for rows without one).
    pub value: String,
    /// Rows in the slice.
    pub rows: usize,
    /// False when the slice is too small to gate (reported only).
    pub gated: bool,
    /// Whether every check of the slice passed.
    pub passed: bool,
    /// Every metric of the slice.
    pub metrics: BTreeMap<String, f64>,
    /// The threshold checks (none when not gated).
    pub checks: Vec<ModelCheck>,
}

/// The outcome of every check of a gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether no check failed.
    pub passed: bool,
    /// Checks of the data against the training statistics, run before the model checks.
    pub data_checks: Vec<DataCheck>,
    /// The thresholds on all rows.
    pub checks: Vec<ModelCheck>,
    /// The thresholds per slice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slices: Vec<SliceVerdict>,
}

/// Rows evaluated together: all of them or one slice, with the baseline on the same rows.
struct Scope {
    scores: Scores,
    evaluation: Evaluation,
    baseline: Option<Evaluation>,
}

impl Gate {
    /// A gate on `thresholds`, with no data limits, slices or bootstrap; thresholds relative
    /// to a baseline are skipped when no baseline is given.
    pub fn new(thresholds: Vec<Threshold>) -> Self {
        Gate {
            thresholds,
            ..Gate::default()
        }
    }

    /// With the data-check limits `data`.
    pub fn data_limits(mut self, data: DataGate) -> Self {
        self.data = data;
        self
    }

    /// Gating every slice of `column` with at least `min_rows` rows as well.
    pub fn slice(mut self, column: impl Into<String>, min_rows: usize) -> Self {
        self.slice = Some(SliceSpec {
            column: column.into(),
            min_rows,
        });
        self
    }

    /// Checking the one-sided bootstrap bound at `confidence` (from `resamples` resamples
    /// drawn with `seed`) instead of the point value.
    pub fn bootstrap(mut self, confidence: f64, resamples: usize, seed: u64) -> Self {
        self.bootstrap = Some(Bootstrap {
            confidence,
            resamples,
            seed,
        });
        self
    }

    /// With `missing` deciding what a baseline threshold does without a baseline.
    pub fn missing_baseline(mut self, missing: MissingBaseline) -> Self {
        self.missing_baseline = missing;
        self
    }

    /// Whether a threshold compares against a baseline.
    pub fn needs_baseline(&self) -> bool {
        self.thresholds.iter().any(Threshold::needs_baseline)
    }

    /// Checks the gate itself before any data is read: every threshold's metric belongs to
    /// `task`, the data limits are finite and non-negative, the bootstrap confidence is in
    /// (0, 1) and it has at least one resample.
    ///
    /// # Errors
    /// [`ValidateError::WrongTask`], or [`ValidateError::InvalidInput`] naming the setting.
    pub fn validate(&self, task: Task) -> Result<()> {
        for t in &self.thresholds {
            t.validate_for(task)?;
        }
        self.data.validate()?;
        if let Some(b) = &self.bootstrap {
            if !(b.confidence > 0.0 && b.confidence < 1.0) {
                return Err(ValidateError::InvalidInput(format!(
                    "the bootstrap confidence must be between 0 and 1 (exclusive), got {}",
                    b.confidence
                )));
            }
            if b.resamples == 0 {
                return Err(ValidateError::InvalidInput(
                    "the bootstrap needs at least 1 resample, got 0".into(),
                ));
            }
        }
        Ok(())
    }

    /// The verdict of the gate on `scores` (and `baseline`'s scores on the same rows), after
    /// the `data_checks` already made on the data. `slice_values` gives the slice of every
    /// row when the gate is sliced.
    ///
    /// # Errors
    /// Those of [`Gate::validate`]; [`ValidateError::InvalidInput`] when the scores are
    /// inconsistent, the baseline's rows or task differ, or the slice values are missing or of
    /// another length; [`ValidateError::MissingBaseline`] when a threshold needs a baseline,
    /// none is given and the gate says so. A metric that cannot be computed is not an error:
    /// its check fails with the reason.
    pub fn check(
        &self,
        data_checks: Vec<DataCheck>,
        scores: &Scores,
        baseline: Option<&Scores>,
        slice_values: Option<&[String]>,
    ) -> Result<Verdict> {
        self.validate(scores.task())?;
        if let Some(b) = baseline {
            if b.rows() != scores.rows() || b.task() != scores.task() {
                return Err(ValidateError::InvalidInput(format!(
                    "the baseline's scores ({} rows, {}) do not match the model's ({} rows, {})",
                    b.rows(),
                    b.task(),
                    scores.rows(),
                    scores.task()
                )));
            }
        } else if self.missing_baseline == MissingBaseline::Error {
            if let Some(t) = self.thresholds.iter().find(|t| t.needs_baseline()) {
                return Err(ValidateError::MissingBaseline {
                    threshold: t.text.clone(),
                });
            }
        }
        let whole = Scope {
            scores: scores.clone(),
            evaluation: scores.evaluate()?,
            baseline: baseline.map(Scores::evaluate).transpose()?,
        };
        let checks = self.check_scope(&whole)?;
        let slices = match &self.slice {
            Some(spec) => {
                let values = slice_values.ok_or_else(|| {
                    ValidateError::InvalidInput(format!(
                        "the gate is sliced by '{}' but no slice values were given",
                        spec.column
                    ))
                })?;
                self.check_slices(spec, values, scores, baseline)?
            }
            None => Vec::new(),
        };
        let passed = data_gate_passed(&data_checks)
            && checks.iter().all(|c| !c.outcome.failed())
            && slices.iter().all(|s| s.passed);
        Ok(Verdict {
            passed,
            data_checks,
            checks,
            slices,
        })
    }

    fn check_slices(
        &self,
        spec: &SliceSpec,
        values: &[String],
        scores: &Scores,
        baseline: Option<&Scores>,
    ) -> Result<Vec<SliceVerdict>> {
        if values.len() != scores.rows() {
            return Err(ValidateError::InvalidInput(format!(
                "{} slice values for {} rows",
                values.len(),
                scores.rows()
            )));
        }
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (row, v) in values.iter().enumerate() {
            groups.entry(v.as_str()).or_default().push(row);
        }
        let mut results = Vec::with_capacity(groups.len());
        for (value, rows) in groups {
            let subset = scores.subset(&rows);
            let scope = Scope {
                evaluation: subset.evaluate()?,
                scores: subset,
                baseline: baseline.map(|b| b.subset(&rows).evaluate()).transpose()?,
            };
            let gated = rows.len() >= spec.min_rows;
            let checks = if gated {
                self.check_scope(&scope)?
            } else {
                Vec::new()
            };
            results.push(SliceVerdict {
                column: spec.column.clone(),
                value: value.to_string(),
                rows: rows.len(),
                gated,
                passed: checks.iter().all(|c| !c.outcome.failed()),
                metrics: scope.evaluation.metrics.clone(),
                checks,
            });
        }
        Ok(results)
    }

    fn check_scope(&self, scope: &Scope) -> Result<Vec<ModelCheck>> {
        self.thresholds
            .iter()
            .map(|t| self.check_one(t, scope))
            .collect()
    }

    fn check_one(&self, threshold: &Threshold, scope: &Scope) -> Result<ModelCheck> {
        let unavailable = |reason: String| ModelCheck {
            outcome: CheckOutcome {
                metric: threshold.metric.clone(),
                op: threshold.op,
                threshold: threshold.text.clone(),
                observed: f64::NAN,
                bound: None,
                baseline: None,
                status: CheckStatus::Failed,
            },
            point: None,
            reason: Some(reason),
        };
        let point = match scope.evaluation.get(&threshold.metric) {
            Ok(v) => v,
            Err(ValidateError::Unavailable { reason, .. }) => return Ok(unavailable(reason)),
            Err(e) => return Err(e),
        };
        let base = match &scope.baseline {
            Some(b) if threshold.needs_baseline() => match b.get(&threshold.metric) {
                Ok(v) => Some(v),
                Err(ValidateError::Unavailable { reason, .. }) => {
                    return Ok(unavailable(format!(
                        "the baseline's {}: {reason}",
                        threshold.metric
                    )))
                }
                Err(e) => return Err(e),
            },
            _ => None,
        };
        let observed = match &self.bootstrap {
            None => point,
            Some(b) => match bootstrap_bound(
                &threshold.metric,
                &scope.scores.input(),
                b.confidence,
                b.resamples,
                b.seed,
            ) {
                Ok(bound) => bound,
                Err(e) => return Ok(unavailable(e.to_string())),
            },
        };
        Ok(ModelCheck {
            outcome: threshold.check(observed, base),
            point: self.bootstrap.map(|_| point),
            reason: None,
        })
    }
}

impl Verdict {
    /// The verdict of data checks that broke the input schema (a missing column, text where
    /// numbers were read): the model cannot run, so no threshold is checked and the gate fails.
    pub fn schema_failure(data_checks: Vec<DataCheck>) -> Self {
        Verdict {
            passed: false,
            data_checks,
            checks: Vec::new(),
            slices: Vec::new(),
        }
    }

    /// Whether the data checks broke the input schema (see [`Verdict::schema_failure`]).
    pub fn schema_broken(data_checks: &[DataCheck]) -> bool {
        data_checks
            .iter()
            .any(|c| c.failed() && matches!(c.check.as_str(), "missing_column" | "dtype_change"))
    }

    /// Every check as a report record: the data checks (group `data`), the thresholds on all
    /// rows (`model`), then each gated slice's (`slice column=value`).
    pub fn records(&self) -> Vec<GateRecord> {
        let mut records: Vec<GateRecord> = self
            .data_checks
            .iter()
            .map(|c| GateRecord::from_data_check("data", c))
            .collect();
        records.extend(self.checks.iter().map(|c| c.record("model")));
        for s in &self.slices {
            let group = format!("slice {}={}", s.column, s.value);
            records.extend(s.checks.iter().map(|c| c.record(&group)));
        }
        records
    }

    /// The verdict as JUnit XML (one test suite per group of checks).
    pub fn junit_xml(&self, suite_name: &str) -> String {
        junit_xml(suite_name, &self.records())
    }

    /// The verdict as a Markdown pull-request comment titled `title`.
    pub fn markdown(&self, title: &str) -> String {
        markdown(title, self.passed, &self.records())
    }

    /// Number of threshold checks (all rows and slices) and how many failed, counting failed
    /// data checks among the failures.
    pub fn counts(&self) -> (usize, usize) {
        let model_checks = self
            .checks
            .iter()
            .chain(self.slices.iter().flat_map(|s| &s.checks));
        let n = model_checks.clone().count();
        let failed = model_checks.filter(|c| c.outcome.failed()).count()
            + self.data_checks.iter().filter(|c| c.failed()).count();
        (n, failed)
    }
}

impl ModelCheck {
    /// The check as a report record of `group`.
    pub fn record(&self, group: &str) -> GateRecord {
        let mut r = GateRecord::from_outcome(group, &self.outcome);
        if let Some(reason) = &self.reason {
            r.message = format!("{} could not be computed: {reason}", self.outcome.metric);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(pred: &[usize]) -> Scores {
        let truth = vec![0, 1, 1, 0, 1, 0, 1, 1];
        Scores::classification(truth, pred.to_vec(), None, vec!["no".into(), "yes".into()])
    }

    #[test]
    fn baseline_thresholds_compare_with_the_baseline_on_the_same_rows() {
        let model = scores(&[0, 1, 1, 0, 1, 0, 0, 1]); // 7/8
        let base = scores(&[0, 1, 1, 0, 1, 0, 1, 1]); // 8/8
        let gate = Gate::new(vec!["accuracy>=baseline-0.1".parse().unwrap()]);
        let v = gate.check(Vec::new(), &model, Some(&base), None).unwrap();
        assert!(!v.passed);
        assert_eq!(v.checks[0].outcome.baseline, Some(1.0));
        let skipped = gate.check(Vec::new(), &model, None, None).unwrap();
        assert!(skipped.passed, "skipped checks do not fail");
        let strict = gate.clone().missing_baseline(MissingBaseline::Error);
        assert!(matches!(
            strict.check(Vec::new(), &model, None, None),
            Err(ValidateError::MissingBaseline { .. })
        ));
    }

    #[test]
    fn small_slices_are_reported_not_gated() {
        let model = scores(&[0, 1, 1, 0, 0, 1, 0, 0]);
        let values: Vec<String> = ["a", "a", "a", "a", "a", "a", "b", "b"]
            .map(String::from)
            .to_vec();
        let gate = Gate::new(vec!["accuracy>=0.6".parse().unwrap()]).slice("g", 3);
        let v = gate.check(Vec::new(), &model, None, Some(&values)).unwrap();
        let b = &v.slices[1];
        assert_eq!((b.rows, b.gated, b.passed), (2, false, true));
        assert_eq!(b.metrics["accuracy"], 0.0);
        assert!(v.slices[0].gated);
        assert_eq!(v.records().len(), 2); // all rows + slice a
    }

    #[test]
    fn a_bootstrap_without_resamples_is_refused_up_front() {
        let gate = Gate::new(vec!["accuracy>=0.5".parse().unwrap()]).bootstrap(0.95, 0, 1);
        let err = gate.validate(Task::Classification).unwrap_err();
        assert!(err.to_string().contains("at least 1 resample"), "{err}");
        let gate = Gate::new(Vec::new()).bootstrap(1.5, 10, 1);
        assert!(gate.validate(Task::Classification).is_err());
    }

    #[test]
    fn the_bootstrap_bound_is_checked_and_the_point_kept() {
        let model = scores(&[0, 1, 1, 0, 1, 0, 0, 1]);
        let gate = Gate::new(vec!["accuracy>=0.8".parse().unwrap()]).bootstrap(0.9, 200, 3);
        let v = gate.check(Vec::new(), &model, None, None).unwrap();
        let c = &v.checks[0];
        assert_eq!(c.point, Some(0.875));
        assert!(c.outcome.observed < 0.875);
        assert!(!v.passed);
    }
}
