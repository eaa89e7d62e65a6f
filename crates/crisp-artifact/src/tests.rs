//! Round trips through a real training run and tampering (tests/golden.rs pins the format).

use std::path::Path;

use crisp_core::parse_csv;
use crisp_train::{train, Holdout, ModelSpec, TrainConfig};
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
        max_classes: crisp_train::DEFAULT_MAX_CLASSES,
        split_by: crisp_train::SplitBy::Rows,
        refit: false,
        weighting: Default::default(),
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
