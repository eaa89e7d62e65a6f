//! Finding the best split of a node from its histogram.
//!
//! Every criterion is written as a node *score* (higher is better) so that the gain of a split
//! is `score(left) + score(right) - score(parent)`:
//! - gradient boosting and regression: `G^2 / (H + l2)` (the second-order loss reduction; with
//!   `g = y`, `h = 1`, `l2 = 0` it is the reduction of the sum of squared errors),
//! - gini: `sum_c n_c^2 / n` (that is `n - n * gini`),
//! - entropy: `sum_c n_c ln n_c - n ln n` (that is `-n * entropy`).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::binning::BinnedData;
use crate::histogram::HistLayout;
#[cfg(test)]
use crate::histogram::Stats;

/// Impurity measure for classification trees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Criterion {
    /// Gini impurity (scikit-learn's default).
    #[default]
    Gini,
    /// Shannon entropy (information gain).
    Entropy,
}

impl Criterion {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "gini" => Some(Criterion::Gini),
            "entropy" | "log_loss" => Some(Criterion::Entropy),
            _ => None,
        }
    }
}

/// Below this many bins over all candidate features a split search runs on one thread.
const PARALLEL_MIN_BINS: usize = 4096;

/// How bins' statistics turn into scores; fixed per tree.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scorer {
    /// Bins hold `[g, h, n]`.
    GradHess { l2: f64, cat_smooth: f64 },
    /// Bins hold `[g, n]`, the hessian being the count.
    Grad { l2: f64, cat_smooth: f64 },
    /// Bins hold class counts.
    Class { k: usize, criterion: Criterion },
}

impl Scorer {
    /// A scorer matching the layout of `stats` (the models choose theirs: a weighted
    /// regression tree scores `GradHess` bins as `Grad`).
    #[cfg(test)]
    pub fn for_stats(stats: &Stats, l2: f64, cat_smooth: f64, criterion: Criterion) -> Self {
        match stats {
            Stats::GradHess { .. } => Scorer::GradHess { l2, cat_smooth },
            Stats::Grad { .. } => Scorer::Grad { l2, cat_smooth },
            Stats::Class { k, .. } | Stats::WeightedClass { k, .. } => {
                Scorer::Class { k: *k, criterion }
            }
        }
    }

    /// Score of a node with statistics `s`.
    pub fn score(&self, s: &[f64]) -> f64 {
        fn of<K: Kind>(kind: K, s: &[f64]) -> f64 {
            kind.score(&kind.load(s, 0))
        }
        match *self {
            Scorer::GradHess { l2, cat_smooth } => of(
                GradHessKind {
                    l2,
                    cat_smooth,
                    count_per_hessian: 1.0,
                },
                s,
            ),
            Scorer::Grad { l2, cat_smooth } => of(GradKind { l2, cat_smooth }, s),
            Scorer::Class { k, criterion } => of(ClassKind { k, criterion }, s),
        }
    }
}

/// The statistics layout of a histogram bin and its scoring, as a type so that each layout's
/// split scan is compiled separately: with a fixed stride the accumulators are arrays held in
/// registers and the scan is straight-line arithmetic.
trait Kind: Copy + Sync {
    /// One bin's worth of statistics.
    type Acc: Clone + Send + Sync + AsRef<[f64]>;
    fn zero(&self) -> Self::Acc;
    /// Bin `b` of a feature's histogram part.
    fn load(&self, part: &[f64], b: usize) -> Self::Acc;
    fn add_bin(&self, acc: &mut Self::Acc, part: &[f64], b: usize);
    fn add(&self, acc: &mut Self::Acc, other: &Self::Acc);
    fn sub_into(&self, out: &mut Self::Acc, total: &Self::Acc, part: &Self::Acc);
    fn count(&self, s: &Self::Acc) -> f64;
    /// Whether the numeric scan skips empty bins (see [`scan_numeric`]).
    const SKIP_EMPTY: bool = true;
    /// Whether no row contributed to `s`.
    #[inline(always)]
    fn is_empty(&self, s: &Self::Acc) -> bool {
        self.count(s) == 0.0
    }
    fn hessian(&self, s: &Self::Acc) -> f64;
    fn score(&self, s: &Self::Acc) -> f64;
    /// `score(left) + score(right)` as a fraction `(numerator, positive denominator)`: the
    /// scans compare candidates by cross-multiplying, which keeps divisions (the slowest
    /// instruction of the loop) out of the per-bin work.
    #[inline(always)]
    fn pair_score(&self, left: &Self::Acc, right: &Self::Acc) -> (f64, f64) {
        (self.score(left) + self.score(right), 1.0)
    }
    /// Orderings of a categorical feature's categories to scan for the best prefix: by gradient
    /// ratio for gradient stats (optimal for the second-order objective, as in LightGBM), by
    /// the rate of each class for class counts (optimal for two classes; one-vs-rest
    /// otherwise).
    fn n_orders(&self) -> usize {
        1
    }
    fn category_key(&self, s: &Self::Acc, order: usize) -> f64;
}

