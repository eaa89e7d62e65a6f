//! Golden artifacts: one committed file for every model variant and every fitted feature step,
//! with the predictions it gave when it was written.
//!
//! Each file must still decode, re-encode to the same bytes, and predict exactly what it
//! predicted. A change to a serialized type (a field added, removed, reordered or retyped, a
//! variant inserted) that keeps `FORMAT_VERSION` fails here. After a deliberate format change,
//! bump `FORMAT_VERSION` and regenerate every file:
//!
//! ```text
//! CRISP_REGENERATE_GOLDEN=1 cargo test --workspace --test golden
//! ```
//!
//! (docs/artifact-format.md describes the layout.)

use std::path::{Path, PathBuf};

use crisp_artifact::{Artifact, ArtifactHeader, DataInfo, FORMAT_VERSION};
use crisp_core::read_csv;
use crisp_features::PipelineSpec;
use crisp_train::{train, Holdout, ModelSpec, Predictions, TrainConfig};
use polars::prelude::DataFrame;

/// One golden artifact: a model trained on a bundled dataset, with a declared pipeline or the
/// model's default one.
struct Case {
    name: &'static str,
    data: &'static str,
    target: &'static str,
    model: &'static str,
    params: &'static [(&'static str, &'static str)],
    steps: Option<&'static str>,
}

const fn model(
    name: &'static str,
    data: &'static str,
    target: &'static str,
    model: &'static str,
    params: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        name,
        data,
        target,
        model,
        params,
        steps: None,
    }
}

/// A step case: the step(s) on titanic (seattle_weather for dates), then a small crisp-trees
/// decision tree, which reads whatever the steps produce.
const fn step(
    name: &'static str,
    data: &'static str,
    target: &'static str,
    steps: &'static str,
) -> Case {
    Case {
        name,
        data,
        target,
        model: "decision_tree",
        params: &[("max_depth", "3")],
        steps: Some(steps),
    }
}

const SMALL_TREE: &[(&str, &str)] = &[("max_depth", "3")];
const SMALL_FOREST: &[(&str, &str)] = &[("n_trees", "3"), ("max_depth", "3")];
const SMALL_GBDT: &[(&str, &str)] = &[("n_rounds", "5"), ("max_leaves", "7")];

/// Titanic's identifier and text columns, dropped by every step case that does not encode
/// them (so that each case holds one kind of step plus this `drop`).
const TITANIC_DROPPED: &[&str] = &[
    "PassengerId",
    "Name",
    "Ticket",
    "Cabin",
    "boat",
    "body",
    "home.dest",
    "Sex",
    "Embarked",
];

