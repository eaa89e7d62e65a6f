//! The training run: target, split, feature pipeline fitted on the training rows only, model,
//! evaluation on the held-out rows (or by cross-validation), and the refit on every labeled row.

use std::time::Instant;

use crisp_core::{ensure, require_column, train_test_split, Result, Split};
use crisp_features::{default_pipeline, PipelineSpec};
use crisp_validate::{Evaluation, Task};
use linfa::ParamGuard;
use polars::prelude::*;
use serde::Serialize;

use crate::cv::{CvRun, Keys, SplitBy};
use crate::fitted::{FittedModel, Scored};
use crate::model::{default_model, find_model, ModelSpec, TrainedModel, TrainingData};
use crate::target::{
    drop_missing_target, infer_task, TargetInfo, TargetValues, DEFAULT_MAX_CLASSES,
};
use crate::weights::{
    column_weights, kept, labeled_weights, ClassWeight, LabeledWeights, RowWeights, WeightSummary,
    Weighting,
};

/// Where the evaluation rows come from.
#[derive(Debug, Clone)]
pub enum Holdout {
    /// A seeded split of the training data (stratified for classification; by group or time
    /// as [`TrainConfig::split_by`] says).
    Fraction(f64),
    /// A separate labeled frame, named in errors by `source`.
    Frame {
        /// The rows.
        frame: DataFrame,
        /// Their file name.
        source: String,
    },
    /// K-fold cross-validation over every labeled row (folds made as
    /// [`TrainConfig::split_by`] says): the estimate is the folds' mean, and the model is
    /// fitted on every labeled row afterwards (it needs [`TrainConfig::refit`]).
    CrossValidation(usize),
}

/// Everything a training run needs besides the data.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Target column.
    pub target: String,
    /// Task, inferred from the target when `None`.
    pub task: Option<Task>,
    /// Model; an empty name picks the default for the task.
    pub model: ModelSpec,
    /// Declared feature pipeline; the default one for the model when `None`.
    pub features: Option<PipelineSpec>,
    /// Seed for the split and the model.
    pub seed: u64,
    /// Evaluation rows.
    pub holdout: Holdout,
    /// The most classes a classification target may have.
    pub max_classes: usize,
    /// How rows are split (hold-out, folds, a search's validation split): by seeded rows,
    /// whole groups, or time.
    pub split_by: SplitBy,
    /// After evaluating on a hold-out split, fit the model again on every labeled row and
    /// return that one (the metrics stay those of the evaluation: the estimate). Without it
    /// the evaluated model itself is returned. A separate test frame leaves nothing to refit:
    /// the model is fitted on every labeled row of `frame` either way.
    pub refit: bool,
    /// Class and sample weights of the rows, and whether the metrics are weighted (none by
    /// default). Every fit of the run gets the weights of its rows; the feature pipeline is
    /// fitted unweighted.
    pub weighting: Weighting,
}

impl TrainConfig {
    /// The seed [`TrainConfig::new`] uses.
    pub const DEFAULT_SEED: u64 = 42;
    /// The share of rows [`TrainConfig::new`] holds out.
    pub const DEFAULT_TEST_FRACTION: f64 = 0.2;

    /// Predict `target` with the default model and feature pipeline for its (inferred) task,
    /// holding out a seeded, stratified 20% of the rows for evaluation and returning the
    /// model evaluated on them (no refit; see [`TrainConfig::refit`]).
    pub fn new(target: impl Into<String>) -> Self {
        TrainConfig {
            target: target.into(),
            task: None,
            model: ModelSpec::default(),
            features: None,
            seed: Self::DEFAULT_SEED,
            holdout: Holdout::Fraction(Self::DEFAULT_TEST_FRACTION),
            max_classes: DEFAULT_MAX_CLASSES,
            split_by: SplitBy::Rows,
            refit: false,
            weighting: Weighting::default(),
        }
    }

    /// Refusing classification targets of more than `max_classes` classes.
    pub fn max_classes(mut self, max_classes: usize) -> Self {
        self.max_classes = max_classes;
        self
    }

    /// With the model `model`.
    pub fn model(mut self, model: ModelSpec) -> Self {
        self.model = model;
        self
    }

    /// With the task given instead of inferred.
    pub fn task(mut self, task: Task) -> Self {
        self.task = Some(task);
        self
    }

    /// With the feature pipeline `features` instead of the model's default one.
    pub fn features(mut self, features: PipelineSpec) -> Self {
        self.features = Some(features);
        self
    }

