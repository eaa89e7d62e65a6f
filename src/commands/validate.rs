//! `crisp validate`: evaluate a model on labeled data and gate on thresholds, on the whole
//! data and per slice. Exit 0 when every check holds, 1 when one fails, 2 on an error.

use crisp_artifact::{blessed, Blessing};
use crisp_core::{bail, read_table, OutputSet, Result};
use crisp_train::Scored;
use crisp_validate::{
    CheckStatus, DataCheck, DataGate, Gate, MissingBaseline, ModelCheck, Threshold, Verdict,
};
use serde_json::json;

use crate::cli::ValidateArgs;
use crate::config::PipelineConfig;
use crate::report::{evaluation_fields, format_metric, json_bytes, metrics_table};
use crate::tracking::Tracking;

pub fn run(args: &ValidateArgs, tracking: &Tracking) -> Result<Verdict> {
    let read = args.read.options()?;
    let artifact = super::read_artifact(&args.model)?;
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
            let parsed: Threshold = t.parse()?;
            parsed.validate_for(task)?;
            Ok(parsed)
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(c) = args.confidence {
        if !(c > 0.0 && c < 1.0) {
            bail!(Config: "--confidence must be between 0 and 1 (exclusive), got {c}");
        }
        if args.resamples == 0 {
            bail!(Config: "--resamples must be at least 1 when --confidence is given");
        }
    }

    // Flags override the [validate.data] limits of the config file.
    let limits = DataGate {
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
    let mut gate = Gate::new(thresholds).data_limits(limits.clone());
    if let Some(column) = &args.slice {
        gate = gate.slice(column.clone(), args.min_slice_rows);
    }
    if let Some(confidence) = args.confidence {
        gate = gate.bootstrap(confidence, args.resamples, args.seed);
    }
    gate.validate(task)?;

    let data = read_table(&args.data, &read)?;
    let source = args.data.display().to_string();
    let baseline = match &args.baseline {
        Some(path) => {
            let base = super::read_artifact(path)?;
            if base.header.task != task || base.header.target != artifact.header.target {
                bail!(
                    Config: "--baseline {} predicts '{}' ({}), the model predicts '{}' ({}): they cannot be compared",
                    path.display(), base.header.target, base.header.task, artifact.header.target, task
                );
            }
            Some(base)
        }
        None => {
            if let Some(t) = gate.thresholds.iter().find(|t| t.needs_baseline()) {
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
    gate = gate.missing_baseline(MissingBaseline::Skip);
    let run = artifact.gate(&data.frame, &source, baseline.as_ref(), &gate)?;
    let html = match &args.html {
        Some(_) => {
            let view = crate::html_report::ValidateView {
                model_path: &args.model.display().to_string(),
                source: &source,
                baseline_path: args.baseline.as_ref().map(|p| p.display().to_string()),
                max_psi: limits.max_psi,
                seed: args.seed,
            };
            Some(crate::html_report::validate_page(
                &run,
                &artifact.model,
                &artifact.header,
                &artifact.header.data_profile,
                &view,
            )?)
        }
        None => None,
    };
    let verdict = run.verdict;
    // The run as recorded in the store once its outputs are written (exit 1 on a failed
    // gate is recorded too, with its verdict).
    let record = tracking.start("validate", args).map(|mut r| {
        r.model = Some(artifact.header.model.clone());
        r.seed = Some(args.seed);
        r.data = Some(crisp_track::FileRef::new(
            source.clone(),
            data.fingerprint.clone(),
        ));
        r.verdict = Some(if verdict.passed { "pass" } else { "fail" }.to_string());
        r.config = json!({
            "thresholds": texts,
            "data_limits": limits,
            "slice": args.slice,
            "min_slice_rows": args.min_slice_rows,
            "confidence": args.confidence,
            "baseline": args.baseline.as_ref().map(|p| p.display().to_string()),
            "trained_by": artifact.header.run,
        });
        if let Some(scored) = &run.scored {
            r.metrics = scored.evaluation.metrics.clone();
        }
        r
    });
    let finish = |record: Option<crisp_track::RunRecord>| {
        let record = record.map(|mut r| {
            // The artifact as it is now (blessed, when --bless wrote the verdict into it).
            if let Ok(bytes) = std::fs::read(&args.model) {
                r.artifact = Some(crisp_track::FileRef::new(
                    args.model.display().to_string(),
                    crisp_core::fingerprint(&bytes),
                ));
            }
            r
        });
        let status = if verdict.passed {
            crisp_track::Status::Ok
        } else {
            crisp_track::Status::Failed
        };
        tracking.record(record, status);
    };
    let Some(scored) = run.scored else {
        // Without its input columns, or with text where it reads numbers, the model cannot
        // run: the data checks fail the gate and the model checks are not run.
        print_data_checks(&verdict.data_checks);
        println!("verdict: FAIL (the data does not match the model's input schema; model checks not run)");
        stage_outputs(
            args,
            &verdict,
            json!({"passed": false, "model": args.model.display().to_string(), "data": source, "data_checks": verdict.data_checks}),
            html.as_deref(),
        )?
        .commit()?;
        finish(record);
        return Ok(verdict);
    };

    print_verdict(&verdict, &scored, args, &source);
    let mut outputs;
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
        if let Some(b) = &run.baseline {
            report["baseline"] = json!({
                "model": args.baseline.as_ref().map(|p| p.display().to_string()),
                "metrics": b.evaluation.metrics,
            });
        }
        report
            .as_object_mut()
            .expect("a JSON object")
            .extend(evaluation_fields(&scored.evaluation));
        outputs = stage_outputs(args, &verdict, report, html.as_deref())?;
    }
    // The reports and the blessed artifact are written together or not at all.
    if args.bless {
        let blessing = Blessing::of(
            &verdict,
            texts.clone(),
            &data.fingerprint,
            super::now_unix(),
        );
        let (_, bytes) = blessed(&args.model, blessing)?;
        outputs.stage(&args.model, &bytes)?;
    }
    outputs.commit()?;
    finish(record);
    if args.bless {
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

/// The JSON report, JUnit XML and Markdown files that were asked for, staged to be written
/// together (with the blessed artifact, when there is one).
fn stage_outputs(
    args: &ValidateArgs,
    verdict: &Verdict,
    report: serde_json::Value,
    html: Option<&str>,
) -> Result<OutputSet> {
    let mut outputs = OutputSet::new();
    if let Some(path) = &args.report {
        outputs.stage(path, &json_bytes(&report))?;
    }
    if let (Some(path), Some(page)) = (&args.html, html) {
        outputs.stage(path, page.as_bytes())?;
    }
    if let Some(path) = &args.junit {
        outputs.stage(path, verdict.junit_xml("crisp validate").as_bytes())?;
    }
    if let Some(path) = &args.markdown {
        let title = format!(
            "crisp validate {} on {}",
            args.model.display(),
            args.data.display()
        );
        outputs.stage(path, verdict.markdown(&title).as_bytes())?;
    }
    Ok(outputs)
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

fn print_checks(checks: &[ModelCheck], args: &ValidateArgs, indent: &str) {
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
    let (n_checks, n_failed) = verdict.counts();
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
