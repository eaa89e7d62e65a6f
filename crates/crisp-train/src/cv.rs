//! Splits of the labeled rows (hold-out, validation, k folds) by rows, groups or time, and
//! cross-validation: the feature pipeline and the model are fitted inside every fold, so no
//! statistic of a validation fold reaches its training.

use std::collections::{BTreeMap, HashMap};

use crisp_core::progress::Progress;
use crisp_core::{bail, ensure, require_column, train_test_split, Result, SeededRng, Split};
use crisp_validate::{ConfusionMatrix, Evaluation, Metric};
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::ModelSpec;
use crate::target::TargetValues;
use crate::train::{Labeled, TrainConfig};

/// How rows are split into a training part and an evaluation part: the hold-out, the
/// validation split of a search and the folds of cross-validation all follow it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SplitBy {
    /// Seeded random rows, stratified by class for classification.
    #[default]
    Rows,
    /// Whole groups: the rows sharing a value of this column are never on both sides of a
    /// split (group k-fold). A missing value is an error.
    Group(String),
    /// Time order by this column (numbers, dates, times or text that sorts in time order):
    /// every evaluation part comes after all of its training rows, like scikit-learn's
    /// `TimeSeriesSplit`; rows of equal time stay on one side. A missing value is an error.
    Time(String),
}

impl SplitBy {
    /// `stratified` or `shuffled` (rows; by task), `group:COL`, `time:COL`: for reports.
    pub fn describe(&self, classes: bool) -> String {
        match self {
            SplitBy::Rows if classes => "stratified".into(),
            SplitBy::Rows => "shuffled".into(),
            SplitBy::Group(c) => format!("group:{c}"),
            SplitBy::Time(c) => format!("time:{c}"),
        }
    }
}

/// What a split needs to know of each row: its class, group or time.
#[derive(Debug, Clone)]
pub(crate) enum Keys {
    /// Class index per row (classification) or nothing (regression).
    Rows(Option<Vec<usize>>),
    /// Group index per row, numbered in the order of their sorted values.
    Groups { column: String, ids: Vec<usize> },
    /// Dense rank of each row's time (equal times, equal ranks).
    Times { column: String, ranks: Vec<usize> },
}

impl Keys {
    /// The keys of the rows of `frame` (with targets `truth`) for splitting `by`.
    pub fn of(frame: &DataFrame, truth: &TargetValues, by: &SplitBy, source: &str) -> Result<Keys> {
        Ok(match by {
            SplitBy::Rows => Keys::Rows(match truth {
                TargetValues::Classes(c) => Some(c.clone()),
                TargetValues::Values(_) => None,
            }),
            SplitBy::Group(column) => {
                let text = non_null_text(frame, column, source, "group")?;
                let mut values: Vec<&str> = text.iter().map(String::as_str).collect();
                values.sort_unstable();
                values.dedup();
                let index: HashMap<&str, usize> =
                    values.iter().enumerate().map(|(i, v)| (*v, i)).collect();
                Keys::Groups {
                    column: column.clone(),
                    ids: text.iter().map(|v| index[v.as_str()]).collect(),
                }
            }
            SplitBy::Time(column) => {
                let series = require_column(frame, column, source)?
                    .as_materialized_series()
                    .clone();
                if let Some(row) = first_null(&series) {
                    bail!(Data { column: column }: "{source}: time column '{column}' is missing on data row {}", row + 1);
                }
                let order = series.arg_sort(SortOptions::default().with_maintain_order(true));
                let text = series.cast(&DataType::String)?;
                let text = text.str()?;
                let mut ranks = vec![0; frame.height()];
                let mut rank = 0;
                let mut previous: Option<&str> = None;
                for i in order.into_no_null_iter() {
                    let value = text.get(i as usize);
                    if previous.is_some() && value != previous {
                        rank += 1;
                    }
                    previous = value;
                    ranks[i as usize] = rank;
                }
                Keys::Times {
                    column: column.clone(),
                    ranks,
                }
            }
        })
    }

