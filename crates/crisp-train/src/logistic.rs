//! `logistic_regression`: linfa-logistic's binary model for two classes and its multinomial
//! (softmax) model for more, both with an L2 penalty, fitted by L-BFGS.

use crisp_core::ndarray::Array2;
use crisp_core::{bail, Result};
use linfa::prelude::*;
use linfa_logistic::{
    FittedLogisticRegression, LogisticRegression, MultiFittedLogisticRegression,
    MultiLogisticRegression,
};

use crate::inputs::{
    class_targets, doc, linfa_error, require_finite, require_finite_model, ParamDoc,
};
use crate::model::{Predictions, TrainedModel, TrainingData};
use crate::params::Params;
use serde::{Deserialize, Serialize};

const NAME: &str = "logistic_regression";

/// Parameters of `logistic_regression`.
pub const LOGISTIC_PARAMS: &[&str] = &[
    "alpha",
    "max_iterations",
    "gradient_tolerance",
    "fit_intercept",
];

/// What `crisp models` shows of them.
pub const LOGISTIC_PARAM_DOCS: &[ParamDoc] = &[
    doc(
        "alpha",
        "1.0",
        "a number >= 0: L2 penalty strength (scikit-learn's 1/C)",
    ),
    doc(
        "max_iterations",
        "100",
        "an integer >= 1: L-BFGS iterations",
    ),
    doc(
        "gradient_tolerance",
        "0.0001",
        "a number > 0: stop when the gradient is smaller",
    ),
    doc("fit_intercept", "true", "true or false"),
];

/// linfa-logistic's binary model for a target of two classes, its multinomial one for more.
pub fn fit_logistic(p: &Params, data: &TrainingData) -> Result<TrainedModel> {
    let alpha = p.get_checked(
        "alpha",
        1.0f64,
        |a| a.is_finite() && *a >= 0.0,
        "a number >= 0",
    )?;
    let max_iterations = p.get_checked("max_iterations", 100u64, |n| *n >= 1, "an integer >= 1")?;
    let tolerance = p.get_checked(
        "gradient_tolerance",
        1e-4f64,
        |t| t.is_finite() && *t > 0.0,
        "a number > 0",
    )?;
    let fit_intercept = p.get_or("fit_intercept", true)?;
    let y = class_targets(data, NAME)?;
    require_finite(data.x, NAME)?;
    let present = {
        let mut seen = vec![false; data.n_classes];
        y.iter().for_each(|&c| seen[c] = true);
        seen.iter().filter(|s| **s).count()
    };
    if present < 2 {
        bail!(Model: "model '{NAME}' needs training rows of at least 2 classes, got {present}");
    }
    let dataset = DatasetView::new(data.x.view(), y.view());
    if data.n_classes == 2 {
        let model = LogisticRegression::<f64>::default()
            .alpha(alpha)
            .max_iterations(max_iterations)
            .gradient_tolerance(tolerance)
            .with_intercept(fit_intercept)
            .check()
            .map_err(linfa_error(NAME))?
            .fit(&dataset)
            .map_err(linfa_error(NAME))?;
        require_finite_model(
            model.params().iter().chain([model.intercept()].iter()),
            NAME,
        )?;
        Ok(TrainedModel::LogisticBinary(model))
    } else {
        let model = MultiLogisticRegression::<f64>::default()
            .alpha(alpha)
            .max_iterations(max_iterations)
            .gradient_tolerance(tolerance)
            .with_intercept(fit_intercept)
            .check()
            .map_err(linfa_error(NAME))?
            .fit(&dataset)
            .map_err(linfa_error(NAME))?;
        require_finite_model(model.params().iter().chain(model.intercept()), NAME)?;
        Ok(TrainedModel::LogisticMultinomial(MultinomialLogistic {
            model,
            n_classes: data.n_classes,
        }))
    }
}

/// linfa-logistic's multinomial model and the number of classes of the target (the model
/// knows only the classes its training rows had).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultinomialLogistic {
    /// The fitted model.
    pub model: MultiFittedLogisticRegression<f64, usize>,
    /// Classes of the target.
    pub n_classes: usize,
}

/// Classes (linfa's `Predict`) with the probability of each.
pub(crate) fn predict_binary(
    model: &FittedLogisticRegression<f64, usize>,
    x: &Array2<f64>,
) -> Predictions {
    let labels: crisp_core::ndarray::Array1<usize> = model.predict(x);
    let positive = model.labels().pos.class;
    let proba = model
        .predict_probabilities(x)
        .iter()
        .flat_map(|&p| {
            if positive == 1 {
                [1.0 - p, p]
            } else {
                [p, 1.0 - p]
            }
        })
        .collect();
    Predictions::Classes {
        labels: labels.to_vec(),
        proba: Some(proba),
        n_classes: 2,
    }
}

