//! Power transforms that make skewed columns more Gaussian: Yeo-Johnson (any sign) and
//! Box-Cox (strictly positive), with lambda fitted per column by maximum likelihood, then
//! (by default) standardized: scikit-learn's PowerTransformer.

use crisp_core::{bail, column_f64, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::stats::{brent_minimize, finite_values, mean_var};
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// Which power transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerMethod {
    /// Yeo-Johnson: defined for every real value.
    #[default]
    YeoJohnson,
    /// Box-Cox: strictly positive values only.
    BoxCox,
}

impl PowerMethod {
    fn name(self) -> &'static str {
        match self {
            PowerMethod::YeoJohnson => "yeo_johnson",
            PowerMethod::BoxCox => "box_cox",
        }
    }
}

fn yes() -> bool {
    true
}

/// Replace each selected column by its power transform with the lambda that maximises the
/// Gaussian log-likelihood of the training rows' finite values (SciPy's Brent search from the
/// bracket (-2, 2), as scikit-learn), then centre and scale it to unit variance with the
/// transformed training data's mean and population standard deviation (`standardize`).
///
/// Box-Cox needs strictly positive training data: a zero or negative value is an error naming
/// the column. At prediction a value Box-Cox cannot take (≤ 0) becomes missing; NaN stays
/// missing. A constant training column gets lambda 1.
///
/// ```toml
/// [[features.steps]]
/// kind = "power"
/// columns = ["carat", "price"]
/// method = "box_cox"       # or "yeo_johnson" (default)
/// standardize = true       # default
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Power {
    /// Columns to transform.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// Yeo-Johnson or Box-Cox.
    #[serde(default)]
    pub method: PowerMethod,
    /// Standardize the transformed values to zero mean and unit variance.
    #[serde(default = "yes")]
    pub standardize: bool,
}

impl Power {
    /// A Yeo-Johnson transform of `select`, standardized.
    pub fn new(select: ColumnSelector, method: PowerMethod) -> Self {
        Power {
            select,
            method,
            standardize: true,
        }
    }
}

/// One column's fitted transform: `(t(x; lambda) - mean) / std`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerColumn {
    /// Column name.
    pub column: String,
    /// Fitted lambda.
    pub lambda: f64,
    /// Mean of the transformed training values (0 without standardization).
    pub mean: f64,
    /// Population standard deviation of the transformed training values (1 without
    /// standardization, or when it is 0).
    pub std: f64,
}

/// Fitted power transform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPower {
    /// Yeo-Johnson or Box-Cox.
    pub method: PowerMethod,
    /// Whether the output is standardized.
    pub standardize: bool,
    /// Per-column parameters.
    pub columns: Vec<PowerColumn>,
}

/// `((x + 1)^l - 1) / l` for x ≥ 0 and `-((1 - x)^(2 - l) - 1) / (2 - l)` for x < 0, in the
/// stable `expm1`/`log1p` form SciPy uses.
pub fn yeo_johnson(x: f64, lambda: f64) -> f64 {
    if x >= 0.0 {
        if lambda.abs() < f64::EPSILON {
            x.ln_1p()
        } else {
            (lambda * x.ln_1p()).exp_m1() / lambda
        }
    } else if (lambda - 2.0).abs() > f64::EPSILON {
        -((2.0 - lambda) * (-x).ln_1p()).exp_m1() / (2.0 - lambda)
    } else {
        -(-x).ln_1p()
    }
}

/// `(x^l - 1) / l`, or `ln x` for l = 0.
pub fn box_cox(x: f64, lambda: f64) -> f64 {
    if lambda == 0.0 {
        x.ln()
    } else {
        (lambda * x.ln()).exp_m1() / lambda
    }
}

/// Population variance of `(exp(l * g) - 1) / l` over the values `g`, computed without the
/// cancellation of the `- 1` when `exp(l * g)` is tiny (large negative `l * g`), where the
/// transformed values all sit near `-1 / l` and the log-likelihood would otherwise be noisy.
fn power_family_var(g: &[f64], lambda: f64) -> f64 {
    let t: Vec<f64> = g.iter().map(|g| lambda * g).collect();
    let mean_t = t.iter().sum::<f64>() / t.len() as f64;
    let u: Vec<f64> = if mean_t < -1.0 {
        t.iter().map(|t| t.exp()).collect()
    } else {
        t.iter().map(|t| t.exp_m1()).collect()
    };
    mean_var(&u).1 / (lambda * lambda)
}

/// Population variance of the transformed training values.
fn transformed_var(values: &[f64], lambda: f64, method: PowerMethod) -> f64 {
    match method {
        PowerMethod::BoxCox => {
            let logs: Vec<f64> = values.iter().map(|x| x.ln()).collect();
            if lambda == 0.0 {
                mean_var(&logs).1
            } else {
                power_family_var(&logs, lambda)
            }
        }
        PowerMethod::YeoJohnson => {
            if values.iter().all(|&x| x >= 0.0) && lambda.abs() >= f64::EPSILON {
                let g: Vec<f64> = values.iter().map(|x| x.ln_1p()).collect();
                power_family_var(&g, lambda)
            } else if values.iter().all(|&x| x < 0.0) && (lambda - 2.0).abs() > f64::EPSILON {
                // -((1 - x)^(2 - l) - 1) / (2 - l): the same family in 2 - l, negated.
                let g: Vec<f64> = values.iter().map(|x| (-x).ln_1p()).collect();
                power_family_var(&g, 2.0 - lambda)
            } else {
                let y: Vec<f64> = values.iter().map(|&x| yeo_johnson(x, lambda)).collect();
                mean_var(&y).1
            }
        }
    }
}