    /// The keys of `rows`, in that order.
    pub fn subset(&self, rows: &[usize]) -> Keys {
        let pick = |v: &[usize]| rows.iter().map(|&r| v[r]).collect::<Vec<_>>();
        match self {
            Keys::Rows(c) => Keys::Rows(c.as_ref().map(|c| pick(c))),
            Keys::Groups { column, ids } => Keys::Groups {
                column: column.clone(),
                ids: pick(ids),
            },
            Keys::Times { column, ranks } => Keys::Times {
                column: column.clone(),
                ranks: pick(ranks),
            },
        }
    }

    /// Holds out about `fraction` of `n_rows` rows: seeded and stratified rows, whole groups,
    /// or the latest rows.
    pub fn holdout(&self, n_rows: usize, fraction: f64, seed: u64) -> Result<Split> {
        ensure!(
            fraction > 0.0 && fraction < 1.0,
            Config { value: fraction }: "the held-out fraction must be between 0 and 1 (exclusive), got {fraction}"
        );
        match self {
            Keys::Rows(strata) => train_test_split(n_rows, fraction, seed, strata.as_deref()),
            Keys::Groups { column, ids } => {
                let sizes = group_sizes(ids);
                let mut order = present(&sizes);
                ensure!(order.len() >= 2, Data { column: column }: "group column '{column}' has {} value{} in these rows; holding out whole groups needs at least 2", order.len(), if order.len() == 1 { "" } else { "s" });
                SeededRng::new(seed).shuffle(&mut order);
                let want = (n_rows as f64 * fraction).round().max(1.0) as usize;
                let mut test_groups = vec![false; sizes.len()];
                let mut taken = 0;
                // Whole groups go to the evaluation part until it holds the wanted share; the
                // training part keeps at least one group.
                for (i, &g) in order.iter().enumerate() {
                    if taken >= want || i + 1 == order.len() {
                        break;
                    }
                    test_groups[g] = true;
                    taken += sizes[g];
                }
                Ok(partition(ids.len(), |r| test_groups[ids[r]]))
            }
            Keys::Times { column, ranks } => {
                let order = time_order(ranks);
                let want = n_rows - (n_rows as f64 * fraction).round().max(1.0) as usize;
                let Some(cut) = time_boundary(ranks, &order, want) else {
                    bail!(Data { column: column }: "time column '{column}' has one value in these rows; nothing comes after anything else");
                };
                let later: Vec<bool> = {
                    let mut later = vec![false; ranks.len()];
                    for &r in &order[cut..] {
                        later[r] = true;
                    }
                    later
                };
                Ok(partition(ranks.len(), |r| later[r]))
            }
        }
    }

