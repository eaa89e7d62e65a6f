//! Command-line arguments. This is a contract: scripts depend on these names.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};
use crisp_core::{Encoding, ReadOptions, Result};
use serde::Serialize;

/// crisp: label, engineer features, train, validate and ship tabular models.
#[derive(Debug, Parser)]
#[command(name = "crisp", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log what crisp does on stderr: -v info (folds, candidates, early stopping), -vv debug
    /// (every boosting round), -vvv trace. RUST_LOG takes any filter instead (RUST_LOG=crisp=debug).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
    /// No progress bar and no log lines but errors (results still print). The bar is drawn
    /// only when stderr is a terminal.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// The run store that train, validate and label record into and `runs` reads (a SQLite
    /// file) [default: $CRISP_STORE, else ./crisp.db].
    #[arg(long, global = true, value_name = "PATH")]
    pub store: Option<PathBuf>,
    /// Record nothing in the run store.
    #[arg(long, global = true)]
    pub no_track: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train a model on a CSV file and write the artifact and a JSON report.
    Train(TrainArgs),
    /// Predict raw rows of a CSV file with a model artifact.
    Predict(PredictArgs),
    /// Evaluate a model on labeled data and check thresholds (exit 1 when one fails).
    Validate(ValidateArgs),
    /// Show what a model artifact holds.
    Inspect(InspectArgs),
    /// Add a target column to a CSV file with a SQL rule.
    Label(crate::commands::label::LabelArgs),
    /// Fit and apply a feature pipeline on its own.
    Features(crate::commands::features::FeaturesArgs),
    /// Benchmark feature pipelines.
    #[command(subcommand)]
    Bench(crate::commands::bench::BenchCommand),
    /// Score several models on the same split or folds and print the leaderboard.
    Compare(CompareArgs),
    /// Profile a table: per-column statistics, histograms, top values, correlations and the
    /// target's balance.
    Profile(ProfileArgs),
    /// List the models `crisp train --model` accepts.
    Models,
    /// Run the whole cycle on the bundled adult census data.
    Demo(DemoArgs),
    /// The runs recorded by train, validate and label: list, show, compare.
    #[command(subcommand)]
    Runs(crate::commands::runs::RunsCommand),
    /// The model registry in the run store: push, list, show, alias, rollback.
    #[command(subcommand)]
    Registry(crate::commands::registry::RegistryCommand),
    /// Make an Ed25519 key pair for signing artifacts: KEY (secret) and KEY.pub.
    Keygen(crate::commands::sign::KeygenArgs),
    /// Sign an artifact with a secret key: writes the detached signature ARTIFACT.sig.
    Sign(crate::commands::sign::SignArgs),
    /// Serve a model over HTTP: POST /predict, GET /health, /metadata, /metrics.
    #[cfg(feature = "serve")]
    Serve(crate::commands::serve::ServeArgs),
}

#[derive(Debug, Args, Serialize)]
pub struct TrainArgs {
    /// Training data (CSV with a header row, or Parquet: `.parquet`, `.pq`).
    #[arg(long, value_name = "CSV")]
    pub data: PathBuf,
    /// Column to predict (may also come from --config).
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
    /// Separate labeled test data (instead of a split of --data).
    #[arg(long, value_name = "CSV", conflicts_with = "test_fraction")]
    pub test_data: Option<PathBuf>,
    /// Fraction of --data held out for testing [default: 0.2].
    #[arg(long, value_name = "F")]
    pub test_fraction: Option<f64>,
    /// Model to train (`crisp models` lists them; `--model help` too), or `auto`: a
    /// budgeted search over gradient boosting settings and the linear baseline.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// Model hyperparameter, repeatable: --param max_depth=6.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// `classification` or `regression` (inferred from the target by default).
    #[arg(long, value_name = "TASK")]
    pub task: Option<String>,
    /// Pipeline TOML: target, task, `[model]`, `[[features.steps]]`, `[validate]` thresholds.
    #[arg(long, value_name = "TOML")]
    pub config: Option<PathBuf>,
    /// Seed for the split and the model [default: 42].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Where to write the model artifact.
    #[arg(long, value_name = "ARTIFACT", default_value = "model.crisp")]
    pub out: PathBuf,
    /// Where to write the JSON report.
    #[arg(long, value_name = "JSON")]
    pub report: Option<PathBuf>,
    /// Where to write a self-contained HTML report: metrics, the evaluation's plots
    /// (confusion matrix, ROC, precision-recall, calibration, residuals...), permutation
    /// importance and drift from the training rows to the evaluated ones.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Try candidate models, cheapest first, on a validation split until one clears these
    /// thresholds (repeatable), then evaluate it once on the test data; exit 1 if none does.
    #[arg(long, value_name = "RULE")]
    pub until: Vec<String>,
    /// Refuse a classification target with more classes than this (a number to predict
    /// belongs to --task regression).
    #[arg(long, value_name = "N", default_value_t = crisp_train::DEFAULT_MAX_CLASSES)]
    pub max_classes: usize,
    /// How many candidates --until may try.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub budget: usize,
    /// Train without holding --data in memory (gbdt, random_forest, decision_tree): one
    /// pass fits the feature pipeline and the bin edges on an evenly spread sample
    /// (--fit-rows), a second bins every row (one byte per row and feature). Evaluates on the
    /// rows a seeded hash holds out (--test-fraction) or on --test-data; no refit.
    #[arg(long)]
    pub stream: bool,
    /// With --stream: rows of the evenly spread sample the pipeline and bin edges are fitted
    /// on (default 200000).
    #[arg(long, value_name = "N", requires = "stream")]
    pub fit_rows: Option<usize>,
    /// Train gbdt on a DataFusion Ballista cluster (ballista://HOST:PORT, or `standalone` for
    /// one in this process): the rows stay on the executors, which read --data (a Parquet
    /// file or directory, or a CSV file) at the same path; evaluates on --test-data. Needs the
    /// crisp-ballista-train program (README: "Training on a cluster").
    #[arg(long, value_name = "URL", conflicts_with = "stream")]
    pub engine: Option<String>,
    #[command(flatten)]
    #[serde(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub search: SearchArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub weights: WeightArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub read: ReadArgs,
}

