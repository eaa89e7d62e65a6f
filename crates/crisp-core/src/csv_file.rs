//! Data files too large to read at once. A CSV file is checked in pieces (noting record
//! boundaries), then read in batches of whole records that Polars' CSV reader parses; a
//! Parquet file is read in row ranges (only the row groups a range overlaps). Both give evenly
//! spaced samples and batches mapped through a function on three threads. CSV files are read
//! with `read`, not memory-mapped; a Parquet batch maps the file while it is read and touches
//! only its row groups. Either way resident memory does not grow with the file's size.

use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use polars::prelude::*;

use crate::csv::{
    check_header_names, drop_rows, header_names, name_columns, Checkpoint, RecordShape, Shape,
    INFER_SCHEMA_ROWS,
};
use crate::read::{
    ensure_not_utf16, ensure_parquet_rows, is_parquet, not_parquet, not_utf8, settle_types,
    settled_dtype, transcode, utf8_prefix, Dialect, BOM,
};
use crate::{bail, Encoding, Error, ReadOptions, Result};

/// A data file on disk, CSV or Parquet ([`crate::is_parquet`]), that passed the checks
/// [`crate::read_table`] makes (it exists, is not empty, names no column twice, every record
/// has the header's number of fields, its text is in its encoding, and there is a data row),
/// checked so that memory stays flat whatever the file's size, then read in batches
/// ([`DataFile::map_batches`]) or sampled ([`DataFile::sample`]).
///
/// Batches give the column names and types [`crate::read_table`] gives for the same file
/// (types are inferred from the first rows of a CSV file).
#[derive(Debug, Clone)]
pub struct DataFile {
    path: PathBuf,
    header: Vec<String>,
    layout: Layout,
}

/// The earlier name of [`DataFile`], from when it read only CSV.
pub type CsvFile = DataFile;

#[derive(Debug, Clone)]
enum Layout {
    Csv {
        shape: Shape,
        dialect: Dialect,
        /// Bytes before the header (a byte-order mark).
        start: usize,
    },
    Parquet {
        rows: usize,
        /// The file's columns with the types crisp reads them as.
        schema: SchemaRef,
    },
}

/// Rows taken from a [`DataFile`] at a fixed stride.
#[derive(Debug, Clone)]
pub struct CsvSample {
    /// Data rows `0, stride, 2 * stride, ...` of the file, in order.
    pub frame: DataFrame,
    /// Distance between two sampled rows (1 when every row was taken).
    pub stride: usize,
    /// Data rows in the whole file.
    pub file_rows: usize,
}

impl DataFile {
    /// Check the file at `path` as a UTF-8, comma-separated CSV file (tab-separated for `.tsv`
    /// and `.tab`), or as Parquet by its extension; see [`DataFile::check_with`].
    pub fn check(path: &Path) -> Result<Self> {
        Self::check_with(path, &ReadOptions::default())
    }

    /// Check the file at `path` (see [`DataFile`]): Parquet when its extension says so, CSV
    /// read with `options` otherwise. Errors name the file and the line.
    pub fn check_with(path: &Path, options: &ReadOptions) -> Result<Self> {
        if is_parquet(path) {
            return Self::check_parquet(path);
        }
        Self::check_csv(path, options, 1 << 22)
    }

