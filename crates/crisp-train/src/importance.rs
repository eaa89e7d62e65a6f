//! Permutation importance (scikit-learn's `inspection.permutation_importance`): how much a
//! metric worsens when one input column's values are shuffled among the evaluated rows. The
//! shuffle breaks the column's link to the target and keeps its distribution, so the measure
//! works for every model family and speaks of the raw input columns a user knows, not of the
//! encoded features the pipeline makes of them.

use crisp_core::{ensure, Result, SeededRng};
use crisp_validate::Metric;
use polars::prelude::*;
use serde::Serialize;

use crate::fitted::FittedModel;
use crate::search::default_metric;
use crate::target::TargetValues;
use crate::train::take;

/// What [`permutation_importance`] measures on.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportanceOptions {
    /// Shuffles per column; the importance is their mean.
    pub repeats: usize,
    /// The most rows used (an evenly seeded sample of them when there are more).
    pub max_rows: usize,
    /// Seeds the sample and the shuffles.
    pub seed: u64,
}

impl Default for ImportanceOptions {
    /// Five shuffles on up to 5,000 rows, seed 0.
    fn default() -> Self {
        ImportanceOptions {
            repeats: 5,
            max_rows: 5_000,
            seed: 0,
        }
    }
}

/// The importance of one input column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnImportance {
    /// The input column.
    pub column: String,
    /// Mean worsening of the metric over the shuffles (negative: shuffling helped, noise).
    pub mean: f64,
    /// Standard deviation of the worsening over the shuffles.
    pub std: f64,
}

/// The importance of every input column of a model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Importance {
    /// The metric measured (the ranking metric of the task, `accuracy` when the model has no
    /// probabilities for `roc_auc`).
    pub metric: String,
    /// Its value on the unshuffled rows.
    pub score: f64,
    /// Rows measured on.
    pub rows: usize,
    /// Shuffles per column.
    pub repeats: usize,
    /// By decreasing importance.
    pub columns: Vec<ColumnImportance>,
}

/// The permutation importance of every input column of `model` on the labeled rows `frame`
/// (raw columns, as `predict` takes them) with true targets `truth`.
///
/// # Errors
/// No rows, no repeats, or the errors of predicting and scoring.
pub fn permutation_importance(
    model: &FittedModel,
    frame: &DataFrame,
    truth: &TargetValues,
    source: &str,
    options: &ImportanceOptions,
) -> Result<Importance> {
    ensure!(frame.height() > 0, Data: "{source}: no rows to measure importance on");
    ensure!(options.repeats >= 1, Config: "permutation importance needs at least 1 repeat");
    let mut rng = SeededRng::new(options.seed);
    let (frame, truth) = if frame.height() > options.max_rows {
        let mut rows: Vec<usize> = (0..frame.height()).collect();
        rng.partial_shuffle(&mut rows, options.max_rows);
        let mut rows = rows[..options.max_rows].to_vec();
        rows.sort_unstable();
        (take(frame, &rows)?, truth.subset(&rows))
    } else {
        (frame.clone(), truth.clone())
    };
    let base = model.score(&truth, &model.predict(&frame, source)?)?;
    let mut metric = default_metric(model.task()).to_string();
    if !base.metrics.contains_key(&metric) {
        metric = "accuracy".to_string();
    }
    let value = |e: &crisp_validate::Evaluation| {
        e.metrics.get(&metric).copied().ok_or_else(|| {
            crisp_core::Error::model(format!("{source}: the model's metrics have no '{metric}'"))
        })
    };
    let score = value(&base)?;
    let sign = if Metric::higher_is_better(&metric) {
        1.0
    } else {
        -1.0
    };
    let n = frame.height();
    let mut columns = Vec::with_capacity(model.pipeline.input.columns.len());
    for (c, input) in model.pipeline.input.columns.iter().enumerate() {
        let mut shuffles = SeededRng::stream(options.seed, c as u64 + 1);
        let original = frame.column(&input.name)?;
        let mut drops = Vec::with_capacity(options.repeats);
        for _ in 0..options.repeats {
            let mut order: Vec<IdxSize> = (0..n as IdxSize).collect();
            shuffles.shuffle(&mut order);
            let shuffled = original.take(&IdxCa::from_vec("rows".into(), order))?;
            let mut permuted = frame.clone();
            permuted.with_column(shuffled)?;
            let scored = model.score(&truth, &model.predict(&permuted, source)?)?;
            drops.push(sign * (score - value(&scored)?));
        }
        let mean = drops.iter().sum::<f64>() / drops.len() as f64;
        let var = drops.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / drops.len() as f64;
        columns.push(ColumnImportance {
            column: input.name.clone(),
            mean,
            std: var.sqrt(),
        });
    }
    columns.sort_by(|a, b| b.mean.total_cmp(&a.mean).then(a.column.cmp(&b.column)));
    Ok(Importance {
        metric,
        score,
        rows: n,
        repeats: options.repeats,
        columns,
    })
}
