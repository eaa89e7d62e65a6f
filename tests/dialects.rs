//! Data as people have it, through the binary: CSV with a byte-order mark, Windows line ends,
//! tabs or semicolons, quoted header names with doubled quotes, Latin-1 text, Parquet files,
//! and numbers written `nan`, `inf` or `181.0`. Each variant of a bundled dataset must give
//! what the plain CSV gives (same metrics, same predictions, same features), in memory and in
//! streamed batches.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::util::{dataset, metric, Dir};

/// A CSV file as (header, rows), read with plain string handling (the bundled files used here
/// have no quoted fields).
fn plain(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(dataset(name)).unwrap();
    let mut lines = text.lines().filter(|l| !l.is_empty());
    let split = |l: &str| l.split(',').map(String::from).collect::<Vec<_>>();
    let header = split(lines.next().unwrap());
    let rows: Vec<Vec<String>> = lines.map(split).collect();
    assert!(
        rows.iter().all(|r| r.len() == header.len()),
        "{name} has quoted fields"
    );
    (header, rows)
}

/// Header and rows as text: fields joined by `separator`, lines ended by `eol`.
fn render(header: &[String], rows: &[Vec<String>], separator: &str, eol: &str) -> String {
    let mut text = header.join(separator);
    text.push_str(eol);
    for row in rows {
        text.push_str(&row.join(separator));
        text.push_str(eol);
    }
    text
}

/// Two texts line by line (the first difference is shown).
fn same_lines(got: &str, want: &str) {
    for (i, (a, b)) in got.lines().zip(want.lines()).enumerate() {
        assert_eq!(a, b, "line {}", i + 1);
    }
    assert_eq!(got.lines().count(), want.lines().count());
}

/// `frame` written as Parquet (row groups of 100 rows, so that batches cross them).
fn write_parquet(dir: &Dir, name: &str, frame: &mut DataFrame) -> PathBuf {
    let path = dir.path(name);
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file)
        .with_row_group_size(Some(100))
        .finish(frame)
        .unwrap();
    path
}

/// A CSV file of the directory (or a path) rewritten as Parquet, with the types crisp reads.
fn parquet_of(dir: &Dir, csv: &Path, name: &str) -> PathBuf {
    let mut frame = crisp_core::read_csv(csv).unwrap().frame;
    write_parquet(dir, name, &mut frame)
}

/// Train on `data` (with `more` flags) with a fixed seed; the report.
fn train_report(
    dir: &Dir,
    data: impl AsRef<std::ffi::OsStr>,
    name: &str,
    more: &[&str],
) -> serde_json::Value {
    let report = format!("{name}.json");
    let out = format!("{name}.crisp");
    let mut args = vec!["--seed", "7", "--report", &report, "--out", &out];
    args.extend_from_slice(more);
    dir.train(data, "species", &args).ok();
    dir.json(&report)
}

/// The parts of a train report that depend on the data's values, not on its file.
fn learned(report: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "metrics": report["metrics"],
        "features": report["features"],
        "rows_train": report["rows_train"],
        "rows_test": report["rows_test"],
        "task": report["task"],
    })
}

#[test]
fn bom_crlf_tab_and_semicolon_files_train_as_the_plain_file_does() {
    let dir = Dir::new();
    let (header, rows) = plain("penguins.csv");
    let want = learned(&train_report(&dir, dataset("penguins.csv"), "plain", &[]));
    assert!(metric(&want, "accuracy") > 0.9, "{want:#}");
    let excel = format!("\u{feff}{}", render(&header, &rows, ",", "\r\n"));
    dir.create("excel.csv", excel);
    dir.create("tabs.tsv", render(&header, &rows, "\t", "\n"));
    dir.create("tabs.txt", render(&header, &rows, "\t", "\r\n"));
    dir.create("semicolons.csv", render(&header, &rows, ";", "\n"));
    for (file, more) in [
        ("excel.csv", &[][..]),
        ("tabs.tsv", &[][..]),
        ("tabs.txt", &["--separator", "\t"][..]),
        ("tabs.txt", &["--separator", "tab"][..]),
        ("semicolons.csv", &["--separator", ";"][..]),
    ] {
        let got = learned(&train_report(&dir, file, "variant", more));
        assert_eq!(got, want, "{file} {more:?}");
    }
    // Without the separator, a semicolon file is one column: the error shows it.
    dir.train("semicolons.csv", "species", &[]).error(&[
        "no column named 'species'",
        "the columns are: species;island;",
    ]);
}