    /// `k` folds of `n_rows` rows: stratified seeded k-fold, group k-fold, or time-ordered
    /// splits (each fold trains on every row before its validation rows).
    pub fn folds(&self, n_rows: usize, k: usize, seed: u64) -> Result<Vec<Split>> {
        ensure!(k >= 2, Config { value: k }: "cross-validation needs at least 2 folds, got {k}");
        ensure!(k <= n_rows, Data: "{n_rows} rows are too few for {k} folds");
        match self {
            Keys::Rows(strata) => {
                let mut rng = SeededRng::new(seed);
                let mut fold_of = vec![0; n_rows];
                let groups: Vec<Vec<usize>> = match strata {
                    Some(labels) => {
                        let n = labels.iter().max().map_or(0, |m| m + 1);
                        let mut by_class = vec![Vec::new(); n];
                        for (row, &c) in labels.iter().enumerate() {
                            by_class[c].push(row);
                        }
                        by_class
                    }
                    None => vec![(0..n_rows).collect()],
                };
                // Each class is dealt round the folds, continuing where the previous class
                // stopped, so that folds differ in size by at most one row.
                let mut next = 0;
                for mut rows in groups {
                    rng.shuffle(&mut rows);
                    for row in rows {
                        fold_of[row] = next % k;
                        next += 1;
                    }
                }
                Ok((0..k)
                    .map(|f| partition(n_rows, |r| fold_of[r] == f))
                    .collect())
            }
            Keys::Groups { column, ids } => {
                let sizes = group_sizes(ids);
                let mut order = present(&sizes);
                ensure!(order.len() >= k, Data { column: column }: "group column '{column}' has {} distinct values in these rows, fewer than the {k} folds", order.len());
                // Largest groups first (ties in seeded order), each to the smallest fold so far.
                SeededRng::new(seed).shuffle(&mut order);
                order.sort_by_key(|&g| std::cmp::Reverse(sizes[g]));
                let mut fold_rows = vec![0usize; k];
                let mut fold_of_group = vec![0; sizes.len()];
                for g in order {
                    let f = (0..k).min_by_key(|&f| (fold_rows[f], f)).expect("k >= 2");
                    fold_of_group[g] = f;
                    fold_rows[f] += sizes[g];
                }
                Ok((0..k)
                    .map(|f| partition(ids.len(), |r| fold_of_group[ids[r]] == f))
                    .collect())
            }
            Keys::Times { column, ranks } => {
                let order = time_order(ranks);
                let n = order.len();
                let test_size = n / (k + 1);
                ensure!(test_size >= 1, Data { column: column }: "{n} rows are too few for {k} time-ordered folds");
                let mut cuts = Vec::with_capacity(k + 1);
                for i in 0..k {
                    let want = n - (k - i) * test_size;
                    let cut = time_boundary(ranks, &order, want)
                        .filter(|&c| cuts.last().is_none_or(|&last| c > last));
                    let Some(cut) = cut else {
                        bail!(Data { column: column }: "time column '{column}' has too few distinct values for {k} time-ordered folds");
                    };
                    cuts.push(cut);
                }
                cuts.push(n);
                Ok((0..k)
                    .map(|i| {
                        let mut train: Vec<usize> = order[..cuts[i]].to_vec();
                        let mut test: Vec<usize> = order[cuts[i]..cuts[i + 1]].to_vec();
                        train.sort_unstable();
                        test.sort_unstable();
                        Split { train, test }
                    })
                    .collect())
            }
        }
    }
}

/// The rows of `frame`'s `column` as text, refusing a missing value.
fn non_null_text(frame: &DataFrame, column: &str, source: &str, what: &str) -> Result<Vec<String>> {
    let c = require_column(frame, column, source)?;
    if let Some(row) = first_null(c.as_materialized_series()) {
        bail!(Data { column: column }: "{source}: {what} column '{column}' is missing on data row {}", row + 1);
    }
    let text = c.as_materialized_series().cast(&DataType::String)?;
    let values = text
        .str()?
        .iter()
        .map(|v| v.unwrap_or_default().to_string())
        .collect();
    Ok(values)
}

fn first_null(series: &Series) -> Option<usize> {
    if series.null_count() == 0 {
        return None;
    }
    series.is_null().iter().position(|v| v == Some(true))
}

fn group_sizes(ids: &[usize]) -> Vec<usize> {
    let n = ids.iter().max().map_or(0, |m| m + 1);
    let mut sizes = vec![0; n];
    for &g in ids {
        sizes[g] += 1;
    }
    sizes
}

/// The groups with rows (a subset of the rows may lack some), in group order.
fn present(sizes: &[usize]) -> Vec<usize> {
    (0..sizes.len()).filter(|&g| sizes[g] > 0).collect()
}

/// Rows in time order (ties in row order).
fn time_order(ranks: &[usize]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..ranks.len()).collect();
    order.sort_by_key(|&r| (ranks[r], r));
    order
}

/// The position in `order` nearest `want` where the time changes (so that equal times stay on
/// one side), preferring later positions; `None` when every row has the same time.
fn time_boundary(ranks: &[usize], order: &[usize], want: usize) -> Option<usize> {
    let n = order.len();
    let changes = |i: usize| i > 0 && i < n && ranks[order[i]] != ranks[order[i - 1]];
    let want = want.clamp(1, n.saturating_sub(1).max(1));
    (want..n)
        .find(|&i| changes(i))
        .or_else(|| (1..want).rev().find(|&i| changes(i)))
}

/// The split with `is_test(row)` rows held out, both parts in row order.
fn partition(n: usize, is_test: impl Fn(usize) -> bool) -> Split {
    let (test, train): (Vec<usize>, Vec<usize>) = (0..n).partition(|&r| is_test(r));
    Split { train, test }
}

