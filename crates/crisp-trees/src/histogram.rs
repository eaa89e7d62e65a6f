//! Per-node histograms of training statistics, one slot per (feature, bin).
//!
//! A histogram is a flat `Vec<f64>`: feature `f` owns `(n_bins(f) + 1) * stride` values starting
//! at `offsets[f]`, and each bin holds `stride` statistics (see [`Stats`]). Only the features a
//! node actually evaluates are filled, so one layout serves all nodes of a tree.

use rayon::prelude::*;

use crate::binning::BinnedData;

/// Below this many row-feature pairs (about 100 microseconds of work) a node's histogram is
/// built on one thread: waking rayon's workers would cost more than it saves.
const PARALLEL_MIN_WORK: usize = 1 << 17;

/// The training statistics a tree is grown on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stats<'a> {
    /// Gradient and hessian per row: bins hold `[sum g, sum h, count]`.
    GradHess { g: &'a [f64], h: &'a [f64] },
    /// Gradient per row with a hessian of one (squared error, regression trees): bins hold
    /// `[sum g, count]`, the count doubling as the hessian.
    Grad { g: &'a [f64] },
    /// Class index per row: bins hold one count per class.
    Class { y: &'a [u32], k: usize },
}

impl Stats<'_> {
    pub fn stride(&self) -> usize {
        match self {
            Stats::GradHess { .. } => 3,
            Stats::Grad { .. } => 2,
            Stats::Class { k, .. } => *k,
        }
    }

    /// The statistics of `rows` gathered into node order, so that each feature's pass reads
    /// them sequentially instead of jumping around the full arrays.
    pub fn gather(&self, rows: &[u32]) -> Ordered {
        match self {
            Stats::GradHess { g, h } => {
                let mut out = Vec::with_capacity(rows.len() * 2);
                for &i in rows {
                    out.push(g[i as usize]);
                    out.push(h[i as usize]);
                }
                Ordered::GradHess(out)
            }
            Stats::Grad { g } => Ordered::Grad(rows.iter().map(|&i| g[i as usize]).collect()),
            Stats::Class { y, .. } => Ordered::Class(rows.iter().map(|&i| y[i as usize]).collect()),
        }
    }

    /// Sum of the statistics of `rows`, laid out like one histogram bin.
    pub fn totals(&self, rows: &[u32]) -> Vec<f64> {
        let mut t = vec![0.0; self.stride()];
        match self {
            Stats::GradHess { g, h } => {
                for &i in rows {
                    t[0] += g[i as usize];
                    t[1] += h[i as usize];
                }
                t[2] = rows.len() as f64;
            }
            Stats::Grad { g } => {
                for &i in rows {
                    t[0] += g[i as usize];
                }
                t[1] = rows.len() as f64;
            }
            Stats::Class { y, .. } => {
                for &i in rows {
                    t[y[i as usize] as usize] += 1.0;
                }
            }
        }
        t
    }
}

/// A node's statistics in node order (see [`Stats::gather`]).
pub(crate) enum Ordered {
    GradHess(Vec<f64>),
    Grad(Vec<f64>),
    Class(Vec<u32>),
}

/// Where each feature's bins live inside a histogram buffer.
#[derive(Clone, Debug)]
pub(crate) struct HistLayout {
    pub stride: usize,
    offsets: Vec<usize>,
    lens: Vec<usize>,
    pub total: usize,
}

impl HistLayout {
    pub fn new(data: &BinnedData, stride: usize) -> Self {
        let mut offsets = Vec::with_capacity(data.n_features());
        let mut lens = Vec::with_capacity(data.n_features());
        let mut total = 0;
        for fb in &data.features {
            offsets.push(total);
            let len = (fb.n_bins() + 1) * stride;
            lens.push(len);
            total += len;
        }
        HistLayout {
            stride,
            offsets,
            lens,
            total,
        }
    }

    /// Feature `f`'s part of a histogram.
    #[inline]
    pub fn feature<'h>(&self, hist: &'h [f64], f: usize) -> &'h [f64] {
        &hist[self.offsets[f]..self.offsets[f] + self.lens[f]]
    }

    /// Disjoint mutable parts of `hist` for `features`, which must be ascending.
    fn feature_parts<'h>(
        &self,
        hist: &'h mut [f64],
        features: &[usize],
    ) -> Vec<(usize, &'h mut [f64])> {
        let mut parts = Vec::with_capacity(features.len());
        let mut rest = hist;
        let mut consumed = 0;
        for &f in features {
            debug_assert!(self.offsets[f] >= consumed, "features must be ascending");
            let tail = std::mem::take(&mut rest);
            let (_, tail) = tail.split_at_mut(self.offsets[f] - consumed);
            let (mine, tail) = tail.split_at_mut(self.lens[f]);
            parts.push((f, mine));
            rest = tail;
            consumed = self.offsets[f] + self.lens[f];
        }
        parts
    }
}

