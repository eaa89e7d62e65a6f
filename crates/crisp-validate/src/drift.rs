//! Drift: how far new data has moved from a training [`ColumnProfile`].
//!
//! [`ColumnProfile::compare_numeric`] and [`ColumnProfile::compare_categorical`] return a
//! [`ColumnDrift`] with the null rates and the distribution distances, computed on the
//! training bins (numeric) or the training categories (categorical):
//!
//! - [`psi`] — the population stability index `Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ)` over the bins, with
//!   shares below [`PSI_EPSILON`] raised to it so that an empty bin gives a large but finite
//!   term. Common reading: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 major shift.
//! - [`ks_statistic`] — the two-sample Kolmogorov–Smirnov statistic `max |F_train − F_new|`;
//!   against a profile it uses the training CDF sketch, which is exact for columns with at
//!   most 100 distinct training values and within 0.01 of the exact statistic otherwise
//!   (see [`crate::profile`]). [`ks_p_value`] is its asymptotic p-value.
//! - [`js_divergence`] — the Jensen–Shannon divergence in bits, in `[0, 1]`, for categories.
//!
//! The references for these numbers are computed by `tests/drift_reference.py` (NumPy and
//! SciPy).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Result, ValidateError};
use crate::profile::{
    bin_counts, rate, sorted_finite, CategoricalProfile, ColumnProfile, ColumnStats,
    NumericProfile, ProfileKind,
};

/// The floor applied to each bin share in [`psi`]: a share below `1e-4` (in particular an
/// empty bin) counts as `1e-4`. The shares are not renormalized afterwards.
pub const PSI_EPSILON: f64 = 1e-4;

/// How a column of new data differs from its training profile.
///
/// Rates are shares in `[0, 1]`. Distribution metrics are `None` when they do not apply to
/// the column's kind or cannot be computed: when the training profile or the new data has
/// no non-null value, and `unseen_category_rate` when the training profile lists only the
/// most frequent of its categories (more than [`crate::profile::MAX_CATEGORIES`] distinct),
/// since a rare training category cannot then be told from an unseen one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// Column name.
    pub column: String,
    /// Numeric or categorical (which metrics apply).
    pub kind: ProfileKind,
    /// Number of rows of the new data.
    pub rows_new: usize,
    /// Share of nulls in the training data.
    pub null_rate_train: f64,
    /// Share of nulls in the new data.
    pub null_rate_new: f64,
    /// `null_rate_new − null_rate_train` (negative when there are fewer nulls).
    pub null_rate_increase: f64,
    /// Population stability index over the training bins / categories.
    pub psi: Option<f64>,
    /// Kolmogorov–Smirnov statistic (numeric columns).
    pub ks: Option<f64>,
    /// Asymptotic p-value of `ks` (numeric columns).
    pub ks_p_value: Option<f64>,
    /// Jensen–Shannon divergence in bits (categorical columns).
    pub js: Option<f64>,
    /// Share of the non-null new values in categories never seen in training (categorical).
    pub unseen_category_rate: Option<f64>,
    /// Share of the non-null new values below the training min or above the training max
    /// (numeric).
    pub out_of_range_rate: Option<f64>,
}

