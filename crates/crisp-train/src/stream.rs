//! Training on a data file larger than memory (`crisp train --stream`): the histogram tree
//! models (gbdt, random_forest, decision_tree) only read `u8` bins, so the file is read
//! twice and never held in memory.
//!
//! 1. An evenly spread sample of at most `fit_rows` rows ([`DataFile::sample`], the sample
//!    of `crisp features --fit-rows`) gives the task, the target's classes, the fitted
//!    feature pipeline and the bin edges: quantiles of the sample's features, chosen exactly
//!    as an in-memory fit chooses them on its rows (which uses at most 200 000 evenly spread
//!    rows too).
//! 2. Every row is transformed by the fitted pipeline in batches, binned, and dropped: the
//!    binned matrix (one byte per row and feature) and the targets stay.
//!
//! Rows are held out for evaluation by a seeded hash of their row number (kept binned: a
//! tree routes a bin's value like every raw value of the bin, so their predictions are
//! those of the raw rows), or a separate test frame is evaluated. The evaluated model is the
//! one returned: a refit on every row would need another fit.

use std::time::Instant;

use crisp_core::ndarray::Axis;
use crisp_core::{bail, ensure, require_column, DataFile, Result};
use crisp_features::{default_pipeline, PipelineSpec, StreamOptions};
use crisp_trees::{BinMapper, BinnedMatrix, BinnedMatrixBuilder};
use crisp_validate::Task;
use polars::prelude::*;

use crate::fitted::{FittedModel, Scored};
use crate::model::{find_model, ModelSpec, Predictions};
use crate::params::Params;
use crate::target::{drop_missing_target, infer_task, TargetInfo, TargetValues};
use crate::train::{HeldOut, TrainRun};
use crate::tree_models::{binned_max_bins, fit_binned, BINNED_MODELS};

/// Where a streamed run's evaluation rows come from.
#[derive(Debug, Clone)]
pub enum StreamHoldout {
    /// The rows whose seeded hash of their row number falls in this share (see
    /// [`is_held_out`]); the model is fitted on the others.
    Fraction(f64),
    /// A separate labeled frame (read in memory), named in errors by `source`.
    Frame {
        /// The rows.
        frame: DataFrame,
        /// Their file name.
        source: String,
    },
}

/// Everything a streamed training run needs besides the file.
#[derive(Debug, Clone)]
pub struct StreamConfig {
    /// Target column.
    pub target: String,
    /// Task, inferred from the sample's target when `None`.
    pub task: Option<Task>,
    /// Model (one of gbdt, random_forest, decision_tree); an empty name picks the default
    /// for the task.
    pub model: ModelSpec,
    /// Declared feature pipeline; the default one for the model when `None`.
    pub features: Option<PipelineSpec>,
    /// Seed for the hold-out rows and the model.
    pub seed: u64,
    /// Evaluation rows.
    pub holdout: StreamHoldout,
    /// The most classes a classification target may have.
    pub max_classes: usize,
    /// Rows of the evenly spread sample the pipeline and the bin edges are fitted on.
    pub fit_rows: usize,
    /// Rows per streamed batch.
    pub batch_rows: usize,
}

/// The sample size [`StreamConfig::fit_rows`] defaults to: the most rows an in-memory fit
/// computes bin edges on.
pub const DEFAULT_FIT_ROWS: usize = 200_000;

/// Rows predicted at a time when evaluating the held-out binned rows.
const PREDICT_CHUNK: usize = 65_536;

/// A streamed run: the [`TrainRun`] and what the passes saw.
#[derive(Debug, Clone)]
pub struct StreamRun {
    /// The run (no refit; its profile is that of the sample).
    pub run: TrainRun,
    /// Data rows in the file.
    pub file_rows: usize,
    /// Rows of the sample the pipeline and the bins were fitted on.
    pub sample_rows: usize,
    /// Every `stride`-th row was in the sample.
    pub stride: usize,
    /// Bytes of the binned matrices (training and held-out rows).
    pub binned_bytes: usize,
}

/// Whether data row `row` (0-based) of the file is held out for evaluation: a seeded hash
/// (SplitMix64) of the row number below `fraction`. Independent of row order and content,
/// so the hold-out is known before the rows are read.
pub fn is_held_out(row: usize, fraction: f64, seed: u64) -> bool {
    let mut z = (row as u64)
        .wrapping_add(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 11) as f64) < fraction * (1u64 << 53) as f64
}