/// The hold-out split of the labeled rows of `frame` (targets `truth`) as `by` says.
pub fn holdout_split(
    frame: &DataFrame,
    truth: &TargetValues,
    by: &SplitBy,
    fraction: f64,
    seed: u64,
    source: &str,
) -> Result<Split> {
    Keys::of(frame, truth, by, source)?.holdout(frame.height(), fraction, seed)
}

/// The `k` folds of the labeled rows of `frame` (targets `truth`) as `by` says: each row is in
/// exactly one fold's validation part (time-ordered folds leave the earliest rows to training
/// only).
pub fn fold_plan(
    frame: &DataFrame,
    truth: &TargetValues,
    by: &SplitBy,
    k: usize,
    seed: u64,
    source: &str,
) -> Result<Vec<Split>> {
    Keys::of(frame, truth, by, source)?.folds(frame.height(), k, seed)
}

/// The mean and (population) standard deviation of a metric over the folds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricSummary {
    /// Mean over the folds.
    pub mean: f64,
    /// Standard deviation over the folds (divided by the number of folds, as numpy's `std`).
    pub std: f64,
}

/// One fold of a cross-validation.
#[derive(Debug, Clone, Serialize)]
pub struct FoldResult {
    /// Fold number, from 0.
    pub fold: usize,
    /// Rows the fold's pipeline and model were fitted on.
    pub rows_train: usize,
    /// Rows it was evaluated on.
    pub rows_test: usize,
    /// Every metric of the fold.
    pub metrics: BTreeMap<String, f64>,
    /// Metrics that could not be computed on the fold, with the reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unavailable: BTreeMap<String, String>,
    /// Seconds spent fitting the fold's pipeline and model.
    pub train_seconds: f64,
    /// Gradient boosting only: the rounds kept (after early stopping).
    #[serde(skip)]
    pub(crate) rounds: Option<crate::train::Rounds>,
    #[serde(skip)]
    pub(crate) confusion: Option<ConfusionMatrix>,
}

/// A cross-validation: per-fold metrics and their mean and standard deviation.
#[derive(Debug, Clone, Serialize)]
pub struct CvRun {
    /// Number of folds.
    pub k: usize,
    /// How the folds were made (`stratified`, `shuffled`, `group:COL`, `time:COL`).
    pub split: String,
    /// Mean and standard deviation of every metric computed on every fold.
    pub metrics: BTreeMap<String, MetricSummary>,
    /// Metrics missing from at least one fold, with a reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub unavailable: BTreeMap<String, String>,
    /// The folds, in order.
    pub folds: Vec<FoldResult>,
}

impl CvRun {
    fn from_folds(k: usize, split: String, folds: Vec<FoldResult>) -> CvRun {
        let mut names: Vec<&String> = folds.iter().flat_map(|f| f.metrics.keys()).collect();
        names.sort_unstable();
        names.dedup();
        let mut metrics = BTreeMap::new();
        let mut unavailable = BTreeMap::new();
        for name in names {
            let values: Vec<f64> = folds
                .iter()
                .filter_map(|f| f.metrics.get(name).copied())
                .collect();
            if values.len() < folds.len() {
                let reason = folds
                    .iter()
                    .find_map(|f| {
                        f.unavailable
                            .get(name)
                            .map(|r| format!("fold {}: {r}", f.fold))
                    })
                    .unwrap_or_else(|| "missing from a fold".into());
                unavailable.insert(name.clone(), reason);
                continue;
            }
            metrics.insert(name.clone(), summary(&values));
        }
        for f in &folds {
            for (name, reason) in &f.unavailable {
                if !metrics.contains_key(name) {
                    unavailable
                        .entry(name.clone())
                        .or_insert_with(|| format!("fold {}: {reason}", f.fold));
                }
            }
        }
        CvRun {
            k,
            split,
            metrics,
            unavailable,
            folds,
        }
    }

    /// The mean of metric `name` over the folds, if every fold has it.
    pub fn mean(&self, name: &str) -> Option<f64> {
        self.metrics.get(name).map(|s| s.mean)
    }

