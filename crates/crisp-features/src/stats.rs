//! Small numerical helpers shared by the steps: finite training values, quantiles as numpy
//! computes them, a seeded generator for folds, and Brent's scalar minimiser as in SciPy.

use crisp_core::{bail, column_f64, Error, Result};
use polars::prelude::*;

/// The finite values of numeric `column` (nulls, NaN and ±inf left out), in row order. Errors
/// name the step and the column: a text column, or no finite value to learn from.
pub fn finite_values(frame: &DataFrame, column: &str, step: &str) -> Result<Vec<f64>> {
    let values: Vec<f64> = column_f64(frame, column)
        .map_err(|e| e.context(format!("{step}: column '{column}'")))?
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        bail!(Data: "{step}: column '{column}' has no values in the training data to learn from");
    }
    Ok(values)
}

/// A statistic of a column's finite values, computed by Polars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    /// Arithmetic mean.
    Mean,
    /// Population standard deviation.
    Std,
    /// Median (the mean of the two middle values for an even count, as numpy).
    Median,
    /// Minimum.
    Min,
    /// Maximum.
    Max,
    /// Maximum absolute value.
    MaxAbs,
    /// Quantile `q` in [0, 1] with linear interpolation (numpy's default method).
    Quantile(f64),
}

impl Stat {
    fn expr(self, x: Expr) -> Expr {
        match self {
            Stat::Mean => x.mean(),
            Stat::Std => x.std(0),
            Stat::Median => x.median(),
            Stat::Min => x.min(),
            Stat::Max => x.max(),
            Stat::MaxAbs => x.abs().max(),
            // The 0 and 1 quantiles are exactly the minimum and maximum (interpolation index 0
            // and n - 1): one pass instead of a copy and a selection.
            Stat::Quantile(0.0) => x.min(),
            Stat::Quantile(1.0) => x.max(),
            Stat::Quantile(q) => x.quantile(lit(q), QuantileMethod::Linear),
        }
    }
}

/// `stats` of the finite values (nulls, NaN and ±inf left out) of each numeric column, in one
/// Polars query (columns in parallel, in optimised code): `result[column][stat]`. Errors name
/// the step and the column: a non-numeric column, or one with no finite value.
pub fn column_stats(
    frame: &DataFrame,
    columns: &[String],
    step: &str,
    stats: &[Stat],
) -> Result<Vec<Vec<f64>>> {
    let mut exprs = Vec::with_capacity(columns.len() * (stats.len() + 1));
    for (i, name) in columns.iter().enumerate() {
        let column = frame.column(name).map_err(|_| {
            Error::column_not_found(name, format!("{step}: no column named '{name}'"))
        })?;
        if !(column.dtype().is_primitive_numeric() || column.dtype() == &DataType::Boolean) {
            bail!(Data: "{step}: column '{name}' has type {} where a number was expected", column.dtype());
        }
        let x = col(name.as_str()).cast(DataType::Float64);
        // Dropping nulls is much cheaper for Polars' aggregations than a filter; the finite
        // filter is only needed when a float column holds NaN or ±inf.
        let non_finite = match column.dtype() {
            DataType::Float32 | DataType::Float64 => {
                // NaN or ±inf make the sum non-finite (so does an overflowing sum, which only
                // takes the slower filter path); a SIMD sum is much cheaper than `is_finite`.
                let values = column.cast(&DataType::Float64)?;
                values.f64()?.sum().is_some_and(|s| !s.is_finite())
            }
            _ => false,
        };
        let finite = if non_finite {
            x.clone().filter(x.is_finite())
        } else {
            x.drop_nulls()
        };
        exprs.push(finite.clone().count().alias(format!("{i}:n")));
        for (j, stat) in stats.iter().enumerate() {
            exprs.push(
                stat.expr(finite.clone())
                    .cast(DataType::Float64)
                    .alias(format!("{i}:{j}")),
            );
        }
    }
    let names: Vec<PlSmallStr> = columns.iter().map(|c| c.as_str().into()).collect();
    let row = frame
        .select(names)?
        .lazy()
        .select(exprs)
        .collect()
        .map_err(|e| Error::data(format!("{step}: {e}")))?;
    let value = |name: String| -> Result<Option<f64>> {
        let c = row.column(&name)?.cast(&DataType::Float64)?;
        Ok(c.f64()?.get(0))
    };
    let mut out = Vec::with_capacity(columns.len());
    for (i, name) in columns.iter().enumerate() {
        if value(format!("{i}:n"))?.unwrap_or(0.0) == 0.0 {
            bail!(Data: "{step}: column '{name}' has no values in the training data to learn from");
        }
        let mut values = Vec::with_capacity(stats.len());
        for j in 0..stats.len() {
            values.push(value(format!("{i}:{j}"))?.unwrap_or(f64::NAN));
        }
        out.push(values);
    }
    Ok(out)
}

