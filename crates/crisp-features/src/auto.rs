//! The pipeline crisp builds when none is declared, chosen from the training frame's columns and
//! from what the model consumes.

use crisp_core::{ColumnKind, Result};
use polars::prelude::*;

use crate::categories::value_counts;
use crate::drop::Drop;
use crate::impute::{Impute, ImputeStrategy};
use crate::onehot::OneHot;
use crate::ordinal::Ordinal;
use crate::pipeline::PipelineSpec;
use crate::scale::StandardScale;
use crate::select::ColumnSelector;
use crate::transform::StepSpec;

/// How a model wants categorical columns and missing values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Dense numeric input without missing values: impute and standard-scale numbers, one-hot
    /// encode categories (linfa's models).
    OneHot,
    /// Category codes and NaN passed through, for models that split on them natively
    /// (crisp-trees).
    Native,
}

/// Text columns with more distinct values than this, and mostly unique, are taken for
/// identifiers (names, ticket numbers) and dropped: one-hot encoding them only memorises rows.
const IDENTIFIER_MIN_DISTINCT: usize = 50;

/// A pipeline for `frame` (target excluded): identifier-like text, date and datetime columns
/// dropped; then per `encoding`. Returned as a spec so it is shown and stored like a declared one.
pub fn default_pipeline(
    frame: &DataFrame,
    target: &str,
    encoding: Encoding,
) -> Result<PipelineSpec> {
    let mut numeric = Vec::new();
    let mut categorical = Vec::new();
    let mut dropped = Vec::new();
    for c in frame.columns() {
        let name = c.name().to_string();
        if name == target {
            continue;
        }
        match ColumnKind::of(c.dtype()) {
            ColumnKind::Float | ColumnKind::Integer | ColumnKind::Boolean => numeric.push(name),
            ColumnKind::Date | ColumnKind::Datetime => dropped.push(name),
            ColumnKind::Text => {
                let distinct = value_counts(frame, &name)?.len();
                let non_null = frame.height() - c.null_count();
                if distinct > IDENTIFIER_MIN_DISTINCT && distinct * 2 > non_null {
                    dropped.push(name);
                } else {
                    categorical.push(name);
                }
            }
        }
    }
    let mut steps = Vec::new();
    if !dropped.is_empty() {
        steps.push(StepSpec::Drop(Drop {
            select: ColumnSelector::names(dropped),
        }));
    }
    match encoding {
        Encoding::OneHot => {
            if !numeric.is_empty() {
                steps.push(StepSpec::Impute(Impute::new(
                    ColumnSelector::names(numeric.clone()),
                    ImputeStrategy::Mean,
                )));
                steps.push(StepSpec::StandardScale(StandardScale {
                    select: ColumnSelector::names(numeric),
                }));
            }
            if !categorical.is_empty() {
                steps.push(StepSpec::OneHot(OneHot::new(ColumnSelector::names(
                    categorical,
                ))));
            }
        }
        Encoding::Native => {
            if !categorical.is_empty() {
                steps.push(StepSpec::Ordinal(Ordinal::new(ColumnSelector::names(
                    categorical,
                ))));
            }
        }
    }
    Ok(PipelineSpec::new(steps))
}