fn cases() -> Vec<Case> {
    vec![
        // Every TrainedModel variant.
        model("linfa_decision_tree", "penguins.csv", "species", "linfa_decision_tree", SMALL_TREE),
        model("linfa_random_forest", "penguins.csv", "species", "linfa_random_forest", SMALL_FOREST),
        model("linear_regression", "diabetes.csv", "target", "linear_regression", &[]),
        model("tree_classifier", "penguins.csv", "species", "decision_tree", SMALL_TREE),
        model("tree_regressor", "diabetes.csv", "target", "decision_tree", SMALL_TREE),
        model("forest_classifier", "penguins.csv", "species", "random_forest", SMALL_FOREST),
        model("forest_regressor", "diabetes.csv", "target", "random_forest", SMALL_FOREST),
        model("gbdt_classifier", "penguins.csv", "species", "gbdt", SMALL_GBDT),
        model("gbdt_regressor", "diabetes.csv", "target", "gbdt", SMALL_GBDT),
        model("logistic_binary", "breast_cancer.csv", "diagnosis", "logistic_regression", &[]),
        model("logistic_multinomial", "penguins.csv", "species", "logistic_regression", &[]),
        model("gaussian_nb", "penguins.csv", "species", "gaussian_nb", &[]),
        model("svm_binary_linear", "breast_cancer.csv", "diagnosis", "svm", &[("kernel", "linear")]),
        model("svm_one_vs_rest_rbf", "penguins.csv", "species", "svm", &[]),
        model("knn_classifier", "penguins.csv", "species", "knn", &[("weights", "distance")]),
        model("knn_regressor", "diabetes.csv", "target", "knn", &[]),
        model("ridge", "diabetes.csv", "target", "ridge", &[]),
        model("lasso", "diabetes.csv", "target", "lasso", &[]),
        model("elastic_net", "diabetes.csv", "target", "elastic_net", &[]),
        // Every fitted feature step (FittedStep variant and scaler kind).
        step("step_impute", "titanic.csv", "Survived", "[[steps]]\nkind = \"impute\"\ncolumns = [\"Age\"]\nstrategy = \"median\"\nadd_indicator = true\n"),
        step("step_standard_scale", "titanic.csv", "Survived", "[[steps]]\nkind = \"standard_scale\"\ncolumns = [\"Fare\", \"Age\"]\n"),
        step("step_min_max_scale", "titanic.csv", "Survived", "[[steps]]\nkind = \"min_max_scale\"\ncolumns = [\"Fare\"]\n"),
        step("step_robust_scale", "titanic.csv", "Survived", "[[steps]]\nkind = \"robust_scale\"\ncolumns = [\"Fare\"]\n"),
        step("step_max_abs_scale", "titanic.csv", "Survived", "[[steps]]\nkind = \"max_abs_scale\"\ncolumns = [\"Fare\"]\n"),
        step("step_one_hot", "titanic.csv", "Survived", "[[steps]]\nkind = \"one_hot\"\ncolumns = [\"Sex\", \"Embarked\"]\n"),
        step("step_ordinal", "titanic.csv", "Survived", "[[steps]]\nkind = \"ordinal\"\ncolumns = [\"Sex\", \"Embarked\"]\n"),
        step("step_drop_constant", "titanic.csv", "Survived", "[[steps]]\nkind = \"drop_constant\"\ndtype = \"numeric\"\nmax_share = 0.7\n"),
        step("step_log1p", "titanic.csv", "Survived", "[[steps]]\nkind = \"log1p\"\ncolumns = [\"Fare\"]\n"),
        step("step_power", "titanic.csv", "Survived", "[[steps]]\nkind = \"power\"\ncolumns = [\"Fare\", \"Age\"]\n"),
        step("step_clip", "titanic.csv", "Survived", "[[steps]]\nkind = \"clip\"\ncolumns = [\"Fare\"]\nlower_quantile = 0.05\nupper_quantile = 0.95\n"),
        step("step_bin", "titanic.csv", "Survived", "[[steps]]\nkind = \"bin\"\ncolumns = [\"Age\", \"Fare\"]\nn_bins = 4\n"),
        step("step_target_encode", "titanic.csv", "Survived", "[[steps]]\nkind = \"target_encode\"\ncolumns = [\"Embarked\", \"Sex\"]\n"),
        step("step_frequency_encode", "titanic.csv", "Survived", "[[steps]]\nkind = \"frequency_encode\"\ncolumns = [\"Embarked\"]\n"),
        step("step_polynomial", "titanic.csv", "Survived", "[[steps]]\nkind = \"polynomial\"\ncolumns = [\"Age\", \"Fare\"]\n"),
        step("step_date_parts", "seattle_weather.csv", "weather", "[[steps]]\nkind = \"date_parts\"\ncolumns = [\"date\"]\nformat = \"%Y/%m/%d\"\nparts = [\"year\", \"month\", \"day_of_week\", \"day_of_year\"]\n"),
    ]
}

fn datasets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets")
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn frame(data: &str) -> DataFrame {
    read_csv(&datasets().join(data)).unwrap().frame
}

