//! Leak-free feature engineering on Polars frames.
//!
//! A [`PipelineSpec`] lists steps (imputation, scaling, one-hot and ordinal encoding, dropping).
//! [`PipelineSpec::fit`] learns each step's state from the training rows only, giving a
//! [`FittedPipeline`] that is serialized with the model and applied as one lazy Polars plan,
//! the same code path in training and in `crisp predict`, so training/serving skew cannot creep
//! in. Unknown categories, new nulls and wrong types at prediction time are handled as
//! configured or reported by column.
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

mod auto;
mod categories;
pub mod drop;
pub mod impute;
pub mod onehot;
pub mod ordinal;
mod pipeline;
pub mod scale;
mod select;
mod transform;

#[cfg(test)]
mod tests;

pub use auto::{default_pipeline, Encoding};
pub use categories::HandleUnknown;
pub use drop::Drop;
pub use impute::{ConstantValue, FillValue, Impute, ImputeStrategy};
pub use onehot::OneHot;
pub use ordinal::Ordinal;
pub use pipeline::{FittedPipeline, PipelineSpec};
pub use scale::{MinMaxScale, StandardScale};
pub use select::{ColumnSelector, KindClass};
pub use transform::{FittedStep, FittedTransform, StepSpec, StepSummary, Transform};
