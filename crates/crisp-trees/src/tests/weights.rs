//! Sample weights: frequency weights, equal to repeating rows.

use linfa::prelude::*;
use ndarray::{array, Array1, Array2, Axis};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::{Criterion, DecisionTree, GradientBoosting, MaxFeatures, RandomForest, TreeError};

/// Features with at most 64 distinct values each, so that bin edges (midpoints between distinct
/// values) are the same whether rows are repeated or weighted; a binary, a three-class and a
/// real target; integer weights 1..=3.
struct Problem {
    x: Array2<f64>,
    y: Array1<usize>,
    y3: Array1<usize>,
    r: Array1<f64>,
    w: Vec<f32>,
}

fn problem(n: usize, seed: u64) -> Problem {
    let mut rng = SmallRng::seed_from_u64(seed);
    let x = Array2::from_shape_fn((n, 4), |_| (rng.gen::<f64>() * 64.0).floor() / 4.0);
    let noise: Vec<f64> = (0..n).map(|_| rng.gen::<f64>()).collect();
    let y = Array1::from_shape_fn(n, |i| {
        usize::from((x[[i, 0]] + x[[i, 1]] > 16.0) ^ (noise[i] < 0.1))
    });
    let y3 = Array1::from_shape_fn(n, |i| ((x[[i, 0]] / 16.0 * 3.0) as usize).min(2));
    // Continuous noise: no two candidate splits tie, which rounding could break either way.
    let r = Array1::from_shape_fn(n, |i| {
        3.0 * x[[i, 0]] - x[[i, 1]] * x[[i, 2]] / 8.0 + 5.0 * noise[i]
    });
    let w = (0..n).map(|_| rng.gen_range(1..=3) as f32).collect();
    Problem { x, y, y3, r, w }
}

/// Every row repeated as many times as its (integer) weight.
fn repeated<T: Clone>(x: &Array2<f64>, y: &Array1<T>, w: &[f32]) -> (Array2<f64>, Array1<T>) {
    let rows: Vec<usize> = w
        .iter()
        .enumerate()
        .flat_map(|(i, &w)| std::iter::repeat_n(i, w as usize))
        .collect();
    (x.select(Axis(0), &rows), y.select(Axis(0), &rows))
}

fn weighted<T>(x: &Array2<f64>, y: &Array1<T>, w: &[f32]) -> Dataset<f64, T, ndarray::Ix1>
where
    T: Clone,
{
    Dataset::new(x.clone(), y.clone()).with_weights(Array1::from(w.to_vec()))
}

fn assert_close(a: &Array2<f64>, b: &Array2<f64>, tol: f64, what: &str) {
    assert_eq!(a.dim(), b.dim(), "{what}");
    let worst = a
        .iter()
        .zip(b)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst <= tol, "{what}: differs by {worst}");
}

#[test]
fn integer_weights_grow_the_trees_of_repeated_rows_exactly() {
    // Class counts are sums of integers either way, so the classification models are equal to
    // the last bit: structure, gains, leaf frequencies.
    let Problem { x, y, y3, w, .. } = problem(400, 1);
    for labels in [&y, &y3] {
        let (xr, yr) = repeated(&x, labels, &w);
        let weighted = weighted(&x, labels, &w);
        let repeated = Dataset::new(xr, yr);
        for criterion in [Criterion::Gini, Criterion::Entropy] {
            for params in [
                DecisionTree::params().criterion(criterion),
                DecisionTree::params()
                    .criterion(criterion)
                    .max_leaves(Some(12))
                    .min_samples_leaf(7)
                    .min_samples_split(20),
                DecisionTree::params()
                    .criterion(criterion)
                    .max_features(MaxFeatures::Count(2))
                    .seed(9),
            ] {
                let a = params.fit(&weighted).unwrap();
                let b = params.fit(&repeated).unwrap();
                assert_eq!(a, b, "{params:?}");
            }
        }
        // Forests draw rows: without the bootstrap every tree sees every row once, and the
        // per-split feature draws follow the same trees.
        let params = RandomForest::params().n_trees(5).bootstrap(false).seed(2);
        assert_eq!(
            params.fit(&weighted).unwrap(),
            params.fit(&repeated).unwrap()
        );
    }
}

