//! `gaussian_nb`: linfa-bayes' Gaussian naive Bayes.
//!
//! linfa-bayes keeps its per-class statistics in a `HashMap`, which serializes in a different
//! order from one process to the next; the artifact stores them as a list sorted by class
//! ([`GaussianNbModel`]), and a linfa model is rebuilt from it to predict. Probabilities come
//! from linfa's joint log-likelihoods normalised with a stable log-sum-exp (linfa's own
//! `predict_proba` underflows to NaN when every class is very unlikely, as one-hot columns
//! that are constant within a class make it).

use std::collections::BTreeMap;

use crisp_core::ndarray::{Array1, Array2};
use crisp_core::{bail, Error, Result};
use linfa::prelude::*;
use linfa_bayes::{GaussianNb, NaiveBayes};
use serde::{Deserialize, Serialize};

use crate::inputs::{class_targets, doc, linfa_error, require_finite, ParamDoc};
use crate::model::{Predictions, TrainingData};
use crate::params::Params;

const NAME: &str = "gaussian_nb";

/// Parameters of `gaussian_nb`.
pub const GAUSSIAN_NB_PARAMS: &[&str] = &["var_smoothing"];

/// What `crisp models` shows of them.
pub const GAUSSIAN_NB_PARAM_DOCS: &[ParamDoc] = &[doc(
    "var_smoothing",
    "0.01",
    "a number >= 0: share of the largest feature variance added to every variance",
)];

/// The default `var_smoothing`. scikit-learn's is 1e-9, for raw numbers; crisp's default
/// pipeline one-hot encodes text, and a one-hot column that is constant within a class then
/// gets a variance of 1e-9, so one unusual value rules a row out of that class. With standard-
/// scaled numbers, 0.01 bounds that effect (three seeded splits each: adult 0.55 to 0.79
/// accuracy, penguins 0.74 to 0.96, seattle_weather 0.52 to 0.60; breast_cancer, iris,
/// titanic and wine within one row).
pub const DEFAULT_VAR_SMOOTHING: f64 = 0.01;

/// The statistics of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianClass {
    /// The class index.
    pub class: usize,
    /// Training rows of the class.
    pub count: usize,
    /// Its prior probability (share of the training rows).
    pub prior: f64,
    /// The mean of every feature in the class.
    pub mean: Vec<f64>,
    /// The (smoothed) variance of every feature in the class.
    pub variance: Vec<f64>,
}

/// A fitted Gaussian naive Bayes model, its classes in increasing order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GaussianNbModel {
    /// One entry per class seen in training.
    pub classes: Vec<GaussianClass>,
    /// Number of features.
    pub n_features: usize,
    /// Number of classes of the target.
    pub n_classes: usize,
}

/// linfa-bayes' `GaussianNb` as serde sees it (its fields are private), with a map that keeps
/// its keys in order.
#[derive(Serialize, Deserialize)]
struct LinfaShape {
    class_info: BTreeMap<usize, LinfaClass>,
}

#[derive(Serialize, Deserialize)]
struct LinfaClass {
    class_count: usize,
    prior: f64,
    theta: Array1<f64>,
    sigma: Array1<f64>,
}

/// Fit linfa-bayes' Gaussian naive Bayes.
pub fn fit_gaussian_nb(p: &Params, data: &TrainingData) -> Result<GaussianNbModel> {
    let smoothing = p.get_checked(
        "var_smoothing",
        DEFAULT_VAR_SMOOTHING,
        |v| v.is_finite() && *v >= 0.0,
        "a number >= 0",
    )?;
    let y = class_targets(data, NAME)?;
    require_finite(data.x, NAME)?;
    let model: GaussianNb<f64, usize> = GaussianNb::params()
        .var_smoothing(smoothing)
        .check()
        .map_err(linfa_error(NAME))?
        .fit(&DatasetView::new(data.x.view(), y.view()))
        .map_err(linfa_error(NAME))?;
    let shape: LinfaShape = transcode(&model)?;
    let fitted = GaussianNbModel {
        classes: shape
            .class_info
            .into_iter()
            .map(|(class, info)| GaussianClass {
                class,
                count: info.class_count,
                prior: info.prior,
                mean: info.theta.to_vec(),
                variance: info.sigma.to_vec(),
            })
            .collect(),
        n_features: data.x.ncols(),
        n_classes: data.n_classes,
    };
    if fitted
        .classes
        .iter()
        .any(|c| c.variance.iter().any(|v| *v <= 0.0))
    {
        bail!(Model: "model '{NAME}' cannot fit features that are all constant (every variance is 0)");
    }
    Ok(fitted)
}

/// `value` through serde into another type of the same shape.
fn transcode<T: Serialize, U: serde::de::DeserializeOwned>(value: &T) -> Result<U> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| Error::model(format!("model '{NAME}': {e}")))
}

