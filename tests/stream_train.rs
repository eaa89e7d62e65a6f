//! `crisp train --stream` (issue 17, part 1): the histogram trees trained on a file read twice
//! in batches, against the in-memory fit on the same rows, and its peak memory against the
//! in-memory path's on a generated file.

use crate::util::{dataset, metric, Dir};

/// `crisp train` on `data` for `target` with `extra` arguments; returns the report.
fn train(dir: &Dir, data: &str, target: &str, report: &str, extra: &[&str]) -> serde_json::Value {
    let mut more = vec!["--report", report, "--out"];
    let out = report.replace(".json", ".crisp");
    more.push(&out);
    more.extend_from_slice(extra);
    dir.train(data, target, &more).ok();
    dir.json(report)
}

#[test]
fn streamed_gbdt_matches_the_in_memory_fit_on_adult() {
    let dir = Dir::new();
    let (data, test) = (dataset("adult.csv"), dataset("adult_test.csv"));
    let (data, test) = (data.to_str().unwrap(), test.to_str().unwrap());
    let memory = train(&dir, data, "income", "memory.json", &["--test-data", test]);
    // The default sample (200 000 rows) holds every row of adult.csv: same pipeline, same bin
    // edges, same trees.
    let whole = train(
        &dir,
        data,
        "income",
        "whole.json",
        &["--test-data", test, "--stream"],
    );
    // A sample of every 7th row: the pipeline and the bin edges come from 4 652 rows.
    let sampled = train(
        &dir,
        data,
        "income",
        "sampled.json",
        &["--test-data", test, "--stream", "--fit-rows", "5000"],
    );
    assert_eq!(whole["model"], "gbdt");
    assert_eq!(whole["rows_train"], memory["rows_train"]);
    assert_eq!(whole["stream"]["sample_stride"], 1);
    assert_eq!(sampled["stream"]["sample_stride"], 7);
    for name in ["accuracy", "roc_auc"] {
        let (m, w, s) = (
            metric(&memory, name),
            metric(&whole, name),
            metric(&sampled, name),
        );
        eprintln!("adult {name}: in memory {m}, streamed {w}, streamed on a sample {s}");
        assert!((m - w).abs() < 1e-9, "{name}: in memory {m}, streamed {w}");
        // Sample quantiles against quantiles of every row (see README, "Training on data
        // larger than memory").
        assert!(
            (m - s).abs() < 0.01,
            "{name}: in memory {m}, streamed on a sample {s}"
        );
    }
    assert!(metric(&sampled, "accuracy") > 0.86);
    // The artifact predicts like any other.
    dir.crisp([
        "predict",
        "--model",
        "sampled.crisp",
        "--data",
        test,
        "--out",
        "p.csv",
    ])
    .ok();
    assert_eq!(dir.frame("p.csv").height(), 16281);
}

