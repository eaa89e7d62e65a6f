//! Maps raw feature values to small integer bins, once per fit.
//!
//! Every later step (histograms, partitions) works on `u8` bins, so the raw `f64` matrix is read
//! exactly once. Each feature has `n_bins` value bins plus one extra bin, numbered `n_bins`, that
//! holds missing values (NaN); with at most 255 value bins the missing bin still fits in a `u8`.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::error::{Result, TreeError};

/// Quantiles are computed on at most this many rows: beyond it the bin edges barely move and
/// sorting would dominate the cost of binning.
const MAX_SAMPLE_FOR_EDGES: usize = 200_000;

/// Largest number of categories a categorical column may have (codes 0..=254), so that the
/// missing bin (255) still fits in a `u8`.
pub const MAX_CATEGORIES: usize = 255;

/// How one feature's raw values map to bins.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) enum FeatureBins {
    /// Bin `b` holds values `x` with `edges[b-1] < x <= edges[b]`; there are `edges.len() + 1`
    /// value bins.
    Numeric {
        /// Upper edges of all bins but the last, ascending.
        edges: Vec<f64>,
    },
    /// Bin `c` holds category code `c`.
    Categorical {
        /// Number of codes seen in training (largest code + 1).
        n_categories: usize,
    },
}

impl FeatureBins {
    /// Number of value bins (the missing bin not included).
    pub fn n_bins(&self) -> usize {
        match self {
            FeatureBins::Numeric { edges } => edges.len() + 1,
            FeatureBins::Categorical { n_categories } => (*n_categories).max(1),
        }
    }

    /// The bin that holds missing values.
    pub fn missing_bin(&self) -> usize {
        self.n_bins()
    }

    /// The raw threshold equivalent to "bin <= b": used by fitted trees, which route raw values.
    pub fn threshold(&self, b: usize) -> f64 {
        match self {
            FeatureBins::Numeric { edges } => edges.get(b).copied().unwrap_or(f64::INFINITY),
            FeatureBins::Categorical { .. } => unreachable!("categorical splits have no threshold"),
        }
    }

    pub fn is_categorical(&self) -> bool {
        matches!(self, FeatureBins::Categorical { .. })
    }
}

/// The binned training matrix, column-major.
#[derive(Clone, Debug)]
pub(crate) struct BinnedData {
    pub n_rows: usize,
    pub features: Vec<FeatureBins>,
    /// Distance between the starts of two columns in `bins` (at least `n_rows`: a matrix
    /// filled row batch by row batch is allocated for the rows the file has, and rows that are
    /// left out leave room at the end of each column).
    pub(crate) stride: usize,
    pub(crate) bins: Vec<u8>,
}

impl BinnedData {
    /// Bins of feature `f` for all rows.
    #[inline]
    pub fn column(&self, f: usize) -> &[u8] {
        &self.bins[f * self.stride..f * self.stride + self.n_rows]
    }

    pub fn n_features(&self) -> usize {
        self.features.len()
    }
}

/// Features binned together by one task on a large matrix: a row-major row holds them in one
/// cache line, so the matrix is streamed row by row (a few passes in total) instead of once per
/// strided column.
const GROUP: usize = 4;

/// Below this many bytes the matrix stays in cache between passes, so each feature is its own
/// task: the work spreads evenly over the threads (9 features would otherwise be 4 + 4 + 1).
const SMALL_MATRIX_BYTES: usize = 8 << 20;

/// Rows mapped per block: the block's cache lines stay in L2 while each feature of the group is
/// mapped in turn.
const ROW_BLOCK: usize = 2048;

