//! CRISP-DM phase 5, evaluation, on the UCI adult census data: a gradient-boosted model trained
//! on `adult.csv` is judged on the official test file `adult_test.csv` by a gate, as
//! `crisp validate` does: data checks (schema and drift against the training profile),
//! absolute thresholds, thresholds relative to a baseline (a depth-2 tree) on the same rows,
//! and the same thresholds per value of `sex`. The verdict is printed check by check and the
//! validate page (metrics against the baseline, each check, per-slice metrics, curves,
//! importance, drift) is written.
//!
//! Run: `cargo run --example evaluate_adult [OUT_DIR]`
//! (writes `validate.html` into OUT_DIR, by default `crisp-notebooks/evaluate_adult/` under
//! the system's temporary directory).

#[path = "notebook.rs"]
mod notebook;

use crisp_artifact::{Artifact, DataInfo};
use crisp_core::{read_csv, CsvData};
use crisp_report::{model_page, ModelReport};
use crisp_train::{train, GateRun, ModelSpec, TrainConfig};
use crisp_validate::{CheckStatus, DataGate, Gate, ModelCheck, Verdict};

const SEED: u64 = 7;

/// The release criteria, as `--threshold` takes them: absolute floors, and "clearly better
/// than the baseline" on the ranking metric, "no worse" on the balanced one.
const THRESHOLDS: [&str; 4] = [
    "accuracy>=0.85",
    "roc_auc>=0.90",
    "roc_auc>=baseline+0.05",
    "balanced_accuracy>=baseline",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = notebook::output_dir("evaluate_adult")?;
    let adult = read_csv(&notebook::datasets().join("adult.csv"))?;
    let adult_test = read_csv(&notebook::datasets().join("adult_test.csv"))?;

    println!("## The candidate and the baseline, trained on adult.csv");
    let model = fit(&adult, ModelSpec::new("gbdt").param("n_rounds", 200))?;
    let baseline = fit(
        &adult,
        ModelSpec::new("decision_tree").param("max_depth", 2),
    )?;

    // The gate: thresholds on every test row and on each value of `sex` with at least 100
    // rows, and the population stability index of every input column at most 0.2.
    let gate = Gate::new(
        THRESHOLDS
            .iter()
            .map(|t| t.parse())
            .collect::<Result<_, _>>()?,
    )
    .slice("sex", 100)
    .data_limits(DataGate {
        max_psi: Some(0.2),
        ..DataGate::default()
    });
    let run = model.gate(&adult_test.frame, "adult_test.csv", Some(&baseline), &gate)?;
    let scored = run
        .scored
        .as_ref()
        .ok_or("adult_test.csv does not match the model's input schema")?;

    println!(
        "\n## Gate on adult_test.csv ({} rows, {} without a label skipped)",
        scored.rows, scored.rows_missing_target
    );
    print_data_checks(&run.verdict);
    print_metrics(&run);
    println!("\nchecks on every row:");
    print_checks(&run.verdict.checks, "  ");
    for slice in &run.verdict.slices {
        println!(
            "\nslice sex={} ({} rows): {}  (accuracy {:.4}, roc_auc {:.4})",
            slice.value,
            slice.rows,
            if slice.passed { "PASS" } else { "FAIL" },
            slice.metrics.get("accuracy").copied().unwrap_or(f64::NAN),
            slice.metrics.get("roc_auc").copied().unwrap_or(f64::NAN)
        );
        print_checks(&slice.checks, "  ");
    }
    let (checks, failed) = run.verdict.counts();
    println!(
        "\nverdict: {} ({failed} of {checks} model checks failed, {} data checks)",
        if run.verdict.passed { "PASS" } else { "FAIL" },
        run.verdict.data_checks.len()
    );
    // What a reader should take away: a slice can fail while every check on all rows passes.
    for slice in run.verdict.slices.iter().filter(|s| s.gated && !s.passed) {
        let failed: Vec<&str> = slice
            .checks
            .iter()
            .filter(|c| c.outcome.failed())
            .map(|c| c.outcome.threshold.as_str())
            .collect();
        println!(
            "-> the slice sex={} fails {} although the whole test set passes: the average hides it",
            slice.value,
            failed.join(", ")
        );
    }
    println!(
        "-> accuracy differs by sex mostly through the base rate (far fewer women earn >50K in \
         this data); roc_auc, which does not depend on it, is close for both"
    );

    println!();
    let html = validate_page(&run, &model)?;
    notebook::write(&out, "validate.html", &html)?;
    Ok(())
}