    /// The cross-validated estimate as an [`Evaluation`]: the folds' mean of every metric,
    /// every row counted once, and (classification) the confusion matrix of the out-of-fold
    /// predictions of all folds together.
    pub fn estimate(&self, task: crisp_validate::Task) -> Evaluation {
        let confusion = self.folds.iter().try_fold(
            None::<ConfusionMatrix>,
            |acc, f| -> Option<Option<ConfusionMatrix>> {
                let cm = f.confusion.clone()?;
                Some(Some(match acc {
                    None => cm,
                    Some(mut sum) => {
                        for (row, add) in sum.counts.iter_mut().zip(&cm.counts) {
                            for (a, b) in row.iter_mut().zip(add) {
                                *a += b;
                            }
                        }
                        sum
                    }
                }))
            },
        );
        Evaluation {
            task,
            rows: self.folds.iter().map(|f| f.rows_test).sum(),
            metrics: self
                .metrics
                .iter()
                .map(|(k, s)| (k.clone(), s.mean))
                .collect(),
            unavailable: self.unavailable.clone(),
            per_class: None,
            confusion_matrix: confusion.flatten(),
        }
    }

    /// Whether the metric `name` is better higher (scores) or lower (errors).
    pub fn higher_is_better(name: &str) -> bool {
        Metric::higher_is_better(name)
    }
}

fn summary(values: &[f64]) -> MetricSummary {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    MetricSummary {
        mean,
        std: var.sqrt(),
    }
}

/// Cross-validates the model of `config` on the labeled rows of `frame` (read from `source`)
/// with `k` folds made as `config.split_by` says, with `config.seed`. The feature pipeline and
/// the model are fitted on each fold's training rows only; folds run in parallel and come back
/// in fold order, the same whatever the number of threads.
///
/// ```
/// use crisp_train::{cross_validate, TrainConfig};
/// use polars::prelude::*;
///
/// let xs: Vec<f64> = (0..90).map(|i| i as f64).collect();
/// let label: Vec<&str> = xs.iter().map(|&x| if x < 45.0 { "low" } else { "high" }).collect();
/// let frame = df!("x" => &xs, "label" => &label)?;
/// let cv = cross_validate(&frame, "example", &TrainConfig::new("label"), 3)?;
/// assert_eq!(cv.folds.len(), 3);
/// assert_eq!(cv.folds.iter().map(|f| f.rows_test).sum::<usize>(), 90);
/// assert!(cv.metrics["accuracy"].mean > 0.9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cross_validate(
    frame: &DataFrame,
    source: &str,
    config: &TrainConfig,
    k: usize,
) -> Result<CvRun> {
    let labeled = Labeled::new(frame, source, config)?;
    let keys = labeled.keys(&config.split_by)?;
    let folds = keys.folds(labeled.frame.height(), k, config.seed)?;
    let spec = labeled.resolve(&config.model);
    cross_validate_folds(&labeled, config, &spec, &folds, None)
}

