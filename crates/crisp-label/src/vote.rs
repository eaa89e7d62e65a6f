//! Combining labeling functions by vote: majority (every function weighs 1) or weighted
//! (given weights, or weights learned from gold labels), with a tie policy.

use std::fmt;
use std::str::FromStr;

use crisp_core::{bail, Error, Result};
use serde::{Deserialize, Serialize};

use crate::lf::LabelMatrix;

/// How the votes of labeling functions become one label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// The label most functions gave (the default).
    #[default]
    Majority,
    /// The label with the largest total weight.
    Weighted,
    /// The most probable label under a Dawid-Skene model fitted without ground truth.
    LabelModel,
}

impl FromStr for Combine {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "majority" => Combine::Majority,
            "weighted" => Combine::Weighted,
            "label_model" | "label-model" => Combine::LabelModel,
            _ => bail!(Config: "unknown combiner '{s}': use majority, weighted or label_model"),
        })
    }
}

impl fmt::Display for Combine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Combine::Majority => "majority",
            Combine::Weighted => "weighted",
            Combine::LabelModel => "label_model",
        })
    }
}

/// What a vote does when several labels share the best score.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TiePolicy {
    /// Leave the row unlabeled (the default).
    #[default]
    Abstain,
    /// The tied label of the first function (declaration order) that voted for one.
    First,
    /// This label.
    Label(String),
}

impl FromStr for TiePolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "abstain" => TiePolicy::Abstain,
            "first" => TiePolicy::First,
            "" => bail!(Config: "empty tie policy: use abstain, first or a label"),
            label => TiePolicy::Label(label.to_string()),
        })
    }
}

impl TryFrom<String> for TiePolicy {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<TiePolicy> for String {
    fn from(t: TiePolicy) -> String {
        match t {
            TiePolicy::Abstain => "abstain".into(),
            TiePolicy::First => "first".into(),
            TiePolicy::Label(l) => l,
        }
    }
}

/// The combined label of one record.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The label, or `None` (no function voted, or a tie left unlabeled).
    pub label: Option<String>,
    /// Vote share (weight of the label / weight of all votes) or label-model posterior.
    pub confidence: Option<f64>,
    /// Several labels shared the best score.
    pub tie: bool,
}

impl Decision {
    /// No label.
    pub fn none(tie: bool) -> Decision {
        Decision {
            label: None,
            confidence: None,
            tie,
        }
    }
}

/// Majority vote: every function weighs 1.
pub fn majority_vote(matrix: &LabelMatrix, tie: &TiePolicy) -> Vec<Decision> {
    weighted_vote(matrix, &vec![1.0; matrix.functions()], tie)
}

/// Weighted vote: each label scores the total weight of the functions that gave it; the best
/// score wins. Confidence is the winner's share of the weight of all votes on the row. Rows
/// whose voters all weigh 0 stay unlabeled.
pub fn weighted_vote(matrix: &LabelMatrix, weights: &[f64], tie: &TiePolicy) -> Vec<Decision> {
    let k = matrix.classes.len();
    let mut scores = vec![0.0f64; k];
    let mut voted = vec![false; k];
    matrix
        .votes
        .iter()
        .map(|row| {
            scores.iter_mut().for_each(|s| *s = 0.0);
            voted.iter_mut().for_each(|v| *v = false);
            let mut total = 0.0;
            for (j, vote) in row.iter().enumerate() {
                if let Some(c) = *vote {
                    scores[c] += weights[j];
                    voted[c] = true;
                    total += weights[j];
                }
            }
            if total <= 0.0 {
                return Decision::none(false);
            }
            let best = (0..k)
                .filter(|&c| voted[c])
                .map(|c| scores[c])
                .fold(f64::NEG_INFINITY, f64::max);
            let eps = 1e-9 * best.abs().max(1.0);
            let tied: Vec<usize> = (0..k)
                .filter(|&c| voted[c] && (scores[c] - best).abs() <= eps)
                .collect();
            let decide = |c: usize| Decision {
                label: Some(matrix.classes[c].clone()),
                confidence: Some(scores[c] / total),
                tie: tied.len() > 1,
            };
            if tied.len() == 1 {
                return decide(tied[0]);
            }
            match tie {
                TiePolicy::Abstain => Decision::none(true),
                TiePolicy::First => row
                    .iter()
                    .flatten()
                    .find(|c| tied.contains(c))
                    .map_or(Decision::none(true), |&c| decide(c)),
                TiePolicy::Label(label) => Decision {
                    label: Some(label.clone()),
                    confidence: Some(matrix.class_index(label).map_or(0.0, |c| scores[c] / total)),
                    tie: true,
                },
            }
        })
        .collect()
}

