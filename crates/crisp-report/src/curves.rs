//! The points of the evaluation curves, computed from true labels and scores: ROC and
//! precision–recall (one threshold per distinct score, as scikit-learn's `roc_curve` and
//! `precision_recall_curve`), reliability bins, and thinning for plots of many rows.

/// ROC points `(false positive rate, true positive rate)` for `positive[i]` scored `score[i]`,
/// from `(0, 0)` to `(1, 1)`, one point per distinct score; empty when a class is absent.
pub fn roc(positive: &[bool], score: &[f64]) -> Vec<(f64, f64)> {
    let (p, n) = class_counts(positive);
    if p == 0 || n == 0 {
        return Vec::new();
    }
    let mut points = vec![(0.0, 0.0)];
    for (tp, fp) in cumulative(positive, score) {
        points.push((fp / n as f64, tp / p as f64));
    }
    points
}

/// Precision–recall points `(recall, precision)`, from recall 0 (precision 1) to recall 1,
/// one point per distinct score; empty without positives.
pub fn precision_recall(positive: &[bool], score: &[f64]) -> Vec<(f64, f64)> {
    let (p, _) = class_counts(positive);
    if p == 0 {
        return Vec::new();
    }
    let mut points = vec![(0.0, 1.0)];
    for (tp, fp) in cumulative(positive, score) {
        points.push((tp / p as f64, tp / (tp + fp)));
    }
    points
}

fn class_counts(positive: &[bool]) -> (usize, usize) {
    let p = positive.iter().filter(|&&b| b).count();
    (p, positive.len() - p)
}

/// Cumulative `(true positives, false positives)` above each distinct score, from the highest
/// score down; rows with a NaN score come last.
fn cumulative(positive: &[bool], score: &[f64]) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let mut out = Vec::new();
    let (mut tp, mut fp) = (0.0, 0.0);
    for (k, &i) in order.iter().enumerate() {
        if positive[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last_of_score = order
            .get(k + 1)
            .is_none_or(|&j| score[j].to_bits() != score[i].to_bits());
        if last_of_score {
            out.push((tp, fp));
        }
    }
    out
}

/// One reliability bin of a calibration curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationBin {
    /// Mean predicted probability of the bin's rows.
    pub predicted: f64,
    /// Share of the bin's rows that are positive.
    pub observed: f64,
    /// Rows in the bin.
    pub rows: usize,
}

/// Reliability bins: the rows cut into `bins` equal-width probability bins (scikit-learn's
/// `calibration_curve(strategy="uniform")`); empty bins are left out.
pub fn calibration(positive: &[bool], probability: &[f64], bins: usize) -> Vec<CalibrationBin> {
    let bins = bins.max(1);
    let mut sums = vec![(0.0, 0usize, 0usize); bins];
    for (&y, &p) in positive.iter().zip(probability) {
        if !p.is_finite() {
            continue;
        }
        let b = ((p.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1);
        sums[b].0 += p;
        sums[b].1 += usize::from(y);
        sums[b].2 += 1;
    }
    sums.into_iter()
        .filter(|s| s.2 > 0)
        .map(|(sum, pos, rows)| CalibrationBin {
            predicted: sum / rows as f64,
            observed: pos as f64 / rows as f64,
            rows,
        })
        .collect()
}

/// The share of `values` in each of `bins` equal-width bins over `0..=1`.
pub fn unit_histogram(values: impl Iterator<Item = f64>, bins: usize) -> Vec<f64> {
    let mut counts = vec![0usize; bins.max(1)];
    let mut total = 0usize;
    for v in values.filter(|v| v.is_finite()) {
        let b = ((v.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1);
        counts[b] += 1;
        total += 1;
    }
    counts
        .into_iter()
        .map(|c| c as f64 / total.max(1) as f64)
        .collect()
}

/// At most `max` points of a curve, evenly spread, keeping the first and the last: the shape
/// of a curve with one point per row, in an SVG of reasonable size.
pub fn thin<T: Copy>(points: &[T], max: usize) -> Vec<T> {
    if points.len() <= max || max < 2 {
        return points.to_vec();
    }
    let last = points.len() - 1;
    (0..max).map(|k| points[k * last / (max - 1)]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_and_pr_match_scikit_learns_worked_example() {
        // sklearn.metrics.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]): fpr [0, 0, .5, .5, 1],
        // tpr [0, .5, .5, 1, 1].
        let y = [false, false, true, true];
        let s = [0.1, 0.4, 0.35, 0.8];
        assert_eq!(
            roc(&y, &s),
            vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]
        );
        // precision_recall_curve: precision [.5, .667, .5, 1, 1] at recall [1, 1, .5, .5, 0].
        let pr = precision_recall(&y, &s);
        assert_eq!(pr[0], (0.0, 1.0));
        assert_eq!(pr[1], (0.5, 1.0));
        assert_eq!(pr[2], (0.5, 0.5));
        assert!((pr[3].1 - 2.0 / 3.0).abs() < 1e-12 && pr[3].0 == 1.0);
        assert_eq!(pr[4], (1.0, 0.5));
    }

    #[test]
    fn tied_scores_make_one_point() {
        let points = roc(&[true, false, true, false], &[0.5, 0.5, 0.5, 0.5]);
        assert_eq!(points, vec![(0.0, 0.0), (1.0, 1.0)]);
        assert!(roc(&[true, true], &[0.1, 0.2]).is_empty());
    }

    #[test]
    fn calibration_bins_average_their_rows() {
        let y = [false, true, true, true];
        let p = [0.05, 0.15, 0.95, 1.0];
        let bins = calibration(&y, &p, 10);
        assert_eq!(bins.len(), 3);
        assert!((bins[0].predicted - 0.05).abs() < 1e-12 && bins[0].observed == 0.0);
        assert_eq!((bins[2].rows, bins[2].observed), (2, 1.0));
        assert!((bins[2].predicted - 0.975).abs() < 1e-12);
        let h = unit_histogram(p.iter().copied(), 2);
        assert_eq!(h, vec![0.5, 0.5]);
    }

    #[test]
    fn thinning_keeps_the_ends() {
        let v: Vec<usize> = (0..1000).collect();
        let t = thin(&v, 11);
        assert_eq!(t.len(), 11);
        assert_eq!((t[0], t[10]), (0, 999));
        assert_eq!(thin(&v[..5], 11).len(), 5);
    }
}
