//! Applying a fitted pipeline to a data file (CSV or Parquet) batch by batch: the file is never
//! in memory at once, so inputs larger than memory can be transformed.
//!
//! Each batch goes through [`FittedPipeline::transform`], the code path of `crisp predict`, so
//! a streamed transform gives exactly what an in-memory one gives ([`DataFile::map_batches`]
//! does the streaming).

use crisp_core::{bail, ColumnKind, DataFile, Result};
use polars::prelude::*;

use crate::FittedPipeline;

/// Rows a pipeline was fitted on, taken from the file being transformed at a fixed stride
/// (see [`DataFile::sample`]), with the features fitting gave them.
#[derive(Debug, Clone)]
pub struct TrainingRows {
    /// Data rows `0, stride, 2 * stride, ...` of the file were the training rows.
    pub stride: usize,
    /// Their features from [`crate::PipelineSpec::fit_transform`] (out-of-fold encodings),
    /// one row per training row, the pipeline's feature columns.
    pub features: DataFrame,
}

/// How [`FittedPipeline::transform_csv`] reads and what it passes through.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// About this many rows per batch handed to the writer (rounded up to the file's record
    /// checkpoints, see [`DataFile::map_batches`]; the last batch may be shorter).
    pub batch_rows: usize,
    /// Columns copied unchanged after the features (the target, an id).
    pub carry: Vec<String>,
}

impl Default for StreamOptions {
    fn default() -> Self {
        StreamOptions {
            batch_rows: 100_000,
            carry: Vec::new(),
        }
    }
}

impl TrainingRows {
    /// Replace, in `out` (the features of the batch starting at file row `first_row`), the
    /// rows that were training rows by their training features.
    fn overlay(&self, out: &mut DataFrame, first_row: usize) -> Result<()> {
        let n = out.height();
        let stride = self.stride.max(1);
        let first = first_row.div_ceil(stride);
        let last = (first_row + n).div_ceil(stride).min(self.features.height());
        if first >= last {
            return Ok(());
        }
        // For each batch row, the training row it was (or null).
        let mut index: Vec<Option<IdxSize>> = vec![None; n];
        for j in first..last {
            index[j * stride - first_row] = Some(j as IdxSize);
        }
        let index = IdxCa::from_iter_options("training_row".into(), index.into_iter());
        let is_training = index.is_not_null();
        for name in self.features.get_column_names_owned() {
            let training = self
                .features
                .column(&name)?
                .as_materialized_series()
                .take(&index)?;
            let current = out.column(&name)?.as_materialized_series().clone();
            let training = training.cast(current.dtype())?;
            let merged = training.zip_with(&is_training, &current)?;
            out.replace(&name, merged.into())?;
        }
        Ok(())
    }
}

/// The type a column of `kind` is parsed as when scanning: numbers and booleans as the
/// training saw them (a batch where an integer column is written `181.0` is read as floats),
/// text-like kinds as text (cast and checked per batch, like `predict`).
fn scan_dtype(kind: ColumnKind) -> DataType {
    match kind {
        ColumnKind::Float => DataType::Float64,
        ColumnKind::Integer => DataType::Int64,
        ColumnKind::Boolean => DataType::Boolean,
        ColumnKind::Text | ColumnKind::Date | ColumnKind::Datetime => DataType::String,
    }
}

impl FittedPipeline {
    /// The types to read the input columns as from a CSV file in batches
    /// ([`DataFile::map_batches`]): numbers and booleans as in training, text-like columns as
    /// text (cast and checked by [`FittedPipeline::transform`]).
    pub fn input_dtypes(&self) -> Vec<(String, DataType)> {
        self.input
            .columns
            .iter()
            .map(|c| (c.name.clone(), scan_dtype(c.kind)))
            .collect()
    }

    /// Fail, naming the file and the columns it has, when `file` lacks an input column of the
    /// pipeline (checked before any batch is read).
    pub fn require_inputs(&self, file: &DataFile) -> Result<()> {
        let header = file.header();
        if let Some(c) = self
            .input
            .columns
            .iter()
            .find(|c| !header.contains(&c.name))
        {
            bail!(
                ColumnNotFound: "{}: column '{}' ({} in training) is missing; the data has: {}",
                file.source(), c.name, c.kind, header.join(", ")
            );
        }
        Ok(())
    }

    /// Transform every row of `file` in batches of `options.batch_rows` rows and hand each
    /// batch of features (then the `carry` columns) to `write`, in file order. `training`
    /// gives the rows the pipeline was fitted on their training features, so that a file
    /// transformed after fitting on a sample of it gets what
    /// [`crate::PipelineSpec::fit_transform`] would have given those rows. Returns the number
    /// of rows transformed.
    ///
    /// Errors name the file and, for a bad value, its row in the whole file; the first error
    /// (from the data or from `write`) stops the work.
    pub fn transform_csv<W>(
        &self,
        file: &DataFile,
        options: &StreamOptions,
        training: Option<&TrainingRows>,
        write: W,
    ) -> Result<usize>
    where
        W: FnMut(&mut DataFrame) -> Result<()>,
    {
        let source = file.source();
        self.require_inputs(file)?;
        let mut read = self.input.names();
        read.extend(
            options
                .carry
                .iter()
                .filter(|c| !read.contains(c))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let dtypes = self.input_dtypes();
        let process = |batch: &DataFrame, first_row: usize| -> Result<DataFrame> {
            let mut out = self.transform(batch, &source)?;
            if let Some(training) = training {
                training.overlay(&mut out, first_row)?;
            }
            for c in &options.carry {
                out.with_column(batch.column(c)?.clone())?;
            }
            Ok(out)
        };
        file.map_batches(&read, &dtypes, options.batch_rows, process, write)
    }
}
