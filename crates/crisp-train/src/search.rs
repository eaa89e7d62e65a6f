//! Model selection: grid, random and successive-halving searches over a space of models and
//! parameters, scored by cross-validation or on a validation split of the training rows, and
//! ranked in a leaderboard; [`compare`] scores given models on one split or one set of folds.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use crisp_core::progress::Progress;
use crisp_core::{bail, ensure, Error, Result, SeededRng, Split};
use crisp_validate::{Metric, Task};
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use crate::cv::cross_validate_folds;
use crate::model::{default_model, find_model, ModelSpec};
use crate::params::Params;
use crate::target::{drop_missing_target, TargetValues};
use crate::train::{train, Holdout, Labeled, Rounds, TrainConfig, TrainRun};

/// Stream numbers of [`SeededRng::stream`] for the search's draws, apart from the split's.
const STREAM_CANDIDATES: u64 = 0x5EA2C4;
const STREAM_SUBSAMPLE: u64 = 0x5EA2C5;

/// How candidates are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMethod {
    /// Every combination of the listed values (a range gives [`SearchConfig::GRID_STEPS`]
    /// values: its ends and its middle); with a trial count smaller than the grid, a seeded
    /// sample of the combinations.
    Grid,
    /// Seeded draws: a model, then each parameter uniformly from its list or range.
    Random,
    /// Successive halving: candidates drawn as [`SearchMethod::Random`] start on a small
    /// share of the rows; after each rung the best third go on with three times the rows,
    /// until the last rung has every row.
    Halving,
}

impl SearchMethod {
    /// `grid`, `random` or `halving`.
    pub fn name(self) -> &'static str {
        match self {
            SearchMethod::Grid => "grid",
            SearchMethod::Random => "random",
            SearchMethod::Halving => "halving",
        }
    }
}

impl fmt::Display for SearchMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SearchMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "grid" => Ok(SearchMethod::Grid),
            "random" => Ok(SearchMethod::Random),
            "halving" => Ok(SearchMethod::Halving),
            _ => Err(Error::config(format!(
                "unknown search method '{s}'; the methods are grid, random and halving"
            ))
            .value(s)),
        }
    }
}

/// The values a parameter takes in a search.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamRange {
    /// These values, as text (as `--param` takes them).
    List(Vec<String>),
    /// Numbers from `min` to `max`: uniform, or log-uniform with `log` (then `min > 0`),
    /// whole numbers with `integer`.
    Range {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
        /// Drawn uniformly in log space.
        log: bool,
        /// Whole numbers only.
        integer: bool,
    },
}

impl ParamRange {
    /// The values `values`.
    pub fn list<T: ToString>(values: impl IntoIterator<Item = T>) -> Self {
        ParamRange::List(values.into_iter().map(|v| v.to_string()).collect())
    }

    /// Real numbers from `min` to `max`, log-uniform when `log`.
    pub fn range(min: f64, max: f64, log: bool) -> Self {
        ParamRange::Range {
            min,
            max,
            log,
            integer: false,
        }
    }

    /// Whole numbers from `min` to `max`, log-uniform when `log`.
    pub fn int_range(min: i64, max: i64, log: bool) -> Self {
        ParamRange::Range {
            min: min as f64,
            max: max as f64,
            log,
            integer: true,
        }
    }