/// diamonds.csv split into every 5th row (test) and the others (train).
fn diamonds_split(dir: &Dir) -> (String, String) {
    let text = std::fs::read_to_string(dataset("diamonds.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (mut train, mut test) = (vec![header], vec![header]);
    for (i, line) in lines.enumerate() {
        if i % 5 == 0 {
            test.push(line);
        } else {
            train.push(line);
        }
    }
    let train = dir.create("train.csv", train.join("\n") + "\n");
    let test = dir.create("test.csv", test.join("\n") + "\n");
    (
        train.to_str().unwrap().to_string(),
        test.to_str().unwrap().to_string(),
    )
}

#[test]
fn streamed_forest_and_tree_regress_diamonds_like_in_memory() {
    let dir = Dir::new();
    let (data, test) = diamonds_split(&dir);
    for (model, params) in [
        ("random_forest", "n_trees=20"),
        ("decision_tree", "max_depth=10"),
    ] {
        let common = ["--test-data", &test, "--model", model, "--param", params];
        let memory = train(&dir, &data, "price", "memory.json", &common);
        let mut extra = common.to_vec();
        extra.extend(["--stream", "--fit-rows", "10000"]);
        let streamed = train(&dir, &data, "price", "streamed.json", &extra);
        let (m, s) = (metric(&memory, "r2"), metric(&streamed, "r2"));
        eprintln!("diamonds {model} r2: in memory {m}, streamed {s}");
        assert!(s > 0.95, "{model}: streamed r2 {s}");
        assert!(
            (m - s).abs() < 0.005,
            "{model}: r2 in memory {m}, streamed {s}"
        );
        let (m, s) = (metric(&memory, "rmse"), metric(&streamed, "rmse"));
        assert!(
            (s / m - 1.0).abs() < 0.05,
            "{model}: rmse in memory {m}, streamed {s}"
        );
    }
}

#[test]
fn streamed_holdout_is_a_seeded_hash_of_the_row_number() {
    let dir = Dir::new();
    let data = dataset("adult.csv");
    let report = train(
        &dir,
        data.to_str().unwrap(),
        "income",
        "r.json",
        &["--stream", "--test-fraction", "0.25", "--seed", "7"],
    );
    let rows: usize = 32561;
    let held = (0..rows)
        .filter(|&r| crisp::train::is_held_out(r, 0.25, 7))
        .count();
    assert_eq!(report["rows_test"].as_u64().unwrap() as usize, held);
    assert_eq!(report["rows_train"].as_u64().unwrap() as usize, rows - held);
    assert!((held as f64 / rows as f64 - 0.25).abs() < 0.01, "{held}");
    assert!(metric(&report, "accuracy") > 0.86);
    assert_eq!(report["evaluation"], "holdout");
    assert_eq!(report["refit"], false);
}

#[test]
fn stream_refuses_what_it_cannot_do() {
    let dir = Dir::new();
    let data = dataset("adult.csv");
    let data = data.to_str().unwrap();
    dir.train(
        data,
        "income",
        &["--stream", "--model", "logistic_regression"],
    )
    .code(2)
    .error(&["logistic_regression", "gbdt, random_forest, decision_tree"]);
    dir.train(data, "income", &["--stream", "--cv", "3"])
        .code(2)
        .error(&["--stream", "--cv"]);
    dir.train(data, "income", &["--stream", "--class-weight", "balanced"])
        .code(2)
        .error(&["--stream", "--class-weight"]);
    dir.train(data, "income", &["--fit-rows", "100"]).code(2);
}

#[cfg(target_os = "linux")]
/// A synthetic regression file of `rows` rows and `features` numeric columns.
fn synthetic(dir: &Dir, rows: usize, features: usize) -> std::path::PathBuf {
    let path = dir.path("big.csv");
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let names: Vec<String> = (0..features).map(|f| format!("x{f}")).collect();
    writeln!(out, "{},y", names.join(",")).unwrap();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..rows {
        let x: Vec<f64> = (0..features).map(|_| next()).collect();
        let y = 3.0 * x[0] + (6.0 * x[1]).sin() + x[2] * x[3] + 0.1 * next();
        let cells: Vec<String> = x.iter().map(|v| format!("{v:.5}")).collect();
        writeln!(out, "{},{y:.5}", cells.join(",")).unwrap();
    }
    out.flush().unwrap();
    path
}

#[cfg(target_os = "linux")]
/// `crisp train` of gbdt (10 rounds) on a [`synthetic`] file: in memory to `memory.json` and
/// `memory.crisp`, or with `--stream --fit-rows 20000` to `streamed.json` and `streamed.crisp`.
fn synthetic_train(data: &str, streamed: bool) -> Vec<&str> {
    let (report, out) = if streamed {
        ("streamed.json", "streamed.crisp")
    } else {
        ("memory.json", "memory.crisp")
    };
    let mut args = vec![
        "train",
        "--data",
        data,
        "--target",
        "y",
        "--param",
        "n_rounds=10",
        "--param",
        "learning_rate=0.3",
        "--report",
        report,
        "--out",
        out,
    ];
    if streamed {
        args.extend(["--stream", "--fit-rows", "20000"]);
    }
    args
}

#[cfg(target_os = "linux")]
/// The peak resident memory crisp reports for its run (VmHWM, Linux), in KiB. Measured by the
/// process itself: `ru_maxrss` of a child forked from this test process would count the test
/// process's own memory too (the kernel keeps the larger of the two across `exec`).
fn peak_rss_kib(dir: &Dir, args: &[&str]) -> i64 {
    let report = args[args.iter().position(|a| *a == "--report").unwrap() + 1];
    dir.crisp(args).ok();
    let bytes = dir.json(report)["peak_rss_bytes"]
        .as_i64()
        .expect("peak_rss_bytes in the report (Linux)");
    bytes / 1024
}

#[test]
#[cfg(target_os = "linux")]
fn streamed_training_peaks_far_below_the_in_memory_fit() {
    let dir = Dir::new();
    // 300 000 rows of 20 features: about 40 MB of CSV, 48 MB as f64 values.
    let data = synthetic(&dir, 300_000, 20);
    let data = data.to_str().unwrap();
    let memory = synthetic_train(data, false);
    let streamed = synthetic_train(data, true);
    let memory_kib = peak_rss_kib(&dir, &memory);
    let streamed_kib = peak_rss_kib(&dir, &streamed);
    eprintln!("peak RSS: in memory {memory_kib} KiB, streamed {streamed_kib} KiB");
    assert!(
        (streamed_kib as f64) < 0.5 * memory_kib as f64,
        "streamed {streamed_kib} KiB against {memory_kib} KiB in memory"
    );
    let (m, s) = (
        metric(&dir.json("memory.json"), "r2"),
        metric(&dir.json("streamed.json"), "r2"),
    );
    assert!(
        s > 0.9 && (m - s).abs() < 0.02,
        "r2 in memory {m}, streamed {s}"
    );
}

#[test]
fn streamed_parquet_trains_like_streamed_csv_on_penguins() {
    // Multiclass, with missing values and text categories; Parquet row groups of 50 rows, so
    // that the batches cross them.
    use polars::prelude::ParquetWriter;
    let dir = Dir::new();
    let csv = dataset("penguins.csv");
    let mut frame = crisp_core::read_csv(&csv).unwrap().frame;
    let parquet = dir.path("penguins.parquet");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .with_row_group_size(Some(50))
        .finish(&mut frame)
        .unwrap();
    let args = ["--stream", "--fit-rows", "100", "--seed", "3"];
    let from_csv = train(&dir, csv.to_str().unwrap(), "species", "csv.json", &args);
    let from_parquet = train(
        &dir,
        parquet.to_str().unwrap(),
        "species",
        "parquet.json",
        &args,
    );
    assert_eq!(from_csv["metrics"], from_parquet["metrics"]);
    assert_eq!(from_csv["rows_train"], from_parquet["rows_train"]);
    assert_eq!(from_csv["stream"]["sample_stride"], 4);
    let accuracy = metric(&from_parquet, "accuracy");
    assert!(accuracy > 0.9, "penguins accuracy {accuracy}");
}

#[cfg(target_os = "linux")]
/// A memory limit for one `crisp` process: a memory cgroup (v2 or v1) when this machine lets
/// the test make one (what counts there is resident memory and page cache), else an
/// address-space rlimit (`ulimit -v`), which also counts the mapped binary and every thread's
/// reserved stack, so it must be set higher.
enum MemoryLimit {
    Cgroup {
        dir: std::path::PathBuf,
        procs: std::path::PathBuf,
    },
    AddressSpace(u64),
}

#[cfg(target_os = "linux")]
impl MemoryLimit {
    /// A cgroup limited to `bytes` (and to no swap), if one can be made.
    fn cgroup(bytes: u64) -> Option<MemoryLimit> {
        use std::fs;
        let name = format!("crisp-test-{}", std::process::id());
        let v2 = std::path::Path::new("/sys/fs/cgroup");
        if fs::read_to_string(v2.join("cgroup.controllers")).is_ok_and(|c| c.contains("memory")) {
            let dir = v2.join(&name);
            if fs::create_dir(&dir).is_ok() {
                let limited = fs::write(dir.join("memory.max"), bytes.to_string()).is_ok();
                let _ = fs::write(dir.join("memory.swap.max"), "0");
                if limited {
                    return Some(MemoryLimit::Cgroup {
                        procs: dir.join("cgroup.procs"),
                        dir,
                    });
                }
                let _ = fs::remove_dir(&dir);
            }
        }
        let dir = std::path::Path::new("/sys/fs/cgroup/memory").join(&name);
        if fs::create_dir(&dir).is_ok() {
            if fs::write(dir.join("memory.limit_in_bytes"), bytes.to_string()).is_ok() {
                // Without swap accounting this file is absent and swap is not used by default.
                let _ = fs::write(dir.join("memory.memsw.limit_in_bytes"), bytes.to_string());
                return Some(MemoryLimit::Cgroup {
                    procs: dir.join("cgroup.procs"),
                    dir,
                });
            }
            let _ = fs::remove_dir(&dir);
        }
        None
    }

    /// `crisp args` in `dir` under this limit.
    fn run(&self, dir: &Dir, args: &[&str]) -> std::process::Output {
        use std::os::unix::process::CommandExt;
        let crisp = env!("CARGO_BIN_EXE_crisp");
        let mut cmd = match self {
            // The shell moves itself into the group, then becomes crisp.
            MemoryLimit::Cgroup { procs, .. } => {
                let mut c = std::process::Command::new("sh");
                c.arg("-c")
                    .arg(format!(
                        "echo $$ > '{}' && exec \"$0\" \"$@\"",
                        procs.display()
                    ))
                    .arg(crisp);
                c
            }
            MemoryLimit::AddressSpace(bytes) => {
                let bytes = *bytes;
                let mut c = std::process::Command::new(crisp);
                // Fewer malloc arenas: each reserves 64 MiB of address space.
                c.env("MALLOC_ARENA_MAX", "2");
                // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
                unsafe {
                    c.pre_exec(move || {
                        let limit = libc::rlimit {
                            rlim_cur: bytes,
                            rlim_max: bytes,
                        };
                        if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                            Ok(())
                        } else {
                            Err(std::io::Error::last_os_error())
                        }
                    });
                }
                c
            }
        };
        cmd.args(args)
            .current_dir(dir.path("."))
            .env_remove("RUST_LOG");
        cmd.output().expect("run crisp")
    }
}

#[cfg(target_os = "linux")]
impl Drop for MemoryLimit {
    fn drop(&mut self) {
        if let MemoryLimit::Cgroup { dir, .. } = self {
            // Its processes have exited; an empty group can be removed.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

#[test]
#[cfg(target_os = "linux")]
fn streamed_training_runs_under_a_memory_limit_smaller_than_its_file() {
    const MIB: u64 = 1 << 20;
    let dir = Dir::new();
    // CRISP_TEST_RLIMIT=1 takes the rlimit path where a cgroup could be made.
    let cgroup = if std::env::var_os("CRISP_TEST_RLIMIT").is_some() {
        None
    } else {
        MemoryLimit::cgroup(180 * MIB)
    };
    let (limit, rows) = match cgroup {
        // 1.5M rows of 20 features: a 250 MB CSV, 240 MB as f64 values.
        Some(l) => (l, 1_500_000),
        None => {
            // The address space holds the mapped binary besides the data.
            let binary = std::fs::metadata(env!("CARGO_BIN_EXE_crisp"))
                .unwrap()
                .len();
            let bytes = binary + 160 * MIB;
            // About 168 bytes a row: a file 15% larger than the limit.
            (
                MemoryLimit::AddressSpace(bytes),
                (bytes as f64 * 1.15 / 168.0) as usize,
            )
        }
    };
    let data = synthetic(&dir, rows, 20);
    let file_bytes = std::fs::metadata(&data).unwrap().len();
    let allowed = match &limit {
        MemoryLimit::Cgroup { .. } => 180 * MIB,
        MemoryLimit::AddressSpace(b) => *b,
    };
    assert!(
        file_bytes > allowed,
        "the file ({file_bytes} B) must exceed the limit ({allowed} B)"
    );
    let data = data.to_str().unwrap();
    let streamed = synthetic_train(data, true);
    let out = limit.run(&dir, &streamed);
    assert!(
        out.status.success(),
        "streamed training failed under the limit: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(metric(&dir.json("streamed.json"), "r2") > 0.9);
    // The limit binds: the in-memory path cannot train under it.
    let out = limit.run(&dir, &synthetic_train(data, false));
    assert!(
        !out.status.success(),
        "the in-memory fit trained under the limit too"
    );
    assert!(
        !dir.path("memory.crisp").exists(),
        "a half-written artifact was left"
    );
}
