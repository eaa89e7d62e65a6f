//! Target encoding: each category replaced by the smoothed mean of the target over the training
//! rows of that category (scikit-learn's TargetEncoder), with out-of-fold values for the
//! training rows so that no row is encoded with its own target.

use crisp_core::{bail, ColumnKind, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::categories::{as_text, category_slots, text_list};
use crate::select::ColumnSelector;
use crate::transform::{
    category_line, Fitted, FittedStep, FittedTransform, StepSummary, Transform,
};
use crisp_core::SeededRng;

/// Integer targets with at most this many distinct values are class labels (as in crisp-train).
const MAX_INTEGER_CLASSES: usize = 20;

/// What the target is, which decides what is averaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetType {
    /// Text and boolean targets, and integers with at most 20 distinct values, are classes
    /// (binary or multiclass by their count); other numbers are continuous.
    #[default]
    Auto,
    /// The mean of the target.
    Continuous,
    /// The share of the positive class (the second of the two sorted classes).
    Binary,
    /// The share of each class: one output column per class.
    Multiclass,
}

/// The keyword `"auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoKeyword {
    /// `"auto"`.
    Auto,
}

/// Smoothing towards the global mean: `"auto"` (empirical Bayes, from the within-category and
/// global target variances) or a number `m` (the m-estimate `(sum + m * mean) / (count + m)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Smooth {
    /// `smooth = "auto"`.
    Auto(AutoKeyword),
    /// `smooth = 10.0`.
    M(f64),
}

impl Default for Smooth {
    fn default() -> Self {
        Smooth::Auto(AutoKeyword::Auto)
    }
}

fn five() -> usize {
    5
}

fn forty_two() -> u64 {
    42
}

/// Replace each selected categorical column by the smoothed mean target of its category.
///
/// * Training rows get out-of-fold values: the rows are split into `cv` folds (shuffled with
///   `seed`, stratified by class for class targets) and each fold is encoded with statistics
///   of the other folds only.
/// * Any later data (`transform`, prediction) is encoded with statistics of all training rows.
/// * A category never seen in training gets the global target mean; nulls are a category of
///   their own (the global mean when training had none).
/// * Binary targets give one column (replacing the source, share of the positive class);
///   multiclass targets give one column `<column>_<class>` per class (one-vs-rest, as
///   scikit-learn); continuous targets give the mean.
///
/// ```toml
/// [[features.steps]]
/// kind = "target_encode"
/// columns = ["native-country", "occupation"]
/// smooth = "auto"        # or a number m (m-estimate); default "auto"
/// cv = 5                 # folds for the training rows' encodings; default 5
/// seed = 42              # fold shuffling; default 42
/// target_type = "auto"   # or "continuous" | "binary" | "multiclass"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetEncode {
    /// Columns to encode.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// Smoothing.
    #[serde(default)]
    pub smooth: Smooth,
    /// Number of folds for the out-of-fold training encodings (at least 2).
    #[serde(default = "five")]
    pub cv: usize,
    /// Seed of the fold assignment.
    #[serde(default = "forty_two")]
    pub seed: u64,
    /// How the target is read.
    #[serde(default)]
    pub target_type: TargetType,
}

impl TargetEncode {
    /// Target-encode `select` with the defaults (auto smoothing, 5 folds, seed 42).
    pub fn new(select: ColumnSelector) -> Self {
        TargetEncode {
            select,
            smooth: Smooth::default(),
            cv: 5,
            seed: 42,
            target_type: TargetType::Auto,
        }
    }
}

/// What the fitted encodings average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EncodedTarget {
    /// The target value.
    Continuous,
    /// Whether the target is `positive` (the classes were `negative`, `positive`).
    Binary {
        /// The class counted as 0.
        negative: String,
        /// The class counted as 1.
        positive: String,
    },
    /// One output per class.
    Multiclass {
        /// Classes in output order.
        classes: Vec<String>,
    },
}

/// One encoded column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetEncodedColumn {
    /// Source column.
    pub column: String,
    /// Output column names (the source name, or `<column>_<class>` per class).
    pub outputs: Vec<String>,
    /// Training categories.
    pub categories: Vec<String>,
    /// `encodings[k][i]`: output `k` for category `i`.
    pub encodings: Vec<Vec<f64>>,
    /// Output values for a null, when training had nulls (otherwise nulls get the priors).
    pub missing: Option<Vec<f64>>,
}

