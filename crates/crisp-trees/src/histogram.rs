//! Per-node histograms of training statistics, one slot per (feature, bin).
//!
//! A histogram is a flat `Vec<f64>`: feature `f` owns `(n_bins(f) + 1) * stride` values starting
//! at `offsets[f]`, and each bin holds `stride` statistics (see [`Stats`]). Only the features a
//! node actually evaluates are filled, so one layout serves all nodes of a tree.

use rayon::prelude::*;

use crate::binning::BinnedData;
use crate::spin::{self, Spread};

/// Rows per chunk: a chunk's ordered statistics (at most 16 bytes a row) and indices stay in
/// L2 while every feature of a group reads them, instead of being streamed from memory once
/// per feature (which dominated on a million rows).
const ROW_CHUNK: usize = 8192;

/// The training statistics a tree is grown on.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Stats<'a> {
    /// Gradient and hessian per row: bins hold `[sum g, sum h]`. Like LightGBM, counts are
    /// not kept (a third value per bin made histograms 50% bigger and every row's addition
    /// slower); the split search estimates them from the hessian (see `split.rs`).
    GradHess { g: &'a [f64], h: &'a [f64] },
    /// Gradient per row with a hessian of one (squared error, regression trees): bins hold
    /// `[sum g, count]`, the count doubling as the hessian.
    Grad { g: &'a [f64] },
    /// Class index per row: bins hold one count per class.
    Class { y: &'a [u32], k: usize },
    /// Class index and sample weight per row: bins hold one weight sum per class. Kept apart
    /// from `Class` so that unweighted class histograms keep their own loop.
    WeightedClass {
        y: &'a [u32],
        w: &'a [f64],
        k: usize,
    },
}

impl Stats<'_> {
    pub fn stride(&self) -> usize {
        match self {
            Stats::GradHess { .. } | Stats::Grad { .. } => 2,
            Stats::Class { k, .. } | Stats::WeightedClass { k, .. } => *k,
        }
    }

    /// The statistics of `rows` gathered into node order, so that each feature's pass reads
    /// them sequentially instead of jumping around the full arrays.
    #[cfg(test)]
    pub fn gather(&self, rows: &[u32]) -> Ordered {
        self.gather_into(rows, Vec::new(), false)
    }

    /// [`Stats::gather`] into `buf` (see [`Ordered::into_buffer`]), which saves allocating
    /// and zeroing a fresh array for every node. `parallel` allows spreading the random reads
    /// over threads (the result does not depend on how the rows are split).
    pub fn gather_into(&self, rows: &[u32], buf: Vec<f64>, parallel: bool) -> Ordered {
        let spread = Spread::of(rows.len(), parallel);
        match self {
            Stats::GradHess { g, h } => {
                let mut out = sized(buf, rows.len() * 2, 0.0);
                spin::spread_rows(spread, &mut out, 2, rows, |o, r| {
                    for (pair, &i) in o.chunks_exact_mut(2).zip(r) {
                        pair[0] = g[i as usize];
                        pair[1] = h[i as usize];
                    }
                });
                Ordered::GradHess(out)
            }
            Stats::Grad { g } => {
                let mut out = sized(buf, rows.len(), 0.0);
                spin::spread_rows(spread, &mut out, 1, rows, |o, r| {
                    for (v, &i) in o.iter_mut().zip(r) {
                        *v = g[i as usize];
                    }
                });
                Ordered::Grad(out)
            }
            Stats::Class { y, .. } => {
                let mut out = sized(Vec::new(), rows.len(), 0);
                spin::spread_rows(spread, &mut out, 1, rows, |o, r| {
                    for (v, &i) in o.iter_mut().zip(r) {
                        *v = y[i as usize];
                    }
                });
                Ordered::Class(out)
            }
            Stats::WeightedClass { y, w, .. } => {
                let mut labels = sized(Vec::new(), rows.len(), 0);
                spin::spread_rows(spread, &mut labels, 1, rows, |o, r| {
                    for (v, &i) in o.iter_mut().zip(r) {
                        *v = y[i as usize];
                    }
                });
                let mut weights = sized(buf, rows.len(), 0.0);
                spin::spread_rows(spread, &mut weights, 1, rows, |o, r| {
                    for (v, &i) in o.iter_mut().zip(r) {
                        *v = w[i as usize];
                    }
                });
                Ordered::WeightedClass(labels, weights)
            }
        }
    }

    /// Sum of the statistics of `rows`, laid out like one histogram bin.
    pub fn totals(&self, rows: &[u32]) -> Vec<f64> {
        // Gradient sums run in local variables: summed in the Vec, every addition went through
        // a store and a reload (the compiler cannot tell the Vec from the gradients), and this
        // serial pass over all rows at every root was 2-7% of a small fit.
        match self {
            Stats::GradHess { g, h } => {
                let (mut sg, mut sh) = (0.0, 0.0);
                for &i in rows {
                    sg += g[i as usize];
                    sh += h[i as usize];
                }
                vec![sg, sh]
            }
            Stats::Grad { g } => {
                let mut sg = 0.0;
                for &i in rows {
                    sg += g[i as usize];
                }
                vec![sg, rows.len() as f64]
            }
            Stats::Class { y, k } => {
                let mut t = vec![0.0; *k];
                for &i in rows {
                    t[y[i as usize] as usize] += 1.0;
                }
                t
            }
            Stats::WeightedClass { y, w, k } => {
                let mut t = vec![0.0; *k];
                for &i in rows {
                    t[y[i as usize] as usize] += w[i as usize];
                }
                t
            }
        }
    }
}

