//! Model selection through the binary on adult and diamonds (and dated files for time order):
//! cross-validation by rows, groups and time, grid / random / halving searches, `crisp
//! compare`, the refit on every labeled row, and reproducible model bytes with any number of
//! threads.

use std::path::PathBuf;

use serde_json::Value;

use crate::util::{body, dataset, entries, f, metric, sample, Dir};

/// `rows` under `header` as a CSV in `dir`.
fn write_rows(dir: &Dir, out: &str, header: &str, rows: &[&str]) -> PathBuf {
    let mut csv = format!("{header}\n");
    for r in rows {
        csv.push_str(r);
        csv.push('\n');
    }
    dir.create(out, csv)
}

/// The values of a text column of a CSV file.
fn labels(path: &std::path::Path, column: &str) -> Vec<Option<String>> {
    let frame = crisp_core::read_csv(path).unwrap().frame;
    let text = frame.column(column).unwrap().str().unwrap().clone();
    text.iter().map(|v| v.map(str::to_string)).collect()
}

/// The artifact header as `crisp inspect --json` prints it.
fn header(dir: &Dir, name: &str) -> Value {
    serde_json::from_str(&dir.crisp(["inspect", name, "--json"]).ok()).unwrap()
}

fn u(v: &Value) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}")) as usize
}

/// The scores of a leaderboard's entries are in rank order for its metric's direction.
fn assert_ranked(board: &Value) {
    let higher = board["higher_is_better"].as_bool().unwrap();
    let scores: Vec<f64> = board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| f(&e["score"]))
        .collect();
    for pair in scores.windows(2) {
        assert!(
            if higher {
                pair[0] >= pair[1]
            } else {
                pair[0] <= pair[1]
            },
            "not ranked: {scores:?}"
        );
    }
    let ranks: Vec<usize> = board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| u(&e["rank"]))
        .collect();
    assert_eq!(ranks, (1..=ranks.len()).collect::<Vec<_>>());
}

#[test]
fn cv_on_adult_evaluates_every_row_once_and_ships_a_model_fitted_on_all_of_them() {
    let dir = Dir::new();
    let out = dir
        .train(
            dataset("adult.csv"),
            "income",
            &["--cv", "5", "--report", "r.json", "--out", "m.crisp"],
        )
        .ok();
    assert!(out.contains("mean ± std over the folds"), "{out}");
    let report = dir.json("r.json");
    assert_eq!(report["evaluation"], "cv");
    assert_eq!(report["refit"], true);
    let cv = &report["cv"];
    assert_eq!(cv["k"], 5);
    assert_eq!(cv["split"], "stratified");
    let folds = cv["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 5);
    for fold in folds {
        assert_eq!(u(&fold["rows_train"]) + u(&fold["rows_test"]), 32561);
        let rows = u(&fold["rows_test"]);
        assert!((6512..=6513).contains(&rows), "{rows}");
    }
    // The mean and the (population) standard deviation are those of the per-fold values, and
    // the report's metrics are the means.
    for name in ["accuracy", "roc_auc", "f1_macro", "log_loss"] {
        let values: Vec<f64> = folds.iter().map(|fold| f(&fold["metrics"][name])).collect();
        let mean = values.iter().sum::<f64>() / 5.0;
        let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 5.0).sqrt();
        assert!(
            (f(&cv["metrics"][name]["mean"]) - mean).abs() < 1e-12,
            "{name}"
        );
        assert!(
            (f(&cv["metrics"][name]["std"]) - std).abs() < 1e-12,
            "{name}"
        );
        assert_eq!(metric(&report, name), f(&cv["metrics"][name]["mean"]));
        assert!(
            std > 0.0 && std < 0.02,
            "{name}: folds differ a little: {values:?}"
        );
    }
    assert!(metric(&report, "roc_auc") > 0.92, "{report:#}");
    // The out-of-fold predictions of all folds: every row once, classes as in the file.
    let counts = report["confusion_matrix"]["counts"].as_array().unwrap();
    let per_class: Vec<u64> = counts
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_u64().unwrap())
                .sum()
        })
        .collect();
    assert_eq!(per_class, vec![24720, 7841]);
    // The shipped model was fitted on every labeled row.
    assert_eq!(report["rows_train"], 32561);
    assert_eq!(report["rows_test"], 32561);
    assert_eq!(header(&dir, "m.crisp")["rows_train"], 32561);
}

