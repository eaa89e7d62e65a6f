#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
// Only the two-way fork-join of `spin` needs `unsafe`; everything else is safe code.
#![deny(unsafe_code)]

mod binned;
mod binning;
mod data;
mod decision_tree;
mod error;
pub mod external;
mod forest;
mod gbdt;
mod grow;
mod histogram;
mod linfa_traits;
mod loss;
mod params;
mod predict;
mod search;
mod sketch;
#[allow(unsafe_code)]
mod spin;
mod split;
mod target;
mod tree;

pub use binned::{BinMapper, BinnedMatrix, BinnedMatrixBuilder};
pub use decision_tree::{DecisionTree, DecisionTreeParams, DecisionTreeValidParams};
pub use error::{Result, TreeError};
pub use forest::{RandomForest, RandomForestParams, RandomForestValidParams};
pub use gbdt::{GradientBoosting, GradientBoostingParams, GradientBoostingValidParams};
pub use loss::Loss;
pub use params::{EarlyStopping, FeatureSampling, HyperParams, MaxFeatures};
pub use sketch::QuantileSketch;
pub use spin::{set_spinning_helper, spinning_helper_enabled};
pub use split::Criterion;
pub use target::TreeTarget;

#[cfg(test)]
mod tests;