impl GaussianNbModel {
    /// linfa-bayes' model with these statistics.
    fn to_linfa(&self) -> Result<GaussianNb<f64, usize>> {
        transcode(&LinfaShape {
            class_info: self
                .classes
                .iter()
                .map(|c| {
                    (
                        c.class,
                        LinfaClass {
                            class_count: c.count,
                            prior: c.prior,
                            theta: Array1::from(c.mean.clone()),
                            sigma: Array1::from(c.variance.clone()),
                        },
                    )
                })
                .collect(),
        })
    }

    /// The probability of every class of the target (0 for a class training lacked) and the
    /// most probable class, from linfa's joint log-likelihoods.
    pub fn predict(&self, x: &Array2<f64>) -> Predictions {
        let (n, n_classes) = (x.nrows(), self.n_classes);
        let mut proba = vec![0.0; n * n_classes];
        // A model that passed `validate` always converts.
        if let Ok(model) = self.to_linfa() {
            let jll = model.joint_log_likelihood(x.view());
            let columns: Vec<(usize, &Array1<f64>)> = jll
                .iter()
                .map(|(class, values)| (**class, values))
                .collect();
            for row in 0..n {
                let max = columns
                    .iter()
                    .map(|(_, v)| v[row])
                    .fold(f64::NEG_INFINITY, f64::max);
                let total: f64 = columns.iter().map(|(_, v)| (v[row] - max).exp()).sum();
                for (class, values) in &columns {
                    proba[row * n_classes + class] = (values[row] - max).exp() / total;
                }
            }
        }
        Predictions::from_proba(proba, n_classes)
    }

    /// Checks a model decoded from bytes: classes increasing and within the target's, as many
    /// means and variances as features, finite values, positive variances and priors.
    pub fn validate(&self) -> std::result::Result<usize, String> {
        let n_classes = self.n_classes;
        if self.classes.is_empty() {
            return Err("a naive Bayes model with no class".into());
        }
        if self.classes.windows(2).any(|w| w[0].class >= w[1].class)
            || self.classes[self.classes.len() - 1].class >= n_classes
        {
            return Err(format!(
                "a naive Bayes model whose classes are not increasing classes of the target's {n_classes}"
            ));
        }
        for c in &self.classes {
            if c.mean.len() != self.n_features || c.variance.len() != self.n_features {
                return Err(format!(
                    "class {} has {} means and {} variances for {} features",
                    c.class,
                    c.mean.len(),
                    c.variance.len(),
                    self.n_features
                ));
            }
            let positive = |v: &f64| v.is_finite() && *v > 0.0;
            if !positive(&c.prior)
                || !c.variance.iter().all(positive)
                || !c.mean.iter().all(|m| m.is_finite())
            {
                return Err(format!(
                    "class {} has a prior or variance that is not positive, or a mean that is not finite",
                    c.class
                ));
            }
        }
        Ok(n_classes)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crisp_core::ndarray::array;

    use super::*;
    use crate::target::TargetValues;

    #[test]
    fn probabilities_stay_finite_where_every_class_is_very_unlikely() {
        let x = array![
            [0.0, 0.0],
            [0.1, 1.0],
            [0.2, 0.0],
            [5.0, 1.0],
            [5.1, 0.0],
            [5.2, 1.0]
        ];
        let y = TargetValues::Classes(vec![0, 0, 0, 1, 1, 1]);
        let data = TrainingData {
            x: &x,
            y: &y,
            n_classes: 3,
            categorical: &[],
            seed: 1,
            weights: None,
        };
        let values = BTreeMap::from([("var_smoothing".to_string(), "1e-9".to_string())]);
        let params = Params::new(NAME, &values, GAUSSIAN_NB_PARAMS).unwrap();
        let model = fit_gaussian_nb(&params, &data).unwrap();
        assert_eq!(model.validate(), Ok(3));
        // 1000 is thousands of standard deviations from both classes: linfa's predict_proba
        // takes the log of a sum of exponentials that all underflow to 0.
        let far = array![[1000.0, 0.5], [0.1, 0.0]];
        let linfa = model.to_linfa().unwrap().predict_proba(far.view()).0;
        assert!(linfa.row(0).iter().any(|p| !p.is_finite()), "{linfa}");
        let Predictions::Classes {
            labels,
            proba,
            n_classes,
        } = model.predict(&far)
        else {
            panic!("classes")
        };
        let p = proba.unwrap();
        assert_eq!((n_classes, labels.as_slice()), (3, [1, 0].as_slice()));
        // Class 2 had no training rows: probability 0.
        assert!(
            p.iter().all(|v| v.is_finite()) && p[2] == 0.0 && p[5] == 0.0,
            "{p:?}"
        );
        assert!((p[0] + p[1] - 1.0).abs() < 1e-12 && p[1] > 0.99, "{p:?}");
    }
}