/// Trains `spec` on every row of `data` but a seeded 20% hold-out, as an artifact (what
/// `crisp train --out` writes), and says how it did on that hold-out.
fn fit(data: &CsvData, spec: ModelSpec) -> Result<Artifact, Box<dyn std::error::Error>> {
    let config = TrainConfig::new("income").model(spec).seed(SEED);
    let run = train(&data.frame, "adult.csv", &config)?;
    println!(
        "{:<55} hold-out accuracy {:.4}, roc_auc {:.4} ({:.2}s)",
        run.fitted.model.describe(),
        run.evaluation.get("accuracy")?,
        run.evaluation.get("roc_auc")?,
        run.train_seconds
    );
    let info = DataInfo {
        source: "adult.csv".into(),
        fingerprint: data.fingerprint.clone(),
        rows: data.frame.height(),
    };
    Ok(Artifact::from_run(&run, &config, info))
}

/// The data checks in one line, and each failed check on its own.
fn print_data_checks(verdict: &Verdict) {
    let worst = verdict
        .data_checks
        .iter()
        .filter(|c| c.check == "psi")
        .filter_map(|c| Some((c.observed?, c.column.as_deref()?)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let failed: Vec<_> = verdict.data_checks.iter().filter(|c| c.failed()).collect();
    println!(
        "data checks: {} of {} failed; largest PSI {}",
        failed.len(),
        verdict.data_checks.len(),
        worst.map_or("-".into(), |(psi, column)| format!("{psi:.4} ({column})"))
    );
    for c in failed {
        println!("  FAIL {}: {}", c.display_name(), c.message);
    }
}

/// The model's metrics next to the baseline's, on the same rows.
fn print_metrics(run: &GateRun) {
    let (Some(model), Some(base)) = (&run.scored, &run.baseline) else {
        return;
    };
    println!("\n{:<18} {:>8} {:>9}", "metric", "model", "baseline");
    for name in [
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "roc_auc",
        "log_loss",
    ] {
        let value = |e: &crisp_validate::Evaluation| e.get(name).unwrap_or(f64::NAN);
        println!(
            "{name:<18} {:>8.4} {:>9.4}",
            value(&model.evaluation),
            value(&base.evaluation)
        );
    }
}

/// One line per check: the threshold, what was observed, the bound it resolved to (a baseline
/// threshold becomes a number on these rows) and the result.
fn print_checks(checks: &[ModelCheck], indent: &str) {
    println!(
        "{indent}{:<28} {:>9} {:>9}  result",
        "threshold", "observed", "bound"
    );
    for c in checks {
        let o = &c.outcome;
        let result = match &o.status {
            CheckStatus::Passed => "PASS".to_string(),
            CheckStatus::Failed => "FAIL".to_string(),
            CheckStatus::Skipped { reason } => format!("SKIP ({reason})"),
        };
        println!(
            "{indent}{:<28} {:>9.4} {:>9}  {result}",
            o.threshold,
            o.observed,
            o.bound.map_or("-".into(), |b| format!("{b:.4}"))
        );
    }
}

/// The page `crisp validate --html` writes: the verdict, the metrics against the baseline,
/// the slices, and the plots of the model on the test rows.
fn validate_page(run: &GateRun, model: &Artifact) -> Result<String, Box<dyn std::error::Error>> {
    let scored = run.scored.as_ref().ok_or("the model was not run")?;
    let mut report = ModelReport::new(
        "validate",
        format!("{} on adult_test.csv", model.header.model),
        &scored.evaluation.metrics,
    );
    report.subtitle = format!("evaluate_adult · crisp {}", crisp_core::VERSION);
    report.summary = vec![
        (
            "model".into(),
            format!(
                "{} ({})",
                model.header.model, model.header.model_description
            ),
        ),
        (
            "trained on".into(),
            format!("adult.csv ({} rows)", model.header.data.rows),
        ),
        ("validated on".into(), "adult_test.csv".into()),
        ("baseline".into(), "decision_tree max_depth=2".into()),
        ("thresholds".into(), THRESHOLDS.join(", ")),
        ("slices".into(), "sex (at least 100 rows)".into()),
    ];
    report.verdict = Some(&run.verdict);
    report.baseline = run.baseline.as_ref().map(|b| &b.evaluation.metrics);
    report.max_psi = Some(0.2);
    let mut drift = Vec::new();
    crisp_report::add_model_plots(
        &mut report,
        &mut drift,
        &model.model,
        scored,
        &model.header.data_profile,
        "adult_test.csv",
        SEED,
    )?;
    report.drift_against = "adult_test.csv".into();
    Ok(model_page(&report)?)
}