impl ColumnProfile {
    /// Compares new values of a numeric column with this (numeric) profile; `None`, NaN and
    /// ±∞ are nulls, as in training.
    ///
    /// PSI uses the training bins, KS the training CDF sketch with its asymptotic p-value
    /// (`n` = the training non-null count), and the out-of-range rate the training min and
    /// max.
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] when the profile is categorical or `new` is empty.
    pub fn compare_numeric(&self, new: &[Option<f64>]) -> Result<ColumnDrift> {
        let ColumnStats::Numeric(profile) = &self.stats else {
            return Err(self.wrong_kind(ProfileKind::Numeric));
        };
        self.check_rows(new.len())?;
        let sorted = sorted_finite(new);
        let mut drift = self.drift_base(ProfileKind::Numeric, new.len(), sorted.len());
        if !sorted.is_empty() && !profile.bin_fractions.is_empty() {
            let counts = bin_counts(&profile.bin_edges, &sorted);
            let actual: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
            drift.psi = Some(psi(&profile.bin_fractions, &actual));
            let d = sketch_ks(profile, &sorted);
            drift.ks = Some(d);
            drift.ks_p_value = Some(ks_p_value(d, self.non_null(), sorted.len()));
            let outside = sorted.partition_point(|&v| v < profile.min)
                + (sorted.len() - sorted.partition_point(|&v| v <= profile.max));
            drift.out_of_range_rate = Some(rate(outside, sorted.len()));
        }
        Ok(drift)
    }

    /// Compares new values of a categorical column with this (categorical) profile; `None`
    /// is null.
    ///
    /// PSI and the Jensen–Shannon divergence are computed over the listed training
    /// categories plus one "other" bucket (the training `other_fraction`; in the new data
    /// every value outside the list, unseen categories included).
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] when the profile is numeric or `new` is empty.
    pub fn compare_categorical(&self, new: &[Option<&str>]) -> Result<ColumnDrift> {
        let ColumnStats::Categorical(profile) = &self.stats else {
            return Err(self.wrong_kind(ProfileKind::Categorical));
        };
        self.check_rows(new.len())?;
        let counts = category_counts(profile, new);
        let other = profile.categories.len();
        let non_null: usize = counts.iter().sum();
        let mut drift = self.drift_base(ProfileKind::Categorical, new.len(), non_null);
        if non_null > 0 && self.non_null() > 0 {
            let expected = expected_shares(profile);
            let actual: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
            drift.psi = Some(psi(&expected, &actual));
            drift.js = Some(js_divergence(&expected, &actual));
        }
        if non_null > 0 && profile.is_complete() {
            drift.unseen_category_rate = Some(rate(counts[other], non_null));
        }
        Ok(drift)
    }

    fn drift_base(&self, kind: ProfileKind, rows_new: usize, non_null_new: usize) -> ColumnDrift {
        let null_rate_train = self.null_rate();
        let null_rate_new = rate(rows_new - non_null_new, rows_new);
        ColumnDrift {
            column: self.name.clone(),
            kind,
            rows_new,
            null_rate_train,
            null_rate_new,
            null_rate_increase: null_rate_new - null_rate_train,
            psi: None,
            ks: None,
            ks_p_value: None,
            js: None,
            unseen_category_rate: None,
            out_of_range_rate: None,
        }
    }

    fn check_rows(&self, rows: usize) -> Result<()> {
        if rows == 0 {
            return Err(ValidateError::InvalidInput(format!(
                "column `{}`: the new data has no rows to compare with the training profile",
                self.name
            )));
        }
        Ok(())
    }

    fn wrong_kind(&self, asked: ProfileKind) -> ValidateError {
        ValidateError::InvalidInput(format!(
            "column `{}` was profiled as {} in training but compared as {}",
            self.name,
            self.kind(),
            asked
        ))
    }
}

/// A column's training and new distributions over the bins that [`psi`] compares: what a
/// drift plot draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// The bins: value ranges (`< 3.5`, `3.5 – 7`, `≥ 12`) or categories, then `(other)`.
    pub bins: Vec<String>,
    /// Share of the non-null training values per bin.
    pub train: Vec<f64>,
    /// Share of the non-null new values per bin (all zeros when there is none).
    pub new: Vec<f64>,
}

impl ColumnProfile {
    /// The training and new shares of a numeric column over its training bins.
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] when the profile is categorical.
    pub fn numeric_distribution(&self, new: &[Option<f64>]) -> Result<Distribution> {
        let ColumnStats::Numeric(profile) = &self.stats else {
            return Err(self.wrong_kind(ProfileKind::Numeric));
        };
        let counts = bin_counts(&profile.bin_edges, &sorted_finite(new));
        let edges = &profile.bin_edges;
        let k = profile.bin_fractions.len();
        let bins = (0..k)
            .map(
                |i| match (i.checked_sub(1).and_then(|j| edges.get(j)), edges.get(i)) {
                    (None, Some(hi)) => format!("< {}", short(*hi)),
                    (Some(lo), Some(hi)) => format!("{} – {}", short(*lo), short(*hi)),
                    (Some(lo), None) => format!("≥ {}", short(*lo)),
                    (None, None) => "all".to_string(),
                },
            )
            .collect();
        let actual: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
        Ok(Distribution {
            bins,
            train: profile.bin_fractions.clone(),
            new: normalized(&actual[..k.min(actual.len())]),
        })
    }

    /// The training and new shares of a categorical column over its listed training
    /// categories and `(other)` (every other value, unseen ones included).
    ///
    /// # Errors
    /// [`ValidateError::InvalidInput`] when the profile is numeric.
    pub fn categorical_distribution(&self, new: &[Option<&str>]) -> Result<Distribution> {
        let ColumnStats::Categorical(profile) = &self.stats else {
            return Err(self.wrong_kind(ProfileKind::Categorical));
        };
        let counts: Vec<f64> = category_counts(profile, new)
            .into_iter()
            .map(|c| c as f64)
            .collect();
        let bins = profile
            .categories
            .iter()
            .map(|(c, _)| c.clone())
            .chain(["(other)".to_string()])
            .collect();
        Ok(Distribution {
            bins,
            train: expected_shares(profile),
            new: normalized(&counts),
        })
    }
}

