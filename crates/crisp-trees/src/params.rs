//! Hyperparameter pieces shared by the three models, and the string-keyed setter used by the
//! command line.

use serde::{Deserialize, Serialize};

use crate::error::{Result, TreeError};

/// Setting hyperparameters by name, as a command line or a config file does.
///
/// Every params type also has an inherent `set_param` with the same signature, so this trait
/// only needs importing for generic code.
pub trait HyperParams {
    /// The names [`HyperParams::set_param`] accepts for this model.
    fn param_names(&self) -> &'static [&'static str];

    /// Sets the parameter `name` from its textual `value`.
    ///
    /// An unknown name or an unparsable value is an error naming the parameter and listing the
    /// valid names. Ranges are checked later, by `check()` / `fit()`.
    fn set_param(&mut self, name: &str, value: &str) -> Result<()>;
}

/// How many features are candidates at each split (or for each tree).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, Default)]
pub enum MaxFeatures {
    /// `Sqrt` for random forest classification, `All` otherwise (scikit-learn's defaults).
    #[default]
    Auto,
    /// Every feature.
    All,
    /// `floor(sqrt(n_features))`, at least one.
    Sqrt,
    /// `floor(log2(n_features))`, at least one.
    Log2,
    /// `floor(fraction * n_features)`, at least one; the fraction is in `(0, 1]`.
    Fraction(f64),
    /// A fixed number of features (capped at the number available).
    Count(usize),
}

impl MaxFeatures {
    /// The number of features to draw out of `n_features`.
    pub fn resolve(&self, n_features: usize, classification_forest: bool) -> usize {
        let n = n_features as f64;
        let m = match *self {
            MaxFeatures::Auto if classification_forest => n.sqrt().floor() as usize,
            MaxFeatures::Auto | MaxFeatures::All => n_features,
            MaxFeatures::Sqrt => n.sqrt().floor() as usize,
            MaxFeatures::Log2 => n.log2().floor() as usize,
            MaxFeatures::Fraction(f) => (f * n).floor() as usize,
            MaxFeatures::Count(c) => c,
        };
        m.clamp(1, n_features.max(1))
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Some(MaxFeatures::Auto),
            "all" | "none" => Some(MaxFeatures::All),
            "sqrt" => Some(MaxFeatures::Sqrt),
            "log2" => Some(MaxFeatures::Log2),
            t => {
                if let Ok(c) = t.parse::<usize>() {
                    Some(MaxFeatures::Count(c))
                } else {
                    t.parse::<f64>().ok().map(MaxFeatures::Fraction)
                }
            }
        }
    }

    pub(crate) fn check(&self, name: &'static str) -> Result<()> {
        match *self {
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => {
                Err(invalid(name, "a fraction in (0, 1]", f))
            }
            MaxFeatures::Count(0) => Err(invalid(name, "at least 1", 0)),
            _ => Ok(()),
        }
    }
}

/// Whether random forests draw candidate features at every split or once per tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FeatureSampling {
    /// A new draw at every split (Breiman's random forest, scikit-learn).
    #[default]
    PerSplit,
    /// One draw per tree (random subspaces), cheaper to train.
    PerTree,
}

/// When gradient boosting holds out a validation split to stop early.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum EarlyStopping {
    /// On when the training set has more than 10 000 rows (scikit-learn's rule).
    #[default]
    Auto,
    /// Always on.
    On,
    /// Never: all rounds are trained on all rows.
    Off,
}

/// Options every tree of every model shares.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct TreeOptions {
    pub max_depth: Option<usize>,
    pub max_leaves: Option<usize>,
    pub min_samples_leaf: usize,
    pub min_samples_split: usize,
    pub max_bins: usize,
    pub categorical_features: Vec<usize>,
    pub n_classes: Option<usize>,
    pub seed: u64,
}

impl TreeOptions {
    /// scikit-learn's tree defaults: unlimited depth, leaves of one sample.
    pub fn tree_defaults() -> Self {
        TreeOptions {
            max_depth: None,
            max_leaves: None,
            min_samples_leaf: 1,
            min_samples_split: 2,
            max_bins: 255,
            categorical_features: Vec::new(),
            n_classes: None,
            seed: 0,
        }
    }