    fn check(&self, model: &str, name: &str) -> Result<()> {
        let bad = |why: String| {
            Err(Error::parameter(
                name,
                None,
                format!("search space of model '{model}': parameter {name} {why}"),
            ))
        };
        match self {
            ParamRange::List(values) if values.is_empty() => bad("lists no values".into()),
            ParamRange::List(_) => Ok(()),
            ParamRange::Range { min, max, log, .. } => {
                if !(min.is_finite() && max.is_finite()) || min > max {
                    bad(format!(
                        "has min {min} and max {max}; give finite numbers with min <= max"
                    ))
                } else if *log && *min <= 0.0 {
                    bad(format!(
                        "is a log range from {min}; a log range needs min > 0"
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The grid values: the list, or a range's ends and middle (geometric for a log range).
    fn grid(&self) -> Vec<String> {
        match self {
            ParamRange::List(values) => values.clone(),
            &ParamRange::Range {
                min,
                max,
                log,
                integer,
            } => {
                let steps = SearchConfig::GRID_STEPS;
                let mut out: Vec<String> = Vec::new();
                for i in 0..steps {
                    let t = i as f64 / (steps - 1) as f64;
                    let v = if log {
                        (min.ln() + t * (max.ln() - min.ln())).exp()
                    } else {
                        min + t * (max - min)
                    };
                    let text = number(v, integer);
                    if !out.contains(&text) {
                        out.push(text);
                    }
                }
                out
            }
        }
    }

    /// One seeded draw.
    fn draw(&self, rng: &mut SeededRng) -> String {
        match self {
            ParamRange::List(values) => values[rng.index(values.len())].clone(),
            &ParamRange::Range {
                min,
                max,
                log,
                integer,
            } => {
                let u = rng.next_f64();
                let v = match (log, integer) {
                    // Whole numbers: each of min..=max is reachable (log: up to max + 1).
                    (true, true) => (min.ln() + u * ((max + 1.0).ln() - min.ln())).exp().floor(),
                    (false, true) => (min + u * (max + 1.0 - min)).floor(),
                    (true, false) => (min.ln() + u * (max.ln() - min.ln())).exp(),
                    (false, false) => min + u * (max - min),
                };
                number(v.clamp(min, max), integer)
            }
        }
    }
}

/// A number as parameter text: whole, or with 4 significant digits.
fn number(v: f64, integer: bool) -> String {
    if integer {
        format!("{}", v.round() as i64)
    } else {
        let rounded: f64 = format!("{v:.3e}").parse().unwrap_or(v);
        format!("{rounded}")
    }
}

/// Models and the values of their parameters, in order. Parameters not listed keep the
/// model's defaults; a model listed with no parameters is one candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchSpace {
    /// `(model, [(parameter, values)])`, in the order given.
    pub models: Vec<(String, Vec<(String, ParamRange)>)>,
}

impl SearchSpace {
    /// An empty space: the searched model's [`default_space`].
    pub fn new() -> Self {
        SearchSpace::default()
    }

    /// With `model` in the space (at its defaults until parameters are added).
    pub fn model(mut self, model: impl Into<String>) -> Self {
        let model = model.into();
        if !self.models.iter().any(|(m, _)| *m == model) {
            self.models.push((model, Vec::new()));
        }
        self
    }

    /// With `model`'s parameter `name` taking `values`.
    pub fn param(mut self, model: &str, name: impl Into<String>, values: ParamRange) -> Self {
        self = self.model(model);
        let params = &mut self
            .models
            .iter_mut()
            .find(|(m, _)| m == model)
            .expect("just added")
            .1;
        let name = name.into();
        params.retain(|(n, _)| *n != name);
        params.push((name, values));
        self
    }

    /// Whether no model is listed.
    pub fn is_empty(&self) -> bool {
        self.models.is_empty()
    }
}

/// The space searched for `model` when the search is given none for it. Parameters the model
/// does not accept are left out, so the list follows the registry.
///
/// | model | parameters |
/// |---|---|
/// | `gbdt` | learning_rate 0.03–0.3 (log), max_leaves 15–63 (log), min_samples_leaf 10–50 (log), n_rounds 100 or 300 |
/// | `random_forest` | colsample 0.3, 0.6 or 1, min_samples_leaf 1–20 (log) |
/// | `decision_tree` | max_depth 3–15, min_samples_leaf 1–50 (log) |
/// | `linfa_decision_tree` | max_depth 4, 8 or 12, min_samples_leaf 1, 5 or 20 |
/// | `logistic_regression` | alpha 1e-4–10 (log) |
/// | `ridge`, `lasso` | alpha 1e-3–100 (log) |
/// | `elastic_net` | alpha 1e-3–10 (log), l1_ratio 0.1, 0.5 or 0.9 |
/// | `knn` | k 3–31 (log), weights uniform or distance |
/// | `svm` | c 0.1–100 (log) |
/// | `gaussian_nb` | var_smoothing 1e-4–1 (log; the default is 0.01) |
///
/// Other models have no default space: one candidate at their defaults.
pub fn default_space(model: &str) -> Vec<(String, ParamRange)> {
    let l = |v: &[&str]| ParamRange::list(v.iter().copied());
    let space: Vec<(&str, ParamRange)> = match model {
        "gbdt" => vec![
            ("learning_rate", ParamRange::range(0.03, 0.3, true)),
            ("max_leaves", ParamRange::int_range(15, 63, true)),
            ("min_samples_leaf", ParamRange::int_range(10, 50, true)),
            ("n_rounds", l(&["100", "300"])),
        ],
        "random_forest" => vec![
            ("colsample", l(&["0.3", "0.6", "1"])),
            ("min_samples_leaf", ParamRange::int_range(1, 20, true)),
        ],
        "decision_tree" => vec![
            ("max_depth", ParamRange::int_range(3, 15, false)),
            ("min_samples_leaf", ParamRange::int_range(1, 50, true)),
        ],
        "linfa_decision_tree" => vec![
            ("max_depth", l(&["4", "8", "12"])),
            ("min_samples_leaf", l(&["1", "5", "20"])),
        ],
        "logistic_regression" => vec![("alpha", ParamRange::range(1e-4, 10.0, true))],
        "ridge" | "lasso" => vec![("alpha", ParamRange::range(1e-3, 100.0, true))],
        "elastic_net" => vec![
            ("alpha", ParamRange::range(1e-3, 10.0, true)),
            ("l1_ratio", l(&["0.1", "0.5", "0.9"])),
        ],
        "knn" => vec![
            ("k", ParamRange::int_range(3, 31, true)),
            ("weights", l(&["uniform", "distance"])),
        ],
        "svm" => vec![("c", ParamRange::range(0.1, 100.0, true))],
        "gaussian_nb" => vec![("var_smoothing", ParamRange::range(1e-4, 1.0, true))],
        _ => Vec::new(),
    };
    let accepted = find_model(model).map(|m| m.params).unwrap_or_default();
    space
        .into_iter()
        .filter(|(name, _)| accepted.contains(name))
        .map(|(name, range)| (name.to_string(), range))
        .collect()
}

/// The metric candidates are ranked on when none is named: `roc_auc` for classification (one
/// against the rest, averaged, for more than two classes: it ranks on predicted
/// probabilities, whatever the decision threshold and the class balance), `rmse` for
/// regression. When a candidate has no probabilities (so no `roc_auc`), the leaderboard ranks
/// on `accuracy` instead and says so.
pub fn default_metric(task: Task) -> &'static str {
    match task {
        Task::Classification => "roc_auc",
        Task::Regression => "rmse",
    }
}

/// How candidates are scored on the rows a search may see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scoring {
    /// Fitted on the other rows, scored on a seeded validation split of this share.
    Validation(f64),
    /// K-fold cross-validation: the mean over the folds.
    CrossValidation(usize),
}

/// What [`search`] does.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// How candidates are chosen.
    pub method: SearchMethod,
    /// Models and parameter values; empty: the searched model's [`default_space`].
    pub space: SearchSpace,
    /// Candidates to try: all of a grid, [`SearchConfig::DEFAULT_RANDOM_TRIALS`] random,
    /// [`SearchConfig::DEFAULT_HALVING_TRIALS`] for halving, when `None`.
    pub trials: Option<usize>,
    /// Metric to rank on ([`default_metric`] when `None`).
    pub metric: Option<String>,
    /// How candidates are scored.
    pub scoring: Scoring,
    /// Halving: the share kept after each rung is 1 / factor, and each rung has factor times
    /// the rows of the one before.
    pub halving_factor: usize,
    /// Halving: the fewest rows a candidate is fitted on in the first rung.
    pub min_rows: usize,
    /// Stop starting candidates (and rungs) after this long; the candidates scored by then
    /// make the leaderboard. Results then depend on the machine's speed: without it a search
    /// is reproducible.
    pub time_budget: Option<Duration>,
}

impl SearchConfig {
    /// Trials of a random search when none are given.
    pub const DEFAULT_RANDOM_TRIALS: usize = 20;
    /// Starting candidates of successive halving when none are given.
    pub const DEFAULT_HALVING_TRIALS: usize = 50;
    /// Grid values of a range: its ends and its middle.
    pub const GRID_STEPS: usize = 3;
    /// The validation share when candidates are not cross-validated.
    pub const DEFAULT_VALIDATION_FRACTION: f64 = 0.2;

    /// A search by `method` over the default space, scored on a 20% validation split.
    pub fn new(method: SearchMethod) -> Self {
        SearchConfig {
            method,
            space: SearchSpace::new(),
            trials: None,
            metric: None,
            scoring: Scoring::Validation(Self::DEFAULT_VALIDATION_FRACTION),
            halving_factor: 3,
            min_rows: 200,
            time_budget: None,
        }
    }

    /// Over `space`.
    pub fn space(mut self, space: SearchSpace) -> Self {
        self.space = space;
        self
    }

    /// Trying `trials` candidates.
    pub fn trials(mut self, trials: usize) -> Self {
        self.trials = Some(trials);
        self
    }

    /// Ranking on `metric`.
    pub fn metric(mut self, metric: impl Into<String>) -> Self {
        self.metric = Some(metric.into());
        self
    }

    /// Scoring candidates as `scoring` says.
    pub fn scoring(mut self, scoring: Scoring) -> Self {
        self.scoring = scoring;
        self
    }

    /// Starting no candidate after `budget`.
    pub fn time_budget(mut self, budget: Duration) -> Self {
        self.time_budget = Some(budget);
        self
    }
}

/// One candidate scored at one rung.
#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    /// Place in the leaderboard, from 1 (0 in a rung's history).
    pub rank: usize,
    /// The candidate's number, in the order candidates were drawn (from 0).
    pub candidate: usize,
    /// Model name.
    pub model: String,
    /// Its parameters (the searched ones and the fixed ones).
    pub params: BTreeMap<String, String>,
    /// Rung it was scored at (0 unless halving).
    pub rung: usize,
    /// Rows it was fitted on (cross-validation: the rows split into folds).
    pub rows: usize,
    /// The ranking metric (`None`: it could not be computed for this candidate).
    pub score: Option<f64>,
    /// Every metric: on the validation rows, or the mean over the folds.
    pub metrics: BTreeMap<String, f64>,
    /// Cross-validation: the standard deviation of every metric over the folds.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub std: BTreeMap<String, f64>,
    /// Seconds spent fitting (all folds).
    pub seconds: f64,
    /// Gradient boosting with early stopping: the rounds it kept (the mean over the folds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<f64>,
    /// Gradient boosting: the rounds of each fit, for a refit.
    #[serde(skip)]
    pub(crate) fit_rounds: Vec<Rounds>,
}

impl Trial {
    /// The model and parameters of the candidate.
    pub fn spec(&self) -> ModelSpec {
        ModelSpec {
            name: self.model.clone(),
            params: self.params.clone(),
        }
    }
}

/// One rung of a search.
#[derive(Debug, Clone, Serialize)]
pub struct Rung {
    /// Rung number, from 0.
    pub rung: usize,
    /// Rows each candidate was fitted on (cross-validation: split into folds).
    pub rows: usize,
    /// Candidates scored.
    pub candidates: usize,
    /// The best score of the rung.
    pub best: Option<f64>,
}

/// Candidates ranked on a metric.
#[derive(Debug, Clone, Serialize)]
pub struct Leaderboard {
    /// `grid`, `random`, `halving` or `compare`.
    pub method: String,
    /// The metric ranked on.
    pub metric: String,
    /// Whether higher values of it are better.
    pub higher_is_better: bool,
    /// Why the default metric was replaced (a candidate without probabilities).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_fallback: Option<String>,
    /// How candidates were scored: `validation`, `holdout`, `test_data` or `cv`.
    pub scoring: String,
    /// The validation or hold-out share (`validation`, `holdout`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// The folds (`cv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folds: Option<usize>,
    /// How rows were split: `stratified`, `shuffled`, `group:COL` or `time:COL`.
    pub split: String,
    /// Rows the search could see (those outside the final hold-out).
    pub rows: usize,
    /// The rungs (one unless halving).
    pub rungs: Vec<Rung>,
    /// Candidates not started because the time budget ran out.
    pub skipped: usize,
    /// Every candidate at the last rung it reached, best first.
    pub entries: Vec<Trial>,
    /// Halving: every trial of every rung, in rung then candidate order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Trial>,
}

impl Leaderboard {
    /// The best candidate.
    pub fn best(&self) -> Option<&Trial> {
        self.entries.first()
    }
}

/// What [`search`] found.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    /// The task (given or inferred).
    pub task: Task,
    /// The leaderboard.
    pub leaderboard: Leaderboard,
    /// The best candidate.
    pub best: ModelSpec,
    /// The best candidate trained as the base configuration says: on the training rows,
    /// evaluated on the hold-out rows the search never saw, and refit on every labeled row
    /// when it asks.
    pub run: TrainRun,
}

