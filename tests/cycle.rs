use crate::util::{dataset, metric, Dir};

/// Fraction of `prediction` values in `predictions_csv` equal to `truth_column` of `truth_csv`.
fn agreement(predictions: &str, truth_csv: &std::path::Path, truth_column: &str) -> f64 {
    let truth = std::fs::read_to_string(truth_csv).unwrap();
    let mut lines = truth.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let idx = header.iter().position(|h| *h == truth_column).unwrap();
    let truth: Vec<String> = lines
        .map(|l| l.split(',').nth(idx).unwrap().to_string())
        .collect();
    let predicted: Vec<&str> = predictions.lines().skip(1).collect();
    assert_eq!(predicted.len(), truth.len(), "one prediction per input row");
    let same = predicted
        .iter()
        .zip(&truth)
        .filter(|(p, t)| **p == t.as_str())
        .count();
    same as f64 / truth.len() as f64
}

#[test]
fn adult_train_validate_predict() {
    let dir = Dir::new();
    let out = dir
        .train(
            dataset("adult.csv"),
            "income",
            &[
                "--test-data",
                dataset("adult_test.csv").to_str().unwrap(),
                "--model",
                "linfa_decision_tree",
                "--param",
                "max_depth=8",
                "--out",
                "adult.crisp",
                "--report",
                "train.json",
            ],
        )
        .ok();
    assert!(out.contains("wrote adult.crisp"), "{out}");
    let report = dir.json("train.json");
    assert_eq!(report["task"], "classification");
    assert_eq!(report["model"], "linfa_decision_tree");
    assert_eq!(report["target"], "income");
    assert_eq!(report["rows_train"], 32561);
    assert_eq!(report["rows_test"], 16281);
    assert!(report["train_seconds"].as_f64().unwrap() > 0.0);
    let accuracy = metric(&report, "accuracy");
    assert!(
        accuracy > 0.80 && accuracy < 0.95,
        "adult test accuracy {accuracy}"
    );
    let f1 = metric(&report, "f1_macro");
    assert!(f1 > 0.6 && f1 < accuracy, "f1_macro {f1}");

    dir.crisp([
        "validate",
        "--model",
        "adult.crisp",
        "--data",
        dataset("adult_test.csv").to_str().unwrap(),
        "--threshold",
        "accuracy>=0.80",
    ])
    .ok();

    // Predicting the raw test rows through the stored pipeline reproduces the training-time
    // evaluation exactly: no training/serving skew.
    let test = dataset("adult_test.csv");
    let predictions = dir
        .crisp([
            "predict",
            "--model",
            "adult.crisp",
            "--data",
            test.to_str().unwrap(),
        ])
        .ok();
    assert_eq!(predictions.lines().next(), Some("prediction"));
    assert!(predictions
        .lines()
        .skip(1)
        .all(|p| p == "<=50K" || p == ">50K"));
    assert!((agreement(&predictions, &test, "income") - accuracy).abs() < 1e-12);
}

#[test]
fn penguins_with_missing_values_multiclass() {
    let dir = Dir::new();
    dir.train(
        dataset("penguins.csv"),
        "species",
        &[
            "--test-fraction",
            "0.25",
            "--model",
            "linfa_decision_tree",
            "--report",
            "r.json",
            "--out",
            "p.crisp",
        ],
    )
    .ok();
    let report = dir.json("r.json");
    // 344 rows, 2 without any measurement but a species: all kept (features are imputed).
    // The evaluated model saw the rows outside the test split; the shipped one, refit, all.
    assert_eq!(
        report["rows_train_evaluated"].as_u64().unwrap() + report["rows_test"].as_u64().unwrap(),
        344
    );
    assert_eq!(report["rows_train"], 344);
    assert_eq!(
        report["classes"],
        serde_json::json!(["Adelie", "Chinstrap", "Gentoo"])
    );
    assert!(metric(&report, "accuracy") > 0.9, "{report:#}");
    let cm = &report["confusion_matrix"]["counts"];
    assert_eq!(cm.as_array().unwrap().len(), 3);
}

