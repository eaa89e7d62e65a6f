//! Hostile and careless input: artifacts edited with a recomputed checksum, devices and huge
//! files given as models, targets with too many classes, out-of-range parameters, outputs that
//! must move together, and flags that make no sense. Each ends in exit 2 and one sentence, fast.

use std::time::{Duration, Instant};

use crisp_artifact::Artifact;
use serde_json::{json, Value};

use crate::util::{dataset, Dir};

/// How long refusing a hostile input may take: reading the file and checking it, nothing more.
const QUICK: Duration = Duration::from_secs(10);

/// A model trained on penguins with `model`, as an artifact and the JSON of its body. The
/// evaluated model (fitted on 275 rows) is kept: the refit one can hold a split at +inf, which
/// JSON, the form these tests edit, cannot carry.
fn trained(dir: &Dir, model: &str, params: &[&str]) -> (Artifact, Value) {
    let mut args = vec![
        "--out",
        "m.crisp",
        "--model",
        model,
        "--seed",
        "3",
        "--no-refit",
    ];
    for p in params {
        args.extend(["--param", p]);
    }
    dir.train(dataset("penguins.csv"), "species", &args).ok();
    let artifact = Artifact::read(&dir.path("m.crisp")).unwrap();
    let body = serde_json::to_value(&artifact.model).unwrap();
    (artifact, body)
}

/// Write `artifact` with its body replaced by `body` (edited JSON), under a valid checksum.
fn forge(dir: &Dir, name: &str, artifact: &Artifact, body: Value) {
    let forged = Artifact {
        header: artifact.header.clone(),
        model: serde_json::from_value(body).expect("the edit keeps the JSON shape"),
    };
    dir.create(name, forged.to_bytes().unwrap());
}

/// `crisp predict` with the forged artifact: exit 2 naming the problem, quickly.
fn refused(dir: &Dir, name: &str, expected: &[&str]) {
    let started = Instant::now();
    let message = dir
        .crisp([
            "predict",
            "--model",
            name,
            "--data",
            dataset("penguins.csv").to_str().unwrap(),
        ])
        .error(expected);
    assert!(message.contains("the model is invalid"), "{message}");
    assert!(
        started.elapsed() < QUICK,
        "{name} took {:?}",
        started.elapsed()
    );
}

/// `body` with the value at the JSON pointer `pointer` replaced by `value`.
fn edited(body: &Value, pointer: &str, value: Value) -> Value {
    let mut edited = body.clone();
    *edited
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the model's JSON")) = value;
    edited
}

/// Forges `body` with `value` at `pointer` as `name`, which `crisp predict` must refuse naming
/// `expected`.
fn refuse_edit(
    dir: &Dir,
    artifact: &Artifact,
    body: &Value,
    name: &str,
    (pointer, value): (&str, Value),
    expected: &[&str],
) {
    forge(dir, name, artifact, edited(body, pointer, value));
    refused(dir, name, expected);
}

/// The first split node of tree `t` of a crisp-trees model body at `path`.
fn first_split(body: &Value, trees: &str, t: usize) -> usize {
    body.pointer(&format!("{trees}/{t}/nodes"))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .position(|n| n["flags"].as_u64().unwrap() & 1 == 0)
        .expect("a split")
}

#[test]
fn edited_crisp_trees_models_are_refused_before_they_predict() {
    let dir = Dir::new();
    let (artifact, body) = trained(&dir, "gbdt", &["n_rounds=5"]);
    let trees = "/model/GbdtClassifier/trees";
    let split = first_split(&body, trees, 0);
    let node = |field: &str| format!("{trees}/0/nodes/{split}/{field}");
    let leaf = body
        .pointer(&format!("{trees}/0/nodes"))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .position(|n| n["flags"].as_u64().unwrap() & 1 == 1)
        .unwrap();
    let leaf_feature = format!("{trees}/0/nodes/{leaf}/feature");
    for (name, edit, expected) in [
        // A child index past the node array.
        (
            "past.crisp",
            (node("left"), json!(1_000_000)),
            &["past.crisp", "tree 0", "children"][..],
        ),
        // A child pointing back at an ancestor: routing would loop forever.
        (
            "cycle.crisp",
            (node("left"), json!(split)),
            &["children come after their parent"],
        ),
        // A feature index beyond the schema.
        (
            "feature.crisp",
            (node("feature"), json!(999)),
            &["reads feature 999"],
        ),
        // A leaf whose values lie outside the value array.
        (
            "leaf.crisp",
            (leaf_feature.clone(), json!(1 << 30)),
            &["points at leaf"],
        ),
        // More classes in the model than the target has.
        (
            "classes.crisp",
            ("/model/GbdtClassifier/n_classes".into(), json!(7)),
            &["the model is invalid"],
        ),
        // An empty class list.
        (
            "empty.crisp",
            ("/target/classes".into(), json!([])),
            &["lists 0 classes"],
        ),
        // A model that reads more features than the pipeline makes.
        (
            "wide.crisp",
            ("/model/GbdtClassifier/n_features".into(), json!(50)),
            &["the model is invalid"],
        ),
        // A pipeline that marks a feature past its last as categorical.
        (
            "categorical.crisp",
            ("/pipeline/categorical".into(), json!([40])),
            &["marks feature 40 categorical"],
        ),
    ] {
        let (pointer, value) = edit;
        refuse_edit(&dir, &artifact, &body, name, (&pointer, value), expected);
    }
}