#[test]
fn integer_weights_fit_regression_trees_of_repeated_rows() {
    // Weighted sums of real targets round differently from repeated additions, so the trees
    // are the same up to rounding: where two features send the same rows left (common in
    // small deep nodes), which one wins the exact tie is up to the last bit, but the rows'
    // partition, and so every training row's prediction, is the same.
    let Problem { x, r, w, .. } = problem(400, 2);
    let (xr, rr) = repeated(&x, &r, &w);
    let weighted = weighted(&x, &r, &w);
    let repeated = Dataset::new(xr, rr);
    for params in [
        DecisionTree::params(),
        DecisionTree::params()
            .max_depth(Some(4))
            .min_samples_leaf(9),
    ] {
        let a: DecisionTree<f64> = params.fit(&weighted).unwrap();
        let b: DecisionTree<f64> = params.fit(&repeated).unwrap();
        assert_eq!(a.n_leaves(), b.n_leaves());
        let pa = a.predict(&x).insert_axis(Axis(1));
        let pb = b.predict(&x).insert_axis(Axis(1));
        assert_close(&pa, &pb, 1e-9, "decision tree regression");
    }
    let params = RandomForest::params().n_trees(4).bootstrap(false);
    let a: RandomForest<f64> = params.fit(&weighted).unwrap();
    let b: RandomForest<f64> = params.fit(&repeated).unwrap();
    let (pa, pb) = (a.predict(&x), b.predict(&x));
    assert_close(
        &pa.insert_axis(Axis(1)),
        &pb.insert_axis(Axis(1)),
        1e-9,
        "forest regression",
    );
}

#[test]
fn integer_weights_boost_like_repeated_rows() {
    // Gradients and hessians scaled by the weights sum to the repeated rows' sums up to
    // rounding: the same partitions of the rows (see the regression trees above), the same
    // scores within rounding.
    let Problem { x, y, y3, r, w } = problem(500, 3);
    let params = GradientBoosting::params()
        .n_rounds(20)
        .min_samples_leaf(6)
        .learning_rate(0.2);
    for labels in [&y, &y3] {
        let (xr, yr) = repeated(&x, labels, &w);
        let a = params.fit(&weighted(&x, labels, &w)).unwrap();
        let b = params.fit(&Dataset::new(xr, yr)).unwrap();
        assert_close(
            &a.predict_raw(x.view()),
            &b.predict_raw(x.view()),
            1e-9,
            "gbdt classification scores",
        );
    }
    let (xr, rr) = repeated(&x, &r, &w);
    let a: GradientBoosting<f64> = params.fit(&weighted(&x, &r, &w)).unwrap();
    let b: GradientBoosting<f64> = params.fit(&Dataset::new(xr, rr)).unwrap();
    assert_close(
        &a.predict_raw(x.view()),
        &b.predict_raw(x.view()),
        1e-9,
        "gbdt regression",
    );
}

#[test]
fn weights_of_one_fit_exactly_the_unweighted_model() {
    let train = binary_problem(800, 4, 4);
    let ones = Array1::from_elem(800, 1.0f32);
    let with_ones =
        Dataset::new(train.records().clone(), train.targets().clone()).with_weights(ones.clone());
    assert_eq!(
        DecisionTree::params().fit(&with_ones).unwrap(),
        DecisionTree::params().fit(&train).unwrap()
    );
    assert_eq!(
        RandomForest::params().n_trees(5).fit(&with_ones).unwrap(),
        RandomForest::params().n_trees(5).fit(&train).unwrap()
    );
    assert_eq!(
        GradientBoosting::params()
            .n_rounds(5)
            .fit(&with_ones)
            .unwrap(),
        GradientBoosting::params().n_rounds(5).fit(&train).unwrap()
    );
    let reals = regression_problem(800, 4, 5);
    let with_ones =
        Dataset::new(reals.records().clone(), reals.targets().clone()).with_weights(ones);
    let a: GradientBoosting<f64> = GradientBoosting::params()
        .n_rounds(5)
        .fit(&with_ones)
        .unwrap();
    let b: GradientBoosting<f64> = GradientBoosting::params().n_rounds(5).fit(&reals).unwrap();
    assert_eq!(a, b);
}

