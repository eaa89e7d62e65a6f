//! The pipeline TOML given to `crisp train --config` (and `crisp validate --config`).
//!
//! ```toml
//! target = "income"
//! task = "classification"     # optional, inferred otherwise
//! seed = 42
//! test_fraction = 0.2
//!
//! [label]                     # optional: make the target before training
//! rule = "CASE WHEN quality >= 7 THEN 'good' ELSE 'bad' END"
//! target = "grade"
//!
//! [model]
//! name = "linfa_decision_tree"
//! params = { max_depth = 8 }
//!
//! [[features.steps]]
//! kind = "impute"
//! dtype = "numeric"
//! strategy = "median"
//!
//! [train]                     # optional: weights (classification: class_weight)
//! class_weight = "balanced"   # or { ">50K" = 3.0 }
//! sample_weight = "fnlwgt"    # a numeric column, not a feature
//! weighted_metrics = false    # weigh the report's metrics too
//!
//! [validate]
//! thresholds = ["accuracy>=0.8"]
//! data = { max_psi = 0.2, max_null_rate_increase = 0.05 }
//!
//! [search]                    # optional: search instead of training one configuration
//! method = "random"           # grid | random | halving
//! trials = 30
//! metric = "roc_auc"          # default: roc_auc for classes, rmse for numbers
//! cv = 5                      # score candidates by 5-fold CV (default: a validation split)
//! validation_fraction = 0.2
//!
//! [search.space.gbdt]         # lists or ranges per parameter, one table per model
//! learning_rate = [0.05, 0.1]
//! max_leaves = { min = 15, max = 63, log = true }
//! ```
//! Command-line flags override the file.

use std::collections::BTreeMap;
use std::path::Path;

use crisp_core::{Error, Result};
use crisp_features::PipelineSpec;
use crisp_train::{ClassWeight, ParamRange, SearchSpace};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    pub target: Option<String>,
    pub task: Option<String>,
    pub seed: Option<u64>,
    pub test_fraction: Option<f64>,
    pub label: Option<crisp_label::LabelSpec>,
    pub model: Option<ModelConfig>,
    pub features: Option<PipelineSpec>,
    pub validate: Option<ValidateConfig>,
    pub search: Option<SearchSection>,
    pub train: Option<TrainSection>,
}

/// `[train]`: how rows are weighted.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainSection {
    /// `"balanced"` or a table `{ class = weight }`.
    pub class_weight: Option<toml::Value>,
    pub sample_weight: Option<String>,
    pub weighted_metrics: Option<bool>,
}

impl TrainSection {
    /// The class weights of `class_weight`, if given. `path` names the file in errors.
    pub fn class_weight(&self, path: &Path) -> Result<Option<ClassWeight>> {
        let at = || format!("{}: [train] class_weight", path.display());
        match &self.class_weight {
            None => Ok(None),
            Some(toml::Value::String(text)) => text
                .parse()
                .map(Some)
                .map_err(|e: Error| e.prefixed(format!("{}: ", at()))),
            Some(toml::Value::Table(table)) => {
                let pairs = table
                    .iter()
                    .map(|(class, w)| match w {
                        toml::Value::Integer(i) => Ok((class.clone(), *i as f64)),
                        toml::Value::Float(f) => Ok((class.clone(), *f)),
                        other => Err(Error::config(format!(
                            "{}: the weight of class '{class}' must be a number, got a {}",
                            at(),
                            other.type_str()
                        ))),
                    })
                    .collect::<Result<Vec<_>>>()?;
                ClassWeight::given(pairs)
                    .map(Some)
                    .map_err(|e| e.prefixed(format!("{}: ", at())))
            }
            Some(other) => Err(Error::config(format!(
                "{}: \"balanced\" or a table of class = weight, got a {}",
                at(),
                other.type_str()
            ))),
        }
    }
}

