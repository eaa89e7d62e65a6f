//! crisp as a library, through its one facade crate: train a gbdt from a data frame, run linfa's
//! k-fold cross-validation on crisp-trees, gate the model on thresholds with a slice and a
//! baseline, search until a threshold holds, then write, read and predict with an artifact.
//!
//! Run: `cargo run --example library_tour [DATASETS_DIR]`. The same file is the `main.rs` of
//! the fresh Cargo project that `scripts/external-project.sh` builds outside the workspace, with
//! `crisp` as its only dependency.

use std::path::{Path, PathBuf};

use crisp::linfa::prelude::*;
use crisp::ndarray::Array1;
use crisp::prelude::*;
use crisp::trees::GradientBoosting;

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let datasets: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets"));
    let train_rows = read_csv(&datasets.join("adult.csv"))?.frame;
    let test_rows = read_csv(&datasets.join("adult_test.csv"))?.frame;
    println!(
        "adult: {} training rows, {} test rows",
        train_rows.height(),
        test_rows.height()
    );

    // 1. A gbdt from a DataFrame: the default pipeline (native categories) and the model are
    //    fitted on the training rows only; 20% of them are held out for the report.
    let config = TrainConfig::new("income")
        .model(ModelSpec::new("gbdt").param("n_rounds", 200))
        .seed(7);
    let run = train(&train_rows, "adult.csv", &config)?;
    println!(
        "gbdt: accuracy {:.4}, roc_auc {:.4} on {} held-out rows ({} features, {:.2}s)",
        run.evaluation.get("accuracy")?,
        run.evaluation.get("roc_auc")?,
        run.rows_test,
        run.fitted.pipeline.features.len(),
        run.train_seconds
    );

    // 2. linfa's own k-fold cross-validation on crisp-trees, on the fitted pipeline's matrix.
    let x = run.fitted.pipeline.matrix(&train_rows, "adult.csv")?;
    let truth = run.fitted.target.encode(&train_rows, "adult.csv")?;
    let crisp::train::TargetValues::Classes(labels) = truth else {
        return Err("income is a class".into());
    };
    let categorical = run.fitted.pipeline.categorical.clone();
    let mut dataset = Dataset::new(x, Array1::from(labels));
    let candidates = [
        GradientBoosting::params()
            .n_rounds(50)
            .categorical_features(categorical.clone()),
        GradientBoosting::params()
            .n_rounds(200)
            .categorical_features(categorical),
    ];
    let accuracy = dataset.cross_validate_single(5, &candidates, |predicted, truth| {
        Ok(predicted.confusion_matrix(truth)?.accuracy())
    })?;
    println!(
        "5-fold accuracy: {:.4} with 50 rounds, {:.4} with 200 rounds",
        accuracy[0], accuracy[1]
    );

    // 3. The gate: thresholds on all test rows and per sex (slices of 100 rows or more), and
    //    no worse than a baseline (a depth-2 tree) on the same rows.
    let stump = config
        .clone()
        .model(ModelSpec::new("decision_tree").param("max_depth", 2));
    let baseline = train(&train_rows, "adult.csv", &stump)?;
    let info = DataInfo::of_frame("adult.csv", &train_rows)?;
    let model = Artifact::from_run(&run, &config, info.clone());
    let base = Artifact::from_run(&baseline, &stump, info);
    let gate = Gate::new(vec![
        "accuracy>=0.8".parse()?,
        "roc_auc>=baseline+0.02".parse()?,
    ])
    .slice("sex", 100)
    .data_limits(DataGate {
        max_psi: Some(0.25),
        ..DataGate::default()
    });
    let verdict = model
        .gate(&test_rows, "adult_test.csv", Some(&base), &gate)?
        .verdict;
    for check in &verdict.checks {
        println!(
            "  {}: {:.4} ({})",
            check.outcome.threshold,
            check.outcome.observed,
            if check.outcome.passed() {
                "pass"
            } else {
                "FAIL"
            }
        );
    }
    for slice in &verdict.slices {
        println!(
            "  slice sex={} ({} rows): {}",
            slice.value,
            slice.rows,
            if slice.passed { "pass" } else { "FAIL" }
        );
    }
    println!("gate: {}", if verdict.passed { "PASS" } else { "FAIL" });
    if !verdict.passed {
        return Err(verdict.markdown("the gate failed").into());
    }

    // 4. Search: the cheapest candidate whose validation accuracy clears 0.85.
    let until = UntilConfig::new(vec!["accuracy>=0.85".parse()?], 4);
    let outcome = train_until(
        &train_rows,
        "adult.csv",
        &TrainConfig::new("income"),
        &until,
        |i, a| {
            println!(
                "  candidate {}: {} {:?}",
                i + 1,
                a.spec.name,
                a.validation_metrics
            );
        },
    )?;
    match &outcome.model {
        Some((chosen, run)) => println!(
            "search chose {} ({:?}): test accuracy {:.4}",
            chosen.model.name,
            chosen.model.params,
            run.evaluation.get("accuracy")?
        ),
        None => println!("no candidate cleared the threshold"),
    }

    // 5. Ship: write the artifact, read it back (checksummed, bounded, validated), bless it with
    //    the verdict, and predict raw rows.
    let dir = std::env::temp_dir().join(format!("crisp-library-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("adult.crisp");
    model.write(&path)?;
    let thresholds = gate.thresholds.iter().map(|t| t.text.clone()).collect();
    bless(
        &path,
        Blessing::of(&verdict, thresholds, &info_fingerprint(&test_rows)?, 0),
    )?;
    let shipped = Artifact::read(&path)?;
    let predictions = shipped.model.predict(&test_rows, "adult_test.csv")?;
    let column = shipped.model.prediction_column(&predictions);
    println!(
        "shipped {} (blessed: {}): first predictions {:?}",
        path.display(),
        shipped.header.blessing.as_ref().is_some_and(|b| b.passed),
        column.str()?.iter().take(5).collect::<Vec<_>>()
    );
    assert_eq!(predictions.len(), test_rows.height());
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The fingerprint a blessing records for the data it was checked on.
fn info_fingerprint(frame: &DataFrame) -> crisp::Result<String> {
    Ok(DataInfo::of_frame("adult_test.csv", frame)?.fingerprint)
}
