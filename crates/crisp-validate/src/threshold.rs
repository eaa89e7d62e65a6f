//! Threshold gates: parsing `accuracy>=0.85`-style rules and checking metric values.
//!
//! Grammar (whitespace allowed between the parts):
//!
//! ```text
//! threshold := metric op target
//! metric    := name | kind "[" class "]"        kind: precision | recall | f1
//! op        := ">=" | "<=" | ">" | "<"
//! target    := number
//!            | "baseline"                        bound = baseline
//!            | "baseline" ("+" | "-") number     bound = baseline ± number (absolute)
//!            | "baseline" "*" number             bound = baseline + (number − 1)·|baseline|
//! ```
//!
//! The class name is everything between the first `[` and the last `]`, verbatim (it may
//! contain operators and spaces, as in `f1[>50K]`). The relative form uses `|baseline|` so
//! that a factor above 1 always loosens a `<=` bound upward and a factor below 1 lowers a
//! `>=` bound, even for a negative baseline (`r2>=baseline*0.98` with baseline −0.5 gives
//! −0.51).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Result, ValidateError};
use crate::evaluation::Evaluation;
use crate::metric::Metric;
use crate::task::Task;

/// A comparison operator: `observed op bound` must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `<`
    #[serde(rename = "<")]
    Lt,
}

impl Op {
    /// The operator's text.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
        }
    }

    /// Whether `observed op bound` holds (false if either is NaN).
    pub fn holds(self, observed: f64, bound: f64) -> bool {
        match self {
            Op::Ge => observed >= bound,
            Op::Gt => observed > bound,
            Op::Le => observed <= bound,
            Op::Lt => observed < bound,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The right-hand side of a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// A fixed number: `accuracy>=0.85`.
    Value {
        /// The bound.
        value: f64,
    },
    /// `baseline`, `baseline+x`, `baseline-x`: bound = baseline + offset (offset signed).
    BaselineOffset {
        /// Signed offset added to the baseline.
        offset: f64,
    },
    /// `baseline*f`: bound = baseline + (f − 1)·|baseline|.
    BaselineFactor {
        /// The factor `f`.
        factor: f64,
    },
}

impl Target {
    /// Whether the bound depends on a baseline value.
    pub fn needs_baseline(&self) -> bool {
        !matches!(self, Target::Value { .. })
    }

    /// The numeric bound, or `None` when it needs a baseline that is not given.
    pub fn resolve(&self, baseline: Option<f64>) -> Option<f64> {
        match (*self, baseline) {
            (Target::Value { value }, _) => Some(value),
            (Target::BaselineOffset { offset }, Some(b)) => Some(b + offset),
            (Target::BaselineFactor { factor }, Some(b)) => Some(b + (factor - 1.0) * b.abs()),
            (_, None) => None,
        }
    }
}

/// What to do with a baseline threshold when no baseline is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingBaseline {
    /// Report the check as [`CheckStatus::Skipped`].
    #[default]
    Skip,
    /// Fail with [`ValidateError::MissingBaseline`] ("needs a baseline model").
    Error,
}

/// A parsed threshold, e.g. `roc_auc>=baseline-0.005`.
///
/// Serializes as a struct that keeps the original `text`; deserializes from that struct
/// or from a plain string (`"accuracy>=0.85"`), re-parsing the text in both cases.
///
/// ```
/// use crisp_validate::{CheckStatus, Threshold};
/// let t: Threshold = "rmse <= baseline*1.02".parse().unwrap();
/// let out = t.check(101.0, Some(100.0));
/// assert_eq!(out.bound, Some(102.0));
/// assert_eq!(out.status, CheckStatus::Passed);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// The text it was parsed from (trimmed).
    pub text: String,
    /// Canonical metric name (`accuracy`, `f1[>50K]`).
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The right-hand side.
    pub target: Target,
}

/// The result of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// `observed op bound` holds.
    Passed,
    /// `observed op bound` does not hold.
    Failed,
    /// Not checked.
    Skipped {
        /// Why (e.g. no baseline).
        reason: String,
    },
}

/// A threshold checked against an observed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// Metric name.
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The threshold's original text.
    pub threshold: String,
    /// The observed metric value (or its bootstrap bound).
    pub observed: f64,
    /// The resolved numeric bound; `None` when skipped for lack of a baseline.
    pub bound: Option<f64>,
    /// The baseline value used, if any.
    pub baseline: Option<f64>,
    /// Passed, failed or skipped.
    pub status: CheckStatus,
}

impl CheckOutcome {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        self.status == CheckStatus::Passed
    }

    /// Whether the check failed (skipped checks neither pass nor fail).
    pub fn failed(&self) -> bool {
        self.status == CheckStatus::Failed
    }
}

impl Threshold {
    /// Whether checking needs a baseline value.
    pub fn needs_baseline(&self) -> bool {
        self.target.needs_baseline()
    }

    /// Whether a larger value of this threshold's metric is better.
    pub fn higher_is_better(&self) -> bool {
        Metric::higher_is_better(&self.metric)
    }

    /// The task the metric belongs to.
    pub fn task(&self) -> Task {
        Metric::task_of(&self.metric).expect("parsed thresholds name known metrics")
    }

    /// Rejects a metric of the other task.
    ///
    /// # Errors
    /// [`ValidateError::WrongTask`] naming the metric and listing `task`'s metrics.
    pub fn validate_for(&self, task: Task) -> Result<()> {
        let metric_task = self.task();
        if metric_task == task {
            Ok(())
        } else {
            Err(ValidateError::WrongTask {
                metric: self.metric.clone(),
                metric_task,
                task,
                valid: Metric::valid_names(task),
            })
        }
    }

