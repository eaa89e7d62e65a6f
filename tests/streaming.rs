//! `crisp features` in streamed batches: fitted on an evenly spread sample (`--fit-rows`) or
//! applying a model artifact's pipeline (`--model`), on adult (32,561 rows) and titanic. The
//! streamed output must be what the in-memory run gives (up to the last bits of rounding).

use std::path::Path;

use crisp_core::read_csv;
use polars::prelude::*;

use crate::util::{dataset, values, Dir};

/// Imputation, scaling, one-hot and out-of-fold target encoding of adult's columns.
const ADULT: &str = r#"
target = "income"

[[features.steps]]
kind = "impute"
dtype = "categorical"
strategy = "most_frequent"

[[features.steps]]
kind = "standard_scale"
columns = ["age", "hours-per-week", "capital-gain"]

[[features.steps]]
kind = "one_hot"
columns = ["workclass", "race"]

[[features.steps]]
kind = "target_encode"
columns = ["education", "marital-status", "occupation", "relationship", "sex", "native-country"]
"#;

/// Same column names, and the same numbers up to rounding of the last bits (Polars'
/// arithmetic may round differently when a value sits elsewhere in its buffer).
fn assert_same_numbers(got: &DataFrame, want: &DataFrame, skip: &[&str]) {
    assert_eq!(got.get_column_names(), want.get_column_names());
    assert_eq!(got.height(), want.height());
    for name in got.get_column_names() {
        if skip.contains(&name.as_str()) {
            continue;
        }
        let (a, b) = (values(got, name), values(want, name));
        for (row, (x, y)) in a.iter().zip(&b).enumerate() {
            assert!(
                x == y || (x - y).abs() <= 1e-12 * y.abs().max(1.0),
                "{name} row {row}: {x} vs {y}"
            );
        }
    }
}

#[test]
fn fitted_on_every_row_the_streamed_output_is_the_in_memory_output() {
    let dir = Dir::new();
    dir.create("adult.toml", ADULT);
    let adult = dataset("adult.csv");
    let run = |out: &str, extra: &[&str]| dir.features("adult.toml", &adult, out, extra).ok();
    let stdout = run("memory.csv", &[]);
    assert!(
        stdout.contains("fitted 4 feature steps on 32561 rows of"),
        "{stdout}"
    );
    let streamed = run(
        "streamed.csv",
        &["--fit-rows", "40000", "--batch-rows", "5000"],
    );
    assert!(
        streamed.contains("fitted 4 feature steps on 32561 rows (every row) of")
            && streamed.contains("applied them to its 32561 rows"),
        "{streamed}"
    );
    run(
        "streamed.parquet",
        &["--fit-rows", "40000", "--batch-rows", "3000"],
    );
    let memory = dir.frame("memory.csv");
    assert_same_numbers(&dir.frame("streamed.csv"), &memory, &["income"]);
    let parquet = dir.frame("streamed.parquet");
    assert_same_numbers(&parquet, &memory, &["income"]);
    assert_eq!(
        parquet.column("income").unwrap(),
        memory.column("income").unwrap()
    );
}

