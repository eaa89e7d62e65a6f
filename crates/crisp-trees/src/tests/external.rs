//! `fit_external` against `fit_binned` on the same bins: the histograms summed by a source
//! that walks the rows one by one, as a query engine's aggregate does.

use ndarray::{Array1, ArrayView1};

use super::{binary_problem, regression_problem};
use crate::binned::{BinMapper, BinnedMatrix, BinnedMatrixBuilder};
use crate::error::Result;
use crate::external::{Ensemble, Frontier, HistogramLayout, HistogramSource};
use crate::{EarlyStopping, GradientBoosting, GradientBoostingParams, TreeTarget};
use linfa::ParamGuard;

/// Rows held as bins, summed row by row, in `parts` interleaved partitions merged at the end
/// (the order of additions differs from an in-memory fit's, as on a cluster).
struct RowSource {
    matrix: BinnedMatrix,
    y: Vec<f64>,
    parts: usize,
    requests: usize,
}

impl HistogramSource for RowSource {
    fn target_sum(&mut self) -> Result<(f64, u64)> {
        Ok((self.y.iter().sum(), self.y.len() as u64))
    }

    fn histograms(
        &mut self,
        ensemble: &Ensemble,
        frontier: &Frontier,
        layout: &HistogramLayout,
    ) -> Result<Vec<Vec<f64>>> {
        self.requests += 1;
        let p = self.matrix.n_features();
        let mut out = vec![vec![0.0; layout.len()]; frontier.n_slots()];
        let (mut bins, mut row) = (vec![0u8; p], vec![0.0; p]);
        for part in 0..self.parts {
            let mut partial = vec![vec![0.0; layout.len()]; frontier.n_slots()];
            for i in (part..self.y.len()).step_by(self.parts) {
                for (f, b) in bins.iter_mut().enumerate() {
                    *b = self.matrix.column(f)[i];
                }
                if let Some(slot) = frontier.slot(&bins) {
                    let (g, h) = ensemble
                        .loss()
                        .gradient(self.y[i], ensemble.score(&bins, &mut row));
                    layout.add(&mut partial[slot as usize], &bins, g, h);
                }
            }
            for (o, p) in out.iter_mut().zip(partial) {
                o.iter_mut().zip(p).for_each(|(o, p)| *o += p);
            }
        }
        Ok(out)
    }
}

fn both<L: TreeTarget + Copy>(
    params: GradientBoostingParams,
    x: ndarray::ArrayView2<f64>,
    y: ArrayView1<L>,
    to_f64: impl Fn(L) -> f64,
) -> (GradientBoosting<L>, GradientBoosting<L>, usize) {
    let params = params.check().unwrap();
    let mappers = BinMapper::fit(x, 255, &[]).unwrap();
    let mut b = BinnedMatrixBuilder::new(mappers.clone(), x.nrows()).unwrap();
    b.push(x).unwrap();
    let matrix = b.finish();
    let local = params.fit_binned(&matrix, y, None).unwrap();
    let mut source = RowSource {
        matrix,
        y: y.iter().map(|&v| to_f64(v)).collect(),
        parts: 3,
        requests: 0,
    };
    let remote = params.fit_external::<L>(mappers, &mut source).unwrap();
    (local, remote, source.requests)
}

#[test]
fn binary_fit_elsewhere_grows_the_same_trees() {
    let d = binary_problem(3_000, 6, 11);
    let params = GradientBoosting::params()
        .n_rounds(15)
        .early_stopping(EarlyStopping::Off);
    let (local, remote, requests) = both(params, d.records.view(), d.targets.view(), |c| c as f64);
    local.compare(&remote, 1e-9).unwrap();
    // Leaf-wise trees of 31 leaves, asked for level by level: far fewer requests than splits.
    assert!(requests < 15 * 30, "{requests} requests");
    let shallow = GradientBoosting::params().n_rounds(3).max_leaves(Some(2));
    let (a, b, _) = both(
        shallow.early_stopping(EarlyStopping::Off),
        d.records.view(),
        d.targets.view(),
        |c| c as f64,
    );
    a.compare(&b, 1e-9).unwrap();
    // A different model is told apart.
    assert!(a.compare(&local, 1e-9).is_err());
}

#[test]
fn regression_fit_elsewhere_grows_the_same_trees_depth_first_and_with_colsample() {
    let d = regression_problem(2_000, 5, 3);
    for params in [
        GradientBoosting::params()
            .max_leaves(None)
            .max_depth(Some(4))
            .n_rounds(10),
        GradientBoosting::params()
            .colsample(0.6)
            .n_rounds(10)
            .seed(9),
    ] {
        let y: Array1<f64> = d.targets.clone();
        let (local, remote, _) = both(
            params.early_stopping(EarlyStopping::Off),
            d.records.view(),
            y.view(),
            |v| v,
        );
        local.compare(&remote, 1e-9).unwrap();
    }
}

#[test]
fn what_needs_rows_here_is_refused() {
    let d = binary_problem(200, 3, 1);
    let mappers = BinMapper::fit(d.records.view(), 255, &[]).unwrap();
    let mut b = BinnedMatrixBuilder::new(mappers.clone(), 200).unwrap();
    b.push(d.records.view()).unwrap();
    let mut source = RowSource {
        matrix: b.finish(),
        y: vec![0.0; 200],
        parts: 1,
        requests: 0,
    };
    for params in [
        GradientBoosting::params().subsample(0.5),
        GradientBoosting::params().early_stopping(EarlyStopping::On),
    ] {
        let err = params
            .check()
            .unwrap()
            .fit_external::<usize>(mappers.clone(), &mut source)
            .unwrap_err();
        assert!(
            err.to_string().contains("subsample") || err.to_string().contains("early"),
            "{err}"
        );
    }
}