    /// With the seed `seed` (split and model).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Evaluating on `holdout`.
    pub fn holdout(mut self, holdout: Holdout) -> Self {
        self.holdout = holdout;
        self
    }

    /// Splitting rows as `split_by` says.
    pub fn split_by(mut self, split_by: SplitBy) -> Self {
        self.split_by = split_by;
        self
    }

    /// Fitting the evaluated configuration again on every labeled row (`true`), or returning
    /// the evaluated model (`false`).
    pub fn refit(mut self, refit: bool) -> Self {
        self.refit = refit;
        self
    }

    /// Weighing each class as `class_weight` says (classification; see [`ClassWeight`]).
    pub fn class_weight(mut self, class_weight: ClassWeight) -> Self {
        self.weighting.class_weight = Some(class_weight);
        self
    }

    /// Weighing each row by its value in `column` (numbers >= 0, scaled to a mean of 1 over
    /// the labeled rows). The column is not a feature: the model does not read it.
    pub fn sample_weight(mut self, column: impl Into<String>) -> Self {
        self.weighting.sample_weight = Some(column.into());
        self
    }

    /// Evaluating with the weights of the evaluated rows (`true`) instead of counting each
    /// row once (`false`, the default).
    pub fn weighted_metrics(mut self, weighted: bool) -> Self {
        self.weighting.weighted_metrics = weighted;
        self
    }
}

/// Gradient boosting with early stopping, refit: the rounds early stopping kept on the
/// evaluation's training rows, and the rounds the refit trained (early stopping off), scaled
/// by the ratio of rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RefitRounds {
    /// Rounds kept by early stopping (the mean over the folds for cross-validation).
    pub kept: f64,
    /// Rows the evaluated model boosted on (its training rows less early stopping's
    /// validation share; the mean over the folds for cross-validation).
    pub rows_boosted: f64,
    /// Rows the refit boosted on.
    pub rows_refit: usize,
    /// Rounds of the refit: `kept × rows_refit / rows_boosted`, rounded.
    pub n_rounds: usize,
}

/// The result of a training run.
#[derive(Debug, Clone)]
pub struct TrainRun {
    /// The trained bundle.
    pub fitted: FittedModel,
    /// The model and parameters `fitted` was trained with (the default model's name filled
    /// in; for a gradient boosting refit, its rounds).
    pub model: ModelSpec,
    /// The pipeline that was fitted (declared or default).
    pub features: PipelineSpec,
    /// Metrics on the held-out rows (the folds' means for cross-validation): the estimate.
    pub evaluation: Evaluation,
    /// Rows `fitted` was fitted on.
    pub rows_train: usize,
    /// Rows evaluated on (every labeled row for cross-validation).
    pub rows_test: usize,
    /// Rows the evaluated model was fitted on (`None` for cross-validation: see the folds).
    pub rows_train_evaluated: Option<usize>,
    /// Whether `fitted` was fitted again on every labeled row after the evaluation.
    pub refit: bool,
    /// The cross-validation, when the evaluation was one.
    pub cv: Option<CvRun>,
    /// Gradient boosting with early stopping, refit: the rounds chosen and trained.
    pub refit_rounds: Option<RefitRounds>,
    /// Training-file rows skipped for a missing target.
    pub rows_missing_target: usize,
    /// Test-file rows skipped for a missing target (separate test file only).
    pub rows_missing_target_test: usize,
    /// Seconds spent fitting the pipeline and the model that is returned.
    pub train_seconds: f64,
    /// Statistics of the training rows' input columns, for data checks at validation time.
    pub profile: crisp_validate::DataProfile,
    /// The class and sample weights the model was fitted with, when the run weighed rows.
    pub weighting: Option<WeightSummary>,
    /// The evaluated model and its predictions on the rows it was evaluated on (hold-out
    /// fraction or test file; `None` for cross-validation): what a report's curves,
    /// residuals, importance and drift are drawn from.
    pub held_out: Option<HeldOut>,
}

/// A model and its evaluation on rows it was not fitted on.
#[derive(Debug, Clone)]
pub struct HeldOut {
    /// The model that was evaluated (before any refit on every row).
    pub model: FittedModel,
    /// Its predictions on the held-out rows, with their true targets and raw columns.
    pub scored: Scored,
}

