//! Fast histogram-based tree learning behind linfa's traits: a [`DecisionTree`], a
//! [`RandomForest`] and [`GradientBoosting`] (GBDT), for classification and regression.
//!
//! Features are binned once per fit (at most 255 quantile bins per feature, stored as `u8`
//! columns) and every split is searched on per-node histograms of gradient/class statistics,
//! the larger child's histogram being the parent's minus the smaller child's. Fitted trees are
//! flat node arrays routed on raw `f64` values, so prediction needs no binning.
//!
//! # Usage
//!
//! Every model follows linfa's pattern: `X::params()` gives an `XParams` builder, whose
//! `check()` (from [`linfa::ParamGuard`]) yields `XValidParams`, and both implement
//! [`linfa::traits::Fit`]. The target type picks the task:
//! - `Array1<usize>` labels (classes `0..n_classes`, where `n_classes` is the largest label + 1
//!   unless set with `n_classes`) fit a classifier `X<usize>` (the default type parameter),
//!   with `predict_proba` and `n_classes`;
//! - `Array1<f64>` targets fit a regressor `X<f64>`.
//!
//! ```
//! use crisp_trees::{DecisionTree, GradientBoosting, RandomForest};
//! use linfa::prelude::*;
//! use ndarray::array;
//!
//! let x = array![[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0], [5.0, f64::NAN], [6.0, 0.0]];
//! let labels = array![0usize, 0, 0, 1, 1, 1];
//! let data = Dataset::new(x.clone(), labels.clone());
//!
//! let tree = DecisionTree::params().max_depth(Some(3)).fit(&data)?;
//! assert_eq!(tree.predict(&x), labels);
//!
//! let gbdt = GradientBoosting::params()
//!     .n_rounds(20)
//!     .min_samples_leaf(1)
//!     .fit(&data)?;
//! let proba = gbdt.predict_proba(x.view());
//! assert!(proba[[5, 1]] > 0.5 && (proba[[5, 0]] + proba[[5, 1]] - 1.0).abs() < 1e-12);
//!
//! // Real-valued targets give a regressor from the same params.
//! let prices = array![10.0, 11.0, 12.0, 30.0, 31.0, 32.0];
//! let forest = RandomForest::params()
//!     .n_trees(10)
//!     .fit(&Dataset::new(x.clone(), prices))?;
//! let predicted: ndarray::Array1<f64> = forest.predict(&x);
//! assert!(predicted[0] < 20.0 && predicted[5] > 20.0);
//! # Ok::<(), crisp_trees::TreeError>(())
//! ```
//!
//! # linfa integration
//!
//! `Fit` is implemented for any records `ArrayBase<D, Ix2>` of `f64` and any single-column
//! targets whose elements are a [`TreeTarget`] (`usize` or `f64`): owned arrays, views and
//! references alike. So linfa's cross-validation helpers, which fit on `DatasetView`s, work:
//!
//! ```
//! use crisp_trees::DecisionTree;
//! use linfa::prelude::*;
//! use ndarray::{Array1, Array2};
//!
//! let x = Array2::from_shape_fn((60, 2), |(i, j)| ((i * 7 + j * 3) % 10) as f64);
//! let y: Array1<usize> = x.column(0).mapv(|v| usize::from(v >= 5.0));
//! let mut data = Dataset::new(x, y);
//! let params = [
//!     DecisionTree::params().max_depth(Some(1)),
//!     DecisionTree::params().max_depth(Some(3)),
//! ];
//! let accuracy = data.cross_validate_single(3, &params, |predicted, truth| {
//!     Ok(predicted.confusion_matrix(truth)?.accuracy())
//! })?;
//! assert_eq!(accuracy.len(), 2);
//! assert!(accuracy.iter().all(|&a| a == 1.0));
//! # Ok::<(), crisp_trees::TreeError>(())
//! ```
//!
//! # Sample weights
//!
//! The sample weights of a linfa dataset (`Dataset::with_weights`) are honoured by every model
//! as frequency weights: a row of weight `w` counts as `w` copies of the row in every sum (class
//! counts, gradients and hessians, leaf values, the starting score of boosting) and in the
//! `min_samples_leaf` / `min_samples_split` limits. With integer weights a model equals the
//! one fitted on the rows repeated (up to rounding in sums of real values), except where
//! rows, not weights, are drawn at random (bootstrap and subsampling draw rows, early stopping
//! holds out rows) and where bin edges depend on row counts (features with more distinct values
//! than `max_bins`: edges are computed from the rows, unweighted). Weights that are all 1 fit
//! exactly the unweighted model; negative, NaN or infinite weights, weights that are all 0 or
//! whose number differs from the rows' are errors ([`TreeError::InvalidWeight`],
//! [`TreeError::InvalidWeights`]).
//!
//! # Threads
//!
//! Fits use the current rayon pool. On two threads, small pieces of work are shared with one
//! extra helper thread that spins between jobs; [`set_spinning_helper`]`(false)` switches it
//! off, for the whole process, for applications that budget their threads (the models are the
//! same).
//!
//! # Missing values and categorical features
//!
//! A NaN in the records is a missing value. Every split learns where missing values go (both
//! sides are tried during the search); when no missing value reached a node in training, they
//! go to the child that received more rows.
//!
//! Columns listed in `categorical_features(vec![...])` hold category codes `0..k` as `f64`
//! (`k <= 255`; NaN is missing). Their splits send a *set* of categories left, found like
//! LightGBM does: categories sorted by gradient ratio (or class rate), best prefix kept. Codes
//! at or above the number of categories seen in training, negative or fractional codes follow
//! the missing values at prediction time.
//!
//! # Hyperparameters by name
//!
//! `set_param(&mut self, name, value)` on every params type (and the [`HyperParams`] trait)
//! sets one hyperparameter from text, for command lines and config files; the accepted names
//! are each params type's `PARAM_NAMES`.
//!
//! # Determinism
//!
//! A fit depends only on the data and the `seed`: parallel reductions are done in a fixed
//! order, so the thread count does not change the model.
#![deny(missing_docs)]
// Only the two-way fork-join of `spin` needs `unsafe`; everything else is safe code.
#![deny(unsafe_code)]

mod binning;
mod data;
mod decision_tree;
mod error;
mod forest;
mod gbdt;
mod grow;
mod histogram;
mod linfa_traits;
mod loss;
mod params;
mod predict;
mod search;
#[allow(unsafe_code)]
mod spin;
mod split;
mod target;
mod tree;

pub use decision_tree::{DecisionTree, DecisionTreeParams, DecisionTreeValidParams};
pub use error::{Result, TreeError};
pub use forest::{RandomForest, RandomForestParams, RandomForestValidParams};
pub use gbdt::{GradientBoosting, GradientBoostingParams, GradientBoostingValidParams};
pub use loss::Loss;
pub use params::{EarlyStopping, FeatureSampling, HyperParams, MaxFeatures};
pub use spin::{set_spinning_helper, spinning_helper_enabled};
pub use split::Criterion;
pub use target::TreeTarget;

#[cfg(test)]
mod tests;
