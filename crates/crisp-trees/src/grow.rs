//! Growing one tree from binned data: histograms, split search, partitioning.
//!
//! Rows live in one index array; each node owns a contiguous range of it, and a split
//! partitions that range in place (stably, so indices stay ascending and column reads stay
//! cache-friendly). No step ever touches rows outside the node being split.

use crisp_core::SeededRng;

use crate::binning::{BinnedData, FeatureBins};
use crate::histogram::{build, subtract, HistLayout, Ordered, Stats};
use crate::search::{Search, Sibling};
use crate::spin::{self, Spread};
use crate::split::{find_best_split, Constraints, Scorer, SplitInfo, SplitRule};
use crate::tree::Tree;

/// How a tree is grown.
#[derive(Clone, Debug)]
pub(crate) struct GrowConfig {
    pub max_depth: Option<usize>,
    /// When set, the leaf with the best split is expanded first (LightGBM's leaf-wise growth)
    /// until this many leaves exist; otherwise nodes are expanded depth-first.
    pub max_leaves: Option<usize>,
    pub min_samples_leaf: usize,
    pub min_samples_split: usize,
    pub min_hessian: f64,
    pub scorer: Scorer,
    /// Classification trees split impure nodes even when the best split does not lower the
    /// impurity (like scikit-learn): a zero-gain split can enable useful splits below it.
    pub allow_zero_gain: bool,
    /// Features drawn at random for each split (`None`: all of the tree's features).
    pub features_per_split: Option<usize>,
    /// Use rayon inside the tree (off when trees themselves are built in parallel).
    pub parallel: bool,
}

impl GrowConfig {
    /// Whether a node of `count` rows (or weight) at `depth` is deep and big enough to split
    /// (whatever its statistics).
    pub fn may_split(&self, count: f64, depth: usize) -> bool {
        // Counts of rows are integers, so these compare as the integers did.
        !(self.max_depth.is_some_and(|d| depth >= d)
            || count < self.min_samples_split as f64
            || count < 2.0 * self.min_samples_leaf as f64)
    }

    /// Whether a split of `gain` is worth making in a node whose own score is `parent`.
    pub fn accepts(&self, gain: f64, parent: f64) -> bool {
        if self.allow_zero_gain {
            gain >= -1e-9 * parent.abs()
        } else {
            // Rounding in the sums can make a useless split look slightly positive.
            gain > 1e-12 * parent.abs() && gain > 0.0
        }
    }
}

/// A leaf of a freshly grown tree, before its output values are known.
pub(crate) struct Leaf {
    pub node: usize,
    /// Statistics of the leaf's rows, laid out like a histogram bin.
    pub totals: Vec<f64>,
    /// The leaf's rows are `Grown::indices[start..end]`.
    pub start: usize,
    pub end: usize,
}

/// A grown tree whose leaves still need values (see [`Tree::set_leaf`]).
pub(crate) struct Grown {
    pub tree: Tree,
    pub leaves: Vec<Leaf>,
    pub indices: Vec<u32>,
}

/// Arrays recycled from node to node and from tree to tree: fresh pages cost more to fault in
/// and zero than building a histogram does (on a million rows the per-tree gathered-statistics
/// and partition arrays alone are 20 MB).
#[derive(Default)]
pub(crate) struct Buffers {
    /// Histograms, all of `layout.total` values.
    hists: Vec<Vec<f64>>,
    /// The nodes' gathered statistics.
    gathered: Vec<f64>,
    /// Scratch space of [`partition`].
    scratch: Vec<u32>,
}

struct Candidate {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    totals: Vec<f64>,
    /// The node's histogram over all of the tree's features (subtraction mode only).
    hist: Option<Vec<f64>>,
    split: SplitInfo,
}

