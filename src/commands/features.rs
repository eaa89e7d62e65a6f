//! `crisp features`: fit the `[features]` pipeline of a pipeline TOML on a CSV or Parquet file (or take
//! the fitted pipeline of a model artifact) and write the transformed frame (CSV or Parquet),
//! the target carried through unchanged.
//!
//! Three ways to run, one output: in memory (fit on every row, the default); fitted on an
//! evenly spread sample (`--fit-rows`) with every row then transformed in streamed batches;
//! or an artifact's pipeline applied in streamed batches (`--model`). Streamed runs hold only
//! the sample and a few batches in memory, so files larger than memory can be transformed.

use std::path::{Path, PathBuf};

use clap::Args;
use crisp_core::{
    bail, ensure, read_table, require_column, write_atomic_with, DataFile, ReadOptions, Result,
};
use crisp_features::{FittedPipeline, PipelineSpec, StreamOptions, TrainingRows};
use crisp_label::LabelSpec;
use polars::prelude::DataFrame;

use crate::cli::ReadArgs;
use crate::commands::output::{output_format, write_frame, BatchWriter, OutputFormat};
use crate::config::PipelineConfig;

#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// Pipeline TOML with [[features.steps]] (the `crisp train --config` format) to fit.
    #[arg(long, value_name = "TOML", required_unless_present = "model")]
    pub config: Option<PathBuf>,
    /// Apply the fitted pipeline of this model artifact instead of fitting one (streamed).
    #[arg(long, value_name = "ARTIFACT", conflicts_with_all = ["config", "fit_rows"])]
    pub model: Option<PathBuf>,
    /// Data to fit the pipeline on and transform (CSV with a header row, or Parquet).
    #[arg(long, value_name = "CSV")]
    pub data: PathBuf,
    /// Where to write the features: `.csv` or `.parquet`.
    #[arg(long, value_name = "CSV|PARQUET")]
    pub out: PathBuf,
    /// Target column (default: `target` of the config, or of the artifact's model); needed by
    /// target_encode, carried through to the output unchanged.
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
    /// Fit on at most N rows spread evenly over the file (every k-th row), then transform
    /// every row in streamed batches: for files larger than memory. Rows that were fitted on
    /// get the same features as in an in-memory run on those rows (out-of-fold encodings).
    #[arg(long, value_name = "N")]
    pub fit_rows: Option<usize>,
    /// About N rows per streamed batch (with --fit-rows or --model; rounded up to a multiple
    /// of 64 rows, the file's record checkpoints).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub batch_rows: usize,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// What `crisp features` produced.
pub struct FeaturesRun {
    pub pipeline: FittedPipeline,
    /// The written frame (features, then the target when there is one); empty columns-only
    /// frame for streamed runs, which never hold the whole output.
    pub frame: DataFrame,
}

/// The feature section of a pipeline TOML: its steps, target and labeling rules.
pub struct FeatureConfig {
    pub spec: PipelineSpec,
    /// `--target`, else the config's `target`, else the `[label]` section's target.
    pub target: Option<String>,
    pub label: Option<LabelSpec>,
}

/// The pipeline, target and `[label]` declared by `config_path`, `--target` overriding the
/// config's target.
pub fn load_pipeline(config_path: &Path, target_flag: Option<&str>) -> Result<FeatureConfig> {
    let config = PipelineConfig::load(config_path)?;
    let Some(spec) = config.features else {
        bail!(Config: "{}: no [[features.steps]] to fit; declare the feature pipeline there", config_path.display());
    };
    if spec.steps.is_empty() {
        bail!(Config: "{}: [features] has no steps", config_path.display());
    }
    let target = target_flag
        .map(str::to_string)
        .or(config.target)
        .or_else(|| config.label.as_ref().map(|l| l.target().to_string()));
    Ok(FeatureConfig {
        spec,
        target,
        label: config.label,
    })
}

/// Fit `spec` on `frame`, returning the fitted pipeline and the training features with the
/// target (if any) appended unchanged. `source` names the data in errors. The frame is given
/// up so that each input column is freed once a step has replaced it.
pub fn fit_frame(
    spec: &PipelineSpec,
    frame: DataFrame,
    target: Option<&str>,
    source: &str,
) -> Result<FeaturesRun> {
    let target_column = match target {
        Some(t) => Some(require_column(&frame, t, source)?.clone()),
        None => None,
    };
    // With no target, give the pipeline a name no column has: every column is an input.
    let target_name = target.unwrap_or("");
    let (pipeline, mut out, _) = spec
        .fit_transform_owned(frame, target_name)
        .map_err(|e| e.context(source))?;
    if let Some(column) = target_column {
        out.with_column(column)?;
    }
    Ok(FeaturesRun {
        pipeline,
        frame: out,
    })
}

