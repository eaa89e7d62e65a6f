//! `crisp train`: read, (label), split, fit the feature pipeline and the model, evaluate, write
//! the artifact and the report.

use crisp_artifact::{Artifact, ArtifactHeader, DataInfo, RunRef};
use crisp_core::{bail, read_table, Error, OutputSet, Result};
use crisp_track::{FileRef, Status};
use crisp_train::{
    cross_validate, parse_pairs, parse_time_budget, train, AutoConfig, CvRun, Holdout, ModelSpec,
    Scoring, SearchConfig, SearchMethod, SplitBy, TrainConfig, TrainRun, MODELS,
};
use crisp_train::{ClassWeight, WeightSupport, Weighting};
use crisp_validate::Task;
use std::process::ExitCode;

use polars::prelude::DataFrame;
use serde_json::{json, Value};

use crate::cli::TrainArgs;
use crate::config::PipelineConfig;
use crate::report::{evaluation_fields, format_metric, json_bytes, metrics_table};
use crate::tracking::Tracking;

/// The default share of rows held out when neither --test-data nor --test-fraction is given.
const DEFAULT_TEST_FRACTION: f64 = 0.2;
const DEFAULT_SEED: u64 = 42;

/// `crisp models`: every model with its tasks, what it is, its default feature pipeline and
/// its parameters (default and range).
pub fn models_list() -> String {
    let mut out = String::new();
    for m in MODELS {
        let tasks: Vec<String> = m.tasks.iter().map(|t| t.to_string()).collect();
        out.push_str(&format!("{} ({})\n", m.name, tasks.join(", ")));
        out.push_str(&format!("    {}\n", m.description));
        out.push_str(&format!("    pipeline: {}\n", m.pipeline_in_words()));
        out.push_str(&format!(
            "    weights: {}\n",
            match m.weights {
                WeightSupport::SampleWeights => "class and sample weights",
                WeightSupport::ClassWeights => "class weights (no sample weights)",
                WeightSupport::Unweighted => "none",
            }
        ));
        let width = m.params.iter().map(|p| p.len()).max().unwrap_or(0);
        for name in m.params {
            match m.param_docs.iter().find(|d| d.name == *name) {
                Some(d) => out.push_str(&format!(
                    "    {name:<width$}  {} (default {})\n",
                    d.range, d.default
                )),
                None => out.push_str(&format!("    {name}\n")),
            }
        }
        out.push('\n');
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
    /// The search of `--search` or `[search]`.
    pub search: Option<SearchConfig>,
    /// `--model auto`: its budget, trials, metric and scoring.
    pub auto: Option<AutoConfig>,
    /// `--cv K` with `--test-data` (no search): the folds are reported next to the test metrics.
    pub cv_with_test_data: Option<usize>,
}

pub fn prepare(args: &TrainArgs) -> Result<Prepared> {
    let read = args.read.options()?;
    let config_path = args.config.clone();
    let mut config = match &config_path {
        Some(path) => PipelineConfig::load(path)?,
        None => PipelineConfig::default(),
    };
    if let Some(label) = &mut config.label {
        label.read = read;
    }
    let (target, task) = target_and_task(args, &config)?;
    let seed = args.seed.or(config.seed).unwrap_or(DEFAULT_SEED);
    let source = args.data.display().to_string();
    let model_name = args
        .model
        .clone()
        .or_else(|| config.model.as_ref().and_then(|m| m.name.clone()))
        .unwrap_or_default();
    let auto = if model_name == "auto" {
        Some(auto_config(args, &config)?)
    } else {
        None
    };
    let search = match auto {
        Some(_) => None,
        None => search_config(args, &config, config_path.as_deref())?,
    };
    let select = &args.select;
    if !args.until.is_empty() && select.cv.is_some() {
        bail!(Config: "--cv does not apply to --until, which scores candidates on a validation split; drop one");
    }
    if let Some(k) = select.cv {
        if k < 2 {
            bail!(Config: "--cv must be at least 2 folds, got {k}");
        }
    }
    // Without a search, --cv is the evaluation: it uses every row, so no rows are held out.
    let cv_evaluation = select.cv.filter(|_| search.is_none() && auto.is_none());
    if cv_evaluation.is_some() && args.test_fraction.is_some() {
        bail!(Config: "--cv evaluates on every row of --data; drop --test-fraction (or add --search, whose candidates --cv scores)");
    }
    if cv_evaluation.is_some() && args.test_data.is_none() && args.search.no_refit {
        bail!(Config: "--no-refit ships the evaluated model, but --cv evaluates one model per fold; use --test-fraction for a hold-out split instead");
    }

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
        None => match cv_evaluation {
            Some(k) => Holdout::CrossValidation(k),
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
        },
    };
    let split_by = match (&select.group, &select.time) {
        (Some(g), _) => SplitBy::Group(g.clone()),
        (None, Some(t)) => SplitBy::Time(t.clone()),
        (None, None) => SplitBy::Rows,
    };
    let mut params = config.model_params();
    params.extend(parse_pairs(&args.params).map_err(|e| e.prefixed("--param "))?);
    if auto.is_some() && !params.is_empty() {
        bail!(Config: "--model auto chooses the models and their parameters; drop --param (and the [model] params of the config)");
    }
    Ok(Prepared {
        config: TrainConfig {
            target,
            task,
            model: ModelSpec {
                // auto is not a model: it chooses one.
                name: if auto.is_some() {
                    String::new()
                } else {
                    model_name
                },
                params,
            },
            features: config.features.clone(),
            seed,
            holdout,
            max_classes: args.max_classes,
            split_by,
            refit: !args.search.no_refit,
            weighting: weighting(&args.weights, config.train.as_ref(), config_path.as_deref())?,
        },
        frame,
        source,
        fingerprint: data.fingerprint,
        until: args.until.clone(),
        cv_with_test_data: cv_evaluation.filter(|_| args.test_data.is_some()),
        search,
        auto,
    })
}

