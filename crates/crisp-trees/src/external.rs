//! Gradient boosting whose histograms are summed elsewhere: by a query engine over rows that
//! never come to this machine (crisp-distributed runs it on a DataFusion Ballista cluster).
//!
//! The rows stay where they are; this side keeps only the model. Each boosting round asks a
//! [`HistogramSource`] for the per-(feature, bin) sums of gradient, hessian and rows of the
//! nodes it is about to split, and picks the splits with the same code, in the same order, as
//! an in-memory fit ([`crate::GradientBoostingValidParams::fit_binned`] on the same bins): the
//! trees come out the same, node for node, with leaf values equal up to the order in which the
//! engine adds partial sums.
//!
//! What the engine evaluates is serializable (serde) so that it can be sent to the machines
//! holding the rows: the [`BinMapper`]s bin a row, the [`Ensemble`] scores it, the
//! [`Frontier`] says which node's histogram it adds to, and the [`HistogramLayout`] where.
//!
//! One request per tree level: when the grower needs the histograms of a split's children,
//! it asks at once for the children of every node it may split next (leaf-wise growth picks
//! the open node of largest gain, which may be any of them), so a tree of depth `d` costs
//! about `d` requests instead of one per split.

use std::collections::HashMap;

use crisp_core::SeededRng;
use serde::{Deserialize, Serialize};

use crate::binned::BinMapper;
use crate::binning::{BinnedData, FeatureBins};
use crate::error::{Result, TreeError};
use crate::gbdt::{draw_features, Boosted, GradientBoosting, GradientBoostingValidParams};
use crate::grow::{apply_split, next_open, GrowConfig};
use crate::histogram::HistLayout;
use crate::loss::Loss;
use crate::params::{invalid, EarlyStopping};
use crate::split::{find_best_split, Constraints, SplitInfo};
use crate::target::{is_classification, TreeTarget};
use crate::tree::Tree;

/// Statistics kept per bin by a [`HistogramSource`]: sum of gradients, sum of hessians, rows.
pub const STATS_PER_BIN: usize = 3;

/// Where each (feature, bin) of a node's histogram lives: feature `f` owns
/// `(n_bins(f) + 1) * STATS_PER_BIN` values (its bins, then the missing bin), features in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistogramLayout {
    offsets: Vec<usize>,
    len: usize,
}

impl HistogramLayout {
    /// The layout of the features binned by `mappers`.
    pub fn new(mappers: &[BinMapper]) -> Self {
        let mut offsets = Vec::with_capacity(mappers.len());
        let mut len = 0;
        for m in mappers {
            offsets.push(len);
            len += (m.n_bins() + 1) * STATS_PER_BIN;
        }
        HistogramLayout { offsets, len }
    }

    /// Values in one node's histogram.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no features.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.offsets.len()
    }

    /// Adds one row (its bins, one per feature, and its gradient and hessian) to `hist`.
    #[inline]
    pub fn add(&self, hist: &mut [f64], bins: &[u8], g: f64, h: f64) {
        for (&offset, &b) in self.offsets.iter().zip(bins) {
            let at = offset + usize::from(b) * STATS_PER_BIN;
            hist[at] += g;
            hist[at + 1] += h;
            hist[at + 2] += 1.0;
        }
    }
}

/// The model being boosted, as the machines holding the rows need it: it scores a binned row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Ensemble {
    mappers: Vec<BinMapper>,
    loss: Loss,
    base_score: f64,
    trees: Vec<Tree>,
}

impl Ensemble {
    /// The loss whose gradients the rows contribute ([`Loss::gradient`]).
    pub fn loss(&self) -> Loss {
        self.loss
    }

