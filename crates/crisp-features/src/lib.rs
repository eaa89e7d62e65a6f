//! Leak-free feature engineering on Polars frames.
//!
//! A [`PipelineSpec`] lists steps: imputation; standard, min-max, robust and max-abs scaling;
//! `log1p` and power (Yeo-Johnson, Box-Cox) transforms; clipping; binning; one-hot, ordinal,
//! target and frequency encoding; date parts; polynomial features; dropping columns, by name or
//! because they are constant. [`PipelineSpec::fit`] learns each step's state from the training
//! rows only, giving a [`FittedPipeline`] that is serialized with the model and applied as one
//! lazy Polars plan, the same code path in training and in `crisp predict`, so training/serving
//! skew cannot creep in. Unknown categories, new nulls and wrong types at prediction time are
//! handled as configured or reported by column.
//!
//! Supervised steps (`target_encode`) learn from the target: [`PipelineSpec::fit_transform`]
//! returns the training rows' features with out-of-fold encodings, which is what a model must
//! be trained on (`transform` of the training rows would let each row see its own target).
//!
//! ```
//! use crisp_features::{ColumnSelector, Impute, ImputeStrategy, OneHot, PipelineSpec, StepSpec};
//! use polars::prelude::*;
//!
//! let train = df!(
//!     "age" => [Some(20.0), None, Some(40.0)],
//!     "city" => ["a", "b", "a"],
//!     "label" => [0i64, 1, 0]
//! )?;
//! let spec = PipelineSpec::new(vec![
//!     StepSpec::Impute(Impute::new(ColumnSelector::names(["age"]), ImputeStrategy::Mean)),
//!     StepSpec::OneHot(OneHot::new(ColumnSelector::names(["city"]))),
//! ]);
//! let fitted = spec.fit(&train, "label")?;
//! assert_eq!(fitted.features, ["age", "city=a", "city=b"]);
//!
//! // At prediction time: missing age gets the training mean, an unseen city encodes as zeros.
//! let new = df!("age" => [None::<f64>], "city" => ["z"])?;
//! let x = fitted.matrix(&new, "new rows")?;
//! assert_eq!(x.row(0).to_vec(), vec![30.0, 0.0, 0.0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod auto;
pub mod bin;
mod categories;
pub mod clip;
pub mod dates;
pub mod drop;
pub mod drop_constant;
pub mod frequency;
pub mod impute;
pub mod log1p;
pub mod max_abs;
pub mod onehot;
pub mod ordinal;
mod pipeline;
pub mod polynomial;
pub mod power;
pub mod robust;
pub mod scale;
mod select;
mod stats;
mod stream;
pub mod target_encode;
mod transform;

#[cfg(test)]
mod step_tests;
#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;

pub use auto::{default_pipeline, Encoding};
pub use bin::{Bin, BinEncode, BinStrategy};
pub use categories::HandleUnknown;
pub use clip::Clip;
pub use dates::{DatePart, DateParts};
pub use drop::Drop;
pub use drop_constant::DropConstant;
pub use frequency::FrequencyEncode;
pub use impute::{ConstantValue, FillValue, Impute, ImputeStrategy};
pub use log1p::Log1p;
pub use max_abs::MaxAbsScale;
pub use onehot::OneHot;
pub use ordinal::Ordinal;
pub use pipeline::{FittedPipeline, PipelineSpec, StepTiming};
pub use polynomial::Polynomial;
pub use power::{Power, PowerMethod};
pub use robust::RobustScale;
pub use scale::{MinMaxScale, StandardScale};
pub use select::{ColumnSelector, KindClass};
pub use stream::{StreamOptions, TrainingRows};
pub use target_encode::{Smooth, TargetEncode, TargetType};
pub use transform::{
    Fitted, FittedStep, FittedTransform, StepSpec, StepSummary, Transform, STEP_KINDS,
};
