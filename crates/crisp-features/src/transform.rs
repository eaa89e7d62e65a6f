//! The two traits every feature step implements, and the enums that register them.
//!
//! Adding a transform: write one file with a spec type implementing [`Transform`] and a fitted
//! type implementing [`FittedTransform`], then add one variant to [`StepSpec`] and one to
//! [`FittedStep`] (append only: bincode stores variants by index, and the artifact format
//! version must be bumped when a serialized type changes).
//!
//! Supervised steps (target encoding) override [`Transform::fit_supervised`], which sees the
//! training target and may return out-of-fold values for the training rows ([`Fitted`]).

use crisp_core::Result;
use polars::prelude::{Column, DataFrame, Expr};
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::{
    bin, clip, dates, drop, drop_constant, frequency, impute, log1p, max_abs, onehot, ordinal,
    polynomial, power, robust, scale, target_encode,
};

/// An unfitted step: parameters and a column selection. Fitting learns its state from the
/// training frame only.
pub trait Transform {
    /// The step's name as written in the pipeline TOML (`kind = "..."`).
    fn name(&self) -> &'static str;
    /// The columns it applies to.
    fn selector(&self) -> &ColumnSelector;
    /// Learn the step's state from `columns` of the training `frame`.
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep>;
    /// Whether the training rows' output differs from applying the fitted step to them
    /// (out-of-fold encodings): such a step returns [`Fitted::training_columns`].
    fn is_supervised(&self) -> bool {
        false
    }
    /// Learn the step's state with the training target at hand (`None` when the pipeline has
    /// no target column). Unsupervised steps keep this default, which calls [`Transform::fit`].
    ///
    /// A supervised step may also return, in [`Fitted::training_columns`], its output for the
    /// training rows when that must differ from applying the fitted step to them (out-of-fold
    /// encodings, so that no training row is encoded with its own target).
    fn fit_supervised(
        &self,
        frame: &DataFrame,
        columns: &[String],
        target: Option<&Column>,
    ) -> Result<Fitted> {
        let _ = target;
        Ok(Fitted::new(self.fit(frame, columns)?))
    }
}

/// What fitting a step gives: its fitted state and, for supervised steps, the training rows'
/// own output columns.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The fitted step, applied identically to any data later.
    pub step: FittedStep,
    /// Output columns for the training rows that replace (by name) what applying `step` to the
    /// training frame gives; empty for steps whose training output is just their output.
    pub training_columns: Vec<Column>,
}

impl Fitted {
    /// A fitted step whose training output is its ordinary output.
    pub fn new(step: FittedStep) -> Self {
        Fitted {
            step,
            training_columns: Vec::new(),
        }
    }
}

