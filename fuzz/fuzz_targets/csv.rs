//! Any bytes as a CSV file, read in memory and streamed, then checked against a schema. Both
//! readers must agree on the column names of what they both accept; errors are expected; a
//! panic, a hang or a disagreement is a bug.
#![no_main]

use std::io::Write;

use crisp_core::{
    parse_csv_with, ColumnKind, ColumnSchema, DataFile, Encoding, ReadOptions, Schema,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the dialect, so every option is exercised.
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let separator = [b',', b';', b'\t', b'|'][usize::from(choice & 3)];
    let encoding = if choice & 4 == 0 {
        Encoding::Utf8
    } else {
        Encoding::Latin1
    };
    let options = ReadOptions::default()
        .with_separator(separator)
        .with_encoding(encoding);

    let in_memory = parse_csv_with(bytes, "fuzz.csv", &options);
    if let Ok(frame) = &in_memory {
        let schema = Schema::of_frame(frame, &[]);
        let _ = schema.conform(frame, "fuzz.csv");
        let trained = Schema {
            columns: vec![
                ColumnSchema {
                    name: "a".into(),
                    kind: ColumnKind::Integer,
                },
                ColumnSchema {
                    name: "b".into(),
                    kind: ColumnKind::Text,
                },
            ],
        };
        let _ = trained.conform(frame, "fuzz.csv");
    }

    let Ok(mut file) = tempfile::Builder::new().suffix(".csv").tempfile() else {
        return;
    };
    if file.write_all(bytes).and_then(|()| file.flush()).is_err() {
        return;
    }
    let Ok(streamed) = DataFile::check_with(file.path(), &options) else {
        return;
    };
    if let Ok(frame) = &in_memory {
        let names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(
            names,
            streamed.header(),
            "the two readers name the columns differently"
        );
    }
    let _ = streamed.sample(64);
});