/// A bin edge, short enough for an axis label.
fn short(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{}", (v * 1000.0).round() / 1000.0)
    }
}

/// Counts of the non-null `new` values per listed training category, then of all the others
/// (unseen categories included) in a last bucket.
fn category_counts(profile: &CategoricalProfile, new: &[Option<&str>]) -> Vec<usize> {
    let index: HashMap<&str, usize> = profile
        .categories
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.as_str(), i))
        .collect();
    let other = profile.categories.len();
    let mut counts = vec![0usize; other + 1];
    for v in new.iter().flatten() {
        counts[index.get(v).copied().unwrap_or(other)] += 1;
    }
    counts
}

fn expected_shares(profile: &CategoricalProfile) -> Vec<f64> {
    profile
        .categories
        .iter()
        .map(|&(_, f)| f)
        .chain([profile.other_fraction])
        .collect()
}

/// Divides by the sum (all zeros when the sum is not positive).
fn normalized(v: &[f64]) -> Vec<f64> {
    let total: f64 = v.iter().sum();
    if total > 0.0 {
        v.iter().map(|x| x / total).collect()
    } else {
        vec![0.0; v.len()]
    }
}

/// Population stability index `Σ (aᵢ − eᵢ)·ln(aᵢ/eᵢ)` of `actual` against `expected`.
///
/// Both are per-bin shares or counts (non-negative) over the same bins; each is first
/// divided by its sum, then every share below [`PSI_EPSILON`] is raised to it (no
/// renormalization), so an empty bin on either side contributes a finite term. The result
/// is ≥ 0 and 0 for identical distributions.
///
/// ```
/// use crisp_validate::drift::psi;
/// let p = psi(&[0.5, 0.5], &[0.6, 0.4]);
/// assert!((p - 0.1 * (1.5f64).ln()).abs() < 1e-12);
/// assert_eq!(psi(&[10.0, 30.0], &[1.0, 3.0]), 0.0);
/// ```
///
/// # Panics
/// If the slices have different lengths.
pub fn psi(expected: &[f64], actual: &[f64]) -> f64 {
    assert_eq!(
        expected.len(),
        actual.len(),
        "psi needs the same bins on both sides"
    );
    normalized(expected)
        .iter()
        .zip(normalized(actual))
        .map(|(&e, a)| {
            let (e, a) = (e.max(PSI_EPSILON), a.max(PSI_EPSILON));
            (a - e) * (a / e).ln()
        })
        .sum()
}

/// Jensen–Shannon divergence in bits (base 2) between two distributions over the same
/// categories: `½·KL(p‖m) + ½·KL(q‖m)` with `m = (p + q)/2`; in `[0, 1]`, 0 for identical
/// distributions and 1 for disjoint ones. Inputs are shares or counts, each divided by
/// its sum; `0·log 0 = 0`. (SciPy's `jensenshannon(p, q, base=2)` is the square root of
/// this.)
///
/// ```
/// use crisp_validate::drift::js_divergence;
/// assert_eq!(js_divergence(&[1.0, 0.0], &[0.0, 1.0]), 1.0);
/// assert_eq!(js_divergence(&[2.0, 2.0], &[0.5, 0.5]), 0.0);
/// ```
///
/// # Panics
/// If the slices have different lengths.
pub fn js_divergence(p: &[f64], q: &[f64]) -> f64 {
    assert_eq!(
        p.len(),
        q.len(),
        "js_divergence needs the same categories on both sides"
    );
    let kl_to_mid = |a: f64, b: f64| {
        if a > 0.0 {
            a * (2.0 * a / (a + b)).log2()
        } else {
            0.0
        }
    };
    let js: f64 = normalized(p)
        .iter()
        .zip(normalized(q))
        .map(|(&a, b)| 0.5 * kl_to_mid(a, b) + 0.5 * kl_to_mid(b, a))
        .sum();
    js.clamp(0.0, 1.0)
}

/// The exact two-sample Kolmogorov–Smirnov statistic `max |F_a(x) − F_b(x)|` between two
/// samples (as SciPy's `ks_2samp(a, b).statistic`); NaN and ±∞ are ignored. `None` when a
/// sample has no finite value.
///
/// ```
/// use crisp_validate::drift::ks_statistic;
/// assert_eq!(ks_statistic(&[1.0, 2.0, 3.0], &[2.5, 3.5]), Some(2.0 / 3.0));
/// ```
pub fn ks_statistic(a: &[f64], b: &[f64]) -> Option<f64> {
    let sort = |v: &[f64]| {
        let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        s.sort_by(f64::total_cmp);
        s
    };
    let (a, b) = (sort(a), sort(b));
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n - j as f64 / m).abs());
    }
    Some(d)
}

