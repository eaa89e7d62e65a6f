use crate::util::{dataset, Dir};

/// Rows of wine_quality_red.csv with quality >= 7, counted directly from the file.
fn good_wines() -> (usize, usize) {
    let text = std::fs::read_to_string(dataset("wine_quality_red.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let q = header.iter().position(|h| *h == "quality").unwrap();
    let qualities: Vec<i64> = lines
        .map(|l| l.split(',').nth(q).unwrap().parse().unwrap())
        .collect();
    (
        qualities.iter().filter(|&&v| v >= 7).count(),
        qualities.len(),
    )
}

#[test]
fn wine_labeled_by_threshold() {
    let dir = Dir::new();
    let (good, rows) = good_wines();
    let out = dir
        .crisp([
            "label",
            "--data",
            dataset("wine_quality_red.csv").to_str().unwrap(),
            "--rule",
            "CASE WHEN quality >= 7 THEN 'good' ELSE 'ordinary' END",
            "--target",
            "grade",
            "--out",
            "labeled.csv",
            "--report",
            "label.json",
        ])
        .ok();
    assert!(
        out.contains(&format!("labeled {rows} of {rows} rows")),
        "{out}"
    );
    let report = dir.json("label.json");
    assert_eq!(report["classes"]["good"], good);
    assert_eq!(report["classes"]["ordinary"], rows - good);
    let labeled = dir.read("labeled.csv");
    assert!(labeled.lines().next().unwrap().ends_with(",quality,grade"));
    assert_eq!(labeled.lines().count(), rows + 1);
}

#[test]
fn train_with_a_label_section() {
    let dir = Dir::new();
    dir.create(
        "wine.toml",
        r#"
[label]
rule = "CASE WHEN quality >= 7 THEN 'good' ELSE 'ordinary' END"
target = "grade"

[model]
name = "linfa_decision_tree"
params = { max_depth = 6 }

[[features.steps]]
kind = "drop"
columns = ["quality"]

[[features.steps]]
kind = "standard_scale"
dtype = "numeric"
"#,
    );
    dir.crisp([
        "train",
        "--data",
        dataset("wine_quality_red.csv").to_str().unwrap(),
        "--config",
        "wine.toml",
        "--report",
        "r.json",
        "--out",
        "w.crisp",
    ])
    .ok();
    let report = dir.json("r.json");
    assert_eq!(report["target"], "grade");
    assert_eq!(report["classes"], serde_json::json!(["good", "ordinary"]));
    assert!(
        !report["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "quality"),
        "the label's source is not a feature"
    );
    // 13.6% of wines are good, so always answering "ordinary" scores f1_macro 0.46
    // (0.93 for ordinary, 0 for good): well above that, the features carry signal.
    let f1 = report["metrics"]["f1_macro"].as_f64().unwrap();
    assert!(f1 > 0.6, "f1_macro {f1}");
}

#[test]
fn bad_rules_name_the_rule() {
    let dir = Dir::new();
    dir.crisp([
        "label",
        "--data",
        dataset("wine_quality_red.csv").to_str().unwrap(),
        "--rule",
        "CASE WHEN qualty > 5 THEN 'x' END",
        "--out",
        "o.csv",
    ])
    .error(&["rule 'CASE WHEN qualty > 5 THEN 'x' END' refers to a column that does not exist"]);
    assert!(!dir.path("o.csv").exists());
}
