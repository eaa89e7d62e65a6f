//! `crisp train`: read, (label), split, fit the feature pipeline and the model, evaluate, write
//! the artifact and the report.

use crisp_artifact::{Artifact, ArtifactHeader, DataInfo};
use crisp_core::{bail, read_csv, Error, Result};
use crisp_label::Rule;
use crisp_train::{parse_pairs, train, Holdout, ModelSpec, TrainConfig, TrainRun, MODELS};
use crisp_validate::Task;
use serde_json::{json, Value};

use crate::cli::TrainArgs;
use crate::config::PipelineConfig;
use crate::report::{evaluation_fields, metrics_table, write_json};

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

pub fn run(args: &TrainArgs) -> Result<Artifact> {
    if matches!(args.model.as_deref(), Some("help" | "list")) {
        print!("{}", models_list());
        return Err(Error::Config(
            "no model chosen: pick one of the models listed above".into(),
        ));
    }
    let config = match &args.config {
        Some(path) => PipelineConfig::load(path)?,
        None => PipelineConfig::default(),
    };
    let Some(target) = args
        .target
        .clone()
        .or_else(|| config.target.clone())
        .or_else(|| config.label.as_ref().map(|l| l.target.clone()))
    else {
        bail!(Config: "no target: give --target <COLUMN> (or `target` in the --config file)");
    };
    let task = match args.task.as_deref().or(config.task.as_deref()) {
        Some(t) => Some(
            t.parse::<Task>()
                .map_err(|e| Error::Config(format!("--task: {e}")))?,
        ),
        None => None,
    };
    let seed = args.seed.or(config.seed).unwrap_or(DEFAULT_SEED);
    let source = args.data.display().to_string();

    let data = read_csv(&args.data)?;
    let label_rule = config
        .label
        .as_ref()
        .map(|l| Rule::new(l.rule.clone(), l.target.clone()));
    let label = |frame| -> Result<_> {
        match &label_rule {
            Some(rule) => Ok(rule.apply(&frame)?.0),
            None => Ok(frame),
        }
    };
    let frame = label(data.frame).map_err(|e| e.context(&source))?;

    let holdout = match &args.test_data {
        Some(path) => {
            let test = read_csv(path)?;
            let test_source = path.display().to_string();
            Holdout::Frame {
                frame: label(test.frame).map_err(|e| e.context(&test_source))?,
                source: test_source,
            }
        }
        None => Holdout::Fraction(
            args.test_fraction
                .or(config.test_fraction)
                .unwrap_or(DEFAULT_TEST_FRACTION),
        ),
    };
    let mut params = config.model_params();
    params.extend(parse_pairs(&args.params)?);
    let model_name = args
        .model
        .clone()
        .or_else(|| config.model.as_ref().and_then(|m| m.name.clone()))
        .unwrap_or_default();
    let train_config = TrainConfig {
        target: target.clone(),
        task,
        model: ModelSpec {
            name: model_name,
            params,
        },
        features: config.features.clone(),
        seed,
        holdout: holdout.clone(),
    };
    let run = train(&frame, &source, &train_config)?;
    let header = header_for(
        &run,
        &train_config,
        DataInfo {
            source: source.clone(),
            fingerprint: data.fingerprint,
            rows: frame.height(),
        },
    );
    let artifact = Artifact {
        header,
        model: run.fitted.clone(),
    };
    artifact.write(&args.out)?;

    let test_source = match &holdout {
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
    print_summary(&run, &artifact.header, &test_source, &args.out);
    if let Some(path) = &args.report {
        write_json(
            path,
            &train_report(&run, &artifact.header, &test_source, &args.out),
        )?;
    }
    Ok(artifact)
}

fn header_for(run: &TrainRun, config: &TrainConfig, data: DataInfo) -> ArtifactHeader {
    let fitted = &run.fitted;
    ArtifactHeader {
        crate_version: crisp_core::VERSION.to_string(),
        created_unix: super::now_unix(),
        task: fitted.task(),
        target: fitted.target.name.clone(),
        classes: fitted.target.classes.clone(),
        model: fitted.model_name.clone(),
        model_description: fitted.model.describe(),
        model_params: config.model.params.clone(),
        input_schema: fitted.pipeline.input.clone(),
        ignored_columns: fitted.pipeline.ignored.clone(),
        feature_steps: fitted.pipeline.summaries(),
        features: fitted.pipeline.features.clone(),
        metrics: run.evaluation.clone(),
        rows_train: run.rows_train,
        rows_test: run.rows_test,
        seed: config.seed,
        data,
        blessing: None,
    }
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
