//! HTML reports (issue 15): `train --html`, `validate --html`, `profile --html` and
//! `runs report --html` on the bundled datasets. The pages hold every plot their task calls
//! for, the numbers in them are the run's own, they are self-contained, and they are written
//! with the other outputs or not at all.

use serde_json::Value;

use crate::util::{dataset, f, Dir};

/// The figures of `page` named `name`: the text of each `<figure>` element.
fn figures<'a>(page: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<figure class=\"plot\" data-plot=\"{name}\"");
    page.match_indices(&open)
        .map(|(at, _)| {
            let end = page[at..].find("</figure>").expect("a closed figure");
            &page[at..at + end]
        })
        .collect()
}

/// The one figure of `page` named `name`.
fn figure<'a>(page: &'a str, name: &str) -> &'a str {
    let found = figures(page, name);
    assert_eq!(
        found.len(),
        1,
        "expected one '{name}' plot, found {}",
        found.len()
    );
    found[0]
}

/// Texts drawn in an SVG (plotters writes each `<text>` element's content on its own line).
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..t.find("</text>")?];
            Some(body.trim().to_string())
        })
        .collect()
}

/// Self-contained: no script, no stylesheet or image fetched, no address but SVG's namespace.
fn assert_self_contained(page: &str) {
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script"), "a report runs no script");
    assert!(!page.contains("<link") && !page.contains("<img"));
    let addresses = page.matches("http://").count() + page.matches("https://").count();
    let namespaces = page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
    assert_eq!(
        addresses, namespaces,
        "only SVG namespaces may name an address"
    );
}

#[test]
fn a_binary_classifier_s_train_page_draws_its_own_evaluation() {
    let dir = Dir::new();
    dir.train(
        dataset("adult.csv"),
        "income",
        &[
            "--out",
            "m.crisp",
            "--report",
            "r.json",
            "--html",
            "r.html",
            "--no-track",
        ],
    )
    .ok();
    let page = dir.read("r.html");
    let report = dir.json("r.json");
    assert_self_contained(&page);
    assert!(page.contains("<body data-report=\"train\">"));
    for name in [
        "confusion_matrix",
        "roc",
        "pr",
        "calibration",
        "proba_histogram",
        "feature_importance",
        "drift_psi",
    ] {
        assert!(figure(&page, name).contains("<svg"), "{name} has no SVG");
    }
    assert_eq!(figures(&page, "drift_overlay").len(), 4);
    assert!(figures(&page, "residuals").is_empty());

    // The metrics table and the confusion matrix are the JSON report's.
    let metrics = &report["metrics"];
    let auc = format!("<td class=\"num\">{:.4}</td>", f(&metrics["roc_auc"]));
    assert!(page.contains(&auc), "roc_auc {auc} not in the table");
    let drawn = texts(figure(&page, "confusion_matrix"));
    let cm = &report["confusion_matrix"]["counts"];
    let mut total = 0;
    for row in cm.as_array().unwrap() {
        for count in row.as_array().unwrap() {
            let count = count.as_u64().unwrap();
            total += count;
            assert!(drawn.contains(&count.to_string()), "cell {count} not drawn");
        }
    }
    assert_eq!(total, report["rows_test"].as_u64().unwrap());

    // Importance names every input column (adult has 14, all shown) once.
    let importance = texts(figure(&page, "feature_importance"));
    let header = std::fs::read_to_string(dataset("adult.csv")).unwrap();
    let inputs: Vec<&str> = header
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(str::trim)
        .filter(|c| *c != "income")
        .collect();
    assert_eq!(inputs.len(), 14);
    for column in inputs {
        let drawn = importance.iter().filter(|t| *t == column).count();
        assert_eq!(drawn, 1, "{column} drawn {drawn} times");
    }
}

