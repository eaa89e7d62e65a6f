//! A label model: learns how reliable each labeling function is without ground truth, by
//! expectation-maximisation over class-conditional confusion matrices (Dawid & Skene, 1979).
//!
//! Each function `j` has, for every true class `k`, a distribution over its outputs: each label
//! and "abstain". Abstaining is an outcome like the others, so a function that only ever says
//! "1" still carries information (it fires more often on one class). The functions are assumed
//! independent given the true class, as in Dawid-Skene and Snorkel's default: several functions
//! that make the same mistakes together (e.g. three views of wealth) are over-trusted, and a
//! majority vote may then do better.
//!
//! Fitting starts from the majority vote's shares (with a seeded jitter of 1e-3 that breaks
//! exact ties the same way for the same seed), then alternates: the class prior and confusion
//! matrices from the current posteriors (add-one smoothed), the posteriors from those, until no
//! posterior moves by more than 1e-7 or after 2000 rounds. Rows with the same votes share one
//! posterior, so the cost grows with the number of distinct vote patterns, not of rows.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::lf::LabelMatrix;
use crate::vote::Decision;

const MAX_ITERATIONS: usize = 2000;
const TOLERANCE: f64 = 1e-7;
const SMOOTHING: f64 = 1.0;
const JITTER: f64 = 1e-3;

/// A fitted Dawid-Skene label model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelModel {
    /// The classes, as in the label matrix.
    pub classes: Vec<String>,
    /// `P(y = k)`.
    pub prior: Vec<f64>,
    /// `confusion[j][k][o]` = P(function `j` outputs `o` | true class `k`); `o` is a class
    /// index, or `classes.len()` for "abstain".
    pub confusion: Vec<Vec<Vec<f64>>>,
    /// EM rounds run.
    pub iterations: usize,
    /// Whether the posteriors settled before the round limit.
    pub converged: bool,
}

impl LabelModel {
    /// Fit on `matrix`; the same `seed` gives the same model.
    pub fn fit(matrix: &LabelMatrix, seed: u64) -> LabelModel {
        let k = matrix.classes.len().max(1);
        let abstain = k;
        let m = matrix.functions();
        let (patterns, counts) = patterns(matrix, abstain);
        let n: f64 = counts.iter().sum();

        // Start from the majority vote's shares, jittered.
        let mut post: Vec<Vec<f64>> = patterns
            .iter()
            .enumerate()
            .map(|(p, pattern)| {
                let mut t = vec![0.0; k];
                for &o in pattern {
                    if o != abstain {
                        t[o] += 1.0;
                    }
                }
                let votes: f64 = t.iter().sum();
                for (c, v) in t.iter_mut().enumerate() {
                    let share = if votes > 0.0 {
                        *v / votes
                    } else {
                        1.0 / k as f64
                    };
                    *v = share + JITTER * unit(seed, (p * k + c) as u64);
                }
                normalize(&mut t);
                t
            })
            .collect();

        let mut model = LabelModel {
            classes: matrix.classes.clone(),
            prior: vec![1.0 / k as f64; k],
            confusion: vec![vec![vec![0.0; k + 1]; k]; m],
            iterations: 0,
            converged: false,
        };
        while model.iterations < MAX_ITERATIONS {
            model.iterations += 1;
            // M step.
            let mut class_mass = vec![0.0; k];
            for (t, &count) in post.iter().zip(&counts) {
                for (mass, p) in class_mass.iter_mut().zip(t) {
                    *mass += count * p;
                }
            }
            for (prior, mass) in model.prior.iter_mut().zip(&class_mass) {
                *prior = (mass + SMOOTHING) / (n + k as f64 * SMOOTHING);
            }
            for (j, conf) in model.confusion.iter_mut().enumerate() {
                for row in conf.iter_mut() {
                    row.iter_mut().for_each(|x| *x = SMOOTHING);
                }
                for ((pattern, t), &count) in patterns.iter().zip(&post).zip(&counts) {
                    for c in 0..k {
                        conf[c][pattern[j]] += count * t[c];
                    }
                }
                for row in conf.iter_mut() {
                    normalize(row);
                }
            }
            // E step.
            let mut change: f64 = 0.0;
            for (pattern, t) in patterns.iter().zip(post.iter_mut()) {
                let new = model.posterior_of(pattern);
                for c in 0..k {
                    change = change.max((new[c] - t[c]).abs());
                }
                *t = new;
            }
            if change < TOLERANCE {
                model.converged = true;
                break;
            }
        }
        model
    }

    /// `P(y = k | votes)` for one record's votes (`None` = abstain).
    pub fn posterior(&self, votes: &[Option<usize>]) -> Vec<f64> {
        let abstain = self.classes.len().max(1);
        let pattern: Vec<usize> = votes.iter().map(|v| v.unwrap_or(abstain)).collect();
        self.posterior_of(&pattern)
    }

    fn posterior_of(&self, pattern: &[usize]) -> Vec<f64> {
        let k = self.prior.len();
        let mut log: Vec<f64> = (0..k)
            .map(|c| {
                self.prior[c].ln()
                    + pattern
                        .iter()
                        .enumerate()
                        .map(|(j, &o)| self.confusion[j][c][o].ln())
                        .sum::<f64>()
            })
            .collect();
        let max = log.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        log.iter_mut().for_each(|x| *x = (*x - max).exp());
        normalize(&mut log);
        log
    }

