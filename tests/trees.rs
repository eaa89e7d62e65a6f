//! crisp-trees' models through the binary on real data: binary (adult), multiclass with missing
//! values (penguins) and regression (diamonds); reproducibility with a seed.

use crate::util::{dataset, metric, Dir};

/// `crisp train` of `model` with `params` (each `name=value`) and `extra` arguments on `data`
/// (a path), writing m.crisp; returns the report.
fn train(
    dir: &Dir,
    data: impl AsRef<std::ffi::OsStr>,
    target: &str,
    model: &str,
    params: &[&str],
    extra: &[&str],
) -> serde_json::Value {
    let mut more = vec!["--model", model, "--report", "r.json", "--out", "m.crisp"];
    for p in params {
        more.extend(["--param", p]);
    }
    more.extend_from_slice(extra);
    dir.train(data, target, &more).ok();
    dir.json("r.json")
}

fn adult(model: &str, params: &[&str]) -> serde_json::Value {
    let dir = Dir::new();
    let test = dataset("adult_test.csv");
    train(
        &dir,
        dataset("adult.csv"),
        "income",
        model,
        params,
        &["--test-data", test.to_str().unwrap()],
    )
}

#[test]
fn gbdt_is_the_default_and_does_well_on_adult() {
    let dir = Dir::new();
    let test = dataset("adult_test.csv");
    dir.train(
        dataset("adult.csv"),
        "income",
        &["--test-data", test.to_str().unwrap(), "--report", "r.json"],
    )
    .ok();
    let report = dir.json("r.json");
    assert_eq!(report["model"], "gbdt");
    // scikit-learn's HistGradientBoostingClassifier with defaults scores about 0.87 here.
    let accuracy = metric(&report, "accuracy");
    assert!(accuracy > 0.865, "adult gbdt accuracy {accuracy}");
    let auc = metric(&report, "roc_auc");
    assert!(auc > 0.92, "adult gbdt roc_auc {auc}");
    // Categories are passed as codes, not one-hot columns: one feature per input column.
    assert_eq!(report["features"].as_array().unwrap().len(), 14);
}

#[test]
fn forest_and_tree_on_adult() {
    let forest = adult("random_forest", &["n_trees=30", "max_depth=12"]);
    let accuracy = metric(&forest, "accuracy");
    assert!(accuracy > 0.85, "random forest accuracy {accuracy}");
    let tree = adult("decision_tree", &["max_depth=8"]);
    let accuracy = metric(&tree, "accuracy");
    assert!(accuracy > 0.84, "depth-8 tree accuracy {accuracy}");
    assert!(
        metric(&tree, "log_loss") > metric(&forest, "log_loss"),
        "a forest's probabilities are better calibrated"
    );
}

#[test]
fn penguins_multiclass_with_missing_values() {
    for (model, params) in [
        ("gbdt", vec![]),
        ("random_forest", vec!["n_trees=30"]),
        ("decision_tree", vec![]),
    ] {
        let dir = Dir::new();
        let report = train(
            &dir,
            dataset("penguins.csv"),
            "species",
            model,
            &params,
            &["--test-fraction", "0.25"],
        );
        let accuracy = metric(&report, "accuracy");
        assert!(accuracy > 0.93, "{model} penguins accuracy {accuracy}");
        // Rows with missing measurements are predicted through the learned missing-value
        // routing, without imputation.
        let rows = dir
            .crisp([
                "predict",
                "--model",
                "m.crisp",
                "--data",
                dataset("penguins.csv").to_str().unwrap(),
                "--proba",
            ])
            .ok();
        let row_with_nans = rows.lines().nth(4).unwrap(); // data row 4 has no measurements
        let probs: Vec<f64> = row_with_nans
            .split(',')
            .skip(1)
            .map(|p| p.parse().unwrap())
            .collect();
        assert!(
            (probs.iter().sum::<f64>() - 1.0).abs() < 1e-9,
            "{model}: {row_with_nans}"
        );
    }
}

#[test]
fn diamonds_regression() {
    for (model, params, min_r2) in [
        ("gbdt", vec![], 0.975),
        ("random_forest", vec!["n_trees=20", "max_depth=14"], 0.975),
        ("decision_tree", vec!["max_depth=10"], 0.96),
    ] {
        let dir = Dir::new();
        let report = train(&dir, dataset("diamonds.csv"), "price", model, &params, &[]);
        assert_eq!(report["task"], "regression");
        let r2 = metric(&report, "r2");
        assert!(r2 > min_r2, "{model} diamonds r2 {r2}");
        assert!(metric(&report, "rmse") < 800.0, "{model} rmse");
    }
}

