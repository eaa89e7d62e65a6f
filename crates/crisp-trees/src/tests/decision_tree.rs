use linfa::prelude::*;
use ndarray::{array, Array1};

use super::*;
use crate::{Criterion, DecisionTree, DecisionTreeParams, HyperParams, TreeError};

#[test]
fn fits_a_tiny_classification_exactly() {
    let x = array![[1.0, 0.0], [2.0, 0.0], [3.0, 1.0], [4.0, 1.0]];
    let y = array![0usize, 0, 1, 1];
    let model = DecisionTree::params()
        .fit(&Dataset::new(x.clone(), y.clone()))
        .unwrap();
    assert_eq!(model.predict(&x), y);
    assert_eq!(model.n_leaves(), 2);
    assert_eq!(model.n_classes(), 2);
}

#[test]
fn learns_a_synthetic_problem_and_generalises() {
    let train = binary_problem(4000, 6, 1);
    let test = binary_problem(2000, 6, 2);
    let model = DecisionTree::params()
        .max_depth(Some(8))
        .fit(&train)
        .unwrap();
    let acc = accuracy(&model.predict(test.records()), test.targets());
    assert!(acc > 0.93, "accuracy {acc}");
    assert!(model.depth() <= 8);
    // The noise columns 3..6 matter much less than the signal columns.
    let imp = model.feature_importance_gain();
    assert!(imp[0] > 5.0 * imp[4] && imp[2] > 5.0 * imp[4], "{imp:?}");
    assert_eq!(model.feature_importance_split().len(), 6);
}

#[test]
fn unlimited_depth_fits_training_data_perfectly() {
    let train = binary_problem(1500, 4, 3);
    for criterion in [Criterion::Gini, Criterion::Entropy] {
        let model = DecisionTree::params()
            .criterion(criterion)
            .fit(&train)
            .unwrap();
        assert_eq!(
            accuracy(&model.predict(train.records()), train.targets()),
            1.0
        );
    }
}

#[test]
fn probabilities_sum_to_one() {
    let train = multiclass_problem(600, 4);
    let model = DecisionTree::params()
        .max_depth(Some(3))
        .fit(&train)
        .unwrap();
    let proba = model.predict_proba(train.records().view());
    assert_eq!(proba.ncols(), 3);
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
    let acc = accuracy(&model.predict(train.records()), train.targets());
    assert!(acc > 0.95, "{acc}");
}

#[test]
fn regression_tree_predicts_means() {
    let train = regression_problem(3000, 4, 5);
    let test = regression_problem(1000, 4, 6);
    let model = DecisionTree::params()
        .min_samples_leaf(5)
        .fit(&train)
        .unwrap();
    let err = rmse(&model.predict(test.records()), test.targets());
    assert!(err < 0.2 * std_dev(test.targets()), "rmse {err}");
    // A stump predicts the mean of each side exactly.
    let x = array![[0.0], [1.0], [2.0], [3.0]];
    let y = array![1.0, 3.0, 10.0, 14.0];
    let stump = DecisionTree::params()
        .max_depth(Some(1))
        .fit(&Dataset::new(x.clone(), y))
        .unwrap();
    assert_eq!(stump.predict(&x), array![2.0, 2.0, 12.0, 12.0]);
}

#[test]
fn large_target_offsets_do_not_hide_splits() {
    let x = array![[0.0], [1.0], [2.0], [3.0]];
    let y = array![1e9 + 1.0, 1e9 + 1.0, 1e9 + 2.0, 1e9 + 2.0];
    let model = DecisionTree::params()
        .fit(&Dataset::new(x.clone(), y.clone()))
        .unwrap();
    assert_eq!(model.predict(&x), y);
}

#[test]
fn missing_values_follow_the_learned_side() {
    let train = missing_problem(300, 7);
    let model = DecisionTree::params()
        .max_depth(Some(1))
        .fit(&train)
        .unwrap();
    assert_eq!(
        accuracy(&model.predict(train.records()), train.targets()),
        1.0
    );
    let x = array![[f64::NAN, 0.5], [0.5, 0.5]];
    assert_eq!(model.predict(&x), array![1, 0]);
    // A present value above every training value is still present: it goes with the present
    // values, not with the missing ones (x0's training values lie in [0, 1)).
    let x = array![[7.5, 0.5], [-3.0, 0.5], [f64::INFINITY, 0.5]];
    assert_eq!(model.predict(&x), array![0, 0, 0]);
}

#[test]
fn unseen_missing_values_go_to_the_larger_child() {
    // No missing values in training; the split at 2.5 leaves 2 rows left and 4 right.
    let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
    let y = array![0usize, 0, 1, 1, 1, 1];
    let model = DecisionTree::params().fit(&Dataset::new(x, y)).unwrap();
    assert_eq!(model.predict(&array![[f64::NAN]]), array![1]);
}

#[test]
fn categorical_partition_separates_classes() {
    let train = categorical_problem(600, 8);
    let cat = DecisionTree::params()
        .categorical_features(vec![0])
        .max_depth(Some(1))
        .fit(&train)
        .unwrap();
    assert_eq!(
        accuracy(&cat.predict(train.records()), train.targets()),
        1.0
    );
    // Treated as numeric, one split cannot do it.
    let num = DecisionTree::params()
        .max_depth(Some(1))
        .fit(&train)
        .unwrap();
    assert!(accuracy(&num.predict(train.records()), train.targets()) < 0.9);
    // Unknown codes and NaN follow the missing side, wherever that is, but never panic.
    let odd = array![[9.0, 0.5], [f64::NAN, 0.5], [-1.0, 0.5], [2.5, 0.5]];
    let p = cat.predict(&odd);
    assert!(p.iter().all(|&c| c == p[0]));
}

