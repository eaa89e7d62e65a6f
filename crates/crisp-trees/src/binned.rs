//! Training on a matrix binned beforehand, batch by batch, for data that does not fit in
//! memory as `f64` values.
//!
//! The trees only ever read `u8` bins (see [`crate::binning`]): given the bin edges of every
//! feature ([`BinMapper`]s, fitted on a sample), rows can be binned as they are read and the
//! raw values dropped, so a fit holds one byte per row and feature plus its targets and
//! gradients. [`BinnedMatrixBuilder`] fills such a matrix; [`BinnedMatrix`] is what
//! `fit_binned` of [`crate::DecisionTreeValidParams`], [`crate::RandomForestValidParams`] and
//! [`crate::GradientBoostingValidParams`] train on. A model fitted this way is the same type
//! as one fitted on raw values and predicts raw values the same way.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::binning::{bin_dataset, BinnedData, FeatureBins, PaddedEdges, MAX_CATEGORIES};
use crate::error::{Result, TreeError};
use crate::params::invalid;

/// How one feature's values map to bins: quantile edges of a numeric feature, or the codes of
/// a categorical one. Fitted by [`BinMapper::fit`].
///
/// Mappers serialize (serde), so they can be sent to the machines that bin a cluster's rows
/// (see [`crate::external`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BinMapper(pub(crate) FeatureBins);

impl BinMapper {
    /// The mappers of every column of `sample`, as an in-memory fit would choose them on the
    /// same rows: at most `max_bins` (2..=255) value bins per numeric feature, with edges at
    /// quantiles of (at most 200 000 evenly spread rows of) the sample; the columns listed in
    /// `categorical` hold category codes (whole numbers in 0..255, NaN for missing).
    ///
    /// The edges are quantiles of the sample: a bin of the whole data holds the share of rows
    /// it holds in the sample up to the sample's error (see the crate README).
    pub fn fit(
        sample: ArrayView2<f64>,
        max_bins: usize,
        categorical: &[usize],
    ) -> Result<Vec<BinMapper>> {
        if !(2..=255).contains(&max_bins) {
            return Err(invalid("max_bins", "in 2..=255", max_bins));
        }
        let (rows, features) = sample.dim();
        if rows == 0 || features == 0 {
            return Err(TreeError::EmptyDataset { rows, features });
        }
        let mut is_categorical = vec![false; features];
        for &c in categorical {
            if c >= features {
                return Err(TreeError::InvalidCategorical {
                    feature: c,
                    reason: format!("column index out of range: the data has {features} features"),
                });
            }
            is_categorical[c] = true;
        }
        let data = bin_dataset(sample, max_bins, &is_categorical)?;
        Ok(data.features.into_iter().map(BinMapper).collect())
    }

    /// Number of value bins (the bin of missing values not included).
    pub fn n_bins(&self) -> usize {
        self.0.n_bins()
    }

    /// Whether the feature holds category codes.
    pub fn is_categorical(&self) -> bool {
        self.0.is_categorical()
    }

    /// Bins `values` into `out` (same length): a numeric value by its edges, NaN to the
    /// missing bin. A category code seen when the mapper was fitted is its own bin; any other
    /// value (an unseen, negative or fractional code) goes to the missing bin, which is where
    /// fitted trees send codes they never saw.
    pub fn bin_values(&self, values: &[f64], out: &mut [u8]) {
        let missing = self.0.missing_bin() as u8;
        match &self.0 {
            FeatureBins::Numeric { edges } => {
                let e = PaddedEdges::new(edges);
                for (o, &v) in out.iter_mut().zip(values) {
                    *o = if v.is_nan() { missing } else { e.bin(v) };
                }
            }
            FeatureBins::Categorical { .. } => {
                let n = f64::from(missing);
                for (o, &v) in out.iter_mut().zip(values) {
                    *o = if v >= 0.0 && v < n && v.fract() == 0.0 {
                        v as u8
                    } else {
                        missing
                    };
                }
            }
        }
    }

    /// A value of bin `bin` that every tree fitted on these bins routes like any raw value of
    /// that bin: the bin's upper edge (+inf for the last numeric bin), the code of a category,
    /// NaN for the missing bin.
    pub fn value_of(&self, bin: u8) -> f64 {
        let b = usize::from(bin);
        if b >= self.0.missing_bin() {
            return f64::NAN;
        }
        match &self.0 {
            FeatureBins::Numeric { edges } => edges.get(b).copied().unwrap_or(f64::INFINITY),
            FeatureBins::Categorical { .. } => b as f64,
        }
    }
}

/// A binned training matrix (one `u8` per row and feature, column-major) with its
/// [`BinMapper`]s, from [`BinnedMatrixBuilder::finish`].
#[derive(Clone, Debug)]
pub struct BinnedMatrix {
    pub(crate) data: BinnedData,
}

