//! Reading CSV files into Polars frames, with errors that name the file and the line.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use crate::read::{decode, settle_types, strip_bom, Dialect};
use crate::{bail, Error, ReadOptions, Result};

/// Rows sampled to infer column types before falling back to the whole file.
pub(crate) const INFER_SCHEMA_ROWS: usize = 10_000;

/// A data file read into memory: its frame and a fingerprint of its bytes.
#[derive(Debug, Clone)]
pub struct CsvData {
    /// The parsed frame (types inferred from the whole file).
    pub frame: DataFrame,
    /// xxh3-128 of the raw bytes, as 32 hex digits: identifies the exact data a model saw.
    pub fingerprint: String,
}

/// Read a CSV file with a header row, in the default dialect: UTF-8, comma-separated (tab for
/// `.tsv` and `.tab` files), `"` quotes. Column types are guessed from the first rows and, if
/// a later value contradicts the guess, inferred again from the whole file, so a text value
/// on row 20 000 does not fail the read. [`crate::read_table`] reads other dialects and
/// Parquet.
///
/// Errors name the file and the problem: missing or unreadable file, empty file, a header with
/// no rows, a line with a different number of fields than the header, bytes that are not
/// UTF-8.
pub fn read_csv(path: &Path) -> Result<CsvData> {
    crate::fs::check_data_path(path)?;
    let bytes = std::fs::read(path).map_err(|e| Error::data_file(path, e))?;
    let fingerprint = crate::fingerprint(&bytes);
    let source = path.display().to_string();
    let frame = parse_csv_in(&bytes, &source, ReadOptions::default().dialect(path)?)?;
    Ok(CsvData { frame, fingerprint })
}

/// Parse CSV bytes (with a header row) in the default dialect; `source` names them in errors.
pub fn parse_csv(bytes: &[u8], source: &str) -> Result<DataFrame> {
    parse_csv_with(bytes, source, &ReadOptions::default())
}

/// Parse CSV bytes (with a header row) read with `options`; `source` names them in errors
/// (and, when no separator is given, its extension chooses one, as for a path).
///
/// A UTF-8 byte-order mark is skipped; Windows line ends, blank lines and quoted line breaks
/// are handled; `""` inside a quoted field (the header's too) is one quote. Numbers are read as
/// [`read_table`](crate::read_table) describes: `nan` is missing, `inf` is infinity.
pub fn parse_csv_with(bytes: &[u8], source: &str, options: &ReadOptions) -> Result<DataFrame> {
    parse_csv_in(bytes, source, options.dialect(Path::new(source))?)
}

/// [`parse_csv_with`] with the options resolved.
pub(crate) fn parse_csv_in(bytes: &[u8], source: &str, dialect: Dialect) -> Result<DataFrame> {
    let bytes = strip_bom(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!(Data { file: source }: "{source}: the file is empty (expected a header row and data rows)");
    }
    let text = decode(bytes, dialect.encoding, source)?;
    let bytes: &[u8] = &text;
    let shape = check_rectangular(bytes, source, &dialect)?;
    let header = header_names(bytes, &dialect);
    check_header_names(&header, source)?;
    // Types are inferred from the first rows (fast); a value further down that does not fit
    // (text in a column that looked numeric) makes the read fail, and the file is then read
    // again with types inferred from every row, so the result never depends on the sample.
    let read = |infer: Option<usize>| {
        dialect
            .polars_options()
            .with_infer_schema_length(infer)
            .into_reader_with_file_handle(Cursor::new(bytes))
            .finish()
    };
    let mut frame = read(Some(INFER_SCHEMA_ROWS))
        .or_else(|_| read(None))
        .map_err(|e| Error::data(format!("{source}: cannot parse CSV: {e}")).file(source))?;
    name_columns(&mut frame, &header)?;
    if !shape.blank_rows.is_empty() {
        frame = drop_rows(&frame, &shape.blank_rows)?;
    }
    if frame.height() == 0 {
        bail!(Data { file: source }: "{source}: the file has a header but no data rows");
    }
    settle_types(frame, true)
}

