//! `ridge`, `lasso` and `elastic_net`: linfa-elasticnet's coordinate descent on the penalised
//! least squares `1/(2n) |y - Xw - b|^2 + penalty (l1_ratio |w|_1 + (1 - l1_ratio)/2 |w|^2)`.
//!
//! linfa-elasticnet fits its intercept by centring the target only; crisp centres the features
//! too (as scikit-learn does) and keeps their means, which are subtracted again before linfa
//! predicts, so the intercept is right whatever the features' means (one-hot columns are not
//! centred by the default pipeline).

use crisp_core::ndarray::{Array1, Array2, Axis};
use crisp_core::Result;
use linfa::prelude::*;
use linfa_elasticnet::ElasticNet;
use serde::{Deserialize, Serialize};

use crate::inputs::{
    doc, linfa_error, require_finite, require_finite_model, value_targets, ParamDoc,
};
use crate::model::TrainingData;
use crate::params::Params;

/// Parameters of `ridge` and `lasso`.
pub const RIDGE_LASSO_PARAMS: &[&str] = &["alpha", "max_iterations", "tolerance", "fit_intercept"];
/// Parameters of `elastic_net`.
pub const ELASTIC_NET_PARAMS: &[&str] = &[
    "alpha",
    "l1_ratio",
    "max_iterations",
    "tolerance",
    "fit_intercept",
];

const COMMON_DOCS: [crate::inputs::ParamDoc; 3] = [
    doc(
        "max_iterations",
        "1000",
        "an integer >= 1: passes of coordinate descent",
    ),
    doc(
        "tolerance",
        "0.0001",
        "a number > 0: stop when the duality gap is smaller",
    ),
    doc("fit_intercept", "true", "true or false"),
];

/// What `crisp models` shows of `ridge`'s parameters.
pub const RIDGE_PARAM_DOCS: &[ParamDoc] = &[
    doc(
        "alpha",
        "1.0",
        "a number >= 0: L2 penalty on the sum of squared errors (scikit-learn's Ridge alpha)",
    ),
    COMMON_DOCS[0],
    COMMON_DOCS[1],
    COMMON_DOCS[2],
];

/// What `crisp models` shows of `lasso`'s parameters.
pub const LASSO_PARAM_DOCS: &[ParamDoc] = &[
    doc(
        "alpha",
        "1.0",
        "a number >= 0: L1 penalty on the mean squared error / 2 (scikit-learn's Lasso alpha)",
    ),
    COMMON_DOCS[0],
    COMMON_DOCS[1],
    COMMON_DOCS[2],
];

/// What `crisp models` shows of `elastic_net`'s parameters.
pub const ELASTIC_NET_PARAM_DOCS: &[ParamDoc] = &[
    doc(
        "alpha",
        "1.0",
        "a number >= 0: penalty on the mean squared error / 2 (scikit-learn's ElasticNet alpha)",
    ),
    doc(
        "l1_ratio",
        "0.5",
        "a number in [0, 1]: the L1 share of the penalty",
    ),
    COMMON_DOCS[0],
    COMMON_DOCS[1],
    COMMON_DOCS[2],
];

/// Which penalty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Penalty {
    /// L2 only (`ridge`).
    Ridge,
    /// L1 only (`lasso`).
    Lasso,
    /// Both, mixed by `l1_ratio` (`elastic_net`).
    ElasticNet,
}

impl Penalty {
    fn name(self) -> &'static str {
        match self {
            Penalty::Ridge => "ridge",
            Penalty::Lasso => "lasso",
            Penalty::ElasticNet => "elastic_net",
        }
    }
}

/// A fitted linfa-elasticnet model and the feature means it was fitted around.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ElasticNetModel {
    /// linfa's model, fitted on features minus `x_offset`.
    pub model: ElasticNet<f64>,
    /// Subtracted from every feature before linfa predicts (the training means, or zeros
    /// without an intercept).
    pub x_offset: Vec<f64>,
}

// linfa-elasticnet's model has no `PartialEq`: compared by what it predicts with and how it
// got there.
impl PartialEq for ElasticNetModel {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.model, &other.model);
        self.x_offset == other.x_offset
            && a.hyperplane() == b.hyperplane()
            && a.intercept().to_bits() == b.intercept().to_bits()
            && a.n_steps() == b.n_steps()
            && a.duality_gap().to_bits() == b.duality_gap().to_bits()
    }
}

/// Fit `ridge`, `lasso` or `elastic_net`.
pub fn fit_elastic_net(
    p: &Params,
    data: &TrainingData,
    penalty: Penalty,
) -> Result<ElasticNetModel> {
    let name = penalty.name();
    let alpha = p.get_checked(
        "alpha",
        1.0f64,
        |a| a.is_finite() && *a >= 0.0,
        "a number >= 0",
    )?;
    let l1_ratio = match penalty {
        Penalty::Ridge => 0.0,
        Penalty::Lasso => 1.0,
        Penalty::ElasticNet => p.get_checked(
            "l1_ratio",
            0.5f64,
            |r| (0.0..=1.0).contains(r),
            "a number in [0, 1]",
        )?,
    };
    let max_iterations =
        p.get_checked("max_iterations", 1000u32, |n| *n >= 1, "an integer >= 1")?;
    let tolerance = p.get_checked(
        "tolerance",
        1e-4f64,
        |t| t.is_finite() && *t > 0.0,
        "a number > 0",
    )?;
    let fit_intercept = p.get_or("fit_intercept", true)?;
    let y = value_targets(data, name)?;
    require_finite(data.x, name)?;
    let rows = data.x.nrows().max(1) as f64;
    // Ridge's alpha weighs the sum of squared errors (scikit-learn's Ridge); linfa's penalty
    // weighs their mean.
    let strength = match penalty {
        Penalty::Ridge => alpha / rows,
        _ => alpha,
    };
    let x_offset: Array1<f64> = if fit_intercept {
        data.x
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(data.x.ncols()))
    } else {
        Array1::zeros(data.x.ncols())
    };
    let centred = data.x - &x_offset;
    let model = ElasticNet::<f64>::params()
        .penalty(strength)
        .l1_ratio(l1_ratio)
        .max_iterations(max_iterations)
        .tolerance(tolerance)
        .with_intercept(fit_intercept)
        .check()
        .map_err(linfa_error(name))?
        .fit(&Dataset::new(centred, y))
        .map_err(linfa_error(name))?;
    require_finite_model(
        model.hyperplane().iter().chain([model.intercept()].iter()),
        name,
    )?;
    Ok(ElasticNetModel {
        model,
        x_offset: x_offset.to_vec(),
    })
}

