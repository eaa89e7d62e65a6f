//! Class and sample weights through the binary (issue #13, "Class imbalance"): balanced class
//! weights raise the minority class's recall on held-out adult rows for every model that takes
//! them, a weight column weighs the rows without becoming an input, `--weighted-metrics`
//! reports the weighted metrics of the evaluated rows, weights reach cross-validation and
//! searches, and models without weights and bad weights are refused.

use std::path::PathBuf;

use serde_json::Value;

use crate::util::{body, dataset, metric, values, Dir};

/// Every `every`-th data row of a bundled CSV, without the columns in `drop`, with a column
/// `extra` of value `value` appended when given; written to `out` in `dir`.
fn sample(
    dir: &Dir,
    data: &str,
    out: &str,
    every: usize,
    drop: &[&str],
    extra: Option<(&str, &str)>,
) -> PathBuf {
    let text = std::fs::read_to_string(dataset(data)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| !drop.contains(&header[i]))
        .collect();
    let row = |fields: &[&str], extra_value: Option<&str>| {
        let mut out: Vec<&str> = keep.iter().map(|&i| fields[i]).collect();
        out.extend(extra_value);
        out.join(",") + "\n"
    };
    let mut csv = row(&header, extra.map(|(name, _)| name));
    for line in lines.step_by(every) {
        let fields: Vec<&str> = line.split(',').collect();
        csv.push_str(&row(&fields, extra.map(|(_, v)| v)));
    }
    dir.create(out, csv)
}

fn recall(report: &Value, class: &str) -> f64 {
    report["per_class"][class]["recall"]
        .as_f64()
        .unwrap_or_else(|| panic!("no recall of {class} in {report:#}"))
}

/// The values of a text column of a CSV file in `dir`.
fn text(dir: &Dir, name: &str, column: &str) -> Vec<String> {
    let frame = dir.frame(name);
    let c = frame.column(column).unwrap().str().unwrap().clone();
    c.iter().map(|v| v.unwrap().to_string()).collect()
}

#[test]
fn balanced_class_weights_raise_the_minority_recall_on_held_out_rows() {
    let dir = Dir::new();
    // 4,071 adult rows, 24% of them '>50K'.
    let data = sample(&dir, "adult.csv", "adult.csv", 8, &[], None);
    let incomes = text(&dir, "adult.csv", "income");
    let n = incomes.len() as f64;
    let rich = incomes.iter().filter(|c| *c == ">50K").count() as f64;
    for (model, params) in [
        ("gbdt", &[][..]),
        ("random_forest", &["max_depth=4", "n_trees=20"][..]),
        ("decision_tree", &["max_depth=4"][..]),
        ("linfa_decision_tree", &["max_depth=4"][..]),
        ("svm", &[][..]),
        ("knn", &[][..]),
    ] {
        let mut args = vec![
            "--model",
            model,
            "--report",
            "plain.json",
            "--out",
            "plain.crisp",
        ];
        for p in params {
            args.extend(["--param", p]);
        }
        dir.train(&data, "income", &args).ok();
        args[3] = "balanced.json";
        args[5] = "balanced.crisp";
        args.extend(["--class-weight", "balanced"]);
        let out = dir.train(&data, "income", &args).ok();
        assert!(out.contains("class weights balanced"), "{out}");
        let (plain, balanced) = (dir.json("plain.json"), dir.json("balanced.json"));
        // Both are measured on the same held-out rows, unweighted.
        assert_eq!(plain["rows_test"], balanced["rows_test"]);
        assert_eq!(balanced["weights"]["weighted_metrics"], false);
        let (before, after) = (recall(&plain, ">50K"), recall(&balanced, ">50K"));
        assert!(
            after > before + 0.05,
            "{model}: recall of '>50K' {before:.3} unweighted, {after:.3} balanced"
        );
        // scikit-learn's "balanced": n_rows / (n_classes * rows of the class), on every
        // labeled row of the training file.
        let weights = &balanced["weights"]["class_weights"];
        let expected = [
            (">50K", n / (2.0 * rich)),
            ("<=50K", n / (2.0 * (n - rich))),
        ];
        for (class, w) in expected {
            let got = weights[class].as_f64().unwrap();
            assert!(
                (got - w).abs() < 1e-12,
                "{model}: {class} weighs {got}, not {w}"
            );
        }
    }
}

