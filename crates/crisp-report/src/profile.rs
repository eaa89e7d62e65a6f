//! The data-understanding page of a [`crisp_profile::Profile`]: an overview table, one plot
//! per column (a histogram or its top values), the correlations and the target's balance.

use crisp_core::Result;
use crisp_profile::{ColumnKind, ColumnProfile, Profile};

use crate::chart::{self, Shares, SIZE};
use crate::html::{Cell, Figure, Page};

/// The HTML page of `profile`, of the data named `source`.
///
/// # Errors
/// When a plot cannot be drawn.
pub fn profile_page(profile: &Profile, source: &str) -> Result<String> {
    let mut page = Page::new(
        "profile",
        format!("Profile of {source}"),
        format!("{} rows × {} columns", profile.rows, profile.columns.len()),
    );
    overview(&mut page, profile);
    if let Some(target) = &profile.target {
        page.section(&format!("Target '{}'", target.name));
        let mut figures = Vec::new();
        if !target.classes.is_empty() {
            let labels: Vec<String> = target.classes.iter().map(|c| c.value.clone()).collect();
            let shares: Vec<f64> = target.classes.iter().map(|c| c.share).collect();
            let note = match target.imbalance_ratio {
                Some(r) => format!("largest class / smallest class = {}", chart::short(r)),
                None => String::new(),
            };
            figures.push(
                Figure::new(
                    "target_balance",
                    "Class balance",
                    chart::bar_chart(&labels, &shares, "share of rows", None, SIZE)?,
                )
                .column(target.name.clone())
                .note(note),
            );
        } else if let Some(column) = profile.column(&target.name) {
            // A numeric target: its balance is its distribution.
            if let Some(f) = histogram(column, "target_balance")? {
                figures.push(f.note("distribution of the target"));
            }
        }
        if !target.correlations.is_empty() {
            let mut by_strength = target.correlations.clone();
            by_strength.sort_by(|a, b| b.r.abs().total_cmp(&a.r.abs()));
            by_strength.truncate(25);
            let labels: Vec<String> = by_strength.iter().map(|c| c.column.clone()).collect();
            let r: Vec<f64> = by_strength.iter().map(|c| c.r).collect();
            figures.push(
                Figure::new(
                    "target_correlation",
                    "Correlation with the target",
                    chart::bar_chart(&labels, &r, "Pearson r", None, SIZE)?,
                )
                .column(target.name.clone())
                .note("numeric columns, by strength"),
            );
        }
        page.figures(figures);
    }
    page.section("Columns");
    let mut figures = Vec::new();
    for column in &profile.columns {
        if let Some(f) = histogram(column, "histogram")? {
            figures.push(f);
        } else if let Some(f) = top_values(column)? {
            figures.push(f);
        }
    }
    page.figures(figures);
    if let Some(corr) = &profile.correlations {
        if corr.columns.len() >= 2 {
            page.section("Correlations");
            page.figures(vec![Figure::new(
                "correlation",
                "Pearson correlation between numeric columns",
                chart::heatmap(
                    &corr.columns,
                    &corr.columns,
                    &corr.matrix,
                    |v| format!("{v:.2}"),
                    true,
                    ("", ""),
                    (760, 560),
                )?,
            )]);
        }
    }
    Ok(page.finish())
}

fn overview(page: &mut Page, profile: &Profile) {
    page.section("Overview");
    let rows = profile
        .columns
        .iter()
        .map(|c| {
            let (min, mean, max) = match &c.numeric {
                Some(n) => (
                    chart::short(n.min),
                    chart::short(n.mean),
                    chart::short(n.max),
                ),
                None => Default::default(),
            };
            let top = c
                .top
                .iter()
                .take(3)
                .map(|v| format!("{} ({:.0}%)", v.value, v.share * 100.0))
                .collect::<Vec<_>>()
                .join(", ");
            (
                vec![
                    Cell::Text(c.name.clone()),
                    Cell::Text(c.dtype.clone()),
                    Cell::Number(format!("{:.1}%", c.null_rate * 100.0)),
                    Cell::Number(c.distinct.to_string()),
                    Cell::Number(min),
                    Cell::Number(mean),
                    Cell::Number(max),
                    Cell::Text(top),
                ],
                false,
            )
        })
        .collect::<Vec<_>>();
    page.table(
        "columns",
        &[
            "column",
            "type",
            "nulls",
            "distinct",
            "min",
            "mean",
            "max",
            "top values",
        ],
        &rows,
    );
}

/// The histogram of a numeric column, named `name` on the page.
fn histogram(column: &ColumnProfile, name: &'static str) -> Result<Option<Figure>> {
    let Some(numeric) = &column.numeric else {
        return Ok(None);
    };
    let h = &numeric.histogram;
    if h.counts.is_empty() {
        return Ok(None);
    }
    let total: u64 = h.counts.iter().sum();
    let bins: Vec<String> = h
        .edges
        .windows(2)
        .map(|w| chart::short((w[0] + w[1]) / 2.0))
        .collect();
    let shares = Shares {
        name: String::new(),
        values: h
            .counts
            .iter()
            .map(|&c| c as f64 / total.max(1) as f64)
            .collect(),
    };
    let quartiles: Vec<String> = numeric
        .quantiles
        .iter()
        .filter(|q| [0.25, 0.5, 0.75].contains(&q.q))
        .map(|q| format!("q{:.0} {}", q.q * 100.0, chart::short(q.value)))
        .collect();
    Ok(Some(
        Figure::new(
            name,
            column.name.clone(),
            chart::bars_by_bin(
                &bins,
                &[shares],
                (&column.name, "share of rows"),
                (480, 300),
            )?,
        )
        .column(column.name.clone())
        .note(format!(
            "{}; {} nulls; {}",
            column.dtype,
            column.nulls,
            quartiles.join(", ")
        )),
    ))
}

/// The most frequent values of a text or boolean column.
fn top_values(column: &ColumnProfile) -> Result<Option<Figure>> {
    if column.top.is_empty() || !matches!(column.kind, ColumnKind::Text | ColumnKind::Boolean) {
        return Ok(None);
    }
    let labels: Vec<String> = column.top.iter().map(|v| v.value.clone()).collect();
    let shares: Vec<f64> = column.top.iter().map(|v| v.share).collect();
    let listed: f64 = shares.iter().sum();
    Ok(Some(
        Figure::new(
            "top_values",
            column.name.clone(),
            chart::bar_chart(&labels, &shares, "share of rows", None, (480, 300))?,
        )
        .column(column.name.clone())
        .note(format!(
            "{}; {} distinct; the top {} hold {:.0}% of rows",
            column.dtype,
            column.distinct,
            labels.len(),
            listed * 100.0
        )),
    ))
}
