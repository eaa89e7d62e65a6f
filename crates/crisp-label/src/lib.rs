//! Labeling for crisp: attach a target to raw records, and report how it went.
//!
//! Four ways to label, each keeping every input row and column in order and appending the
//! target (NULL where nothing labeled the row):
//!
//! - a [`Rule`]: one SQL expression evaluated by Polars (`CASE WHEN quality >= 7 THEN 'good'
//!   ELSE 'ordinary' END`). A rule may return text, numbers or a boolean (a true/false target);
//! - [`Buckets`]: thresholds or quantile buckets of a numeric column, generated as a `CASE`;
//! - a [`JoinSpec`]: labels looked up by key in another file (a left join), reporting unmatched
//!   rows on both sides and duplicate keys ([`OnDuplicate`]);
//! - [`LabelingFunction`]s: named SQL expressions that each return a label or NULL (abstain),
//!   combined by majority vote, weighted vote, or a [`LabelModel`] (Dawid-Skene EM) that learns
//!   each function's reliability without ground truth ([`Combine`], [`TiePolicy`]). A labeling
//!   function may not return a boolean (`false` would be ambiguous with "abstain").
//!
//! [`LabelSpec`] is the `[label]` section of the pipeline TOML and ties these together; its
//! [`LabelReport`] gives the class balance, unlabeled rows and, for labeling functions,
//! Snorkel's coverage / overlap / conflict per function, the pairwise conflict matrix and, with
//! [`GoldSpec`] gold labels, empirical accuracies. Labels are compared by their text.
//!
//! ```
//! use crisp_label::{Combine, LabelSpec, LabelingFunction};
//! use polars::prelude::*;
//!
//! let people = df!(
//!     "sex" => ["female", "male", "male", "female"],
//!     "class" => [1i64, 3, 1, 3],
//! )?;
//! let mut spec = LabelSpec::new("survived");
//! spec.lf = vec![
//!     LabelingFunction::new("female", "CASE WHEN sex = 'female' THEN 'yes' END"),
//!     LabelingFunction::new("steerage", "CASE WHEN class = 3 THEN 'no' END"),
//!     LabelingFunction::new("first", "CASE WHEN class = 1 THEN 'yes' END"),
//! ];
//! spec.combine = Combine::Majority;
//! let (labeled, report) = spec.apply_explained(&people)?;
//! // row 3 (female, third class) is a 1-1 tie: unlabeled under the default tie policy
//! assert_eq!(report.classes["yes"], 2);
//! assert_eq!(report.unlabeled, 1);
//! let lfs = report.functions.unwrap();
//! assert_eq!(lfs.stats[0].coverage, 0.5); // `female` voted on 2 of 4 rows
//! assert_eq!(lfs.stats[0].conflict, 0.25); // and disagreed with `steerage` on 1
//! assert_eq!(labeled.column("survived_source")?.str()?.get(0), Some("female+first"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
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
