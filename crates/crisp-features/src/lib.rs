#![doc = include_str!("../README.md")]
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
