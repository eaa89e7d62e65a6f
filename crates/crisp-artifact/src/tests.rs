//! Round trips through a real training run, tampering, and the golden file that pins format 1.

use std::path::{Path, PathBuf};

use crisp_core::parse_csv;
use crisp_train::{train, Holdout, ModelSpec, Predictions, TrainConfig};
use polars::prelude::DataFrame;

use crate::*;

fn penguins() -> DataFrame {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/penguins.csv");
    parse_csv(&std::fs::read(path).unwrap(), "penguins.csv").unwrap()
}

fn artifact(frame: &DataFrame, model: &str, params: &[(&str, &str)]) -> Artifact {
    let config = TrainConfig {
        target: "species".into(),
        task: None,
        model: ModelSpec {
            name: model.into(),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
        features: None,
        seed: 5,
        holdout: Holdout::Fraction(0.25),
    };
    let run = train(frame, "penguins.csv", &config).unwrap();
    let data = DataInfo {
        source: "penguins.csv".into(),
        fingerprint: "0".repeat(32),
        rows: frame.height(),
    };
    Artifact {
        header: ArtifactHeader::for_run(&run, &config, data, 0),
        model: run.fitted,
    }
}

#[test]
fn round_trip_predicts_identically() {
    let frame = penguins();
    for (model, params) in [
        ("linfa_decision_tree", vec![]),
        ("linfa_random_forest", vec![("n_trees", "5")]),
    ] {
        let a = artifact(&frame, model, &params);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.crisp");
        a.write(&path).unwrap();
        let back = Artifact::read(&path).unwrap();
        assert_eq!(back, a, "{model}");
        let before = a.model.predict(&frame, "p").unwrap();
        let after = back.model.predict(&frame, "p").unwrap();
        assert_eq!(before, after);
        assert_eq!(read_header(&path).unwrap(), a.header);
    }
}

#[test]
fn every_single_byte_flip_is_caught() {
    let a = artifact(&penguins(), "linfa_decision_tree", &[("max_depth", "2")]);
    let bytes = a.to_bytes().unwrap();
    // Flip one byte at a time across the whole file (stepping to keep the test fast): every
    // flip must give an error, never a panic and never a silently different model.
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        assert!(
            Artifact::from_bytes(&b).is_err(),
            "flip at byte {i} went unnoticed"
        );
    }
    for cut in [0, 5, 11, 19, bytes.len() / 2, bytes.len() - 1] {
        assert!(Artifact::from_bytes(&bytes[..cut]).is_err());
    }
}

#[test]
fn rewriting_the_header_keeps_the_body() {
    let a = artifact(&penguins(), "linfa_decision_tree", &[("max_depth", "3")]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.crisp");
    a.write(&path).unwrap();
    let mut header = a.header.clone();
    header.blessing = Some(Blessing {
        passed: true,
        thresholds: vec!["accuracy>=0.9".into()],
        data_fingerprint: "f".repeat(32),
        at_unix: 1,
    });
    rewrite_header(&path, &header).unwrap();
    let back = Artifact::read(&path).unwrap();
    assert_eq!(back.header, header);
    assert_eq!(back.model, a.model);
}

fn golden_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/penguins-format1.crisp")
}

/// The committed golden artifact must keep decoding and predicting the same classes. If this
/// fails after a change to a serialized type, bump FORMAT_VERSION and regenerate the file with
/// `CRISP_REGENERATE_GOLDEN=1 cargo test -p crisp-artifact golden`.
#[test]
fn golden_artifact_still_decodes() {
    let frame = penguins();
    if std::env::var_os("CRISP_REGENERATE_GOLDEN").is_some() {
        let a = artifact(&frame, "linfa_decision_tree", &[("max_depth", "3")]);
        std::fs::create_dir_all(golden_path().parent().unwrap()).unwrap();
        a.write(&golden_path()).unwrap();
    }
    let golden = Artifact::read(&golden_path()).expect("golden artifact decodes");
    assert_eq!(golden.header.model, "linfa_decision_tree");
    let Predictions::Classes { labels, .. } = golden.model.predict(&frame, "penguins.csv").unwrap()
    else {
        panic!("classifier");
    };
    let truth = golden
        .model
        .target
        .encode(
            &crisp_train::drop_missing_target(&frame, "species", "p")
                .unwrap()
                .0,
            "p",
        )
        .unwrap();
    let crisp_train::TargetValues::Classes(truth) = truth else {
        panic!()
    };
    let accuracy =
        labels.iter().zip(&truth).filter(|(a, b)| a == b).count() as f64 / truth.len() as f64;
    assert!(
        accuracy > 0.9,
        "a depth-3 tree separates penguin species: {accuracy}"
    );
}