/// The layout-independent operations of a kind whose bins hold `$s` values.
macro_rules! fixed_stride {
    ($s:literal) => {
        type Acc = [f64; $s];
        fn zero(&self) -> [f64; $s] {
            [0.0; $s]
        }
        #[inline(always)]
        fn load(&self, part: &[f64], b: usize) -> [f64; $s] {
            std::array::from_fn(|i| part[b * $s + i])
        }
        #[inline(always)]
        fn add_bin(&self, acc: &mut [f64; $s], part: &[f64], b: usize) {
            let bin = self.load(part, b);
            self.add(acc, &bin);
        }
        #[inline(always)]
        fn add(&self, acc: &mut [f64; $s], other: &[f64; $s]) {
            for i in 0..$s {
                acc[i] += other[i];
            }
        }
        #[inline(always)]
        fn sub_into(&self, out: &mut [f64; $s], total: &[f64; $s], part: &[f64; $s]) {
            for i in 0..$s {
                out[i] = total[i] - part[i];
            }
        }
    };
}

/// Bins hold `[g, h]`; row counts are estimated from the hessian as LightGBM does,
/// `round(h * n / H)` with the node's `n` rows (or, with sample weights, its weight sum) and
/// hessian sum `H`.
#[derive(Clone, Copy)]
struct GradHessKind {
    l2: f64,
    cat_smooth: f64,
    /// `n / H` of the node being split.
    count_per_hessian: f64,
}

impl Kind for GradHessKind {
    fixed_stride!(2);
    const SKIP_EMPTY: bool = false;
    /// The estimate plus one half, unrounded: for the integer bounds it is compared with,
    /// `count < m` then says `round(estimate) < m`, without a rounding instruction per bin.
    #[inline(always)]
    fn count(&self, s: &[f64; 2]) -> f64 {
        s[1] * self.count_per_hessian + 0.5
    }
    /// Every row has a positive hessian, so only empty bins (or the rounding residue of a
    /// subtraction) sum to zero.
    #[inline(always)]
    fn is_empty(&self, s: &[f64; 2]) -> bool {
        s[0] == 0.0 && s[1] == 0.0
    }
    #[inline(always)]
    fn hessian(&self, s: &[f64; 2]) -> f64 {
        s[1]
    }
    #[inline(always)]
    fn score(&self, s: &[f64; 2]) -> f64 {
        s[0] * s[0] / (s[1] + self.l2)
    }
    #[inline(always)]
    fn pair_score(&self, l: &[f64; 2], r: &[f64; 2]) -> (f64, f64) {
        let (hl, hr) = (l[1] + self.l2, r[1] + self.l2);
        (l[0] * l[0] * hr + r[0] * r[0] * hl, hl * hr)
    }
    fn category_key(&self, s: &[f64; 2], _: usize) -> f64 {
        s[0] / (s[1] + self.cat_smooth)
    }
}

#[derive(Clone, Copy)]
struct GradKind {
    l2: f64,
    cat_smooth: f64,
}

