//! `crisp profile` on adult and diamonds: the statistics against values computed here from
//! the same file, the target's balance and correlations, Parquet read like CSV, the mistakes.

use crisp_core::polars::prelude::*;
use serde_json::Value;

use crate::util::{dataset, f, values, Dir};

fn column<'a>(p: &'a Value, name: &str) -> &'a Value {
    p["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn quantile(c: &Value, q: f64) -> f64 {
    let list = c["numeric"]["quantiles"].as_array().unwrap();
    f(&list.iter().find(|x| f(&x["q"]) == q).unwrap()["value"])
}

#[test]
fn adult_profile_matches_the_file() {
    let dir = Dir::new();
    let out = dir
        .crisp([
            "profile",
            dataset("adult.csv").to_str().unwrap(),
            "--target",
            "income",
            "--json",
            "p.json",
        ])
        .ok();
    assert!(out.starts_with(&format!(
        "{}: 32561 rows, 15 columns (6 numeric, 9 text",
        dataset("adult.csv").display()
    )));
    assert!(out.contains("target 'income': 2 classes: <=50K 75.9% (24720), >50K 24.1% (7841)"));
    let p = dir.json("p.json");
    assert_eq!(p["rows"], 32561);

    // The numbers, from the file itself.
    let frame = crisp_core::read_csv(&dataset("adult.csv")).unwrap().frame;
    let ages = values(&frame, "age");
    let age = column(&p, "age");
    assert_eq!(age["kind"], "numeric");
    let mean = ages.iter().sum::<f64>() / ages.len() as f64;
    let s = &age["numeric"];
    assert!((f(&s["mean"]) - mean).abs() < 1e-9);
    let mut sorted = ages.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(f(&s["min"]), sorted[0]);
    assert_eq!(f(&s["max"]), *sorted.last().unwrap());
    assert_eq!(quantile(age, 0.5), sorted[sorted.len() / 2]);
    let var = ages.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (ages.len() - 1) as f64;
    assert!((f(&s["std"]) - var.sqrt()).abs() < 1e-9);
    // Every numeric histogram counts every present value once.
    for c in p["columns"].as_array().unwrap() {
        if c["kind"] == "numeric" {
            let counts: u64 = c["numeric"]["histogram"]["counts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .sum();
            assert_eq!(
                counts,
                32561 - c["nulls"].as_u64().unwrap(),
                "{}",
                c["name"]
            );
            assert_eq!(
                c["numeric"]["histogram"]["edges"].as_array().unwrap().len(),
                21
            );
        }
    }
    // Text: nulls, distinct values and the most frequent ones, as counted here.
    let workclass = frame.column("workclass").unwrap().str().unwrap().clone();
    let w = column(&p, "workclass");
    assert_eq!(
        w["nulls"].as_u64().unwrap() as usize,
        workclass.null_count()
    );
    let private = workclass.iter().filter(|v| *v == Some("Private")).count();
    assert_eq!(w["top"][0]["value"], "Private");
    assert_eq!(w["top"][0]["count"].as_u64().unwrap() as usize, private);
    assert_eq!(column(&p, "education")["distinct"], 16);
    // The target: the indicator of the rarer class correlates most with education-num.
    let t = &p["target"];
    assert_eq!(t["classes"][1]["value"], ">50K");
    assert!((f(&t["imbalance_ratio"]) - 24720.0 / 7841.0).abs() < 1e-12);
    assert_eq!(t["correlations"][0]["column"], "education-num");
    assert!(f(&t["correlations"][0]["r"]) > 0.3);
    // The matrix is symmetric with a unit diagonal.
    let m = p["correlations"]["matrix"].as_array().unwrap();
    for (i, row) in m.iter().enumerate() {
        assert_eq!(row[i], 1.0);
        for (j, v) in row.as_array().unwrap().iter().enumerate() {
            assert_eq!(*v, m[j][i]);
        }
    }
}

#[test]
fn diamonds_price_follows_carat_and_parquet_profiles_as_csv_does() {
    let dir = Dir::new();
    let csv = dataset("diamonds.csv");
    dir.crisp([
        "profile",
        csv.to_str().unwrap(),
        "--target",
        "price",
        "--json",
        "csv.json",
    ])
    .ok();
    let p = dir.json("csv.json");
    let t = &p["target"];
    assert!(t["classes"].as_array().unwrap().is_empty());
    assert_eq!(t["correlations"][0]["column"], "carat");
    assert!(f(&t["correlations"][0]["r"]) > 0.9);
    // The target is not in the matrix between the other columns.
    let columns = p["correlations"]["columns"].as_array().unwrap();
    assert!(!columns.iter().any(|c| c == "price"));

    let mut frame = crisp_core::read_csv(&csv).unwrap().frame;
    let file = std::fs::File::create(dir.path("d.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut frame).unwrap();
    dir.crisp([
        "profile",
        "d.parquet",
        "--target",
        "price",
        "--json",
        "pq.json",
    ])
    .ok();
    let q = dir.json("pq.json");
    for key in ["rows", "columns", "correlations", "target"] {
        assert_close(&p[key], &q[key], key);
    }
}

/// `a` and `b` are the same JSON but for floating-point sums taken in another order (Polars
/// sums the chunks of a Parquet file and of a CSV file differently): relative 1e-12.
fn assert_close(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(1.0),
                "{at}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_close(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

#[test]
fn profile_mistakes_are_one_sentence_errors() {
    let dir = Dir::new();
    let adult = dataset("adult.csv");
    let adult = adult.to_str().unwrap();
    dir.crisp(["profile", "nowhere.csv"])
        .error(&["nowhere.csv"]);
    dir.crisp(["profile", adult, "--target", "wage"])
        .error(&["'wage'", "adult.csv"]);
    dir.crisp(["profile", adult, "--bins", "0"])
        .error(&["at least 1 bin"]);
}