/// Train on `file` as `config` says, reading it twice in batches (see the module docs).
///
/// # Errors
/// A model other than the histogram trees, a supervised feature step (its out-of-fold
/// encodings need every row in memory), and those of reading, transforming and fitting;
/// a class absent from the sample is an error naming it.
pub fn train_stream(file: &DataFile, config: &StreamConfig) -> Result<StreamRun> {
    let source = file.source();
    let started = Instant::now();
    ensure!(config.fit_rows >= 1, Config: "a sample of 0 rows cannot be fitted on");
    ensure!(config.batch_rows >= 1, Config: "a batch must hold at least 1 row");
    if !file.header().contains(&config.target) {
        bail!(ColumnNotFound { file: &source, column: &config.target }: "{source}: target column '{}' is missing; the data has: {}", config.target, file.header().join(", "));
    }
    // Pass 1: the sample.
    let sample = file.sample(config.fit_rows)?;
    let (stride, file_rows) = (sample.stride, sample.file_rows);
    require_column(&sample.frame, &config.target, &source)?;
    let (frame, _) = drop_missing_target(&sample.frame, &config.target, &source)?;
    drop(sample);
    let task = match config.task {
        Some(t) => t,
        None => infer_task(&frame, &config.target, &source)?,
    };
    let name = if config.model.name.is_empty() {
        crate::model::default_model(task).to_string()
    } else {
        config.model.name.clone()
    };
    if !BINNED_MODELS.contains(&name.as_str()) {
        bail!(Config: "model '{name}' needs its rows in memory; streamed training fits {}", BINNED_MODELS.join(", "));
    }
    let info = find_model(&name)?;
    if !info.tasks.contains(&task) {
        bail!(Config: "model '{name}' does not do {task}");
    }
    let spec = ModelSpec {
        name: name.clone(),
        params: config.model.params.clone(),
    };
    let params = Params::new(info.name, &spec.params, info.params)?;
    let target =
        TargetInfo::fit_with_limit(&frame, &config.target, task, &source, config.max_classes)?;
    let features = match &config.features {
        Some(spec) => spec.clone(),
        None => default_pipeline(&frame, &config.target, info.encoding)?,
    };
    if features.is_supervised() {
        bail!(Config: "a supervised feature step (target encoding) gives each training row an out-of-fold value, which needs every row in memory; streamed training cannot fit it");
    }
    let (pipeline, sample_features) = features.fit_transform(&frame, &config.target)?;
    let x_sample = crisp_core::to_matrix(&sample_features, &pipeline.features)?;
    drop(sample_features);
    let max_bins = binned_max_bins(&name, &params)?;
    let mappers = BinMapper::fit(x_sample.view(), max_bins, &pipeline.categorical)
        .map_err(crisp_core::Error::from)?;
    drop(x_sample);
    let profile = crate::profile::profile_frame(&frame, &pipeline.input)?;
    let sample_rows = frame.height();
    drop(frame);

    // Pass 2: every row, binned.
    let fraction = match &config.holdout {
        StreamHoldout::Fraction(f) => {
            ensure!(*f > 0.0 && *f < 1.0, Config: "the held-out share must be between 0 and 1 (exclusive), got {f}");
            Some(*f)
        }
        StreamHoldout::Frame { .. } => None,
    };
    let held = |row: usize| fraction.is_some_and(|f| is_held_out(row, f, config.seed));
    let n_test = (0..file_rows).filter(|&r| held(r)).count();
    let mut train = BinnedMatrixBuilder::new(mappers.clone(), file_rows - n_test)
        .map_err(crisp_core::Error::from)?;
    let mut test = BinnedMatrixBuilder::new(mappers, n_test).map_err(crisp_core::Error::from)?;
    let classification = task == Task::Classification;
    let (mut y_train, mut y_test) = (Targets::new(classification), Targets::new(classification));
    let mut first_row = 0;
    let mut missing = 0;
    let options = StreamOptions {
        batch_rows: config.batch_rows,
        carry: vec![config.target.clone()],
    };
    pipeline.transform_csv(file, &options, None, |batch| {
        let n = batch.height();
        let keep = batch.column(&config.target)?.is_not_null();
        missing += n - keep.sum().unwrap_or(0) as usize;
        let rows: Vec<usize> = (first_row..first_row + n)
            .zip(keep.iter())
            .filter(|(_, k)| k.unwrap_or(false))
            .map(|(r, _)| r)
            .collect();
        let kept = batch.filter(&keep)?;
        let truth = target
            .encode(&kept, &source)
            .map_err(|e| e.in_rows_from(first_row))?;
        let x = crisp_core::to_matrix(&kept, &pipeline.features)?;
        let (mut to_train, mut to_test) = (Vec::new(), Vec::new());
        for (i, &r) in rows.iter().enumerate() {
            if held(r) {
                to_test.push(i);
            } else {
                to_train.push(i);
            }
        }
        for (builder, y, idx) in [
            (&mut train, &mut y_train, &to_train),
            (&mut test, &mut y_test, &to_test),
        ] {
            if idx.is_empty() {
                continue;
            }
            let part = if idx.len() == x.nrows() {
                x.clone()
            } else {
                x.select(Axis(0), idx)
            };
            builder.push(part.view()).map_err(|e| {
                crisp_core::Error::from(e)
                    .context(&source)
                    .in_rows_from(first_row)
            })?;
            y.extend(&truth, idx);
        }
        first_row += n;
        Ok(())
    })?;
    let (train, test) = (train.finish(), test.finish());
    let binned_bytes = train.heap_bytes() + test.heap_bytes();
    ensure!(train.n_rows() > 0, Data: "{source}: no labeled row is left to train on");
    let y_train = y_train.into_values();
    tracing::info!(
        "binned {} training and {} held-out rows of {source} ({} features, {binned_bytes} bytes)",
        train.n_rows(),
        test.n_rows(),
        train.n_features()
    );

    let model = fit_binned(
        &name,
        &params,
        &train,
        y_train,
        target.classes.len(),
        config.seed,
    )?;
    let seconds = started.elapsed().as_secs_f64();
    let fitted = FittedModel {
        model_name: name.clone(),
        pipeline,
        model,
        target,
    };
    let (scored, rows_missing_target_test) = match &config.holdout {
        StreamHoldout::Fraction(_) => {
            ensure!(test.n_rows() > 0, Data: "{source}: no labeled row was held out to evaluate on; use more rows or a larger share");
            let truth = y_test.into_values();
            let predictions = predict_binned(&fitted, &test);
            let evaluation = fitted.score(&truth, &predictions)?;
            let scored = Scored {
                evaluation,
                truth,
                predictions,
                frame: DataFrame::empty(),
                rows: test.n_rows(),
                rows_missing_target: 0,
            };
            (scored, 0)
        }
        StreamHoldout::Frame { frame, source } => {
            require_column(frame, &config.target, source)?;
            let scored = fitted.evaluate(frame, source)?;
            let missing = scored.rows_missing_target;
            (scored, missing)
        }
    };
    let run = TrainRun {
        evaluation: scored.evaluation.clone(),
        model: spec,
        features,
        rows_train: train.n_rows(),
        rows_test: scored.rows,
        rows_train_evaluated: Some(train.n_rows()),
        refit: false,
        cv: None,
        refit_rounds: None,
        rows_missing_target: missing,
        rows_missing_target_test,
        train_seconds: seconds,
        profile,
        weighting: None,
        held_out: matches!(config.holdout, StreamHoldout::Frame { .. }).then(|| HeldOut {
            model: fitted.clone(),
            scored,
        }),
        fitted,
    };
    Ok(StreamRun {
        run,
        file_rows,
        sample_rows,
        stride,
        binned_bytes,
    })
}