#[test]
fn fitted_on_a_sample_every_row_is_transformed_with_the_sample_statistics() {
    let dir = Dir::new();
    dir.create("adult.toml", ADULT);
    let adult = dataset("adult.csv");
    let stdout = dir
        .features("adult.toml", &adult, "f.csv", &["--fit-rows", "8000"])
        .ok();
    // 32,561 rows / 8,000 -> every 5th row, 6,513 rows.
    assert!(
        stdout.contains("fitted 4 feature steps on 6513 rows (every 5th row) of"),
        "{stdout}"
    );
    let out = dir.frame("f.csv");
    let raw = read_csv(&adult).unwrap().frame;
    assert_eq!(out.height(), raw.height());
    assert_eq!(out.column("income").unwrap(), raw.column("income").unwrap());
    // Scaled with the sample's mean and (population) standard deviation: over the sampled
    // rows the output has mean 0 and standard deviation 1, over all rows only about that.
    for name in ["age", "hours-per-week", "capital-gain"] {
        let v = values(&out, name);
        let sampled: Vec<f64> = v.iter().step_by(5).copied().collect();
        let n = sampled.len() as f64;
        let mean = sampled.iter().sum::<f64>() / n;
        let sd = (sampled.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!(
            mean.abs() < 1e-9 && (sd - 1.0).abs() < 1e-9,
            "{name}: {mean} {sd}"
        );
        let all_mean = v.iter().sum::<f64>() / v.len() as f64;
        assert!(
            all_mean.abs() > 1e-6 && all_mean.abs() < 0.05,
            "{name}: {all_mean}"
        );
    }
    // One-hot columns agree with the raw categories on every row, sampled or not (missing
    // workclasses were imputed with the most frequent one, Private).
    assert!(stdout.contains("workclass: fill 'Private'"), "{stdout}");
    let workclass = raw.column("workclass").unwrap().str().unwrap().clone();
    assert!(workclass.null_count() > 0);
    let private = values(&out, "workclass=Private");
    for (row, w) in workclass.iter().enumerate() {
        let expected = matches!(w, Some("Private") | None);
        assert_eq!(private[row] == 1.0, expected, "row {row}: {w:?}");
    }
}

#[test]
fn an_artifact_pipeline_is_applied_to_new_rows() {
    let dir = Dir::new();
    dir.create(
        "titanic.toml",
        r#"
target = "Survived"

[model]
name = "gbdt"
params = { n_rounds = 20 }

[[features.steps]]
kind = "drop"
columns = ["PassengerId", "Name", "Ticket", "Cabin", "boat", "body", "home.dest"]

[[features.steps]]
kind = "impute"
columns = ["Age", "Embarked"]
strategy = "most_frequent"

[[features.steps]]
kind = "one_hot"
columns = ["Sex", "Embarked"]
"#,
    );
    let titanic = dataset("titanic.csv");
    let data = titanic.to_str().unwrap();
    dir.crisp([
        "train",
        "--config",
        "titanic.toml",
        "--data",
        data,
        "--out",
        "model.crisp",
    ])
    .ok();
    let stdout = dir
        .crisp([
            "features",
            "--model",
            "model.crisp",
            "--data",
            data,
            "--out",
            "f.parquet",
            "--batch-rows",
            "100",
        ])
        .ok();
    assert!(
        stdout.contains("applied the 3 feature steps of model.crisp to 891 rows of"),
        "{stdout}"
    );
    let artifact = crisp_artifact::Artifact::read(&dir.path("model.crisp")).unwrap();
    let raw = read_csv(&titanic).unwrap().frame;
    let mut want = artifact.model.pipeline.transform(&raw, "titanic").unwrap();
    // The file has the model's target: it is carried through.
    want.with_column(raw.column("Survived").unwrap().clone())
        .unwrap();
    assert_same_numbers(&dir.frame("f.parquet"), &want, &[]);

    // New rows without the target column: features only.
    let unlabeled = raw.drop("Survived").unwrap();
    let mut file = std::fs::File::create(dir.path("new.csv")).unwrap();
    CsvWriter::new(&mut file)
        .finish(&mut unlabeled.clone())
        .unwrap();
    dir.crisp([
        "features",
        "--model",
        "model.crisp",
        "--data",
        "new.csv",
        "--out",
        "n.csv",
    ])
    .ok();
    let got = dir.frame("n.csv");
    assert_eq!(got.width(), artifact.model.pipeline.features.len());
}

#[test]
fn streamed_errors_name_the_file_the_row_and_the_column() {
    let dir = Dir::new();
    dir.create("adult.toml", ADULT);
    let text = std::fs::read_to_string(dataset("adult.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Data row 30,000 (line 30,001) loses a field.
    let mut ragged = lines.clone();
    let short = lines[30_000].rsplit_once(',').unwrap().0.to_string();
    ragged[30_000] = &short;
    dir.create("ragged.csv", ragged.join("\n"));
    let run = |data: &Path, extra: &[&str]| dir.features("adult.toml", data, "o.csv", extra);
    run(Path::new("ragged.csv"), &["--fit-rows", "1000"])
        .error(&["ragged.csv: line 30001 has 14 fields but the header has 15"]);
    assert!(!dir.path("o.csv").exists(), "no output on error");

    // A category never seen in training at data row 30,000, refused when configured so.
    let strict = ADULT.replace(
        "columns = [\"workclass\", \"race\"]",
        "columns = [\"workclass\", \"race\"]\nhandle_unknown = \"error\"",
    );
    dir.create("strict.toml", strict);
    let mut unseen = lines.clone();
    let changed = lines[30_000].replacen(",Private,", ",Astronaut,", 1);
    assert_ne!(changed, lines[30_000]);
    unseen[30_000] = &changed;
    dir.create("unseen.csv", unseen.join("\n"));
    dir.features(
        "strict.toml",
        "unseen.csv",
        "o.csv",
        &["--fit-rows", "10000", "--batch-rows", "4096"],
    )
    .error(&[
        "unseen.csv",
        "column 'workclass' has category 'Astronaut' on data row 30000 ",
    ]);
    assert!(!dir.path("o.csv").exists(), "no output on error");

    run(&dataset("adult.csv"), &["--fit-rows", "0"]).error(&["--fit-rows must be at least 1"]);
    run(
        &dataset("adult.csv"),
        &["--fit-rows", "10", "--batch-rows", "0"],
    )
    .error(&["--batch-rows must be at least 1"]);
    dir.create(
        "labeled.toml",
        format!("{ADULT}\n[label]\nrule = \"CASE WHEN age > 40 THEN 'old' ELSE 'young' END\"\ntarget = \"band\"\n")
            .replace("target = \"income\"\n", ""),
    );
    dir.features(
        "labeled.toml",
        dataset("adult.csv"),
        "o.csv",
        &["--fit-rows", "100"],
    )
    .error(&["[label] needs the whole file in memory"]);
    dir.crisp([
        "features",
        "--config",
        "adult.toml",
        "--model",
        "m.crisp",
        "--data",
        "x.csv",
        "--out",
        "o.csv",
    ])
    .code(2);
}

#[test]
fn a_label_section_makes_the_target_before_the_features() {
    let dir = Dir::new();
    dir.create(
        "wine.toml",
        r#"
[label]
rule = "CASE WHEN quality >= 7 THEN 'good' ELSE 'ordinary' END"
target = "grade"

[[features.steps]]
kind = "drop"
columns = ["quality"]

[[features.steps]]
kind = "standard_scale"
columns = ["alcohol"]
"#,
    );
    let wine = dataset("wine_quality_red.csv");
    let stdout = dir.features("wine.toml", &wine, "w.csv", &[]).ok();
    assert!(stdout.contains("+ target 'grade'"), "{stdout}");
    let out = dir.frame("w.csv");
    let raw = read_csv(&wine).unwrap().frame;
    assert!(out.column("quality").is_err());
    let quality = values(&raw, "quality");
    let grade = out.column("grade").unwrap().str().unwrap().clone();
    for (q, g) in quality.iter().zip(grade.iter()) {
        assert_eq!(g, Some(if *q >= 7.0 { "good" } else { "ordinary" }));
    }
}

#[test]
fn predictions_in_streamed_batches_equal_the_in_memory_ones() {
    let dir = Dir::new();
    let titanic = dataset("titanic.csv");
    let data = titanic.to_str().unwrap();
    dir.train(
        data,
        "Survived",
        &["--out", "model.crisp", "--param", "n_rounds=30"],
    )
    .ok();
    let predict = |out: &str, batch: Option<&str>| {
        let mut args = vec![
            "predict",
            "--model",
            "model.crisp",
            "--data",
            data,
            "--proba",
            "--keep-columns",
        ];
        if !out.is_empty() {
            args.extend(["--out", out]);
        }
        if let Some(b) = batch {
            args.extend(["--batch-rows", b]);
        }
        dir.crisp(args)
    };
    predict("memory.csv", None).code(0);
    let run = predict("batches.csv", Some("100")).code(0);
    assert!(
        run.stderr().contains("predicted 891 rows in batches"),
        "{}",
        run.stderr()
    );
    let (memory, batches) = (dir.frame("memory.csv"), dir.frame("batches.csv"));
    assert_eq!(memory.get_column_names(), batches.get_column_names());
    assert_eq!(batches.height(), 891);
    assert_eq!(
        memory.column("prediction").unwrap(),
        batches.column("prediction").unwrap()
    );
    assert_eq!(
        memory.column("Name").unwrap(),
        batches.column("Name").unwrap()
    );
    assert_same_numbers(
        &memory.select(["proba_0", "proba_1"]).unwrap(),
        &batches.select(["proba_0", "proba_1"]).unwrap(),
        &[],
    );
    // To stdout, one header and every row.
    let stdout = predict("", Some("64")).ok();
    assert_eq!(stdout.lines().count(), 892);
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("PassengerId,"))
            .count(),
        1
    );

    // Text in a column that was numeric in training, far into the file.
    let text = std::fs::read_to_string(&titanic).unwrap();
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 700 {
                l.replacen(",3,", ",third,", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(lines[700].contains(",third,"));
    dir.create("bad.csv", lines.join("\n"));
    dir.crisp([
        "predict",
        "--model",
        "model.crisp",
        "--data",
        "bad.csv",
        "--out",
        "p.csv",
        "--batch-rows",
        "128",
    ])
    .error(&["bad.csv", "third", "'Pclass'", "(in data rows 641-768)"]);
    assert!(!dir.path("p.csv").exists(), "no output on error");

    // A column the model reads is missing: refused before any batch, for both commands.
    let raw = read_csv(&titanic).unwrap().frame;
    let mut no_sex = raw.drop("Sex").unwrap();
    let mut file = std::fs::File::create(dir.path("no_sex.csv")).unwrap();
    CsvWriter::new(&mut file).finish(&mut no_sex).unwrap();
    for command in [
        vec![
            "predict",
            "--model",
            "model.crisp",
            "--data",
            "no_sex.csv",
            "--batch-rows",
            "100",
        ],
        vec![
            "features",
            "--model",
            "model.crisp",
            "--data",
            "no_sex.csv",
            "--out",
            "f.csv",
        ],
    ] {
        dir.crisp(command).error(&[
            "no_sex.csv: column 'Sex' (text in training) is missing; the data has: PassengerId",
        ]);
    }
    assert!(!dir.path("f.csv").exists());
}
