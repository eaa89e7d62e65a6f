//! The page of recorded runs of one target side by side: a metric over time, and parameters
//! against the metric.

use std::collections::{BTreeMap, BTreeSet};

use crisp_core::Result;

use crate::chart::{self, Axes, Line, Reference, SIZE};
use crate::html::{Cell, Figure, Page};

/// The most parameters drawn against the metric (those that vary most across the runs).
const MAX_PARAMS: usize = 6;

/// One recorded run, as the runs page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPoint {
    /// The run's id in its store.
    pub id: u64,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// The model's name.
    pub model: String,
    /// How it ended (`ok`, `failed`…).
    pub status: String,
    /// Its metrics.
    pub metrics: BTreeMap<String, f64>,
    /// Its parameters, as text (numbers are drawn against the metric).
    pub params: BTreeMap<String, String>,
}

/// The HTML page of `runs` (oldest first) of `target`, plotting `metric`.
///
/// # Errors
/// When a plot cannot be drawn.
pub fn runs_page(target: &str, runs: &[RunPoint], metric: &str) -> Result<String> {
    let mut page = Page::new(
        "runs",
        format!("Runs for target '{target}'"),
        format!("{} runs, {metric}", runs.len()),
    );
    let measured: Vec<&RunPoint> = runs
        .iter()
        .filter(|r| r.metrics.contains_key(metric))
        .collect();
    page.section("Over time");
    let mut models: Vec<&str> = measured.iter().map(|r| r.model.as_str()).collect();
    models.sort_unstable();
    models.dedup();
    let lines: Vec<Line> = models
        .iter()
        .map(|m| Line {
            name: m.to_string(),
            points: measured
                .iter()
                .enumerate()
                .filter(|(_, r)| r.model == *m)
                .map(|(i, r)| ((i + 1) as f64, r.metrics[metric]))
                .collect(),
            markers: true,
        })
        .collect();
    page.figures(vec![Figure::new(
        "metric_over_time",
        format!("{metric} by run"),
        chart::line_chart(
            &lines,
            &Axes::new("run, oldest to newest", metric),
            false,
            SIZE,
        )?,
    )
    .note(match (measured.first(), measured.last()) {
        (Some(a), Some(b)) => format!(
            "runs {} to {}, {} to {}",
            a.id, b.id, a.started_at, b.started_at
        ),
        _ => "no run has this metric".into(),
    })]);
    page.section("Parameters against the metric");
    page.figures(param_figures(&measured, metric)?);
    page.section("Runs");
    let shown_params = varying_params(&measured);
    let mut headers = vec!["run", "started", "model", "status", metric];
    headers.extend(shown_params.iter().map(String::as_str));
    let rows = runs
        .iter()
        .rev()
        .map(|r| {
            let mut cells = vec![
                Cell::Number(r.id.to_string()),
                Cell::Text(r.started_at.clone()),
                Cell::Text(r.model.clone()),
                Cell::Text(r.status.clone()),
                Cell::Number(
                    r.metrics
                        .get(metric)
                        .map(|v| format!("{v:.4}"))
                        .unwrap_or_default(),
                ),
            ];
            cells.extend(
                shown_params
                    .iter()
                    .map(|p| Cell::Text(r.params.get(p).cloned().unwrap_or_default())),
            );
            (cells, false)
        })
        .collect::<Vec<_>>();
    page.table("runs", &headers, &rows);
    Ok(page.finish())
}

/// The parameters that take more than one value across `runs`, most distinct values first.
fn varying_params(runs: &[&RunPoint]) -> Vec<String> {
    let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in runs {
        for (k, v) in &r.params {
            values.entry(k).or_default().insert(v);
        }
    }
    let mut varying: Vec<(&str, usize)> = values
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, v)| (k, v.len()))
        .collect();
    varying.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    varying
        .into_iter()
        .take(MAX_PARAMS)
        .map(|(k, _)| k.to_string())
        .collect()
}

/// A scatter of each numeric parameter that varies against the metric; without one, the
/// metric of each model's best run (the model is then the parameter).
fn param_figures(runs: &[&RunPoint], metric: &str) -> Result<Vec<Figure>> {
    let mut figures = Vec::new();
    for param in varying_params(runs) {
        let points: Vec<(f64, f64)> = runs
            .iter()
            .filter_map(|r| {
                Some((
                    r.params.get(&param)?.parse::<f64>().ok()?,
                    r.metrics[metric],
                ))
            })
            .filter(|(x, _)| x.is_finite())
            .collect();
        if points.len() < 2 {
            continue;
        }
        figures.push(
            Figure::new(
                "param_vs_metric",
                format!("{param} against {metric}"),
                chart::scatter(&points, &Axes::new(&param, metric), Reference::None, SIZE)?,
            )
            .column(param.clone()),
        );
    }
    if figures.is_empty() {
        let higher = crisp_validate::Metric::higher_is_better(metric);
        let mut best: BTreeMap<&str, f64> = BTreeMap::new();
        for r in runs {
            let v = r.metrics[metric];
            best.entry(&r.model)
                .and_modify(|b| {
                    if (higher && v > *b) || (!higher && v < *b) {
                        *b = v
                    }
                })
                .or_insert(v);
        }
        let labels: Vec<String> = best.keys().map(|m| m.to_string()).collect();
        let values: Vec<f64> = best.values().copied().collect();
        figures.push(
            Figure::new(
                "param_vs_metric",
                format!("model against {metric}"),
                chart::bar_chart(&labels, &values, metric, None, SIZE)?,
            )
            .column("model")
            .note("the best run of each model; no numeric parameter varies across these runs"),
        );
    }
    Ok(figures)
}
