//! The page of a trained or validated model: summary, metrics, the gate's verdict, and the
//! plots a data scientist judges a model by.

use std::collections::BTreeMap;

use crisp_core::Result;
use crisp_validate::{
    CheckStatus, ColumnDrift, DataCheck, Distribution, ModelCheck, SliceVerdict, Verdict,
};

use crate::chart::{self, Axes, Line, Reference, Rule, Shares, SIZE};
use crate::curves;
use crate::html::{Cell, Figure, Page, Status};

/// The most classes drawn as separate curves; the others are named in a note.
const MAX_CURVES: usize = 10;
/// The most points of a scatter plot (an evenly spaced subset of the rows beyond it).
const MAX_POINTS: usize = 3_000;
/// The most points of a curve.
const MAX_CURVE_POINTS: usize = 600;
/// Columns whose distributions are overlaid (the most drifted).
const OVERLAID_COLUMNS: usize = 4;

/// A model's predictions on labeled rows, with their true values.
#[derive(Debug, Clone, Copy)]
pub enum Outcomes<'a> {
    /// Classification.
    Classes {
        /// Class names, by index.
        classes: &'a [String],
        /// True class index per row.
        truth: &'a [usize],
        /// Predicted class index per row.
        predicted: &'a [usize],
        /// Class probabilities, row-major (rows × classes), when the model gives them.
        proba: Option<&'a [f64]>,
    },
    /// Regression.
    Values {
        /// True value per row.
        truth: &'a [f64],
        /// Predicted value per row.
        predicted: &'a [f64],
    },
}

/// The importance of one input column, as the report draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnWeight {
    /// The column.
    pub column: String,
    /// Its importance.
    pub value: f64,
}

/// What a [`model_page`] shows; every part but the title and the metrics is optional.
#[derive(Debug, Clone)]
pub struct ModelReport<'a> {
    /// `train` or `validate`: the page's `data-report`.
    pub kind: &'static str,
    /// The page title.
    pub title: String,
    /// The line under the title.
    pub subtitle: String,
    /// Name–value lines of the run: model, data, rows, seed, artifact…
    pub summary: Vec<(String, String)>,
    /// The metrics.
    pub metrics: &'a BTreeMap<String, f64>,
    /// The baseline's metrics on the same rows.
    pub baseline: Option<&'a BTreeMap<String, f64>>,
    /// The gate's verdict, when a gate ran.
    pub verdict: Option<&'a Verdict>,
    /// The predictions behind the metrics, for the curves and residuals.
    pub outcomes: Option<Outcomes<'a>>,
    /// Permutation importance of the input columns, by decreasing importance, and what it
    /// measured (such as `roc_auc drop when shuffled`).
    pub importance: Option<(Vec<ColumnWeight>, String)>,
    /// The drift of each input column from training, with its distributions.
    pub drift: &'a [(ColumnDrift, Distribution)],
    /// What the drift compares with training (`held-out rows`, `the validation data`).
    pub drift_against: String,
    /// The PSI limit of the gate, when one is set.
    pub max_psi: Option<f64>,
    /// Notes shown under the summary (what is not drawn and why).
    pub notes: Vec<String>,
}

impl<'a> ModelReport<'a> {
    /// A report of kind `kind` titled `title` with `metrics` and nothing else.
    pub fn new(
        kind: &'static str,
        title: impl Into<String>,
        metrics: &'a BTreeMap<String, f64>,
    ) -> Self {
        ModelReport {
            kind,
            title: title.into(),
            subtitle: String::new(),
            summary: Vec::new(),
            metrics,
            baseline: None,
            verdict: None,
            outcomes: None,
            importance: None,
            drift: &[],
            drift_against: "new data".into(),
            max_psi: None,
            notes: Vec::new(),
        }
    }
}

/// The HTML page of `report`.
///
/// # Errors
/// When a plot cannot be drawn.
pub fn model_page(report: &ModelReport<'_>) -> Result<String> {
    let mut page = Page::new(report.kind, report.title.clone(), report.subtitle.clone());
    if let Some(verdict) = report.verdict {
        verdict_section(&mut page, verdict);
    }
    page.begin_row();
    page.section("Run").summary(&report.summary);
    for note in &report.notes {
        page.note(note);
    }
    metrics_section(&mut page, report);
    page.end_row();
    if let Some(outcomes) = report.outcomes {
        page.section("Predictions");
        page.figures(outcome_figures(outcomes)?);
    }
    if let Some(slices) = report.verdict.map(|v| &v.slices).filter(|s| !s.is_empty()) {
        slices_section(
            &mut page,
            slices,
            report.verdict.map_or(&[][..], |v| &v.checks),
        )?;
    }
    if let Some((weights, measured)) = &report.importance {
        page.section("Feature importance");
        page.figures(vec![importance_figure(weights, measured)?]);
    }
    if !report.drift.is_empty() {
        page.section("Drift from training");
        page.figures(drift_figures(
            report.drift,
            &report.drift_against,
            report.max_psi,
        )?);
    }
    Ok(page.finish())
}

