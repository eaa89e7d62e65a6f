//! The one error type shared by every crisp crate.

use std::fmt;
use std::path::Path;

/// Where in the data an error is: the file, column, row, line and value at fault, as far as
/// they are known. Every field is optional; [`Error::location`] gives it for any error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// The file (or other named source) the data came from.
    pub file: Option<String>,
    /// The column.
    pub column: Option<String>,
    /// The data row, counted from 1 (the header is not a row).
    pub row: Option<usize>,
    /// The line of a text file, counted from 1 (the header is line 1).
    pub line: Option<usize>,
    /// The offending value, as text.
    pub value: Option<String>,
}

impl Location {
    /// No location known.
    pub fn new() -> Self {
        Location::default()
    }

    /// With the file `file`.
    pub fn file(mut self, file: impl fmt::Display) -> Self {
        self.file = Some(file.to_string());
        self
    }

    /// With the column `column`.
    pub fn column(mut self, column: impl fmt::Display) -> Self {
        self.column = Some(column.to_string());
        self
    }

    /// With the data row `row` (from 1).
    pub fn row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }

    /// With the line `line` (from 1).
    pub fn line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// With the value `value`.
    pub fn value(mut self, value: impl fmt::Display) -> Self {
        self.value = Some(value.to_string());
        self
    }

    /// Fields of `other` fill the fields that are unknown here.
    fn or(mut self, other: Location) -> Self {
        self.file = self.file.or(other.file);
        self.column = self.column.or(other.column);
        self.row = self.row.or(other.row);
        self.line = self.line.or(other.line);
        self.value = self.value.or(other.value);
        self
    }
}

/// A remedy an error suggests. The library words it with the names of its options (the keys of
/// the pipeline TOML, which are also the fields of the Rust configuration types); a front end
/// such as the `crisp` command words it with its own flags ([`Error::message`] gives the
/// message without the hint, [`Error::hint`] the remedy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Too few rows to hold some out: give more rows or a separate test set.
    MoreRowsOrTestData,
    /// A supervised step needs the target column named.
    NameTheTarget,
    /// The label file has several candidate label columns: name one.
    NameTheLabelColumn,
    /// The gold file has several candidate columns: name one.
    NameTheGoldColumn,
    /// A key appears several times in the label file: choose a duplicate policy.
    ChooseOnDuplicate,
    /// No key column was given: name one.
    NameTheKey,
    /// Gold rows matched by position do not line up: match them by key.
    MatchGoldByKey,
    /// Nothing to label with: give a rule, buckets, a join or labeling functions.
    GiveALabelSource,
    /// No row got a label: the tie policy decides tied votes.
    TiePolicy,
    /// The target cannot be regressed on: ask for classification.
    AskForClassification,
    /// A threshold relative to a baseline needs a baseline model.
    GiveABaseline,
    /// A classification target with more classes than the limit: a number to regress on, or a
    /// higher limit.
    TooManyClasses,
    /// A quote character where strict CSV quoting allows none: quote the whole field, or read
    /// the file with another quote character.
    QuoteTheField,
    /// A data file is not UTF-8: name its encoding (Latin-1, Windows-1252).
    GiveAnEncoding,
}

impl Hint {
    /// The remedy in the library's words (option names), starting with its separator from the
    /// message ("; ", " (", ...).
    pub fn text(self) -> &'static str {
        match self {
            Hint::MoreRowsOrTestData => "; give more rows or a separate test set",
            Hint::NameTheTarget => " (`target` in the config)",
            Hint::NameTheLabelColumn => "; name it with `label_column`",
            Hint::NameTheGoldColumn => "; name it with `column` in [label.gold]",
            Hint::ChooseOnDuplicate => {
                "; set `on_duplicate` to first, last or majority to keep one"
            }
            Hint::NameTheKey => ": name one or more with `key`",
            Hint::MatchGoldByKey => " (give a `key` to match them by key)",
            Hint::GiveALabelSource => " (rule, buckets, join, lfs or [[label.lf]] in [label])",
            Hint::TiePolicy => " (see `tie_policy`)",
            Hint::AskForClassification => "; use the classification task",
            Hint::GiveABaseline => " and needs a baseline model",
            Hint::TooManyClasses => {
                "; if it is a number to predict, use the regression task, or raise `max_classes`"
            }
            Hint::QuoteTheField => {
                "; quote the whole field (a quote inside written twice), or read the file with another quote character (`quote` in ReadOptions)"
            }
            Hint::GiveAnEncoding => {
                "; if the file is Latin-1, read it with the latin1 encoding (`encoding` in ReadOptions)"
            }
        }
    }
}