/// Bins every column of `x`. `categorical[f]` marks columns holding category codes.
pub(crate) fn bin_dataset(
    x: ArrayView2<f64>,
    max_bins: usize,
    categorical: &[bool],
) -> Result<BinnedData> {
    let (n_rows, n_features) = x.dim();
    debug_assert_eq!(categorical.len(), n_features);
    let x = x.as_standard_layout();
    let values = x.as_slice().expect("standard layout");
    let value = |r: usize, f: usize| values[r * n_features + f];
    let mut bins = vec![0u8; n_rows * n_features];
    let step = n_rows.div_ceil(MAX_SAMPLE_FOR_EDGES).max(1);
    let group = if n_rows * n_features * 8 < SMALL_MATRIX_BYTES {
        1
    } else {
        GROUP
    };
    let groups: Vec<Vec<FeatureBins>> = bins
        .par_chunks_mut((n_rows * group).max(1))
        .enumerate()
        .map(|(g, out)| {
            let features: Vec<usize> = (g * group..((g + 1) * group).min(n_features)).collect();
            let mut samples: Vec<Vec<f64>> = vec![Vec::new(); features.len()];
            for r in (0..n_rows).step_by(step) {
                for (sample, &f) in samples.iter_mut().zip(&features) {
                    if !categorical[f] {
                        sample.push(value(r, f));
                    }
                }
            }
            let mut fbs = Vec::with_capacity(features.len());
            for (sample, &f) in samples.into_iter().zip(&features) {
                fbs.push(if categorical[f] {
                    categorical_bins(f, (0..n_rows).map(|r| value(r, f)))?
                } else {
                    numeric_bins(sample, max_bins)
                });
            }
            let edges: Vec<Option<PaddedEdges>> = fbs
                .iter()
                .map(|fb| match fb {
                    FeatureBins::Numeric { edges } => Some(PaddedEdges::new(edges)),
                    FeatureBins::Categorical { .. } => None,
                })
                .collect();
            let missing: Vec<u8> = fbs.iter().map(|fb| fb.missing_bin() as u8).collect();
            for start in (0..n_rows).step_by(ROW_BLOCK) {
                let end = (start + ROW_BLOCK).min(n_rows);
                for (j, &f) in features.iter().enumerate() {
                    let column = &mut out[j * n_rows + start..j * n_rows + end];
                    match &edges[j] {
                        Some(e) => {
                            for (o, r) in column.iter_mut().zip(start..end) {
                                let v = value(r, f);
                                *o = if v.is_nan() { missing[j] } else { e.bin(v) };
                            }
                        }
                        None => {
                            for (o, r) in column.iter_mut().zip(start..end) {
                                let v = value(r, f);
                                *o = if v.is_nan() { missing[j] } else { v as u8 };
                            }
                        }
                    }
                }
            }
            Ok(fbs)
        })
        .collect::<Result<_>>()?;
    Ok(BinnedData {
        n_rows,
        features: groups.into_iter().flatten().collect(),
        stride: n_rows,
        bins,
    })
}

/// A feature's bin edges padded with +inf to 256 entries, for a binary search without branches:
/// a row's bin is the number of edges below its value, found in eight steps whose outcomes the
/// processor need not predict (a branchy search mispredicts about every other step, and mapping
/// every value of the matrix is most of the binning time on small data sets).
pub(crate) struct PaddedEdges([f64; 256]);

impl PaddedEdges {
    pub(crate) fn new(edges: &[f64]) -> Self {
        debug_assert!(edges.len() < 256, "at most 254 edges");
        let mut padded = [f64::INFINITY; 256];
        padded[..edges.len()].copy_from_slice(edges);
        PaddedEdges(padded)
    }

    /// The number of edges strictly below `v` (not NaN): `edges.partition_point(|&t| t < v)`.
    #[inline(always)]
    pub(crate) fn bin(&self, v: f64) -> u8 {
        let p = &self.0;
        let mut pos = 0usize;
        for step in [128, 64, 32, 16, 8, 4, 2, 1] {
            // The padding is +inf, never below `v`: `pos` stays within 0..=254 edges.
            pos += usize::from(p[pos + step - 1] < v) * step;
        }
        pos as u8
    }
}

