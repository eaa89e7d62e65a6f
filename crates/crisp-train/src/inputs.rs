//! What the linfa models of issue #13 share: targets of the right kind, finite inputs, named
//! choices among words, linfa's errors in crisp's words, and the documentation of a parameter.

use std::fmt::Display;

use crisp_core::ndarray::{Array1, Array2};
use crisp_core::{bail, Error, Result};

use crate::model::TrainingData;
use crate::params::Params;
use crate::target::TargetValues;

/// A hyperparameter as `crisp models` shows it: its name, its default and the values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDoc {
    /// The name (`--param NAME=VALUE`, `[model.params]`).
    pub name: &'static str,
    /// The value used when it is not given, in words when it depends on the data.
    pub default: &'static str,
    /// The values it takes.
    pub range: &'static str,
}

/// Shorthand for a [`ParamDoc`] in the models' constant tables.
pub(crate) const fn doc(
    name: &'static str,
    default: &'static str,
    range: &'static str,
) -> ParamDoc {
    ParamDoc {
        name,
        default,
        range,
    }
}

/// The class index of every training row, or an error for a numeric target.
pub(crate) fn class_targets(data: &TrainingData, model: &str) -> Result<Array1<usize>> {
    match data.y {
        TargetValues::Classes(c) => Ok(Array1::from(c.clone())),
        TargetValues::Values(_) => {
            bail!(Model: "model '{model}' is a classifier and cannot fit a numeric target")
        }
    }
}

/// The value of every training row, or an error for a class target.
pub(crate) fn value_targets(data: &TrainingData, model: &str) -> Result<Array1<f64>> {
    match data.y {
        TargetValues::Values(v) => Ok(Array1::from(v.clone())),
        TargetValues::Classes(_) => {
            bail!(Model: "model '{model}' predicts numbers and cannot fit class labels")
        }
    }
}

/// An error unless every value of `x` is finite (the default pipelines impute every missing
/// value; a declared pipeline may not).
pub(crate) fn require_finite(x: &Array2<f64>, model: &str) -> Result<()> {
    if let Some(((row, feature), value)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        bail!(
            Data: "model '{model}' needs finite features, but feature {feature} of training row {row} is {value} (impute missing values in the feature pipeline)"
        );
    }
    Ok(())
}

/// The value of the word-valued parameter `name` (or `default`), which must be one of
/// `choices`; the error names the model, the parameter and the choices.
pub(crate) fn choice(
    p: &Params,
    model: &str,
    name: &str,
    default: &'static str,
    choices: &[&'static str],
) -> Result<&'static str> {
    let Some(given) = p.get::<String>(name)? else {
        return Ok(default);
    };
    match choices
        .iter()
        .find(|c| c.eq_ignore_ascii_case(given.trim()))
    {
        Some(c) => Ok(c),
        None => Err(Error::parameter(
            name,
            Some(given.clone()),
            format!(
                "model '{model}': parameter {name} must be one of {}, got '{given}'",
                choices.join(", ")
            ),
        )),
    }
}

/// A linfa error, which the checks before it should have prevented, in a crisp message that
/// names the model.
pub(crate) fn linfa_error<E: Display>(model: &'static str) -> impl Fn(E) -> Error {
    move |e| Error::model(format!("model '{model}' could not be fitted: {e}"))
}

/// An error when a fitted model holds a value that is not finite (the solver diverged).
pub(crate) fn require_finite_model<'a>(
    values: impl IntoIterator<Item = &'a f64>,
    model: &str,
) -> Result<()> {
    if values.into_iter().any(|v| !v.is_finite()) {
        bail!(Model: "model '{model}' did not converge: a fitted coefficient is not finite (try more regularisation)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_model_documents_each_of_its_parameters_in_order() {
        for m in crate::MODELS {
            let documented: Vec<&str> = m.param_docs.iter().map(|d| d.name).collect();
            assert_eq!(documented, m.params, "{}", m.name);
        }
    }
}
