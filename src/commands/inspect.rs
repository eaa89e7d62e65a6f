//! `crisp inspect`: what an artifact holds.

use std::path::PathBuf;

use crisp_artifact::{read_header, ArtifactHeader, FORMAT_VERSION};
use crisp_core::Result;
use crisp_track::{Run, RunId, Store};
use serde::Serialize;

use crate::cli::InspectArgs;
use crate::report::metrics_table;
use crate::tracking::Tracking;

pub fn run(args: &InspectArgs, tracking: &Tracking) -> Result<ArtifactHeader> {
    let header = read_header(&args.artifact)?;
    let lineage = lineage(&header, tracking);
    if args.json {
        let mut value = serde_json::to_value(&header).expect("headers serialize");
        value["format_version"] = FORMAT_VERSION.into();
        if let Some(l) = &lineage {
            value["lineage"] = serde_json::to_value(l).expect("runs serialize");
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&value).expect("JSON values serialize")
        );
    } else {
        print!(
            "{}",
            describe(&header, &args.artifact.display().to_string())
        );
        if let Some(l) = &lineage {
            print!("{}", l.describe());
        }
    }
    Ok(header)
}

/// Where an artifact came from, as its run store remembers it.
#[derive(Serialize)]
struct Lineage {
    /// The store read.
    store: String,
    /// The training run that made the artifact.
    run: Option<Run>,
    /// The labeling run that wrote its training data.
    labeled_by: Option<Run>,
    /// Why the runs could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    unavailable: Option<String>,
}

/// The lineage of an artifact that records its run: from the store named by --store or
/// CRISP_STORE, else the store the run was recorded in.
fn lineage(header: &ArtifactHeader, tracking: &Tracking) -> Option<Lineage> {
    let run_ref = header.run.as_ref()?;
    let store = tracking
        .named_store()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(&run_ref.store));
    let found = Store::open_existing(&store).and_then(|s| {
        let run = s.get(RunId(run_ref.id))?;
        // Another store (or a rebuilt one) may have another run under the same id.
        let same_data = run.record.data.as_ref().map(|d| d.fingerprint.as_str())
            == Some(header.data.fingerprint.as_str());
        crisp_core::ensure!(
            run.record.command == "train" && same_data,
            Config: "run {} in {} is not the training run of this artifact (it is a {} run on other data)",
            run.id, store.display(), run.record.command
        );
        let labeled_by = s.labeled_by(&run)?;
        Ok((run, labeled_by))
    });
    let store = store.display().to_string();
    Some(match found {
        Ok((run, labeled_by)) => Lineage {
            store,
            run: Some(run),
            labeled_by,
            unavailable: None,
        },
        Err(e) => Lineage {
            store,
            run: None,
            labeled_by: None,
            unavailable: Some(crate::messages::error_message(&e)),
        },
    })
}

impl Lineage {
    fn describe(&self) -> String {
        let Some(run) = &self.run else {
            return format!(
                "lineage         unavailable: {}\n",
                self.unavailable.as_deref().unwrap_or("no run")
            );
        };
        let r = &run.record;
        let mut s = format!(
            "made by         run {} (crisp train, {}, {}{})\n",
            run.id,
            r.started_at,
            r.status,
            r.git_commit
                .as_deref()
                .map(|c| format!(", git {c}"))
                .unwrap_or_default()
        );
        if let Some(d) = &r.data {
            s.push_str(&format!("  on data       {} ({})\n", d.path, d.fingerprint));
        }
        match &self.labeled_by {
            Some(l) => s.push_str(&format!(
                "  labeled by    run {} (crisp label of {} into {}, {})\n",
                l.id,
                l.record.data.as_ref().map_or("?", |d| d.path.as_str()),
                l.record.output.as_ref().map_or("?", |d| d.path.as_str()),
                l.record.started_at
            )),
            None => s.push_str("  labeled by    no labeling run in the store wrote this data\n"),
        }
        s
    }
}

pub fn describe(h: &ArtifactHeader, path: &str) -> String {
    let mut s = String::new();
    let mut line = |text: String| {
        s.push_str(&text);
        s.push('\n');
    };
    line(format!("artifact        {path}"));
    line(format!("format version  {FORMAT_VERSION}"));
    line(format!("written by      crisp {}", h.crate_version));
    line(format!("task            {}", h.task));
    line(format!("target          {}", h.target));
    if !h.classes.is_empty() {
        line(format!("classes         {}", h.classes.join(", ")));
    }
    line(format!(
        "model           {} ({})",
        h.model, h.model_description
    ));
    if !h.model_params.is_empty() {
        let params: Vec<String> = h
            .model_params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        line(format!("params          {}", params.join(", ")));
    }
    line(format!("seed            {}", h.seed));
    line(format!(
        "training data   {} ({} rows, xxh3-128 {})",
        h.data.source, h.data.rows, h.data.fingerprint
    ));
    line(format!(
        "rows            {} train, {} test",
        h.rows_train, h.rows_test
    ));
    line(format!(
        "input schema    {} columns",
        h.input_schema.columns.len()
    ));
    for c in &h.input_schema.columns {
        line(format!("  {:<24} {}", c.name, c.kind));
    }
    if !h.ignored_columns.is_empty() {
        line(format!("ignored         {}", h.ignored_columns.join(", ")));
    }
    line(format!(
        "feature steps   {} -> {} features",
        h.feature_steps.len(),
        h.features.len()
    ));
    for (i, step) in h.feature_steps.iter().enumerate() {
        let config = if step.config.is_empty() {
            String::new()
        } else {
            format!(" ({})", step.config)
        };
        line(format!("  {}. {}{config}", i + 1, step.name));
        for learned in &step.learned {
            line(format!("       {learned}"));
        }
    }
    line("test metrics".to_string());
    s.push_str(&metrics_table(&h.metrics, "  "));
    match &h.blessing {
        Some(b) => s.push_str(&format!(
            "blessing        {} ({})\n",
            if b.passed { "blessed" } else { "failed" },
            b.thresholds.join(", ")
        )),
        None => s.push_str("blessing        not validated\n"),
    }
    match &h.run {
        Some(r) => s.push_str(&format!(
            "run             {} (recorded in {})\n",
            r.id, r.store
        )),
        None => s.push_str("run             not recorded\n"),
    }
    s
}