/// The softmax probabilities of every class of the target (0 for a class the training rows
/// lacked) and the most probable class. The class comes from the probabilities rather than
/// linfa's `predict`, which panics on a row whose scores are NaN.
pub(crate) fn predict_multinomial(m: &MultinomialLogistic, x: &Array2<f64>) -> Predictions {
    let (model, n_classes) = (&m.model, m.n_classes);
    let probabilities = model.predict_probabilities(x);
    let mut proba = vec![0.0; x.nrows() * n_classes];
    for (row, p) in probabilities.rows().into_iter().enumerate() {
        for (&class, &v) in model.classes().iter().zip(p) {
            proba[row * n_classes + class] = v;
        }
    }
    Predictions::from_proba(proba, n_classes)
}

/// Checks a binary model decoded from bytes: finite coefficients, two distinct classes of the
/// target, and linfa's threshold of 0.5 (crisp never changes it).
pub(crate) fn validate_binary(
    model: &FittedLogisticRegression<f64, usize>,
    n_classes: usize,
) -> std::result::Result<usize, String> {
    if model.params().iter().any(|v| !v.is_finite()) || !model.intercept().is_finite() {
        return Err("a logistic regression with a coefficient that is not finite".into());
    }
    let labels = model.labels();
    let (pos, neg) = (labels.pos.class, labels.neg.class);
    if pos == neg || pos >= n_classes || neg >= n_classes {
        return Err(format!(
            "a binary logistic regression between classes {neg} and {pos} of a target of {n_classes}"
        ));
    }
    if model.clone().set_threshold(0.5) != *model {
        return Err("a logistic regression with a threshold other than 0.5".into());
    }
    Ok(2)
}

/// Checks a multinomial model decoded from bytes: as many intercepts and coefficient columns as
/// classes, increasing classes of the target, finite values.
pub(crate) fn validate_multinomial(m: &MultinomialLogistic) -> std::result::Result<usize, String> {
    let (model, n_classes) = (&m.model, m.n_classes);
    let classes = model.classes();
    let (params, intercept) = (model.params(), model.intercept());
    if classes.len() < 2 || params.ncols() != classes.len() || intercept.len() != classes.len() {
        return Err(format!(
            "a multinomial logistic regression of {} classes with {} coefficient columns and {} intercepts",
            classes.len(),
            params.ncols(),
            intercept.len()
        ));
    }
    if classes.windows(2).any(|w| w[0] >= w[1]) || classes[classes.len() - 1] >= n_classes {
        return Err(format!(
            "a multinomial logistic regression of classes {classes:?} for a target of {n_classes}"
        ));
    }
    if params.iter().chain(intercept).any(|v| !v.is_finite()) {
        return Err("a logistic regression with a coefficient that is not finite".into());
    }
    Ok(n_classes)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crisp_core::ndarray::array;

    use super::*;
    use crate::target::TargetValues;

    #[test]
    fn binary_probabilities_are_in_class_order_whichever_class_linfa_calls_positive() {
        // Class 0 is the larger one, so linfa labels it positive.
        let x = array![
            [0.0],
            [0.5],
            [1.0],
            [1.5],
            [2.0],
            [3.0],
            [4.0],
            [4.5],
            [5.0]
        ];
        let y = TargetValues::Classes(vec![0, 0, 0, 0, 0, 0, 1, 1, 1]);
        let data = TrainingData {
            x: &x,
            y: &y,
            n_classes: 2,
            categorical: &[],
            seed: 1,
            weights: None,
        };
        let params = Params::new(NAME, &BTreeMap::new(), LOGISTIC_PARAMS).unwrap();
        let TrainedModel::LogisticBinary(model) = fit_logistic(&params, &data).unwrap() else {
            panic!("binary")
        };
        assert_eq!(model.labels().pos.class, 0);
        let Predictions::Classes { labels, proba, .. } =
            predict_binary(&model, &array![[0.0], [5.0]])
        else {
            panic!("classes")
        };
        let p = proba.unwrap();
        assert_eq!(labels, [0, 1]);
        // Row 0 is class 0 (probability above one half in column 0), row 1 class 1.
        assert!(p[0] > 0.5 && p[3] > 0.5, "{p:?}");
        assert!((p[0] + p[1] - 1.0).abs() < 1e-12 && (p[2] + p[3] - 1.0).abs() < 1e-12);
        assert_eq!(validate_binary(&model, 2), Ok(2));
        assert!(validate_binary(&model.clone().set_threshold(0.7), 2).is_err());
    }
}