    /// Number of trees so far.
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// The raw score of a binned row: the starting score plus every tree's output, added in
    /// the order an in-memory fit adds them. `row` is scratch space of one value per feature.
    pub fn score(&self, bins: &[u8], row: &mut [f64]) -> f64 {
        if self.trees.is_empty() {
            return self.base_score;
        }
        for ((v, m), &b) in row.iter_mut().zip(&self.mappers).zip(bins) {
            *v = m.value_of(b);
        }
        let mut s = self.base_score;
        for t in &self.trees {
            s += t.predict_one(row);
        }
        s
    }
}

/// One node of a [`Frontier`].
#[derive(Clone, Debug, Serialize, Deserialize)]
enum RouteNode {
    /// A node not split (yet): rows stopping here add to histogram `slot`, if any.
    End { slot: Option<u32> },
    /// Bins whose bit is set in `left` go to `first`, the others to `first + 1`.
    Split {
        feature: u32,
        left: [u64; 4],
        first: u32,
    },
}

/// The tree being grown, with its splits chosen so far (and those it may choose next), as the
/// machines holding the rows need it: it tells which requested histogram a binned row adds to.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Frontier {
    nodes: Vec<RouteNode>,
    slots: u32,
}

impl Frontier {
    /// A tree of one node, whose histogram is requested (slot 0).
    fn root() -> Self {
        Frontier {
            nodes: vec![RouteNode::End { slot: Some(0) }],
            slots: 1,
        }
    }

    /// Number of histograms requested.
    pub fn n_slots(&self) -> usize {
        self.slots as usize
    }

    /// The requested histogram a binned row adds to (`None`: the row's node needs none).
    #[inline]
    pub fn slot(&self, bins: &[u8]) -> Option<u32> {
        let mut at = 0usize;
        loop {
            match &self.nodes[at] {
                RouteNode::End { slot } => return *slot,
                RouteNode::Split {
                    feature,
                    left,
                    first,
                } => {
                    let b = usize::from(bins[*feature as usize]);
                    let goes_left = left[b / 64] >> (b % 64) & 1 == 1;
                    at = *first as usize + usize::from(!goes_left);
                }
            }
        }
    }

    /// Clears every request (before a new one is made).
    fn clear_slots(&mut self) {
        for n in &mut self.nodes {
            if let RouteNode::End { slot } = n {
                *slot = None;
            }
        }
        self.slots = 0;
    }

    /// Splits end node `node` by `table` (which bins go left); returns the children's indices.
    fn split(&mut self, node: usize, feature: usize, table: &[bool; 256]) -> [usize; 2] {
        let mut left = [0u64; 4];
        for (b, _) in table.iter().enumerate().filter(|(_, &l)| l) {
            left[b / 64] |= 1 << (b % 64);
        }
        let first = self.nodes.len();
        self.nodes[node] = RouteNode::Split {
            feature: feature as u32,
            left,
            first: first as u32,
        };
        self.nodes.push(RouteNode::End { slot: None });
        self.nodes.push(RouteNode::End { slot: None });
        [first, first + 1]
    }

    /// Requests the histogram of end node `node`; returns its slot.
    fn request(&mut self, node: usize) -> u32 {
        let slot = self.slots;
        self.nodes[node] = RouteNode::End { slot: Some(slot) };
        self.slots += 1;
        slot
    }
}

/// Sums statistics over rows that live elsewhere. Implemented by crisp-distributed over a
/// DataFusion (Ballista) table; [`fit_external`](GradientBoostingValidParams::fit_external)
/// drives it.
pub trait HistogramSource {
    /// The sum of the targets and the number of rows (for the starting score).
    fn target_sum(&mut self) -> Result<(f64, u64)>;

    /// For each slot of `frontier` ([`Frontier::n_slots`]), the histogram ([`HistogramLayout`]
    /// of `layout`) of the rows routed to it: every row's bins (by the ensemble's mappers),
    /// with the gradient and hessian of [`Ensemble::loss`] at its target and
    /// [`Ensemble::score`].
    fn histograms(
        &mut self,
        ensemble: &Ensemble,
        frontier: &Frontier,
        layout: &HistogramLayout,
    ) -> Result<Vec<Vec<f64>>>;
}