#[test]
fn streamed_prediction_reads_a_bom_and_a_quoted_header_as_in_memory() {
    let dir = Dir::new();
    let (mut header, rows) = plain("penguins.csv");
    train_report(&dir, dataset("penguins.csv"), "plain", &[]);
    let predict = |model: &str, data: &str, more: &[&str]| {
        let mut args = vec!["predict", "--model", model, "--data", data];
        args.extend_from_slice(more);
        dir.crisp(args).ok()
    };
    let plain_csv = dataset("penguins.csv");
    let want = predict("plain.crisp", plain_csv.to_str().unwrap(), &[]);
    assert_eq!(want.lines().count(), rows.len() + 1);

    // Excel's "CSV UTF-8": a byte-order mark and Windows line ends.
    dir.create(
        "excel.csv",
        format!("\u{feff}{}", render(&header, &rows, ",", "\r\n")),
    );
    assert_eq!(predict("plain.crisp", "excel.csv", &[]), want);
    assert_eq!(
        predict("plain.crisp", "excel.csv", &["--batch-rows", "64"]),
        want
    );

    // Header names with doubled quotes and a comma, in a model trained on them.
    header[2] = "\"bill \"\"length\"\" (mm)\"".into();
    header[4] = "\"flipper, mm\"".into();
    dir.create(
        "quoted.csv",
        format!("\u{feff}{}", render(&header, &rows, ",", "\r\n")),
    );
    train_report(&dir, "quoted.csv", "quoted", &[]);
    let inspect = dir.crisp(["inspect", "quoted.crisp", "--json"]).ok();
    let inspect: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    let names: Vec<&str> = inspect["input_schema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"bill \"length\" (mm)") && names.contains(&"flipper, mm"),
        "{names:?}"
    );
    let in_memory = predict("quoted.crisp", "quoted.csv", &["--keep-columns"]);
    assert!(
        in_memory.starts_with("species,island,\"bill \"\"length\"\" (mm)\""),
        "{in_memory}"
    );
    for batch_rows in ["64", "100"] {
        let streamed = predict(
            "quoted.crisp",
            "quoted.csv",
            &["--keep-columns", "--batch-rows", batch_rows],
        );
        assert_eq!(streamed, in_memory, "--batch-rows {batch_rows}");
    }
}

#[test]
fn latin1_is_an_error_naming_the_line_unless_the_encoding_is_given() {
    let dir = Dir::new();
    let (header, rows) = plain("penguins.csv");
    // "Dream" becomes "Dréam", written in Latin-1 (é is the byte 0xE9).
    let text = render(&header, &rows, ",", "\n").replace("Dream", "Dr\u{e9}am");
    let latin1: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    dir.create("latin1.csv", &latin1);
    let first_dream = rows.iter().position(|r| r[1] == "Dream").unwrap();
    let line = first_dream + 2;
    let message = format!(
        "latin1.csv: line {line} is not valid UTF-8 (byte 0xE9); if the file is Latin-1, give --encoding latin1"
    );
    dir.train("latin1.csv", "species", &[]).error(&[&message]);

    let want = learned(&train_report(&dir, dataset("penguins.csv"), "plain", &[]));
    let got = learned(&train_report(
        &dir,
        "latin1.csv",
        "latin1",
        &["--encoding", "latin1"],
    ));
    assert_eq!(got, want, "the same data in another encoding");
    // ISO-8859-1 is Latin-1; Windows-1252 agrees with it on 0xE9.
    for name in ["ISO-8859-1", "cp1252"] {
        let got = learned(&train_report(
            &dir,
            "latin1.csv",
            "other",
            &["--encoding", name],
        ));
        assert_eq!(got, want, "{name}");
    }

    // Predictions carry the text as UTF-8, in memory and streamed.
    let predict = |more: &[&str]| {
        let mut args = vec!["predict", "--model", "latin1.crisp", "--data", "latin1.csv"];
        args.extend_from_slice(more);
        dir.crisp(args)
    };
    predict(&["--batch-rows", "64"]).error(&[&message]);
    let in_memory = predict(&["--encoding", "latin1", "--keep-columns"]).ok();
    assert!(in_memory.contains(",Dr\u{e9}am,"), "{in_memory}");
    let streamed = predict(&[
        "--encoding",
        "latin1",
        "--keep-columns",
        "--batch-rows",
        "64",
    ])
    .ok();
    assert_eq!(streamed, in_memory);
}