fn categorical_bins(feature: usize, values: impl Iterator<Item = f64>) -> Result<FeatureBins> {
    let mut max_code = None::<usize>;
    for v in values {
        if v.is_nan() {
            continue;
        }
        if v < 0.0 || v.fract() != 0.0 || v >= MAX_CATEGORIES as f64 {
            return Err(TreeError::InvalidCategorical {
                feature,
                reason: format!(
                    "value {v} is not a category code (an integer in 0..{MAX_CATEGORIES}, or NaN \
                     for missing)"
                ),
            });
        }
        let code = v as usize;
        max_code = Some(max_code.map_or(code, |m| m.max(code)));
    }
    Ok(FeatureBins::Categorical {
        n_categories: max_code.map_or(0, |m| m + 1),
    })
}

/// Least-significant-digit radix sort, bytes at a time; bytes every key shares are skipped
/// (typically the exponent bytes of values in one range). Several times faster than a
/// comparison sort on the hundreds of thousands of keys a feature's sample holds.
fn radix_sort(keys: &mut Vec<u64>) {
    let n = keys.len();
    if n < 512 {
        keys.sort_unstable();
        return;
    }
    let mut counts = vec![[0usize; 256]; 8];
    for &k in keys.iter() {
        for (byte, c) in counts.iter_mut().enumerate() {
            c[(k >> (8 * byte)) as usize & 255] += 1;
        }
    }
    let mut buf = vec![0u64; n];
    for (byte, c) in counts.iter().enumerate() {
        if c.contains(&n) {
            continue;
        }
        let mut offsets = [0usize; 256];
        let mut sum = 0;
        for (o, &x) in offsets.iter_mut().zip(c) {
            *o = sum;
            sum += x;
        }
        for &k in keys.iter() {
            let d = (k >> (8 * byte)) as usize & 255;
            buf[offsets[d]] = k;
            offsets[d] += 1;
        }
        std::mem::swap(keys, &mut buf);
    }
}

/// Maps floats to integers of the same order, so sorting needs no float comparisons.
pub(crate) fn order_key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

/// The inverse of [`order_key`].
fn from_order_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Chooses bin edges so that bins hold roughly equal numbers of rows; with few distinct values
/// every value gets its own bin and edges sit halfway between neighbours, like scikit-learn.
fn numeric_bins(mut sample: Vec<f64>, max_bins: usize) -> FeatureBins {
    sample.retain(|v| !v.is_nan());
    if sample.is_empty() {
        return FeatureBins::Numeric { edges: Vec::new() };
    }
    let n_values = sample.len();
    let distinct = match few_distinct(&sample) {
        Some(distinct) => distinct,
        None => sorted_distinct(sample),
    };
    let ranges: Vec<(f64, f64, usize)> = distinct.into_iter().map(|(v, c)| (v, v, c)).collect();
    FeatureBins::Numeric {
        edges: edges_of(&ranges, n_values, max_bins),
    }
}

/// Bin edges over ascending, disjoint value ranges `(lowest, highest, rows)` of `n_values`
/// rows in all: with at most `max_bins` ranges each gets its own bin, else greedy
/// equal-frequency cuts. Edges sit halfway between a range's highest value and the next one's
/// lowest. Distinct values are ranges of one value; a [`crate::QuantileSketch`]'s buckets are
/// wider.
pub(crate) fn edges_of(
    distinct: &[(f64, f64, usize)],
    n_values: usize,
    max_bins: usize,
) -> Vec<f64> {
    let mut edges = Vec::new();
    if distinct.len() <= max_bins {
        for w in distinct.windows(2) {
            edges.push(midpoint(w[0].1, w[1].0));
        }
    } else {
        // Greedy equal-frequency cuts between distinct values: a very frequent value keeps a bin
        // of its own and the remaining rows are spread over the remaining bins.
        let mut remaining_rows = n_values;
        let mut remaining_bins = max_bins;
        let mut acc = 0usize;
        for (i, w) in distinct.windows(2).enumerate() {
            acc += w[0].2;
            let target = remaining_rows as f64 / remaining_bins as f64;
            let values_left = distinct.len() - i - 1;
            // Cut when this bin is full, or when every remaining value must get its own bin.
            if acc as f64 >= target || values_left < remaining_bins {
                edges.push(midpoint(w[0].1, w[1].0));
                remaining_rows -= acc;
                remaining_bins -= 1;
                acc = 0;
                if remaining_bins == 1 {
                    break;
                }
            }
        }
    }
    edges
}

