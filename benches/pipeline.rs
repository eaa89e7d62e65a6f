//! Criterion benches of the feature pipeline and a training run on the bundled adult data.
//! `cargo bench --bench pipeline`

use std::path::Path;

use crisp_core::read_csv;
use crisp_features::{default_pipeline, Encoding};
use crisp_train::{train, Holdout, ModelSpec, TrainConfig};
use criterion::{criterion_group, criterion_main, Criterion};

fn adult() -> polars::prelude::DataFrame {
    read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult.csv"))
        .unwrap()
        .frame
}

fn features(c: &mut Criterion) {
    let frame = adult();
    let mut group = c.benchmark_group("features/adult-32561-rows");
    group.sample_size(20);
    for (name, encoding) in [("one_hot", Encoding::OneHot), ("native", Encoding::Native)] {
        let spec = default_pipeline(&frame, "income", encoding).unwrap();
        group.bench_function(format!("fit/{name}"), |b| {
            b.iter(|| spec.fit(&frame, "income").unwrap())
        });
        let fitted = spec.fit(&frame, "income").unwrap();
        group.bench_function(format!("apply/{name}"), |b| {
            b.iter(|| fitted.matrix(&frame, "adult").unwrap())
        });
    }
    group.bench_function("read_csv", |b| {
        b.iter(|| {
            read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult.csv")).unwrap()
        })
    });
    group.finish();
}

fn training(c: &mut Criterion) {
    let frame = adult();
    let mut group = c.benchmark_group("train/adult");
    group.sample_size(10);
    let config = TrainConfig {
        target: "income".into(),
        task: None,
        model: ModelSpec {
            name: "linfa_decision_tree".into(),
            params: [("max_depth".to_string(), "8".to_string())].into(),
        },
        features: None,
        seed: 1,
        holdout: Holdout::Fraction(0.2),
        max_classes: crisp_train::DEFAULT_MAX_CLASSES,
        split_by: crisp_train::SplitBy::Rows,
        refit: false,
        weighting: Default::default(),
    };
    group.bench_function("linfa_decision_tree/depth8", |b| {
        b.iter(|| train(&frame, "adult", &config).unwrap())
    });
    group.finish();
}

criterion_group!(benches, features, training);
criterion_main!(benches);
