//! The Polars queries behind [`crate::profile`]: one `select` per family of statistics, each
//! over every column it concerns, so Polars runs the columns in parallel and reads each once.

use std::collections::HashMap;

use crisp_core::polars::prelude::*;
use crisp_core::{quantile_sorted, Result};

use crate::{
    ColumnKind, ColumnProfile, Correlations, Histogram, NumericSummary, ProfileOptions, Quantile,
    TargetCorrelation, TargetProfile, ValueCount, QUANTILES,
};

fn collect(lazy: &LazyFrame, exprs: Vec<Expr>) -> Result<DataFrame> {
    Ok(lazy.clone().select(exprs).collect()?)
}

fn f64_at(frame: &DataFrame, name: &str) -> Result<Option<f64>> {
    let column = frame.column(name)?.cast(&DataType::Float64)?;
    Ok(column.f64()?.get(0).filter(|v| v.is_finite()))
}

fn u64_at(frame: &DataFrame, name: &str) -> Result<u64> {
    let column = frame.column(name)?.cast(&DataType::UInt64)?;
    Ok(column.u64()?.get(0).unwrap_or(0))
}

/// Per column: (nulls, distinct values that are not null).
pub(crate) fn counts(
    lazy: &LazyFrame,
    kinds: &[(String, DataType, ColumnKind)],
) -> Result<Vec<(u64, u64)>> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let mut exprs = Vec::with_capacity(2 * kinds.len());
    for (i, (name, _, _)) in kinds.iter().enumerate() {
        let c = col(name.as_str());
        exprs.push(c.clone().null_count().alias(format!("n{i}")));
        exprs.push(c.drop_nulls().n_unique().alias(format!("d{i}")));
    }
    let out = collect(lazy, exprs)?;
    (0..kinds.len())
        .map(|i| {
            Ok((
                u64_at(&out, &format!("n{i}"))?,
                u64_at(&out, &format!("d{i}"))?,
            ))
        })
        .collect()
}

/// The moments of a numeric column and its sorted values.
#[derive(Debug, Clone)]
pub(crate) struct Moments {
    pub column: String,
    mean: Option<f64>,
    std: Option<f64>,
    zeros: u64,
    /// The values that are not null, ascending: the quantiles and the histogram come from
    /// them, one sort per column instead of one per quantile.
    sorted: Vec<f64>,
}

impl Moments {
    /// The summary with a `bins`-bin histogram; `None` for a column without values.
    pub fn summary(&self, bins: usize) -> Option<NumericSummary> {
        let (&min, &max) = (self.sorted.first()?, self.sorted.last()?);
        Some(NumericSummary {
            min,
            max,
            mean: self.mean?,
            std: self.std,
            quantiles: QUANTILES
                .iter()
                .map(|&q| Quantile {
                    q,
                    value: quantile_sorted(&self.sorted, q),
                })
                .collect(),
            zeros: self.zeros,
            histogram: histogram(&self.sorted, bins),
        })
    }
}

/// The equal-width histogram of ascending `sorted` (not empty): bin k holds
/// `[min + k w, min + (k+1) w)`, the maximum joins the last bin, and a constant column is one
/// bin. Counted by binary search on the sorted values.
fn histogram(sorted: &[f64], bins: usize) -> Histogram {
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    let n = if max > min { bins } else { 1 };
    let edges: Vec<f64> = (0..=n)
        .map(|k| {
            if k == n {
                max
            } else {
                min + (max - min) * k as f64 / n as f64
            }
        })
        .collect();
    let below = |edge: f64| sorted.partition_point(|&v| v < edge) as u64;
    let counts = (0..n)
        .map(|k| {
            let end = if k + 1 == n {
                sorted.len() as u64
            } else {
                below(edges[k + 1])
            };
            end - below(edges[k])
        })
        .collect();
    Histogram { edges, counts }
}

fn as_f64(name: &str) -> Expr {
    col(name).cast(DataType::Float64)
}

/// Mean, std (ddof 1), zeros and the sorted values of every numeric column.
pub(crate) fn moments(lazy: &LazyFrame, numeric: &[&str]) -> Result<Vec<Moments>> {
    if numeric.is_empty() {
        return Ok(Vec::new());
    }
    let mut exprs = Vec::new();
    for (i, name) in numeric.iter().enumerate() {
        let x = as_f64(name);
        exprs.push(x.clone().mean().alias(format!("mean{i}")));
        exprs.push(x.clone().std(1).alias(format!("std{i}")));
        exprs.push(x.clone().eq(lit(0.0)).sum().alias(format!("zeros{i}")));
        exprs.push(
            x.drop_nulls()
                .sort(SortOptions::default())
                .implode(true)
                .alias(format!("sorted{i}")),
        );
    }
    let out = collect(lazy, exprs)?;
    numeric
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let sorted = match out.column(&format!("sorted{i}"))?.list()?.get_as_series(0) {
                Some(values) => values.f64()?.into_no_null_iter().collect(),
                None => Vec::new(),
            };
            Ok(Moments {
                column: name.to_string(),
                mean: f64_at(&out, &format!("mean{i}"))?,
                std: f64_at(&out, &format!("std{i}"))?,
                zeros: u64_at(&out, &format!("zeros{i}"))?,
                sorted,
            })
        })
        .collect()
}

/// The value counts of text and boolean columns.
pub(crate) struct Shapes {
    values: HashMap<String, Vec<(String, u64)>>,
    top: usize,
}

impl Shapes {
    /// The `top` most frequent values of `column`, with their shares of `non_null` rows.
    pub fn top(&self, column: &str, non_null: u64) -> Vec<ValueCount> {
        self.values
            .get(column)
            .map(|v| value_counts(v, non_null, self.top))
            .unwrap_or_default()
    }
}

