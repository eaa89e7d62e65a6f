//! `crisp label`: add a target column made by a SQL rule.

use crisp_core::{read_csv, write_csv, Result};
use crisp_label::{LabelReport, Rule};
use serde_json::json;

use crate::cli::LabelArgs;
use crate::report::write_json;

pub fn run(args: &LabelArgs) -> Result<LabelReport> {
    let data = read_csv(&args.data)?;
    let rule = Rule::new(args.rule.clone(), args.target.clone());
    let (mut labeled, report) = rule
        .apply(&data.frame)
        .map_err(|e| e.context(args.data.display()))?;
    write_csv(&args.out, &mut labeled)?;
    println!(
        "labeled {} of {} rows of {} into column '{}' ({} unlabeled) -> {}",
        report.labeled,
        report.rows,
        args.data.display(),
        args.target,
        report.unlabeled,
        args.out.display()
    );
    for (class, n) in &report.classes {
        println!(
            "  {class:<20} {n:>8}  {:>5.1}%",
            100.0 * *n as f64 / report.rows as f64
        );
    }
    if let Some(path) = &args.report {
        write_json(
            path,
            &json!({
                "rule": args.rule,
                "target": args.target,
                "data": args.data.display().to_string(),
                "rows": report.rows,
                "labeled": report.labeled,
                "unlabeled": report.unlabeled,
                "classes": report.classes,
            }),
        )?;
    }
    Ok(report)
}
