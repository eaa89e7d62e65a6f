//! A sequence of steps fitted on the training frame and applied, as one lazy Polars plan,
//! identically at training and at prediction time.

use std::time::Instant;

use crisp_core::ndarray::Array2;
use crisp_core::{bail, to_matrix, ColumnKind, Result, Schema};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::transform::{FittedStep, StepSpec, StepSummary};

/// How long one step took in [`PipelineSpec::fit_transform_timed`].
#[derive(Debug, Clone, PartialEq)]
pub struct StepTiming {
    /// The step's kind (`impute`, `one_hot`, ...).
    pub name: String,
    /// Seconds to resolve its columns and learn its state.
    pub fit_seconds: f64,
    /// Seconds to apply it to the training rows (one collected Polars plan).
    pub apply_seconds: f64,
}

/// The declared steps of a pipeline (the `[features]` section of the pipeline TOML).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PipelineSpec {
    /// Steps, applied in order; each is fitted on the output of the ones before it.
    #[serde(default)]
    pub steps: Vec<StepSpec>,
}

/// A fitted pipeline: what it reads, what it learned, what it produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPipeline {
    /// Input columns the pipeline reads, with their training kinds (required at prediction).
    pub input: Schema,
    /// Input columns present in training but dropped by the pipeline.
    pub ignored: Vec<String>,
    /// Fitted steps in order.
    pub steps: Vec<FittedStep>,
    /// Output feature columns, in model order.
    pub features: Vec<String>,
    /// Indices into `features` of columns holding category codes.
    pub categorical: Vec<usize>,
}

impl FittedPipeline {
    /// Checks a pipeline decoded from bytes before it is applied: input and feature names are
    /// unique, categorical indices point at features, and every step is consistent (see
    /// [`crate::FittedTransform::validate`]). A pipeline from `fit` always passes.
    pub fn validate(&self) -> Result<()> {
        fn repeated<'a>(mut names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
            let mut seen = std::collections::HashSet::new();
            names.find(|n| !seen.insert(*n))
        }
        if let Some(name) = repeated(self.input.columns.iter().map(|c| c.name.as_str())) {
            crisp_core::bail!(Artifact: "the pipeline reads input column '{name}' twice");
        }
        if let Some(name) = repeated(self.features.iter().map(String::as_str)) {
            crisp_core::bail!(Artifact: "the pipeline makes feature '{name}' twice");
        }
        if let Some(i) = self.categorical.iter().find(|&&i| i >= self.features.len()) {
            crisp_core::bail!(
                Artifact: "the pipeline marks feature {i} categorical but makes {} features",
                self.features.len()
            );
        }
        for (i, step) in self.steps.iter().enumerate() {
            step.transform()
                .validate()
                .map_err(|e| crisp_core::Error::artifact(format!("feature step {}: {e}", i + 1)))?;
        }
        Ok(())
    }
}

impl PipelineSpec {
    /// A pipeline of `steps`.
    pub fn new(steps: Vec<StepSpec>) -> Self {
        PipelineSpec { steps }
    }

    /// Whether a step gives the training rows other features than applying the fitted
    /// pipeline to them would (out-of-fold target encoding).
    pub fn is_supervised(&self) -> bool {
        self.steps.iter().any(|s| s.transform().is_supervised())
    }

    /// Fit every step on `frame` (the training rows only). The `target` column is never a
    /// feature; supervised steps (`target_encode`) learn from it. `target` may be absent from
    /// `frame` when no step needs it.
    pub fn fit(&self, frame: &DataFrame, target: &str) -> Result<FittedPipeline> {
        self.fit_transform(frame, target)
            .map(|(pipeline, _)| pipeline)
    }

    /// Fit every step on `frame` like [`PipelineSpec::fit`] and return, with the fitted
    /// pipeline, the training rows' features (the columns of [`FittedPipeline::features`], in
    /// that order, rows in input order).
    ///
    /// These are what the model must be trained on: they equal `transform(frame)` except for
    /// supervised steps, whose training rows get out-of-fold values (a row's target encoding is
    /// learned from the other folds only, so it never sees its own target). Each step is fitted
    /// on the training output of the steps before it.
    pub fn fit_transform(
        &self,
        frame: &DataFrame,
        target: &str,
    ) -> Result<(FittedPipeline, DataFrame)> {
        self.fit_transform_timed(frame, target)
            .map(|(pipeline, features, _)| (pipeline, features))
    }

    /// [`PipelineSpec::fit_transform`], also returning how long each step took to fit and to
    /// apply to the training rows (for `crisp bench features`).
    pub fn fit_transform_timed(
        &self,
        frame: &DataFrame,
        target: &str,
    ) -> Result<(FittedPipeline, DataFrame, Vec<StepTiming>)> {
        self.fit_transform_owned(frame.clone(), target)
    }