/// What `--model auto` runs: `--time-budget` (default one minute), `--trials`, `--metric`, and
/// `--cv K` to score every candidate by K folds whatever the size of the data.
fn auto_config(args: &TrainArgs, config: &PipelineConfig) -> Result<AutoConfig> {
    if args.search.search.is_some() || config.search.is_some() {
        bail!(Config: "--model auto searches models and parameters itself; drop --search (and the [search] section of the config)");
    }
    if !args.until.is_empty() {
        bail!(Config: "--until tries candidates until one clears its thresholds, --model auto searches for the best within a time budget; use one of them");
    }
    let mut auto = AutoConfig::new();
    if let Some(text) = &args.search.time_budget {
        auto.time_budget = Some(time_budget(text)?);
    }
    if let Some(t) = args.search.trials {
        if t == 0 {
            bail!(Config: "--trials must be at least 1");
        }
        auto.trials = Some(t);
    }
    auto.metric = args.select.metric.clone();
    if let Some(k) = args.select.cv {
        if k < 2 {
            bail!(Config: "--cv must be at least 2 folds, got {k}");
        }
        auto.scoring = Some(Scoring::CrossValidation(k));
    }
    Ok(auto)
}

/// The duration of `--time-budget`.
fn time_budget(text: &str) -> Result<std::time::Duration> {
    parse_time_budget(text).map_err(|e| e.prefixed("--time-budget: "))
}

/// The weights of `--class-weight`, `--sample-weight` and `--weighted-metrics`, or of the
/// config's `[train]` (flags win over the file).
pub fn weighting(
    flags: &crate::cli::WeightArgs,
    section: Option<&crate::config::TrainSection>,
    path: Option<&std::path::Path>,
) -> Result<Weighting> {
    let class_weight = match &flags.class_weight {
        Some(text) => Some(
            text.parse::<ClassWeight>()
                .map_err(|e| e.prefixed("--class-weight: "))?,
        ),
        None => match section {
            Some(s) => s.class_weight(path.unwrap_or(std::path::Path::new("config")))?,
            None => None,
        },
    };
    let weighting = Weighting {
        class_weight,
        sample_weight: flags
            .sample_weight
            .clone()
            .or_else(|| section.and_then(|s| s.sample_weight.clone())),
        weighted_metrics: flags.weighted_metrics
            || section.and_then(|s| s.weighted_metrics).unwrap_or(false),
    };
    if weighting.weighted_metrics && !weighting.is_weighted() {
        bail!(Config: "--weighted-metrics weighs the metrics by the rows' weights; give --class-weight or --sample-weight too");
    }
    Ok(weighting)
}

