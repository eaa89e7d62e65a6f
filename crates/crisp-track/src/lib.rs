#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod compare;
mod query;
mod record;
mod registry;
mod store;
mod time;

pub use compare::{compare, Comparison, ComparisonRow, Section};
pub use query::{Filter, Op, Query};
pub use record::{git_commit, FileRef, Run, RunId, RunRecord, Status};
pub use registry::{
    resolve_model_path, who, AliasMove, ModelDetail, ModelSummary, ModelVersion, Reference,
    REGISTRY_PREFIX,
};
pub use store::{Store, DEFAULT_PATH, SCHEMA_VERSION};
pub use time::{now_rfc3339, rfc3339};
