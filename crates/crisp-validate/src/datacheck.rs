//! The data gate: schema and drift checks on new data, run before the model checks.
//!
//! - [`check_schema`] compares the training columns (`(name, kind)` pairs, kinds as plain
//!   strings such as `"float"`, `"integer"`, `"text"`) with the columns found. A missing
//!   column fails (`missing_column`), and so does a change of kind (`dtype_change`)
//!   except between `integer` and `float`, which is reported and passes. An extra column
//!   is reported and passes (`extra_column`). When nothing fails, one `schema` check says
//!   so.
//! - [`DataGate::check_drift`] turns a [`ColumnDrift`] into one check per metric that
//!   applies to the column: `psi`, `null_rate_increase`, then `out_of_range_rate` and `ks`
//!   (numeric) or `unseen_category_rate` and `js` (categorical). A metric with a limit
//!   passes when `observed ≤ limit` (NaN fails). A metric **without a configured limit is
//!   informational**: it is still reported, with status [`CheckStatus::Passed`] and
//!   `limit: None`, so reports show every number. A limited metric that could not be
//!   computed (e.g. PSI of a column that is entirely null in the new data) is
//!   [`CheckStatus::Skipped`] with the reason; an unlimited one is then left out.
//!
//! ```
//! use crisp_validate::{check_schema, CheckStatus, ColumnProfile, DataGate};
//!
//! let schema = check_schema(&[("age", "integer"), ("sex", "text")], &[("age", "float")]);
//! assert_eq!(schema.len(), 2); // age integer → float passes, sex is missing
//! assert_eq!(schema[1].check, "missing_column");
//! assert_eq!(schema[1].status, CheckStatus::Failed);
//!
//! let train = ColumnProfile::categorical("sex", &[Some("F"), Some("M"), Some("M"), None]);
//! let drift = train.compare_categorical(&[Some("M"), Some("X"), None, None])?;
//! let gate = DataGate { max_unseen_category_rate: Some(0.1), ..DataGate::default() };
//! let checks = gate.check_drift(&drift);
//! let unseen = checks.iter().find(|c| c.check == "unseen_category_rate").unwrap();
//! assert_eq!((unseen.observed, unseen.status.clone()), (Some(0.5), CheckStatus::Failed));
//! assert!(checks.iter().any(|c| c.check == "psi" && c.limit.is_none()));
//! # Ok::<(), crisp_validate::ValidateError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::drift::ColumnDrift;
use crate::error::{Result, ValidateError};
use crate::profile::ProfileKind;
use crate::threshold::CheckStatus;

/// Limits of the data gate; `None` means the metric is reported but not gated.
///
/// Every limit is an upper bound on the observed value (`observed ≤ limit` passes).
/// Deserializes from a table with any subset of the fields (e.g. a `[validate.data]`
/// TOML section); unknown fields are rejected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataGate {
    /// Maximum population stability index per column.
    pub max_psi: Option<f64>,
    /// Maximum increase of the null rate (new − training, as a share: 0.05 = 5 points).
    pub max_null_rate_increase: Option<f64>,
    /// Maximum share of non-null new values in categories unseen in training.
    pub max_unseen_category_rate: Option<f64>,
    /// Maximum share of non-null new values outside the training `[min, max]`.
    pub max_out_of_range_rate: Option<f64>,
    /// Maximum Kolmogorov–Smirnov statistic.
    pub max_ks: Option<f64>,
}

/// One data check: a schema finding or a drift metric of a column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataCheck {
    /// The column, or `None` for a check about the whole table (`schema`).
    pub column: Option<String>,
    /// What is checked: `missing_column`, `extra_column`, `dtype_change`, `schema`, `psi`,
    /// `null_rate_increase`, `unseen_category_rate`, `out_of_range_rate`, `ks`, `js`.
    pub check: String,
    /// The observed value (drift metrics), `None` for schema checks.
    pub observed: Option<f64>,
    /// The limit, `None` when the check is informational or a schema check.
    pub limit: Option<f64>,
    /// Passed, failed or skipped.
    pub status: CheckStatus,
    /// One sentence naming the column and the numbers.
    pub message: String,
}

