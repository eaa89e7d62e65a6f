//! Training-data profiles: the statistics of every input column that a model artifact keeps,
//! so new data can be compared with the data the model was trained on (see [`crate::drift`]).
//!
//! A [`ColumnProfile`] holds the row and null counts of a column and either a
//! [`NumericProfile`] or a [`CategoricalProfile`]:
//!
//! - **Numeric**: min, max, mean, population standard deviation (ddof = 0), quantile bins
//!   for the population stability index, and a CDF sketch for the Kolmogorov–Smirnov
//!   statistic. NaN and ±∞ count as nulls, in training and in new data alike.
//! - **Categorical**: the training share of the [`MAX_CATEGORIES`] most frequent categories,
//!   the share of all the others, and the number of distinct values.
//!
//! # Quantile bins
//!
//! [`ColumnProfile::numeric`] cuts the non-null training values at the quantiles
//! `1/10, 2/10, …, 9/10` ([`DEFAULT_BINS`] bins; linear interpolation between order
//! statistics, NumPy's default). Equal edges are merged, and an edge that leaves a bin
//! without any training value is removed (the empty bin joins its left neighbour, or its
//! right one for the first bin), so a column with few distinct values gets fewer bins: a
//! 0/1 column gets two, a constant column one. With edges `e₀ < … < e_{k−1}` the `k + 1`
//! bins are `(−∞, e₀)`, `[e₀, e₁)`, …, `[e_{k−1}, +∞)`: left-closed, and the outer bins are
//! open-ended so every new value falls in some bin.
//!
//! # CDF sketch (for the Kolmogorov–Smirnov statistic)
//!
//! The sketch holds at most `SKETCH_STEPS + 1` = 101 *knots*: for `j = 0, 1, …, 100` the
//! smallest training value `v` whose empirical CDF `F(v)` reaches `j/100` (so the minimum
//! and the maximum are always knots), without repeats. Each [`CdfPoint`] stores the knot's
//! value and the **exact** training shares `F(v⁻)` (below it) and `F(v)` (at or below it).
//! Between two consecutive knots `a < b` the true CDF rises from `F(a)` to at most `F(b⁻)`,
//! and by the choice of knots `F(b⁻) − F(a) < 1/100`; the sketch interpolates linearly
//! between those two values. Hence the sketched CDF is exact at every knot and outside
//! `[min, max]`, and within `0.01` of the training CDF everywhere else: the KS statistic
//! computed from it differs from the full two-sample statistic by less than `0.01`. When the
//! column has at most 100 distinct training values (for example at most 100 rows, or a
//! discrete column whose values each hold at least 1 % of the rows) every distinct value
//! is a knot, the sketch is the exact empirical CDF, and the statistic is exact.
//!
//! # Serialization
//!
//! The types are plain structs and externally tagged enums (no untagged, flattened,
//! internally tagged or skipped fields), so they encode with bincode as well as JSON.
//! Every stored number is finite.

use std::collections::HashMap;

use crisp_core::quantile_sorted;

use serde::{Deserialize, Serialize};

/// The default number of quantile bins of a numeric column.
pub const DEFAULT_BINS: usize = 10;

/// The number of steps of the CDF sketch: knots are taken at the CDF levels `j / 100`.
pub const SKETCH_STEPS: usize = 100;

/// The number of most frequent categories whose share a categorical profile keeps.
pub const MAX_CATEGORIES: usize = 200;

/// The profiles of the input columns of a training set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DataProfile {
    /// One profile per column, in the order given.
    pub columns: Vec<ColumnProfile>,
}

impl DataProfile {
    /// A profile of these columns.
    pub fn new(columns: Vec<ColumnProfile>) -> Self {
        DataProfile { columns }
    }

