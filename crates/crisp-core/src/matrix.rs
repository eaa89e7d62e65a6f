//! The bridge from Polars frames to the ndarray 0.16 arrays linfa works on.
//!
//! Polars 0.55 is built on ndarray 0.17 and linfa 0.8 on ndarray 0.16, so their array types are
//! distinct; values cross through plain slices here instead of Polars' `to_ndarray`.

use ndarray::{Array1, Array2};
use polars::prelude::*;

use crate::{Error, Result};

/// The named columns of `frame` as an `n_rows × n_columns` f64 matrix; nulls become NaN.
/// Every column must be numeric or boolean (encode text first).
pub fn to_matrix(frame: &DataFrame, columns: &[String]) -> Result<Array2<f64>> {
    let n = frame.height();
    let mut x = Array2::<f64>::zeros((n, columns.len()));
    for (j, name) in columns.iter().enumerate() {
        let values = column_f64(frame, name)?;
        for (i, v) in values.iter().enumerate() {
            x[[i, j]] = v.unwrap_or(f64::NAN);
        }
    }
    Ok(x)
}

/// One column as f64 values (nulls kept as `None`); booleans become 0/1.
pub fn column_f64(frame: &DataFrame, name: &str) -> Result<Float64Chunked> {
    let col = frame
        .column(name)
        .map_err(|_| Error::column_not_found(name, format!("no column named '{name}'")))?;
    if !(col.dtype().is_primitive_numeric() || col.dtype() == &DataType::Boolean) {
        return Err(Error::data(format!(
            "column '{name}' has type {} where a number was expected",
            col.dtype()
        )));
    }
    let cast = col.cast(&DataType::Float64)?;
    Ok(cast.f64()?.clone())
}

/// A numeric column as an ndarray vector; nulls become NaN.
pub fn to_vector(frame: &DataFrame, name: &str) -> Result<Array1<f64>> {
    let values = column_f64(frame, name)?;
    Ok(values.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_keeps_order_and_maps_nulls_to_nan() {
        let df = df!(
            "a" => [Some(1i64), None, Some(3)],
            "b" => [0.5, 1.5, 2.5],
            "c" => [true, false, true]
        )
        .unwrap();
        let x = to_matrix(&df, &["b".into(), "a".into(), "c".into()]).unwrap();
        assert_eq!(x.shape(), &[3, 3]);
        assert_eq!(x[[2, 0]], 2.5);
        assert_eq!(x[[0, 1]], 1.0);
        assert!(x[[1, 1]].is_nan());
        assert_eq!(x[[1, 2]], 0.0);
    }

    #[test]
    fn text_column_is_rejected_by_name() {
        let df = df!("t" => ["x", "y"]).unwrap();
        let err = to_matrix(&df, &["t".into()]).unwrap_err();
        assert!(err.to_string().contains("column 't' has type str"), "{err}");
    }
}