impl DataCheck {
    /// Whether the check failed.
    pub fn failed(&self) -> bool {
        self.status == CheckStatus::Failed
    }

    /// The name used in reports: `check[column]`, or `check` without a column.
    pub fn display_name(&self) -> String {
        match &self.column {
            Some(c) => format!("{}[{}]", self.check, c),
            None => self.check.clone(),
        }
    }
}

/// Whether none of the checks failed (skipped checks do not fail the gate).
pub fn data_gate_passed(checks: &[DataCheck]) -> bool {
    !checks.iter().any(DataCheck::failed)
}

/// Compares the training columns with the columns found in the new data.
///
/// Both are `(name, kind)` pairs; names match exactly, kinds case-insensitively. Checks come
/// in the order of `expected` (missing columns and kind changes), then of `found` (extra
/// columns), then the `schema` summary when nothing failed.
pub fn check_schema<N1, K1, N2, K2>(expected: &[(N1, K1)], found: &[(N2, K2)]) -> Vec<DataCheck>
where
    N1: AsRef<str>,
    K1: AsRef<str>,
    N2: AsRef<str>,
    K2: AsRef<str>,
{
    let mut checks = Vec::new();
    let schema_check =
        |column: &str, check: &str, status: CheckStatus, message: String| DataCheck {
            column: Some(column.to_string()),
            check: check.to_string(),
            observed: None,
            limit: None,
            status,
            message,
        };
    for (name, kind) in expected {
        let (name, kind) = (name.as_ref(), kind.as_ref().trim());
        match found.iter().find(|(n, _)| n.as_ref() == name) {
            None => checks.push(schema_check(
                name,
                "missing_column",
                CheckStatus::Failed,
                format!("Column `{name}` ({kind}) was in the training data but is missing."),
            )),
            Some((_, found_kind)) => {
                let found_kind = found_kind.as_ref().trim();
                if found_kind.eq_ignore_ascii_case(kind) {
                    continue;
                }
                let numeric =
                    |k: &str| k.eq_ignore_ascii_case("integer") || k.eq_ignore_ascii_case("float");
                let (status, tail) = if numeric(kind) && numeric(found_kind) {
                    (CheckStatus::Passed, " (compatible: both are numbers)")
                } else {
                    (CheckStatus::Failed, "")
                };
                checks.push(schema_check(
                    name,
                    "dtype_change",
                    status,
                    format!(
                        "Column `{name}` was {kind} in training and is {found_kind} now{tail}."
                    ),
                ));
            }
        }
    }
    for (name, kind) in found {
        let (name, kind) = (name.as_ref(), kind.as_ref().trim());
        if !expected.iter().any(|(n, _)| n.as_ref() == name) {
            checks.push(schema_check(
                name,
                "extra_column",
                CheckStatus::Passed,
                format!("Column `{name}` ({kind}) was not in the training data; it is ignored."),
            ));
        }
    }
    if data_gate_passed(&checks) {
        let n = expected.len();
        checks.push(DataCheck {
            column: None,
            check: "schema".to_string(),
            observed: None,
            limit: None,
            status: CheckStatus::Passed,
            message: format!(
                "All {n} training column{} are present with compatible types.",
                if n == 1 { "" } else { "s" }
            ),
        });
    }
    checks
}

/// One drift metric of a column, in report order.
struct Metric<'a> {
    check: &'a str,
    label: &'a str,
    value: Option<f64>,
    limit: Option<f64>,
}