struct Grower<'a> {
    data: &'a BinnedData,
    layout: &'a HistLayout,
    stats: &'a Stats<'a>,
    /// Sample weights: a node's count (for `min_samples_*` and the count estimates of
    /// gradient-hessian bins) is then its weight sum instead of its number of rows.
    weights: Option<&'a [f64]>,
    cfg: &'a GrowConfig,
    tree_features: &'a [usize],
    rng: &'a mut SeededRng,
    /// Histograms of children are built directly from their rows for a random subset of
    /// features, instead of building the smaller child and subtracting it from the parent: with
    /// few features per split (random forests) that is much less work than maintaining every
    /// feature's histogram.
    direct: bool,
    /// Subtraction mode over all of the tree's features: a split's children are built and
    /// searched in one pass (see [`crate::search`]).
    fused: bool,
    bufs: &'a mut Buffers,
    cons: Constraints,
}

/// Grows a tree on the rows `indices` (ascending; duplicates allowed, e.g. a bootstrap).
/// `all_rows` promises that `indices` is exactly `0..data.n_rows`, which lets the root read
/// columns without indirection. `tree_features` must be ascending. `bufs` recycles arrays
/// across calls (see [`Buffers`]). With sample `weights` (already folded into `stats`), a row
/// counts as its weight in `min_samples_leaf` and `min_samples_split`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn grow(
    data: &BinnedData,
    layout: &HistLayout,
    stats: &Stats,
    weights: Option<&[f64]>,
    mut indices: Vec<u32>,
    all_rows: bool,
    tree_features: &[usize],
    cfg: &GrowConfig,
    rng: &mut SeededRng,
    n_outputs: usize,
    bufs: &mut Buffers,
) -> Grown {
    let direct = cfg
        .features_per_split
        .is_some_and(|m| 2 * m < tree_features.len());
    let fused = !direct
        && cfg
            .features_per_split
            .is_none_or(|m| m >= tree_features.len());
    let mut g = Grower {
        data,
        layout,
        stats,
        weights,
        cfg,
        tree_features,
        rng,
        direct,
        fused,
        bufs,
        cons: Constraints {
            min_samples_leaf: cfg.min_samples_leaf as f64,
            min_hessian: cfg.min_hessian,
        },
    };
    let mut tree = Tree::new(n_outputs);
    let mut leaves = Vec::new();
    let mut open: Vec<Candidate> = Vec::new();
    let mut n_leaves = 1;

    let n = indices.len();
    let totals = stats.totals(&indices);
    let root_rows = if all_rows { None } else { Some(&indices[..]) };
    let count = g.count(&indices);
    let found = g.evaluate_node(&indices, root_rows, None, &totals, count, 0);
    file(&mut open, &mut leaves, (0, 0, n, totals), 0, found);

    while let Some(c) = g.next_candidate(&mut open) {
        if cfg.max_leaves.is_some_and(|m| n_leaves >= m) {
            g.release(c.hist);
            let node = (c.node, c.start, c.end, c.totals);
            file(&mut open, &mut leaves, node, c.depth, None);
            continue;
        }
        let split = &c.split;
        let fb = &data.features[split.feature];
        let table = split.goes_left_table(fb.missing_bin());
        let mid = c.start
            + partition(
                &mut indices[c.start..c.end],
                &mut g.bufs.scratch,
                data.column(split.feature),
                &table,
                cfg.parallel,
            );
        let (left_node, [left_totals, right_totals]) =
            apply_split(&mut tree, c.node, split, fb, &c.totals);
        n_leaves += 1;
        let children = [
            (left_node, c.start, mid, left_totals),
            (left_node + 1, mid, c.end, right_totals),
        ];
        let depth = c.depth + 1;
        let counts = children
            .each_ref()
            .map(|(_, s, e, _)| g.count(&indices[*s..*e]));
        let can = [0, 1].map(|k| g.splittable(counts[k], depth, &children[k].3));

        if g.fused {
            let parent = c.hist.expect("subtraction mode keeps histograms");
            let [left, right] = g.split_children(parent, &indices, &children, counts, can);
            for (found, child) in [left, right].into_iter().zip(children) {
                let found = found.map(|(split, hist)| (split, Some(hist)));
                file(&mut open, &mut leaves, child, depth, found);
            }
            continue;
        }

        // Histograms of the children, when subtraction is used.
        let mut child_hists: [Option<Vec<f64>>; 2] = [None, None];
        if !g.direct {
            let parent = c.hist.expect("subtraction mode keeps histograms");
            if can[0] || can[1] {
                let small = if mid - c.start <= c.end - mid { 0 } else { 1 };
                let large = 1 - small;
                let (_, s, e, _) = &children[small];
                let mut small_hist = g.alloc();
                let rows = &indices[*s..*e];
                let ordered = g.gather(rows);
                build(
                    &mut small_hist,
                    layout,
                    data,
                    Some(rows),
                    &ordered,
                    tree_features,
                    cfg.parallel,
                );
                g.recycle(ordered);
                if can[large] {
                    let mut parent = parent;
                    subtract(&mut parent, &small_hist, layout, tree_features);
                    child_hists[large] = Some(parent);
                } else {
                    g.release(Some(parent));
                }
                if can[small] {
                    child_hists[small] = Some(small_hist);
                } else {
                    g.release(Some(small_hist));
                }
            } else {
                g.release(Some(parent));
            }
        }

        for (k, child) in children.into_iter().enumerate() {
            let found = if can[k] {
                let rows = &indices[child.1..child.2];
                let hist = child_hists[k].take();
                g.evaluate_node(rows, Some(rows), hist, &child.3, counts[k], depth)
            } else {
                None
            };
            file(&mut open, &mut leaves, child, depth, found);
        }
    }
    Grown {
        tree,
        leaves,
        indices,
    }
}