/// `buf` resized to `n` values, every one of which the caller overwrites: old values are left
/// in place rather than zeroed.
fn sized<T: Clone>(mut buf: Vec<T>, n: usize, fill: T) -> Vec<T> {
    if buf.len() < n {
        buf.resize(n, fill);
    }
    buf.truncate(n);
    buf
}

/// A node's statistics in node order (see [`Stats::gather`]).
pub(crate) enum Ordered {
    GradHess(Vec<f64>),
    Grad(Vec<f64>),
    Class(Vec<u32>),
    /// Labels and weights.
    WeightedClass(Vec<u32>, Vec<f64>),
}

impl Ordered {
    /// The array behind the statistics, for the next [`Stats::gather_into`].
    pub fn into_buffer(self) -> Vec<f64> {
        match self {
            Ordered::GradHess(v) | Ordered::Grad(v) | Ordered::WeightedClass(_, v) => v,
            Ordered::Class(_) => Vec::new(),
        }
    }
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
    pub fn feature_parts<'h>(
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
    let mut parts = layout.feature_parts(hist, features);
    let fill_group = |group: &mut [(usize, &mut [f64])]| {
        fill(group, data, rows, ordered, stride);
    };
    match Spread::of(n_rows * features.len(), parallel) {
        Spread::Pool => {
            let size = group_size(parts.len());
            parts.par_chunks_mut(size).for_each(fill_group);
        }
        Spread::Pair if parts.len() >= 2 => {
            let mid = parts.len() / 2;
            let (first, second) = parts.split_at_mut(mid);
            spin::join(|| fill_group(first), || fill_group(second));
        }
        _ => fill_group(&mut parts),
    }
}

/// Features per rayon task when `n` features are built in parallel: a few groups per thread
/// keep work stealing balanced while each group still reads a chunk's statistics once for all
/// its features. Groups hold at least [`MULTI`] features, so that with few features (adult,
/// diamonds) every pass over a chunk's rows still fills four histograms.
pub(crate) fn group_size(n: usize) -> usize {
    let n_groups = (rayon::current_num_threads() * 4).clamp(1, n.max(1));
    n.div_ceil(n_groups).max(MULTI)
}

/// Fills `parts` (feature, that feature's part of a histogram) with the statistics of `rows`
/// (see [`build`]).
pub(crate) fn fill(
    group: &mut [(usize, &mut [f64])],
    data: &BinnedData,
    rows: Option<&[u32]>,
    ordered: &Ordered,
    stride: usize,
) {
    let n_rows = rows.map_or(data.n_rows, <[u32]>::len);
    for (_, part) in group.iter_mut() {
        part.fill(0.0);
    }
    for start in (0..n_rows).step_by(ROW_CHUNK) {
        let end = (start + ROW_CHUNK).min(n_rows);
        match ordered {
            // Four features per pass over the chunk's rows, so each row's index and statistics
            // are read once for all of them. Every bin adds its rows in order, so the result
            // does not depend on the grouping. Few-bin features go the same way: four features'
            // additions in flight per row hide the wait of one store on the previous one
            // (consecutive rows often hit the same bin), which interleaved copies of each
            // histogram used to do at the cost of zeroing and merging them for every chunk.
            Ordered::GradHess(_) | Ordered::Grad(_) => {
                let mut all: Vec<&mut (usize, &mut [f64])> = group.iter_mut().collect();
                for block in all.chunks_mut(MULTI) {
                    accumulate_block(block, data, rows, start, end, ordered);
                }
            }
            Ordered::Class(y) => {
                for (f, part) in group.iter_mut() {
                    let col = data.column(*f);
                    // Without an index list, row k of the chunk is dataset row start + k.
                    let col = if rows.is_none() {
                        &col[start..end]
                    } else {
                        col
                    };
                    let chunk_rows = rows.map(|r| &r[start..end]);
                    accumulate_class(part, col, chunk_rows, &y[start..end], stride);
                }
            }
            Ordered::WeightedClass(y, w) => {
                for (f, part) in group.iter_mut() {
                    let col = data.column(*f);
                    let col = if rows.is_none() {
                        &col[start..end]
                    } else {
                        col
                    };
                    let chunk_rows = rows.map(|r| &r[start..end]);
                    let (y, w) = (&y[start..end], &w[start..end]);
                    accumulate_weighted_class(part, col, chunk_rows, y, w, stride);
                }
            }
        }
    }
}