impl ElasticNetModel {
    /// linfa's prediction on the features minus the training means.
    pub fn predict(&self, x: &Array2<f64>) -> Vec<f64> {
        let centred = x - &Array1::from(self.x_offset.clone());
        let y: Array1<f64> = self.model.predict(&centred);
        y.to_vec()
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.model.hyperplane().len()
    }

    /// Checks a model decoded from bytes: one offset per coefficient, finite values.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let w = self.model.hyperplane();
        if self.x_offset.len() != w.len() {
            return Err(format!(
                "a linear model of {} coefficients with {} feature offsets",
                w.len(),
                self.x_offset.len()
            ));
        }
        if w.iter()
            .chain(&self.x_offset)
            .chain([self.model.intercept()].iter())
            .any(|v| !v.is_finite())
        {
            return Err("a linear model with a coefficient that is not finite".into());
        }
        Ok(())
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        let w = self.model.hyperplane();
        format!(
            "linfa-elasticnet: {} coefficients ({} non-zero), intercept {:.6}, {} passes",
            w.len(),
            w.iter().filter(|v| **v != 0.0).count(),
            self.model.intercept() - w.dot(&Array1::from(self.x_offset.clone())),
            self.model.n_steps()
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crisp_core::ndarray::array;

    use super::*;
    use crate::target::TargetValues;

    fn fit(
        x: &Array2<f64>,
        y: Vec<f64>,
        penalty: Penalty,
        params: &[(&str, &str)],
    ) -> ElasticNetModel {
        let values: BTreeMap<String, String> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let y = TargetValues::Values(y);
        let data = TrainingData {
            x,
            y: &y,
            n_classes: 0,
            categorical: &[],
            seed: 1,
            weights: None,
        };
        let names = match penalty {
            Penalty::ElasticNet => ELASTIC_NET_PARAMS,
            _ => RIDGE_LASSO_PARAMS,
        };
        fit_elastic_net(
            &Params::new(penalty.name(), &values, names).unwrap(),
            &data,
            penalty,
        )
        .unwrap()
    }

    #[test]
    fn the_intercept_is_right_for_features_that_are_not_centred() {
        // y = 2 x0 - 3 x1 + 1 with x0 around 10 and x1 a 0/1 column (as one-hot makes). linfa
        // alone centres only y, which moves the intercept into the coefficients.
        let x = array![
            [9.0, 0.0],
            [10.0, 1.0],
            [11.0, 1.0],
            [12.0, 0.0],
            [13.0, 1.0],
            [10.5, 0.0]
        ];
        let y: Vec<f64> = x
            .rows()
            .into_iter()
            .map(|r| 2.0 * r[0] - 3.0 * r[1] + 1.0)
            .collect();
        let model = fit(
            &x,
            y,
            Penalty::Ridge,
            &[("alpha", "0"), ("tolerance", "1e-12")],
        );
        let w = model.model.hyperplane();
        assert!(
            (w[0] - 2.0).abs() < 1e-6 && (w[1] + 3.0).abs() < 1e-6,
            "{w}"
        );
        let at = model.predict(&array![[20.0, 1.0], [0.0, 0.0]]);
        assert!(
            (at[0] - 38.0).abs() < 1e-5 && (at[1] - 1.0).abs() < 1e-5,
            "{at:?}"
        );
        assert!(
            model.describe().contains("intercept 1.0000"),
            "{}",
            model.describe()
        );
    }

    #[test]
    fn ridge_alpha_weighs_the_sum_of_squared_errors() {
        // One centred feature x = (-1, 1) and y = (-1, 1): scikit-learn's Ridge gives
        // w = x.y / (x.x + alpha) = 2 / (2 + alpha), so 0.5 for alpha = 2.
        let model = fit(
            &array![[-1.0], [1.0]],
            vec![-1.0, 1.0],
            Penalty::Ridge,
            &[("alpha", "2"), ("tolerance", "1e-12")],
        );
        assert!((model.model.hyperplane()[0] - 0.5).abs() < 1e-9);
        // Lasso at alpha = 0.5: soft threshold of x.y / n = 1 by alpha, over x.x / n = 1.
        let model = fit(
            &array![[-1.0], [1.0]],
            vec![-1.0, 1.0],
            Penalty::Lasso,
            &[("alpha", "0.5"), ("tolerance", "1e-12")],
        );
        assert!((model.model.hyperplane()[0] - 0.5).abs() < 1e-9);
    }
}