/// A leaf of a grown tree: its node and its rows' `[sum g, sum h]`.
type LeafTotals = (usize, Vec<f64>);

/// A node that may still be split: its best split is known.
struct Open {
    node: usize,
    /// The node in the frontier.
    route: usize,
    depth: usize,
    totals: Vec<f64>,
    split: SplitInfo,
    /// The node's histogram, for its children's row counts.
    hist: Vec<f64>,
    /// The frontier nodes of its children, once requested (with whether each may be split).
    children: Option<[(usize, bool); 2]>,
}

/// What grows one tree: the split search of an in-memory fit over histograms from a source.
struct ExternalGrower {
    cfg: GrowConfig,
    cons: Constraints,
    data: BinnedData,
    layout2: HistLayout,
    layout: HistogramLayout,
    /// The features of the tree being grown (ascending).
    features: Vec<usize>,
}

impl ExternalGrower {
    /// Node totals (`[sum g, sum h]`) and row count of a histogram, from its first feature.
    fn totals(&self, hist: &[f64]) -> (Vec<f64>, f64) {
        let bins = self.data.features[0].n_bins() + 1;
        let mut t = [0.0; STATS_PER_BIN];
        for b in 0..bins {
            for (s, v) in t.iter_mut().zip(&hist[b * STATS_PER_BIN..]) {
                *s += v;
            }
        }
        (vec![t[0], t[1]], t[2])
    }

    /// The best acceptable split of a node (`None`: the node is a leaf).
    fn evaluate(
        &self,
        hist: &[f64],
        totals: &[f64],
        count: f64,
        depth: usize,
    ) -> Option<SplitInfo> {
        if !self.cfg.may_split(count, depth) {
            return None;
        }
        let mut gh = vec![0.0; self.layout2.total];
        for (pair, stats) in gh.chunks_exact_mut(2).zip(hist.chunks_exact(STATS_PER_BIN)) {
            pair.copy_from_slice(&stats[..2]);
        }
        let split = find_best_split(
            &gh,
            &self.layout2,
            &self.data,
            &self.features,
            totals,
            count,
            &self.cfg.scorer,
            &self.cons,
            false,
        )?;
        self.cfg
            .accepts(split.gain, self.cfg.scorer.score(totals))
            .then_some(split)
    }

    /// Rows of a node whose histogram is `hist` that `split` sends left and right.
    fn child_counts(&self, hist: &[f64], split: &SplitInfo) -> [f64; 2] {
        let fb = &self.data.features[split.feature];
        let table = split.goes_left_table(fb.missing_bin());
        let own = &hist[self.layout.offsets[split.feature]..];
        let mut counts = [0.0; 2];
        for (b, &left) in table.iter().enumerate().take(fb.missing_bin() + 1) {
            counts[usize::from(!left)] += own[b * STATS_PER_BIN + 2];
        }
        counts
    }

