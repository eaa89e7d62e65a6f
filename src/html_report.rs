//! The HTML pages of `train --html` and `validate --html`: crisp-report's model page filled
//! from a training run or a gate run. The importance and drift are computed here, only when
//! a page is asked for, on the rows the model was evaluated on.

use std::path::Path;

use crisp_artifact::ArtifactHeader;
use crisp_core::Result;
use crisp_report::{add_held_out_plots, add_model_plots, model_page, ModelReport};
use crisp_train::{FittedModel, GateRun, TrainRun};
use crisp_validate::DataProfile;

fn header_summary(header: &ArtifactHeader) -> Vec<(String, String)> {
    vec![
        (
            "model".into(),
            format!("{} ({})", header.model, header.model_description),
        ),
        (
            "target".into(),
            format!("{} ({})", header.target, header.task),
        ),
        (
            "parameters".into(),
            if header.model_params.is_empty() {
                "the model's defaults".to_string()
            } else {
                header
                    .model_params
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        ),
        (
            "input columns".into(),
            header.input_schema.columns.len().to_string(),
        ),
        ("seed".into(), header.seed.to_string()),
    ]
}

/// The page of a training run whose artifact has `header` and was written to `artifact`.
pub fn train_page(
    run: &TrainRun,
    header: &ArtifactHeader,
    test_source: &str,
    artifact: &Path,
    run_id: Option<u64>,
) -> Result<String> {
    let mut summary = header_summary(header);
    summary.extend([
        (
            "training data".into(),
            format!("{} ({} rows)", header.data.source, header.data.rows),
        ),
        ("evaluated on".into(), test_source.to_string()),
        (
            "rows".into(),
            format!("{} fitted, {} evaluated", run.rows_train, run.rows_test),
        ),
        (
            "refit on every row".into(),
            if run.refit { "yes" } else { "no" }.into(),
        ),
        (
            "training time".into(),
            format!("{:.2} s", run.train_seconds),
        ),
        ("artifact".into(), artifact.display().to_string()),
    ]);
    if let Some(id) = run_id {
        summary.push(("recorded run".into(), id.to_string()));
    }
    let mut report = ModelReport::new(
        "train",
        format!(
            "crisp train: {} predicting '{}'",
            header.model, header.target
        ),
        &run.evaluation.metrics,
    );
    report.subtitle = format!("{} · crisp {}", header.data.source, crisp_core::VERSION);
    report.summary = summary;
    let mut drift = Vec::new();
    if !add_held_out_plots(&mut report, &mut drift, run, test_source, header.seed)? {
        report.notes.push(
            "This run kept no held-out predictions to draw: cross-validation keeps each fold's \
             metrics only, and a streamed run's held-out rows stay binned. The plots need \
             --test-fraction or --test-data (--test-data with --stream)."
                .into(),
        );
    }
    model_page(&report)
}

/// What `validate --html` draws besides the gate run.
pub struct ValidateView<'a> {
    /// The artifact's path, as given.
    pub model_path: &'a str,
    /// The data's path.
    pub source: &'a str,
    /// The baseline's path, when there is one.
    pub baseline_path: Option<String>,
    /// The gate's PSI limit.
    pub max_psi: Option<f64>,
    /// Seeds the importance's shuffles.
    pub seed: u64,
}

/// The page of a gate run of the model with `header` and training `profile`.
pub fn validate_page(
    run: &GateRun,
    model: &FittedModel,
    header: &ArtifactHeader,
    profile: &DataProfile,
    view: &ValidateView<'_>,
) -> Result<String> {
    let empty = Default::default();
    let metrics = run
        .scored
        .as_ref()
        .map_or(&empty, |s| &s.evaluation.metrics);
    let mut report = ModelReport::new(
        "validate",
        format!("crisp validate: {} on {}", header.model, view.source),
        metrics,
    );
    report.subtitle = format!("{} · crisp {}", view.model_path, crisp_core::VERSION);
    let mut summary = vec![("artifact".to_string(), view.model_path.to_string())];
    summary.extend(header_summary(header));
    summary.push((
        "trained on".into(),
        format!("{} ({} rows)", header.data.source, header.data.rows),
    ));
    summary.push(("validated on".into(), view.source.to_string()));
    if let Some(scored) = &run.scored {
        summary.push((
            "rows".into(),
            format!(
                "{} evaluated, {} without a target skipped",
                scored.rows, scored.rows_missing_target
            ),
        ));
    }
    if let Some(path) = &view.baseline_path {
        summary.push(("baseline".into(), path.clone()));
    }
    report.summary = summary;
    report.verdict = Some(&run.verdict);
    report.baseline = run.baseline.as_ref().map(|b| &b.evaluation.metrics);
    report.max_psi = view.max_psi;
    let mut drift = Vec::new();
    match &run.scored {
        Some(scored) => {
            add_model_plots(
                &mut report,
                &mut drift,
                model,
                scored,
                profile,
                view.source,
                view.seed,
            )?;
            report.drift_against = "the validation data".into();
        }
        None => report.notes.push(
            "The data does not match the model's input schema: the model was not run.".into(),
        ),
    }
    model_page(&report)
}
