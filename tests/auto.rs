//! `crisp train --model auto [--time-budget D] [--trials N]` on adult and diamonds: the
//! budgeted search over gradient boosting settings and the linear baseline, its leaderboard,
//! the winner refit on every labeled row, the budget, reproducible bytes when the trials bound
//! the search, and the mistakes.

use serde_json::Value;

use crate::util::{body, dataset, entries, f, metric, sample, Dir};

#[test]
fn auto_on_adult_cross_validates_gbdt_and_logistic_regression_and_ships_the_best_refit() {
    let dir = Dir::new();
    // 4,071 rows: the 3,257 outside the 20% hold-out (814 rows) are few enough for 5-fold CV.
    let data = sample(&dir, "adult.csv", "a.csv", 8, false);
    let out = dir
        .train(
            &data,
            "income",
            &[
                "--model",
                "auto",
                "--trials",
                "8",
                "--time-budget",
                "10m",
                "--report",
                "r.json",
                "--out",
                "m.crisp",
            ],
        )
        .ok();
    assert!(out.contains("auto: gradient boosting settings and the linear baseline, a time budget of 10m, at most 8 candidates"), "{out}");
    assert!(
        out.contains("8 candidates scored on 5-fold cross-validation"),
        "{out}"
    );
    let report = dir.json("r.json");
    let auto = &report["auto"];
    assert_eq!(auto["budget_hit"], false, "{auto:#}");
    assert_eq!(auto["folds"], 5);
    assert_eq!(auto["candidates"], 8);
    let board = &report["leaderboard"];
    assert_eq!(board["method"], "auto");
    // Log loss ranks classes: a proper scoring rule.
    assert_eq!(board["metric"], "log_loss");
    assert_eq!(board["rows"], 3257);
    let list = entries(&report);
    assert_eq!(list.len(), 8);
    let scores: Vec<f64> = list.iter().map(|e| f(&e["score"])).collect();
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    // Candidate 0 is the default gbdt, so the winner scores at least as well as `train` would.
    let default = list.iter().find(|e| e["candidate"] == 0).unwrap();
    assert_eq!(default["model"], "gbdt");
    assert_eq!(default["params"], serde_json::json!({}));
    assert!(scores[0] <= f(&default["score"]));
    let logistic: Vec<&Value> = list
        .iter()
        .filter(|e| e["model"] == "logistic_regression")
        .collect();
    assert_eq!(logistic.len(), 3, "alpha 1, 0.1 and 10: {list:#?}");
    for e in list {
        assert!(f(&e["metrics"]["roc_auc"]) > 0.85, "{e}");
        let std = f(&e["std"]["log_loss"]);
        assert!(std > 0.0 && std < 0.05, "{e}");
    }
    // Early-stopped candidates report the rounds they kept.
    assert!(list
        .iter()
        .any(|e| e["params"]["early_stopping"] == "true" && f(&e["rounds"]) >= 1.0));
    // The winner is shipped: evaluated on the hold-out, then refit on all 4,071 rows.
    let best = &list[0];
    assert_eq!(auto["best"]["model"], best["model"]);
    assert_eq!(auto["best"]["params"], best["params"]);
    assert_eq!(report["model"], best["model"]);
    assert_eq!(report["refit"], true);
    assert_eq!(report["rows_train"], 4071);
    assert_eq!(report["rows_test"], 814);
    assert!(metric(&report, "roc_auc") > 0.88, "{report:#}");
    let header: Value =
        serde_json::from_str(&dir.crisp(["inspect", "m.crisp", "--json"]).ok()).unwrap();
    assert_eq!(header["rows_train"], 4071);
    assert_eq!(header["model"], best["model"]);
    if best["params"]["early_stopping"] == "true" {
        // Gradient boosting trains the rounds of the search, scaled to every row.
        let rounds = &auto["refit_rounds"];
        assert_eq!(rounds["rows_refit"], 4071);
        assert_eq!(
            header["model_params"]["n_rounds"],
            rounds["n_rounds"].to_string()
        );
        assert_eq!(header["model_params"]["early_stopping"], "false");
    }
    // The predictions of the shipped model.
    dir.crisp([
        "predict",
        "--model",
        "m.crisp",
        "--data",
        data.to_str().unwrap(),
        "--out",
        "p.csv",
    ])
    .ok();
    assert_eq!(dir.read("p.csv").lines().count(), 4072);
}