    /// Checks `observed` against the bound; a baseline threshold without `baseline` is
    /// [`CheckStatus::Skipped`]. A NaN `observed` fails.
    pub fn check(&self, observed: f64, baseline: Option<f64>) -> CheckOutcome {
        let bound = self.target.resolve(baseline);
        let status = match bound {
            Some(b) if self.op.holds(observed, b) => CheckStatus::Passed,
            Some(_) => CheckStatus::Failed,
            None => CheckStatus::Skipped {
                reason: "no baseline given".to_string(),
            },
        };
        CheckOutcome {
            metric: self.metric.clone(),
            op: self.op,
            threshold: self.text.clone(),
            observed,
            bound,
            baseline: if self.needs_baseline() {
                baseline
            } else {
                None
            },
            status,
        }
    }

    /// As [`Threshold::check`], with a choice of what a missing baseline means.
    ///
    /// # Errors
    /// [`ValidateError::MissingBaseline`] when the threshold needs a baseline, none is
    /// given and `missing` is [`MissingBaseline::Error`].
    pub fn check_with(
        &self,
        observed: f64,
        baseline: Option<f64>,
        missing: MissingBaseline,
    ) -> Result<CheckOutcome> {
        if missing == MissingBaseline::Error && self.needs_baseline() && baseline.is_none() {
            return Err(ValidateError::MissingBaseline {
                threshold: self.text.clone(),
            });
        }
        Ok(self.check(observed, baseline))
    }

    /// Checks the metric of `current` against the same metric of `baseline`.
    ///
    /// # Errors
    /// Those of [`Evaluation::get`] (unknown or unavailable metric, in either evaluation)
    /// and of [`Threshold::check_with`].
    pub fn check_evaluation(
        &self,
        current: &Evaluation,
        baseline: Option<&Evaluation>,
        missing: MissingBaseline,
    ) -> Result<CheckOutcome> {
        self.validate_for(current.task)?;
        let observed = current.get(&self.metric)?;
        let base = match baseline {
            Some(b) if self.needs_baseline() => Some(b.get(&self.metric)?),
            _ => None,
        };
        self.check_with(observed, base, missing)
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Threshold {
    type Err = ValidateError;

    fn from_str(s: &str) -> Result<Self> {
        parse(s).map_err(|reason| ValidateError::InvalidThreshold {
            text: s.to_string(),
            reason,
            valid: Metric::all_valid_names(),
        })
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Full { text: String },
        }
        let text = match Repr::deserialize(d)? {
            Repr::Text(t) | Repr::Full { text: t } => t,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Parses a threshold, or says what is wrong with it.
fn parse(s: &str) -> std::result::Result<Threshold, String> {
    let text = s.trim();
    let name_len = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let name = text[..name_len].to_ascii_lowercase();
    if name.is_empty() {
        return Err("expected a metric name at the start".into());
    }
    let after_name = text[name_len..].trim_start();
    let (metric, rest) = if let Some(bracketed) = after_name.strip_prefix('[') {
        let close = bracketed
            .rfind(']')
            .ok_or_else(|| "`[` without a closing `]`".to_string())?;
        let class = &bracketed[..close];
        if class.is_empty() {
            return Err("empty class name in `[]`".into());
        }
        if !Metric::per_class_kinds().contains(&name.as_str()) {
            return Err(format!(
                "`{name}[...]` is not a per-class metric (use precision[..], recall[..] or f1[..])"
            ));
        }
        (format!("{name}[{class}]"), &bracketed[close + 1..])
    } else {
        if Metric::task_of(&name).is_none() {
            return Err(format!("unknown metric `{name}`"));
        }
        (name, after_name)
    };
    let rest = rest.trim_start();
    let (op, rhs) = [Op::Ge, Op::Le, Op::Gt, Op::Lt]
        .into_iter()
        .find_map(|op| rest.strip_prefix(op.as_str()).map(|r| (op, r.trim())))
        .ok_or_else(|| format!("expected one of >=, <=, >, < after `{metric}`, found `{rest}`"))?;
    let target = parse_target(rhs)?;
    Ok(Threshold {
        text: text.to_string(),
        metric,
        op,
        target,
    })
}

fn parse_number(s: &str) -> std::result::Result<f64, String> {
    let s = s.trim();
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("`{s}` is not a finite number")),
    }
}

fn parse_target(rhs: &str) -> std::result::Result<Target, String> {
    if rhs.is_empty() {
        return Err("missing the value after the operator".into());
    }
    let lower = rhs.to_ascii_lowercase();
    let Some(after) = lower.strip_prefix("baseline") else {
        return parse_number(rhs).map(|value| Target::Value { value });
    };
    let after = after.trim_start();
    let unsigned = |s: &str| {
        let s = s.trim();
        if s.starts_with(['+', '-']) {
            Err(format!("`{s}`: write the change without a second sign"))
        } else {
            parse_number(s)
        }
    };
    match after.chars().next() {
        None => Ok(Target::BaselineOffset { offset: 0.0 }),
        Some('+') => unsigned(&after[1..]).map(|x| Target::BaselineOffset { offset: x }),
        Some('-') => unsigned(&after[1..]).map(|x| Target::BaselineOffset { offset: -x }),
        Some('*') => match unsigned(&after[1..])? {
            f if f > 0.0 => Ok(Target::BaselineFactor { factor: f }),
            f => Err(format!("the baseline factor must be positive, got {f}")),
        },
        Some(_) => Err(format!(
            "expected `baseline`, `baseline+x`, `baseline-x` or `baseline*x`, found `{rhs}`"
        )),
    }
}
