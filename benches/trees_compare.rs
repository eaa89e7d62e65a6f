//! Trains one crisp-trees model and prints one JSON line: fit and predict seconds, and accuracy
//! or RMSE on a held-out split. `benches/compare_trees.sh` runs it next to scikit-learn and
//! LightGBM on the same data and the same split.
//!
//! ```sh
//! cargo run --example trees_compare -- --data datasets/adult.csv --target income \
//!     --test-data datasets/adult_test.csv --model gbdt --param early_stopping=false
//! cargo run --example trees_compare -- --synthetic 100000 --features 54 --classes 2 \
//!     --model decision_tree --param max_depth=10
//! ```
//!
//! Without `--test-data`, every fifth row (row index % 5 == 4) is held out, the rule the Python
//! side uses too. CSV columns that are all numbers (empty = missing) are numeric; the others are
//! categorical, coded by order of first appearance. A classification target's labels are coded
//! in sorted order.

use std::collections::HashMap;
use std::time::Instant;

use crisp_trees::{DecisionTree, GradientBoosting, RandomForest, TreeError};
use linfa::prelude::*;
use ndarray::{Array1, Array2};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

fn main() {
    if let Err(e) = run() {
        eprintln!("trees_compare: {e}");
        std::process::exit(2);
    }
}

struct Args {
    data: Option<String>,
    test_data: Option<String>,
    target: Option<String>,
    synthetic: Option<(usize, usize, usize)>,
    model: String,
    task: Option<String>,
    params: Vec<(String, String)>,
    name: Option<String>,
    /// Label of the implementation in the output (e.g. `crisp-1thread`).
    implementation: String,
    predict_repeat: usize,
    /// Fits to run; the fastest is reported (the machine may be shared).
    fit_repeat: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        data: None,
        test_data: None,
        target: None,
        synthetic: None,
        model: "gbdt".into(),
        task: None,
        params: Vec::new(),
        name: None,
        implementation: "crisp".into(),
        predict_repeat: 1,
        fit_repeat: 1,
    };
    let (mut rows, mut features, mut classes) = (None, 20, 2);
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => a.data = Some(value()?),
            "--test-data" => a.test_data = Some(value()?),
            "--target" => a.target = Some(value()?),
            "--synthetic" => {
                rows = Some(value()?.parse().map_err(|e| format!("--synthetic: {e}"))?)
            }
            "--features" => features = value()?.parse().map_err(|e| format!("--features: {e}"))?,
            "--classes" => classes = value()?.parse().map_err(|e| format!("--classes: {e}"))?,
            "--model" => a.model = value()?,
            "--task" => a.task = Some(value()?),
            "--name" => a.name = Some(value()?),
            "--impl" => a.implementation = value()?,
            "--predict-repeat" => {
                a.predict_repeat = value()?
                    .parse()
                    .map_err(|e| format!("--predict-repeat: {e}"))?
            }
            "--fit-repeat" => {
                a.fit_repeat = value()?.parse().map_err(|e| format!("--fit-repeat: {e}"))?
            }
            "--param" => {
                let kv = value()?;
                let (k, v) = kv
                    .split_once('=')
                    .ok_or(format!("--param expects name=value, got {kv}"))?;
                a.params.push((k.to_string(), v.to_string()));
            }
            "-h" | "--help" => {
                println!(
                    "trees_compare (--data CSV --target COL [--test-data CSV] | --synthetic ROWS \
                     --features N --classes K) [--model decision_tree|random_forest|gbdt] \
                     [--task classification|regression] [--param name=value]... [--name LABEL] [--impl LABEL] \
                     [--predict-repeat N] [--fit-repeat N]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if let Some(r) = rows {
        a.synthetic = Some((r, features, classes));
    } else if a.data.is_none() || a.target.is_none() {
        return Err("give --data CSV --target COL, or --synthetic ROWS".into());
    }
    Ok(a)
}

/// A table as read from CSV: numeric and categorical columns as f64 (NaN = missing).
struct Table {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
    categorical: Vec<bool>,
    /// Raw text of the target column, kept for label coding.
    target_text: Vec<String>,
}

