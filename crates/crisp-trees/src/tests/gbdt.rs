use linfa::prelude::*;
use ndarray::{array, Array1, Array2};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::*;
use crate::{EarlyStopping, GradientBoosting, GradientBoostingParams, Loss, TreeError};

#[test]
fn binary_reaches_low_training_error_and_generalises() {
    let train = binary_problem(3000, 5, 11);
    let test = binary_problem(2000, 5, 12);
    let model = GradientBoosting::params().fit(&train).unwrap();
    assert_eq!(model.loss(), Loss::LogLoss);
    assert_eq!(model.n_rounds(), 100);
    let train_acc = accuracy(&model.predict(train.records()), train.targets());
    let test_acc = accuracy(&model.predict(test.records()), test.targets());
    assert!(train_acc > 0.98, "train accuracy {train_acc}");
    assert!(test_acc > 0.95, "test accuracy {test_acc}");
    let proba = model.predict_proba(test.records().view());
    assert_eq!(proba.ncols(), 2);
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
    // Noise features get much less gain than the signal.
    let imp = model.feature_importance_gain();
    assert!(imp[0] > 5.0 * imp[3], "{imp:?}");
}

#[test]
fn regression_and_classification_share_params() {
    let reg = regression_problem(3000, 4, 13);
    let test = regression_problem(1000, 4, 14);
    let params = GradientBoosting::params().n_rounds(200);
    let model: GradientBoosting<f64> = params.fit(&reg).unwrap();
    assert_eq!(model.loss(), Loss::SquaredError);
    let err = rmse(&model.predict(test.records()), test.targets());
    assert!(err < 0.1 * std_dev(test.targets()), "rmse {err}");
    let labels = reg.targets().mapv(|v| usize::from(v > 4.0));
    let clf = params
        .fit(&Dataset::new(reg.records().clone(), labels))
        .unwrap();
    assert_eq!(clf.loss(), Loss::LogLoss);
}

#[test]
fn multiclass_uses_one_tree_per_class() {
    let train = multiclass_problem(1500, 15);
    let model = GradientBoosting::params().n_rounds(30).fit(&train).unwrap();
    assert_eq!(model.loss(), Loss::Softmax);
    assert_eq!(model.n_classes(), 3);
    let proba = model.predict_proba(train.records().view());
    assert_eq!(proba.ncols(), 3);
    for row in proba.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
    assert!(accuracy(&model.predict(train.records()), train.targets()) > 0.97);
    assert_eq!(model.predict_raw(train.records().view()).ncols(), 3);
}

#[test]
fn early_stopping_stops_on_noise() {
    let mut rng = SmallRng::seed_from_u64(16);
    let x = Array2::from_shape_fn((2000, 4), |_| rng.gen::<f64>());
    let y = Array1::from_shape_fn(2000, |_| usize::from(rng.gen::<bool>()));
    let model = GradientBoosting::params()
        .n_rounds(300)
        .learning_rate(0.3)
        .min_samples_leaf(5)
        .early_stopping(EarlyStopping::On)
        .early_stopping_rounds(5)
        .fit(&Dataset::new(x, y))
        .unwrap();
    assert!(model.n_rounds() < 50, "kept {} rounds", model.n_rounds());
    let history = model.validation_loss();
    assert!(history.len() >= model.n_rounds() + 5);
    let best = history[model.n_rounds() - 1];
    assert!(history.iter().all(|&l| l >= best - 1e-7));
}

#[test]
fn same_seed_same_model_whatever_the_thread_count() {
    // Big enough that the root goes to rayon's pool with three threads (16 800 sampled rows
    // x 9 features) and most nodes to the spinning pair with two.
    let train = binary_problem(24_000, 12, 17);
    let params = GradientBoosting::params()
        .n_rounds(10)
        .subsample(0.7)
        .colsample(0.75)
        .seed(5);
    let fit_with = |threads| in_pool(threads, || params.fit(&train).unwrap());
    let a = fit_with(1);
    for threads in [2, 3] {
        let b = fit_with(threads);
        assert_eq!(a, b, "{threads} threads");
        assert_eq!(
            a.predict_proba(train.records().view()),
            b.predict_proba(train.records().view())
        );
    }
    let other = params.clone().seed(6).fit(&train).unwrap();
    assert_ne!(a, other);
}

#[test]
fn missing_values_and_categories_are_native() {
    let train = missing_problem(600, 18);
    let model = GradientBoosting::params().n_rounds(20).fit(&train).unwrap();
    assert_eq!(
        accuracy(&model.predict(train.records()), train.targets()),
        1.0
    );
    assert_eq!(
        model.predict(&array![[f64::NAN, 0.3], [0.3, 0.3]]),
        array![1, 0]
    );

    let train = categorical_problem(1000, 19);
    let model = GradientBoosting::params()
        .n_rounds(10)
        .max_leaves(Some(2))
        .categorical_features(vec![0])
        .fit(&train)
        .unwrap();
    assert_eq!(
        accuracy(&model.predict(train.records()), train.targets()),
        1.0
    );
    // Each tree is a single categorical split on column 0.
    assert_eq!(model.feature_importance_split(), vec![10, 0]);
}

#[test]
fn serde_round_trip_keeps_predictions() {
    let train = multiclass_problem(500, 20);
    let model = GradientBoosting::params().n_rounds(10).fit(&train).unwrap();
    let back: GradientBoosting = roundtrip(&model);
    assert_eq!(back, model);
    assert_eq!(
        back.predict_proba(train.records().view()),
        model.predict_proba(train.records().view())
    );
    let params = GradientBoosting::params().learning_rate(0.05);
    assert_eq!(roundtrip(&params), params);
}

#[test]
fn set_param_names_and_validation_messages() {
    let mut p = GradientBoostingParams::new();
    for (name, value) in [
        ("n_rounds", "50"),
        ("learning_rate", "0.05"),
        ("max_depth", "6"),
        ("max_leaves", "15"),
        ("min_samples_leaf", "10"),
        ("l2", "1.5"),
        ("subsample", "0.8"),
        ("colsample", "0.5"),
        ("max_bins", "63"),
        ("seed", "7"),
        ("early_stopping", "false"),
        ("early_stopping_rounds", "3"),
        ("validation_fraction", "0.2"),
    ] {
        p.set_param(name, value).unwrap();
    }
    let v = p.clone().check().unwrap();
    assert_eq!(
        (v.n_rounds(), v.max_leaves(), v.max_bins(), v.seed()),
        (50, Some(15), 63, 7)
    );
    assert_eq!(v.early_stopping(), EarlyStopping::Off);
    p.set_param("learning_rate", "-1").unwrap();
    assert_eq!(
        p.clone().check().unwrap_err().to_string(),
        "learning_rate must be > 0, got -1"
    );
    let err = p.set_param("n_trees", "5").unwrap_err();
    assert!(matches!(err, TreeError::UnknownParameter { .. }));
    assert!(err.to_string().contains("n_rounds"), "{err}");
    let err = p.set_param("subsample", "most").unwrap_err().to_string();
    assert!(err.contains("subsample") && err.contains("most"), "{err}");
}
