//! Criterion benches of crisp-trees: fit and predict of each model on seeded synthetic data.
//! `cargo bench --bench trees` (`benches/compare_trees.sh` compares with scikit-learn and
//! LightGBM).

use crisp_trees::{DecisionTree, EarlyStopping, GradientBoosting, RandomForest};
use criterion::{criterion_group, criterion_main, Criterion};
use linfa::prelude::*;
use ndarray::{Array1, Array2, Ix1};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const ROWS: usize = 20_000;
const FEATURES: usize = 20;

/// Uniform features; the target mixes a linear part, a step and an interaction, plus noise.
fn synthetic(seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((ROWS, FEATURES), |_| rng.gen::<f64>());
    let y = Array1::from_shape_fn(ROWS, |i| {
        let r = x.row(i);
        3.0 * r[0] - 2.0 * r[1]
            + f64::from(u8::from(r[2] > 0.5))
            + 4.0 * r[3] * r[4]
            + rng.gen_range(-0.5..0.5)
    });
    (x, y)
}

fn classification(seed: u64) -> Dataset<f64, usize, Ix1> {
    let (x, y) = synthetic(seed);
    let median = {
        let mut s = y.to_vec();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    };
    Dataset::new(x, y.mapv(|v| usize::from(v > median)))
}

fn regression(seed: u64) -> Dataset<f64, f64, Ix1> {
    let (x, y) = synthetic(seed);
    Dataset::new(x, y)
}

fn classifiers(c: &mut Criterion) {
    let train = classification(1);
    let test = classification(2);
    let mut group = c.benchmark_group(format!("trees/classification-{ROWS}x{FEATURES}"));
    group.sample_size(10);

    let dt = DecisionTree::params().max_depth(Some(10));
    group.bench_function("decision_tree/fit", |b| b.iter(|| dt.fit(&train).unwrap()));
    let model = dt.fit(&train).unwrap();
    group.bench_function("decision_tree/predict", |b| {
        b.iter(|| model.predict(test.records()))
    });

    let rf = RandomForest::params().n_trees(50).max_depth(Some(10));
    group.bench_function("random_forest/fit", |b| b.iter(|| rf.fit(&train).unwrap()));
    let model = rf.fit(&train).unwrap();
    group.bench_function("random_forest/predict", |b| {
        b.iter(|| model.predict(test.records()))
    });

    let gbdt = GradientBoosting::params()
        .n_rounds(100)
        .early_stopping(EarlyStopping::Off);
    group.bench_function("gbdt/fit", |b| b.iter(|| gbdt.fit(&train).unwrap()));
    let model = gbdt.fit(&train).unwrap();
    group.bench_function("gbdt/predict", |b| b.iter(|| model.predict(test.records())));
    group.bench_function("gbdt/predict_proba", |b| {
        b.iter(|| model.predict_proba(test.records().view()))
    });
    group.finish();
}

fn regressors(c: &mut Criterion) {
    let train = regression(3);
    let test = regression(4);
    let mut group = c.benchmark_group(format!("trees/regression-{ROWS}x{FEATURES}"));
    group.sample_size(10);

    let dt = DecisionTree::params().max_depth(Some(10));
    group.bench_function("decision_tree/fit", |b| b.iter(|| dt.fit(&train).unwrap()));

    let rf = RandomForest::params().n_trees(50).max_depth(Some(10));
    group.bench_function("random_forest/fit", |b| b.iter(|| rf.fit(&train).unwrap()));

    let gbdt = GradientBoosting::params()
        .n_rounds(100)
        .early_stopping(EarlyStopping::Off);
    group.bench_function("gbdt/fit", |b| b.iter(|| gbdt.fit(&train).unwrap()));
    let model = gbdt.fit(&train).unwrap();
    group.bench_function("gbdt/predict", |b| b.iter(|| model.predict(test.records())));
    group.finish();
}

criterion_group!(benches, classifiers, regressors);
criterion_main!(benches);
