//! `svm`: linfa-svm's C-support vector classifier: one machine for two classes, one per class
//! (one-vs-rest, the largest decision value wins) for more.
//!
//! linfa-svm builds the full `rows × rows` kernel matrix (8 bytes per entry: 800 MB at 10,000
//! rows), so training refuses more than `max_rows` rows unless `subsample=true` asks it to
//! train on a seeded, class-stratified sample of `max_rows` of them.

use crisp_core::ndarray::{Array1, Array2, Axis};
use crisp_core::{Error, Result, SeededRng};
use linfa::prelude::*;
use linfa_svm::Svm;
use serde::{Deserialize, Serialize};

use crate::inputs::{class_targets, doc, linfa_error, require_finite, ParamDoc};
use crate::model::{Predictions, TrainingData};
use crate::params::Params;

const NAME: &str = "svm";

/// The most training rows `svm` takes by default.
pub const DEFAULT_MAX_ROWS: usize = 10_000;

/// Parameters of `svm`.
pub const SVM_PARAMS: &[&str] = &[
    "c",
    "kernel",
    "gamma",
    "degree",
    "coef0",
    "tolerance",
    "max_rows",
    "subsample",
    "seed",
];

/// What `crisp models` shows of them.
pub const SVM_PARAM_DOCS: &[ParamDoc] = &[
    doc("c", "1.0", "a number > 0: penalty of a margin violation"),
    doc("kernel", "rbf", "linear, rbf or polynomial"),
    doc(
        "gamma",
        "1 / number of features",
        "a number > 0: rbf kernel exp(-gamma |x - y|^2)",
    ),
    doc("degree", "3", "an integer >= 1: polynomial kernel (x.y + coef0)^degree"),
    doc("coef0", "1.0", "a finite number: polynomial kernel constant"),
    doc("tolerance", "0.001", "a number > 0: solver stopping tolerance"),
    doc(
        "max_rows",
        "10000",
        "an integer >= 2: the most training rows (the kernel matrix has rows^2 entries)",
    ),
    doc(
        "subsample",
        "false",
        "true or false: with true, more than max_rows rows are trained on a seeded sample of max_rows",
    ),
    doc("seed", "the run's seed", "an integer: the sample's seed"),
];

/// A fitted support vector classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmModel {
    /// For two classes, one machine whose positive side is class 1; for more, one per class
    /// (that class against the others), `None` for a class that no training row had.
    pub machines: Vec<Option<Svm<f64, bool>>>,
    /// Number of classes of the target.
    pub n_classes: usize,
    /// Number of features.
    pub n_features: usize,
    /// Training rows the machines were fitted on.
    pub rows_used: usize,
    /// Training rows given (more than `rows_used` when subsampled).
    pub rows_given: usize,
}

/// Fit linfa-svm's C-SVC (one-vs-rest beyond two classes).
pub fn fit_svm(p: &Params, data: &TrainingData) -> Result<SvmModel> {
    let c = p.get_checked("c", 1.0f64, |c| c.is_finite() && *c > 0.0, "a number > 0")?;
    let kernel = crate::inputs::choice(p, NAME, "kernel", "rbf", &["linear", "rbf", "polynomial"])?;
    let n_features = data.x.ncols();
    let gamma = p.get_checked(
        "gamma",
        1.0 / n_features.max(1) as f64,
        |g| g.is_finite() && *g > 0.0,
        "a number > 0",
    )?;
    let degree = p.get_checked("degree", 3u32, |d| *d >= 1, "an integer >= 1")?;
    let coef0 = p.get_checked("coef0", 1.0f64, |c| c.is_finite(), "a finite number")?;
    let tolerance = p.get_checked(
        "tolerance",
        1e-3f64,
        |t| t.is_finite() && *t > 0.0,
        "a number > 0",
    )?;
    let max_rows = p.get_checked("max_rows", DEFAULT_MAX_ROWS, |m| *m >= 2, "an integer >= 2")?;
    let subsample = p.get_or("subsample", false)?;
    let seed = p.get_or("seed", data.seed)?;
    let y = class_targets(data, NAME)?;
    require_finite(data.x, NAME)?;

    let rows_given = data.x.nrows();
    let (x, y) = if rows_given > max_rows {
        if !subsample {
            return Err(Error::parameter(
                "max_rows",
                Some(max_rows.to_string()),
                format!(
                    "model '{NAME}' builds a kernel matrix of rows x rows entries: {rows_given} training rows are more than max_rows ({max_rows}); raise max_rows or set subsample=true to train on a seeded sample of {max_rows} rows"
                ),
            ));
        }
        let rows = stratified_sample(
            y.as_slice().expect("a vector"),
            data.n_classes,
            max_rows,
            seed,
        );
        (data.x.select(Axis(0), &rows), y.select(Axis(0), &rows))
    } else {
        (data.x.clone(), y)
    };

    let class_weights = data.weights.and_then(|w| w.classes);
    let base = Svm::<f64, bool>::params().eps(tolerance);
    let base = match kernel {
        "linear" => base.linear_kernel(),
        "rbf" => base.gaussian_kernel(1.0 / gamma),
        _ => base.polynomial_kernel(coef0, f64::from(degree)),
    };
    let fit_one = |positive: usize| -> Result<Option<Svm<f64, bool>>> {
        if !y.iter().any(|&c| c == positive) {
            return Ok(None);
        }
        let (c_pos, c_neg) = match class_weights {
            Some(w) => side_weights(y.as_slice().expect("a vector"), w, positive, c),
            None => (c, c),
        };
        let params = base
            .clone()
            .pos_neg_weights(c_pos, c_neg)
            .check()
            .map_err(linfa_error(NAME))?;
        let targets: Array1<bool> = y.mapv(|c| c == positive);
        let machine = params
            .fit(&Dataset::new(x.clone(), targets))
            .map_err(linfa_error(NAME))?;
        if !machine.rho.is_finite() || machine.alpha.iter().any(|a| !a.is_finite()) {
            return Err(Error::model(format!(
                "model '{NAME}' did not converge: a fitted coefficient is not finite"
            )));
        }
        Ok(Some(machine))
    };
    let machines = if data.n_classes == 2 {
        let machine = fit_one(1)?;
        if machine.is_none() || y.iter().all(|&c| c == 1) {
            return Err(Error::model(format!(
                "model '{NAME}' needs training rows of both classes"
            )));
        }
        vec![machine]
    } else {
        (0..data.n_classes).map(fit_one).collect::<Result<_>>()?
    };
    Ok(SvmModel {
        machines,
        n_classes: data.n_classes,
        n_features,
        rows_used: x.nrows(),
        rows_given,
    })
}