fn neg_log_likelihood(values: &[f64], lambda: f64, method: PowerMethod) -> f64 {
    let n = values.len() as f64;
    let var = transformed_var(values, lambda, method);
    if var.is_nan() || var < f64::MIN_POSITIVE || !var.is_finite() {
        return f64::INFINITY;
    }
    let jacobian: f64 = match method {
        PowerMethod::YeoJohnson => values.iter().map(|&x| x.signum() * x.abs().ln_1p()).sum(),
        PowerMethod::BoxCox => values.iter().map(|&x| x.ln()).sum(),
    };
    -(-n / 2.0 * var.ln() + (lambda - 1.0) * jacobian)
}

impl Transform for Power {
    fn name(&self) -> &'static str {
        "power"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        let mut fitted = Vec::with_capacity(columns.len());
        for name in columns {
            if self.method == PowerMethod::BoxCox {
                let raw = column_f64(frame, name)
                    .map_err(|e| e.context(format!("power: column '{name}'")))?;
                let bad = raw
                    .iter()
                    .enumerate()
                    .find_map(|(i, v)| v.filter(|v| *v <= 0.0).map(|v| (i, v)));
                if let Some((row, v)) = bad {
                    bail!(Data: "power (box_cox): column '{name}' has the non-positive value {v} on data row {}; Box-Cox needs strictly positive data (use method = \"yeo_johnson\")", row + 1);
                }
            }
            let values = finite_values(frame, name, self.name())?;
            let (_, var) = mean_var(&values);
            let lambda = if var <= 0.0 {
                1.0
            } else {
                brent_minimize(|l| neg_log_likelihood(&values, l, self.method), -2.0, 2.0)
            };
            if !lambda.is_finite() {
                bail!(Data: "power: no finite lambda maximises the likelihood of column '{name}'");
            }
            let (mean, std) = if self.standardize {
                let transformed: Vec<f64> = values
                    .iter()
                    .map(|&x| match self.method {
                        PowerMethod::YeoJohnson => yeo_johnson(x, lambda),
                        PowerMethod::BoxCox => box_cox(x, lambda),
                    })
                    .collect();
                let mean = mean_var(&transformed).0;
                let std = transformed_var(&values, lambda, self.method).sqrt();
                (
                    mean,
                    if std > 0.0 && std.is_finite() {
                        std
                    } else {
                        1.0
                    },
                )
            } else {
                (0.0, 1.0)
            };
            fitted.push(PowerColumn {
                column: name.clone(),
                lambda,
                mean,
                std,
            });
        }
        Ok(FittedStep::Power(FittedPower {
            method: self.method,
            standardize: self.standardize,
            columns: fitted,
        }))
    }
}

fn yeo_johnson_expr(x: Expr, lambda: f64) -> Expr {
    let positive = if lambda.abs() < f64::EPSILON {
        x.clone().log1p()
    } else {
        ((x.clone() + lit(1.0)).pow(lit(lambda)) - lit(1.0)) / lit(lambda)
    };
    let negative = if (lambda - 2.0).abs() > f64::EPSILON {
        -(((lit(1.0) - x.clone()).pow(lit(2.0 - lambda)) - lit(1.0)) / lit(2.0 - lambda))
    } else {
        -(lit(1.0) - x.clone()).log(lit(std::f64::consts::E))
    };
    when(x.clone().gt_eq(lit(0.0)))
        .then(positive)
        .otherwise(when(x.clone().lt(lit(0.0))).then(negative).otherwise(x))
}

fn box_cox_expr(x: Expr, lambda: f64) -> Expr {
    let transformed = if lambda == 0.0 {
        x.clone().log(lit(std::f64::consts::E))
    } else {
        (x.clone().pow(lit(lambda)) - lit(1.0)) / lit(lambda)
    };
    when(x.clone().gt(lit(0.0))).then(transformed).otherwise(
        when(x.is_nan())
            .then(lit(f64::NAN))
            .otherwise(lit(NULL).cast(DataType::Float64)),
    )
}

impl FittedTransform for FittedPower {
    fn exprs(&self) -> Vec<Expr> {
        self.columns
            .iter()
            .map(|c| {
                let x = col(c.column.as_str()).cast(DataType::Float64);
                let t = match self.method {
                    PowerMethod::YeoJohnson => yeo_johnson_expr(x, c.lambda),
                    PowerMethod::BoxCox => box_cox_expr(x, c.lambda),
                };
                ((t - lit(c.mean)) / lit(c.std)).alias(c.column.as_str())
            })
            .collect()
    }

    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "power".into(),
            config: format!(
                "method={}, standardize={}",
                self.method.name(),
                self.standardize
            ),
            learned: self
                .columns
                .iter()
                .map(|c| {
                    format!(
                        "{}: lambda={:.6} mean={:.6} std={:.6}",
                        c.column, c.lambda, c.mean, c.std
                    )
                })
                .collect(),
        }
    }

    fn validate(&self) -> std::result::Result<(), String> {
        for c in &self.columns {
            crate::transform::finite(
                &format!("power transform of '{}'", c.column),
                [c.lambda, c.mean, c.std],
            )?;
            if self.standardize && c.std <= 0.0 {
                return Err(format!(
                    "power transform of '{}' scales by {}",
                    c.column, c.std
                ));
            }
        }
        Ok(())
    }
}