#[test]
fn weights_move_a_leaf_majority() {
    // One constant feature: every model is a single leaf. Three rows of class 0 against one
    // of class 1 weighing 5.
    let x = array![[1.0], [1.0], [1.0], [1.0]];
    let y = array![0usize, 0, 0, 1];
    let w = array![1.0f32, 1.0, 1.0, 5.0];
    let data = Dataset::new(x.clone(), y.clone()).with_weights(w.clone());
    let tree = DecisionTree::params().fit(&data).unwrap();
    assert_eq!(
        tree.predict_proba(x.view()).row(0).to_vec(),
        vec![3.0 / 8.0, 5.0 / 8.0]
    );
    assert_eq!(tree.predict(&x), array![1, 1, 1, 1]);
    let forest = RandomForest::params()
        .n_trees(3)
        .bootstrap(false)
        .fit(&data)
        .unwrap();
    assert_eq!(forest.predict(&x), array![1, 1, 1, 1]);
    let gbdt = GradientBoosting::params()
        .n_rounds(3)
        .min_samples_leaf(1)
        .fit(&data)
        .unwrap();
    assert!((gbdt.predict_proba(x.view())[[0, 1]] - 5.0 / 8.0).abs() < 1e-12);
    // Regression: the weighted mean.
    let r = array![1.0, 2.0, 3.0, 10.0];
    let data = Dataset::new(x.clone(), r).with_weights(w);
    let tree: DecisionTree<f64> = DecisionTree::params().fit(&data).unwrap();
    assert!((tree.predict(&x)[0] - 56.0 / 8.0).abs() < 1e-12);
}

#[test]
fn zero_weights_count_as_absent_rows() {
    // Rows of weight 0 add nothing to any sum: on the other rows, predictions are those of a
    // model fitted without them (their values may still add bin edges, which moves
    // thresholds between training values but not the partition of the weighted rows).
    let Problem { x, y, r, .. } = problem(300, 6);
    let w: Vec<f32> = (0..300)
        .map(|i| if i % 4 == 0 { 0.0 } else { 1.0 })
        .collect();
    let kept: Vec<usize> = (0..300).filter(|i| i % 4 != 0).collect();
    let xk = x.select(Axis(0), &kept);
    let a = DecisionTree::params().fit(&weighted(&x, &y, &w)).unwrap();
    let b = DecisionTree::params()
        .fit(&Dataset::new(xk.clone(), y.select(Axis(0), &kept)))
        .unwrap();
    assert_eq!(a.predict_proba(xk.view()), b.predict_proba(xk.view()));
    let a: GradientBoosting<f64> = GradientBoosting::params()
        .n_rounds(10)
        .min_samples_leaf(5)
        .fit(&weighted(&x, &r, &w))
        .unwrap();
    let b: GradientBoosting<f64> = GradientBoosting::params()
        .n_rounds(10)
        .min_samples_leaf(5)
        .fit(&Dataset::new(xk.clone(), r.select(Axis(0), &kept)))
        .unwrap();
    assert_close(
        &a.predict_raw(xk.view()),
        &b.predict_raw(xk.view()),
        1e-9,
        "gbdt",
    );
}

