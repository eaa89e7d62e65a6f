//! A model page's plots from crisp-train's types: a model and the labeled rows it was scored
//! on give the outcomes (curves, confusion matrix, residuals), the permutation importance, and
//! the drift of those rows from the training profile. `crisp train --html`, `crisp validate
//! --html` and the walkthroughs fill their pages with [`add_model_plots`].

use crisp_core::Result;
use crisp_train::{
    drift_distributions, permutation_importance, FittedModel, ImportanceOptions, Predictions,
    Scored, TargetValues, TrainRun,
};
use crisp_validate::{ColumnDrift, DataProfile, Distribution};

use crate::model::{ColumnWeight, ModelReport, Outcomes};

/// The true and predicted targets of `scored`, as the page draws them; `None` when the model
/// predicts another kind of target than the rows hold.
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

/// The permutation importance of `model`'s input columns on the rows of `scored` (read from
/// `source`), as the page's bars and what they measure.
///
/// # Errors
/// Those of predicting and scoring.
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

/// Fills `report` with the plots of `model` on `scored`: outcomes, importance (seeded by
/// `seed`), and the drift of the scored rows from the training `profile`, which is kept in
/// `drift` for the report to borrow.
///
/// # Errors
/// Those of predicting, scoring and comparing with the profile.
pub fn add_model_plots<'a>(
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

/// [`add_model_plots`] for a training run: its evaluated model on its held-out rows (read from
/// `source`) against its training profile. Returns `false`, adding nothing, for a run that kept
/// no held-out rows (cross-validation).
///
/// # Errors
/// As [`add_model_plots`].
pub fn add_held_out_plots<'a>(
    report: &mut ModelReport<'a>,
    drift: &'a mut Vec<(ColumnDrift, Distribution)>,
    run: &'a TrainRun,
    source: &str,
    seed: u64,
) -> Result<bool> {
    let Some(held_out) = &run.held_out else {
        return Ok(false);
    };
    add_model_plots(
        report,
        drift,
        &held_out.model,
        &held_out.scored,
        &run.profile,
        source,
        seed,
    )?;
    report.drift_against = "the held-out rows".into();
    Ok(true)
}