#[test]
fn a_weight_column_weighs_the_rows_and_is_not_an_input_of_the_model() {
    let dir = Dir::new();
    let plain = sample(&dir, "adult.csv", "plain.csv", 8, &["fnlwgt"], None);
    // The same rows with a constant weight: all 1 once scaled, which is the unweighted model.
    let constant = sample(
        &dir,
        "adult.csv",
        "constant.csv",
        8,
        &["fnlwgt"],
        Some(("w", "3")),
    );
    let census = sample(&dir, "adult.csv", "census.csv", 8, &[], None);
    dir.train(&plain, "income", &["--out", "plain.crisp"]).ok();
    dir.train(
        &constant,
        "income",
        &["--out", "constant.crisp", "--sample-weight", "w"],
    )
    .ok();
    assert_eq!(body(&dir, "plain.crisp"), body(&dir, "constant.crisp"));
    // fnlwgt (the census's weight of each person) changes the model; it is no feature.
    for out in ["census.crisp", "census_again.crisp"] {
        dir.train(
            &census,
            "income",
            &[
                "--out",
                out,
                "--sample-weight",
                "fnlwgt",
                "--report",
                "census.json",
            ],
        )
        .ok();
    }
    assert_ne!(body(&dir, "census.crisp"), body(&dir, "plain.crisp"));
    assert_eq!(body(&dir, "census.crisp"), body(&dir, "census_again.crisp"));
    let report = dir.json("census.json");
    assert_eq!(report["weights"]["sample_weight"], "fnlwgt");
    let features: Vec<&str> = report["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        !features.iter().any(|f| f.contains("fnlwgt")),
        "{features:?}"
    );
    let header: Value =
        serde_json::from_str(&dir.crisp(["inspect", "census.crisp", "--json"]).ok()).unwrap();
    let inputs = header["input_schema"]["columns"].as_array().unwrap();
    assert!(inputs.iter().all(|c| c["name"] != "fnlwgt"), "{inputs:?}");
    // Rows without the weight column are predicted.
    let test = sample(&dir, "adult_test.csv", "test.csv", 50, &["fnlwgt"], None);
    let test = test.to_str().unwrap();
    dir.crisp([
        "predict",
        "--model",
        "census.crisp",
        "--data",
        test,
        "--out",
        "p.csv",
    ])
    .ok();
    assert_eq!(
        text(&dir, "p.csv", "prediction").len(),
        text(&dir, "test.csv", "income").len()
    );
}

