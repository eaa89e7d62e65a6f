//! The validation gate on real data: slices, bootstrap bounds, baselines with negative metrics,
//! and `crisp train --until`.

use crate::util::{dataset, Dir};

fn adult_model(dir: &Dir) {
    dir.train(
        dataset("adult.csv"),
        "income",
        &[
            "--test-data",
            dataset("adult_test.csv").to_str().unwrap(),
            "--out",
            "adult.crisp",
        ],
    )
    .ok();
}

#[test]
fn a_slice_fails_while_the_whole_passes() {
    let dir = Dir::new();
    adult_model(&dir);
    let test = dataset("adult_test.csv");
    // Whole test set: about 0.87. Men: about 0.83, women: about 0.93.
    dir.crisp([
        "validate",
        "--model",
        "adult.crisp",
        "--data",
        test.to_str().unwrap(),
        "--threshold",
        "accuracy>=0.85",
    ])
    .ok();
    let out = dir
        .crisp([
            "validate",
            "--model",
            "adult.crisp",
            "--data",
            test.to_str().unwrap(),
            "--threshold",
            "accuracy>=0.85",
            "--slice",
            "sex",
            "--report",
            "slices.json",
        ])
        .code(1)
        .stdout();
    assert!(out.contains("slice sex=Male"), "{out}");
    let report = dir.json("slices.json");
    assert_eq!(report["passed"], false);
    assert_eq!(
        report["checks"][0]["status"], "passed",
        "the whole data passes"
    );
    let slices = report["slices"].as_array().unwrap();
    let male = slices.iter().find(|s| s["value"] == "Male").unwrap();
    let female = slices.iter().find(|s| s["value"] == "Female").unwrap();
    assert_eq!(male["passed"], false);
    assert_eq!(female["passed"], true);
    assert_eq!(
        male["rows"].as_u64().unwrap() + female["rows"].as_u64().unwrap(),
        16281
    );
    assert!(male["metrics"]["accuracy"].as_f64().unwrap() < 0.85);

    // Small slices are reported, not gated: races with fewer than 200 test rows.
    dir.crisp([
        "validate",
        "--model",
        "adult.crisp",
        "--data",
        test.to_str().unwrap(),
        "--threshold",
        "accuracy>=0.80",
        "--slice",
        "race",
        "--min-slice-rows",
        "200",
        "--report",
        "race.json",
    ])
    .ok();
    let race = dir.json("race.json");
    let small: Vec<&serde_json::Value> = race["slices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["gated"] == false)
        .collect();
    assert!(!small.is_empty());
    assert!(small
        .iter()
        .all(|s| s["rows"].as_u64().unwrap() < 200 && s["checks"].as_array().unwrap().is_empty()));
}

#[test]
fn a_bootstrap_bound_fails_while_the_point_value_passes() {
    let dir = Dir::new();
    let data = dataset("penguins.csv");
    dir.train(
        &data,
        "species",
        &[
            "--model",
            "decision_tree",
            "--param",
            "max_depth=2",
            "--out",
            "p.crisp",
        ],
    )
    .ok();
    // A small labeled sample: 60 rows of the real data.
    let text = std::fs::read_to_string(&data).unwrap();
    let sample: Vec<&str> = text
        .lines()
        .take(1)
        .chain(text.lines().skip(1).step_by(5).take(60))
        .collect();
    dir.create("sample.csv", sample.join("\n") + "\n");
    dir.crisp([
        "validate",
        "--model",
        "p.crisp",
        "--data",
        "sample.csv",
        "--report",
        "point.json",
    ])
    .ok();
    let point = dir.json("point.json")["metrics"]["accuracy"]
        .as_f64()
        .unwrap();
    let threshold = format!("accuracy>={:.4}", point - 0.01);
    dir.crisp([
        "validate",
        "--model",
        "p.crisp",
        "--data",
        "sample.csv",
        "--threshold",
        &threshold,
    ])
    .ok();
    let run = |seed: &str| {
        dir.crisp([
            "validate",
            "--model",
            "p.crisp",
            "--data",
            "sample.csv",
            "--threshold",
            &threshold,
            "--confidence",
            "0.95",
            "--seed",
            seed,
            "--report",
            "bound.json",
        ])
        .code(1);
        dir.json("bound.json")
    };
    let report = run("7");
    let check = &report["checks"][0];
    assert_eq!(check["status"], "failed");
    assert!((check["point"].as_f64().unwrap() - point).abs() < 1e-12);
    assert!(
        check["observed"].as_f64().unwrap() < point - 0.01,
        "the 95% lower bound is below the threshold"
    );
    assert_eq!(
        run("7")["checks"][0]["observed"],
        check["observed"],
        "seeded: reproducible"
    );
}

#[test]
fn relative_change_against_a_negative_r2_baseline() {
    let dir = Dir::new();
    let diamonds = dataset("diamonds.csv");
    for (name, model) in [("base", "linear_regression"), ("new", "gbdt")] {
        dir.train(
            &diamonds,
            "price",
            &["--model", model, "--out", &format!("{name}.crisp")],
        )
        .ok();
    }
    // Small stones only: the price varies little here, so the linear model's errors exceed the
    // variance and its r2 is negative.
    let text = std::fs::read_to_string(&diamonds).unwrap();
    let small: Vec<&str> = text
        .lines()
        .take(1)
        .chain(
            text.lines()
                .skip(1)
                .filter(|l| l.split(',').next().unwrap().parse::<f64>().unwrap() < 0.3),
        )
        .collect();
    dir.create("small.csv", small.join("\n") + "\n");
    dir.crisp([
        "validate",
        "--model",
        "new.crisp",
        "--data",
        "small.csv",
        "--baseline",
        "base.crisp",
        "--threshold",
        "r2>=baseline*1.5",
        "--report",
        "r.json",
    ])
    .ok();
    let report = dir.json("r.json");
    let check = &report["checks"][0];
    let baseline = check["baseline"].as_f64().unwrap();
    assert!(baseline < 0.0, "baseline r2 {baseline}");
    // Relative to |baseline|: bound = b + 0.5 |b|, which is above b even though b < 0.
    let bound = check["bound"].as_f64().unwrap();
    assert!((bound - (baseline + 0.5 * baseline.abs())).abs() < 1e-9);
    assert!(bound > baseline);
    assert!(check["observed"].as_f64().unwrap() >= bound);
    // The baseline compared to itself cannot be 50% better.
    dir.crisp([
        "validate",
        "--model",
        "base.crisp",
        "--data",
        "small.csv",
        "--baseline",
        "base.crisp",
        "--threshold",
        "r2>=baseline*1.5",
    ])
    .code(1);
}

#[test]
fn train_until_stops_at_the_first_candidate_that_clears() {
    let dir = Dir::new();
    let data = dataset("penguins.csv");
    let out = dir
        .train(
            &data,
            "species",
            &[
                "--until",
                "accuracy>=0.98",
                "--until",
                "f1_macro>=0.95",
                "--report",
                "r.json",
                "--out",
                "m.crisp",
            ],
        )
        .ok();
    assert!(out.contains("clears the thresholds"), "{out}");
    let report = dir.json("r.json");
    let attempts = report["search"]["attempts"].as_array().unwrap();
    let chosen = report["search"]["chosen"].as_u64().unwrap() as usize;
    assert_eq!(
        chosen,
        attempts.len() - 1,
        "the search stops at the first pass"
    );
    assert!(
        chosen >= 1,
        "the cheapest candidate (a depth-4 tree) is not enough here"
    );
    assert!(attempts[..chosen].iter().all(|a| a["passed"] == false));
    assert_eq!(attempts[chosen]["passed"], true);
    assert!(
        report["metrics"]["accuracy"].as_f64().unwrap() > 0.85,
        "evaluated once on the test split"
    );
    assert!(dir.path("m.crisp").exists());
}

#[test]
fn train_until_exits_1_when_the_budget_runs_out() {
    let dir = Dir::new();
    let data = dataset("wine_quality_red.csv");
    dir.train(
        &data,
        "quality",
        &[
            "--until",
            "accuracy>=0.95",
            "--budget",
            "3",
            "--report",
            "r.json",
            "--out",
            "m.crisp",
        ],
    )
    .code(1);
    let report = dir.json("r.json");
    assert_eq!(report["passed"], false);
    assert_eq!(report["search"]["attempts"].as_array().unwrap().len(), 3);
    assert!(
        report["best_attempt"]["validation_metrics"]["accuracy"]
            .as_f64()
            .unwrap()
            < 0.95
    );
    assert!(
        !dir.path("m.crisp").exists(),
        "no artifact for a model that never cleared the gate"
    );
    dir.train(&data, "quality", &["--until", "rmse<=1"])
        .error(&["rmse"]);
}

#[test]
fn the_example_ci_workflow_ships_only_a_passing_model() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ci-example/model-gate.sh");
    let datasets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let dir = Dir::new();
    let run = |gate: &str, out: &str| {
        std::process::Command::new("bash")
            .arg(&script)
            // The run store (./crisp.db) goes in the test's directory.
            .current_dir(dir.path(""))
            .env("CRISP", env!("CARGO_BIN_EXE_crisp"))
            .env("DATA", &datasets)
            .env("OUT", dir.path(out))
            .env("GATE", gate)
            .output()
            .unwrap()
    };
    let pass = run("accuracy>=0.83 roc_auc>=0.90", "pass");
    assert!(
        pass.status.success(),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path("pass/predictions.csv"))
            .unwrap()
            .lines()
            .count(),
        101
    );

    let fail = run("accuracy>=0.99", "fail");
    assert_eq!(fail.status.code(), Some(1), "the gate fails the build");
    assert!(
        !dir.path("fail/predictions.csv").exists(),
        "nothing shipped"
    );
    assert_eq!(dir.json("fail/gate.json")["passed"], false);
    // Both gates are in the run store, the failed one with its verdict.
    let gates: serde_json::Value = serde_json::from_str(
        &dir.crisp(["runs", "list", "--where", "command=validate", "--json"])
            .ok(),
    )
    .unwrap();
    let verdicts: Vec<&str> = gates
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["fail", "pass"]);
}

