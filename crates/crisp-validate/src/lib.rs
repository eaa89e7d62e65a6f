//! Metrics, threshold gates and data checks for crisp models: the logic of the data and
//! model gates.
//!
//! Pure functions over slices (no I/O, no data frames), so the CLI and the other crates
//! can call them directly.
//!
//! - [`Evaluation`] computes every metric of a classifier ([`Evaluation::classification`])
//!   or a regressor ([`Evaluation::regression`]); metrics that cannot be computed are
//!   listed as unavailable with a reason, never NaN. [`Evaluation::get`] looks a metric up
//!   by name, including per-class names such as `f1[>50K]`.
//! - [`Metric`] is the registry of names, their [`Task`] and direction.
//! - [`Threshold`] parses gates such as `accuracy>=0.85`, `rmse<=baseline*1.02` or
//!   `roc_auc>=baseline-0.005` and checks values into a [`CheckOutcome`].
//! - [`bootstrap_bound`] gives a one-sided bootstrap confidence bound of a metric, for a
//!   gate that must hold with statistical confidence rather than on the point estimate.
//!
//! The data gate runs before the model checks (is the new data still like the training
//! data?):
//!
//! - [`profile`]: [`DataProfile`] / [`ColumnProfile`], the training statistics stored in
//!   the model artifact: null counts, numeric range, moments, quantile bins and a CDF
//!   sketch ([`NumericProfile`]), category shares ([`CategoricalProfile`]).
//! - [`drift`]: [`ColumnProfile::compare_numeric`] / [`ColumnProfile::compare_categorical`]
//!   give a [`ColumnDrift`] (null rates, [`drift::psi`], KS statistic and p-value,
//!   Jensen–Shannon divergence, unseen-category and out-of-range rates).
//! - [`datacheck`]: [`check_schema`] (missing, extra and retyped columns) and
//!   [`DataGate`] (limits on the drift metrics) produce [`DataCheck`]s.
//! - [`render`]: [`GateRecord`]s of every gate rendered as JUnit XML ([`junit_xml`]) or a
//!   Markdown pull-request comment ([`markdown`]).
//!
//! Metric definitions follow scikit-learn (and are tested against it): ratios with a zero
//! denominator are 0.0 (`zero_division=0`); see the module docs of each metric family for
//! the details ([`classification`], [`ranking`], [`probability`], [`regression`]).
//!
//! ```
//! use crisp_validate::{CheckStatus, Evaluation, Threshold};
//!
//! let classes = vec!["<=50K".to_string(), ">50K".to_string()];
//! let y_true = [0, 0, 1, 1, 0, 1];
//! let y_pred = [0, 1, 1, 1, 0, 0];
//! let proba = [0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7, 0.8, 0.2, 0.6, 0.4];
//! let eval = Evaluation::classification(&y_true, &y_pred, Some(&proba), &classes)?;
//! assert!((eval.get("accuracy")? - 4.0 / 6.0).abs() < 1e-12);
//! assert_eq!(eval.get("roc_auc")?, 8.0 / 9.0);
//!
//! let gate: Threshold = "f1[>50K] >= 0.6".parse()?;
//! let outcome = gate.check(eval.get(&gate.metric)?, None);
//! assert_eq!(outcome.status, CheckStatus::Passed);
//!
//! // A change threshold without a baseline is skipped (or an error, on request).
//! let change: Threshold = "roc_auc>=baseline-0.005".parse()?;
//! assert!(matches!(change.check(0.9, None).status, CheckStatus::Skipped { .. }));
//! # Ok::<(), crisp_validate::ValidateError>(())
//! ```
//!
//! Drift of new data against the training profile, gated:
//!
//! ```
//! use crisp_validate::{CheckStatus, ColumnProfile, DataGate, DataProfile};
//!
//! let train: Vec<Option<f64>> = (0..1000).map(|i| Some((i % 100) as f64)).collect();
//! let profile = DataProfile::new(vec![ColumnProfile::numeric("hours", &train)]);
//!
//! // New data: shifted up by 30, with 10% nulls.
//! let new: Vec<Option<f64>> =
//!     (0..500).map(|i| if i % 10 == 0 { None } else { Some((i % 100 + 30) as f64) }).collect();
//! let drift = profile.get("hours").unwrap().compare_numeric(&new)?;
//! assert!((drift.null_rate_increase - 0.1).abs() < 1e-12);
//! assert!(drift.psi.unwrap() > 1.0);
//! assert!((drift.ks.unwrap() - 0.31).abs() < 1e-12); // at 30: 31% of training, 0% of new
//! assert!(drift.ks_p_value.unwrap() < 1e-6);
//! assert!((drift.out_of_range_rate.unwrap() - 0.3).abs() < 1e-12); // 100..=129 of 31..=129
//!
//! let gate = DataGate { max_psi: Some(0.25), max_null_rate_increase: Some(0.05), ..DataGate::default() };
//! let checks = gate.check_drift(&drift);
//! let failed: Vec<&str> =
//!     checks.iter().filter(|c| c.status == CheckStatus::Failed).map(|c| c.check.as_str()).collect();
//! assert_eq!(failed, ["psi", "null_rate_increase"]);
//! // `ks` and `out_of_range_rate` have no limit here: reported, informational.
//! assert!(checks.iter().any(|c| c.check == "ks" && c.limit.is_none() && c.status == CheckStatus::Passed));
//! # Ok::<(), crisp_validate::ValidateError>(())
//! ```
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
pub use drift::ColumnDrift;
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
