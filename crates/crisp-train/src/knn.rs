//! `knn`: k nearest neighbours on linfa-nn's spatial indexes, for classification (a vote,
//! whose shares are the probabilities) and regression (the mean of the neighbours' values).
//!
//! The artifact stores the training rows (as the feature pipeline made them) and their targets;
//! the index (a k-d tree or a ball tree, `linfa_nn::CommonNearestNeighbour`) is built from
//! them when predicting. linfa-nn's indexes need finite distances (they panic on NaN or
//! infinity), so training rows must be finite and not so far apart that a squared distance
//! overflows, and a value to predict is moved into a box around the training rows (NaN to the
//! training mean) before it is looked up; a row inside that box is looked up as it is.

use crisp_core::ndarray::{Array1, Array2, Axis};
use crisp_core::{bail, Result};
use linfa_nn::distance::{Distance, L2Dist};
use linfa_nn::{CommonNearestNeighbour, NearestNeighbour};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::inputs::{class_targets, doc, require_finite, value_targets, ParamDoc};
use crate::model::{Predictions, TrainingData};
use crate::params::Params;
use crate::target::TargetValues;

const NAME: &str = "knn";

/// Above this many features `algorithm=auto` uses a ball tree instead of a k-d tree (k-d trees
/// prune little in many dimensions).
const KD_TREE_MAX_FEATURES: usize = 20;

/// The lightest class weight a stored model may hold (a vote weighed so little would vanish
/// next to a neighbour at a small distance).
const MIN_CLASS_WEIGHT: f64 = 1e-9;
/// The heaviest (times a distance weight it must stay finite).
const MAX_CLASS_WEIGHT: f64 = 1e12;

/// Parameters of `knn`.
pub const KNN_PARAMS: &[&str] = &["k", "weights", "algorithm"];

/// What `crisp models` shows of them.
pub const KNN_PARAM_DOCS: &[ParamDoc] = &[
    doc("k", "5", "an integer from 1 to the number of training rows"),
    doc(
        "weights",
        "uniform",
        "uniform, or distance (a neighbour counts 1 / its distance)",
    ),
    doc(
        "algorithm",
        "auto",
        "auto (kdtree up to 20 features, balltree above), kdtree, balltree or linear",
    ),
];

/// How the neighbours' votes or values are weighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KnnWeights {
    /// Every neighbour counts the same.
    Uniform,
    /// A neighbour counts 1 / its distance; neighbours at distance 0, if any, count alone.
    Distance,
}

/// The training rows and how to search them (shared by both tasks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbours {
    /// Training rows × features.
    pub x: Array2<f64>,
    /// Neighbours consulted.
    pub k: usize,
    /// How they are weighted.
    pub weights: KnnWeights,
    /// linfa-nn's index.
    pub algorithm: CommonNearestNeighbour,
}

/// k nearest neighbours, classification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnnClassifier {
    /// Training rows and search settings.
    pub neighbours: Neighbours,
    /// The class of every training row.
    pub classes: Vec<usize>,
    /// Number of classes of the target.
    pub n_classes: usize,
    /// The weight of each class's votes (all 1 unless the run gave class weights).
    pub class_weights: Vec<f64>,
}

/// k nearest neighbours, regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnnRegressor {
    /// Training rows and search settings.
    pub neighbours: Neighbours,
    /// The value of every training row.
    pub values: Vec<f64>,
}

/// The fitted model of either task.
#[derive(Debug)]
pub enum Knn {
    /// For a class target.
    Classifier(KnnClassifier),
    /// For a numeric target.
    Regressor(KnnRegressor),
}

