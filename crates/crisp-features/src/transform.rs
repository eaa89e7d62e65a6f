//! The two traits every feature step implements, and the enums that register them.
//!
//! Adding a transform: write one file with a spec type implementing [`Transform`] and a fitted
//! type implementing [`FittedTransform`], then add one variant to [`StepSpec`] and one to
//! [`FittedStep`] (append only: bincode stores variants by index, and the artifact format
//! version must be bumped when a serialized type changes).

use crisp_core::Result;
use polars::prelude::{DataFrame, Expr};
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::{drop, impute, onehot, ordinal, scale};

/// An unfitted step: parameters and a column selection. Fitting learns its state from the
/// training frame only.
pub trait Transform {
    /// The step's name as written in the pipeline TOML (`kind = "..."`).
    fn name(&self) -> &'static str;
    /// The columns it applies to.
    fn selector(&self) -> &ColumnSelector;
    /// Learn the step's state from `columns` of the training `frame`.
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep>;
}

/// A fitted step: applied as Polars expressions, identically in training and at prediction time.
pub trait FittedTransform {
    /// Expressions added with `with_columns` (outputs replace or extend the frame's columns).
    fn exprs(&self) -> Vec<Expr>;
    /// Columns removed after the expressions ran (for encoders that replace a column).
    fn dropped(&self) -> Vec<String> {
        Vec::new()
    }
    /// Output columns that hold category codes, for models with native categorical splits.
    fn categorical_outputs(&self) -> Vec<String> {
        Vec::new()
    }
    /// Checks on the data about to be transformed (e.g. unknown categories when configured to
    /// fail); `source` names the data in errors.
    fn check(&self, _frame: &DataFrame, _source: &str) -> Result<()> {
        Ok(())
    }
    /// What the step learned, for `crisp inspect`.
    fn summary(&self) -> StepSummary;
}

/// A readable account of a fitted step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepSummary {
    /// Step name (`impute`, `one_hot`, ...).
    pub name: String,
    /// Its configuration in one line (strategy, options).
    pub config: String,
    /// One line per column: what was learned for it.
    pub learned: Vec<String>,
}

/// Every step a pipeline can declare, tagged by `kind` in TOML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepSpec {
    /// Fill missing values.
    Impute(impute::Impute),
    /// Centre and scale to unit variance.
    StandardScale(scale::StandardScale),
    /// Rescale to [0, 1].
    MinMaxScale(scale::MinMaxScale),
    /// One column per category.
    OneHot(onehot::OneHot),
    /// Category codes in a fitted order.
    Ordinal(ordinal::Ordinal),
    /// Remove columns.
    Drop(drop::Drop),
}

impl StepSpec {
    /// The step as a [`Transform`].
    pub fn transform(&self) -> &dyn Transform {
        match self {
            StepSpec::Impute(t) => t,
            StepSpec::StandardScale(t) => t,
            StepSpec::MinMaxScale(t) => t,
            StepSpec::OneHot(t) => t,
            StepSpec::Ordinal(t) => t,
            StepSpec::Drop(t) => t,
        }
    }
}

/// The fitted state of every step kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FittedStep {
    /// See [`impute::FittedImpute`].
    Impute(impute::FittedImpute),
    /// See [`scale::FittedScale`].
    Scale(scale::FittedScale),
    /// See [`onehot::FittedOneHot`].
    OneHot(onehot::FittedOneHot),
    /// See [`ordinal::FittedOrdinal`].
    Ordinal(ordinal::FittedOrdinal),
    /// See [`drop::FittedDrop`].
    Drop(drop::FittedDrop),
}

impl FittedStep {
    /// The step as a [`FittedTransform`].
    pub fn transform(&self) -> &dyn FittedTransform {
        match self {
            FittedStep::Impute(t) => t,
            FittedStep::Scale(t) => t,
            FittedStep::OneHot(t) => t,
            FittedStep::Ordinal(t) => t,
            FittedStep::Drop(t) => t,
        }
    }
}
