//! linfa's own cross-validation helpers on crisp-trees models: they fit on `DatasetView`s
//! (views of records and of targets) and predict on views.
//!
//! (linfa 0.8.1 has `iter_fold`, `fold`, `cross_validate` and `cross_validate_single`; its
//! multi-target form is `cross_validate` on two-dimensional targets, which crisp-trees' models,
//! being single-target, do not fit.)

mod common;

use common::iris;
use crisp_trees::{DecisionTree, GradientBoosting, RandomForest, TreeError};
use linfa::dataset::CountedTargets;
use linfa::prelude::*;
use ndarray::{arr0, Array1, Array2, ArrayView1, ArrayView2, Ix1};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn shuffled_iris() -> Dataset<f64, usize, Ix1> {
    iris().shuffle(&mut SmallRng::seed_from_u64(7))
}

/// `y = 3 x0 - 2 x1 + noise`, 300 rows.
fn regression() -> Dataset<f64, f64, Ix1> {
    let mut rng = SmallRng::seed_from_u64(8);
    let x = Array2::from_shape_fn((300, 3), |_| rng.gen_range(0.0..10.0));
    let y = Array1::from_shape_fn(300, |i| {
        3.0 * x[[i, 0]] - 2.0 * x[[i, 1]] + rng.gen_range(-0.5..0.5)
    });
    Dataset::new(x, y)
}

fn accuracy(predicted: &Array1<usize>, truth: &ArrayView1<usize>) -> f64 {
    let right = predicted.iter().zip(truth).filter(|(p, t)| p == t).count();
    right as f64 / truth.len() as f64
}

#[test]
fn iter_fold_fits_and_predicts_on_views() {
    let mut data = shuffled_iris();
    let params = DecisionTree::params().max_depth(Some(4));
    let mut folds = 0;
    for (model, valid) in data.iter_fold(5, |train: &DatasetView<f64, usize, Ix1>| {
        assert_eq!(train.nsamples(), 120);
        params.fit(train).unwrap()
    }) {
        // `valid` is a view too: records `ArrayView2`, targets `ArrayView1`.
        let records: &ArrayView2<f64> = valid.records();
        let predicted: Array1<usize> = model.predict(records);
        assert!(accuracy(&predicted, &valid.targets().view()) >= 0.8);
        let cm = predicted.confusion_matrix(&valid).unwrap();
        assert!(cm.accuracy() >= 0.8);
        folds += 1;
    }
    assert_eq!(folds, 5);
}

#[test]
fn fits_on_views_equal_fits_on_owned_copies() {
    let mut data = regression();
    let params = GradientBoosting::params().n_rounds(20).min_samples_leaf(5);
    let pairs: Vec<_> = data
        .iter_fold(3, |train| {
            let owned = Dataset::new(train.records().to_owned(), train.targets().to_owned());
            let from_view: GradientBoosting<f64> = params.fit(train).unwrap();
            (from_view, params.fit(&owned).unwrap())
        })
        .map(|(models, _)| models)
        .collect();
    assert_eq!(pairs.len(), 3);
    for (from_view, from_owned) in pairs {
        assert_eq!(from_view, from_owned);
    }
    // `fold` hands out owned folds: they fit too.
    for (train, valid) in regression().fold(3) {
        let model: GradientBoosting<f64> = params.fit(&train).unwrap();
        assert!(model.predict(valid.records()).r2(valid.targets()).unwrap() > 0.9);
    }
}

#[test]
fn other_target_containers_fit_like_owned_arrays() {
    // References to targets and linfa's `CountedTargets` are single targets too.
    let data = shuffled_iris();
    let (x, y) = (data.records(), data.targets());
    let params = RandomForest::params().n_trees(5);
    let owned = params.fit(&data).unwrap();
    let by_ref = params.fit(&DatasetBase::new(x.view(), y)).unwrap();
    let counted = params
        .fit(&DatasetBase::new(x.clone(), CountedTargets::new(y.clone())))
        .unwrap();
    assert_eq!(owned, by_ref);
    assert_eq!(owned, counted);
}

