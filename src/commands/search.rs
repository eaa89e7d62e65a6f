//! `crisp train --until RULE --budget N`: try candidate models, cheapest first, on a validation
//! split of the training rows until one clears every threshold; then train that candidate on
//! all training rows and evaluate it once on the test rows. Exit 1 with the best attempt's
//! report when the budget runs out.

use std::process::ExitCode;

use crisp_core::{bail, Error, Result};
use crisp_train::{
    candidates, drop_missing_target, infer_task, split_labeled, train, Holdout, TargetInfo,
    TrainConfig,
};
use crisp_validate::{CheckStatus, Metric, Threshold};
use serde_json::{json, Value};

use super::train::{finish, Prepared};
use crate::cli::TrainArgs;
use crate::report::{format_metric, write_json};

/// Share of the training rows held out to choose between candidates.
const VALIDATION_FRACTION: f64 = 0.2;

pub fn run(args: &TrainArgs, prepared: &Prepared) -> Result<ExitCode> {
    let base = &prepared.config;
    let source = &prepared.source;
    let (labeled, _) = drop_missing_target(&prepared.frame, &base.target, source)?;
    let task = match base.task {
        Some(t) => t,
        None => infer_task(&labeled, &base.target, source)?,
    };
    let thresholds = prepared
        .until
        .iter()
        .map(|t| {
            let parsed: Threshold = t.parse().map_err(|e: crisp_validate::ValidateError| Error::Config(format!("--until: {e}")))?;
            parsed.validate_for(task).map_err(|e| Error::Config(format!("--until: {e}")))?;
            if parsed.needs_baseline() {
                bail!(Config: "--until '{}' compares against a baseline; --until takes value thresholds only", parsed.text);
            }
            Ok(parsed)
        })
        .collect::<Result<Vec<_>>>()?;
    if args.budget == 0 {
        bail!(Config: "--budget must be at least 1");
    }

    // Rows for the final evaluation are set aside first and never seen by the search.
    let target = TargetInfo::fit(&labeled, &base.target, task, source)?;
    let (train_rows, test) = match &base.holdout {
        Holdout::Fraction(f) => {
            let (train_rows, test) = split_labeled(&labeled, &target, *f, base.seed, source)?;
            (
                train_rows,
                Holdout::Frame {
                    frame: test,
                    source: format!("{f} of {source} (seeded split)"),
                },
            )
        }
        frame @ Holdout::Frame { .. } => (labeled.clone(), frame.clone()),
    };
    let (fit_rows, validation_rows) =
        split_labeled(&train_rows, &target, VALIDATION_FRACTION, base.seed, source)?;
    let validation = Holdout::Frame {
        frame: validation_rows,
        source: format!("validation split of {source}"),
    };

    let explicit_model = (!base.model.name.is_empty()).then_some(base.model.name.as_str());
    let mut attempts: Vec<Value> = Vec::new();
    let mut best: Option<(usize, f64)> = None;
    println!(
        "searching for a model with {} (budget {})",
        prepared.until.join(", "),
        args.budget
    );
    for (i, candidate) in candidates(task, explicit_model, &base.model.params)
        .into_iter()
        .take(args.budget)
        .enumerate()
    {
        let config = TrainConfig {
            task: Some(task),
            model: candidate.clone(),
            holdout: validation.clone(),
            ..base.clone()
        };
        let run = train(&fit_rows, source, &config)?;
        let mut observed = serde_json::Map::new();
        let mut passed = true;
        let mut margin = f64::INFINITY;
        for t in &thresholds {
            let value = run.evaluation.get(&t.metric).ok();
            let ok = value.is_some_and(|v| t.check(v, None).status == CheckStatus::Passed);
            passed &= ok;
            if let (Some(v), Some(bound)) = (value, t.target.resolve(None)) {
                let signed = if Metric::higher_is_better(&t.metric) {
                    v - bound
                } else {
                    bound - v
                };
                margin = margin.min(signed / bound.abs().max(1e-12));
            } else {
                margin = f64::NEG_INFINITY;
            }
            observed.insert(t.metric.clone(), json!(value));
        }
        let params: Vec<String> = candidate
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!(
            "  {}. {:<14} {:<44} {}  {}",
            i + 1,
            candidate.name,
            params.join(" "),
            observed
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_f64().map_or("-".into(), format_metric)))
                .collect::<Vec<_>>()
                .join(" "),
            if passed { "PASS" } else { "fail" }
        );
        attempts.push(json!({
            "model": candidate.name,
            "params": candidate.params,
            "validation_metrics": observed,
            "passed": passed,
            "train_seconds": run.train_seconds,
        }));
        if best.is_none_or(|(_, m)| margin > m) {
            best = Some((i, margin));
        }
        if passed {
            let config = TrainConfig {
                task: Some(task),
                model: candidate,
                holdout: test,
                ..base.clone()
            };
            let run = train(&train_rows, source, &config)?;
            let mut extra = serde_json::Map::new();
            extra.insert(
                "search".into(),
                json!({
                    "until": prepared.until,
                    "budget": args.budget,
                    "validation_fraction": VALIDATION_FRACTION,
                    "attempts": attempts,
                    "chosen": i,
                }),
            );
            println!("candidate {} clears the thresholds on the validation split; retrained on all training rows:", i + 1);
            finish(args, prepared, &config, &run, extra)?;
            return Ok(ExitCode::SUCCESS);
        }
    }
    let best_attempt = best.map(|(i, _)| attempts[i].clone());
    println!(
        "no candidate cleared {} within the budget of {}",
        prepared.until.join(", "),
        args.budget
    );
    if let Some(path) = &args.report {
        write_json(
            path,
            &json!({
                "passed": false,
                "task": task.to_string(),
                "target": base.target,
                "search": {
                    "until": prepared.until,
                    "budget": args.budget,
                    "validation_fraction": VALIDATION_FRACTION,
                    "attempts": attempts,
                },
                "best_attempt": best_attempt,
            }),
        )?;
    }
    Ok(ExitCode::from(1))
}