fn read_csv(paths: &[&str], target: &str) -> Result<(Table, Vec<usize>), String> {
    let texts = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut header: Option<Vec<&str>> = None;
    // Fields are borrowed from the file contents: a million-row file has tens of millions.
    let mut raw: Vec<Vec<&str>> = Vec::new();
    let mut file_rows = Vec::new();
    for (path, text) in paths.iter().zip(&texts) {
        let mut lines = text.lines();
        let h: Vec<&str> = lines
            .next()
            .ok_or(format!("{path}: empty"))?
            .split(',')
            .map(str::trim)
            .collect();
        match &header {
            None => {
                raw = vec![Vec::new(); h.len()];
                header = Some(h);
            }
            Some(prev) if *prev != h => {
                return Err(format!("{path}: header differs from the first file"))
            }
            _ => {}
        }
        let mut n = 0;
        for line in lines.filter(|l| !l.is_empty()) {
            let mut count = 0;
            for (col, f) in raw.iter_mut().zip(line.split(',')) {
                col.push(f.trim());
                count += 1;
            }
            if count != raw.len() || line.split(',').count() != raw.len() {
                return Err(format!("{path}: a row does not have {} fields", raw.len()));
            }
            n += 1;
        }
        file_rows.push(n);
    }
    let names: Vec<String> = header.unwrap().iter().map(|s| s.to_string()).collect();
    let t = names
        .iter()
        .position(|n| n == target)
        .ok_or(format!("no column {target}"))?;
    let target_text: Vec<String> = raw[t].iter().map(|s| s.to_string()).collect();
    let mut columns = Vec::new();
    let mut categorical = Vec::new();
    let mut kept = Vec::new();
    for (j, col) in raw.into_iter().enumerate() {
        if j == t {
            continue;
        }
        kept.push(names[j].clone());
        let numeric: Option<Vec<f64>> = col
            .iter()
            .map(|s| {
                if s.is_empty() {
                    Some(f64::NAN)
                } else {
                    s.parse().ok()
                }
            })
            .collect();
        match numeric {
            Some(v) => {
                columns.push(v);
                categorical.push(false);
            }
            None => {
                let mut codes: HashMap<&str, f64> = HashMap::new();
                let v = col
                    .iter()
                    .map(|s| {
                        if s.is_empty() {
                            f64::NAN
                        } else {
                            let next = codes.len() as f64;
                            *codes.entry(s).or_insert(next)
                        }
                    })
                    .collect();
                columns.push(v);
                categorical.push(true);
            }
        }
    }
    Ok((
        Table {
            names: kept,
            columns,
            categorical,
            target_text,
        },
        file_rows,
    ))
}

enum Targets {
    Class(Array1<usize>),
    Real(Array1<f64>),
}

struct Problem {
    x_train: Array2<f64>,
    x_test: Array2<f64>,
    y_train: Targets,
    y_test: Targets,
    categorical: Vec<usize>,
    label: String,
}

fn rows_of(columns: &[Vec<f64>], rows: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn((rows.len(), columns.len()), |(i, j)| columns[j][rows[i]])
}

fn load(a: &Args) -> Result<Problem, String> {
    if let Some((n, p, k)) = a.synthetic {
        // Same construction as the Python side's make_synthetic is not required here: this mode
        // is for quick checks; the comparison script feeds both sides one CSV.
        let mut rng = SmallRng::seed_from_u64(42);
        let x = Array2::from_shape_fn((n, p), |_| rng.gen::<f64>());
        let w: Vec<f64> = (0..p)
            .map(|j| {
                if j < p.div_ceil(3) {
                    rng.gen_range(-1.0..1.0)
                } else {
                    0.0
                }
            })
            .collect();
        let score = |i: usize| -> f64 {
            let lin: f64 = (0..p).map(|j| w[j] * x[[i, j]]).sum();
            lin + 0.5 * (6.0 * x[[i, 0]]).sin()
                + if p > 1 {
                    x[[i, 1]] * x[[i, p - 1]]
                } else {
                    0.0
                }
        };
        let s: Vec<f64> = (0..n)
            .map(|i| score(i) + rng.gen_range(-0.2..0.2))
            .collect();
        let mut sorted = s.clone();
        sorted.sort_by(f64::total_cmp);
        let train: Vec<usize> = (0..n).filter(|i| i % 5 != 4).collect();
        let test: Vec<usize> = (0..n).filter(|i| i % 5 == 4).collect();
        let split =
            |rows: &[usize]| Array2::from_shape_fn((rows.len(), p), |(i, j)| x[[rows[i], j]]);
        let (y_train, y_test) = if k == 0 {
            let y = |rows: &[usize]| Targets::Real(rows.iter().map(|&i| s[i]).collect());
            (y(&train), y(&test))
        } else {
            let cuts: Vec<f64> = (1..k).map(|c| sorted[c * n / k]).collect();
            let label = |v: f64| cuts.iter().filter(|&&c| v >= c).count();
            let y = |rows: &[usize]| Targets::Class(rows.iter().map(|&i| label(s[i])).collect());
            (y(&train), y(&test))
        };
        return Ok(Problem {
            x_train: split(&train),
            x_test: split(&test),
            y_train,
            y_test,
            categorical: Vec::new(),
            label: format!("synthetic-{n}x{p}-k{k}"),
        });
    }
    let data = a.data.as_deref().unwrap();
    let target = a.target.as_deref().unwrap();
    let mut paths = vec![data];
    paths.extend(a.test_data.as_deref());
    let (table, file_rows) = read_csv(&paths, target)?;
    let n = table.target_text.len();
    let (train, test): (Vec<usize>, Vec<usize>) = if a.test_data.is_some() {
        ((0..file_rows[0]).collect(), (file_rows[0]..n).collect())
    } else {
        (
            (0..n).filter(|i| i % 5 != 4).collect(),
            (0..n).filter(|i| i % 5 == 4).collect(),
        )
    };
    let numeric_target: Option<Vec<f64>> =
        table.target_text.iter().map(|s| s.parse().ok()).collect();
    let classification = match a.task.as_deref() {
        Some("classification") => true,
        Some("regression") => false,
        Some(t) => return Err(format!("unknown task {t}")),
        None => numeric_target.is_none(),
    };
    let (y_train, y_test) = if classification {
        let mut labels: Vec<&str> = table.target_text.iter().map(String::as_str).collect();
        labels.sort_unstable();
        labels.dedup();
        let code = |s: &str| labels.binary_search(&s).unwrap();
        let y = |rows: &[usize]| {
            Targets::Class(rows.iter().map(|&i| code(&table.target_text[i])).collect())
        };
        (y(&train), y(&test))
    } else {
        let v = numeric_target.ok_or("target is not numeric")?;
        let y = |rows: &[usize]| Targets::Real(rows.iter().map(|&i| v[i]).collect());
        (y(&train), y(&test))
    };
    let _ = &table.names;
    Ok(Problem {
        x_train: rows_of(&table.columns, &train),
        x_test: rows_of(&table.columns, &test),
        y_train,
        y_test,
        categorical: (0..table.categorical.len())
            .filter(|&j| table.categorical[j])
            .collect(),
        label: std::path::Path::new(data)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
    })
}

