//! Regression and the model gate on the diamonds data, as a notebook would go through it:
//! a baseline and a candidate, which features matter, a change threshold against the baseline,
//! per-slice metrics, and a data-drift check on new stones.
//!
//! Run: `cargo run --example diamonds_gate`

use std::path::Path;

use crisp_core::read_csv;
use crisp_train::{drift_of, train, Holdout, ModelSpec, TrainConfig, TrainedModel};
use crisp_validate::{DataGate, Threshold};
use polars::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/diamonds.csv");
    let diamonds = read_csv(&path)?.frame;
    println!("## Data: {} diamonds, target 'price'", diamonds.height());
    println!("{}", diamonds.head(Some(3)));

    let config = |model: &str| TrainConfig {
        target: "price".into(),
        task: None,
        model: ModelSpec {
            name: model.into(),
            ..Default::default()
        },
        features: None,
        seed: 7,
        holdout: Holdout::Fraction(0.2),
        max_classes: crisp_train::DEFAULT_MAX_CLASSES,
        split_by: crisp_train::SplitBy::Rows,
        refit: false,
        weighting: Default::default(),
    };
    println!("\n## Baseline and candidate (same seeded split)");
    let baseline = train(&diamonds, "diamonds.csv", &config("linear_regression"))?;
    let candidate = train(&diamonds, "diamonds.csv", &config("gbdt"))?;
    for (name, run) in [("linear_regression", &baseline), ("gbdt", &candidate)] {
        let e = &run.evaluation;
        println!(
            "{name:<18} rmse {:>8.1}  mae {:>7.1}  r2 {:.4}  ({:.2}s)",
            e.get("rmse")?,
            e.get("mae")?,
            e.get("r2")?,
            run.train_seconds
        );
    }

    println!("\n## What the boosted trees split on (share of total gain)");
    if let TrainedModel::GbdtRegressor(model) = &candidate.fitted.model {
        let gain = model.feature_importance_gain();
        let total: f64 = gain.iter().sum();
        let mut ranked: Vec<(&String, f64)> = candidate
            .fitted
            .pipeline
            .features
            .iter()
            .zip(gain)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (feature, g) in ranked {
            println!("{feature:<8} {:>6.1}%", 100.0 * g / total);
        }
    }

    println!("\n## The gate: rmse no worse than 60% of the baseline's");
    let gate: Threshold = "rmse<=baseline*0.6".parse()?;
    let outcome = gate.check(
        candidate.evaluation.get("rmse")?,
        Some(baseline.evaluation.get("rmse")?),
    );
    println!(
        "{}: observed {:.1}, bound {:.1} -> {:?}",
        gate.text,
        outcome.observed,
        outcome.bound.unwrap_or(f64::NAN),
        outcome.status
    );

    println!("\n## Per cut: the same model, slice by slice (whole data)");
    let predictions = candidate.fitted.predict(&diamonds, "diamonds.csv")?;
    let truth = candidate.fitted.target.encode(&diamonds, "diamonds.csv")?;
    let cuts = diamonds.column("cut")?.str()?.clone();
    for cut in ["Fair", "Good", "Very Good", "Premium", "Ideal"] {
        let rows: Vec<usize> = cuts
            .iter()
            .enumerate()
            .filter(|(_, c)| *c == Some(cut))
            .map(|(i, _)| i)
            .collect();
        let e = candidate
            .fitted
            .score(&truth.subset(&rows), &predictions.subset(&rows))?;
        println!(
            "{cut:<10} {:>6} rows  rmse {:>7.1}  r2 {:.4}",
            rows.len(),
            e.get("rmse")?,
            e.get("r2")?
        );
    }

    println!("\n## Data drift: big stones only, against the training profile");
    let big = diamonds
        .clone()
        .lazy()
        .filter(col("carat").gt(lit(1.5)))
        .collect()?;
    let drifts = drift_of(&candidate.profile, &big)?;
    let checks = DataGate {
        max_psi: Some(0.2),
        ..Default::default()
    }
    .check_drifts(&drifts);
    for c in checks.iter().filter(|c| c.check == "psi") {
        println!(
            "{:<10} PSI {:>7.3}  {:?}",
            c.column.as_deref().unwrap_or(""),
            c.observed.unwrap_or(f64::NAN),
            c.status
        );
    }
    Ok(())
}
