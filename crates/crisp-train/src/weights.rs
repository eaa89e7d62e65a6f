//! Class and sample weights: what a training run is told ([`Weighting`]), the weight of every
//! labeled row it makes of them, and which models take them ([`WeightSupport`]).
//!
//! A row's weight is its sample weight (from a column of the data, scaled to a mean of 1 over
//! the labeled rows) times its class's weight. Every fit of a run (hold-out, folds, search
//! candidates, the refit on every row) gets the weights of its rows; the feature pipeline is
//! fitted unweighted. The weight column is not an input of the model: it is dropped before
//! the pipeline sees the rows, so predicting does not need it.

use std::collections::BTreeMap;
use std::str::FromStr;

use crisp_core::{bail, ensure, require_column, ColumnKind, Error, Result};
use polars::prelude::*;
use serde::Serialize;

use crate::target::{TargetInfo, TargetValues};

/// The lightest class weight that may be given.
const MIN_WEIGHT: f64 = 1e-6;
/// The heaviest class weight that may be given.
const MAX_WEIGHT: f64 = 1e6;

/// The weight of each class: scikit-learn's `class_weight`.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassWeight {
    /// `n_rows / (n_classes × rows of the class)`, counted on the labeled rows of the training
    /// data (scikit-learn's `"balanced"`): every class weighs the same in total.
    Balanced,
    /// A weight (a number from 1e-6 to 1e6) per named class; a class not named weighs 1.
    Given(Vec<(String, f64)>),
}

impl FromStr for ClassWeight {
    type Err = Error;

    /// `balanced`, or `CLASS=WEIGHT` pairs separated by commas (`<=50K=1,>50K=3`: a class name
    /// may hold `=`, the weight is after the last one).
    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("balanced") {
            return Ok(ClassWeight::Balanced);
        }
        let mut pairs = Vec::new();
        for pair in text.split(',') {
            let Some((class, weight)) = pair.rsplit_once('=') else {
                return Err(Error::config(format!(
                    "class weights are 'balanced' or CLASS=WEIGHT pairs separated by commas, got '{pair}'"
                ))
                .value(pair));
            };
            let weight: f64 = weight.trim().parse().map_err(|_| {
                Error::config(format!(
                    "the weight of class '{class}' must be a number from 1e-6 to 1e6, got '{}'",
                    weight.trim()
                ))
                .value(weight.trim())
            })?;
            pairs.push((class.to_string(), weight));
        }
        ClassWeight::given(pairs)
    }
}

impl ClassWeight {
    /// The weights of named classes, each a number from 1e-6 to 1e6, no class twice.
    pub fn given(pairs: impl IntoIterator<Item = (String, f64)>) -> Result<Self> {
        let pairs: Vec<(String, f64)> = pairs.into_iter().collect();
        ensure!(!pairs.is_empty(), Config: "no class weights given");
        for (i, (class, weight)) in pairs.iter().enumerate() {
            ensure!(
                (MIN_WEIGHT..=MAX_WEIGHT).contains(weight),
                Config { value: weight }: "the weight of class '{class}' must be a number from 1e-6 to 1e6, got {weight}"
            );
            ensure!(
                !pairs[..i].iter().any(|(c, _)| c == class),
                Config { value: class }: "class '{class}' is given a weight twice"
            );
        }
        Ok(ClassWeight::Given(pairs))
    }

    /// The weight of every class of `target` (in class order), counting `truth` (the class of
    /// every labeled row) for `Balanced`.
    pub fn resolve(&self, target: &TargetInfo, truth: &[usize]) -> Result<Vec<f64>> {
        let k = target.classes.len();
        match self {
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; k];
                for &c in truth {
                    counts[c] += 1;
                }
                let n = truth.len() as f64;
                Ok(counts
                    .iter()
                    .map(|&c| {
                        if c == 0 {
                            1.0
                        } else {
                            n / (k as f64 * c as f64)
                        }
                    })
                    .collect())
            }
            ClassWeight::Given(pairs) => {
                let mut weights = vec![1.0; k];
                for (class, weight) in pairs {
                    let Some(i) = target.classes.iter().position(|c| c == class) else {
                        bail!(
                            Config { value: class }: "class weight for '{class}': target '{}' has no such class (its classes: {})",
                            target.name,
                            target.classes.join(", ")
                        );
                    };
                    weights[i] = *weight;
                }
                Ok(weights)
            }
        }
    }
}