/// adult_test.csv rows transformed line by line (header kept).
fn adult_test_variant(
    dir: &Dir,
    name: &str,
    keep: impl Fn(usize, &[&str]) -> Option<String>,
) -> std::path::PathBuf {
    let text = std::fs::read_to_string(dataset("adult_test.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = vec![lines.next().unwrap().to_string()];
    for (i, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        if let Some(l) = keep(i, &fields) {
            out.push(l);
        }
    }
    dir.create(name, out.join("\n") + "\n")
}

#[test]
fn data_checks_run_before_the_model_checks() {
    let dir = Dir::new();
    adult_model(&dir);
    let validate = |data: &std::path::Path, extra: &[&str]| {
        let mut args: Vec<String> = [
            "validate",
            "--model",
            "adult.crisp",
            "--data",
            data.to_str().unwrap(),
            "--threshold",
            "accuracy>=0.5",
            "--report",
            "r.json",
        ]
        .map(String::from)
        .to_vec();
        args.extend(extra.iter().map(|s| s.to_string()));
        dir.crisp(args)
    };
    let same = dataset("adult_test.csv");
    validate(
        &same,
        &[
            "--max-psi",
            "0.1",
            "--max-null-rate-increase",
            "0.02",
            "--max-unseen-category-rate",
            "0.01",
        ],
    )
    .ok();
    let report = dir.json("r.json");
    let psi = report["data_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "psi" && c["column"] == "age")
        .unwrap();
    assert!(
        psi["observed"].as_f64().unwrap() < 0.02,
        "the official test split is distributed like the training file: {psi}"
    );

    // Only people over 50: the age distribution shifts.
    let older = adult_test_variant(&dir, "older.csv", |_, f| {
        (f[0].parse::<u32>().unwrap() > 50).then(|| f.join(","))
    });
    let out = validate(&older, &["--max-psi", "0.2"]).code(1).stdout();
    assert!(out.contains("FAIL psi[age]"), "{out}");
    let report = dir.json("r.json");
    assert_eq!(
        report["checks"][0]["status"], "passed",
        "the model still clears its threshold: only the data check fails"
    );

    // A fifth of occupations lost.
    let holes = adult_test_variant(&dir, "holes.csv", |i, f| {
        let mut f: Vec<String> = f.iter().map(|s| s.to_string()).collect();
        if i % 5 == 0 {
            f[6] = String::new();
        }
        Some(f.join(","))
    });
    let out = validate(&holes, &["--max-null-rate-increase", "0.05"])
        .code(1)
        .stdout();
    assert!(out.contains("FAIL null_rate_increase[occupation]"), "{out}");

    // A column the model reads is gone: the data check fails (exit 1) and the model is not run.
    let text = std::fs::read_to_string(dataset("adult_test.csv")).unwrap();
    let without_age: Vec<&str> = text.lines().map(|l| l.split_once(',').unwrap().1).collect();
    let no_age = dir.create("no_age.csv", without_age.join("\n") + "\n");
    let out = validate(&no_age, &[]).code(1).stdout();
    assert!(out.contains("missing_column[age]"), "{out}");
    assert!(out.contains("model checks not run"), "{out}");

    // Text where the model reads numbers: a failed data check too (exit 1), not a crash.
    let text_age = adult_test_variant(&dir, "text_age.csv", |i, f| {
        let mut f: Vec<String> = f.iter().map(|s| s.to_string()).collect();
        if i == 3 {
            f[0] = "unknown".into();
        }
        Some(f.join(","))
    });
    let out = validate(&text_age, &[]).code(1).stdout();
    assert!(out.contains("dtype_change[age]"), "{out}");
}

#[test]
fn junit_and_markdown_reports() {
    let dir = Dir::new();
    adult_model(&dir);
    dir.crisp([
        "validate",
        "--model",
        "adult.crisp",
        "--data",
        dataset("adult_test.csv").to_str().unwrap(),
        "--threshold",
        "accuracy>=0.85",
        "--threshold",
        "f1[>50K]>=0.6",
        "--slice",
        "sex",
        "--junit",
        "gate.xml",
        "--markdown",
        "gate.md",
    ])
    .code(1);
    let xml = dir.read("gate.xml");
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<testsuite name=\"model\""));
    assert!(
        xml.contains("name=\"f1[&gt;50K]&gt;=0.6\""),
        "class names are escaped: {xml}"
    );
    assert!(xml.contains("<testsuite name=\"slice sex=Male\"") && xml.contains("<failure"));
    let md = dir.read("gate.md");
    assert!(md.contains("❌"), "{md}");
    assert!(md.contains("| check | observed | limit | result |"), "{md}");
}