/// How rows are split and models scored: `train` and `compare`.
#[derive(Debug, Clone, Default, Args, Serialize)]
#[command(next_help_heading = "Model selection")]
pub struct SelectArgs {
    /// Evaluate by K-fold cross-validation (stratified for classes) instead of a hold-out
    /// split; with --search, score the candidates by it.
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// Split by whole groups of this column: no value is on both sides of any split (hold-out,
    /// validation split or fold).
    #[arg(long, value_name = "COLUMN", conflicts_with = "time")]
    pub group: Option<String>,
    /// Split in time order by this column: every evaluation part comes after its training rows.
    #[arg(long, value_name = "COLUMN")]
    pub time: Option<String>,
    /// Metric that ranks candidates [default: roc_auc for classes (log_loss with --model auto),
    /// rmse for numbers].
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
}

/// `train --search` and the refit.
#[derive(Debug, Clone, Default, Args, Serialize)]
#[command(next_help_heading = "Model selection")]
pub struct SearchArgs {
    /// Search hyperparameters (and models, from the config's [search.space]): grid, random or
    /// halving; the best candidate is trained and shipped.
    #[arg(long, value_name = "METHOD", conflicts_with = "until")]
    pub search: Option<String>,
    /// Candidates to try [default: the whole grid; random 20; halving 50; auto: as many as
    /// the time budget allows].
    #[arg(long, value_name = "N")]
    pub trials: Option<usize>,
    /// Time for --model auto or a --search: no candidate starts after it (60s, 2m, or 90 for
    /// seconds) [default for --model auto: 60s].
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub time_budget: Option<String>,
    /// Ship the model evaluated on the hold-out split instead of refitting it on every
    /// labeled row.
    #[arg(long)]
    pub no_refit: bool,
}

