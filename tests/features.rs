//! `crisp features` and `crisp bench features` on the bundled datasets: the pipeline TOML form of
//! every new step kind, output values checked against the source CSV (or scikit-learn 1.9.1 on
//! the same file), one error per kind of bad input, and the bench's JSON keys.

use std::collections::HashMap;
use std::path::Path;

use crisp_core::read_csv;
use polars::prelude::*;

use crate::util::{dataset, values, Dir};

fn names(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn text_column(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    frame
        .column(name)
        .unwrap()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn features(dir: &Dir, config: &str, data: &Path, out: &str) -> (String, DataFrame) {
    dir.create("pipeline.toml", config);
    let stdout = dir.features("pipeline.toml", data, out, &[]).ok();
    (stdout, dir.frame(out))
}

#[test]
fn seattle_weather_date_parts_from_text() {
    let dir = Dir::new();
    let (stdout, out) = features(
        &dir,
        r#"
target = "weather"

[[features.steps]]
kind = "date_parts"
columns = ["date"]
format = "%Y/%m/%d"
"#,
        &dataset("seattle_weather.csv"),
        "weather.csv",
    );
    assert!(
        stdout.contains("date (text '%Y/%m/%d'): year, month, day, day_of_week, day_of_year"),
        "{stdout}"
    );
    let raw = read_csv(&dataset("seattle_weather.csv")).unwrap().frame;
    assert_eq!(out.height(), raw.height());
    assert_eq!(
        names(&out),
        [
            "precipitation",
            "temp_max",
            "temp_min",
            "wind",
            "date_year",
            "date_month",
            "date_day",
            "date_day_of_week",
            "date_day_of_year",
            "weather"
        ]
    );
    let row = |i: usize| -> Vec<f64> {
        [
            "date_year",
            "date_month",
            "date_day",
            "date_day_of_week",
            "date_day_of_year",
        ]
        .iter()
        .map(|c| values(&out, c)[i])
        .collect()
    };
    // 2012/01/01 was a Sunday (ISO 7); 2015/12/31 a Thursday, day 365.
    assert_eq!(text_column(&raw, "date")[0].as_deref(), Some("2012/01/01"));
    assert_eq!(row(0), [2012.0, 1.0, 1.0, 7.0, 1.0]);
    let last = raw.height() - 1;
    assert_eq!(
        text_column(&raw, "date")[last].as_deref(),
        Some("2015/12/31")
    );
    assert_eq!(row(last), [2015.0, 12.0, 31.0, 4.0, 365.0]);
    // 2012 is a leap year: 2012/12/31 is day 366.
    let dates = text_column(&raw, "date");
    let i = dates
        .iter()
        .position(|d| d.as_deref() == Some("2012/12/31"))
        .unwrap();
    assert_eq!(values(&out, "date_day_of_year")[i], 366.0);
    assert_eq!(
        text_column(&out, "weather"),
        text_column(&raw, "weather"),
        "target unchanged"
    );
}

#[test]
fn diamonds_ordinal_polynomial_and_power_to_parquet() {
    let dir = Dir::new();
    let (stdout, out) = features(
        &dir,
        r#"
target = "price"

[[features.steps]]
kind = "ordinal"
columns = ["cut"]
order = { cut = ["Fair", "Good", "Very Good", "Premium", "Ideal"] }

[[features.steps]]
kind = "drop"
columns = ["color", "clarity", "z"]

[[features.steps]]
kind = "polynomial"
columns = ["x", "y"]
degree = 2

[[features.steps]]
kind = "power"
columns = ["carat"]
method = "box_cox"

[[features.steps]]
kind = "power"
columns = ["table"]
method = "yeo_johnson"
"#,
        &dataset("diamonds.csv"),
        "diamonds.parquet",
    );
    let raw = read_csv(&dataset("diamonds.csv")).unwrap().frame;
    assert_eq!(out.height(), raw.height());
    assert_eq!(
        names(&out),
        ["carat", "cut", "depth", "table", "x", "y", "x^2", "x*y", "y^2", "price"]
    );
    // Row 1: 0.23 carat, Ideal (code 4 of the declared order), x = 3.95, y = 3.98.
    assert_eq!(values(&out, "cut")[..3], [4.0, 3.0, 1.0]);
    assert!((values(&out, "x*y")[0] - 3.95 * 3.98).abs() < 1e-12);
    assert!((values(&out, "x^2")[0] - 3.95 * 3.95).abs() < 1e-12);
    // PowerTransformer(method="box-cox").fit(d[["carat"]]): lambdas_ [-0.09490335433448074],
    //   transform(...)[:3] -> [-1.9094733439364793, -2.0827066605171325, -1.9094733439364793]
    // PowerTransformer(method="yeo-johnson").fit(d[["table"]]): lambdas_ [-4.2245887937496205],
    //   transform(...)[:3] -> [-1.1733796854673042, 1.5071860992000836, 2.665350834579925]
    let lambda = |name: &str| -> f64 {
        let start = stdout.find(&format!("{name}: lambda=")).unwrap() + name.len() + 9;
        stdout[start..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    // The likelihood is flat at the optimum: lambdas agree to about 1e-5 (see `table` below).
    assert!(
        (lambda("carat") + 0.09490335433448074).abs() < 1e-5,
        "{stdout}"
    );
    assert!(
        (lambda("table") + 4.2245887937496205).abs() < 1e-4,
        "{stdout}"
    );
    let close = |got: &[f64], want: &[f64]| {
        got.iter()
            .zip(want)
            .all(|(g, w)| (g - w).abs() < 1e-6 * (1.0 + w.abs()))
    };
    let carat = values(&out, "carat");
    assert!(
        close(
            &carat[..3],
            &[
                -1.9094733439364793,
                -2.0827066605171325,
                -1.9094733439364793
            ]
        ),
        "{:?}",
        &carat[..3]
    );
    // For `table` the transformed values are all within 1e-8 of 0.2367, and scikit-learn's
    // log-likelihood (a variance of such values) carries rounding noise of about 3e-4, which
    // moves its optimum: in extended precision (numpy longdouble, var of exp(l * log1p(x))),
    // llf(-4.224528) = -41410.34955426 beats llf(-4.2245888) = -41410.34955450. crisp computes
    // that variance without the cancellation, so agreement here is to 1e-4.
    let table = values(&out, "table");
    let close4 = |got: &[f64], want: &[f64]| {
        got.iter()
            .zip(want)
            .all(|(g, w)| (g - w).abs() < 1e-4 * (1.0 + w.abs()))
    };
    assert!(
        close4(
            &table[..3],
            &[-1.1733796854673042, 1.5071860992000836, 2.665350834579925]
        ),
        "{:?}",
        &table[..3]
    );
    assert_eq!(values(&out, "price"), values(&raw, "price"));
}

#[test]
fn titanic_target_encoding_is_out_of_fold_and_trains() {
    let dir = Dir::new();
    let config = r#"
target = "Survived"
seed = 7
test_fraction = 0.3

[model]
name = "linfa_decision_tree"
params = { max_depth = 4 }

[[features.steps]]
kind = "drop"
columns = ["boat", "body", "PassengerId", "Name", "Ticket", "Cabin", "home.dest"]

[[features.steps]]
kind = "target_encode"
columns = ["Sex", "Embarked"]
smooth = 0.0
cv = 5

[[features.steps]]
kind = "impute"
dtype = "numeric"
strategy = "median"
"#;
    let (stdout, out) = features(&dir, config, &dataset("titanic.csv"), "titanic.csv");
    assert!(
        stdout.contains("target_encode (target 'Survived' (binary, positive '1')"),
        "{stdout}"
    );
    let raw = read_csv(&dataset("titanic.csv")).unwrap().frame;
    let sex = text_column(&raw, "Sex");
    let survived = values(&raw, "Survived");
    let encoded = values(&out, "Sex");
    // Survival rate of women over the whole file, counted here from the CSV.
    let mut by_sex: HashMap<&str, (f64, f64)> = HashMap::new();
    for (s, y) in sex.iter().zip(&survived) {
        let e = by_sex.entry(s.as_deref().unwrap()).or_default();
        e.0 += y;
        e.1 += 1.0;
    }
    let (sum, n) = by_sex["female"];
    let rate = sum / n;
    let women: Vec<f64> = sex
        .iter()
        .zip(&encoded)
        .filter(|(s, _)| s.as_deref() == Some("female"))
        .map(|(_, v)| *v)
        .collect();
    let mut distinct = women.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    // With smooth = 0 each fold's women get the other folds' survival rate of women: five
    // values near the overall rate, none equal to a value that includes the row itself.
    assert_eq!(distinct.len(), 5, "one value per fold: {distinct:?}");
    assert!(
        distinct.iter().all(|v| (v - rate).abs() < 0.05),
        "{distinct:?} vs {rate}"
    );
    assert!(
        distinct.iter().all(|v| (v - rate).abs() > 1e-12),
        "{distinct:?} vs {rate}"
    );
    // Each value is exactly a fold-out mean: sum of the other folds' women / their count.
    for v in &distinct {
        let found = (1..n as usize).any(|k| {
            let others = n - k as f64;
            (0..=k).any(|s| ((sum - s as f64) / others - v).abs() < 1e-12)
        });
        assert!(found, "{v} is not a mean over a subset of the women");
    }

    // Training through the same pipeline (fit_transform feeds the model the out-of-fold values).
    dir.crisp([
        "train",
        "--data",
        dataset("titanic.csv").to_str().unwrap(),
        "--config",
        "pipeline.toml",
        "--out",
        "t.crisp",
        "--report",
        "r.json",
    ])
    .ok();
    let report = dir.json("r.json");
    let accuracy = report["metrics"]["accuracy"].as_f64().unwrap();
    // Majority class: 0.62 of the file; a depth-4 tree on the encoded columns does far better.
    assert!(accuracy >= 0.72, "accuracy {accuracy}");
    let inspect = dir.crisp(["inspect", "t.crisp"]).ok();
    assert!(inspect.contains("target_encode"), "{inspect}");
}

#[test]
fn adult_one_hot_with_min_frequency() {
    let dir = Dir::new();
    let (_, out) = features(
        &dir,
        r#"
target = "income"

[[features.steps]]
kind = "drop"
regex = "^(workclass|education|marital-status|occupation|relationship|race|sex)$"

[[features.steps]]
kind = "one_hot"
columns = ["native-country"]
min_frequency = 50
handle_unknown = "infrequent"
"#,
        &dataset("adult.csv"),
        "adult.csv",
    );
    let raw = read_csv(&dataset("adult.csv")).unwrap().frame;
    let country = text_column(&raw, "native-country");
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for c in country.iter().flatten() {
        *counts.entry(c.as_str()).or_default() += 1;
    }
    let rare_rows: usize = counts.values().filter(|&&n| n < 50).sum();
    let cols = names(&out);
    assert!(cols.contains(&"native-country=United-States".to_string()));
    assert!(cols.contains(&"native-country=infrequent".to_string()));
    assert!(
        !cols.contains(&"native-country=Scotland".to_string()),
        "12 rows: infrequent"
    );
    let kept = cols
        .iter()
        .filter(|c| c.starts_with("native-country="))
        .count();
    assert_eq!(kept, counts.values().filter(|&&n| n >= 50).count() + 1);
    let infrequent = values(&out, "native-country=infrequent");
    assert_eq!(infrequent.iter().sum::<f64>() as usize, rare_rows);
    let us = values(&out, "native-country=United-States");
    assert_eq!(us.iter().sum::<f64>() as usize, counts["United-States"]);
    // Rows with no country are all zeros.
    let missing = country.iter().position(Option::is_none).unwrap();
    let row_sum: f64 = cols
        .iter()
        .filter(|c| c.starts_with("native-country="))
        .map(|c| values(&out, c)[missing])
        .sum();
    assert_eq!(row_sum, 0.0);
}

#[test]
fn every_new_step_in_one_pipeline_on_adult() {
    let dir = Dir::new();
    let (stdout, out) = features(
        &dir,
        r#"
target = "income"

[[features.steps]]
kind = "drop_constant"
regex = ".*"
max_share = 0.95

[[features.steps]]
kind = "impute"
dtype = "categorical"
strategy = "most_frequent"

[[features.steps]]
kind = "clip"
columns = ["fnlwgt"]
lower_quantile = 0.01
upper_quantile = 0.99

[[features.steps]]
kind = "log1p"
columns = ["capital-gain"]

[[features.steps]]
kind = "robust_scale"
columns = ["fnlwgt"]

[[features.steps]]
kind = "max_abs_scale"
columns = ["capital-gain"]

[[features.steps]]
kind = "bin"
columns = ["age"]
strategy = "uniform"
n_bins = 4
encode = "one_hot"

[[features.steps]]
kind = "frequency_encode"
columns = ["native-country"]

[[features.steps]]
kind = "target_encode"
dtype = "categorical"
"#,
        &dataset("adult.csv"),
        "adult.csv",
    );
    // capital-loss is 0 on more than 95% of rows: dropped as near-constant.
    assert!(
        stdout.contains("capital-loss: dropped ('0' on 95."),
        "{stdout}"
    );
    let cols = names(&out);
    assert!(!cols.contains(&"capital-loss".to_string()));
    for c in [
        "age=bin0",
        "age=bin3",
        "fnlwgt",
        "capital-gain",
        "native-country",
        "workclass",
    ] {
        assert!(cols.contains(&c.to_string()), "{c} in {cols:?}");
    }
    let gain = values(&out, "capital-gain");
    assert!(
        gain.iter().all(|v| (0.0..=1.0).contains(v)),
        "log1p then max-abs: [0, 1]"
    );
    assert!(gain.contains(&1.0), "the largest gain maps to 1");
    let bins: f64 = (0..4)
        .map(|i| values(&out, &format!("age=bin{i}"))[0])
        .sum();
    assert_eq!(bins, 1.0, "one bin per row");
    let share = values(&out, "native-country")[0];
    assert!(share > 0.85 && share < 0.95, "United-States share {share}");
    assert_eq!(text_column(&out, "income")[0].as_deref(), Some("<=50K"));
}

#[test]
fn bad_configurations_and_data_are_named() {
    let dir = Dir::new();
    let data = dataset("diamonds.csv");
    let run = |config: &str, out: &str| {
        dir.create("bad.toml", config);
        dir.features("bad.toml", &data, out, &[])
    };
    run(
        "[[features.steps]]\nkind = \"log1p\"\ncolumns = [\"nope\"]\n",
        "o.csv",
    )
    .error(&["step 'log1p': no column named 'nope'", "carat, cut"]);
    // Some diamonds have x = 0 (a missing measurement): Box-Cox refuses it by name.
    run(
        "[[features.steps]]\nkind = \"power\"\ncolumns = [\"x\"]\nmethod = \"box_cox\"\n",
        "o.csv",
    )
    .error(&[
        "column 'x' has the non-positive value 0",
        "Box-Cox needs strictly positive",
    ]);
    run(
        "[[features.steps]]\nkind = \"target_encode\"\ncolumns = [\"cut\"]\n",
        "o.csv",
    )
    .error(&["target_encode learns from the target"]);
    run(
        "target = \"price\"\n[[features.steps]]\nkind = \"power\"\ncolumns = [\"carat\"]\nmethod = \"cube\"\n",
        "o.csv",
    )
    .error(&["bad.toml", "unknown variant `cube`"]);
    run(
        "[[features.steps]]\nkind = \"log1p\"\ncolumns = [\"carat\"]\n",
        "o.xlsx",
    )
    .error(&["--out o.xlsx: give a .csv or .parquet file name"]);
    run("target = \"price\"\n", "o.csv").error(&["no [[features.steps]]"]);
    run(
        "target = \"cost\"\n[[features.steps]]\nkind = \"log1p\"\ncolumns = [\"carat\"]\n",
        "o.csv",
    )
    .error(&["no column named 'cost'"]);
    run(
        "[[features.steps]]\nkind = \"date_parts\"\ncolumns = [\"cut\"]\nformat = \"%Y-%m-%d\"\n",
        "o.csv",
    )
    .error(&["column 'cut' has 'Ideal' on data row 1, which does not match the format '%Y-%m-%d'"]);
    assert!(!dir.path("o.csv").exists(), "nothing written on error");
}

#[test]
fn unseen_category_and_unparsable_date_at_prediction() {
    let dir = Dir::new();
    dir.create(
        "penguins.toml",
        r#"
target = "species"

[model]
name = "linfa_decision_tree"

[[features.steps]]
kind = "one_hot"
columns = ["island"]
handle_unknown = "error"

[[features.steps]]
kind = "target_encode"
columns = ["sex"]

[[features.steps]]
kind = "impute"
dtype = "numeric"
"#,
    );
    dir.crisp([
        "train",
        "--data",
        dataset("penguins.csv").to_str().unwrap(),
        "--config",
        "penguins.toml",
        "--out",
        "p.crisp",
    ])
    .ok();
    dir.create(
        "new.csv",
        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n\
         ,Dream,39.1,18.7,181,3750,female,2007\n\
         ,Atlantis,39.5,17.4,186,3800,male,2007\n",
    );
    dir.crisp(["predict", "--model", "p.crisp", "--data", "new.csv"])
        .error(&["new.csv: column 'island' has category 'Atlantis' on data row 2 that was not seen in training"]);
    // An unseen sex is not an error for target_encode: it gets the prior.
    dir.create(
        "odd.csv",
        "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n\
         Dream,39.1,18.7,181,3750,unknown,2007\n",
    );
    let out = dir
        .crisp(["predict", "--model", "p.crisp", "--data", "odd.csv"])
        .ok();
    assert_eq!(out.lines().count(), 2, "{out}");

    dir.create(
        "weather.toml",
        r#"
target = "weather"

[model]
name = "linfa_decision_tree"

[[features.steps]]
kind = "date_parts"
columns = ["date"]
format = "%Y/%m/%d"
"#,
    );
    dir.crisp([
        "train",
        "--data",
        dataset("seattle_weather.csv").to_str().unwrap(),
        "--config",
        "weather.toml",
        "--out",
        "w.crisp",
    ])
    .ok();
    dir.create(
        "days.csv",
        "date,precipitation,temp_max,temp_min,wind\n2016/01/01,0.0,10.0,2.0,3.0\n01.02.2016,0.0,10.0,2.0,3.0\n",
    );
    dir.crisp(["predict", "--model", "w.crisp", "--data", "days.csv"])
        .error(&["days.csv: column 'date' has '01.02.2016' on data row 2, which does not match the date format '%Y/%m/%d' of training"]);
}

#[test]
fn bench_features_reports_every_step() {
    let dir = Dir::new();
    dir.create(
        "bench.toml",
        r#"
target = "weather"

[[features.steps]]
kind = "date_parts"
columns = ["date"]
format = "%Y/%m/%d"

[[features.steps]]
kind = "standard_scale"
dtype = "numeric"

[[features.steps]]
kind = "bin"
columns = ["wind"]
"#,
    );
    let data = dataset("seattle_weather.csv");
    let args = |json: bool| {
        let mut a = vec![
            "bench",
            "features",
            "--config",
            "bench.toml",
            "--data",
            data.to_str().unwrap(),
            "--repeat",
            "2",
        ];
        if json {
            a.push("--json");
        }
        a
    };
    let out = dir.crisp(args(true)).ok();
    let report: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    for key in [
        "data",
        "config",
        "repeat",
        "rows",
        "input_columns",
        "input_bytes",
        "output_columns",
        "output_bytes",
        "steps",
        "read_seconds",
        "fit_transform_seconds",
        "transform_seconds",
        "end_to_end_seconds",
        "rows_per_second",
        "mb_per_second",
        "peak_memory_bytes",
        "baseline_memory_bytes",
    ] {
        assert!(report.get(key).is_some(), "missing {key}: {report}");
    }
    assert_eq!(report["rows"], 1461);
    assert_eq!(report["repeat"], 2);
    assert_eq!(
        report["input_bytes"],
        std::fs::metadata(&data).unwrap().len()
    );
    let steps = report["steps"].as_array().unwrap();
    let kinds: Vec<&str> = steps.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["date_parts", "standard_scale", "bin"]);
    for s in steps {
        assert!(s["fit_seconds"].as_f64().unwrap() >= 0.0);
        assert!(s["apply_seconds"].as_f64().unwrap() >= 0.0);
    }
    if cfg!(target_os = "linux") {
        let peak = report["peak_memory_bytes"].as_u64().unwrap();
        let fit_peak = report["peak_memory_fit_transform_bytes"].as_u64().unwrap();
        // High-water marks only grow: the fit+transform peak is taken before the end.
        assert!(fit_peak > 0 && fit_peak <= peak, "{fit_peak} {peak}");
    }
    let table = dir.crisp(args(false)).ok();
    for part in [
        "fit ms",
        "apply ms",
        "date_parts",
        "rows/s",
        "MB/s",
        "peak memory",
    ] {
        assert!(table.contains(part), "{part} in\n{table}");
    }
    dir.crisp([
        "bench",
        "features",
        "--config",
        "bench.toml",
        "--data",
        "nope.csv",
    ])
    .error(&["nope.csv: no such file"]);
}
