//! `crisp features`: fit the `[features]` pipeline of a pipeline TOML on a CSV file and write
//! the transformed frame (CSV or Parquet), the target carried through unchanged.

use std::path::{Path, PathBuf};

use clap::Args;
use crisp_core::{bail, csv_bytes, read_csv, require_column, write_atomic, Error, Result};
use crisp_features::{FittedPipeline, PipelineSpec};
use polars::prelude::{DataFrame, ParquetWriter};

use crate::config::PipelineConfig;

#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// Pipeline TOML with [[features.steps]] (the `crisp train --config` format).
    #[arg(long, value_name = "TOML")]
    pub config: PathBuf,
    /// Data to fit the pipeline on and transform (CSV with a header row).
    #[arg(long, value_name = "CSV")]
    pub data: PathBuf,
    /// Where to write the features: `.csv` or `.parquet`.
    #[arg(long, value_name = "CSV|PARQUET")]
    pub out: PathBuf,
    /// Target column (default: `target` of the config); needed by target_encode, carried
    /// through to the output unchanged.
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
}

/// What `crisp features` produced.
pub struct FeaturesRun {
    pub pipeline: FittedPipeline,
    /// The written frame: features, then the target when there is one.
    pub frame: DataFrame,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Csv,
    Parquet,
}

/// The output format from `path`'s extension.
pub fn output_format(path: &Path) -> Result<OutputFormat> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok(OutputFormat::Csv),
        Some("parquet") => Ok(OutputFormat::Parquet),
        _ => bail!(Config: "--out {}: give a .csv or .parquet file name", path.display()),
    }
}

/// The pipeline and target declared by `config`, with `--target` overriding the config's.
pub fn load_pipeline(
    config_path: &Path,
    target_flag: Option<&str>,
) -> Result<(PipelineSpec, Option<String>)> {
    let config = PipelineConfig::load(config_path)?;
    let Some(spec) = config.features else {
        bail!(Config: "{}: no [[features.steps]] to fit; declare the feature pipeline there", config_path.display());
    };
    if spec.steps.is_empty() {
        bail!(Config: "{}: [features] has no steps", config_path.display());
    }
    let target = target_flag.map(str::to_string).or(config.target);
    Ok((spec, target))
}

/// Fit `spec` on `frame`, returning the fitted pipeline and the training features with the
/// target (if any) appended unchanged. `source` names the data in errors.
pub fn fit_frame(
    spec: &PipelineSpec,
    frame: &DataFrame,
    target: Option<&str>,
    source: &str,
) -> Result<FeaturesRun> {
    if let Some(t) = target {
        require_column(frame, t, source)?;
    }
    // With no target, give the pipeline a name no column has: every column is an input.
    let target_name = target.unwrap_or("");
    let (pipeline, mut out) = spec
        .fit_transform(frame, target_name)
        .map_err(|e| e.context(source))?;
    if let Some(t) = target {
        out.with_column(frame.column(t)?.clone())?;
    }
    Ok(FeaturesRun {
        pipeline,
        frame: out,
    })
}

/// `frame` encoded as `format`.
pub fn encode(frame: &mut DataFrame, format: OutputFormat) -> Result<Vec<u8>> {
    match format {
        OutputFormat::Csv => csv_bytes(frame),
        OutputFormat::Parquet => {
            let mut buf = Vec::new();
            ParquetWriter::new(&mut buf)
                .finish(frame)
                .map_err(|e| Error::Data(format!("cannot encode Parquet: {e}")))?;
            Ok(buf)
        }
    }
}

pub fn run(args: &FeaturesArgs) -> Result<FeaturesRun> {
    let format = output_format(&args.out)?;
    let (spec, target) = load_pipeline(&args.config, args.target.as_deref())?;
    let mut data = read_csv(&args.data)?;
    // One contiguous chunk per column: faster aggregations, and the multi-chunk copy is freed.
    data.frame.rechunk_mut_par();
    let source = args.data.display().to_string();
    let mut run = fit_frame(&spec, &data.frame, target.as_deref(), &source)?;
    let bytes = encode(&mut run.frame, format)?;
    write_atomic(&args.out, &bytes)?;
    println!(
        "fitted {} feature step{} on {} rows of {}: {} feature column{}{} -> {}",
        run.pipeline.steps.len(),
        if run.pipeline.steps.len() == 1 {
            ""
        } else {
            "s"
        },
        data.frame.height(),
        source,
        run.pipeline.features.len(),
        if run.pipeline.features.len() == 1 {
            ""
        } else {
            "s"
        },
        target
            .as_deref()
            .map(|t| format!(" + target '{t}'"))
            .unwrap_or_default(),
        args.out.display()
    );
    for summary in run.pipeline.summaries() {
        if summary.config.is_empty() {
            println!("  {}", summary.name);
        } else {
            println!("  {} ({})", summary.name, summary.config);
        }
        for line in &summary.learned {
            println!("    {line}");
        }
    }
    Ok(run)
}