#[test]
fn weighted_metrics_are_the_weighted_metrics_of_the_evaluated_rows() {
    let dir = Dir::new();
    let data = sample(&dir, "adult.csv", "adult.csv", 8, &[], None);
    let test = sample(&dir, "adult_test.csv", "test.csv", 8, &[], None);
    let test = test.to_str().unwrap();
    let run = |report: &str, out: &str, more: &[&str]| {
        let mut args = vec!["--test-data", test, "--report", report, "--out", out];
        args.extend(more);
        dir.train(&data, "income", &args).ok()
    };
    run("plain.json", "a.crisp", &["--sample-weight", "fnlwgt"]);
    let out = run(
        "weighted.json",
        "b.crisp",
        &["--sample-weight", "fnlwgt", "--weighted-metrics"],
    );
    assert!(out.contains("metrics weighted too"), "{out}");
    // The same model, evaluated two ways.
    assert_eq!(body(&dir, "a.crisp"), body(&dir, "b.crisp"));
    dir.crisp([
        "predict", "--model", "a.crisp", "--data", test, "--out", "p.csv", "--proba",
    ])
    .ok();
    let truth = text(&dir, "test.csv", "income");
    let predicted = text(&dir, "p.csv", "prediction");
    let p_rich = values(&dir.frame("p.csv"), "proba_>50K");
    let fnlwgt = values(&dir.frame("test.csv"), "fnlwgt");
    // Accuracy and log loss by hand, each row counted once and weighted by its fnlwgt
    // (scikit-learn's sample_weight: a weighted mean).
    let accuracy = |w: &dyn Fn(usize) -> f64| {
        let (mut right, mut total) = (0.0, 0.0);
        for i in 0..truth.len() {
            total += w(i);
            if truth[i] == predicted[i] {
                right += w(i);
            }
        }
        right / total
    };
    let log_loss = |w: &dyn Fn(usize) -> f64| {
        let (mut loss, mut total) = (0.0, 0.0);
        for i in 0..truth.len() {
            let p = if truth[i] == ">50K" {
                p_rich[i]
            } else {
                1.0 - p_rich[i]
            };
            loss -= w(i) * p.clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln();
            total += w(i);
        }
        loss / total
    };
    let (plain, weighted) = (dir.json("plain.json"), dir.json("weighted.json"));
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(close(metric(&plain, "accuracy"), accuracy(&|_| 1.0)));
    assert!(close(
        metric(&weighted, "accuracy"),
        accuracy(&|i| fnlwgt[i])
    ));
    assert!(close(
        metric(&weighted, "log_loss"),
        log_loss(&|i| fnlwgt[i])
    ));
    assert!(close(metric(&plain, "log_loss"), log_loss(&|_| 1.0)));
    assert!((metric(&plain, "accuracy") - metric(&weighted, "accuracy")).abs() > 1e-4);
    // Every row still counts once in the confusion matrix.
    let counted: u64 = weighted["confusion_matrix"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|c| c.as_u64().unwrap()))
        .sum();
    assert_eq!(counted as usize, truth.len());

    // Class weights alone weigh the evaluated rows by their class.
    run(
        "classes.json",
        "c.crisp",
        &["--class-weight", ">50K=3", "--weighted-metrics"],
    );
    dir.crisp([
        "predict", "--model", "c.crisp", "--data", test, "--out", "pc.csv",
    ])
    .ok();
    let predicted = text(&dir, "pc.csv", "prediction");
    let (mut right, mut total) = (0.0, 0.0);
    for i in 0..truth.len() {
        let w = if truth[i] == ">50K" { 3.0 } else { 1.0 };
        total += w;
        if truth[i] == predicted[i] {
            right += w;
        }
    }
    let classes = dir.json("classes.json");
    assert!(close(metric(&classes, "accuracy"), right / total));
    assert_eq!(classes["weights"]["class_weights"][">50K"], 3.0);
    assert_eq!(classes["weights"]["class_weights"]["<=50K"], 1.0);
}

#[test]
fn weights_reach_every_fold_and_every_search_candidate() {
    let dir = Dir::new();
    let data = sample(&dir, "adult.csv", "adult.csv", 8, &[], None);
    let cv = |report: &str, more: &[&str]| {
        let mut args = vec![
            "--model",
            "decision_tree",
            "--param",
            "max_depth=4",
            "--cv",
            "3",
            "--report",
            report,
        ];
        args.extend(more);
        dir.train(&data, "income", &args).ok();
        dir.json(report)
    };
    let plain = cv("plain.json", &[]);
    let balanced = cv("balanced.json", &["--class-weight", "balanced"]);
    let mean = |r: &Value, m: &str| r["cv"]["metrics"][m]["mean"].as_f64().unwrap();
    // Unweighted folds: balancing the classes raises the recall of '>50K' in the out-of-fold
    // predictions of all folds together.
    let oof_recall = |r: &Value| {
        let cm = &r["confusion_matrix"];
        let rich = cm["labels"]
            .as_array()
            .unwrap()
            .iter()
            .position(|l| l == ">50K")
            .unwrap();
        let row: Vec<f64> = cm["counts"][rich]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_f64().unwrap())
            .collect();
        row[rich] / row.iter().sum::<f64>()
    };
    let (before, after) = (oof_recall(&plain), oof_recall(&balanced));
    assert!(
        after > before + 0.1,
        "{before} unweighted, {after} balanced"
    );
    assert_eq!(balanced["refit"], true);
    assert_eq!(balanced["weights"]["class_weight"], "balanced");
    // With weighted metrics each fold weighs its rows by their class: the weighted accuracy
    // is the mean recall of the classes (each class weighs as much in total), ROC AUC does not
    // move (within a class every row weighs the same) and the precisions do.
    let weighted = cv(
        "weighted.json",
        &["--class-weight", "balanced", "--weighted-metrics"],
    );
    assert!((mean(&weighted, "accuracy") - mean(&balanced, "balanced_accuracy")).abs() < 0.005);
    assert!((mean(&weighted, "roc_auc") - mean(&balanced, "roc_auc")).abs() < 1e-9);
    assert!((mean(&weighted, "precision_macro") - mean(&balanced, "precision_macro")).abs() > 0.03);

    // A search: every candidate and the refit take the weights.
    dir.train(
        &data,
        "income",
        &[
            "--search",
            "random",
            "--trials",
            "3",
            "--sample-weight",
            "fnlwgt",
            "--report",
            "search.json",
            "--out",
            "search.crisp",
        ],
    )
    .ok();
    let search = dir.json("search.json");
    assert_eq!(search["weights"]["sample_weight"], "fnlwgt");
    assert_eq!(search["rows_train"], 4071);
    // A search over a model that takes no weights stops on it.
    let config = dir.create(
        "space.toml",
        "[search]\nmethod = \"grid\"\n[search.space.logistic_regression]\nalpha = [1.0]\n",
    );
    dir.train(
        &data,
        "income",
        &[
            "--config",
            config.to_str().unwrap(),
            "--class-weight",
            "balanced",
        ],
    )
    .error(&["model 'logistic_regression' does not take class weights"]);
}