/// Features accumulated together by [`accumulate_block`].
const MULTI: usize = 4;

/// Accumulates up to [`MULTI`] features' gradient histograms over the chunk `start..end` in one
/// pass over its rows.
fn accumulate_block(
    block: &mut [&mut (usize, &mut [f64])],
    data: &BinnedData,
    rows: Option<&[u32]>,
    start: usize,
    end: usize,
    ordered: &Ordered,
) {
    match block {
        [a, b, c, d] => multi::<4>(
            [&mut *a.1, &mut *b.1, &mut *c.1, &mut *d.1],
            [a.0, b.0, c.0, d.0].map(|f| data.column(f)),
            rows,
            start,
            end,
            ordered,
        ),
        [a, b, c] => multi::<3>(
            [&mut *a.1, &mut *b.1, &mut *c.1],
            [a.0, b.0, c.0].map(|f| data.column(f)),
            rows,
            start,
            end,
            ordered,
        ),
        [a, b] => multi::<2>(
            [&mut *a.1, &mut *b.1],
            [a.0, b.0].map(|f| data.column(f)),
            rows,
            start,
            end,
            ordered,
        ),
        [a] => multi::<1>([&mut *a.1], [data.column(a.0)], rows, start, end, ordered),
        _ => {}
    }
}

#[inline(always)]
fn multi<const F: usize>(
    outs: [&mut [f64]; F],
    cols: [&[u8]; F],
    rows: Option<&[u32]>,
    start: usize,
    end: usize,
    ordered: &Ordered,
) {
    match (ordered, rows) {
        (Ordered::GradHess(gh), Some(rows)) => {
            let gh = &gh[2 * start..2 * end];
            multi_rows::<2, F>(outs, cols, &rows[start..end], |k| {
                [gh[2 * k], gh[2 * k + 1]]
            })
        }
        (Ordered::GradHess(gh), None) => {
            let gh = &gh[2 * start..2 * end];
            multi_range::<2, F>(outs, cols.map(|c| &c[start..end]), |k| {
                [gh[2 * k], gh[2 * k + 1]]
            })
        }
        (Ordered::Grad(g), Some(rows)) => {
            let g = &g[start..end];
            multi_rows::<2, F>(outs, cols, &rows[start..end], |k| [g[k], 1.0])
        }
        (Ordered::Grad(g), None) => {
            let g = &g[start..end];
            multi_range::<2, F>(outs, cols.map(|c| &c[start..end]), |k| [g[k], 1.0])
        }
        (Ordered::Class(_) | Ordered::WeightedClass(..), _) => {
            unreachable!("class histograms are built per feature")
        }
    }
}

#[inline(always)]
fn multi_rows<const S: usize, const F: usize>(
    outs: [&mut [f64]; F],
    cols: [&[u8]; F],
    rows: &[u32],
    val: impl Fn(usize) -> [f64; S],
) {
    for (k, &i) in rows.iter().enumerate() {
        let v = val(k);
        for f in 0..F {
            let b = cols[f][i as usize] as usize * S;
            let bin = &mut outs[f][b..b + S];
            for s in 0..S {
                bin[s] += v[s];
            }
        }
    }
}

#[inline(always)]
#[allow(clippy::needless_range_loop)]
fn multi_range<const S: usize, const F: usize>(
    outs: [&mut [f64]; F],
    cols: [&[u8]; F],
    val: impl Fn(usize) -> [f64; S],
) {
    let len = cols[0].len();
    for k in 0..len {
        let v = val(k);
        for f in 0..F {
            let b = cols[f][k] as usize * S;
            let bin = &mut outs[f][b..b + S];
            for s in 0..S {
                bin[s] += v[s];
            }
        }
    }
}