    /// The profile of the column called `name` (exact, case-sensitive match).
    pub fn get(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Whether a column was profiled as numeric or categorical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// Numbers: bins, range, CDF sketch.
    Numeric,
    /// Category labels: category shares.
    Categorical,
}

impl ProfileKind {
    /// `"numeric"` or `"categorical"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Numeric => "numeric",
            ProfileKind::Categorical => "categorical",
        }
    }
}

impl std::fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The training statistics of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// Number of training rows (nulls included).
    pub rows: usize,
    /// Number of null training values (for numeric columns NaN and ±∞ included).
    pub null_count: usize,
    /// The distribution of the non-null values.
    pub stats: ColumnStats,
}

/// The distribution of a column's non-null training values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnStats {
    /// A numeric column.
    Numeric(NumericProfile),
    /// A categorical (text, boolean...) column.
    Categorical(CategoricalProfile),
}

/// Statistics of a numeric column's non-null training values.
///
/// When the column has no non-null value, `min`, `max`, `mean` and `std` are `0.0` and the
/// three vectors are empty; drift metrics against such a profile are not computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericProfile {
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Population standard deviation (divides by the count, ddof = 0).
    pub std: f64,
    /// Interior bin edges, strictly increasing; `bin_edges.len() + 1` bins, the first and
    /// the last open-ended (see the [module docs](self)).
    pub bin_edges: Vec<f64>,
    /// Share of the non-null training values in each bin (sums to 1, no zero entry).
    pub bin_fractions: Vec<f64>,
    /// CDF sketch for the Kolmogorov–Smirnov statistic, by increasing value (see the
    /// [module docs](self)).
    pub cdf_sketch: Vec<CdfPoint>,
}

/// A knot of the CDF sketch: a training value and the exact training CDF around it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CdfPoint {
    /// A training value.
    pub value: f64,
    /// Share of non-null training values strictly below `value`: `F(value⁻)`.
    pub below: f64,
    /// Share of non-null training values at or below `value`: `F(value)`.
    pub at_or_below: f64,
}

/// Statistics of a categorical column's non-null training values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalProfile {
    /// The most frequent categories (at most [`MAX_CATEGORIES`]) with their share of the
    /// non-null training values, by decreasing share then by name.
    pub categories: Vec<(String, f64)>,
    /// Share of the non-null training values in the categories not listed.
    pub other_fraction: f64,
    /// Number of distinct non-null training values.
    pub distinct: usize,
}

impl CategoricalProfile {
    /// The training share of `category`, if it is one of the listed categories.
    pub fn fraction(&self, category: &str) -> Option<f64> {
        self.categories
            .iter()
            .find(|(c, _)| c == category)
            .map(|&(_, f)| f)
    }

    /// Whether every training category is listed (`distinct ≤ MAX_CATEGORIES`), so that a
    /// category missing from the list was never seen in training.
    pub fn is_complete(&self) -> bool {
        self.distinct <= self.categories.len()
    }
}

impl ColumnProfile {
    /// Profiles a numeric column with [`DEFAULT_BINS`] quantile bins; `None`, NaN and ±∞
    /// count as nulls.
    ///
    /// ```
    /// use crisp_validate::{ColumnProfile, ColumnStats};
    /// let values: Vec<Option<f64>> = (0..100).map(|i| Some(i as f64)).chain([None]).collect();
    /// let p = ColumnProfile::numeric("age", &values);
    /// assert_eq!((p.rows, p.null_count), (101, 1));
    /// let ColumnStats::Numeric(n) = &p.stats else { unreachable!() };
    /// assert_eq!((n.min, n.max, n.mean), (0.0, 99.0, 49.5));
    /// assert_eq!(n.bin_fractions, vec![0.1; 10]);
    /// ```
    pub fn numeric(name: &str, values: &[Option<f64>]) -> ColumnProfile {
        Self::numeric_with_bins(name, values, DEFAULT_BINS)
    }