/// Predictions of `fitted` for the rows of `data` (binned by `fitted`'s pipeline and bins),
/// a chunk of rows at a time.
fn predict_binned(fitted: &FittedModel, data: &BinnedMatrix) -> Predictions {
    let mut out: Option<Predictions> = None;
    for start in (0..data.n_rows()).step_by(PREDICT_CHUNK) {
        let x = data.values(start, start + PREDICT_CHUNK);
        let p = fitted.model.predict(&x);
        out = Some(match (out, p) {
            (None, p) => p,
            (Some(Predictions::Values(mut a)), Predictions::Values(b)) => {
                a.extend(b);
                Predictions::Values(a)
            }
            (
                Some(Predictions::Classes {
                    mut labels,
                    proba,
                    n_classes,
                }),
                Predictions::Classes {
                    labels: l,
                    proba: q,
                    ..
                },
            ) => {
                labels.extend(l);
                let proba = match (proba, q) {
                    (Some(mut a), Some(b)) => {
                        a.extend(b);
                        Some(a)
                    }
                    _ => None,
                };
                Predictions::Classes {
                    labels,
                    proba,
                    n_classes,
                }
            }
            (Some(a), _) => a,
        });
    }
    out.unwrap_or(Predictions::Values(Vec::new()))
}

/// Encoded targets gathered batch by batch.
enum Targets {
    Classes(Vec<usize>),
    Values(Vec<f64>),
}

