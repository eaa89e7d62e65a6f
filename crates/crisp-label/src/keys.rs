//! Row identity by key columns, shared by join labeling and gold matching: each row's key as
//! text, with the key columns of both sides brought to one type first (an integer `id` in one
//! file matches a float `id` in the other).

use crisp_core::{bail, ensure, require_column, Error, Hint, Result};
use polars::prelude::*;

/// Separates the parts of a composite key in its text form (a character CSV data never holds).
const SEP: char = '\u{1f}';

/// Each row's key as text (`None`: the row has an empty key part).
pub(crate) type KeyTexts = Vec<Option<String>>;

/// One side of a key match: a frame and how to name it in errors.
pub(crate) struct Side<'a> {
    /// The rows.
    pub frame: &'a DataFrame,
    /// The file (or "the data") they came from.
    pub source: &'a str,
}

/// The key of every row of `left` and `right` as text (`None` when a key part is NULL: such a
/// row matches nothing). Errors name a missing key column and the file that lacks it.
pub(crate) fn key_texts(left: Side, right: Side, keys: &[String]) -> Result<(KeyTexts, KeyTexts)> {
    if keys.is_empty() {
        return Err(Error::config("no key column given").with_hint(Hint::NameTheKey));
    }
    let mut left_parts = Vec::with_capacity(keys.len());
    let mut right_parts = Vec::with_capacity(keys.len());
    for key in keys {
        let l = require_column(left.frame, key, left.source)?;
        let r = require_column(right.frame, key, right.source)?;
        let common = if l.dtype() == r.dtype() {
            l.dtype().clone()
        } else if l.dtype().is_primitive_numeric() && r.dtype().is_primitive_numeric() {
            DataType::Float64
        } else {
            DataType::String
        };
        left_parts.push(as_text(l, &common)?);
        right_parts.push(as_text(r, &common)?);
    }
    Ok((join_parts(&left_parts), join_parts(&right_parts)))
}

/// A key as shown to people: `id=17`, or `species=Adelie, year=2007`.
pub(crate) fn show(keys: &[String], text: &str) -> String {
    keys.iter()
        .zip(text.split(SEP))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How to find the label column of a label or gold file.
pub(crate) struct LabelColumn<'a> {
    /// The column named by the user, if any.
    pub given: Option<&'a str>,
    /// The key columns (never the label).
    pub keys: &'a [String],
    /// The target name: a column of that name is the label.
    pub target: &'a str,
    /// The option that names the column, for the error when it is ambiguous.
    pub hint: Hint,
}

/// The label column of `frame`: the one given, else one named like the target, else the only
/// column that is not a key.
pub(crate) fn label_column(frame: &DataFrame, source: &str, how: LabelColumn) -> Result<String> {
    if let Some(name) = how.given {
        require_column(frame, name, source)?;
        ensure!(!how.keys.iter().any(|k| k == name), Config: "the label column '{name}' is also a key column");
        return Ok(name.to_string());
    }
    if frame.column(how.target).is_ok() && !how.keys.iter().any(|k| k == how.target) {
        return Ok(how.target.to_string());
    }
    let others: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .filter(|n| !how.keys.contains(n))
        .collect();
    match others.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            bail!(Data: "{source} has no column besides the key ({}): it holds no label", how.keys.join(", "))
        }
        _ => Err(Error::config(format!(
            "{source} has several columns besides the key ({}) and none is named '{}'",
            others.join(", "),
            how.target,
        ))
        .file(source)
        .with_hint(how.hint)),
    }
}

fn as_text(column: &Column, common: &DataType) -> Result<Vec<Option<String>>> {
    let text = column.cast(common)?.cast(&DataType::String)?;
    Ok(text.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

fn join_parts(parts: &[Vec<Option<String>>]) -> Vec<Option<String>> {
    let rows = parts.first().map_or(0, Vec::len);
    (0..rows)
        .map(|i| {
            let mut key = String::new();
            for (n, part) in parts.iter().enumerate() {
                if n > 0 {
                    key.push(SEP);
                }
                key.push_str(part[i].as_deref()?);
            }
            Some(key)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_keys_of_different_numeric_types_match() {
        let a = df!("id" => [1i64, 2, 3], "y" => ["a", "b", "c"]).unwrap();
        let b = df!("id" => [Some(3.0f64), Some(1.0), None], "y" => ["c", "x", "c"]).unwrap();
        let keys = ["id".to_string(), "y".to_string()];
        let (l, r) = key_texts(
            Side {
                frame: &a,
                source: "a.csv",
            },
            Side {
                frame: &b,
                source: "b.csv",
            },
            &keys,
        )
        .unwrap();
        assert_eq!(l[2], r[0], "3 and 3.0 are the same id");
        assert_ne!(l[0], r[1], "same id, other y");
        assert_eq!(r[2], None, "a NULL key part matches nothing");
        assert_eq!(show(&keys, l[2].as_deref().unwrap()), "id=3.0, y=c");
    }

    #[test]
    fn a_missing_key_names_the_file() {
        let a = df!("id" => [1i64]).unwrap();
        let b = df!("code" => [1i64]).unwrap();
        let err = key_texts(
            Side {
                frame: &a,
                source: "a.csv",
            },
            Side {
                frame: &b,
                source: "labels.csv",
            },
            &["id".to_string()],
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("labels.csv: no column named 'id'"),
            "{err}"
        );
    }
}