    /// [`DataFile::check_with`] for a CSV file, read `buffer` bytes at a time.
    pub(crate) fn check_csv(path: &Path, options: &ReadOptions, buffer: usize) -> Result<Self> {
        let dialect = options.dialect(path)?;
        let source = path.display().to_string();
        crate::fs::check_data_path(path)?;
        let mut file = std::fs::File::open(path).map_err(|e| Error::data_file(path, e))?;
        let mut shape = RecordShape::new(&source, &dialect);
        // The beginning of the file (after a byte-order mark), for the header's names.
        let mut head: Vec<u8> = Vec::new();
        // Room for a cut character carried over from the previous read.
        let mut buf = vec![0u8; buffer.max(4) + 3];
        // Bytes of a UTF-8 character cut by the end of the previous read, moved to the front.
        let mut pending = 0;
        // Bytes before the header: a byte-order mark.
        let mut start = 0;
        let mut first = true;
        loop {
            let n = file
                .read(&mut buf[pending..])
                .map_err(|e| Error::io("read", path, e))?;
            if n == 0 {
                if pending > 0 {
                    return Err(not_utf8(&source, shape.line(), &buf[..pending], 0));
                }
                break;
            }
            let end = pending + n;
            let mut from = 0;
            if first {
                first = false;
                if buf[..end].starts_with(BOM) {
                    (start, from) = (BOM.len(), BOM.len());
                    shape.skip(start);
                }
                if dialect.encoding == Encoding::Utf8 {
                    ensure_not_utf16(&buf[from..end], &source)?;
                }
            }
            let piece = &buf[from..end];
            let valid = match dialect.encoding {
                Encoding::Utf8 => {
                    utf8_prefix(piece).map_err(|at| not_utf8(&source, shape.line(), piece, at))?
                }
                _ => piece.len(),
            };
            let piece = &piece[..valid];
            if !head_is_complete(&head) {
                head.extend_from_slice(piece);
            }
            shape.feed(piece)?;
            buf.copy_within(from + valid..end, 0);
            pending = end - from - valid;
        }
        if head.iter().all(u8::is_ascii_whitespace) {
            bail!(Data { file: &source }: "{source}: the file is empty (expected a header row and data rows)");
        }
        let shape = shape.finish()?;
        let header = header_names(&transcode(&head, dialect.encoding), &dialect);
        check_header_names(&header, &source)?;
        if shape.rows == 0 {
            bail!(Data { file: &source }: "{source}: the file has a header but no data rows");
        }
        Ok(DataFile {
            path: path.to_path_buf(),
            header,
            layout: Layout::Csv {
                shape,
                dialect,
                start,
            },
        })
    }