impl Kind for GradKind {
    fixed_stride!(2);
    #[inline(always)]
    fn count(&self, s: &[f64; 2]) -> f64 {
        s[1]
    }
    #[inline(always)]
    fn hessian(&self, s: &[f64; 2]) -> f64 {
        s[1]
    }
    #[inline(always)]
    fn score(&self, s: &[f64; 2]) -> f64 {
        let h = s[1] + self.l2;
        if h > 0.0 {
            s[0] * s[0] / h
        } else {
            0.0
        }
    }
    #[inline(always)]
    fn pair_score(&self, l: &[f64; 2], r: &[f64; 2]) -> (f64, f64) {
        // Children hold at least one row, so both denominators are positive.
        let (hl, hr) = (l[1] + self.l2, r[1] + self.l2);
        (l[0] * l[0] * hr + r[0] * r[0] * hl, hl * hr)
    }
    fn category_key(&self, s: &[f64; 2], _: usize) -> f64 {
        s[0] / (s[1] + self.cat_smooth)
    }
}

/// Two classes: bins hold `[n_0, n_1]`.
#[derive(Clone, Copy)]
struct BinaryKind {
    criterion: Criterion,
}

impl Kind for BinaryKind {
    fixed_stride!(2);
    #[inline(always)]
    fn count(&self, s: &[f64; 2]) -> f64 {
        s[0] + s[1]
    }
    #[inline(always)]
    fn hessian(&self, s: &[f64; 2]) -> f64 {
        s[0] + s[1]
    }
    #[inline(always)]
    fn score(&self, s: &[f64; 2]) -> f64 {
        class_score(self.criterion, s)
    }
    #[inline(always)]
    fn pair_score(&self, l: &[f64; 2], r: &[f64; 2]) -> (f64, f64) {
        match self.criterion {
            Criterion::Gini => {
                let (nl, nr) = (l[0] + l[1], r[0] + r[1]);
                let (sl, sr) = (l[0] * l[0] + l[1] * l[1], r[0] * r[0] + r[1] * r[1]);
                (sl * nr + sr * nl, nl * nr)
            }
            Criterion::Entropy => (self.score(l) + self.score(r), 1.0),
        }
    }
    fn category_key(&self, s: &[f64; 2], _: usize) -> f64 {
        s[1] / (s[0] + s[1])
    }
}

/// Any number of classes: bins hold one count per class.
#[derive(Clone, Copy)]
struct ClassKind {
    k: usize,
    criterion: Criterion,
}

impl Kind for ClassKind {
    type Acc = Vec<f64>;
    fn zero(&self) -> Vec<f64> {
        vec![0.0; self.k]
    }
    fn load(&self, part: &[f64], b: usize) -> Vec<f64> {
        part[b * self.k..(b + 1) * self.k].to_vec()
    }
    fn add_bin(&self, acc: &mut Vec<f64>, part: &[f64], b: usize) {
        for (a, v) in acc.iter_mut().zip(&part[b * self.k..(b + 1) * self.k]) {
            *a += v;
        }
    }
    fn add(&self, acc: &mut Vec<f64>, other: &Vec<f64>) {
        for (a, v) in acc.iter_mut().zip(other) {
            *a += v;
        }
    }
    fn sub_into(&self, out: &mut Vec<f64>, total: &Vec<f64>, part: &Vec<f64>) {
        for ((o, t), p) in out.iter_mut().zip(total).zip(part) {
            *o = t - p;
        }
    }
    fn count(&self, s: &Vec<f64>) -> f64 {
        s.iter().sum()
    }
    fn hessian(&self, s: &Vec<f64>) -> f64 {
        self.count(s)
    }
    fn score(&self, s: &Vec<f64>) -> f64 {
        class_score(self.criterion, s)
    }
    fn n_orders(&self) -> usize {
        if self.k > 2 {
            self.k
        } else {
            1
        }
    }
    fn category_key(&self, s: &Vec<f64>, order: usize) -> f64 {
        let class = if self.k == 2 { 1 } else { order };
        s[class] / self.count(s)
    }
}

