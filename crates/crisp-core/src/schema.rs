//! The input schema a model was trained on, and conforming new data to it.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{bail, Error, Result};

/// The logical type of an input column, as crisp treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnKind {
    /// Floating-point numbers.
    Float,
    /// Whole numbers.
    Integer,
    /// `true` / `false`.
    Boolean,
    /// Free text or category labels.
    Text,
    /// Calendar dates.
    Date,
    /// Timestamps.
    Datetime,
}

impl ColumnKind {
    /// The kind of a Polars dtype (anything unusual is treated as text).
    pub fn of(dtype: &DataType) -> Self {
        match dtype {
            DataType::Float32 | DataType::Float64 => ColumnKind::Float,
            dt if dt.is_integer() => ColumnKind::Integer,
            DataType::Boolean => ColumnKind::Boolean,
            DataType::Date => ColumnKind::Date,
            DataType::Datetime(_, _) => ColumnKind::Datetime,
            _ => ColumnKind::Text,
        }
    }

    /// Numeric kinds (float or integer).
    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnKind::Float | ColumnKind::Integer)
    }

    /// The Polars dtype that data of this kind is cast to.
    pub fn dtype(self) -> DataType {
        match self {
            ColumnKind::Float => DataType::Float64,
            ColumnKind::Integer => DataType::Int64,
            ColumnKind::Boolean => DataType::Boolean,
            ColumnKind::Text => DataType::String,
            ColumnKind::Date => DataType::Date,
            ColumnKind::Datetime => DataType::Datetime(TimeUnit::Microseconds, None),
        }
    }

    /// A lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Float => "float",
            ColumnKind::Integer => "integer",
            ColumnKind::Boolean => "boolean",
            ColumnKind::Text => "text",
            ColumnKind::Date => "date",
            ColumnKind::Datetime => "datetime",
        }
    }
}

impl std::fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One input column: its name and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// Column name as in the CSV header.
    pub name: String,
    /// Its kind in the training data.
    pub kind: ColumnKind,
}

/// The columns a model reads, in training order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// The columns.
    pub columns: Vec<ColumnSchema>,
}

impl Schema {
    /// The schema of every column of `frame` except those in `exclude`.
    pub fn of_frame(frame: &DataFrame, exclude: &[&str]) -> Self {
        let columns = frame
            .columns()
            .iter()
            .filter(|c| !exclude.contains(&c.name().as_str()))
            .map(|c| ColumnSchema {
                name: c.name().to_string(),
                kind: ColumnKind::of(c.dtype()),
            })
            .collect();
        Schema { columns }
    }

    /// Column names in order.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// Bring `frame` to this schema: every column must be present and castable to its training
    /// kind; extra columns are left as they are. `source` names the data in errors.
    ///
    /// A column that was numeric in training but holds text now is an error naming the first
    /// offending row and value, rather than a silent null.
    pub fn conform(&self, frame: &DataFrame, source: &str) -> Result<DataFrame> {
        let mut out = frame.clone();
        for col in &self.columns {
            let Ok(found) = frame.column(&col.name) else {
                bail!(
                    ColumnNotFound { file: source, column: &col.name }: "{source}: column '{}' ({} in training) is missing; the data has: {}",
                    col.name,
                    col.kind,
                    column_list(frame)
                );
            };
            let kind = ColumnKind::of(found.dtype());
            // Integer and float columns are interchangeable: features are computed in f64.
            if kind == col.kind || (kind.is_numeric() && col.kind.is_numeric()) {
                continue;
            }
            let cast = conform_column(found.as_materialized_series(), col, source)?;
            out.replace(&col.name, cast.into())?;
        }
        Ok(out)
    }
}

fn conform_column(found: &Series, col: &ColumnSchema, source: &str) -> Result<Series> {
    let target = col.kind.dtype();
    let cast = found.cast(&target).map_err(|e| {
        Error::data(format!(
            "{source}: column '{}' cannot be read as {}: {e}",
            col.name, col.kind
        ))
        .file(source)
        .column(&col.name)
    })?;
    // A non-strict cast turns unparsable values into nulls; find the first one to report it.
    let lost = cast.is_null() & found.is_not_null();
    if let Some(row) = lost.iter().position(|v| v == Some(true)) {
        let value = found
            .str_value(row)
            .map(|v| v.to_string())
            .unwrap_or_default();
        bail!(
            Data { file: source, column: &col.name, row: row + 1, value: &value }:
            "{source}: column '{}' was {} in training but data row {} holds '{}'",
            col.name,
            col.kind,
            row + 1,
            value
        );
    }
    Ok(cast)
}

/// The frame's column names, comma-separated, for error messages.
pub fn column_list(frame: &DataFrame) -> String {
    let names: Vec<&str> = frame
        .get_column_names()
        .iter()
        .map(|n| n.as_str())
        .collect();
    names.join(", ")
}

/// The column `name` of `frame`, or an error naming the file and the columns it does have.
pub fn require_column<'a>(frame: &'a DataFrame, name: &str, source: &str) -> Result<&'a Column> {
    frame.column(name).map_err(|_| {
        Error::column_not_found(
            name,
            format!(
                "{source}: no column named '{name}'; the columns are: {}",
                column_list(frame)
            ),
        )
        .file(source)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_csv;

    #[test]
    fn conform_casts_and_reports_text_in_numeric_column() {
        let train = parse_csv(b"age,city\n30,a\n40,b\n", "train.csv").unwrap();
        let schema = Schema::of_frame(&train, &[]);
        assert_eq!(schema.columns[0].kind, ColumnKind::Integer);

        let ok = parse_csv(b"city,age,extra\nc,31.0,1\n", "new.csv").unwrap();
        let conformed = schema.conform(&ok, "new.csv").unwrap();
        assert_eq!(conformed.column("age").unwrap().dtype(), &DataType::Float64);

        let bad = parse_csv(b"age,city\n30,a\nthirty,b\n", "new.csv").unwrap();
        assert_eq!(bad.column("age").unwrap().dtype(), &DataType::String);
        let err = schema.conform(&bad, "new.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "new.csv: column 'age' was integer in training but data row 2 holds 'thirty'"
        );
    }

    #[test]
    fn conform_names_missing_column() {
        let train = parse_csv(b"age,city\n30,a\n", "train.csv").unwrap();
        let schema = Schema::of_frame(&train, &[]);
        let new = parse_csv(b"city\nb\n", "new.csv").unwrap();
        let err = schema.conform(&new, "new.csv").unwrap_err();
        assert!(err
            .to_string()
            .contains("column 'age' (integer in training) is missing"));
    }
}
