#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod buckets;
mod gold;
mod join;
mod keys;
mod label_model;
mod lf;
mod report;
mod rule;
mod spec;
mod sql;
mod vote;

pub use buckets::Buckets;
pub use gold::{GoldReport, GoldSpec};
pub use join::{JoinReport, JoinSpec, OnDuplicate};
pub use label_model::LabelModel;
pub use lf::{LabelMatrix, LabelingFunction};
pub use report::{lf_stats, LabelModelSummary, LabelReport, LfReport, LfStats};
pub use rule::Rule;
pub use spec::LabelSpec;
pub use vote::{majority_vote, weighted_vote, weights_from_accuracy, Combine, Decision, TiePolicy};
