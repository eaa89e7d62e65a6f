use crate::util::{dataset, Dir};

/// Two penguin models: a deliberately weak stump and a real tree.
fn models(dir: &Dir) {
    let data = dataset("penguins.csv");
    for (name, depth) in [("stump", "1"), ("tree", "6")] {
        dir.train(
            &data,
            "species",
            &[
                "--model",
                "linfa_decision_tree",
                "--param",
                &format!("max_depth={depth}"),
                "--out",
                &format!("{name}.crisp"),
            ],
        )
        .ok();
    }
}

fn validate<'a>(
    dir: &Dir,
    model: &str,
    extra: impl IntoIterator<Item = &'a str>,
) -> crate::util::Run {
    let data = dataset("penguins.csv");
    let mut args: Vec<String> = [
        "validate",
        "--model",
        model,
        "--data",
        data.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.into_iter().map(String::from));
    dir.crisp(args)
}

#[test]
fn thresholds_pass_fail_and_report() {
    let dir = Dir::new();
    models(&dir);
    let out = validate(
        &dir,
        "tree.crisp",
        [
            "--threshold",
            "accuracy>=0.9",
            "--threshold",
            "f1_macro > 0.85",
            "--report",
            "ok.json",
        ],
    )
    .ok();
    assert!(out.contains("verdict: PASS (2 model checks"), "{out}");
    let report = dir.json("ok.json");
    assert_eq!(report["passed"], true);
    assert_eq!(report["rows"], 344);
    assert_eq!(report["checks"][0]["status"], "passed");
    assert_eq!(report["checks"][0]["bound"], 0.9);

    let out = validate(
        &dir,
        "stump.crisp",
        ["--threshold", "accuracy>=0.9", "--report", "fail.json"],
    )
    .code(1)
    .stdout();
    assert!(out.contains("verdict: FAIL (1 of "), "{out}");
    let report = dir.json("fail.json");
    assert_eq!(report["passed"], false);
    assert!(report["checks"][0]["observed"].as_f64().unwrap() < 0.9);
}

#[test]
fn bad_thresholds_are_errors_listing_metrics() {
    let dir = Dir::new();
    models(&dir);
    validate(&dir, "tree.crisp", ["--threshold", "acuracy>=0.9"])
        .error(&["acuracy", "accuracy", "f1_macro"]);
    validate(&dir, "tree.crisp", ["--threshold", "accuracy=>0.9"]).error(&["invalid threshold"]);
    validate(&dir, "tree.crisp", ["--threshold", "rmse<=3"]).error(&["rmse"]);
}

#[test]
fn change_thresholds_need_a_baseline() {
    let dir = Dir::new();
    models(&dir);
    validate(
        &dir,
        "tree.crisp",
        ["--threshold", "accuracy>=baseline-0.01"],
    )
    .error(&["--baseline"]);
    let out = validate(
        &dir,
        "tree.crisp",
        [
            "--threshold",
            "accuracy>=baseline-0.01",
            "--allow-missing-baseline",
        ],
    )
    .ok();
    assert!(out.contains("SKIP"), "{out}");
    validate(
        &dir,
        "tree.crisp",
        [
            "--threshold",
            "accuracy>=baseline-0.01",
            "--baseline",
            "stump.crisp",
        ],
    )
    .ok();
    validate(
        &dir,
        "stump.crisp",
        [
            "--threshold",
            "accuracy>=baseline-0.01",
            "--baseline",
            "tree.crisp",
        ],
    )
    .code(1);
}

#[test]
fn metrics_the_model_cannot_give_fail_with_a_reason() {
    let dir = Dir::new();
    models(&dir);
    // linfa's decision tree gives no probabilities, so roc_auc cannot be computed.
    let out = validate(&dir, "tree.crisp", ["--threshold", "roc_auc>=0.5"])
        .code(1)
        .stdout();
    assert!(
        out.contains("FAIL (") && out.contains("probabilit"),
        "{out}"
    );
}

#[test]
fn bless_then_require_blessed() {
    let dir = Dir::new();
    models(&dir);
    let data = dataset("penguins.csv");
    dir.crisp([
        "predict",
        "--model",
        "tree.crisp",
        "--data",
        data.to_str().unwrap(),
        "--require-blessed",
    ])
    .error(&["tree.crisp: the model is not blessed"]);
    let out = validate(
        &dir,
        "tree.crisp",
        ["--threshold", "accuracy>=0.9", "--bless"],
    )
    .ok();
    assert!(out.contains("blessed tree.crisp"), "{out}");
    let inspect = dir.crisp(["inspect", "tree.crisp"]).ok();
    assert!(
        inspect.contains("blessing        blessed (accuracy>=0.9)"),
        "{inspect}"
    );
    dir.crisp([
        "predict",
        "--model",
        "tree.crisp",
        "--data",
        data.to_str().unwrap(),
        "--require-blessed",
    ])
    .ok();

    validate(
        &dir,
        "stump.crisp",
        ["--threshold", "accuracy>=0.9", "--bless"],
    )
    .code(1);
    dir.crisp([
        "predict",
        "--model",
        "stump.crisp",
        "--data",
        data.to_str().unwrap(),
        "--require-blessed",
    ])
    .error(&["not blessed"]);
}

#[test]
fn thresholds_from_the_pipeline_toml() {
    let dir = Dir::new();
    models(&dir);
    dir.create(
        "gate.toml",
        "[validate]\nthresholds = [\"accuracy>=0.95\"]\n",
    );
    validate(&dir, "stump.crisp", ["--config", "gate.toml"]).code(1);
    // Data limits from the file: penguins against its own training data drifts little.
    dir.create(
        "data.toml",
        "[validate]\ndata = { max_psi = 0.5, max_null_rate_increase = 0.01 }\n",
    );
    validate(
        &dir,
        "tree.crisp",
        ["--config", "data.toml", "--report", "d.json"],
    )
    .ok();
    let report = dir.json("d.json");
    let gated: Vec<&serde_json::Value> = report["data_checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["limit"].is_number())
        .collect();
    assert!(
        gated
            .iter()
            .any(|c| c["check"] == "psi" && c["limit"] == 0.5),
        "{report:#}"
    );
    dir.create("bad.toml", "[validate]\ndata = { max_pis = 0.5 }\n");
    validate(&dir, "tree.crisp", ["--config", "bad.toml"]).error(&["bad.toml", "max_pis"]);
}
