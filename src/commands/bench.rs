//! `crisp bench features`: how long a feature pipeline takes to fit and apply, step by step,
//! on real data (median of `--repeat` runs), with throughput and peak memory.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use crisp_core::{is_parquet, parse_csv_with, read_table, Error, Result};
use polars::prelude::DataFrame;
use serde_json::{json, Value};

use crate::cli::ReadArgs;
use crate::commands::features::{load_pipeline, FeatureConfig};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time each step of a feature pipeline: fit and apply, total, rows/s, MB/s, peak memory.
    Features(BenchFeaturesArgs),
}

#[derive(Debug, Args)]
pub struct BenchFeaturesArgs {
    /// Pipeline TOML with [[features.steps]] (the `crisp train --config` format).
    #[arg(long, value_name = "TOML")]
    pub config: PathBuf,
    /// Data to fit and transform (CSV with a header row, or Parquet).
    #[arg(long, value_name = "CSV")]
    pub data: PathBuf,
    /// Target column (default: `target` of the config).
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
    /// Runs to take the median of.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub repeat: usize,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub read: ReadArgs,
}

pub fn run(command: &BenchCommand) -> Result<Value> {
    match command {
        BenchCommand::Features(args) => features(args),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A memory figure of this process in bytes from /proc/self/status (`VmHWM`: peak resident
/// set; `VmRSS`: current), where the OS reports it.
fn memory_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line[field.len()..]
        .trim_start_matches(':')
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

fn features(args: &BenchFeaturesArgs) -> Result<Value> {
    if args.repeat == 0 {
        return Err(Error::config("--repeat must be at least 1"));
    }
    let read = args.read.options()?;
    let baseline = memory_bytes("VmRSS");
    let FeatureConfig {
        spec,
        target,
        label,
    } = load_pipeline(&args.config, args.target.as_deref())?;
    let source = args.data.display().to_string();
    let mut read_times = Vec::new();
    let mut fit_transform_times = Vec::new();
    let mut transform_times = Vec::new();
    let mut step_fit: Vec<Vec<f64>> = vec![Vec::new(); spec.steps.len()];
    let mut step_apply: Vec<Vec<f64>> = vec![Vec::new(); spec.steps.len()];
    let mut step_names = Vec::new();
    let mut shape = (0, 0, 0, 0u64);
    let mut input_bytes = 0u64;
    let mut peak_after_read = None;
    let mut peak_after_fit_transform = None;
    // The file read as `crisp features` reads it (one contiguous chunk per column), then
    // labeled; returns the frame, the file's size and the seconds the read took (labeling
    // comes before the feature step and is not part of its cost).
    let read_frame = || -> Result<(DataFrame, u64, f64)> {
        let started = Instant::now();
        let (mut frame, size) = if is_parquet(&args.data) {
            let size = std::fs::metadata(&args.data).map_or(0, |m| m.len());
            (read_table(&args.data, &read)?.frame, size)
        } else {
            let bytes = std::fs::read(&args.data).map_err(|e| Error::data_file(&args.data, e))?;
            let frame = parse_csv_with(&bytes, &source, &read)?;
            (frame, bytes.len() as u64)
        };
        frame.rechunk_mut_par();
        let seconds = started.elapsed().as_secs_f64();
        if let Some(label) = &label {
            frame = label.apply(&frame).map_err(|e| e.context(&source))?.0;
        }
        Ok((frame, size, seconds))
    };
    for run in 0..args.repeat {
        let (frame, size, seconds) = read_frame()?;
        input_bytes = size;
        read_times.push(seconds);
        if run == 0 {
            // How much of the peak the CSV read alone reaches (first run, nothing else yet).
            peak_after_read = memory_bytes("VmHWM");
        }

        if let Some(t) = target.as_deref() {
            crisp_core::require_column(&frame, t, &source)?;
        }
        let (rows, columns) = (frame.height(), frame.width());
        let started = Instant::now();
        // As `crisp features` does: the frame is given up, so that its columns are freed as
        // the steps replace them (the peak memory measured is the command's).
        let (pipeline, out, timings) = spec
            .fit_transform_owned(frame, target.as_deref().unwrap_or(""))
            .map_err(|e| e.context(&source))?;
        fit_transform_times.push(started.elapsed().as_secs_f64());
        for (i, t) in timings.iter().enumerate() {
            step_fit[i].push(t.fit_seconds);
            step_apply[i].push(t.apply_seconds);
        }
        step_names = timings.iter().map(|t| t.name.clone()).collect();
        shape = (rows, columns, out.width(), out.estimated_size() as u64);
        drop(out);
        if run == 0 {
            // The peak of what `crisp features` does (read, fit+transform), before the
            // separate timing of the fitted transform below reads the file again.
            peak_after_fit_transform = memory_bytes("VmHWM");
        }

        // The transform of new rows is timed on a fresh read of the file (not timed).
        let (frame, _, _) = read_frame()?;
        let started = Instant::now();
        let applied = pipeline.transform(&frame, &source)?;
        transform_times.push(started.elapsed().as_secs_f64());
        drop(applied);
    }
    let (rows, columns, out_columns, out_bytes) = shape;
    let fit_transform = median(fit_transform_times);
    let read = median(read_times);
    let transform = median(transform_times);
    let steps: Vec<Value> = step_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "step": i + 1,
                "kind": name,
                "fit_seconds": median(step_fit[i].clone()),
                "apply_seconds": median(step_apply[i].clone()),
            })
        })
        .collect();
    let per_second = |x: f64| {
        if fit_transform > 0.0 {
            x / fit_transform
        } else {
            0.0
        }
    };
    let peak = memory_bytes("VmHWM");
    let report = json!({
        "data": source,
        "config": args.config.display().to_string(),
        "repeat": args.repeat,
        "rows": rows,
        "input_columns": columns,
        "input_bytes": input_bytes,
        "output_columns": out_columns,
        "output_bytes": out_bytes,
        "steps": steps,
        "read_seconds": read,
        "fit_transform_seconds": fit_transform,
        "transform_seconds": transform,
        "end_to_end_seconds": read + fit_transform,
        "rows_per_second": per_second(rows as f64),
        "mb_per_second": per_second(input_bytes as f64 / 1e6),
        "peak_memory_bytes": peak,
        "peak_memory_after_read_bytes": peak_after_read,
        "peak_memory_fit_transform_bytes": peak_after_fit_transform,
        "baseline_memory_bytes": baseline,
    });
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("JSON values always serialize")
        );
    } else {
        print!("{}", table(&report));
    }
    Ok(report)
}

