//! Request bodies into rows for the model: JSON records `{"rows": [{...}, ...]}` read straight
//! into one column per input of the model (no map per row), or CSV read by crisp's CSV reader,
//! as `crisp predict` reads a file. Types are then checked by the model's own schema checks
//! (`Schema::conform`), so a value that does not fit is refused with the same sentence as in
//! `crisp predict`.

use std::collections::HashMap;
use std::fmt;

use crisp_core::{ColumnKind, Schema};
use polars::prelude::*;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{ApiError, ErrorKind};

/// The name of request data in error messages.
pub const SOURCE: &str = "request body";

/// Rows to predict, in request order.
#[derive(Debug)]
pub enum Rows {
    /// JSON records, one column per model input.
    Records(Records),
    /// A CSV body, read as `crisp predict` reads a file.
    Frame(DataFrame),
}

impl Rows {
    /// How many rows.
    pub fn len(&self) -> usize {
        match self {
            Rows::Records(r) => r.rows,
            Rows::Frame(f) => f.height(),
        }
    }

    /// No rows at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows as a frame for the model.
    pub fn to_frame(&self) -> crisp_core::Result<DataFrame> {
        match self {
            Rows::Records(r) => r.to_frame(),
            Rows::Frame(f) => Ok(f.clone()),
        }
    }
}

/// JSON records as columns, in the order of the model's input schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    names: Vec<String>,
    columns: Vec<Values>,
    rows: usize,
}

/// One column's values. Numbers stay numbers and booleans booleans when the column was such in
/// training; anything else is kept as text for the schema check to cast or refuse.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    Numbers(Vec<Option<f64>>),
    Booleans(Vec<Option<bool>>),
    Text(Texts),
}

/// Text values back to back in one buffer (no allocation per value).
#[derive(Debug, Clone, PartialEq, Default)]
struct Texts {
    buffer: String,
    /// Each value's start and end in `buffer`, or `None` for null.
    spans: Vec<Option<(usize, usize)>>,
}

impl Texts {
    fn push(&mut self, value: Option<&str>) {
        let span = value.map(|v| {
            let start = self.buffer.len();
            self.buffer.push_str(v);
            (start, self.buffer.len())
        });
        self.spans.push(span);
    }

    fn values(&self) -> impl Iterator<Item = Option<&str>> {
        self.spans
            .iter()
            .map(|s| s.map(|(a, b)| &self.buffer[a..b]))
    }

    fn extend(&mut self, other: &Texts) {
        let offset = self.buffer.len();
        self.buffer.push_str(&other.buffer);
        let moved = other
            .spans
            .iter()
            .map(|s| s.map(|(a, b)| (a + offset, b + offset)));
        self.spans.extend(moved);
    }
}

impl Values {
    fn for_kind(kind: ColumnKind) -> Values {
        match kind {
            ColumnKind::Float | ColumnKind::Integer => Values::Numbers(Vec::new()),
            ColumnKind::Boolean => Values::Booleans(Vec::new()),
            ColumnKind::Text | ColumnKind::Date | ColumnKind::Datetime => {
                Values::Text(Texts::default())
            }
        }
    }

    fn len(&self) -> usize {
        match self {
            Values::Numbers(v) => v.len(),
            Values::Booleans(v) => v.len(),
            Values::Text(v) => v.spans.len(),
        }
    }

    /// Append `cell`; a cell that does not fit the column's kind turns the column into text.
    fn push(&mut self, cell: Cell) {
        match (&mut *self, cell) {
            (Values::Numbers(v), Cell::Number(x)) => v.push(Some(x)),
            (Values::Numbers(v), Cell::Null) => v.push(None),
            (Values::Booleans(v), Cell::Boolean(b)) => v.push(Some(b)),
            (Values::Booleans(v), Cell::Null) => v.push(None),
            (Values::Text(v), cell) => v.push(cell.into_text().as_deref()),
            (_, cell) => {
                self.become_text();
                self.push(cell);
            }
        }
    }

    /// Append a text value: kept as text in a text column, and turning any other column into
    /// text.
    fn push_text(&mut self, value: &str) {
        if !matches!(self, Values::Text(_)) {
            self.become_text();
        }
        if let Values::Text(v) = self {
            v.push(Some(value));
        }
    }

    fn become_text(&mut self) {
        let mut text = Texts::default();
        match self {
            Values::Numbers(v) => v
                .iter()
                .for_each(|x| text.push(x.map(|x| x.to_string()).as_deref())),
            Values::Booleans(v) => v
                .iter()
                .for_each(|b| text.push(b.map(|b| b.to_string()).as_deref())),
            Values::Text(_) => return,
        }
        *self = Values::Text(text);
    }