#[test]
fn titanic_with_config_dropping_leaks() {
    let dir = Dir::new();
    dir.create(
        "titanic.toml",
        r#"
target = "Survived"
seed = 7
test_fraction = 0.3

[model]
name = "linfa_decision_tree"
params = { max_depth = 5 }

[[features.steps]]
kind = "drop"
columns = ["boat", "body", "PassengerId", "Name", "Ticket", "home.dest", "Cabin"]

[[features.steps]]
kind = "impute"
dtype = "numeric"
strategy = "median"

[[features.steps]]
kind = "impute"
dtype = "categorical"
strategy = "most_frequent"

[[features.steps]]
kind = "one_hot"
dtype = "categorical"
handle_unknown = "ignore"
"#,
    );
    dir.crisp([
        "train",
        "--data",
        dataset("titanic.csv").to_str().unwrap(),
        "--config",
        "titanic.toml",
        "--report",
        "r.json",
        "--out",
        "t.crisp",
    ])
    .ok();
    let report = dir.json("r.json");
    assert_eq!(report["task"], "classification");
    assert_eq!(report["seed"], 7);
    let features: Vec<&str> = report["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(!features
        .iter()
        .any(|f| f.starts_with("boat") || f.starts_with("body") || f.starts_with("Name")));
    assert!(features.contains(&"Sex=female"), "{features:?}");
    let accuracy = metric(&report, "accuracy");
    assert!(
        accuracy > 0.72 && accuracy < 0.92,
        "titanic accuracy {accuracy} (leak-free)"
    );
    let inspect = dir.crisp(["inspect", "t.crisp"]).ok();
    assert!(inspect.contains("impute (strategy=median)"), "{inspect}");
    assert!(inspect.contains("Sex: [female, male]"), "{inspect}");
}

#[test]
fn diamonds_regression() {
    let dir = Dir::new();
    dir.train(
        dataset("diamonds.csv"),
        "price",
        &[
            "--model",
            "linear_regression",
            "--report",
            "r.json",
            "--out",
            "d.crisp",
        ],
    )
    .ok();
    let report = dir.json("r.json");
    assert_eq!(report["task"], "regression");
    assert_eq!(report["model"], "linear_regression");
    let r2 = metric(&report, "r2");
    assert!(r2 > 0.88 && r2 < 0.99, "diamonds r2 {r2}");
    let rmse = metric(&report, "rmse");
    assert!(rmse > 500.0 && rmse < 1500.0, "rmse {rmse}");
    assert!(metric(&report, "mae") < rmse);
    let new = dir.create("new.csv", "carat,cut,color,clarity,depth,table,x,y,z\n0.3,Ideal,E,VS1,61.5,55,4.3,4.31,2.65\n2.0,Premium,G,SI1,62,58,8.1,8.05,5.0\n");
    let out = dir
        .crisp([
            "predict",
            "--model",
            "d.crisp",
            "--data",
            new.to_str().unwrap(),
        ])
        .ok();
    let prices: Vec<f64> = out.lines().skip(1).map(|l| l.parse().unwrap()).collect();
    assert_eq!(prices.len(), 2);
    assert!(
        prices[0] < prices[1],
        "a 2-carat stone costs more than a 0.3-carat one: {prices:?}"
    );
}

#[test]
fn wine_quality_as_classes_or_numbers() {
    let dir = Dir::new();
    let data = dataset("wine_quality_red.csv");
    dir.train(
        &data,
        "quality",
        &[
            "--report",
            "c.json",
            "--out",
            "c.crisp",
            "--model",
            "linfa_decision_tree",
            "--param",
            "max_depth=6",
        ],
    )
    .ok();
    let c = dir.json("c.json");
    assert_eq!(
        c["task"], "classification",
        "few integer values are classes"
    );
    assert_eq!(
        c["classes"],
        serde_json::json!(["3", "4", "5", "6", "7", "8"])
    );
    assert!(metric(&c, "accuracy") > 0.5);
    dir.train(
        &data,
        "quality",
        &[
            "--task",
            "regression",
            "--report",
            "r.json",
            "--out",
            "r.crisp",
        ],
    )
    .ok();
    let r = dir.json("r.json");
    assert_eq!(r["task"], "regression");
    assert!(metric(&r, "r2") > 0.25, "{r:#}");
}