    fn check_parquet(path: &Path) -> Result<Self> {
        let source = path.display().to_string();
        crate::fs::check_data_path(path)?;
        let file = std::fs::File::open(path).map_err(|e| Error::data_file(path, e))?;
        let mut reader = ParquetReader::new(file);
        let rows = reader.num_rows().map_err(|e| not_parquet(&source, &e))?;
        let empty = reader
            .with_slice(Some((0, 0)))
            .finish()
            .map_err(|e| not_parquet(&source, &e))?;
        let schema: Schema = empty
            .schema()
            .iter()
            .map(|(name, dtype)| {
                let dtype = settled_dtype(dtype).unwrap_or_else(|| dtype.clone());
                Field::new(name.clone(), dtype)
            })
            .collect();
        ensure_parquet_rows(schema.len(), rows, &source)?;
        Ok(DataFile {
            path: path.to_path_buf(),
            header: schema.iter_names().map(|n| n.to_string()).collect(),
            layout: Layout::Parquet {
                rows,
                schema: Arc::new(schema),
            },
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file is read as Parquet.
    pub fn is_parquet(&self) -> bool {
        matches!(self.layout, Layout::Parquet { .. })
    }

    /// The column names of the header row (of a Parquet file: its columns), in order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The file's name for error messages.
    pub fn source(&self) -> String {
        self.path.display().to_string()
    }

    /// The number of data rows (records after the header; blank lines are not rows), counted
    /// when the file was checked.
    pub fn rows(&self) -> usize {
        match &self.layout {
            Layout::Csv { shape, .. } => shape.rows,
            Layout::Parquet { rows, .. } => *rows,
        }
    }

    /// The column types of the file: of a CSV file, inferred from its first rows like
    /// [`crate::read_table`] does first, with the columns of `dtypes` read as given instead;
    /// of a Parquet file, its stored types as crisp reads them (`dtypes` does not apply: the
    /// values are typed already).
    pub fn schema(&self, dtypes: &[(String, DataType)]) -> Result<SchemaRef> {
        let (shape, dialect, start) = match &self.layout {
            Layout::Csv {
                shape,
                dialect,
                start,
            } => (shape, dialect, *start),
            Layout::Parquet { schema, .. } => return Ok(schema.clone()),
        };
        let cps = &shape.checkpoints;
        let until = cps
            .iter()
            .find(|c| c.rows >= INFER_SCHEMA_ROWS)
            .or(cps.last())
            .copied()
            .unwrap_or_default();
        let first = Checkpoint {
            byte: start,
            ..Checkpoint::default()
        };
        let bytes = self.read_range(first, until, false)?;
        let mut head = dialect
            .polars_options()
            .with_infer_schema_length(Some(INFER_SCHEMA_ROWS))
            .into_reader_with_file_handle(Cursor::new(bytes))
            .finish()
            .map_err(|e| self.polars_error(e))?;
        name_columns(&mut head, &self.header)?;
        // As read_table types a column: numbers written `nan` or `inf` make a float column.
        let head = settle_types(head, true)?;
        let mut schema = head.schema().as_ref().clone();
        for (name, dtype) in dtypes {
            if schema.contains(name) {
                schema.with_column(name.as_str().into(), dtype.clone());
            }
        }
        Ok(Arc::new(schema))
    }

    /// The bytes (UTF-8) of the CSV records between two checkpoints, after the header record
    /// when `with_header`.
    fn read_range(&self, from: Checkpoint, to: Checkpoint, with_header: bool) -> Result<Vec<u8>> {
        let Layout::Csv {
            shape,
            dialect,
            start,
        } = &self.layout
        else {
            unreachable!("only CSV files are read by byte ranges")
        };
        let header = if with_header {
            shape.header_len.saturating_sub(*start)
        } else {
            0
        };
        let mut bytes = vec![0u8; header + (to.byte - from.byte)];
        let mut file =
            std::fs::File::open(&self.path).map_err(|e| Error::io("read", &self.path, e))?;
        let read = |file: &mut std::fs::File, at: usize, into: &mut [u8]| {
            file.seek(SeekFrom::Start(at as u64))?;
            file.read_exact(into)
        };
        let (head, body) = bytes.split_at_mut(header);
        read(&mut file, *start, head)
            .and_then(|()| read(&mut file, from.byte, body))
            .map_err(|e| Error::io("read", &self.path, e))?;
        Ok(match transcode(&bytes, dialect.encoding) {
            std::borrow::Cow::Borrowed(_) => bytes,
            std::borrow::Cow::Owned(utf8) => utf8,
        })
    }

    /// The rows between two checkpoints as a frame of `schema`, with only `columns` (all when
    /// `None`); rows Polars makes of blank lines are removed.
    fn read_batch(
        &self,
        from: Checkpoint,
        to: Checkpoint,
        schema: &SchemaRef,
        columns: Option<&[String]>,
    ) -> Result<DataFrame> {
        let batch_error = |e: PolarsError| {
            Error::data(format!(
                "{}: {} (in data rows {}-{})",
                self.source(),
                polars_message(&e),
                from.rows + 1,
                to.rows
            ))
            .file(self.source())
        };
        let (shape, dialect) = match &self.layout {
            Layout::Csv { shape, dialect, .. } => (shape, dialect),
            Layout::Parquet { .. } => {
                let file = std::fs::File::open(&self.path)
                    .map_err(|e| Error::io("read", &self.path, e))?;
                let frame = ParquetReader::new(file)
                    .with_slice(Some((from.rows, to.rows - from.rows)))
                    .with_columns(columns.map(<[String]>::to_vec))
                    .finish()
                    .map_err(batch_error)?;
                return settle_types(frame, false);
            }
        };
        let bytes = self.read_range(from, to, true)?;
        let read = |schema: &SchemaRef| {
            let mut options = dialect.polars_options().with_schema(Some(schema.clone()));
            if let Some(columns) = columns {
                options =
                    options.with_columns(Some(columns.iter().map(|c| c.as_str().into()).collect()));
            }
            options
                .into_reader_with_file_handle(Cursor::new(&bytes))
                .finish()
        };
        let frame = read(schema).or_else(|e| {
            // An integer column written `181.0` in this batch (as pandas writes integers with
            // gaps) is read as floats, as reading the whole file would.
            if !schema.iter_values().any(|d| d == &DataType::Int64) {
                // Nothing to retry with.
                return Err(e);
            }
            let floats: Schema = schema
                .iter()
                .map(|(name, dtype)| {
                    let dtype = match dtype {
                        DataType::Int64 => DataType::Float64,
                        other => other.clone(),
                    };
                    Field::new(name.clone(), dtype)
                })
                .collect();
            // When that fails too, its error names the value that is not a number.
            read(&Arc::new(floats))
        });
        // The parser's chunks (one per thread and piece) as one: contiguous columns are faster
        // to transform and are written as one row group.
        let mut frame = frame.map_err(batch_error)?;
        frame.rechunk_mut_par();
        let blank = &shape.blank_rows;
        let lo = blank.partition_point(|&r| r < from.rows_seen);
        let hi = blank.partition_point(|&r| r < to.rows_seen);
        if lo != hi {
            let local: Vec<usize> = blank[lo..hi].iter().map(|r| r - from.rows_seen).collect();
            frame = drop_rows(&frame, &local)?;
        }
        settle_types(frame, false)
    }

    /// Batches of whole records of about `batch_rows` rows (of a CSV file: rounded up to the
    /// checkpoint stride, 64 rows or more for very large files), in file order. A Parquet
    /// file's batches are row ranges (`byte` unused).
    fn batches(&self, batch_rows: usize) -> Vec<(Checkpoint, Checkpoint)> {
        let shape = match &self.layout {
            Layout::Csv { shape, .. } => shape,
            Layout::Parquet { rows, .. } => {
                let at = |r: usize| Checkpoint {
                    byte: 0,
                    rows: r,
                    rows_seen: r,
                };
                let step = batch_rows.max(1);
                return (0..*rows)
                    .step_by(step)
                    .map(|r| (at(r), at((r + step).min(*rows))))
                    .collect();
            }
        };
        let cps = &shape.checkpoints;
        let per = batch_rows.div_ceil(shape.checkpoint_stride).max(1);
        let mut out = Vec::new();
        let mut i = 0;
        while i + 1 < cps.len() {
            let j = (i + per).min(cps.len() - 1);
            out.push((cps[i], cps[j]));
            i = j;
        }
        out
    }

    /// At most `max_rows` data rows spread evenly over the file (every `stride`-th row from the
    /// first), reading it batch by batch so that only the sample is held in memory. Column
    /// types of a CSV file are inferred from the first rows; when a later value contradicts
    /// them, every column is read as text and the sample's text columns are narrowed to
    /// integer or float where all their sampled values parse.
    pub fn sample(&self, max_rows: usize) -> Result<CsvSample> {
        if max_rows == 0 {
            bail!(Config: "a sample of 0 rows of {} cannot be fitted on", self.source());
        }
        let file_rows = self.rows();
        let stride = file_rows.div_ceil(max_rows).max(1);
        let take = |schema: &SchemaRef| -> Result<DataFrame> {
            let mut parts: Vec<DataFrame> = Vec::new();
            for (from, to) in self.batches(SAMPLE_BATCH_ROWS) {
                let batch = self.read_batch(from, to, schema, None)?;
                let keep: BooleanChunked = (from.rows..from.rows + batch.height())
                    .map(|r| r % stride == 0)
                    .collect();
                parts.push(if stride == 1 {
                    batch
                } else {
                    batch.filter(&keep)?
                });
            }
            let mut frame = parts.remove(0);
            for part in &parts {
                frame.vstack_mut(part)?;
            }
            frame.rechunk_mut_par();
            Ok(frame)
        };
        let inferred = self.schema(&[])?;
        let frame = match take(&inferred) {
            Ok(frame) => frame,
            Err(e) if self.is_parquet() => return Err(e),
            Err(_) => {
                let text: Schema = inferred
                    .iter_names()
                    .map(|n| Field::new(n.clone(), DataType::String))
                    .collect();
                narrow_text_columns(take(&Arc::new(text))?)?
            }
        };
        Ok(CsvSample {
            frame,
            stride,
            file_rows,
        })
    }
    /// Read the `columns` of the file in batches of about `batch_rows` rows (types inferred
    /// from the first rows, except those given in `dtypes`), turn each batch into an output
    /// frame with `process` (given the batch and the number of data rows before it), and hand
    /// the outputs to `write` in file order. Returns the number of rows handed to `write`.
    ///
    /// Reading and parsing, `process`, and `write` run on three threads connected by channels
    /// that hold one batch each, so memory stays flat whatever the file's size. The first
    /// error (of parsing or `process`, its "data row N" renumbered for the whole file, or of
    /// `write`) stops the work and is returned.
    pub fn map_batches<P, W>(
        &self,
        columns: &[String],
        dtypes: &[(String, DataType)],
        batch_rows: usize,
        process: P,
        mut write: W,
    ) -> Result<usize>
    where
        P: Fn(&DataFrame, usize) -> Result<DataFrame> + Sync,
        W: FnMut(&mut DataFrame) -> Result<()>,
    {
        let source = self.source();
        if let Some(c) = columns.iter().find(|c| !self.header.contains(c)) {
            bail!(ColumnNotFound { file: &source, column: c }: "{source}: column '{c}' is missing; the data has: {}", self.header.join(", "));
        }
        if batch_rows == 0 {
            bail!(Config: "a batch must hold at least 1 row");
        }
        let schema = self.schema(dtypes)?;
        let batches = self.batches(batch_rows);
        let mut rows = 0;
        std::thread::scope(|scope| {
            // The channels live in this closure: returning early (on an error) drops the
            // receiving end, which stops the other two threads before the scope joins them.
            let (parsed_send, parsed) = sync_channel::<Result<(DataFrame, usize)>>(1);
            let (done_send, done) = sync_channel::<Result<DataFrame>>(1);
            let (schema, batches) = (&schema, batches);
            scope.spawn(move || {
                for (from, to) in batches {
                    let batch = self.read_batch(from, to, schema, Some(columns));
                    let failed = batch.is_err();
                    if parsed_send.send(batch.map(|b| (b, from.rows))).is_err() || failed {
                        break;
                    }
                }
            });
            let process = &process;
            scope.spawn(move || {
                for batch in parsed.iter() {
                    let out = batch.and_then(|(batch, first_row)| {
                        process(&batch, first_row).map_err(|e| e.in_rows_from(first_row))
                    });
                    let failed = out.is_err();
                    if done_send.send(out).is_err() || failed {
                        break;
                    }
                }
            });
            for out in done.iter() {
                let mut batch = out?;
                rows += batch.height();
                write(&mut batch)?;
            }
            Ok(rows)
        })
    }

    /// A Polars error of a query on this file, as a data error naming the file (first line
    /// only: Polars appends hints meant for its Python users).
    pub fn polars_error(&self, e: PolarsError) -> Error {
        Error::data(format!("{}: {}", self.source(), polars_message(&e))).file(self.source())
    }
}

/// The first line of a Polars error (Polars appends hints meant for its Python users).
fn polars_message(e: &PolarsError) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or_default().trim().to_string()
}

/// Rows per batch when sampling (only the sampled rows are kept).
const SAMPLE_BATCH_ROWS: usize = 65_536;

/// `frame` with each text column that holds only integers (or only numbers, `nan` and `inf`
/// included) cast to Int64 (or Float64), as type inference would have read it.
fn narrow_text_columns(mut frame: DataFrame) -> Result<DataFrame> {
    let names: Vec<PlSmallStr> = frame.get_column_names_owned();
    for name in names {
        let column = frame.column(name.as_str())?;
        if column.dtype() != &DataType::String || column.null_count() == column.len() {
            continue;
        }
        if let Ok(integers) = column
            .as_materialized_series()
            .strict_cast(&DataType::Int64)
        {
            frame.replace(name.as_str(), integers.into())?;
        }
    }
    settle_types(frame, true)
}

/// Whether `head` holds the header line (and the start of the next, should a quoted header
/// name hold a line break).
fn head_is_complete(head: &[u8]) -> bool {
    head.iter().filter(|&&b| b == b'\n').nth(1).is_some() || head.len() > (1 << 24)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_csv;

    #[test]
    fn a_file_checked_on_disk_reports_what_reading_it_reports() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8]); 5] = [
            ("ok.csv", b"a,\"b,c\"\n1,2\n"),
            ("ragged.csv", b"a,b\n1,2\n3\n"),
            ("dup.csv", b"a,b,a\n1,2,3\n"),
            ("empty.csv", b" \n"),
            ("header.csv", b"a,b\n"),
        ];
        for (name, bytes) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let read = read_csv(&path).map(|_| ()).map_err(|e| e.to_string());
            let checked = CsvFile::check(&path).map_err(|e| e.to_string());
            assert_eq!(
                checked.as_ref().map(|_| ()).map_err(Clone::clone),
                read,
                "{name}"
            );
            if name == "ok.csv" {
                assert_eq!(checked.unwrap().header(), ["a", "b,c"]);
            }
        }
        let err = CsvFile::check(&dir.path().join("none.csv")).unwrap_err();
        assert!(err.to_string().ends_with("none.csv: no such file"), "{err}");
    }

    #[test]
    fn a_sample_takes_evenly_spaced_rows_and_counts_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.csv");
        let mut text = String::from("i,s\n");
        for i in 0..1003 {
            text.push_str(&format!("{i},r{i}\n"));
            if i % 100 == 7 {
                // Blank lines are not rows, for the count as for the reader.
                text.push('\n');
            }
        }
        std::fs::write(&path, &text).unwrap();
        let file = CsvFile::check(&path).unwrap();
        assert_eq!(file.rows(), 1003);
        let sample = file.sample(100).unwrap();
        assert_eq!((sample.stride, sample.file_rows), (11, 1003));
        let taken: Vec<i64> = sample
            .frame
            .column("i")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        let expected: Vec<i64> = (0..1003).step_by(11).collect();
        assert_eq!(taken, expected);
        let all = file.sample(5000).unwrap();
        assert_eq!((all.stride, all.frame.height()), (1, 1003));
        assert_eq!(all.frame, read_csv(&path).unwrap().frame);
    }

    #[test]
    fn a_value_that_does_not_parse_as_the_given_type_names_the_file_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut text = String::from("x,y\n");
        for i in 0..200 {
            text.push_str(&format!("{i},a\n"));
        }
        text.push_str("three,c\n");
        std::fs::write(&path, text).unwrap();
        let file = CsvFile::check(&path).unwrap();
        let columns = ["x".to_string()];
        let mut written = 0;
        let err = file
            .map_batches(
                &columns,
                &[("x".into(), DataType::Int64)],
                64,
                |b, _| Ok(b.clone()),
                |b| {
                    written += b.height();
                    Ok(())
                },
            )
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&format!("{}: ", path.display())), "{err}");
        assert!(
            err.contains("three") && err.contains("'x'") && err.ends_with("(in data rows 193-201)"),
            "{err}"
        );
        assert_eq!(written, 192);
    }

    #[test]
    fn batches_cover_every_row_once_in_order_without_blank_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        let mut text = String::from("i,q\n\n");
        for i in 0..1000 {
            // Quoted line breaks and blank lines must not shift the batch boundaries.
            text.push_str(&format!("{i},\"line\nbreak {i}\"\n"));
            if i % 63 == 0 {
                text.push_str("\n\r\n");
            }
        }
        std::fs::write(&path, &text).unwrap();
        let file = CsvFile::check(&path).unwrap();
        let whole = read_csv(&path).unwrap().frame;
        assert_eq!(whole.height(), 1000);
        for batch_rows in [1, 64, 100, 999, 5000] {
            let mut seen: Vec<i64> = Vec::new();
            let mut firsts = Vec::new();
            let rows = file
                .map_batches(
                    &["i".to_string(), "q".to_string()],
                    &[],
                    batch_rows,
                    |b, first| {
                        let i = b.column("i")?.i64()?;
                        assert_eq!(i.get(0), Some(first as i64));
                        Ok(b.clone())
                    },
                    |b| {
                        firsts.push(b.height());
                        seen.extend(b.column("i")?.i64()?.into_no_null_iter());
                        Ok(())
                    },
                )
                .unwrap();
            assert_eq!(rows, 1000);
            assert_eq!(
                seen,
                (0..1000).collect::<Vec<i64>>(),
                "batch_rows {batch_rows}"
            );
        }
    }
}
