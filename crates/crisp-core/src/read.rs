//! Reading a data file as people have it: CSV in any common dialect (separator, quote
//! character, a byte-order mark, Windows line ends, Latin-1 or Windows-1252 text) or Parquet,
//! chosen by the file's extension, with numbers as people write them (see [`read_table`]).

use std::borrow::Cow;
use std::fmt;
use std::io::Cursor;
use std::path::Path;
use std::str::FromStr;

use polars::prelude::*;

use crate::{bail, CsvData, Error, Hint, Result};

/// The text encoding of a CSV file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// UTF-8 (the default); a byte-order mark is skipped, and bytes that are not UTF-8 are an
    /// error naming the line.
    #[default]
    Utf8,
    /// ISO-8859-1: every byte is the Unicode character of the same number.
    Latin1,
    /// Windows-1252 (Excel's "CSV" on Western Windows): Latin-1 with printable characters in
    /// 0x80–0x9F (`€`, curly quotes, dashes...).
    Windows1252,
}

impl Encoding {
    /// The canonical name (`utf-8`, `latin1`, `windows-1252`).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Latin1 => "latin1",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Encoding {
    type Err = Error;

    /// `utf-8` (`utf8`), `latin1` (`latin-1`, `iso-8859-1`, `l1`) or `windows-1252`
    /// (`cp1252`), in any letter case.
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Encoding::Utf8,
            "latin1" | "latin-1" | "iso-8859-1" | "iso8859-1" | "l1" => Encoding::Latin1,
            "windows-1252" | "cp1252" | "win-1252" | "windows1252" => Encoding::Windows1252,
            _ => {
                return Err(Error::config(format!(
                    "unknown encoding '{s}': crisp reads utf-8, latin1 (iso-8859-1) and windows-1252 (cp1252)"
                ))
                .value(s))
            }
        })
    }
}

/// How to read a data file. Parquet files (`.parquet`, `.pq`) are recognised by their
/// extension and need no options; the options describe CSV text.
///
/// ```
/// use crisp_core::{Encoding, ReadOptions};
///
/// let semicolons = ReadOptions::default().with_separator(b';');
/// let excel = ReadOptions::default().with_encoding(Encoding::Windows1252);
/// assert_eq!(ReadOptions::for_path("scores.tsv".as_ref()).separator, Some(b'\t'));
/// assert_eq!(ReadOptions::default().separator_for("scores.tsv".as_ref()), b'\t');
/// # let _ = (semicolons, excel);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The field separator (one ASCII byte). `None`: by the file's extension, a tab for
    /// `.tsv` and `.tab` files and a comma otherwise.
    pub separator: Option<u8>,
    /// The quote character (one ASCII byte, `"` by default). Inside a quoted field it is
    /// written twice (`"size ""in"" cm"` is `size "in" cm`), in the header as in the rows.
    pub quote: u8,
    /// The text encoding ([`Encoding::Utf8`] by default).
    pub encoding: Encoding,
    /// The most columns a file may have ([`crate::csv::MAX_COLUMNS`] by default): a wider
    /// header is refused naming its count.
    pub max_columns: usize,
    /// The longest record, in bytes ([`crate::csv::MAX_RECORD_BYTES`] by default): a longer
    /// one (a quote left open, a file that is not CSV) is refused naming its line.
    pub max_record_bytes: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            separator: None,
            quote: b'"',
            encoding: Encoding::Utf8,
            max_columns: crate::csv::MAX_COLUMNS,
            max_record_bytes: crate::csv::MAX_RECORD_BYTES,
        }
    }
}

impl ReadOptions {
    /// The default options with the separator a file at `path` has by default (a tab for
    /// `.tsv` and `.tab`, a comma otherwise).
    pub fn for_path(path: &Path) -> Self {
        ReadOptions {
            separator: Some(default_separator(path)),
            ..ReadOptions::default()
        }
    }

    /// With the field separator `separator`.
    pub fn with_separator(mut self, separator: u8) -> Self {
        self.separator = Some(separator);
        self
    }

    /// With the quote character `quote`.
    pub fn with_quote(mut self, quote: u8) -> Self {
        self.quote = quote;
        self
    }

    /// With the text encoding `encoding`.
    pub fn with_encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Refusing files of more than `max_columns` columns.
    pub fn with_max_columns(mut self, max_columns: usize) -> Self {
        self.max_columns = max_columns;
        self
    }

    /// Refusing records longer than `max_record_bytes` bytes.
    pub fn with_max_record_bytes(mut self, max_record_bytes: usize) -> Self {
        self.max_record_bytes = max_record_bytes;
        self
    }

