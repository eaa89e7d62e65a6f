//! `crisp validate`: evaluate a model on labeled data and gate on thresholds.
//! Exit 0 when every check holds, 1 when one fails, 2 on an error.

use std::process::ExitCode;

use crisp_artifact::{rewrite_header, Artifact, Blessing};
use crisp_core::{bail, read_csv, Error, Result};
use crisp_train::Scored;
use crisp_validate::{bootstrap_bound, CheckOutcome, CheckStatus, Threshold, ValidateError};
use serde::Serialize;
use serde_json::json;

use crate::cli::ValidateArgs;
use crate::config::PipelineConfig;
use crate::report::{evaluation_fields, format_metric, metrics_table, write_json};

/// The outcome of every check.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub passed: bool,
    pub checks: Vec<Check>,
}

/// One threshold's outcome; `reason` says why a metric could not be computed.
#[derive(Debug, Serialize)]
pub struct Check {
    #[serde(flatten)]
    pub outcome: CheckOutcome,
    /// The point value when the gate used a bootstrap bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Verdict {
    pub fn exit_code(&self) -> ExitCode {
        if self.passed {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        }
    }
}

fn config_error(e: ValidateError) -> Error {
    Error::Config(e.to_string())
}

pub fn run(args: &ValidateArgs) -> Result<Verdict> {
    let artifact = Artifact::read(&args.model)?;
    let task = artifact.header.task;
    let mut texts = args.thresholds.clone();
    if let Some(path) = &args.config {
        texts.extend(PipelineConfig::load(path)?.thresholds());
    }
    let thresholds = texts
        .iter()
        .map(|t| {
            let parsed: Threshold = t.parse().map_err(config_error)?;
            parsed.validate_for(task).map_err(config_error)?;
            Ok(parsed)
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(c) = args.confidence {
        if !(c > 0.0 && c < 1.0) {
            bail!(Config: "--confidence must be between 0 and 1 (exclusive), got {c}");
        }
    }

    let data = read_csv(&args.data)?;
    let source = args.data.display().to_string();
    let scored = artifact.model.evaluate(&data.frame, &source)?;

    let baseline = match &args.baseline {
        Some(path) => {
            let base = Artifact::read(path)?;
            if base.header.task != task || base.header.target != artifact.header.target {
                bail!(
                    Config: "--baseline {} predicts '{}' ({}), the model predicts '{}' ({}): they cannot be compared",
                    path.display(), base.header.target, base.header.task, artifact.header.target, task
                );
            }
            Some(base.model.evaluate(&data.frame, &source)?)
        }
        None => {
            if let Some(t) = thresholds.iter().find(|t| t.needs_baseline()) {
                if !args.allow_missing_baseline {
                    bail!(
                        Config: "threshold '{}' compares against a baseline: give --baseline <ARTIFACT>, or --allow-missing-baseline to skip such checks on a first deployment",
                        t.text
                    );
                }
            }
            None
        }
    };

    let checks: Vec<Check> = thresholds
        .iter()
        .map(|t| check_one(t, &artifact, &scored, baseline.as_ref(), args))
        .collect::<Result<_>>()?;
    let passed = checks.iter().all(|c| !c.outcome.failed());
    let verdict = Verdict { passed, checks };

    print_verdict(&verdict, &scored, args, &source);
    if let Some(path) = &args.report {
        let mut report = json!({
            "passed": verdict.passed,
            "model": args.model.display().to_string(),
            "data": source,
            "data_fingerprint": data.fingerprint,
            "task": task.to_string(),
            "rows": scored.rows,
            "rows_dropped_missing_target": scored.rows_missing_target,
            "confidence": args.confidence,
            "checks": verdict.checks,
        });
        if let Some(b) = &baseline {
            report["baseline"] = json!({
                "model": args.baseline.as_ref().map(|p| p.display().to_string()),
                "metrics": b.evaluation.metrics,
            });
        }
        report
            .as_object_mut()
            .unwrap()
            .extend(evaluation_fields(&scored.evaluation));
        write_json(path, &report)?;
    }
    if args.bless {
        let mut header = artifact.header.clone();
        header.blessing = Some(Blessing {
            passed: verdict.passed,
            thresholds: texts.clone(),
            data_fingerprint: data.fingerprint.clone(),
            at_unix: super::now_unix(),
        });
        rewrite_header(&args.model, &header)?;
        if verdict.passed {
            println!("blessed {}", args.model.display());
        } else {
            println!(
                "recorded the failed verdict in {}: it is not blessed",
                args.model.display()
            );
        }
    }
    Ok(verdict)
}

fn check_one(
    threshold: &Threshold,
    artifact: &Artifact,
    scored: &Scored,
    baseline: Option<&Scored>,
    args: &ValidateArgs,
) -> Result<Check> {
    let unavailable = |reason: String| Check {
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
    let point = match scored.evaluation.get(&threshold.metric) {
        Ok(v) => v,
        Err(ValidateError::Unavailable { reason, .. }) => return Ok(unavailable(reason)),
        Err(e) => return Err(config_error(e)),
    };
    let base = match baseline {
        Some(b) if threshold.needs_baseline() => match b.evaluation.get(&threshold.metric) {
            Ok(v) => Some(v),
            Err(ValidateError::Unavailable { reason, .. }) => {
                return Ok(unavailable(format!(
                    "the baseline's {}: {reason}",
                    threshold.metric
                )))
            }
            Err(e) => return Err(config_error(e)),
        },
        _ => None,
    };
    let observed = match args.confidence {
        None => point,
        Some(confidence) => {
            let input = artifact
                .model
                .eval_input(&scored.truth, &scored.predictions)?;
            match bootstrap_bound(
                &threshold.metric,
                &input,
                confidence,
                args.resamples,
                args.seed,
            ) {
                Ok(bound) => bound,
                Err(e) => return Ok(unavailable(e.to_string())),
            }
        }
    };
    Ok(Check {
        outcome: threshold.check(observed, base),
        point: args.confidence.map(|_| point),
        reason: None,
    })
}

fn print_verdict(verdict: &Verdict, scored: &Scored, args: &ValidateArgs, source: &str) {
    println!(
        "validated {} on {} ({} rows{})",
        args.model.display(),
        source,
        scored.rows,
        if scored.rows_missing_target > 0 {
            format!(", {} without a target skipped", scored.rows_missing_target)
        } else {
            String::new()
        }
    );
    print!("{}", metrics_table(&scored.evaluation, "  "));
    if verdict.checks.is_empty() {
        println!("no thresholds given: nothing was gated");
        return;
    }
    let observed_label = match args.confidence {
        Some(c) => format!("{:.0}% bound", c * 100.0),
        None => "observed".to_string(),
    };
    let width = verdict
        .checks
        .iter()
        .map(|c| c.outcome.threshold.len())
        .max()
        .unwrap_or(5)
        .max(5);
    println!(
        "{:<width$}  {:>12}  {:>12}  result",
        "check", observed_label, "bound"
    );
    for c in &verdict.checks {
        let o = &c.outcome;
        let result = match &o.status {
            CheckStatus::Passed => "PASS".to_string(),
            CheckStatus::Failed => match &c.reason {
                Some(r) => format!("FAIL ({r})"),
                None => "FAIL".to_string(),
            },
            CheckStatus::Skipped { reason } => format!("SKIP ({reason})"),
        };
        let observed = if o.observed.is_nan() {
            "-".into()
        } else {
            format_metric(o.observed)
        };
        let bound = o.bound.map_or("-".into(), format_metric);
        println!(
            "{:<width$}  {observed:>12}  {bound:>12}  {result}",
            o.threshold
        );
    }
    let n_failed = verdict.checks.iter().filter(|c| c.outcome.failed()).count();
    if verdict.passed {
        println!("verdict: PASS ({} checks)", verdict.checks.len());
    } else {
        println!(
            "verdict: FAIL ({n_failed} of {} checks failed)",
            verdict.checks.len()
        );
    }
}