/// How a training run weighs its rows, and whether its metrics are weighted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Weighting {
    /// The weight of each class (classification only).
    pub class_weight: Option<ClassWeight>,
    /// The column holding each row's sample weight (a number >= 0). It is not a feature.
    pub sample_weight: Option<String>,
    /// Evaluate with the weights of the evaluated rows (scikit-learn's `sample_weight` in
    /// every metric) instead of counting every row once.
    pub weighted_metrics: bool,
}

impl Weighting {
    /// Whether rows are weighted at all.
    pub fn is_weighted(&self) -> bool {
        self.class_weight.is_some() || self.sample_weight.is_some()
    }
}

/// Which weights a model takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightSupport {
    /// None: the model refuses class and sample weights.
    Unweighted,
    /// Class weights only (a weight per class, not per row): the model refuses sample weights.
    ClassWeights,
    /// A weight per row (sample weights, and class weights as the weight of each row's class).
    SampleWeights,
}

/// The weights a model is fitted with.
#[derive(Debug, Clone, Copy)]
pub struct RowWeights<'a> {
    /// One per training row: its sample weight (scaled to a mean of 1 over the labeled rows)
    /// times its class's weight.
    pub rows: &'a [f64],
    /// One per class (in class order), when class weights were given.
    pub classes: Option<&'a [f64]>,
    /// Whether `rows` hold sample weights from a column, beyond the class weights.
    pub sample: bool,
}

/// What a run's weighting came to, for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightSummary {
    /// `balanced` or `given`, when classes were weighted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_weight: Option<String>,
    /// The weight of every class, by name, when classes were weighted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_weights: Option<BTreeMap<String, f64>>,
    /// The sample weight column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_weight: Option<String>,
    /// Whether the metrics are weighted.
    pub weighted_metrics: bool,
}

/// The weights of a run's labeled rows.
#[derive(Debug, Clone)]
pub(crate) struct LabeledWeights {
    /// One per labeled row.
    pub rows: Vec<f64>,
    /// One per class, when class weights were given.
    pub classes: Option<Vec<f64>>,
    /// Whether a sample weight column is in `rows`.
    pub sample: bool,
    /// Whether evaluations use `rows`.
    pub metrics: bool,
    /// For reports.
    pub summary: WeightSummary,
}

impl LabeledWeights {
    /// The weights of `rows` (indices of labeled rows), for a fit.
    pub fn subset(&self, rows: Option<&[usize]>) -> Vec<f64> {
        match rows {
            Some(rows) => rows.iter().map(|&r| self.rows[r]).collect(),
            None => self.rows.clone(),
        }
    }
}

