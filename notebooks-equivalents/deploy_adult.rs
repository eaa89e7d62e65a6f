//! CRISP-DM phase 6, deployment, on the UCI adult census data: the path of a model from
//! training to a named, blessed version that a service resolves by alias.
//!
//! 1. Train a gradient-boosted model on `adult.csv`, recording the run in a run store.
//! 2. Write the artifact, read it back (the checksum and the model are verified), and see a
//!    corrupted copy refused.
//! 3. Predict raw rows of `adult_test.csv` (no target, no preparation: the artifact carries
//!    its feature pipeline) with their probabilities.
//! 4. The model registry: push the unblessed artifact and see the `prod` alias refused, gate
//!    and bless it, push again, point `prod` at it, then resolve `adult-income@prod` and
//!    predict with what it names.
//!
//! Run: `cargo run --example deploy_adult [OUT_DIR]`
//! (writes `adult.crisp`, the store `crisp.db` with its registry `crisp.db.registry/`, and
//! `model.html` into OUT_DIR, by default `crisp-notebooks/deploy_adult/` under the system's
//! temporary directory; a store left there by an earlier run is replaced).

#[path = "notebook.rs"]
mod notebook;

use std::path::Path;

use crisp_artifact::{bless, Artifact, Blessing, DataInfo, RunRef};
use crisp_core::{read_csv, CsvData};
use crisp_report::{model_page, ModelReport};
use crisp_track::{who, FileRef, Reference, RunRecord, Status, Store};
use crisp_train::{train, ModelSpec, Predictions, TrainConfig, TrainRun};
use crisp_validate::{DataGate, Gate};
use polars::prelude::*;

const SEED: u64 = 7;
const NAME: &str = "adult-income";
const THRESHOLDS: [&str; 2] = ["accuracy>=0.85", "roc_auc>=0.90"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = notebook::output_dir("deploy_adult")?;
    let adult = read_csv(&notebook::datasets().join("adult.csv"))?;
    let adult_test = read_csv(&notebook::datasets().join("adult_test.csv"))?;
    let store_path = out.join("crisp.db");
    fresh_store(&store_path)?;
    let store = Store::open(&store_path)?;

    println!("## 1. Train, and record the run");
    let config = TrainConfig::new("income")
        .model(ModelSpec::new("gbdt").param("n_rounds", 100))
        .seed(SEED);
    let run = train(&adult.frame, "adult.csv", &config)?;
    let run_id = record_run(&store, &run, &adult)?;
    println!(
        "{}: hold-out accuracy {:.4}, roc_auc {:.4}; recorded as run {run_id} in {}",
        run.fitted.model.describe(),
        run.evaluation.get("accuracy")?,
        run.evaluation.get("roc_auc")?,
        store_path.display()
    );

    println!("\n## 2. Write the artifact, read it back");
    let info = DataInfo {
        source: "adult.csv".into(),
        fingerprint: adult.fingerprint.clone(),
        rows: adult.frame.height(),
    };
    let mut artifact = Artifact::from_run(&run, &config, info);
    // The artifact names the run that made it, so `crisp inspect` can show the lineage.
    artifact.header.run = Some(RunRef {
        id: run_id,
        store: store_path.display().to_string(),
    });
    let path = out.join("adult.crisp");
    artifact.write(&path)?;
    let bytes = std::fs::read(&path)?;
    println!(
        "wrote {} ({} bytes, fingerprint {})",
        path.display(),
        bytes.len(),
        crisp_core::fingerprint(&bytes)
    );
    // `read` checks the magic, the format version, the xxh3 checksum of header and body,
    // then that the decoded model is consistent.
    let loaded = Artifact::read(&path)?;
    println!(
        "read back: checksum verified; {} predicting '{}' from {} input columns, trained on {} rows of {}",
        loaded.header.model,
        loaded.header.target,
        loaded.header.input_schema.columns.len(),
        loaded.header.data.rows,
        loaded.header.data.source
    );
    println!(
        "a copy with one byte flipped is refused: {}",
        corrupted_copy_error(&bytes)
    );

    println!("\n## 3. Predict raw rows of adult_test.csv");
    let raw = adult_test.frame.head(Some(6)).drop("income")?;
    let shown = predictions_table(&loaded, &raw, &adult_test.frame.head(Some(6)))?;
    println!("{shown}");

    println!("\n## 4. The registry");
    let v1 = store.push(&path, NAME, false, Some(run_id), &who())?;
    println!(
        "pushed {NAME}@{} (blessed: {}) -> {}",
        v1.version,
        v1.blessed,
        v1.path.display()
    );
    // Only a version that passed the gate may take an alias.
    match store.move_alias(NAME, v1.version, "prod", None, &who()) {
        Ok(_) => return Err("an unblessed version took the prod alias".into()),
        Err(e) => println!("alias prod -> {} refused: {e}", v1.version),
    }

    let gate = Gate::new(
        THRESHOLDS
            .iter()
            .map(|t| t.parse())
            .collect::<Result<_, _>>()?,
    )
    .data_limits(DataGate {
        max_psi: Some(0.2),
        ..DataGate::default()
    });
    let verdict = loaded
        .gate(&adult_test.frame, "adult_test.csv", None, &gate)?
        .verdict;
    for c in &verdict.checks {
        println!(
            "gate {}: {:.4} {}",
            c.outcome.threshold,
            c.outcome.observed,
            if c.outcome.passed() { "PASS" } else { "FAIL" }
        );
    }
    let thresholds = THRESHOLDS.iter().map(|t| t.to_string()).collect();
    let header = bless(
        &path,
        Blessing::of(&verdict, thresholds, &adult_test.fingerprint, now_unix()),
    )?;
    let blessed = header.blessing.as_ref().is_some_and(|b| b.passed);
    println!("blessed {}: {blessed}", path.display());
    if !blessed {
        return Err("the gate failed: the model is not deployed".into());
    }

    let v2 = store.push(&path, NAME, blessed, Some(run_id), &who())?;
    let moved = store.move_alias(NAME, v2.version, "prod", None, &who())?;
    println!(
        "pushed {NAME}@{} (blessed: {}); alias {} -> {} by {}",
        v2.version, v2.blessed, moved.alias, moved.version, moved.moved_by
    );

    // A service names the model, not a file: `registry:adult-income@prod` on the command
    // line, or the same reference resolved through the store in code.
    let (name, reference) = Reference::parse(&format!("{NAME}@prod"))?;
    let resolved = store.resolve(&name, reference.as_ref())?;
    let deployed = Artifact::read(&resolved.path)?;
    println!(
        "{NAME}@prod resolves to version {} ({}), hash {} (not the first write's: the blessing is in the header)",
        resolved.version,
        resolved.path.display(),
        resolved.hash
    );
    let served = deployed.model.predict(&raw, "request")?;
    let direct = loaded.model.predict(&raw, "request")?;
    println!(
        "its predictions for the same 6 rows: {:?} (identical to the artifact's: {})",
        deployed
            .model
            .prediction_column(&served)
            .str()?
            .iter()
            .flatten()
            .collect::<Vec<_>>(),
        served == direct
    );

    println!();
    let html = model_card(&run, resolved.version, &resolved.hash)?;
    notebook::write(&out, "model.html", &html)?;
    Ok(())
}