    /// As [`ColumnProfile::numeric`] with `bins` quantile bins before merging (`bins` of 0
    /// counts as 1: a single bin).
    pub fn numeric_with_bins(name: &str, values: &[Option<f64>], bins: usize) -> ColumnProfile {
        let sorted = sorted_finite(values);
        ColumnProfile {
            name: name.to_string(),
            rows: values.len(),
            null_count: values.len() - sorted.len(),
            stats: ColumnStats::Numeric(NumericProfile::from_sorted(&sorted, bins.max(1))),
        }
    }

    /// Profiles a categorical column; `None` is null.
    ///
    /// ```
    /// use crisp_validate::{ColumnProfile, ColumnStats};
    /// let p = ColumnProfile::categorical("sex", &[Some("M"), Some("F"), Some("M"), None]);
    /// let ColumnStats::Categorical(c) = &p.stats else { unreachable!() };
    /// assert_eq!(c.fraction("M"), Some(2.0 / 3.0));
    /// assert_eq!((c.distinct, c.other_fraction), (2, 0.0));
    /// ```
    pub fn categorical(name: &str, values: &[Option<&str>]) -> ColumnProfile {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        let mut non_null = 0usize;
        for v in values.iter().flatten() {
            *counts.entry(v).or_default() += 1;
            non_null += 1;
        }
        let mut by_count: Vec<(&str, usize)> = counts.into_iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let distinct = by_count.len();
        by_count.truncate(MAX_CATEGORIES);
        let listed: usize = by_count.iter().map(|&(_, c)| c).sum();
        let share = |c: usize| {
            if non_null == 0 {
                0.0
            } else {
                c as f64 / non_null as f64
            }
        };
        ColumnProfile {
            name: name.to_string(),
            rows: values.len(),
            null_count: values.len() - non_null,
            stats: ColumnStats::Categorical(CategoricalProfile {
                categories: by_count
                    .iter()
                    .map(|&(c, n)| (c.to_string(), share(n)))
                    .collect(),
                other_fraction: share(non_null - listed),
                distinct,
            }),
        }
    }

    /// Numeric or categorical.
    pub fn kind(&self) -> ProfileKind {
        match self.stats {
            ColumnStats::Numeric(_) => ProfileKind::Numeric,
            ColumnStats::Categorical(_) => ProfileKind::Categorical,
        }
    }

    /// Number of non-null training values.
    pub fn non_null(&self) -> usize {
        self.rows - self.null_count
    }

    /// Share of null training values (0 when there are no rows).
    pub fn null_rate(&self) -> f64 {
        rate(self.null_count, self.rows)
    }
}

impl NumericProfile {
    /// The statistics of sorted finite values, `bins ≥ 1` quantile bins before merging.
    fn from_sorted(sorted: &[f64], bins: usize) -> NumericProfile {
        let n = sorted.len();
        if n == 0 {
            return NumericProfile {
                min: 0.0,
                max: 0.0,
                mean: 0.0,
                std: 0.0,
                bin_edges: Vec::new(),
                bin_fractions: Vec::new(),
                cdf_sketch: Vec::new(),
            };
        }
        let mean = sorted.iter().sum::<f64>() / n as f64;
        let var = sorted.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;

        let mut edges: Vec<f64> = (1..bins)
            .map(|i| quantile_sorted(sorted, i as f64 / bins as f64))
            .collect();
        edges.dedup();
        // Remove edges that leave a bin without training values (merging it with a neighbour).
        loop {
            let counts = bin_counts(&edges, sorted);
            match counts.iter().position(|&c| c == 0) {
                Some(i) => {
                    edges.remove(i.saturating_sub(1));
                }
                None => {
                    let bin_fractions = counts.iter().map(|&c| c as f64 / n as f64).collect();
                    return NumericProfile {
                        min: sorted[0],
                        max: sorted[n - 1],
                        mean,
                        std: var.sqrt(),
                        bin_edges: edges,
                        bin_fractions,
                        cdf_sketch: cdf_sketch(sorted),
                    };
                }
            }
        }
    }