    /// The most probable class of every record that at least one function voted on (rows
    /// where every function abstains stay unlabeled), with its posterior as confidence.
    pub fn predict(&self, matrix: &LabelMatrix) -> Vec<Decision> {
        let mut cache: HashMap<&[Option<usize>], Decision> = HashMap::new();
        matrix
            .votes
            .iter()
            .map(|row| {
                if row.iter().all(Option::is_none) {
                    return Decision::none(false);
                }
                cache
                    .entry(row.as_slice())
                    .or_insert_with(|| {
                        let p = self.posterior(row);
                        let best = crisp_core::argmax(&p);
                        Decision {
                            label: Some(self.classes[best].clone()),
                            confidence: Some(p[best]),
                            tie: false,
                        }
                    })
                    .clone()
            })
            .collect()
    }

    /// Each function's accuracy when it votes, as the model estimates it:
    /// `Σ_k P(k)·P(j says k | k) / Σ_k P(k)·P(j votes | k)`.
    pub fn estimated_accuracy(&self) -> Vec<f64> {
        let k = self.prior.len();
        self.confusion
            .iter()
            .map(|conf| {
                let right: f64 = (0..k).map(|c| self.prior[c] * conf[c][c]).sum();
                let votes: f64 = (0..k).map(|c| self.prior[c] * (1.0 - conf[c][k])).sum();
                if votes > 0.0 {
                    right / votes
                } else {
                    0.0
                }
            })
            .collect()
    }
}

/// The distinct vote patterns (abstain coded as `abstain`), in order of first appearance, and
/// how many rows have each.
fn patterns(matrix: &LabelMatrix, abstain: usize) -> (Vec<Vec<usize>>, Vec<f64>) {
    let mut index: HashMap<&[Option<usize>], usize> = HashMap::new();
    let mut patterns = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    for row in &matrix.votes {
        let i = *index.entry(row.as_slice()).or_insert_with(|| {
            patterns.push(row.iter().map(|v| v.unwrap_or(abstain)).collect());
            counts.push(0.0);
            patterns.len() - 1
        });
        counts[i] += 1.0;
    }
    (patterns, counts)
}

fn normalize(v: &mut [f64]) {
    let total: f64 = v.iter().sum();
    if total > 0.0 {
        v.iter_mut().for_each(|x| *x /= total);
    }
}

/// A number in [0, 1) from `seed` and `i`: the first draw of stream `i` of `seed`.
fn unit(seed: u64, i: u64) -> f64 {
    crisp_core::SeededRng::stream(seed, i).next_f64()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vote::{majority_vote, TiePolicy};

    /// Records with a known class and functions of known accuracy: function `j` votes on every
    /// record and is right with probability `acc[j]` (its errors drawn by `unit`).
    fn simulate(acc: &[f64], rows: usize) -> (LabelMatrix, Vec<String>) {
        let truth: Vec<usize> = (0..rows)
            .map(|i| (unit(1, i as u64) < 0.4) as usize)
            .collect();
        let cols: Vec<Vec<Option<String>>> = acc
            .iter()
            .enumerate()
            .map(|(j, &a)| {
                truth
                    .iter()
                    .enumerate()
                    .map(|(i, &y)| {
                        let right = unit(100 + j as u64, i as u64) < a;
                        Some((if right { y } else { 1 - y }).to_string())
                    })
                    .collect()
            })
            .collect();
        let names = (0..acc.len()).map(|j| format!("lf{j}")).collect();
        let truth = truth.iter().map(|y| y.to_string()).collect();
        (LabelMatrix::from_labels(names, &cols), truth)
    }

    fn accuracy(decisions: &[Decision], truth: &[String]) -> f64 {
        let right = decisions
            .iter()
            .zip(truth)
            .filter(|(d, t)| d.label.as_deref() == Some(t.as_str()))
            .count();
        right as f64 / truth.len() as f64
    }

    #[test]
    fn learns_accuracies_and_beats_the_majority_vote() {
        // One strong function and four weak ones: the majority follows the weak crowd
        // (here: label model 0.947, majority 0.803, after 742 rounds).
        let acc = [0.95, 0.6, 0.6, 0.6, 0.6];
        let (matrix, truth) = simulate(&acc, 4000);
        let model = LabelModel::fit(&matrix, 7);
        assert!(model.converged, "{} rounds", model.iterations);
        // Estimated without the truth, compared with each function's accuracy on this sample.
        let est = model.estimated_accuracy();
        for (j, e) in est.iter().enumerate() {
            let right = matrix
                .votes
                .iter()
                .zip(&truth)
                .filter(|(row, t)| row[j].is_some_and(|c| matrix.classes[c] == **t))
                .count();
            let a = right as f64 / truth.len() as f64;
            assert!(
                (e - a).abs() < 0.03,
                "function {j}: estimated {e}, actual {a}"
            );
        }
        let lm = accuracy(&model.predict(&matrix), &truth);
        let mv = accuracy(&majority_vote(&matrix, &TiePolicy::First), &truth);
        assert!(
            lm > 0.93 && lm > mv + 0.1,
            "label model {lm}, majority {mv}"
        );
    }

    #[test]
    fn same_seed_same_model_and_posteriors_are_distributions() {
        let (matrix, _) = simulate(&[0.8, 0.7, 0.65], 500);
        let a = LabelModel::fit(&matrix, 3);
        assert_eq!(a, LabelModel::fit(&matrix, 3));
        let p = a.posterior(&[Some(0), None, Some(1)]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(a
            .predict(&matrix)
            .iter()
            .all(|d| d.confidence.unwrap() >= 0.5));
    }
}
