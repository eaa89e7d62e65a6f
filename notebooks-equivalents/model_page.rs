//! The plots of a model page from a model and the rows it was scored on: the same small
//! assembly as `crisp train --html` and `crisp validate --html` (src/html_report.rs), shared
//! by `model_diamonds` and `evaluate_adult` with `#[path = "model_page.rs"] mod model_page;`.

use crisp_core::Result;
use crisp_report::{ColumnWeight, ModelReport, Outcomes};
use crisp_train::{
    drift_distributions, permutation_importance, FittedModel, ImportanceOptions, Predictions,
    Scored, TargetValues,
};
use crisp_validate::{ColumnDrift, DataProfile, Distribution};

/// The true and predicted targets of `scored`, as the page draws them (confusion matrix and
/// curves for classes, residuals for numbers).
pub fn outcomes<'a>(model: &'a FittedModel, scored: &'a Scored) -> Option<Outcomes<'a>> {
    match (&scored.truth, &scored.predictions) {
        (TargetValues::Classes(truth), Predictions::Classes { labels, proba, .. }) => {
            Some(Outcomes::Classes {
                classes: &model.target.classes,
                truth,
                predicted: labels,
                proba: proba.as_deref(),
            })
        }
        (TargetValues::Values(truth), Predictions::Values(predicted)) => {
            Some(Outcomes::Values { truth, predicted })
        }
        _ => None,
    }
}

/// Permutation importance of `model`'s input columns on the rows of `scored`: how much the
/// ranking metric worsens when one column is shuffled.
pub fn importance(
    model: &FittedModel,
    scored: &Scored,
    source: &str,
    seed: u64,
) -> Result<(Vec<ColumnWeight>, String)> {
    let options = ImportanceOptions {
        seed,
        ..ImportanceOptions::default()
    };
    let measured = permutation_importance(model, &scored.frame, &scored.truth, source, &options)?;
    let weights = measured
        .columns
        .iter()
        .map(|c| ColumnWeight {
            column: c.column.clone(),
            value: c.mean,
        })
        .collect();
    let what = format!(
        "{} worsening when shuffled (mean of {} shuffles, {} rows)",
        measured.metric, measured.repeats, measured.rows
    );
    Ok((weights, what))
}

/// Fills `report` with the plots of `model` on `scored`: outcomes, importance, and the drift
/// of the scored rows against the training `profile` (kept in `drift`, which the report
/// borrows).
pub fn add_plots<'a>(
    report: &mut ModelReport<'a>,
    drift: &'a mut Vec<(ColumnDrift, Distribution)>,
    model: &'a FittedModel,
    scored: &'a Scored,
    profile: &DataProfile,
    source: &str,
    seed: u64,
) -> Result<()> {
    report.outcomes = outcomes(model, scored);
    report.importance = Some(importance(model, scored, source, seed)?);
    *drift = drift_distributions(profile, &scored.frame)?;
    report.drift = drift;
    Ok(())
}