/// What a run measured.
#[derive(Default)]
struct Measure {
    fit_s: f64,
    predict_s: f64,
    metric: (String, f64),
    n_trees: usize,
    /// Rows x trees per second of prediction on one thread.
    rows_trees_per_s_1thread: f64,
    /// See [`model_hash`].
    model_hash: String,
}

/// A hash of the fitted model's `Debug` text (which prints every float exactly): equal hashes
/// from two builds mean bit-identical models, for A/B runs of an optimisation. Rust's default
/// hasher, so only comparable between builds of one toolchain.
fn model_hash(model: &impl std::fmt::Debug) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{model:?}").hash(&mut h);
    format!("{:016x}", h.finish())
}

fn one_thread_pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
}

fn accuracy(p: &Array1<usize>, t: &Array1<usize>) -> f64 {
    p.iter().zip(t).filter(|(a, b)| a == b).count() as f64 / t.len() as f64
}

fn rmse(p: &Array1<f64>, t: &Array1<f64>) -> f64 {
    (p.iter().zip(t).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / t.len() as f64).sqrt()
}

macro_rules! run_model {
    ($params:expr, $prob:expr, $repeat:expr, $fit_repeat:expr, $n_trees:expr) => {{
        let prob: &Problem = $prob;
        let params = $params;
        let mut m = Measure::default();
        match (&prob.y_train, &prob.y_test) {
            (Targets::Class(ytr), Targets::Class(yte)) => {
                let ds = Dataset::new(prob.x_train.clone(), ytr.clone());
                let t = Instant::now();
                let mut model = params.fit(&ds).map_err(|e: TreeError| e.to_string())?;
                m.fit_s = t.elapsed().as_secs_f64();
                for _ in 1..$fit_repeat {
                    let t = Instant::now();
                    model = params.fit(&ds).map_err(|e: TreeError| e.to_string())?;
                    m.fit_s = m.fit_s.min(t.elapsed().as_secs_f64());
                }
                let t = Instant::now();
                let pred: Array1<usize> = model.predict(&prob.x_test);
                m.predict_s = t.elapsed().as_secs_f64();
                for _ in 1..$repeat {
                    let t = Instant::now();
                    let _: Array1<usize> = model.predict(&prob.x_test);
                    m.predict_s = m.predict_s.min(t.elapsed().as_secs_f64());
                }
                m.metric = ("accuracy".into(), accuracy(&pred, yte));
                m.n_trees = $n_trees(&model);
                m.model_hash = model_hash(&model);
                let pool = one_thread_pool();
                let secs = pool.install(|| {
                    (0..$repeat)
                        .map(|_| {
                            let t = Instant::now();
                            let _: Array1<usize> = model.predict(&prob.x_test);
                            t.elapsed().as_secs_f64()
                        })
                        .fold(f64::INFINITY, f64::min)
                });
                m.rows_trees_per_s_1thread = (prob.x_test.nrows() * m.n_trees) as f64 / secs;
            }
            (Targets::Real(ytr), Targets::Real(yte)) => {
                let ds = Dataset::new(prob.x_train.clone(), ytr.clone());
                let t = Instant::now();
                let mut model = params.fit(&ds).map_err(|e: TreeError| e.to_string())?;
                m.fit_s = t.elapsed().as_secs_f64();
                for _ in 1..$fit_repeat {
                    let t = Instant::now();
                    model = params.fit(&ds).map_err(|e: TreeError| e.to_string())?;
                    m.fit_s = m.fit_s.min(t.elapsed().as_secs_f64());
                }
                let t = Instant::now();
                let pred: Array1<f64> = model.predict(&prob.x_test);
                m.predict_s = t.elapsed().as_secs_f64();
                for _ in 1..$repeat {
                    let t = Instant::now();
                    let _: Array1<f64> = model.predict(&prob.x_test);
                    m.predict_s = m.predict_s.min(t.elapsed().as_secs_f64());
                }
                m.metric = ("rmse".into(), rmse(&pred, yte));
                m.n_trees = $n_trees(&model);
                m.model_hash = model_hash(&model);
                let pool = one_thread_pool();
                let secs = pool.install(|| {
                    (0..$repeat)
                        .map(|_| {
                            let t = Instant::now();
                            let _: Array1<f64> = model.predict(&prob.x_test);
                            t.elapsed().as_secs_f64()
                        })
                        .fold(f64::INFINITY, f64::min)
                });
                m.rows_trees_per_s_1thread = (prob.x_test.nrows() * m.n_trees) as f64 / secs;
            }
            _ => unreachable!(),
        }
        m
    }};
}