fn status_of(status: &CheckStatus) -> Status {
    match status {
        CheckStatus::Passed => Status::Pass,
        CheckStatus::Failed => Status::Fail,
        CheckStatus::Skipped { .. } => Status::Skip,
    }
}

fn verdict_section(page: &mut Page, verdict: &Verdict) {
    let attributes = format!(" data-passed=\"{}\"", verdict.passed);
    page.section_with("Gate", "verdict", &attributes);
    let failed = verdict.checks.iter().filter(|c| c.outcome.failed()).count()
        + verdict.data_checks.iter().filter(|c| c.failed()).count()
        + verdict
            .slices
            .iter()
            .flat_map(|s| &s.checks)
            .filter(|c| c.outcome.failed())
            .count();
    if verdict.passed {
        page.badge_line(Status::Pass, "PASS", "every check holds");
    } else {
        page.badge_line(
            Status::Fail,
            "FAIL",
            &format!("{failed} check(s) failed: the model is not accepted"),
        );
    }
    if !verdict.checks.is_empty() {
        page.subheading("Thresholds");
        model_checks_table(page, &verdict.checks);
    }
    let shown: Vec<&DataCheck> = verdict
        .data_checks
        .iter()
        .filter(|c| c.limit.is_some() || c.failed() || c.column.is_none())
        .collect();
    let informational = verdict.data_checks.len() - shown.len();
    if !shown.is_empty() {
        page.subheading("Data checks");
        let rows = shown
            .iter()
            .map(|c| {
                (
                    vec![
                        Cell::Text(c.display_name()),
                        Cell::Number(c.observed.map(chart::short).unwrap_or_default()),
                        Cell::Number(c.limit.map(chart::short).unwrap_or_default()),
                        Cell::Badge(status_of(&c.status)),
                        Cell::Text(c.message.clone()),
                    ],
                    c.failed(),
                )
            })
            .collect::<Vec<_>>();
        page.table(
            "data-checks",
            &["check", "observed", "limit", "status", "detail"],
            &rows,
        );
    }
    if informational > 0 {
        page.note(&format!(
            "{informational} more drift measurements have no limit set (--max-psi, --max-ks, \
             ...): they are drawn under \"Drift from training\"."
        ));
    }
}

fn model_checks_table(page: &mut Page, checks: &[ModelCheck]) {
    let rows = checks
        .iter()
        .map(|c| {
            let o = &c.outcome;
            let reason = match (&c.reason, &o.status) {
                (Some(r), _) => r.clone(),
                (None, CheckStatus::Skipped { reason }) => reason.clone(),
                _ => String::new(),
            };
            (
                vec![
                    Cell::Text(o.threshold.clone()),
                    Cell::Number(chart::short(o.observed)),
                    Cell::Text(match o.bound {
                        Some(b) => format!("{} {}", op_text(&o.op), chart::short(b)),
                        None => String::new(),
                    }),
                    Cell::Number(o.baseline.map(chart::short).unwrap_or_default()),
                    Cell::Badge(status_of(&o.status)),
                    Cell::Text(reason),
                ],
                o.failed(),
            )
        })
        .collect::<Vec<_>>();
    page.table(
        "checks",
        &[
            "threshold",
            "observed",
            "bound",
            "baseline",
            "status",
            "note",
        ],
        &rows,
    );
}