impl Targets {
    fn new(classification: bool) -> Self {
        if classification {
            Targets::Classes(Vec::new())
        } else {
            Targets::Values(Vec::new())
        }
    }

    /// Append the targets of rows `idx` of `truth`.
    fn extend(&mut self, truth: &TargetValues, idx: &[usize]) {
        match (self, truth) {
            (Targets::Classes(a), TargetValues::Classes(c)) => a.extend(idx.iter().map(|&i| c[i])),
            (Targets::Values(a), TargetValues::Values(v)) => a.extend(idx.iter().map(|&i| v[i])),
            _ => unreachable!("the task decides both"),
        }
    }

    fn into_values(self) -> TargetValues {
        match self {
            Targets::Classes(c) => TargetValues::Classes(c),
            Targets::Values(v) => TargetValues::Values(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(name: &str) -> DataFile {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../datasets")
            .join(name);
        DataFile::check(&path).unwrap()
    }

    fn config(target: &str, model: &str) -> StreamConfig {
        StreamConfig {
            target: target.into(),
            task: None,
            model: ModelSpec {
                name: model.into(),
                params: Default::default(),
            },
            features: None,
            seed: 42,
            holdout: StreamHoldout::Fraction(0.3),
            max_classes: 1000,
            fit_rows: 60,
            batch_rows: 37,
        }
    }

    #[test]
    fn the_hold_out_share_is_close_to_the_fraction_and_depends_on_the_seed() {
        for (fraction, seed) in [(0.2, 42), (0.5, 1), (0.01, 7)] {
            let held = (0..100_000)
                .filter(|&r| is_held_out(r, fraction, seed))
                .count();
            let share = held as f64 / 100_000.0;
            assert!((share - fraction).abs() < 0.005, "{fraction}: {share}");
        }
        let a: Vec<bool> = (0..64).map(|r| is_held_out(r, 0.5, 1)).collect();
        let b: Vec<bool> = (0..64).map(|r| is_held_out(r, 0.5, 2)).collect();
        assert_ne!(a, b);
    }

    #[test]
    fn a_tree_streamed_in_small_batches_classifies_iris() {
        let file = dataset("iris.csv");
        let run = train_stream(&file, &config("species", "decision_tree")).unwrap();
        assert_eq!(run.file_rows, 150);
        // 60 rows: every 3rd row (50 rows).
        assert_eq!((run.stride, run.sample_rows), (3, 50));
        assert_eq!(run.run.rows_train + run.run.rows_test, 150);
        let held = (0..150).filter(|&r| is_held_out(r, 0.3, 42)).count();
        assert_eq!(run.run.rows_test, held);
        assert_eq!(
            run.binned_bytes,
            150 * run.run.fitted.pipeline.features.len()
        );
        let accuracy = run.run.evaluation.metrics["accuracy"];
        assert!(accuracy > 0.85, "iris accuracy {accuracy}");
        // The artifact's model predicts raw rows.
        let frame = crisp_core::read_csv(file.path()).unwrap().frame;
        let scored = run.run.fitted.evaluate(&frame, "iris.csv").unwrap();
        assert!(scored.evaluation.metrics["accuracy"] > 0.85);
    }

    #[test]
    fn only_the_histogram_trees_stream() {
        let file = dataset("iris.csv");
        let err = train_stream(&file, &config("species", "knn")).unwrap_err();
        assert!(
            err.to_string()
                .contains("gbdt, random_forest, decision_tree"),
            "{err}"
        );
    }
}
