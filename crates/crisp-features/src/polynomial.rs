//! Polynomial and interaction features of numeric columns (scikit-learn's PolynomialFeatures
//! without the bias column): products like `a*b` and powers like `a^2`.

use crisp_core::{bail, column_f64, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::select::ColumnSelector;
use crate::transform::{FittedStep, FittedTransform, StepSummary, Transform};

fn two() -> usize {
    2
}

/// More output columns than this is almost surely a mistake (and a huge frame).
const MAX_TERMS: usize = 10_000;

/// Add every product of the selected numeric columns of degree 2 up to `degree` (the columns
/// themselves are kept as the degree-1 terms), in scikit-learn's order: by degree, then
/// lexicographically by column position. Names are `a*b`, `a^2`, `a^2*b`. With
/// `interaction_only`, no column appears twice in a term (`a*b`, not `a^2`). Nulls and NaN
/// propagate.
///
/// ```toml
/// [[features.steps]]
/// kind = "polynomial"
/// columns = ["carat", "depth", "table"]
/// degree = 2                 # default 2
/// interaction_only = false   # default false
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Polynomial {
    /// Numeric columns to combine.
    #[serde(flatten)]
    pub select: ColumnSelector,
    /// Highest total degree (at least 2).
    #[serde(default = "two")]
    pub degree: usize,
    /// Only products of distinct columns.
    #[serde(default)]
    pub interaction_only: bool,
}

/// One output term: the columns multiplied (a column repeated for a power).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolynomialTerm {
    /// Output column name.
    pub name: String,
    /// Factors, in order (a column appears `k` times for `^k`).
    pub factors: Vec<String>,
}

/// Fitted polynomial features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPolynomial {
    /// Input columns.
    pub columns: Vec<String>,
    /// Degree.
    pub degree: usize,
    /// Whether powers were left out.
    pub interaction_only: bool,
    /// Added terms, in output order.
    pub terms: Vec<PolynomialTerm>,
}

/// Index combinations of `n` columns of size `k` in lexicographic order (with replacement
/// unless `distinct`), as Python's itertools.combinations(_with_replacement).
fn combinations(n: usize, k: usize, distinct: bool, out: &mut Vec<Vec<usize>>) {
    fn rec(
        start: usize,
        n: usize,
        k: usize,
        distinct: bool,
        cur: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            rec(if distinct { i + 1 } else { i }, n, k, distinct, cur, out);
            cur.pop();
            if out.len() > MAX_TERMS {
                return;
            }
        }
    }
    rec(0, n, k, distinct, &mut Vec::new(), out);
}

fn term_name(columns: &[String], idx: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let j = idx[i..].iter().take_while(|&&x| x == idx[i]).count();
        let name = &columns[idx[i]];
        parts.push(if j == 1 {
            name.clone()
        } else {
            format!("{name}^{j}")
        });
        i += j;
    }
    parts.join("*")
}

impl Transform for Polynomial {
    fn name(&self) -> &'static str {
        "polynomial"
    }
    fn selector(&self) -> &ColumnSelector {
        &self.select
    }
    fn fit(&self, frame: &DataFrame, columns: &[String]) -> Result<FittedStep> {
        if self.degree < 2 {
            bail!(Config: "polynomial: degree must be at least 2, got {}", self.degree);
        }
        for name in columns {
            column_f64(frame, name)
                .map_err(|e| e.context(format!("polynomial: column '{name}'")))?;
        }
        let mut combos = Vec::new();
        for k in 2..=self.degree {
            combinations(columns.len(), k, self.interaction_only, &mut combos);
            if combos.len() > MAX_TERMS {
                bail!(Config: "polynomial: degree {} over {} columns makes more than {MAX_TERMS} terms; select fewer columns or lower the degree", self.degree, columns.len());
            }
        }
        let terms = combos
            .iter()
            .map(|idx| PolynomialTerm {
                name: term_name(columns, idx),
                factors: idx.iter().map(|&i| columns[i].clone()).collect(),
            })
            .collect::<Vec<_>>();
        if let Some(t) = terms.iter().find(|t| frame.column(&t.name).is_ok()) {
            bail!(Config: "polynomial: output column '{}' already exists in the frame", t.name);
        }
        Ok(FittedStep::Polynomial(FittedPolynomial {
            columns: columns.to_vec(),
            degree: self.degree,
            interaction_only: self.interaction_only,
            terms,
        }))
    }
}

impl FittedTransform for FittedPolynomial {
    fn exprs(&self) -> Vec<Expr> {
        self.terms
            .iter()
            .map(|t| {
                let mut factors = t
                    .factors
                    .iter()
                    .map(|f| col(f.as_str()).cast(DataType::Float64));
                let first = factors.next().unwrap_or_else(|| lit(1.0));
                factors.fold(first, |acc, f| acc * f).alias(t.name.as_str())
            })
            .collect()
    }

    fn summary(&self) -> StepSummary {
        let names: Vec<&str> = self.terms.iter().map(|t| t.name.as_str()).collect();
        StepSummary {
            name: "polynomial".into(),
            config: format!(
                "degree={}, interaction_only={}, columns [{}]",
                self.degree,
                self.interaction_only,
                self.columns.join(", ")
            ),
            learned: vec![format!("{} terms: {}", names.len(), names.join(", "))],
        }
    }
}