#[inline(always)]
fn class_score(criterion: Criterion, s: &[f64]) -> f64 {
    let n: f64 = s.iter().sum();
    if n <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Gini => s.iter().map(|c| c * c).sum::<f64>() / n,
        Criterion::Entropy => {
            s.iter()
                .filter(|&&c| c > 0.0)
                .map(|&c| c * c.ln())
                .sum::<f64>()
                - n * n.ln()
        }
    }
}

/// Constraints every child of a split must satisfy.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Constraints {
    pub min_samples_leaf: f64,
    pub min_hessian: f64,
}

/// Which bins go left.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SplitRule {
    /// Bins `<= bin` go left.
    Numeric { bin: usize },
    /// Bins whose bit is set go left.
    Categorical { left: [u64; 4] },
}

/// The best split found for a node.
#[derive(Clone, Debug)]
pub(crate) struct SplitInfo {
    pub gain: f64,
    pub feature: usize,
    pub rule: SplitRule,
    /// Where missing values (and, for categorical features, unknown codes) go.
    pub default_left: bool,
    /// Statistics of the left child, laid out like one histogram bin.
    pub left: Vec<f64>,
}

impl SplitInfo {
    /// `table[b]` tells whether bin `b` of the split feature goes left.
    pub fn goes_left_table(&self, missing_bin: usize) -> [bool; 256] {
        let mut table = [false; 256];
        for (b, t) in table.iter_mut().enumerate().take(missing_bin) {
            *t = match &self.rule {
                SplitRule::Numeric { bin } => b <= *bin,
                SplitRule::Categorical { left } => bit(left, b),
            };
        }
        table[missing_bin] = self.default_left;
        table
    }
}

#[inline]
pub(crate) fn bit(set: &[u64; 4], b: usize) -> bool {
    set[b / 64] >> (b % 64) & 1 == 1
}

/// The best split over `features` (ascending) of a node with statistics `totals` and histogram
/// `hist`, or `None` when no split satisfies the constraints. Ties go to the lowest feature.
/// `count` is the node's number of rows, or its weight sum with sample weights (gradient-hessian
/// bins estimate their counts from it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn find_best_split(
    hist: &[f64],
    layout: &HistLayout,
    data: &BinnedData,
    features: &[usize],
    totals: &[f64],
    count: f64,
    scorer: &Scorer,
    cons: &Constraints,
    parallel: bool,
) -> Option<SplitInfo> {
    let parts: Vec<(usize, &[f64])> = features
        .iter()
        .map(|&f| (f, layout.feature(hist, f)))
        .collect();
    // Scanning costs a few nanoseconds per bin: below a few thousand bins, waking rayon's
    // workers costs more than the scan.
    let bins: usize = features.iter().map(|&f| data.features[f].n_bins()).sum();
    best_split_of_parts(
        &parts,
        data,
        totals,
        count,
        scorer,
        cons,
        parallel && bins >= PARALLEL_MIN_BINS,
    )
}

/// [`find_best_split`] over histogram parts given as `(feature, part)`, features ascending.
pub(crate) fn best_split_of_parts(
    parts: &[(usize, &[f64])],
    data: &BinnedData,
    totals: &[f64],
    count: f64,
    scorer: &Scorer,
    cons: &Constraints,
    parallel: bool,
) -> Option<SplitInfo> {
    let args = (parts, data, totals, cons, parallel);
    match *scorer {
        Scorer::GradHess { l2, cat_smooth } => best_of(
            GradHessKind {
                l2,
                cat_smooth,
                count_per_hessian: count / totals[1],
            },
            args,
        ),
        Scorer::Grad { l2, cat_smooth } => best_of(GradKind { l2, cat_smooth }, args),
        Scorer::Class { k: 2, criterion } => best_of(BinaryKind { criterion }, args),
        Scorer::Class { k, criterion } => best_of(ClassKind { k, criterion }, args),
    }
}

type ScanArgs<'a> = (
    &'a [(usize, &'a [f64])],
    &'a BinnedData,
    &'a [f64],
    &'a Constraints,
    bool,
);