    /// The separator used for a file at `path`: the one given, else the extension's default.
    pub fn separator_for(&self, path: &Path) -> u8 {
        self.separator.unwrap_or_else(|| default_separator(path))
    }

    /// The separator and quote for a file at `path`, checked: one ASCII character each, no
    /// line break, not the same.
    pub(crate) fn dialect(&self, path: &Path) -> Result<Dialect> {
        let separator = self.separator_for(path);
        let file = path.display();
        for (what, b) in [("separator", separator), ("quote character", self.quote)] {
            if !b.is_ascii() || b == b'\n' || b == b'\r' {
                bail!(Config { file: &file }: "{file}: the {what} must be one ASCII character other than a line break, not byte 0x{b:02X}");
            }
        }
        if separator == self.quote {
            bail!(Config { file: &file }: "{file}: the separator and the quote character are both '{}'", shown(separator));
        }
        Ok(Dialect {
            separator,
            quote: self.quote,
            encoding: self.encoding,
            max_columns: self.max_columns,
            max_record_bytes: self.max_record_bytes,
        })
    }
}

/// A byte as it would be typed (`\t` for a tab).
fn shown(b: u8) -> String {
    std::ascii::escape_default(b).to_string()
}

fn default_separator(path: &Path) -> u8 {
    match extension(path).as_deref() {
        Some("tsv" | "tab") => b'\t',
        _ => b',',
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Whether `path` names a Parquet file (extension `.parquet` or `.pq`, any letter case):
/// [`read_table`] and [`crate::DataFile::check_with`] read those as Parquet, anything else as
/// CSV.
pub fn is_parquet(path: &Path) -> bool {
    matches!(extension(path).as_deref(), Some("parquet" | "pq"))
}

/// Resolved CSV options of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect {
    pub(crate) separator: u8,
    pub(crate) quote: u8,
    pub(crate) encoding: Encoding,
    pub(crate) max_columns: usize,
    pub(crate) max_record_bytes: usize,
}

impl Dialect {
    /// Polars' CSV options for this dialect (a header row).
    pub(crate) fn polars_options(&self) -> CsvReadOptions {
        let (separator, quote) = (self.separator, self.quote);
        CsvReadOptions::default()
            .with_has_header(true)
            .map_parse_options(|p| p.with_separator(separator).with_quote_char(Some(quote)))
    }
}

/// Read the data file at `path` into memory: Parquet when its extension says so
/// ([`is_parquet`]), CSV with `options` otherwise (see [`crate::parse_csv_with`]). The
/// fingerprint is of the file's bytes either way. [`crate::DataFile`] reads the same files in
/// batches, with the same column names and types.
///
/// Errors name the file and the problem: missing file, empty file, a header with no rows, a
/// ragged row or text that is not in the encoding (with its line), a file that is not Parquet.
///
/// # CSV
///
/// A header row, then one record per line. A UTF-8 byte-order mark (Excel's "CSV UTF-8") is
/// skipped; `\r\n` line ends, blank lines and line breaks inside quoted fields are handled; a
/// quote inside a quoted field is written twice, in the header as in the rows (`"size ""in""
/// cm"` is the column `size "in" cm`). Text that is not valid UTF-8 is an error naming the line
/// and the byte, unless [`ReadOptions::encoding`] says it is Latin-1 or Windows-1252, which is
/// then transcoded to UTF-8.
///
/// # Numbers
///
/// A CSV column whose every value is a number is a float column, also when some values are
/// written `NaN`, `nan`, `inf`, `-inf`, `Infinity` (any letter case) or overflow a float
/// (`1e400`). Those values are **missing** (null), as an empty field is: `NaN` means "no
/// number", and infinities, which data tools write for a division by zero or an overflow, would
/// break the models that compute with every value (a linear model's coefficients become NaN),
/// so they are read as missing too, in every float column and in Parquet files as well. Every
/// model takes missing values (crisp-trees routes them by learned rules, other models get them
/// imputed), a missing target leaves its row out of training (reported), and the data checks
/// count them in the null rate.
///
/// Task inference sees the parsed type, so a numeric target with a few `nan` stays numeric.
/// An integer column that holds `181.0` somewhere (pandas writes an integer column with gaps
/// that way) is a float column; integer and float columns are interchangeable for a model
/// ([`crate::Schema::conform`]).
///
/// # Parquet
///
/// Columns keep their stored types, as CSV reading would give them: every integer type becomes
/// `Int64`, `Float32` becomes `Float64` (NaN and infinities missing, as above), categorical
/// columns become text.
///
/// ```
/// use crisp_core::{read_table, ReadOptions};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("prices.csv");
/// std::fs::write(&path, b"\xEF\xBB\xBFitem;price\r\nb\xE9ret;12,5\r\n")?;
/// let options = ReadOptions::default()
///     .with_separator(b';')
///     .with_encoding("latin1".parse()?);
/// let frame = read_table(&path, &options)?.frame;
/// assert_eq!(frame.get_column_names(), ["item", "price"]);
/// assert_eq!(frame.column("item")?.str()?.get(0), Some("b\u{e9}ret"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_table(path: &Path, options: &ReadOptions) -> Result<CsvData> {
    crate::fs::check_data_path(path)?;
    let bytes = std::fs::read(path).map_err(|e| Error::data_file(path, e))?;
    let fingerprint = crate::fingerprint(&bytes);
    let source = path.display().to_string();
    let frame = if is_parquet(path) {
        parse_parquet(&bytes, &source)?
    } else {
        crate::csv::parse_csv_in(&bytes, &source, options.dialect(path)?)?
    };
    Ok(CsvData { frame, fingerprint })
}