    /// Grows one tree; returns it with its leaves' (node, totals).
    fn grow(
        &self,
        source: &mut dyn HistogramSource,
        ensemble: &Ensemble,
    ) -> Result<(Tree, Vec<LeafTotals>)> {
        let mut frontier = Frontier::root();
        let mut root = source.histograms(ensemble, &frontier, &self.layout)?;
        let root = self.checked(root.pop(), 0)?;
        let (totals, count) = self.totals(&root);
        let mut tree = Tree::new(1);
        let mut leaves = Vec::new();
        let mut open: Vec<Open> = Vec::new();
        match self.evaluate(&root, &totals, count, 0) {
            Some(split) => open.push(Open {
                node: 0,
                route: 0,
                depth: 0,
                totals,
                split,
                hist: root,
                children: None,
            }),
            None => leaves.push((0, totals)),
        }
        // Histograms fetched for frontier nodes not yet filed.
        let mut fetched: HashMap<usize, Vec<f64>> = HashMap::new();
        let mut n_leaves = 1;
        while let Some(mut c) = self.next_candidate(&mut open) {
            if self.cfg.max_leaves.is_some_and(|m| n_leaves >= m) {
                leaves.push((c.node, c.totals));
                continue;
            }
            if c.children.is_none() {
                // The children of `c` and of every other open node, in one request.
                frontier.clear_slots();
                let mut wanted = Vec::new();
                let mut expand = |o: &mut Open, frontier: &mut Frontier| {
                    let fb = &self.data.features[o.split.feature];
                    let table = o.split.goes_left_table(fb.missing_bin());
                    let kids = frontier.split(o.route, o.split.feature, &table);
                    let counts = self.child_counts(&o.hist, &o.split);
                    let can = [0, 1].map(|k| self.cfg.may_split(counts[k], o.depth + 1));
                    for k in 0..2 {
                        if can[k] {
                            frontier.request(kids[k]);
                            wanted.push(kids[k]);
                        }
                    }
                    o.children = Some([(kids[0], can[0]), (kids[1], can[1])]);
                };
                expand(&mut c, &mut frontier);
                for o in open.iter_mut().filter(|o| o.children.is_none()) {
                    expand(o, &mut frontier);
                }
                if !wanted.is_empty() {
                    let hists = source.histograms(ensemble, &frontier, &self.layout)?;
                    if hists.len() != wanted.len() {
                        return Err(source_error(format!(
                            "{} histograms came back for {} requested",
                            hists.len(),
                            wanted.len()
                        )));
                    }
                    for (slot, (node, hist)) in wanted.into_iter().zip(hists).enumerate() {
                        fetched.insert(node, self.checked(Some(hist), slot)?);
                    }
                }
            }
            self.split(c, &mut tree, &mut open, &mut leaves, &mut fetched);
            n_leaves += 1;
        }
        Ok((tree, leaves))
    }

    /// Splits open node `c` (whose children's histograms are fetched) and files its children.
    fn split(
        &self,
        c: Open,
        tree: &mut Tree,
        open: &mut Vec<Open>,
        leaves: &mut Vec<LeafTotals>,
        fetched: &mut HashMap<usize, Vec<f64>>,
    ) {
        let split = &c.split;
        let fb = &self.data.features[split.feature];
        let (left_node, children_totals) = apply_split(tree, c.node, split, fb, &c.totals);
        let counts = self.child_counts(&c.hist, split);
        let children = c.children.expect("children requested before the split");
        let depth = c.depth + 1;
        for (k, totals) in children_totals.into_iter().enumerate() {
            let (route, can) = children[k];
            let node = left_node + k;
            let found = if can {
                let hist = fetched.remove(&route).expect("requested histogram");
                self.evaluate(&hist, &totals, counts[k], depth)
                    .map(|split| (split, hist))
            } else {
                None
            };
            match found {
                Some((split, hist)) => open.push(Open {
                    node,
                    route,
                    depth,
                    totals,
                    split,
                    hist,
                    children: None,
                }),
                None => leaves.push((node, totals)),
            }
        }
    }

    /// The next open node, in [`crate::grow`]'s order.
    fn next_candidate(&self, open: &mut Vec<Open>) -> Option<Open> {
        next_open(open, self.cfg.max_leaves.is_some(), |o| {
            (o.split.gain, o.node)
        })
    }

    /// A histogram from the source, checked for its length and finiteness.
    fn checked(&self, hist: Option<Vec<f64>>, slot: usize) -> Result<Vec<f64>> {
        let hist =
            hist.ok_or_else(|| source_error("no histogram came back for the root".into()))?;
        if hist.len() != self.layout.len() {
            return Err(source_error(format!(
                "histogram {slot} has {} values, expected {}",
                hist.len(),
                self.layout.len()
            )));
        }
        if hist.iter().any(|v| !v.is_finite()) {
            return Err(source_error(format!(
                "histogram {slot} holds a value that is not finite"
            )));
        }
        Ok(hist)
    }
}

