//! The CRISP-DM cycle on the UCI adult census data, as a notebook would walk through it, using
//! the crisp crates directly rather than the `crisp` binary.
//!
//! Run: `cargo run --example adult_walkthrough`
//!
//! 1. Data understanding: shape, types, missing values, class balance.
//! 2. Data preparation: a feature pipeline fitted on the training file only.
//! 3. Modeling: a linfa decision tree through crisp-train.
//! 4. Evaluation: metrics on the official test file, against a majority-class baseline.
//! 5. Deployment: the artifact written, read back, and used on raw rows.

use std::path::Path;

use crisp_artifact::{Artifact, ArtifactHeader, DataInfo};
use crisp_core::read_csv;
use crisp_features::{default_pipeline, Encoding};
use crisp_train::{train, Holdout, ModelSpec, TrainConfig};
use crisp_validate::Threshold;
use polars::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let datasets = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let train_data = read_csv(&datasets.join("adult.csv"))?;
    let test_data = read_csv(&datasets.join("adult_test.csv"))?;
    let frame = &train_data.frame;

    println!("## 1. Data understanding");
    println!(
        "adult.csv: {} rows x {} columns",
        frame.height(),
        frame.width()
    );
    println!("{:<16} {:<6} {:>8}", "column", "type", "missing");
    for c in frame.columns() {
        println!(
            "{:<16} {:<6} {:>8}",
            c.name(),
            c.dtype().to_string(),
            c.null_count()
        );
    }
    let balance = frame
        .column("income")?
        .as_materialized_series()
        .value_counts(true, false, "rows".into(), true)?;
    println!("class balance (share of rows):\n{balance}");

    println!("\n## 2. Data preparation (fitted on adult.csv only)");
    let spec = default_pipeline(frame, "income", Encoding::OneHot)?;
    let pipeline = spec.fit(frame, "income")?;
    for step in pipeline.summaries() {
        println!("- {} {}", step.name, step.config);
        for learned in step.learned.iter().take(4) {
            println!("    {learned}");
        }
        if step.learned.len() > 4 {
            println!("    ... {} more", step.learned.len() - 4);
        }
    }
    println!(
        "{} input columns -> {} features",
        pipeline.input.columns.len(),
        pipeline.features.len()
    );

    println!("\n## 3. Modeling");
    let config = TrainConfig {
        target: "income".into(),
        task: None,
        model: ModelSpec {
            name: "linfa_decision_tree".into(),
            params: [("max_depth".to_string(), "8".to_string())].into(),
        },
        features: Some(spec),
        seed: 42,
        holdout: Holdout::Frame {
            frame: test_data.frame.clone(),
            source: "adult_test.csv".into(),
        },
        max_classes: crisp_train::DEFAULT_MAX_CLASSES,
        split_by: crisp_train::SplitBy::Rows,
        refit: false,
        weighting: Default::default(),
    };
    let run = train(frame, "adult.csv", &config)?;
    println!(
        "{} in {:.2}s on {} rows",
        run.fitted.model.describe(),
        run.train_seconds,
        run.rows_train
    );

    println!(
        "\n## 4. Evaluation on adult_test.csv ({} rows)",
        run.rows_test
    );
    let majority = test_data
        .frame
        .column("income")?
        .str()?
        .iter()
        .filter(|v| *v == Some("<=50K"))
        .count() as f64
        / test_data.frame.height() as f64;
    for name in [
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "precision_macro",
        "recall_macro",
    ] {
        println!("{name:<18} {:.4}", run.evaluation.get(name)?);
    }
    println!(
        "{:<18} {majority:.4}  (always predicting <=50K)",
        "baseline accuracy"
    );
    let gate: Threshold = "accuracy>=0.80".parse()?;
    let outcome = gate.check(run.evaluation.get("accuracy")?, None);
    println!("gate {}: {:?}", gate.text, outcome.status);

    println!("\n## 5. Deployment");
    let data = DataInfo {
        source: "adult.csv".into(),
        fingerprint: train_data.fingerprint.clone(),
        rows: frame.height(),
    };
    let artifact = Artifact {
        header: ArtifactHeader::for_run(&run, &config, data, 0),
        model: run.fitted.clone(),
    };
    let path = std::env::temp_dir().join(format!("adult-walkthrough-{}.crisp", std::process::id()));
    artifact.write(&path)?;
    let loaded = Artifact::read(&path)?;
    println!(
        "wrote and re-read {} ({} bytes)",
        path.display(),
        std::fs::metadata(&path)?.len()
    );
    let raw = test_data.frame.head(Some(5)).drop("income")?;
    let predictions = loaded.model.predict(&raw, "first rows of adult_test.csv")?;
    let shown = df!(
        "age" => raw.column("age")?.clone().take_materialized_series(),
        "occupation" => raw.column("occupation")?.clone().take_materialized_series(),
        "actual" => test_data.frame.head(Some(5)).column("income")?.clone().take_materialized_series(),
        "predicted" => loaded.model.prediction_column(&predictions).take_materialized_series()
    )?;
    println!("{shown}");
    std::fs::remove_file(&path)?;
    Ok(())
}
