//! `crisp train`: read, (label), split, fit the feature pipeline and the model, evaluate, write
//! the artifact and the report.

use crisp_artifact::{Artifact, ArtifactHeader, DataInfo};
use crisp_core::{bail, read_table, Error, OutputSet, Result};
use crisp_train::{parse_pairs, train, Holdout, ModelSpec, TrainConfig, TrainRun, MODELS};
use crisp_validate::Task;
use std::process::ExitCode;

use polars::prelude::DataFrame;
use serde_json::{json, Value};

use crate::cli::TrainArgs;
use crate::config::PipelineConfig;
use crate::report::{evaluation_fields, json_bytes, metrics_table};

/// The default share of rows held out when neither --test-data nor --test-fraction is given.
const DEFAULT_TEST_FRACTION: f64 = 0.2;
const DEFAULT_SEED: u64 = 42;

pub fn models_list() -> String {
    let width = MODELS.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for m in MODELS {
        let tasks: Vec<String> = m.tasks.iter().map(|t| t.to_string()).collect();
        out.push_str(&format!(
            "{:<width$}  {:<28} {}\n{:<width$}  params: {}\n",
            m.name,
            tasks.join(", "),
            m.description,
            "",
            m.params.join(", ")
        ));
    }
    out
}

/// A training request resolved from the flags and the --config file, with its data read.
pub struct Prepared {
    pub config: TrainConfig,
    /// The (labeled) training file's rows.
    pub frame: DataFrame,
    pub source: String,
    pub fingerprint: String,
    /// Thresholds of `--until` (flags and `[validate]` of the config are separate).
    pub until: Vec<String>,
}

pub fn prepare(args: &TrainArgs) -> Result<Prepared> {
    let read = args.read.options()?;
    let mut config = match &args.config {
        Some(path) => PipelineConfig::load(path)?,
        None => PipelineConfig::default(),
    };
    if let Some(label) = &mut config.label {
        label.read = read;
    }
    let Some(target) = args
        .target
        .clone()
        .or_else(|| config.target.clone())
        .or_else(|| config.label.as_ref().map(|l| l.target().to_string()))
    else {
        bail!(Config: "no target: give --target <COLUMN> (or `target` in the --config file)");
    };
    let task = match args.task.as_deref().or(config.task.as_deref()) {
        Some(t) => Some(
            t.parse::<Task>()
                .map_err(|e| Error::config(format!("--task: {e}")))?,
        ),
        None => None,
    };
    let seed = args.seed.or(config.seed).unwrap_or(DEFAULT_SEED);
    let source = args.data.display().to_string();

    let data = read_table(&args.data, &read)?;
    let label = |frame| -> Result<_> {
        match &config.label {
            Some(spec) => Ok(spec.apply(&frame)?.0),
            None => Ok(frame),
        }
    };
    let frame = label(data.frame).map_err(|e| e.context(&source))?;

    let holdout = match &args.test_data {
        Some(path) => {
            let test = read_table(path, &read)?;
            let test_source = path.display().to_string();
            Holdout::Frame {
                frame: label(test.frame).map_err(|e| e.context(&test_source))?,
                source: test_source,
            }
        }
        None => {
            let fraction = args
                .test_fraction
                .or(config.test_fraction)
                .unwrap_or(DEFAULT_TEST_FRACTION);
            if !(fraction > 0.0 && fraction < 1.0) {
                bail!(Config: "--test-fraction must be between 0 and 1 (exclusive), got {fraction}");
            }
            Holdout::Fraction(fraction)
        }
    };
    let mut params = config.model_params();
    params.extend(parse_pairs(&args.params).map_err(|e| e.prefixed("--param "))?);
    let model_name = args
        .model
        .clone()
        .or_else(|| config.model.as_ref().and_then(|m| m.name.clone()))
        .unwrap_or_default();
    Ok(Prepared {
        config: TrainConfig {
            target,
            task,
            model: ModelSpec {
                name: model_name,
                params,
            },
            features: config.features.clone(),
            seed,
            holdout,
            max_classes: args.max_classes,
        },
        frame,
        source,
        fingerprint: data.fingerprint,
        until: args.until.clone(),
    })
}