/// Train on `frame` (read from `source`) as `config` says.
///
/// With a hold-out fraction the model is fitted on the other rows and evaluated on the
/// held-out ones, then (with [`TrainConfig::refit`]) fitted again on every labeled row. With a
/// test frame it is fitted on every labeled row and evaluated on the test frame. With
/// cross-validation the folds give the estimate and the model is fitted on every labeled row.
///
/// # Errors
/// Those of reading the target, splitting, fitting and evaluating; cross-validation without
/// refit (there is no single evaluated model to return).
pub fn train(frame: &DataFrame, source: &str, config: &TrainConfig) -> Result<TrainRun> {
    let labeled = Labeled::new(frame, source, config)?;
    let spec = labeled.resolve(&config.model);
    if let Some(w) = &labeled.weights {
        find_model(&spec.name)?.check_weights(w.sample)?;
    }
    let n = labeled.frame.height();
    match &config.holdout {
        Holdout::Fraction(fraction) => {
            let split = labeled
                .keys(&config.split_by)?
                .holdout(n, *fraction, config.seed)?;
            let fit = labeled.fit(config, &spec, Some(&split.train))?;
            let scored = labeled.score_rows(&fit.fitted, &split.test)?;
            let evaluation = scored.evaluation.clone();
            tracing::info!(
                "{} fitted on {} rows in {:.2}s, evaluated on {} held-out rows",
                spec.name,
                fit.rows,
                fit.seconds,
                split.test.len()
            );
            let evaluated = Evaluated {
                evaluation,
                rows_test: split.test.len(),
                rows_train_evaluated: Some(fit.rows),
                rows_missing_target_test: 0,
                cv: None,
                held_out: Some(HeldOut {
                    model: fit.fitted.clone(),
                    scored,
                }),
            };
            if config.refit {
                let rounds: Vec<Rounds> = fit.rounds.into_iter().collect();
                labeled.refit(config, &spec, &rounds, evaluated)
            } else {
                labeled.finish(fit, spec, evaluated, false, None)
            }
        }
        Holdout::Frame {
            frame: test,
            source: test_source,
        } => {
            require_column(test, &config.target, test_source)?;
            let test_weights = labeled.frame_weights(test, &config.target, test_source)?;
            let (test, missing) = drop_missing_target(test, &config.target, test_source)?;
            let fit = labeled.fit(config, &spec, None)?;
            let test_truth = fit.fitted.target.encode(&test, test_source)?;
            let predictions = fit.fitted.predict(&test, test_source)?;
            let evaluation = match test_weights {
                Some(sample) => {
                    let weights = labeled.evaluation_weights(sample, &test_truth);
                    fit.fitted
                        .score_weighted(&test_truth, &predictions, &weights)?
                }
                None => fit.fitted.score(&test_truth, &predictions)?,
            };
            let evaluated = Evaluated {
                held_out: Some(HeldOut {
                    model: fit.fitted.clone(),
                    scored: Scored {
                        evaluation: evaluation.clone(),
                        truth: test_truth,
                        predictions,
                        rows: test.height(),
                        frame: test.clone(),
                        rows_missing_target: missing,
                    },
                }),
                evaluation,
                rows_test: test.height(),
                rows_train_evaluated: Some(fit.rows),
                rows_missing_target_test: missing,
                cv: None,
            };
            labeled.finish(fit, spec, evaluated, false, None)
        }
        Holdout::CrossValidation(k) => {
            crisp_core::ensure!(
                config.refit,
                Config: "cross-validation evaluates one model per fold, none of which was fitted on every row; it needs refit"
            );
            let folds = labeled.keys(&config.split_by)?.folds(n, *k, config.seed)?;
            let cv = crate::cv::cross_validate_folds(&labeled, config, &spec, &folds, None)?;
            let rounds: Vec<Rounds> = cv.folds.iter().filter_map(|f| f.rounds).collect();
            let evaluated = Evaluated {
                evaluation: cv.estimate(labeled.task),
                rows_test: n,
                rows_train_evaluated: None,
                rows_missing_target_test: 0,
                cv: Some(cv),
                held_out: None,
            };
            labeled.refit(config, &spec, &rounds, evaluated)
        }
    }
}

/// The evaluation part of a run.
struct Evaluated {
    evaluation: Evaluation,
    rows_test: usize,
    rows_train_evaluated: Option<usize>,
    rows_missing_target_test: usize,
    cv: Option<CvRun>,
    held_out: Option<HeldOut>,
}

