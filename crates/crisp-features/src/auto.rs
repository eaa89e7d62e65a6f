//! The pipeline crisp builds when none is declared, chosen from the training frame's columns and
//! from what the model consumes.

use crisp_core::{ColumnKind, Result};
use polars::prelude::*;

use crate::categories::value_counts;
use crate::drop::Drop;
use crate::frequency::FrequencyEncode;
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

/// Most categories a tree model splits on natively (crisp-trees stores codes in a byte);
/// text columns with more are frequency-encoded instead.
const MAX_NATIVE_CATEGORIES: usize = 255;

/// One-hot columns per text column; rarer categories share one `<column>=infrequent` column.
const MAX_ONE_HOT_CATEGORIES: usize = 64;

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
    let mut many_categories = Vec::new();
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
                } else if distinct > MAX_NATIVE_CATEGORIES {
                    many_categories.push(name);
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
            categorical.append(&mut many_categories);
            if !categorical.is_empty() {
                let mut one_hot = OneHot::new(ColumnSelector::names(categorical));
                one_hot.max_categories = Some(MAX_ONE_HOT_CATEGORIES);
                steps.push(StepSpec::OneHot(one_hot));
            }
        }
        Encoding::Native => {
            if !categorical.is_empty() {
                steps.push(StepSpec::Ordinal(Ordinal::new(ColumnSelector::names(
                    categorical,
                ))));
            }
            if !many_categories.is_empty() {
                steps.push(StepSpec::FrequencyEncode(FrequencyEncode {
                    select: ColumnSelector::names(many_categories),
                    normalize: true,
                }));
            }
        }
    }
    Ok(PipelineSpec::new(steps))
}