#[test]
fn a_regression_page_draws_residuals_and_a_multiclass_page_one_curve_per_class() {
    let dir = Dir::new();
    dir.train(
        dataset("diamonds.csv"),
        "price",
        &[
            "--out",
            "d.crisp",
            "--report",
            "d.json",
            "--html",
            "d.html",
            "--no-track",
        ],
    )
    .ok();
    let page = dir.read("d.html");
    assert_self_contained(&page);
    let rows = dir.json("d.json")["rows_test"].as_u64().unwrap() as usize;
    for name in ["residuals", "predicted_vs_actual"] {
        let points = figure(&page, name).matches("<circle").count();
        assert_eq!(
            points,
            rows.min(3000),
            "{name}: one point per row, at most 3000"
        );
    }
    for name in ["confusion_matrix", "roc", "calibration"] {
        assert!(
            figures(&page, name).is_empty(),
            "{name} on a regression page"
        );
    }
    assert!(!figures(&page, "feature_importance").is_empty());

    dir.train(
        dataset("iris.csv"),
        "species",
        &["--out", "i.crisp", "--html", "i.html", "--no-track"],
    )
    .ok();
    let page = dir.read("i.html");
    let roc = texts(figure(&page, "roc"));
    for class in ["setosa", "versicolor", "virginica"] {
        let legend = format!("{class} vs rest");
        assert!(roc.contains(&legend), "no '{legend}' curve: {roc:?}");
    }
    assert!(figure(&page, "confusion_matrix").contains("<rect"));
}

#[test]
fn a_failed_gate_s_page_shows_the_verdict_the_slices_and_the_drift() {
    let dir = Dir::new();
    dir.train(
        dataset("adult.csv"),
        "income",
        &["--out", "m.crisp", "--no-track"],
    )
    .ok();
    // accuracy >= 0.9 fails on adult's test file; the page and the JSON report are written
    // with the verdict all the same.
    dir.crisp([
        "validate",
        "--model",
        "m.crisp",
        "--data",
        dataset("adult_test.csv").to_str().unwrap(),
        "--threshold",
        "roc_auc>=0.8",
        "--threshold",
        "accuracy>=0.9",
        "--slice",
        "sex",
        "--max-psi",
        "0.2",
        "--report",
        "v.json",
        "--html",
        "v.html",
        "--no-track",
    ])
    .code(1);
    let page = dir.read("v.html");
    let report = dir.json("v.json");
    assert_self_contained(&page);
    assert!(page.contains("<body data-report=\"validate\">"));
    assert!(page.contains("<section class=\"verdict\" data-passed=\"false\">"));
    assert_eq!(report["passed"], Value::Bool(false));
    // Each threshold is a row with its outcome.
    assert!(page.contains("<td>roc_auc&gt;=0.8</td>"));
    assert!(page.contains("<td>accuracy&gt;=0.9</td>"));
    assert!(page.contains("<span class=\"badge fail\">fail</span>"));
    // One bar chart per threshold metric over the slices, with the threshold drawn.
    let slices = figures(&page, "slice_metrics");
    assert_eq!(slices.len(), 2);
    assert!(slices
        .iter()
        .any(|s| texts(s).iter().any(|t| t == "accuracy&gt;=0.9")));
    for value in ["Female", "Male"] {
        assert!(slices[0].contains(value), "slice {value} not drawn");
    }
    // PSI against the gate's limit, and the distributions of the most drifted columns.
    assert!(texts(figure(&page, "drift_psi"))
        .iter()
        .any(|t| t == "max_psi 0.2"));
    let overlays = figures(&page, "drift_overlay");
    assert_eq!(overlays.len(), 4);
    for o in &overlays {
        let legend = texts(o);
        assert!(legend.iter().any(|t| t == "training"));
        assert!(legend.iter().any(|t| t == "the validation data"));
    }
}

