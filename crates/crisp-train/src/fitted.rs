//! A trained model bundled with the feature pipeline and target encoding it was trained with:
//! what the artifact stores and what `predict` and `validate` run.

use crisp_core::{Error, Result};
use crisp_features::FittedPipeline;
use crisp_validate::{EvalInput, Evaluation, Scores, Task};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{Predictions, TrainedModel};
use crate::target::{drop_missing_target, TargetInfo, TargetValues};

/// Pipeline + model + target: everything needed to go from raw rows to predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedModel {
    /// Registry name of the model.
    pub model_name: String,
    /// The fitted feature pipeline.
    pub pipeline: FittedPipeline,
    /// The fitted model.
    pub model: TrainedModel,
    /// The target it predicts.
    pub target: TargetInfo,
}

/// An evaluation of a model on labeled rows.
#[derive(Debug, Clone)]
pub struct Scored {
    /// Metrics.
    pub evaluation: Evaluation,
    /// The true targets of the evaluated rows.
    pub truth: TargetValues,
    /// The model's predictions for them.
    pub predictions: Predictions,
    /// The rows evaluated (input rows with a target), aligned with `truth` and `predictions`.
    pub frame: DataFrame,
    /// Rows evaluated.
    pub rows: usize,
    /// Rows skipped because their target was missing.
    pub rows_missing_target: usize,
}

impl Scored {
    /// The true and predicted targets in the form crisp-validate's gate takes; `model` is the
    /// model that made the predictions.
    pub fn scores(&self, model: &FittedModel) -> Result<Scores> {
        Ok(Scores::from(
            model.eval_input(&self.truth, &self.predictions)?,
        ))
    }
}

impl FittedModel {
    /// Predict raw rows of `frame` (the target column may be absent); `source` names the data
    /// in errors.
    pub fn predict(&self, frame: &DataFrame, source: &str) -> Result<Predictions> {
        let x = self.pipeline.matrix(frame, source)?;
        Ok(self.model.predict(&x))
    }

    /// Predictions as text labels (classification) or numbers (regression), as a Polars column
    /// named `prediction`.
    pub fn prediction_column(&self, predictions: &Predictions) -> Column {
        match predictions {
            Predictions::Classes { labels, .. } => {
                let names: Vec<&str> = labels
                    .iter()
                    .map(|&i| self.target.classes[i].as_str())
                    .collect();
                Column::new("prediction".into(), names)
            }
            Predictions::Values(v) => Column::new("prediction".into(), v.as_slice()),
        }
    }

    /// Evaluate on labeled rows of `frame`; rows with a missing target are skipped and counted.
    pub fn evaluate(&self, frame: &DataFrame, source: &str) -> Result<Scored> {
        let (frame, rows_missing_target) = drop_missing_target(frame, &self.target.name, source)?;
        let truth = self.target.encode(&frame, source)?;
        let predictions = self.predict(&frame, source)?;
        Ok(Scored {
            evaluation: self.score(&truth, &predictions)?,
            truth,
            predictions,
            rows: frame.height(),
            frame,
            rows_missing_target,
        })
    }

    /// Metrics of `predictions` against `truth`.
    pub fn score(&self, truth: &TargetValues, predictions: &Predictions) -> Result<Evaluation> {
        Evaluation::from_input(&self.eval_input(truth, predictions)?)
            .map_err(|e| Error::model(format!("cannot evaluate the model: {e}")))
    }

    /// Metrics of `predictions` against `truth`, each row weighing its weight in `weights`
    /// (scikit-learn's `sample_weight`; see [`Evaluation::from_input_weighted`]).
    pub fn score_weighted(
        &self,
        truth: &TargetValues,
        predictions: &Predictions,
        weights: &[f64],
    ) -> Result<Evaluation> {
        Evaluation::from_input_weighted(&self.eval_input(truth, predictions)?, weights)
            .map_err(|e| Error::model(format!("cannot evaluate the model: {e}")))
    }

    /// `truth` and `predictions` in the form crisp-validate computes metrics on.
    pub fn eval_input<'a>(
        &'a self,
        truth: &'a TargetValues,
        predictions: &'a Predictions,
    ) -> Result<EvalInput<'a>> {
        match (truth, predictions) {
            (TargetValues::Classes(y), Predictions::Classes { labels, proba, .. }) => Ok(
                EvalInput::classification(y, labels, proba.as_deref(), &self.target.classes),
            ),
            (TargetValues::Values(y), Predictions::Values(p)) => Ok(EvalInput::regression(y, p)),
            _ => Err(Error::model(format!(
                "model '{}' predicts a different kind of target than '{}' holds",
                self.model_name, self.target.name
            ))),
        }
    }

    /// The task.
    pub fn task(&self) -> Task {
        self.target.task
    }

    /// Checks a model decoded from bytes before it predicts: the pipeline and the model are
    /// each consistent, the model reads as many features as the pipeline makes, and it predicts
    /// the target's kind with the target's classes. Predicting relies on these facts, so a
    /// damaged or edited artifact is refused here, with a reason, instead of panicking later.
    pub fn validate(&self) -> Result<()> {
        let n_classes = match self.target.task {
            Task::Classification => {
                if self.target.classes.len() < 2 {
                    crisp_core::bail!(
                        Artifact: "the target '{}' lists {} classes (a classifier has at least 2)",
                        self.target.name,
                        self.target.classes.len()
                    );
                }
                self.target.classes.len()
            }
            Task::Regression => {
                if !self.target.classes.is_empty() {
                    crisp_core::bail!(Artifact: "a numeric target '{}' lists classes", self.target.name);
                }
                0
            }
        };
        self.pipeline.validate()?;
        self.model.validate(n_classes)?;
        let (model, pipeline) = (self.model.n_features(), self.pipeline.features.len());
        if model != pipeline {
            crisp_core::bail!(
                Artifact: "the model reads {model} features but the pipeline makes {pipeline}"
            );
        }
        Ok(())
    }
}