#[test]
fn bad_read_flags_name_the_flag() {
    let dir = Dir::new();
    let data = dataset("iris.csv");
    let data = data.to_str().unwrap();
    dir.train(data, "species", &["--separator", "\u{a7}"])
        .error(&["--separator '\u{a7}': give one ASCII character"]);
    dir.train(data, "species", &["--separator", ";;"])
        .error(&["--separator ';;': give one ASCII character"]);
    dir.train(data, "species", &["--quote", "ab"])
        .error(&["--quote 'ab': give one ASCII character"]);
    dir.train(data, "species", &["--separator", ";", "--quote", ";"])
        .error(&["--separator and --quote are both ';'"]);
    dir.train(data, "species", &["--encoding", "ebcdic"])
        .error(&["--encoding: unknown encoding 'ebcdic'", "latin1"]);
    dir.crisp([
        "label",
        "--data",
        data,
        "--rule",
        "1",
        "--out",
        "o.csv",
        "--encoding",
        "utf-16",
    ])
    .error(&["--encoding: unknown encoding 'utf-16'"]);
}

#[test]
fn parquet_trains_predicts_and_validates_as_csv_does() {
    let dir = Dir::new();
    let (header, rows) = plain("penguins.csv");
    let parquet = parquet_of(&dir, &dataset("penguins.csv"), "penguins.parquet");
    let want = learned(&train_report(&dir, dataset("penguins.csv"), "csv", &[]));
    let report = train_report(&dir, &parquet, "parquet", &[]);
    assert_eq!(learned(&report), want);
    let bytes = std::fs::read(&parquet).unwrap();
    assert_eq!(
        report["data"]["fingerprint"],
        crisp_core::fingerprint(&bytes)
    );
    assert_eq!(report["data"]["rows"], rows.len());

    // --test-data: every 4th row tests, the others train, as CSV or as Parquet (`.pq`).
    let part = |test: bool| -> Vec<Vec<String>> {
        rows.iter()
            .enumerate()
            .filter(|(i, _)| (i % 4 == 0) == test)
            .map(|(_, r)| r.clone())
            .collect()
    };
    dir.create("train.csv", render(&header, &part(false), ",", "\n"));
    dir.create("test.csv", render(&header, &part(true), ",", "\n"));
    parquet_of(&dir, &dir.path("train.csv"), "train.parquet");
    parquet_of(&dir, &dir.path("test.csv"), "test.pq");
    let want = learned(&train_report(
        &dir,
        "train.csv",
        "split_csv",
        &["--test-data", "test.csv"],
    ));
    let got = learned(&train_report(
        &dir,
        "train.parquet",
        "split",
        &["--test-data", "test.pq"],
    ));
    assert_eq!(got, want);

    // predict: in memory and in batches that cross the row groups.
    let predict = |data: &Path, more: &[&str]| {
        let mut args = vec![
            "predict",
            "--model",
            "csv.crisp",
            "--data",
            data.to_str().unwrap(),
        ];
        args.extend_from_slice(more);
        dir.crisp(args).ok()
    };
    let csv = dataset("penguins.csv");
    let want = predict(&csv, &["--keep-columns", "--proba"]);
    assert_eq!(want.lines().count(), rows.len() + 1);
    assert_eq!(predict(&parquet, &["--keep-columns", "--proba"]), want);
    for batch_rows in ["1", "64", "150", "1000"] {
        let got = predict(
            &parquet,
            &["--keep-columns", "--proba", "--batch-rows", batch_rows],
        );
        assert_eq!(got, want, "--batch-rows {batch_rows}");
    }

    // validate: the same metrics and verdict, the Parquet file's fingerprint.
    let validate = |data: &str, report: &str| {
        dir.crisp([
            "validate",
            "--model",
            "split.crisp",
            "--data",
            data,
            "--threshold",
            "accuracy>=0.9",
            "--report",
            report,
        ])
        .ok();
        dir.json(report)
    };
    let want = validate("test.csv", "v_csv.json");
    let got = validate("test.pq", "v_pq.json");
    assert_eq!(got["metrics"], want["metrics"]);
    assert_eq!(got["passed"], true);
    assert_eq!(
        got["data_fingerprint"],
        crisp_core::fingerprint(&std::fs::read(dir.path("test.pq")).unwrap())
    );
    assert!(metric(&got, "accuracy") >= 0.9, "{got:#}");

    // A file named .parquet that is not Parquet.
    dir.create("fake.parquet", "species,island\nAdelie,Dream\n");
    dir.train("fake.parquet", "species", &[])
        .error(&["fake.parquet: cannot be read as Parquet"]);
    dir.crisp([
        "predict",
        "--model",
        "csv.crisp",
        "--data",
        "fake.parquet",
        "--batch-rows",
        "64",
    ])
    .error(&["fake.parquet: cannot be read as Parquet"]);
}

