//! `crisp profile`: the data-understanding view of a table (crisp-profile), as a summary on
//! stdout and the whole profile as JSON with --json.

use crisp_core::{read_table, Result};
use crisp_profile::{profile, ColumnKind, ColumnProfile, Profile, ProfileOptions};
use serde_json::json;

use crate::cli::ProfileArgs;
use crate::report::write_json;

pub fn run(args: &ProfileArgs) -> Result<()> {
    let read = args.read.options()?;
    let source = args.data.display().to_string();
    let table = read_table(&args.data, &read)?;
    let mut options = ProfileOptions::new().bins(args.bins).top(args.top);
    options.target = args.target.clone();
    let started = std::time::Instant::now();
    let p = profile(&table.frame, &options).map_err(|e| e.prefixed(format!("{source}: ")))?;
    let seconds = started.elapsed().as_secs_f64();
    print!("{}", summary(&p, &source));
    if let Some(path) = &args.json {
        let mut value = json!(p);
        value["data"] = json!(source);
        value["crisp_version"] = json!(crisp_core::VERSION);
        value["profile_seconds"] = json!(seconds);
        write_json(path, &value)?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &args.html {
        let page = crisp_report::profile_page(&p, &source)?;
        crisp_core::write_atomic(path, page.as_bytes())?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// A number with at most 4 significant decimals, without trailing zeros.
fn number(v: f64) -> String {
    let text = if v.abs() >= 1000.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.4}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// What a column holds, in a few words.
fn describe(c: &ColumnProfile) -> String {
    if let Some(s) = &c.numeric {
        let mut text = format!(
            "min {}, median {}, mean {}, max {}",
            number(s.min),
            number(
                s.quantiles
                    .iter()
                    .find(|q| q.q == 0.5)
                    .map_or(f64::NAN, |q| q.value)
            ),
            number(s.mean),
            number(s.max)
        );
        if let Some(std) = s.std {
            text.push_str(&format!(", std {}", number(std)));
        }
        return text;
    }
    if c.top.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = c
        .top
        .iter()
        .take(3)
        .map(|v| format!("{} {:.1}%", v.value, 100.0 * v.share))
        .collect();
    let more = if c.distinct as usize > shown.len() {
        ", ..."
    } else {
        ""
    };
    format!("{}{more}", shown.join(", "))
}

/// The summary printed on stdout.
pub fn summary(p: &Profile, source: &str) -> String {
    let count = |k: ColumnKind| p.columns.iter().filter(|c| c.kind == k).count();
    let mut out = format!(
        "{source}: {} rows, {} columns ({} numeric, {} text, {} boolean, {} temporal)\n",
        p.rows,
        p.columns.len(),
        count(ColumnKind::Numeric),
        count(ColumnKind::Text),
        count(ColumnKind::Boolean),
        count(ColumnKind::Temporal),
    );
    let width = p
        .columns
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    out.push_str(&format!(
        "  {:width$}  {:8}  {:>6}  {:>8}  summary\n",
        "column", "dtype", "nulls", "distinct"
    ));
    for c in &p.columns {
        out.push_str(&format!(
            "  {:width$}  {:8}  {:>5.1}%  {:>8}  {}\n",
            c.name,
            c.dtype,
            100.0 * c.null_rate,
            c.distinct,
            describe(c)
        ));
    }
    if let Some(t) = &p.target {
        if !t.classes.is_empty() {
            let classes: Vec<String> = t
                .classes
                .iter()
                .take(10)
                .map(|c| format!("{} {:.1}% ({})", c.value, 100.0 * c.share, c.count))
                .collect();
            out.push_str(&format!(
                "target '{}': {} classes: {}{}",
                t.name,
                t.classes.len(),
                classes.join(", "),
                if t.classes.len() > 10 { ", ..." } else { "" }
            ));
            if let Some(ratio) = t.imbalance_ratio {
                out.push_str(&format!("; largest / smallest {}", number(ratio)));
            }
            out.push('\n');
        }
        if !t.correlations.is_empty() {
            let against = if t.classes.len() == 2 {
                format!("the indicator of '{}'", t.classes[1].value)
            } else {
                format!("'{}'", t.name)
            };
            let strongest: Vec<String> = t
                .correlations
                .iter()
                .take(5)
                .map(|c| format!("{} {:+.3}", c.column, c.r))
                .collect();
            out.push_str(&format!(
                "strongest correlations with {against}: {}\n",
                strongest.join(", ")
            ));
        }
    }
    if let Some(c) = &p.correlations {
        let mut pairs: Vec<(f64, &str, &str)> = Vec::new();
        for i in 0..c.columns.len() {
            for j in i + 1..c.columns.len() {
                if let Some(r) = c.matrix[i][j] {
                    pairs.push((r, &c.columns[i], &c.columns[j]));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        if !pairs.is_empty() {
            let shown: Vec<String> = pairs
                .iter()
                .take(5)
                .map(|(r, a, b)| format!("{a} ~ {b} {r:+.3}"))
                .collect();
            out.push_str(&format!(
                "strongest correlations between columns: {}\n",
                shown.join(", ")
            ));
        }
    }
    out
}