#[test]
fn time_folds_train_on_the_earlier_rows_only_exactly_as_separate_runs_do() {
    // adult has no timestamp: its rows in file order, numbered, stand for time. With 2400 rows
    // and 3 folds each fold validates on 600 rows after every row it trained on.
    let dir = Dir::new();
    let text = std::fs::read_to_string(dataset("adult.csv")).unwrap();
    let mut lines = text.lines();
    let head = format!("{},row", lines.next().unwrap());
    let numbered: Vec<String> = lines
        .take(2400)
        .enumerate()
        .map(|(i, l)| format!("{l},{i}"))
        .collect();
    let rows: Vec<&str> = numbered.iter().map(String::as_str).collect();
    let data = write_rows(&dir, "a.csv", &head, &rows);
    dir.train(
        &data,
        "income",
        &[
            "--time", "row", "--cv", "3", "--report", "cv.json", "--out", "cv.crisp",
        ],
    )
    .ok();
    let cv = dir.json("cv.json");
    assert_eq!(cv["cv"]["split"], "time:row");
    let folds = cv["cv"]["folds"].as_array().unwrap();
    for (i, fold) in folds.iter().enumerate() {
        let train_rows = 600 * (i + 1);
        assert_eq!(u(&fold["rows_train"]), train_rows);
        assert_eq!(u(&fold["rows_test"]), 600);
        // The same fold as a plain run: the pipeline and the model see the earlier rows only,
        // and score exactly as the fold did.
        let train = write_rows(&dir, "train.csv", &head, &rows[..train_rows]);
        let test = write_rows(&dir, "test.csv", &head, &rows[train_rows..train_rows + 600]);
        dir.train(
            &train,
            "income",
            &[
                "--test-data",
                test.to_str().unwrap(),
                "--report",
                "one.json",
                "--out",
                "one.crisp",
            ],
        )
        .ok();
        let one = dir.json("one.json");
        for name in ["accuracy", "roc_auc", "log_loss"] {
            assert_eq!(
                metric(&one, name),
                f(&fold["metrics"][name]),
                "fold {i}: {name}"
            );
        }
    }
}

#[test]
fn time_order_on_dated_rows_and_on_diamonds_sorted_by_price() {
    let dir = Dir::new();
    // seattle_weather: one row a day over 1461 days: 3 folds of 365 days, each after its
    // training days.
    dir.train(
        dataset("seattle_weather.csv"),
        "weather",
        &[
            "--time", "date", "--cv", "3", "--report", "w.json", "--out", "w.crisp",
        ],
    )
    .ok();
    let folds = dir.json("w.json")["cv"]["folds"]
        .as_array()
        .unwrap()
        .clone();
    let sizes: Vec<(usize, usize)> = folds
        .iter()
        .map(|f| (u(&f["rows_train"]), u(&f["rows_test"])))
        .collect();
    assert_eq!(sizes, vec![(366, 365), (731, 365), (1096, 365)]);

    // diamonds.csv runs (in blocks) from cheap to expensive: in file order every validation
    // fold holds prices above those trained on, which a shuffled split hides.
    let data = sample(&dir, "diamonds.csv", "d.csv", 10, true);
    let r2 = |flags: &[&str]| {
        let mut args = vec!["--cv", "3", "--report", "d.json", "--out", "d.crisp"];
        args.extend_from_slice(flags);
        dir.train(&data, "price", &args).ok();
        metric(&dir.json("d.json"), "r2")
    };
    let shuffled = r2(&[]);
    let in_time = r2(&["--time", "row"]);
    assert!(shuffled > 0.95, "{shuffled}");
    assert!(
        in_time < shuffled - 0.2,
        "time {in_time} vs shuffled {shuffled}"
    );

    // A hold-out split by time keeps the latest fifth of the rows.
    dir.train(
        &data,
        "price",
        &[
            "--time",
            "row",
            "--no-refit",
            "--report",
            "h.json",
            "--out",
            "h.crisp",
        ],
    )
    .ok();
    let h = dir.json("h.json");
    assert_eq!(
        (h["rows_train"].clone(), h["rows_test"].clone()),
        (4315.into(), 1079.into())
    );
    assert!(metric(&h, "r2") < shuffled - 0.2, "{h:#}");
}