/// Searches `config.space` for the best model of `base.target` on `frame` (read from
/// `source`), then trains it as `base` says.
///
/// The rows outside `base`'s hold-out split (every labeled row with a test frame or
/// cross-validation) are the search's; candidates are scored on them by `config.scoring`
/// (splits made as `base.split_by` says, seeded by `base.seed`), in parallel, and ranked on
/// the metric. `base.model` names the model searched when it names one (its part of the
/// space, or its [`default_space`]); `base.model.params` are fixed for every candidate whose
/// model takes them. `on_rung` is called after each rung with its trials in candidate order.
/// Without a time budget the result is the same for the same data, configuration and seed,
/// whatever the number of threads.
///
/// # Errors
/// An unknown model or parameter, a model of the other task, an empty list, a bad range, a
/// metric of the other task, and the errors of training.
///
/// ```
/// use crisp_train::{search, ParamRange, SearchConfig, SearchMethod, SearchSpace, TrainConfig};
/// use polars::prelude::*;
///
/// let xs: Vec<f64> = (0..400).map(|i| (i % 100) as f64).collect();
/// let label: Vec<&str> = xs.iter().map(|&x| if x < 50.0 { "low" } else { "high" }).collect();
/// let frame = df!("x" => &xs, "label" => &label)?;
/// let space = SearchSpace::new()
///     .param("decision_tree", "max_depth", ParamRange::list([1, 3]))
///     .param("decision_tree", "min_samples_leaf", ParamRange::int_range(1, 20, true));
/// let config = SearchConfig::new(SearchMethod::Grid).space(space).metric("accuracy");
/// let outcome = search(&frame, "example", &TrainConfig::new("label").refit(true), &config, |_, _| {})?;
/// assert_eq!(outcome.leaderboard.entries.len(), 6);
/// assert!(outcome.leaderboard.entries[0].score.unwrap() > 0.95);
/// // The winner is evaluated on the 20% hold-out, then refit on all 400 rows.
/// assert_eq!((outcome.run.rows_test, outcome.run.rows_train), (80, 400));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn search(
    frame: &DataFrame,
    source: &str,
    base: &TrainConfig,
    config: &SearchConfig,
    mut on_rung: impl FnMut(&Rung, &[Trial]),
) -> Result<SearchOutcome> {
    let started = Instant::now();
    let deadline = config.time_budget.map(|b| started + b);
    let labeled = Labeled::new(frame, source, base)?;
    let task = labeled.task;
    let metric = check_metric(config.metric.as_deref(), task)?;
    let space = resolve_space(&config.space, &base.model, task)?;
    let candidates = generate(&space, config, base.seed, &base.model.params)?;
    ensure!(!candidates.is_empty(), Config: "the search has no candidates");
    ensure!(config.halving_factor >= 2, Config { value: config.halving_factor }: "the halving factor must be at least 2, got {}", config.halving_factor);

    let keys = labeled.keys(&base.split_by)?;
    let search_rows = labeled.search_rows(&keys, base)?;
    let classes = matches!(labeled.truth, TargetValues::Classes(_));
    let engine = Engine {
        labeled: &labeled,
        base,
        metric: metric.clone(),
    };

    // The rows each rung fits on: for a validation split, a growing share of the fitting
    // rows (the validation rows stay the same); for cross-validation, a growing share of the
    // search's rows, split into folds.
    let (pool, validation) = match config.scoring {
        Scoring::Validation(fraction) => {
            let split =
                keys.subset(&search_rows)
                    .holdout(search_rows.len(), fraction, base.seed)?;
            let fit: Vec<usize> = split.train.iter().map(|&r| search_rows[r]).collect();
            let valid: Vec<usize> = split.test.iter().map(|&r| search_rows[r]).collect();
            (fit, Some(valid))
        }
        Scoring::CrossValidation(_) => (search_rows.clone(), None),
    };
    let order = subsample_order(&pool, &labeled.truth, base.seed);
    let schedule = match config.method {
        SearchMethod::Halving => halving_schedule(
            candidates.len(),
            pool.len(),
            config.halving_factor,
            config.min_rows,
        ),
        _ => vec![(candidates.len(), pool.len())],
    };

    let mut alive: Vec<usize> = (0..candidates.len()).collect();
    let mut latest: Vec<Option<Trial>> = vec![None; candidates.len()];
    let mut history = Vec::new();
    let mut rungs = Vec::new();
    let mut skipped = 0;
    let mut fallback: Option<String> = None;
    let mut metric = metric;
    for (rung, &(keep, rows)) in schedule.iter().enumerate() {
        if rung > 0 {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
            let mut ranked: Vec<&Trial> =
                alive.iter().filter_map(|&c| latest[c].as_ref()).collect();
            rank_trials(&mut ranked, &metric);
            alive = ranked.iter().take(keep).map(|t| t.candidate).collect();
            alive.sort_unstable();
        }
        let mut rung_rows: Vec<usize> = order[..rows].to_vec();
        rung_rows.sort_unstable();
        let plan = match (config.scoring, &validation) {
            (Scoring::Validation(_), Some(valid)) => Plan::Split {
                fit: rung_rows,
                eval: valid.clone(),
            },
            (Scoring::CrossValidation(k), _) => {
                let folds = keys
                    .subset(&rung_rows)
                    .folds(rung_rows.len(), k, base.seed)?;
                Plan::Folds {
                    rows: rung_rows,
                    folds,
                }
            }
            _ => unreachable!("a validation split exists for validation scoring"),
        };
        let work = if schedule.len() > 1 {
            format!("search, rung {} of {}", rung + 1, schedule.len())
        } else {
            "search".to_string()
        };
        let progress = Progress::start(&work, alive.len() as u64, "candidates");
        let results: Vec<Option<Result<Trial>>> = alive
            .par_iter()
            .map(|&c| {
                if c != alive[0] && deadline.is_some_and(|d| Instant::now() >= d) {
                    progress.step();
                    return None;
                }
                let trial = engine.score(c, &candidates[c], rung, &plan);
                progress.step();
                Some(trial)
            })
            .collect();
        drop(progress);
        let mut trials = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Some(t) => trials.push(t?),
                None => skipped += 1,
            }
        }
        if rung == 0 && config.metric.is_none() {
            if let Some(reason) = fallback_reason(&trials, &metric, task) {
                fallback = Some(reason);
                metric = "accuracy".to_string();
            }
        }
        for t in &mut trials {
            t.score = t.metrics.get(&metric).copied();
        }
        let mut ranked: Vec<&Trial> = trials.iter().collect();
        rank_trials(&mut ranked, &metric);
        rungs.push(Rung {
            rung,
            rows: plan.rows(),
            candidates: trials.len(),
            best: ranked.first().and_then(|t| t.score),
        });
        on_rung(rungs.last().expect("pushed"), &trials);
        for t in &trials {
            latest[t.candidate] = Some(t.clone());
        }
        if schedule.len() > 1 {
            history.extend(trials);
        }
    }

    let entries = ranked_entries(latest.iter().flatten(), &metric);
    let (scoring, fraction, folds) = match config.scoring {
        Scoring::Validation(f) => ("validation", Some(f), None),
        Scoring::CrossValidation(k) => ("cv", None, Some(k)),
    };
    let leaderboard = Leaderboard {
        method: config.method.name().to_string(),
        higher_is_better: Metric::higher_is_better(&metric),
        metric,
        metric_fallback: fallback,
        scoring: scoring.to_string(),
        fraction,
        folds,
        split: base.split_by.describe(classes),
        rows: search_rows.len(),
        rungs,
        skipped,
        entries,
        history,
    };
    let best = leaderboard.entries[0].spec();
    let final_config = TrainConfig {
        task: Some(task),
        model: best.clone(),
        ..base.clone()
    };
    let run = train(frame, source, &final_config)?;
    Ok(SearchOutcome {
        task,
        leaderboard,
        best,
        run,
    })
}

