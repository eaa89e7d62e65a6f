//! The target column: inferring the task and encoding labels for the model.

use crisp_core::{bail, require_column, ColumnKind, Error, Hint, Result};
use crisp_validate::Task;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Integer targets with at most this many distinct values are taken for class labels
/// (wine quality 3..8), more for counts or amounts to regress on.
pub const MAX_INTEGER_CLASSES: usize = 20;

/// What the model predicts, as stored in the artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// Target column name.
    pub name: String,
    /// Classification or regression.
    pub task: Task,
    /// Class labels in index order (classification only), as text.
    pub classes: Vec<String>,
}

/// Classification for text and boolean targets and integers with few distinct values;
/// regression otherwise.
pub fn infer_task(frame: &DataFrame, target: &str, source: &str) -> Result<Task> {
    let column = require_column(frame, target, source)?;
    Ok(match ColumnKind::of(column.dtype()) {
        ColumnKind::Text | ColumnKind::Boolean => Task::Classification,
        ColumnKind::Integer => {
            let distinct = column.as_materialized_series().drop_nulls().n_unique()?;
            if distinct <= MAX_INTEGER_CLASSES {
                Task::Classification
            } else {
                Task::Regression
            }
        }
        ColumnKind::Float => Task::Regression,
        kind => {
            bail!(Data: "{source}: target column '{target}' is a {kind} column; crisp predicts classes or numbers")
        }
    })
}

/// Encoded target values, aligned with the frame's rows.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetValues {
    /// Class indices into [`TargetInfo::classes`].
    Classes(Vec<usize>),
    /// Numeric values.
    Values(Vec<f64>),
}

impl TargetValues {
    /// The values of `rows`, in that order.
    pub fn subset(&self, rows: &[usize]) -> TargetValues {
        match self {
            TargetValues::Classes(c) => TargetValues::Classes(rows.iter().map(|&r| c[r]).collect()),
            TargetValues::Values(v) => TargetValues::Values(rows.iter().map(|&r| v[r]).collect()),
        }
    }
}

/// The most classes a classification target may have unless told otherwise: a target with
/// more distinct values is almost always a number to predict (a price, an id), and a
/// classifier of thousands of classes would run out of memory instead of failing clearly.
pub const DEFAULT_MAX_CLASSES: usize = 1000;

impl TargetInfo {
    /// Learn the class list (sorted, so it does not depend on row order) from training rows,
    /// with at most [`DEFAULT_MAX_CLASSES`] classes.
    pub fn fit(frame: &DataFrame, target: &str, task: Task, source: &str) -> Result<Self> {
        Self::fit_with_limit(frame, target, task, source, DEFAULT_MAX_CLASSES)
    }

    /// As [`TargetInfo::fit`], refusing a classification target of more than `max_classes`
    /// classes.
    pub fn fit_with_limit(
        frame: &DataFrame,
        target: &str,
        task: Task,
        source: &str,
        max_classes: usize,
    ) -> Result<Self> {
        let column = require_column(frame, target, source)?;
        let classes = match task {
            Task::Regression => {
                if !ColumnKind::of(column.dtype()).is_numeric() {
                    return Err(Error::data(format!(
                        "{source}: target column '{target}' holds {} values, which cannot be regressed on",
                        column.dtype()
                    ))
                    .file(source)
                    .column(target)
                    .with_hint(Hint::AskForClassification));
                }
                Vec::new()
            }
            Task::Classification => {
                let text = column.cast(&DataType::String)?;
                let mut classes: Vec<String> =
                    text.str()?.iter().flatten().map(str::to_string).collect();
                classes.sort_unstable();
                classes.dedup();
                if column.dtype().is_integer() {
                    classes.sort_by_key(|c| c.parse::<i64>().unwrap_or(i64::MAX));
                }
                if classes.len() > max_classes {
                    return Err(Error::data(format!(
                        "{source}: target column '{target}' has {} distinct values, more than the {max_classes} classes a classifier takes",
                        classes.len()
                    ))
                    .file(source)
                    .column(target)
                    .with_hint(Hint::TooManyClasses));
                }
                if classes.len() < 2 {
                    bail!(
                        Data: "{source}: target column '{target}' has only one class ({}); a classifier needs at least two",
                        classes.first().map_or("none", String::as_str)
                    );
                }
                classes
            }
        };
        Ok(TargetInfo {
            name: target.to_string(),
            task,
            classes,
        })
    }

    /// The target of `frame` encoded for the model. Every row must have a target (drop missing
    /// ones first); a class not seen in training is an error naming it.
    pub fn encode(&self, frame: &DataFrame, source: &str) -> Result<TargetValues> {
        let column = require_column(frame, &self.name, source)?;
        match self.task {
            Task::Regression => {
                let values = column
                    .cast(&DataType::Float64)
                    .map_err(|e| Error::data(format!("{source}: target '{}': {e}", self.name)))?;
                let values: Vec<f64> = values
                    .f64()?
                    .iter()
                    .map(|v| v.unwrap_or(f64::NAN))
                    .collect();
                if let Some(row) = values.iter().position(|v| !v.is_finite()) {
                    bail!(Data: "{source}: target '{}' is missing or not a number on data row {}", self.name, row + 1);
                }
                Ok(TargetValues::Values(values))
            }
            Task::Classification => {
                let text = column.cast(&DataType::String)?;
                let index: std::collections::HashMap<&str, usize> = self
                    .classes
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.as_str(), i))
                    .collect();
                let mut labels = Vec::with_capacity(frame.height());
                for (row, v) in text.str()?.iter().enumerate() {
                    let Some(v) = v else {
                        bail!(Data: "{source}: target '{}' is missing on data row {}", self.name, row + 1);
                    };
                    let Some(&i) = index.get(v) else {
                        bail!(
                            Data: "{source}: target '{}' has class '{v}' on data row {} that the model was not trained on (classes: {})",
                            self.name,
                            row + 1,
                            self.classes.join(", ")
                        );
                    };
                    labels.push(i);
                }
                Ok(TargetValues::Classes(labels))
            }
        }
    }
}

/// `frame` without the rows whose target is missing, and how many were dropped.
pub fn drop_missing_target(
    frame: &DataFrame,
    target: &str,
    source: &str,
) -> Result<(DataFrame, usize)> {
    let column = require_column(frame, target, source)?;
    let missing = column.null_count();
    if missing == 0 {
        return Ok((frame.clone(), 0));
    }
    let keep = column.is_not_null();
    let kept = frame.filter(&keep)?;
    if kept.height() == 0 {
        bail!(Data: "{source}: target column '{target}' is empty on every row");
    }
    Ok((kept, missing))
}