/// The distinct values of `sample` (no NaN) with their counts, ascending, by sorting it.
fn sorted_distinct(mut sample: Vec<f64>) -> Vec<(f64, usize)> {
    let mut keys: Vec<u64> = sample.iter().map(|&v| order_key(v)).collect();
    radix_sort(&mut keys);
    for (v, k) in sample.iter_mut().zip(&keys) {
        *v = from_order_key(*k);
    }
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for v in sample.iter().copied() {
        match distinct.last_mut() {
            Some((last, count)) if *last == v => *count += 1,
            _ => distinct.push((v, 1)),
        }
    }
    distinct
}

/// Most distinct values [`few_distinct`] counts before giving up.
const FEW_DISTINCT: usize = 2048;

/// [`sorted_distinct`] for a sample of at most [`FEW_DISTINCT`] distinct values (`None` if it
/// has more), counted in a hash table and only the distinct values sorted. Real columns often
/// hold a few hundred values (prices in cents, sizes, ages), and sorting every row took most of a
/// small fit's binning; a continuous column gives up after a few thousand rows.
fn few_distinct(sample: &[f64]) -> Option<Vec<(f64, usize)>> {
    // Open addressing at most a quarter full. Key 0 marks an empty slot: `order_key` gives 0
    // only for a NaN, and the sample holds none.
    const BITS: u32 = (4 * FEW_DISTINCT).trailing_zeros();
    const SLOTS: usize = 1 << BITS;
    let mut keys = vec![0u64; SLOTS];
    let mut counts = vec![0u32; SLOTS];
    let mut n_distinct = 0;
    for &v in sample {
        // -0.0 and 0.0 are one value, as in `sorted_distinct`.
        let key = order_key(if v == 0.0 { 0.0 } else { v });
        let mut slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BITS)) as usize;
        loop {
            if keys[slot] == key {
                counts[slot] += 1;
                break;
            }
            if keys[slot] == 0 {
                n_distinct += 1;
                if n_distinct > FEW_DISTINCT {
                    return None;
                }
                keys[slot] = key;
                counts[slot] = 1;
                break;
            }
            slot = (slot + 1) & (SLOTS - 1);
        }
    }
    let mut distinct: Vec<(u64, u32)> = keys
        .into_iter()
        .zip(counts)
        .filter(|&(k, _)| k != 0)
        .collect();
    distinct.sort_unstable_by_key(|&(k, _)| k);
    Some(
        distinct
            .into_iter()
            .map(|(k, c)| (from_order_key(k), c as usize))
            .collect(),
    )
}