/// The next open node to split, keyed by `(gain, node id)`: leaf-wise growth takes the one
/// of largest gain (lowest node id on ties, for determinism), depth-first growth the most
/// recent one. [`crate::external`] grows in this same order, which its trees' equality with
/// in-memory ones depends on.
pub(crate) fn next_open<T>(
    open: &mut Vec<T>,
    leaf_wise: bool,
    key: impl Fn(&T) -> (f64, usize),
) -> Option<T> {
    if leaf_wise {
        let best = open
            .iter()
            .enumerate()
            .max_by(|(_, a), (_, b)| {
                let ((ga, na), (gb, nb)) = (key(a), key(b));
                ga.total_cmp(&gb).then(nb.cmp(&na))
            })
            .map(|(i, _)| i)?;
        Some(open.swap_remove(best))
    } else {
        open.pop()
    }
}

/// A child of a split: node id, row range, statistics.
type Child = (usize, usize, usize, Vec<f64>);

/// Turns leaf `node` of `tree` into `split` (on a feature binned as `fb`) of a node whose
/// statistics are `totals`; returns the left child's index (the right one is next) and the
/// children's statistics.
pub(crate) fn apply_split(
    tree: &mut Tree,
    node: usize,
    split: &SplitInfo,
    fb: &FeatureBins,
    totals: &[f64],
) -> (usize, [Vec<f64>; 2]) {
    let left_node = match &split.rule {
        SplitRule::Numeric { bin } => tree.split_numeric(
            node,
            split.feature,
            fb.threshold(*bin),
            split.default_left,
            split.gain,
        ),
        SplitRule::Categorical { left } => tree.split_categorical(
            node,
            split.feature,
            *left,
            fb.n_bins(),
            split.default_left,
            split.gain,
        ),
    };
    let left = split.left.clone();
    let right = totals.iter().zip(&left).map(|(t, l)| t - l).collect();
    (left_node, [left, right])
}