/// Scores every model of `models` on the same rows of `frame` (read from `source`): the
/// hold-out split, the separate test frame, or the same folds of cross-validation, as
/// `base.holdout` says (splits as `base.split_by` says, seeded by `base.seed`), in parallel,
/// and ranks them on `metric` ([`default_metric`] when `None`).
///
/// ```
/// use crisp_train::{compare, Holdout, ModelSpec, TrainConfig};
/// use polars::prelude::*;
///
/// let xs: Vec<f64> = (0..300).map(|i| (i % 100) as f64).collect();
/// let label: Vec<&str> = xs.iter().map(|&x| if x < 50.0 { "low" } else { "high" }).collect();
/// let frame = df!("x" => &xs, "label" => &label)?;
/// let models = [ModelSpec::new("decision_tree"), ModelSpec::new("decision_tree").param("max_depth", 1)];
/// let config = TrainConfig::new("label").holdout(Holdout::CrossValidation(3));
/// let board = compare(&frame, "example", &config, &models, Some("accuracy"))?;
/// assert_eq!(board.entries.len(), 2);
/// assert_eq!(board.folds, Some(3));
/// assert!(board.entries[0].score.unwrap() > 0.95);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// An empty list, an unknown model, a model of the other task, a metric of the other task,
/// and the errors of training.
pub fn compare(
    frame: &DataFrame,
    source: &str,
    base: &TrainConfig,
    models: &[ModelSpec],
    metric: Option<&str>,
) -> Result<Leaderboard> {
    ensure!(!models.is_empty(), Config: "no models to compare");
    let labeled = Labeled::new(frame, source, base)?;
    let task = labeled.task;
    let mut chosen = check_metric(metric, task)?;
    for m in models {
        check_model(&m.name, task)?;
    }
    let keys = labeled.keys(&base.split_by)?;
    let n = labeled.frame.height();
    let classes = matches!(labeled.truth, TargetValues::Classes(_));
    let (plan, scoring, fraction, folds) = match &base.holdout {
        Holdout::Fraction(f) => {
            let split = keys.holdout(n, *f, base.seed)?;
            (
                Plan::Split {
                    fit: split.train,
                    eval: split.test,
                },
                "holdout",
                Some(*f),
                None,
            )
        }
        Holdout::CrossValidation(k) => (
            Plan::Folds {
                rows: (0..n).collect(),
                folds: keys.folds(n, *k, base.seed)?,
            },
            "cv",
            None,
            Some(*k),
        ),
        Holdout::Frame {
            frame: test,
            source: test_source,
        } => {
            crisp_core::require_column(test, &base.target, test_source)?;
            let test_weights = labeled.frame_weights(test, &base.target, test_source)?;
            let (test, _) = drop_missing_target(test, &base.target, test_source)?;
            let truth = labeled.target.encode(&test, test_source)?;
            let weights = test_weights.map(|sample| labeled.evaluation_weights(sample, &truth));
            (
                Plan::Frame {
                    fit: (0..n).collect(),
                    test,
                    truth,
                    source: test_source.clone(),
                    weights,
                },
                "test_data",
                None,
                None,
            )
        }
    };
    let engine = Engine {
        labeled: &labeled,
        base,
        metric: chosen.clone(),
    };
    let progress = Progress::start("compare", models.len() as u64, "models");
    let results: Vec<Result<Trial>> = models
        .par_iter()
        .enumerate()
        .map(|(i, m)| {
            let trial = engine.score(i, m, 0, &plan);
            progress.step();
            trial
        })
        .collect();
    drop(progress);
    let mut trials = results.into_iter().collect::<Result<Vec<_>>>()?;
    let mut fallback = None;
    if metric.is_none() {
        if let Some(reason) = fallback_reason(&trials, &chosen, task) {
            fallback = Some(reason);
            chosen = "accuracy".to_string();
        }
    }
    for t in &mut trials {
        t.score = t.metrics.get(&chosen).copied();
    }
    let entries = ranked_entries(&trials, &chosen);
    Ok(Leaderboard {
        method: "compare".into(),
        higher_is_better: Metric::higher_is_better(&chosen),
        metric: chosen,
        metric_fallback: fallback,
        scoring: scoring.into(),
        fraction,
        folds,
        split: base.split_by.describe(classes),
        rows: n,
        rungs: vec![Rung {
            rung: 0,
            rows: plan.rows(),
            candidates: entries.len(),
            best: entries.first().and_then(|t| t.score),
        }],
        skipped: 0,
        entries,
        history: Vec::new(),
    })
}

