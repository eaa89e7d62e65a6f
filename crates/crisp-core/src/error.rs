//! The one error type shared by every crisp crate.

use std::path::Path;

/// Everything that can go wrong in crisp, in words a user can act on.
///
/// Each variant carries a complete sentence fragment naming the file, column, row or value at
/// fault, so that printing the error is enough; the binary maps every variant to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input data that cannot be used as it is (empty file, ragged row, unknown column...).
    #[error("{0}")]
    Data(String),
    /// A column that was asked for is not in the frame.
    #[error("{0}")]
    ColumnNotFound(String),
    /// A configuration, flag or parameter that is malformed or inconsistent.
    #[error("{0}")]
    Config(String),
    /// A model could not be fitted or used.
    #[error("{0}")]
    Model(String),
    /// An artifact that cannot be read or written.
    #[error("{0}")]
    Artifact(String),
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
    #[error("polars: {0}")]
    Polars(#[from] polars::error::PolarsError),
}

/// `Result` with crisp's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
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
                Error::Data(format!("{}: no such file", path.display()))
            }
            _ => Error::io("read", path, source),
        }
    }

    /// The same error with `context` put in front of its message (for layered messages such as
    /// "data.csv: column 'age': ...").
    pub fn context(self, context: impl std::fmt::Display) -> Self {
        match self {
            Error::Data(m) => Error::Data(format!("{context}: {m}")),
            Error::ColumnNotFound(m) => Error::ColumnNotFound(format!("{context}: {m}")),
            Error::Config(m) => Error::Config(format!("{context}: {m}")),
            Error::Model(m) => Error::Model(format!("{context}: {m}")),
            Error::Artifact(m) => Error::Artifact(format!("{context}: {m}")),
            Error::Io { context: c, source } => Error::Io {
                context: format!("{context}: {c}"),
                source,
            },
            Error::Polars(e) => Error::Data(format!("{context}: {e}")),
        }
    }

    /// The same error about a batch of rows that starts `first_row` rows into its file: every
    /// "data row N" of the message (crisp's one phrase for pointing at a row, counted from 1
    /// within the frame that was checked) becomes the row's number in the whole file.
    pub fn in_rows_from(self, first_row: usize) -> Self {
        if first_row == 0 {
            return self;
        }
        let shift = |m: String| shift_data_rows(&m, first_row);
        match self {
            Error::Data(m) => Error::Data(shift(m)),
            Error::ColumnNotFound(m) => Error::ColumnNotFound(shift(m)),
            Error::Config(m) => Error::Config(shift(m)),
            Error::Model(m) => Error::Model(shift(m)),
            Error::Artifact(m) => Error::Artifact(shift(m)),
            other => other,
        }
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

/// Return early with an [`Error`] variant built from a format string:
/// `bail!(Data: "{}: column '{}' is empty", path, col)`.
#[macro_export]
macro_rules! bail {
    ($variant:ident: $($arg:tt)+) => {
        return Err($crate::Error::$variant(format!($($arg)+)))
    };
}

/// Check a condition, or return early like [`bail!`]:
/// `ensure!(n > 0, Data: "{} has no rows", path)`.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $variant:ident: $($arg:tt)+) => {
        if !$cond {
            $crate::bail!($variant: $($arg)+);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_batch_are_numbered_in_the_whole_file() {
        let e = Error::Data("b.csv: column 'c' has category 'x' on data row 3 that was not seen; data row 10 too; data rows".into());
        assert_eq!(
            e.in_rows_from(1000).to_string(),
            "b.csv: column 'c' has category 'x' on data row 1003 that was not seen; data row 1010 too; data rows"
        );
        let e = Error::Config("data row 2".into());
        assert_eq!(e.in_rows_from(0).to_string(), "data row 2");
    }
}
