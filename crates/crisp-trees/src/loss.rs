//! Gradient boosting objectives: initial scores, gradients, hessians and validation loss.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::spin::{self, Spread};

/// `row(g[i], h[i], scores[i], y[i])` for every row, spread over threads: this runs once per
/// boosting round on every row.
fn by_rows(
    g: &mut [f64],
    h: &mut [f64],
    scores: &[f64],
    y: &[f64],
    row: impl Fn(&mut f64, &mut f64, f64, f64) + Sync,
) {
    let serial = |g: &mut [f64], h: &mut [f64], scores: &[f64], y: &[f64]| {
        for ((g, h), (&f, &y)) in g.iter_mut().zip(h).zip(scores.iter().zip(y)) {
            row(g, h, f, y);
        }
    };
    // An exp costs about as much as gathering a few rows' statistics.
    const WORK_PER_ROW: usize = 4;
    match Spread::of(WORK_PER_ROW * g.len(), true) {
        Spread::Pool => {
            const CHUNK: usize = 4096;
            g.par_chunks_mut(CHUNK)
                .zip(h.par_chunks_mut(CHUNK))
                .zip(scores.par_chunks(CHUNK).zip(y.par_chunks(CHUNK)))
                .for_each(|((g, h), (s, y))| serial(g, h, s, y));
        }
        Spread::Pair => {
            let mid = g.len() / 2;
            let (g1, g2) = g.split_at_mut(mid);
            let (h1, h2) = h.split_at_mut(mid);
            let (s1, s2) = scores.split_at(mid);
            let (y1, y2) = y.split_at(mid);
            spin::join(|| serial(g1, h1, s1, y1), || serial(g2, h2, s2, y2));
        }
        Spread::One => serial(g, h, scores, y),
    }
}

/// Probabilities are kept this far from 0 and 1 so that logs and logits stay finite.
const EPS: f64 = 1e-15;

/// The loss a [`GradientBoosting`](crate::GradientBoosting) model minimises, chosen from the
/// targets: labels with two classes give `LogLoss`, more give `Softmax`, reals `SquaredError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loss {
    /// Binary cross-entropy on one logit per row.
    LogLoss,
    /// Multiclass cross-entropy on one score per class (one tree per class per round).
    Softmax,
    /// Half the squared error.
    SquaredError,
}

impl Loss {
    /// Starting scores: the log-odds / log-priors / mean of the training targets, weighted by
    /// the sample weights `w` if any.
    pub(crate) fn init(&self, y: &[f64], rows: &[u32], k: usize, w: Option<&[f64]>) -> Vec<f64> {
        if let Some(w) = w {
            return self.init_weighted(y, rows, k, w);
        }
        let n = rows.len().max(1) as f64;
        match self {
            Loss::LogLoss | Loss::SquaredError => {
                vec![self.score_of_mean(rows.iter().map(|&i| y[i as usize]).sum::<f64>() / n)]
            }
            Loss::Softmax => {
                let mut counts = vec![0.0; k];
                for &i in rows {
                    counts[y[i as usize] as usize] += 1.0;
                }
                counts.iter().map(|c| (c / n).max(EPS).ln()).collect()
            }
        }
    }

    /// The starting score of a single-score loss whose training targets average `mean`: the
    /// log-odds of `mean` for log loss, `mean` itself for squared error. `Softmax` has one
    /// score per class and no single mean: it gets 0.
    pub fn score_of_mean(&self, mean: f64) -> f64 {
        match self {
            Loss::LogLoss => {
                let p = mean.clamp(EPS, 1.0 - EPS);
                (p / (1.0 - p)).ln()
            }
            Loss::SquaredError => mean,
            Loss::Softmax => 0.0,
        }
    }

    /// Gradient and hessian of a single-score loss at one row of target `y` and raw score
    /// `score` (the arithmetic every fit uses, so a fit elsewhere matches it exactly).
    /// `Softmax` needs every class's score and gets `(0, 0)`.
    #[inline]
    pub fn gradient(&self, y: f64, score: f64) -> (f64, f64) {
        match self {
            Loss::LogLoss => {
                let p = sigmoid(score);
                (p - y, (p * (1.0 - p)).max(EPS))
            }
            Loss::SquaredError => (score - y, 1.0),
            Loss::Softmax => (0.0, 0.0),
        }
    }

    /// [`Loss::init`] with sample weights: every row counts as its weight.
    fn init_weighted(&self, y: &[f64], rows: &[u32], k: usize, w: &[f64]) -> Vec<f64> {
        let total = rows.iter().map(|&i| w[i as usize]).sum::<f64>();
        // Rows whose weights are all zero leave nothing to learn from: start at zero.
        if total <= 0.0 {
            return vec![0.0; if *self == Loss::Softmax { k } else { 1 }];
        }
        let weighted_mean = || {
            rows.iter()
                .map(|&i| w[i as usize] * y[i as usize])
                .sum::<f64>()
                / total
        };
        match self {
            Loss::LogLoss => {
                let p = weighted_mean().clamp(EPS, 1.0 - EPS);
                vec![(p / (1.0 - p)).ln()]
            }
            Loss::Softmax => {
                let mut sums = vec![0.0; k];
                for &i in rows {
                    sums[y[i as usize] as usize] += w[i as usize];
                }
                sums.iter().map(|c| (c / total).max(EPS).ln()).collect()
            }
            Loss::SquaredError => vec![weighted_mean()],
        }
    }