/// Fills the parts of `hist` belonging to `features` with the statistics of `rows`.
///
/// `rows == None` means "every row of the dataset, in order", which lets the root skip the
/// index indirection. `ordered` must hold the statistics of those rows in the same order.
pub(crate) fn build(
    hist: &mut [f64],
    layout: &HistLayout,
    data: &BinnedData,
    rows: Option<&[u32]>,
    ordered: &Ordered,
    features: &[usize],
    parallel: bool,
) {
    let n_rows = rows.map_or(data.n_rows, <[u32]>::len);
    let stride = layout.stride;
    let fill = |(f, part): (usize, &mut [f64])| {
        part.fill(0.0);
        let col = data.column(f);
        match ordered {
            Ordered::GradHess(gh) => accumulate_grad_hess(part, col, rows, gh),
            Ordered::Grad(g) => accumulate_grad(part, col, rows, g),
            Ordered::Class(y) => accumulate_class(part, col, rows, y, stride),
        }
    };
    let parts = layout.feature_parts(hist, features);
    if parallel && n_rows * features.len() >= PARALLEL_MIN_WORK {
        parts.into_par_iter().for_each(fill);
    } else {
        parts.into_iter().for_each(fill);
    }
}

/// `parent -= child` over `features`: what is left is the sibling's histogram.
pub(crate) fn subtract(parent: &mut [f64], child: &[f64], layout: &HistLayout, features: &[usize]) {
    for &f in features {
        let range = layout.offsets[f]..layout.offsets[f] + layout.lens[f];
        for (p, c) in parent[range.clone()].iter_mut().zip(&child[range]) {
            *p -= c;
        }
    }
}

#[inline]
fn accumulate_grad_hess(out: &mut [f64], col: &[u8], rows: Option<&[u32]>, gh: &[f64]) {
    let mut add = |b: u8, k: usize| {
        let b = b as usize * 3;
        let bin = &mut out[b..b + 3];
        bin[0] += gh[2 * k];
        bin[1] += gh[2 * k + 1];
        bin[2] += 1.0;
    };
    match rows {
        None => col.iter().enumerate().for_each(|(k, &b)| add(b, k)),
        Some(rows) => rows
            .iter()
            .enumerate()
            .for_each(|(k, &i)| add(col[i as usize], k)),
    }
}

#[inline]
fn accumulate_grad(out: &mut [f64], col: &[u8], rows: Option<&[u32]>, g: &[f64]) {
    let mut add = |b: u8, v: f64| {
        let b = b as usize * 2;
        let bin = &mut out[b..b + 2];
        bin[0] += v;
        bin[1] += 1.0;
    };
    match rows {
        None => col.iter().zip(g).for_each(|(&b, &v)| add(b, v)),
        Some(rows) => rows
            .iter()
            .zip(g)
            .for_each(|(&i, &v)| add(col[i as usize], v)),
    }
}

#[inline]
fn accumulate_class(out: &mut [f64], col: &[u8], rows: Option<&[u32]>, y: &[u32], k: usize) {
    match rows {
        None => col
            .iter()
            .zip(y)
            .for_each(|(&b, &c)| out[b as usize * k + c as usize] += 1.0),
        Some(rows) => rows
            .iter()
            .zip(y)
            .for_each(|(&i, &c)| out[col[i as usize] as usize * k + c as usize] += 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binning::bin_dataset;
    use ndarray::array;

    #[test]
    fn sibling_by_subtraction_equals_direct_build() {
        let x = array![
            [0.0, 1.0],
            [1.0, 1.0],
            [2.0, f64::NAN],
            [0.0, 2.0],
            [2.0, 2.0]
        ];
        let data = bin_dataset(x.view(), 255, &[false, false]).unwrap();
        let y = [0u32, 1, 1, 0, 1];
        let stats = Stats::Class { y: &y, k: 2 };
        let layout = HistLayout::new(&data, 2);
        let features = [0, 1];
        let all: Vec<u32> = (0..5).collect();
        let mut parent = vec![0.0; layout.total];
        build(
            &mut parent,
            &layout,
            &data,
            None,
            &stats.gather(&all),
            &features,
            false,
        );
        let (left, right) = ([0u32, 3], [1u32, 2, 4]);
        let mut small = vec![0.0; layout.total];
        build(
            &mut small,
            &layout,
            &data,
            Some(&left),
            &stats.gather(&left),
            &features,
            false,
        );
        let mut direct = vec![0.0; layout.total];
        build(
            &mut direct,
            &layout,
            &data,
            Some(&right),
            &stats.gather(&right),
            &features,
            false,
        );
        subtract(&mut parent, &small, &layout, &features);
        assert_eq!(parent, direct);
        // feature 1: bins 0 (1.0), 1 (2.0), missing bin 2; class counts per bin.
        assert_eq!(layout.feature(&direct, 1), &[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    }
}
