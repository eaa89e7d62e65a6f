//! One reader behaviour: every CSV dialect case (and Parquet) read in memory
//! ([`read_table`]) and streamed ([`DataFile`]: checked in pieces, sampled, read in batches)
//! gives the same column names, types and values.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::{read_table, DataFile, Encoding, ReadOptions};

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    options: ReadOptions,
}

fn case(name: &'static str, bytes: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        bytes: bytes.into(),
        options: ReadOptions::default(),
    }
}

impl Case {
    fn with(mut self, options: ReadOptions) -> Case {
        self.options = options;
        self
    }
}

/// A file of `rows` rows in several batches: an integer column that turns float (`181.0`) and a
/// float column with `nan`, `inf` and `-Infinity` late in the file, quoted line breaks and blank
/// lines.
fn long_file(rows: usize) -> Vec<u8> {
    let mut text = String::from("i,n,x,s\n");
    for r in 0..rows {
        let n = if r == rows - 40 {
            "181.0".to_string()
        } else {
            r.to_string()
        };
        let x = match r % 97 {
            13 => "nan".to_string(),
            14 => "inf".to_string(),
            15 => "-Infinity".to_string(),
            _ => format!("{}.5", r),
        };
        let s = if r % 50 == 7 {
            format!("\"line\nbreak {r}\"")
        } else {
            format!("s{}", r % 5)
        };
        text.push_str(&format!("{r},{n},{x},{s}\n"));
        if r % 71 == 3 {
            text.push_str("\r\n");
        }
    }
    text.into_bytes()
}

fn cases() -> Vec<Case> {
    let default = ReadOptions::default;
    vec![
        case("plain.csv", "a,b\n1,x\n2,y\n"),
        case("bom.csv", "\u{feff}a,b\n1,x\n2,y\n"),
        case("crlf.csv", "a,b\r\n1,x\r\n2,y\r\n"),
        case("tab.tsv", "a\tb c\n1\tx,y\n2\t\"q\"\n"),
        case("tab.txt", "a\tb\n1\tx\n").with(default().with_separator(b'\t')),
        case("semicolon.csv", "a;b;c\n1;x,5;2.5\n2;y;3\n").with(default().with_separator(b';')),
        case(
            "quoted_header.csv",
            "\"size \"\"in\"\" cm\",\"a,b\",plain\n1,2,3\n4,5,6\n",
        ),
        case(
            "latin1.csv",
            b"name,city\nJos\xE9,M\xFCnchen\nAna,K\xF6ln\n".to_vec(),
        )
        .with(default().with_encoding(Encoding::Latin1)),
        case(
            "cp1252.csv",
            b"\x80 price,name\n3,\x93quoted\x94\n4,caf\xE9\n".to_vec(),
        )
        .with(default().with_encoding(Encoding::Windows1252)),
        case(
            "numbers.csv",
            "x,y,z,t\n1.5,1,1,a\ninf,2,NaN,b\nnan,NaN,3,c\n-Infinity,3,inf,d\n1e400,,-inf,e\n",
        ),
        case("int_as_float.csv", "n,m\n181,1\n182.0,2\n,3\n"),
        case("blank_lines.csv", "a,b\n1,x\n\n2,y\n\r\n\n3,z\n\n"),
        case(
            "quoted_newlines.csv",
            "a,b\n\"x\ny\",1\n\"p,q\",2\n\"r\r\ns\",3\n",
        ),
        case("quote_char.csv", "'a,b',c\n'x''y',1\n'z',2\n").with(default().with_quote(b'\'')),
        case(
            "everything.csv",
            b"\xEF\xBB\xBFa;\"b;\"\"c\"\"\"\r\n\xE9;1\r\n\r\n\xFC;nan\r\n".to_vec(),
        )
        .with(
            default()
                .with_separator(b';')
                .with_encoding(Encoding::Latin1),
        ),
        case("long.csv", long_file(700)),
    ]
}

fn write(dir: &Path, case: &Case) -> PathBuf {
    let path = dir.join(case.name);
    std::fs::write(&path, &case.bytes).unwrap();
    path
}