/// The penalties `(C of the positive side, C of the negative side)` of the machine of class
/// `positive` against the others, with class weights `weights`: `c` times the positive
/// class's weight, and `c` times the mean weight of the other rows (`classes`: the class of
/// each training row), which gives the negative side the same total penalty as weighing each
/// of its rows by its class. For two classes that is the weight of the other class.
fn side_weights(classes: &[usize], weights: &[f64], positive: usize, c: f64) -> (f64, f64) {
    let (mut sum, mut rows) = (0.0, 0usize);
    for &class in classes.iter().filter(|&&class| class != positive) {
        sum += weights[class];
        rows += 1;
    }
    let negative = if rows == 0 { 1.0 } else { sum / rows as f64 };
    (c * weights[positive], c * negative)
}

/// `size` rows (in increasing order) drawn without replacement, each class in proportion to
/// its rows (largest remainders round, and every class keeps at least one row), reproducibly
/// for `seed`.
fn stratified_sample(classes: &[usize], n_classes: usize, size: usize, seed: u64) -> Vec<usize> {
    let mut members = vec![Vec::new(); n_classes];
    for (row, &c) in classes.iter().enumerate() {
        members[c].push(row);
    }
    let n = classes.len() as f64;
    let exact: Vec<f64> = members
        .iter()
        .map(|m| m.len() as f64 * size as f64 / n)
        .collect();
    let mut quota: Vec<usize> = members
        .iter()
        .zip(&exact)
        .map(|(m, e)| {
            (e.floor() as usize)
                .max(usize::from(!m.is_empty()))
                .min(m.len())
        })
        .collect();
    let mut order: Vec<usize> = (0..n_classes).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    let mut left = size.saturating_sub(quota.iter().sum());
    while left > 0 {
        let before = left;
        for &c in &order {
            if left > 0 && quota[c] < members[c].len() {
                quota[c] += 1;
                left -= 1;
            }
        }
        if left == before {
            break;
        }
    }
    let mut rows: Vec<usize> = members
        .iter()
        .zip(&quota)
        .enumerate()
        .flat_map(|(c, (m, &q))| {
            let mut rng = SeededRng::stream(seed, c as u64);
            rng.sample_indices(m.len(), q)
                .into_iter()
                .map(|i| m[i])
                .collect::<Vec<_>>()
        })
        .collect();
    rows.sort_unstable();
    rows
}

/// linfa-svm's `Svm` as serde sees it: the fields prediction reads, which the type keeps
/// private, for [`SvmModel::validate`].
#[derive(Deserialize)]
struct MachineView {
    alpha: Vec<f64>,
    rho: f64,
    kernel_method: KernelView,
    sep_hyperplane: HyperplaneView,
}

#[derive(Deserialize)]
enum KernelView {
    Gaussian(f64),
    Linear,
    Polynomial(f64, f64),
}

#[derive(Deserialize)]
enum HyperplaneView {
    Linear(Array1<f64>),
    WeightedCombination(Array2<f64>),
}

impl SvmModel {
    /// The class of every row: linfa's `Predict` for two classes, the largest decision value
    /// (`Svm::weighted_sum` minus `rho`) of the one-vs-rest machines for more.
    pub fn predict(&self, x: &Array2<f64>) -> Predictions {
        let labels = match self.machines.as_slice() {
            [Some(machine)] if self.n_classes == 2 => {
                let positive: Array1<bool> = machine.predict(x);
                positive.iter().map(|&p| usize::from(p)).collect()
            }
            machines => x
                .rows()
                .into_iter()
                .map(|row| {
                    let scores: Vec<f64> = machines
                        .iter()
                        .map(|m| match m {
                            Some(m) => m.weighted_sum(&row) - m.rho,
                            None => f64::NEG_INFINITY,
                        })
                        .collect();
                    crisp_core::argmax(&scores)
                })
                .collect(),
        };
        Predictions::Classes {
            labels,
            proba: None,
            n_classes: self.n_classes,
        }
    }