/// Where a candidate is fitted and scored.
pub(crate) enum Plan {
    /// Fitted on `fit`, scored on `eval` (rows of the labeled frame).
    Split { fit: Vec<usize>, eval: Vec<usize> },
    /// Cross-validated on `rows`, with folds indexing into `rows`.
    Folds { rows: Vec<usize>, folds: Vec<Split> },
    /// Fitted on `fit`, scored on a separate frame.
    Frame {
        fit: Vec<usize>,
        test: DataFrame,
        truth: TargetValues,
        source: String,
        /// The test rows' weights when the metrics are weighted.
        weights: Option<Vec<f64>>,
    },
}

impl Plan {
    pub(crate) fn rows(&self) -> usize {
        match self {
            Plan::Split { fit, .. } | Plan::Frame { fit, .. } => fit.len(),
            Plan::Folds { rows, .. } => rows.len(),
        }
    }
}

pub(crate) struct Engine<'a> {
    labeled: &'a Labeled,
    base: &'a TrainConfig,
    metric: String,
}

impl Engine<'_> {
    pub(crate) fn new<'a>(labeled: &'a Labeled, base: &'a TrainConfig, metric: &str) -> Engine<'a> {
        Engine {
            labeled,
            base,
            metric: metric.to_string(),
        }
    }

    pub(crate) fn score(
        &self,
        candidate: usize,
        spec: &ModelSpec,
        rung: usize,
        plan: &Plan,
    ) -> Result<Trial> {
        let (metrics, std, seconds, fit_rounds) = match plan {
            Plan::Split { fit, eval } => {
                let fitted = self.labeled.fit(self.base, spec, Some(fit))?;
                let evaluation = self.labeled.evaluate(&fitted.fitted, eval)?;
                let rounds: Vec<Rounds> = fitted.rounds.into_iter().collect();
                (evaluation.metrics, BTreeMap::new(), fitted.seconds, rounds)
            }
            Plan::Frame {
                fit,
                test,
                truth,
                source,
                weights,
            } => {
                let fitted = self.labeled.fit(self.base, spec, Some(fit))?;
                let predictions = fitted.fitted.predict(test, source)?;
                let evaluation = match weights {
                    Some(w) => fitted.fitted.score_weighted(truth, &predictions, w)?,
                    None => fitted.fitted.score(truth, &predictions)?,
                };
                let rounds: Vec<Rounds> = fitted.rounds.into_iter().collect();
                (evaluation.metrics, BTreeMap::new(), fitted.seconds, rounds)
            }
            Plan::Folds { rows, folds } => {
                let cv = cross_validate_folds(self.labeled, self.base, spec, folds, Some(rows))?;
                let seconds = cv.folds.iter().map(|f| f.train_seconds).sum();
                (
                    cv.metrics
                        .iter()
                        .map(|(k, s)| (k.clone(), s.mean))
                        .collect(),
                    cv.metrics.iter().map(|(k, s)| (k.clone(), s.std)).collect(),
                    seconds,
                    cv.folds.iter().filter_map(|f| f.rounds).collect(),
                )
            }
        };
        tracing::info!(
            "candidate {candidate} {}{}: {} {} in {seconds:.2}s on {} rows",
            spec.name,
            params_text(&spec.params),
            self.metric,
            metrics
                .get(&self.metric)
                .map_or("not available".to_string(), |v| format!("{v:.6}")),
            plan.rows()
        );
        let stopped: Vec<&Rounds> = fit_rounds.iter().filter(|r| r.early_stopped).collect();
        let rounds = (!stopped.is_empty())
            .then(|| stopped.iter().map(|r| r.kept as f64).sum::<f64>() / stopped.len() as f64);
        Ok(Trial {
            rank: 0,
            candidate,
            model: spec.name.clone(),
            params: spec.params.clone(),
            rung,
            rows: plan.rows(),
            score: metrics.get(&self.metric).copied(),
            metrics,
            std,
            seconds,
            rounds,
            fit_rounds,
        })
    }
}