/// Files a node: open for splitting when `found` holds its best split (and, in subtraction
/// mode, its histogram), else a leaf.
fn file(
    open: &mut Vec<Candidate>,
    leaves: &mut Vec<Leaf>,
    (node, start, end, totals): Child,
    depth: usize,
    found: Option<(SplitInfo, Option<Vec<f64>>)>,
) {
    match found {
        Some((split, hist)) => open.push(Candidate {
            node,
            start,
            end,
            depth,
            totals,
            hist,
            split,
        }),
        None => leaves.push(Leaf {
            node,
            totals,
            start,
            end,
        }),
    }
}

impl Grower<'_> {
    fn search(&self) -> Search<'_> {
        Search {
            data: self.data,
            layout: self.layout,
            features: self.tree_features,
            scorer: &self.cfg.scorer,
            cons: &self.cons,
            parallel: self.cfg.parallel,
        }
    }

    /// Fused mode: the children's histograms (smaller built, larger by subtraction from
    /// `parent`) and best splits, for the children that `can` be split; `None` for a leaf.
    /// `counts` are the children's counts (see [`Grower::count`]).
    fn split_children(
        &mut self,
        mut parent: Vec<f64>,
        indices: &[u32],
        children: &[Child; 2],
        counts: [f64; 2],
        can: [bool; 2],
    ) -> [Option<(SplitInfo, Vec<f64>)>; 2] {
        if !(can[0] || can[1]) {
            self.release(Some(parent));
            return [None, None];
        }
        let len = |c: &Child| c.2 - c.1;
        let small = if len(&children[0]) <= len(&children[1]) {
            0
        } else {
            1
        };
        let large = 1 - small;
        let (_, s, e, _) = &children[small];
        let rows = &indices[*s..*e];
        let mut small_hist = self.alloc();
        let ordered = self.gather(rows);
        let (small_best, large_best) = self.search().run(
            &mut small_hist,
            Some(rows),
            &ordered,
            can[small].then_some(&children[small].3[..]),
            counts[small],
            can[large].then(|| Sibling {
                hist: &mut parent,
                totals: Some(&children[large].3[..]),
                count: counts[large],
            }),
        );
        self.recycle(ordered);
        let mut out = [None, None];
        out[small] = self.keep(small_best, small_hist, &children[small].3);
        out[large] = self.keep(large_best, parent, &children[large].3);
        out
    }

    /// `split` with the node's histogram if the split is worth making, else `None` (and the
    /// histogram goes back to the pool).
    fn keep(
        &mut self,
        split: Option<SplitInfo>,
        hist: Vec<f64>,
        totals: &[f64],
    ) -> Option<(SplitInfo, Vec<f64>)> {
        match split {
            Some(split) if self.accept(split.gain, self.cfg.scorer.score(totals)) => {
                Some((split, hist))
            }
            _ => {
                self.release(Some(hist));
                None
            }
        }
    }

    fn alloc(&mut self) -> Vec<f64> {
        self.bufs
            .hists
            .pop()
            .unwrap_or_else(|| vec![0.0; self.layout.total])
    }

    fn gather(&mut self, rows: &[u32]) -> Ordered {
        self.stats.gather_into(
            rows,
            std::mem::take(&mut self.bufs.gathered),
            self.cfg.parallel,
        )
    }

    fn recycle(&mut self, ordered: Ordered) {
        self.bufs.gathered = ordered.into_buffer();
    }

    fn release(&mut self, hist: Option<Vec<f64>>) {
        if let Some(h) = hist {
            self.bufs.hists.push(h);
        }
    }

    fn next_candidate(&self, open: &mut Vec<Candidate>) -> Option<Candidate> {
        next_open(open, self.cfg.max_leaves.is_some(), |c| {
            (c.split.gain, c.node)
        })
    }

    /// A node's count: its number of rows, or with sample weights the sum of their weights.
    fn count(&self, rows: &[u32]) -> f64 {
        match self.weights {
            None => rows.len() as f64,
            Some(w) => rows.iter().map(|&i| w[i as usize]).sum(),
        }
    }

    /// Whether a node of `count` rows (or weight) and statistics `totals` may be split.
    fn splittable(&self, count: f64, depth: usize, totals: &[f64]) -> bool {
        if !self.cfg.may_split(count, depth) {
            return false;
        }
        match self.stats {
            // A pure node has nothing left to separate.
            Stats::Class { .. } => totals.iter().all(|&c| c < count),
            // Weight sums of a child are its parent's minus its sibling's, which can leave a
            // rounding residue for a class no row of the node has.
            Stats::WeightedClass { .. } => {
                totals.iter().filter(|&&c| c > 1e-9 * count).count() >= 2
            }
            _ => true,
        }
    }

    /// Finds the split of a node whose rows are `rows` (`hist_rows` is what to pass to
    /// `build`: `None` for the root over all rows) and whose count is `count` (see
    /// [`Grower::count`]). In subtraction mode `hist` is the node's histogram if already known
    /// (else it is built here) and is handed back for the children.
    fn evaluate_node(
        &mut self,
        rows: &[u32],
        hist_rows: Option<&[u32]>,
        hist: Option<Vec<f64>>,
        totals: &[f64],
        count: f64,
        depth: usize,
    ) -> Option<(SplitInfo, Option<Vec<f64>>)> {
        if !self.splittable(count, depth, totals) {
            self.release(hist);
            return None;
        }
        let groups = self.feature_groups();
        let ordered = if self.direct || hist.is_none() {
            Some(self.gather(rows))
        } else {
            None
        };
        let mut found = None;
        let mut kept = None;
        if self.direct {
            let mut buf = self.alloc();
            for group in &groups {
                build(
                    &mut buf,
                    self.layout,
                    self.data,
                    hist_rows,
                    ordered.as_ref().expect("gathered"),
                    group,
                    self.cfg.parallel,
                );
                found = self.best_split(&buf, group, totals, count);
                if found.is_some() {
                    break;
                }
            }
            self.release(Some(buf));
        } else if self.fused && hist.is_none() {
            let mut buf = self.alloc();
            let ordered = ordered.as_ref().expect("gathered");
            found = self
                .search()
                .run(&mut buf, hist_rows, ordered, Some(totals), count, None)
                .0;
            kept = Some(buf);
        } else {
            let h = hist.unwrap_or_else(|| {
                let mut buf = self.alloc();
                build(
                    &mut buf,
                    self.layout,
                    self.data,
                    hist_rows,
                    ordered.as_ref().expect("gathered"),
                    self.tree_features,
                    self.cfg.parallel,
                );
                buf
            });
            for group in &groups {
                found = self.best_split(&h, group, totals, count);
                if found.is_some() {
                    break;
                }
            }
            kept = Some(h);
        }
        if let Some(ordered) = ordered {
            self.recycle(ordered);
        }
        let parent = self.cfg.scorer.score(totals);
        match found {
            Some(split) if self.accept(split.gain, parent) => Some((split, kept)),
            _ => {
                self.release(kept);
                None
            }
        }
    }

    fn best_split(
        &self,
        hist: &[f64],
        features: &[usize],
        totals: &[f64],
        count: f64,
    ) -> Option<SplitInfo> {
        find_best_split(
            hist,
            self.layout,
            self.data,
            features,
            totals,
            count,
            &self.cfg.scorer,
            &self.cons,
            self.cfg.parallel,
        )
    }

    fn accept(&self, gain: f64, parent: f64) -> bool {
        self.cfg.accepts(gain, parent)
    }

    /// The feature sets to try in turn: all tree features at once, or random groups of
    /// `features_per_split`. Like scikit-learn, later groups are only tried when no feature of
    /// the earlier ones can split the node.
    fn feature_groups(&mut self) -> Vec<Vec<usize>> {
        let all = self.tree_features;
        match self.cfg.features_per_split {
            Some(m) if m < all.len() => {
                let mut shuffled = all.to_vec();
                for i in 0..shuffled.len() - 1 {
                    let j = i + self.rng.index(shuffled.len() - i);
                    shuffled.swap(i, j);
                }
                shuffled
                    .chunks(m.max(1))
                    .map(|c| {
                        let mut c = c.to_vec();
                        c.sort_unstable();
                        c
                    })
                    .collect()
            }
            _ => vec![all.to_vec()],
        }
    }
}