/// The search that `--search` and `[search]` ask for, if any (flags win over the file).
fn search_config(
    args: &TrainArgs,
    config: &PipelineConfig,
    path: Option<&std::path::Path>,
) -> Result<Option<SearchConfig>> {
    let section = config.search.as_ref();
    let method = match (&args.search.search, section) {
        (Some(m), _) => Some(m.clone()),
        (None, Some(s)) => Some(s.method.clone().unwrap_or_else(|| "random".into())),
        (None, None) => None,
    };
    let Some(method) = method else {
        if args.search.trials.is_some() || args.select.metric.is_some() {
            bail!(Config: "--trials and --metric choose how a search runs; add --search grid|random|halving (or a [search] section, or --model auto)");
        }
        if args.search.time_budget.is_some() {
            bail!(Config: "--time-budget limits a search; add --model auto or --search grid|random|halving");
        }
        return Ok(None);
    };
    let method: SearchMethod = method
        .parse()
        .map_err(|e: Error| e.prefixed("--search: "))?;
    let mut search = SearchConfig::new(method);
    if let Some(s) = section {
        search.space = s.space(path.unwrap_or(std::path::Path::new("config")))?;
        search.trials = s.trials;
        search.metric = s.metric.clone();
        if let Some(f) = s.validation_fraction {
            if !(f > 0.0 && f < 1.0) {
                bail!(Config: "[search] validation_fraction must be between 0 and 1 (exclusive), got {f}");
            }
            search.scoring = Scoring::Validation(f);
        }
        if let Some(k) = s.cv {
            search.scoring = Scoring::CrossValidation(k);
        }
    }
    if let Some(t) = args.search.trials {
        search.trials = Some(t);
    }
    if let Some(m) = &args.select.metric {
        search.metric = Some(m.clone());
    }
    if let Some(k) = args.select.cv {
        search.scoring = Scoring::CrossValidation(k);
    }
    if let Scoring::CrossValidation(k) = search.scoring {
        if k < 2 {
            bail!(Config: "cross-validation needs at least 2 folds, got {k}");
        }
    }
    if search.trials == Some(0) {
        bail!(Config: "--trials must be at least 1");
    }
    if let Some(text) = &args.search.time_budget {
        search.time_budget = Some(time_budget(text)?);
    }
    Ok(Some(search))
}

pub fn run(args: &TrainArgs, tracking: &Tracking) -> Result<ExitCode> {
    if matches!(args.model.as_deref(), Some("help" | "list")) {
        print!("{}", models_list());
        return Ok(ExitCode::SUCCESS);
    }
    if args.stream {
        return stream(args, tracking);
    }
    if let Some(engine) = &args.engine {
        return super::train_engine::run(args, engine, tracking);
    }
    let prepared = prepare(args)?;
    if !prepared.until.is_empty() {
        return super::search::run_until(args, &prepared, tracking);
    }
    if let Some(search) = &prepared.search {
        return super::search::run_search(args, &prepared, search, tracking);
    }
    if let Some(auto) = &prepared.auto {
        return super::search::run_auto(args, &prepared, auto, tracking);
    }
    let mut extra = serde_json::Map::new();
    if let Some(k) = prepared.cv_with_test_data {
        // The folds of --data as an estimate next to the test data's metrics.
        let cv = cross_validate(&prepared.frame, &prepared.source, &prepared.config, k)?;
        print_cv(&cv, prepared.frame.height());
        extra.insert("cv".into(), json!(cv));
    }
    let run = train(&prepared.frame, &prepared.source, &prepared.config)?;
    finish(args, &prepared, &prepared.config, &run, extra, tracking)?;
    Ok(ExitCode::SUCCESS)
}

/// The target (--target, the config's `target`, or its [label]'s) and the task, if named
/// (--task or the config's `task`).
pub(crate) fn target_and_task(
    args: &TrainArgs,
    config: &PipelineConfig,
) -> Result<(String, Option<Task>)> {
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
    Ok((target, task))
}

/// What a path that fits one model (`--stream`, `--engine`) starts from.
pub(crate) struct OneFit {
    pub config: PipelineConfig,
    pub target: String,
    pub task: Option<Task>,
    pub seed: u64,
    pub model: ModelSpec,
}

