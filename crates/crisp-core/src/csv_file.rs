//! CSV files too large to read at once: checked in pieces, then scanned lazily by Polars'
//! streaming engine (row counts, evenly spaced samples, batches).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use crate::csv::{check_header_names, RecordShape, INFER_SCHEMA_ROWS};
use crate::{bail, Error, Result};

/// A CSV file on disk that passed the checks [`crate::read_csv`] makes (it exists, is not
/// empty, names no column twice, every record has the header's number of fields, and there is
/// a data row), checked in pieces so that memory stays flat whatever the file's size.
#[derive(Debug, Clone)]
pub struct CsvFile {
    path: PathBuf,
    header: Vec<String>,
}

/// Rows taken from a [`CsvFile`] at a fixed stride.
#[derive(Debug, Clone)]
pub struct CsvSample {
    /// Data rows `0, stride, 2 * stride, ...` of the file, in order.
    pub frame: DataFrame,
    /// Distance between two sampled rows (1 when every row was taken).
    pub stride: usize,
    /// Data rows in the whole file.
    pub file_rows: usize,
}

impl CsvFile {
    /// Check the file at `path` (see [`CsvFile`]); errors name the file and the line.
    pub fn check(path: &Path) -> Result<Self> {
        let source = path.display().to_string();
        let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Data(format!("{source}: no such file")),
            _ => Error::io("read", path, e),
        })?;
        let mut shape = RecordShape::new(&source);
        // The beginning of the file, up to the start of the first data row: the header's
        // names, and whether anything follows it.
        let mut head: Vec<u8> = Vec::new();
        let mut buf = vec![0u8; 1 << 22];
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| Error::io("read", path, e))?;
            if n == 0 {
                break;
            }
            let piece = &buf[..n];
            if !head_is_complete(&head) {
                head.extend_from_slice(piece);
            }
            shape.feed(piece)?;
        }
        if head.iter().all(u8::is_ascii_whitespace) {
            bail!(Data: "{source}: the file is empty (expected a header row and data rows)");
        }
        shape.finish()?;
        check_header_names(&head, &source)?;
        if !head
            .split(|&b| b == b'\n')
            .skip(1)
            .any(|line| !line.iter().all(u8::is_ascii_whitespace))
        {
            bail!(Data: "{source}: the file has a header but no data rows");
        }
        let header = header_names(&head);
        Ok(CsvFile {
            path: path.to_path_buf(),
            header,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The column names of the header row, in order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The file's name for error messages.
    pub fn source(&self) -> String {
        self.path.display().to_string()
    }

    /// A lazy scan of the file. Column types are inferred from the first rows, except the
    /// columns in `dtypes`, which are read as given (a value that does not parse as its type
    /// fails the query, naming the value and the column).
    pub fn scan(&self, dtypes: &[(String, DataType)]) -> Result<LazyFrame> {
        self.scan_inferring(dtypes, Some(INFER_SCHEMA_ROWS))
    }

    fn scan_inferring(
        &self,
        dtypes: &[(String, DataType)],
        infer_rows: Option<usize>,
    ) -> Result<LazyFrame> {
        let overwrite: Schema = dtypes
            .iter()
            .map(|(name, dtype)| Field::new(name.as_str().into(), dtype.clone()))
            .collect();
        LazyCsvReader::new(self.path.to_string_lossy().as_ref().into())
            .with_has_header(true)
            .with_infer_schema_length(infer_rows)
            .with_dtype_overwrite((!dtypes.is_empty()).then(|| std::sync::Arc::new(overwrite)))
            .finish()
            .map_err(|e| self.polars_error(e))
    }

    /// The number of data rows, counted by a streaming pass over the file.
    pub fn count_rows(&self) -> Result<usize> {
        let counted = self
            .scan_inferring(&[], Some(0))?
            .select([len().alias("rows")])
            .collect_with_engine(Engine::Streaming)
            .map_err(|e| self.polars_error(e))?
            .unwrap_single();
        let rows = counted
            .column("rows")?
            .get(0)?
            .extract::<u64>()
            .unwrap_or(0);
        Ok(rows as usize)
    }

    /// At most `max_rows` data rows spread evenly over the file (every `stride`-th row from the
    /// first), read through the streaming engine so that only the sample is held in memory.
    /// Column types are inferred like [`crate::read_csv`]'s: from the first rows, or from the
    /// whole file when a later value contradicts them.
    pub fn sample(&self, max_rows: usize) -> Result<CsvSample> {
        if max_rows == 0 {
            bail!(Config: "a sample of 0 rows of {} cannot be fitted on", self.source());
        }
        let file_rows = self.count_rows()?;
        let stride = file_rows.div_ceil(max_rows).max(1);
        const ROW: &str = "__crisp_row__";
        let take = |infer_rows| -> Result<DataFrame> {
            let mut plan = self.scan_inferring(&[], infer_rows)?;
            if stride > 1 {
                plan = plan
                    .with_row_index(ROW, None)
                    .filter((col(ROW) % lit(stride as u64)).eq(lit(0u64)))
                    .drop(cols([ROW]));
            }
            Ok(plan
                .collect_with_engine(Engine::Streaming)
                .map_err(|e| self.polars_error(e))?
                .unwrap_single())
        };
        let frame = take(Some(INFER_SCHEMA_ROWS)).or_else(|_| take(None))?;
        Ok(CsvSample {
            frame,
            stride,
            file_rows,
        })
    }

    /// Read the `columns` of the file in batches of `batch_rows` rows through the streaming
    /// engine (types as in [`CsvFile::scan`]), turn each batch into an output frame with
    /// `process` (given the batch and the number of file rows before it), and hand the outputs
    /// to `write` in file order. Returns the number of rows read.
    ///
    /// Batches are processed on Polars' threads and written on the calling thread, through a
    /// bounded channel that keeps at most a few batches in flight, so memory stays flat. The
    /// first error (of `process`, with its "data row N" renumbered for the whole file, or of
    /// `write`) stops the query and is returned.
    pub fn map_batches<P, W>(
        &self,
        columns: &[String],
        dtypes: &[(String, DataType)],
        batch_rows: usize,
        process: P,
        mut write: W,
    ) -> Result<usize>
    where
        P: Fn(&DataFrame, usize) -> Result<DataFrame> + Send + Sync + 'static,
        W: FnMut(&mut DataFrame) -> Result<()>,
    {
        let source = self.source();
        if let Some(c) = columns.iter().find(|c| !self.header.contains(c)) {
            bail!(ColumnNotFound: "{source}: column '{c}' is missing; the data has: {}", self.header.join(", "));
        }
        let Some(batch_rows) = std::num::NonZeroUsize::new(batch_rows) else {
            bail!(Config: "a batch must hold at least 1 row");
        };
        let (send, receive) = std::sync::mpsc::sync_channel::<Message>(2);
        let state = Arc::new(Mutex::new(BatchState {
            first_row: 0,
            failure: None,
            send: send.clone(),
        }));
        let in_callback = Arc::clone(&state);
        let callback = move |batch: DataFrame| -> PolarsResult<bool> {
            let mut state = in_callback.lock().expect("batch state lock");
            let first_row = state.first_row;
            match process(&batch, first_row) {
                Ok(out) => {
                    state.first_row += batch.height();
                    // A closed channel means the writer failed: stop reading.
                    Ok(state.send.send(Message::Batch(out)).is_err())
                }
                Err(e) => {
                    state.failure = Some(e.in_rows_from(first_row));
                    Ok(true)
                }
            }
        };
        let plan = self
            .scan(dtypes)?
            .select(columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
            .sink_batches(
                PlanCallback::Rust(SpecialEq::new(Arc::new(callback))),
                true,
                Some(batch_rows),
            )
            .map_err(|e| self.polars_error(e))?;
        let mut written: Result<()> = Ok(());
        let mut query: Result<()> = Ok(());
        std::thread::scope(|scope| {
            let runner = scope.spawn(move || {
                let result = plan
                    .collect_with_engine(Engine::Streaming)
                    .map(|_| ())
                    .map_err(|e| self.polars_error(e));
                let _ = send.send(Message::Done(result));
            });
            for message in receive.iter() {
                match message {
                    Message::Batch(mut batch) => {
                        if let Err(e) = write(&mut batch) {
                            written = Err(e);
                            break;
                        }
                    }
                    Message::Done(result) => {
                        query = result;
                        break;
                    }
                }
            }
            // Unblocks a callback waiting to send after a write failed.
            drop(receive);
            let _ = runner.join();
        });
        written?;
        let mut state = state.lock().expect("batch state lock");
        if let Some(e) = state.failure.take() {
            return Err(e);
        }
        query?;
        Ok(state.first_row)
    }

    /// A Polars error of a query on this file, as a data error naming the file (first line
    /// only: Polars appends hints meant for its Python users).
    pub fn polars_error(&self, e: PolarsError) -> Error {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or_default().trim();
        Error::Data(format!("{}: {first}", self.source()))
    }
}

/// Messages from the streaming query to the writing thread.
enum Message {
    Batch(DataFrame),
    Done(Result<()>),
}

/// What the batch callback keeps between batches (Polars calls it with one batch at a time,
/// in file order).
struct BatchState {
    first_row: usize,
    failure: Option<Error>,
    send: std::sync::mpsc::SyncSender<Message>,
}

/// Whether `head` holds the header line and the start of the line after it.
fn head_is_complete(head: &[u8]) -> bool {
    head.iter().filter(|&&b| b == b'\n').nth(1).is_some() || head.len() > (1 << 24)
}

/// The column names of the first line of `bytes`.
fn header_names(bytes: &[u8]) -> Vec<String> {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut names = Vec::new();
    let mut field = Vec::new();
    let mut in_quotes = false;
    for &b in line {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => {
                names.push(String::from_utf8_lossy(&std::mem::take(&mut field)).into_owned())
            }
            b'\r' if !in_quotes => {}
            _ => field.push(b),
        }
    }
    names.push(String::from_utf8_lossy(&field).into_owned());
    names
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
        }
        std::fs::write(&path, &text).unwrap();
        let file = CsvFile::check(&path).unwrap();
        assert_eq!(file.count_rows().unwrap(), 1003);
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
        std::fs::write(&path, "x,y\n1,a\n2,b\nthree,c\n").unwrap();
        let file = CsvFile::check(&path).unwrap();
        let err = file
            .scan(&[("x".into(), DataType::Int64)])
            .unwrap()
            .collect()
            .map_err(|e| file.polars_error(e))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&format!("{}: ", path.display())), "{err}");
        assert!(err.contains("three") && err.contains("'x'"), "{err}");
    }
}