    /// Checks a model decoded from bytes: one machine for two classes and one per class for
    /// more; in each, finite coefficients, a kernel with valid constants, and a separating
    /// hyperplane (or support vectors, one per non-zero coefficient) of `n_features` values.
    pub fn validate(&self, n_classes: usize) -> std::result::Result<usize, String> {
        let expected = if n_classes == 2 { 1 } else { n_classes };
        if self.n_classes != n_classes || self.machines.len() != expected {
            return Err(format!(
                "an svm of {} machines for {} classes (a target of {n_classes} classes needs {expected})",
                self.machines.len(),
                self.n_classes
            ));
        }
        if self.n_classes == 2 && self.machines[0].is_none() {
            return Err("a binary svm without its machine".into());
        }
        for (i, machine) in self.machines.iter().enumerate() {
            let Some(machine) = machine else { continue };
            let view: MachineView = serde_json::to_value(machine)
                .and_then(serde_json::from_value)
                .map_err(|_| format!("svm machine {i} holds a value that is not finite"))?;
            let bad = |what: &str| Err(format!("svm machine {i}: {what}"));
            if !view.rho.is_finite() || view.alpha.iter().any(|a| !a.is_finite()) {
                return bad("a coefficient is not finite");
            }
            let kernel_ok = match view.kernel_method {
                KernelView::Gaussian(eps) => eps.is_finite() && eps > 0.0,
                KernelView::Linear => true,
                KernelView::Polynomial(c, d) => c.is_finite() && d.is_finite() && d >= 1.0,
            };
            if !kernel_ok {
                return bad("its kernel has a constant out of range");
            }
            let linear = matches!(view.kernel_method, KernelView::Linear);
            match view.sep_hyperplane {
                HyperplaneView::Linear(w) => {
                    if !linear || w.len() != self.n_features || w.iter().any(|v| !v.is_finite()) {
                        return bad(&format!(
                            "a linear hyperplane of {} values for {} features",
                            w.len(),
                            self.n_features
                        ));
                    }
                }
                HyperplaneView::WeightedCombination(vectors) => {
                    let support = view
                        .alpha
                        .iter()
                        .filter(|a| a.abs() > 100.0 * f64::EPSILON)
                        .count();
                    if linear
                        || vectors.ncols() != self.n_features
                        || vectors.nrows() != support
                        || vectors.iter().any(|v| !v.is_finite())
                    {
                        return bad(&format!(
                            "{} support vectors of {} values for {support} non-zero coefficients and {} features",
                            vectors.nrows(),
                            vectors.ncols(),
                            self.n_features
                        ));
                    }
                }
            }
        }
        Ok(n_classes)
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        let support: usize = self.machines.iter().flatten().map(|m| m.nsupport()).sum();
        let rows = if self.rows_used < self.rows_given {
            format!(
                "trained on a seeded sample of {} of {} rows",
                self.rows_used, self.rows_given
            )
        } else {
            format!("trained on {} rows", self.rows_used)
        };
        let machines = if self.n_classes == 2 {
            "1 machine".to_string()
        } else {
            format!(
                "{} one-vs-rest machines",
                self.machines.iter().flatten().count()
            )
        };
        format!("linfa-svm C-SVC: {machines}, {support} support vectors, {rows}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_weights_become_the_penalty_of_each_side() {
        // Two classes: each side gets its class's weight.
        let classes = [0, 0, 0, 1];
        assert_eq!(side_weights(&classes, &[0.5, 2.0], 1, 2.0), (4.0, 1.0));
        // One against the rest: the rest's mean weight (rows of weight 1, 1 and 4).
        let classes = [0, 1, 1, 2, 2];
        let (pos, neg) = side_weights(&classes, &[3.0, 1.0, 4.0], 0, 1.0);
        assert_eq!((pos, neg), (3.0, 10.0 / 4.0));
    }

    #[test]
    fn the_sample_keeps_class_shares_and_its_size_and_depends_only_on_the_seed() {
        // 90 rows of class 0, 9 of class 1, 1 of class 2.
        let classes: Vec<usize> = (0..100)
            .map(|i| match i {
                0..=89 => 0,
                90..=98 => 1,
                _ => 2,
            })
            .collect();
        let rows = stratified_sample(&classes, 3, 20, 5);
        assert_eq!(rows.len(), 20);
        let count = |c| rows.iter().filter(|&&r| classes[r] == c).count();
        // 18, 1.8 and 0.2 rows: the rare class keeps one, the largest remainder takes the rest.
        assert_eq!((count(0), count(1), count(2)), (18, 1, 1));
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(stratified_sample(&classes, 3, 20, 5), rows);
        assert_ne!(stratified_sample(&classes, 3, 20, 6), rows);
    }
}