/// Store the training rows for `knn` (the index is built when predicting).
pub fn fit_knn(p: &Params, data: &TrainingData) -> Result<Knn> {
    let rows = data.x.nrows();
    let k = p.get_checked(
        "k",
        5usize.min(rows.max(1)),
        |k| *k >= 1 && *k <= rows,
        &format!("an integer from 1 to the number of training rows ({rows})"),
    )?;
    let weights =
        match crate::inputs::choice(p, NAME, "weights", "uniform", &["uniform", "distance"])? {
            "uniform" => KnnWeights::Uniform,
            _ => KnnWeights::Distance,
        };
    let algorithm = match crate::inputs::choice(
        p,
        NAME,
        "algorithm",
        "auto",
        &["auto", "kdtree", "balltree", "linear"],
    )? {
        "auto" if data.x.ncols() <= KD_TREE_MAX_FEATURES => CommonNearestNeighbour::KdTree,
        "auto" | "balltree" => CommonNearestNeighbour::BallTree,
        "kdtree" => CommonNearestNeighbour::KdTree,
        _ => CommonNearestNeighbour::LinearSearch,
    };
    if data.x.ncols() == 0 {
        bail!(Model: "model '{NAME}' needs at least one feature");
    }
    require_finite(data.x, NAME)?;
    let neighbours = Neighbours {
        // Standard layout: linfa-nn reads every row as one contiguous slice.
        x: data.x.as_standard_layout().into_owned(),
        k,
        weights,
        algorithm,
    };
    if neighbours.max_squared_distance().is_none() {
        bail!(
            Data: "model '{NAME}' cannot measure distances between training rows this far apart (a squared distance overflows); scale the features"
        );
    }
    Ok(match data.y {
        TargetValues::Classes(_) => Knn::Classifier(KnnClassifier {
            neighbours,
            classes: class_targets(data, NAME)?.to_vec(),
            n_classes: data.n_classes,
            class_weights: match data.weights.and_then(|w| w.classes) {
                Some(w) => w.to_vec(),
                None => vec![1.0; data.n_classes],
            },
        }),
        TargetValues::Values(_) => Knn::Regressor(KnnRegressor {
            neighbours,
            values: value_targets(data, NAME)?.to_vec(),
        }),
    })
}

/// Per feature: the lowest and highest training value and the mean.
struct Bounds {
    low: Vec<f64>,
    high: Vec<f64>,
    mean: Vec<f64>,
}

