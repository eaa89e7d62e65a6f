//! The driver: bin edges from sketches, then boosting with one histogram query per tree level.
//!
//! Every query is an ordinary DataFusion plan over the training table, so the engine (a
//! Ballista cluster, or DataFusion in this process) schedules it, shuffles partial aggregates
//! and retries failed tasks; this side only picks splits ([`GradientBoostingValidParams::
//! fit_external`]).

use std::time::Instant;

use crisp_trees::external::{Ensemble, Frontier, HistogramLayout, HistogramSource};
use crisp_trees::{
    BinMapper, GradientBoosting, GradientBoostingValidParams, QuantileSketch, TreeError, TreeTarget,
};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, UInt32Type};
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrame;
use datafusion::functions_aggregate::expr_fn::{count, sum};
use datafusion::logical_expr::{cast, ident, lit, Expr};
use datafusion::prelude::SessionContext;
use tokio::runtime::Runtime;

use crate::bail;
use crate::error::{Error, Result};
use crate::functions::{
    aggregate_functions, decode_sketch, encode, histogram_values, loss_name, scalar_functions,
};

/// The training table: a table registered in the session, its numeric feature columns (in the
/// model's order) and its target column.
#[derive(Clone, Debug)]
pub struct TableSpec {
    /// Name of the table in the session.
    pub table: String,
    /// Feature columns, numeric.
    pub features: Vec<String>,
    /// Target column: 0/1 labels for a classifier, numbers for a regressor.
    pub target: String,
}

/// A model trained on a cluster, with what it took.
#[derive(Clone, Debug)]
pub struct Trained<L> {
    /// The model, the same type as one trained in memory.
    pub model: GradientBoosting<L>,
    /// The bin edges it was trained on, from sketches of every row.
    pub mappers: Vec<BinMapper>,
    /// Rows trained on.
    pub rows: u64,
    /// Histogram queries run (about one per tree level).
    pub histogram_queries: usize,
    /// Seconds spent on the bin edges, and on boosting.
    pub seconds: (f64, f64),
}

/// Calls one of crisp's scalar functions by name.
fn call(name: &str, args: Vec<Expr>) -> Expr {
    let f = scalar_functions()
        .into_iter()
        .find(|f| f.name() == name)
        .expect("crisp's scalar function");
    f.call(args)
}

fn call_aggregate(name: &str, args: Vec<Expr>) -> Expr {
    let f = aggregate_functions()
        .into_iter()
        .find(|f| f.name() == name)
        .expect("crisp's aggregate function");
    f.call(args)
}

fn binary(bytes: Vec<u8>) -> Expr {
    lit(ScalarValue::Binary(Some(bytes)))
}

fn as_f64(column: &str) -> Expr {
    cast(ident(column), DataType::Float64)
}

/// Column `i`'s bins.
fn bin(i: usize) -> Expr {
    ident(format!("b{i}"))
}

/// One row of a query's result, as the scalar values of its columns.
fn one_row(rt: &Runtime, df: DataFrame) -> Result<Vec<ScalarValue>> {
    let batches = rt.block_on(df.collect())?;
    let batch = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .ok_or_else(|| Error::Data("an aggregate query returned no row".into()))?;
    (0..batch.num_columns())
        .map(|c| Ok(ScalarValue::try_from_array(batch.column(c), 0)?))
        .collect()
}

/// Checks that the table has the columns, and returns a frame of it.
fn table(rt: &Runtime, ctx: &SessionContext, spec: &TableSpec) -> Result<DataFrame> {
    let df = rt.block_on(ctx.table(spec.table.as_str()))?;
    let schema = df.schema().clone();
    for c in spec.features.iter().chain([&spec.target]) {
        let Some((_, field)) = schema.qualified_field_with_unqualified_name(c).ok() else {
            bail!("table {:?} has no column {c:?}", spec.table);
        };
        if !field.data_type().is_numeric() && !matches!(field.data_type(), DataType::Boolean) {
            bail!(
                "column {c:?} of table {:?} is {}, not numeric: the cluster path trains on numeric columns",
                spec.table,
                field.data_type()
            );
        }
    }
    if spec.features.is_empty() {
        bail!("no feature columns to train on");
    }
    Ok(df)
}

/// The bin edges of every feature, from one aggregate query of [`QuantileSketch`]es over all
/// rows (the same edges whatever the partitioning).
pub fn bin_edges(
    rt: &Runtime,
    ctx: &SessionContext,
    spec: &TableSpec,
    max_bins: usize,
) -> Result<Vec<BinMapper>> {
    let df = table(rt, ctx, spec)?;
    let sketches: Vec<Expr> = spec
        .features
        .iter()
        .enumerate()
        .map(|(i, f)| call_aggregate("crisp_sketch", vec![as_f64(f)]).alias(format!("s{i}")))
        .collect();
    let row = one_row(rt, df.aggregate(vec![], sketches)?)?;
    row.iter()
        .zip(&spec.features)
        .map(|(v, f)| {
            let ScalarValue::Binary(Some(bytes)) = v else {
                bail!("the sketch of column {f:?} came back empty");
            };
            let sketch: QuantileSketch = decode_sketch(bytes)?;
            Ok(sketch.mapper(max_bins)?)
        })
        .collect()
}

/// The histogram source over a table: each request is one aggregate query.
struct TableSource<'a> {
    rt: &'a Runtime,
    df: DataFrame,
    mappers: &'a [BinMapper],
    target_sum: (f64, u64),
    queries: usize,
}