    /// [`PipelineSpec::fit_transform_timed`] on a frame the caller gives up: each input column
    /// is freed as soon as a step has replaced it, so the input and the output are not both
    /// held in full (the peak memory of `crisp features` on a large file).
    pub fn fit_transform_owned(
        &self,
        frame: DataFrame,
        target: &str,
    ) -> Result<(FittedPipeline, DataFrame, Vec<StepTiming>)> {
        let mut timings = Vec::with_capacity(self.steps.len());
        let protected = vec![target.to_string()];
        let input_schema = Schema::of_frame(&frame, &[target]);
        let mut current = frame;
        let target_column = current.drop_in_place(target).ok();
        // A CSV read in parallel arrives in many chunks; Polars' aggregations (medians,
        // quantiles, group-bys) are several times faster on one contiguous chunk per column.
        current.rechunk_mut_par();
        let raw_columns: Vec<String> = current
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut steps = Vec::with_capacity(self.steps.len());
        let mut ignored = Vec::new();
        for spec in &self.steps {
            let t = spec.transform();
            let started = Instant::now();
            let columns = t.selector().resolve(&current, &protected, t.name())?;
            let fitted = t.fit_supervised(&current, &columns, target_column.as_ref())?;
            let fit_seconds = started.elapsed().as_secs_f64();
            let started = Instant::now();
            for c in fitted.step.transform().ignored() {
                if raw_columns.contains(&c) && !ignored.contains(&c) {
                    ignored.push(c);
                }
            }
            // Outputs that the step gives the training rows itself (out-of-fold encodings)
            // take the place of the expressions computing them: not computed only to be
            // overwritten.
            let mut training_columns = fitted.training_columns;
            let mut exprs = fitted.step.transform().exprs();
            if !training_columns.is_empty() {
                for e in exprs.iter_mut() {
                    let Ok(name) = e.clone().meta().output_name() else {
                        continue;
                    };
                    if let Some(i) = training_columns.iter().position(|c| c.name() == &name) {
                        let values = training_columns.remove(i).take_materialized_series();
                        *e = lit(values).alias(name);
                    }
                }
            }
            current = apply_step(current.lazy(), &fitted.step, exprs)?
                .collect()
                .map_err(|e| {
                    crisp_core::Error::data(format!("feature step '{}': {e}", t.name()))
                })?;
            for column in training_columns {
                current.with_column(column)?;
            }
            timings.push(StepTiming {
                name: t.name().to_string(),
                fit_seconds,
                apply_seconds: started.elapsed().as_secs_f64(),
            });
            steps.push(fitted.step);
        }
        for c in current.columns() {
            let kind = ColumnKind::of(c.dtype());
            if !(kind.is_numeric() || kind == ColumnKind::Boolean) {
                bail!(
                    Config: "column '{}' ({kind}) reaches the model unencoded: add it to a one_hot or ordinal step, or drop it",
                    c.name()
                );
            }
        }
        let features: Vec<String> = current
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let categorical_names: Vec<String> = steps
            .iter()
            .flat_map(|s| s.transform().categorical_outputs())
            .collect();
        let categorical = features
            .iter()
            .enumerate()
            .filter(|(_, f)| categorical_names.contains(f))
            .map(|(i, _)| i)
            .collect();
        let mut input = input_schema;
        input.columns.retain(|c| !ignored.contains(&c.name));
        let pipeline = FittedPipeline {
            input,
            ignored,
            steps,
            features,
            categorical,
        };
        Ok((pipeline, current, timings))
    }
}

fn apply_steps(mut plan: LazyFrame, steps: &[FittedStep]) -> Result<LazyFrame> {
    for step in steps {
        plan = apply_step(plan, step, step.transform().exprs())?;
    }
    Ok(plan)
}

/// `step` on `plan`, with `exprs` (the step's expressions, or stand-ins with the same names).
fn apply_step(mut plan: LazyFrame, step: &FittedStep, exprs: Vec<Expr>) -> Result<LazyFrame> {
    let t = step.transform();
    if !exprs.is_empty() {
        plan = plan.with_columns(exprs);
    }
    // Input columns a drop step removed in training are not required at prediction time,
    // so they may be absent here: drop only what is present.
    let present = plan.collect_schema()?;
    let dropped: Vec<String> = t
        .dropped()
        .into_iter()
        .filter(|c| present.contains(c))
        .collect();
    if !dropped.is_empty() {
        plan = plan.drop(cols(dropped));
    }
    Ok(plan)
}

impl FittedPipeline {
    /// The feature columns for `frame` (raw rows, target optional): conformed to the training
    /// schema, then every step applied. `source` names the data in errors.
    pub fn transform(&self, frame: &DataFrame, source: &str) -> Result<DataFrame> {
        let conformed = self.input.conform(frame, source)?;
        let inputs = conformed.select(self.input.names())?;
        for step in &self.steps {
            step.transform().check(&inputs, source)?;
        }
        let out = apply_steps(inputs.lazy(), &self.steps)?
            .select(
                self.features
                    .iter()
                    .map(|f| col(f.as_str()))
                    .collect::<Vec<_>>(),
            )
            .collect()
            .map_err(|e| {
                crisp_core::Error::data(format!("{source}: applying the feature pipeline: {e}"))
            })?;
        Ok(out)
    }

    /// The features of `frame` as the model's input matrix (ndarray 0.16, NaN for missing).
    pub fn matrix(&self, frame: &DataFrame, source: &str) -> Result<Array2<f64>> {
        to_matrix(&self.transform(frame, source)?, &self.features)
    }

    /// What each fitted step learned.
    pub fn summaries(&self) -> Vec<StepSummary> {
        self.steps.iter().map(|s| s.transform().summary()).collect()
    }
}