impl Neighbours {
    fn bounds(&self) -> Bounds {
        let column = |j| self.x.index_axis(Axis(1), j);
        let n = self.x.ncols();
        let range: Vec<(f64, f64)> = (0..n)
            .map(|j| {
                column(j)
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                        (lo.min(v), hi.max(v))
                    })
            })
            .collect();
        // Wider than the training rows by their diameter: any row inside is looked up as it is.
        let diameter = range
            .iter()
            .map(|(lo, hi)| (hi - lo) * (hi - lo))
            .sum::<f64>()
            .sqrt();
        Bounds {
            low: range.iter().map(|(lo, _)| lo - diameter).collect(),
            high: range.iter().map(|(_, hi)| hi + diameter).collect(),
            mean: (0..n).map(|j| column(j).mean().unwrap_or(0.0)).collect(),
        }
    }

    /// An upper bound of the squared distance between a (bounded) row to predict and a
    /// training row, if it is finite: `2 D^2 (1 + features)` for a training diameter `D`.
    fn max_squared_distance(&self) -> Option<f64> {
        let mut squared_diameter = 0.0;
        for column in self.x.columns() {
            let (lo, hi) = column
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            squared_diameter += (hi - lo) * (hi - lo);
        }
        let bound = 2.0 * squared_diameter * (1.0 + self.x.ncols() as f64);
        bound.is_finite().then_some(bound)
    }

    /// The `k` nearest training rows of every row of `x` (index and distance, nearest first),
    /// looked up in parallel; each row's answer depends on nothing but that row.
    fn search(&self, x: &Array2<f64>) -> Vec<Vec<(usize, f64)>> {
        let Ok(index) = self.algorithm.from_batch(&self.x, L2Dist) else {
            return vec![Vec::new(); x.nrows()];
        };
        let bounds = self.bounds();
        (0..x.nrows())
            .into_par_iter()
            .map(|i| {
                let query: Array1<f64> = x
                    .row(i)
                    .iter()
                    .enumerate()
                    .map(|(j, &v)| {
                        if v.is_nan() {
                            bounds.mean[j]
                        } else {
                            v.clamp(bounds.low[j], bounds.high[j])
                        }
                    })
                    .collect();
                index
                    .k_nearest(query.view(), self.k)
                    .map(|found| {
                        found
                            .into_iter()
                            .map(|(point, row)| (row, L2Dist.distance(query.view(), point)))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The weight of each of `found` (neighbours at distance 0 count alone under `distance`).
    fn weigh(&self, found: &[(usize, f64)]) -> Vec<f64> {
        match self.weights {
            KnnWeights::Uniform => vec![1.0; found.len()],
            KnnWeights::Distance if found.iter().any(|(_, d)| *d == 0.0) => found
                .iter()
                .map(|(_, d)| if *d == 0.0 { 1.0 } else { 0.0 })
                .collect(),
            KnnWeights::Distance => found.iter().map(|(_, d)| 1.0 / d).collect(),
        }
    }

    /// Checks the stored rows: at least `k >= 1` of them, `targets` of them, finite values
    /// not so far apart that a distance overflows.
    fn validate(&self, targets: usize) -> std::result::Result<(), String> {
        let (rows, features) = self.x.dim();
        if rows == 0 || features == 0 || self.k == 0 || self.k > rows {
            return Err(format!(
                "a knn model of {rows} training rows of {features} features with k = {}",
                self.k
            ));
        }
        if targets != rows {
            return Err(format!(
                "a knn model of {rows} training rows with {targets} targets"
            ));
        }
        if self.x.iter().any(|v| !v.is_finite()) {
            return Err("a knn model with a training value that is not finite".into());
        }
        if self.max_squared_distance().is_none() {
            return Err("a knn model whose training rows are too far apart to measure".into());
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "{} training rows, k = {}, {} weights, {:?} index",
            self.x.nrows(),
            self.k,
            match self.weights {
                KnnWeights::Uniform => "uniform",
                KnnWeights::Distance => "distance",
            },
            self.algorithm
        )
    }
}

impl KnnClassifier {
    /// The weighted vote shares of every class, and the class with the most (ties to the lowest).
    /// A neighbour's vote weighs its weight (1, or 1 / its distance) times its class's weight.
    pub fn predict(&self, x: &Array2<f64>) -> Predictions {
        let k = self.n_classes;
        let mut proba = vec![0.0; x.nrows() * k];
        for (i, found) in self.neighbours.search(x).iter().enumerate() {
            let votes = &mut proba[i * k..(i + 1) * k];
            for ((row, _), w) in found.iter().zip(self.neighbours.weigh(found)) {
                let class = self.classes[*row];
                votes[class] += w * self.class_weights[class];
            }
            // The total of the class sums is at least each of them, so no share exceeds 1.
            let total: f64 = votes.iter().sum();
            votes.iter_mut().for_each(|v| *v /= total);
        }
        Predictions::from_proba(proba, k)
    }

    /// Checks a model decoded from bytes (see [`KnnClassifier::predict`]'s needs): the stored
    /// rows, one class of the target per row.
    pub fn validate(&self) -> std::result::Result<usize, String> {
        self.neighbours.validate(self.classes.len())?;
        if let Some(c) = self.classes.iter().find(|&&c| c >= self.n_classes) {
            return Err(format!("a training row of class {c} of {}", self.n_classes));
        }
        if self.class_weights.len() != self.n_classes
            || self
                .class_weights
                .iter()
                .any(|w| !(*w >= MIN_CLASS_WEIGHT && *w <= MAX_CLASS_WEIGHT))
        {
            return Err(format!(
                "a knn model with {} class weights for {} classes, or one outside [1e-9, 1e12]",
                self.class_weights.len(),
                self.n_classes
            ));
        }
        Ok(self.n_classes)
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        let weighted = if self.class_weights.iter().all(|&w| w == 1.0) {
            String::new()
        } else {
            format!(
                ", class weights {}",
                self.class_weights
                    .iter()
                    .map(|w| format!("{w:.3}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        format!(
            "k nearest neighbours (vote): {}{weighted}",
            self.neighbours.describe()
        )
    }
}

impl KnnRegressor {
    /// The weighted mean of the neighbours' values.
    pub fn predict(&self, x: &Array2<f64>) -> Predictions {
        Predictions::Values(
            self.neighbours
                .search(x)
                .iter()
                .map(|found| {
                    let weights = self.neighbours.weigh(found);
                    let total: f64 = weights.iter().sum();
                    found
                        .iter()
                        .zip(&weights)
                        .map(|((row, _), w)| w * self.values[*row])
                        .sum::<f64>()
                        / total
                })
                .collect(),
        )
    }

    /// Checks a model decoded from bytes: the stored rows, one finite value per row.
    pub fn validate(&self) -> std::result::Result<(), String> {
        self.neighbours.validate(self.values.len())?;
        if self.values.iter().any(|v| !v.is_finite()) {
            return Err("a knn model with a training value that is not finite".into());
        }
        Ok(())
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        format!(
            "k nearest neighbours (mean): {}",
            self.neighbours.describe()
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crisp_core::ndarray::array;

    use super::*;

    fn fit(x: &Array2<f64>, y: TargetValues, n_classes: usize, params: &[(&str, &str)]) -> Knn {
        let values: BTreeMap<String, String> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let data = TrainingData {
            x,
            y: &y,
            n_classes,
            categorical: &[],
            seed: 1,
            weights: None,
        };
        fit_knn(&Params::new(NAME, &values, KNN_PARAMS).unwrap(), &data).unwrap()
    }

    #[test]
    fn votes_and_means_of_the_nearest_rows_worked_by_hand() {
        // Points 0, 1, 2, 10, 11 on a line; classes a a b b b; values 1 2 3 10 20.
        let x = array![[0.0], [1.0], [2.0], [10.0], [11.0]];
        for algorithm in ["kdtree", "balltree", "linear"] {
            let Knn::Classifier(c) = fit(
                &x,
                TargetValues::Classes(vec![0, 0, 1, 1, 1]),
                2,
                &[("k", "3"), ("algorithm", algorithm)],
            ) else {
                panic!("a classifier")
            };
            // 0.4: neighbours 0, 1, 2 (a a b); 9: neighbours 10, 11, 2 (b b b).
            let Predictions::Classes { labels, proba, .. } = c.predict(&array![[0.4], [9.0]])
            else {
                panic!("classes")
            };
            assert_eq!(labels, [0, 1], "{algorithm}");
            let p = proba.unwrap();
            assert!(
                (p[0] - 2.0 / 3.0).abs() < 1e-12 && (p[3] - 1.0).abs() < 1e-12,
                "{p:?}"
            );
        }
        let Knn::Regressor(r) = fit(
            &x,
            TargetValues::Values(vec![1.0, 2.0, 3.0, 10.0, 20.0]),
            0,
            &[("k", "2"), ("weights", "distance")],
        ) else {
            panic!("a regressor")
        };
        // 10.25: neighbours 10 (distance 0.25, value 10) and 11 (0.75, value 20):
        // (10 / 0.25 + 20 / 0.75) / (1 / 0.25 + 1 / 0.75) = 12.5. At 11 the exact match counts
        // alone.
        let Predictions::Values(v) = r.predict(&array![[10.25], [11.0]]) else {
            panic!("values")
        };
        assert!((v[0] - 12.5).abs() < 1e-9 && v[1] == 20.0, "{v:?}");
    }

    #[test]
    fn rows_with_nan_or_infinite_values_are_looked_up_without_panicking() {
        let x = array![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]];
        for algorithm in ["kdtree", "balltree"] {
            let Knn::Regressor(r) = fit(
                &x,
                TargetValues::Values(vec![1.0, 2.0, 3.0, 4.0]),
                0,
                &[("k", "1"), ("algorithm", algorithm)],
            ) else {
                panic!("a regressor")
            };
            let query = array![
                [f64::NAN, 0.1],
                [f64::INFINITY, f64::INFINITY],
                [-1e308, 0.0]
            ];
            let Predictions::Values(v) = r.predict(&query) else {
                panic!("values")
            };
            // NaN is the training mean (1.5): nearest (1, 0); +inf is beyond (5, 5); a huge
            // negative value is nearest (0, 0).
            assert_eq!(v, [2.0, 4.0, 1.0], "{algorithm}");
        }
    }

    #[test]
    fn rows_too_far_apart_to_measure_are_refused() {
        let x = array![[0.0], [1e200]];
        let values = BTreeMap::new();
        let y = TargetValues::Values(vec![1.0, 2.0]);
        let data = TrainingData {
            x: &x,
            y: &y,
            n_classes: 0,
            categorical: &[],
            seed: 1,
            weights: None,
        };
        let err = fit_knn(&Params::new(NAME, &values, KNN_PARAMS).unwrap(), &data).unwrap_err();
        assert!(
            err.to_string().contains("squared distance overflows"),
            "{err}"
        );
    }
}
