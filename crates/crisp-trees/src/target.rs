//! The element types of the targets a model can be fitted on, which pick the task.

use ndarray::ArrayView1;

use crate::data::{class_labels, regression_targets, Targets};
use crate::error::Result;

/// The element type of a dataset's targets, which picks the task: `usize` class labels fit a
/// classifier, `f64` values a regressor.
///
/// Every model's checked params implement linfa's `Fit` for any records `ArrayBase<D, Ix2>`
/// with `f64` elements and any single targets `T: AsSingleTargets<Elem = E>` with
/// `E: TreeTarget` (owned arrays, views, `&` references, linfa's `CountedTargets`), giving a
/// model `X<E>`. One impl covers both element types (two impls, one per type, would overlap
/// for Rust's coherence rules), so linfa's cross-validation helpers, which fit on
/// `DatasetView`s, work with every model of this crate.
///
/// This trait is sealed: it is implemented for `usize` and `f64` only.
pub trait TreeTarget: sealed::Sealed + Copy + Send + Sync + 'static {}

impl TreeTarget for usize {}
impl TreeTarget for f64 {}

pub(crate) mod sealed {
    use super::*;

    /// What the fitting code needs from a target element type; not nameable outside the
    /// crate, so no other type can implement [`TreeTarget`].
    pub trait Sealed: Sized {
        /// Whether the element type is a class label.
        const CLASSIFICATION: bool;

        /// Checks the targets (class labels below `n_classes`, or finite values) and converts
        /// them.
        fn read(y: ArrayView1<Self>, n_classes: Option<usize>) -> Result<Targets>;
    }

    impl Sealed for usize {
        const CLASSIFICATION: bool = true;

        fn read(y: ArrayView1<usize>, n_classes: Option<usize>) -> Result<Targets> {
            let (y, k) = class_labels(y, n_classes)?;
            Ok(Targets::Labels { y, k })
        }
    }

    impl Sealed for f64 {
        const CLASSIFICATION: bool = false;

        fn read(y: ArrayView1<f64>, _: Option<usize>) -> Result<Targets> {
            regression_targets(y).map(Targets::Reals)
        }
    }
}

/// Whether a model fitted on `L` targets is a classifier.
pub(crate) fn is_classification<L: TreeTarget>() -> bool {
    <L as sealed::Sealed>::CLASSIFICATION
}

/// Checks the per-feature importance vectors of a decoded model.
pub(crate) fn check_importances(
    n_features: usize,
    gain: &[f64],
    splits: &[u64],
) -> std::result::Result<(), String> {
    if gain.len() != n_features || splits.len() != n_features {
        return Err(format!(
            "{} gain and {} split importances for {n_features} features",
            gain.len(),
            splits.len()
        ));
    }
    Ok(())
}