fn source_error(reason: String) -> TreeError {
    TreeError::Source(format!("it answered wrongly: {reason}"))
}

impl GradientBoostingValidParams {
    /// Boosts on rows summed by `source` (see [`crate::external`]), binned by `mappers`:
    /// `usize` labels (0 and 1) give a binary classifier (log loss), `f64` targets a regressor
    /// (squared error). Given the same bins and targets, the model equals
    /// [`fit_binned`](GradientBoostingValidParams::fit_binned)'s: the same splits in the same
    /// nodes, leaf values equal up to the order of additions.
    ///
    /// Rows are not held here, so what needs a draw of rows is refused: `subsample` below 1
    /// and early stopping (`EarlyStopping::On`; `Auto` means off here); so are more than two
    /// classes. `colsample` draws the same features per tree as an in-memory fit.
    pub fn fit_external<L: TreeTarget>(
        &self,
        mappers: Vec<BinMapper>,
        source: &mut dyn HistogramSource,
    ) -> Result<GradientBoosting<L>> {
        if mappers.is_empty() {
            return Err(TreeError::EmptyDataset {
                rows: 0,
                features: 0,
            });
        }
        if self.subsample() < 1.0 {
            return Err(invalid(
                "subsample",
                "1 when the rows are summed elsewhere",
                self.subsample(),
            ));
        }
        if self.early_stopping() == EarlyStopping::On {
            return Err(TreeError::Linfa(linfa::Error::Parameters(
                "early stopping needs a held-out draw of rows, which a fit on rows summed \
                 elsewhere does not make: set early_stopping=false"
                    .into(),
            )));
        }
        let classification = is_classification::<L>();
        if classification && self.tree.n_classes.is_some_and(|k| k > 2) {
            return Err(invalid(
                "n_classes",
                "2 when the rows are summed elsewhere",
                self.tree.n_classes.unwrap_or(0),
            ));
        }
        let loss = if classification {
            Loss::LogLoss
        } else {
            Loss::SquaredError
        };
        let n_features = mappers.len();
        let data = BinnedData {
            n_rows: 0,
            features: mappers
                .iter()
                .map(|m| m.0.clone())
                .collect::<Vec<FeatureBins>>(),
            stride: 0,
            bins: Vec::new(),
        };
        let layout = HistogramLayout::new(&mappers);
        let mut cfg = self.grow_config(loss == Loss::SquaredError);
        cfg.parallel = false;
        let cons = Constraints {
            min_samples_leaf: cfg.min_samples_leaf as f64,
            min_hessian: cfg.min_hessian,
        };

        let (sum, n) = source.target_sum()?;
        if n == 0 {
            return Err(TreeError::EmptyDataset {
                rows: 0,
                features: n_features,
            });
        }
        let base = loss.score_of_mean(sum / n as f64);
        let mut ensemble = Ensemble {
            mappers,
            loss,
            base_score: base,
            trees: Vec::new(),
        };
        let mut rng = SeededRng::new(self.tree.seed);
        let n_tree_features = self.n_tree_features(n_features);
        let mut grower = ExternalGrower {
            cfg,
            cons,
            layout2: HistLayout::new(&data, 2),
            data,
            layout,
            features: Vec::new(),
        };
        for round in 0..self.n_rounds() {
            grower.features = draw_features(n_features, n_tree_features, &mut rng);
            let (mut tree, leaves) = grower.grow(source, &ensemble)?;
            for (node, totals) in leaves {
                tree.set_leaf(node, &[self.leaf_value(&totals)]);
            }
            tracing::debug!(
                "round {} of {}: {} leaves",
                round + 1,
                self.n_rounds(),
                tree.n_leaves()
            );
            ensemble.trees.push(tree);
        }
        let boosted = Boosted::new(ensemble.trees, vec![base], Vec::new(), n_features);
        Ok(self.model(
            boosted,
            loss,
            n_features,
            if classification { 2 } else { 0 },
        ))
    }
}