    fn same_kind(&self, other: &Values) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    fn extend(&mut self, other: &Values) {
        match (self, other) {
            (Values::Numbers(a), Values::Numbers(b)) => a.extend_from_slice(b),
            (Values::Booleans(a), Values::Booleans(b)) => a.extend_from_slice(b),
            (Values::Text(a), Values::Text(b)) => a.extend(b),
            _ => unreachable!("extend is called only on columns of the same kind"),
        }
    }

    fn to_column(&self, name: &str) -> Column {
        match self {
            Values::Numbers(v) => Column::new(name.into(), v),
            Values::Booleans(v) => Column::new(name.into(), v),
            Values::Text(v) => Column::new(name.into(), v.values().collect::<Vec<_>>()),
        }
    }
}

impl Records {
    /// The records as a frame with the model's input columns.
    pub fn to_frame(&self) -> crisp_core::Result<DataFrame> {
        let columns = self
            .names
            .iter()
            .zip(&self.columns)
            .map(|(name, values)| values.to_column(name))
            .collect();
        Ok(DataFrame::new(self.rows, columns)?)
    }

    /// How many records.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Whether `other` can be appended to these records into one frame (same columns, each
    /// of the same kind).
    pub fn can_append(&self, other: &Records) -> bool {
        self.names == other.names
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| a.same_kind(b))
    }

    /// Append `other`'s rows (see [`Records::can_append`]).
    pub fn append(&mut self, other: &Records) {
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            a.extend(b);
        }
        self.rows += other.rows;
    }
}

/// One JSON value of a record.
enum Cell {
    Null,
    Number(f64),
    Boolean(bool),
}

impl Cell {
    fn into_text(self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Number(x) => Some(x.to_string()),
            Cell::Boolean(b) => Some(b.to_string()),
        }
    }
}

/// Read a JSON body `{"rows": [{"column": value, ...}, ...]}` into columns for `schema`: every
/// input column must be in every record (null is a missing value); other keys are ignored, as
/// extra columns of a CSV file are. More than `max_rows` records is an error.
pub fn parse_json(body: &[u8], schema: &Schema, max_rows: usize) -> Result<Records, ApiError> {
    let index: HashMap<&str, usize> = schema
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    let mut records = Records {
        names: schema.names(),
        columns: schema
            .columns
            .iter()
            .map(|c| Values::for_kind(c.kind))
            .collect(),
        rows: 0,
    };
    let mut problem = None;
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed = BodySeed {
        reader: RowReader {
            schema,
            index: &index,
            records: &mut records,
            max_rows,
            problem: &mut problem,
        },
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match (parsed, problem) {
        (_, Some(problem)) => Err(problem),
        (Ok(()), None) => Ok(records),
        (Err(e), None) if e.is_syntax() || e.is_eof() => Err(ApiError::new(
            ErrorKind::MalformedJson,
            format!("{SOURCE}: not valid JSON: {e}"),
        )),
        (Err(e), None) => Err(ApiError::new(
            ErrorKind::MalformedJson,
            format!("{SOURCE}: expected {{\"rows\": [{{\"column\": value, ...}}, ...]}}: {e}"),
        )),
    }
}

/// Read a CSV body (a header row, then data rows) as `crisp predict` reads a CSV file.
pub fn parse_csv(body: &[u8], max_rows: usize) -> Result<DataFrame, ApiError> {
    let frame = crisp_core::parse_csv(body, SOURCE)
        .map_err(|e| ApiError::from_crisp(ErrorKind::MalformedCsv, &e))?;
    if frame.height() > max_rows {
        return Err(too_many_rows(frame.height(), max_rows));
    }
    Ok(frame)
}

fn too_many_rows(rows: usize, max_rows: usize) -> ApiError {
    ApiError::new(
        ErrorKind::TooManyRows,
        format!("{SOURCE}: {rows} rows or more, more than the {max_rows} a request may hold"),
    )
}

/// Reads the rows into the columns; a problem with the rows (not with the JSON) is left in
/// `problem` with its column and row, and stops the reading.
struct RowReader<'a> {
    schema: &'a Schema,
    index: &'a HashMap<&'a str, usize>,
    records: &'a mut Records,
    max_rows: usize,
    problem: &'a mut Option<ApiError>,
}

