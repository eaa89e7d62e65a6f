//! Hyperparameters given as `name=value` text (`--param max_depth=6`, the `[model.params]`
//! table of the pipeline TOML), parsed per model with errors that name the parameter.

use std::collections::BTreeMap;
use std::str::FromStr;

use crisp_core::{bail, Result};

/// Raw hyperparameters for one model, consumed as the model reads them.
#[derive(Debug, Clone, Default)]
pub struct Params {
    model: String,
    values: BTreeMap<String, String>,
    valid: Vec<&'static str>,
}

impl Params {
    /// Parameters for `model`, which accepts the names in `valid`.
    pub fn new(
        model: &str,
        values: &BTreeMap<String, String>,
        valid: &[&'static str],
    ) -> Result<Self> {
        if let Some(name) = values.keys().find(|k| !valid.contains(&k.as_str())) {
            bail!(
                Config: "model '{model}' has no parameter '{name}'; its parameters are: {}",
                if valid.is_empty() { "(none)".to_string() } else { valid.join(", ") }
            );
        }
        Ok(Params {
            model: model.to_string(),
            values: values.clone(),
            valid: valid.to_vec(),
        })
    }

    /// The value of `name` parsed as `T`, if given.
    pub fn get<T: FromStr>(&self, name: &str) -> Result<Option<T>> {
        debug_assert!(self.valid.contains(&name), "undeclared parameter {name}");
        match self.values.get(name) {
            None => Ok(None),
            Some(text) => match text.trim().parse::<T>() {
                Ok(v) => Ok(Some(v)),
                Err(_) => bail!(
                    Config: "model '{}': parameter {name}={text} is not a valid {}",
                    self.model,
                    std::any::type_name::<T>().rsplit("::").next().unwrap_or("value")
                ),
            },
        }
    }

    /// The value of `name` (or `default`), which must satisfy `valid`, described by `range`
    /// ("an integer >= 1", "in (0, 1]") in the error, which names the model, the parameter and
    /// the value. Checked here so that no out-of-range value reaches a library that would
    /// panic on it or name it by its own words.
    pub fn get_checked<T>(
        &self,
        name: &str,
        default: T,
        valid: impl Fn(&T) -> bool,
        range: &str,
    ) -> Result<T>
    where
        T: FromStr + std::fmt::Display,
    {
        let value = self.get_or(name, default)?;
        if !valid(&value) {
            return Err(crisp_core::Error::parameter(
                name,
                Some(value.to_string()),
                format!(
                    "model '{}': parameter {name} must be {range}, got {value}",
                    self.model
                ),
            ));
        }
        Ok(value)
    }

    /// The given `(name, value)` pairs, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of `name`, or `default`.
    pub fn get_or<T: FromStr>(&self, name: &str, default: T) -> Result<T> {
        Ok(self.get(name)?.unwrap_or(default))
    }
}

/// Parse `name=value` pairs. An error starts with the pair in quotes, so a front end can put
/// its option's name in front ([`crisp_core::Error::prefixed`]).
pub fn parse_pairs(pairs: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            bail!(Config { value: pair }: "'{pair}' is not of the form name=value");
        };
        out.insert(name.trim().to_string(), value.trim().to_string());
    }
    Ok(out)
}