fn op_text(op: &crisp_validate::Op) -> String {
    serde_json::to_value(op)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn metrics_section(page: &mut Page, report: &ModelReport<'_>) {
    page.section("Metrics");
    let mut names: Vec<&String> = report.metrics.keys().collect();
    const MAIN: &[&str] = &[
        "roc_auc", "accuracy", "f1_macro", "log_loss", "rmse", "mae", "r2",
    ];
    names.sort_by_key(|n| {
        (
            MAIN.iter().position(|m| m == n).unwrap_or(MAIN.len()),
            n.to_string(),
        )
    });
    let mut headers = vec!["metric", "value"];
    if report.baseline.is_some() {
        headers.extend(["baseline", "difference"]);
    }
    let rows = names
        .into_iter()
        .map(|name| {
            let v = report.metrics[name];
            let mut cells = vec![Cell::Text(name.clone()), Cell::Number(format_metric(v))];
            if let Some(base) = report.baseline {
                match base.get(name) {
                    Some(b) => cells.extend([
                        Cell::Number(format_metric(*b)),
                        Cell::Number(format!("{:+.4}", v - b)),
                    ]),
                    None => cells.extend([Cell::Text(String::new()), Cell::Text(String::new())]),
                }
            }
            (cells, false)
        })
        .collect::<Vec<_>>();
    page.table("metrics", &headers, &rows);
}

fn format_metric(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

fn outcome_figures(outcomes: Outcomes<'_>) -> Result<Vec<Figure>> {
    match outcomes {
        Outcomes::Classes {
            classes,
            truth,
            predicted,
            proba,
        } => classification_figures(classes, truth, predicted, proba),
        Outcomes::Values { truth, predicted } => regression_figures(truth, predicted),
    }
}

fn classification_figures(
    classes: &[String],
    truth: &[usize],
    predicted: &[usize],
    proba: Option<&[f64]>,
) -> Result<Vec<Figure>> {
    let k = classes.len();
    let mut counts = vec![vec![Some(0.0); k]; k];
    for (&t, &p) in truth.iter().zip(predicted) {
        if let Some(c) = counts.get_mut(t).and_then(|r| r.get_mut(p)) {
            *c = Some(c.unwrap_or(0.0) + 1.0);
        }
    }
    let mut figures = vec![Figure::new(
        "confusion_matrix",
        "Confusion matrix",
        chart::heatmap(
            classes,
            classes,
            &counts,
            |v| format!("{v:.0}"),
            false,
            ("predicted class", "true class"),
            SIZE,
        )?,
    )
    .note(format!("{} rows", truth.len()))];
    let Some(proba) = proba.filter(|p| k >= 2 && p.len() == truth.len() * k) else {
        return Ok(figures);
    };
    // Binary: the second class is the positive one (scikit-learn's convention for sorted
    // labels); several classes: one against the rest, for the most frequent ones.
    let curve_classes: Vec<usize> = if k == 2 {
        vec![1]
    } else {
        let mut by_count: Vec<usize> = (0..k).collect();
        let support = |c: usize| truth.iter().filter(|&&t| t == c).count();
        by_count.sort_by_key(|&c| std::cmp::Reverse(support(c)));
        by_count.truncate(MAX_CURVES);
        by_count.sort_unstable();
        by_count
    };
    let positive = |c: usize| -> Vec<bool> { truth.iter().map(|&t| t == c).collect() };
    let score = |c: usize| -> Vec<f64> { proba.chunks(k).map(|row| row[c]).collect() };
    let name = |c: usize| -> String {
        if k == 2 {
            format!("{} (positive)", classes[c])
        } else {
            format!("{} vs rest", classes[c])
        }
    };
    let curve_note = if k > MAX_CURVES {
        format!("one against the rest, the {MAX_CURVES} most frequent of {k} classes")
    } else if k > 2 {
        "one against the rest".to_string()
    } else {
        format!("positive class: {}", classes[1])
    };
    let mut roc = Vec::new();
    let mut pr = Vec::new();
    let mut calibration = Vec::new();
    for &c in &curve_classes {
        let (y, s) = (positive(c), score(c));
        let roc_points = curves::roc(&y, &s);
        let pr_points = curves::precision_recall(&y, &s);
        if roc_points.is_empty() {
            continue;
        }
        roc.push(Line {
            name: name(c),
            points: curves::thin(&roc_points, MAX_CURVE_POINTS),
            markers: false,
        });
        pr.push(Line {
            name: name(c),
            points: curves::thin(&pr_points, MAX_CURVE_POINTS),
            markers: false,
        });
        calibration.push(Line {
            name: name(c),
            points: curves::calibration(&y, &s, 10)
                .into_iter()
                .map(|b| (b.predicted, b.observed))
                .collect(),
            markers: true,
        });
    }
    if !roc.is_empty() {
        figures.push(
            Figure::new(
                "roc",
                "ROC curve",
                chart::line_chart(
                    &roc,
                    &Axes::unit("false positive rate", "true positive rate"),
                    true,
                    SIZE,
                )?,
            )
            .note(curve_note.clone()),
        );
        figures.push(
            Figure::new(
                "pr",
                "Precision–recall curve",
                chart::line_chart(&pr, &Axes::unit("recall", "precision"), false, SIZE)?,
            )
            .note(curve_note.clone()),
        );
        figures.push(
            Figure::new(
                "calibration",
                "Calibration",
                chart::line_chart(
                    &calibration,
                    &Axes::unit("mean predicted probability", "observed frequency"),
                    true,
                    SIZE,
                )?,
            )
            .note("10 equal-width bins; the diagonal is perfect calibration"),
        );
    }
    figures.push(probability_histogram(classes, truth, proba)?);
    Ok(figures)
}

/// Binary: the positive class' probability, one distribution per true class. Several classes:
/// the probability given to the true class, one distribution per true class.
fn probability_histogram(classes: &[String], truth: &[usize], proba: &[f64]) -> Result<Figure> {
    const BINS: usize = 20;
    let k = classes.len();
    let shown: Vec<usize> = (0..k.min(MAX_CURVES)).collect();
    let series: Vec<Shares> = shown
        .iter()
        .map(|&c| {
            let column = if k == 2 { 1 } else { c };
            let values = truth
                .iter()
                .zip(proba.chunks(k))
                .filter(|(&t, _)| t == c)
                .map(|(_, row)| row[column]);
            Shares {
                name: format!("true {}", classes[c]),
                values: curves::unit_histogram(values, BINS),
            }
        })
        .collect();
    let bins: Vec<String> = (0..BINS)
        .map(|b| format!("{:.2}", (b as f64 + 0.5) / BINS as f64))
        .collect();
    let (x, note) = if k == 2 {
        (
            format!("predicted probability of {}", classes[1]),
            "share of each true class' rows per bin".to_string(),
        )
    } else {
        (
            "predicted probability of the true class".to_string(),
            "share of each true class' rows per bin".to_string(),
        )
    };
    Ok(Figure::new(
        "proba_histogram",
        "Predicted probabilities by true class",
        chart::bars_by_bin(&bins, &series, (&x, "share of rows"), SIZE)?,
    )
    .note(note))
}

fn regression_figures(truth: &[f64], predicted: &[f64]) -> Result<Vec<Figure>> {
    let pairs: Vec<(f64, f64)> = truth
        .iter()
        .copied()
        .zip(predicted.iter().copied())
        .collect();
    let pairs = curves::thin(&pairs, MAX_POINTS);
    let note = if truth.len() > pairs.len() {
        format!("{} of {} rows, evenly spaced", pairs.len(), truth.len())
    } else {
        format!("{} rows", truth.len())
    };
    let residuals: Vec<(f64, f64)> = pairs.iter().map(|&(t, p)| (p, t - p)).collect();
    Ok(vec![
        Figure::new(
            "residuals",
            "Residuals against predicted",
            chart::scatter(
                &residuals,
                &Axes::new("predicted", "actual − predicted"),
                Reference::Zero,
                SIZE,
            )?,
        )
        .note(note.clone()),
        Figure::new(
            "predicted_vs_actual",
            "Predicted against actual",
            chart::scatter(
                &pairs,
                &Axes::new("actual", "predicted"),
                Reference::Diagonal,
                SIZE,
            )?,
        )
        .note(note),
    ])
}

fn slices_section(page: &mut Page, slices: &[SliceVerdict], overall: &[ModelCheck]) -> Result<()> {
    let column = slices[0].column.clone();
    page.section(&format!("Slices of '{column}'"));
    let labels: Vec<String> = slices
        .iter()
        .map(|s| format!("{} ({} rows)", s.value, s.rows))
        .collect();
    let mut figures = Vec::new();
    // One plot per threshold metric, with its bound on all rows as the line; without
    // thresholds, the main metric of the slices.
    let mut metrics: Vec<(String, Option<Rule>)> = overall
        .iter()
        .map(|c| {
            let rule = c.outcome.bound.map(|b| Rule {
                value: b,
                label: c.outcome.threshold.clone(),
            });
            (c.outcome.metric.clone(), rule)
        })
        .collect();
    metrics.dedup_by(|a, b| a.0 == b.0);
    if metrics.is_empty() {
        let main = ["roc_auc", "accuracy", "r2", "rmse"]
            .into_iter()
            .find(|m| slices.iter().any(|s| s.metrics.contains_key(*m)));
        metrics.extend(main.map(|m| (m.to_string(), None)));
    }
    for (metric, rule) in metrics {
        let values: Vec<f64> = slices
            .iter()
            .map(|s| s.metrics.get(&metric).copied().unwrap_or(f64::NAN))
            .collect();
        let higher = crisp_validate::Metric::higher_is_better(&metric);
        figures.push(
            Figure::new(
                "slice_metrics",
                format!("{metric} per slice"),
                chart::bar_chart(
                    &labels,
                    &values,
                    &metric,
                    rule.as_ref().map(|r| (r, higher)),
                    SIZE,
                )?,
            )
            .column(column.clone()),
        );
    }
    page.figures(figures);
    let rows = slices
        .iter()
        .map(|s| {
            let status = if !s.gated {
                Status::Skip
            } else if s.passed {
                Status::Pass
            } else {
                Status::Fail
            };
            let main: Vec<String> = s
                .metrics
                .iter()
                .filter(|(n, _)| !n.contains('['))
                .take(4)
                .map(|(n, v)| format!("{n} {}", chart::short(*v)))
                .collect();
            (
                vec![
                    Cell::Text(s.value.clone()),
                    Cell::Number(s.rows.to_string()),
                    Cell::Badge(status),
                    Cell::Text(main.join(", ")),
                ],
                s.gated && !s.passed,
            )
        })
        .collect::<Vec<_>>();
    page.table("slices", &["slice", "rows", "status", "metrics"], &rows);
    Ok(())
}

fn importance_figure(weights: &[ColumnWeight], measured: &str) -> Result<Figure> {
    const SHOWN: usize = 20;
    let shown = &weights[..weights.len().min(SHOWN)];
    let labels: Vec<String> = shown.iter().map(|w| w.column.clone()).collect();
    let values: Vec<f64> = shown.iter().map(|w| w.value).collect();
    let note = if weights.len() > SHOWN {
        format!(
            "{measured}; the {SHOWN} most important of {} columns",
            weights.len()
        )
    } else {
        measured.to_string()
    };
    Ok(Figure::new(
        "feature_importance",
        "Permutation importance",
        chart::bar_chart(&labels, &values, measured, None, SIZE)?,
    )
    .note(note))
}

fn drift_figures(
    drift: &[(ColumnDrift, Distribution)],
    against: &str,
    max_psi: Option<f64>,
) -> Result<Vec<Figure>> {
    const SHOWN: usize = 25;
    let mut by_psi: Vec<&(ColumnDrift, Distribution)> =
        drift.iter().filter(|(d, _)| d.psi.is_some()).collect();
    by_psi.sort_by(|a, b| {
        b.0.psi
            .unwrap_or(0.0)
            .total_cmp(&a.0.psi.unwrap_or(0.0))
            .then(a.0.column.cmp(&b.0.column))
    });
    if by_psi.is_empty() {
        return Ok(Vec::new());
    }
    let shown = &by_psi[..by_psi.len().min(SHOWN)];
    let labels: Vec<String> = shown.iter().map(|(d, _)| d.column.clone()).collect();
    let values: Vec<f64> = shown.iter().map(|(d, _)| d.psi.unwrap_or(0.0)).collect();
    let rule = Rule {
        value: max_psi.unwrap_or(0.25),
        label: match max_psi {
            Some(limit) => format!("max_psi {}", chart::short(limit)),
            None => "0.25: a major shift".to_string(),
        },
    };
    let mut figures = vec![Figure::new(
        "drift_psi",
        "Population stability index per column",
        chart::bar_chart(&labels, &values, "PSI", Some((&rule, false)), SIZE)?,
    )
    .note(format!("training against {against}"))];
    for (d, dist) in by_psi.iter().take(OVERLAID_COLUMNS) {
        let series = [
            Shares {
                name: "training".into(),
                values: dist.train.clone(),
            },
            Shares {
                name: against.to_string(),
                values: dist.new.clone(),
            },
        ];
        figures.push(
            Figure::new(
                "drift_overlay",
                format!("{}: training against {against}", d.column),
                chart::bars_by_bin(&dist.bins, &series, (&d.column, "share of rows"), SIZE)?,
            )
            .column(d.column.clone())
            .note(format!("PSI {}", chart::short(d.psi.unwrap_or(0.0)))),
        );
    }
    Ok(figures)
}