impl DataGate {
    /// Rejects a negative, NaN or infinite limit.
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] naming the limit.
    pub fn validate(&self) -> Result<()> {
        let limits = [
            ("max_psi", self.max_psi),
            ("max_null_rate_increase", self.max_null_rate_increase),
            ("max_unseen_category_rate", self.max_unseen_category_rate),
            ("max_out_of_range_rate", self.max_out_of_range_rate),
            ("max_ks", self.max_ks),
        ];
        for (name, limit) in limits {
            if let Some(v) = limit {
                if !(v.is_finite() && v >= 0.0) {
                    return Err(ValidateError::InvalidInput(format!(
                        "data gate limit `{name}` must be a finite number ≥ 0, got {v}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Whether no limit is set (every drift check is then informational).
    pub fn is_empty(&self) -> bool {
        *self == DataGate::default()
    }

    /// The checks of one column's drift (see the [module docs](self) for which and when).
    pub fn check_drift(&self, drift: &ColumnDrift) -> Vec<DataCheck> {
        let mut metrics = vec![
            Metric {
                check: "psi",
                label: "PSI",
                value: drift.psi,
                limit: self.max_psi,
            },
            Metric {
                check: "null_rate_increase",
                label: "null-rate increase",
                value: Some(drift.null_rate_increase),
                limit: self.max_null_rate_increase,
            },
        ];
        match drift.kind {
            ProfileKind::Numeric => {
                metrics.push(Metric {
                    check: "out_of_range_rate",
                    label: "share of values outside the training range",
                    value: drift.out_of_range_rate,
                    limit: self.max_out_of_range_rate,
                });
                metrics.push(Metric {
                    check: "ks",
                    label: "KS statistic",
                    value: drift.ks,
                    limit: self.max_ks,
                });
            }
            ProfileKind::Categorical => {
                metrics.push(Metric {
                    check: "unseen_category_rate",
                    label: "share of values in unseen categories",
                    value: drift.unseen_category_rate,
                    limit: self.max_unseen_category_rate,
                });
                metrics.push(Metric {
                    check: "js",
                    label: "Jensen-Shannon divergence",
                    value: drift.js,
                    limit: None,
                });
            }
        }
        metrics
            .into_iter()
            .filter_map(|m| metric_check(drift, &m))
            .collect()
    }

    /// The checks of every column's drift, column by column.
    pub fn check_drifts(&self, drifts: &[ColumnDrift]) -> Vec<DataCheck> {
        drifts.iter().flat_map(|d| self.check_drift(d)).collect()
    }
}

fn metric_check(drift: &ColumnDrift, m: &Metric<'_>) -> Option<DataCheck> {
    let col = &drift.column;
    let label = m.label;
    let detail = match m.check {
        "null_rate_increase" => format!(
            " (null rate {} in training, {} now)",
            num(drift.null_rate_train),
            num(drift.null_rate_new)
        ),
        "ks" => drift
            .ks_p_value
            .map(|p| format!(" (p-value {})", num(p)))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let (status, message) = match (m.value, m.limit) {
        (None, None) => return None,
        (None, Some(limit)) => {
            let reason = unavailable_reason(drift, m.check);
            (
                CheckStatus::Skipped {
                    reason: reason.clone(),
                },
                format!(
                    "Column `{col}`: {label} not checked against the limit {}: {reason}.",
                    num(limit)
                ),
            )
        }
        (Some(v), None) => (
            CheckStatus::Passed,
            format!(
                "Column `{col}`: {label} is {}{detail} (no limit set).",
                num(v)
            ),
        ),
        (Some(v), Some(limit)) if v <= limit => (
            CheckStatus::Passed,
            format!(
                "Column `{col}`: {label} is {}{detail}, within the limit {}.",
                num(v),
                num(limit)
            ),
        ),
        (Some(v), Some(limit)) => (
            CheckStatus::Failed,
            format!(
                "Column `{col}`: {label} is {}{detail}, above the limit {}.",
                num(v),
                num(limit)
            ),
        ),
    };
    Some(DataCheck {
        column: Some(col.clone()),
        check: m.check.to_string(),
        observed: m.value,
        limit: m.limit,
        status,
        message,
    })
}

fn unavailable_reason(drift: &ColumnDrift, check: &str) -> String {
    if check == "unseen_category_rate" && drift.null_rate_new < 1.0 {
        "the training profile keeps only the most frequent categories".to_string()
    } else if drift.null_rate_new >= 1.0 {
        "the new data has no non-null value".to_string()
    } else {
        "the training data had no non-null value".to_string()
    }
}

/// A number for messages: up to 4 decimals, trailing zeros trimmed; scientific notation for
/// very small or large magnitudes.
pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e9).contains(&a) {
        return format!("{v:.3e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(0.123456), "0.1235");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.00001), "-1.000e-5");
        assert_eq!(num(3.2e-7), "3.200e-7");
        assert_eq!(num(-0.05), "-0.05");
        assert_eq!(num(f64::NAN), "NaN");
    }
}