/// A Parquet file's bytes as a frame with settled types.
fn parse_parquet(bytes: &[u8], source: &str) -> Result<DataFrame> {
    let frame = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| not_parquet(source, &e))?;
    let frame = settle_types(frame, false)?;
    ensure_parquet_rows(frame.width(), frame.height(), source)?;
    Ok(frame)
}

pub(crate) fn not_parquet(source: &str, e: &PolarsError) -> Error {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default().trim();
    Error::data(format!("{source}: cannot be read as Parquet: {first}")).file(source)
}

pub(crate) fn ensure_parquet_rows(width: usize, height: usize, source: &str) -> Result<()> {
    if width == 0 {
        bail!(Data { file: source }: "{source}: the file has no columns");
    }
    if height == 0 {
        bail!(Data { file: source }: "{source}: the file has columns but no data rows");
    }
    Ok(())
}

/// The UTF-8 byte-order mark that Excel's "CSV UTF-8" writes first.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading UTF-8 byte-order mark.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// `bytes` (the whole file after any byte-order mark) as UTF-8: checked when they should be
/// UTF-8 (an error names the line and byte that are not), transcoded otherwise.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    encoding: Encoding,
    source: &str,
) -> Result<Cow<'a, [u8]>> {
    match encoding {
        Encoding::Utf8 => {
            ensure_not_utf16(bytes, source)?;
            match std::str::from_utf8(bytes) {
                Ok(_) => Ok(Cow::Borrowed(bytes)),
                Err(e) => Err(not_utf8(source, 1, bytes, e.valid_up_to())),
            }
        }
        other => Ok(transcode(bytes, other)),
    }
}

/// A UTF-16 file (it starts with a UTF-16 byte-order mark) gets its own message.
pub(crate) fn ensure_not_utf16(bytes: &[u8], source: &str) -> Result<()> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        bail!(Data { file: source, line: 1 }: "{source}: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
    }
    Ok(())
}

/// How much of `bytes` (a piece of a file) is valid UTF-8: `Ok(n)` when the first `n` bytes
/// are and the rest is the start of a character cut at the end of the piece, `Err(n)` when
/// byte `n` is not UTF-8.
pub(crate) fn utf8_prefix(bytes: &[u8]) -> std::result::Result<usize, usize> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(bytes.len()),
        Err(e) if e.error_len().is_none() => Ok(e.valid_up_to()),
        Err(e) => Err(e.valid_up_to()),
    }
}

/// The error for byte `at` of `bytes` (which start on line `first_line`), which is not UTF-8.
pub(crate) fn not_utf8(source: &str, first_line: usize, bytes: &[u8], at: usize) -> Error {
    let line = first_line + bytes[..at].iter().filter(|&&b| b == b'\n').count();
    let byte = bytes.get(at).map(|b| format!("0x{b:02X}"));
    let shown = byte
        .as_ref()
        .map_or(String::new(), |b| format!(" (byte {b})"));
    let err = Error::data(format!("{source}: line {line} is not valid UTF-8{shown}"))
        .file(source)
        .line(line)
        .with_hint(Hint::GiveAnEncoding);
    match byte {
        Some(b) => err.value(b),
        None => err,
    }
}

