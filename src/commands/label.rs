//! `crisp label`: add a target column made by a SQL rule, buckets, a join or labeling functions,
//! and report how it went (a table on stdout, JSON with --report).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use crisp_core::{bail, ensure, read_table, Error, OutputSet, Result};
use crisp_label::{
    Buckets, GoldSpec, JoinSpec, LabelReport, LabelSpec, LabelingFunction, OnDuplicate,
};
use serde_json::{json, Value};

use crate::cli::ReadArgs;
use crate::config::PipelineConfig;
use crate::report::json_bytes;
use crate::tracking::Tracking;

#[derive(Debug, Args, serde::Serialize)]
pub struct LabelArgs {
    /// Records to label (CSV, or Parquet: `.parquet`, `.pq`).
    #[arg(long, value_name = "CSV")]
    pub data: PathBuf,
    /// SQL expression giving the label (NULL = unlabeled), e.g.
    /// "CASE WHEN quality >= 7 THEN 'good' ELSE 'bad' END".
    #[arg(long, value_name = "SQL")]
    pub rule: Option<String>,
    /// Quantile buckets of a numeric column: COL:N (N equal-frequency buckets) or
    /// COL:Q,Q,... (cut at these quantiles of the data).
    #[arg(long, value_name = "COL:N")]
    pub buckets: Option<String>,
    /// Fixed cut points of a numeric column (a threshold is one): COL:EDGE,EDGE,...; a value
    /// below the first edge gets the first label.
    #[arg(long, value_name = "COL:EDGES")]
    pub cuts: Option<String>,
    /// Labels of the buckets, lowest first [default: q1, q2, ... or b1, b2, ...].
    #[arg(long, value_name = "LABEL,...", value_delimiter = ',')]
    pub bucket_labels: Vec<String>,
    /// Label file (CSV or Parquet) to look labels up in by --key (a left join: every row kept).
    #[arg(long, value_name = "CSV")]
    pub join: Option<PathBuf>,
    /// Key column shared by the data and the --join / --gold file; repeat for a composite key.
    #[arg(long = "key", value_name = "COL")]
    pub keys: Vec<String>,
    /// Label column of the --join file [default: the --target name, else its only non-key
    /// column].
    #[arg(long, value_name = "COL")]
    pub label_column: Option<String>,
    /// What to do with a key that appears more than once in the --join file: error, first,
    /// last or majority [default: error].
    #[arg(long, value_name = "POLICY")]
    pub on_duplicate: Option<String>,
    /// A labeling function NAME=SQL returning a label or NULL (abstain); repeatable.
    #[arg(long = "lf", value_name = "NAME=SQL")]
    pub lfs: Vec<String>,
    /// How labeling functions are combined: majority, weighted or label_model.
    #[arg(long, value_name = "HOW", default_value = "majority")]
    pub combine: String,
    /// What a tied vote does: abstain, first (the first function's label) or a fixed label.
    #[arg(long, value_name = "POLICY", default_value = "abstain")]
    pub tie_policy: String,
    /// Weight of a labeling function in a weighted vote, NAME=W; repeatable [default: learned
    /// from --gold, else 1].
    #[arg(long = "weight", value_name = "NAME=W")]
    pub weights: Vec<String>,
    /// Gold labels (CSV or Parquet): matched by --key when given, else by row position (one row
    /// per data row).
    #[arg(long, value_name = "CSV")]
    pub gold: Option<PathBuf>,
    /// Label column of the --gold file [default: the --target name, else its only non-key
    /// column].
    #[arg(long, value_name = "COL")]
    pub gold_column: Option<String>,
    /// Seed of the label model's initialization.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Also write `<target>_source` (what labeled the row) and `<target>_confidence`.
    #[arg(long)]
    pub explain: bool,
    /// Take the labeling from the `[label]` section of a pipeline TOML instead of the flags.
    #[arg(long, value_name = "TOML")]
    pub config: Option<PathBuf>,
    /// Name of the target column to add [default: label].
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// Labeled CSV to write.
    #[arg(long, value_name = "CSV")]
    pub out: PathBuf,
    /// Where to write the JSON report.
    #[arg(long, value_name = "JSON")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    #[serde(flatten)]
    pub read: ReadArgs,
}

pub fn run(args: &LabelArgs, tracking: &Tracking) -> Result<LabelReport> {
    let read = args.read.options()?;
    let mut spec = spec_of(args)?;
    spec.read = read;
    let data = read_table(&args.data, &read)?;
    let (mut labeled, report) = if args.explain {
        spec.apply_explained(&data.frame)
    } else {
        spec.apply(&data.frame)
    }
    .map_err(|e| e.context(args.data.display()))?;
    // The labeled file and the report are replaced together or not at all.
    let mut outputs = OutputSet::new();
    let bytes = crisp_core::csv_bytes(&mut labeled)?;
    outputs.stage(&args.out, &bytes)?;
    if let Some(path) = &args.report {
        outputs.stage(path, &json_bytes(&json_report(args, &spec, &report)?))?;
    }
    outputs.commit()?;
    // Lineage: the output's fingerprint is what a training run on it records as its data.
    let record = tracking.start("label", args).map(|mut r| {
        r.seed = Some(spec.seed);
        r.data = Some(crisp_track::FileRef::new(
            args.data.display().to_string(),
            data.fingerprint.clone(),
        ));
        r.output = Some(crisp_track::FileRef::new(
            args.out.display().to_string(),
            crisp_core::fingerprint(&bytes),
        ));
        r.config = serde_json::to_value(&spec).unwrap_or(Value::Null);
        r.metrics = label_metrics(&report);
        r
    });
    tracking.record(record, crisp_track::Status::Ok);
    println!(
        "labeled {} of {} rows of {} into column '{}' by {} ({} unlabeled) -> {}",
        report.labeled,
        report.rows,
        args.data.display(),
        spec.target(),
        report.method,
        report.unlabeled,
        args.out.display()
    );
    print!("{}", report.table());
    Ok(report)
}

