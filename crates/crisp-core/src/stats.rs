//! Small numeric helpers that several crates need, kept in one place so they agree.
//!
//! ```
//! use crisp_core::stats::{argmax, quantile_sorted};
//!
//! let sorted = [1.0, 2.0, 3.0, 4.0];
//! assert_eq!(quantile_sorted(&sorted, 0.5), 2.5); // numpy.quantile([1, 2, 3, 4], 0.5)
//! assert_eq!(argmax(&[0.2, 0.5, 0.5, 0.1]), 1); // ties go to the first
//! ```

/// The `q`-quantile (`0 <= q <= 1`) of sorted, non-empty `sorted`, interpolating linearly
/// between the two closest ranks: NumPy's default (`method="linear"`), pandas' and R's type 7.
///
/// # Panics
/// When `sorted` is empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    assert!(!sorted.is_empty(), "the quantile of no values");
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Index of the largest value, the first one on ties; NaN values are never chosen unless all
/// are NaN (then 0). 0 for an empty slice.
pub fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    let mut best_value = f64::NEG_INFINITY;
    for (i, &v) in values.iter().enumerate() {
        if v > best_value {
            best = i;
            best_value = v;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.quantile([3, 1, 4, 1, 5, 9, 2, 6], [0, .1, .25, .5, .9, 1])
        let mut v = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        v.sort_by(f64::total_cmp);
        let expected = [1.0, 1.0, 1.75, 3.5, 6.9, 9.0];
        for (q, e) in [0.0, 0.1, 0.25, 0.5, 0.9, 1.0].into_iter().zip(expected) {
            assert!((quantile_sorted(&v, q) - e).abs() < 1e-12, "q={q}");
        }
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
    }

    #[test]
    fn argmax_takes_the_first_of_ties_and_skips_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
        assert_eq!(argmax(&[f64::NAN, 0.1, 0.2]), 2);
        assert_eq!(argmax(&[f64::NEG_INFINITY, f64::NEG_INFINITY]), 0);
        assert_eq!(argmax(&[]), 0);
    }
}