/// Gradient boosting's rounds in one fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rounds {
    /// Rounds kept.
    pub(crate) kept: usize,
    /// Whether early stopping chose them.
    pub(crate) early_stopped: bool,
    /// Rows boosted on (training rows less early stopping's validation rows).
    pub(crate) rows_boosted: f64,
}

impl Rounds {
    /// The rounds of a fitted gradient boosting model (`None` for other models).
    fn of(model: &TrainedModel, spec: &ModelSpec, rows: usize) -> Option<Rounds> {
        let (kept, early_stopped) = match model {
            TrainedModel::GbdtClassifier(m) => (m.n_rounds(), !m.validation_loss().is_empty()),
            TrainedModel::GbdtRegressor(m) => (m.n_rounds(), !m.validation_loss().is_empty()),
            _ => return None,
        };
        let held_out = if early_stopped {
            let mut params = crisp_trees::GradientBoostingParams::new();
            if let Some(v) = spec.params.get("validation_fraction") {
                // Already accepted by the fit that just ran.
                let _ = params.set_param("validation_fraction", v);
            }
            params.check_ref().map_or(0.0, |p| p.validation_fraction())
        } else {
            0.0
        };
        Some(Rounds {
            kept,
            early_stopped,
            rows_boosted: rows as f64 * (1.0 - held_out),
        })
    }
}

/// The configuration to refit on `rows_refit` rows after fits that ended with `rounds`
/// (gradient boosting only; one per fold): early stopping off, and when it chose the rounds,
/// their mean scaled by the ratio of rows.
pub(crate) fn refit_spec(
    spec: &ModelSpec,
    rounds: &[Rounds],
    rows_refit: usize,
) -> (ModelSpec, Option<RefitRounds>) {
    if rounds.is_empty() {
        return (spec.clone(), None);
    }
    let n = rounds.len() as f64;
    let kept = rounds.iter().map(|r| r.kept as f64).sum::<f64>() / n;
    let rows_boosted = rounds.iter().map(|r| r.rows_boosted).sum::<f64>() / n;
    let mut refit = spec.clone();
    refit
        .params
        .insert("early_stopping".to_string(), "false".to_string());
    let mut info = None;
    if rounds.iter().any(|r| r.early_stopped) {
        let n_rounds = ((kept * rows_refit as f64 / rows_boosted.max(1.0)).round() as usize).max(1);
        refit
            .params
            .insert("n_rounds".to_string(), n_rounds.to_string());
        info = Some(RefitRounds {
            kept,
            rows_boosted,
            rows_refit,
            n_rounds,
        });
    }
    (refit, info)
}

/// A model fitted on some of the labeled rows.
pub(crate) struct Fit {
    pub fitted: FittedModel,
    pub features: PipelineSpec,
    pub seconds: f64,
    pub rows: usize,
    pub rounds: Option<Rounds>,
    pub frame: DataFrame,
}

/// The labeled rows of a training file, their task, target and encoded targets: what every
/// fit, split and evaluation of a run, a cross-validation or a search shares.
pub(crate) struct Labeled {
    pub frame: DataFrame,
    pub source: String,
    pub task: Task,
    pub target: TargetInfo,
    pub truth: TargetValues,
    pub rows_missing_target: usize,
    /// The weight of every labeled row, when the run weighs them.
    pub weights: Option<LabeledWeights>,
}

impl Labeled {
    pub fn new(frame: &DataFrame, source: &str, config: &TrainConfig) -> Result<Labeled> {
        require_column(frame, &config.target, source)?;
        let weighting = &config.weighting;
        let sample = match &weighting.sample_weight {
            Some(column) => {
                ensure!(
                    *column != config.target,
                    Config { column: column }: "column '{column}' cannot be both the target and the sample weight"
                );
                if let SplitBy::Group(c) | SplitBy::Time(c) = &config.split_by {
                    ensure!(
                        c != column,
                        Config { column: column }: "column '{column}' cannot both split the rows and weigh them"
                    );
                }
                Some(column_weights(frame, column, source)?)
            }
            None => None,
        };
        let (labeled, rows_missing_target) = drop_missing_target(frame, &config.target, source)?;
        let sample = match sample {
            Some(w) if rows_missing_target > 0 => {
                let keep = require_column(frame, &config.target, source)?.is_not_null();
                Some(kept(w, Some(&keep)))
            }
            other => other,
        };
        // The weight column is not an input of the model.
        let labeled = match &weighting.sample_weight {
            Some(column) => labeled.drop(column)?,
            None => labeled,
        };
        let task = match config.task {
            Some(t) => t,
            None => infer_task(&labeled, &config.target, source)?,
        };
        let target =
            TargetInfo::fit_with_limit(&labeled, &config.target, task, source, config.max_classes)?;
        let truth = target.encode(&labeled, source)?;
        let weights = labeled_weights(weighting, sample, &target, &truth)?;
        Ok(Labeled {
            frame: labeled,
            source: source.to_string(),
            task,
            target,
            truth,
            rows_missing_target,
            weights,
        })
    }