/// Weights from gold labels: the log-odds `ln((K-1)·a / (1-a))` of each function's accuracy
/// `a` on the gold rows it voted on, smoothed as `(correct + 1) / (voted + K)` (so a function
/// with no gold evidence gets weight 0), and never below 0 (a function no better than chance
/// gets no say). `K` is the number of classes (at least 2). This is the optimal weighting
/// for conditionally independent functions with symmetric errors.
pub fn weights_from_accuracy(matrix: &LabelMatrix, correct_of: &[(usize, usize)]) -> Vec<f64> {
    let k = matrix.classes.len().max(2) as f64;
    correct_of
        .iter()
        .map(|&(correct, voted)| {
            let a = (correct as f64 + 1.0) / (voted as f64 + k);
            ((k - 1.0) * a / (1.0 - a)).ln().max(0.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[&[Option<&str>]]) -> LabelMatrix {
        let cols: Vec<Vec<Option<String>>> = (0..rows[0].len())
            .map(|j| rows.iter().map(|r| r[j].map(String::from)).collect())
            .collect();
        LabelMatrix::from_labels(vec!["f".into(), "g".into(), "h".into()], &cols)
    }

    #[test]
    fn majority_with_each_tie_policy() {
        let m = matrix(&[
            &[Some("a"), Some("a"), Some("b")],
            &[Some("b"), Some("a"), None],
            &[None, None, None],
        ]);
        let d = majority_vote(&m, &TiePolicy::Abstain);
        assert_eq!(d[0].label.as_deref(), Some("a"));
        assert!((d[0].confidence.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(d[1], Decision::none(true));
        assert_eq!(d[2], Decision::none(false));
        let d = majority_vote(&m, &TiePolicy::First);
        assert_eq!(d[1].label.as_deref(), Some("b"), "f voted first");
        assert_eq!(d[1].confidence, Some(0.5));
        let d = majority_vote(&m, &"c".parse().unwrap());
        assert_eq!(d[1].label.as_deref(), Some("c"));
        assert_eq!(d[1].confidence, Some(0.0));
        assert_eq!(d[2].label, None, "no vote is not a tie");
    }

    #[test]
    fn weights_override_the_head_count() {
        let m = matrix(&[&[Some("a"), Some("a"), Some("b")]]);
        let d = weighted_vote(&m, &[1.0, 1.0, 3.0], &TiePolicy::Abstain);
        assert_eq!(d[0].label.as_deref(), Some("b"));
        assert!((d[0].confidence.unwrap() - 0.6).abs() < 1e-12);
    }

    #[test]
    fn gold_weights_are_smoothed_log_odds() {
        let m = matrix(&[&[Some("a"), Some("b"), None]]);
        // 8 of 8 right: a = 9/10, weight ln 9; 3 of 8: a = 4/10 < 1/2, weight 0; none seen: 0.
        let w = weights_from_accuracy(&m, &[(8, 8), (3, 8), (0, 0)]);
        assert!((w[0] - 9f64.ln()).abs() < 1e-12, "{w:?}");
        assert_eq!(&w[1..], [0.0, 0.0]);
    }

    #[test]
    fn policies_parse() {
        assert_eq!(
            "label-model".parse::<Combine>().unwrap(),
            Combine::LabelModel
        );
        assert!("vote".parse::<Combine>().is_err());
        assert_eq!("first".parse::<TiePolicy>().unwrap(), TiePolicy::First);
        assert_eq!(
            "0".parse::<TiePolicy>().unwrap(),
            TiePolicy::Label("0".into())
        );
    }
}