/// A value strictly between `a` and `b` when possible, never equal to `b`, so that `b` lands in
/// the upper bin.
fn midpoint(a: f64, b: f64) -> f64 {
    let m = a + (b - a) / 2.0;
    if m >= b || !m.is_finite() {
        a
    } else {
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_branchless_search_counts_the_edges_below_a_value() {
        for n_edges in [0usize, 1, 2, 3, 7, 100, 254] {
            let edges: Vec<f64> = (0..n_edges).map(|i| i as f64 * 1.5 - 10.0).collect();
            let padded = PaddedEdges::new(&edges);
            let mut probes: Vec<f64> = edges.clone();
            probes.extend(edges.iter().map(|e| e + 0.25));
            probes.extend(edges.iter().map(|e| e - 0.25));
            probes.extend([f64::NEG_INFINITY, f64::INFINITY, -1e300, 1e300, 0.0, -0.0]);
            for v in probes {
                let want = edges.partition_point(|&t| t < v);
                assert_eq!(padded.bin(v) as usize, want, "{n_edges} edges, value {v}");
            }
        }
    }

    #[test]
    fn few_distinct_values_get_one_bin_each() {
        let x = array![[1.0], [2.0], [2.0], [5.0], [f64::NAN]];
        let data = bin_dataset(x.view(), 255, &[false]).unwrap();
        assert_eq!(
            data.features[0],
            FeatureBins::Numeric {
                edges: vec![1.5, 3.5]
            }
        );
        assert_eq!(data.column(0), &[0, 1, 1, 2, 3]);
    }

    #[test]
    fn many_values_are_capped_and_balanced() {
        let x = ndarray::Array2::from_shape_fn((1000, 1), |(i, _)| i as f64);
        let data = bin_dataset(x.view(), 10, &[false]).unwrap();
        assert_eq!(data.features[0].n_bins(), 10);
        let mut counts = [0usize; 11];
        for &b in data.column(0) {
            counts[b as usize] += 1;
        }
        assert!(counts[..10].iter().all(|&c| c == 100), "{counts:?}");
    }

    #[test]
    fn bins_agree_with_thresholds() {
        let x = ndarray::Array2::from_shape_fn((500, 1), |(i, _)| ((i * 37) % 101) as f64 * 0.3);
        let data = bin_dataset(x.view(), 16, &[false]).unwrap();
        let fb = &data.features[0];
        for (i, &b) in data.column(0).iter().enumerate() {
            let v = x[[i, 0]];
            for t in 0..fb.n_bins() {
                assert_eq!(b as usize <= t, v <= fb.threshold(t));
            }
        }
    }

    #[test]
    fn radix_sort_sorts_floats_by_value() {
        let mut values: Vec<f64> = (0..3000)
            .map(|i| ((i * 7919) % 3001) as f64 - 1500.5)
            .collect();
        values.extend([f64::INFINITY, f64::NEG_INFINITY, -0.0, 1e-300]);
        let mut keys: Vec<u64> = values.iter().map(|&v| order_key(v)).collect();
        radix_sort(&mut keys);
        let mut expected = values.clone();
        expected.sort_by(f64::total_cmp);
        let expected: Vec<u64> = expected.iter().map(|&v| order_key(v)).collect();
        assert_eq!(keys, expected);
    }

    #[test]
    fn counting_distinct_values_equals_sorting_them() {
        let mut few: Vec<f64> = (0..50_000)
            .map(|i| ((i * 7919) % 301) as f64 * 0.25 - 30.0)
            .collect();
        few.extend([f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, 1e-300, -1e300]);
        let counted = few_distinct(&few).expect("305 distinct values");
        // 301 multiples of 0.25 (0.0 among them), then four more: -0.0 and 0.0 are one value.
        assert_eq!(counted.len(), 305);
        let sorted = sorted_distinct(few.clone());
        assert_eq!(counted.len(), sorted.len());
        for ((a, n), (b, m)) in counted.iter().zip(&sorted) {
            assert!(a == b && n == m, "{a} x{n} vs {b} x{m}");
        }
        assert_eq!(counted.iter().map(|c| c.1).sum::<usize>(), few.len());

        let many: Vec<f64> = (0..=FEW_DISTINCT).map(|i| i as f64).collect();
        assert!(few_distinct(&many).is_none());
        assert!(few_distinct(&many[1..]).is_some());
    }

    #[test]
    fn categorical_codes_are_validated() {
        let x = array![[0.0], [3.0], [f64::NAN]];
        let data = bin_dataset(x.view(), 255, &[true]).unwrap();
        assert_eq!(data.column(0), &[0, 3, 4]);
        let bad = array![[0.5]];
        assert!(bin_dataset(bad.view(), 255, &[true]).is_err());
    }
}