    /// Fills `g[k][i]` and `h[k][i]` for every row from the current `scores[k][i]`.
    pub(crate) fn gradients(
        &self,
        y: &[f64],
        scores: &[Vec<f64>],
        g: &mut [Vec<f64>],
        h: &mut [Vec<f64>],
    ) {
        match self {
            // Trees are grown on `Stats::Grad` for squared error, whose hessian is the count.
            Loss::LogLoss | Loss::SquaredError => {
                by_rows(&mut g[0], &mut h[0], &scores[0], y, |g, h, f, y| {
                    (*g, *h) = self.gradient(y, f);
                })
            }
            Loss::Softmax => {
                let k = scores.len();
                let mut p = vec![0.0; k];
                for (i, &label) in y.iter().enumerate() {
                    for (pc, s) in p.iter_mut().zip(scores) {
                        *pc = s[i];
                    }
                    softmax(&mut p);
                    for c in 0..k {
                        let target = if label as usize == c { 1.0 } else { 0.0 };
                        g[c][i] = p[c] - target;
                        h[c][i] = (p[c] * (1.0 - p[c])).max(EPS);
                    }
                }
            }
        }
    }

    /// Mean loss over `rows`, used for early stopping; weighted by the sample weights `w` if
    /// any.
    pub(crate) fn mean_loss(
        &self,
        y: &[f64],
        scores: &[Vec<f64>],
        rows: &[u32],
        w: Option<&[f64]>,
    ) -> f64 {
        let row_loss = |i: usize| match self {
            Loss::LogLoss => {
                let p = sigmoid(scores[0][i]).clamp(EPS, 1.0 - EPS);
                if y[i] > 0.5 {
                    -p.ln()
                } else {
                    -(1.0 - p).ln()
                }
            }
            Loss::SquaredError => 0.5 * (scores[0][i] - y[i]).powi(2),
            Loss::Softmax => {
                let mut p: Vec<f64> = scores.iter().map(|s| s[i]).collect();
                softmax(&mut p);
                -p[y[i] as usize].max(EPS).ln()
            }
        };
        if let Some(w) = w {
            let total: f64 = rows.iter().map(|&i| w[i as usize]).sum();
            let sum: f64 = rows
                .iter()
                .map(|&i| w[i as usize] * row_loss(i as usize))
                .sum();
            return if total > 0.0 { sum / total } else { 0.0 };
        }
        let n = rows.len().max(1) as f64;
        let total: f64 = match self {
            Loss::LogLoss => rows
                .iter()
                .map(|&i| {
                    let p = sigmoid(scores[0][i as usize]).clamp(EPS, 1.0 - EPS);
                    if y[i as usize] > 0.5 {
                        -p.ln()
                    } else {
                        -(1.0 - p).ln()
                    }
                })
                .sum(),
            Loss::SquaredError => rows
                .iter()
                .map(|&i| 0.5 * (scores[0][i as usize] - y[i as usize]).powi(2))
                .sum(),
            Loss::Softmax => {
                let mut p = vec![0.0; scores.len()];
                rows.iter()
                    .map(|&i| {
                        for (pc, s) in p.iter_mut().zip(scores) {
                            *pc = s[i as usize];
                        }
                        softmax(&mut p);
                        -p[y[i as usize] as usize].max(EPS).ln()
                    })
                    .sum()
            }
        };
        total / n
    }
}

#[inline]
pub(crate) fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Turns scores into probabilities in place (shifted by the maximum to avoid overflow).
pub(crate) fn softmax(v: &mut [f64]) {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    for x in v.iter_mut() {
        *x /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_their_definitions() {
        let y = [1.0, 0.0];
        let scores = vec![vec![0.0, 2.0]];
        let (mut g, mut h) = (vec![vec![0.0; 2]], vec![vec![0.0; 2]]);
        Loss::LogLoss.gradients(&y, &scores, &mut g, &mut h);
        assert!((g[0][0] + 0.5).abs() < 1e-12 && (h[0][0] - 0.25).abs() < 1e-12);
        assert!((g[0][1] - sigmoid(2.0)).abs() < 1e-12);
        Loss::SquaredError.gradients(&[3.0, 1.0], &scores, &mut g, &mut h);
        assert_eq!(g[0], vec![-3.0, 1.0]);
        let init = Loss::LogLoss.init(&[1.0, 0.0, 0.0, 0.0], &[0, 1, 2, 3], 2, None);
        assert!((sigmoid(init[0]) - 0.25).abs() < 1e-12);
        // Weights count like repeated rows: 3 x class 1 against 1 + 2 x class 0.
        let w = [3.0, 1.0, 2.0, 0.0];
        let init = Loss::LogLoss.init(&[1.0, 0.0, 0.0, 0.0], &[0, 1, 2, 3], 2, Some(&w));
        assert!((sigmoid(init[0]) - 0.5).abs() < 1e-12);
        let init = Loss::Softmax.init(&[2.0, 0.0, 0.0, 1.0], &[0, 1, 2, 3], 3, Some(&w));
        let expected = [0.5f64, 0.0, 0.5].map(|p| p.max(EPS).ln());
        assert_eq!(init, expected.to_vec());
        let init = Loss::SquaredError.init(&[1.0, 4.0, 7.0, 100.0], &[0, 1, 2, 3], 1, Some(&w));
        assert!((init[0] - (3.0 + 4.0 + 14.0) / 6.0).abs() < 1e-12);
        let scores = vec![vec![1.0, 1.0, 1.0, 1.0]];
        let l =
            Loss::SquaredError.mean_loss(&[1.0, 4.0, 7.0, 100.0], &scores, &[0, 1, 2, 3], Some(&w));
        assert!((l - (0.0 + 4.5 + 2.0 * 18.0) / 6.0).abs() < 1e-12);
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut v = [1000.0, 1001.0, 0.0];
        softmax(&mut v);
        assert!((v.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(v[1] > v[0] && v[2] < 1e-100);
    }
}
