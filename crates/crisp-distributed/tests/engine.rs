//! Training through DataFusion and Ballista against the in-memory fit on the same bins, on
//! real data (adult, diamonds) written as partitioned Parquet.
//!
//! - `local_*`: plain DataFusion in this process (the same queries, no Ballista).
//! - `standalone_*`: Ballista's standalone mode (scheduler and executor in this process).
//! - `processes_*`: `crisp-scheduler` and two `crisp-executor` processes on loopback; one
//!   executor is killed while a model trains.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crisp_distributed::cluster::{connect, local, standalone};
use crisp_distributed::{train, TableSpec, Trained};
use crisp_trees::{BinnedMatrixBuilder, EarlyStopping, GradientBoosting, TreeTarget};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::logical_expr::{cast, ident};
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use linfa::ParamGuard;
use ndarray::{Array1, Array2};
use tokio::runtime::Runtime;

const ADULT_FEATURES: [&str; 6] = [
    "age",
    "fnlwgt",
    "education-num",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
];
const DIAMOND_FEATURES: [&str; 6] = ["carat", "depth", "table", "x", "y", "z"];

fn datasets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets")
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

/// `csv` as `parts` Parquet files under `dir`, with `select` (SQL) as its columns.
fn partitioned_parquet(rt: &Runtime, csv: &Path, select: &str, parts: usize, dir: &Path) {
    let ctx = SessionContext::new();
    rt.block_on(async {
        ctx.register_csv("raw", csv.to_str().unwrap(), CsvReadOptions::new())
            .await
            .unwrap();
        let df = ctx
            .sql(&format!("SELECT {select} FROM raw"))
            .await
            .unwrap()
            .repartition(datafusion::logical_expr::Partitioning::RoundRobinBatch(
                parts,
            ))
            .unwrap();
        df.write_parquet(dir.to_str().unwrap(), DataFrameWriteOptions::new(), None)
            .await
            .unwrap();
    });
    let files = std::fs::read_dir(dir).unwrap().count();
    assert!(files >= 2, "{files} Parquet files under {}", dir.display());
}

fn adult_parquet(rt: &Runtime, dir: &Path) -> TableSpec {
    let cols: Vec<String> = ADULT_FEATURES.iter().map(|c| format!("\"{c}\"")).collect();
    let select = format!(
        "{}, CASE WHEN income = '>50K' THEN 1 ELSE 0 END AS label",
        cols.join(", ")
    );
    partitioned_parquet(rt, &datasets().join("adult.csv"), &select, 3, dir);
    TableSpec {
        table: "adult".into(),
        features: ADULT_FEATURES.iter().map(|s| s.to_string()).collect(),
        target: "label".into(),
    }
}

fn diamonds_parquet(rt: &Runtime, dir: &Path) -> TableSpec {
    let select = format!("{}, price", DIAMOND_FEATURES.join(", "));
    partitioned_parquet(rt, &datasets().join("diamonds.csv"), &select, 4, dir);
    TableSpec {
        table: "diamonds".into(),
        features: DIAMOND_FEATURES.iter().map(|s| s.to_string()).collect(),
        target: "price".into(),
    }
}

/// The table's features and target in memory (read with DataFusion, not with the cluster).
fn read_all(rt: &Runtime, dir: &Path, spec: &TableSpec) -> (Array2<f64>, Vec<f64>) {
    let ctx = SessionContext::new();
    let batches = rt.block_on(async {
        let df = ctx
            .read_parquet(dir.to_str().unwrap(), ParquetReadOptions::default())
            .await
            .unwrap();
        let cols: Vec<_> = spec
            .features
            .iter()
            .chain([&spec.target])
            .map(|c| cast(ident(c), DataType::Float64))
            .collect();
        df.select(cols).unwrap().collect().await.unwrap()
    });
    let p = spec.features.len();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for b in &batches {
        let cols: Vec<_> = (0..=p)
            .map(|c| b.column(c).as_primitive::<Float64Type>().clone())
            .collect();
        for i in 0..b.num_rows() {
            x.extend(cols[..p].iter().map(|c| c.value(i)));
            y.push(cols[p].value(i));
        }
    }
    (Array2::from_shape_vec((y.len(), p), x).unwrap(), y)
}

fn params(rounds: usize) -> crisp_trees::GradientBoostingValidParams {
    GradientBoosting::params()
        .n_rounds(rounds)
        .early_stopping(EarlyStopping::Off)
        .check()
        .unwrap()
}

/// The in-memory fit on the cluster model's bins must equal it.
fn assert_same_as_in_memory<L: TreeTarget + Copy>(
    trained: &Trained<L>,
    x: &Array2<f64>,
    y: Array1<L>,
    rounds: usize,
) {
    let mut b = BinnedMatrixBuilder::new(trained.mappers.clone(), x.nrows()).unwrap();
    b.push(x.view()).unwrap();
    let local = params(rounds)
        .fit_binned(&b.finish(), y.view(), None)
        .unwrap();
    trained.model.compare(&local, 1e-9).unwrap();
    assert_eq!(trained.rows as usize, x.nrows());
}

fn register(rt: &Runtime, ctx: &SessionContext, spec: &TableSpec, dir: &Path) {
    rt.block_on(ctx.register_parquet(
        spec.table.as_str(),
        dir.to_str().unwrap(),
        ParquetReadOptions::default(),
    ))
    .unwrap();
}