#[test]
fn same_seed_same_model_different_seed_different_model() {
    let dir = Dir::new();
    let data = dataset("penguins.csv");
    let run = |name: &str, model: &str, seed: &str| {
        dir.train(
            &data,
            "species",
            &[
                "--model",
                model,
                "--param",
                "subsample=0.7",
                "--seed",
                seed,
                "--report",
                &format!("{name}.json"),
                "--out",
                &format!("{name}.crisp"),
            ],
        )
        .ok();
        dir.crisp([
            "predict",
            "--model",
            &format!("{name}.crisp"),
            "--data",
            data.to_str().unwrap(),
            "--proba",
        ])
        .ok()
    };
    for model in ["random_forest", "gbdt"] {
        let a = run("a", model, "3");
        let b = run("b", model, "3");
        assert_eq!(a, b, "{model}: same seed, same predictions");
        assert_eq!(dir.json("a.json")["metrics"], dir.json("b.json")["metrics"]);
        let inspect = |name: &str| -> serde_json::Value {
            let mut h: serde_json::Value =
                serde_json::from_str(&dir.crisp(["inspect", name, "--json"]).ok()).unwrap();
            let fields = h.as_object_mut().unwrap();
            fields.remove("created_unix");
            // Each training is a run of its own in the run store.
            assert!(fields.remove("run").is_some_and(|r| r["id"].is_u64()));
            fields.remove("lineage");
            h
        };
        assert_eq!(
            inspect("a.crisp"),
            inspect("b.crisp"),
            "{model}: same header but for the time and the run"
        );
        let c = run("c", model, "4");
        assert_ne!(a, c, "{model}: another seed, another model");
    }
}

#[test]
fn bad_tree_parameters_are_named() {
    let dir = Dir::new();
    dir.create("d.csv", "x,y\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n");
    dir.train(
        "d.csv",
        "y",
        &["--model", "gbdt", "--param", "learning_rate=-1"],
    )
    .error(&["learning_rate", "-1"]);
    dir.train("d.csv", "y", &["--model", "gbdt", "--param", "rounds=5"])
        .error(&["rounds", "n_rounds"]);
}

#[test]
fn models_are_listed_with_their_parameters() {
    let dir = Dir::new();
    let out = dir.crisp(["models"]).ok();
    for name in [
        "gbdt",
        "random_forest",
        "decision_tree",
        "linfa_decision_tree",
        "linfa_random_forest",
        "linear_regression",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(name)),
            "{name} missing from:\n{out}"
        );
    }
    assert!(out.contains("learning_rate"), "{out}");
    dir.create("d.csv", "x,y\n1,a\n2,b\n");
    assert_eq!(dir.train("d.csv", "y", &["--model", "help"]).ok(), out);
}

#[test]
fn text_columns_with_hundreds_of_categories_still_train() {
    // Real values: adult's 41 native countries crossed with 16 education levels and
    // 7 marital statuses gives several hundred distinct categories, more than a tree splits
    // on natively, in a column that is not an identifier.
    let text = std::fs::read_to_string(dataset("adult.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (country, education, marital) = (
        col("native-country"),
        col("education"),
        col("marital-status"),
    );
    let mut out = format!("{},combo\n", header.join(","));
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        out.push_str(&format!(
            "{line},{}|{}|{}\n",
            f[country], f[education], f[marital]
        ));
    }
    let dir = Dir::new();
    dir.create("combo.csv", out);
    for model in ["gbdt", "linfa_decision_tree"] {
        let params: &[&str] = if model == "linfa_decision_tree" {
            &["max_depth=6"]
        } else {
            &[]
        };
        let report = train(&dir, "combo.csv", "income", model, params, &[]);
        let steps = report["feature_steps"].to_string();
        assert!(metric(&report, "accuracy") > 0.8, "{model}: {steps}");
        let features = report["features"].as_array().unwrap();
        if model == "gbdt" {
            // 1080 distinct combinations: more than 255 codes, so frequency-encoded.
            assert!(
                steps.contains(r#""kind":"frequency_encode""#) && steps.contains("combo"),
                "{steps}"
            );
            assert!(features.iter().any(|f| f == "combo"));
        } else {
            assert!(
                features.iter().any(|f| f == "combo=infrequent"),
                "one-hot capped, rest infrequent"
            );
        }
    }
}