#[test]
fn serde_round_trip_keeps_predictions() {
    let train = binary_problem(500, 5, 9);
    let model = DecisionTree::params()
        .max_depth(Some(5))
        .fit(&train)
        .unwrap();
    let back: DecisionTree = roundtrip(&model);
    assert_eq!(back, model);
    assert_eq!(
        back.predict(train.records()),
        model.predict(train.records())
    );
    let reg = DecisionTree::params()
        .fit(&regression_problem(300, 3, 1))
        .unwrap();
    let back: DecisionTree<f64> = roundtrip(&reg);
    assert_eq!(back, reg);
    let params = DecisionTree::params().max_depth(Some(4));
    assert_eq!(roundtrip(&params), params);
}

#[test]
fn feature_subsampling_is_deterministic_per_seed() {
    let train = binary_problem(2000, 10, 10);
    let fit = |seed| {
        DecisionTree::params()
            .max_features(crate::MaxFeatures::Sqrt)
            .seed(seed)
            .fit(&train)
            .unwrap()
    };
    assert_eq!(fit(3), fit(3));
    assert_ne!(fit(3), fit(4));
}

#[test]
fn same_tree_whatever_the_thread_count() {
    // 24 000 rows x 8 features: the root goes to rayon's pool with three threads, most nodes to
    // the spinning pair with two.
    let classes = binary_problem(24_000, 8, 12);
    let reals = regression_problem(24_000, 8, 13);
    let params = DecisionTree::params().max_depth(Some(8));
    let classifier = |threads| in_pool(threads, || params.fit(&classes).unwrap());
    let regressor = |threads| in_pool(threads, || params.fit(&reals).unwrap());
    let (c1, r1) = (classifier(1), regressor(1));
    for threads in [2, 3] {
        assert_eq!(classifier(threads), c1, "{threads} threads");
        assert_eq!(regressor(threads), r1, "{threads} threads");
    }
}

#[test]
fn set_param_parses_and_check_validates() {
    let mut p = DecisionTreeParams::new();
    p.set_param("max_depth", "4").unwrap();
    p.set_param("criterion", "entropy").unwrap();
    p.set_param("max_leaves", "none").unwrap();
    assert_eq!(p.clone().check().unwrap().max_depth(), Some(4));
    let err = p.set_param("learning_rate", "0.1").unwrap_err().to_string();
    assert!(
        err.contains("learning_rate") && err.contains("max_depth"),
        "{err}"
    );
    let err = p.set_param("max_depth", "deep").unwrap_err().to_string();
    assert!(
        err.contains("max_depth") && err.contains("deep") && err.contains("criterion"),
        "{err}"
    );
    p.set_param("max_bins", "300").unwrap();
    let err = p.clone().check().unwrap_err().to_string();
    assert_eq!(err, "max_bins must be in 2..=255, got 300");
    assert!(HyperParams::param_names(&p).contains(&"colsample"));
    // The unchecked params fit through linfa's blanket impl, checking first.
    let bad = DecisionTree::params().min_samples_leaf(0);
    let r: Result<DecisionTree, TreeError> = bad.fit(&binary_problem(10, 3, 1));
    assert!(matches!(
        r,
        Err(TreeError::InvalidParameter {
            name: "min_samples_leaf",
            ..
        })
    ));
}

#[test]
fn bad_inputs_are_errors() {
    let x = array![[1.0], [2.0]];
    let r = DecisionTree::params().fit(&Dataset::new(x.clone(), array![0.0, f64::NAN]));
    assert!(matches!(r, Err(TreeError::NonFiniteTarget { row: 1, .. })));
    let r = DecisionTree::params()
        .n_classes(Some(2))
        .fit(&Dataset::new(x.clone(), array![0usize, 2]));
    assert!(matches!(
        r,
        Err(TreeError::LabelOutOfRange { label: 2, .. })
    ));
    let r = DecisionTree::params()
        .categorical_features(vec![3])
        .fit(&Dataset::new(x, array![0usize, 1]));
    assert!(matches!(
        r,
        Err(TreeError::InvalidCategorical { feature: 3, .. })
    ));
    let empty: Array1<usize> = Array1::zeros(0);
    let r = DecisionTree::params().fit(&Dataset::new(ndarray::Array2::zeros((0, 2)), empty));
    assert!(matches!(r, Err(TreeError::EmptyDataset { .. })));
}

#[test]
fn max_leaves_grows_best_first() {
    let train = binary_problem(3000, 6, 30);
    for leaves in [2, 5, 17] {
        let model = DecisionTree::params()
            .max_leaves(Some(leaves))
            .fit(&train)
            .unwrap();
        assert_eq!(model.n_leaves(), leaves);
    }
    // The first split of best-first growth is the root split of depth-first growth.
    let stump = DecisionTree::params()
        .max_depth(Some(1))
        .fit(&train)
        .unwrap();
    let two = DecisionTree::params()
        .max_leaves(Some(2))
        .fit(&train)
        .unwrap();
    assert_eq!(stump.predict(train.records()), two.predict(train.records()));
}
