//! `crisp demo`: the whole cycle on the bundled adult census data, with a readable account of
//! each phase.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crisp_core::{bail, read_csv, Result};
use polars::prelude::*;

use crate::cli::{DemoArgs, PredictArgs, ReadArgs, TrainArgs, ValidateArgs};
use crate::tracking::Tracking;

const THRESHOLD: &str = "accuracy>=0.80";

fn find_datasets(args: &DemoArgs) -> Result<PathBuf> {
    let candidates: Vec<PathBuf> = match &args.datasets {
        Some(dir) => vec![dir.clone()],
        None => vec![
            PathBuf::from("datasets"),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets"),
        ],
    };
    for dir in &candidates {
        if dir.join("adult.csv").is_file() && dir.join("adult_test.csv").is_file() {
            return Ok(dir.clone());
        }
    }
    bail!(
        Data: "cannot find adult.csv and adult_test.csv in {}; pass --datasets <DIR>",
        candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(" or ")
    )
}

fn phase(n: usize, title: &str) {
    println!("\n== {n}. {title} ==");
}

pub fn run(args: &DemoArgs) -> Result<ExitCode> {
    let datasets = find_datasets(args)?;
    let out_dir = match &args.out_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("crisp-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| crisp_core::Error::io("create directory", &out_dir, e))?;
    let train_csv = datasets.join("adult.csv");
    let test_csv = datasets.join("adult_test.csv");
    let artifact = out_dir.join("adult.crisp");

    println!(
        "crisp demo: the CRISP-DM cycle on the UCI adult census data (does income exceed $50K?)"
    );
    phase(1, "Data and label");
    let train = read_csv(&train_csv)?;
    let test = read_csv(&test_csv)?;
    println!(
        "{}: {} rows x {} columns; {}: {} rows",
        train_csv.display(),
        train.frame.height(),
        train.frame.width(),
        test_csv.display(),
        test.frame.height()
    );
    let income = train
        .frame
        .column("income")?
        .as_materialized_series()
        .value_counts(true, false, "rows".into(), false)?;
    println!("the target 'income' is already labeled:\n{income}");

    phase(2, "Features and training (pipeline fit on adult.csv only)");
    super::train::run(
        &TrainArgs {
            data: train_csv,
            target: Some("income".into()),
            test_data: Some(test_csv.clone()),
            test_fraction: None,
            model: None,
            params: Vec::new(),
            task: None,
            config: None,
            seed: Some(42),
            out: artifact.clone(),
            report: Some(out_dir.join("train_report.json")),
            html: Some(out_dir.join("train_report.html")),
            until: Vec::new(),
            budget: 0,
            stream: false,
            fit_rows: None,
            engine: None,
            max_classes: crisp_train::DEFAULT_MAX_CLASSES,
            select: Default::default(),
            search: Default::default(),
            weights: Default::default(),
            read: ReadArgs::default(),
        },
        &Tracking::off(),
    )?;

    phase(
        3,
        &format!("Validation gate on adult_test.csv: {THRESHOLD}"),
    );
    let verdict = super::validate::run(
        &ValidateArgs {
            model: artifact.clone(),
            data: test_csv.clone(),
            thresholds: vec![THRESHOLD.into()],
            baseline: None,
            allow_missing_baseline: false,
            slice: None,
            min_slice_rows: 30,
            max_psi: None,
            max_null_rate_increase: None,
            max_unseen_category_rate: None,
            max_out_of_range_rate: None,
            max_ks: None,
            junit: None,
            markdown: None,
            confidence: None,
            resamples: 1000,
            seed: 42,
            config: None,
            report: Some(out_dir.join("validate_report.json")),
            html: Some(out_dir.join("validate_report.html")),
            bless: true,
            verify_key: None,
            baseline_verify_key: None,
            read: ReadArgs::default(),
        },
        &Tracking::off(),
    )?;

    phase(4, "The artifact (as `crisp inspect` shows it)");
    let header = crisp_artifact::read_header(&artifact)?;
    print!(
        "{}",
        super::inspect::describe(&header, &artifact.display().to_string())
    );

    phase(
        5,
        "Prediction on raw rows (the first 5 of adult_test.csv, income column removed)",
    );
    let sample = test.frame.head(Some(5));
    let mut raw = sample.drop("income")?;
    let raw_csv = out_dir.join("new_rows.csv");
    crisp_core::write_csv(&raw_csv, &mut raw)?;
    let predicted = super::predict::run(&PredictArgs {
        model: artifact.clone(),
        data: raw_csv,
        out: Some(out_dir.join("predictions.csv")),
        proba: false,
        keep_columns: false,
        require_blessed: true,
        verify_key: None,
        batch_rows: None,
        read: ReadArgs::default(),
    })?;
    let shown = df!(
        "age" => sample.column("age")?.clone().take_materialized_series(),
        "education" => sample.column("education")?.clone().take_materialized_series(),
        "occupation" => sample.column("occupation")?.clone().take_materialized_series(),
        "actual" => sample.column("income")?.clone().take_materialized_series(),
        "predicted" => predicted.column("prediction")?.clone().take_materialized_series()
    )?;
    println!("{shown}");
    println!(
        "\nfiles in {}: adult.crisp, train_report.json, validate_report.json, predictions.csv",
        out_dir.display()
    );
    println!(
        "gate verdict: {}",
        if verdict.passed {
            "PASS: the model is blessed for deployment"
        } else {
            "FAIL"
        }
    );
    Ok(super::gate_exit_code(verdict.passed))
}