impl BinnedMatrix {
    /// Rows held.
    pub fn n_rows(&self) -> usize {
        self.data.n_rows
    }

    /// Features per row.
    pub fn n_features(&self) -> usize {
        self.data.n_features()
    }

    /// The mapper of every feature.
    pub fn mappers(&self) -> Vec<BinMapper> {
        self.data.features.iter().cloned().map(BinMapper).collect()
    }

    /// Bins of feature `f` for every row.
    pub fn column(&self, f: usize) -> &[u8] {
        self.data.column(f)
    }

    /// Rows `start..end` as values (see [`BinMapper::value_of`]): a model fitted on this
    /// matrix predicts them exactly as it predicts the raw rows they were binned from, so
    /// held-out rows kept binned can be evaluated without reading them again.
    pub fn values(&self, start: usize, end: usize) -> Array2<f64> {
        let end = end.min(self.data.n_rows);
        let start = start.min(end);
        let p = self.n_features();
        let mut out = Array2::zeros((end - start, p));
        for (f, fb) in self.data.features.iter().enumerate() {
            let mapper = BinMapper(fb.clone());
            let column = &self.data.column(f)[start..end];
            for (o, &b) in out.column_mut(f).iter_mut().zip(column) {
                *o = mapper.value_of(b);
            }
        }
        out
    }

    /// The bytes the matrix holds (its capacity: rows allocated times features).
    pub fn heap_bytes(&self) -> usize {
        self.data.bins.capacity()
    }

    pub(crate) fn check_targets(&self, targets: usize) -> Result<()> {
        let (rows, features) = (self.n_rows(), self.n_features());
        if rows == 0 || features == 0 {
            return Err(TreeError::EmptyDataset { rows, features });
        }
        if targets != rows {
            return Err(TreeError::ShapeMismatch {
                records: rows,
                targets,
            });
        }
        Ok(())
    }
}

/// Fills a [`BinnedMatrix`] batch by batch: allocated once for at most `capacity` rows, each
/// batch of raw rows is binned and dropped.
#[derive(Debug)]
pub struct BinnedMatrixBuilder {
    data: BinnedData,
    /// Numeric features: the padded edges and the missing bin.
    edges: Vec<Option<(PaddedEdges, u8)>>,
}

/// Marks a missing categorical value until [`BinnedMatrixBuilder::finish`] knows the number of
/// categories (whose missing bin comes after the last code).
const MISSING_CODE: u8 = u8::MAX;

impl std::fmt::Debug for PaddedEdges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PaddedEdges")
    }
}

impl BinnedMatrixBuilder {
    /// An empty matrix for at most `capacity` rows of `mappers.len()` features
    /// (`capacity × features` bytes, allocated now).
    pub fn new(mappers: Vec<BinMapper>, capacity: usize) -> Result<Self> {
        if capacity > u32::MAX as usize {
            return Err(TreeError::Linfa(linfa::Error::Parameters(format!(
                "at most {} rows are supported, got {capacity}",
                u32::MAX
            ))));
        }
        let features: Vec<FeatureBins> = mappers.into_iter().map(|m| m.0).collect();
        let edges = features
            .iter()
            .map(|fb| match fb {
                FeatureBins::Numeric { edges } => {
                    Some((PaddedEdges::new(edges), fb.missing_bin() as u8))
                }
                FeatureBins::Categorical { .. } => None,
            })
            .collect();
        Ok(BinnedMatrixBuilder {
            data: BinnedData {
                n_rows: 0,
                stride: capacity,
                bins: vec![0u8; capacity * features.len()],
                features,
            },
            edges,
        })
    }

    /// Rows added so far.
    pub fn n_rows(&self) -> usize {
        self.data.n_rows
    }