impl RowReader<'_> {
    fn fail<E: serde::de::Error>(&mut self, error: ApiError) -> E {
        let message = error.message.clone();
        *self.problem = Some(error);
        E::custom(message)
    }

    /// After a record: every input column must have had a value.
    fn check_complete<E: serde::de::Error>(&mut self, row: usize) -> Result<(), E> {
        let missing = self
            .records
            .columns
            .iter()
            .position(|values| values.len() < row);
        let Some(i) = missing else { return Ok(()) };
        let column = &self.schema.columns[i];
        let mut error = ApiError::new(
            ErrorKind::InvalidInput,
            format!(
                "{SOURCE}: row {row} has no column '{}' ({} in training); give it, or null for a missing value",
                column.name, column.kind
            ),
        );
        error.column = Some(column.name.clone());
        error.row = Some(row);
        Err(self.fail(error))
    }
}

struct BodySeed<'a> {
    reader: RowReader<'a>,
}

impl<'de> DeserializeSeed<'de> for BodySeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for BodySeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with \"rows\"")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen_rows = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key != "rows" {
                return Err(serde::de::Error::custom(format!(
                    "unknown field '{key}' (the only field is \"rows\")"
                )));
            }
            if seen_rows {
                return Err(serde::de::Error::custom("\"rows\" is given twice"));
            }
            seen_rows = true;
            map.next_value_seed(RowsSeed {
                reader: &mut self.reader,
            })?;
        }
        if !seen_rows {
            return Err(serde::de::Error::custom("no \"rows\" field"));
        }
        Ok(())
    }
}

struct RowsSeed<'r, 'a> {
    reader: &'r mut RowReader<'a>,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let reader = self.reader;
        loop {
            let row = reader.records.rows + 1;
            if row > reader.max_rows {
                // One more record would be over the limit: is there one?
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    let error = too_many_rows(row, reader.max_rows);
                    return Err(reader.fail(error));
                }
                return Ok(());
            }
            let more = seq.next_element_seed(RecordSeed {
                reader: &mut *reader,
                row,
            })?;
            if more.is_none() {
                return Ok(());
            }
            reader.check_complete::<A::Error>(row)?;
            reader.records.rows = row;
        }
    }
}

struct RecordSeed<'r, 'a> {
    reader: &'r mut RowReader<'a>,
    row: usize,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "row {} as an object of column: value", self.row)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let reader = self.reader;
        let mut guess = 0;
        while let Some(key) = map.next_key_seed(KeySeed {
            index: reader.index,
            schema: reader.schema,
            guess,
        })? {
            let Some(i) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            guess = i + 1;
            let column = &reader.schema.columns[i].name;
            if reader.records.columns[i].len() >= self.row {
                let mut error = ApiError::new(
                    ErrorKind::InvalidInput,
                    format!("{SOURCE}: row {} gives column '{column}' twice", self.row),
                );
                error.column = Some(column.clone());
                error.row = Some(self.row);
                return Err(reader.fail(error));
            }
            match map.next_value_seed(CellSeed(&mut reader.records.columns[i]))? {
                Ok(()) => {}
                Err(what) => {
                    let mut error = ApiError::new(
                        ErrorKind::InvalidInput,
                        format!(
                            "{SOURCE}: column '{column}' on row {} holds {what}; give a number, text, true, false or null",
                            self.row
                        ),
                    );
                    error.column = Some(column.clone());
                    error.row = Some(self.row);
                    return Err(reader.fail(error));
                }
            }
        }
        Ok(())
    }
}

/// A record's key: the index of the input column it names, if it names one (read without
/// allocating). Clients usually send every record's keys in the same order, so the column
/// after the previous key is tried before the hash map.
struct KeySeed<'a> {
    index: &'a HashMap<&'a str, usize>,
    schema: &'a Schema,
    guess: usize,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column name")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        match self.schema.columns.get(self.guess) {
            Some(c) if c.name == v => Ok(Some(self.guess)),
            _ => Ok(self.index.get(v).copied()),
        }
    }
}

/// One value, appended to its column; or what it is when it cannot be a cell (an array or an
/// object).
struct CellSeed<'v>(&'v mut Values);

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = Result<(), &'static str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = Result<(), &'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, text, true, false or null")
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.0.push(Cell::Null);
        Ok(Ok(()))
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.push(Cell::Boolean(v));
        Ok(Ok(()))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.push(Cell::Number(v));
        Ok(Ok(()))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.0.push_text(v);
        Ok(Ok(()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Err("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Err("an object"))
    }
}

#[cfg(test)]
mod tests;