/// Stable in-place partition of `rows` by `goes_left[bin]`; returns the number that go left.
///
/// With `parallel`, big ranges are split in two halves partitioned side by side; the halves'
/// `[left1 right1 left2 right2]` then becomes `[left1 left2 right1 right2]` by one rotation,
/// so the result is the same.
fn partition(
    rows: &mut [u32],
    scratch: &mut Vec<u32>,
    col: &[u8],
    goes_left: &[bool; 256],
    parallel: bool,
) -> usize {
    // Only grown, never cleared: every slot read is written first.
    if scratch.len() < rows.len() {
        scratch.resize(rows.len(), 0);
    }
    let scratch = &mut scratch[..rows.len()];
    if Spread::of(rows.len(), parallel) == Spread::One {
        return partition_serial(rows, scratch, col, goes_left);
    }
    let mid = rows.len() / 2;
    let (first, second) = rows.split_at_mut(mid);
    let (scratch1, scratch2) = scratch.split_at_mut(mid);
    let (n1, n2) = spin::join(
        || partition_serial(first, scratch1, col, goes_left),
        || partition_serial(second, scratch2, col, goes_left),
    );
    rows[n1..mid + n2].rotate_left(mid - n1);
    n1 + n2
}

/// [`partition`] on one thread, with `scratch` at least as long as `rows`.
///
/// Branch-free: every index is written to both destinations and only the matching cursor
/// advances, since which side a row goes to is as unpredictable as the data.
fn partition_serial(
    rows: &mut [u32],
    scratch: &mut [u32],
    col: &[u8],
    goes_left: &[bool; 256],
) -> usize {
    let (mut n_left, mut n_right) = (0, 0);
    for k in 0..rows.len() {
        let i = rows[k];
        let left = goes_left[col[i as usize] as usize];
        // n_left <= k: this only overwrites an index already read.
        rows[n_left] = i;
        scratch[n_right] = i;
        n_left += usize::from(left);
        n_right += usize::from(!left);
    }
    rows[n_left..].copy_from_slice(&scratch[..n_right]);
    n_left
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_is_stable() {
        let col = [0u8, 1, 0, 1, 1, 0];
        let mut table = [false; 256];
        table[0] = true;
        let mut rows = vec![0, 1, 2, 3, 4, 5];
        let n = partition(&mut rows, &mut Vec::new(), &col, &table, false);
        assert_eq!(n, 3);
        assert_eq!(rows, vec![0, 2, 5, 1, 3, 4]);
    }

    #[test]
    fn partition_in_two_halves_equals_one_pass() {
        let n = 20_000u32;
        let col: Vec<u8> = (0..n)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        let mut table = [false; 256];
        for (b, t) in table.iter_mut().enumerate() {
            *t = b % 3 == 0;
        }
        // Every third row dropped, as in a node's range.
        let rows: Vec<u32> = (0..n).filter(|i| i % 3 != 1).collect();
        let mut serial = rows.clone();
        let n_serial = partition(&mut serial, &mut Vec::new(), &col, &table, false);
        let mut halves = rows;
        let n_halves = crate::tests::in_pool(2, || {
            partition(&mut halves, &mut Vec::new(), &col, &table, true)
        });
        assert_eq!(n_halves, n_serial);
        assert_eq!(halves, serial);
        assert!(serial[..n_serial]
            .iter()
            .all(|&i| table[col[i as usize] as usize]));
    }
}