#[test]
fn cross_validate_single_compares_classifiers() -> Result<(), TreeError> {
    let mut data = shuffled_iris();
    let stump = DecisionTree::params().max_depth(Some(1));
    let tree = DecisionTree::params().max_depth(Some(4));
    let accuracies = data.cross_validate_single(5, &[stump, tree], |predicted, truth| {
        Ok(predicted.confusion_matrix(truth)?.accuracy())
    })?;
    assert_eq!(accuracies.len(), 2);
    // A stump can tell one species from the other two: about 2/3 right. Depth 4 does better.
    assert!(
        accuracies[0] < 0.75 && accuracies[1] > 0.9,
        "{accuracies:?}"
    );

    let forests = [
        RandomForest::params().n_trees(10).seed(1),
        RandomForest::params().n_trees(10).seed(2),
    ];
    let accuracies = data.cross_validate_single(3, &forests, |predicted, truth| {
        Ok(accuracy(predicted, truth) as f32)
    })?;
    assert!(accuracies.iter().all(|&a| a > 0.9), "{accuracies:?}");

    let gbdt = [GradientBoosting::params().n_rounds(20).min_samples_leaf(5)];
    let accuracies =
        data.cross_validate_single(3, &gbdt, |predicted, truth| Ok(accuracy(predicted, truth)))?;
    assert!(accuracies[0] > 0.9, "{accuracies:?}");
    Ok(())
}

#[test]
fn cross_validate_single_scores_regressors() -> Result<(), TreeError> {
    let mut data = regression();
    let models = [
        GradientBoosting::params().n_rounds(100).min_samples_leaf(5),
        GradientBoosting::params().n_rounds(2).min_samples_leaf(5),
    ];
    let r2 = data.cross_validate_single(4, &models, |predicted, truth| predicted.r2(truth))?;
    assert!(r2[0] > 0.95 && r2[1] < r2[0], "{r2:?}");

    let trees = [DecisionTree::params().max_depth(Some(6))];
    let mse = data.cross_validate_single(4, &trees, |predicted, truth| {
        predicted.mean_squared_error(truth)
    })?;
    let forests = [RandomForest::params().n_trees(20)];
    let forest_mse = data.cross_validate_single(4, &forests, |predicted, truth| {
        predicted.mean_squared_error(truth)
    })?;
    // Targets range over about 50 units.
    assert!(
        mse[0] < 10.0 && forest_mse[0] < 10.0,
        "{mse:?} {forest_mse:?}"
    );
    Ok(())
}

#[test]
fn cross_validate_with_array_scores() -> Result<(), TreeError> {
    // The general form: the metric returns a zero-dimensional array per model and fold.
    let mut data = shuffled_iris();
    let params = [DecisionTree::params().max_depth(Some(3))];
    let scores = data.cross_validate(5, &params, |predicted, truth| {
        Ok(arr0(predicted.confusion_matrix(truth)?.accuracy()))
    })?;
    assert!(scores[0] > 0.9, "{scores:?}");
    Ok(())
}

#[test]
fn weights_are_used_by_owned_folds_and_dropped_by_views() {
    // `fold` and `iter_fold` build new datasets, which carry no weights: the weights of the
    // whole dataset do not reach the folds' fits. A fit on a weighted dataset honours them.
    let data = shuffled_iris();
    let w: Array1<f32> = data
        .targets()
        .iter()
        .map(|&c| if c == 2 { 5.0 } else { 1.0 })
        .collect();
    let weighted = data.clone().with_weights(w);
    let params = DecisionTree::params().max_depth(Some(1));
    let plain = params.fit(&data).unwrap();
    let heavy = params.fit(&weighted).unwrap();
    assert_ne!(plain, heavy);
    // A stump on weighted iris sets apart the heavy class (virginica) from the rest.
    let virginica = heavy.predict(data.records()).mapv(|c| c == 2);
    let truth = data.targets().mapv(|c| c == 2);
    let agree = virginica.iter().zip(&truth).filter(|(a, b)| a == b).count();
    assert!(agree >= 140, "{agree}");
    for (train, _) in weighted.fold(2) {
        assert!(train.weights().is_none());
    }
}