/// The sample weights of every row of `frame` (read from `source`) in `column`: numbers >= 0.
/// A missing column, a column that is not numeric, and a missing, negative, NaN or infinite
/// value are errors naming the column (and the first bad data row).
pub(crate) fn column_weights(frame: &DataFrame, column: &str, source: &str) -> Result<Vec<f64>> {
    let c = require_column(frame, column, source).map_err(|_| {
        Error::data(format!(
            "{source}: no sample weight column '{column}' (columns: {})",
            frame
                .get_column_names()
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .file(source)
        .column(column)
    })?;
    let kind = ColumnKind::of(c.dtype());
    if !kind.is_numeric() {
        return Err(Error::data(format!(
            "{source}: sample weight column '{column}' holds {kind} values; weights are numbers >= 0"
        ))
        .file(source)
        .column(column));
    }
    let values = c.cast(&DataType::Float64)?;
    let values = values.f64()?;
    let mut out = Vec::with_capacity(values.len());
    for (row, v) in values.iter().enumerate() {
        let bad = match v {
            None => Some("missing".to_string()),
            Some(v) if v.is_nan() => Some("NaN".to_string()),
            Some(v) if v.is_infinite() => Some(format!("{v}")),
            Some(v) if v < 0.0 => Some(format!("{v}, below 0")),
            Some(_) => None,
        };
        if let Some(bad) = bad {
            return Err(Error::data(format!(
                "{source}: sample weight column '{column}' is {bad} on data row {}; weights are finite numbers >= 0",
                row + 1
            ))
            .file(source)
            .column(column)
            .row(row + 1));
        }
        out.push(v.unwrap_or_default());
    }
    Ok(out)
}

/// `values` of the rows where `keep` is true.
pub(crate) fn kept(values: Vec<f64>, keep: Option<&BooleanChunked>) -> Vec<f64> {
    match keep {
        None => values,
        Some(mask) => values
            .into_iter()
            .zip(mask.iter())
            .filter(|(_, k)| k.unwrap_or(false))
            .map(|(v, _)| v)
            .collect(),
    }
}

/// The weights of the labeled rows of a run: `sample` (one per labeled row, from the weight
/// column) scaled to a mean of 1, times the class weights of `weighting`.
pub(crate) fn labeled_weights(
    weighting: &Weighting,
    sample: Option<Vec<f64>>,
    target: &TargetInfo,
    truth: &TargetValues,
) -> Result<Option<LabeledWeights>> {
    if !weighting.is_weighted() {
        ensure!(
            !weighting.weighted_metrics,
            Config: "weighted metrics need class weights or a sample weight column"
        );
        return Ok(None);
    }
    let n = match truth {
        TargetValues::Classes(c) => c.len(),
        TargetValues::Values(v) => v.len(),
    };
    let mut rows = match &sample {
        Some(sample) => {
            let total: f64 = sample.iter().sum();
            if total <= 0.0 {
                let column = weighting.sample_weight.as_deref().unwrap_or_default();
                bail!(Data { column: column }: "sample weight column '{column}' is 0 on every labeled row; at least one row must weigh more");
            }
            let mean = total / n as f64;
            sample.iter().map(|w| w / mean).collect()
        }
        None => vec![1.0; n],
    };
    let classes = match (&weighting.class_weight, truth) {
        (None, _) => None,
        (Some(cw), TargetValues::Classes(c)) => {
            let per_class = cw.resolve(target, c)?;
            for (w, &class) in rows.iter_mut().zip(c) {
                *w *= per_class[class];
            }
            Some(per_class)
        }
        (Some(_), TargetValues::Values(_)) => {
            bail!(Config: "class weights apply to classification, but target '{}' is numeric (regression)", target.name)
        }
    };
    let summary = WeightSummary {
        class_weight: weighting.class_weight.as_ref().map(|cw| match cw {
            ClassWeight::Balanced => "balanced".to_string(),
            ClassWeight::Given(_) => "given".to_string(),
        }),
        class_weights: classes.as_ref().map(|w| {
            target
                .classes
                .iter()
                .cloned()
                .zip(w.iter().copied())
                .collect()
        }),
        sample_weight: weighting.sample_weight.clone(),
        weighted_metrics: weighting.weighted_metrics,
    };
    Ok(Some(LabeledWeights {
        rows,
        classes,
        sample: sample.is_some(),
        metrics: weighting.weighted_metrics,
        summary,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crisp_validate::Task;

    fn target(classes: &[&str]) -> TargetInfo {
        TargetInfo {
            name: "income".into(),
            task: Task::Classification,
            classes: classes.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn class_weights_parse_and_resolve() {
        let t = target(&["<=50K", ">50K"]);
        // 6 rows of class 0, 2 of class 1: 8 / (2 * 6) and 8 / (2 * 2), as scikit-learn's
        // compute_class_weight("balanced", classes=[0, 1], y=[0]*6 + [1]*2) = [0.6667, 2.0].
        let truth = [0, 0, 0, 0, 0, 0, 1, 1];
        let balanced: ClassWeight = "balanced".parse().unwrap();
        let w = balanced.resolve(&t, &truth).unwrap();
        assert!((w[0] - 8.0 / 12.0).abs() < 1e-15 && w[1] == 2.0, "{w:?}");
        // Class names holding '=': the weight is after the last one.
        let given: ClassWeight = "<=50K=1, >50K=3.5".parse().unwrap();
        assert_eq!(
            given,
            ClassWeight::Given(vec![("<=50K".into(), 1.0), (" >50K".into(), 3.5)])
        );
        let given: ClassWeight = ">50K=3.5".parse().unwrap();
        assert_eq!(given.resolve(&t, &truth).unwrap(), [1.0, 3.5]);
        let unknown: ClassWeight = "rich=2".parse().unwrap();
        let err = unknown.resolve(&t, &truth).unwrap_err().to_string();
        assert!(
            err.contains("'rich'") && err.contains("its classes: <=50K, >50K"),
            "{err}"
        );
        for bad in ["a=0", "a=-1", "a=x", "a", "a=1,a=2", "a=inf"] {
            assert!(bad.parse::<ClassWeight>().is_err(), "{bad}");
        }
    }

    #[test]
    fn row_weights_are_scaled_sample_weights_times_class_weights() {
        let t = target(&["a", "b"]);
        let truth = TargetValues::Classes(vec![0, 0, 1, 1]);
        let weighting = Weighting {
            class_weight: Some("b=2".parse().unwrap()),
            sample_weight: Some("w".into()),
            weighted_metrics: false,
        };
        let w = labeled_weights(&weighting, Some(vec![1.0, 3.0, 2.0, 2.0]), &t, &truth)
            .unwrap()
            .unwrap();
        // Mean 2: 0.5, 1.5, 1, 1; class b doubled.
        assert_eq!(w.rows, [0.5, 1.5, 2.0, 2.0]);
        assert!(w.sample);
        let zero = labeled_weights(&weighting, Some(vec![0.0; 4]), &t, &truth);
        assert!(zero
            .unwrap_err()
            .to_string()
            .contains("0 on every labeled row"));
        let regression = labeled_weights(
            &Weighting {
                sample_weight: None,
                ..weighting.clone()
            },
            None,
            &t,
            &TargetValues::Values(vec![1.0, 2.0]),
        );
        assert!(regression
            .unwrap_err()
            .to_string()
            .contains("classification"));
    }

    #[test]
    fn bad_weight_columns_name_the_column_and_the_first_bad_row() {
        let frame = df!(
            "w" => [Some(1.0), Some(2.0), Some(-1.0), None],
            "nan" => [1.0, f64::NAN, 1.0, 1.0],
            "inf" => [1.0, 1.0, 1.0, f64::INFINITY],
            "text" => ["a", "b", "c", "d"],
        )
        .unwrap();
        let err = |c: &str| column_weights(&frame, c, "data.csv").unwrap_err();
        let e = err("w");
        assert!(
            e.to_string().contains("is -1, below 0 on data row 3"),
            "{e}"
        );
        assert_eq!(e.location().row, Some(3));
        assert!(err("nan").to_string().contains("is NaN on data row 2"));
        assert!(err("inf").to_string().contains("is inf on data row 4"));
        assert!(err("text").to_string().contains("holds text values"));
        let e = err("nope").to_string();
        assert!(
            e.contains("no sample weight column 'nope'") && e.contains("columns: w, nan"),
            "{e}"
        );
    }
}
