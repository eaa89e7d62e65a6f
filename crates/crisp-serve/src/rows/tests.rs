use crisp_core::{ColumnKind, ColumnSchema, Schema};

use super::*;

fn schema() -> Schema {
    let column = |name: &str, kind| ColumnSchema {
        name: name.into(),
        kind,
    };
    Schema {
        columns: vec![
            column("age", ColumnKind::Integer),
            column("job", ColumnKind::Text),
            column("member", ColumnKind::Boolean),
        ],
    }
}

fn parse(body: &str) -> Result<Records, ApiError> {
    parse_json(body.as_bytes(), &schema(), 3)
}

#[test]
fn records_become_typed_columns_in_schema_order_and_extra_keys_are_ignored() {
    let records = parse(
        r#"{"rows": [{"job": "clerk", "age": 30, "member": true, "extra": [1]},
                     {"member": null, "age": null, "job": null}]}"#,
    )
    .unwrap();
    let frame = records.to_frame().unwrap();
    assert_eq!(frame.get_column_names(), ["age", "job", "member"]);
    assert_eq!(frame.column("age").unwrap().dtype(), &DataType::Float64);
    assert_eq!(
        frame.column("age").unwrap().f64().unwrap().get(0),
        Some(30.0)
    );
    assert_eq!(frame.column("age").unwrap().null_count(), 1);
    assert_eq!(
        frame.column("job").unwrap().str().unwrap().get(0),
        Some("clerk")
    );
    assert_eq!(
        frame.column("member").unwrap().bool().unwrap().get(0),
        Some(true)
    );
}

#[test]
fn a_value_of_another_kind_turns_the_column_into_text_for_the_schema_check() {
    let records = parse(r#"{"rows": [{"age": 30, "job": 7, "member": false}, {"age": "forty", "job": "x", "member": false}]}"#).unwrap();
    let frame = records.to_frame().unwrap();
    let age = frame.column("age").unwrap().str().unwrap();
    assert_eq!((age.get(0), age.get(1)), (Some("30"), Some("forty")));
    assert_eq!(
        frame.column("job").unwrap().str().unwrap().get(0),
        Some("7")
    );
}

#[test]
fn a_missing_column_names_the_column_and_the_row() {
    let e =
        parse(r#"{"rows": [{"age": 1, "job": "a", "member": true}, {"age": 2, "member": true}]}"#)
            .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!((e.column.as_deref(), e.row), (Some("job"), Some(2)));
    assert!(
        e.message
            .contains("row 2 has no column 'job' (text in training)"),
        "{}",
        e.message
    );
}

#[test]
fn arrays_objects_and_repeated_keys_are_refused_with_their_column_and_row() {
    let e = parse(r#"{"rows": [{"age": [1], "job": "a", "member": true}]}"#).unwrap_err();
    assert_eq!(
        (e.kind, e.column.as_deref(), e.row),
        (ErrorKind::InvalidInput, Some("age"), Some(1))
    );
    assert!(e.message.contains("holds an array"), "{}", e.message);
    let e = parse(r#"{"rows": [{"age": 1, "age": 2, "job": "a", "member": true}]}"#).unwrap_err();
    assert!(
        e.message.contains("gives column 'age' twice"),
        "{}",
        e.message
    );
}

#[test]
fn bodies_of_the_wrong_shape_are_malformed_json() {
    for body in [
        r#"{"rows": [{"age": 1"#,
        r#"[{"age": 1}]"#,
        r#"{"instances": []}"#,
        r#"{"rows": {"age": 1}}"#,
        r#"{"rows": [1, 2]}"#,
        r#"{}"#,
        r#"{"rows": []} trailing"#,
    ] {
        let e = parse(body).unwrap_err();
        assert_eq!(e.kind, ErrorKind::MalformedJson, "{body}: {}", e.message);
        assert!(
            e.message.starts_with("request body: "),
            "{body}: {}",
            e.message
        );
    }
}

#[test]
fn more_rows_than_the_limit_are_refused() {
    let row = r#"{"age": 1, "job": "a", "member": true}"#;
    let three = format!(r#"{{"rows": [{row}, {row}, {row}]}}"#);
    assert_eq!(parse(&three).unwrap().rows(), 3);
    let four = format!(r#"{{"rows": [{row}, {row}, {row}, {row}]}}"#);
    assert_eq!(parse(&four).unwrap_err().kind, ErrorKind::TooManyRows);
}

#[test]
fn records_append_only_to_records_of_the_same_kinds() {
    let mut a = parse(r#"{"rows": [{"age": 1, "job": "a", "member": true}]}"#).unwrap();
    let b = parse(r#"{"rows": [{"age": 2, "job": "b", "member": null}]}"#).unwrap();
    let text_age = parse(r#"{"rows": [{"age": "3", "job": "c", "member": false}]}"#).unwrap();
    assert!(a.can_append(&b));
    assert!(!a.can_append(&text_age));
    a.append(&b);
    let frame = a.to_frame().unwrap();
    assert_eq!(frame.height(), 2);
    assert_eq!(
        frame.column("job").unwrap().str().unwrap().get(1),
        Some("b")
    );
}
