//! `crisp validate`: evaluate a model on labeled data and gate on thresholds, on the whole
//! data and per slice. Exit 0 when every check holds, 1 when one fails, 2 on an error.

use std::process::ExitCode;

use crisp_artifact::{rewrite_header, Artifact, Blessing};
use crisp_core::{bail, read_csv, require_column, Error, Result, Schema};
use crisp_train::{drift_of, FittedModel, Predictions, Scored, TargetValues};
use crisp_validate::{
    bootstrap_bound, check_schema, data_gate_passed, junit_xml, markdown, CheckOutcome,
    CheckStatus, DataCheck, DataGate, Evaluation, GateRecord, Threshold, ValidateError,
};
use polars::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::cli::ValidateArgs;
use crate::config::PipelineConfig;
use crate::report::{evaluation_fields, format_metric, metrics_table, write_json};

/// The outcome of every check.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub passed: bool,
    /// Checks of the data against the training statistics, run before the model checks.
    pub data_checks: Vec<DataCheck>,
    pub checks: Vec<Check>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slices: Vec<SliceResult>,
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

/// The checks of one slice (rows sharing a value of the --slice column).
#[derive(Debug, Serialize)]
pub struct SliceResult {
    pub column: String,
    pub value: String,
    pub rows: usize,
    /// False when the slice is too small to gate (reported only).
    pub gated: bool,
    pub passed: bool,
    pub metrics: std::collections::BTreeMap<String, f64>,
    pub checks: Vec<Check>,
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

/// Rows to evaluate together: the whole data or one slice, with the baseline's predictions
/// for the same rows.
struct Scope<'a> {
    model: &'a FittedModel,
    truth: TargetValues,
    predictions: Predictions,
    evaluation: Evaluation,
    baseline: Option<Evaluation>,
}

impl<'a> Scope<'a> {
    fn whole(model: &'a FittedModel, scored: &Scored, baseline: Option<&Scored>) -> Self {
        Scope {
            model,
            truth: scored.truth.clone(),
            predictions: scored.predictions.clone(),
            evaluation: scored.evaluation.clone(),
            baseline: baseline.map(|b| b.evaluation.clone()),
        }
    }

    fn subset(
        model: &'a FittedModel,
        scored: &Scored,
        baseline: Option<(&FittedModel, &Scored)>,
        rows: &[usize],
    ) -> Result<Self> {
        let truth = scored.truth.subset(rows);
        let predictions = scored.predictions.subset(rows);
        let evaluation = model.score(&truth, &predictions)?;
        let baseline = match baseline {
            Some((b, s)) => Some(b.score(&truth, &s.predictions.subset(rows))?),
            None => None,
        };
        Ok(Scope {
            model,
            truth,
            predictions,
            evaluation,
            baseline,
        })
    }
}