pub fn run(args: &FeaturesArgs) -> Result<FeaturesRun> {
    let format = output_format(&args.out)?;
    ensure!(args.batch_rows >= 1, Config: "--batch-rows must be at least 1");
    ensure!(args.fit_rows != Some(0), Config: "--fit-rows must be at least 1");
    let read = args.read.options()?;
    let source = args.data.display().to_string();
    if let Some(model) = &args.model {
        return apply_artifact(args, model, format, &read);
    }
    let config_path = args
        .config
        .as_deref()
        .expect("clap requires --config without --model");
    let mut config = load_pipeline(config_path, args.target.as_deref())?;
    if let Some(label) = &mut config.label {
        label.read = read;
    }
    let target = config.target.as_deref();
    if let Some(fit_rows) = args.fit_rows {
        if config.label.is_some() {
            bail!(Config: "{}: [label] needs the whole file in memory; label it first (`crisp label`) or run without --fit-rows", config_path.display());
        }
        return fit_sample_and_stream(args, &config.spec, target, fit_rows, format, &read);
    }

    let mut data = read_table(&args.data, &read)?;
    if let Some(label) = &config.label {
        data.frame = label.apply(&data.frame).map_err(|e| e.context(&source))?.0;
    }
    // One contiguous chunk per column: faster aggregations, and the multi-chunk copy is freed.
    data.frame.rechunk_mut_par();
    let rows = data.frame.height();
    let mut run = fit_frame(&config.spec, data.frame, target, &source)?;
    write_frame(&args.out, format, &mut run.frame)?;
    let headline = format!("fitted {} on {rows} rows of {source}", steps(&run.pipeline));
    report(&run.pipeline, &headline, target, &args.out);
    Ok(run)
}

/// `--fit-rows`: fit on an evenly spread sample, then stream every row through the pipeline.
fn fit_sample_and_stream(
    args: &FeaturesArgs,
    spec: &PipelineSpec,
    target: Option<&str>,
    fit_rows: usize,
    format: OutputFormat,
    read: &ReadOptions,
) -> Result<FeaturesRun> {
    let file = DataFile::check_with(&args.data, read)?;
    let source = file.source();
    let sample = file.sample(fit_rows)?;
    let (fitted_rows, stride) = (sample.frame.height(), sample.stride);
    let fitted = fit_frame(spec, sample.frame, target, &source)?;
    let training = spec.is_supervised().then(|| TrainingRows {
        stride: sample.stride,
        features: fitted
            .frame
            .select(fitted.pipeline.features.iter().map(String::as_str))
            .expect("fit_transform gives every feature column"),
    });
    let carry: Vec<String> = target.map(str::to_string).into_iter().collect();
    let rows = stream(
        &fitted.pipeline,
        &file,
        carry,
        training.as_ref(),
        args,
        format,
    )?;
    let headline = format!(
        "fitted {} on {fitted_rows} rows ({}) of {source} and applied them to its {rows} rows",
        steps(&fitted.pipeline),
        every(stride)
    );
    report(&fitted.pipeline, &headline, target, &args.out);
    Ok(FeaturesRun {
        frame: fitted.frame.clear(),
        pipeline: fitted.pipeline,
    })
}

/// "every row", "every 3rd row"... for a sample's stride.
fn every(stride: usize) -> String {
    match stride {
        1 => "every row".into(),
        2 => "every 2nd row".into(),
        3 => "every 3rd row".into(),
        k => format!("every {k}th row"),
    }
}

/// "3 feature steps".
fn steps(pipeline: &FittedPipeline) -> String {
    let n = pipeline.steps.len();
    format!("{n} feature step{}", if n == 1 { "" } else { "s" })
}

/// `--model`: apply an artifact's fitted pipeline to every row in streamed batches.
fn apply_artifact(
    args: &FeaturesArgs,
    model: &Path,
    format: OutputFormat,
    read: &ReadOptions,
) -> Result<FeaturesRun> {
    let artifact = super::read_artifact(model)?;
    let pipeline = artifact.model.pipeline;
    let file = DataFile::check_with(&args.data, read)?;
    // The target is carried when asked for, or when the file has the model's target column.
    let target = match &args.target {
        Some(t) => Some(t.clone()),
        None => file
            .header()
            .contains(&artifact.model.target.name)
            .then(|| artifact.model.target.name.clone()),
    };
    let carry: Vec<String> = target.clone().into_iter().collect();
    let rows = stream(&pipeline, &file, carry, None, args, format)?;
    let headline = format!(
        "applied the {} of {} to {rows} rows of {}",
        steps(&pipeline),
        model.display(),
        file.source()
    );
    report(&pipeline, &headline, target.as_deref(), &args.out);
    let frame = DataFrame::empty();
    Ok(FeaturesRun { pipeline, frame })
}

/// Transform every row of `file` into `args.out`, batch by batch. Returns the rows written.
fn stream(
    pipeline: &FittedPipeline,
    file: &DataFile,
    carry: Vec<String>,
    training: Option<&TrainingRows>,
    args: &FeaturesArgs,
    format: OutputFormat,
) -> Result<usize> {
    let options = StreamOptions {
        batch_rows: args.batch_rows,
        carry,
    };
    let mut rows = 0;
    write_atomic_with(&args.out, |out| {
        let mut writer = BatchWriter::new(format, out);
        rows = pipeline.transform_csv(file, &options, training, |batch| writer.write(batch))?;
        writer.finish()
    })?;
    Ok(rows)
}

/// The summary printed after a run: what was fitted, what was written, what each step learned.
fn report(pipeline: &FittedPipeline, headline: &str, target: Option<&str>, out: &Path) {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    println!(
        "{headline}: {} feature column{}{} -> {}",
        pipeline.features.len(),
        plural(pipeline.features.len()),
        target
            .map(|t| format!(" + target '{t}'"))
            .unwrap_or_default(),
        out.display()
    );
    for summary in pipeline.summaries() {
        if summary.config.is_empty() {
            println!("  {}", summary.name);
        } else {
            println!("  {} ({})", summary.name, summary.config);
        }
        for line in &summary.learned {
            println!("    {line}");
        }
    }
}
