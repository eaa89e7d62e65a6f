use crate::util::{dataset, Dir};

const SMALL: &str =
    "x,y,label\n1,2.5,a\n2,3.5,b\n3,1.0,a\n4,0.5,b\n5,2.0,a\n6,1.5,b\n7,2.2,a\n8,3.1,b\n";

fn trained(dir: &Dir) {
    dir.create("train.csv", SMALL);
    dir.train(
        "train.csv",
        "label",
        &["--out", "m.crisp", "--test-fraction", "0.25"],
    )
    .ok();
}

#[test]
fn missing_file() {
    let dir = Dir::new();
    dir.train("nope.csv", "y", &[])
        .error(&["nope.csv: no such file"]);
}

#[test]
fn empty_file() {
    let dir = Dir::new();
    dir.create("empty.csv", "");
    dir.train("empty.csv", "y", &[])
        .error(&["empty.csv: the file is empty"]);
}

#[test]
fn header_only() {
    let dir = Dir::new();
    dir.create("h.csv", "x,y,label\n");
    dir.train("h.csv", "label", &[])
        .error(&["h.csv: the file has a header but no data rows"]);
}

#[test]
fn unknown_target_column() {
    let dir = Dir::new();
    dir.create("d.csv", SMALL);
    dir.train("d.csv", "lable", &[]).error(&[
        "d.csv: no column named 'lable'",
        "the columns are: x, y, label",
    ]);
}

#[test]
fn target_with_one_class() {
    let dir = Dir::new();
    dir.create("d.csv", "x,label\n1,a\n2,a\n3,a\n4,a\n");
    dir.train("d.csv", "label", &[])
        .error(&["d.csv: target column 'label' has only one class (a)"]);
}

#[test]
fn ragged_rows() {
    let dir = Dir::new();
    dir.create("r.csv", "x,y,label\n1,2,a\n3,4\n5,6,b\n");
    dir.train("r.csv", "label", &[])
        .error(&["r.csv: line 3 has 2 fields but the header has 3"]);
}

#[test]
fn text_in_a_column_that_was_numeric_in_training() {
    let dir = Dir::new();
    trained(&dir);
    dir.create("new.csv", "x,y\n1,2.0\n2,lots\n");
    dir.crisp(["predict", "--model", "m.crisp", "--data", "new.csv"])
        .error(&["new.csv: column 'y' was float in training but data row 2 holds 'lots'"]);
}

#[test]
fn missing_input_column_at_prediction() {
    let dir = Dir::new();
    trained(&dir);
    dir.create("new.csv", "x\n1\n");
    dir.crisp(["predict", "--model", "m.crisp", "--data", "new.csv"])
        .error(&["new.csv: column 'y' (float in training) is missing"]);
}

#[test]
fn unknown_model_lists_the_models() {
    let dir = Dir::new();
    dir.create("d.csv", SMALL);
    dir.train("d.csv", "label", &["--model", "xgboost"])
        .error(&["unknown model 'xgboost'", "linfa_decision_tree"]);
}

#[test]
fn bad_parameter_is_named() {
    let dir = Dir::new();
    dir.create("d.csv", SMALL);
    dir.train(
        "d.csv",
        "label",
        &["--model", "linfa_decision_tree", "--param", "depth=3"],
    )
    .error(&[
        "model 'linfa_decision_tree' has no parameter 'depth'",
        "max_depth",
    ]);
    dir.train(
        "d.csv",
        "label",
        &[
            "--model",
            "linfa_decision_tree",
            "--param",
            "max_depth=deep",
        ],
    )
    .error(&["parameter max_depth=deep is not a valid"]);
}

#[test]
fn regression_model_on_classes_is_refused() {
    let dir = Dir::new();
    dir.create("d.csv", SMALL);
    dir.train("d.csv", "label", &["--model", "linear_regression"])
        .error(&["model 'linear_regression' does not do classification"]);
}

#[test]
fn malformed_config_names_the_file() {
    let dir = Dir::new();
    dir.create("d.csv", SMALL);
    dir.create("c.toml", "[model]\nnmae = \"x\"\n");
    dir.train("d.csv", "label", &["--config", "c.toml"])
        .error(&["c.toml", "nmae"]);
}

#[test]
fn unseen_class_in_test_data() {
    let dir = Dir::new();
    dir.create("d.csv", SMALL);
    dir.create("t.csv", "x,y,label\n1,2,c\n");
    dir.train("d.csv", "label", &["--test-data", "t.csv"])
        .error(&[
            "t.csv: target 'label' has class 'c' on data row 1 that the model was not trained on",
        ]);
}

#[test]
fn rows_without_target_are_dropped_and_counted() {
    let dir = Dir::new();
    dir.create("d.csv", format!("{SMALL}9,1.0,\n10,2.0,\n"));
    let out = dir
        .train(
            "d.csv",
            "label",
            &["--report", "r.json", "--test-fraction", "0.25"],
        )
        .ok();
    assert!(
        out.contains("dropped 2 training rows with no 'label' value"),
        "{out}"
    );
    assert_eq!(dir.json("r.json")["rows_dropped_missing_target"], 2);
}

#[test]
fn a_real_dataset_with_the_wrong_target_type() {
    let dir = Dir::new();
    dir.train(dataset("iris.csv"), "species", &["--task", "regression"])
        .error(&["target column 'species' holds str values, which cannot be regressed on"]);
}