#[test]
fn edited_linfa_trees_are_refused_and_deep_ones_cannot_overflow_the_stack() {
    let dir = Dir::new();
    let (artifact, body) = trained(&dir, "linfa_decision_tree", &["max_depth=3"]);
    let nodes = "/model/LinfaDecisionTree/nodes";

    let mut class = body.clone();
    let leaf = class
        .pointer_mut(nodes)
        .unwrap()
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|n| n.get("Leaf").is_some())
        .unwrap();
    *leaf = json!({"Leaf": {"class": 7}});
    forge(&dir, "class.crisp", &artifact, class);
    refused(&dir, "class.crisp", &["predicts class 7 of 3"]);

    refuse_edit(
        &dir,
        &artifact,
        &body,
        "cycle.crisp",
        (&format!("{nodes}/0/Split/right"), json!(0)),
        &["children come after their parent"],
    );

    // A tree 50,000 levels deep (linfa's own recursive form overflowed the stack while
    // decoding it): the flat form decodes, checks and routes it in loops.
    let n_features = body["model"]["LinfaDecisionTree"]["n_features"]
        .as_u64()
        .unwrap();
    let depth = 50_000usize;
    let mut chain = Vec::with_capacity(2 * depth + 1);
    for i in 0..depth {
        // Split i (node 2i) sends values below 1e300 on to split i + 1, the rest to a leaf.
        chain.push(json!({"Split": {
            "feature": i as u64 % n_features, "threshold": 1e300,
            "left": 2 * i + 2, "right": 2 * i + 1,
        }}));
        chain.push(json!({"Leaf": {"class": 1}}));
    }
    chain.push(json!({"Leaf": {"class": 2}}));
    let mut deep = body;
    *deep.pointer_mut(nodes).unwrap() = Value::Array(chain);
    forge(&dir, "deep.crisp", &artifact, deep);
    assert!(std::fs::metadata(dir.path("deep.crisp")).unwrap().len() > 500_000);
    let started = Instant::now();
    let out = dir
        .crisp([
            "predict",
            "--model",
            "deep.crisp",
            "--data",
            dataset("penguins.csv").to_str().unwrap(),
        ])
        .ok();
    assert!(
        started.elapsed() < QUICK * 3,
        "took {:?}",
        started.elapsed()
    );
    let classes = &artifact.header.classes;
    // Every present value is below 1e300, so every row walks the whole chain to class 2.
    assert_eq!(out.lines().nth(1), Some(classes[2].as_str()), "{out}");
}

#[test]
fn edited_feature_steps_are_refused() {
    let dir = Dir::new();
    dir.create(
        "p.toml",
        "[[features.steps]]\nkind = \"bin\"\ncolumns = [\"bill_length_mm\"]\nn_bins = 4\n\n\
         [[features.steps]]\nkind = \"target_encode\"\ncolumns = [\"island\"]\n\n\
         [[features.steps]]\nkind = \"ordinal\"\ncolumns = [\"sex\"]\n",
    );
    dir.train(
        dataset("penguins.csv"),
        "species",
        &[
            "--out",
            "m.crisp",
            "--model",
            "decision_tree",
            "--config",
            "p.toml",
            // The evaluated tree: the refit one splits at +inf, which JSON cannot carry.
            "--no-refit",
        ],
    )
    .ok();
    let artifact = Artifact::read(&dir.path("m.crisp")).unwrap();
    let body = serde_json::to_value(&artifact.model).unwrap();

    refuse_edit(
        &dir,
        &artifact,
        &body,
        "edges.crisp",
        (
            "/pipeline/steps/0/Bin/columns/0/edges",
            json!([40.0, 35.0, 50.0]),
        ),
        &["feature step 1", "not increasing"],
    );
    refuse_edit(
        &dir,
        &artifact,
        &body,
        "encodings.crisp",
        (
            "/pipeline/steps/1/TargetEncode/columns/0/categories",
            json!(["Biscoe"]),
        ),
        &["feature step 2", "do not line up"],
    );
}