/// Asymptotic two-sided p-value of a two-sample KS statistic `d` for sample sizes `n` and
/// `m`: the Kolmogorov distribution's survival function `Q(√(n·m/(n+m))·d)` with
/// `Q(λ) = 2 Σₖ (−1)^(k−1) e^(−2k²λ²)` (SciPy's `special.kolmogorov`). For small samples it
/// is only an approximation (SciPy's `ks_2samp` computes an exact or finite-sample value
/// there). 1 when `d ≤ 0` or a size is 0.
///
/// ```
/// use crisp_validate::drift::ks_p_value;
/// // scipy.special.kolmogorov(1.0) = 0.26999967167735456
/// assert!((ks_p_value(0.1, 200, 200) - 0.26999967167735456).abs() < 1e-12);
/// ```
pub fn ks_p_value(d: f64, n: usize, m: usize) -> f64 {
    if n == 0 || m == 0 {
        return 1.0;
    }
    let (n, m) = (n as f64, m as f64);
    kolmogorov_sf((n * m / (n + m)).sqrt() * d)
}

/// Survival function of the Kolmogorov distribution.
fn kolmogorov_sf(x: f64) -> f64 {
    use std::f64::consts::PI;
    if x.is_nan() || x <= 0.0 {
        return 1.0;
    }
    let q = if x < 1.18 {
        // 1 − √(2π)/x · Σₖ exp(−(2k−1)²π²/(8x²)), fast for small x.
        let t = -PI * PI / (8.0 * x * x);
        let sum: f64 = (1..=20)
            .map(|k| {
                let o = (2 * k - 1) as f64;
                (o * o * t).exp()
            })
            .sum();
        1.0 - (2.0 * PI).sqrt() / x * sum
    } else {
        let mut sum = 0.0;
        for k in 1..=100 {
            let k = k as f64;
            let term = (-2.0 * k * k * x * x).exp();
            sum += if k % 2.0 == 1.0 { term } else { -term };
            if term < 1e-18 {
                break;
            }
        }
        2.0 * sum
    };
    q.clamp(0.0, 1.0)
}

/// KS statistic between a profile's sketched training CDF and sorted finite new values.
///
/// Between consecutive points of {new values} ∪ {knots} the new CDF is constant and the
/// sketched CDF linear, so the supremum is reached at one of those points, at its value or
/// its left limit.
fn sketch_ks(profile: &NumericProfile, sorted_new: &[f64]) -> f64 {
    let m = sorted_new.len() as f64;
    let mut d = 0.0f64;
    let mut at = |x: f64| {
        let below = sorted_new.partition_point(|&v| v < x) as f64 / m;
        let at_or_below = sorted_new.partition_point(|&v| v <= x) as f64 / m;
        d = d
            .max((profile.sketch_cdf(x, true) - below).abs())
            .max((profile.sketch_cdf(x, false) - at_or_below).abs());
    };
    let mut prev = None;
    for &x in sorted_new {
        if prev != Some(x) {
            at(x);
            prev = Some(x);
        }
    }
    for k in &profile.cdf_sketch {
        at(k.value);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kolmogorov_branches_agree_near_the_switch() {
        // Both series are accurate around x = 1.18; compare them directly.
        let x: f64 = 1.18;
        let alt = 2.0
            * (1..=50)
                .map(|k| {
                    let k = k as f64;
                    let s = if k % 2.0 == 1.0 { 1.0 } else { -1.0 };
                    s * (-2.0 * k * k * x * x).exp()
                })
                .sum::<f64>();
        let small = kolmogorov_sf(x - 1e-12);
        assert!((alt - small).abs() < 1e-12, "{alt} vs {small}");
        assert_eq!(kolmogorov_sf(0.0), 1.0);
        assert_eq!(kolmogorov_sf(0.01), 1.0);
        assert!(kolmogorov_sf(10.0) < 1e-80);
    }

    #[test]
    fn ks_statistic_handles_ties_and_empty_samples() {
        assert_eq!(
            ks_statistic(&[1.0, 1.0, 2.0], &[1.0, 2.0, 2.0]),
            Some(1.0 / 3.0)
        );
        assert_eq!(ks_statistic(&[], &[1.0]), None);
        assert_eq!(ks_statistic(&[f64::NAN], &[1.0]), None);
        assert_eq!(ks_statistic(&[0.0], &[1.0]), Some(1.0));
    }
}