/// Fitted target encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedTargetEncode {
    /// Target column name.
    pub target: String,
    /// What is averaged.
    pub target_type: EncodedTarget,
    /// `None` for auto smoothing, else `m`.
    pub smooth: Option<f64>,
    /// Folds used for the training rows.
    pub cv: usize,
    /// Fold seed.
    pub seed: u64,
    /// Global mean per output: the value of unknown categories.
    pub priors: Vec<f64>,
    /// Per-column encodings.
    pub columns: Vec<TargetEncodedColumn>,
}

/// The target read for averaging: one value vector per output, and which rows have a target.
struct TargetData {
    kind: EncodedTarget,
    /// `values[k][row]` (meaningless where `labeled[row]` is false).
    values: Vec<Vec<f64>>,
    labeled: Vec<bool>,
    /// Class index per row (class targets), for stratified folds.
    class: Option<Vec<usize>>,
}

fn read_target(target: &Column, target_type: TargetType) -> Result<TargetData> {
    let name = target.name().to_string();
    let kind = ColumnKind::of(target.dtype());
    let classes_wanted = match target_type {
        TargetType::Continuous => false,
        TargetType::Binary | TargetType::Multiclass => true,
        TargetType::Auto => match kind {
            ColumnKind::Text | ColumnKind::Boolean => true,
            ColumnKind::Integer => {
                let distinct = target.as_materialized_series().drop_nulls().n_unique()?;
                distinct <= MAX_INTEGER_CLASSES
            }
            ColumnKind::Float => false,
            other => {
                bail!(Data: "target_encode: target column '{name}' is a {other} column; it needs classes or numbers")
            }
        },
    };
    let n = target.len();
    if !classes_wanted {
        if !kind.is_numeric() && kind != ColumnKind::Boolean {
            bail!(Data: "target_encode: target column '{name}' holds {} values, which have no mean; use target_type = \"binary\" or \"multiclass\"", target.dtype());
        }
        let values = target.cast(&DataType::Float64)?;
        let values = values.f64()?;
        let labeled: Vec<bool> = values
            .iter()
            .map(|v| v.is_some_and(f64::is_finite))
            .collect();
        let y: Vec<f64> = values.iter().map(|v| v.unwrap_or(0.0)).collect();
        return Ok(TargetData {
            kind: EncodedTarget::Continuous,
            values: vec![y],
            labeled,
            class: None,
        });
    }
    // Classes from Polars' grouping of the target (not a string per row).
    let frame = DataFrame::new(n, vec![target.clone()])?;
    let (distinct, slots) = category_slots(&frame, target.name())?;
    let mut order: Vec<usize> = (0..distinct.len()).collect();
    if kind == ColumnKind::Integer {
        order.sort_by_key(|&i| distinct[i].parse::<i64>().unwrap_or(i64::MAX));
    } else {
        order.sort_by(|&a, &b| distinct[a].cmp(&distinct[b]));
    }
    let classes: Vec<String> = order.iter().map(|&i| distinct[i].clone()).collect();
    if classes.len() < 2 {
        bail!(Data: "target_encode: target column '{name}' has {} class{} in the training rows; encoding by class needs at least two",
            classes.len(), if classes.len() == 1 { "" } else { "es" });
    }
    let multiclass = match target_type {
        TargetType::Binary if classes.len() > 2 => {
            bail!(Data: "target_encode: target_type = \"binary\" but target column '{name}' has {} classes", classes.len())
        }
        TargetType::Binary => false,
        TargetType::Multiclass => true,
        _ => classes.len() > 2,
    };
    // Slot (first-appearance order) -> class index (sorted order); nulls have no class.
    let mut class_of_slot = vec![None; distinct.len() + 1];
    for (class, &slot) in order.iter().enumerate() {
        class_of_slot[slot] = Some(class);
    }
    let class: Vec<Option<usize>> = slots.iter().map(|&s| class_of_slot[s as usize]).collect();
    let labeled: Vec<bool> = class.iter().map(Option::is_some).collect();
    let class_index: Vec<usize> = class.iter().map(|c| c.unwrap_or(0)).collect();
    let (kind, values) = if multiclass {
        let values = (0..classes.len())
            .map(|k| {
                class
                    .iter()
                    .map(|c| f64::from(u8::from(*c == Some(k))))
                    .collect()
            })
            .collect();
        (EncodedTarget::Multiclass { classes }, values)
    } else {
        let y = class
            .iter()
            .map(|c| f64::from(u8::from(*c == Some(1))))
            .collect();
        (
            EncodedTarget::Binary {
                negative: classes[0].clone(),
                positive: classes[1].clone(),
            },
            vec![y],
        )
    };
    debug_assert!(values.iter().all(|v: &Vec<f64>| v.len() == n));
    Ok(TargetData {
        kind,
        values,
        labeled,
        class: Some(class_index),
    })
}