    /// The bin of `value`: the number of edges at or below it.
    pub fn bin_of(&self, value: f64) -> usize {
        self.bin_edges.partition_point(|&e| e <= value)
    }

    /// The sketched training CDF at `x`: `F(x)`, or the left limit `F(x⁻)` when `left`.
    /// Exact at knots and outside `[min, max]`, within 0.01 elsewhere.
    pub fn sketch_cdf(&self, x: f64, left: bool) -> f64 {
        let s = &self.cdf_sketch;
        let i = s.partition_point(|p| p.value < x);
        if i < s.len() && s[i].value == x {
            return if left { s[i].below } else { s[i].at_or_below };
        }
        if i == 0 {
            return 0.0;
        }
        if i == s.len() {
            return 1.0;
        }
        let (a, b) = (&s[i - 1], &s[i]);
        a.at_or_below + (x - a.value) / (b.value - a.value) * (b.below - a.at_or_below)
    }
}

/// `count / total`, 0 when `total` is 0.
pub(crate) fn rate(count: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

/// The finite values, sorted.
pub(crate) fn sorted_finite(values: &[Option<f64>]) -> Vec<f64> {
    let mut v: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Counts of sorted values per bin `(−∞, e₀), [e₀, e₁), …, [e_{k−1}, ∞)`.
pub(crate) fn bin_counts(edges: &[f64], sorted: &[f64]) -> Vec<usize> {
    let mut below_prev = 0usize;
    let mut counts = Vec::with_capacity(edges.len() + 1);
    for &e in edges {
        let below = sorted.partition_point(|&v| v < e);
        counts.push(below - below_prev);
        below_prev = below;
    }
    counts.push(sorted.len() - below_prev);
    counts
}

/// The knots of the CDF sketch of non-empty sorted values.
fn cdf_sketch(sorted: &[f64]) -> Vec<CdfPoint> {
    let n = sorted.len();
    let mut knots: Vec<CdfPoint> = Vec::with_capacity(SKETCH_STEPS + 1);
    for j in 0..=SKETCH_STEPS {
        // Smallest value whose CDF reaches j/K: the order statistic of 0-based rank
        // ceil(j·n/K) − 1 (rank 0 for j = 0).
        let rank = (j * n).div_ceil(SKETCH_STEPS).saturating_sub(1);
        let value = sorted[rank];
        if knots.last().is_some_and(|k| k.value == value) {
            continue;
        }
        knots.push(CdfPoint {
            value,
            below: sorted.partition_point(|&v| v < value) as f64 / n as f64,
            at_or_below: sorted.partition_point(|&v| v <= value) as f64 / n as f64,
        });
    }
    knots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(values: &[f64]) -> NumericProfile {
        let v: Vec<Option<f64>> = values.iter().map(|&x| Some(x)).collect();
        match ColumnProfile::numeric("x", &v).stats {
            ColumnStats::Numeric(n) => n,
            ColumnStats::Categorical(_) => unreachable!(),
        }
    }

    #[test]
    fn binary_column_gets_two_bins() {
        let mut v = vec![0.0; 70];
        v.extend([1.0; 30]);
        let p = numeric(&v);
        assert_eq!(p.bin_edges, vec![1.0]);
        assert_eq!(p.bin_fractions, vec![0.7, 0.3]);
        assert_eq!(p.bin_of(0.5), 0);
        assert_eq!(p.bin_of(1.0), 1);
        assert_eq!(p.bin_of(-5.0), 0);
        // Two knots, exact CDF.
        assert_eq!(p.cdf_sketch.len(), 2);
        assert_eq!(p.sketch_cdf(0.0, false), 0.7);
        assert_eq!(p.sketch_cdf(0.5, false), 0.7);
        assert_eq!(p.sketch_cdf(1.0, true), 0.7);
        assert_eq!(p.sketch_cdf(1.0, false), 1.0);
    }

    #[test]
    fn constant_column_has_one_bin() {
        let p = numeric(&[3.0; 5]);
        assert!(p.bin_edges.is_empty());
        assert_eq!(p.bin_fractions, vec![1.0]);
        assert_eq!((p.min, p.max, p.mean, p.std), (3.0, 3.0, 3.0, 0.0));
    }

    #[test]
    fn no_empty_bins_and_fractions_sum_to_one() {
        // Skewed data with many ties and a long tail.
        let v: Vec<f64> = (0..1000u64).map(|i| ((i * i) % 37 / 5) as f64).collect();
        let p = numeric(&v);
        assert!(p.bin_fractions.iter().all(|&f| f > 0.0));
        assert!((p.bin_fractions.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p.bin_edges.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(p.bin_fractions.len(), p.bin_edges.len() + 1);
    }

    #[test]
    fn sketch_is_within_one_step_of_the_exact_cdf() {
        // 5000 distinct values from an LCG: the sketch has 101 knots.
        let mut state = 12345u64;
        let v: Vec<f64> = (0..5000)
            .map(|_| {
                state = (state * 1103515245 + 12345) % (1 << 31);
                (state >> 8) as f64 / 8388608.0
            })
            .collect();
        let p = numeric(&v);
        assert_eq!(p.cdf_sketch.len(), SKETCH_STEPS + 1);
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        assert_eq!(p.cdf_sketch[0].value, sorted[0]);
        assert_eq!(p.cdf_sketch[SKETCH_STEPS].value, sorted[4999]);
        let mut worst = 0.0f64;
        for i in 0..=400 {
            let x = -0.1 + 1.2 * i as f64 / 400.0;
            let exact = sorted.partition_point(|&s| s <= x) as f64 / 5000.0;
            worst = worst.max((p.sketch_cdf(x, false) - exact).abs());
        }
        assert!(worst < 0.01, "worst sketch error {worst}");
    }

    #[test]
    fn nan_and_infinities_are_nulls() {
        let p = ColumnProfile::numeric(
            "x",
            &[
                Some(1.0),
                Some(f64::NAN),
                None,
                Some(f64::INFINITY),
                Some(3.0),
            ],
        );
        assert_eq!((p.rows, p.null_count, p.non_null()), (5, 3, 2));
        assert!((p.null_rate() - 0.6).abs() < 1e-12);
    }

    #[test]
    fn all_null_numeric_column() {
        let p = ColumnProfile::numeric("x", &[None, Some(f64::NAN)]);
        let ColumnStats::Numeric(n) = &p.stats else {
            panic!()
        };
        assert!(n.bin_fractions.is_empty() && n.cdf_sketch.is_empty());
        assert_eq!(p.null_count, 2);
    }

    #[test]
    fn categorical_keeps_the_most_frequent_categories() {
        let owned: Vec<String> = (0..250)
            .flat_map(|i| std::iter::repeat_n(format!("c{i:03}"), if i < 10 { 3 } else { 1 }))
            .collect();
        let values: Vec<Option<&str>> = owned.iter().map(|s| Some(s.as_str())).collect();
        let p = ColumnProfile::categorical("c", &values);
        let ColumnStats::Categorical(c) = &p.stats else {
            panic!()
        };
        let n = 10.0 * 3.0 + 240.0;
        assert_eq!(c.distinct, 250);
        assert_eq!(c.categories.len(), MAX_CATEGORIES);
        assert_eq!(c.categories[0], ("c000".to_string(), 3.0 / n));
        assert_eq!(c.categories[10], ("c010".to_string(), 1.0 / n));
        assert_eq!(c.categories[199].0, "c199");
        assert!((c.other_fraction - 50.0 / n).abs() < 1e-12);
        assert!(!c.is_complete());
        assert_eq!(c.fraction("c249"), None);
    }
}