#[test]
fn samples_of_weightless_rows_give_finite_models() {
    // One row in 40 weighs something: some bootstrap samples and some boosting subsamples
    // hold only rows of weight 0. Their trees predict the whole data's frequencies or mean,
    // and boosting rounds on them change nothing.
    let train = binary_problem(40, 3, 10);
    let w: Array1<f32> = (0..40).map(|i| f32::from(u8::from(i == 7))).collect();
    let (x, y) = (train.records().clone(), train.targets().clone());
    let data = Dataset::new(x.clone(), y.clone()).with_weights(w.clone());
    let forest = RandomForest::params()
        .n_trees(20)
        .subsample(0.05)
        .fit(&data)
        .unwrap();
    let proba = forest.predict_proba(x.view());
    let label = y[7];
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
        // Every tree, weightless or not, gives row 7's class probability 1.
        assert_eq!(row[label], 1.0);
    }
    let reals = regression_problem(40, 3, 11);
    let data = Dataset::new(x.clone(), reals.targets().clone()).with_weights(w);
    let forest: RandomForest<f64> = RandomForest::params()
        .n_trees(20)
        .subsample(0.05)
        .fit(&data)
        .unwrap();
    assert!(forest
        .predict(&x)
        .iter()
        .all(|&p| (p - reals.targets()[7]).abs() < 1e-9));
    let gbdt: GradientBoosting<f64> = GradientBoosting::params()
        .n_rounds(10)
        .subsample(0.05)
        .min_samples_leaf(1)
        .fit(&data)
        .unwrap();
    assert!(gbdt
        .predict(&x)
        .iter()
        .all(|&p| (p - reals.targets()[7]).abs() < 1e-9));
}

#[test]
fn weighted_fits_do_not_depend_on_the_thread_count() {
    // Big enough for the spinning pair and rayon's pool (see the unweighted tests).
    let train = binary_problem(24_000, 8, 7);
    let mut rng = SmallRng::seed_from_u64(8);
    let w: Array1<f32> = (0..24_000).map(|_| rng.gen_range(0.0..3.0f32)).collect();
    let data =
        Dataset::new(train.records().clone(), train.targets().clone()).with_weights(w.clone());
    let reals = regression_problem(24_000, 8, 9);
    let reals = Dataset::new(reals.records().clone(), reals.targets().clone()).with_weights(w);
    let tree = DecisionTree::params().max_depth(Some(8));
    let gbdt = GradientBoosting::params().n_rounds(5).subsample(0.8);
    let fit = |threads| {
        in_pool(threads, || {
            let r: DecisionTree<f64> = tree.fit(&reals).unwrap();
            let g: GradientBoosting<f64> = gbdt.fit(&reals).unwrap();
            (tree.fit(&data).unwrap(), r, gbdt.fit(&data).unwrap(), g)
        })
    };
    let one = fit(1);
    for threads in [2, 3] {
        assert!(fit(threads) == one, "{threads} threads");
    }
}

#[test]
fn bad_weights_are_errors_naming_the_model() {
    let x = array![[1.0], [2.0], [3.0]];
    let y = array![0usize, 1, 1];
    let with = |w: Vec<f32>| Dataset::new(x.clone(), y.clone()).with_weights(Array1::from(w));
    let negative = with(vec![1.0, -0.5, 1.0]);
    let nan = with(vec![1.0, 1.0, f32::NAN]);
    let short = with(vec![1.0, 1.0]);
    let zeros = with(vec![0.0, 0.0, 0.0]);

    let err = DecisionTree::params().fit(&negative).unwrap_err();
    assert!(matches!(
        err,
        TreeError::InvalidWeight {
            model: "decision_tree",
            row: 1,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "decision_tree: sample weight at row 1 is -0.5; weights must be finite and >= 0"
    );
    let err = RandomForest::params().fit(&nan).unwrap_err();
    assert!(matches!(
        err,
        TreeError::InvalidWeight {
            model: "random_forest",
            row: 2,
            ..
        }
    ));
    let err = GradientBoosting::params().fit(&short).unwrap_err();
    assert_eq!(
        err.to_string(),
        "gbdt: cannot fit with these sample weights: 2 weights for 3 rows"
    );
    let err = GradientBoosting::params().fit(&zeros).unwrap_err();
    assert!(matches!(
        err,
        TreeError::InvalidWeights { model: "gbdt", .. }
    ));
    assert!(err.to_string().contains("every weight is 0"), "{err}");
    let reals = Dataset::new(x.clone(), array![1.0, 2.0, 3.0]).with_weights(Array1::from(vec![
        1.0,
        f32::INFINITY,
        1.0,
    ]));
    let r: Result<DecisionTree<f64>, TreeError> = DecisionTree::params().fit(&reals);
    assert!(matches!(r, Err(TreeError::InvalidWeight { row: 1, .. })));
}