#[test]
fn parquet_labels_and_label_files() {
    let dir = Dir::new();
    let (header, rows) = plain("penguins.csv");
    let species = header.iter().position(|h| h == "species").unwrap();
    // Features with a row id, and the species keyed by it (in reverse order, every 10th left
    // out): CSV and Parquet copies of each.
    let mut features_header = vec!["row_id".to_string()];
    features_header.extend(header.iter().filter(|h| *h != "species").cloned());
    let features: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![(i + 1).to_string()];
            row.extend(
                r.iter()
                    .enumerate()
                    .filter(|(j, _)| *j != species)
                    .map(|(_, v)| v.clone()),
            );
            row
        })
        .collect();
    let labels: Vec<Vec<String>> = (1..=rows.len())
        .rev()
        .filter(|i| i % 10 != 0)
        .map(|i| vec![i.to_string(), rows[i - 1][species].clone()])
        .collect();
    let label_header = vec!["row_id".to_string(), "species".to_string()];
    dir.create(
        "features.csv",
        render(&features_header, &features, ",", "\n"),
    );
    dir.create("labels.csv", render(&label_header, &labels, ",", "\n"));
    parquet_of(&dir, &dir.path("features.csv"), "features.parquet");
    parquet_of(&dir, &dir.path("labels.csv"), "labels.parquet");

    let label = |data: &str, more: &[&str], out: &str| {
        let report = format!("{out}.json");
        let mut args = vec!["label", "--data", data, "--out", out, "--report", &report];
        args.extend_from_slice(more);
        dir.crisp(args).ok();
        (dir.read(out), dir.json(&report))
    };
    // A join with a Parquet label file, on Parquet data.
    let join = [
        "--join",
        "labels.csv",
        "--key",
        "row_id",
        "--target",
        "species",
    ];
    let (want, want_report) = label("features.csv", &join, "join_csv.csv");
    let join = [
        "--join",
        "labels.parquet",
        "--key",
        "row_id",
        "--target",
        "species",
    ];
    let (got, got_report) = label("features.parquet", &join, "join_pq.csv");
    assert_eq!(got, want);
    assert_eq!(
        got_report["join"]["matched_rows"],
        want_report["join"]["matched_rows"]
    );
    assert_eq!(got_report["join"]["matched_rows"], labels.len());

    // A rule checked against Parquet gold labels.
    let rule = "CASE WHEN flipper_length_mm > 205 THEN 'Gentoo' WHEN bill_length_mm > 44 THEN 'Chinstrap' ELSE 'Adelie' END";
    let gold = |file: &'static str| {
        [
            "--rule",
            rule,
            "--target",
            "guess",
            "--gold",
            file,
            "--gold-column",
            "species",
            "--key",
            "row_id",
        ]
    };
    let (want, want_report) = label("features.csv", &gold("labels.csv"), "rule_csv.csv");
    let (got, got_report) = label("features.parquet", &gold("labels.parquet"), "rule_pq.csv");
    same_lines(&got, &want);
    for key in ["accuracy", "gold_rows", "labeled_gold_rows", "matched_by"] {
        assert_eq!(got_report["gold"][key], want_report["gold"][key], "{key}");
    }
    assert_eq!(got_report["gold"]["file"], "labels.parquet");
    let accuracy = got_report["gold"]["accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.8, "{got_report:#}");
}

const PENGUIN_FEATURES: &str = r#"
target = "species"

[[features.steps]]
kind = "impute"
dtype = "numeric"
strategy = "median"

[[features.steps]]
kind = "standard_scale"
dtype = "numeric"

[[features.steps]]
kind = "one_hot"
columns = ["island"]

[[features.steps]]
kind = "target_encode"
columns = ["sex"]
"#;

#[test]
fn parquet_features_in_memory_sampled_and_by_model() {
    let dir = Dir::new();
    dir.create("p.toml", PENGUIN_FEATURES);
    let csv = dataset("penguins.csv");
    let parquet = parquet_of(&dir, &csv, "penguins.parquet");
    for (more, name) in [
        (&[][..], "memory"),
        (&["--fit-rows", "100", "--batch-rows", "64"][..], "sampled"),
    ] {
        dir.features("p.toml", &csv, &format!("{name}_csv.csv"), more)
            .ok();
        dir.features("p.toml", &parquet, &format!("{name}_pq.csv"), more)
            .ok();
        let want = dir.read(&format!("{name}_csv.csv"));
        assert_eq!(dir.read(&format!("{name}_pq.csv")), want, "{name}");
        assert_eq!(want.lines().count(), 345, "{name}");
    }
    train_report(&dir, &csv, "m", &["--config", "p.toml"]);
    for (data, out) in [(&csv, "model_csv.parquet"), (&parquet, "model_pq.parquet")] {
        dir.crisp([
            "features",
            "--model",
            "m.crisp",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out,
            "--batch-rows",
            "64",
        ])
        .ok();
    }
    let want = dir.frame("model_csv.parquet");
    assert_eq!(want.height(), 344);
    assert!(dir.frame("model_pq.parquet").equals_missing(&want));
    // bench features reads Parquet too.
    let bench = dir
        .crisp([
            "bench",
            "features",
            "--config",
            "p.toml",
            "--data",
            parquet.to_str().unwrap(),
            "--repeat",
            "1",
            "--json",
        ])
        .ok();
    let bench: serde_json::Value = serde_json::from_str(&bench).unwrap();
    assert_eq!(bench["rows"], 344);
}

/// diabetes.csv with some `bmi` values written as people write non-finite numbers, and the
/// target written `nan`, `NaN` or `inf` on four rows; returns those rows' count.
fn diabetes_with_special_numbers(dir: &Dir) -> usize {
    let (header, mut rows) = plain("diabetes.csv");
    let bmi = header.iter().position(|h| h == "bmi").unwrap();
    let target = header.iter().position(|h| h == "target").unwrap();
    let spellings = [
        "inf",
        "NaN",
        "nan",
        "-inf",
        "1e400",
        "Infinity",
        "-Infinity",
        "NAN",
    ];
    for (k, spelling) in spellings.iter().enumerate() {
        rows[10 + 37 * k][bmi] = spelling.to_string();
    }
    let missing_targets = [(5, "nan"), (100, "NaN"), (200, "inf"), (300, "nan")];
    for (r, spelling) in missing_targets {
        rows[r][target] = spelling.into();
    }
    dir.create("diabetes.csv", render(&header, &rows, ",", "\n"));
    missing_targets.len()
}

#[test]
fn nan_and_inf_are_numbers_a_float_feature_stays_and_a_target_stays_numeric() {
    let dir = Dir::new();
    let missing = diabetes_with_special_numbers(&dir);
    dir.train(
        "diabetes.csv",
        "target",
        &["--seed", "7", "--report", "r.json", "--out", "d.crisp"],
    )
    .ok();
    let report = dir.json("r.json");
    assert_eq!(report["task"], "regression", "{report:#}");
    assert_eq!(report["rows_dropped_missing_target"], missing);
    assert_eq!(
        report["rows_train_evaluated"].as_u64().unwrap() + report["rows_test"].as_u64().unwrap(),
        442 - missing as u64
    );
    assert_eq!(
        report["rows_train"],
        442 - missing as u64,
        "refit on every labeled row"
    );
    let features: Vec<&str> = report["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(features.contains(&"bmi"), "bmi is a feature: {features:?}");
    assert!(report["ignored_columns"]
        .as_array()
        .is_none_or(|c| !c.contains(&"bmi".into())));
    let header = crisp_core::read_csv(&dir.path("diabetes.csv"))
        .unwrap()
        .frame;
    assert_eq!(header.column("bmi").unwrap().dtype(), &DataType::Float64);
    let inspect: serde_json::Value =
        serde_json::from_str(&dir.crisp(["inspect", "d.crisp", "--json"]).ok()).unwrap();
    let bmi = inspect["input_schema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "bmi")
        .cloned()
        .unwrap();
    assert_eq!(bmi["kind"], "Float", "{bmi}");
    assert!(metric(&report, "r2") > 0.1, "{report:#}");
    // A linear model too: the infinities are missing values (imputed), not numbers that would
    // make its coefficients NaN.
    dir.train(
        "diabetes.csv",
        "target",
        &[
            "--model",
            "linear_regression",
            "--report",
            "lr.json",
            "--out",
            "lr.crisp",
        ],
    )
    .ok();
    let linear = dir.json("lr.json");
    assert_eq!(linear["rows_dropped_missing_target"], missing);
    assert!(metric(&linear, "r2") > 0.3, "{linear:#}");

    // The same numbers at prediction, in memory and streamed.
    let predict = |more: &[&str]| {
        let mut args = vec!["predict", "--model", "d.crisp", "--data", "diabetes.csv"];
        args.extend_from_slice(more);
        dir.crisp(args).ok()
    };
    let in_memory = predict(&[]);
    assert_eq!(in_memory.lines().count(), 443);
    assert_eq!(predict(&["--batch-rows", "64"]), in_memory);
}

#[test]
fn an_integer_column_written_with_a_decimal_point_is_read_in_batches() {
    let dir = Dir::new();
    let (header, mut rows) = plain("penguins.csv");
    train_report(&dir, dataset("penguins.csv"), "plain", &[]);
    let csv = dataset("penguins.csv");
    let want = dir
        .crisp([
            "predict",
            "--model",
            "plain.crisp",
            "--data",
            csv.to_str().unwrap(),
        ])
        .ok();
    // pandas writes an integer column with gaps as floats: 181.0. From row 200 on only, so
    // that the first batches are integers and a later one is not.
    let flipper = header
        .iter()
        .position(|h| h == "flipper_length_mm")
        .unwrap();
    for row in rows.iter_mut().skip(200) {
        if !row[flipper].is_empty() {
            row[flipper].push_str(".0");
        }
    }
    assert_eq!(
        rows[200][flipper].split_once('.').map(|(_, f)| f),
        Some("0")
    );
    dir.create("floats.csv", render(&header, &rows, ",", "\n"));
    for more in [
        &[][..],
        &["--batch-rows", "64"][..],
        &["--batch-rows", "1000"][..],
    ] {
        let mut args = vec!["predict", "--model", "plain.crisp", "--data", "floats.csv"];
        args.extend_from_slice(more);
        assert_eq!(dir.crisp(args).ok(), want, "{more:?}");
    }
    // Text there is still an error naming the value.
    rows[300][flipper] = "long".into();
    dir.create("text.csv", render(&header, &rows, ",", "\n"));
    dir.crisp([
        "predict",
        "--model",
        "plain.crisp",
        "--data",
        "text.csv",
        "--batch-rows",
        "64",
    ])
    .error(&["text.csv", "long"]);
}
