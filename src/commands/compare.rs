//! `crisp compare`: several models scored on the same hold-out split, test file or folds, and
//! the leaderboard (a table on stdout, JSON with --report).

use std::collections::BTreeMap;

use crisp_core::{bail, read_table, Error, Result};
use crisp_train::{compare, Holdout, Leaderboard, ModelSpec, SplitBy, TrainConfig};
use crisp_validate::Task;
use serde_json::json;

use crate::cli::CompareArgs;
use crate::report::{format_metric, write_json};

pub fn run(args: &CompareArgs) -> Result<()> {
    let read = args.read.options()?;
    let source = args.data.display().to_string();
    let frame = read_table(&args.data, &read)?.frame;
    let task = match &args.task {
        Some(t) => Some(
            t.parse::<Task>()
                .map_err(|e| Error::config(format!("--task: {e}")))?,
        ),
        None => None,
    };
    let holdout = match (&args.test_data, args.select.cv) {
        (Some(path), _) => Holdout::Frame {
            frame: read_table(path, &read)?.frame,
            source: path.display().to_string(),
        },
        (None, Some(k)) => {
            if k < 2 {
                bail!(Config: "--cv must be at least 2 folds, got {k}");
            }
            Holdout::CrossValidation(k)
        }
        (None, None) => {
            let f = args.test_fraction.unwrap_or(0.2);
            if !(f > 0.0 && f < 1.0) {
                bail!(Config: "--test-fraction must be between 0 and 1 (exclusive), got {f}");
            }
            Holdout::Fraction(f)
        }
    };
    let split_by = match (&args.select.group, &args.select.time) {
        (Some(g), _) => SplitBy::Group(g.clone()),
        (None, Some(t)) => SplitBy::Time(t.clone()),
        (None, None) => SplitBy::Rows,
    };
    let models: Vec<ModelSpec> = args
        .models
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .map(ModelSpec::new)
        .collect();
    if models.is_empty() {
        bail!(Config: "--models names no model; give a comma-separated list such as gbdt,random_forest");
    }
    let mut config = TrainConfig::new(args.target.clone())
        .seed(args.seed)
        .holdout(holdout)
        .split_by(split_by)
        .max_classes(args.max_classes);
    config.task = task;
    config.weighting = super::train::weighting(&args.weights, None, None)?;
    let board = compare(
        &frame,
        &source,
        &config,
        &models,
        args.select.metric.as_deref(),
    )?;
    print!("{}", table(&board, usize::MAX));
    if let Some(path) = &args.report {
        write_json(
            path,
            &json!({
                "crisp_version": crisp_core::VERSION,
                "data": source,
                "target": args.target,
                "seed": args.seed,
                "weights": {
                    "class_weight": args.weights.class_weight,
                    "sample_weight": args.weights.sample_weight,
                    "weighted_metrics": args.weights.weighted_metrics,
                },
                "leaderboard": board,
            }),
        )?;
    }
    Ok(())
}

/// `name=value` pairs joined by spaces (`defaults` when there are none).
pub fn params_text(params: &BTreeMap<String, String>) -> String {
    if params.is_empty() {
        return "(defaults)".into();
    }
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The leaderboard as a table: its best `limit` entries, the rest counted.
pub fn table(board: &Leaderboard, limit: usize) -> String {
    let scoring = match (board.scoring.as_str(), board.fraction, board.folds) {
        ("cv", _, Some(k)) => format!("mean ± std over {k} folds ({})", board.split),
        ("holdout", Some(f), _) => format!("on a {f} hold-out split ({})", board.split),
        ("validation", Some(f), _) => format!("on a {f} validation split ({})", board.split),
        ("test_data", _, _) => "on the test data".to_string(),
        (other, _, _) => other.to_string(),
    };
    let mut out = format!(
        "leaderboard: {} candidates, {} {} ({} is better){}\n",
        board.entries.len(),
        board.metric,
        scoring,
        if board.higher_is_better {
            "higher"
        } else {
            "lower"
        },
        if board.skipped > 0 {
            format!(", {} not started within the time budget", board.skipped)
        } else {
            String::new()
        }
    );
    if let Some(why) = &board.metric_fallback {
        out.push_str(&format!("  ({why})\n"));
    }
    let halving = board.rungs.len() > 1;
    let score = |t: &crisp_train::Trial| match (t.score, t.std.get(&board.metric)) {
        (Some(s), Some(sd)) => format!("{} ± {}", format_metric(s), format_metric(*sd)),
        (Some(s), None) => format_metric(s),
        (None, _) => "-".into(),
    };
    let shown: Vec<&crisp_train::Trial> = board.entries.iter().take(limit).collect();
    let model_width = shown
        .iter()
        .map(|t| t.model.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let score_width = shown
        .iter()
        .map(|t| score(t).chars().count())
        .max()
        .unwrap_or(0)
        .max(board.metric.len());
    out.push_str(&format!(
        "  {:>4}  {:<model_width$}  {:<score_width$}  {}{:>7}  {:>8}  params\n",
        "rank",
        "model",
        board.metric,
        if halving { "rung  " } else { "" },
        "rows",
        "seconds"
    ));
    for t in &shown {
        out.push_str(&format!(
            "  {:>4}  {:<model_width$}  {:<score_width$}  {}{:>7}  {:>8.2}  {}\n",
            t.rank,
            t.model,
            score(t),
            if halving {
                format!("{:>4}  ", t.rung)
            } else {
                String::new()
            },
            t.rows,
            t.seconds,
            params_text(&t.params)
        ));
    }
    if board.entries.len() > shown.len() {
        out.push_str(&format!(
            "  ... {} more in the report\n",
            board.entries.len() - shown.len()
        ));
    }
    out
}