fn best_of<K: Kind>(kind: K, args: ScanArgs) -> Option<SplitInfo> {
    let (parts, data, totals, cons, parallel) = args;
    let totals = kind.load(totals, 0);
    let parent = kind.score(&totals);
    let scan = |&(f, part): &(usize, &[f64])| {
        let fb = &data.features[f];
        let mut best = if fb.is_categorical() {
            scan_categorical(kind, part, fb.n_bins(), &totals, parent, cons)
        } else {
            scan_numeric(kind, part, fb.n_bins(), &totals, parent, cons)
        }?;
        best.feature = f;
        Some(best)
    };
    let per_feature: Vec<Option<SplitInfo>> = if parallel {
        parts.par_iter().map(scan).collect()
    } else {
        parts.iter().map(scan).collect()
    };
    per_feature.into_iter().flatten().fold(None, better)
}

/// Gains this close (relative to the larger) are a tie between features.
const TIE: f64 = 1e-9;

/// Keeps `best` unless `candidate` (from a later feature) has a larger gain: folding
/// candidates in feature order with it gives ties to the lowest feature. Gains within [`TIE`]
/// of each other count as tied: two features that cut a node into the same two sets (a length
/// and a width that grow together) have the same gain up to the order their histograms were
/// summed in, and the lowest feature must win whatever that order was (threads, subtraction,
/// partial sums from a cluster).
pub(crate) fn better(best: Option<SplitInfo>, candidate: SplitInfo) -> Option<SplitInfo> {
    match best {
        Some(b) if b.gain >= candidate.gain - TIE * b.gain.abs().max(candidate.gain.abs()) => {
            Some(b)
        }
        _ => Some(candidate),
    }
}

/// Scores a candidate left child as a fraction (see [`Kind::pair_score`]); `None` when a
/// child breaks a constraint. `right` is scratch space.
#[inline(always)]
fn evaluate<K: Kind>(
    kind: K,
    left: &K::Acc,
    right: &mut K::Acc,
    totals: &K::Acc,
    cons: &Constraints,
) -> Option<(f64, f64)> {
    kind.sub_into(right, totals, left);
    if kind.count(left) < cons.min_samples_leaf || kind.count(right) < cons.min_samples_leaf {
        return None;
    }
    if kind.hessian(left) < cons.min_hessian || kind.hessian(right) < cons.min_hessian {
        return None;
    }
    Some(kind.pair_score(left, right))
}

/// The best candidate so far, kept as a fraction `num / den` of the children's scores.
struct Best<T> {
    num: f64,
    den: f64,
    what: T,
}

impl<T> Best<T> {
    /// Keeps `candidate` if it strictly beats the current best (so ties keep the first).
    #[inline(always)]
    fn offer(best: &mut Option<Self>, candidate: Option<(f64, f64)>, what: impl FnOnce() -> T) {
        if let Some((num, den)) = candidate {
            if best.as_ref().is_none_or(|b| num * b.den > b.num * den) {
                *best = Some(Best {
                    num,
                    den,
                    what: what(),
                });
            }
        }
    }

    fn gain(&self, parent: f64) -> f64 {
        self.num / self.den - parent
    }
}

/// Where missing values go: the learned side when some reached the node in training, else
/// the bigger child.
fn default_left<K: Kind>(
    kind: K,
    has_missing: bool,
    missing_left: bool,
    left: &K::Acc,
    totals: &K::Acc,
) -> bool {
    if has_missing {
        missing_left
    } else {
        let n_left = kind.count(left);
        n_left >= kind.count(totals) - n_left
    }
}