fn run() -> Result<(), String> {
    let a = parse_args()?;
    let prob = load(&a)?;
    let set = |p: &mut dyn FnMut(&str, &str) -> Result<(), TreeError>| -> Result<(), String> {
        for (k, v) in &a.params {
            p(k, v).map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    let r = a.predict_repeat.max(1);
    let m = match a.model.as_str() {
        "decision_tree" => {
            let mut p = DecisionTree::params().categorical_features(prob.categorical.clone());
            set(&mut |k, v| p.set_param(k, v))?;
            run_model!(p, &prob, r, a.fit_repeat, |_m: &_| 1usize)
        }
        "random_forest" => {
            let mut p = RandomForest::params().categorical_features(prob.categorical.clone());
            set(&mut |k, v| p.set_param(k, v))?;
            macro_rules! trees {
                () => {
                    |m: &dyn NTrees| m.n()
                };
            }
            run_model!(p, &prob, r, a.fit_repeat, trees!())
        }
        "gbdt" => {
            let mut p = GradientBoosting::params().categorical_features(prob.categorical.clone());
            set(&mut |k, v| p.set_param(k, v))?;
            run_model!(p, &prob, r, a.fit_repeat, |m: &dyn NTrees| m.n())
        }
        other => {
            return Err(format!(
                "unknown model {other} (decision_tree, random_forest, gbdt)"
            ))
        }
    };
    let threads = rayon::current_num_threads();
    println!(
        "{{\"impl\":\"{}\",\"model\":\"{}\",\"dataset\":\"{}\",\"rows_train\":{},\"rows_test\":{},\
         \"features\":{},\"threads\":{},\"fit_s\":{:.4},\"predict_s\":{:.4},\"{}\":{:.6},\"n_trees\":{},\
         \"predict_rows_trees_per_s_1thread\":{:.0},\"model_hash\":\"{}\"}}",
        a.implementation,
        a.name.as_deref().unwrap_or(&a.model),
        prob.label,
        prob.x_train.nrows(),
        prob.x_test.nrows(),
        prob.x_train.ncols(),
        threads,
        m.fit_s,
        m.predict_s,
        m.metric.0,
        m.metric.1,
        m.n_trees,
        m.rows_trees_per_s_1thread,
        m.model_hash,
    );
    Ok(())
}

/// Tree counts of fitted ensembles, whatever their target type.
trait NTrees {
    fn n(&self) -> usize;
}

impl<L> NTrees for RandomForest<L> {
    fn n(&self) -> usize {
        self.n_trees()
    }
}

impl<L> NTrees for GradientBoosting<L> {
    fn n(&self) -> usize {
        // Multiclass rounds hold one tree per class.
        self.n_rounds()
            * self
                .predict_raw(ndarray::Array2::zeros((0, self.n_features())).view())
                .ncols()
    }
}
