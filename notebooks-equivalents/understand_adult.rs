//! CRISP-DM phase 2, data understanding, on the UCI adult census data (`datasets/adult.csv`,
//! target `income`): what a notebook's first cells would show before anything is trained.
//! The profile of every column (type, missing values, distinct values, range, mean), the most
//! frequent categories, the class balance, the numeric columns most correlated with the
//! target, a few observations drawn from those numbers, and the HTML profile page.
//!
//! Run: `cargo run --example understand_adult [OUT_DIR]`
//! (writes `profile.html` into OUT_DIR, by default `crisp-notebooks/understand_adult/` under
//! the system's temporary directory).

#[path = "notebook.rs"]
mod notebook;

use crisp_core::read_csv;
use crisp_profile::{profile, ColumnKind, ColumnProfile, Profile, ProfileOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = notebook::output_dir("understand_adult")?;
    let adult = read_csv(&notebook::datasets().join("adult.csv"))?.frame;

    // One call computes every statistic below, each family as one Polars query.
    let p = profile(&adult, &ProfileOptions::new().target("income"))?;

    println!(
        "## adult.csv: {} rows x {} columns",
        p.rows,
        p.columns.len()
    );
    column_table(&p);

    println!("\n## Most frequent categories (share of non-missing rows)");
    for c in p.columns.iter().filter(|c| c.kind == ColumnKind::Text) {
        let top: Vec<String> = c
            .top
            .iter()
            .take(3)
            .map(|v| format!("{} {:.1}%", v.value, 100.0 * v.share))
            .collect();
        println!("{:<15} {}", c.name, top.join(", "));
    }

    let target = p.target.as_ref().ok_or("the profile has no target")?;
    println!("\n## Target '{}'", target.name);
    for class in &target.classes {
        println!(
            "{:<6} {:>6} rows  {:>5.1}%",
            class.value,
            class.count,
            100.0 * class.share
        );
    }
    if let Some(ratio) = target.imbalance_ratio {
        println!("imbalance: {ratio:.2} rows of the larger class per row of the smaller");
    }

    // For a two-class target, r is the correlation with the indicator of the rarer class
    // (>50K here): a positive r means "more of this, more often >50K".
    println!("\n## Numeric columns by |r| with income = >50K");
    for c in &target.correlations {
        println!("{:<15} r = {:+.3}", c.column, c.r);
    }

    println!("\n## Observations");
    for line in observations(&p) {
        println!("- {line}");
    }

    println!();
    let html = crisp_report::profile_page(&p, "adult.csv")?;
    notebook::write(&out, "profile.html", &html)?;
    Ok(())
}

/// One line per column: dtype, missing values, distinct values, and min / mean / max for
/// numbers.
fn column_table(p: &Profile) {
    println!(
        "{:<15} {:<6} {:>6} {:>7} {:>8} {:>11} {:>11} {:>11}",
        "column", "dtype", "nulls", "null %", "distinct", "min", "mean", "max"
    );
    for c in &p.columns {
        let (min, mean, max) = match &c.numeric {
            Some(n) => (
                format!("{:.0}", n.min),
                format!("{:.1}", n.mean),
                format!("{:.0}", n.max),
            ),
            None => ("".into(), "".into(), "".into()),
        };
        println!(
            "{:<15} {:<6} {:>6} {:>6.2}% {:>8} {min:>11} {mean:>11} {max:>11}",
            c.name,
            c.dtype,
            c.nulls,
            100.0 * c.null_rate,
            c.distinct
        );
    }
}

/// What a reader should take from the numbers, computed from them rather than written by
/// hand, so the lines stay true if the data changes.
fn observations(p: &Profile) -> Vec<String> {
    let mut lines = Vec::new();
    let missing: Vec<&str> = p
        .columns
        .iter()
        .filter(|c| c.nulls > 0)
        .map(|c| c.name.as_str())
        .collect();
    if !missing.is_empty() {
        lines.push(format!(
            "missing values only in {}: the pipeline must impute them (or the model handle them)",
            missing.join(", ")
        ));
    }
    lines.extend(p.columns.iter().filter_map(|c| mostly_zero(c, p.rows)));
    if let Some(many) = p
        .columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Text && c.name != "income")
        .max_by_key(|c| c.distinct)
    {
        lines.push(format!(
            "{} has {} categories, the most of any text column: one-hot encoding it adds as many columns",
            many.name, many.distinct
        ));
    }
    if let (Some(a), Some(b)) = (p.column("education"), p.column("education-num")) {
        lines.push(format!(
            "education ({} values) and education-num ({} values) are likely the same information twice",
            a.distinct, b.distinct
        ));
    }
    if let Some(t) = &p.target {
        if let (Some(strongest), Some(weakest)) = (t.correlations.first(), t.correlations.last()) {
            lines.push(format!(
                "{} is the numeric column most linked to income (r = {:.2}); no single column is decisive",
                strongest.column, strongest.r
            ));
            if weakest.column == "fnlwgt" {
                lines.push(format!(
                    "fnlwgt has r = {:.3}: no signal, as expected of a sampling weight (datasets/README.md)",
                    weakest.r
                ));
            }
        }
    }
    lines
}

/// A line for a numeric column whose values are mostly zero (a sparse, skewed column), of a
/// table with `rows` rows.
fn mostly_zero(c: &ColumnProfile, rows: usize) -> Option<String> {
    let n = c.numeric.as_ref()?;
    let share = n.zeros as f64 / (rows as u64 - c.nulls).max(1) as f64;
    (share > 0.8).then(|| {
        format!(
            "{} is 0 on {:.1}% of rows and reaches {:.0}: heavily skewed (log1p, or a tree model)",
            c.name,
            100.0 * share,
            n.max
        )
    })
}