/// Sums per category slot for one output: count, sum, sum of squares.
#[derive(Debug, Clone, Copy, Default)]
struct Moments {
    n: f64,
    sum: f64,
    sumsq: f64,
}

impl Moments {
    fn add(&mut self, y: f64) {
        self.n += 1.0;
        self.sum += y;
        self.sumsq += y * y;
    }
    fn minus(self, other: Moments) -> Moments {
        Moments {
            n: self.n - other.n,
            sum: self.sum - other.sum,
            sumsq: self.sumsq - other.sumsq,
        }
    }
    fn mean(self) -> f64 {
        self.sum / self.n
    }
    /// Population variance.
    fn var(self) -> f64 {
        (self.sumsq / self.n - self.mean() * self.mean()).max(0.0)
    }
}

/// The encoding of a category with moments `cat`, given the training part's `global` moments
/// (scikit-learn's `_fit_encoding_fast` and `_fit_encoding_fast_auto_smooth`).
fn encode(cat: Moments, global: Moments, smooth: Option<f64>) -> f64 {
    let mean = global.mean();
    match smooth {
        Some(m) => {
            let count = cat.n + m;
            if count == 0.0 {
                mean
            } else {
                (cat.sum + m * mean) / count
            }
        }
        None => {
            if cat.n == 0.0 {
                return mean;
            }
            let y_var = global.var();
            // Sum of squared differences from the category mean.
            let ssd = (cat.sumsq - cat.sum * cat.sum / cat.n).max(0.0);
            let lambda = y_var * cat.n / (y_var * cat.n + ssd / cat.n);
            if lambda.is_nan() {
                mean
            } else {
                lambda * cat.mean() + (1.0 - lambda) * mean
            }
        }
    }
}

/// Fold of each labeled row (`None` for unlabeled rows): shuffled with `seed`; for class
/// targets each class is spread evenly over the folds.
fn assign_folds(data: &TargetData, cv: usize, seed: u64) -> Vec<Option<usize>> {
    let n = data.labeled.len();
    let mut rng = SeededRng::new(seed);
    let mut order: Vec<usize> = (0..n).filter(|&r| data.labeled[r]).collect();
    rng.shuffle(&mut order);
    if let Some(class) = &data.class {
        // Grouping by class keeps the shuffled order within each class (a stable counting
        // sort); dealing the rows round-robin then gives every fold its share of every class.
        let n_classes = class.iter().copied().max().map_or(0, |m| m + 1);
        let mut buckets = vec![Vec::new(); n_classes];
        for r in order {
            buckets[class[r]].push(r);
        }
        order = buckets.concat();
    }
    let mut folds = vec![None; n];
    for (i, r) in order.into_iter().enumerate() {
        folds[r] = Some(i % cv);
    }
    folds
}

