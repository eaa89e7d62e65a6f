//! Run tracking (issue 14): every train, validate and label recorded in the run store,
//! `crisp runs list / show / compare`, filters, --no-track, --store and CRISP_STORE, a store
//! of the first schema, concurrent writers, and lineage from a labeling run to `inspect`.

use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{dataset, Dir};

/// `crisp runs list --json` (with `more` flags), parsed.
fn runs(dir: &Dir, more: &[&str]) -> Vec<Value> {
    let mut args = vec!["runs", "list", "--json"];
    args.extend_from_slice(more);
    let out = dir.crisp(&args).ok();
    serde_json::from_str::<Value>(&out)
        .unwrap_or_else(|e| panic!("runs list --json is not JSON ({e}):\n{out}"))
        .as_array()
        .unwrap_or_else(|| panic!("not an array:\n{out}"))
        .clone()
}

/// A line of `crisp runs show`: the name in 15 columns, then the value.
fn shown(name: &str, value: &str) -> String {
    format!("{name:<15} {value}")
}

/// A line of `crisp inspect`: the label in 16 columns, then the value.
fn inspected(label: &str, value: &str) -> String {
    format!("{label:<16}{value}")
}

fn ids(runs: &[Value]) -> Vec<u64> {
    runs.iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

/// A bundled dataset's path as text.
fn path(name: &str) -> String {
    dataset(name).to_str().expect("a UTF-8 path").to_string()
}

fn fingerprint_of(dir: &Dir, name: &str) -> String {
    crisp_core::fingerprint(&std::fs::read(dir.path(name)).unwrap())
}

/// Train a decision tree of depth `depth` on iris into `out`.
fn train_iris(dir: &Dir, depth: &str, out: &str) -> String {
    let param = format!("max_depth={depth}");
    dir.train(
        dataset("iris.csv"),
        "species",
        &[
            "--model",
            "decision_tree",
            "--param",
            &param,
            "--test-fraction",
            "0.3",
            "--seed",
            "3",
            "--out",
            out,
        ],
    )
    .ok()
}

#[test]
fn label_train_and_validate_are_recorded_with_lineage_to_inspect() {
    let dir = Dir::new();
    dir.crisp([
        "label",
        "--data",
        path("wine_quality_red.csv").as_str(),
        "--rule",
        "CASE WHEN quality >= 7 THEN 'good' ELSE 'ordinary' END",
        "--target",
        "grade",
        "--out",
        "wine.csv",
    ])
    .ok();
    // quality made the label: it is no feature.
    dir.create(
        "drop.toml",
        "[[features.steps]]\nkind = \"drop\"\ncolumns = [\"quality\"]\n",
    );
    let trained = dir.train(
        "wine.csv",
        "grade",
        &[
            "--model",
            "decision_tree",
            "--param",
            "max_depth=4",
            "--config",
            "drop.toml",
            "--out",
            "m.crisp",
        ],
    );
    let stdout = trained.ok();
    assert!(stdout.contains("recorded run 2"), "{stdout}");
    let validate = |threshold: &str| {
        dir.crisp([
            "validate",
            "--model",
            "m.crisp",
            "--data",
            "wine.csv",
            "--threshold",
            threshold,
        ])
    };
    validate("accuracy>=0.5").ok();
    // A failed gate (exit 1) is a run too, with its verdict.
    validate("accuracy>=0.9999").code(1);

    let all = runs(&dir, &[]);
    assert_eq!(ids(&all), [4, 3, 2, 1], "newest first");
    let [failed, passed, train, label] = [&all[0], &all[1], &all[2], &all[3]];

    assert_eq!(label["command"], "label");
    assert_eq!(label["status"], "ok");
    assert_eq!(label["metrics"]["rows"], 1599.0);
    assert_eq!(label["output"]["path"], "wine.csv");
    assert_eq!(
        label["output"]["fingerprint"],
        fingerprint_of(&dir, "wine.csv")
    );
    assert_eq!(
        label["data"]["fingerprint"],
        crisp_core::fingerprint(&std::fs::read(dataset("wine_quality_red.csv")).unwrap())
    );
    assert!(label["params"]["rule"]
        .as_str()
        .unwrap()
        .contains("quality >= 7"));

    assert_eq!(train["command"], "train");
    assert_eq!(train["status"], "ok");
    assert_eq!(train["exit_code"], 0);
    assert_eq!(train["model"], "decision_tree");
    assert_eq!(train["seed"], 42);
    assert_eq!(
        train["params"]["params"],
        serde_json::json!(["max_depth=4"])
    );
    assert_eq!(train["config"]["model_params"]["max_depth"], "4");
    // The training data is the labeled file: its fingerprint is the label run's output's.
    assert_eq!(train["data"]["fingerprint"], label["output"]["fingerprint"]);
    assert_eq!(train["artifact"]["path"], "m.crisp");
    assert_eq!(
        train["artifact"]["fingerprint"],
        fingerprint_of(&dir, "m.crisp")
    );
    let accuracy = train["metrics"]["accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.8 && accuracy <= 1.0, "{accuracy}");
    assert!(train["duration_seconds"].as_f64().unwrap() > 0.0);
    assert!(train["started_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(train["crisp_version"], env!("CARGO_PKG_VERSION"));

    assert_eq!(passed["command"], "validate");
    assert_eq!(passed["verdict"], "pass");
    assert_eq!(passed["config"]["trained_by"]["id"], 2);
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["exit_code"], 1);
    assert_eq!(failed["verdict"], "fail");
    assert_eq!(
        failed["artifact"]["fingerprint"],
        fingerprint_of(&dir, "m.crisp")
    );
    assert_eq!(failed["metrics"]["accuracy"], passed["metrics"]["accuracy"]);

    // The artifact knows its run; inspect follows it to the labeling run.
    let inspect = dir.crisp(["inspect", "m.crisp"]).ok();
    for part in [
        inspected("run", "2 (recorded in "),
        inspected("made by", "run 2 (crisp train"),
        inspected("  on data", "wine.csv"),
        inspected("  labeled by", "run 1 (crisp label of "),
        "wine_quality_red.csv into wine.csv".to_string(),
    ] {
        assert!(inspect.contains(&part), "{part}:\n{inspect}");
    }
    let json: Value =
        serde_json::from_str(&dir.crisp(["inspect", "m.crisp", "--json"]).ok()).unwrap();
    assert_eq!(json["run"]["id"], 2);
    assert_eq!(json["lineage"]["run"]["id"], 2);
    assert_eq!(json["lineage"]["labeled_by"]["id"], 1);
    assert_eq!(json["lineage"]["labeled_by"]["command"], "label");

    // runs show follows the same lineage both ways.
    let train_shown = dir.crisp(["runs", "show", "2"]).ok();
    let part = shown("labeled by", "run 1 (crisp label of");
    assert!(train_shown.contains(&part), "{part}:\n{train_shown}");
    let label_shown = dir.crisp(["runs", "show", "1"]).ok();
    let part = shown("used by runs", "2 (train), 3 (validate), 4 (validate)");
    assert!(label_shown.contains(&part), "{part}:\n{label_shown}");

    // Blessing rewrites the header: the run records the blessed file's hash, and the artifact
    // still names the run that trained it.
    let before = fingerprint_of(&dir, "m.crisp");
    dir.crisp([
        "validate",
        "--model",
        "m.crisp",
        "--data",
        "wine.csv",
        "--threshold",
        "accuracy>=0.5",
        "--bless",
    ])
    .ok();
    let blessed = &runs(&dir, &["--last", "1"])[0];
    assert_eq!(blessed["id"], 5);
    assert_ne!(fingerprint_of(&dir, "m.crisp"), before);
    assert_eq!(
        blessed["artifact"]["fingerprint"],
        fingerprint_of(&dir, "m.crisp")
    );
    let inspect = dir.crisp(["inspect", "m.crisp"]).ok();
    assert!(
        inspect.contains(&inspected("blessing", "blessed")),
        "{inspect}"
    );
    assert!(
        inspect.contains(&inspected("made by", "run 2 (crisp train")),
        "{inspect}"
    );
}

#[test]
fn runs_list_show_compare_and_where_filters() {
    let dir = Dir::new();
    train_iris(&dir, "1", "shallow.crisp");
    train_iris(&dir, "4", "deep.crisp");

    let table = dir.crisp(["runs", "list"]).ok();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("id  command  status"), "{table}");
    assert!(lines[1].starts_with("2   train    ok"), "{table}");
    assert!(
        lines[2].contains("decision_tree") && lines[2].contains("accuracy="),
        "{table}"
    );

    assert_eq!(ids(&runs(&dir, &["--last", "1"])), [2]);
    let shallow = runs(&dir, &[])[1]["metrics"]["accuracy"].as_f64().unwrap();
    let deep = runs(&dir, &[])[0]["metrics"]["accuracy"].as_f64().unwrap();
    assert!(
        shallow < 0.8 && deep > 0.85,
        "depth 1: {shallow}, depth 4: {deep}"
    );
    assert_eq!(ids(&runs(&dir, &["--where", "accuracy>0.8"])), [2]);
    assert_eq!(ids(&runs(&dir, &["--where", "accuracy<=0.8"])), [1]);
    assert_eq!(ids(&runs(&dir, &["--where", "max_depth=1"])), [1]);
    assert_eq!(
        ids(&runs(
            &dir,
            &["--where", "model=decision_tree", "--where", "accuracy>0"]
        )),
        [2, 1]
    );
    assert_eq!(
        ids(&runs(&dir, &["--where", "command=validate"])),
        Vec::<u64>::new()
    );
    assert!(dir
        .crisp(["runs", "list", "--where", "command=label"])
        .ok()
        .starts_with("no runs match in "));
    dir.crisp(["runs", "list", "--where", "accuracy>>0.8"])
        .error(&["--where filter 'accuracy>>0.8' is not NAME OP VALUE"]);
    dir.crisp(["runs", "list", "--where", "model>gbdt"])
        .error(&["'>' compares numbers, and 'gbdt' is not a number"]);
    dir.crisp(["runs", "list", "--last", "0"])
        .error(&["--last must be at least 1"]);

    let text = dir.crisp(["runs", "show", "1"]).ok();
    for part in [
        shown("run", "1"),
        shown("command", "crisp train"),
        shown("status", "ok (exit 0)"),
        shown("model", "decision_tree"),
        shown("seed", "3"),
        shown("artifact", "shallow.crisp (xxh3-128 "),
        "max_depth=1".to_string(),
        "accuracy".to_string(),
    ] {
        assert!(text.contains(&part), "{part}:\n{text}");
    }
    let json: Value =
        serde_json::from_str(&dir.crisp(["runs", "show", "2", "--json"]).ok()).unwrap();
    assert_eq!(json["id"], 2);
    assert_eq!(json["artifact"]["path"], "deep.crisp");
    dir.crisp(["runs", "show", "7"])
        .error(&["no run 7 in ", "crisp.db", "2 runs recorded"]);
    dir.crisp(["runs", "show", "x"])
        .error(&["'x' is not a run id"]);

    let compared = dir.crisp(["runs", "compare", "1", "2"]).ok();
    let row = |name: &str| -> String {
        compared
            .lines()
            .find(|l| l[1..].trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no row {name}:\n{compared}"))
            .to_string()
    };
    assert!(
        compared.lines().next().unwrap().contains("run 1  "),
        "{compared}"
    );
    assert!(row("param params").starts_with('*'), "{compared}");
    assert!(row("param out").starts_with('*'), "{compared}");
    assert!(row("metric accuracy").starts_with('*'), "{compared}");
    assert!(row("param target").starts_with(' '), "{compared}");
    assert!(row("model").starts_with(' '), "{compared}");
    assert!(row("param target").contains("species"), "{compared}");
    let json: Value =
        serde_json::from_str(&dir.crisp(["runs", "compare", "1", "2", "--json"]).ok()).unwrap();
    assert_eq!(json["runs"], serde_json::json!([1, 2]));
    let accuracy = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["section"] == "metric" && r["name"] == "accuracy")
        .unwrap();
    assert_eq!(accuracy["differs"], true);
    assert_eq!(
        accuracy["values"][0]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap(),
        shallow
    );
    dir.crisp(["runs", "compare", "1", "9"])
        .error(&["no run 9 in "]);
    // One run is nothing to compare: clap's usage error, exit 2.
    dir.crisp(["runs", "compare", "1"]).code(2);
}

#[test]
fn no_track_store_flag_and_environment_choose_where_runs_go() {
    let dir = Dir::new();
    train_iris(&dir, "2", "a.crisp");
    assert!(
        dir.path("crisp.db").is_file(),
        "the default store is ./crisp.db"
    );

    let untracked = Dir::new();
    let out = untracked
        .crisp([
            "--no-track",
            "train",
            "--data",
            path("iris.csv").as_str(),
            "--target",
            "species",
        ])
        .ok();
    assert!(!out.contains("recorded run"), "{out}");
    untracked
        .crisp([
            "label",
            "--data",
            path("iris.csv").as_str(),
            "--rule",
            "CASE WHEN species = 'setosa' THEN 1 ELSE 0 END",
            "--out",
            "l.csv",
            "--no-track",
        ])
        .ok();
    untracked
        .crisp([
            "validate",
            "--model",
            "model.crisp",
            "--data",
            path("iris.csv").as_str(),
            "--no-track",
        ])
        .ok();
    let files: Vec<String> = std::fs::read_dir(untracked.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().all(|f| !f.contains(".db")), "{files:?}");
    let inspect = untracked.crisp(["inspect", "model.crisp"]).ok();
    assert!(
        inspect.contains(&inspected("run", "not recorded")),
        "{inspect}"
    );
    untracked
        .crisp(["runs", "list"])
        .error(&["no run store at crisp.db"]);

    // --store (before or after the subcommand) and CRISP_STORE.
    let other = Dir::new();
    other
        .crisp([
            "--store",
            "flag.db",
            "train",
            "--data",
            path("iris.csv").as_str(),
            "--target",
            "species",
        ])
        .ok();
    other
        .crisp_env(
            [
                "train",
                "--data",
                path("iris.csv").as_str(),
                "--target",
                "species",
            ],
            &[("CRISP_STORE", "env.db")],
        )
        .ok();
    assert!(!other.path("crisp.db").exists());
    assert_eq!(ids(&runs(&other, &["--store", "flag.db"])), [1]);
    let listed = other
        .crisp_env(["runs", "list", "--json"], &[("CRISP_STORE", "env.db")])
        .ok();
    assert_eq!(
        serde_json::from_str::<Value>(&listed)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // --store wins over CRISP_STORE.
    let listed = other
        .crisp_env(
            ["runs", "list", "--json", "--store", "flag.db"],
            &[("CRISP_STORE", "env.db")],
        )
        .ok();
    assert_eq!(
        serde_json::from_str::<Value>(&listed).unwrap()[0]["artifact"]["path"],
        "model.crisp"
    );
    // The artifact names the store its run is in: inspect finds it without --store.
    let inspect = other.crisp(["inspect", "model.crisp"]).ok();
    assert!(
        inspect.contains("env.db)") && inspect.contains(&inspected("made by", "run 1")),
        "{inspect}"
    );
}

#[test]
fn a_store_that_cannot_be_written_is_a_warning_and_errors_are_recorded_only_after_training() {
    let dir = Dir::new();
    dir.create("not_a_store.csv", "a,b\n1,2\n".repeat(500));
    for store in ["no/such/dir/crisp.db", "not_a_store.csv"] {
        let run = dir.crisp([
            "--store",
            store,
            "train",
            "--data",
            path("iris.csv").as_str(),
            "--target",
            "species",
        ]);
        let err = run.stderr();
        let out = run.ok();
        assert!(out.contains("wrote model.crisp"), "{out}");
        assert!(
            err.contains("crisp: warning: the run was not recorded: ") && err.contains(store),
            "{store}: {err}"
        );
        let inspect = dir.crisp(["inspect", "model.crisp"]).ok();
        assert!(
            inspect.contains(&inspected("run", "not recorded")),
            "{inspect}"
        );
    }
    // A run that ends in an error (exit 2) before its outputs is not recorded: no store.
    dir.train(dataset("iris.csv"), "no_such_column", &[])
        .code(2);
    assert!(!dir.path("crisp.db").exists());
    // A training run is recorded before its artifact is written: when the artifact cannot be
    // written, the run stays, marked as an error.
    dir.train(
        dataset("iris.csv"),
        "species",
        &["--out", "no/such/dir/m.crisp"],
    )
    .error(&["cannot write no/such/dir/m.crisp"]);
    let recorded = runs(&dir, &[]);
    assert_eq!(ids(&recorded), [1]);
    assert_eq!(recorded[0]["status"], "error");
    assert_eq!(recorded[0]["exit_code"], 2);
    assert!(recorded[0]["artifact"].is_null());
}

#[test]
fn a_store_of_the_first_schema_opens_and_is_migrated() {
    let dir = Dir::new();
    crisp_track::Store::create_at_schema(dir.path("old.db"), 1).unwrap();
    let run = dir.crisp([
        "--store",
        "old.db",
        "label",
        "--data",
        path("iris.csv").as_str(),
        "--rule",
        "CASE WHEN species = 'setosa' THEN 1 ELSE 0 END",
        "--out",
        "l.csv",
    ]);
    assert_eq!(run.stderr(), "", "no warning");
    run.ok();
    let store = crisp_track::Store::open_existing(dir.path("old.db")).unwrap();
    assert_eq!(store.schema_version().unwrap(), crisp_track::SCHEMA_VERSION);
    let listed = runs(&dir, &["--store", "old.db"]);
    assert_eq!(ids(&listed), [1]);
    // The output columns came with the migration.
    assert_eq!(
        listed[0]["output"]["fingerprint"],
        fingerprint_of(&dir, "l.csv")
    );
}

#[test]
fn concurrent_trains_into_one_store_are_all_recorded() {
    let dir = Dir::new();
    let children: Vec<_> = (0..4)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_crisp"))
                .current_dir(dir.path(""))
                .env_remove("RUST_LOG")
                .args(["train", "--data"])
                .arg(dataset("iris.csv"))
                .args(["--target", "species", "--model", "decision_tree", "--out"])
                .arg(format!("m{i}.crisp"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start crisp")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && stderr.is_empty(), "{stderr}");
    }
    let all = runs(&dir, &[]);
    assert_eq!(ids(&all), [4, 3, 2, 1]);
    for run in &all {
        assert_eq!(run["status"], "ok");
        // Each artifact carries the id of the row that records it.
        let path = run["artifact"]["path"].as_str().unwrap();
        let header: Value =
            serde_json::from_str(&dir.crisp(["inspect", path, "--json"]).ok()).unwrap();
        assert_eq!(header["run"]["id"], run["id"], "{path}");
        assert_eq!(run["artifact"]["fingerprint"], fingerprint_of(&dir, path));
    }
}