/// Everything that can go wrong in crisp, in words a user can act on.
///
/// Each variant's `message` is a complete sentence fragment naming the file, column, row or
/// value at fault, so that printing the error is enough; the same facts are in its
/// [`Location`] (`at`) as fields, for programs. The `crisp` binary maps every variant to exit
/// code 2.
///
/// Build errors with [`bail!`](crate::bail) / [`ensure!`](crate::ensure), or the constructors
/// ([`Error::data`], [`Error::config`], ...) and the builder methods ([`Error::file`],
/// [`Error::column`], [`Error::row`], [`Error::value`], [`Error::with_hint`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input data that cannot be used as it is (empty file, ragged row, unknown category...).
    #[error("{}", with_hint(message, hint))]
    Data {
        /// What is wrong, naming the file, column, row or value.
        message: String,
        /// Where.
        at: Box<Location>,
        /// A suggested remedy.
        hint: Option<Hint>,
    },
    /// A column that was asked for is not in the data (`at.column` names it).
    #[error("{}", with_hint(message, hint))]
    ColumnNotFound {
        /// What is wrong, naming the column and the columns there are.
        message: String,
        /// Where.
        at: Box<Location>,
        /// A suggested remedy.
        hint: Option<Hint>,
    },
    /// A configuration, option or parameter that is malformed or inconsistent.
    #[error("{}", with_hint(message, hint))]
    Config {
        /// What is wrong, naming the option and its value.
        message: String,
        /// Where (the configuration file, when there is one).
        at: Box<Location>,
        /// A suggested remedy.
        hint: Option<Hint>,
    },
    /// A model hyperparameter that is unknown, unparsable or out of range.
    #[error("{message}")]
    Parameter {
        /// The parameter's name.
        name: String,
        /// The value given, when there was one.
        value: Option<String>,
        /// The full message, with the valid names or range.
        message: String,
    },
    /// A model could not be fitted or used.
    #[error("{}", with_hint(message, hint))]
    Model {
        /// What went wrong.
        message: String,
        /// Where (the data the model was applied to).
        at: Box<Location>,
        /// A suggested remedy.
        hint: Option<Hint>,
    },
    /// An artifact that cannot be read, trusted or written.
    #[error("{}", with_hint(message, hint))]
    Artifact {
        /// What is wrong with it.
        message: String,
        /// Where (`at.file` is the artifact).
        at: Box<Location>,
        /// A suggested remedy.
        hint: Option<Hint>,
    },
    /// An operating-system I/O failure, with what crisp was doing at the time.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An error raised inside Polars.
    #[cfg(feature = "polars")]
    #[error("polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

fn with_hint(message: &str, hint: &Option<Hint>) -> String {
    match hint {
        Some(h) => format!("{message}{}", h.text()),
        None => message.to_string(),
    }
}

