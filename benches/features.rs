//! Criterion benches of a representative feature pipeline (imputation, scaling, binning,
//! one-hot and target encoding) fitted and applied with `fit_transform`, on the bundled adult
//! data and on a generated 100k-row frame (20 numeric columns with missing values, 3
//! categorical). `cargo bench --bench features`
//!
//! The comparison with pandas + scikit-learn is `benches/compare_features.sh`.

use std::path::Path;

use crisp_core::read_csv;
use crisp_features::PipelineSpec;
use criterion::{criterion_group, criterion_main, Criterion};
use polars::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const ADULT_PIPELINE: &str = r#"
[[steps]]
kind = "impute"
dtype = "numeric"
strategy = "median"

[[steps]]
kind = "impute"
dtype = "categorical"
strategy = "most_frequent"

[[steps]]
kind = "bin"
columns = ["age", "hours-per-week"]
strategy = "quantile"
n_bins = 5

[[steps]]
kind = "standard_scale"
dtype = "numeric"
exclude = ["age", "hours-per-week"]

[[steps]]
kind = "target_encode"
columns = ["native-country", "occupation", "education"]

[[steps]]
kind = "one_hot"
dtype = "categorical"
handle_unknown = "ignore"
"#;

const SYNTHETIC_PIPELINE: &str = r#"
[[steps]]
kind = "impute"
regex = "^f"
strategy = "median"

[[steps]]
kind = "standard_scale"
regex = "^f[0-9]$"

[[steps]]
kind = "bin"
regex = "^f1[0-4]$"
strategy = "quantile"
n_bins = 5

[[steps]]
kind = "impute"
dtype = "categorical"
strategy = "most_frequent"

[[steps]]
kind = "one_hot"
columns = ["c0"]
handle_unknown = "ignore"

[[steps]]
kind = "target_encode"
columns = ["c1", "c2"]
"#;

fn adult() -> DataFrame {
    read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult.csv"))
        .unwrap()
        .frame
}

/// 20 numeric columns (5% missing), categorical c0/c1/c2 with 10/50/200 levels (2% missing),
/// and a binary target that depends on some of them.
fn synthetic(rows: usize) -> DataFrame {
    let mut rng = SmallRng::seed_from_u64(7);
    let mut columns: Vec<Column> = Vec::new();
    let mut signal = vec![0.0f64; rows];
    for j in 0..20 {
        let values: Vec<Option<f64>> = (0..rows)
            .map(|i| {
                let v: f64 = rng.gen_range(-3.0..3.0) * (1.0 + j as f64);
                if j < 3 {
                    signal[i] += v / (1.0 + j as f64);
                }
                (rng.gen::<f64>() >= 0.05).then_some(v)
            })
            .collect();
        columns.push(Column::new(format!("f{j}").into(), values));
    }
    for (j, levels) in [10usize, 50, 200].into_iter().enumerate() {
        let values: Vec<Option<String>> = (0..rows)
            .map(|i| {
                let level = rng.gen_range(0..levels);
                if j == 1 {
                    signal[i] += (level % 7) as f64 / 7.0;
                }
                (rng.gen::<f64>() >= 0.02).then(|| format!("c{j}_{level}"))
            })
            .collect();
        columns.push(Column::new(format!("c{j}").into(), values));
    }
    let target: Vec<i64> = signal
        .iter()
        .map(|s| i64::from(s + rng.gen_range(-1.0..1.0) > 0.5))
        .collect();
    columns.push(Column::new("target".into(), target));
    DataFrame::new(rows, columns).unwrap()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("features");
    group.sample_size(10);

    let frame = adult();
    let spec: PipelineSpec = toml::from_str(ADULT_PIPELINE).unwrap();
    group.bench_function("adult-32561-rows/fit_transform", |b| {
        b.iter(|| spec.fit_transform(&frame, "income").unwrap())
    });
    let (fitted, _) = spec.fit_transform(&frame, "income").unwrap();
    group.bench_function("adult-32561-rows/transform", |b| {
        b.iter(|| fitted.transform(&frame, "adult").unwrap())
    });

    let frame = synthetic(100_000);
    let spec: PipelineSpec = toml::from_str(SYNTHETIC_PIPELINE).unwrap();
    group.bench_function("synthetic-100k-rows/fit_transform", |b| {
        b.iter(|| spec.fit_transform(&frame, "target").unwrap())
    });
    let (fitted, _) = spec.fit_transform(&frame, "target").unwrap();
    group.bench_function("synthetic-100k-rows/transform", |b| {
        b.iter(|| fitted.transform(&frame, "synthetic").unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