#[test]
fn auto_on_diamonds_scores_on_a_validation_split_and_is_reproducible_within_its_trials() {
    let dir = Dir::new();
    // 13,485 rows: the 10,788 outside the hold-out are above the cross-validation limit.
    let data = sample(&dir, "diamonds.csv", "d.csv", 4, false);
    let run = |name: &str, threads: &str| {
        dir.crisp_env(
            [
                "train",
                "--data",
                data.to_str().unwrap(),
                "--target",
                "price",
                "--model",
                "auto",
                "--trials",
                "5",
                "--time-budget",
                "10m",
                "--report",
                &format!("{name}.json"),
                "--out",
                &format!("{name}.crisp"),
            ],
            &[("RAYON_NUM_THREADS", threads)],
        )
        .ok();
        dir.json(&format!("{name}.json"))
    };
    let report = run("a", "2");
    let board = &report["leaderboard"];
    assert_eq!(board["scoring"], "validation");
    assert_eq!(board["fraction"], 0.2);
    assert_eq!(board["metric"], "rmse");
    let list = entries(&report);
    assert_eq!(list.len(), 5);
    assert!(list.iter().any(|e| e["model"] == "ridge"));
    for e in list {
        // Fitted on 80% of the 10,788 search rows.
        assert_eq!(e["rows"], 8630);
    }
    let rmse: Vec<f64> = list.iter().map(|e| f(&e["score"])).collect();
    assert!(rmse.windows(2).all(|w| w[0] <= w[1]), "{rmse:?}");
    // The linear baseline is far behind the trees on diamonds.
    let ridge = list.iter().find(|e| e["model"] == "ridge").unwrap();
    assert!(f(&ridge["score"]) > 1.5 * rmse[0], "{list:#?}");
    assert_eq!(report["model"], "gbdt");
    assert_eq!(report["rows_train"], 13485);
    assert!(metric(&report, "r2") > 0.97, "{report:#}");
    // The same search on one thread: the same leaderboard and the same model bytes.
    let again = run("b", "1");
    let ranked = |r: &Value| -> Vec<(Value, Value, Value)> {
        entries(r)
            .iter()
            .map(|e| {
                (
                    e["candidate"].clone(),
                    e["score"].clone(),
                    e["rounds"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(ranked(&report), ranked(&again));
    assert_eq!(body(&dir, "a.crisp"), body(&dir, "b.crisp"));
}

#[test]
fn auto_starts_no_candidate_after_its_time_budget() {
    let dir = Dir::new();
    let out = dir
        .train(
            dataset("adult.csv"),
            "income",
            &[
                "--model",
                "auto",
                "--time-budget",
                "2s",
                "--report",
                "r.json",
                "--out",
                "m.crisp",
            ],
        )
        .ok();
    assert!(out.contains("the time budget stopped the search"), "{out}");
    let report = dir.json("r.json");
    let auto = &report["auto"];
    assert_eq!(auto["budget_hit"], true);
    assert_eq!(auto["time_budget_seconds"], 2.0);
    let list = entries(&report);
    assert!(!list.is_empty() && list.len() < 20, "{}", list.len());
    assert!(report["leaderboard"]["skipped"].as_u64().unwrap() > 400);
    // Nothing started after 2 s: the search ends within the budget and the longest candidate
    // (those running at the deadline finish).
    let longest = list.iter().map(|e| f(&e["seconds"])).fold(0.0, f64::max);
    assert!(
        f(&auto["seconds"]) <= 2.0 + longest + 1.0,
        "{} s for the search, longest candidate {longest} s",
        auto["seconds"]
    );
    assert_eq!(report["rows_train"], 32561);
}

#[test]
fn auto_mistakes_are_one_sentence_errors() {
    let dir = Dir::new();
    let data = dataset("iris.csv");
    let train = |flags: &[&str]| dir.train(&data, "species", flags);
    train(&["--model", "auto", "--time-budget", "soon"])
        .error(&["--time-budget: 'soon' is not a time budget", "60s, 2m"]);
    train(&["--model", "auto", "--time-budget", "0s"]).error(&["more than 0 seconds"]);
    train(&["--model", "auto", "--time-budget", "-1m"]).error(&["more than 0 seconds"]);
    train(&["--time-budget", "30s"]).error(&["--time-budget limits a search", "--model auto"]);
    train(&["--model", "auto", "--search", "random"]).error(&["drop --search"]);
    train(&["--model", "auto", "--param", "max_leaves=7"]).error(&["drop --param"]);
    train(&["--model", "auto", "--trials", "0"]).error(&["--trials must be at least 1"]);
    train(&["--model", "auto", "--metric", "rmse"])
        .error(&["'rmse' is not a classification metric"]);
    train(&["--model", "auto", "--until", "accuracy>=0.9"]).error(&["--until", "--model auto"]);
}