/// `parent -= child` over `features`: what is left is the sibling's histogram.
pub(crate) fn subtract(parent: &mut [f64], child: &[f64], layout: &HistLayout, features: &[usize]) {
    for &f in features {
        let range = layout.offsets[f]..layout.offsets[f] + layout.lens[f];
        subtract_part(&mut parent[range.clone()], &child[range]);
    }
}

/// `parent -= child` for one feature's part.
pub(crate) fn subtract_part(parent: &mut [f64], child: &[f64]) {
    for (p, c) in parent.iter_mut().zip(child) {
        *p -= c;
    }
}

/// Class-count histograms of features with at most this many bins (missing bin included) are
/// accumulated into [`LANES`] interleaved copies: with few bins, consecutive rows often hit the
/// same bin, and each addition would otherwise wait for the previous one's store.
const SMALL_BINS: usize = 64;
const LANES: usize = 4;

#[inline]
fn accumulate_class(out: &mut [f64], col: &[u8], rows: Option<&[u32]>, y: &[u32], k: usize) {
    let bin = |i: usize| match rows {
        None => col[i] as usize,
        Some(rows) => col[rows[i] as usize] as usize,
    };
    let n_slots = out.len() / k;
    if n_slots <= SMALL_BINS && y.len() >= 64 {
        let mut lanes = vec![0.0; LANES * n_slots * k];
        for (i, &c) in y.iter().enumerate() {
            lanes[((i % LANES) * n_slots + bin(i)) * k + c as usize] += 1.0;
        }
        for lane in lanes.chunks_exact(n_slots * k) {
            for (o, v) in out.iter_mut().zip(lane) {
                *o += v;
            }
        }
    } else {
        for (i, &c) in y.iter().enumerate() {
            out[bin(i) * k + c as usize] += 1.0;
        }
    }
}

/// [`accumulate_class`] with a weight per row: bins sum the weights of each class. Each bin adds
/// its rows in order, so the sums do not depend on how features are grouped or spread.
fn accumulate_weighted_class(
    out: &mut [f64],
    col: &[u8],
    rows: Option<&[u32]>,
    y: &[u32],
    w: &[f64],
    k: usize,
) {
    match rows {
        None => {
            for ((&b, &c), &w) in col.iter().zip(y).zip(w) {
                out[b as usize * k + c as usize] += w;
            }
        }
        Some(rows) => {
            for ((&i, &c), &w) in rows.iter().zip(y).zip(w) {
                out[col[i as usize] as usize * k + c as usize] += w;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binning::bin_dataset;
    use ndarray::array;

    #[test]
    fn blocks_of_features_match_row_by_row_sums() {
        // 7 features, six with many bins and one with three: built four, then three, per pass.
        let n = 300;
        let x = ndarray::Array2::from_shape_fn((n, 7), |(i, j)| {
            if j == 6 {
                (i % 3) as f64
            } else {
                ((i * (j + 7) * 31) % 257) as f64
            }
        });
        let data = bin_dataset(x.view(), 255, &[false; 7]).unwrap();
        let g: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        let h: Vec<f64> = (0..n).map(|i| 0.1 + (i % 5) as f64 * 0.01).collect();
        let features: Vec<usize> = (0..7).collect();
        let subset: Vec<u32> = (0..n as u32).filter(|i| i % 3 != 1).collect();
        for stats in [Stats::GradHess { g: &g, h: &h }, Stats::Grad { g: &g }] {
            let layout = HistLayout::new(&data, stats.stride());
            for rows in [None, Some(&subset[..])] {
                let all: Vec<u32> = (0..n as u32).collect();
                let list = rows.unwrap_or(&all);
                let mut hist = vec![f64::NAN; layout.total];
                build(
                    &mut hist,
                    &layout,
                    &data,
                    rows,
                    &stats.gather(list),
                    &features,
                    false,
                );
                let mut expected = vec![0.0; layout.total];
                for &f in &features {
                    let r = layout.offsets[f]..layout.offsets[f] + layout.lens[f];
                    let part = &mut expected[r];
                    for &i in list {
                        let b = data.column(f)[i as usize] as usize;
                        let i = i as usize;
                        let v = match stats {
                            Stats::GradHess { .. } => vec![g[i], h[i]],
                            _ => vec![g[i], 1.0],
                        };
                        for (k, v) in v.into_iter().enumerate() {
                            part[b * stats.stride() + k] += v;
                        }
                    }
                }
                for &f in &features {
                    let (got, want) = (layout.feature(&hist, f), layout.feature(&expected, f));
                    // Every feature, few bins included, adds its rows in order, as here.
                    assert!(got == want, "feature {f}");
                }
            }
        }
    }

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
