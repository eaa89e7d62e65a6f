//! Parallel, blocked evaluation of fitted trees over the rows of a matrix.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

/// Rows per block: a block of rows stays in cache while every tree walks it, so each tree's
/// nodes are loaded once per block instead of once per row.
const BLOCK: usize = 256;

/// Calls `f(rows, out)` on blocks of rows in parallel. `rows` holds whole rows back to back
/// (`n_features` values each) and `out` the block's `n_out` outputs per row, zeroed.
pub(crate) fn map_blocks<F>(
    x: ArrayView2<f64>,
    n_features: usize,
    n_out: usize,
    f: F,
) -> Array2<f64>
where
    F: Fn(&[f64], &mut [f64]) + Sync,
{
    assert_eq!(
        x.ncols(),
        n_features,
        "the model was fitted on {n_features} features but the records have {}",
        x.ncols()
    );
    let n = x.nrows();
    let x = x.as_standard_layout();
    let data = x.as_slice().expect("standard layout");
    let mut out = vec![0.0; n * n_out];
    if n > 0 && n_out > 0 {
        out.par_chunks_mut(BLOCK * n_out)
            .zip(data.par_chunks(BLOCK * n_features))
            .for_each(|(o, rows)| f(rows, o));
    }
    Array2::from_shape_vec((n, n_out), out).expect("shape matches")
}
