//! `crisp runs list / show / compare`: the runs recorded in the run store.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use crisp_core::{bail, Result};
use crisp_track::{compare, Filter, Query, Run, RunId, Store};

use crate::report::format_metric;
use crate::tracking::Tracking;

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// The recorded runs, newest first: id, command, status, start, model, data, main metrics.
    List(ListArgs),
    /// Everything recorded about one run.
    Show(ShowArgs),
    /// Runs side by side: fields, parameters and metrics, differences marked with `*`.
    Compare(CompareRunsArgs),
    /// The training runs of one target as an HTML page: a metric over time, parameters
    /// against the metric, and a table of the runs.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only the N newest matching runs.
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    /// Only runs where this holds, repeatable (all must): 'accuracy>0.8', 'rmse<=3000',
    /// 'model=gbdt', 'command=validate', 'status=failed', 'max_depth=6'.
    #[arg(long = "where", value_name = "EXPR", allow_hyphen_values = true)]
    pub filters: Vec<String>,
    /// Print the runs as JSON (an array).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The run's id (`runs list` shows them).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Print the run as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompareRunsArgs {
    /// Two or more run ids.
    #[arg(value_name = "ID", required = true, num_args = 2..)]
    pub ids: Vec<String>,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where to write the self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: PathBuf,
    /// The target whose training runs are shown (default: the newest training run's).
    #[arg(long)]
    pub target: Option<String>,
    /// The metric plotted (default: roc_auc for classification, falling back to accuracy
    /// for models without probabilities; rmse for regression).
    #[arg(long)]
    pub metric: Option<String>,
    /// Only the N newest matching runs.
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    /// Only runs where this holds, repeatable, as in `runs list`.
    #[arg(long = "where", value_name = "EXPR", allow_hyphen_values = true)]
    pub filters: Vec<String>,
}

pub fn run(command: &RunsCommand, tracking: &Tracking) -> Result<()> {
    let store = Store::open_existing(tracking.read_store())?;
    match command {
        RunsCommand::List(args) => list(&store, args),
        RunsCommand::Show(args) => show(&store, args),
        RunsCommand::Compare(args) => compare_runs(&store, args),
        RunsCommand::Report(args) => report(&store, args),
    }
}

/// The query of `--last` and `--where`.
fn query(last: Option<usize>, filters: &[String]) -> Result<Query> {
    let mut query = Query::new();
    if let Some(n) = last {
        if n == 0 {
            bail!(Config: "--last must be at least 1");
        }
        query = query.last(n);
    }
    for text in filters {
        let filter: Filter = text
            .parse()
            .map_err(|e: crisp_core::Error| e.prefixed("--where "))?;
        query = query.filter(filter);
    }
    Ok(query)
}

fn list(store: &Store, args: &ListArgs) -> Result<()> {
    let runs = store.list(&query(args.last, &args.filters)?)?;
    if args.json {
        println!("{}", to_json(&runs));
        return Ok(());
    }
    if runs.is_empty() {
        println!("no runs match in {}", store.path().display());
        return Ok(());
    }
    let rows: Vec<[String; 7]> = runs
        .iter()
        .map(|r| {
            let rec = &r.record;
            [
                r.id.to_string(),
                rec.command.clone(),
                match &rec.verdict {
                    Some(v) => format!("{} ({v})", rec.status),
                    None => rec.status.to_string(),
                },
                rec.started_at.clone(),
                rec.model.clone().unwrap_or_else(|| "-".into()),
                rec.data.as_ref().map_or("-".into(), |d| d.path.clone()),
                main_metrics(r),
            ]
        })
        .collect();
    let head = [
        "id", "command", "status", "started", "model", "data", "metrics",
    ];
    let mut widths = head.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            text.push_str(&" ".repeat(w.saturating_sub(cell.chars().count())));
        }
        println!("{}", text.trim_end());
    };
    line(&head);
    for row in &rows {
        line(&row.each_ref().map(String::as_str));
    }
    Ok(())
}

/// The metrics that say most about a run, in a few words: `accuracy=0.85 f1_macro=0.78`.
fn main_metrics(run: &Run) -> String {
    const MAIN: &[&str] = &[
        "accuracy", "f1_macro", "roc_auc", "rmse", "mae", "r2", "coverage",
    ];
    let m = &run.record.metrics;
    let shown: Vec<String> = MAIN
        .iter()
        .filter_map(|name| Some(format!("{name}={}", format_metric(*m.get(*name)?))))
        .take(3)
        .collect();
    if shown.is_empty() {
        "-".into()
    } else {
        shown.join(" ")
    }
}