/// Mean and population variance (two passes).
pub fn mean_var(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var)
}

/// The minimum of `f` near the bracket `(xa, xb)`, by SciPy's `optimize.bracket` followed by
/// `optimize.brent` (tolerance 1.48e-8, at most 500 iterations): the optimiser SciPy's
/// `boxcox_normmax` uses with `brack=(-2, 2)`.
pub fn brent_minimize(f: impl Fn(f64) -> f64, xa: f64, xb: f64) -> f64 {
    let (xa, xb, xc) = bracket(&f, xa, xb);
    brent(&f, xa, xb, xc)
}

fn bracket(f: &impl Fn(f64) -> f64, mut xa: f64, mut xb: f64) -> (f64, f64, f64) {
    const GOLD: f64 = 1.618034;
    const VERY_SMALL: f64 = 1e-21;
    const GROW_LIMIT: f64 = 110.0;
    let (mut fa, mut fb) = (f(xa), f(xb));
    if fa < fb {
        std::mem::swap(&mut xa, &mut xb);
        std::mem::swap(&mut fa, &mut fb);
    }
    let mut xc = xb + GOLD * (xb - xa);
    let mut fc = f(xc);
    let mut iter = 0;
    while fc < fb && iter < 1000 {
        let tmp1 = (xb - xa) * (fb - fc);
        let tmp2 = (xb - xc) * (fb - fa);
        let val = tmp2 - tmp1;
        let denom = if val.abs() < VERY_SMALL {
            2.0 * VERY_SMALL
        } else {
            2.0 * val
        };
        let mut w = xb - ((xb - xc) * tmp2 - (xb - xa) * tmp1) / denom;
        let wlim = xb + GROW_LIMIT * (xc - xb);
        iter += 1;
        let mut fw;
        if (w - xc) * (xb - w) > 0.0 {
            fw = f(w);
            if fw < fc {
                return (xb, w, xc);
            } else if fw > fb {
                return (xa, xb, w);
            }
            w = xc + GOLD * (xc - xb);
            fw = f(w);
        } else if (w - wlim) * (wlim - xc) >= 0.0 {
            w = wlim;
            fw = f(w);
        } else if (w - wlim) * (xc - w) > 0.0 {
            fw = f(w);
            if fw < fc {
                xb = xc;
                xc = w;
                w = xc + GOLD * (xc - xb);
                fb = fc;
                fc = fw;
                fw = f(w);
            }
        } else {
            w = xc + GOLD * (xc - xb);
            fw = f(w);
        }
        xa = xb;
        xb = xc;
        xc = w;
        fa = fb;
        fb = fc;
        fc = fw;
    }
    (xa, xb, xc)
}