#[test]
fn devices_and_oversized_files_are_refused_before_reading() {
    let dir = Dir::new();
    let started = Instant::now();
    dir.crisp([
        "predict",
        "--model",
        "/dev/zero",
        "--data",
        dataset("penguins.csv").to_str().unwrap(),
    ])
    .error(&["/dev/zero: not a regular file"]);
    assert!(started.elapsed() < QUICK);
    dir.crisp(["inspect", "/dev/zero"])
        .error(&["/dev/zero: not a regular file"]);
    // As data, a device or a directory is refused too (a pipe would be read to its end).
    let started = Instant::now();
    dir.train("/dev/zero", "y", &[])
        .error(&["/dev/zero: not a data file (a device)"]);
    dir.train(".", "y", &[])
        .error(&[".: not a data file (a directory)"]);
    assert!(started.elapsed() < QUICK);
    trained(&dir, "decision_tree", &["max_depth=2"]);
    let size = std::fs::metadata(dir.path("m.crisp")).unwrap().len();
    let run = dir.crisp_env(
        [
            "predict",
            "--model",
            "m.crisp",
            "--data",
            dataset("penguins.csv").to_str().unwrap(),
        ],
        &[("CRISP_MAX_ARTIFACT_BYTES", "1000")],
    );
    run.error(&[
        "m.crisp",
        &format!("{size} bytes, more than the 1000 an artifact may have"),
    ]);
}

#[test]
fn a_continuous_target_forced_to_classification_is_refused() {
    let dir = Dir::new();
    let started = Instant::now();
    dir.train(
        dataset("diamonds.csv"),
        "price",
        &["--task", "classification"],
    )
    .error(&[
        "target column 'price' has 11602 distinct values, more than the 1000 classes a classifier takes",
        "use --task regression, or raise --max-classes",
    ]);
    assert!(started.elapsed() < QUICK * 3);
    // Raised, the limit lets an integer target with many classes through.
    dir.train(
        dataset("wine_quality_red.csv"),
        "quality",
        &["--task", "classification", "--max-classes", "5"],
    )
    .error(&["has 6 distinct values, more than the 5 classes"]);
}

#[test]
fn linfa_parameters_are_checked_with_crisps_names() {
    let dir = Dir::new();
    let penguins = dataset("penguins.csv");
    for (model, param, expected) in [
        (
            "linfa_decision_tree",
            "min_samples_leaf=-1",
            "parameter min_samples_leaf must be a number >= 1, got -1",
        ),
        (
            "linfa_random_forest",
            "n_trees=0",
            "parameter n_trees must be an integer >= 1, got 0",
        ),
        (
            "linfa_random_forest",
            "colsample=0",
            "parameter colsample must be a fraction in (0, 1], got 0",
        ),
        (
            "linfa_decision_tree",
            "max_depth=0",
            "parameter max_depth must be an integer >= 1",
        ),
    ] {
        let message = dir
            .train(&penguins, "species", &["--model", model, "--param", param])
            .error(&[expected]);
        assert!(
            !message.contains("Ensemble size") && !message.contains("Feature proportion"),
            "linfa's own words leaked: {message}"
        );
    }
}

#[test]
fn a_failed_report_leaves_the_artifact_as_it_was() {
    let dir = Dir::new();
    let penguins = dataset("penguins.csv");
    dir.train(
        &penguins,
        "species",
        &["--out", "m.crisp", "--model", "decision_tree"],
    )
    .ok();
    let before = std::fs::read(dir.path("m.crisp")).unwrap();
    dir.train(
        &penguins,
        "species",
        &[
            "--out",
            "m.crisp",
            "--model",
            "gbdt",
            "--report",
            "missing/dir/r.json",
        ],
    )
    .error(&["missing/dir/r.json"]);
    assert_eq!(std::fs::read(dir.path("m.crisp")).unwrap(), before);
    let names: Vec<String> = std::fs::read_dir(dir.path(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains(".crisp.tmp")),
        "temporary files left: {names:?}"
    );
    // validate: a report that cannot be written leaves the artifact unblessed.
    dir.crisp([
        "validate",
        "--model",
        "m.crisp",
        "--data",
        penguins.to_str().unwrap(),
        "--threshold",
        "accuracy>=0.5",
        "--bless",
        "--junit",
        "missing/dir/gate.xml",
    ])
    .error(&["missing/dir/gate.xml"]);
    assert_eq!(std::fs::read(dir.path("m.crisp")).unwrap(), before);
}