    /// The sample weights of the rows of a separate test frame with a target (`None` unless
    /// the metrics are weighted; all 1 without a weight column), read before the rows with a
    /// missing target are dropped so that errors name the file's rows.
    pub fn frame_weights(
        &self,
        test: &DataFrame,
        target: &str,
        source: &str,
    ) -> Result<Option<Vec<f64>>> {
        let Some(w) = self.weights.as_ref().filter(|w| w.metrics) else {
            return Ok(None);
        };
        let keep = require_column(test, target, source)?.is_not_null();
        let sample = match &w.summary.sample_weight {
            Some(column) => column_weights(test, column, source)?,
            None => vec![1.0; test.height()],
        };
        Ok(Some(kept(sample, Some(&keep))))
    }

    /// The weights of evaluated rows: their `sample` weights times their class weights.
    pub fn evaluation_weights(&self, mut sample: Vec<f64>, truth: &TargetValues) -> Vec<f64> {
        if let (Some(classes), TargetValues::Classes(c)) = (
            self.weights.as_ref().and_then(|w| w.classes.as_ref()),
            truth,
        ) {
            for (w, &class) in sample.iter_mut().zip(c) {
                *w *= classes[class];
            }
        }
        sample
    }

    /// The split keys of every labeled row.
    pub fn keys(&self, by: &SplitBy) -> Result<Keys> {
        Keys::of(&self.frame, &self.truth, by, &self.source)
    }

    /// The rows a search may look at: those outside the hold-out split (every labeled row
    /// with a test frame or cross-validation).
    pub fn search_rows(&self, keys: &Keys, config: &TrainConfig) -> Result<Vec<usize>> {
        let n = self.frame.height();
        match config.holdout {
            Holdout::Fraction(fraction) => Ok(keys.holdout(n, fraction, config.seed)?.train),
            Holdout::Frame { .. } | Holdout::CrossValidation(_) => Ok((0..n).collect()),
        }
    }

    /// `spec` with the default model's name when it names none.
    pub fn resolve(&self, spec: &ModelSpec) -> ModelSpec {
        ModelSpec {
            name: if spec.name.is_empty() {
                default_model(self.task).to_string()
            } else {
                spec.name.clone()
            },
            params: spec.params.clone(),
        }
    }

    /// Fits the pipeline and the model `spec` on `rows` (all labeled rows when `None`).
    pub fn fit(
        &self,
        config: &TrainConfig,
        spec: &ModelSpec,
        rows: Option<&[usize]>,
    ) -> Result<Fit> {
        let info = find_model(&spec.name)?;
        let (train_frame, y) = match rows {
            Some(rows) => (take(&self.frame, rows)?, self.truth.subset(rows)),
            None => (self.frame.clone(), self.truth.clone()),
        };
        let started = Instant::now();
        let features = match &config.features {
            Some(spec) => spec.clone(),
            None => default_pipeline(&train_frame, &config.target, info.encoding)?,
        };
        // Out-of-fold values for supervised steps: the model trains on what fit_transform returns.
        let (pipeline, train_features) = features.fit_transform(&train_frame, &config.target)?;
        let x = crisp_core::to_matrix(&train_features, &pipeline.features)?;
        let row_weights = self.weights.as_ref().map(|w| w.subset(rows));
        let data = TrainingData {
            x: &x,
            y: &y,
            n_classes: self.target.classes.len(),
            categorical: &pipeline.categorical,
            seed: config.seed,
            weights: self
                .weights
                .as_ref()
                .zip(row_weights.as_deref())
                .map(|(w, rows)| RowWeights {
                    rows,
                    classes: w.classes.as_deref(),
                    sample: w.sample,
                }),
        };
        let model = info.fit(spec, self.task, &data)?;
        let seconds = started.elapsed().as_secs_f64();
        tracing::debug!(
            "fitted {} on {} rows and {} features in {seconds:.2}s",
            spec.name,
            train_frame.height(),
            pipeline.features.len()
        );
        let rounds = Rounds::of(&model, spec, train_frame.height());
        Ok(Fit {
            fitted: FittedModel {
                model_name: spec.name.clone(),
                pipeline,
                model,
                target: self.target.clone(),
            },
            features,
            seconds,
            rows: train_frame.height(),
            rounds,
            frame: train_frame,
        })
    }

