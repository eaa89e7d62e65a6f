//! Self-contained HTML reports of crisp runs.
//!
//! Every page is one HTML file with inline CSS and inline SVG plots drawn by
//! [plotters](https://docs.rs/plotters)' SVG backend: no script, no CDN, no network, so it
//! opens offline, attaches to a CI run and renders the same in every browser.
//!
//! - [`model_page`]: a trained or validated model: the run, the metrics (against a baseline),
//!   the gate's verdict with each check, and the plots: confusion matrix, ROC and
//!   precision–recall curves, calibration, predicted probabilities (classification);
//!   residuals and predicted against actual (regression); permutation importance, per-slice
//!   metrics against the threshold, PSI drift and the distributions of the most drifted
//!   columns (both).
//! - [`profile_page`]: the data-understanding view of a [`crisp_profile::Profile`].
//! - [`runs_page`]: recorded runs of one target side by side.
//!
//! Each plot is a `<figure class="plot" data-plot="NAME">`, so a browser check (the
//! repository's `scripts/check-reports.sh`) can find every one.
//!
//! ```
//! use std::collections::BTreeMap;
//! use crisp_report::{model_page, ModelReport, Outcomes};
//!
//! let metrics = BTreeMap::from([("r2".to_string(), 0.9)]);
//! let (truth, predicted) = (vec![1.0, 2.0, 3.0], vec![1.1, 1.9, 3.2]);
//! let report = ModelReport {
//!     outcomes: Some(Outcomes::Values { truth: &truth, predicted: &predicted }),
//!     ..ModelReport::new("train", "gbdt on prices", &metrics)
//! };
//! let html = model_page(&report).unwrap();
//! assert!(html.contains(r#"data-plot="residuals""#));
//! assert!(!html.contains("<script"));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod chart;
pub mod curves;
pub mod html;
mod model;
mod profile;
mod runs;

pub use model::{model_page, ColumnWeight, ModelReport, Outcomes};
pub use profile::profile_page;
pub use runs::{runs_page, RunPoint};