/// `[search]`: the method, trials, metric, scoring and the space per model.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchSection {
    pub method: Option<String>,
    pub trials: Option<usize>,
    pub metric: Option<String>,
    pub cv: Option<usize>,
    pub validation_fraction: Option<f64>,
    /// `[search.space.<model>]`: parameter = list, or `{ min, max, log }`.
    #[serde(default)]
    pub space: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

impl SearchSection {
    /// The space as the library takes it (models and parameters in name order). `path` names
    /// the file in errors.
    pub fn space(&self, path: &Path) -> Result<SearchSpace> {
        let mut space = SearchSpace::new();
        for (model, params) in &self.space {
            space = space.model(model);
            for (name, value) in params {
                let at = || format!("{}: [search.space.{model}] {name}", path.display());
                let range = match value {
                    toml::Value::Array(values) => ParamRange::List(
                        values
                            .iter()
                            .map(|v| {
                                scalar(v).ok_or_else(|| {
                                    Error::config(format!(
                                        "{}: a list of numbers, text or booleans, got a {} in it",
                                        at(),
                                        v.type_str()
                                    ))
                                })
                            })
                            .collect::<Result<_>>()?,
                    ),
                    toml::Value::Table(table) => {
                        if let Some(key) = table
                            .keys()
                            .find(|k| !["min", "max", "log"].contains(&k.as_str()))
                        {
                            return Err(Error::config(format!(
                                "{}: unknown key '{key}' (a range has min, max and log)",
                                at()
                            )));
                        }
                        let bound = |key: &str| match table.get(key) {
                            Some(toml::Value::Integer(i)) => Ok((*i as f64, true)),
                            Some(toml::Value::Float(f)) => Ok((*f, false)),
                            _ => Err(Error::config(format!(
                                "{}: a range needs a number '{key}'",
                                at()
                            ))),
                        };
                        let (min, min_int) = bound("min")?;
                        let (max, max_int) = bound("max")?;
                        let log = match table.get("log") {
                            None => false,
                            Some(toml::Value::Boolean(b)) => *b,
                            Some(other) => {
                                return Err(Error::config(format!(
                                    "{}: log must be true or false, got a {}",
                                    at(),
                                    other.type_str()
                                )))
                            }
                        };
                        ParamRange::Range {
                            min,
                            max,
                            log,
                            integer: min_int && max_int,
                        }
                    }
                    other => ParamRange::List(vec![scalar(other).ok_or_else(|| {
                        Error::config(format!(
                            "{}: a list, a range {{ min, max, log }} or a value, got a {}",
                            at(),
                            other.type_str()
                        ))
                    })?]),
                };
                space = space.param(model, name.clone(), range);
            }
        }
        Ok(space)
    }
}

/// A TOML number, string or boolean as parameter text.
fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    pub name: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateConfig {
    #[serde(default)]
    pub thresholds: Vec<String>,
    /// Limits of the data checks (`max_psi`, `max_null_rate_increase`, ...).
    #[serde(default)]
    pub data: crisp_validate::DataGate,
}

impl PipelineConfig {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                Error::config(format!("{}: no such file", path.display()))
            }
            _ => Error::io("read", path, e),
        })?;
        let mut config: PipelineConfig = toml::from_str(&text).map_err(|e| {
            Error::config(format!("{}: {}", path.display(), e.to_string().trim_end()))
        })?;
        // Files named in the config are relative to the config's own directory.
        if let Some(label) = &mut config.label {
            label.resolve_paths(path.parent().unwrap_or(Path::new(".")));
        }
        Ok(config)
    }

    /// Model parameters as `name -> value` text.
    pub fn model_params(&self) -> BTreeMap<String, String> {
        let Some(model) = &self.model else {
            return BTreeMap::new();
        };
        model
            .params
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    // Arrays and tables reach the model's parser as text it will reject by name.
                    other => format!("{other:?}"),
                };
                (k.clone(), text)
            })
            .collect()
    }

    pub fn thresholds(&self) -> Vec<String> {
        self.validate
            .as_ref()
            .map(|v| v.thresholds.clone())
            .unwrap_or_default()
    }
}