#[test]
fn group_folds_keep_every_group_on_one_side() {
    let dir = Dir::new();
    // 1200 adult rows, each twice, with the original row as the group: a fully grown tree
    // remembers rows, so folds that split a pair score the memory, not the model.
    let text = std::fs::read_to_string(dataset("adult.csv")).unwrap();
    let mut lines = text.lines();
    let head = format!("{},person", lines.next().unwrap());
    let doubled: Vec<String> = lines
        .take(1200)
        .enumerate()
        .flat_map(|(i, l)| [format!("{l},{i}"), format!("{l},{i}")])
        .collect();
    let refs: Vec<&str> = doubled.iter().map(String::as_str).collect();
    let data = write_rows(&dir, "twice.csv", &head, &refs);
    let accuracy = |flags: &[&str]| {
        let mut args = vec![
            "--model",
            "decision_tree",
            "--report",
            "g.json",
            "--out",
            "g.crisp",
        ];
        args.extend_from_slice(flags);
        dir.train(&data, "income", &args).ok();
        metric(&dir.json("g.json"), "accuracy")
    };
    let mixed = accuracy(&["--cv", "5"]);
    let grouped = accuracy(&["--cv", "5", "--group", "person"]);
    assert!(grouped < mixed - 0.05, "grouped {grouped} vs mixed {mixed}");
    let mixed = accuracy(&["--no-refit"]);
    let grouped = accuracy(&["--no-refit", "--group", "person"]);
    assert!(
        grouped < mixed - 0.05,
        "hold-out: grouped {grouped} vs mixed {mixed}"
    );

    // diamonds by cut: 5 values in 5 folds, one each (largest first into the emptiest fold).
    dir.train(
        dataset("diamonds.csv"),
        "price",
        &[
            "--group",
            "cut",
            "--cv",
            "5",
            "--param",
            "n_rounds=20",
            "--report",
            "c.json",
            "--out",
            "c.crisp",
        ],
    )
    .ok();
    let report = dir.json("c.json");
    assert_eq!(report["cv"]["split"], "group:cut");
    let mut sizes: Vec<usize> = report["cv"]["folds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| u(&f["rows_test"]))
        .collect();
    sizes.sort_unstable();
    // Fair, Good, Very Good, Premium, Ideal.
    assert_eq!(sizes, vec![1610, 4906, 12082, 13791, 21551]);
}

#[test]
fn random_search_on_adult_ranks_candidates_and_ships_the_best_refit() {
    let dir = Dir::new();
    let out = dir
        .train(
            dataset("adult.csv"),
            "income",
            &[
                "--search", "random", "--trials", "6", "--report", "r.json", "--out", "m.crisp",
            ],
        )
        .ok();
    assert!(out.contains("leaderboard: 6 candidates, roc_auc"), "{out}");
    let report = dir.json("r.json");
    let board = &report["leaderboard"];
    assert_eq!(board["method"], "random");
    assert_eq!(board["scoring"], "validation");
    assert_eq!(board["metric"], "roc_auc");
    assert_ranked(board);
    let list = entries(&report);
    assert_eq!(list.len(), 6);
    for e in list {
        assert_eq!(e["model"], "gbdt");
        // The default space of gbdt.
        let rate: f64 = e["params"]["learning_rate"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let leaves: u32 = e["params"]["max_leaves"].as_str().unwrap().parse().unwrap();
        assert!(
            (0.03..=0.3).contains(&rate) && (15..=63).contains(&leaves),
            "{e}"
        );
        assert!(["100", "300"].contains(&e["params"]["n_rounds"].as_str().unwrap()));
        // Scored on a fifth of the 26,049 rows outside the hold-out, fitted on the rest.
        assert_eq!(e["rows"], 20839);
        assert!(f(&e["score"]) > 0.9 && f(&e["score"]) == f(&e["metrics"]["roc_auc"]));
    }
    let distinct: std::collections::BTreeSet<String> =
        list.iter().map(|e| e["params"].to_string()).collect();
    assert_eq!(distinct.len(), 6);
    // The winner is shipped: evaluated on the hold-out, then refit on every row.
    let best = &list[0];
    assert_eq!(report["model"], best["model"]);
    for key in ["learning_rate", "max_leaves", "min_samples_leaf"] {
        assert_eq!(report["model_params"][key], best["params"][key], "{key}");
    }
    assert_eq!(report["refit"], true);
    assert_eq!(report["rows_train"], 32561);
    assert_eq!(report["rows_test"], 6512);
    assert!(metric(&report, "roc_auc") > 0.92);
}

#[test]
fn grid_search_over_two_models_from_the_pipeline_toml_scored_by_cv() {
    let dir = Dir::new();
    let data = sample(&dir, "diamonds.csv", "d.csv", 10, false);
    dir.create(
        "search.toml",
        r#"
target = "price"

[search]
method = "grid"
metric = "mae"
cv = 3

[search.space.decision_tree]
max_depth = [4, 8]
min_samples_leaf = { min = 1, max = 25, log = true }

[search.space.random_forest]
n_trees = 20
max_depth = [6, 10]
"#,
    );
    let out = dir
        .crisp([
            "train",
            "--data",
            data.to_str().unwrap(),
            "--config",
            "search.toml",
            "--report",
            "r.json",
            "--out",
            "m.crisp",
        ])
        .ok();
    assert!(out.contains("mean ± std over 3 folds"), "{out}");
    let report = dir.json("r.json");
    let board = &report["leaderboard"];
    assert_eq!(board["method"], "grid");
    assert_eq!(board["metric"], "mae");
    assert_eq!(board["higher_is_better"], false);
    assert_eq!(board["folds"], 3);
    assert_ranked(board);
    // Every combination once: 2 depths × 3 leaf sizes (1, 5, 25) and 2 forest depths.
    let mut seen: Vec<String> = entries(&report)
        .iter()
        .map(|e| {
            assert!(f(&e["std"]["mae"]) > 0.0, "{e}");
            assert_eq!(
                e["rows"], 4315,
                "the rows outside the hold-out, split into folds"
            );
            format!("{} {}", e["model"], e["params"])
        })
        .collect();
    seen.sort();
    let mut want = Vec::new();
    for depth in [4, 8] {
        for leaf in [1, 5, 25] {
            want.push(format!(
                r#""decision_tree" {{"max_depth":"{depth}","min_samples_leaf":"{leaf}"}}"#
            ));
        }
    }
    for depth in [6, 10] {
        want.push(format!(
            r#""random_forest" {{"max_depth":"{depth}","n_trees":"20"}}"#
        ));
    }
    want.sort();
    assert_eq!(seen, want);
    assert_eq!(report["model"], entries(&report)[0]["model"]);
    assert_eq!(report["rows_train"], 5394);
}

#[test]
fn halving_keeps_the_best_third_of_each_rung_on_three_times_the_rows() {
    let dir = Dir::new();
    let out = dir
        .train(
            dataset("adult.csv"),
            "income",
            &[
                "--search", "halving", "--trials", "27", "--metric", "log_loss", "--report",
                "r.json", "--out", "m.crisp",
            ],
        )
        .ok();
    assert!(out.contains("rung 2: 3 candidates on 20839 rows"), "{out}");
    let report = dir.json("r.json");
    let board = &report["leaderboard"];
    let rungs: Vec<(usize, usize)> = board["rungs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (u(&r["candidates"]), u(&r["rows"])))
        .collect();
    assert_eq!(rungs, vec![(27, 2315), (9, 6946), (3, 20839)]);
    let history = board["history"].as_array().unwrap();
    assert_eq!(history.len(), 27 + 9 + 3);
    for rung in 0..2 {
        // The candidates of the next rung are the ones with the lowest log loss in this one.
        let mut this: Vec<(f64, u64)> = history
            .iter()
            .filter(|t| t["rung"] == rung)
            .map(|t| (f(&t["score"]), t["candidate"].as_u64().unwrap()))
            .collect();
        this.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let keep = this.len().div_ceil(3);
        let mut best: Vec<u64> = this[..keep].iter().map(|t| t.1).collect();
        best.sort_unstable();
        let next: Vec<u64> = history
            .iter()
            .filter(|t| t["rung"] == rung + 1)
            .map(|t| t["candidate"].as_u64().unwrap())
            .collect();
        assert_eq!(next, best, "rung {rung}");
    }
    // The leaderboard: the last rung's three first, then the others by the rung they reached.
    let list = entries(&report);
    assert_eq!(list.len(), 27);
    assert!(list[..3].iter().all(|e| e["rung"] == 2));
    assert!(list[3..9].iter().all(|e| e["rung"] == 1));
    assert_eq!(report["model"], "gbdt");
    assert_eq!(report["rows_train"], 32561);
}

#[test]
fn compare_uses_the_same_folds_and_split_as_train() {
    let dir = Dir::new();
    let adult = sample(&dir, "adult.csv", "a.csv", 8, false);
    let out = dir
        .crisp([
            "compare",
            "--data",
            adult.to_str().unwrap(),
            "--target",
            "income",
            "--models",
            "gbdt,random_forest,decision_tree,linfa_decision_tree",
            "--cv",
            "3",
            "--report",
            "c.json",
        ])
        .ok();
    // linfa's tree gives no probabilities, so no roc_auc: the board ranks on accuracy.
    assert!(out.contains("leaderboard: 4 candidates, accuracy"), "{out}");
    let report = dir.json("c.json");
    let board = &report["leaderboard"];
    assert!(
        board["metric_fallback"]
            .as_str()
            .unwrap()
            .contains("linfa_decision_tree"),
        "{board:#}"
    );
    assert_ranked(board);
    let list = board["entries"].as_array().unwrap();
    assert!(list.iter().all(|e| e["rows"] == 4071));
    let gbdt = list.iter().find(|e| e["model"] == "gbdt").unwrap();
    assert!(
        f(&gbdt["metrics"]["accuracy"]) > f(&list[3]["metrics"]["accuracy"]),
        "{board:#}"
    );
    // The same folds as train --cv: the same mean and spread, to the last digit.
    dir.train(
        &adult,
        "income",
        &["--cv", "3", "--report", "t.json", "--out", "t.crisp"],
    )
    .ok();
    let train = dir.json("t.json");
    for name in ["accuracy", "roc_auc"] {
        assert_eq!(f(&gbdt["metrics"][name]), metric(&train, name));
        assert_eq!(
            f(&gbdt["std"][name]),
            f(&train["cv"]["metrics"][name]["std"])
        );
    }

    // diamonds on one hold-out split: the same split as train --no-refit.
    let diamonds = sample(&dir, "diamonds.csv", "d.csv", 5, false);
    dir.crisp([
        "compare",
        "--data",
        diamonds.to_str().unwrap(),
        "--target",
        "price",
        "--models",
        "gbdt,decision_tree,linear_regression",
        "--report",
        "d.json",
    ])
    .ok();
    let report = dir.json("d.json");
    let board = &report["leaderboard"];
    assert_eq!(board["metric"], "rmse");
    assert_eq!(board["scoring"], "holdout");
    assert_ranked(board);
    assert_eq!(board["entries"][0]["model"], "gbdt");
    assert_eq!(board["entries"][2]["model"], "linear_regression");
    dir.train(
        &diamonds,
        "price",
        &[
            "--model",
            "decision_tree",
            "--no-refit",
            "--report",
            "t.json",
            "--out",
            "t.crisp",
        ],
    )
    .ok();
    let tree = board["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["model"] == "decision_tree")
        .unwrap();
    assert_eq!(f(&tree["score"]), metric(&dir.json("t.json"), "rmse"));
}

#[test]
fn the_shipped_model_has_seen_every_labeled_row_unless_no_refit() {
    let dir = Dir::new();
    let penguins = dataset("penguins.csv");
    let run = |flags: &[&str], name: &str| {
        let report = format!("{name}.json");
        let out = format!("{name}.crisp");
        let mut args = vec!["--report", report.as_str(), "--out", out.as_str()];
        args.extend_from_slice(flags);
        dir.train(&penguins, "species", &args).ok();
        dir.json(&report)
    };
    let refit = run(&[], "refit");
    let evaluated = run(&["--no-refit"], "evaluated");
    assert_eq!(refit["refit"], true);
    assert_eq!(evaluated["refit"], false);
    // 344 labeled rows; 69 held out (stratified 20%).
    assert_eq!(refit["rows_train"], 344);
    assert_eq!(refit["rows_train_evaluated"], 275);
    assert_eq!(evaluated["rows_train"], 275);
    assert_eq!(refit["rows_test"], 69);
    assert_eq!(header(&dir, "refit.crisp")["rows_train"], 344);
    assert_eq!(header(&dir, "evaluated.crisp")["rows_train"], 275);
    // The estimate is the evaluated model's either way; the shipped models differ.
    assert_eq!(refit["metrics"], evaluated["metrics"]);
    assert_ne!(body(&dir, "refit.crisp"), body(&dir, "evaluated.crisp"));
    // The evaluated model predicts the held-out rows as reported; predicting the whole file,
    // the refit one (which saw those rows too) is at least as right on the rows it learned.
    let agree = |model: &str| {
        let predictions = dir
            .crisp([
                "predict",
                "--model",
                model,
                "--data",
                penguins.to_str().unwrap(),
            ])
            .ok();
        let truth = labels(&penguins, "species");
        predictions
            .lines()
            .skip(1)
            .zip(truth)
            .filter(|(p, t)| t.as_deref() == Some(*p))
            .count()
    };
    assert!(agree("refit.crisp") >= agree("evaluated.crisp"));

    // gbdt with early stopping on adult: the refit trains the rounds it chose, scaled to the
    // rows, without early stopping.
    dir.train(
        dataset("adult.csv"),
        "income",
        &["--report", "g.json", "--out", "g.crisp"],
    )
    .ok();
    let g = dir.json("g.json");
    let rounds = &g["refit_rounds"];
    let kept = f(&rounds["kept"]);
    let want = (kept * 32561.0 / f(&rounds["rows_boosted"])).round() as usize;
    assert_eq!(u(&rounds["n_rounds"]), want);
    assert!(want as f64 > kept, "more rows, more rounds");
    // 26,049 training rows, 10% of them held out by early stopping.
    assert!((f(&rounds["rows_boosted"]) - 26049.0 * 0.9).abs() < 1e-6);
    assert_eq!(g["model_params"]["n_rounds"], want.to_string());
    assert_eq!(g["model_params"]["early_stopping"], "false");
    assert!(
        g["model_description"]
            .as_str()
            .unwrap()
            .contains(&format!("{want} rounds")),
        "{g:#}"
    );

    // With --test-data the model is fitted on every row of --data already: nothing to refit.
    // --cv then adds the folds of --data next to the test file's metrics.
    dir.train(
        dataset("penguins.csv"),
        "species",
        &[
            "--cv",
            "3",
            "--test-data",
            penguins.to_str().unwrap(),
            "--report",
            "t.json",
            "--out",
            "t.crisp",
        ],
    )
    .ok();
    let t = dir.json("t.json");
    assert_eq!(t["refit"], false);
    assert_eq!(t["evaluation"], "test_data");
    assert_eq!(t["rows_train"], 344);
    assert_eq!(t["cv"]["folds"].as_array().unwrap().len(), 3);
    assert!(f(&t["cv"]["metrics"]["accuracy"]["mean"]) > 0.9, "{t:#}");

    // --until ends the same way: the passing candidate refit on every row.
    dir.train(
        &penguins,
        "species",
        &[
            "--until",
            "accuracy>=0.9",
            "--report",
            "u.json",
            "--out",
            "u.crisp",
        ],
    )
    .ok();
    let until = dir.json("u.json");
    assert_eq!(until["refit"], true);
    assert_eq!(until["rows_train"], 344);
    assert_eq!(until["rows_train_evaluated"], 275);
}

#[test]
fn same_data_config_and_seed_give_the_same_model_bytes_with_any_number_of_threads() {
    let dir = Dir::new();
    let data = sample(&dir, "adult.csv", "a.csv", 8, false);
    let run = |name: &str, seed: &str, threads: Option<&str>, flags: &[&str]| {
        let report = format!("{name}.json");
        let out = format!("{name}.crisp");
        let mut args = vec![
            "train",
            "--data",
            data.to_str().unwrap(),
            "--target",
            "income",
            "--seed",
            seed,
            "--report",
            &report,
            "--out",
            &out,
        ];
        args.extend_from_slice(flags);
        let env: Vec<(&str, &str)> = threads
            .map(|t| ("RAYON_NUM_THREADS", t))
            .into_iter()
            .collect();
        dir.crisp_env(args, &env).ok();
        let mut r = dir.json(&report);
        // Timings are the only things allowed to differ.
        strip_seconds(&mut r);
        (crisp_core::fingerprint(&body(&dir, &out)), r)
    };
    let search = ["--search", "random", "--trials", "4", "--cv", "3"];
    let (hash, report) = run("a", "11", None, &search);
    for (name, threads) in [("b", None), ("c", Some("1")), ("d", Some("3"))] {
        let (again, r) = run(name, "11", threads, &search);
        assert_eq!(again, hash, "{name}: {threads:?} threads");
        assert_eq!(r["leaderboard"], report["leaderboard"], "{name}");
        assert_eq!(r["metrics"], report["metrics"], "{name}");
    }
    let cv = [
        "--cv",
        "4",
        "--model",
        "random_forest",
        "--param",
        "n_trees=20",
    ];
    let (hash, report) = run("e", "11", None, &cv);
    let (again, r) = run("f", "11", Some("1"), &cv);
    assert_eq!(again, hash);
    assert_eq!(r["cv"], report["cv"]);
    // Another seed, other folds and another forest.
    let (other, r) = run("g", "12", None, &cv);
    assert_ne!(other, hash);
    assert_ne!(r["cv"], report["cv"]);
}

/// Removes every `seconds` and `train_seconds` field.
fn strip_seconds(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("seconds");
            map.remove("train_seconds");
            for value in map.values_mut() {
                strip_seconds(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_seconds),
        _ => {}
    }
}

#[test]
fn selection_mistakes_are_one_sentence_errors() {
    let dir = Dir::new();
    let penguins = dataset("penguins.csv");
    let train = |flags: &[&str]| dir.train(&penguins, "species", flags);
    train(&["--cv", "1"]).error(&["--cv must be at least 2"]);
    train(&["--cv", "5", "--no-refit"]).error(&["--no-refit", "--cv"]);
    train(&["--cv", "5", "--test-fraction", "0.3"]).error(&["--test-fraction"]);
    train(&["--group", "nothing", "--cv", "3"]).error(&["'nothing'"]);
    train(&["--group", "island", "--cv", "5"])
        .error(&["group column 'island' has 3 distinct values", "5 folds"]);
    train(&["--time", "sex", "--cv", "3"]).error(&["time column 'sex' is missing on data row 4"]);
    train(&["--search", "bayes"]).error(&["unknown search method 'bayes'", "grid, random"]);
    train(&["--trials", "3"]).error(&["--search"]);
    train(&["--search", "random", "--metric", "rmse"])
        .error(&["'rmse' is not a classification metric"]);
    train(&["--search", "grid", "--model", "linear_regression"])
        .error(&["'linear_regression' does not do classification"]);
    train(&["--search", "random", "--param", "n_trees=5"])
        .error(&["'n_trees'", "no model searched (gbdt)"]);
    dir.create(
        "bad.toml",
        "[search]\nmethod = \"grid\"\n[search.space.gbdt]\nmax_leafs = [7, 15]\n",
    );
    train(&["--config", "bad.toml"]).error(&["'max_leafs'", "max_leaves"]);
    dir.create(
        "range.toml",
        "[search.space.gbdt]\nl2 = { min = 0, max = 1, log = true }\n",
    );
    train(&["--config", "range.toml"]).error(&["l2", "min > 0"]);
    dir.crisp([
        "compare",
        "--data",
        penguins.to_str().unwrap(),
        "--target",
        "species",
        "--models",
        "gbdt,no_such_model",
    ])
    .error(&["unknown model 'no_such_model'"]);
}
