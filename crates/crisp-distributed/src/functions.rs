//! crisp's functions for DataFusion: what the executors run on their rows.
//!
//! | function | kind | arguments | result |
//! |---|---|---|---|
//! | `crisp_bin` | scalar | value (Float64), mapper (Binary, broadcast) | bin (UInt8) |
//! | `crisp_score` | scalar | ensemble (Binary, broadcast), bins... | raw score (Float64) |
//! | `crisp_node` | scalar | frontier (Binary, broadcast), bins... | histogram slot (UInt32, null: none) |
//! | `crisp_gradient`, `crisp_hessian` | scalar | loss (Utf8), target, score (Float64) | Float64 |
//! | `crisp_histogram` | aggregate | gradient, hessian (Float64), bins... | histogram (Binary) |
//! | `crisp_sketch` | aggregate | value (Float64) | [`QuantileSketch`] (Binary) |
//!
//! Broadcast arguments are literals in the plan (bincode of the crisp-trees types), so every
//! executor gets them with the task. A histogram is `256 * 3` little-endian f64 per bin column
//! (sum of gradients, sum of hessians, rows, for each possible bin value); [`histogram_values`]
//! reads one back.

use std::sync::Arc;

use crisp_trees::external::{Ensemble, Frontier, STATS_PER_BIN};
use crisp_trees::{BinMapper, Loss, QuantileSketch};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, Float64Array, UInt32Array, UInt8Array,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, UInt8Type};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, ColumnarValue, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};
use serde::de::DeserializeOwned;

/// Values of one bin column's histogram.
pub const HISTOGRAM_STRIDE: usize = 256 * STATS_PER_BIN;

/// Every scalar function of crisp.
pub fn scalar_functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(BinFn::new())),
        Arc::new(ScalarUDF::from(ScoreFn::new())),
        Arc::new(ScalarUDF::from(NodeFn::new())),
        Arc::new(ScalarUDF::from(GradientFn::new("crisp_gradient", 0))),
        Arc::new(ScalarUDF::from(GradientFn::new("crisp_hessian", 1))),
    ]
}

/// Every aggregate function of crisp.
pub fn aggregate_functions() -> Vec<Arc<AggregateUDF>> {
    vec![
        Arc::new(AggregateUDF::from(HistogramFn::new())),
        Arc::new(AggregateUDF::from(SketchFn::new())),
    ]
}

/// Encodes a broadcast argument.
pub fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, bincode::config::standard())
        .expect("crisp's model types encode")
}

fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T> {
    match bincode::serde::decode_from_slice(bytes, bincode::config::standard()) {
        Ok((v, _)) => Ok(v),
        Err(e) => exec_err!("crisp: the {what} argument does not decode: {e}"),
    }
}

/// A [`QuantileSketch`] from `crisp_sketch`'s bytes.
pub fn decode_sketch(bytes: &[u8]) -> Result<QuantileSketch> {
    decode(bytes, "sketch")
}

/// The bytes of a broadcast (literal) Binary argument.
fn broadcast<'a>(arg: &'a ColumnarValue, what: &str) -> Result<&'a [u8]> {
    match arg {
        ColumnarValue::Scalar(ScalarValue::Binary(Some(b)))
        | ColumnarValue::Scalar(ScalarValue::LargeBinary(Some(b))) => Ok(b),
        _ => exec_err!("crisp: the {what} must be a non-null Binary literal"),
    }
}

/// The bin columns of a call, as arrays of `rows` values.
fn bin_columns(args: &[ColumnarValue], rows: usize) -> Result<Vec<UInt8Array>> {
    args.iter()
        .map(|a| {
            let array = a.to_array(rows)?;
            match array.as_primitive_opt::<UInt8Type>() {
                Some(a) if a.null_count() == 0 => Ok(a.clone()),
                _ => exec_err!("crisp: bin columns must be non-null UInt8 (from crisp_bin)"),
            }
        })
        .collect()
}

/// Row `i`'s bins into `out`.
#[inline]
fn gather(columns: &[UInt8Array], i: usize, out: &mut [u8]) {
    for (o, c) in out.iter_mut().zip(columns) {
        *o = c.value(i);
    }
}

fn bins_signature_check(name: &str, arg_types: &[DataType], first: &DataType) -> Result<()> {
    if arg_types.len() < 2 {
        return plan_err!("{name} takes a broadcast argument and at least one bin column");
    }
    if &arg_types[0] != first || arg_types[1..].iter().any(|t| t != &DataType::UInt8) {
        return plan_err!("{name}({first}, UInt8...) was called with {arg_types:?}");
    }
    Ok(())
}

/// `crisp_bin(value, mapper)`: the bin of a value by a broadcast [`BinMapper`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BinFn {
    signature: Signature,
}

impl BinFn {
    fn new() -> Self {
        BinFn {
            signature: Signature::exact(
                vec![DataType::Float64, DataType::Binary],
                Volatility::Immutable,
            ),
        }
    }
}

