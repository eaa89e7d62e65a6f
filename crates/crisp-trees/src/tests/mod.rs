//! Behavioural tests of the fitted models.

mod decision_tree;
mod external;
mod forest;
mod gbdt;
mod weights;

use linfa::Dataset;
use ndarray::{Array1, Array2};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// `f` run in a fresh rayon pool of `threads` threads: thread counts pick different code paths
/// (one thread; two: the spinning pair of `spin.rs`; more: rayon's pool for big nodes).
pub(crate) fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// A binary problem learnable by trees: class 1 when `x0 + x1 > 1` or `x2 > 0.8`; the other
/// columns are noise.
pub(crate) fn binary_problem(n: usize, p: usize, seed: u64) -> Dataset<f64, usize, ndarray::Ix1> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, p), |_| rng.gen::<f64>());
    let y = Array1::from_shape_fn(n, |i| {
        usize::from(x[[i, 0]] + x[[i, 1]] > 1.0 || x[[i, 2]] > 0.8)
    });
    Dataset::new(x, y)
}

/// A smooth regression target with noise-free structure.
pub(crate) fn regression_problem(n: usize, p: usize, seed: u64) -> Dataset<f64, f64, ndarray::Ix1> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, p), |_| rng.gen::<f64>());
    let y = Array1::from_shape_fn(n, |i| {
        10.0 * x[[i, 0]] + 5.0 * (x[[i, 1]] > 0.5) as u8 as f64 - 3.0 * x[[i, 2]] * x[[i, 2]]
    });
    Dataset::new(x, y)
}

/// Three classes by which third of `x0` a row falls in.
pub(crate) fn multiclass_problem(n: usize, seed: u64) -> Dataset<f64, usize, ndarray::Ix1> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, 3), |_| rng.gen::<f64>());
    let y = Array1::from_shape_fn(n, |i| ((x[[i, 0]] * 3.0) as usize).min(2));
    Dataset::new(x, y)
}

/// Only a partition of the categories separates the classes: codes {0, 3, 5} are class 1,
/// the others class 0, so no single threshold on the code can.
pub(crate) fn categorical_problem(n: usize, seed: u64) -> Dataset<f64, usize, ndarray::Ix1> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, 2), |(_, j)| {
        if j == 0 {
            rng.gen_range(0..6) as f64
        } else {
            rng.gen::<f64>()
        }
    });
    let y = Array1::from_shape_fn(n, |i| usize::from(matches!(x[[i, 0]] as usize, 0 | 3 | 5)));
    Dataset::new(x, y)
}

pub(crate) fn accuracy(pred: &Array1<usize>, truth: &Array1<usize>) -> f64 {
    pred.iter().zip(truth).filter(|(a, b)| a == b).count() as f64 / truth.len() as f64
}

pub(crate) fn rmse(pred: &Array1<f64>, truth: &Array1<f64>) -> f64 {
    (pred
        .iter()
        .zip(truth)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        / truth.len() as f64)
        .sqrt()
}

pub(crate) fn std_dev(y: &Array1<f64>) -> f64 {
    let m = y.mean().unwrap();
    (y.iter().map(|v| (v - m).powi(2)).sum::<f64>() / y.len() as f64).sqrt()
}

pub(crate) fn roundtrip<T: serde::Serialize + serde::de::DeserializeOwned>(m: &T) -> T {
    let bytes = bincode::serde::encode_to_vec(m, bincode::config::standard()).unwrap();
    let (back, len) =
        bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
    assert_eq!(len, bytes.len());
    back
}

/// Missing values carry the signal: class 1 exactly when `x0` is missing, and `x0`'s present
/// values are noise.
pub(crate) fn missing_problem(n: usize, seed: u64) -> Dataset<f64, usize, ndarray::Ix1> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut x = Array2::from_shape_fn((n, 2), |_| rng.gen::<f64>());
    let y = Array1::from_shape_fn(n, |i| usize::from(i % 3 == 0));
    for i in 0..n {
        if y[i] == 1 {
            x[[i, 0]] = f64::NAN;
        }
    }
    Dataset::new(x, y)
}

#[test]
fn every_fitted_model_passes_its_validation() {
    use crate::{DecisionTree, GradientBoosting, RandomForest};
    use linfa::prelude::*;

    let binary = binary_problem(300, 4, 1);
    let multi = multiclass_problem(300, 2);
    let categorical = categorical_problem(300, 3);
    let reals = regression_problem(300, 4, 4);
    for data in [&binary, &multi, &categorical] {
        let cats = if std::ptr::eq(data, &categorical) {
            vec![0]
        } else {
            vec![]
        };
        DecisionTree::params()
            .categorical_features(cats.clone())
            .fit(data)
            .unwrap()
            .validate()
            .unwrap();
        RandomForest::params()
            .n_trees(3)
            .categorical_features(cats.clone())
            .fit(data)
            .unwrap()
            .validate()
            .unwrap();
        GradientBoosting::params()
            .n_rounds(5)
            .categorical_features(cats)
            .fit(data)
            .unwrap()
            .validate()
            .unwrap();
    }
    DecisionTree::params()
        .fit(&reals)
        .unwrap()
        .validate()
        .unwrap();
    RandomForest::params()
        .n_trees(3)
        .fit(&reals)
        .unwrap()
        .validate()
        .unwrap();
    GradientBoosting::params()
        .n_rounds(5)
        .fit(&reals)
        .unwrap()
        .validate()
        .unwrap();
}
