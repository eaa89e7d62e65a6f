//! A mergeable summary of a numeric column, for bin edges over rows that are never all in one
//! place (partitions of a cluster, batches of a stream).
//!
//! Values are counted per bucket of their order-preserving key's top 32 bits (sign, exponent
//! and 20 bits of mantissa: a relative width of about 1e-6), keeping each bucket's lowest and
//! highest value. When a sketch would hold more than [`MAX_BUCKETS`] buckets, the buckets merge
//! pairwise (one key bit fewer) until it does not. Because merging counts and extremes is
//! commutative and the coarsening level of a union is the least level at which the union fits,
//! the sketch of a set of rows is the same whatever the partitions and the order they were
//! merged in: bin edges from a cluster are reproducible.
//!
//! With at most `MAX_BUCKETS` distinct values (and values more than 1e-6 apart) every bucket
//! is one value and the edges are those of an exact fit on all the rows; otherwise an edge sits
//! between two buckets, at most one bucket's width from where exact quantiles would put it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::binned::BinMapper;
use crate::binning::{edges_of, order_key, FeatureBins};
use crate::error::Result;
use crate::params::invalid;

/// Most buckets a sketch holds (a few hundred kilobytes).
pub const MAX_BUCKETS: usize = 1 << 14;

/// Rows of one bucket, with its lowest and highest value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
struct Bucket {
    rows: u64,
    lowest: f64,
    highest: f64,
}

impl Bucket {
    fn absorb(&mut self, other: &Bucket) {
        self.rows += other.rows;
        self.lowest = self.lowest.min(other.lowest);
        self.highest = self.highest.max(other.highest);
    }
}

/// A deterministic, mergeable quantile sketch of one numeric column (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuantileSketch {
    /// Key bits dropped (0: full resolution).
    level: u32,
    buckets: BTreeMap<u32, Bucket>,
    missing: u64,
}

impl QuantileSketch {
    /// An empty sketch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows counted, missing (NaN) ones included.
    pub fn n_rows(&self) -> u64 {
        self.missing + self.buckets.values().map(|b| b.rows).sum::<u64>()
    }

    /// Buckets held (at most 16 384).
    pub fn n_buckets(&self) -> usize {
        self.buckets.len()
    }

    /// Missing (NaN) rows counted.
    pub fn n_missing(&self) -> u64 {
        self.missing
    }

    /// Counts `values`.
    pub fn add(&mut self, values: &[f64]) {
        for &v in values {
            if v.is_nan() {
                self.missing += 1;
                continue;
            }
            // -0.0 and 0.0 are one value, as in an exact fit.
            let v = if v == 0.0 { 0.0 } else { v };
            let one = Bucket {
                rows: 1,
                lowest: v,
                highest: v,
            };
            self.buckets
                .entry(key(v, self.level))
                .and_modify(|b| b.absorb(&one))
                .or_insert(one);
            if self.buckets.len() > MAX_BUCKETS {
                self.coarsen(self.level + 1);
            }
        }
    }

    /// Adds the rows counted by `other`.
    pub fn merge(&mut self, other: &QuantileSketch) {
        let level = self.level.max(other.level);
        self.coarsen(level);
        self.missing += other.missing;
        for (&k, b) in &other.buckets {
            self.buckets
                .entry(k >> (level - other.level))
                .and_modify(|mine| mine.absorb(b))
                .or_insert(*b);
        }
        if self.buckets.len() > MAX_BUCKETS {
            self.coarsen(self.level + 1);
        }
    }

    /// Drops key bits until the level is at least `level` and the buckets fit.
    fn coarsen(&mut self, level: u32) {
        let mut level = level.max(self.level);
        loop {
            if level > self.level {
                let shift = level - self.level;
                let mut merged: BTreeMap<u32, Bucket> = BTreeMap::new();
                for (k, b) in std::mem::take(&mut self.buckets) {
                    merged
                        .entry(k >> shift)
                        .and_modify(|m| m.absorb(&b))
                        .or_insert(b);
                }
                self.buckets = merged;
                self.level = level;
            }
            if self.buckets.len() <= MAX_BUCKETS {
                return;
            }
            level += 1;
        }
    }

