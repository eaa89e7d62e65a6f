//! Ranking metrics on predicted probabilities: ROC AUC and average precision (PR AUC).
//!
//! Binary problems (two classes) score class index 1 as the positive class using
//! `proba[:, 1]`. With three or more classes each class present in `y_true` is scored
//! one-vs-rest on its own column and the results are averaged without weights
//! (scikit-learn's `multi_class="ovr", average="macro"`). scikit-learn refuses multiclass
//! inputs where a class is absent from `y_true`; here such classes are left out of the
//! average. Both metrics are unavailable when `y_true` holds fewer than two classes.
//!
//! With a weight per row, both are scikit-learn's with `sample_weight`: the ROC curve and the
//! precision-recall curve count weights instead of rows (the area under the weighted ROC
//! curve is its trapezoidal area), and the one-vs-rest average stays unweighted over classes.

use crate::classification::Computed;

/// Row indices sorted by score, ascending, grouped into runs of equal score.
fn tie_groups(scores: &[f64]) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in idx {
        match groups.last_mut() {
            Some(g) if scores[g[0]] == scores[i] => g.push(i),
            _ => groups.push(vec![i]),
        }
    }
    groups
}

/// Area under the ROC curve via the Mann–Whitney statistic with average ranks for ties
/// (equal to the trapezoidal area scikit-learn computes).
fn binary_roc_auc(is_pos: &[bool], scores: &[f64]) -> Computed {
    let n_pos = is_pos.iter().filter(|&&p| p).count() as f64;
    let n_neg = is_pos.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return Err("y_true contains a single class, so ROC AUC is undefined".into());
    }
    let mut rank_sum = 0.0;
    let mut seen = 0usize;
    for g in tie_groups(scores) {
        // ranks seen+1 ..= seen+len, averaged
        let avg_rank = (2 * seen + g.len() + 1) as f64 / 2.0;
        let pos = g.iter().filter(|&&i| is_pos[i]).count() as f64;
        rank_sum += pos * avg_rank;
        seen += g.len();
    }
    Ok((rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg))
}

/// Average precision: `Σ (R_k − R_{k−1}) · P_k` over decreasing distinct score thresholds,
/// as scikit-learn's `average_precision_score` (no interpolation).
fn binary_average_precision(is_pos: &[bool], scores: &[f64]) -> Computed {
    let n_pos = is_pos.iter().filter(|&&p| p).count() as f64;
    if n_pos == 0.0 || n_pos == is_pos.len() as f64 {
        return Err("y_true contains a single class, so average precision is undefined".into());
    }
    let (mut tp, mut fp, mut prev_recall, mut ap) = (0.0, 0.0, 0.0, 0.0);
    for g in tie_groups(scores).into_iter().rev() {
        let pos = g.iter().filter(|&&i| is_pos[i]).count() as f64;
        tp += pos;
        fp += g.len() as f64 - pos;
        let recall = tp / n_pos;
        ap += (recall - prev_recall) * (tp / (tp + fp));
        prev_recall = recall;
    }
    Ok(ap.max(0.0))
}

/// The weighted true and false positives above each distinct score, from the highest score
/// down (scikit-learn's `_binary_clf_curve` with `sample_weight`), and their totals.
fn weighted_curve(is_pos: &[bool], scores: &[f64], weights: &[f64]) -> Vec<(f64, f64)> {
    let (mut tp, mut fp) = (0.0, 0.0);
    tie_groups(scores)
        .into_iter()
        .rev()
        .map(|g| {
            for i in g {
                if is_pos[i] {
                    tp += weights[i];
                } else {
                    fp += weights[i];
                }
            }
            (tp, fp)
        })
        .collect()
}

/// ROC AUC with a weight per row: the trapezoidal area under the ROC curve of weighted true
/// and false positive rates, as scikit-learn's `roc_auc_score(..., sample_weight=...)`.
fn weighted_roc_auc(is_pos: &[bool], scores: &[f64], weights: &[f64]) -> Computed {
    let curve = weighted_curve(is_pos, scores, weights);
    let (pos, neg) = curve.last().copied().unwrap_or((0.0, 0.0));
    if pos <= 0.0 || neg <= 0.0 {
        return Err(
            "y_true contains a single class (among rows of positive weight), so ROC AUC is undefined"
                .into(),
        );
    }
    let (mut area, mut prev) = (0.0, (0.0, 0.0));
    for &(tp, fp) in &curve {
        area += (fp - prev.1) * (tp + prev.0) / 2.0;
        prev = (tp, fp);
    }
    Ok(area / (pos * neg))
}

/// Average precision with a weight per row, as scikit-learn's
/// `average_precision_score(..., sample_weight=...)`.
fn weighted_average_precision(is_pos: &[bool], scores: &[f64], weights: &[f64]) -> Computed {
    let curve = weighted_curve(is_pos, scores, weights);
    let (pos, neg) = curve.last().copied().unwrap_or((0.0, 0.0));
    if pos <= 0.0 || neg <= 0.0 {
        return Err(
            "y_true contains a single class (among rows of positive weight), so average precision is undefined"
                .into(),
        );
    }
    let (mut prev_recall, mut ap) = (0.0, 0.0);
    for &(tp, fp) in &curve {
        if tp + fp <= 0.0 {
            continue;
        }
        let recall = tp / pos;
        ap += (recall - prev_recall) * (tp / (tp + fp));
        prev_recall = recall;
    }
    Ok(ap.max(0.0))
}