impl Transform for TargetEncode {
    fn name(&self) -> &'static str {
        "target_encode"
    }
    fn is_supervised(&self) -> bool {
        true
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        let _ = (frame, columns);
        Err(crisp_core::Error::config(
            "target_encode learns from the target: fit it in a pipeline with a target column",
        )
        .with_hint(crisp_core::Hint::NameTheTarget))
    }

    fn fit_supervised(
        &self,
        frame: &DataFrame,
        columns: &[String],
        target: Option<&Column>,
    ) -> Result<Fitted> {
        let Some(target) = target else {
            return self.fit(frame, columns).map(Fitted::new);
        };
        if self.cv < 2 {
            bail!(Config: "target_encode: cv must be at least 2, got {}", self.cv);
        }
        let smooth = match self.smooth {
            Smooth::Auto(_) => None,
            Smooth::M(m) if m >= 0.0 && m.is_finite() => Some(m),
            Smooth::M(m) => {
                bail!(Config: "target_encode: smooth must be \"auto\" or a number >= 0, got {m}")
            }
        };
        let data = read_target(target, self.target_type)?;
        let n_labeled = data.labeled.iter().filter(|&&l| l).count();
        if n_labeled < self.cv {
            bail!(Data: "target_encode: target column '{}' has {n_labeled} non-missing values, fewer than cv = {} folds", target.name(), self.cv);
        }
        let folds = assign_folds(&data, self.cv, self.seed);
        let n_outputs = data.values.len();
        let mut globals = vec![Moments::default(); n_outputs];
        let mut fold_globals = vec![vec![Moments::default(); n_outputs]; self.cv];
        for (r, fold) in folds.iter().enumerate() {
            if let Some(f) = fold {
                for k in 0..n_outputs {
                    let y = data.values[k][r];
                    globals[k].add(y);
                    fold_globals[*f][k].add(y);
                }
            }
        }
        let priors: Vec<f64> = globals.iter().map(|g| g.mean()).collect();

        let mut fitted_columns = Vec::with_capacity(columns.len());
        let mut training_columns = Vec::new();
        for name in columns {
            let (categories, slots) = category_slots(frame, name)
                .map_err(|e| e.context(format!("target_encode: column '{name}'")))?;
            let n_cats = categories.len();
            let null_slot = n_cats;
            let slot = |r: usize| slots[r] as usize;
            // moments[k][slot] over all labeled rows, and per fold.
            let mut total = vec![vec![Moments::default(); n_cats + 1]; n_outputs];
            let mut per_fold = vec![vec![vec![Moments::default(); n_cats + 1]; n_outputs]; self.cv];
            for (r, fold) in folds.iter().enumerate() {
                if let Some(f) = fold {
                    let s = slot(r);
                    for k in 0..n_outputs {
                        let y = data.values[k][r];
                        total[k][s].add(y);
                        per_fold[*f][k][s].add(y);
                    }
                }
            }
            let full: Vec<Vec<f64>> = (0..n_outputs)
                .map(|k| {
                    (0..=n_cats)
                        .map(|s| encode(total[k][s], globals[k], smooth))
                        .collect()
                })
                .collect();
            // Out-of-fold encodings: fold f uses everything but fold f.
            let oof: Vec<Vec<Vec<f64>>> = (0..self.cv)
                .map(|f| {
                    (0..n_outputs)
                        .map(|k| {
                            let global = globals[k].minus(fold_globals[f][k]);
                            (0..=n_cats)
                                .map(|s| {
                                    encode(total[k][s].minus(per_fold[f][k][s]), global, smooth)
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect();
            let outputs: Vec<String> = match &data.kind {
                EncodedTarget::Multiclass { classes } => {
                    classes.iter().map(|c| format!("{name}_{c}")).collect()
                }
                _ => vec![name.clone()],
            };
            for (k, output) in outputs.iter().enumerate() {
                let values: Vec<f64> = (0..slots.len())
                    .map(|r| match folds[r] {
                        Some(f) => oof[f][k][slot(r)],
                        // Rows without a target were never in a fold: full-data statistics.
                        None => full[k][slot(r)],
                    })
                    .collect();
                training_columns.push(Column::new(output.as_str().into(), values));
            }
            let has_nulls = slots.iter().any(|&s| s as usize == null_slot);
            // Stored in sorted category order, for a readable summary.
            let mut order: Vec<usize> = (0..n_cats).collect();
            order.sort_by(|&a, &b| categories[a].cmp(&categories[b]));
            fitted_columns.push(TargetEncodedColumn {
                column: name.clone(),
                outputs,
                categories: order.iter().map(|&i| categories[i].clone()).collect(),
                encodings: full
                    .iter()
                    .map(|e| order.iter().map(|&i| e[i]).collect())
                    .collect(),
                missing: has_nulls.then(|| full.iter().map(|e| e[null_slot]).collect()),
            });
        }
        let step = FittedStep::TargetEncode(FittedTargetEncode {
            target: target.name().to_string(),
            target_type: data.kind,
            smooth,
            cv: self.cv,
            seed: self.seed,
            priors,
            columns: fitted_columns,
        });
        Ok(Fitted {
            step,
            training_columns,
        })
    }
}

impl FittedTransform for FittedTargetEncode {
    fn exprs(&self) -> Vec<Expr> {
        let mut exprs = Vec::new();
        for c in &self.columns {
            let value = as_text(&c.column);
            for (k, output) in c.outputs.iter().enumerate() {
                let prior = self.priors[k];
                let missing = c.missing.as_ref().map_or(prior, |m| m[k]);
                let known = if c.categories.is_empty() {
                    lit(prior)
                } else {
                    value.clone().replace_strict(
                        text_list(&c.categories),
                        lit(Series::new("encodings".into(), c.encodings[k].clone())).implode(true),
                        Some(lit(prior)),
                        Some(DataType::Float64),
                    )
                };
                exprs.push(
                    when(value.clone().is_null())
                        .then(lit(missing))
                        .otherwise(known)
                        .cast(DataType::Float64)
                        .alias(output.as_str()),
                );
            }
        }
        exprs
    }

    fn dropped(&self) -> Vec<String> {
        // Binary and continuous encodings replace the source column in place.
        self.columns
            .iter()
            .filter(|c| c.outputs.len() != 1 || c.outputs[0] != c.column)
            .map(|c| c.column.clone())
            .collect()
    }

    fn summary(&self) -> StepSummary {
        let target = match &self.target_type {
            EncodedTarget::Continuous => "continuous".to_string(),
            EncodedTarget::Binary { positive, .. } => format!("binary, positive '{positive}'"),
            EncodedTarget::Multiclass { classes } => {
                format!("multiclass one-vs-rest [{}]", classes.join(", "))
            }
        };
        let smooth = self.smooth.map_or("auto".to_string(), |m| format!("{m}"));
        let priors: Vec<String> = self.priors.iter().map(|p| format!("{p:.6}")).collect();
        StepSummary {
            name: "target_encode".into(),
            config: format!(
                "target '{}' ({target}), smooth={smooth}, cv={}, seed={}, prior [{}]",
                self.target,
                self.cv,
                self.seed,
                priors.join(", ")
            ),
            learned: self
                .columns
                .iter()
                .map(|c| {
                    let values = |v: &[f64]| {
                        v.iter()
                            .map(|x| format!("{x:.4}"))
                            .collect::<Vec<_>>()
                            .join("/")
                    };
                    category_line(
                        &c.column,
                        c.categories.iter().enumerate().map(|(i, cat)| {
                            let per_output: Vec<f64> = c.encodings.iter().map(|e| e[i]).collect();
                            format!("{cat}={}", values(&per_output))
                        }),
                        c.categories.len(),
                        c.missing.as_deref().map(values),
                    )
                })
                .collect(),
        }
    }

    fn validate(&self) -> std::result::Result<(), String> {
        crate::transform::finite("target_encode priors", self.priors.iter().copied())?;
        for c in &self.columns {
            // encodings[k][i] is output k of category i.
            let width = c.outputs.len();
            let bad_output = c.encodings.iter().any(|e| e.len() != c.categories.len());
            let bad_missing = c.missing.as_ref().is_some_and(|m| m.len() != width);
            if width == 0
                || width != self.priors.len()
                || c.encodings.len() != width
                || bad_output
                || bad_missing
            {
                return Err(format!(
                    "target_encode of '{}': {} outputs, {} priors and {} encoding lists for {} categories do not line up",
                    c.column,
                    width,
                    self.priors.len(),
                    c.encodings.len(),
                    c.categories.len()
                ));
            }
            let values = c
                .encodings
                .iter()
                .flatten()
                .chain(c.missing.iter().flatten());
            crate::transform::finite(
                &format!("target encodings of '{}'", c.column),
                values.copied(),
            )?;
        }
        Ok(())
    }
}

/// The fold of each row of `frame` for `target` (every row labeled), for tests.
#[cfg(test)]
pub(crate) fn folds_for_tests(frame: &DataFrame, target: &str, cv: usize, seed: u64) -> Vec<usize> {
    let data = read_target(frame.column(target).unwrap(), TargetType::Auto).unwrap();
    assign_folds(&data, cv, seed)
        .into_iter()
        .map(|f| f.unwrap())
        .collect()
}