    /// The bin edges of the rows counted: at most `max_bins` (2..=255) value bins, as
    /// [`BinMapper::fit`] would choose them on the same rows (exactly so while every bucket
    /// holds one value).
    pub fn mapper(&self, max_bins: usize) -> Result<BinMapper> {
        if !(2..=255).contains(&max_bins) {
            return Err(invalid("max_bins", "in 2..=255", max_bins));
        }
        let ranges: Vec<(f64, f64, usize)> = self
            .buckets
            .values()
            .map(|b| (b.lowest, b.highest, b.rows as usize))
            .collect();
        let n_values = ranges.iter().map(|r| r.2).sum();
        Ok(BinMapper(FeatureBins::Numeric {
            edges: edges_of(&ranges, n_values, max_bins),
        }))
    }
}

/// A value's bucket at `level`: the top 32 bits of its order key, less `level` bits.
fn key(v: f64, level: u32) -> u32 {
    ((order_key(v) >> 32) as u32) >> level
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn lcg(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                // Log-normal-ish: spread over several binades, as prices and incomes are.
                ((s >> 11) as f64 / (1u64 << 53) as f64 * 8.0).exp()
            })
            .collect()
    }

    #[test]
    fn few_distinct_values_give_the_exact_edges() {
        let values: Vec<f64> = (0..10_000).map(|i| f64::from(i % 37) * 0.5 - 3.0).collect();
        let mut s = QuantileSketch::new();
        s.add(&values);
        let exact = BinMapper::fit(
            Array2::from_shape_vec((values.len(), 1), values.clone())
                .unwrap()
                .view(),
            255,
            &[],
        )
        .unwrap();
        assert_eq!(s.mapper(255).unwrap(), exact[0]);
        let exact16 = BinMapper::fit(
            Array2::from_shape_vec((values.len(), 1), values)
                .unwrap()
                .view(),
            16,
            &[],
        )
        .unwrap();
        assert_eq!(s.mapper(16).unwrap(), exact16[0]);
    }

    #[test]
    fn merging_in_any_order_gives_the_same_sketch() {
        let values = lcg(120_000, 7);
        let mut whole = QuantileSketch::new();
        whole.add(&values);
        assert!(whole.level > 0, "120k continuous values must coarsen");
        let parts: Vec<QuantileSketch> = values
            .chunks(7_001)
            .map(|c| {
                let mut s = QuantileSketch::new();
                s.add(c);
                s
            })
            .collect();
        let mut forward = QuantileSketch::new();
        for p in &parts {
            forward.merge(p);
        }
        let mut backward = QuantileSketch::new();
        for p in parts.iter().rev() {
            backward.merge(p);
        }
        // A tree of merges: pairs first.
        let mut pairs: Vec<QuantileSketch> = parts
            .chunks(2)
            .map(|c| {
                let mut s = c[0].clone();
                if let Some(b) = c.get(1) {
                    s.merge(b);
                }
                s
            })
            .collect();
        let mut tree = pairs.remove(0);
        for p in &pairs {
            tree.merge(p);
        }
        assert_eq!(forward, whole);
        assert_eq!(backward, whole);
        assert_eq!(tree, whole);
        assert_eq!(whole.n_rows(), 120_000);
    }

    #[test]
    fn coarse_edges_stay_near_the_exact_quantiles() {
        let values = lcg(200_000, 3);
        let mut s = QuantileSketch::new();
        s.add(&values);
        s.add(&[f64::NAN; 10]);
        assert_eq!(s.n_missing(), 10);
        let m = s.mapper(64).unwrap();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        // Each bin holds about 1/64 of the rows, as exact quantile bins would.
        let mut counts = vec![0usize; m.n_bins()];
        let mut out = vec![0u8; values.len()];
        m.bin_values(&values, &mut out);
        for b in out {
            counts[usize::from(b)] += 1;
        }
        let share = values.len() as f64 / 64.0;
        for (b, &c) in counts.iter().enumerate() {
            assert!(
                (c as f64 - share).abs() < 0.05 * share,
                "bin {b}: {c} rows, about {share} expected"
            );
        }
    }
}