#[derive(Debug, Args, Serialize)]
pub struct CompareArgs {
    /// Data (CSV with a header row, or Parquet).
    #[arg(long, value_name = "CSV")]
    pub data: std::path::PathBuf,
    /// Column to predict.
    #[arg(long, value_name = "COLUMN")]
    pub target: String,
    /// Models to compare, comma-separated: --models gbdt,random_forest,decision_tree.
    #[arg(long, value_name = "NAMES", value_delimiter = ',', required = true)]
    pub models: Vec<String>,
    /// Separate labeled test data: every model is fitted on all of --data and scored on it.
    #[arg(long, value_name = "CSV", conflicts_with_all = ["test_fraction", "cv"])]
    pub test_data: Option<PathBuf>,
    /// Fraction of --data held out for scoring [default: 0.2].
    #[arg(long, value_name = "F", conflicts_with = "cv")]
    pub test_fraction: Option<f64>,
    /// `classification` or `regression` (inferred from the target by default).
    #[arg(long, value_name = "TASK")]
    pub task: Option<String>,
    /// Seed for the split or folds and the models [default: 42].
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Where to write the leaderboard as JSON.
    #[arg(long, value_name = "JSON")]
    pub report: Option<PathBuf>,
    /// Refuse a classification target with more classes than this.
    #[arg(long, value_name = "N", default_value_t = crisp_train::DEFAULT_MAX_CLASSES)]
    pub max_classes: usize,
    #[command(flatten)]
    #[serde(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub weights: WeightArgs,
    #[command(flatten)]
    #[serde(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Data to profile (CSV with a header row, or Parquet).
    #[arg(value_name = "DATA")]
    pub data: PathBuf,
    /// Column to predict: its class balance (or distribution) and its correlations.
    #[arg(long, value_name = "COLUMN")]
    pub target: Option<String>,
    /// Where to write the whole profile as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Where to write the profile as a self-contained HTML page: an overview table, a
    /// histogram or top values per column, correlations and the target's balance.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Bins of each numeric column's histogram.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub bins: usize,
    /// Most frequent values kept per text or boolean column.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args, Serialize)]
pub struct PredictArgs {
    /// Model artifact written by `crisp train`, or a registered model: `registry:NAME@ALIAS`,
    /// `registry:NAME@VERSION`.
    #[arg(long, value_name = "ARTIFACT")]
    pub model: PathBuf,
    /// Rows to predict (CSV or Parquet; the target column may be absent).
    #[arg(long, value_name = "CSV")]
    pub data: PathBuf,
    /// Output CSV (stdout when absent).
    #[arg(long, value_name = "CSV")]
    pub out: Option<PathBuf>,
    /// Also write one `proba_<class>` column per class (models with probabilities).
    #[arg(long)]
    pub proba: bool,
    /// Keep the input columns before the prediction.
    #[arg(long)]
    pub keep_columns: bool,
    /// Refuse a model that `crisp validate --bless` has not blessed.
    #[arg(long)]
    pub require_blessed: bool,
    /// Refuse the model unless ARTIFACT.sig is its signature by this public key (`crisp keygen`).
    #[arg(long, value_name = "KEY.pub")]
    pub verify_key: Option<PathBuf>,
    /// Predict in streamed batches of about N rows (a multiple of 64), writing as it goes: for
    /// files larger than memory. Input columns are read as the types they had in training.
    #[arg(long, value_name = "N")]
    pub batch_rows: Option<usize>,
    #[command(flatten)]
    #[serde(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args, Serialize)]
pub struct ValidateArgs {
    /// Model artifact to check, or a registered model: `registry:NAME@ALIAS`,
    /// `registry:NAME@VERSION` (not with --bless: registered copies do not change).
    #[arg(long, value_name = "ARTIFACT")]
    pub model: PathBuf,
    /// Labeled data to evaluate on (CSV or Parquet).
    #[arg(long, value_name = "CSV")]
    pub data: PathBuf,
    /// Threshold, repeatable: 'accuracy>=0.85', 'rmse<=3000', 'roc_auc>=baseline-0.005'.
    #[arg(long = "threshold", value_name = "RULE")]
    pub thresholds: Vec<String>,
    /// Baseline artifact for change thresholds, evaluated on the same data (or
    /// `registry:NAME@ALIAS`, `registry:NAME@VERSION`).
    #[arg(long, value_name = "ARTIFACT")]
    pub baseline: Option<PathBuf>,
    /// Report change thresholds as skipped when there is no --baseline (first deployment).
    #[arg(long)]
    pub allow_missing_baseline: bool,
    /// Also compute every metric per value of this column; every threshold must hold in every
    /// slice with at least --min-slice-rows rows.
    #[arg(long, value_name = "COLUMN")]
    pub slice: Option<String>,
    /// Slices with fewer rows are reported, not gated.
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub min_slice_rows: usize,
    /// Fail when a column's population stability index against the training data exceeds this.
    #[arg(long, value_name = "PSI")]
    pub max_psi: Option<f64>,
    /// Fail when a column's share of missing values grew by more than this (0.05 = 5 points).
    #[arg(long, value_name = "SHARE")]
    pub max_null_rate_increase: Option<f64>,
    /// Fail when more than this share of a text column's values are categories unseen in training.
    #[arg(long, value_name = "SHARE")]
    pub max_unseen_category_rate: Option<f64>,
    /// Fail when more than this share of a numeric column's values lie outside the training range.
    #[arg(long, value_name = "SHARE")]
    pub max_out_of_range_rate: Option<f64>,
    /// Fail when a numeric column's Kolmogorov-Smirnov statistic exceeds this.
    #[arg(long, value_name = "D")]
    pub max_ks: Option<f64>,
    /// Write the checks as JUnit XML (one test case per check) for CI systems.
    #[arg(long, value_name = "XML")]
    pub junit: Option<PathBuf>,
    /// Write the verdict as Markdown, for a pull-request comment.
    #[arg(long, value_name = "MD")]
    pub markdown: Option<PathBuf>,
    /// Gate on the bootstrap confidence bound of each metric instead of its point value.
    #[arg(long, value_name = "LEVEL")]
    pub confidence: Option<f64>,
    /// Bootstrap resamples for --confidence.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub resamples: usize,
    /// Seed for the bootstrap.
    #[arg(long, value_name = "N", default_value_t = 42)]
    pub seed: u64,
    /// Pipeline TOML whose `[validate]` thresholds and data limits are checked too.
    #[arg(long, value_name = "TOML")]
    pub config: Option<PathBuf>,
    /// Where to write the JSON report.
    #[arg(long, value_name = "JSON")]
    pub report: Option<PathBuf>,
    /// Where to write a self-contained HTML report: the verdict with every check and its
    /// threshold, metrics against the baseline, the evaluation's plots, per-slice metrics,
    /// permutation importance and drift from training.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the verdict into the artifact's header (only when every check passed).
    #[arg(long)]
    pub bless: bool,
    /// Refuse the model unless ARTIFACT.sig is its signature by this public key (`crisp keygen`).
    #[arg(long, value_name = "KEY.pub")]
    pub verify_key: Option<PathBuf>,
    /// Refuse the baseline unless its .sig is its signature by this public key (the deployed
    /// model a candidate is compared with is usually signed too).
    #[arg(long, value_name = "KEY.pub", requires = "baseline")]
    pub baseline_verify_key: Option<PathBuf>,
    #[command(flatten)]
    #[serde(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Model artifact, or a registered model: `registry:NAME@ALIAS`, `registry:NAME@VERSION`.
    #[arg(value_name = "ARTIFACT")]
    pub artifact: PathBuf,
    /// Print the header as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory with adult.csv and adult_test.csv [default: ./datasets, then the crate's].
    #[arg(long, value_name = "DIR")]
    pub datasets: Option<PathBuf>,
    /// Directory for the artifact and reports [default: a new temporary directory].
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// How the command reads its data files: a CSV dialect. Parquet files (`.parquet`, `.pq`) are
/// read as Parquet whatever these say.
#[derive(Debug, Clone, Default, Args, Serialize)]
#[command(next_help_heading = "Reading data")]
pub struct ReadArgs {
    /// Field separator of CSV input: one character, such as ';' or '\t' (or `tab`) [default: a
    /// tab for .tsv and .tab files, else ','].
    #[arg(long, value_name = "CHAR")]
    pub separator: Option<String>,
    /// Quote character of CSV input (inside quotes it is doubled) [default: '"'].
    #[arg(long, value_name = "CHAR")]
    pub quote: Option<String>,
    /// Text encoding of CSV input: utf-8, latin1 (iso-8859-1) or windows-1252 (cp1252)
    /// [default: utf-8; a byte-order mark is skipped].
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
}

impl ReadArgs {
    /// The read options the flags give (a separator only when --separator is given: otherwise
    /// each file's extension chooses it).
    pub fn options(&self) -> Result<ReadOptions> {
        let mut options = ReadOptions::default();
        if let Some(text) = &self.separator {
            options = options.with_separator(one_character("--separator", text)?);
        }
        if let Some(text) = &self.quote {
            options = options.with_quote(one_character("--quote", text)?);
        }
        if let Some(name) = &self.encoding {
            let encoding: Encoding = name
                .parse()
                .map_err(|e: crisp_core::Error| e.prefixed("--encoding: "))?;
            options = options.with_encoding(encoding);
        }
        if let (Some(separator), quote) = (options.separator, options.quote) {
            if separator == quote {
                crisp_core::bail!(Config: "--separator and --quote are both '{}'; give different characters", char::from(quote).escape_default());
            }
        }
        Ok(options)
    }
}

/// The one ASCII character of a --separator or --quote flag (`\t` and `tab` are a tab).
fn one_character(flag: &str, text: &str) -> Result<u8> {
    let byte = match text {
        "\\t" | "tab" | "TAB" => Some(b'\t'),
        _ => match text.as_bytes() {
            [b] if b.is_ascii() && *b != b'\n' && *b != b'\r' => Some(*b),
            _ => None,
        },
    };
    byte.ok_or_else(|| {
        crisp_core::Error::config(format!(
            "{flag} '{}': give one ASCII character other than a line break, such as ';' or '\\t'",
            text.escape_debug()
        ))
        .value(text)
    })
}

/// `train --class-weight`, `--sample-weight` and `--weighted-metrics`.
#[derive(Debug, Clone, Default, Args, Serialize)]
#[command(next_help_heading = "Weights")]
pub struct WeightArgs {
    /// Weigh classes: `balanced` (n_rows / (n_classes * rows of the class)) or CLASS=WEIGHT
    /// pairs, comma-separated ('>50K=3'); classification, models that take weights.
    #[arg(long, value_name = "balanced|C=W,...")]
    pub class_weight: Option<String>,
    /// Weigh each row by this numeric column (values >= 0; not a feature, not needed to
    /// predict); models that take sample weights.
    #[arg(long, value_name = "COLUMN")]
    pub sample_weight: Option<String>,
    /// Weigh the evaluated rows in the report's metrics too (by their sample and class
    /// weights); without it every row counts once.
    #[arg(long)]
    pub weighted_metrics: bool,
}
