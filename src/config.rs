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
//! [validate]
//! thresholds = ["accuracy>=0.8"]
//! data = { max_psi = 0.2, max_null_rate_increase = 0.05 }
//! ```
//! Command-line flags override the file.

use std::collections::BTreeMap;
use std::path::Path;

use crisp_core::{Error, Result};
use crisp_features::PipelineSpec;
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
