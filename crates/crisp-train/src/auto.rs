//! `auto`: a budgeted search over gradient boosting settings and the linear baselines, scored
//! by cross-validation on small data and on a validation split on large data; the best
//! candidate is trained like any run and refit on every labeled row.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crisp_core::progress::Progress;
use crisp_core::{bail, ensure, Error, Result, SeededRng};
use crisp_validate::{Metric, Task};
use polars::prelude::*;
use serde::Serialize;

use crate::model::{find_model, ModelSpec};
use crate::search::{
    check_metric, fallback_reason, rank_trials, ranked_entries, Engine, Leaderboard, Plan, Rung,
    Scoring, Trial,
};
use crate::target::TargetValues;
use crate::train::{refit_spec, train, Holdout, Labeled, RefitRounds, TrainConfig, TrainRun};

/// Stream number of [`SeededRng::stream`] for the drawn candidates.
const STREAM_AUTO: u64 = 0xA070;

/// What [`auto`] does.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoConfig {
    /// No candidate starts after this long, nor once the time left would not cover the final
    /// fit of the best candidate so far (the candidates running then finish, and the final fit
    /// comes after). `None`: no limit (then [`AutoConfig::trials`], or
    /// [`AutoConfig::DEFAULT_TRIALS_WITHOUT_BUDGET`]). Which candidates get scored depends on
    /// the machine's speed when the budget runs out: the result is reproducible when it does
    /// not (bound the search with `trials`).
    pub time_budget: Option<Duration>,
    /// The most candidates to score, in their fixed order (see [`auto_candidates`]); `None`:
    /// as many as the budget allows.
    pub trials: Option<usize>,
    /// Metric to rank on; `None`: [`auto_metric`].
    pub metric: Option<String>,
    /// How candidates are scored; `None`: [`AutoConfig::FOLDS`]-fold cross-validation up to
    /// [`AutoConfig::CV_MAX_ROWS`] rows, a [`AutoConfig::VALIDATION_FRACTION`] validation split
    /// above.
    pub scoring: Option<Scoring>,
}

impl Default for AutoConfig {
    fn default() -> Self {
        AutoConfig::new()
    }
}

impl AutoConfig {
    /// The time budget of [`AutoConfig::new`]: one minute.
    pub const DEFAULT_BUDGET: Duration = Duration::from_secs(60);
    /// Candidates scored without a budget or a trial count.
    pub const DEFAULT_TRIALS_WITHOUT_BUDGET: usize = 50;
    /// The most candidates a budgeted search draws.
    pub const MAX_CANDIDATES: usize = 500;
    /// Up to this many rows (those the search sees) candidates are cross-validated; above it,
    /// one validation split holds enough rows (2,000 or more) for a score whose noise is small
    /// against the differences between candidates, at a fifth of the cost. It is also where
    /// gradient boosting turns early stopping on by itself (scikit-learn's rule).
    pub const CV_MAX_ROWS: usize = 10_000;
    /// Folds of the cross-validation on small data.
    pub const FOLDS: usize = 5;
    /// The validation share on large data.
    pub const VALIDATION_FRACTION: f64 = 0.2;

    /// A search of [`AutoConfig::DEFAULT_BUDGET`], scored as the data's size says.
    pub fn new() -> Self {
        AutoConfig {
            time_budget: Some(Self::DEFAULT_BUDGET),
            trials: None,
            metric: None,
            scoring: None,
        }
    }

    /// With the time budget `budget` (`None`: none).
    pub fn time_budget(mut self, budget: Option<Duration>) -> Self {
        self.time_budget = budget;
        self
    }

    /// Scoring at most `trials` candidates.
    pub fn trials(mut self, trials: usize) -> Self {
        self.trials = Some(trials);
        self
    }

    /// Ranking on `metric`.
    pub fn metric(mut self, metric: impl Into<String>) -> Self {
        self.metric = Some(metric.into());
        self
    }

    /// Scoring candidates as `scoring` says, whatever the size of the data.
    pub fn scoring(mut self, scoring: Scoring) -> Self {
        self.scoring = Some(scoring);
        self
    }
}

/// The metric [`auto`] ranks on when none is named: `log_loss` for classification, `rmse` for
/// regression. Log loss is a proper scoring rule: it rewards the probabilities of every row,
/// each class weighing by its frequency, which carries over to accuracy and ROC AUC alike; a
/// one-against-the-rest ROC AUC (the default of [`crate::search`]) gives rare classes the
/// weight of common ones and ignores calibration, and chose models of lower accuracy on
/// multiclass data in benches/compare_quality.sh.
pub fn auto_metric(task: Task) -> &'static str {
    match task {
        Task::Classification => "log_loss",
        Task::Regression => "rmse",
    }
}

