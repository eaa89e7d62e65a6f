//! Writing output frames as CSV or Parquet, whole or batch by batch as they are produced.

use std::path::Path;

use crisp_core::{bail, write_atomic_with, Error, Result};
use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, PolarsError, SerWriter};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Csv,
    Parquet,
}

/// The output format from `path`'s extension.
pub fn output_format(path: &Path) -> Result<OutputFormat> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(OutputFormat::Csv),
        Some("parquet") => Ok(OutputFormat::Parquet),
        _ => bail!(Config: "--out {}: give a .csv or .parquet file name", path.display()),
    }
}

/// Batches written one after another to an open file.
pub enum BatchWriter<'w, W: std::io::Write + ?Sized> {
    Csv {
        out: &'w mut W,
        header: bool,
    },
    Parquet(Box<polars::io::parquet::write::BatchedWriter<&'w mut W>>),
    /// Parquet before the first batch (its schema opens the file).
    ParquetPending(&'w mut W),
    Taken,
}

impl<'w, W: std::io::Write + ?Sized> BatchWriter<'w, W> {
    pub fn new(format: OutputFormat, out: &'w mut W) -> Self {
        match format {
            OutputFormat::Csv => BatchWriter::Csv { out, header: true },
            OutputFormat::Parquet => BatchWriter::ParquetPending(out),
        }
    }

    pub fn write(&mut self, batch: &mut DataFrame) -> Result<()> {
        match self {
            BatchWriter::Csv { out, header } => {
                CsvWriter::new(&mut **out)
                    .include_header(*header)
                    .finish(batch)?;
                *header = false;
            }
            BatchWriter::ParquetPending(_) => {
                let BatchWriter::ParquetPending(out) = std::mem::replace(self, BatchWriter::Taken)
                else {
                    unreachable!("matched above")
                };
                let writer = ParquetWriter::new(out)
                    .batched(batch.schema())
                    .map_err(parquet_error)?;
                *self = BatchWriter::Parquet(Box::new(writer));
                return self.write(batch);
            }
            BatchWriter::Parquet(writer) => {
                // One row group per batch: a column in many chunks would become many small
                // row groups whose metadata the writer keeps until the footer.
                batch.rechunk_mut_par();
                writer.write_batch(batch).map_err(parquet_error)?
            }
            BatchWriter::Taken => unreachable!("replaced before use"),
        }
        Ok(())
    }

    pub fn finish(self) -> Result<()> {
        if let BatchWriter::Parquet(writer) = self {
            writer.finish().map_err(parquet_error)?;
        }
        Ok(())
    }
}

/// Write `frame` to `path` in `format`, atomically, encoding straight into the file.
pub fn write_frame(path: &Path, format: OutputFormat, frame: &mut DataFrame) -> Result<()> {
    write_atomic_with(path, |out| {
        let mut writer = BatchWriter::new(format, out);
        writer.write(frame)?;
        writer.finish()
    })
}

fn parquet_error(e: PolarsError) -> Error {
    Error::data(format!("cannot encode Parquet: {e}"))
}
