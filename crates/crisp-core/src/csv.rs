//! Reading CSV files into Polars frames, with errors that name the file and the line.

use std::io::Cursor;
use std::path::Path;

use polars::prelude::*;

use crate::{bail, Error, Result};

/// Rows sampled to infer column types before falling back to the whole file.
const INFER_SCHEMA_ROWS: usize = 10_000;

/// A CSV file read into memory: its frame and a fingerprint of its bytes.
#[derive(Debug, Clone)]
pub struct CsvData {
    /// The parsed frame (types inferred from the whole file).
    pub frame: DataFrame,
    /// xxh3-128 of the raw bytes, as 32 hex digits: identifies the exact data a model saw.
    pub fingerprint: String,
}

/// Read a CSV file with a header row. Column types are guessed from the first rows and, if a
/// later value contradicts the guess, inferred again from the whole file, so a text value on
/// row 20 000 does not fail the read.
///
/// Errors name the file and the problem: missing or unreadable file, empty file, a header with
/// no rows, a line with a different number of fields than the header.
pub fn read_csv(path: &Path) -> Result<CsvData> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Data(format!("{}: no such file", path.display())),
        _ => Error::io("read", path, e),
    })?;
    let fingerprint = crate::fingerprint(&bytes);
    let frame = parse_csv(&bytes, &path.display().to_string())?;
    Ok(CsvData { frame, fingerprint })
}

/// Parse CSV bytes (with a header row); `source` names them in errors.
pub fn parse_csv(bytes: &[u8], source: &str) -> Result<DataFrame> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        bail!(Data: "{source}: the file is empty (expected a header row and data rows)");
    }
    check_rectangular(bytes, source)?;
    // Types are inferred from the first rows (fast); a value further down that does not fit
    // (text in a column that looked numeric) makes the read fail, and the file is then read
    // again with types inferred from every row, so the result never depends on the sample.
    let read = |infer: Option<usize>| {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(infer)
            .into_reader_with_file_handle(Cursor::new(bytes))
            .finish()
    };
    let frame = read(Some(INFER_SCHEMA_ROWS))
        .or_else(|_| read(None))
        .map_err(|e| Error::Data(format!("{source}: cannot parse CSV: {e}")))?;
    if frame.height() == 0 {
        bail!(Data: "{source}: the file has a header but no data rows");
    }
    Ok(frame)
}

/// Fail on the first record whose field count differs from the header's, naming its line.
/// Polars would silently pad short rows with nulls; a short row is almost always a broken file.
fn check_rectangular(bytes: &[u8], source: &str) -> Result<()> {
    let mut expected: Option<usize> = None;
    let mut fields = 1usize;
    let mut in_quotes = false;
    let mut line = 1usize;
    let mut record_start_line = 1usize;
    let mut record_is_blank = true;
    let mut finish = |fields: usize, start_line: usize, blank: bool| -> Result<()> {
        if blank {
            return Ok(());
        }
        match expected {
            None => expected = Some(fields),
            Some(n) if n != fields => bail!(
                Data: "{source}: line {start_line} has {fields} field{} but the header has {n}",
                if fields == 1 { "" } else { "s" }
            ),
            Some(_) => {}
        }
        Ok(())
    };
    for &b in bytes {
        match b {
            b'"' => {
                in_quotes = !in_quotes;
                record_is_blank = false;
            }
            b',' if !in_quotes => {
                fields += 1;
                record_is_blank = false;
            }
            b'\n' => {
                line += 1;
                if !in_quotes {
                    finish(fields, record_start_line, record_is_blank)?;
                    fields = 1;
                    record_is_blank = true;
                    record_start_line = line;
                }
            }
            b'\r' => {}
            _ => record_is_blank = false,
        }
    }
    if in_quotes {
        bail!(Data: "{source}: a quoted field opened on line {record_start_line} is never closed");
    }
    finish(fields, record_start_line, record_is_blank)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