#[test]
fn local_datafusion_trains_the_in_memory_model_on_adult_and_diamonds() {
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let ctx = local(3).unwrap();

    let adult = tmp.path().join("adult");
    let spec = adult_parquet(&rt, &adult);
    register(&rt, &ctx, &spec, &adult);
    let trained = train::<usize>(&rt, &ctx, &spec, &params(8), 255).unwrap();
    let (x, y) = read_all(&rt, &adult, &spec);
    let labels: Array1<usize> = y.iter().map(|&v| v as usize).collect();
    assert_same_as_in_memory(&trained, &x, labels, 8);
    // Leaf-wise trees of up to 31 leaves, one query per level: far fewer than one per split.
    assert!(
        trained.histogram_queries < 8 * 30,
        "{} queries",
        trained.histogram_queries
    );

    let diamonds = tmp.path().join("diamonds");
    let spec = diamonds_parquet(&rt, &diamonds);
    register(&rt, &ctx, &spec, &diamonds);
    let trained = train::<f64>(&rt, &ctx, &spec, &params(5), 255).unwrap();
    let (x, y) = read_all(&rt, &diamonds, &spec);
    assert_same_as_in_memory(&trained, &x, Array1::from(y), 5);
}

#[test]
fn bad_tables_get_one_clear_error() {
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let ctx = local(2).unwrap();
    let dir = tmp.path().join("diamonds");
    let spec = diamonds_parquet(&rt, &dir);
    register(&rt, &ctx, &spec, &dir);
    // A price is not a 0/1 label.
    let err = train::<usize>(&rt, &ctx, &spec, &params(2), 255)
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"price\"") && err.contains("0 or 1"), "{err}");
    let mut missing = spec.clone();
    missing.features.push("colour".into());
    let err = train::<f64>(&rt, &ctx, &missing, &params(2), 255)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no column \"colour\""), "{err}");
}

#[test]
fn standalone_ballista_trains_the_in_memory_model() {
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let adult = tmp.path().join("adult");
    let spec = adult_parquet(&rt, &adult);
    let ctx = rt.block_on(standalone(3)).unwrap();
    register(&rt, &ctx, &spec, &adult);
    let trained = train::<usize>(&rt, &ctx, &spec, &params(4), 255).unwrap();
    let (x, y) = read_all(&rt, &adult, &spec);
    let labels: Array1<usize> = y.iter().map(|&v| v as usize).collect();
    assert_same_as_in_memory(&trained, &x, labels, 4);
}

/// A free loopback port (bound then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills the child when dropped, so a failing test leaves no process behind.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(bin: &str, args: &[String], log: &Path) -> Process {
    let log = std::fs::File::create(log).unwrap();
    Process(
        Command::new(bin)
            .args(args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    )
}

fn wait_for_port(port: u16) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn executor(scheduler: u16, dir: &Path, name: &str) -> (Process, u16) {
    let (port, grpc) = (free_port(), free_port());
    let work = dir.join(name);
    std::fs::create_dir_all(&work).unwrap();
    let p = spawn(
        env!("CARGO_BIN_EXE_crisp-executor"),
        &[
            "--scheduler".into(),
            format!("127.0.0.1:{scheduler}"),
            "--port".into(),
            port.to_string(),
            "--grpc-port".into(),
            grpc.to_string(),
            "--concurrent-tasks".into(),
            "2".into(),
            "--work-dir".into(),
            work.display().to_string(),
            "--heartbeat".into(),
            "1".into(),
        ],
        &dir.join(format!("{name}.log")),
    );
    wait_for_port(port);
    (p, port)
}

#[test]
fn processes_train_the_in_memory_model_and_survive_a_lost_executor() {
    let rt = runtime();
    let tmp = tempfile::tempdir().unwrap();
    let adult = tmp.path().join("adult");
    let spec = adult_parquet(&rt, &adult);
    let (x, y) = read_all(&rt, &adult, &spec);
    let labels: Array1<usize> = y.iter().map(|&v| v as usize).collect();

    let port = free_port();
    let _scheduler = spawn(
        env!("CARGO_BIN_EXE_crisp-scheduler"),
        &[
            "--bind".into(),
            format!("127.0.0.1:{port}"),
            "--executor-timeout".into(),
            "5".into(),
        ],
        &tmp.path().join("scheduler.log"),
    );
    wait_for_port(port);
    let (_first, _) = executor(port, tmp.path(), "executor-1");
    let (mut second, _) = executor(port, tmp.path(), "executor-2");

    let url = format!("ballista://127.0.0.1:{port}");
    let ctx = rt.block_on(connect(&url)).unwrap();
    register(&rt, &ctx, &spec, &adult);
    let trained = train::<usize>(&rt, &ctx, &spec, &params(3), 255).unwrap();
    assert_same_as_in_memory(&trained, &x, labels.clone(), 3);

    // Again, with the second executor killed while the trees grow.
    let rounds = 12;
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(3));
        second.0.kill().unwrap();
        second.0.wait().unwrap();
        Instant::now()
    });
    let started = Instant::now();
    let trained = train::<usize>(&rt, &ctx, &spec, &params(rounds), 255).unwrap();
    let finished = Instant::now();
    let killed = killer.join().unwrap();
    assert!(
        killed < finished,
        "training ended after {:?}, before the executor was killed",
        finished - started
    );
    assert_same_as_in_memory(&trained, &x, labels, rounds);
    // The engine saw the executor go while it had work: Ballista logs the tasks it reset.
    let log = std::fs::read_to_string(tmp.path().join("scheduler.log")).unwrap();
    if std::env::var_os("CRISP_SHOW_LOGS").is_some() {
        eprintln!("--- scheduler\n{log}");
    }
    assert!(
        log.contains("lost Executor"),
        "the scheduler never reported the killed executor lost:\n{log}"
    );
}