fn show(store: &Store, args: &ShowArgs) -> Result<()> {
    let id: RunId = args.id.parse()?;
    let run = store.get(id)?;
    if args.json {
        println!("{}", to_json(&run));
        return Ok(());
    }
    let r = &run.record;
    let mut out = String::new();
    let mut field = |name: &str, value: String| {
        out.push_str(&format!("{name:<15} {value}\n"));
    };
    field("run", run.id.to_string());
    field("command", format!("crisp {}", r.command));
    field(
        "status",
        match r.exit_code {
            Some(code) => format!("{} (exit {code})", r.status),
            None => r.status.to_string(),
        },
    );
    if let Some(v) = &r.verdict {
        field("verdict", v.clone());
    }
    field("started", r.started_at.clone());
    field("duration", format!("{:.2}s", r.duration_seconds));
    if let Some(m) = &r.model {
        field("model", m.clone());
    }
    if let Some(seed) = r.seed {
        field("seed", seed.to_string());
    }
    for (name, file) in [
        ("data", &r.data),
        ("output", &r.output),
        ("artifact", &r.artifact),
    ] {
        if let Some(f) = file {
            field(name, format!("{} (xxh3-128 {})", f.path, f.fingerprint));
        }
    }
    if let Err(e) = name_lineage(store, &run, &mut field) {
        field("lineage", format!("unavailable: {e}"));
    }
    field("crisp version", r.crisp_version.clone());
    field(
        "git commit",
        r.git_commit.clone().unwrap_or_else(|| "-".into()),
    );
    print!("{out}");
    println!("parameters");
    for (k, v) in &r.params {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        println!("  {k:<22} {text}");
    }
    println!("metrics");
    for (k, v) in &r.metrics {
        // Counts (a labeling's rows) read as counts.
        let text = if v.fract() == 0.0 && v.abs() < 1e15 {
            format!("{v:.0}")
        } else {
            format_metric(*v)
        };
        println!("  {k:<22} {text}");
    }
    println!("config");
    let config = serde_json::to_string_pretty(&r.config).unwrap_or_default();
    for l in config.lines() {
        println!("  {l}");
    }
    Ok(())
}

/// The labeling run that made the run's data, and the runs that read a label run's output.
fn name_lineage(store: &Store, run: &Run, field: &mut impl FnMut(&str, String)) -> Result<()> {
    if let Some(label) = store.labeled_by(run)? {
        field(
            "labeled by",
            format!(
                "run {} (crisp label of {})",
                label.id,
                label.record.data.as_ref().map_or("?", |d| d.path.as_str())
            ),
        );
    }
    if let Some(out) = &run.record.output {
        let users: Vec<String> = store
            .runs_on_data(&out.fingerprint)?
            .iter()
            .filter(|r| r.id > run.id)
            .map(|r| format!("{} ({})", r.id, r.record.command))
            .collect();
        if !users.is_empty() {
            field("used by runs", users.join(", "));
        }
    }
    Ok(())
}

fn compare_runs(store: &Store, args: &CompareRunsArgs) -> Result<()> {
    let mut runs = Vec::with_capacity(args.ids.len());
    for text in &args.ids {
        let id: RunId = text.parse()?;
        runs.push(store.get(id)?);
    }
    let comparison = compare(&runs);
    if args.json {
        println!("{}", to_json(&comparison));
    } else {
        print!("{}", comparison.table());
    }
    Ok(())
}

/// The target a training run predicted, from its recorded config.
fn target_of(run: &Run) -> Option<&str> {
    run.record.config.get("target")?.as_str()
}

fn report(store: &Store, args: &ReportArgs) -> Result<()> {
    let training: Vec<Run> = store
        .list(&query(args.last, &args.filters)?)?
        .into_iter()
        .filter(|r| r.record.command == "train" && r.record.status == crisp_track::Status::Ok)
        .collect();
    let target = match &args.target {
        Some(t) => t.clone(),
        None => match training.iter().find_map(target_of) {
            Some(t) => t.to_string(),
            None => {
                bail!(Config: "{}: no finished training run to report on", store.path().display())
            }
        },
    };
    // Oldest first, as time runs on the page.
    let runs: Vec<&Run> = training
        .iter()
        .rev()
        .filter(|r| target_of(r) == Some(target.as_str()))
        .collect();
    if runs.is_empty() {
        let mut known: Vec<&str> = training.iter().filter_map(target_of).collect();
        known.sort_unstable();
        known.dedup();
        bail!(
            Config: "{}: no finished training run of target '{target}' (targets recorded: {})",
            store.path().display(),
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        );
    }
    let metric = match &args.metric {
        Some(m) => m.clone(),
        None => {
            let classification = runs.iter().any(|r| {
                r.record.config.get("task").and_then(|t| t.as_str()) == Some("classification")
            });
            let preferred = if classification {
                ["roc_auc", "accuracy"]
            } else {
                ["rmse", "mae"]
            };
            preferred
                .into_iter()
                .find(|m| runs.iter().all(|r| r.record.metrics.contains_key(*m)))
                .unwrap_or(preferred[1])
                .to_string()
        }
    };
    if !runs.iter().any(|r| r.record.metrics.contains_key(&metric)) {
        bail!(Config { value: metric.clone() }: "--metric '{metric}': no training run of target '{target}' recorded it");
    }
    let points: Vec<crisp_report::RunPoint> = runs
        .iter()
        .map(|r| {
            let mut params = std::collections::BTreeMap::new();
            if let Some(serde_json::Value::Object(p)) = r.record.config.get("model_params") {
                for (k, v) in p {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    params.insert(k.clone(), text);
                }
            }
            if let Some(seed) = r.record.seed {
                params.insert("seed".into(), seed.to_string());
            }
            crisp_report::RunPoint {
                id: r.id.0,
                started_at: r.record.started_at.clone(),
                model: r.record.model.clone().unwrap_or_else(|| "-".into()),
                status: r.record.status.to_string(),
                metrics: r.record.metrics.clone(),
                params,
            }
        })
        .collect();
    let page = crisp_report::runs_page(&target, &points, &metric)?;
    crisp_core::write_atomic(&args.html, page.as_bytes())?;
    println!(
        "{} training runs of '{target}' ({metric}) -> {}",
        points.len(),
        args.html.display()
    );
    Ok(())
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("runs serialize to JSON")
}