fn scan_numeric<K: Kind>(
    kind: K,
    part: &[f64],
    n_bins: usize,
    totals: &K::Acc,
    parent: f64,
    cons: &Constraints,
) -> Option<SplitInfo> {
    let missing = kind.load(part, n_bins);
    let has_missing = !kind.is_empty(&missing);
    let mut acc = kind.zero();
    let mut with_missing = kind.zero();
    let mut right = kind.zero();
    let mut best: Option<Best<(usize, bool)>> = None;
    // A bin with no row repeats the previous threshold's partition: skipped, the lower one is
    // kept. Gbdt's gradient-hessian bins are only "empty" when exactly zero, so scanning them
    // gives the same candidate as the previous one, which never strictly beats the best so far:
    // there the skip is left out, as its branch is mispredicted about half the time in the
    // sparse histograms of small nodes. Count-based kinds keep it: their empty bins can hold a
    // subtraction's rounding residue, and their deep trees (min_samples_leaf 1) have many
    // nearly empty histograms where the branch is predictable and saves the evaluation.
    for b in 0..n_bins {
        if K::SKIP_EMPTY && kind.is_empty(&kind.load(part, b)) {
            continue;
        }
        kind.add_bin(&mut acc, part, b);
        Best::offer(
            &mut best,
            evaluate(kind, &acc, &mut right, totals, cons),
            || (b, false),
        );
        if has_missing {
            with_missing.clone_from(&acc);
            kind.add(&mut with_missing, &missing);
            let candidate = evaluate(kind, &with_missing, &mut right, totals, cons);
            Best::offer(&mut best, candidate, || (b, true));
        }
    }
    let best = best?;
    let (gain, (mut bin, missing_left)) = (best.gain(parent), best.what);
    if has_missing && !missing_left && (bin + 1..n_bins).all(|b| kind.is_empty(&kind.load(part, b)))
    {
        // Every present value goes left and only the missing ones right: a value above the
        // node's range at prediction time is present, so it goes left too (the threshold
        // moves to the top bin; the training partition is the same).
        bin = n_bins - 1;
    }
    let mut left = kind.zero();
    for b in 0..=bin {
        kind.add_bin(&mut left, part, b);
    }
    if missing_left {
        kind.add(&mut left, &missing);
    }
    Some(SplitInfo {
        gain,
        feature: 0,
        rule: SplitRule::Numeric { bin },
        default_left: default_left(kind, has_missing, missing_left, &left, totals),
        left: left.as_ref().to_vec(),
    })
}