fn brent(f: &impl Fn(f64) -> f64, xa: f64, xb: f64, xc: f64) -> f64 {
    const MINTOL: f64 = 1.0e-11;
    const CG: f64 = 0.381_966_0;
    const TOL: f64 = 1.48e-8;
    let (mut x, mut w, mut v) = (xb, xb, xb);
    let fb = f(xb);
    let (mut fx, mut fw, mut fv) = (fb, fb, fb);
    let (mut a, mut b) = if xa < xc { (xa, xc) } else { (xc, xa) };
    let mut deltax: f64 = 0.0;
    let mut rat: f64 = 0.0;
    for _ in 0..500 {
        let tol1 = TOL * x.abs() + MINTOL;
        let tol2 = 2.0 * tol1;
        let xmid = 0.5 * (a + b);
        if (x - xmid).abs() < tol2 - 0.5 * (b - a) {
            break;
        }
        if deltax.abs() <= tol1 {
            deltax = if x >= xmid { a - x } else { b - x };
            rat = CG * deltax;
        } else {
            let tmp1 = (x - w) * (fx - fv);
            let mut tmp2 = (x - v) * (fx - fw);
            let mut p = (x - v) * tmp2 - (x - w) * tmp1;
            tmp2 = 2.0 * (tmp2 - tmp1);
            if tmp2 > 0.0 {
                p = -p;
            }
            tmp2 = tmp2.abs();
            let dx_temp = deltax;
            deltax = rat;
            if p > tmp2 * (a - x) && p < tmp2 * (b - x) && p.abs() < (0.5 * tmp2 * dx_temp).abs() {
                rat = p / tmp2;
                let u = x + rat;
                if (u - a) < tol2 || (b - u) < tol2 {
                    rat = if xmid - x >= 0.0 { tol1 } else { -tol1 };
                }
            } else {
                deltax = if x >= xmid { a - x } else { b - x };
                rat = CG * deltax;
            }
        }
        let u = if rat.abs() < tol1 {
            if rat >= 0.0 {
                x + tol1
            } else {
                x - tol1
            }
        } else {
            x + rat
        };
        let fu = f(u);
        if fu > fx {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                w = u;
                fv = fw;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        } else {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            v = w;
            w = x;
            x = u;
            fv = fw;
            fw = fx;
            fx = fu;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_stats_match_numpy() {
        // numpy 2.4: x = [1, 2, 4, 8, 16] (plus a null, NaN and inf, which are left out)
        // np.percentile(x, [0, 25, 50, 90, 100]) -> [1.0, 2.0, 4.0, 12.8, 16.0]
        // x.mean() -> 6.2, x.std() -> 5.455272678794343, np.median(x[:4]) -> 3.0
        let frame = df!(
            "x" => [Some(1.0), Some(2.0), None, Some(4.0), Some(f64::NAN), Some(8.0), Some(16.0), Some(f64::INFINITY)],
            "even" => [Some(1i64), Some(2), None, Some(4), None, Some(8), None, None],
            "text" => ["a"; 8]
        )
        .unwrap();
        let stats = [
            Stat::Quantile(0.0),
            Stat::Quantile(0.25),
            Stat::Median,
            Stat::Quantile(0.9),
            Stat::Max,
            Stat::Mean,
            Stat::Std,
            Stat::Min,
        ];
        let got = column_stats(&frame, &["x".into(), "even".into()], "s", &stats).unwrap();
        assert_eq!(got[0][..3], [1.0, 2.0, 4.0]);
        assert!((got[0][3] - 12.8).abs() < 1e-12);
        assert_eq!(got[0][4], 16.0);
        assert!((got[0][5] - 6.2).abs() < 1e-12);
        assert!((got[0][6] - 5.455272678794343).abs() < 1e-12);
        assert_eq!(got[0][7], 1.0);
        assert_eq!(got[1][2], 3.0, "even count: mean of the middle two");
        let err = column_stats(&frame, &["text".into()], "s", &stats).unwrap_err();
        assert_eq!(
            err.to_string(),
            "s: column 'text' has type str where a number was expected"
        );
        let empty = df!("e" => [None::<f64>, Some(f64::NAN)]).unwrap();
        let err = column_stats(&empty, &["e".into()], "s", &stats).unwrap_err();
        assert!(err.to_string().contains("has no values"), "{err}");
    }

    #[test]
    fn brent_finds_the_minimum() {
        let x = brent_minimize(|x| (x - 3.7) * (x - 3.7) + 1.0, -2.0, 2.0);
        assert!((x - 3.7).abs() < 1e-7, "{x}");
        let x = brent_minimize(|x| (x + 0.25).powi(4) - x.cos(), -2.0, 2.0);
        // The minimum of (x + 1/4)^4 - cos x solves 4(x + 1/4)^3 + sin x = 0: x = -0.0934...
        let g = 4.0 * (x + 0.25f64).powi(3) + x.sin();
        assert!(g.abs() < 1e-6, "{x} {g}");
    }
}