/// The config, target, seed and model of a path that fits one unweighted model and evaluates
/// it once (`flag`): search, until, cv, auto and weights are refused, and so is `[label]`
/// (for `label_refusal`'s reason).
pub(crate) fn one_fit(args: &TrainArgs, flag: &str, label_refusal: &str) -> Result<OneFit> {
    let config = match &args.config {
        Some(path) => PipelineConfig::load(path)?,
        None => PipelineConfig::default(),
    };
    if config.label.is_some() {
        return Err(Error::config(label_refusal));
    }
    if args.search.search.is_some()
        || config.search.is_some()
        || !args.until.is_empty()
        || args.select.cv.is_some()
        || args.model.as_deref() == Some("auto")
    {
        bail!(Config: "{flag} fits one model and evaluates it on one hold-out; drop --search, --until, --cv and --model auto");
    }
    if weighting(&args.weights, config.train.as_ref(), args.config.as_deref())?.is_weighted() {
        bail!(Config: "{flag} trains unweighted; drop --class-weight and --sample-weight");
    }
    let (target, task) = target_and_task(args, &config)?;
    let seed = args.seed.or(config.seed).unwrap_or(DEFAULT_SEED);
    let mut params = config.model_params();
    params.extend(parse_pairs(&args.params).map_err(|e| e.prefixed("--param "))?);
    let model = ModelSpec {
        name: args
            .model
            .clone()
            .or_else(|| config.model.as_ref().and_then(|m| m.name.clone()))
            .unwrap_or_default(),
        params,
    };
    Ok(OneFit {
        config,
        target,
        task,
        seed,
        model,
    })
}

/// Rows per batch of `--stream`'s passes.
const STREAM_BATCH_ROWS: usize = 16_384;