/// Every batch of `file` (all columns, `dtypes` as given), stacked.
fn batches(file: &DataFile, batch_rows: usize, dtypes: &[(String, DataType)]) -> DataFrame {
    let mut parts: Vec<DataFrame> = Vec::new();
    file.map_batches(
        file.header(),
        dtypes,
        batch_rows,
        |b, _| Ok(b.clone()),
        |b| {
            parts.push(b.clone());
            Ok(())
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", file.source()));
    let mut frame = parts.remove(0);
    for part in &parts {
        frame.vstack_mut(part).unwrap();
    }
    frame
}

fn assert_same(name: &str, how: &str, got: &DataFrame, want: &DataFrame) {
    assert_eq!(
        got.get_column_names(),
        want.get_column_names(),
        "{name}: names {how}"
    );
    assert_eq!(got.dtypes(), want.dtypes(), "{name}: types {how}");
    assert!(
        got.equals_missing(want),
        "{name}: values {how}\n{got}\nvs\n{want}"
    );
}

#[test]
fn every_dialect_reads_the_same_in_memory_and_streamed() {
    let dir = tempfile::tempdir().unwrap();
    for case in cases() {
        let path = write(dir.path(), &case);
        let name = case.name;
        let memory = read_table(&path, &case.options)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .frame;
        let file =
            DataFile::check_with(&path, &case.options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let names: Vec<&str> = memory
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect();
        assert_eq!(file.header(), names, "{name}: header");
        assert_eq!(file.rows(), memory.height(), "{name}: rows");
        assert_same(
            name,
            "sampled",
            &file.sample(usize::MAX).unwrap().frame,
            &memory,
        );
        for batch_rows in [1, 100, 100_000] {
            assert_same(
                name,
                "in batches",
                &batches(&file, batch_rows, &[]),
                &memory,
            );
        }
        // Read a few bytes at a time: pieces cut characters, quotes and line breaks.
        for buffer in [1, 2, 5] {
            let small = DataFile::check_csv(&path, &case.options, buffer).unwrap();
            assert_eq!(
                small.header(),
                file.header(),
                "{name}: header, {buffer}-byte reads"
            );
            assert_eq!(
                small.rows(),
                file.rows(),
                "{name}: rows, {buffer}-byte reads"
            );
        }
    }
}

#[test]
fn what_each_dialect_reads() {
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str| {
        let case = cases().into_iter().find(|c| c.name == name).unwrap();
        read_table(&write(dir.path(), &case), &case.options)
            .unwrap()
            .frame
    };
    let strings = |frame: &DataFrame, column: &str| -> Vec<Option<String>> {
        let text = frame
            .column(column)
            .unwrap()
            .cast(&DataType::String)
            .unwrap();
        text.str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    };
    assert_eq!(read("bom.csv").get_column_names(), ["a", "b"]);
    assert_eq!(read("tab.tsv").get_column_names(), ["a", "b c"]);
    assert_eq!(
        strings(&read("tab.tsv"), "b c"),
        [Some("x,y".into()), Some("q".into())]
    );
    let semicolon = read("semicolon.csv");
    assert_eq!(semicolon.column("c").unwrap().dtype(), &DataType::Float64);
    assert_eq!(strings(&semicolon, "b")[0].as_deref(), Some("x,5"));
    assert_eq!(
        read("quoted_header.csv").get_column_names(),
        ["size \"in\" cm", "a,b", "plain"]
    );
    assert_eq!(
        strings(&read("latin1.csv"), "city"),
        [Some("M\u{fc}nchen".into()), Some("K\u{f6}ln".into())]
    );
    let cp1252 = read("cp1252.csv");
    assert_eq!(cp1252.get_column_names(), ["\u{20ac} price", "name"]);
    assert_eq!(
        strings(&cp1252, "name")[0].as_deref(),
        Some("\u{201c}quoted\u{201d}")
    );
    let numbers = read("numbers.csv");
    let floats = |column: &str| -> Vec<Option<f64>> {
        numbers
            .column(column)
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect()
    };
    assert_eq!(floats("x"), [Some(1.5), None, None, None, None]);
    assert_eq!(floats("y"), [Some(1.0), Some(2.0), None, Some(3.0), None]);
    assert_eq!(floats("z"), [Some(1.0), None, Some(3.0), None, None]);
    assert_eq!(numbers.column("t").unwrap().dtype(), &DataType::String);
    let n = read("int_as_float.csv");
    assert_eq!(n.column("n").unwrap().dtype(), &DataType::Float64);
    assert_eq!(n.column("m").unwrap().dtype(), &DataType::Int64);
    assert_eq!(read("blank_lines.csv").height(), 3);
    assert_eq!(
        strings(&read("quote_char.csv"), "a,b"),
        [Some("x'y".into()), Some("z".into())]
    );
    let everything = read("everything.csv");
    assert_eq!(everything.get_column_names(), ["a", "b;\"c\""]);
    assert_eq!(strings(&everything, "a")[0].as_deref(), Some("\u{e9}"));
}

#[test]
fn an_integer_column_written_as_floats_in_a_later_batch_is_read_as_floats() {
    let dir = tempfile::tempdir().unwrap();
    let case = case("late_float.csv", long_file(700));
    let path = write(dir.path(), &case);
    let file = DataFile::check(&path).unwrap();
    // Training saw `n` as integers: batches are read as integers where they can be.
    let dtypes = [("n".to_string(), DataType::Int64)];
    let mut kinds = Vec::new();
    let mut values: Vec<Option<f64>> = Vec::new();
    file.map_batches(
        &["n".to_string()],
        &dtypes,
        64,
        |b, _| Ok(b.clone()),
        |b| {
            let n = b.column("n")?;
            kinds.push(n.dtype().clone());
            values.extend(n.cast(&DataType::Float64)?.f64()?.iter());
            Ok(())
        },
    )
    .unwrap();
    assert!(kinds.contains(&DataType::Int64) && kinds.contains(&DataType::Float64));
    assert_eq!(kinds.iter().filter(|d| **d == DataType::Float64).count(), 1);
    let expected: Vec<Option<f64>> = (0..700).map(|r| Some(f64::from(r))).collect();
    assert_eq!(values.len(), 700);
    assert_eq!(values[..660], expected[..660]);
    assert_eq!(values[660], Some(181.0));
    // Text where a number was expected is still an error naming the value.
    let text = dir.path().join("text.csv");
    std::fs::write(&text, "n\n1\n2\nthree\n").unwrap();
    let err = DataFile::check(&text)
        .unwrap()
        .map_batches(&["n".into()], &dtypes, 64, |b, _| Ok(b.clone()), |_| Ok(()))
        .unwrap_err();
    assert!(err.to_string().contains("three"), "{err}");
}

#[test]
fn text_that_is_not_utf8_is_the_same_error_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin.csv");
    std::fs::write(&path, b"name,n\nAna,1\nJos\xE9,2\n").unwrap();
    let memory = read_table(&path, &ReadOptions::default()).unwrap_err();
    assert_eq!(
        memory.to_string(),
        format!(
            "{}: line 3 is not valid UTF-8 (byte 0xE9); if the file is Latin-1, read it with the latin1 encoding (`encoding` in ReadOptions)",
            path.display()
        )
    );
    assert_eq!(memory.location().line, Some(3));
    for buffer in [1, 3, 1 << 22] {
        let streamed = DataFile::check_csv(&path, &ReadOptions::default(), buffer).unwrap_err();
        assert_eq!(
            streamed.to_string(),
            memory.to_string(),
            "{buffer}-byte reads"
        );
    }
    // A file cut in the middle of a character.
    std::fs::write(&path, b"name\n\xC3").unwrap();
    let memory = read_table(&path, &ReadOptions::default()).unwrap_err();
    let streamed = DataFile::check_csv(&path, &ReadOptions::default(), 1).unwrap_err();
    assert_eq!(streamed.to_string(), memory.to_string());
    assert!(
        memory
            .to_string()
            .contains("line 2 is not valid UTF-8 (byte 0xC3)"),
        "{memory}"
    );
}

#[test]
fn parquet_reads_the_same_in_memory_and_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let n: usize = 1000;
    let mut frame = df!(
        "small" => (0..n).map(|i| i as i32).collect::<Vec<_>>(),
        "unsigned" => (0..n).map(|i| i as u32).collect::<Vec<_>>(),
        "f32" => (0..n).map(|i| match i % 7 { 0 => f32::NAN, 1 => f32::INFINITY, _ => i as f32 / 2.0 }).collect::<Vec<_>>(),
        "text" => (0..n).map(|i| format!("t{}", i % 3)).collect::<Vec<_>>(),
        "flag" => (0..n).map(|i| i % 2 == 0).collect::<Vec<_>>(),
    )
    .unwrap();
    let categories = frame
        .column("text")
        .unwrap()
        .cast(&DataType::from_categories(Categories::global()))
        .unwrap();
    frame
        .with_column(categories.with_name("category".into()))
        .unwrap();
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file)
        .with_row_group_size(Some(128))
        .finish(&mut frame)
        .unwrap();

    let memory = read_table(&path, &ReadOptions::default()).unwrap();
    assert_eq!(
        memory.fingerprint,
        crate::fingerprint(&std::fs::read(&path).unwrap())
    );
    let memory = memory.frame;
    assert_eq!(
        memory.dtypes(),
        [
            DataType::Int64,
            DataType::Int64,
            DataType::Float64,
            DataType::String,
            DataType::Boolean,
            DataType::String
        ]
    );
    assert_eq!(
        memory.column("f32").unwrap().null_count(),
        n.div_ceil(7) + (n - 1).div_ceil(7)
    );
    let file = DataFile::check(&path).unwrap();
    assert!(file.is_parquet());
    assert_eq!(file.rows(), n);
    assert_eq!(
        file.header(),
        ["small", "unsigned", "f32", "text", "flag", "category"]
    );
    let schema = file.schema(&[]).unwrap();
    assert_eq!(
        schema.iter_values().cloned().collect::<Vec<_>>(),
        memory.dtypes()
    );
    assert_same(
        "t.parquet",
        "sampled",
        &file.sample(n).unwrap().frame,
        &memory,
    );
    for batch_rows in [1, 100, 333, 5000] {
        assert_same(
            "t.parquet",
            "in batches",
            &batches(&file, batch_rows, &[]),
            &memory,
        );
    }
    let sample = file.sample(100).unwrap();
    assert_eq!((sample.stride, sample.frame.height()), (10, 100));

    // Not Parquet, or no rows.
    std::fs::write(&path, "a,b\n1,2\n").unwrap();
    let err = read_table(&path, &ReadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("t.parquet: cannot be read as Parquet"),
        "{err}"
    );
    assert!(DataFile::check(&path).is_err());
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file)
        .finish(&mut frame.head(Some(0)))
        .unwrap();
    let err = read_table(&path, &ReadOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("t.parquet: the file has columns but no data rows"),
        "{err}"
    );
    let err = DataFile::check(&path).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("t.parquet: the file has columns but no data rows"),
        "{err}"
    );
}