/// The labeling the flags (or the --config file) ask for.
fn spec_of(args: &LabelArgs) -> Result<LabelSpec> {
    let flags_given = args.rule.is_some()
        || args.buckets.is_some()
        || args.cuts.is_some()
        || args.join.is_some()
        || !args.lfs.is_empty();
    if let Some(path) = &args.config {
        ensure!(
            !flags_given,
            Config: "give the labeling either in --config {} or by flags (--rule, --buckets, --cuts, --join, --lf), not both",
            path.display()
        );
        let config = PipelineConfig::load(path)?;
        let Some(mut spec) = config.label else {
            bail!(Config: "{}: no [label] section", path.display());
        };
        if let Some(target) = &args.target {
            spec.target = target.clone();
        }
        return Ok(spec);
    }
    let mut spec = LabelSpec::new(args.target.clone().unwrap_or_else(|| "label".into()));
    spec.rule = args.rule.clone();
    ensure!(
        args.bucket_labels.is_empty() || args.buckets.is_some() || args.cuts.is_some(),
        Config: "--bucket-labels applies to --buckets or --cuts"
    );
    spec.buckets = match (&args.buckets, &args.cuts) {
        (Some(_), Some(_)) => bail!(Config: "give --buckets or --cuts, not both"),
        (Some(b), None) => Some(
            Buckets::parse(b, false, args.bucket_labels.clone())
                .map_err(|e| e.prefixed("--buckets "))?,
        ),
        (None, Some(c)) => Some(
            Buckets::parse(c, true, args.bucket_labels.clone())
                .map_err(|e| e.prefixed("--cuts "))?,
        ),
        (None, None) => None,
    };
    if let Some(file) = &args.join {
        ensure!(!args.keys.is_empty(), Config: "--join needs --key <COLUMN> (repeat it for a composite key)");
        spec.join = Some(JoinSpec {
            file: file.clone(),
            key: args.keys.clone(),
            label_column: args.label_column.clone(),
            on_duplicate: match &args.on_duplicate {
                Some(p) => p.parse()?,
                None => OnDuplicate::Error,
            },
        });
    } else {
        ensure!(
            args.label_column.is_none() && args.on_duplicate.is_none(),
            Config: "--label-column and --on-duplicate apply to --join"
        );
    }
    ensure!(
        args.keys.is_empty() || args.join.is_some() || args.gold.is_some(),
        Config: "--key applies to --join and --gold"
    );
    spec.lf = args
        .lfs
        .iter()
        .map(|s| LabelingFunction::parse(s))
        .collect::<Result<_>>()?;
    spec.combine = args.combine.parse()?;
    spec.tie_policy = args.tie_policy.parse()?;
    spec.weights = parse_weights(&args.weights)?;
    spec.seed = args.seed;
    if let Some(file) = &args.gold {
        spec.gold = Some(GoldSpec {
            file: file.clone(),
            column: args.gold_column.clone(),
            key: args.keys.clone(),
        });
    } else {
        ensure!(args.gold_column.is_none(), Config: "--gold-column applies to --gold");
    }
    Ok(spec)
}

/// The figures of a labeling as metrics: rows, labeled, unlabeled, coverage, and the gold
/// accuracy when there is one.
fn label_metrics(report: &LabelReport) -> BTreeMap<String, f64> {
    let mut metrics = BTreeMap::from([
        ("rows".to_string(), report.rows as f64),
        ("labeled".to_string(), report.labeled as f64),
        ("unlabeled".to_string(), report.unlabeled as f64),
        ("classes".to_string(), report.classes.len() as f64),
    ]);
    if report.rows > 0 {
        metrics.insert(
            "coverage".to_string(),
            report.labeled as f64 / report.rows as f64,
        );
    }
    if let Some(accuracy) = report.gold.as_ref().and_then(|g| g.accuracy) {
        metrics.insert("gold_accuracy".to_string(), accuracy);
    }
    metrics
}

fn parse_weights(pairs: &[String]) -> Result<BTreeMap<String, f64>> {
    let mut weights = BTreeMap::new();
    for pair in pairs {
        let parsed = pair
            .split_once('=')
            .and_then(|(name, w)| Some((name.trim(), w.trim().parse::<f64>().ok()?)));
        let Some((name, w)) = parsed else {
            bail!(Config: "--weight '{pair}': expected NAME=NUMBER, e.g. --weight female=2");
        };
        if weights.insert(name.to_string(), w).is_some() {
            bail!(Config: "--weight: '{name}' is given twice");
        }
    }
    Ok(weights)
}

fn json_report(args: &LabelArgs, spec: &LabelSpec, report: &LabelReport) -> Result<Value> {
    let mut value = serde_json::to_value(report)
        .map_err(|e| Error::data(format!("cannot write the label report: {e}")))?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert("data".into(), json!(args.data.display().to_string()));
        fields.insert("target".into(), json!(spec.target()));
        fields.insert("out".into(), json!(args.out.display().to_string()));
        if let Some(rule) = &spec.rule {
            fields.insert("rule".into(), json!(rule));
        }
    }
    Ok(value)
}