    /// The metrics of `fitted` on the labeled `rows` (weighted by their weights when the
    /// run's metrics are weighted).
    pub fn evaluate(&self, fitted: &FittedModel, rows: &[usize]) -> Result<Evaluation> {
        Ok(self.score_rows(fitted, rows)?.evaluation)
    }

    /// [`Labeled::evaluate`], keeping the rows, their true targets and the predictions.
    pub fn score_rows(&self, fitted: &FittedModel, rows: &[usize]) -> Result<Scored> {
        let frame = take(&self.frame, rows)?;
        let predictions = fitted.predict(&frame, &self.source)?;
        let truth = self.truth.subset(rows);
        let evaluation = match self.weights.as_ref().filter(|w| w.metrics) {
            Some(w) => fitted.score_weighted(&truth, &predictions, &w.subset(Some(rows)))?,
            None => fitted.score(&truth, &predictions)?,
        };
        Ok(Scored {
            evaluation,
            truth,
            predictions,
            rows: frame.height(),
            frame,
            rows_missing_target: 0,
        })
    }

    /// Fits `spec` (with the rounds of its evaluation) on every labeled row.
    fn refit(
        &self,
        config: &TrainConfig,
        spec: &ModelSpec,
        rounds: &[Rounds],
        evaluated: Evaluated,
    ) -> Result<TrainRun> {
        let (refit, refit_rounds) = refit_spec(spec, rounds, self.frame.height());
        tracing::info!(
            "refitting {} on every labeled row ({}){}",
            refit.name,
            self.frame.height(),
            refit_rounds.as_ref().map_or(String::new(), |r| format!(
                ", {} rounds (early stopping kept {:.1} on {:.0} rows)",
                r.n_rounds, r.kept, r.rows_boosted
            ))
        );
        let fit = self.fit(config, &refit, None)?;
        self.finish(fit, refit, evaluated, true, refit_rounds)
    }

    fn finish(
        &self,
        fit: Fit,
        model: ModelSpec,
        evaluated: Evaluated,
        refit: bool,
        refit_rounds: Option<RefitRounds>,
    ) -> Result<TrainRun> {
        let profile = crate::profile::profile_frame(&fit.frame, &fit.fitted.pipeline.input)?;
        Ok(TrainRun {
            profile,
            evaluation: evaluated.evaluation,
            features: fit.features,
            model,
            rows_train: fit.rows,
            rows_test: evaluated.rows_test,
            rows_train_evaluated: evaluated.rows_train_evaluated,
            refit,
            cv: evaluated.cv,
            refit_rounds,
            rows_missing_target: self.rows_missing_target,
            rows_missing_target_test: evaluated.rows_missing_target_test,
            train_seconds: fit.seconds,
            fitted: fit.fitted,
            weighting: self.weights.as_ref().map(|w| w.summary.clone()),
            held_out: evaluated.held_out,
        })
    }
}

/// Split labeled rows (no missing target) into train and test parts, stratified by class for
/// classification, reproducibly for `seed`: the split `crisp train --test-fraction` makes.
pub fn split_labeled(
    frame: &DataFrame,
    target: &TargetInfo,
    fraction: f64,
    seed: u64,
    source: &str,
) -> Result<(DataFrame, DataFrame)> {
    let truth = target.encode(frame, source)?;
    let split = split_rows(&truth, frame.height(), fraction, seed)?;
    Ok((take(frame, &split.train)?, take(frame, &split.test)?))
}

/// The seeded split of `n_rows` rows, stratified by class when `truth` holds classes.
fn split_rows(truth: &TargetValues, n_rows: usize, fraction: f64, seed: u64) -> Result<Split> {
    let strata = match truth {
        TargetValues::Classes(c) => Some(c.as_slice()),
        TargetValues::Values(_) => None,
    };
    train_test_split(n_rows, fraction, seed, strata)
}

pub(crate) fn take(frame: &DataFrame, rows: &[usize]) -> Result<DataFrame> {
    let idx = IdxCa::from_vec("rows".into(), rows.iter().map(|&r| r as IdxSize).collect());
    Ok(frame.take(&idx)?)
}
