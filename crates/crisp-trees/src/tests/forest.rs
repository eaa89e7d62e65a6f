use linfa::prelude::*;

use super::*;
use crate::{FeatureSampling, MaxFeatures, RandomForest, RandomForestParams};

#[test]
fn classifier_beats_a_single_tree_on_held_out_data() {
    let train = binary_problem(3000, 8, 21);
    let test = binary_problem(2000, 8, 22);
    let forest = RandomForest::params().n_trees(30).fit(&train).unwrap();
    assert_eq!(forest.n_trees(), 30);
    let forest_acc = accuracy(&forest.predict(test.records()), test.targets());
    let tree = crate::DecisionTree::params().fit(&train).unwrap();
    let tree_acc = accuracy(&tree.predict(test.records()), test.targets());
    assert!(
        forest_acc > 0.93 && forest_acc > tree_acc,
        "forest {forest_acc}, tree {tree_acc}"
    );
    let proba = forest.predict_proba(test.records().view());
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-9);
    }
}

#[test]
fn regressor_averages_trees() {
    let train = regression_problem(2000, 4, 23);
    let test = regression_problem(1000, 4, 24);
    let forest = RandomForest::params().n_trees(20).fit(&train).unwrap();
    let err = rmse(&forest.predict(test.records()), test.targets());
    assert!(err < 0.15 * std_dev(test.targets()), "rmse {err}");
}

#[test]
fn same_seed_same_forest_whatever_the_thread_count() {
    let train = binary_problem(1500, 9, 25);
    let params = RandomForest::params().n_trees(8).max_depth(Some(6)).seed(3);
    let fit_with = |threads| in_pool(threads, || params.fit(&train).unwrap());
    let a = fit_with(1);
    assert_eq!(a, fit_with(4));
    assert_ne!(a, params.clone().seed(4).fit(&train).unwrap());
}

#[test]
fn per_tree_sampling_and_no_bootstrap_work() {
    let train = binary_problem(1500, 9, 26);
    let forest = RandomForest::params()
        .n_trees(10)
        .feature_sampling(FeatureSampling::PerTree)
        .max_features(MaxFeatures::Fraction(0.5))
        .bootstrap(false)
        .subsample(0.5)
        .fit(&train)
        .unwrap();
    assert!(accuracy(&forest.predict(train.records()), train.targets()) > 0.9);
    // With a single feature per tree, a tree only ever splits on that feature.
    let stumps = RandomForest::params()
        .n_trees(5)
        .feature_sampling(FeatureSampling::PerTree)
        .max_features(MaxFeatures::Count(1))
        .fit(&train)
        .unwrap();
    assert!(
        stumps
            .feature_importance_split()
            .iter()
            .filter(|&&s| s > 0)
            .count()
            <= 5
    );
}

#[test]
fn categorical_and_missing_values_work_in_forests() {
    let train = categorical_problem(600, 27);
    let forest = RandomForest::params()
        .n_trees(10)
        .max_features(MaxFeatures::All)
        .categorical_features(vec![0])
        .max_depth(Some(1))
        .fit(&train)
        .unwrap();
    assert_eq!(
        accuracy(&forest.predict(train.records()), train.targets()),
        1.0
    );
    let train = missing_problem(300, 28);
    let forest = RandomForest::params().n_trees(10).fit(&train).unwrap();
    assert_eq!(
        accuracy(&forest.predict(train.records()), train.targets()),
        1.0
    );
}

#[test]
fn serde_round_trip_and_set_param() {
    let train = multiclass_problem(400, 29);
    let forest = RandomForest::params().n_trees(5).fit(&train).unwrap();
    let back: RandomForest = roundtrip(&forest);
    assert_eq!(back, forest);
    assert_eq!(
        back.predict(train.records()),
        forest.predict(train.records())
    );
    assert_eq!(forest.n_classes(), 3);

    let mut p = RandomForestParams::new();
    for (name, value) in [
        ("n_trees", "50"),
        ("max_depth", "10"),
        ("colsample", "0.3"),
        ("feature_sampling", "tree"),
        ("subsample", "0.5"),
        ("seed", "9"),
    ] {
        p.set_param(name, value).unwrap();
    }
    let v = p.clone().check().unwrap();
    assert_eq!(v.max_features(), MaxFeatures::Fraction(0.3));
    assert_eq!(v.feature_sampling(), FeatureSampling::PerTree);
    let err = p.set_param("learning_rate", "0.1").unwrap_err().to_string();
    assert!(
        err.contains("random_forest") && err.contains("n_trees"),
        "{err}"
    );
    p.set_param("n_trees", "0").unwrap();
    assert_eq!(
        p.check().unwrap_err().to_string(),
        "n_trees must be >= 1, got 0"
    );
}