impl ScalarUDFImpl for BinFn {
    fn name(&self) -> &str {
        "crisp_bin"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let mapper: BinMapper = decode(broadcast(&args.args[1], "mapper")?, "mapper")?;
        let values = args.args[0].to_array(args.number_rows)?;
        let values = values.as_primitive::<Float64Type>();
        // Nulls are missing values, as NaN.
        let raw: Vec<f64> = (0..values.len())
            .map(|i| {
                if values.is_null(i) {
                    f64::NAN
                } else {
                    values.value(i)
                }
            })
            .collect();
        let mut out = vec![0u8; raw.len()];
        mapper.bin_values(&raw, &mut out);
        Ok(ColumnarValue::Array(Arc::new(UInt8Array::from(out))))
    }
}

/// `crisp_score(ensemble, bins...)`: the raw score of the model boosted so far.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ScoreFn {
    signature: Signature,
}

impl ScoreFn {
    fn new() -> Self {
        ScoreFn {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ScoreFn {
    fn name(&self) -> &str {
        "crisp_score"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        bins_signature_check(self.name(), arg_types, &DataType::Binary)?;
        Ok(DataType::Float64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let ensemble: Ensemble = decode(broadcast(&args.args[0], "ensemble")?, "ensemble")?;
        let columns = bin_columns(&args.args[1..], args.number_rows)?;
        let (mut bins, mut row) = (vec![0u8; columns.len()], vec![0.0; columns.len()]);
        let scores: Float64Array = (0..args.number_rows)
            .map(|i| {
                gather(&columns, i, &mut bins);
                ensemble.score(&bins, &mut row)
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(scores)))
    }
}

/// `crisp_node(frontier, bins...)`: which requested histogram the row adds to (null: none).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NodeFn {
    signature: Signature,
}

impl NodeFn {
    fn new() -> Self {
        NodeFn {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for NodeFn {
    fn name(&self) -> &str {
        "crisp_node"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        bins_signature_check(self.name(), arg_types, &DataType::Binary)?;
        Ok(DataType::UInt32)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let frontier: Frontier = decode(broadcast(&args.args[0], "frontier")?, "frontier")?;
        let columns = bin_columns(&args.args[1..], args.number_rows)?;
        let mut bins = vec![0u8; columns.len()];
        let slots: UInt32Array = (0..args.number_rows)
            .map(|i| {
                gather(&columns, i, &mut bins);
                frontier.slot(&bins)
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(slots)))
    }
}

/// `crisp_gradient(loss, target, score)` and `crisp_hessian(...)`: [`Loss::gradient`].
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct GradientFn {
    name: &'static str,
    /// 0: the gradient, 1: the hessian.
    part: u8,
    signature: Signature,
}

impl GradientFn {
    fn new(name: &'static str, part: u8) -> Self {
        GradientFn {
            name,
            part,
            signature: Signature::exact(
                vec![DataType::Utf8, DataType::Float64, DataType::Float64],
                Volatility::Immutable,
            ),
        }
    }
}

/// The loss named by `name` (`log_loss` or `squared_error`).
pub fn loss_of(name: &str) -> Result<Loss> {
    match name {
        "log_loss" => Ok(Loss::LogLoss),
        "squared_error" => Ok(Loss::SquaredError),
        other => exec_err!("crisp: unknown loss {other:?} (log_loss or squared_error)"),
    }
}

/// The name [`loss_of`] reads back.
pub fn loss_name(loss: Loss) -> &'static str {
    match loss {
        Loss::LogLoss => "log_loss",
        _ => "squared_error",
    }
}

impl ScalarUDFImpl for GradientFn {
    fn name(&self) -> &str {
        self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let loss = match &args.args[0] {
            ColumnarValue::Scalar(ScalarValue::Utf8(Some(s))) => loss_of(s)?,
            _ => return exec_err!("crisp: the loss must be a Utf8 literal"),
        };
        let n = args.number_rows;
        let y = args.args[1].to_array(n)?;
        let s = args.args[2].to_array(n)?;
        let (y, s) = (
            y.as_primitive::<Float64Type>(),
            s.as_primitive::<Float64Type>(),
        );
        let out: Float64Array = y
            .values()
            .iter()
            .zip(s.values())
            .map(|(&y, &s)| {
                let (g, h) = loss.gradient(y, s);
                if self.part == 0 {
                    g
                } else {
                    h
                }
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// `crisp_histogram(gradient, hessian, bins...)`: per (bin column, bin value) sums of gradient,
/// hessian and rows, grouped by whatever the query groups by (the node).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct HistogramFn {
    signature: Signature,
}

impl HistogramFn {
    fn new() -> Self {
        HistogramFn {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for HistogramFn {
    fn name(&self) -> &str {
        "crisp_histogram"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if arg_types.len() < 3
            || arg_types[..2].iter().any(|t| t != &DataType::Float64)
            || arg_types[2..].iter().any(|t| t != &DataType::UInt8)
        {
            return plan_err!(
                "crisp_histogram(Float64, Float64, UInt8...) was called with {arg_types:?}"
            );
        }
        Ok(DataType::Binary)
    }
    fn accumulator(&self, _: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(HistogramAcc { hist: Vec::new() }))
    }
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "hist"),
            DataType::Binary,
            true,
        ))])
    }
}

#[derive(Debug)]
struct HistogramAcc {
    /// Empty until the first row (the number of bin columns comes with it).
    hist: Vec<f64>,
}

impl HistogramAcc {
    fn add_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if !bytes.len().is_multiple_of(8)
            || (!self.hist.is_empty() && bytes.len() != self.hist.len() * 8)
        {
            return exec_err!("crisp_histogram: partial states of different sizes");
        }
        if self.hist.is_empty() {
            self.hist = vec![0.0; bytes.len() / 8];
        }
        for (h, b) in self.hist.iter_mut().zip(bytes.chunks_exact(8)) {
            *h += f64::from_le_bytes(b.try_into().expect("8 bytes"));
        }
        Ok(())
    }

    fn bytes(&self) -> Vec<u8> {
        self.hist.iter().flat_map(|v| v.to_le_bytes()).collect()
    }
}

impl Accumulator for HistogramAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let g = values[0].as_primitive::<Float64Type>();
        let h = values[1].as_primitive::<Float64Type>();
        let columns: Vec<&UInt8Array> = values[2..]
            .iter()
            .map(|a| a.as_primitive::<UInt8Type>())
            .collect();
        if self.hist.is_empty() {
            self.hist = vec![0.0; columns.len() * HISTOGRAM_STRIDE];
        }
        let hist = &mut self.hist;
        for i in 0..g.len() {
            let (gi, hi) = (g.value(i), h.value(i));
            for (f, c) in columns.iter().enumerate() {
                let at = f * HISTOGRAM_STRIDE + usize::from(c.value(i)) * STATS_PER_BIN;
                hist[at] += gi;
                hist[at + 1] += hi;
                hist[at + 2] += 1.0;
            }
        }
        Ok(())
    }
    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.bytes())))
    }
    fn size(&self) -> usize {
        std::mem::size_of::<Self>() + self.hist.capacity() * 8
    }
    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(self.bytes()))])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let states: &BinaryArray = states[0].as_binary();
        for i in 0..states.len() {
            if !states.is_null(i) {
                self.add_bytes(states.value(i))?;
            }
        }
        Ok(())
    }
}