impl TableSource<'_> {
    fn query(&mut self, ensemble: &Ensemble, frontier: &Frontier) -> Result<Vec<Vec<f64>>> {
        self.queries += 1;
        let f = self.mappers.len();
        let bins: Vec<Expr> = (0..f).map(bin).collect();
        let with = |first: Expr| [first].into_iter().chain(bins.clone()).collect::<Vec<_>>();
        let routed = self.df.clone().select(
            [
                call("crisp_node", with(binary(encode(frontier)))).alias("node"),
                call("crisp_score", with(binary(encode(ensemble)))).alias("score"),
                ident("y"),
            ]
            .into_iter()
            .chain(bins.clone())
            .collect::<Vec<_>>(),
        )?;
        let loss = lit(loss_name(ensemble.loss()));
        let gradients = routed.filter(ident("node").is_not_null())?.select(
            [
                ident("node"),
                call(
                    "crisp_gradient",
                    vec![loss.clone(), ident("y"), ident("score")],
                )
                .alias("g"),
                call("crisp_hessian", vec![loss, ident("y"), ident("score")]).alias("h"),
            ]
            .into_iter()
            .chain(bins.clone())
            .collect::<Vec<_>>(),
        )?;
        let hist_args: Vec<Expr> = [ident("g"), ident("h")].into_iter().chain(bins).collect();
        let histograms = gradients.aggregate(
            vec![ident("node")],
            vec![call_aggregate("crisp_histogram", hist_args).alias("hist")],
        )?;
        let layout_len = HistogramLayout::new(self.mappers).len();
        let mut out = vec![vec![0.0; layout_len]; frontier.n_slots()];
        for batch in self.rt.block_on(histograms.collect())? {
            let nodes = batch.column(0).as_primitive::<UInt32Type>();
            let hists = batch.column(1).as_binary::<i32>();
            for i in 0..batch.num_rows() {
                let slot = nodes.value(i) as usize;
                if slot >= out.len() || hists.is_null(i) {
                    bail!("the histogram query returned node {slot} of {}", out.len());
                }
                out[slot] = histogram_values(hists.value(i), self.mappers)?;
            }
        }
        Ok(out)
    }
}

fn tree_error(e: Error) -> TreeError {
    match e {
        Error::Tree(t) => t,
        other => TreeError::Source(other.to_string()),
    }
}

impl HistogramSource for TableSource<'_> {
    fn target_sum(&mut self) -> crisp_trees::Result<(f64, u64)> {
        Ok(self.target_sum)
    }

    fn histograms(
        &mut self,
        ensemble: &Ensemble,
        frontier: &Frontier,
        _layout: &HistogramLayout,
    ) -> crisp_trees::Result<Vec<Vec<f64>>> {
        self.query(ensemble, frontier).map_err(tree_error)
    }
}

/// Trains gradient boosting on the table: bin edges by [`bin_edges`] (at most `max_bins` per
/// feature), then [`GradientBoostingValidParams::fit_external`] with each tree level's
/// histograms summed by the engine. `L = usize` needs 0/1 targets (a binary classifier),
/// `L = f64` trains a regressor. Queries run on `rt`.
pub fn train<L: TreeTarget>(
    rt: &Runtime,
    ctx: &SessionContext,
    spec: &TableSpec,
    params: &GradientBoostingValidParams,
    max_bins: usize,
) -> Result<Trained<L>> {
    let started = Instant::now();
    let mappers = bin_edges(rt, ctx, spec, max_bins)?;
    let edges_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let df = table(rt, ctx, spec)?;
    let classification = std::any::TypeId::of::<L>() == std::any::TypeId::of::<usize>();
    let y = as_f64(&spec.target);
    // The target's sum, its rows, and the rows a classifier cannot take (not 0 or 1).
    let bad = if classification {
        y.clone().not_eq(lit(0.0)).and(y.clone().not_eq(lit(1.0)))
    } else {
        datafusion::functions::expr_fn::isnan(y.clone())
    };
    let row = one_row(
        rt,
        df.clone().aggregate(
            vec![],
            vec![
                sum(y.clone()).alias("sum"),
                count(y.clone()).alias("n"),
                count(lit(1)).alias("rows"),
                sum(cast(bad, DataType::Int64)).alias("bad"),
            ],
        )?,
    )?;
    let int = |v: &ScalarValue| match v {
        ScalarValue::Int64(Some(n)) => *n as u64,
        _ => 0,
    };
    let (n, rows, bad) = (int(&row[1]), int(&row[2]), int(&row[3]));
    if n < rows {
        bail!(
            "target column {:?} of table {:?} has {} missing values",
            spec.target,
            spec.table,
            rows - n
        );
    }
    if bad > 0 {
        bail!(
            "target column {:?} of table {:?} has {bad} values that are not {}",
            spec.target,
            spec.table,
            if classification {
                "0 or 1 (a binary label)"
            } else {
                "numbers"
            }
        );
    }
    let total = match &row[0] {
        ScalarValue::Float64(Some(s)) => *s,
        _ => 0.0,
    };
    let binned: Vec<Expr> = spec
        .features
        .iter()
        .zip(&mappers)
        .enumerate()
        .map(|(i, (f, m))| {
            call("crisp_bin", vec![as_f64(f), binary(encode(m))]).alias(format!("b{i}"))
        })
        .chain([y.alias("y")])
        .collect();
    let mut source = TableSource {
        rt,
        df: df.select(binned)?,
        mappers: &mappers,
        target_sum: (total, rows),
        queries: 0,
    };
    let model = params.fit_external::<L>(mappers.clone(), &mut source)?;
    Ok(Trained {
        model,
        histogram_queries: source.queries,
        mappers,
        rows,
        seconds: (edges_seconds, started.elapsed().as_secs_f64()),
    })
}
