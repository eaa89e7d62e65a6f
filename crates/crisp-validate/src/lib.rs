#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod bootstrap;
pub mod classification;
pub mod datacheck;
pub mod drift;
mod error;
mod evaluation;
pub mod gate;
mod input;
mod metric;
pub mod probability;
pub mod profile;
pub mod ranking;
pub mod regression;
pub mod render;
mod scores;
mod task;
mod threshold;

pub use bootstrap::bootstrap_bound;
pub use classification::{ClassMetrics, ConfusionMatrix};
pub use datacheck::{check_schema, data_gate_passed, DataCheck, DataGate};
pub use drift::{ColumnDrift, Distribution};
pub use error::{Result, ValidateError};
pub use evaluation::Evaluation;
pub use gate::{Bootstrap, Gate, ModelCheck, SliceSpec, SliceVerdict, Verdict, DEFAULT_RESAMPLES};
pub use input::EvalInput;
pub use metric::Metric;
pub use profile::{
    CategoricalProfile, CdfPoint, ColumnProfile, ColumnStats, DataProfile, NumericProfile,
    ProfileKind,
};
pub use render::{junit_xml, markdown, GateRecord};
pub use scores::Scores;
pub use task::Task;
pub use threshold::{CheckOutcome, CheckStatus, MissingBaseline, Op, Target, Threshold};