/// `--stream`: train on --data read twice in batches, never held in memory (see
/// `crisp_train::train_stream`).
fn stream(args: &TrainArgs, tracking: &Tracking) -> Result<ExitCode> {
    let read = args.read.options()?;
    let OneFit {
        config,
        target,
        task,
        seed,
        model,
    } = one_fit(
        args,
        "--stream",
        "--stream reads --data in batches, but [label] needs the whole file in memory; label it first (`crisp label`)",
    )?;
    if args.select.group.is_some() || args.select.time.is_some() {
        bail!(Config: "--stream holds rows out by a seeded hash of their row number; drop --group and --time (or give --test-data)");
    }
    let fit_rows = args.fit_rows.unwrap_or(crisp_train::DEFAULT_FIT_ROWS);
    if fit_rows == 0 {
        bail!(Config: "--fit-rows must be at least 1");
    }
    let file = crisp_core::DataFile::check_with(&args.data, &read)?;
    let source = file.source();
    let (holdout, evaluation, test_source) = match &args.test_data {
        Some(path) => {
            let test_source = path.display().to_string();
            let frame = read_table(path, &read)?.frame;
            (
                crisp_train::StreamHoldout::Frame {
                    frame,
                    source: test_source.clone(),
                },
                "test_data",
                test_source,
            )
        }
        None => {
            let f = args
                .test_fraction
                .or(config.test_fraction)
                .unwrap_or(DEFAULT_TEST_FRACTION);
            if !(f > 0.0 && f < 1.0) {
                bail!(Config: "--test-fraction must be between 0 and 1 (exclusive), got {f}");
            }
            (
                crisp_train::StreamHoldout::Fraction(f),
                "holdout",
                format!("{f} of {source} (rows held out by a seeded hash of their row number)"),
            )
        }
    };
    let stream_config = crisp_train::StreamConfig {
        target: target.clone(),
        task,
        model: model.clone(),
        features: config.features.clone(),
        seed,
        holdout,
        max_classes: args.max_classes,
        fit_rows,
        batch_rows: STREAM_BATCH_ROWS,
    };
    let streamed = crisp_train::train_stream(&file, &stream_config)?;
    println!(
        "streamed {source}: pipeline and bin edges fitted on {} of its {} rows (one row in {}), every row binned ({} MB of bins)",
        streamed.sample_rows,
        streamed.file_rows,
        streamed.stride,
        streamed.binned_bytes.div_ceil(1 << 20)
    );
    let data = DataInfo {
        source: source.clone(),
        fingerprint: crisp_core::fingerprint_file(&args.data)?,
        rows: streamed.file_rows,
    };
    let mut train_config = TrainConfig::new(target).seed(seed).model(model);
    train_config.task = task;
    train_config.features = config.features.clone();
    let mut extra = serde_json::Map::new();
    extra.insert(
        "stream".into(),
        json!({
            "file_rows": streamed.file_rows,
            "sample_rows": streamed.sample_rows,
            "sample_stride": streamed.stride,
            "binned_bytes": streamed.binned_bytes,
        }),
    );
    finish_with(
        args,
        data,
        &train_config,
        &streamed.run,
        extra,
        tracking,
        evaluation,
        test_source,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Write the artifact of `run` and its report (with `extra` report fields), print the
/// summary, and record the run: it is recorded as running first, so that the artifact carries
/// its id, then finished with the artifact's hash.
pub fn finish(
    args: &TrainArgs,
    prepared: &Prepared,
    config: &TrainConfig,
    run: &TrainRun,
    extra: serde_json::Map<String, Value>,
    tracking: &Tracking,
) -> Result<Artifact> {
    let data = DataInfo {
        source: prepared.source.clone(),
        fingerprint: prepared.fingerprint.clone(),
        rows: prepared.frame.height(),
    };
    let classes = run.fitted.task() == Task::Classification;
    let (evaluation, test_source) = describe_holdout(config, &prepared.source, classes);
    finish_with(
        args,
        data,
        config,
        run,
        extra,
        tracking,
        evaluation,
        test_source,
    )
}

/// How the run was evaluated (`holdout`, `test_data` or `cv`), and on what, in words.
fn describe_holdout(config: &TrainConfig, source: &str, classes: bool) -> (&'static str, String) {
    match &config.holdout {
        Holdout::Fraction(f) => (
            "holdout",
            format!(
                "{f} of {source} (seeded, {})",
                match &config.split_by {
                    SplitBy::Rows if classes => "stratified".to_string(),
                    SplitBy::Rows => "random".to_string(),
                    SplitBy::Group(c) => format!("whole groups of '{c}'"),
                    SplitBy::Time(c) => format!("the latest by '{c}'"),
                }
            ),
        ),
        Holdout::Frame { source, .. } => ("test_data", source.clone()),
        Holdout::CrossValidation(k) => (
            "cv",
            format!(
                "{k}-fold cross-validation of {source}, {}",
                config.split_by.describe(classes)
            ),
        ),
    }
}

/// [`finish`] for a run on `data`, evaluated as `evaluation` says on `test_source`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish_with(
    args: &TrainArgs,
    data: DataInfo,
    config: &TrainConfig,
    run: &TrainRun,
    extra: serde_json::Map<String, Value>,
    tracking: &Tracking,
    evaluation: &str,
    test_source: String,
) -> Result<Artifact> {
    let source = &data.source.clone();
    // The header shows the parameters the shipped model was fitted with (a refit gbdt's rounds).
    let shipped = TrainConfig {
        model: run.model.clone(),
        ..config.clone()
    };
    let mut artifact = Artifact {
        header: ArtifactHeader::for_run(run, &shipped, data, super::now_unix()),
        model: run.fitted.clone(),
    };
    let record = tracking.start("train", args).map(|mut r| {
        let h = &artifact.header;
        r.model = Some(h.model.clone());
        r.seed = Some(h.seed);
        r.data = Some(FileRef::new(source.clone(), h.data.fingerprint.clone()));
        r.metrics = h.metrics.metrics.clone();
        r.config = json!({
            "target": h.target,
            "task": h.task.to_string(),
            "model": h.model,
            "model_params": h.model_params,
            "seed": h.seed,
            "evaluation": evaluation,
            "test_data": test_source,
            "refit": run.refit,
            "rows_train": run.rows_train,
            "rows_test": run.rows_test,
            "feature_steps": run.features.steps,
            "weights": run.weighting,
        });
        r
    });
    let reserved = tracking.reserve(record.as_ref());
    if let Some((id, store)) = &reserved {
        artifact.header.run = Some(RunRef {
            id: id.0,
            store: store.clone(),
        });
    }
    let written = (|| -> Result<Vec<u8>> {
        // The artifact and the report are replaced together or not at all.
        let bytes = artifact.to_bytes()?;
        let mut outputs = OutputSet::new();
        outputs.stage(&args.out, &bytes)?;
        if let Some(path) = &args.report {
            let mut report = train_report(run, &artifact.header, &test_source, &args.out);
            report["evaluation"] = json!(evaluation);
            if let Some(bytes) = crisp_core::peak_rss_bytes() {
                report["peak_rss_bytes"] = json!(bytes);
            }
            if let Some((id, store)) = &reserved {
                report["run"] = json!({"id": id, "store": store});
            }
            report.as_object_mut().expect("a JSON object").extend(extra);
            outputs.stage(path, &json_bytes(&report))?;
        }
        if let Some(path) = &args.html {
            let run_id = reserved.as_ref().map(|(id, _)| id.0);
            let page = crate::html_report::train_page(
                run,
                &artifact.header,
                &test_source,
                &args.out,
                run_id,
            )?;
            outputs.stage(path, page.as_bytes())?;
        }
        outputs.commit()?;
        Ok(bytes)
    })();
    let bytes = match written {
        Ok(bytes) => bytes,
        Err(e) => {
            if let (Some((id, _)), Some(r)) = (&reserved, record) {
                tracking.update(*id, r, Status::Error);
            }
            return Err(e);
        }
    };
    if let (Some((id, _)), Some(mut r)) = (&reserved, record) {
        r.artifact = Some(FileRef::new(
            args.out.display().to_string(),
            crisp_core::fingerprint(&bytes),
        ));
        tracking.update(*id, r, Status::Ok);
    }
    print_summary(run, &artifact.header, &test_source, &args.out);
    if let Some((id, _)) = &reserved {
        println!("recorded run {id}");
    }
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
        "refit": run.refit,
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
    if let Some(rows) = run.rows_train_evaluated {
        report["rows_train_evaluated"] = json!(rows);
    }
    if let Some(cv) = &run.cv {
        report["cv"] = json!(cv);
    }
    if let Some(rounds) = &run.refit_rounds {
        report["refit_rounds"] = json!(rounds);
    }
    if let Some(weights) = &run.weighting {
        report["weights"] = json!(weights);
    }
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
    if run.refit {
        match run.rows_train_evaluated {
            Some(rows) => println!(
                "  refit on every labeled row after the evaluation; the metrics below are those of the same configuration fitted on {rows} rows"
            ),
            None => println!(
                "  fitted on every labeled row after the cross-validation, whose means are the metrics below"
            ),
        }
    }
    if let Some(r) = &run.refit_rounds {
        println!(
            "  gbdt rounds: early stopping kept {:.0} on {:.0} rows; the refit trained {} on {} rows without it",
            r.kept, r.rows_boosted, r.n_rounds, r.rows_refit
        );
    }
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
    if let Some(w) = &run.weighting {
        print_weights(w);
    }
    match &run.cv {
        Some(cv) => print_cv(cv, run.rows_test),
        None => {
            println!("test metrics on {} rows ({test_source}):", run.rows_test);
            print!("{}", metrics_table(&run.evaluation, "  "));
        }
    }
    println!("wrote {}", out.display());
}

/// How the rows were weighted, in one line.
fn print_weights(w: &crisp_train::WeightSummary) {
    let mut parts = Vec::new();
    if let (Some(kind), Some(classes)) = (&w.class_weight, &w.class_weights) {
        let each: Vec<String> = classes
            .iter()
            .map(|(c, v)| format!("{c} {}", format_metric(*v)))
            .collect();
        parts.push(format!("class weights {kind} ({})", each.join(", ")));
    }
    if let Some(column) = &w.sample_weight {
        parts.push(format!(
            "sample weights from '{column}' (scaled to a mean of 1)"
        ));
    }
    println!(
        "  weighted by {}; metrics {}",
        parts.join(" and "),
        if w.weighted_metrics {
            "weighted too"
        } else {
            "unweighted (every row counts once)"
        }
    );
}

/// The folds' mean ± standard deviation of every metric, the main ones first.
pub fn print_cv(cv: &CvRun, rows: usize) {
    println!(
        "cross-validation metrics ({} folds, {}, {rows} rows; mean ± std over the folds):",
        cv.k, cv.split
    );
    const MAIN: &[&str] = &["accuracy", "f1_macro", "roc_auc", "rmse", "mae", "r2"];
    let mut names: Vec<&String> = cv.metrics.keys().collect();
    names.sort_by_key(|n| {
        (
            MAIN.iter().position(|m| m == n).unwrap_or(MAIN.len()),
            n.to_string(),
        )
    });
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    for name in names {
        let s = &cv.metrics[name];
        println!(
            "  {name:<width$}  {} ± {}",
            format_metric(s.mean),
            format_metric(s.std)
        );
    }
}