/// `Result` with crisp's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A [`Error::Data`] error.
    pub fn data(message: impl Into<String>) -> Self {
        Error::Data {
            message: message.into(),
            at: Box::default(),
            hint: None,
        }
    }

    /// A [`Error::ColumnNotFound`] error about `column`.
    pub fn column_not_found(column: impl fmt::Display, message: impl Into<String>) -> Self {
        Error::ColumnNotFound {
            message: message.into(),
            at: Box::new(Location::new().column(column)),
            hint: None,
        }
    }

    /// A [`Error::Config`] error.
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
            at: Box::default(),
            hint: None,
        }
    }

    /// A [`Error::Model`] error.
    pub fn model(message: impl Into<String>) -> Self {
        Error::Model {
            message: message.into(),
            at: Box::default(),
            hint: None,
        }
    }

    /// A [`Error::Artifact`] error.
    pub fn artifact(message: impl Into<String>) -> Self {
        Error::Artifact {
            message: message.into(),
            at: Box::default(),
            hint: None,
        }
    }

    /// A [`Error::Parameter`] error about parameter `name` (given `value`).
    pub fn parameter(
        name: impl Into<String>,
        value: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Parameter {
            name: name.into(),
            value,
            message: message.into(),
        }
    }

    /// An I/O error while doing `what` on `path`.
    pub fn io(what: &str, path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            context: format!("cannot {what} {}", path.display()),
            source,
        }
    }

    /// An error opening or reading the data file `path`: a missing file is a data error that
    /// names it ("x.csv: no such file"), anything else an I/O error.
    pub fn data_file(path: &Path, source: std::io::Error) -> Self {
        match source.kind() {
            std::io::ErrorKind::NotFound => {
                Error::data(format!("{}: no such file", path.display())).file(path.display())
            }
            _ => Error::io("read", path, source),
        }
    }

    /// The message without the hint (what a front end prints before its own wording of
    /// [`Error::hint`]).
    pub fn message(&self) -> String {
        match self {
            Error::Data { message, .. }
            | Error::ColumnNotFound { message, .. }
            | Error::Config { message, .. }
            | Error::Parameter { message, .. }
            | Error::Model { message, .. }
            | Error::Artifact { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// The suggested remedy, if any.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            Error::Data { hint, .. }
            | Error::ColumnNotFound { hint, .. }
            | Error::Config { hint, .. }
            | Error::Model { hint, .. }
            | Error::Artifact { hint, .. } => *hint,
            _ => None,
        }
    }

    /// Where the error is, as far as it is known (an empty [`Location`] for errors that carry
    /// none; a parameter error names the parameter as its `column`-less `value`).
    pub fn location(&self) -> Location {
        match self {
            Error::Data { at, .. }
            | Error::ColumnNotFound { at, .. }
            | Error::Config { at, .. }
            | Error::Model { at, .. }
            | Error::Artifact { at, .. } => (**at).clone(),
            Error::Parameter { value, .. } => Location {
                value: value.clone(),
                ..Location::default()
            },
            _ => Location::default(),
        }
    }

    /// The file at fault, if known.
    pub fn file_name(&self) -> Option<String> {
        self.location().file
    }

    /// The column at fault, if known.
    pub fn column_name(&self) -> Option<String> {
        self.location().column
    }

    /// The data row at fault (from 1), if known.
    pub fn row_number(&self) -> Option<usize> {
        self.location().row
    }

    fn map_location(mut self, f: impl FnOnce(Location) -> Location) -> Self {
        match &mut self {
            Error::Data { at, .. }
            | Error::ColumnNotFound { at, .. }
            | Error::Config { at, .. }
            | Error::Model { at, .. }
            | Error::Artifact { at, .. } => **at = f(std::mem::take(&mut **at)),
            _ => {}
        }
        self
    }

    /// The same error, located in `file` (unless it already names a file).
    pub fn file(self, file: impl fmt::Display) -> Self {
        let file = file.to_string();
        self.map_location(|at| at.or(Location::new().file(file)))
    }

    /// The same error, about `column` (unless it already names one).
    pub fn column(self, column: impl fmt::Display) -> Self {
        let column = column.to_string();
        self.map_location(|at| at.or(Location::new().column(column)))
    }

    /// The same error, at data row `row` (from 1; unless it already names one).
    pub fn row(self, row: usize) -> Self {
        self.map_location(|at| at.or(Location::new().row(row)))
    }

    /// The same error, at line `line` (from 1; unless it already names one).
    pub fn line(self, line: usize) -> Self {
        self.map_location(|at| at.or(Location::new().line(line)))
    }

    /// The same error, about `value` (unless it already names one).
    pub fn value(self, value: impl fmt::Display) -> Self {
        let value = value.to_string();
        self.map_location(|at| at.or(Location::new().value(value)))
    }

    /// The same error with everything known in `location` added.
    pub fn at(self, location: Location) -> Self {
        self.map_location(|at| at.or(location))
    }

    /// The same error, suggesting `remedy`.
    pub fn with_hint(mut self, remedy: Hint) -> Self {
        match &mut self {
            Error::Data { hint, .. }
            | Error::ColumnNotFound { hint, .. }
            | Error::Config { hint, .. }
            | Error::Model { hint, .. }
            | Error::Artifact { hint, .. } => *hint = Some(remedy),
            _ => {}
        }
        self
    }

    /// Applies `f` to the message text, keeping the variant, location and hint.
    fn map_message(self, f: impl FnOnce(String) -> String) -> Self {
        match self {
            Error::Data { message, at, hint } => Error::Data {
                message: f(message),
                at,
                hint,
            },
            Error::ColumnNotFound { message, at, hint } => Error::ColumnNotFound {
                message: f(message),
                at,
                hint,
            },
            Error::Config { message, at, hint } => Error::Config {
                message: f(message),
                at,
                hint,
            },
            Error::Parameter {
                name,
                value,
                message,
            } => Error::Parameter {
                name,
                value,
                message: f(message),
            },
            Error::Model { message, at, hint } => Error::Model {
                message: f(message),
                at,
                hint,
            },
            Error::Artifact { message, at, hint } => Error::Artifact {
                message: f(message),
                at,
                hint,
            },
            Error::Io { context, source } => Error::Io {
                context: f(context),
                source,
            },
            #[cfg(feature = "polars")]
            Error::Polars(e) => Error::data(f(e.to_string())),
        }
    }

    /// The same error with `context` put in front of its message (for layered messages such as
    /// "data.csv: column 'age': ...").
    pub fn context(self, context: impl fmt::Display) -> Self {
        self.map_message(|m| format!("{context}: {m}"))
    }

    /// The same error with `prefix` put in front of its message as it is ("--buckets " before
    /// "'price:x': expected ...").
    pub fn prefixed(self, prefix: impl fmt::Display) -> Self {
        self.map_message(|m| format!("{prefix}{m}"))
    }

    /// The same error about a batch of rows that starts `first_row` rows into its file: every
    /// "data row N" of the message (crisp's one phrase for pointing at a row, counted from 1
    /// within the frame that was checked) and the location's row become the row's number in
    /// the whole file.
    pub fn in_rows_from(self, first_row: usize) -> Self {
        if first_row == 0 {
            return self;
        }
        if matches!(self, Error::Io { .. }) {
            return self;
        }
        self.map_message(|m| shift_data_rows(&m, first_row))
            .map_location(|mut at| {
                at.row = at.row.map(|r| r + first_row);
                at
            })
    }
}

