//! The validation gate applied to a fitted model on a labeled frame: the data checks against
//! the training profile, then crisp-validate's [`Gate`] on the model's (and a baseline's)
//! predictions.

use crisp_core::{require_column, Result, Schema};
use crisp_validate::{check_schema, data_gate_passed, DataCheck, DataProfile, Gate, Verdict};
use polars::prelude::*;

use crate::fitted::{FittedModel, Scored};
use crate::profile::drift_of;

/// What gating a model on a frame found.
#[derive(Debug, Clone)]
pub struct GateRun {
    /// The outcome of every check.
    pub verdict: Verdict,
    /// The model's evaluation on the labeled rows; `None` when the data broke the model's
    /// input schema and the model was not run.
    pub scored: Option<Scored>,
    /// The baseline's evaluation on the same rows, when there is a baseline.
    pub baseline: Option<Scored>,
}

/// Gate `model` on the labeled rows of `frame` (named `source` in errors): first the data
/// checks of `frame` against the model's input schema and the training `profile` (the limits
/// of `gate.data`), then, unless a column is missing or retyped, `gate`'s thresholds on the
/// model's predictions, against `baseline`'s on the same rows.
///
/// Rows without a target are skipped (and counted in [`Scored::rows_missing_target`]).
///
/// # Errors
/// A gate that does not fit the model's task, a slice column the data lacks, a baseline that
/// predicts another target or task, and the errors of reading the frame.
pub fn gate_model(
    model: &FittedModel,
    profile: &DataProfile,
    frame: &DataFrame,
    source: &str,
    baseline: Option<&FittedModel>,
    gate: &Gate,
) -> Result<GateRun> {
    gate.validate(model.task())?;
    if let Some(b) = baseline {
        crisp_core::ensure!(
            b.task() == model.task() && b.target.name == model.target.name,
            Config: "the baseline predicts '{}' ({}), the model predicts '{}' ({}): they cannot be compared",
            b.target.name, b.task(), model.target.name, model.task()
        );
    }
    if let Some(slice) = &gate.slice {
        require_column(frame, &slice.column, source)?;
    }
    let data_checks = data_checks(
        &model.pipeline.input,
        &model.target.name,
        profile,
        frame,
        gate,
    )?;
    if Verdict::schema_broken(&data_checks) {
        return Ok(GateRun {
            verdict: Verdict::schema_failure(data_checks),
            scored: None,
            baseline: None,
        });
    }
    let scored = model.evaluate(frame, source)?;
    let (baseline_scored, baseline_scores) = match baseline {
        Some(b) => {
            let scored = b.evaluate(frame, source)?;
            let scores = scored.scores(b)?;
            (Some(scored), Some(scores))
        }
        None => (None, None),
    };
    let slice_values = match &gate.slice {
        Some(slice) => Some(text_values(&scored.frame, &slice.column)?),
        None => None,
    };
    let verdict = gate.check(
        data_checks,
        &scored.scores(model)?,
        baseline_scores.as_ref(),
        slice_values.as_deref(),
    )?;
    Ok(GateRun {
        verdict,
        scored: Some(scored),
        baseline: baseline_scored,
    })
}

/// Schema and drift checks of `frame` against the input schema a model was trained on and the
/// training profile; drift is measured only when the schema holds.
pub fn data_checks(
    input: &Schema,
    target: &str,
    profile: &DataProfile,
    frame: &DataFrame,
    gate: &Gate,
) -> Result<Vec<DataCheck>> {
    let expected: Vec<(&str, &str)> = input
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind.name()))
        .collect();
    let found_schema = Schema::of_frame(frame, &[target]);
    let found: Vec<(&str, &str)> = found_schema
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind.name()))
        .collect();
    let mut checks = check_schema(&expected, &found);
    if data_gate_passed(&checks) {
        checks.extend(gate.data.check_drifts(&drift_of(profile, frame)?));
    }
    Ok(checks)
}

/// The values of `column` as text, `(missing)` for nulls: the slice of every row.
fn text_values(frame: &DataFrame, column: &str) -> Result<Vec<String>> {
    let values = frame.column(column)?.cast(&DataType::String)?;
    Ok(values
        .str()?
        .iter()
        .map(|v| v.unwrap_or("(missing)").to_string())
        .collect())
}