/// The artifact of `case`, stamped with fixed times and fingerprints so that its bytes depend
/// only on the code and the data.
fn build(case: &Case) -> Artifact {
    let frame = frame(case.data);
    let mut spec = ModelSpec::new(case.model);
    for (k, v) in case.params {
        spec = spec.param(*k, *v);
    }
    let mut config = TrainConfig::new(case.target)
        .model(spec)
        .seed(7)
        .holdout(Holdout::Fraction(0.25));
    if let Some(steps) = case.steps {
        let text = if case.data == "titanic.csv" {
            let dropped: Vec<String> = TITANIC_DROPPED
                .iter()
                .filter(|c| !steps.contains(&format!("\"{c}\"")))
                .map(|c| format!("\"{c}\""))
                .collect();
            format!(
                "[[steps]]\nkind = \"drop\"\ncolumns = [{}]\n{steps}",
                dropped.join(", ")
            )
        } else {
            steps.to_string()
        };
        let spec: PipelineSpec = toml::from_str(&text).unwrap();
        config = config.features(spec);
    }
    let run = train(&frame, case.data, &config).unwrap();
    let data = DataInfo {
        source: case.data.to_string(),
        fingerprint: "0".repeat(32),
        rows: frame.height(),
    };
    Artifact {
        header: ArtifactHeader::for_run(&run, &config, data, 0),
        model: run.fitted,
    }
}

/// The predictions of `artifact` on the first rows of its dataset, one line each: the class
/// and its probabilities, or the value, written with every digit.
fn predictions(artifact: &Artifact, data: &str) -> String {
    let rows = frame(data).head(Some(60));
    let mut out = String::new();
    match artifact.model.predict(&rows, data).unwrap() {
        Predictions::Classes {
            labels,
            proba,
            n_classes,
        } => {
            for (i, label) in labels.iter().enumerate() {
                out.push_str(&artifact.model.target.classes[*label]);
                if let Some(p) = &proba {
                    for v in &p[i * n_classes..(i + 1) * n_classes] {
                        out.push_str(&format!(" {v:?}"));
                    }
                }
                out.push('\n');
            }
        }
        Predictions::Values(values) => {
            for v in values {
                out.push_str(&format!("{v:?}\n"));
            }
        }
    }
    out
}

#[test]
fn golden_artifacts_decode_re_encode_and_predict_as_written() {
    let regenerate = std::env::var_os("CRISP_REGENERATE_GOLDEN").is_some();
    let dir = golden_dir();
    let mut failures = Vec::new();
    for case in cases() {
        let path = dir.join(format!("{}.crisp", case.name));
        let expected_path = dir.join(format!("{}.predictions", case.name));
        if regenerate {
            let artifact = build(&case);
            std::fs::create_dir_all(&dir).unwrap();
            artifact.write(&path).unwrap();
            std::fs::write(&expected_path, predictions(&artifact, case.data)).unwrap();
        }
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
        assert_eq!(
            version, FORMAT_VERSION,
            "{}: written in format {version}; FORMAT_VERSION is {FORMAT_VERSION}: regenerate the golden files",
            case.name
        );
        let artifact = match Artifact::from_bytes(&bytes) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}: does not decode: {e}", case.name));
                continue;
            }
        };
        assert_eq!(artifact.header.model, case.model, "{}", case.name);
        if artifact.to_bytes().unwrap() != bytes {
            failures.push(format!(
                "{}: decodes but re-encodes to other bytes",
                case.name
            ));
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap();
        if predictions(&artifact, case.data) != expected {
            failures.push(format!(
                "{}: predicts differently than when written",
                case.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the serialized types changed without a FORMAT_VERSION bump (see this file's docs):\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_model_and_step_has_a_golden_artifact() {
    let cases = cases();
    for m in crisp_train::MODELS {
        assert!(
            cases.iter().any(|c| c.model == m.name && c.steps.is_none()),
            "model '{}' has no golden artifact",
            m.name
        );
    }
    // Each step kind of the pipeline TOML appears in one case.
    for kind in crisp_features::STEP_KINDS {
        assert!(
            cases.iter().any(|c| c
                .steps
                .is_some_and(|s| s.contains(&format!("kind = \"{kind}\"")))
                || (*kind == "drop" && c.steps.is_some())),
            "step '{kind}' has no golden artifact"
        );
    }
}