fn scan_categorical<K: Kind>(
    kind: K,
    part: &[f64],
    n_bins: usize,
    totals: &K::Acc,
    parent: f64,
    cons: &Constraints,
) -> Option<SplitInfo> {
    let missing = kind.load(part, n_bins);
    let has_missing = !kind.is_empty(&missing);
    let present: Vec<usize> = (0..n_bins)
        .filter(|&b| !kind.is_empty(&kind.load(part, b)))
        .collect();
    let mut with_missing = kind.zero();
    let mut right = kind.zero();
    // (category order, prefix length, missing goes left)
    let mut best: Option<Best<(Vec<usize>, usize, bool)>> = None;
    for order_idx in 0..kind.n_orders() {
        let mut order: Vec<(f64, usize)> = present
            .iter()
            .map(|&b| (kind.category_key(&kind.load(part, b), order_idx), b))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut acc = kind.zero();
        let mut local: Option<Best<(usize, bool)>> = None;
        for (i, &(_, b)) in order.iter().enumerate() {
            kind.add_bin(&mut acc, part, b);
            let candidate = evaluate(kind, &acc, &mut right, totals, cons);
            Best::offer(&mut local, candidate, || (i + 1, false));
            if has_missing {
                with_missing.clone_from(&acc);
                kind.add(&mut with_missing, &missing);
                let candidate = evaluate(kind, &with_missing, &mut right, totals, cons);
                Best::offer(&mut local, candidate, || (i + 1, true));
            }
        }
        if let Some(l) = local {
            let order: Vec<usize> = order.iter().map(|&(_, b)| b).collect();
            Best::offer(&mut best, Some((l.num, l.den)), || {
                (order, l.what.0, l.what.1)
            });
        }
    }
    let best = best?;
    let (gain, (order, len, missing_left)) = (best.gain(parent), best.what);
    let mut set = [0u64; 4];
    let mut left = kind.zero();
    for &b in &order[..len] {
        set[b / 64] |= 1 << (b % 64);
        kind.add_bin(&mut left, part, b);
    }
    if missing_left {
        kind.add(&mut left, &missing);
    }
    Some(SplitInfo {
        gain,
        feature: 0,
        rule: SplitRule::Categorical { left: set },
        default_left: default_left(kind, has_missing, missing_left, &left, totals),
        left: left.as_ref().to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binning::bin_dataset;
    use crate::histogram::build;
    use ndarray::Array2;

    fn best(x: &Array2<f64>, y: &[u32], categorical: &[bool]) -> SplitInfo {
        let data = bin_dataset(x.view(), 255, categorical).unwrap();
        let stats = Stats::Class { y, k: 2 };
        let layout = HistLayout::new(&data, 2);
        let features: Vec<usize> = (0..x.ncols()).collect();
        let rows: Vec<u32> = (0..x.nrows() as u32).collect();
        let mut hist = vec![0.0; layout.total];
        build(
            &mut hist,
            &layout,
            &data,
            None,
            &stats.gather(&rows),
            &features,
            false,
        );
        let scorer = Scorer::for_stats(&stats, 0.0, 0.0, Criterion::Gini);
        let cons = Constraints {
            min_samples_leaf: 1.0,
            min_hessian: 0.0,
        };
        let totals = stats.totals(&rows);
        find_best_split(
            &hist,
            &layout,
            &data,
            &features,
            &totals,
            rows.len() as f64,
            &scorer,
            &cons,
            false,
        )
        .unwrap()
    }

    #[test]
    fn finds_the_known_best_threshold() {
        // Feature 0 is noise; feature 1 separates the classes perfectly between 3 and 4.
        let x =
            Array2::from_shape_vec((6, 2), vec![5., 1., 1., 2., 4., 3., 2., 4., 3., 5., 6., 6.])
                .unwrap();
        let y = [0, 0, 0, 1, 1, 1];
        let s = best(&x, &y, &[false, false]);
        assert_eq!(s.feature, 1);
        assert_eq!(s.rule, SplitRule::Numeric { bin: 2 });
        assert_eq!(s.left, vec![3.0, 0.0]);
        // gini score: parent 3^2/6 + 3^2/6 = 3; children 3 + 3 = 6.
        assert!((s.gain - 3.0).abs() < 1e-12);
    }

    #[test]
    fn missing_values_go_to_the_side_that_helps() {
        // Missing rows are all class 1, like the high values: they must go right.
        let nan = f64::NAN;
        let x = Array2::from_shape_vec((6, 1), vec![1., 2., 3., 8., 9., nan]).unwrap();
        let y = [0, 0, 0, 1, 1, 1];
        let s = best(&x, &y, &[false]);
        assert!(!s.default_left);
        assert_eq!(s.rule, SplitRule::Numeric { bin: 2 });
        // And to the left when they behave like the low values.
        let y = [1, 1, 0, 0, 0, 1];
        let x = Array2::from_shape_vec((6, 1), vec![1., 2., 7., 8., 9., nan]).unwrap();
        let s = best(&x, &y, &[false]);
        assert!(s.default_left);
        assert_eq!(s.left, vec![0.0, 3.0]);
    }

    #[test]
    fn categorical_partition_groups_non_adjacent_codes() {
        // Codes 0 and 2 are class 1, codes 1 and 3 class 0: no threshold separates them.
        let codes = [0., 1., 2., 3., 0., 1., 2., 3.];
        let x = Array2::from_shape_vec((8, 1), codes.to_vec()).unwrap();
        let y = [1, 0, 1, 0, 1, 0, 1, 0];
        let s = best(&x, &y, &[true]);
        let SplitRule::Categorical { left } = s.rule else {
            panic!("expected a categorical split")
        };
        let left_codes: Vec<usize> = (0..4).filter(|&b| bit(&left, b)).collect();
        assert_eq!(left_codes, vec![1, 3]);
        assert!((s.gain - 4.0).abs() < 1e-12);
    }
}
