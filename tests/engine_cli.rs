//! `crisp train --engine` (issue 17, part 2): gbdt trained on a DataFusion Ballista cluster
//! (Ballista's in-process standalone cluster here; crates/crisp-distributed/tests run
//! scheduler and executor processes) from a directory of Parquet files, evaluated on a test
//! file, written as an ordinary artifact.
//!
//! The driver program (`crisp-ballista-train`) is built only with crisp-distributed's `engine`
//! feature; `.ci/run` builds it and names it in CRISP_BALLISTA_TRAIN. Without it, `--engine`
//! must say what it needs.

use polars::prelude::*;

use crate::util::{dataset, metric, Dir};

const NUMERIC: [&str; 6] = [
    "age",
    "fnlwgt",
    "education-num",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
];

/// Adult's numeric columns and a 0/1 `label` (income above 50K).
fn numeric_adult(file: &str) -> DataFrame {
    let frame = crisp_core::read_csv(&dataset(file)).unwrap().frame;
    let income = frame.column("income").unwrap().str().unwrap().clone();
    let label: Vec<i64> = (0..income.len())
        .map(|i| i64::from(income.get(i) == Some(">50K")))
        .collect();
    let label = Column::new("label".into(), label);
    let mut cols: Vec<Column> = NUMERIC
        .iter()
        .map(|c| frame.column(c).unwrap().clone())
        .collect();
    cols.push(label);
    DataFrame::new_infer_height(cols).unwrap()
}

/// `frame` as `parts` Parquet files under `name/`.
fn parquet_dir(dir: &Dir, name: &str, frame: &DataFrame, parts: usize) -> String {
    let path = dir.path(name);
    std::fs::create_dir_all(&path).unwrap();
    let n = frame.height();
    for p in 0..parts {
        let (start, end) = (p * n / parts, (p + 1) * n / parts);
        let mut part = frame.slice(start as i64, end - start);
        let file = std::fs::File::create(path.join(format!("part-{p}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut part).unwrap();
    }
    path.display().to_string()
}

fn write_csv(dir: &Dir, name: &str, frame: &DataFrame) -> String {
    let path = dir.path(name);
    let mut frame = frame.clone();
    CsvWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut frame)
        .unwrap();
    path.display().to_string()
}

#[test]
fn engine_trains_gbdt_from_a_parquet_directory_or_says_what_it_needs() {
    let dir = Dir::new();
    let data = parquet_dir(&dir, "adult", &numeric_adult("adult.csv"), 3);
    let test = write_csv(&dir, "adult_test.csv", &numeric_adult("adult_test.csv"));
    // `crisp train --engine standalone` on `data`, with `extra` arguments.
    let on = |data: &str, extra: &[&str]| {
        let mut a = vec![
            "train",
            "--data",
            data,
            "--target",
            "label",
            "--engine",
            "standalone",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let args = |extra: &[&str]| {
        let mut a = vec!["--test-data", test.as_str(), "--param", "n_rounds=10"];
        a.extend_from_slice(extra);
        on(&data, &a)
    };
    // A driver named by a path that is not a file: one sentence naming it, exit 2, no artifact.
    let missing = dir.path("no-such-driver").display().to_string();
    let err = dir
        .crisp_env(
            args(&["--out", "m.crisp"]),
            &[("CRISP_BALLISTA_TRAIN", missing.as_str())],
        )
        .code(2)
        .stderr();
    assert!(
        err.contains("no-such-driver") && err.contains("crisp-ballista-train"),
        "{err}"
    );
    assert!(!dir.path("m.crisp").exists());
    // The driver: named by CRISP_BALLISTA_TRAIN (CI), or built next to crisp.
    let beside =
        std::path::Path::new(env!("CARGO_BIN_EXE_crisp")).with_file_name("crisp-ballista-train");
    let driver = match std::env::var_os("CRISP_BALLISTA_TRAIN") {
        Some(d) => d.to_str().unwrap().to_string(),
        None if beside.is_file() => beside.display().to_string(),
        None => {
            eprintln!(
                "engine_cli: no crisp-ballista-train built (cargo build -p crisp-distributed --features engine --bins); the training half is not run"
            );
            return;
        }
    };
    let env = [("CRISP_BALLISTA_TRAIN", driver.as_str())];
    let out = dir
        .crisp_env(args(&["--out", "m.crisp", "--report", "m.json"]), &env)
        .ok();
    assert!(out.contains("histogram queries"), "{out}");
    let report = dir.json("m.json");
    assert_eq!(report["engine"]["rows"], 32_561, "{report:#}");
    assert_eq!(report["engine"]["files"], 3);
    let accuracy = metric(&report, "accuracy");

    // The in-memory fit of the same model on the same rows scores the same (its bins are
    // exact quantiles, the cluster's come from sketches: close, not identical).
    let csv = write_csv(&dir, "adult_numeric.csv", &numeric_adult("adult.csv"));
    dir.train(
        &csv,
        "label",
        &[
            "--test-data",
            &test,
            "--param",
            "n_rounds=10",
            "--param",
            "early_stopping=false",
            "--report",
            "memory.json",
            "--out",
            "memory.crisp",
        ],
    )
    .ok();
    let in_memory = metric(&dir.json("memory.json"), "accuracy");
    assert!(
        accuracy > 0.8 && (accuracy - in_memory).abs() < 0.005,
        "cluster {accuracy}, in memory {in_memory}"
    );

    // The artifact predicts like any other.
    dir.crisp([
        "predict", "--model", "m.crisp", "--data", &test, "--out", "p.csv",
    ])
    .ok();
    assert_eq!(dir.frame("p.csv").height(), 16_281);

    // What the cluster cannot do is refused by name.
    let mut text = numeric_adult("adult.csv");
    let colour: Vec<&str> = (0..text.height()).map(|i| ["red", "blue"][i % 2]).collect();
    text.with_column(Column::new("colour".into(), colour))
        .unwrap();
    let text_dir = parquet_dir(&dir, "text", &text, 2);
    let err = dir
        .crisp_env(on(&text_dir, &["--test-data", &test]), &env)
        .code(2)
        .stderr();
    assert!(err.contains("colour") && err.contains("numeric"), "{err}");
    let err = dir.crisp_env(on(&data, &[]), &env).code(2).stderr();
    assert!(err.contains("--test-data"), "{err}");
    let err = dir
        .crisp_env(
            args(&["--model", "random_forest", "--out", "rf.crisp"]),
            &env,
        )
        .code(2)
        .stderr();
    assert!(err.contains("gbdt"), "{err}");
}