#[test]
fn models_without_weights_and_bad_weights_are_refused() {
    let dir = Dir::new();
    let adult = sample(&dir, "adult.csv", "adult.csv", 40, &[], None);
    let diamonds = sample(&dir, "diamonds.csv", "diamonds.csv", 40, &[], None);
    for model in ["logistic_regression", "gaussian_nb", "linfa_random_forest"] {
        dir.train(
            &adult,
            "income",
            &["--model", model, "--class-weight", "balanced"],
        )
        .error(&[
            &format!("model '{model}' does not take class weights"),
            "models that do: gbdt, random_forest, decision_tree, linfa_decision_tree, svm, knn",
        ]);
        dir.train(
            &adult,
            "income",
            &["--model", model, "--sample-weight", "fnlwgt"],
        )
        .error(&[&format!("model '{model}' does not take sample weights")]);
    }
    for model in ["svm", "knn"] {
        dir.train(
            &adult,
            "income",
            &["--model", model, "--sample-weight", "fnlwgt"],
        )
        .error(&[&format!(
            "model '{model}' does not take sample weights (only class weights)"
        )]);
    }
    for model in ["ridge", "lasso", "elastic_net", "linear_regression", "knn"] {
        dir.train(
            &diamonds,
            "price",
            &["--model", model, "--sample-weight", "carat"],
        )
        .error(&[&format!("model '{model}' does not take sample weights")]);
    }
    dir.train(&diamonds, "price", &["--class-weight", "balanced"])
        .error(&["class weights apply to classification", "'price'"]);
    dir.train(&adult, "income", &["--class-weight", "rich=2"])
        .error(&["'rich'", "its classes: <=50K, >50K"]);
    dir.train(&adult, "income", &["--class-weight", ">50K=-1"])
        .error(&["--class-weight", "'>50K'", "-1"]);
    dir.train(&adult, "income", &["--sample-weight", "wage"])
        .error(&["no sample weight column 'wage'"]);
    dir.train(&adult, "income", &["--sample-weight", "workclass"])
        .error(&["sample weight column 'workclass' holds text values"]);
    dir.train(&adult, "income", &["--sample-weight", "income"])
        .error(&["'income' cannot be both the target and the sample weight"]);
    dir.train(&adult, "income", &["--weighted-metrics"])
        .error(&["--weighted-metrics", "--class-weight or --sample-weight"]);
    // Bad values: the column and the first bad data row.
    let mut rows = String::from("x,w,label\n");
    for i in 0..40 {
        rows.push_str(&format!("{i},1.5,{}\n", if i < 20 { "a" } else { "b" }));
    }
    for (bad, said) in [
        ("-2", "is -2, below 0 on data row 8"),
        // The reader takes NaN and infinities for missing values.
        ("inf", "is missing on data row 8"),
        ("", "is missing on data row 8"),
    ] {
        let csv = rows.replacen("7,1.5,a", &format!("7,{bad},a"), 1);
        let path = dir.create("bad.csv", csv);
        dir.train(
            &path,
            "label",
            &["--model", "decision_tree", "--sample-weight", "w"],
        )
        .error(&["sample weight column 'w'", said]);
    }
    let zero = dir.create("zero.csv", rows.replace(",1.5,", ",0,"));
    dir.train(&zero, "label", &["--sample-weight", "w"])
        .error(&["'w' is 0 on every labeled row"]);
}