pub fn run(args: &ValidateArgs) -> Result<Verdict> {
    let artifact = Artifact::read(&args.model)?;
    let task = artifact.header.task;
    let mut texts = args.thresholds.clone();
    let mut config_gate = DataGate::default();
    if let Some(path) = &args.config {
        let config = PipelineConfig::load(path)?;
        texts.extend(config.thresholds());
        if let Some(v) = config.validate {
            config_gate = v.data;
        }
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

    // Flags override the [validate.data] limits of the config file.
    let gate = DataGate {
        max_psi: args.max_psi.or(config_gate.max_psi),
        max_null_rate_increase: args
            .max_null_rate_increase
            .or(config_gate.max_null_rate_increase),
        max_unseen_category_rate: args
            .max_unseen_category_rate
            .or(config_gate.max_unseen_category_rate),
        max_out_of_range_rate: args
            .max_out_of_range_rate
            .or(config_gate.max_out_of_range_rate),
        max_ks: args.max_ks.or(config_gate.max_ks),
    };
    gate.validate().map_err(config_error)?;

    let data = read_csv(&args.data)?;
    let source = args.data.display().to_string();
    if let Some(column) = &args.slice {
        require_column(&data.frame, column, &source)?;
    }
    let data_checks = data_checks(&artifact, &data.frame, &gate)?;
    let schema_broken = data_checks
        .iter()
        .any(|c| c.failed() && matches!(c.check.as_str(), "missing_column" | "dtype_change"));
    if schema_broken {
        // Without its input columns, or with text where it reads numbers, the model cannot
        // run: the data checks fail the gate and the model checks are not run.
        let verdict = Verdict {
            passed: false,
            data_checks,
            checks: Vec::new(),
            slices: Vec::new(),
        };
        print_data_checks(&verdict.data_checks);
        println!("verdict: FAIL (the data does not match the model's input schema; model checks not run)");
        write_outputs(
            args,
            &verdict,
            json!({"passed": false, "model": args.model.display().to_string(), "data": source, "data_checks": verdict.data_checks}),
        )?;
        return Ok(verdict);
    }
    let scored = artifact.model.evaluate(&data.frame, &source)?;

    let baseline_artifact = match &args.baseline {
        Some(path) => {
            let base = Artifact::read(path)?;
            if base.header.task != task || base.header.target != artifact.header.target {
                bail!(
                    Config: "--baseline {} predicts '{}' ({}), the model predicts '{}' ({}): they cannot be compared",
                    path.display(), base.header.target, base.header.task, artifact.header.target, task
                );
            }
            Some(base)
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
    let baseline_scored = match &baseline_artifact {
        Some(b) => Some(b.model.evaluate(&data.frame, &source)?),
        None => None,
    };

    let whole = Scope::whole(&artifact.model, &scored, baseline_scored.as_ref());
    let checks = check_scope(&thresholds, &whole, args)?;
    let slices = match &args.slice {
        Some(column) => slice_results(
            column,
            &thresholds,
            &artifact.model,
            &scored,
            baseline_artifact
                .as_ref()
                .map(|b| &b.model)
                .zip(baseline_scored.as_ref()),
            args,
        )?,
        None => Vec::new(),
    };
    let passed = data_gate_passed(&data_checks)
        && checks.iter().all(|c| !c.outcome.failed())
        && slices.iter().all(|s| s.passed);
    let verdict = Verdict {
        passed,
        data_checks,
        checks,
        slices,
    };

    print_verdict(&verdict, &scored, args, &source);
    {
        let mut report = json!({
            "passed": verdict.passed,
            "model": args.model.display().to_string(),
            "data": source,
            "data_fingerprint": data.fingerprint,
            "task": task.to_string(),
            "rows": scored.rows,
            "rows_dropped_missing_target": scored.rows_missing_target,
            "confidence": args.confidence,
            "data_checks": verdict.data_checks,
            "checks": verdict.checks,
        });
        if !verdict.slices.is_empty() {
            report["slice_column"] = json!(args.slice);
            report["min_slice_rows"] = json!(args.min_slice_rows);
            report["slices"] = json!(verdict.slices);
        }
        if let Some(b) = &baseline_scored {
            report["baseline"] = json!({
                "model": args.baseline.as_ref().map(|p| p.display().to_string()),
                "metrics": b.evaluation.metrics,
            });
        }
        report
            .as_object_mut()
            .unwrap()
            .extend(evaluation_fields(&scored.evaluation));
        write_outputs(args, &verdict, report)?;
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

/// Schema and drift checks of `frame` against the training statistics in the artifact.
fn data_checks(artifact: &Artifact, frame: &DataFrame, gate: &DataGate) -> Result<Vec<DataCheck>> {
    let header = &artifact.header;
    let expected: Vec<(&str, &str)> = header
        .input_schema
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind.name()))
        .collect();
    let found_schema = Schema::of_frame(frame, &[header.target.as_str()]);
    let found: Vec<(&str, &str)> = found_schema
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind.name()))
        .collect();
    let mut checks = check_schema(&expected, &found);
    if data_gate_passed(&checks) {
        checks.extend(gate.check_drifts(&drift_of(&header.data_profile, frame)?));
    }
    Ok(checks)
}

/// The JSON report, JUnit XML and Markdown files that were asked for.
fn write_outputs(args: &ValidateArgs, verdict: &Verdict, report: serde_json::Value) -> Result<()> {
    if let Some(path) = &args.report {
        write_json(path, &report)?;
    }
    if args.junit.is_none() && args.markdown.is_none() {
        return Ok(());
    }
    let mut records: Vec<GateRecord> = verdict
        .data_checks
        .iter()
        .map(|c| GateRecord::from_data_check("data", c))
        .collect();
    records.extend(verdict.checks.iter().map(|c| record("model", c)));
    for s in &verdict.slices {
        let group = format!("slice {}={}", s.column, s.value);
        records.extend(s.checks.iter().map(|c| record(&group, c)));
    }
    let title = format!(
        "crisp validate {} on {}",
        args.model.display(),
        args.data.display()
    );
    if let Some(path) = &args.junit {
        crisp_core::write_atomic(path, junit_xml("crisp validate", &records).as_bytes())?;
    }
    if let Some(path) = &args.markdown {
        crisp_core::write_atomic(path, markdown(&title, verdict.passed, &records).as_bytes())?;
    }
    Ok(())
}

fn record(group: &str, check: &Check) -> GateRecord {
    let mut r = GateRecord::from_outcome(group, &check.outcome);
    if let Some(reason) = &check.reason {
        r.message = format!("{} could not be computed: {reason}", check.outcome.metric);
    }
    r
}

fn print_data_checks(checks: &[DataCheck]) {
    let failed: Vec<&DataCheck> = checks.iter().filter(|c| c.failed()).collect();
    let gated = checks.iter().filter(|c| c.limit.is_some()).count();
    let worst_psi = checks
        .iter()
        .filter(|c| c.check == "psi")
        .filter_map(|c| Some((c.observed?, c.column.as_deref()?)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    print!(
        "data checks: {} failed of {} ({} gated)",
        failed.len(),
        checks.len(),
        gated
    );
    match worst_psi {
        Some((psi, column)) => println!("; largest PSI {psi:.4} ({column})"),
        None => println!(),
    }
    for c in failed {
        println!("  FAIL {}: {}", c.display_name(), c.message);
    }
}

fn slice_results(
    column: &str,
    thresholds: &[Threshold],
    model: &FittedModel,
    scored: &Scored,
    baseline: Option<(&FittedModel, &Scored)>,
    args: &ValidateArgs,
) -> Result<Vec<SliceResult>> {
    let values = scored.frame.column(column)?.cast(&DataType::String)?;
    let mut groups: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (row, v) in values.str()?.iter().enumerate() {
        groups
            .entry(v.unwrap_or("(missing)").to_string())
            .or_default()
            .push(row);
    }
    let mut results = Vec::with_capacity(groups.len());
    for (value, rows) in groups {
        let scope = Scope::subset(model, scored, baseline, &rows)?;
        let gated = rows.len() >= args.min_slice_rows;
        let checks = if gated {
            check_scope(thresholds, &scope, args)?
        } else {
            Vec::new()
        };
        results.push(SliceResult {
            column: column.to_string(),
            passed: checks.iter().all(|c| !c.outcome.failed()),
            value,
            rows: rows.len(),
            gated,
            metrics: scope.evaluation.metrics.clone(),
            checks,
        });
    }
    Ok(results)
}

fn check_scope(thresholds: &[Threshold], scope: &Scope, args: &ValidateArgs) -> Result<Vec<Check>> {
    thresholds
        .iter()
        .map(|t| check_one(t, scope, args))
        .collect()
}

fn check_one(threshold: &Threshold, scope: &Scope, args: &ValidateArgs) -> Result<Check> {
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
    let point = match scope.evaluation.get(&threshold.metric) {
        Ok(v) => v,
        Err(ValidateError::Unavailable { reason, .. }) => return Ok(unavailable(reason)),
        Err(e) => return Err(config_error(e)),
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
            Err(e) => return Err(config_error(e)),
        },
        _ => None,
    };
    let observed = match args.confidence {
        None => point,
        Some(confidence) => {
            let input = scope.model.eval_input(&scope.truth, &scope.predictions)?;
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

fn print_checks(checks: &[Check], args: &ValidateArgs, indent: &str) {
    let observed_label = match args.confidence {
        Some(c) => format!("{:.0}% bound", c * 100.0),
        None => "observed".to_string(),
    };
    let width = checks
        .iter()
        .map(|c| c.outcome.threshold.len())
        .max()
        .unwrap_or(5)
        .max(5);
    println!(
        "{indent}{:<width$}  {:>12}  {:>12}  result",
        "check", observed_label, "bound"
    );
    for c in checks {
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
            "{indent}{:<width$}  {observed:>12}  {bound:>12}  {result}",
            o.threshold
        );
    }
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
    print_data_checks(&verdict.data_checks);
    print!("{}", metrics_table(&scored.evaluation, "  "));
    if verdict.checks.is_empty() {
        println!("no model thresholds given");
    } else {
        print_checks(&verdict.checks, args, "");
    }
    for s in &verdict.slices {
        if s.gated {
            println!(
                "slice {}={} ({} rows): {}",
                s.column,
                s.value,
                s.rows,
                if s.passed { "PASS" } else { "FAIL" }
            );
            print_checks(&s.checks, args, "  ");
        } else {
            println!(
                "slice {}={} ({} rows): not gated (fewer than {} rows)",
                s.column, s.value, s.rows, args.min_slice_rows
            );
        }
    }
    let n_data_failed = verdict.data_checks.iter().filter(|c| c.failed()).count();
    let n_checks =
        verdict.checks.len() + verdict.slices.iter().map(|s| s.checks.len()).sum::<usize>();
    let n_failed = verdict
        .checks
        .iter()
        .chain(verdict.slices.iter().flat_map(|s| &s.checks))
        .filter(|c| c.outcome.failed())
        .count()
        + n_data_failed;
    if verdict.passed {
        println!(
            "verdict: PASS ({n_checks} model checks, {} data checks)",
            verdict.data_checks.len()
        );
    } else {
        println!(
            "verdict: FAIL ({n_failed} of {} checks failed)",
            n_checks + verdict.data_checks.len()
        );
    }
}