/// Cross-validates `spec` on the given folds (row indices of `labeled`); `within` maps the
/// folds' indices to rows of `labeled` when they index a subset.
pub(crate) fn cross_validate_folds(
    labeled: &Labeled,
    config: &TrainConfig,
    spec: &ModelSpec,
    folds: &[Split],
    within: Option<&[usize]>,
) -> Result<CvRun> {
    let map = |rows: &[usize]| -> Vec<usize> {
        match within {
            Some(all) => rows.iter().map(|&r| all[r]).collect(),
            None => rows.to_vec(),
        }
    };
    let progress = Progress::start("cross-validation", folds.len() as u64, "folds");
    let results: Vec<Result<FoldResult>> = folds
        .par_iter()
        .enumerate()
        .map(|(i, fold)| {
            let train = map(&fold.train);
            let test = map(&fold.test);
            let fit = labeled.fit(config, spec, Some(&train))?;
            let evaluation = labeled.evaluate(&fit.fitted, &test)?;
            progress.step();
            tracing::info!(
                "{} fold {} of {}: fitted on {} rows in {:.2}s, evaluated on {}",
                spec.name,
                i + 1,
                folds.len(),
                train.len(),
                fit.seconds,
                test.len()
            );
            Ok(FoldResult {
                fold: i,
                rows_train: train.len(),
                rows_test: test.len(),
                metrics: evaluation.metrics,
                unavailable: evaluation.unavailable,
                train_seconds: fit.seconds,
                rounds: fit.rounds,
                confusion: evaluation.confusion_matrix,
            })
        })
        .collect();
    let folds_done = results.into_iter().collect::<Result<Vec<_>>>()?;
    let split = config
        .split_by
        .describe(matches!(labeled.truth, TargetValues::Classes(_)));
    Ok(CvRun::from_folds(folds.len(), split, folds_done))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(n: usize) -> Keys {
        Keys::Rows(Some((0..n).map(|i| usize::from(i % 4 == 0)).collect()))
    }

    #[test]
    fn stratified_folds_cover_every_row_once_and_keep_the_balance() {
        let keys = classes(100);
        let folds = keys.folds(100, 5, 3).unwrap();
        let mut seen = vec![0; 100];
        for f in &folds {
            assert_eq!(f.test.len(), 20);
            assert_eq!(f.train.len(), 80);
            // 25 positives over 5 folds: 5 in each.
            assert_eq!(f.test.iter().filter(|&&r| r % 4 == 0).count(), 5);
            for &r in &f.test {
                seen[r] += 1;
            }
            assert!(f.train.iter().all(|r| !f.test.contains(r)));
        }
        assert!(seen.iter().all(|&s| s == 1));
        assert_eq!(folds, keys.folds(100, 5, 3).unwrap());
        assert_ne!(folds, keys.folds(100, 5, 4).unwrap());
    }

    #[test]
    fn group_folds_never_split_a_group() {
        // 12 groups of sizes 1..=12.
        let ids: Vec<usize> = (0..12)
            .flat_map(|g| std::iter::repeat_n(g, g + 1))
            .collect();
        let n = ids.len();
        let keys = Keys::Groups {
            column: "g".into(),
            ids: ids.clone(),
        };
        let folds = keys.folds(n, 3, 1).unwrap();
        for f in &folds {
            for &t in &f.test {
                assert!(f.train.iter().all(|&r| ids[r] != ids[t]));
            }
        }
        // 78 rows: the greedy assignment gives folds of 26 rows each.
        let sizes: Vec<usize> = folds.iter().map(|f| f.test.len()).collect();
        assert_eq!(sizes, vec![26, 26, 26]);
        let err = keys.folds(n, 13, 1).unwrap_err().to_string();
        assert!(err.contains("'g' has 12 distinct values"), "{err}");
        let holdout = keys.holdout(n, 0.25, 1).unwrap();
        for &t in &holdout.test {
            assert!(holdout.train.iter().all(|&r| ids[r] != ids[t]));
        }
    }

    #[test]
    fn time_folds_validate_on_later_rows_and_keep_ties_together() {
        // Times 0,0,1,1,2,2,...,9,9 given in reverse order.
        let ranks: Vec<usize> = (0..20).rev().map(|i| i / 2).collect();
        let keys = Keys::Times {
            column: "t".into(),
            ranks: ranks.clone(),
        };
        let folds = keys.folds(20, 3, 0).unwrap();
        // n / (k + 1) = 5 rows a fold, moved to a change of time: cuts at 6, 10, 16 (later
        // side preferred: 5 -> 6, 15 -> 16).
        let sizes: Vec<(usize, usize)> = folds
            .iter()
            .map(|f| (f.train.len(), f.test.len()))
            .collect();
        assert_eq!(sizes, vec![(6, 4), (10, 6), (16, 4)]);
        for f in &folds {
            let latest_train = f.train.iter().map(|&r| ranks[r]).max().unwrap();
            let earliest_test = f.test.iter().map(|&r| ranks[r]).min().unwrap();
            assert!(latest_train < earliest_test);
        }
        let holdout = keys.holdout(20, 0.2, 0).unwrap();
        assert_eq!(holdout.test.len(), 4);
        assert!(holdout.test.iter().all(|&r| ranks[r] >= 8));
        let flat = Keys::Times {
            column: "t".into(),
            ranks: vec![0; 10],
        };
        assert!(flat.holdout(10, 0.2, 0).is_err());
    }
}