/// Give `frame`'s columns the header's names as crisp reads them (Polars keeps a quoted name's
/// doubled quotes).
pub(crate) fn name_columns(frame: &mut DataFrame, header: &[String]) -> Result<()> {
    let differs = frame
        .get_column_names()
        .iter()
        .zip(header)
        .any(|(a, b)| a.as_str() != b);
    if differs && frame.width() == header.len() {
        frame.set_column_names(header)?;
    }
    Ok(())
}

/// `frame` without the rows at `sorted_rows`.
pub(crate) fn drop_rows(frame: &DataFrame, sorted_rows: &[usize]) -> Result<DataFrame> {
    let mut drop = sorted_rows.iter().peekable();
    let keep: BooleanChunked = (0..frame.height())
        .map(|i| {
            let dropped = drop.peek() == Some(&&i);
            if dropped {
                drop.next();
            }
            !dropped
        })
        .collect();
    Ok(frame.filter(&keep)?)
}

const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that equals `b`, and nothing else (exact, no carries
/// between bytes).
#[inline(always)]
#[cfg(test)]
fn byte_mask(x: u64, b: u8) -> u64 {
    matches(x, splat(b))
}

/// `b` in every byte of a word.
#[inline(always)]
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each byte of `x` that equals the byte repeated in `pattern` ([`splat`]).
#[inline(always)]
fn matches(x: u64, pattern: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let t = x ^ pattern;
    !(((t & LOW7) + LOW7) | t | LOW7)
}

/// Fail on a header that names a column twice: Polars would rename the second copy, and a
/// model would then read a column the user never wrote.
pub(crate) fn check_header_names(names: &[String], source: &str) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    if let Some(name) = names.iter().find(|n| !seen.insert(n.as_str())) {
        bail!(Data { file: source, column: name }: "{source}: the header names column '{name}' twice");
    }
    Ok(())
}

/// The column names of the header: the first record of `bytes` (UTF-8, no byte-order mark).
/// Quoted names may hold separators and line breaks, and a doubled quote is one quote.
pub(crate) fn header_names(bytes: &[u8], dialect: &Dialect) -> Vec<String> {
    let (separator, quote) = (dialect.separator, dialect.quote);
    let mut names: Vec<String> = Vec::new();
    let mut field = Vec::new();
    let mut in_quotes = false;
    // Blank lines before the header are not the header (the record-shape check and Polars
    // skip them too).
    let mut i = bytes
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(bytes.len());
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if in_quotes {
            if b != quote {
                field.push(b);
            } else if bytes.get(i) == Some(&quote) {
                field.push(quote);
                i += 1;
            } else {
                in_quotes = false;
            }
        } else if b == quote {
            in_quotes = true;
        } else if b == separator {
            names.push(String::from_utf8_lossy(&std::mem::take(&mut field)).into_owned());
        } else if b == b'\n' {
            break;
        } else if b != b'\r' {
            field.push(b);
        }
    }
    names.push(String::from_utf8_lossy(&field).into_owned());
    names
}

/// Fail on the first record whose field count differs from the header's, naming its line.
/// Polars would silently pad short rows with nulls; a short row is almost always a broken file.
fn check_rectangular(bytes: &[u8], source: &str, dialect: &Dialect) -> Result<Shape> {
    let mut shape = RecordShape::new(source, dialect);
    shape.feed(bytes)?;
    shape.finish()
}

/// The record-shape check of [`check_rectangular`], fed a file piece by piece (so a file larger
/// than memory can be checked): the state between pieces is the parser's position in a record.
pub(crate) struct RecordShape<'a> {
    source: &'a str,
    separator: u8,
    quote: u8,
    expected: Option<usize>,
    fields: usize,
    in_quotes: bool,
    /// No byte of the current field has been seen yet: a quote here opens a quoted field.
    field_start: bool,
    /// The last byte closed a quoted field: only a quote (an escaped one), a separator or a
    /// line break may follow.
    after_close: bool,
    line: usize,
    record_start_line: usize,
    record_is_blank: bool,
    /// Non-blank records so far, the header included.
    records: usize,
    /// Rows Polars' readers make after the header: every record, blank or not.
    rows_seen: usize,
    /// Indices (in `rows_seen` numbering) of blank lines after the header, which Polars reads
    /// as rows of nulls.
    blank_rows: Vec<usize>,
    /// Bytes fed before the current piece.
    offset: usize,
    /// Byte offset just after the header record's line break.
    header_end: Option<usize>,
    /// Byte offset where the current record starts.
    record_start: usize,
    max_columns: usize,
    max_record_bytes: usize,
    /// Record boundaries every `checkpoint_stride` data rows (see [`Checkpoint`]).
    checkpoints: Vec<Checkpoint>,
    checkpoint_stride: usize,
}

