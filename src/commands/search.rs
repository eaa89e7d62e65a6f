//! `crisp train --until RULE --budget N`: flags, printing and the report around
//! `crisp_train::train_until`. Exit 1 with the best attempt's report when the budget runs out.

use std::process::ExitCode;

use crisp_core::{bail, Result};
use crisp_train::{drop_missing_target, infer_task, train_until, UntilConfig, VALIDATION_FRACTION};
use crisp_validate::Threshold;
use serde_json::json;

use super::train::{finish, Prepared};
use crate::cli::TrainArgs;
use crate::report::{format_metric, write_json};

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
            let parsed: Threshold = t
                .parse()
                .map_err(|e| crisp_core::Error::from(e).context("--until"))?;
            parsed
                .validate_for(task)
                .map_err(|e| crisp_core::Error::from(e).context("--until"))?;
            if parsed.needs_baseline() {
                bail!(Config: "--until '{}' compares against a baseline; --until takes value thresholds only", parsed.text);
            }
            Ok(parsed)
        })
        .collect::<Result<Vec<_>>>()?;
    if args.budget == 0 {
        bail!(Config: "--budget must be at least 1");
    }

    println!(
        "searching for a model with {} (budget {})",
        prepared.until.join(", "),
        args.budget
    );
    let until = UntilConfig::new(thresholds, args.budget);
    let outcome = train_until(&prepared.frame, source, base, &until, |i, attempt| {
        let params: Vec<String> = attempt
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!(
            "  {}. {:<14} {:<44} {}  {}",
            i + 1,
            attempt.spec.name,
            params.join(" "),
            attempt
                .validation_metrics
                .iter()
                .map(|(k, v)| format!("{k}={}", v.map_or("-".into(), format_metric)))
                .collect::<Vec<_>>()
                .join(" "),
            if attempt.passed { "PASS" } else { "fail" }
        );
    })?;
    let search = |chosen: Option<usize>| {
        let mut search = json!({
            "until": prepared.until,
            "budget": args.budget,
            "validation_fraction": VALIDATION_FRACTION,
            "attempts": outcome.attempts,
        });
        if let Some(i) = chosen {
            search["chosen"] = json!(i);
        }
        search
    };
    if let (Some(i), Some((config, run))) = (outcome.chosen, &outcome.model) {
        let mut extra = serde_json::Map::new();
        extra.insert("search".into(), search(Some(i)));
        println!(
            "candidate {} clears the thresholds on the validation split; retrained on all training rows:",
            i + 1
        );
        finish(args, prepared, config, run, extra)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "no candidate cleared {} within the budget of {}",
        prepared.until.join(", "),
        args.budget
    );
    if let Some(path) = &args.report {
        let best_attempt = outcome.best.map(|i| &outcome.attempts[i]);
        write_json(
            path,
            &json!({
                "passed": false,
                "task": task.to_string(),
                "target": base.target,
                "search": search(None),
                "best_attempt": best_attempt,
            }),
        )?;
    }
    Ok(ExitCode::from(1))
}