#[test]
fn the_train_section_of_the_pipeline_toml_sets_the_weights() {
    let dir = Dir::new();
    let data = sample(&dir, "adult.csv", "adult.csv", 16, &[], None);
    let config = dir.create(
        "pipeline.toml",
        "target = \"income\"\n[model]\nname = \"decision_tree\"\nparams = { max_depth = 4 }\n\
         [train]\nclass_weight = { \">50K\" = 3 }\nsample_weight = \"fnlwgt\"\nweighted_metrics = true\n",
    );
    let config = config.to_str().unwrap();
    dir.crisp([
        "train",
        "--data",
        data.to_str().unwrap(),
        "--config",
        config,
        "--report",
        "r.json",
    ])
    .ok();
    let report = dir.json("r.json");
    assert_eq!(report["weights"]["class_weights"][">50K"], 3.0);
    assert_eq!(report["weights"]["sample_weight"], "fnlwgt");
    assert_eq!(report["weights"]["weighted_metrics"], true);
    // The flag wins over the file.
    dir.crisp([
        "train",
        "--data",
        data.to_str().unwrap(),
        "--config",
        config,
        "--class-weight",
        "balanced",
        "--report",
        "r.json",
    ])
    .ok();
    assert_eq!(dir.json("r.json")["weights"]["class_weight"], "balanced");
    let bad = dir.create(
        "bad.toml",
        "target = \"income\"\n[train]\nclass_weight = { \">50K\" = \"heavy\" }\n",
    );
    dir.crisp([
        "train",
        "--data",
        data.to_str().unwrap(),
        "--config",
        bad.to_str().unwrap(),
    ])
    .error(&["[train] class_weight", "'>50K' must be a number"]);
}

#[test]
fn compare_weighs_every_model_alike_and_auto_searches_only_models_that_take_weights() {
    let dir = Dir::new();
    let data = sample(&dir, "adult.csv", "adult.csv", 8, &[], None);
    let models = "gbdt,knn";
    let run = |report: &str, more: &[&str]| {
        let mut args = vec![
            "compare",
            "--data",
            data.to_str().unwrap(),
            "--target",
            "income",
            "--models",
            models,
            "--report",
            report,
        ];
        args.extend(more);
        dir.crisp(args).ok();
        let json = dir.json(report);
        let by_model: Vec<(String, f64)> = json["leaderboard"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["model"].as_str().unwrap().to_string(),
                    e["metrics"]["balanced_accuracy"].as_f64().unwrap(),
                )
            })
            .collect();
        (json, by_model)
    };
    let (_, plain) = run("plain.json", &[]);
    let (report, balanced) = run("balanced.json", &["--class-weight", "balanced"]);
    assert_eq!(report["weights"]["class_weight"], "balanced");
    // The same held-out rows, unweighted metrics: balanced weights trade accuracy on the
    // majority class for recall on the minority one, so balanced accuracy rises for each.
    for (model, before) in &plain {
        let after = balanced.iter().find(|(m, _)| m == model).unwrap().1;
        assert!(
            after > before + 0.01,
            "{model}: balanced accuracy {before:.3} unweighted, {after:.3} balanced"
        );
    }
    dir.crisp([
        "compare",
        "--data",
        data.to_str().unwrap(),
        "--target",
        "income",
        "--models",
        "gbdt,gaussian_nb",
        "--sample-weight",
        "fnlwgt",
    ])
    .error(&["model 'gaussian_nb' does not take sample weights"]);

    // auto with weights: the linear baseline takes none, so every candidate is gbdt, and as
    // many as asked.
    dir.train(
        &data,
        "income",
        &[
            "--model",
            "auto",
            "--trials",
            "5",
            "--class-weight",
            "balanced",
            "--report",
            "auto.json",
            "--out",
            "auto.crisp",
        ],
    )
    .ok();
    let report = dir.json("auto.json");
    let list = report["leaderboard"]["entries"].as_array().unwrap();
    assert_eq!(list.len(), 5);
    assert!(list.iter().all(|e| e["model"] == "gbdt"), "{list:#?}");
    assert_eq!(report["auto"]["failed"].as_array().map_or(0, Vec::len), 0);
    assert!(recall(&report, ">50K") > 0.7, "{report:#}");
}