/// Removes the store and registry of an earlier run of this walkthrough in the same
/// directory, so the versions start at 1 (only the files this walkthrough makes).
fn fresh_store(store: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let file = store.with_file_name(format!("crisp.db{suffix}"));
        if file.is_file() {
            std::fs::remove_file(file)?;
        }
    }
    let registry = store.with_file_name("crisp.db.registry").join(NAME);
    if registry.is_dir() {
        std::fs::remove_dir_all(registry)?;
    }
    Ok(())
}

/// Records the training run in the store, as `crisp train` does: metrics, model, seed and the
/// fingerprint of the data.
fn record_run(store: &Store, run: &TrainRun, data: &CsvData) -> crisp_core::Result<u64> {
    let mut record = RunRecord::new("train");
    record.model = Some(run.model.name.clone());
    record.seed = Some(SEED);
    record.metrics = run.evaluation.metrics.clone();
    record.duration_seconds = run.train_seconds;
    record.data = Some(FileRef::new("adult.csv", data.fingerprint.clone()));
    Ok(store.record(&record.finished(Status::Ok))?.0)
}

/// The error of reading `bytes` with one byte of the model flipped.
fn corrupted_copy_error(bytes: &[u8]) -> String {
    let mut corrupted = bytes.to_vec();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 0xff;
    match Artifact::from_bytes(&corrupted) {
        Ok(_) => "NOT REFUSED (unexpected)".into(),
        Err(e) => e.to_string(),
    }
}

/// A few input columns of `raw`, the model's probability of >50K and its prediction, next to
/// the true income from `labeled`.
fn predictions_table(
    artifact: &Artifact,
    raw: &DataFrame,
    labeled: &DataFrame,
) -> Result<DataFrame, Box<dyn std::error::Error>> {
    let predictions = artifact.model.predict(raw, "adult_test.csv")?;
    let Predictions::Classes {
        proba: Some(proba),
        n_classes,
        ..
    } = &predictions
    else {
        return Err("the model gives no class probabilities".into());
    };
    let rich = artifact
        .model
        .target
        .classes
        .iter()
        .position(|c| c == ">50K")
        .ok_or("no class >50K")?;
    let p_rich: Vec<f64> = proba.chunks(*n_classes).map(|row| row[rich]).collect();
    let mut table = raw.select(["age", "education", "occupation", "hours-per-week"])?;
    table.with_column(Column::new("P(>50K)".into(), p_rich))?;
    table.with_column(
        artifact
            .model
            .prediction_column(&predictions)
            .with_name("predicted".into()),
    )?;
    table.with_column(labeled.column("income")?.clone().with_name("actual".into()))?;
    Ok(table)
}

/// The page of the deployed model: its training run's evaluation and plots on the held-out
/// rows, with where it is registered.
fn model_card(
    run: &TrainRun,
    version: u32,
    hash: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut report = ModelReport::new(
        "train",
        format!("{NAME}@prod: {} predicting 'income'", run.model.name),
        &run.evaluation.metrics,
    );
    report.subtitle = format!("deploy_adult · crisp {}", crisp_core::VERSION);
    report.summary = vec![
        ("model".into(), run.fitted.model.describe()),
        (
            "registered as".into(),
            format!("{NAME}@{version} (alias prod)"),
        ),
        ("hash".into(), hash.to_string()),
        ("blessed on".into(), THRESHOLDS.join(", ")),
        (
            "rows".into(),
            format!("{} fitted, {} evaluated", run.rows_train, run.rows_test),
        ),
    ];
    let mut drift = Vec::new();
    if !crisp_report::add_held_out_plots(
        &mut report,
        &mut drift,
        run,
        "adult.csv (held out)",
        SEED,
    )? {
        return Err("the run kept no held-out rows".into());
    }
    Ok(model_page(&report)?)
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
