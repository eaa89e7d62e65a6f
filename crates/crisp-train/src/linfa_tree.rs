//! linfa-trees' decision trees in a flat form: what the artifact stores of them.
//!
//! linfa-trees' `DecisionTree` is a tree of boxed nodes, and decoding one recurses once per
//! level: a file nesting 50,000 levels (1.2 MB) overflowed the stack before anything could be
//! checked. The flat copy is a list of nodes whose children come after them, decoded without
//! recursion, checked by [`LinfaTree::validate`] and routed by a loop, exactly as linfa routes
//! (`x < threshold` goes left, so a missing value, NaN, goes right).

use std::collections::VecDeque;

use crisp_core::ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

/// One node of a flat linfa tree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum LinfaNode {
    /// A leaf predicting `class`.
    Leaf {
        /// The predicted class index.
        class: usize,
    },
    /// A split: rows with `x[feature] < threshold` go to `left`, the others to `right`.
    Split {
        /// The feature read.
        feature: usize,
        /// The threshold.
        threshold: f64,
        /// Index of the left child.
        left: usize,
        /// Index of the right child.
        right: usize,
    },
}

/// A linfa-trees classification tree as a flat list of nodes (the root first, children after
/// their parent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinfaTree {
    nodes: Vec<LinfaNode>,
    n_features: usize,
}

impl LinfaTree {
    /// The flat copy of `tree`, fitted on rows of `n_features` values (the copy is built
    /// breadth first with a queue, so a deep tree costs no stack).
    pub fn from_linfa(tree: &linfa_trees::DecisionTree<f64, usize>, n_features: usize) -> Self {
        let mut nodes = Vec::new();
        let mut queue: VecDeque<(&linfa_trees::TreeNode<f64, usize>, usize)> = VecDeque::new();
        nodes.push(LinfaNode::Leaf { class: 0 });
        queue.push_back((tree.root_node(), 0));
        while let Some((node, index)) = queue.pop_front() {
            let children = node.children();
            match (node.prediction(), children[0], children[1]) {
                (None, Some(left), Some(right)) => {
                    let (feature, threshold, _) = node.split();
                    let left_index = nodes.len();
                    nodes.push(LinfaNode::Leaf { class: 0 });
                    nodes.push(LinfaNode::Leaf { class: 0 });
                    nodes[index] = LinfaNode::Split {
                        feature,
                        threshold,
                        left: left_index,
                        right: left_index + 1,
                    };
                    queue.push_back((left, left_index));
                    queue.push_back((right, left_index + 1));
                }
                // A leaf, or (never fitted by linfa) a split with a missing child: linfa would
                // panic routing into it; the copy predicts the node's class instead.
                (prediction, _, _) => {
                    nodes[index] = LinfaNode::Leaf {
                        class: prediction.unwrap_or_default(),
                    }
                }
            }
        }
        LinfaTree { nodes, n_features }
    }