/// Windows-1252's characters for bytes 0x80–0x9F (the five unassigned bytes map to the C1
/// controls of the same number, as browsers decode them).
const WINDOWS_1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// `bytes` in a single-byte `encoding` as UTF-8 (borrowed when they are all ASCII). ASCII bytes
/// stay where they are relative to each other, so separators, quotes and line breaks keep their
/// meaning.
pub(crate) fn transcode(bytes: &[u8], encoding: Encoding) -> Cow<'_, [u8]> {
    if encoding == Encoding::Utf8 || bytes.is_ascii() {
        return Cow::Borrowed(bytes);
    }
    let high = bytes.iter().filter(|b| !b.is_ascii()).count();
    let mut out = Vec::with_capacity(bytes.len() + 2 * high);
    let mut utf8 = [0u8; 4];
    for &b in bytes {
        if b.is_ascii() {
            out.push(b);
            continue;
        }
        let c = match (encoding, b) {
            (Encoding::Windows1252, 0x80..=0x9F) => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        };
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    }
    Cow::Owned(out)
}

/// The type a column of `dtype` is given after reading (`None`: it stays): every integer type
/// 64-bit, floats 64-bit, categories and all-null columns text.
pub(crate) fn settled_dtype(dtype: &DataType) -> Option<DataType> {
    match dtype {
        DataType::Int64 | DataType::Float64 | DataType::String | DataType::Boolean => None,
        d if d.is_integer() => Some(DataType::Int64),
        DataType::Float32 => Some(DataType::Float64),
        d if d.is_categorical() || d.is_enum() => Some(DataType::String),
        DataType::Null => Some(DataType::String),
        _ => None,
    }
}

/// `frame` with the types crisp reads (see [`read_table`]): integer types as Int64, floats as
/// Float64 with NaN and ±infinity as missing, categories as text; with `numbers_in_text`, a
/// text column whose every value is a number (`nan`, `inf`, `Infinity`, `1e400` included) as
/// Float64.
pub(crate) fn settle_types(mut frame: DataFrame, numbers_in_text: bool) -> Result<DataFrame> {
    for i in 0..frame.width() {
        let column = &frame.columns()[i];
        let name = column.name().clone();
        let mut settled: Option<Series> = None;
        let dtype = column.dtype().clone();
        if dtype == DataType::String {
            if numbers_in_text {
                settled = text_as_numbers(column.str()?).map(Series::from);
            }
        } else if let Some(target) = settled_dtype(&dtype) {
            let cast = column
                .as_materialized_series()
                .strict_cast(&target)
                .map_err(|e| {
                    Error::data(format!("column '{name}' cannot be read as {target}: {e}"))
                        .column(&name)
                })?;
            settled = Some(cast);
        }
        let floats = match &settled {
            Some(s) if s.dtype() == &DataType::Float64 => Some(s.f64()?.clone()),
            Some(_) => None,
            None if dtype == DataType::Float64 => Some(column.f64()?.clone()),
            None => None,
        };
        if let Some(finite) = floats.as_ref().and_then(non_finite_as_missing) {
            settled = Some(finite.into_series());
        }
        if let Some(series) = settled {
            frame.replace_column(i, series.with_name(name).into_column())?;
        }
    }
    Ok(frame)
}

/// A text column whose every value is a number, as floats (NaN and ±infinity as missing);
/// `None` when a value is not a number or no value is there.
fn text_as_numbers(text: &StringChunked) -> Option<Float64Chunked> {
    let first = text.iter().flatten().next()?;
    first.parse::<f64>().ok()?;
    let mut values = Vec::with_capacity(text.len());
    for v in text.iter() {
        values.push(match v {
            None => None,
            Some(s) => Some(s.parse::<f64>().ok()?).filter(|x| x.is_finite()),
        });
    }
    Some(Float64Chunked::from_iter_options(
        text.name().clone(),
        values.into_iter(),
    ))
}