/// A candidate that failed to train, left out of the leaderboard.
#[derive(Debug, Clone, Serialize)]
pub struct FailedCandidate {
    /// The candidate's number.
    pub candidate: usize,
    /// Model name.
    pub model: String,
    /// Its parameters.
    pub params: BTreeMap<String, String>,
    /// Why it failed.
    pub error: String,
}

/// What [`auto`] found and trained.
#[derive(Debug, Clone)]
pub struct AutoOutcome {
    /// The task (given or inferred).
    pub task: Task,
    /// Every candidate scored, best first.
    pub leaderboard: Leaderboard,
    /// Candidates that failed to train.
    pub failed: Vec<FailedCandidate>,
    /// The best candidate as it was scored.
    pub best: ModelSpec,
    /// What was trained: the best candidate, for gradient boosting with early stopping with
    /// the rounds it kept in the search scaled to every labeled row and early stopping off.
    pub shipped: ModelSpec,
    /// Those rounds, when early stopping chose them.
    pub refit_rounds: Option<RefitRounds>,
    /// How candidates were scored.
    pub scoring: Scoring,
    /// The time budget.
    pub time_budget: Option<Duration>,
    /// Seconds the search took (the final training not included).
    pub search_seconds: f64,
    /// Whether the budget stopped the search before every candidate was scored.
    pub budget_hit: bool,
    /// The best candidate trained as the base configuration says (see [`auto`]).
    pub run: TrainRun,
}

/// The candidates of `auto` for `task`, in the order they are tried: `count` of them (the
/// same list for the same seed: a shorter list is a prefix of a longer one).
///
/// 1. `gbdt` at its defaults: what `train` ships without `--model`, so the search starts
///    from it.
/// 2. Known-good settings of histogram gradient boosting, all with early stopping (patience
///    `2 / learning_rate` rounds, between 10 and 100, on a 10% split, at most 2,000 rounds):
///    LightGBM's and scikit-learn's shape at a learning rate of 0.05; the same slower with
///    row and feature subsampling (stochastic gradient boosting) and an L2 penalty; larger
///    trees with small leaves; small, strongly regularised trees for small data.
/// 3. The linear baseline: `logistic_regression` (classes) or `ridge` (numbers), L2 strength
///    1, then 0.1 and 10 after the gradient boosting settings.
/// 4. Seeded draws: gradient boosting with a log-uniform learning rate in 0.02–0.2, leaves
///    4–128 and rows per leaf 2–100 (both log-uniform; at most a twentieth of the rows per
///    leaf), no L2 penalty or a log-uniform one in 0.01–10, feature and row shares of 1 or
///    uniform in 0.5–1; one draw in eight is the linear baseline with a log-uniform L2
///    strength (1e-3–100 for logistic regression, 1e-2–1e3 for ridge).
///
/// The ranges are the usual ones for LightGBM and scikit-learn's HistGradientBoosting, on a
/// log scale where the effect of a parameter is multiplicative; `rows` (those the candidates
/// are fitted on) bounds the rows per leaf.
pub fn auto_candidates(task: Task, rows: usize, count: usize, seed: u64) -> Vec<ModelSpec> {
    let linear = match task {
        Task::Classification => "logistic_regression",
        Task::Regression => "ridge",
    };
    let linear_spec = |alpha: f64| {
        let spec = ModelSpec::new(linear).param("alpha", number(alpha));
        match task {
            // Coordinate descent for a pure L2 penalty runs every pass (its duality-gap test
            // cannot pass): 100 passes reach the optimum's R² to 3 decimals on diamonds.
            Task::Regression => spec.param("max_iterations", 100),
            Task::Classification => spec,
        }
    };
    let leaf_cap = (rows / 20).clamp(2, 100);
    let gbdt = |lr: f64, leaves: usize, leaf: usize, l2: f64, col: f64, sub: f64| {
        let mut spec = ModelSpec::new("gbdt")
            .param("learning_rate", number(lr))
            .param("max_leaves", leaves)
            .param("min_samples_leaf", leaf.min(leaf_cap))
            .param("n_rounds", 2000)
            .param("early_stopping", "true")
            .param(
                "early_stopping_rounds",
                ((2.0 / lr).round() as usize).clamp(10, 100),
            );
        if l2 > 0.0 {
            spec = spec.param("l2", number(l2));
        }
        if col < 1.0 {
            spec = spec.param("colsample", number(col));
        }
        if sub < 1.0 {
            spec = spec.param("subsample", number(sub));
        }
        spec
    };
    let mut out = vec![
        ModelSpec::new("gbdt"),
        gbdt(0.05, 31, 20, 0.0, 1.0, 1.0),
        linear_spec(1.0),
        gbdt(0.03, 15, 10, 1.0, 0.8, 0.8),
        gbdt(0.05, 63, 5, 0.1, 0.7, 1.0),
        gbdt(0.05, 7, 30, 3.0, 1.0, 0.8),
        linear_spec(0.1),
        linear_spec(10.0),
    ];
    let mut rng = SeededRng::stream(seed, STREAM_AUTO);
    let log_uniform = |rng: &mut SeededRng, lo: f64, hi: f64| {
        (lo.ln() + rng.next_f64() * (hi.ln() - lo.ln())).exp()
    };
    let log_int = |rng: &mut SeededRng, lo: usize, hi: usize| {
        (log_uniform(rng, lo as f64, hi as f64 + 1.0).floor() as usize).clamp(lo, hi)
    };
    while out.len() < count {
        let candidate = if rng.index(8) == 0 {
            let (lo, hi) = match task {
                Task::Classification => (1e-3, 100.0),
                Task::Regression => (1e-2, 1e3),
            };
            linear_spec(log_uniform(&mut rng, lo, hi))
        } else {
            let lr = log_uniform(&mut rng, 0.02, 0.2);
            let leaves = log_int(&mut rng, 4, 128);
            let leaf = log_int(&mut rng, 2, leaf_cap);
            let l2 = if rng.bernoulli(0.5) {
                0.0
            } else {
                log_uniform(&mut rng, 0.01, 10.0)
            };
            let col = if rng.bernoulli(0.5) {
                1.0
            } else {
                0.5 + 0.5 * rng.next_f64()
            };
            let sub = if rng.bernoulli(0.5) {
                1.0
            } else {
                0.5 + 0.5 * rng.next_f64()
            };
            gbdt(lr, leaves, leaf, l2, col, sub)
        };
        if !out.contains(&candidate) {
            out.push(candidate);
        }
    }
    out.truncate(count);
    out
}