/// A record boundary of a file: where a batch of whole records can start or end.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Checkpoint {
    /// Byte offset just after a record's line break (or the end of the file).
    pub(crate) byte: usize,
    /// Data rows (non-blank records after the header) before `byte`.
    pub(crate) rows: usize,
    /// Rows a Polars reader makes before `byte` (blank lines included).
    pub(crate) rows_seen: usize,
}

/// The most columns a file may have: a header wider than this is almost always not CSV (or
/// not this separator), and each column costs memory in every batch.
pub const MAX_COLUMNS: usize = 100_000;
/// The longest record (line, or lines of one quoted field) a file may have: one record is one
/// row of a batch, so a longer one would make a batch of unbounded size.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// At most this many checkpoints are kept: past it, every other one is dropped and the
/// stride doubles, so a file of any size costs at most a few megabytes of them.
const MAX_CHECKPOINTS: usize = 1 << 20;
/// Data rows between checkpoints to begin with (batches are whole multiples of the stride).
const FIRST_CHECKPOINT_STRIDE: usize = 64;

/// What the shape check learned about a whole file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shape {
    /// Data rows: non-blank records after the header.
    pub(crate) rows: usize,
    /// Record boundaries: the end of the header, then every `checkpoint_stride` data rows,
    /// then the end of the file.
    pub(crate) checkpoints: Vec<Checkpoint>,
    /// Data rows between two checkpoints (but the last two).
    pub(crate) checkpoint_stride: usize,
    /// Length of the header record, its line break included (0 when there is no line break).
    pub(crate) header_len: usize,
    /// Rows that Polars' readers produce for blank lines (0-based among all the rows they
    /// produce), to be removed: a blank line is not a row of missing values.
    pub(crate) blank_rows: Vec<usize>,
}

impl<'a> RecordShape<'a> {
    pub(crate) fn new(source: &'a str, dialect: &Dialect) -> Self {
        RecordShape {
            source,
            separator: dialect.separator,
            quote: dialect.quote,
            expected: None,
            fields: 1,
            in_quotes: false,
            field_start: true,
            after_close: false,
            line: 1,
            record_start_line: 1,
            record_is_blank: true,
            records: 0,
            rows_seen: 0,
            blank_rows: Vec::new(),
            offset: 0,
            header_end: None,
            record_start: 0,
            max_columns: dialect.max_columns,
            max_record_bytes: dialect.max_record_bytes,
            checkpoints: Vec::new(),
            checkpoint_stride: FIRST_CHECKPOINT_STRIDE,
        }
    }

