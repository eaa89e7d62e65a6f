//! A fitted tree as a flat array of nodes, routed on raw feature values.

use serde::{Deserialize, Serialize};

use crate::split::bit;

const LEAF: u8 = 1;
const DEFAULT_LEFT: u8 = 2;
const CATEGORICAL: u8 = 4;

/// One node. Children of a split are stored next to each other (`right = left + 1`) so a node
/// fits in 24 bytes and prediction needs no pointer chasing beyond the index.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Node {
    /// Split: the threshold (`x <= value` goes left) or, for a categorical split, the index of
    /// its category set. Leaf: the first output value.
    value: f64,
    /// Split: the feature. Leaf: the leaf's index into `Tree::values`.
    feature: u32,
    /// Index of the left child (splits only).
    left: u32,
    /// Gain of the split, kept for feature importances.
    gain: f32,
    flags: u8,
}

/// The categories that go left at a categorical split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct CategorySet {
    bits: [u64; 4],
    /// Codes at or above this were never seen in training and follow missing values.
    n_categories: u32,
}

/// A fitted tree: nodes plus `n_outputs` values per leaf.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    category_sets: Vec<CategorySet>,
    values: Vec<f64>,
    n_outputs: usize,
}

impl Tree {
    /// A tree of one unsplit root (a placeholder until `grow` fills it).
    pub fn new(n_outputs: usize) -> Self {
        Tree {
            nodes: vec![Node {
                value: 0.0,
                feature: 0,
                left: 0,
                gain: 0.0,
                flags: LEAF,
            }],
            category_sets: Vec::new(),
            values: Vec::new(),
            n_outputs,
        }
    }

    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.flags & LEAF != 0).count()
    }

    /// Turns leaf `node` into a numeric split with children appended at the end; returns the
    /// left child's index.
    pub fn split_numeric(
        &mut self,
        node: usize,
        feature: usize,
        threshold: f64,
        default_left: bool,
        gain: f64,
    ) -> usize {
        let left = self.nodes.len();
        self.nodes[node] = Node {
            value: threshold,
            feature: feature as u32,
            left: left as u32,
            gain: gain as f32,
            flags: if default_left { DEFAULT_LEFT } else { 0 },
        };
        self.push_children();
        left
    }

    /// Like [`Tree::split_numeric`] for a categorical split sending the codes in `bits` left.
    pub fn split_categorical(
        &mut self,
        node: usize,
        feature: usize,
        bits: [u64; 4],
        n_categories: usize,
        default_left: bool,
        gain: f64,
    ) -> usize {
        let left = self.nodes.len();
        let set = self.category_sets.len();
        self.category_sets.push(CategorySet {
            bits,
            n_categories: n_categories as u32,
        });
        self.nodes[node] = Node {
            value: set as f64,
            feature: feature as u32,
            left: left as u32,
            gain: gain as f32,
            flags: CATEGORICAL | if default_left { DEFAULT_LEFT } else { 0 },
        };
        self.push_children();
        left
    }

    fn push_children(&mut self) {
        let leaf = Node {
            value: 0.0,
            feature: 0,
            left: 0,
            gain: 0.0,
            flags: LEAF,
        };
        self.nodes.push(leaf);
        self.nodes.push(leaf);
    }

    /// `Err` naming the first difference from `other` beyond `tolerance`: the same nodes
    /// with the same features, thresholds, category sets and missing-value directions are
    /// required exactly; leaf values may differ by `tolerance` (absolute, or relative to the
    /// larger value) and gains by single-precision rounding.
    pub fn compare(&self, other: &Tree, tolerance: f64) -> std::result::Result<(), String> {
        if self.nodes.len() != other.nodes.len() {
            return Err(format!(
                "{} nodes against {}",
                self.nodes.len(),
                other.nodes.len()
            ));
        }
        let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0);
        for (i, (a, b)) in self.nodes.iter().zip(&other.nodes).enumerate() {
            if a.flags != b.flags || a.feature != b.feature || a.left != b.left {
                return Err(format!("node {i} differs: {a:?} against {b:?}"));
            }
            if a.flags & LEAF != 0 {
                if !close(a.value, b.value, tolerance) {
                    return Err(format!("leaf {i}: value {} against {}", a.value, b.value));
                }
            } else {
                if a.value != b.value {
                    return Err(format!(
                        "node {i}: threshold {} against {}",
                        a.value, b.value
                    ));
                }
                if !close(f64::from(a.gain), f64::from(b.gain), 1e-5) {
                    return Err(format!("node {i}: gain {} against {}", a.gain, b.gain));
                }
            }
        }
        if self.category_sets != other.category_sets {
            return Err("the category sets differ".into());
        }
        for (i, (a, b)) in self.values.iter().zip(&other.values).enumerate() {
            if !close(*a, *b, tolerance) {
                return Err(format!("leaf value {i}: {a} against {b}"));
            }
        }
        Ok(())
    }

    /// Makes `node` a leaf with the given outputs.
    pub fn set_leaf(&mut self, node: usize, outputs: &[f64]) {
        debug_assert_eq!(outputs.len(), self.n_outputs);
        let index = self.values.len() / self.n_outputs;
        self.values.extend_from_slice(outputs);
        self.nodes[node] = Node {
            value: outputs[0],
            feature: index as u32,
            left: 0,
            gain: 0.0,
            flags: LEAF,
        };
    }

    /// Index of the leaf node that `row` falls into.
    #[inline]
    pub fn leaf_node(&self, row: &[f64]) -> usize {
        let mut i = 0;
        loop {
            let node = &self.nodes[i];
            if node.flags & LEAF != 0 {
                return i;
            }
            let x = row[node.feature as usize];
            let left = if node.flags & CATEGORICAL == 0 {
                if x <= node.value {
                    true
                } else {
                    // NaN fails every comparison, so only here can it be missing.
                    x.is_nan() && node.flags & DEFAULT_LEFT != 0
                }
            } else {
                self.category_goes_left(node, x)
            };
            i = node.left as usize + usize::from(!left);
        }
    }

    #[inline(never)]
    fn category_goes_left(&self, node: &Node, x: f64) -> bool {
        let set = &self.category_sets[node.value as usize];
        // NaN fails the first comparison, so it is not a known code either. A whole number is
        // one that survives the round trip through an integer (cheaper than `fract`, which
        // calls libm's `trunc` on targets without SSE4.1).
        let code = x as u32;
        let known = x >= 0.0 && x < f64::from(set.n_categories) && f64::from(code) == x;
        if known {
            bit(&set.bits, code as usize)
        } else {
            node.flags & DEFAULT_LEFT != 0
        }
    }

    /// The single output of the leaf `row` falls into (trees with one output).
    #[inline]
    pub fn predict_one(&self, row: &[f64]) -> f64 {
        self.nodes[self.leaf_node(row)].value
    }

    /// All outputs of the leaf `row` falls into.
    #[inline]
    pub fn predict_outputs(&self, row: &[f64]) -> &[f64] {
        let leaf = self.nodes[self.leaf_node(row)].feature as usize;
        &self.values[leaf * self.n_outputs..(leaf + 1) * self.n_outputs]
    }

    /// Adds this tree's split gains and counts into per-feature totals.
    pub fn add_importances(&self, gain: &mut [f64], splits: &mut [u64]) {
        for n in self.nodes.iter().filter(|n| n.flags & LEAF == 0) {
            gain[n.feature as usize] += f64::from(n.gain);
            splits[n.feature as usize] += 1;
        }
    }

    /// Checks that the tree can be routed safely on rows of `n_features` values, whatever bytes
    /// it was decoded from: every split's children come after it (so routing always ends) and
    /// exist, its feature is below `n_features`, a categorical split names an existing
    /// category set of at most 256 codes, a numeric threshold is not NaN, every leaf's values
    /// are within `values` and finite, and `n_outputs` is at least 1. The message names the
    /// first node at fault.
    pub fn validate(&self, n_features: usize) -> std::result::Result<(), String> {
        if self.n_outputs == 0 {
            return Err("a tree with 0 outputs per leaf".into());
        }
        if self.nodes.is_empty() {
            return Err("a tree with no node".into());
        }
        if self.values.len() % self.n_outputs != 0 {
            return Err(format!(
                "{} leaf values are not a multiple of {} outputs",
                self.values.len(),
                self.n_outputs
            ));
        }
        if let Some(v) = self.values.iter().find(|v| !v.is_finite()) {
            return Err(format!("a leaf value is not finite ({v})"));
        }
        if let Some(set) = self.category_sets.iter().find(|s| s.n_categories > 256) {
            return Err(format!(
                "a category set of {} codes (at most 256)",
                set.n_categories
            ));
        }
        let n_leaves = self.values.len() / self.n_outputs;
        for (i, node) in self.nodes.iter().enumerate() {
            if node.flags & LEAF != 0 {
                if !node.value.is_finite() {
                    return Err(format!("leaf node {i} has a value that is not finite"));
                }
                if node.feature as usize >= n_leaves {
                    return Err(format!(
                        "leaf node {i} points at leaf {} of {n_leaves}",
                        node.feature
                    ));
                }
                continue;
            }
            let left = node.left as usize;
            if left <= i || left + 1 >= self.nodes.len() {
                return Err(format!(
                    "split node {i} has children {left} and {} (of {} nodes; children come after their parent)",
                    left + 1,
                    self.nodes.len()
                ));
            }
            if node.feature as usize >= n_features {
                return Err(format!(
                    "split node {i} reads feature {} of {n_features}",
                    node.feature
                ));
            }
            if node.flags & CATEGORICAL != 0 {
                let set = node.value;
                if !(set >= 0.0 && set.fract() == 0.0 && (set as usize) < self.category_sets.len())
                {
                    return Err(format!(
                        "categorical split node {i} names category set {set} of {}",
                        self.category_sets.len()
                    ));
                }
            } else if node.value.is_nan() {
                return Err(format!("split node {i} has a NaN threshold"));
            }
        }
        Ok(())
    }

    /// Number of outputs per leaf.
    pub fn n_outputs(&self) -> usize {
        self.n_outputs
    }

    /// Depth of the deepest leaf (a lone root has depth 0).
    pub fn depth(&self) -> usize {
        let mut max = 0;
        let mut stack = vec![(0usize, 0usize)];
        while let Some((i, d)) = stack.pop() {
            let n = &self.nodes[i];
            if n.flags & LEAF != 0 {
                max = max.max(d);
            } else {
                stack.push((n.left as usize, d + 1));
                stack.push((n.left as usize + 1, d + 1));
            }
        }
        max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Tree {
        let mut t = Tree::new(1);
        let l = t.split_numeric(0, 0, 2.5, true, 1.0);
        t.set_leaf(l, &[10.0]);
        t.set_leaf(l + 1, &[20.0]);
        t
    }

    #[test]
    fn validation_refuses_what_routing_cannot_survive() {
        assert_eq!(small().validate(1), Ok(()));
        assert!(small().validate(0).unwrap_err().contains("feature 0 of 0"));
        let mut cycle = small();
        cycle.nodes[0].left = 0; // the root as its own child: routing would never end
        assert!(cycle
            .validate(1)
            .unwrap_err()
            .contains("children come after"));
        let mut past = small();
        past.nodes[0].left = 7;
        assert!(past.validate(1).is_err());
        let mut leaf = small();
        leaf.nodes[1].feature = 9;
        assert!(leaf.validate(1).unwrap_err().contains("points at leaf 9"));
        let mut value = small();
        value.values[1] = f64::NAN;
        assert!(value.validate(1).unwrap_err().contains("not finite"));
        let mut set = small();
        set.nodes[0].flags |= CATEGORICAL;
        assert!(set.validate(1).unwrap_err().contains("category set"));
        let mut empty = small();
        empty.nodes.clear();
        assert!(empty.validate(1).is_err());
        let mut outputs = small();
        outputs.n_outputs = 0;
        assert!(outputs.validate(1).is_err());
    }

    #[test]
    fn routes_values_missing_and_categories() {
        let mut t = Tree::new(1);
        let l = t.split_numeric(0, 0, 2.5, true, 1.0);
        t.set_leaf(l, &[10.0]);
        let c = t.split_categorical(l + 1, 1, [0b101, 0, 0, 0], 3, false, 1.0);
        t.set_leaf(c, &[20.0]);
        t.set_leaf(c + 1, &[30.0]);
        assert_eq!(t.predict_one(&[1.0, 0.0]), 10.0);
        assert_eq!(t.predict_one(&[f64::NAN, 0.0]), 10.0);
        assert_eq!(t.predict_one(&[3.0, 0.0]), 20.0);
        assert_eq!(t.predict_one(&[3.0, 2.0]), 20.0);
        assert_eq!(t.predict_one(&[3.0, 1.0]), 30.0);
        // Unknown code (3 >= n_categories), NaN and non-integers follow the missing side: right.
        assert_eq!(t.predict_one(&[3.0, 3.0]), 30.0);
        assert_eq!(t.predict_one(&[3.0, f64::NAN]), 30.0);
        assert_eq!(t.predict_one(&[3.0, 0.5]), 30.0);
        assert_eq!(t.depth(), 2);
        assert_eq!(t.n_leaves(), 3);
    }
}