/// ` (name=value, ...)` for a log line, or nothing for defaults.
fn params_text(params: &BTreeMap<String, String>) -> String {
    if params.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(" ({})", pairs.join(", "))
}

/// Best first: scored before unscored, then by the metric, then in candidate order; deeper
/// rungs before shallower ones.
/// Copies of `trials`, best first on `metric` ([`rank_trials`]), numbered from rank 1.
pub(crate) fn ranked_entries<'a>(
    trials: impl IntoIterator<Item = &'a Trial>,
    metric: &str,
) -> Vec<Trial> {
    let mut ranked: Vec<&Trial> = trials.into_iter().collect();
    rank_trials(&mut ranked, metric);
    ranked
        .into_iter()
        .enumerate()
        .map(|(i, t)| Trial {
            rank: i + 1,
            ..t.clone()
        })
        .collect()
}

pub(crate) fn rank_trials(trials: &mut [&Trial], metric: &str) {
    let higher = Metric::higher_is_better(metric);
    trials.sort_by(|a, b| {
        b.rung.cmp(&a.rung).then_with(|| {
            match (a.score, b.score) {
                (Some(x), Some(y)) => {
                    if higher {
                        y.total_cmp(&x)
                    } else {
                        x.total_cmp(&y)
                    }
                }
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then(a.candidate.cmp(&b.candidate))
        })
    });
}

/// Why the default metric cannot rank `trials` (a classification candidate without it).
pub(crate) fn fallback_reason(trials: &[Trial], metric: &str, task: Task) -> Option<String> {
    if task != Task::Classification {
        return None;
    }
    let without: Vec<&str> = trials
        .iter()
        .filter(|t| !t.metrics.contains_key(metric))
        .map(|t| t.model.as_str())
        .collect();
    if without.is_empty() {
        return None;
    }
    let mut names = without;
    names.dedup();
    Some(format!(
        "{metric} needs predicted probabilities, which {} does not give: ranked on accuracy",
        names.join(", ")
    ))
}

/// The metric named (checked against the task) or the default one.
pub(crate) fn check_metric(metric: Option<&str>, task: Task) -> Result<String> {
    match metric {
        None => Ok(default_metric(task).to_string()),
        Some(name) => {
            if Metric::is_valid(name, task) {
                Ok(name.to_string())
            } else {
                Err(Error::config(format!(
                    "'{name}' is not a {task} metric; the metrics are: {}",
                    Metric::valid_names(task).join(", ")
                ))
                .value(name))
            }
        }
    }
}

/// The model `name`, which must exist and do `task`.
pub(crate) fn check_model(name: &str, task: Task) -> Result<&'static crate::model::ModelInfo> {
    let info = find_model(name)?;
    if !info.tasks.contains(&task) {
        bail!(
            Config { value: name }: "model '{name}' does not do {task}; models for {task}: {}",
            crate::model::MODELS
                .iter()
                .filter(|m| m.tasks.contains(&task))
                .map(|m| m.name)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(info)
}

type Space = Vec<(String, Vec<(String, ParamRange)>)>;

/// The space to search: `model`'s part (or default space) when it names one, the given
/// space, or the default model's default space; checked, with the fixed parameters taken out.
fn resolve_space(given: &SearchSpace, model: &ModelSpec, task: Task) -> Result<Space> {
    let mut space: Space = if !model.name.is_empty() {
        let params = given
            .models
            .iter()
            .find(|(m, _)| *m == model.name)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| default_space(&model.name));
        vec![(model.name.clone(), params)]
    } else if given.is_empty() {
        let name = default_model(task);
        vec![(name.to_string(), default_space(name))]
    } else {
        given.models.clone()
    };
    for (name, params) in &mut space {
        let info = check_model(name, task)?;
        let names: BTreeMap<String, String> = params
            .iter()
            .map(|(p, _)| (p.clone(), String::new()))
            .collect();
        Params::new(name, &names, info.params)?;
        for (p, range) in params.iter() {
            range.check(name, p)?;
        }
        params.retain(|(p, _)| !model.params.contains_key(p));
    }
    for fixed in model.params.keys() {
        let takes = |m: &str| find_model(m).is_ok_and(|i| i.params.contains(&fixed.as_str()));
        if !space.iter().any(|(m, _)| takes(m)) {
            return Err(Error::parameter(
                fixed,
                None,
                format!(
                    "parameter '{fixed}' is fixed for the search, but no model searched ({}) has it",
                    space.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    Ok(space)
}

/// The candidates of `space` by `config.method`, with the fixed parameters each model takes.
fn generate(
    space: &Space,
    config: &SearchConfig,
    seed: u64,
    fixed: &BTreeMap<String, String>,
) -> Result<Vec<ModelSpec>> {
    let with_fixed = |name: &str, mut params: BTreeMap<String, String>| {
        let accepted = find_model(name).map(|i| i.params).unwrap_or_default();
        for (k, v) in fixed {
            if accepted.contains(&k.as_str()) {
                params.insert(k.clone(), v.clone());
            }
        }
        ModelSpec {
            name: name.to_string(),
            params,
        }
    };
    if let Some(0) = config.trials {
        bail!(Config { value: 0 }: "a search needs at least 1 trial");
    }
    let mut rng = SeededRng::stream(seed, STREAM_CANDIDATES);
    match config.method {
        SearchMethod::Grid => {
            let mut all = Vec::new();
            for (name, params) in space {
                let mut points: Vec<BTreeMap<String, String>> = vec![BTreeMap::new()];
                for (p, range) in params {
                    let values = range.grid();
                    points = points
                        .into_iter()
                        .flat_map(|point| {
                            values.iter().map(move |v| {
                                let mut next = point.clone();
                                next.insert(p.clone(), v.clone());
                                next
                            })
                        })
                        .collect();
                }
                all.extend(points.into_iter().map(|point| with_fixed(name, point)));
            }
            match config.trials {
                Some(t) if t < all.len() => {
                    let mut keep = rng.sample_indices(all.len(), t);
                    keep.sort_unstable();
                    Ok(keep.into_iter().map(|i| all[i].clone()).collect())
                }
                _ => Ok(all),
            }
        }
        SearchMethod::Random | SearchMethod::Halving => {
            let trials = config
                .trials
                .unwrap_or(if config.method == SearchMethod::Random {
                    SearchConfig::DEFAULT_RANDOM_TRIALS
                } else {
                    SearchConfig::DEFAULT_HALVING_TRIALS
                });
            let mut out: Vec<ModelSpec> = Vec::with_capacity(trials);
            // A small discrete space has fewer distinct candidates than trials: stop drawing
            // after enough repeats.
            let mut draws = 0;
            while out.len() < trials && draws < trials * 20 {
                draws += 1;
                let (name, params) = &space[rng.index(space.len())];
                let point = params
                    .iter()
                    .map(|(p, range)| (p.clone(), range.draw(&mut rng)))
                    .collect();
                let candidate = with_fixed(name, point);
                if !out.contains(&candidate) {
                    out.push(candidate);
                }
            }
            Ok(out)
        }
    }
}

/// Successive halving's rungs as `(candidates kept, rows)`: the candidates shrink by `factor`
/// (rounded up) until at most `factor` are left, and the last rung has every row; each earlier
/// rung has `factor` times fewer rows than the next, but at least `min_rows`.
fn halving_schedule(
    candidates: usize,
    rows: usize,
    factor: usize,
    min_rows: usize,
) -> Vec<(usize, usize)> {
    let mut counts = vec![candidates];
    while *counts.last().expect("one") > factor {
        let c = *counts.last().expect("one");
        counts.push(c.div_ceil(factor));
    }
    let last = counts.len() - 1;
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let share = (factor as f64).powi((last - i) as i32);
            let r = ((rows as f64 / share).round() as usize)
                .max(min_rows)
                .min(rows);
            (c, r)
        })
        .collect()
}

/// The rows of `pool` in a seeded order whose every prefix keeps the class balance (rows of
/// each class spread evenly over the order), for halving's growing subsamples.
fn subsample_order(pool: &[usize], truth: &TargetValues, seed: u64) -> Vec<usize> {
    let mut rng = SeededRng::stream(seed, STREAM_SUBSAMPLE);
    match truth {
        TargetValues::Values(_) => {
            let mut order = pool.to_vec();
            rng.shuffle(&mut order);
            order
        }
        TargetValues::Classes(classes) => {
            let n_classes = classes.iter().max().map_or(0, |m| m + 1);
            let mut by_class = vec![Vec::new(); n_classes];
            for &r in pool {
                by_class[classes[r]].push(r);
            }
            // Row j of a class of n rows sits at (j + u) / n in [0, 1): sorted by that, every
            // prefix holds each class in proportion.
            let mut keyed: Vec<(f64, usize)> = Vec::with_capacity(pool.len());
            for mut rows in by_class {
                rng.shuffle(&mut rows);
                let n = rows.len() as f64;
                for (j, r) in rows.into_iter().enumerate() {
                    keyed.push(((j as f64 + rng.next_f64()) / n, r));
                }
            }
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            keyed.into_iter().map(|(_, r)| r).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halving_keeps_a_third_and_triples_the_rows() {
        assert_eq!(
            halving_schedule(50, 27_000, 3, 200),
            vec![(50, 1000), (17, 3000), (6, 9000), (2, 27_000)]
        );
        assert_eq!(
            halving_schedule(27, 2000, 3, 200),
            vec![(27, 222), (9, 667), (3, 2000)]
        );
        // The first rungs never go below the floor.
        assert_eq!(
            halving_schedule(27, 900, 3, 200),
            vec![(27, 200), (9, 300), (3, 900)]
        );
        assert_eq!(halving_schedule(3, 500, 3, 200), vec![(3, 500)]);
    }

    #[test]
    fn grid_and_random_candidates() {
        let space = SearchSpace::new()
            .param("gbdt", "learning_rate", ParamRange::range(0.01, 1.0, true))
            .param("gbdt", "max_leaves", ParamRange::list([15, 31]));
        let resolved = resolve_space(&space, &ModelSpec::default(), Task::Regression).unwrap();
        let grid = generate(
            &resolved,
            &SearchConfig::new(SearchMethod::Grid),
            1,
            &BTreeMap::new(),
        )
        .unwrap();
        let rates: Vec<&str> = grid
            .iter()
            .map(|c| c.params["learning_rate"].as_str())
            .collect();
        assert_eq!(rates, ["0.01", "0.01", "0.1", "0.1", "1", "1"]);
        let random = SearchConfig::new(SearchMethod::Random).trials(8);
        let a = generate(&resolved, &random, 1, &BTreeMap::new()).unwrap();
        assert_eq!(a.len(), 8);
        assert_eq!(
            a,
            generate(&resolved, &random, 1, &BTreeMap::new()).unwrap()
        );
        assert_ne!(
            a,
            generate(&resolved, &random, 2, &BTreeMap::new()).unwrap()
        );
        for c in &a {
            let rate: f64 = c.params["learning_rate"].parse().unwrap();
            assert!((0.01..=1.0).contains(&rate), "{rate}");
        }
        // A fixed parameter leaves the space and is set on every candidate.
        let fixed = ModelSpec::default().param("max_leaves", 7);
        let resolved = resolve_space(
            &space,
            &ModelSpec::new("gbdt").param("max_leaves", 7),
            Task::Regression,
        )
        .unwrap();
        let grid = generate(
            &resolved,
            &SearchConfig::new(SearchMethod::Grid),
            1,
            &fixed.params,
        )
        .unwrap();
        assert_eq!(grid.len(), 3);
        assert!(grid.iter().all(|c| c.params["max_leaves"] == "7"));
    }

    #[test]
    fn bad_spaces_name_the_parameter() {
        let unknown = SearchSpace::new().param("gbdt", "depth", ParamRange::list([3]));
        let err = resolve_space(&unknown, &ModelSpec::default(), Task::Regression)
            .unwrap_err()
            .to_string();
        assert!(err.contains("'depth'"), "{err}");
        let log0 = SearchSpace::new().param("gbdt", "l2", ParamRange::range(0.0, 1.0, true));
        let err = resolve_space(&log0, &ModelSpec::default(), Task::Regression)
            .unwrap_err()
            .to_string();
        assert!(err.contains("l2") && err.contains("min > 0"), "{err}");
        let err = check_metric(Some("rmse"), Task::Classification)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("'rmse' is not a classification metric"),
            "{err}"
        );
    }

    #[test]
    fn default_spaces_follow_the_registry() {
        for (name, params) in [("gbdt", 4), ("random_forest", 2), ("decision_tree", 2)] {
            assert_eq!(default_space(name).len(), params, "{name}");
        }
        assert!(default_space("linear_regression").is_empty());
    }

    #[test]
    fn a_spent_time_budget_scores_the_first_candidate_only() {
        let xs: Vec<f64> = (0..300).map(|i| (i % 50) as f64).collect();
        let label: Vec<&str> = xs
            .iter()
            .map(|&x| if x < 25.0 { "a" } else { "b" })
            .collect();
        let frame = df!("x" => &xs, "label" => &label).unwrap();
        let space =
            SearchSpace::new().param("decision_tree", "max_depth", ParamRange::list([1, 2, 3, 4]));
        let config = SearchConfig::new(SearchMethod::Grid)
            .space(space)
            .time_budget(Duration::ZERO);
        let outcome = search(&frame, "t", &TrainConfig::new("label"), &config, |_, _| {}).unwrap();
        let board = &outcome.leaderboard;
        assert_eq!((board.entries.len(), board.skipped), (1, 3));
        assert_eq!(board.entries[0].params["max_depth"], "1");
        assert_eq!(outcome.best.params["max_depth"], "1");
    }

    #[test]
    fn subsample_prefixes_keep_the_class_balance() {
        let truth = TargetValues::Classes((0..1000).map(|i| usize::from(i % 5 == 0)).collect());
        let pool: Vec<usize> = (0..1000).collect();
        let order = subsample_order(&pool, &truth, 3);
        let positives = order[..100].iter().filter(|&&r| r % 5 == 0).count();
        assert!((18..=22).contains(&positives), "{positives}");
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, pool);
    }
}
