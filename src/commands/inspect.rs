//! `crisp inspect`: what an artifact holds.

use crisp_artifact::{read_header, ArtifactHeader, FORMAT_VERSION};
use crisp_core::Result;

use crate::cli::InspectArgs;
use crate::report::metrics_table;

pub fn run(args: &InspectArgs) -> Result<ArtifactHeader> {
    let header = read_header(&args.artifact)?;
    if args.json {
        let mut value = serde_json::to_value(&header).expect("headers serialize");
        value["format_version"] = FORMAT_VERSION.into();
        println!(
            "{}",
            serde_json::to_string_pretty(&value).expect("JSON values serialize")
        );
    } else {
        print!(
            "{}",
            describe(&header, &args.artifact.display().to_string())
        );
    }
    Ok(header)
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
    s
}