/// A fitted step: applied as Polars expressions, identically in training and at prediction time.
pub trait FittedTransform {
    /// Expressions added with `with_columns` (outputs replace or extend the frame's columns).
    fn exprs(&self) -> Vec<Expr>;
    /// Columns removed after the expressions ran (for encoders that replace a column).
    fn dropped(&self) -> Vec<String> {
        Vec::new()
    }
    /// Columns removed without being read (`drop`, `drop_constant`): when they are input
    /// columns they are not required at prediction time.
    fn ignored(&self) -> Vec<String> {
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
    /// Checks a step decoded from bytes before it is applied: what it learned is consistent
    /// (parallel lists of equal length, finite numbers, increasing edges...). A step from `fit`
    /// always passes; the message says what is wrong.
    fn validate(&self) -> std::result::Result<(), String> {
        Ok(())
    }
}

/// An error if any of `values` is NaN or infinite, naming `what`.
pub(crate) fn finite(
    what: &str,
    values: impl IntoIterator<Item = f64>,
) -> std::result::Result<(), String> {
    match values.into_iter().find(|v| !v.is_finite()) {
        Some(v) => Err(format!("{what} holds {v}, not a finite number")),
        None => Ok(()),
    }
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

/// One `learned` line of a per-category summary: the first categories' values, how many more
/// there are, and the value for missing entries.
pub(crate) fn category_line(
    column: &str,
    entries: impl Iterator<Item = String>,
    total: usize,
    missing: Option<String>,
) -> String {
    const SHOWN: usize = 20;
    let mut parts: Vec<String> = entries.take(SHOWN).collect();
    if total > SHOWN {
        parts.push(format!("... {} more", total - SHOWN));
    }
    if let Some(m) = missing {
        parts.push(format!("<null>={m}"));
    }
    format!("{column}: {}", parts.join(", "))
}

/// The `kind` of every step a pipeline can declare, as written in TOML.
pub const STEP_KINDS: &[&str] = &[
    "impute",
    "standard_scale",
    "min_max_scale",
    "one_hot",
    "ordinal",
    "drop",
    "robust_scale",
    "max_abs_scale",
    "log1p",
    "power",
    "clip",
    "bin",
    "target_encode",
    "frequency_encode",
    "date_parts",
    "polynomial",
    "drop_constant",
];

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
    /// Centre on the median and divide by the inter-quantile range.
    RobustScale(robust::RobustScale),
    /// Divide by the maximum absolute value.
    MaxAbsScale(max_abs::MaxAbsScale),
    /// `ln(1 + x)`.
    Log1p(log1p::Log1p),
    /// Yeo-Johnson or Box-Cox power transform with a fitted lambda.
    Power(power::Power),
    /// Clip (winsorize) at fitted quantiles or fixed bounds.
    Clip(clip::Clip),
    /// Discretize into bins with fitted edges.
    Bin(bin::Bin),
    /// Smoothed mean target per category, out-of-fold on the training rows.
    TargetEncode(target_encode::TargetEncode),
    /// Training frequency of each category.
    FrequencyEncode(frequency::FrequencyEncode),
    /// Calendar parts of a date, datetime or date text column.
    DateParts(dates::DateParts),
    /// Products and powers of numeric columns.
    Polynomial(polynomial::Polynomial),
    /// Remove constant and near-constant columns.
    DropConstant(drop_constant::DropConstant),
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
            StepSpec::RobustScale(t) => t,
            StepSpec::MaxAbsScale(t) => t,
            StepSpec::Log1p(t) => t,
            StepSpec::Power(t) => t,
            StepSpec::Clip(t) => t,
            StepSpec::Bin(t) => t,
            StepSpec::TargetEncode(t) => t,
            StepSpec::FrequencyEncode(t) => t,
            StepSpec::DateParts(t) => t,
            StepSpec::Polynomial(t) => t,
            StepSpec::DropConstant(t) => t,
        }
    }
}

/// The fitted state of every step kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FittedStep {
    /// See [`impute::FittedImpute`].
    Impute(impute::FittedImpute),
    /// See [`scale::FittedScale`] (also `robust_scale` and `max_abs_scale`).
    Scale(scale::FittedScale),
    /// See [`onehot::FittedOneHot`].
    OneHot(onehot::FittedOneHot),
    /// See [`ordinal::FittedOrdinal`].
    Ordinal(ordinal::FittedOrdinal),
    /// See [`drop::FittedDrop`].
    Drop(drop::FittedDrop),
    /// See [`log1p::FittedLog1p`].
    Log1p(log1p::FittedLog1p),
    /// See [`power::FittedPower`].
    Power(power::FittedPower),
    /// See [`clip::FittedClip`].
    Clip(clip::FittedClip),
    /// See [`bin::FittedBin`].
    Bin(bin::FittedBin),
    /// See [`target_encode::FittedTargetEncode`].
    TargetEncode(target_encode::FittedTargetEncode),
    /// See [`frequency::FittedFrequencyEncode`].
    FrequencyEncode(frequency::FittedFrequencyEncode),
    /// See [`dates::FittedDateParts`].
    DateParts(dates::FittedDateParts),
    /// See [`polynomial::FittedPolynomial`].
    Polynomial(polynomial::FittedPolynomial),
    /// See [`drop_constant::FittedDropConstant`].
    DropConstant(drop_constant::FittedDropConstant),
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
            FittedStep::Log1p(t) => t,
            FittedStep::Power(t) => t,
            FittedStep::Clip(t) => t,
            FittedStep::Bin(t) => t,
            FittedStep::TargetEncode(t) => t,
            FittedStep::FrequencyEncode(t) => t,
            FittedStep::DateParts(t) => t,
            FittedStep::Polynomial(t) => t,
            FittedStep::DropConstant(t) => t,
        }
    }
}