/// `message` with the number after each "data row " increased by `offset`.
fn shift_data_rows(message: &str, offset: usize) -> String {
    const PHRASE: &str = "data row ";
    let mut out = String::with_capacity(message.len() + 8);
    let mut rest = message;
    while let Some(at) = rest.find(PHRASE) {
        let (before, after) = rest.split_at(at + PHRASE.len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Return early with an [`Error`] of the given variant, its message built from a format
/// string, optionally with location fields:
///
/// ```
/// use crisp_core::{bail, Error, Result};
///
/// fn check(age: f64, row: usize) -> Result<()> {
///     if age < 0.0 {
///         bail!(Data { file: "people.csv", column: "age", row: row, value: age }:
///             "people.csv: column 'age' is {age} on data row {row}");
///     }
///     Ok(())
/// }
/// let err = check(-3.0, 7).unwrap_err();
/// assert_eq!(err.to_string(), "people.csv: column 'age' is -3 on data row 7");
/// assert_eq!(err.row_number(), Some(7));
/// assert_eq!(err.column_name().as_deref(), Some("age"));
/// # fn other() -> Result<()> { bail!(Config: "plain {}", 1) }
/// # assert!(matches!(other(), Err(Error::Config { .. })));
/// ```
///
/// The variants with a location are `Data`, `ColumnNotFound`, `Config`, `Model` and
/// `Artifact`; the fields are `file`, `column`, `row`, `line` and `value`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)+) => {
        return Err($crate::error!($($arg)+))
    };
}

/// Check a condition, or return early like [`bail!`]:
/// `ensure!(n > 0, Data: "{} has no rows", path)`.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            $crate::bail!($($arg)+);
        }
    };
}

/// Build an [`Error`] like [`bail!`] does, without returning:
/// `error!(Data { column: name }: "column '{name}' is empty")`.
#[macro_export]
macro_rules! error {
    ($variant:ident { $($field:ident : $value:expr),* $(,)? } : $($arg:tt)+) => {
        $crate::Error::$variant {
            message: format!($($arg)+),
            at: ::std::boxed::Box::new($crate::Location::new() $(.$field($value))*),
            hint: None,
        }
    };
    ($variant:ident: $($arg:tt)+) => {
        $crate::Error::$variant {
            message: format!($($arg)+),
            at: ::std::boxed::Box::default(),
            hint: None,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_batch_are_numbered_in_the_whole_file() {
        let e = crate::error!(Data { row: 3 }: "b.csv: column 'c' has category 'x' on data row 3 that was not seen; data row 10 too; data rows");
        let shifted = e.in_rows_from(1000);
        assert_eq!(
            shifted.to_string(),
            "b.csv: column 'c' has category 'x' on data row 1003 that was not seen; data row 1010 too; data rows"
        );
        assert_eq!(shifted.row_number(), Some(1003));
        let e = Error::config("data row 2");
        assert_eq!(e.in_rows_from(0).to_string(), "data row 2");
    }

    #[test]
    fn context_keeps_the_variant_location_and_hint() {
        let e = Error::data("the test part would be empty")
            .file("a.csv")
            .with_hint(Hint::MoreRowsOrTestData)
            .context("a.csv");
        assert!(matches!(e, Error::Data { .. }));
        assert_eq!(e.file_name().as_deref(), Some("a.csv"));
        assert_eq!(e.hint(), Some(Hint::MoreRowsOrTestData));
        assert_eq!(e.message(), "a.csv: the test part would be empty");
        assert_eq!(
            e.to_string(),
            "a.csv: the test part would be empty; give more rows or a separate test set"
        );
    }

    #[test]
    fn location_fields_fill_only_what_is_unknown() {
        let e = Error::data("x").column("a").column("b").row(4).value(2.5);
        let at = e.location();
        assert_eq!(at.column.as_deref(), Some("a"));
        assert_eq!(at.row, Some(4));
        assert_eq!(at.value.as_deref(), Some("2.5"));
        assert_eq!(at.file, None);
    }
}