/// The column with NaN and ±infinity as null, or `None` when it holds none.
fn non_finite_as_missing(values: &Float64Chunked) -> Option<Float64Chunked> {
    // A NaN or an infinity makes the sum non-finite (so does an overflowing sum, which only
    // costs the exact pass); a SIMD sum is much cheaper than testing every value.
    if values.sum().is_none_or(f64::is_finite) {
        return None;
    }
    if !values.iter().any(|v| v.is_some_and(|x| !x.is_finite())) {
        return None;
    }
    Some(Float64Chunked::from_iter_options(
        values.name().clone(),
        values.iter().map(|v| v.filter(|x| x.is_finite())),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_by_name() {
        for (name, encoding) in [
            ("UTF-8", Encoding::Utf8),
            ("latin1", Encoding::Latin1),
            ("ISO-8859-1", Encoding::Latin1),
            ("iso_8859_1", Encoding::Latin1),
            ("cp1252", Encoding::Windows1252),
            ("Windows-1252", Encoding::Windows1252),
        ] {
            assert_eq!(name.parse::<Encoding>().unwrap(), encoding, "{name}");
        }
        let err = "ebcdic".parse::<Encoding>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown encoding 'ebcdic': crisp reads utf-8, latin1 (iso-8859-1) and windows-1252 (cp1252)"
        );
    }

    #[test]
    fn single_byte_encodings_become_utf8() {
        let latin1 = b"caf\xE9;\x80;\x93x\x94";
        assert_eq!(
            std::str::from_utf8(&transcode(latin1, Encoding::Latin1)).unwrap(),
            "caf\u{e9};\u{80};\u{93}x\u{94}"
        );
        assert_eq!(
            std::str::from_utf8(&transcode(latin1, Encoding::Windows1252)).unwrap(),
            "caf\u{e9};\u{20ac};\u{201c}x\u{201d}"
        );
        // Every byte maps to a character, and ASCII stays ASCII.
        let all: Vec<u8> = (0..=255).collect();
        for encoding in [Encoding::Latin1, Encoding::Windows1252] {
            let text = String::from_utf8(transcode(&all, encoding).into_owned()).unwrap();
            assert_eq!(text.chars().count(), 256);
            assert!(text.chars().take(128).eq((0..128u8).map(char::from)));
        }
        assert!(matches!(
            transcode(b"plain", Encoding::Latin1),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_byte_that_is_not_utf8_is_named_with_its_line() {
        let err = decode(b"a,b\n1,2\ncaf\xE9,3\n", Encoding::Utf8, "x.csv").unwrap_err();
        assert_eq!(
            err.message(),
            "x.csv: line 3 is not valid UTF-8 (byte 0xE9)"
        );
        assert_eq!(err.location().line, Some(3));
        assert_eq!(err.location().value.as_deref(), Some("0xE9"));
        assert_eq!(err.hint(), Some(Hint::GiveAnEncoding));
        let err = decode(b"\xFF\xFEa\0", Encoding::Utf8, "w.csv").unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
        assert_eq!(utf8_prefix("ab\u{e9}".as_bytes()), Ok(4));
        assert_eq!(utf8_prefix(&"ab\u{e9}".as_bytes()[..3]), Ok(2));
        assert_eq!(utf8_prefix(b"ab\xE9z"), Err(2));
    }

    #[test]
    fn separators_and_quotes_are_checked() {
        let path = Path::new("x.csv");
        assert!(ReadOptions::default().dialect(path).is_ok());
        let same = ReadOptions::default().with_separator(b'"').dialect(path);
        assert_eq!(
            same.unwrap_err().to_string(),
            "x.csv: the separator and the quote character are both '\\\"'"
        );
        assert!(ReadOptions::default()
            .with_quote(b'\n')
            .dialect(path)
            .is_err());
        assert!(ReadOptions::default()
            .with_separator(0xA7)
            .dialect(path)
            .is_err());
        assert_eq!(
            ReadOptions::default().separator_for(Path::new("a/b.TSV")),
            b'\t'
        );
        assert!(is_parquet(Path::new("x.PQ")) && !is_parquet(Path::new("parquet.csv")));
    }

    #[test]
    fn numbers_as_people_write_them() {
        let frame = df!(
            "x" => [Some("1.5"), Some("nan"), None, Some("inf"), Some("-Infinity"), Some("1e400"), Some("NaN")],
            "t" => [Some("1.5"), Some("nan"), None, Some("inf"), Some("text"), Some("1"), Some("2")],
            "f" => [Some(1.0), Some(f64::NAN), None, Some(f64::INFINITY), Some(3.0), Some(-f64::INFINITY), Some(1e308)],
        )
        .unwrap();
        let settled = settle_types(frame.clone(), true).unwrap();
        assert_eq!(settled.column("x").unwrap().dtype(), &DataType::Float64);
        let x: Vec<Option<f64>> = settled.column("x").unwrap().f64().unwrap().iter().collect();
        assert_eq!(x, [Some(1.5), None, None, None, None, None, None]);
        assert_eq!(settled.column("t").unwrap().dtype(), &DataType::String);
        let f: Vec<Option<f64>> = settled.column("f").unwrap().f64().unwrap().iter().collect();
        assert_eq!(
            f,
            [Some(1.0), None, None, None, Some(3.0), None, Some(1e308)]
        );
        let kept = settle_types(frame, false).unwrap();
        assert_eq!(kept.column("x").unwrap().dtype(), &DataType::String);
        assert_eq!(kept.column("f").unwrap().null_count(), 4);
        // Finite values whose sum overflows are kept.
        let big = df!("b" => [1e308, 1e308]).unwrap();
        let big = settle_types(big, true).unwrap();
        assert_eq!(big.column("b").unwrap().null_count(), 0);
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod reader_tests;