    /// Number of features the tree reads.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The class of one row.
    pub fn predict_row(&self, row: ArrayView1<f64>) -> usize {
        let mut i = 0;
        loop {
            match self.nodes[i] {
                LinfaNode::Leaf { class } => return class,
                LinfaNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    i = if row[feature] < threshold {
                        left
                    } else {
                        right
                    }
                }
            }
        }
    }

    /// The class of every row of `x`.
    pub fn predict(&self, x: &Array2<f64>) -> Vec<usize> {
        x.rows().into_iter().map(|r| self.predict_row(r)).collect()
    }

    /// Depth of the deepest leaf (a lone root has depth 0).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        let mut max = 0;
        for (i, node) in self.nodes.iter().enumerate() {
            if let LinfaNode::Split { left, right, .. } = *node {
                depth[left] = depth[i] + 1;
                depth[right] = depth[i] + 1;
                max = max.max(depth[i] + 1);
            }
        }
        max
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n, LinfaNode::Leaf { .. }))
            .count()
    }

    /// Checks a tree decoded from bytes before it predicts: at least one node, every split's
    /// children after it and in range (so routing ends), features below `n_features`, no NaN
    /// threshold, and classes below `n_classes`.
    pub fn validate(&self, n_classes: usize) -> std::result::Result<(), String> {
        if self.nodes.is_empty() {
            return Err("a tree with no node".into());
        }
        for (i, node) in self.nodes.iter().enumerate() {
            match *node {
                LinfaNode::Leaf { class } if class >= n_classes => {
                    return Err(format!(
                        "leaf node {i} predicts class {class} of {n_classes}"
                    ))
                }
                LinfaNode::Leaf { .. } => {}
                LinfaNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    if left <= i
                        || right <= i
                        || left >= self.nodes.len()
                        || right >= self.nodes.len()
                    {
                        return Err(format!(
                            "split node {i} has children {left} and {right} (of {} nodes; children come after their parent)",
                            self.nodes.len()
                        ));
                    }
                    if feature >= self.n_features {
                        return Err(format!(
                            "split node {i} reads feature {feature} of {}",
                            self.n_features
                        ));
                    }
                    if threshold.is_nan() {
                        return Err(format!("split node {i} has a NaN threshold"));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crisp_core::ndarray::{array, Array1};
    use linfa::prelude::*;

    #[test]
    fn the_flat_copy_predicts_what_linfa_predicts() {
        let frame = crisp_core::read_csv(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/wine.csv"),
        )
        .unwrap()
        .frame;
        let names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .filter(|n| n != "class")
            .collect();
        let mut x = crisp_core::to_matrix(&frame, &names).unwrap();
        let classes = frame.column("class").unwrap().str().unwrap().clone();
        let y: Array1<usize> = classes
            .iter()
            .map(|c| c.unwrap().trim_start_matches("class_").parse().unwrap())
            .collect();
        let n_classes = y.iter().max().unwrap() + 1;
        let tree = linfa_trees::DecisionTree::params()
            .max_depth(Some(6))
            .fit(&Dataset::new(x.clone(), y))
            .unwrap();
        // Missing values too: linfa sends NaN right (NaN < t is false), as the copy must.
        let width = x.ncols();
        for i in (0..x.nrows()).step_by(7) {
            x[[i, i % width]] = f64::NAN;
        }
        let flat = LinfaTree::from_linfa(&tree, x.ncols());
        let linfa: Array1<usize> = tree.predict(&x);
        assert_eq!(flat.predict(&x), linfa.to_vec());
        assert_eq!(flat.depth(), tree.max_depth());
        assert_eq!(flat.n_leaves(), tree.num_leaves());
        assert_eq!(flat.validate(n_classes), Ok(()));
    }

    #[test]
    fn validation_refuses_what_routing_cannot_survive() {
        let split = |left, right, feature| LinfaNode::Split {
            feature,
            threshold: 0.5,
            left,
            right,
        };
        let tree = |nodes| LinfaTree {
            nodes,
            n_features: 2,
        };
        let leaves = [LinfaNode::Leaf { class: 0 }, LinfaNode::Leaf { class: 1 }];
        let ok = tree(vec![split(1, 2, 1), leaves[0], leaves[1]]);
        assert_eq!(ok.validate(2), Ok(()));
        assert_eq!(ok.predict(&array![[0.0, 0.1], [0.0, 0.9]]), [0, 1]);
        assert!(tree(vec![split(0, 2, 1), leaves[0], leaves[1]])
            .validate(2)
            .unwrap_err()
            .contains("children come after"));
        assert!(tree(vec![split(1, 9, 1), leaves[0]]).validate(2).is_err());
        assert!(tree(vec![split(1, 2, 5), leaves[0], leaves[1]])
            .validate(2)
            .unwrap_err()
            .contains("feature 5 of 2"));
        assert!(ok.validate(1).unwrap_err().contains("class 1 of 1"));
        assert!(tree(vec![]).validate(2).is_err());
    }
}
