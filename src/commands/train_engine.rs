//! `crisp train --engine URL`: gbdt trained on a DataFusion Ballista cluster. The rows stay
//! on the executors; crisp-distributed's driver program (`crisp-ballista-train`, launched as a
//! separate process so that DataFusion stays out of this binary) grows the trees with one
//! histogram query per level. This side fits what a sample tells (task, classes, the
//! pass-through pipeline), evaluates on --test-data and writes the usual artifact and report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crisp_artifact::DataInfo;
use crisp_core::{bail, read_table, Error, Result};
use crisp_distributed::{TrainJob, TrainedGbdt};
use crisp_train::{ClusterConfig, ClusterFit, TrainConfig, TrainedModel};
use serde_json::json;

use super::train::{finish_with, one_fit, OneFit};
use crate::cli::TrainArgs;
use crate::tracking::Tracking;

/// Rows of the sample the task, classes and pipeline are found on.
const SAMPLE_ROWS: usize = 200_000;

/// The files of `data`: itself, or the Parquet files of a directory (sorted by name).
fn data_files(data: &Path) -> Result<Vec<PathBuf>> {
    if !data.is_dir() {
        return Ok(vec![data.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(data)
        .map_err(|e| Error::data_file(data, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        bail!(Config: "{}: the directory holds no .parquet file", data.display());
    }
    Ok(files)
}

/// One fingerprint for every file of the data, in name order.
fn fingerprint(files: &[PathBuf]) -> Result<String> {
    if let [one] = files {
        return crisp_core::fingerprint_file(one);
    }
    let parts = files
        .iter()
        .map(|f| crisp_core::fingerprint_file(f))
        .collect::<Result<Vec<_>>>()?;
    Ok(format!(
        "{:016x}",
        xxhash_rust::xxh3::xxh3_64(parts.join(",").as_bytes())
    ))
}

pub fn run(args: &TrainArgs, engine: &str, tracking: &Tracking) -> Result<ExitCode> {
    let read = args.read.options()?;
    let OneFit {
        config,
        target,
        task,
        seed,
        model,
    } = one_fit(
        args,
        "--engine",
        "--engine trains where the rows are, but [label] runs here; label the data first (`crisp label`)",
    )?;
    if config.features.is_some() {
        bail!(Config: "--engine trains on the numeric columns as they are; a [features] pipeline would have to run on the cluster (drop it from the config)");
    }
    let Some(test_path) = &args.test_data else {
        bail!(Config: "--engine trains on every row of --data; give --test-data FILE to evaluate the model");
    };
    // Executors read the data at this path: give them an absolute one.
    let data = std::fs::canonicalize(&args.data).map_err(|e| Error::data_file(&args.data, e))?;
    let files = data_files(&data)?;
    let sample_file = crisp_core::DataFile::check_with(&files[0], &read)?;
    let source = args.data.display().to_string();
    let sample = sample_file.sample(SAMPLE_ROWS)?.frame;
    let test_source = test_path.display().to_string();
    let test = read_table(test_path, &read)?.frame;
    let cluster = ClusterConfig {
        target: target.clone(),
        task,
        model: model.clone(),
        seed,
        test: (test, test_source.clone()),
    };
    let mut answer = None;
    let run = crisp_train::train_on_cluster(&sample, &source, &cluster, |request| {
        let job = TrainJob {
            engine: engine.to_string(),
            data: data.clone(),
            features: request.features.clone(),
            target: request.target.clone(),
            classification: request.classification,
            params: request.params.clone(),
            seed: request.seed,
        };
        let out = crisp_distributed::launch(&job).map_err(Error::model)?;
        answer = Some((out.rows, out.histogram_queries, out.seconds));
        let model = match out.model {
            TrainedGbdt::Classifier(m) => TrainedModel::GbdtClassifier(m),
            TrainedGbdt::Regressor(m) => TrainedModel::GbdtRegressor(m),
        };
        Ok(ClusterFit {
            model,
            rows: out.rows as usize,
        })
    })?;
    let (rows, queries, (edges, boosting)) = answer.expect("the cluster answered");
    println!(
        "trained on {engine}: {rows} rows of {source} in {queries} histogram queries ({edges:.1} s for the bin edges, {boosting:.1} s boosting)"
    );
    let data_info = DataInfo {
        source: source.clone(),
        fingerprint: fingerprint(&files)?,
        rows: rows as usize,
    };
    let mut train_config = TrainConfig::new(target).seed(seed).model(model);
    train_config.task = task;
    let mut extra = serde_json::Map::new();
    extra.insert(
        "engine".into(),
        json!({
            "url": engine,
            "rows": rows,
            "files": files.len(),
            "histogram_queries": queries,
            "seconds_bin_edges": edges,
            "seconds_boosting": boosting,
        }),
    );
    finish_with(
        args,
        data_info,
        &train_config,
        &run,
        extra,
        tracking,
        "test_data",
        test_source,
    )?;
    Ok(ExitCode::SUCCESS)
}
