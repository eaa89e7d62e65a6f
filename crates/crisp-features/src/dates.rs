//! Calendar parts of dates: year, month, day, day of week, day of year and hour, from date or
//! datetime columns or from text parsed with a declared format. The source column is dropped.

use crisp_core::{bail, ColumnKind, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

/// A calendar part; the output column is `<column>_<part>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePart {
    /// The year, e.g. 2012.
    Year,
    /// 1..12.
    Month,
    /// Day of the month, 1..31.
    Day,
    /// ISO day of the week: Monday = 1 .. Sunday = 7.
    DayOfWeek,
    /// 1..366.
    DayOfYear,
    /// 0..23 (0 for dates without a time).
    Hour,
}

impl DatePart {
    fn name(self) -> &'static str {
        match self {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::Day => "day",
            DatePart::DayOfWeek => "day_of_week",
            DatePart::DayOfYear => "day_of_year",
            DatePart::Hour => "hour",
        }
    }

    fn expr(self, date: Expr) -> Expr {
        let dt = date.dt();
        match self {
            DatePart::Year => dt.year(),
            DatePart::Month => dt.month(),
            DatePart::Day => dt.day(),
            DatePart::DayOfWeek => dt.weekday(),
            DatePart::DayOfYear => dt.ordinal_day(),
            DatePart::Hour => dt.hour(),
        }
    }
}

const DATE_PARTS: [DatePart; 5] = [
    DatePart::Year,
    DatePart::Month,
    DatePart::Day,
    DatePart::DayOfWeek,
    DatePart::DayOfYear,
];

/// Replace each selected date, datetime or text column by its calendar parts, as numbers
/// (`<column>_year`, `<column>_month`, ...). Text is parsed with `format` (chrono `strftime`
/// syntax, e.g. `"%Y/%m/%d"`; a format with `%H`, `%M`, `%S`, `%T` or `%R` gives datetimes);
/// a value that does not parse is an error naming the column, row and value, in training and
/// at prediction. Nulls give missing parts. The default parts are year, month, day,
/// day_of_week (ISO, Monday = 1) and day_of_year, plus hour for datetimes.
///
/// ```toml
/// [[features.steps]]
/// kind = "date_parts"
/// columns = ["date"]
/// format = "%Y/%m/%d"                  # for text columns
/// parts = ["year", "month", "day_of_week"]   # default: all (hour for datetimes only)
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateParts {
    /// Columns to split.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// How text columns are parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Parts to output, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<DatePart>>,
}

/// Where a column's dates come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DateSource {
    /// A date column.
    Date,
    /// A datetime column.
    Datetime,
    /// Text parsed with `format`.
    Text {
        /// chrono format.
        format: String,
        /// Whether the format has a time of day.
        datetime: bool,
    },
}

/// One split column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateColumn {
    /// Source column (dropped).
    pub column: String,
    /// How it is read.
    pub source: DateSource,
    /// Parts output.
    pub parts: Vec<DatePart>,
}

/// Fitted date splitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDateParts {
    /// Per-column sources and parts.
    pub columns: Vec<DateColumn>,
}

fn has_time(format: &str) -> bool {
    ["%H", "%I", "%M", "%S", "%T", "%R", "%c", "%s"]
        .iter()
        .any(|t| format.contains(t))
}

fn parse_expr(column: &str, format: &str, datetime: bool) -> Expr {
    let options = StrptimeOptions {
        format: Some(format.into()),
        strict: false,
        exact: true,
        cache: true,
    };
    let text = col(column).cast(DataType::String).str();
    if datetime {
        text.to_datetime(Some(TimeUnit::Microseconds), None, options, lit("raise"))
    } else {
        text.to_date(options)
    }
}