#[test]
fn a_bootstrap_without_resamples_is_an_error() {
    let dir = Dir::new();
    let penguins = dataset("penguins.csv");
    dir.train(
        &penguins,
        "species",
        &["--out", "m.crisp", "--model", "decision_tree"],
    )
    .ok();
    dir.crisp([
        "validate",
        "--model",
        "m.crisp",
        "--data",
        penguins.to_str().unwrap(),
        "--threshold",
        "accuracy>=0.5",
        "--confidence",
        "0.95",
        "--resamples",
        "0",
    ])
    .error(&["--resamples must be at least 1"]);
}

#[test]
fn edited_linfa_family_models_are_refused_before_they_predict() {
    let dir = Dir::new();

    // k nearest neighbours: targets that do not line up with the stored rows, and rows so far
    // apart that a squared distance would overflow (linfa-nn panics on an infinite distance).
    let (artifact, body) = trained(&dir, "knn", &[]);
    let classes = body["model"]["KnnClassifier"]["classes"]
        .as_array()
        .unwrap();
    let short = json!(classes[1..].to_vec());
    let knn = "/model/KnnClassifier";
    for (name, pointer, value, expected) in [
        (
            "knn_short.crisp",
            format!("{knn}/classes"),
            short,
            "275 training rows with 274 targets",
        ),
        (
            "knn_far.crisp",
            format!("{knn}/neighbours/x/data/0"),
            json!(1e300),
            "too far apart to measure",
        ),
        (
            "knn_class.crisp",
            format!("{knn}/classes/0"),
            json!(3),
            "a training row of class 3 of 3",
        ),
        (
            "knn_class_weight.crisp",
            format!("{knn}/class_weights/1"),
            json!(-1.0),
            "3 class weights for 3 classes, or one outside [1e-9, 1e12]",
        ),
        (
            "knn_class_weights.crisp",
            format!("{knn}/class_weights"),
            json!([1.0]),
            "1 class weights for 3 classes",
        ),
    ] {
        refuse_edit(&dir, &artifact, &body, name, (&pointer, value), &[expected]);
    }

    // Multinomial logistic regression: one intercept short.
    let (artifact, body) = trained(&dir, "logistic_regression", &[]);
    let intercept = "/model/LogisticMultinomial/model/intercept";
    let mut short = body.clone();
    let array = short.pointer_mut(intercept).unwrap();
    array["dim"] = json!([2]);
    array["data"].as_array_mut().unwrap().pop();
    forge(&dir, "logistic.crisp", &artifact, short);
    refused(
        &dir,
        "logistic.crisp",
        &["3 classes with 3 coefficient columns and 2 intercepts"],
    );

    // svm: a linear hyperplane shorter than the rows, and an rbf kernel of width 0.
    let (artifact, body) = trained(&dir, "svm", &["kernel=linear"]);
    let plane = "/model/Svm/machines/0/sep_hyperplane/Linear";
    let mut short = body.clone();
    let array = short.pointer_mut(plane).unwrap();
    array["dim"] = json!([2]);
    array["data"].as_array_mut().unwrap().truncate(2);
    forge(&dir, "svm_plane.crisp", &artifact, short);
    refused(
        &dir,
        "svm_plane.crisp",
        &["svm machine 0", "a linear hyperplane of 2 values"],
    );
    let (artifact, body) = trained(&dir, "svm", &[]);
    refuse_edit(
        &dir,
        &artifact,
        &body,
        "svm_kernel.crisp",
        (
            "/model/Svm/machines/1/kernel_method",
            json!({"Gaussian": 0.0}),
        ),
        &["svm machine 1", "kernel has a constant out of range"],
    );

    // Gaussian naive Bayes: a variance of 0 (a division by zero when predicting).
    let (artifact, body) = trained(&dir, "gaussian_nb", &[]);
    refuse_edit(
        &dir,
        &artifact,
        &body,
        "nb.crisp",
        ("/model/GaussianNb/classes/1/variance/2", json!(0.0)),
        &["class 1 has a prior or variance that is not positive"],
    );
}
