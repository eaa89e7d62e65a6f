//! Labeling for crisp: attach a target to raw records with rules written as SQL expressions
//! and evaluated by Polars, and report coverage and class balance.
//!
//! ```
//! use crisp_label::Rule;
//! use polars::prelude::*;
//!
//! let wines = df!("quality" => [5i64, 7, 6, 8])?;
//! let rule = Rule::new("CASE WHEN quality >= 7 THEN 'good' ELSE 'ordinary' END", "grade");
//! let (labeled, report) = rule.apply(&wines)?;
//! assert_eq!(report.classes["good"], 2);
//! assert_eq!(labeled.column("grade")?.str()?.get(0), Some("ordinary"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod rule;

pub use rule::{LabelReport, Rule};
