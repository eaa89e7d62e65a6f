//! One parallel pass per node split: the smaller child's histogram, the larger child's by
//! subtraction, and both children's best splits, feature group by feature group.
//!
//! Done as separate passes, each step hands work to other threads again (three to four times per
//! split, thousands of times per fit) and the split scan re-reads histograms that have left
//! the cache. A group's histograms are scanned right after they are built, while still in L2.
//! The sums and the per-feature scans are those of the separate passes and the groups' best
//! splits are combined in feature order, so the models are bit-identical.

use rayon::prelude::*;

use crate::binning::BinnedData;
use crate::histogram::{fill, group_size, subtract_part, HistLayout, Ordered};
use crate::spin::{self, Spread};
use crate::split::{best_split_of_parts, better, Constraints, Scorer, SplitInfo};

/// Scanning a bin costs about as much as adding four rows of one feature to a histogram.
const SCAN_WORK_PER_BIN: usize = 4;

/// What every search of a tree shares.
pub(crate) struct Search<'a> {
    pub data: &'a BinnedData,
    pub layout: &'a HistLayout,
    pub features: &'a [usize],
    pub scorer: &'a Scorer,
    pub cons: &'a Constraints,
    pub parallel: bool,
}

/// The larger child of a split: its parent's histogram (turned into the child's in place)
/// and, when its split is wanted, its statistics and count (rows, or weight sum: see
/// [`crate::split::find_best_split`]).
pub(crate) struct Sibling<'h> {
    pub hist: &'h mut [f64],
    pub totals: Option<&'h [f64]>,
    pub count: f64,
}

/// One feature's part of the node's histogram and of the sibling's.
struct Part<'h> {
    f: usize,
    own: &'h mut [f64],
    sibling: Option<&'h mut [f64]>,
}

impl Search<'_> {
    /// Fills `hist` from `rows` (`None`: all rows, see [`crate::histogram::build`]) and, when
    /// `totals` is given, finds that node's best split (`count`: the node's rows or weight
    /// sum); with a `sibling`, subtracts `hist` from the sibling's (parent) histogram and finds
    /// its best split too when asked. Returns (best split of this node, best split of the
    /// sibling).
    pub fn run(
        &self,
        hist: &mut [f64],
        rows: Option<&[u32]>,
        ordered: &Ordered,
        totals: Option<&[f64]>,
        count: f64,
        sibling: Option<Sibling>,
    ) -> (Option<SplitInfo>, Option<SplitInfo>) {
        let layout = self.layout;
        let n_rows = rows.map_or(self.data.n_rows, <[u32]>::len);
        let (mut sibling_parts, sibling_totals, sibling_count) = match sibling {
            Some(s) => (
                layout.feature_parts(s.hist, self.features),
                s.totals,
                s.count,
            ),
            None => (Vec::new(), None, 0.0),
        };
        let mut sibling_parts = sibling_parts.drain(..).map(|(_, p)| p);
        let mut parts: Vec<Part> = layout
            .feature_parts(hist, self.features)
            .into_iter()
            .map(|(f, own)| Part {
                f,
                own,
                sibling: sibling_parts.next(),
            })
            .collect();

        let scan = |parts: &[(usize, &[f64])], totals: Option<&[f64]>, n: f64| {
            totals.and_then(|t| {
                best_split_of_parts(parts, self.data, t, n, self.scorer, self.cons, false)
            })
        };
        let group = |group: &mut [Part]| {
            let mut own: Vec<(usize, &mut [f64])> =
                group.iter_mut().map(|p| (p.f, &mut *p.own)).collect();
            fill(&mut own, self.data, rows, ordered, layout.stride);
            for p in group.iter_mut() {
                if let Some(s) = p.sibling.as_deref_mut() {
                    subtract_part(s, p.own);
                }
            }
            let own: Vec<(usize, &[f64])> = group.iter().map(|p| (p.f, &*p.own)).collect();
            let theirs: Vec<(usize, &[f64])> = group
                .iter()
                .filter_map(|p| p.sibling.as_deref().map(|s| (p.f, s)))
                .collect();
            (
                scan(&own, totals, count),
                scan(&theirs, sibling_totals, sibling_count),
            )
        };

        let scans = usize::from(totals.is_some()) + usize::from(sibling_totals.is_some());
        let part_work: Vec<usize> = parts
            .iter()
            .map(|p| n_rows + SCAN_WORK_PER_BIN * self.data.features[p.f].n_bins() * scans)
            .collect();
        let work = part_work.iter().sum();
        let per_group: Vec<(Option<SplitInfo>, Option<SplitInfo>)> =
            match Spread::of(work, self.parallel) {
                Spread::Pool => {
                    let size = group_size(parts.len());
                    parts.par_chunks_mut(size).map(group).collect()
                }
                Spread::Pair if parts.len() >= 2 => {
                    let (first, second) = parts.split_at_mut(halfway(&part_work));
                    let (a, b) = spin::join(|| group(first), || group(second));
                    vec![a, b]
                }
                _ => vec![group(&mut parts)],
            };
        per_group.into_iter().fold((None, None), |(a, b), (x, y)| {
            (fold_in(a, x), fold_in(b, y))
        })
    }
}

/// Where to cut parts of these costs in two for [`spin::join`]: the cut (at least one part on
/// either side) whose halves' costs differ least. Feature costs differ a lot: a 255-bin
/// feature's scan is many times a 5-category one's.
fn halfway(costs: &[usize]) -> usize {
    let total: usize = costs.iter().sum();
    let mut before = 0;
    let mut best = (usize::MAX, 1);
    for (k, c) in costs.iter().enumerate().take(costs.len() - 1) {
        before += c;
        best = best.min((total.abs_diff(2 * before), k + 1));
    }
    best.1
}

fn fold_in(best: Option<SplitInfo>, candidate: Option<SplitInfo>) -> Option<SplitInfo> {
    match candidate {
        Some(c) => better(best, c),
        None => best,
    }
}

#[cfg(test)]
mod tests {
    use super::halfway;

    #[test]
    fn halfway_balances_costs_and_leaves_a_part_on_each_side() {
        assert_eq!(halfway(&[1, 1]), 1);
        assert_eq!(halfway(&[1, 1, 1, 1]), 2);
        // Four cheap categorical features, then five expensive numeric ones.
        assert_eq!(halfway(&[10, 10, 10, 10, 30, 30, 30, 30, 30]), 6);
        assert_eq!(halfway(&[100, 1, 1]), 1);
        assert_eq!(halfway(&[1, 1, 100]), 2);
    }
}