    pub fn check(&self) -> Result<()> {
        if self.max_depth == Some(0) {
            return Err(invalid("max_depth", ">= 1 (or none for unlimited)", 0));
        }
        if let Some(m) = self.max_leaves.filter(|&m| m < 2) {
            return Err(invalid("max_leaves", ">= 2 (or none for unlimited)", m));
        }
        if self.min_samples_leaf < 1 {
            return Err(invalid("min_samples_leaf", ">= 1", self.min_samples_leaf));
        }
        if self.min_samples_split < 2 {
            return Err(invalid("min_samples_split", ">= 2", self.min_samples_split));
        }
        if !(2..=255).contains(&self.max_bins) {
            return Err(invalid("max_bins", "in 2..=255", self.max_bins));
        }
        if self.n_classes == Some(0) {
            return Err(invalid("n_classes", ">= 1", 0));
        }
        let mut seen = self.categorical_features.clone();
        seen.sort_unstable();
        if let Some(w) = seen.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid(
                "categorical_features",
                "a list without duplicates",
                format!("{:?} (repeats {})", self.categorical_features, w[0]),
            ));
        }
        Ok(())
    }

    /// Handles the names common to all models; `None` when `name` is not one of them.
    pub fn set(&mut self, p: &Parser, name: &str, value: &str) -> Option<Result<()>> {
        let r = match name {
            "max_depth" => p.opt_usize(name, value).map(|v| self.max_depth = v),
            "max_leaves" => p.opt_usize(name, value).map(|v| self.max_leaves = v),
            "min_samples_leaf" => p.usize(name, value).map(|v| self.min_samples_leaf = v),
            "min_samples_split" => p.usize(name, value).map(|v| self.min_samples_split = v),
            "max_bins" => p.usize(name, value).map(|v| self.max_bins = v),
            "seed" => p
                .parse::<u64>(name, value, "a non-negative integer")
                .map(|v| self.seed = v),
            "n_classes" => p.opt_usize(name, value).map(|v| self.n_classes = v),
            "categorical_features" => p
                .usize_list(name, value)
                .map(|v| self.categorical_features = v),
            _ => return None,
        };
        Some(r)
    }
}

/// The error `check()` returns for an out-of-range value.
pub(crate) fn invalid(
    name: &'static str,
    expected: &str,
    got: impl std::fmt::Display,
) -> TreeError {
    TreeError::InvalidParameter {
        name,
        expected: expected.to_string(),
        got: got.to_string(),
    }
}

/// Parses `set_param` values and builds its errors, which list the model's valid names.
pub(crate) struct Parser {
    pub model: &'static str,
    pub names: &'static [&'static str],
}

impl Parser {
    pub fn unknown(&self, name: &str) -> TreeError {
        TreeError::UnknownParameter {
            name: name.to_string(),
            model: self.model,
            valid: self.names.join(", "),
        }
    }

    pub fn bad(&self, name: &str, value: &str, expected: &'static str) -> TreeError {
        TreeError::BadParameterValue {
            name: name.to_string(),
            value: value.to_string(),
            expected,
            model: self.model,
            valid: self.names.join(", "),
        }
    }

    pub fn parse<T: std::str::FromStr>(
        &self,
        name: &str,
        value: &str,
        expected: &'static str,
    ) -> Result<T> {
        value
            .trim()
            .parse()
            .map_err(|_| self.bad(name, value, expected))
    }

    pub fn usize(&self, name: &str, value: &str) -> Result<usize> {
        self.parse(name, value, "a non-negative integer")
    }

    pub fn f64(&self, name: &str, value: &str) -> Result<f64> {
        self.parse(name, value, "a number")
    }

    /// An integer, or `none` / `null` / `unlimited` / `-1` for no limit.
    pub fn opt_usize(&self, name: &str, value: &str) -> Result<Option<usize>> {
        match value.trim().to_ascii_lowercase().as_str() {
            "none" | "null" | "unlimited" | "-1" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| self.bad(name, value, "a non-negative integer or `none`")),
        }
    }

    pub fn bool(&self, name: &str, value: &str) -> Result<bool> {
        match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(self.bad(name, value, "true or false")),
        }
    }

    pub fn usize_list(&self, name: &str, value: &str) -> Result<Vec<usize>> {
        value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| self.bad(name, value, "comma-separated column indices"))
            })
            .collect()
    }
}