/// Binary on column 1, or one-vs-rest macro average over the classes present in `y_true`.
fn one_vs_rest(
    y_true: &[usize],
    proba: &[f64],
    k: usize,
    metric: impl Fn(&[bool], &[f64]) -> Computed,
) -> Computed {
    let column = |c: usize| -> Vec<f64> { (0..y_true.len()).map(|r| proba[r * k + c]).collect() };
    let indicator = |c: usize| -> Vec<bool> { y_true.iter().map(|&y| y == c).collect() };
    if k == 2 {
        return metric(&indicator(1), &column(1));
    }
    let present: Vec<usize> = (0..k).filter(|c| y_true.contains(c)).collect();
    if present.len() < 2 {
        return Err("y_true contains fewer than two classes".into());
    }
    let mut sum = 0.0;
    for &c in &present {
        sum += metric(&indicator(c), &column(c))?;
    }
    Ok(sum / present.len() as f64)
}

/// ROC AUC (binary, or one-vs-rest macro).
pub(crate) fn roc_auc(y_true: &[usize], proba: &[f64], k: usize) -> Computed {
    one_vs_rest(y_true, proba, k, binary_roc_auc)
}

/// Average precision (binary, or one-vs-rest macro).
pub(crate) fn pr_auc(y_true: &[usize], proba: &[f64], k: usize) -> Computed {
    one_vs_rest(y_true, proba, k, binary_average_precision)
}

/// ROC AUC with a weight per row (binary, or one-vs-rest macro).
pub(crate) fn roc_auc_weighted(
    y_true: &[usize],
    proba: &[f64],
    k: usize,
    weights: &[f64],
) -> Computed {
    one_vs_rest(y_true, proba, k, |pos, scores| {
        weighted_roc_auc(pos, scores, weights)
    })
}

/// Average precision with a weight per row (binary, or one-vs-rest macro).
pub(crate) fn pr_auc_weighted(
    y_true: &[usize],
    proba: &[f64],
    k: usize,
    weights: &[f64],
) -> Computed {
    one_vs_rest(y_true, proba, k, |pos, scores| {
        weighted_average_precision(pos, scores, weights)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_examples() {
        // scikit-learn docstring: roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.75,
        // average_precision_score(same) = 0.8333...
        let pos = [false, false, true, true];
        let s = [0.1, 0.4, 0.35, 0.8];
        assert!((binary_roc_auc(&pos, &s).unwrap() - 0.75).abs() < 1e-15);
        assert!((binary_average_precision(&pos, &s).unwrap() - 5.0 / 6.0).abs() < 1e-15);
        // all tied: AUC 0.5, AP = prevalence
        assert_eq!(binary_roc_auc(&pos, &[0.3; 4]), Ok(0.5));
        assert_eq!(binary_average_precision(&pos, &[0.3; 4]), Ok(0.5));
        assert!(binary_roc_auc(&[true, true], &[0.1, 0.2]).is_err());
        assert!(binary_average_precision(&[false, false], &[0.1, 0.2]).is_err());
    }

    #[test]
    fn multiclass_skips_absent_classes() {
        // classes 0 and 1 present, class 2 absent: average of two one-vs-rest AUCs.
        let y = [0, 1, 0, 1];
        let p = [
            0.7, 0.2, 0.1, //
            0.2, 0.7, 0.1, //
            0.6, 0.3, 0.1, //
            0.3, 0.6, 0.1,
        ];
        assert_eq!(roc_auc(&y, &p, 3), Ok(1.0));
        assert!(roc_auc(&[2, 2], &[0.1, 0.1, 0.8, 0.1, 0.1, 0.8], 3).is_err());
    }

    #[test]
    fn unit_weights_give_the_unweighted_values() {
        let pos = [false, false, true, true, false, true, false];
        let s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9];
        let w = [1.0; 7];
        let close = |a: Computed, b: Computed| (a.unwrap() - b.unwrap()).abs() < 1e-12;
        assert!(close(
            weighted_roc_auc(&pos, &s, &w),
            binary_roc_auc(&pos, &s)
        ));
        assert!(close(
            weighted_average_precision(&pos, &s, &w),
            binary_average_precision(&pos, &s)
        ));
        // Doubling a row's weight is counting it twice.
        let twice_pos = [false, false, true, true, true, false, true, false];
        let twice_s = [0.1, 0.4, 0.35, 0.35, 0.8, 0.4, 0.4, 0.9];
        let w = [1.0, 1.0, 2.0, 1.0, 1.0, 1.0, 1.0];
        assert!(close(
            weighted_roc_auc(&pos, &s, &w),
            binary_roc_auc(&twice_pos, &twice_s)
        ));
        // Zero weights leave a single class: undefined.
        let w = [1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0];
        assert!(weighted_roc_auc(&pos, &s, &w).is_err());
    }
}
