//! Evaluating one SQL expression on a frame with Polars, with errors naming whoever wrote it
//! ("rule '...'", "labeling function 'female'"): the one place SQL meets the data.

use crisp_core::{bail, column_list, Error, Result};
use polars::prelude::*;

/// Name of the scratch column an expression is evaluated into.
const SCRATCH: &str = "__crisp_label_eval";

/// `sql` evaluated on every row of `frame`: a column as long as the frame. `who` names the
/// expression's author in errors. Errors: bad SQL, unknown columns, a failure while evaluating,
/// and a nested result (list, struct, array), which cannot be a label.
pub(crate) fn evaluate(frame: &DataFrame, sql: &str, who: &str) -> Result<Column> {
    if sql.trim().is_empty() {
        bail!(Config: "{who} is empty: give a SQL expression such as CASE WHEN x > 1 THEN 'a' END");
    }
    let expr = polars::sql::sql_expr(sql)
        .map_err(|e| Error::config(format!("{who} is not a valid SQL expression: {e}")))?;
    for name in expr.clone().meta().root_names() {
        if name.starts_with("_POLARS_") {
            bail!(Config: "{who} uses a subquery, which a labeling expression cannot: use the row's own columns");
        }
        if frame.column(&name).is_err() {
            bail!(
                ColumnNotFound: "{who} refers to a column that does not exist ('{name}'); the columns are: {}",
                column_list(frame)
            );
        }
    }
    let out = frame
        .clone()
        .lazy()
        .with_column(expr.alias(SCRATCH))
        .collect()
        .map_err(|e| Error::data(format!("{who} failed: {e}")))?;
    let column = out.column(SCRATCH)?.clone();
    if column.dtype().is_nested() {
        bail!(Config: "{who} returns {}, not a label", column.dtype());
    }
    Ok(column)
}

/// The labels of a column as text (NULL stays `None`): labels are compared by their text, so
/// `1` from one function and `'1'` from another agree.
pub(crate) fn texts(column: &Column) -> Result<Vec<Option<String>>> {
    let text = column.cast(&DataType::String)?;
    Ok(text.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// A SQL string literal: `it's` becomes `'it''s'`.
pub(crate) fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A SQL identifier: `unit price` becomes `"unit price"`.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_names_and_literals_round_trip_through_polars() {
        let df = df!("unit price" => [1.0f64, 5.0], "b" => ["x", "y"]).unwrap();
        let sql = format!(
            "CASE WHEN {} > 2 THEN {} END",
            quote_ident("unit price"),
            quote_literal("it's")
        );
        let col = evaluate(&df, &sql, "rule").unwrap();
        assert_eq!(texts(&col).unwrap(), [None, Some("it's".to_string())]);
    }

    #[test]
    fn nested_results_and_empty_sql_are_errors() {
        let df = df!("a" => [1i64, 2]).unwrap();
        let err = evaluate(&df, "  ", "labeling function 'f'").unwrap_err();
        assert!(err.to_string().contains("'f' is empty"), "{err}");
        let words = df!("b" => ["x,y", "z"]).unwrap();
        let err = evaluate(&words, "STRING_TO_ARRAY(b, ',')", "labeling function 'f'").unwrap_err();
        assert_eq!(
            err.to_string(),
            "labeling function 'f' returns list[str], not a label"
        );
        let err = evaluate(&df, "a IN (SELECT 1)", "labeling function 'f'").unwrap_err();
        assert!(err.to_string().contains("uses a subquery"), "{err}");
        let err = evaluate(&df, "a >>> 1 (", "labeling function 'f'").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("labeling function 'f' is not a valid SQL expression"),
            "{err}"
        );
    }
}