/// Checks a fraction in `(0, 1]`.
pub(crate) fn check_fraction(name: &'static str, v: f64) -> Result<()> {
    if v > 0.0 && v <= 1.0 {
        Ok(())
    } else {
        Err(invalid(name, "in (0, 1]", v))
    }
}

/// Generates the builder setters for [`TreeOptions`] on a params newtype whose valid params
/// keep them in a field named `tree`, plus the matching getters on the valid params.
macro_rules! tree_option_accessors {
    ($params:ident, $valid:ident) => {
        impl $params {
            /// Maximum depth of a tree (`None`: unlimited; the root is at depth 0).
            pub fn max_depth(mut self, max_depth: Option<usize>) -> Self {
                self.0.tree.max_depth = max_depth;
                self
            }

            /// Maximum number of leaves per tree. When set, trees grow leaf-wise (best split
            /// first, like LightGBM) instead of depth-first.
            pub fn max_leaves(mut self, max_leaves: Option<usize>) -> Self {
                self.0.tree.max_leaves = max_leaves;
                self
            }

            /// Minimum number of training rows in a leaf (with sample weights: minimum weight
            /// sum, a row counting as its weight).
            pub fn min_samples_leaf(mut self, min_samples_leaf: usize) -> Self {
                self.0.tree.min_samples_leaf = min_samples_leaf;
                self
            }

            /// Minimum number of training rows a node needs to be split (with sample weights:
            /// minimum weight sum).
            pub fn min_samples_split(mut self, min_samples_split: usize) -> Self {
                self.0.tree.min_samples_split = min_samples_split;
                self
            }

            /// Maximum number of bins per numeric feature, in `2..=255` (missing values get a
            /// bin of their own on top).
            pub fn max_bins(mut self, max_bins: usize) -> Self {
                self.0.tree.max_bins = max_bins;
                self
            }

            /// Column indices holding category codes `0..k` as `f64` (NaN: missing).
            pub fn categorical_features(mut self, columns: Vec<usize>) -> Self {
                self.0.tree.categorical_features = columns;
                self
            }

            /// Number of classes for classification (default: largest label + 1).
            pub fn n_classes(mut self, n_classes: Option<usize>) -> Self {
                self.0.tree.n_classes = n_classes;
                self
            }

            /// Seed of every random choice; the same seed and data give the same model.
            pub fn seed(mut self, seed: u64) -> Self {
                self.0.tree.seed = seed;
                self
            }
        }

        impl $valid {
            /// Maximum depth of a tree (`None`: unlimited).
            pub fn max_depth(&self) -> Option<usize> {
                self.tree.max_depth
            }

            /// Maximum number of leaves per tree (`None`: unlimited, depth-first growth).
            pub fn max_leaves(&self) -> Option<usize> {
                self.tree.max_leaves
            }

            /// Minimum number of training rows in a leaf.
            pub fn min_samples_leaf(&self) -> usize {
                self.tree.min_samples_leaf
            }

            /// Minimum number of training rows a node needs to be split.
            pub fn min_samples_split(&self) -> usize {
                self.tree.min_samples_split
            }

            /// Maximum number of bins per numeric feature.
            pub fn max_bins(&self) -> usize {
                self.tree.max_bins
            }

            /// Column indices treated as categorical.
            pub fn categorical_features(&self) -> &[usize] {
                &self.tree.categorical_features
            }

            /// Explicit number of classes, if set.
            pub fn n_classes(&self) -> Option<usize> {
                self.tree.n_classes
            }

            /// Random seed.
            pub fn seed(&self) -> u64 {
                self.tree.seed
            }
        }

        impl $crate::params::HyperParams for $params {
            fn param_names(&self) -> &'static [&'static str] {
                Self::PARAM_NAMES
            }

            fn set_param(&mut self, name: &str, value: &str) -> $crate::error::Result<()> {
                $params::set_param(self, name, value)
            }
        }
    };
}
pub(crate) use tree_option_accessors;