#[test]
fn the_profile_page_draws_every_column_the_correlations_and_the_target() {
    let dir = Dir::new();
    dir.crisp([
        "profile",
        dataset("adult.csv").to_str().unwrap(),
        "--target",
        "income",
        "--json",
        "p.json",
        "--html",
        "p.html",
    ])
    .ok();
    let page = dir.read("p.html");
    let profile = dir.json("p.json");
    assert_self_contained(&page);
    assert!(page.contains("<body data-report=\"profile\">"));
    let columns = profile["columns"].as_array().unwrap();
    let kinds = |kind: &str| columns.iter().filter(|c| c["kind"] == kind).count();
    assert_eq!(figures(&page, "histogram").len(), kinds("numeric"));
    assert_eq!(
        figures(&page, "top_values").len(),
        kinds("text") + kinds("boolean")
    );
    for c in columns {
        let name = c["name"].as_str().unwrap();
        assert!(
            page.contains(&format!("data-column=\"{name}\"")),
            "column {name} has no plot"
        );
    }
    let balance = texts(figure(&page, "target_balance"));
    assert!(balance.contains(&"&lt;=50K".to_string()) && balance.contains(&"&gt;50K".to_string()));
    assert!(figure(&page, "target_correlation").contains("<rect"));
    let corr = figure(&page, "correlation");
    // A correlation matrix has 1.00 on its diagonal, once per numeric column.
    assert_eq!(
        texts(corr).iter().filter(|t| *t == "1.00").count(),
        kinds("numeric")
    );
}

#[test]
fn runs_report_puts_a_target_s_training_runs_side_by_side() {
    let dir = Dir::new();
    let data = dataset("diamonds.csv");
    for rounds in ["20", "60", "120"] {
        dir.train(
            &data,
            "price",
            &["--out", "m.crisp", "--param", &format!("n_rounds={rounds}")],
        )
        .ok();
    }
    dir.train(dataset("iris.csv"), "species", &["--out", "i.crisp"])
        .ok();
    let out = dir
        .crisp(["runs", "report", "--target", "price", "--html", "runs.html"])
        .ok();
    assert!(
        out.starts_with("3 training runs of 'price' (rmse)"),
        "{out}"
    );
    let page = dir.read("runs.html");
    assert_self_contained(&page);
    let over_time = figure(&page, "metric_over_time");
    assert_eq!(
        over_time.matches("<circle").count(),
        3,
        "one marker per run"
    );
    let params = figures(&page, "param_vs_metric");
    let rounds = params
        .iter()
        .find(|p| p.contains("data-column=\"n_rounds\""))
        .expect("n_rounds against rmse");
    assert_eq!(rounds.matches("<circle").count(), 3);
    // The newest target by default; a target never trained is named with the known ones.
    let out = dir.crisp(["runs", "report", "--html", "last.html"]).ok();
    assert!(
        out.starts_with("1 training runs of 'species' (roc_auc)"),
        "{out}"
    );
    dir.crisp(["runs", "report", "--target", "carat", "--html", "x.html"])
        .error(&[
            "no finished training run of target 'carat'",
            "price",
            "species",
        ]);
    assert!(!dir.path("x.html").exists());
}

#[test]
fn the_page_is_written_with_the_artifact_or_not_at_all() {
    let dir = Dir::new();
    dir.train(
        dataset("iris.csv"),
        "species",
        &["--out", "m.crisp", "--html", "missing/r.html", "--no-track"],
    )
    .error(&["missing/r.html"]);
    assert!(
        !dir.path("m.crisp").exists(),
        "no artifact without its page"
    );
    // Cross-validation keeps no held-out predictions: the page says so and draws no curve.
    dir.train(
        dataset("iris.csv"),
        "species",
        &[
            "--out",
            "m.crisp",
            "--cv",
            "3",
            "--html",
            "cv.html",
            "--no-track",
        ],
    )
    .ok();
    let page = dir.read("cv.html");
    assert!(page.contains("cross-validation keeps each fold&#39;s metrics only"));
    assert!(figures(&page, "roc").is_empty());
    assert!(page.contains("<table class=\"metrics\">"));
}
