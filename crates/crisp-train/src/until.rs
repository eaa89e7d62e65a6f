//! Train until the thresholds hold: try candidate models, cheapest first, on a validation split
//! of the training rows until one clears every threshold; then train that candidate on all
//! training rows, evaluate it once on the held-out rows, which the search never saw, and (with
//! [`TrainConfig::refit`]) fit it again on every labeled row.

use std::collections::BTreeMap;

use crisp_core::progress::Progress;
use crisp_core::{bail, Result};
use crisp_validate::{CheckStatus, Evaluation, Metric, Task, Threshold};
use polars::prelude::*;
use serde::Serialize;

use crate::candidates::candidates;
use crate::model::ModelSpec;
use crate::train::{train, Labeled, TrainConfig, TrainRun};

/// The default share of the training rows held out to choose between candidates.
pub const VALIDATION_FRACTION: f64 = 0.2;

/// What [`train_until`] searches for.
#[derive(Debug, Clone)]
pub struct UntilConfig {
    /// Every one must hold on the validation split (value thresholds only: there is no
    /// baseline during a search).
    pub thresholds: Vec<Threshold>,
    /// The most candidates to try (at least 1).
    pub budget: usize,
    /// Share of the training rows held out to score the candidates.
    pub validation_fraction: f64,
}

impl UntilConfig {
    /// Search until `thresholds` hold, trying at most `budget` candidates, with the default
    /// validation share.
    pub fn new(thresholds: Vec<Threshold>, budget: usize) -> Self {
        UntilConfig {
            thresholds,
            budget,
            validation_fraction: VALIDATION_FRACTION,
        }
    }
}

/// One candidate tried on the validation split.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// The candidate's model and parameters.
    #[serde(rename = "model", serialize_with = "model_name")]
    pub spec: ModelSpec,
    /// Its parameters (also in `spec`; listed for reports).
    pub params: BTreeMap<String, String>,
    /// The value of every threshold's metric on the validation split (`None` when it could
    /// not be computed).
    pub validation_metrics: BTreeMap<String, Option<f64>>,
    /// Whether every threshold held.
    pub passed: bool,
    /// Seconds spent fitting it.
    pub train_seconds: f64,
    /// The smallest relative margin by which a threshold held (negative: the largest
    /// shortfall); the best attempt has the largest.
    #[serde(skip)]
    pub margin: f64,
}

fn model_name<S: serde::Serializer>(
    spec: &ModelSpec,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&spec.name)
}

/// What [`train_until`] did.
#[derive(Debug, Clone)]
pub struct UntilOutcome {
    /// The task (given or inferred).
    pub task: Task,
    /// Every candidate tried, in order.
    pub attempts: Vec<Attempt>,
    /// The index (into `attempts`) of the first candidate that cleared every threshold.
    pub chosen: Option<usize>,
    /// The index of the attempt with the largest margin (the best even if none passed).
    pub best: Option<usize>,
    /// The chosen candidate trained on all training rows and evaluated on the held-out rows
    /// (then refit on every labeled row when the configuration asks), with the configuration
    /// it was trained with.
    pub model: Option<(TrainConfig, TrainRun)>,
}

/// Tries the candidates of [`candidates`] (only `base.model`'s variations when it names a
/// model) in order on a seeded validation split of the training rows, calling `on_attempt`
/// after each, until one clears every threshold of `until` or the budget is spent. The one
/// that clears them is trained on all training rows and evaluated on `base.holdout` (and
/// refit on every labeled row when `base.refit` says so). The validation split is made as
/// `base.split_by` says.
///
/// # Errors
/// A threshold of the other task or one relative to a baseline, a budget of 0, and the errors
/// of training.
pub fn train_until(
    frame: &DataFrame,
    source: &str,
    base: &TrainConfig,
    until: &UntilConfig,
    mut on_attempt: impl FnMut(usize, &Attempt),
) -> Result<UntilOutcome> {
    let labeled = Labeled::new(frame, source, base)?;
    let task = labeled.task;
    for t in &until.thresholds {
        t.validate_for(task)?;
        if t.needs_baseline() {
            bail!(Config { value: &t.text }: "threshold '{}' compares against a baseline; a search takes value thresholds only", t.text);
        }
    }
    crisp_core::ensure!(until.budget > 0, Config { value: 0 }: "the search budget must be at least 1");

    // Rows for the final evaluation are set aside first and never seen by the search.
    let keys = labeled.keys(&base.split_by)?;
    let search_rows = labeled.search_rows(&keys, base)?;
    let validation = keys.subset(&search_rows).holdout(
        search_rows.len(),
        until.validation_fraction,
        base.seed,
    )?;
    let fit_rows: Vec<usize> = validation.train.iter().map(|&r| search_rows[r]).collect();
    let validation_rows: Vec<usize> = validation.test.iter().map(|&r| search_rows[r]).collect();

    let explicit_model = (!base.model.name.is_empty()).then_some(base.model.name.as_str());
    let mut outcome = UntilOutcome {
        task,
        attempts: Vec::new(),
        chosen: None,
        best: None,
        model: None,
    };
    let attempts: Vec<ModelSpec> = candidates(task, explicit_model, &base.model.params)
        .into_iter()
        .take(until.budget)
        .collect();
    let progress = Progress::start("train until", attempts.len() as u64, "attempts");
    for (i, candidate) in attempts.into_iter().enumerate() {
        let fit = labeled.fit(base, &candidate, Some(&fit_rows))?;
        let evaluation = labeled.evaluate(&fit.fitted, &validation_rows)?;
        progress.step();
        let attempt = score_attempt(candidate, &evaluation, fit.seconds, &until.thresholds);
        tracing::info!(
            "attempt {} ({}): {}",
            i + 1,
            attempt.spec.name,
            if attempt.passed {
                "cleared every threshold"
            } else {
                "missed a threshold"
            }
        );
        on_attempt(i, &attempt);
        if outcome
            .best
            .is_none_or(|b| attempt.margin > outcome.attempts[b].margin)
        {
            outcome.best = Some(i);
        }
        let passed = attempt.passed;
        let spec = attempt.spec.clone();
        outcome.attempts.push(attempt);
        if passed {
            // The final fit draws its own progress.
            drop(progress);
            // The same hold-out split as above (same seed and keys): evaluated once on rows
            // the search never saw, then refit on every labeled row when the config asks.
            let config = TrainConfig {
                task: Some(task),
                model: spec,
                ..base.clone()
            };
            let run = train(frame, source, &config)?;
            outcome.chosen = Some(i);
            outcome.model = Some((config, run));
            return Ok(outcome);
        }
    }
    Ok(outcome)
}

/// The thresholds checked on a candidate's validation metrics.
fn score_attempt(
    spec: ModelSpec,
    evaluation: &Evaluation,
    train_seconds: f64,
    thresholds: &[Threshold],
) -> Attempt {
    let mut observed = BTreeMap::new();
    let mut passed = true;
    let mut margin = f64::INFINITY;
    for t in thresholds {
        let value = evaluation.get(&t.metric).ok();
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
        observed.insert(t.metric.clone(), value);
    }
    Attempt {
        params: spec.params.clone(),
        spec,
        validation_metrics: observed,
        passed,
        train_seconds,
        margin,
    }
}
