//! `crisp train --until RULE --budget N`, `crisp train --search METHOD` and `crisp train --model
//! auto`: flags, printing and the report around `crisp_train::train_until`,
//! `crisp_train::search` and `crisp_train::auto`. `--until` exits 1 with the best attempt's
//! report when the budget runs out.

use std::process::ExitCode;

use crisp_core::{bail, Result};
use crisp_train::{
    auto, drop_missing_target, infer_task, search, train_until, AutoConfig, Scoring, SearchConfig,
    SearchMethod, TrainConfig, UntilConfig, VALIDATION_FRACTION,
};
use crisp_validate::Threshold;
use serde_json::json;

use super::train::{finish, Prepared};
use crate::cli::TrainArgs;
use crate::report::{format_metric, write_json};
use crate::tracking::Tracking;

pub fn run_until(args: &TrainArgs, prepared: &Prepared, tracking: &Tracking) -> Result<ExitCode> {
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
            "candidate {} clears the thresholds on the validation split; trained on all training rows{}:",
            i + 1,
            if run.refit { ", evaluated, and refit on every labeled row" } else { "" }
        );
        finish(args, prepared, config, run, extra, tracking)?;
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
    // A failed search is a run too: what it tried and the best it got.
    let record = tracking.start("train", args).map(|mut r| {
        let best = outcome.best.map(|i| &outcome.attempts[i]);
        r.model = best.map(|a| a.spec.name.clone());
        r.seed = Some(base.seed);
        r.data = Some(crisp_track::FileRef::new(
            source.clone(),
            prepared.fingerprint.clone(),
        ));
        r.metrics = best
            .map(|a| {
                a.validation_metrics
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), (*v)?)))
                    .collect()
            })
            .unwrap_or_default();
        r.config = json!({
            "target": base.target,
            "task": task.to_string(),
            "seed": base.seed,
            "until": prepared.until,
            "budget": args.budget,
            "attempts": outcome.attempts.len(),
        });
        r
    });
    tracking.record(record, crisp_track::Status::Failed);
    Ok(ExitCode::from(1))
}

/// `crisp train --search METHOD` (or a `[search]` section): the search, its leaderboard, and
/// the best candidate trained, evaluated and (by default) refit like a plain `train`.
pub fn run_search(
    args: &TrainArgs,
    prepared: &Prepared,
    config: &SearchConfig,
    tracking: &Tracking,
) -> Result<ExitCode> {
    let base = &prepared.config;
    let scoring = match config.scoring {
        Scoring::Validation(f) => format!("a {f} validation split of the training rows"),
        Scoring::CrossValidation(k) => format!("{k}-fold cross-validation of the training rows"),
    };
    println!("{} search, candidates scored on {scoring}", config.method);
    let halving = config.method == SearchMethod::Halving;
    let outcome = search(
        &prepared.frame,
        &prepared.source,
        base,
        config,
        |rung, trials| {
            if halving {
                println!(
                    "  rung {}: {} candidates on {} rows{}",
                    rung.rung,
                    trials.len(),
                    rung.rows,
                    rung.best
                        .map_or(String::new(), |b| format!(", best {}", format_metric(b)))
                );
            }
        },
    )?;
    print!("{}", super::compare::table(&outcome.leaderboard, 10));
    let best = &outcome.leaderboard.entries[0];
    println!(
        "best: {} {}",
        best.model,
        super::compare::params_text(&best.params)
    );
    let mut extra = serde_json::Map::new();
    extra.insert("leaderboard".into(), json!(outcome.leaderboard));
    let config = TrainConfig {
        task: Some(outcome.task),
        model: outcome.best.clone(),
        ..base.clone()
    };
    super::train::finish(args, prepared, &config, &outcome.run, extra, tracking)?;
    Ok(ExitCode::SUCCESS)
}

/// `crisp train --model auto [--time-budget 60s]`: the budgeted search over gradient boosting
/// settings and the linear baseline, its leaderboard, and the best candidate trained,
/// evaluated and (by default) refit like a plain `train`.
pub fn run_auto(
    args: &TrainArgs,
    prepared: &Prepared,
    config: &AutoConfig,
    tracking: &Tracking,
) -> Result<ExitCode> {
    let base = &prepared.config;
    let limits = match (config.time_budget, config.trials) {
        (Some(b), Some(t)) => format!("a time budget of {}, at most {t} candidates", seconds(b)),
        (Some(b), None) => format!("a time budget of {}", seconds(b)),
        (None, Some(t)) => format!("{t} candidates"),
        (None, None) => format!("{} candidates", AutoConfig::DEFAULT_TRIALS_WITHOUT_BUDGET),
    };
    println!("auto: gradient boosting settings and the linear baseline, {limits}");
    let outcome = auto(&prepared.frame, &prepared.source, base, config)?;
    let board = &outcome.leaderboard;
    let scoring = match outcome.scoring {
        Scoring::Validation(f) => format!("a {f} validation split of the training rows"),
        Scoring::CrossValidation(k) => format!("{k}-fold cross-validation of the training rows"),
    };
    println!(
        "  {} candidates scored on {scoring} in {:.1}s{}",
        board.entries.len(),
        outcome.search_seconds,
        if outcome.budget_hit {
            "; the time budget stopped the search"
        } else {
            ""
        }
    );
    for f in &outcome.failed {
        println!(
            "  candidate {} ({} {}) failed and is left out: {}",
            f.candidate + 1,
            f.model,
            super::compare::params_text(&f.params),
            f.error
        );
    }
    print!("{}", super::compare::table(board, 10));
    let best = &board.entries[0];
    println!(
        "best: {} {}",
        best.model,
        super::compare::params_text(&best.params)
    );
    if let Some(r) = &outcome.refit_rounds {
        println!(
            "  gbdt rounds: early stopping kept {:.0} on {:.0} rows in the search; the final model trains {} for {} rows without it",
            r.kept, r.rows_boosted, r.n_rounds, r.rows_refit
        );
    }
    let (fraction, folds) = match outcome.scoring {
        Scoring::Validation(f) => (Some(f), None),
        Scoring::CrossValidation(k) => (None, Some(k)),
    };
    let mut extra = serde_json::Map::new();
    extra.insert("leaderboard".into(), json!(board));
    extra.insert(
        "auto".into(),
        json!({
            "time_budget_seconds": outcome.time_budget.map(|b| b.as_secs_f64()),
            "trials": config.trials,
            "seconds": outcome.search_seconds,
            "budget_hit": outcome.budget_hit,
            "scoring": board.scoring,
            "validation_fraction": fraction,
            "folds": folds,
            "candidates": board.entries.len(),
            "skipped": board.skipped,
            "failed": outcome.failed,
            "best": { "model": outcome.best.name, "params": outcome.best.params },
            "refit_rounds": outcome.refit_rounds,
        }),
    );
    let config = TrainConfig {
        task: Some(outcome.task),
        model: outcome.shipped.clone(),
        ..base.clone()
    };
    super::train::finish(args, prepared, &config, &outcome.run, extra, tracking)?;
    Ok(ExitCode::SUCCESS)
}

/// A duration as `60s`, `1.5s` or `2m 30s`.
fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 && s.fract() == 0.0 {
        let (m, rest) = ((s / 60.0).floor(), s % 60.0);
        if rest == 0.0 {
            format!("{m}m")
        } else {
            format!("{m}m {rest}s")
        }
    } else {
        format!("{s}s")
    }
}