/// The first non-null text value of `column` that `format` does not parse: (row, value).
fn first_unparsed(
    frame: &DataFrame,
    column: &str,
    format: &str,
    datetime: bool,
) -> Result<Option<(usize, String)>> {
    let Ok(raw) = frame.column(column) else {
        return Ok(None);
    };
    let raw = raw.cast(&DataType::String)?;
    let parsed = DataFrame::new_infer_height(vec![raw.clone()])?
        .lazy()
        .select([parse_expr(column, format, datetime).alias("parsed")])
        .collect()?;
    let parsed = parsed.column("parsed")?;
    let lost = parsed.is_null() & raw.is_not_null();
    let row = lost.iter().position(|v| v == Some(true));
    Ok(row.map(|row| {
        let value = raw
            .str()
            .ok()
            .and_then(|s| s.get(row))
            .unwrap_or_default()
            .to_string();
        (row, value)
    }))
}

impl Transform for DateParts {
    fn name(&self) -> &'static str {
        "date_parts"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        if self.parts.as_ref().is_some_and(Vec::is_empty) {
            bail!(Config: "date_parts: `parts` is empty; list some of year, month, day, day_of_week, day_of_year, hour");
        }
        let mut fitted = Vec::with_capacity(columns.len());
        for name in columns {
            let column = frame.column(name)?;
            let source = match ColumnKind::of(column.dtype()) {
                ColumnKind::Date => DateSource::Date,
                ColumnKind::Datetime => DateSource::Datetime,
                ColumnKind::Text => {
                    let Some(format) = &self.format else {
                        bail!(Config: "date_parts: column '{name}' is text: give its `format` (e.g. format = \"%Y/%m/%d\")");
                    };
                    let datetime = has_time(format);
                    if let Some((row, value)) = first_unparsed(frame, name, format, datetime)? {
                        bail!(Data: "date_parts: column '{name}' has '{value}' on data row {}, which does not match the format '{format}'", row + 1);
                    }
                    DateSource::Text {
                        format: format.clone(),
                        datetime,
                    }
                }
                other => {
                    bail!(Config: "date_parts: column '{name}' is {other}, not a date, datetime or text column")
                }
            };
            let with_time = matches!(
                source,
                DateSource::Datetime | DateSource::Text { datetime: true, .. }
            );
            let parts = match &self.parts {
                Some(parts) => parts.clone(),
                None if with_time => {
                    let mut p = DATE_PARTS.to_vec();
                    p.push(DatePart::Hour);
                    p
                }
                None => DATE_PARTS.to_vec(),
            };
            fitted.push(DateColumn {
                column: name.clone(),
                source,
                parts,
            });
        }
        Ok(FittedStep::DateParts(FittedDateParts { columns: fitted }))
    }
}

impl FittedTransform for FittedDateParts {
    fn exprs(&self) -> Vec<Expr> {
        let mut exprs = Vec::new();
        for c in &self.columns {
            let date = match &c.source {
                DateSource::Date | DateSource::Datetime => col(c.column.as_str()),
                DateSource::Text { format, datetime } => parse_expr(&c.column, format, *datetime),
            };
            for part in &c.parts {
                exprs.push(
                    part.expr(date.clone())
                        .cast(DataType::Float64)
                        .alias(format!("{}_{}", c.column, part.name())),
                );
            }
        }
        exprs
    }

    fn dropped(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.column.clone()).collect()
    }

    fn check(&self, frame: &DataFrame, source: &str) -> Result<()> {
        for c in &self.columns {
            if let DateSource::Text { format, datetime } = &c.source {
                if let Some((row, value)) = first_unparsed(frame, &c.column, format, *datetime)? {
                    bail!(Data: "{source}: column '{}' has '{value}' on data row {}, which does not match the date format '{format}' of training", c.column, row + 1);
                }
            }
        }
        Ok(())
    }

    fn summary(&self) -> StepSummary {
        StepSummary {
            name: "date_parts".into(),
            config: String::new(),
            learned: self
                .columns
                .iter()
                .map(|c| {
                    let from = match &c.source {
                        DateSource::Date => "date".to_string(),
                        DateSource::Datetime => "datetime".to_string(),
                        DateSource::Text { format, .. } => format!("text '{format}'"),
                    };
                    let parts: Vec<&str> = c.parts.iter().map(|p| p.name()).collect();
                    format!("{} ({from}): {}", c.column, parts.join(", "))
                })
                .collect(),
        }
    }
}