/// A number as parameter text, with 3 significant digits.
fn number(v: f64) -> String {
    let rounded: f64 = format!("{v:.2e}").parse().unwrap_or(v);
    format!("{rounded}")
}

/// Parses a time budget: seconds (`90`, `1.5`), or a number followed by `s`, `m` or `h`
/// (`60s`, `2m`, `1h`), or `ms`.
///
/// # Errors
/// Text that is not such a duration, and a budget that is not more than 0.
pub fn parse_time_budget(text: &str) -> Result<Duration> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let scale = match unit.to_ascii_lowercase().as_str() {
        "ms" => 1e-3,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        _ => f64::NAN,
    };
    let seconds = number.trim().parse::<f64>().map(|n| n * scale);
    match seconds {
        Ok(s) if s > 0.0 && s.is_finite() && s < 1e9 => Ok(Duration::from_secs_f64(s)),
        Ok(s) if s.is_finite() && s <= 0.0 => Err(Error::config(format!(
            "a time budget must be more than 0 seconds, got '{text}'"
        ))
        .value(text)),
        _ => Err(Error::config(format!(
            "'{text}' is not a time budget; give seconds (90) or a number with s, m or h (60s, 2m)"
        ))
        .value(text)),
    }
}

/// Searches gradient boosting settings and the linear baseline for the best model of
/// `base.target` on `frame` (read from `source`) within `config`'s budget, then trains it as
/// `base` says.
///
/// The search sees the rows outside `base`'s hold-out split (every labeled row with a test
/// frame or cross-validation). Candidates ([`auto_candidates`]) start in order, as many at a
/// time as there are threads, each scored by cross-validation (up to
/// [`AutoConfig::CV_MAX_ROWS`] rows) or on a validation split (splits made as `base.split_by`
/// says, seeded by `base.seed`), and are ranked on the metric ([`auto_metric`] by default).
/// The best one is then trained like [`train`] (evaluated on the hold-out rows the search
/// never saw, or on the test frame, then refit on every labeled row when `base.refit` says
/// so); gradient boosting boosts the rounds early stopping kept in the search (the mean over
/// the folds), scaled by the ratio of rows, with early stopping off. A candidate that fails to
/// train is left out and listed; the run fails only when every candidate does. With weighted
/// rows ([`TrainConfig::weighting`]) the models that take no weights (the linear baselines)
/// are left out of the candidates.
///
/// # Errors
/// A metric of the other task, a parameter fixed in `base.model` (auto chooses them), a
/// trial count of 0, the errors of reading the target and splitting, and those of training
/// when every candidate fails.
///
/// ```
/// use crisp_train::{auto, AutoConfig, Holdout, TrainConfig};
/// use polars::prelude::*;
///
/// let xs: Vec<f64> = (0..400).map(|i| (i % 100) as f64).collect();
/// let label: Vec<&str> = xs.iter().map(|&x| if x < 50.0 { "low" } else { "high" }).collect();
/// let frame = df!("x" => &xs, "label" => &label)?;
/// let base = TrainConfig::new("label").refit(true);
/// let outcome = auto(&frame, "example", &base, &AutoConfig::new().trials(4))?;
/// // 4 candidates, 5-fold cross-validated on the 320 rows outside the hold-out.
/// assert_eq!(outcome.leaderboard.entries.len(), 4);
/// assert_eq!(outcome.leaderboard.folds, Some(5));
/// assert!(outcome.run.evaluation.get("accuracy")? > 0.95);
/// // Evaluated on the 80 held-out rows, then refit on all 400.
/// assert_eq!((outcome.run.rows_test, outcome.run.rows_train), (80, 400));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn auto(
    frame: &DataFrame,
    source: &str,
    base: &TrainConfig,
    config: &AutoConfig,
) -> Result<AutoOutcome> {
    let started = Instant::now();
    if let Some(fixed) = base.model.params.keys().next() {
        bail!(Config { value: fixed }: "parameter '{fixed}' is fixed, but auto chooses the models and their parameters; leave it out");
    }
    ensure!(config.trials != Some(0), Config { value: 0 }: "auto needs at least 1 trial");
    let labeled = Labeled::new(frame, source, base)?;
    let task = labeled.task;
    let mut metric = check_metric(
        Some(config.metric.as_deref().unwrap_or(auto_metric(task))),
        task,
    )?;
    let keys = labeled.keys(&base.split_by)?;
    let search_rows = labeled.search_rows(&keys, base)?;
    let scoring = config
        .scoring
        .unwrap_or(if search_rows.len() <= AutoConfig::CV_MAX_ROWS {
            Scoring::CrossValidation(AutoConfig::FOLDS)
        } else {
            Scoring::Validation(AutoConfig::VALIDATION_FRACTION)
        });
    let (plan, rows_per_fit, fits) = match scoring {
        Scoring::Validation(fraction) => {
            ensure!(fraction > 0.0 && fraction < 1.0, Config { value: fraction }: "the validation fraction must be between 0 and 1 (exclusive), got {fraction}");
            let split =
                keys.subset(&search_rows)
                    .holdout(search_rows.len(), fraction, base.seed)?;
            let fit: Vec<usize> = split.train.iter().map(|&r| search_rows[r]).collect();
            let eval: Vec<usize> = split.test.iter().map(|&r| search_rows[r]).collect();
            let rows = fit.len();
            (Plan::Split { fit, eval }, rows, 1)
        }
        Scoring::CrossValidation(k) => {
            let folds = keys
                .subset(&search_rows)
                .folds(search_rows.len(), k, base.seed)?;
            let rows = search_rows.len() - search_rows.len() / k;
            (
                Plan::Folds {
                    rows: search_rows.clone(),
                    folds,
                },
                rows,
                k,
            )
        }
    };
    let count = match (config.trials, config.time_budget) {
        (Some(t), _) => t,
        (None, Some(_)) => AutoConfig::MAX_CANDIDATES,
        (None, None) => AutoConfig::DEFAULT_TRIALS_WITHOUT_BUDGET,
    };
    let candidates = match &labeled.weights {
        None => auto_candidates(task, rows_per_fit, count, base.seed),
        Some(w) => {
            // The linear baselines take no weights: a weighted search is over the models
            // that do, `count` of them (the same prefix-stable order, the others skipped).
            let takes = |c: &ModelSpec| {
                find_model(&c.name).is_ok_and(|m| m.check_weights(w.sample).is_ok())
            };
            let mut drawn = count;
            loop {
                let mut list = auto_candidates(task, rows_per_fit, drawn, base.seed);
                list.retain(takes);
                if list.len() >= count || drawn >= 4 * count + 16 {
                    list.truncate(count);
                    break list;
                }
                drawn += count.max(8);
            }
        }
    };
    let engine = Engine::new(&labeled, base, &metric);

    // The rows the final model is fitted on, and how many fits it takes (an evaluation on a
    // hold-out split, then the refit): what the time left must cover.
    let n = labeled.frame.height();
    let final_fits = match base.holdout {
        Holdout::Fraction(_) if base.refit => 2.0,
        Holdout::CrossValidation(k) => 1.0 + k as f64,
        _ => 1.0,
    };
    let per_fit_scale = n as f64 / rows_per_fit.max(1) as f64 / fits as f64;
    let deadline = config.time_budget.map(|b| started + b);
    // Counted in candidates when their number bounds the search, in seconds of the budget
    // otherwise.
    let progress = match (config.trials, config.time_budget) {
        (None, Some(budget)) => Progress::start("auto", budget.as_secs().max(1), "s of budget"),
        _ => Progress::start("auto", candidates.len() as u64, "candidates"),
    };
    let by_time = config.trials.is_none() && config.time_budget.is_some();
    let scored = score_in_order(
        &engine,
        &candidates,
        &plan,
        || {
            if by_time {
                progress.set(started.elapsed().as_secs());
            } else {
                progress.step();
            }
        },
        |trials| {
            let Some(deadline) = deadline else {
                return true;
            };
            // Time for the final fit of the best candidate so far.
            let reserve =
                leader(trials, &metric).map_or(0.0, |t| t.seconds * per_fit_scale * final_fits);
            Instant::now() + Duration::from_secs_f64(reserve.min(1e6)) < deadline
        },
    );
    drop(progress);
    let search_seconds = started.elapsed().as_secs_f64();

    let mut trials = Vec::new();
    let mut failed = Vec::new();
    let mut first_error = None;
    for (i, result) in scored.results.into_iter().enumerate() {
        match result {
            Some(Ok(t)) => trials.push(t),
            Some(Err(e)) => {
                failed.push(FailedCandidate {
                    candidate: i,
                    model: candidates[i].name.clone(),
                    params: candidates[i].params.clone(),
                    error: e.to_string(),
                });
                first_error.get_or_insert(e);
            }
            None => {}
        }
    }
    if trials.is_empty() {
        return Err(first_error.unwrap_or_else(|| Error::config("auto scored no candidate")));
    }
    let mut fallback = None;
    if config.metric.is_none() {
        if let Some(reason) = fallback_reason(&trials, &metric, task) {
            fallback = Some(reason);
            metric = "accuracy".to_string();
        }
    }
    for t in &mut trials {
        t.score = t.metrics.get(&metric).copied();
    }
    let entries = ranked_entries(&trials, &metric);
    let (scoring_name, fraction, folds) = match scoring {
        Scoring::Validation(f) => ("validation", Some(f), None),
        Scoring::CrossValidation(k) => ("cv", None, Some(k)),
    };
    let skipped = candidates.len() - trials.len() - failed.len();
    let leaderboard = Leaderboard {
        method: "auto".to_string(),
        higher_is_better: Metric::higher_is_better(&metric),
        metric,
        metric_fallback: fallback,
        scoring: scoring_name.to_string(),
        fraction,
        folds,
        split: base
            .split_by
            .describe(matches!(labeled.truth, TargetValues::Classes(_))),
        rows: search_rows.len(),
        rungs: vec![Rung {
            rung: 0,
            rows: plan.rows(),
            candidates: entries.len(),
            best: entries.first().and_then(|t| t.score),
        }],
        skipped,
        entries,
        history: Vec::new(),
    };
    let winner = &leaderboard.entries[0];
    let best = winner.spec();
    let (shipped, refit_rounds) = refit_spec(&best, &winner.fit_rounds, n);
    let final_config = TrainConfig {
        task: Some(task),
        model: shipped.clone(),
        ..base.clone()
    };
    let run = train(frame, source, &final_config)?;
    Ok(AutoOutcome {
        task,
        leaderboard,
        failed,
        best,
        shipped,
        refit_rounds,
        scoring,
        time_budget: config.time_budget,
        search_seconds,
        budget_hit: scored.stopped,
        run,
    })
}