    /// Note a record boundary at absolute byte `byte` when it falls on the stride.
    fn checkpoint(&mut self, byte: usize) {
        let rows = self.records.saturating_sub(1);
        if self.records == 0 || rows % self.checkpoint_stride != 0 {
            return;
        }
        if self.checkpoints.last().is_some_and(|c| c.rows == rows) {
            // A blank line after a checkpoint: the boundary moves past it.
            self.checkpoints.pop();
        }
        self.checkpoints.push(Checkpoint {
            byte,
            rows,
            rows_seen: self.rows_seen,
        });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            let stride = self.checkpoint_stride * 2;
            self.checkpoints.retain(|c| c.rows % stride == 0);
            self.checkpoint_stride = stride;
        }
    }

    /// Account for the record that just ended.
    /// `end` is the record's end, as a byte offset in the file.
    fn end_record(&mut self, end: usize) -> Result<()> {
        let (source, start_line) = (self.source, self.record_start_line);
        let length = end - self.record_start;
        self.record_start = end;
        let max_bytes = self.max_record_bytes;
        if length > max_bytes {
            bail!(
                Data { file: source, line: start_line }:
                "{source}: the record on line {start_line} is {length} bytes long, more than the {max_bytes} a row may have (a quote left open, or not a CSV file?)"
            );
        }
        if self.records > 0 {
            if self.record_is_blank {
                self.blank_rows.push(self.rows_seen);
            }
            self.rows_seen += 1;
        }
        if self.record_is_blank {
            return Ok(());
        }
        self.records += 1;
        let fields = self.fields;
        let max_columns = self.max_columns;
        match self.expected {
            None if fields > max_columns => bail!(
                Data { file: source, line: start_line }:
                "{source}: the header has {fields} columns, more than the {max_columns} a file may have (is the separator right?)"
            ),
            None => self.expected = Some(fields),
            Some(n) if n != fields => bail!(
                Data { file: source, line: start_line }: "{source}: line {start_line} has {fields} field{} but the header has {n}",
                if fields == 1 { "" } else { "s" }
            ),
            Some(_) => {}
        }
        Ok(())
    }

    /// Bytes at the start of the file that are not part of the text (a byte-order mark):
    /// offsets stay offsets in the file.
    pub(crate) fn skip(&mut self, bytes: usize) {
        self.offset += bytes;
    }

    /// The line the next byte fed is on (from 1).
    pub(crate) fn line(&self) -> usize {
        self.line
    }

    /// Reads `bytes`, the next piece of the file.
    ///
    /// Quoting is strict, as RFC 4180 has it: a quote opens a quoted field only as the field's
    /// first byte; inside, a doubled quote is a quote; after the closing quote only a separator
    /// or a line break may come. A quote elsewhere is an error naming its line: Polars splits
    /// lines and fields by different rules around such a quote (lines toggle on any quote,
    /// fields only on a leading one), so a stray `5'10"` could silently merge rows, and the
    /// in-memory and streamed readers could disagree on the columns.
    pub(crate) fn feed(&mut self, bytes: &[u8]) -> Result<()> {
        let (separator, quote) = (self.separator, self.quote);
        let (separators, quotes) = (splat(separator), splat(quote));
        const NEWLINES: u64 = splat(b'\n');
        const RETURNS: u64 = splat(b'\r');
        let mut i = 0;
        while i < bytes.len() {
            // Fast path, 8 bytes at a time: a word with no quote and no line break only adds
            // its separators (outside quotes) and makes the record non-blank unless it is all
            // `\r`; a field starts after it only when it ends with a separator.
            if let (Some(word), false) = (bytes.get(i..i + 8), self.after_close) {
                let x = u64::from_le_bytes(word.try_into().expect("8 bytes"));
                if matches(x, quotes) | matches(x, NEWLINES) == 0 {
                    if !self.in_quotes {
                        let seps = matches(x, separators);
                        self.fields += seps.count_ones() as usize;
                        if matches(x, RETURNS) != HIGH_BITS {
                            self.record_is_blank = false;
                            self.field_start = seps >> 56 != 0;
                        }
                    }
                    i += 8;
                    continue;
                }
            }
            let b = bytes[i];
            i += 1;
            if self.in_quotes {
                if b == quote {
                    self.in_quotes = false;
                    self.after_close = true;
                } else if b == b'\n' {
                    self.line += 1;
                }
                continue;
            }
            if self.after_close {
                self.after_close = false;
                if b == quote {
                    // A doubled quote inside the field: still quoted.
                    self.in_quotes = true;
                    continue;
                }
                if b != separator && b != b'\n' && b != b'\r' {
                    return Err(self.stray_quote("text after the closing quote of a quoted field"));
                }
            }
            if b == quote {
                if !self.field_start {
                    return Err(self.stray_quote("a quote character inside an unquoted field"));
                }
                self.in_quotes = true;
                self.field_start = false;
                self.record_is_blank = false;
            } else if b == separator {
                self.fields += 1;
                self.field_start = true;
                self.record_is_blank = false;
            } else if b == b'\n' {
                self.line += 1;
                self.end_record(self.offset + i)?;
                if self.header_end.is_none() && self.records == 1 {
                    self.header_end = Some(self.offset + i);
                }
                self.checkpoint(self.offset + i);
                self.fields = 1;
                self.field_start = true;
                self.record_is_blank = true;
                self.record_start_line = self.line;
            } else if b != b'\r' {
                self.field_start = false;
                self.record_is_blank = false;
            }
        }
        self.offset += bytes.len();
        Ok(())
    }

    /// The error for a quote where the strict quoting rules do not allow one.
    fn stray_quote(&self, what: &str) -> Error {
        let (source, line, field) = (self.source, self.line, self.fields);
        Error::data(format!("{source}: line {line}, field {field}: {what}"))
            .file(source)
            .line(line)
            .with_hint(crate::Hint::QuoteTheField)
    }

    /// Check the last record (text after the last line break, if any).
    pub(crate) fn finish(mut self) -> Result<Shape> {
        if self.in_quotes {
            let (source, line) = (self.source, self.record_start_line);
            bail!(Data { file: source, line: line }: "{source}: a quoted field opened on line {line} is never closed");
        }
        if !self.record_is_blank {
            self.end_record(self.offset)?;
        }
        let end = Checkpoint {
            byte: self.offset,
            rows: self.records.saturating_sub(1),
            rows_seen: self.rows_seen,
        };
        match self.checkpoints.last_mut() {
            Some(last) if last.rows == end.rows => *last = end,
            _ => self.checkpoints.push(end),
        }
        Ok(Shape {
            rows: end.rows,
            blank_rows: self.blank_rows,
            checkpoints: self.checkpoints,
            checkpoint_stride: self.checkpoint_stride,
            header_len: self.header_end.unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comma() -> Dialect {
        ReadOptions::default().dialect(Path::new("p.csv")).unwrap()
    }

    #[test]
    fn reads_types_and_nulls() {
        let df = parse_csv(b"a,b,c\n1,x,2.5\n,y,\n3,,1\n", "t.csv").unwrap();
        assert_eq!(df.shape(), (3, 3));
        assert_eq!(df.column("a").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("b").unwrap().dtype(), &DataType::String);
        assert_eq!(df.column("a").unwrap().null_count(), 1);
        assert_eq!(df.column("b").unwrap().null_count(), 1);
    }

    #[test]
    fn quotes_follow_strict_rules_and_a_stray_quote_is_refused_on_both_paths() {
        let ok = parse_csv(
            b"\"size \"\"in\"\" cm\",note\r\n1,\"a, \"\"b\"\"\nc\"\r\n\"\",x\n",
            "ok.csv",
        )
        .unwrap();
        assert_eq!(ok.get_column_names(), ["size \"in\" cm", "note"]);
        assert_eq!(ok.height(), 2);
        for (bytes, expected) in [
            (
                &b"height,name\n5'10\",bob\n6',al\n"[..],
                "s.csv: line 2, field 1: a quote character inside an unquoted field; quote the whole field",
            ),
            (
                &b"a,b\n\"x\"y,1\n"[..],
                "s.csv: line 2, field 1: text after the closing quote of a quoted field",
            ),
        ] {
            let err = parse_csv(bytes, "s.csv").unwrap_err();
            assert!(err.to_string().starts_with(expected), "{err}");
            assert_eq!(err.location().line, Some(2));
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("s.csv");
            std::fs::write(&path, bytes).unwrap();
            let streamed = crate::DataFile::check(&path).unwrap_err();
            let file = path.display().to_string();
            assert_eq!(streamed.message(), err.message().replacen("s.csv", &file, 1));
        }
    }

    #[test]
    fn blank_lines_before_the_header_are_skipped_on_both_paths() {
        let bytes = b"\n\r\n\na,b\n1,2\n";
        let frame = parse_csv(bytes, "b.csv").unwrap();
        assert_eq!(frame.get_column_names(), ["a", "b"]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.csv");
        std::fs::write(&path, bytes).unwrap();
        let file = crate::DataFile::check(&path).unwrap();
        assert_eq!(file.header(), ["a", "b"]);
        assert_eq!(file.rows(), 1);
    }

    /// Inputs the fuzz target `csv` (fuzz/) once crashed on, replayed as it reads them: the
    /// first byte picks the separator and the encoding, the rest is the file. Both readers must
    /// refuse such a file or agree on its columns.
    #[test]
    fn fuzz_regressions_read_alike_in_memory_and_streamed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions/csv");
        let tmp = tempfile::tempdir().unwrap();
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            let Some((&choice, bytes)) = data.split_first() else {
                continue;
            };
            seen += 1;
            let options = ReadOptions::default()
                .with_separator([b',', b';', b'\t', b'|'][usize::from(choice & 3)])
                .with_encoding(if choice & 4 == 0 {
                    crate::Encoding::Utf8
                } else {
                    crate::Encoding::Latin1
                });
            let path = tmp.path().join("f.csv");
            std::fs::write(&path, bytes).unwrap();
            let in_memory = parse_csv_with(bytes, "f.csv", &options);
            let streamed = crate::DataFile::check_with(&path, &options);
            if let (Ok(frame), Ok(file)) = (&in_memory, &streamed) {
                let names: Vec<String> = frame
                    .get_column_names()
                    .iter()
                    .map(|n| n.to_string())
                    .collect();
                assert_eq!(names, file.header());
            }
            assert_eq!(in_memory.is_ok(), streamed.is_ok());
        }
        assert!(seen > 0, "no regression input in {}", dir.display());
    }

    #[test]
    fn too_many_columns_or_too_long_a_record_is_refused_on_both_paths() {
        let options = ReadOptions::default()
            .with_max_columns(3)
            .with_max_record_bytes(40);
        let err = parse_csv_with(b"a,b,c,d\n1,2,3,4\n", "wide.csv", &options).unwrap_err();
        assert_eq!(
            err.to_string(),
            "wide.csv: the header has 4 columns, more than the 3 a file may have (is the separator right?)"
        );
        let long = format!("a,b\n1,\"{}\"\n2,3\n", "x".repeat(50));
        let err = parse_csv_with(long.as_bytes(), "long.csv", &options).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("long.csv: the record on line 2 is 55 bytes long, more than the 40"),
            "{err}"
        );
        assert_eq!(err.location().line, Some(2));
        // The streamed reader checks the same limits.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.csv");
        std::fs::write(&path, &long).unwrap();
        let err = crate::DataFile::check_with(&path, &options).unwrap_err();
        assert!(
            err.to_string()
                .contains("the record on line 2 is 55 bytes long"),
            "{err}"
        );
        assert!(parse_csv_with(b"a,b,c\n1,2,3\n", "ok.csv", &options).is_ok());
    }

    #[test]
    fn a_late_value_that_contradicts_the_sampled_type_is_read_correctly() {
        let mut csv = String::from("n,f\n");
        for i in 0..(INFER_SCHEMA_ROWS + 50) {
            csv.push_str(&format!("{i},{i}\n"));
        }
        csv.push_str("text,2.5\n");
        let df = parse_csv(csv.as_bytes(), "late.csv").unwrap();
        assert_eq!(df.column("n").unwrap().dtype(), &DataType::String);
        assert_eq!(df.column("f").unwrap().dtype(), &DataType::Float64);
        assert_eq!(df.height(), INFER_SCHEMA_ROWS + 51);
    }

    #[test]
    fn duplicate_header_names_are_refused() {
        let err = parse_csv(b"a,b,a\n1,2,3\n", "d.csv").unwrap_err();
        assert_eq!(err.to_string(), "d.csv: the header names column 'a' twice");
        assert!(
            parse_csv(b"\"a,b\",a\n1,2\n", "q.csv").is_ok(),
            "a quoted comma is part of the name"
        );
    }

    #[test]
    fn ragged_row_names_the_line() {
        let err = parse_csv(b"a,b,c\n1,2,3\n4,5\n", "t.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: line 3 has 2 fields but the header has 3"
        );
        let err = parse_csv(b"a,b\n1,2\n\"x,y\",3,4\n", "t.csv").unwrap_err();
        assert!(err.to_string().contains("line 3 has 3 fields"), "{err}");
    }

    #[test]
    fn word_at_a_time_scan_agrees_with_bytes() {
        for b in 0..=255u8 {
            let x = u64::from_le_bytes([b, 0, b',', b, 255, b'\r', b, 1]);
            let expected = [b, 0, b',', b, 255, b'\r', b, 1]
                .iter()
                .enumerate()
                .filter(|(_, &v)| v == b',')
                .fold(0u64, |m, (k, _)| m | 0x80 << (8 * k));
            assert_eq!(byte_mask(x, b','), expected, "byte {b}");
        }
        // Long lines, quotes and blank lines across word boundaries.
        let long = "abcdefghij".repeat(5);
        let csv = format!("a,b,c\n{long},\"{long},\n{long}\",1\n\r\n\n{long},{long},{long}\n");
        assert_eq!(parse_csv(csv.as_bytes(), "w.csv").unwrap().width(), 3);
        let csv = format!("a,b,c\n{long},{long},{long},{long}\n");
        assert_eq!(
            parse_csv(csv.as_bytes(), "w.csv").unwrap_err().to_string(),
            "w.csv: line 2 has 4 fields but the header has 3"
        );
        let csv = format!("a,b\n{long},\"{long}\n");
        assert_eq!(
            parse_csv(csv.as_bytes(), "w.csv").unwrap_err().to_string(),
            "w.csv: a quoted field opened on line 2 is never closed"
        );
    }

    #[test]
    fn quoted_delimiters_and_newlines_are_one_field() {
        let df = parse_csv(b"a,b\n\"x,\ny\",1\nz,2\n", "t.csv").unwrap();
        assert_eq!(df.shape(), (2, 2));
    }

    #[test]
    fn empty_and_header_only_files() {
        let err = parse_csv(b"  \n", "e.csv").unwrap_err();
        assert!(
            err.to_string().starts_with("e.csv: the file is empty"),
            "{err}"
        );
        let err = parse_csv(b"a,b,c\n", "h.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "h.csv: the file has a header but no data rows"
        );
    }

    #[test]
    fn missing_file_is_named() {
        let err = read_csv(Path::new("/nonexistent/x.csv")).unwrap_err();
        assert_eq!(err.to_string(), "/nonexistent/x.csv: no such file");
    }

    /// The verdict of [`check_rectangular`] on the whole buffer, or of the same check fed the
    /// buffer in pieces of `piece` bytes (pieces split words, quotes and line breaks).
    fn shape_verdict(bytes: &[u8], piece: Option<usize>) -> std::result::Result<(), String> {
        match piece {
            None => check_rectangular(bytes, "p.csv", &comma()).map(|_| ()),
            Some(n) => {
                let mut shape = RecordShape::new("p.csv", &comma());
                bytes
                    .chunks(n)
                    .try_for_each(|c| shape.feed(c))
                    .and_then(|()| shape.finish().map(|_| ()))
            }
        }
        .map_err(|e| e.to_string())
    }

    #[test]
    fn the_shape_check_fed_in_pieces_agrees_with_the_whole_buffer() {
        let files: [&[u8]; 5] = [
            b"a,b,c\n1,2,3\n4,5,6\n7,8,9\n",
            b"a,b,c\n1,2,3\n4,5\n7,8,9\n",
            b"name,note\n\"x, y\",\"multi\nline, with comma\"\nz,w\nlonger-text-field-here,1\n",
            b"a,b\r\n1,2\r\n\r\n3,4,5\r\n",
            b"a,b\n\"open,1\n2,3\n",
        ];
        for bytes in files {
            let whole = shape_verdict(bytes, None);
            for piece in [1, 3, 7, 8, 9, 64] {
                assert_eq!(shape_verdict(bytes, Some(piece)), whole, "piece {piece}");
            }
        }
        assert_eq!(
            shape_verdict(files[1], Some(3)).unwrap_err(),
            "p.csv: line 3 has 2 fields but the header has 3"
        );
    }

    #[test]
    fn blank_lines_are_not_rows() {
        let df = parse_csv(b"i,s\n1,a\n\n2,b\n\r\n\n3,,\n\n", "b.csv");
        // "3,," has three fields: still a ragged row, blank lines or not.
        assert!(df.is_err());
        let df = parse_csv(b"i,s\n1,a\n\n2,b\n\r\n\n3,\n\n", "b.csv").unwrap();
        let i: Vec<Option<i64>> = df.column("i").unwrap().i64().unwrap().iter().collect();
        assert_eq!(i, [Some(1), Some(2), Some(3)]);
        assert_eq!(df.column("s").unwrap().null_count(), 1);
        let one = parse_csv(b"i\n1\n\n2\n", "one.csv").unwrap();
        assert_eq!(one.height(), 2);
    }
}