pub fn run(args: &TrainArgs) -> Result<ExitCode> {
    if matches!(args.model.as_deref(), Some("help" | "list")) {
        print!("{}", models_list());
        return Ok(ExitCode::SUCCESS);
    }
    let prepared = prepare(args)?;
    if !prepared.until.is_empty() {
        return super::search::run(args, &prepared);
    }
    let run = train(&prepared.frame, &prepared.source, &prepared.config)?;
    finish(
        args,
        &prepared,
        &prepared.config,
        &run,
        serde_json::Map::new(),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Write the artifact of `run` and its report (with `extra` report fields), and print the
/// summary.
pub fn finish(
    args: &TrainArgs,
    prepared: &Prepared,
    config: &TrainConfig,
    run: &TrainRun,
    extra: serde_json::Map<String, Value>,
) -> Result<Artifact> {
    let source = &prepared.source;
    let data = DataInfo {
        source: source.clone(),
        fingerprint: prepared.fingerprint.clone(),
        rows: prepared.frame.height(),
    };
    let artifact = Artifact {
        header: ArtifactHeader::for_run(run, config, data, super::now_unix()),
        model: run.fitted.clone(),
    };
    let test_source = match &config.holdout {
        Holdout::Fraction(f) => format!(
            "{f} of {source} (seeded, {})",
            if run.fitted.task() == Task::Classification {
                "stratified"
            } else {
                "random"
            }
        ),
        Holdout::Frame { source, .. } => source.clone(),
    };
    // The artifact and the report are replaced together or not at all.
    let mut outputs = OutputSet::new();
    outputs.stage(&args.out, &artifact.to_bytes()?)?;
    if let Some(path) = &args.report {
        let mut report = train_report(run, &artifact.header, &test_source, &args.out);
        report.as_object_mut().expect("a JSON object").extend(extra);
        outputs.stage(path, &json_bytes(&report))?;
    }
    outputs.commit()?;
    print_summary(run, &artifact.header, &test_source, &args.out);
    Ok(artifact)
}

fn train_report(
    run: &TrainRun,
    header: &ArtifactHeader,
    test_source: &str,
    out: &std::path::Path,
) -> Value {
    let mut report = json!({
        "crisp_version": crisp_core::VERSION,
        "task": header.task.to_string(),
        "model": header.model,
        "model_description": header.model_description,
        "model_params": header.model_params,
        "target": header.target,
        "rows_train": run.rows_train,
        "rows_test": run.rows_test,
        "rows_dropped_missing_target": run.rows_missing_target,
        "rows_dropped_missing_target_test": run.rows_missing_target_test,
        "test_data": test_source,
        "train_seconds": run.train_seconds,
        "seed": header.seed,
        "features": header.features,
        "ignored_columns": header.ignored_columns,
        "feature_steps": run.features.steps,
        "data": header.data,
        "artifact": out.display().to_string(),
    });
    if !header.classes.is_empty() {
        report["classes"] = json!(header.classes);
    }
    report
        .as_object_mut()
        .unwrap()
        .extend(evaluation_fields(&run.evaluation));
    report
}

fn print_summary(
    run: &TrainRun,
    header: &ArtifactHeader,
    test_source: &str,
    out: &std::path::Path,
) {
    println!(
        "trained {} ({}) to predict '{}' on {} rows in {:.2}s",
        header.model, header.task, header.target, run.rows_train, run.train_seconds
    );
    if run.rows_missing_target > 0 {
        println!(
            "  dropped {} training rows with no '{}' value",
            run.rows_missing_target, header.target
        );
    }
    if run.rows_missing_target_test > 0 {
        println!(
            "  dropped {} test rows with no '{}' value",
            run.rows_missing_target_test, header.target
        );
    }
    if !header.ignored_columns.is_empty() {
        println!("  ignored columns: {}", header.ignored_columns.join(", "));
    }
    println!(
        "  {} features from {} input columns",
        header.features.len(),
        header.input_schema.columns.len()
    );
    println!("test metrics on {} rows ({test_source}):", run.rows_test);
    print!("{}", metrics_table(&run.evaluation, "  "));
    println!("wrote {}", out.display());
}