/// The best scored trial on `metric` (before any fallback of the metric).
fn leader<'a>(trials: &'a [Trial], metric: &str) -> Option<&'a Trial> {
    let mut ranked: Vec<&Trial> = trials.iter().filter(|t| t.score.is_some()).collect();
    rank_trials(&mut ranked, metric);
    ranked.first().copied()
}

struct Scored {
    /// One entry per candidate: `None` when it was not started.
    results: Vec<Option<Result<Trial>>>,
    /// Whether `may_start` refused a candidate.
    stopped: bool,
}

/// Scores `candidates` in their order, as many at a time as rayon has threads: each worker
/// takes the next candidate when `may_start` (given the trials scored so far) allows it; the
/// first candidate always starts.
fn score_in_order(
    engine: &Engine,
    candidates: &[ModelSpec],
    plan: &Plan,
    scored_one: impl Fn() + Sync,
    may_start: impl Fn(&[Trial]) -> bool + Sync,
) -> Scored {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let done: Mutex<Vec<Trial>> = Mutex::new(Vec::new());
    let results: Mutex<Vec<Option<Result<Trial>>>> =
        Mutex::new((0..candidates.len()).map(|_| None).collect());
    let workers = rayon::current_num_threads().clamp(1, candidates.len().max(1));
    rayon::scope(|s| {
        for _ in 0..workers {
            s.spawn(|_| loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= candidates.len() {
                    break;
                }
                if i > 0 {
                    let allowed = {
                        let done = done.lock().expect("not poisoned");
                        may_start(&done)
                    };
                    if !allowed {
                        stop.store(true, Ordering::SeqCst);
                        break;
                    }
                }
                let result = engine.score(i, &candidates[i], 0, plan);
                scored_one();
                if let Ok(t) = &result {
                    done.lock().expect("not poisoned").push(t.clone());
                }
                results.lock().expect("not poisoned")[i] = Some(result);
            });
        }
    });
    Scored {
        results: results.into_inner().expect("not poisoned"),
        stopped: stop.into_inner(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_budgets_parse_with_units() {
        let secs = |t: &str| parse_time_budget(t).unwrap().as_secs_f64();
        assert_eq!(secs("60s"), 60.0);
        assert_eq!(secs("2m"), 120.0);
        assert_eq!(secs("90"), 90.0);
        assert_eq!(secs(" 1.5 m "), 90.0);
        assert_eq!(secs("1h"), 3600.0);
        assert_eq!(secs("250ms"), 0.25);
        for bad in ["", "abc", "10x", "-5s", "0", "0s", "nan", "inf", "5 m s"] {
            let err = parse_time_budget(bad).unwrap_err().to_string();
            assert!(
                err.contains("time budget") && !err.contains("--"),
                "{bad}: {err}"
            );
        }
        assert!(parse_time_budget("0")
            .unwrap_err()
            .to_string()
            .contains("more than 0"));
    }

    #[test]
    fn candidates_start_from_the_default_and_are_a_seeded_prefix() {
        let long = auto_candidates(Task::Classification, 5000, 60, 7);
        assert_eq!(long.len(), 60);
        assert_eq!(long[0], ModelSpec::new("gbdt"));
        assert_eq!(long[2].name, "logistic_regression");
        assert_eq!(
            auto_candidates(Task::Classification, 5000, 10, 7),
            long[..10]
        );
        assert_ne!(auto_candidates(Task::Classification, 5000, 60, 8), long);
        for c in &long[1..] {
            match c.name.as_str() {
                "gbdt" => {
                    let p = |k: &str| c.params[k].parse::<f64>().unwrap();
                    assert!((0.02..=0.2).contains(&p("learning_rate")), "{c:?}");
                    assert!((4.0..=128.0).contains(&p("max_leaves")), "{c:?}");
                    assert!((2.0..=100.0).contains(&p("min_samples_leaf")), "{c:?}");
                    assert_eq!(c.params["early_stopping"], "true");
                }
                "logistic_regression" => {}
                other => panic!("unexpected model {other}"),
            }
        }
        assert!(
            long.iter()
                .filter(|c| c.name == "logistic_regression")
                .count()
                >= 4
        );
        let regression = auto_candidates(Task::Regression, 150, 40, 7);
        assert_eq!(regression[2].name, "ridge");
        // Small data: at most a twentieth of the rows in a leaf.
        for c in regression.iter().filter(|c| c.name == "gbdt").skip(1) {
            let leaf: usize = c.params["min_samples_leaf"].parse().unwrap();
            assert!(leaf <= 7, "{c:?}");
        }
    }
}
