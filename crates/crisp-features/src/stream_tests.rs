//! A pipeline applied to a CSV file in streamed batches gives what the in-memory path gives,
//! on titanic (891 rows: missing ages, text columns, a class target).

use std::path::PathBuf;

use crisp_core::{read_csv, CsvFile};
use polars::prelude::*;

use crate::*;

fn titanic() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/titanic.csv")
}

/// Imputation, scaling, one-hot and out-of-fold target encoding of titanic's columns.
fn spec() -> PipelineSpec {
    toml::from_str(
        r#"
[[steps]]
kind = "drop"
columns = ["PassengerId", "Name", "Ticket", "Cabin", "boat", "body", "home.dest"]
[[steps]]
kind = "impute"
columns = ["Age", "Fare"]
strategy = "median"
[[steps]]
kind = "impute"
columns = ["Embarked"]
strategy = "most_frequent"
[[steps]]
kind = "standard_scale"
columns = ["Age", "Fare"]
[[steps]]
kind = "one_hot"
columns = ["Sex"]
[[steps]]
kind = "target_encode"
columns = ["Embarked"]
"#,
    )
    .unwrap()
}

/// Whether two feature frames hold the same columns with values equal up to floating-point
/// rounding: Polars' arithmetic kernels may round the last bit differently depending on where
/// a value sits in its buffer, and a batch is a different buffer than the whole frame.
fn assert_same_features(got: &DataFrame, want: &DataFrame) {
    assert_eq!(got.get_column_names(), want.get_column_names());
    assert_eq!(got.height(), want.height());
    for name in got.get_column_names() {
        let a = crisp_core::to_vector(got, name).unwrap();
        let b = crisp_core::to_vector(want, name).unwrap();
        for (row, (x, y)) in a.iter().zip(b.iter()).enumerate() {
            assert!(same_value(*x, *y), "{name} row {row}: {x} vs {y}");
        }
    }
}

/// Equal, or equal up to rounding of the last bits (see [`assert_same_features`]).
fn same_value(x: f64, y: f64) -> bool {
    x.to_bits() == y.to_bits() || (x - y).abs() <= 1e-12 * y.abs().max(1.0)
}

/// The streamed output of `pipeline` on titanic with the target carried, in batches of
/// `batch_rows`.
fn streamed(
    pipeline: &FittedPipeline,
    training: Option<&TrainingRows>,
    batch_rows: usize,
) -> DataFrame {
    let file = CsvFile::check(&titanic()).unwrap();
    let options = StreamOptions {
        batch_rows,
        carry: vec!["Survived".into()],
    };
    let mut batches: Vec<DataFrame> = Vec::new();
    let mut sizes = Vec::new();
    let rows = pipeline
        .transform_csv(&file, &options, training, |b| {
            sizes.push(b.height());
            batches.push(b.clone());
            Ok(())
        })
        .unwrap();
    assert_eq!(rows, 891);
    // Batches are whole multiples of 64 rows (the file's record checkpoints).
    let per = batch_rows.div_ceil(64) * 64;
    assert!(
        sizes[..sizes.len() - 1].iter().all(|&n| n == per),
        "{sizes:?}"
    );
    assert_eq!(sizes.iter().sum::<usize>(), 891);
    let mut out = batches.remove(0);
    for b in &batches {
        out.vstack_mut(b).unwrap();
    }
    out
}

#[test]
fn fitted_on_every_row_the_stream_equals_fit_transform() {
    let frame = read_csv(&titanic()).unwrap().frame;
    let spec = spec();
    assert!(spec.is_supervised());
    let (pipeline, mut expected) = spec.fit_transform(&frame, "Survived").unwrap();
    expected
        .with_column(frame.column("Survived").unwrap().clone())
        .unwrap();
    let sample = CsvFile::check(&titanic()).unwrap().sample(10_000).unwrap();
    assert_eq!(sample.stride, 1);
    let training = TrainingRows {
        stride: 1,
        features: spec.fit_transform(&sample.frame, "Survived").unwrap().1,
    };
    let out = streamed(&pipeline, Some(&training), 100);
    assert_same_features(&out, &expected);
    // Without the training rows, every row gets the fitted (full-data) encoding: what
    // `transform` gives, which differs from the out-of-fold values.
    let applied = streamed(&pipeline, None, 64);
    let mut direct = pipeline.transform(&frame, "titanic").unwrap();
    direct
        .with_column(frame.column("Survived").unwrap().clone())
        .unwrap();
    assert_same_features(&applied, &direct);
    assert_ne!(
        applied.column("Embarked").unwrap(),
        out.column("Embarked").unwrap()
    );
}

#[test]
fn fitted_on_a_sample_training_rows_keep_their_out_of_fold_features() {
    let frame = read_csv(&titanic()).unwrap().frame;
    let sample = CsvFile::check(&titanic()).unwrap().sample(300).unwrap();
    assert_eq!((sample.stride, sample.frame.height()), (3, 297));
    let (pipeline, features) = spec().fit_transform(&sample.frame, "Survived").unwrap();
    let training = TrainingRows {
        stride: sample.stride,
        features: features.clone(),
    };
    let out = streamed(&pipeline, Some(&training), 50);
    let applied = pipeline.transform(&frame, "titanic").unwrap();
    for name in &pipeline.features {
        let got = crisp_core::to_vector(&out, name).unwrap();
        let fitted = crisp_core::to_vector(&features, name).unwrap();
        let other = crisp_core::to_vector(&applied, name).unwrap();
        for row in 0..891 {
            let want = if row % 3 == 0 {
                fitted[row / 3]
            } else {
                other[row]
            };
            assert!(
                same_value(got[row], want),
                "{name} row {row}: {} vs {want}",
                got[row]
            );
        }
    }
    // The target encodings of training rows are out-of-fold: they differ from `transform`'s.
    let encoded = crisp_core::to_vector(&out, "Embarked").unwrap();
    let full = crisp_core::to_vector(&applied, "Embarked").unwrap();
    assert!((0..891).step_by(3).any(|r| encoded[r] != full[r]));
}

#[test]
fn a_bad_value_is_reported_at_its_row_in_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.csv");
    let text = std::fs::read_to_string(titanic()).unwrap();
    // Data row 700 (line 701) gets a sex never seen in training.
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 700 {
                l.replace(",male,", ",unknown,")
            } else {
                l.to_string()
            }
        })
        .collect();
    std::fs::write(&path, lines.join("\n")).unwrap();
    let frame = read_csv(&titanic()).unwrap().frame;
    let mut spec = spec();
    if let StepSpec::OneHot(o) = &mut spec.steps[4] {
        o.handle_unknown = HandleUnknown::Error;
    }
    let pipeline = spec.fit(&frame, "Survived").unwrap();
    let file = CsvFile::check(&path).unwrap();
    let options = StreamOptions {
        batch_rows: 128,
        carry: vec![],
    };
    let err = pipeline
        .transform_csv(&file, &options, None, |_| Ok(()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("category 'unknown' on data row 700 "), "{err}");
    assert!(err.starts_with(&path.display().to_string()), "{err}");
    // A failing writer stops the stream with its own error.
    let mut calls = 0;
    let err = pipeline
        .transform_csv(&CsvFile::check(&titanic()).unwrap(), &options, None, |_| {
            calls += 1;
            crisp_core::bail!(Data: "disk full")
        })
        .unwrap_err();
    assert_eq!((err.to_string(), calls), ("disk full".to_string(), 1));
}