fn table(r: &Value) -> String {
    let mut out = format!(
        "{}: {} rows x {} columns ({:.1} MB), {} step{}, median of {} run{}\n\n",
        r["data"].as_str().unwrap_or(""),
        r["rows"],
        r["input_columns"],
        r["input_bytes"].as_f64().unwrap_or(0.0) / 1e6,
        r["steps"].as_array().map_or(0, Vec::len),
        if r["steps"].as_array().map_or(0, Vec::len) == 1 {
            ""
        } else {
            "s"
        },
        r["repeat"],
        if r["repeat"] == 1 { "" } else { "s" },
    );
    out.push_str(&format!(
        "{:>4}  {:<18} {:>12} {:>12}\n",
        "step", "kind", "fit ms", "apply ms"
    ));
    let ms = |v: &Value| v.as_f64().unwrap_or(0.0) * 1e3;
    for s in r["steps"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{:>4}  {:<18} {:>12.2} {:>12.2}\n",
            s["step"].as_u64().unwrap_or(0),
            s["kind"].as_str().unwrap_or(""),
            ms(&s["fit_seconds"]),
            ms(&s["apply_seconds"])
        ));
    }
    out.push('\n');
    let line = |name: &str, value: String| format!("{name:<24} {value}\n");
    out.push_str(&line(
        "fit + transform",
        format!("{:.2} ms", ms(&r["fit_transform_seconds"])),
    ));
    out.push_str(&line(
        "transform (fitted)",
        format!("{:.2} ms", ms(&r["transform_seconds"])),
    ));
    out.push_str(&line(
        "CSV read",
        format!("{:.2} ms", ms(&r["read_seconds"])),
    ));
    out.push_str(&line(
        "end to end",
        format!("{:.2} ms", ms(&r["end_to_end_seconds"])),
    ));
    out.push_str(&line(
        "rows/s",
        format!("{:.0}", r["rows_per_second"].as_f64().unwrap_or(0.0)),
    ));
    out.push_str(&line(
        "MB/s (input)",
        format!("{:.1}", r["mb_per_second"].as_f64().unwrap_or(0.0)),
    ));
    out.push_str(&line(
        "output",
        format!(
            "{} columns, {:.1} MB",
            r["output_columns"],
            r["output_bytes"].as_f64().unwrap_or(0.0) / 1e6
        ),
    ));
    out.push_str(&line(
        "peak memory",
        match (
            r["peak_memory_bytes"].as_f64(),
            r["baseline_memory_bytes"].as_f64(),
        ) {
            (Some(peak), Some(base)) => format!(
                "{:.1} MB ({:.1} MB above the {:.1} MB before reading the data)",
                peak / 1e6,
                (peak - base) / 1e6,
                base / 1e6
            ),
            (Some(peak), None) => format!("{:.1} MB", peak / 1e6),
            _ => "n/a".into(),
        },
    ));
    if let Some(peak) = r["peak_memory_fit_transform_bytes"].as_f64() {
        out.push_str(&line(
            "peak, read + fit",
            format!(
                "{:.1} MB (first run, before the fitted transform is timed)",
                peak / 1e6
            ),
        ));
    }
    out
}