/// The first `keep` of `counts` (already most frequent first) as [`ValueCount`]s.
fn value_counts(counts: &[(String, u64)], non_null: u64, keep: usize) -> Vec<ValueCount> {
    counts
        .iter()
        .take(keep)
        .map(|(value, count)| ValueCount {
            value: value.clone(),
            count: *count,
            share: if non_null == 0 {
                0.0
            } else {
                *count as f64 / non_null as f64
            },
        })
        .collect()
}

/// The (value, count) pairs of an imploded `value_counts`, most frequent first, ties in value
/// order (so the result does not depend on Polars' hashing).
fn imploded_counts(frame: &DataFrame, name: &str) -> Result<Vec<(String, u64)>> {
    let list = frame.column(name)?.list()?.clone();
    let Some(counted) = list.get_as_series(0) else {
        return Ok(Vec::new());
    };
    let fields = counted.struct_()?.fields_as_series();
    let values = fields[0].cast(&DataType::String)?;
    let counts = fields[1].cast(&DataType::UInt64)?;
    let mut out: Vec<(String, u64)> = values
        .str()?
        .iter()
        .zip(counts.u64()?.iter())
        .filter_map(|(v, c)| Some((v?.to_string(), c?)))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// Value counts of `expr` (nulls dropped), imploded into one list.
fn counted(expr: Expr) -> Expr {
    expr.drop_nulls()
        .value_counts(false, false, "count", false)
        .implode(false)
}

/// The value counts of the `categorical` columns, in one query.
pub(crate) fn shapes(
    lazy: &LazyFrame,
    categorical: &[&str],
    options: &ProfileOptions,
) -> Result<Shapes> {
    let mut values = HashMap::new();
    if !categorical.is_empty() {
        let exprs = categorical
            .iter()
            .enumerate()
            .map(|(i, name)| counted(col(*name).cast(DataType::String)).alias(format!("v{i}")))
            .collect();
        let out = collect(lazy, exprs)?;
        for (i, name) in categorical.iter().enumerate() {
            values.insert(name.to_string(), imploded_counts(&out, &format!("v{i}"))?);
        }
    }
    Ok(Shapes {
        values,
        top: options.top,
    })
}

/// Pearson's r of `a` and `b` on the rows where both are present.
fn pairwise_r(a: Expr, b: Expr) -> Expr {
    let both = a.clone().is_not_null().and(b.clone().is_not_null());
    pearson_corr(a.filter(both.clone()), b.filter(both))
}

/// The correlation matrix of `columns` (`None` for fewer than two).
pub(crate) fn correlations(lazy: &LazyFrame, columns: &[&str]) -> Result<Option<Correlations>> {
    let k = columns.len();
    if k < 2 {
        return Ok(None);
    }
    let mut exprs = Vec::new();
    for i in 0..k {
        for j in i + 1..k {
            exprs.push(
                pairwise_r(as_f64(columns[i]), as_f64(columns[j])).alias(format!("c{i}_{j}")),
            );
        }
    }
    let out = collect(lazy, exprs)?;
    let mut matrix = vec![vec![None; k]; k];
    for (i, row) in matrix.iter_mut().enumerate() {
        row[i] = Some(1.0);
    }
    let pairs = (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j)));
    for (i, j) in pairs {
        let r = f64_at(&out, &format!("c{i}_{j}"))?;
        matrix[i][j] = r;
        matrix[j][i] = r;
    }
    Ok(Some(Correlations {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        matrix,
    }))
}

/// The target's classes or distribution and its correlations with the numeric columns.
pub(crate) fn target(
    lazy: &LazyFrame,
    name: &str,
    columns: &[ColumnProfile],
    numeric: &[&str],
    max_classes: usize,
) -> Result<TargetProfile> {
    let column = columns
        .iter()
        .find(|c| c.name == name)
        .expect("the target is a column");
    let others: Vec<&str> = numeric.iter().copied().filter(|n| *n != name).collect();
    let (classes, against) = match column.kind {
        ColumnKind::Numeric => (Vec::new(), Some(as_f64(name))),
        _ => {
            let out = collect(
                lazy,
                vec![counted(col(name).cast(DataType::String)).alias("t")],
            )?;
            let counts = imploded_counts(&out, "t")?;
            let total: u64 = counts.iter().map(|(_, c)| c).sum();
            let indicator = (counts.len() == 2).then(|| {
                let rarer = counts[1].0.clone();
                col(name)
                    .cast(DataType::String)
                    .eq(lit(rarer))
                    .cast(DataType::Float64)
            });
            (value_counts(&counts, total, max_classes), indicator)
        }
    };
    let imbalance_ratio = match (classes.first(), classes.last()) {
        (Some(most), Some(least)) if least.count > 0 => {
            Some(most.count as f64 / least.count as f64)
        }
        _ => None,
    };
    let mut correlations = Vec::new();
    if let Some(t) = against.filter(|_| !others.is_empty()) {
        let exprs = others
            .iter()
            .enumerate()
            .map(|(i, c)| pairwise_r(as_f64(c), t.clone()).alias(format!("r{i}")))
            .collect();
        let out = collect(lazy, exprs)?;
        for (i, c) in others.iter().enumerate() {
            if let Some(r) = f64_at(&out, &format!("r{i}"))? {
                correlations.push(TargetCorrelation {
                    column: c.to_string(),
                    r,
                });
            }
        }
        correlations.sort_by(|a, b| b.r.abs().total_cmp(&a.r.abs()));
    }
    Ok(TargetProfile {
        name: name.to_string(),
        classes,
        imbalance_ratio,
        correlations,
    })
}