/// The histogram of `features` from `crisp_histogram`'s bytes, in the layout of
/// [`crisp_trees::external::HistogramLayout`] for `mappers`.
pub fn histogram_values(bytes: &[u8], mappers: &[BinMapper]) -> Result<Vec<f64>> {
    if bytes.len() != mappers.len() * HISTOGRAM_STRIDE * 8 {
        return exec_err!(
            "crisp_histogram returned {} bytes, expected {} for {} bin columns",
            bytes.len(),
            mappers.len() * HISTOGRAM_STRIDE * 8,
            mappers.len()
        );
    }
    let value = |i: usize| f64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("8"));
    let mut out = Vec::new();
    for (f, m) in mappers.iter().enumerate() {
        for i in 0..(m.n_bins() + 1) * STATS_PER_BIN {
            out.push(value(f * HISTOGRAM_STRIDE + i));
        }
    }
    Ok(out)
}

/// `crisp_sketch(value)`: a [`QuantileSketch`] of a numeric column (nulls count as missing).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SketchFn {
    signature: Signature,
}

impl SketchFn {
    fn new() -> Self {
        SketchFn {
            signature: Signature::exact(vec![DataType::Float64], Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for SketchFn {
    fn name(&self) -> &str {
        "crisp_sketch"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }
    fn accumulator(&self, _: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SketchAcc(QuantileSketch::new())))
    }
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "sketch"),
            DataType::Binary,
            true,
        ))])
    }
}

#[derive(Debug)]
struct SketchAcc(QuantileSketch);

impl Accumulator for SketchAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let v = values[0].as_primitive::<Float64Type>();
        if v.null_count() == 0 {
            self.0.add(v.values());
        } else {
            let raw: Vec<f64> = (0..v.len())
                .map(|i| if v.is_null(i) { f64::NAN } else { v.value(i) })
                .collect();
            self.0.add(&raw);
        }
        Ok(())
    }
    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(encode(&self.0))))
    }
    fn size(&self) -> usize {
        // About 48 bytes per bucket in the map.
        std::mem::size_of::<Self>() + 48 * self.0.n_buckets()
    }
    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(encode(&self.0)))])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let states: &BinaryArray = states[0].as_binary();
        for i in 0..states.len() {
            if !states.is_null(i) {
                let other: QuantileSketch = decode(states.value(i), "sketch state")?;
                self.0.merge(&other);
            }
        }
        Ok(())
    }
}
