//! JSON reports and the tables printed on stdout.

use std::path::Path;

use crisp_core::{write_atomic, Result};
use crisp_validate::Evaluation;
use serde_json::{json, Value};

/// Write a JSON value to `path` (pretty, atomically).
pub fn write_json(path: &Path, value: &Value) -> Result<()> {
    write_atomic(path, &json_bytes(value))
}

/// A JSON value as pretty text with a final line break.
pub fn json_bytes(value: &Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    text.push('\n');
    text.into_bytes()
}

/// The evaluation as report fields: `metrics`, `unavailable_metrics`, `per_class`,
/// `confusion_matrix`.
pub fn evaluation_fields(evaluation: &Evaluation) -> serde_json::Map<String, Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("metrics".into(), json!(evaluation.metrics));
    if !evaluation.unavailable.is_empty() {
        fields.insert("unavailable_metrics".into(), json!(evaluation.unavailable));
    }
    if let Some(per_class) = &evaluation.per_class {
        fields.insert("per_class".into(), json!(per_class));
    }
    if let Some(cm) = &evaluation.confusion_matrix {
        fields.insert("confusion_matrix".into(), json!(cm));
    }
    fields
}

/// Metrics as aligned `name  value` lines, the main ones first.
pub fn metrics_table(evaluation: &Evaluation, indent: &str) -> String {
    const MAIN: &[&str] = &["accuracy", "f1_macro", "roc_auc", "rmse", "mae", "r2"];
    let mut names: Vec<&String> = evaluation.metrics.keys().collect();
    names.sort_by_key(|n| {
        (
            MAIN.iter().position(|m| m == n).unwrap_or(MAIN.len()),
            n.to_string(),
        )
    });
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let mut out = String::new();
    for name in names {
        out.push_str(&format!(
            "{indent}{name:<width$}  {}\n",
            format_metric(evaluation.metrics[name])
        ));
    }
    out
}

/// A metric value with enough digits to compare, without float noise.
pub fn format_metric(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}