    /// Bins the rows of `x` (one column per mapper) after those added before. Categorical
    /// codes must be whole numbers in 0..255 (or NaN); codes above those of the sample the
    /// mappers were fitted on get bins of their own.
    pub fn push(&mut self, x: ArrayView2<f64>) -> Result<()> {
        let (rows, features) = x.dim();
        let start = self.data.n_rows;
        if features != self.data.features.len() {
            return Err(TreeError::ShapeMismatch {
                records: features,
                targets: self.data.features.len(),
            });
        }
        if start + rows > self.data.stride {
            return Err(TreeError::Linfa(linfa::Error::Parameters(format!(
                "{} rows do not fit in a binned matrix allocated for {}",
                start + rows,
                self.data.stride
            ))));
        }
        if rows == 0 {
            return Ok(());
        }
        let stride = self.data.stride;
        let edges = &self.edges;
        let results: Vec<Result<Option<usize>>> = self
            .data
            .bins
            .par_chunks_mut(stride)
            .zip(x.axis_iter(ndarray::Axis(1)).into_par_iter())
            .enumerate()
            .map(|(f, (column, values))| {
                let out = &mut column[start..start + rows];
                match &edges[f] {
                    Some((e, missing)) => {
                        let missing = *missing;
                        for (o, &v) in out.iter_mut().zip(values.iter()) {
                            *o = if v.is_nan() { missing } else { e.bin(v) };
                        }
                        Ok(None)
                    }
                    None => {
                        let mut max_code = None::<usize>;
                        for (o, &v) in out.iter_mut().zip(values.iter()) {
                            if v.is_nan() {
                                *o = MISSING_CODE;
                                continue;
                            }
                            if v < 0.0 || v.fract() != 0.0 || v >= MAX_CATEGORIES as f64 {
                                return Err(TreeError::InvalidCategorical {
                                    feature: f,
                                    reason: format!(
                                        "value {v} is not a category code (an integer in \
                                         0..{MAX_CATEGORIES}, or NaN for missing)"
                                    ),
                                });
                            }
                            *o = v as u8;
                            max_code = Some(max_code.map_or(v as usize, |m| m.max(v as usize)));
                        }
                        Ok(max_code)
                    }
                }
            })
            .collect();
        for (f, r) in results.into_iter().enumerate() {
            if let Some(code) = r? {
                if let FeatureBins::Categorical { n_categories } = &mut self.data.features[f] {
                    *n_categories = (*n_categories).max(code + 1);
                }
            }
        }
        self.data.n_rows += rows;
        Ok(())
    }

    /// The matrix of the rows added.
    pub fn finish(mut self) -> BinnedMatrix {
        let (n, stride) = (self.data.n_rows, self.data.stride);
        for f in 0..self.data.features.len() {
            if let FeatureBins::Categorical { .. } = self.data.features[f] {
                let missing = self.data.features[f].missing_bin() as u8;
                for b in &mut self.data.bins[f * stride..f * stride + n] {
                    if *b == MISSING_CODE {
                        *b = missing;
                    }
                }
            }
        }
        BinnedMatrix { data: self.data }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn batches_bin_like_the_whole_matrix() {
        let x = Array2::from_shape_fn((1000, 3), |(i, f)| match f {
            0 => ((i * 37) % 101) as f64 * 0.3,
            1 => (i % 7) as f64,
            _ if i % 11 == 0 => f64::NAN,
            _ => (i as f64).sqrt(),
        });
        let whole = bin_dataset(x.view(), 16, &[false, true, false]).unwrap();
        let mappers = BinMapper::fit(x.view(), 16, &[1]).unwrap();
        let mut b = BinnedMatrixBuilder::new(mappers, 1200).unwrap();
        for start in (0..1000).step_by(333) {
            let end = (start + 333).min(1000);
            b.push(x.slice(ndarray::s![start..end, ..])).unwrap();
        }
        let m = b.finish();
        assert_eq!(m.n_rows(), 1000);
        for f in 0..3 {
            assert_eq!(m.column(f), whole.column(f), "feature {f}");
        }
        // The values of the bins fall in the same bins.
        let v = m.values(0, 1000);
        let again = BinnedMatrixBuilder::new(m.mappers(), 1000).and_then(|mut b| {
            b.push(v.view())?;
            Ok(b.finish())
        });
        let again = again.unwrap();
        for f in 0..3 {
            assert_eq!(again.column(f), m.column(f), "feature {f}");
        }
    }

    #[test]
    fn codes_beyond_the_sample_get_their_own_bins_and_missing_moves_after_them() {
        let sample = array![[0.0], [1.0]];
        let mappers = BinMapper::fit(sample.view(), 255, &[0]).unwrap();
        let mut b = BinnedMatrixBuilder::new(mappers, 4).unwrap();
        b.push(array![[f64::NAN], [1.0]].view()).unwrap();
        b.push(array![[4.0], [0.0]].view()).unwrap();
        let m = b.finish();
        assert_eq!(m.column(0), &[5, 1, 4, 0]);
        assert_eq!(m.mappers()[0].n_bins(), 5);
        assert!(BinnedMatrixBuilder::new(m.mappers(), 1)
            .unwrap()
            .push(array![[0.5]].view())
            .is_err());
    }

    #[test]
    fn a_full_matrix_refuses_more_rows() {
        let mappers = BinMapper::fit(array![[0.0], [1.0]].view(), 255, &[]).unwrap();
        let mut b = BinnedMatrixBuilder::new(mappers, 2).unwrap();
        b.push(array![[0.0], [1.0]].view()).unwrap();
        assert!(b.push(array![[0.0]].view()).is_err());
    }
}
