//! Choosing the columns a step applies to: by name, by kind or by regular expression
//! (the role of scikit-learn's ColumnTransformer selectors).

use crisp_core::{bail, column_list, ColumnKind, Error, Result};
use polars::prelude::DataFrame;
use serde::{Deserialize, Serialize};

/// A class of column kinds a selector can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindClass {
    /// Float and integer columns.
    Numeric,
    /// Text columns (category labels).
    Categorical,
    /// Boolean columns.
    Boolean,
    /// Date and datetime columns.
    Temporal,
}

impl KindClass {
    fn matches(self, kind: ColumnKind) -> bool {
        match self {
            KindClass::Numeric => kind.is_numeric(),
            KindClass::Categorical => kind == ColumnKind::Text,
            KindClass::Boolean => kind == ColumnKind::Boolean,
            KindClass::Temporal => matches!(kind, ColumnKind::Date | ColumnKind::Datetime),
        }
    }
}

/// Which columns a step applies to. The union of `columns`, `dtype` and `regex` matches, minus
/// `exclude`; resolved once against the training frame and stored by name in the fitted step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ColumnSelector {
    /// Columns by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    /// Columns by kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtype: Option<KindClass>,
    /// Columns whose name matches this regular expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Columns never selected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

impl ColumnSelector {
    /// Select columns by name.
    pub fn names<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        ColumnSelector {
            columns: Some(names.into_iter().map(Into::into).collect()),
            ..Default::default()
        }
    }

    /// Select columns by kind.
    pub fn kind(kind: KindClass) -> Self {
        ColumnSelector {
            dtype: Some(kind),
            ..Default::default()
        }
    }

    /// The selected columns of `frame`, in frame order, never including `protected` (the target).
    pub fn resolve(
        &self,
        frame: &DataFrame,
        protected: &[String],
        step: &str,
    ) -> Result<Vec<String>> {
        if self.columns.is_none() && self.dtype.is_none() && self.regex.is_none() {
            bail!(Config: "step '{step}' selects no columns: give `columns`, `dtype` or `regex`");
        }
        let regex =
            match &self.regex {
                Some(r) => Some(regex::Regex::new(r).map_err(|e| {
                    Error::config(format!("step '{step}': invalid regex '{r}': {e}"))
                })?),
                None => None,
            };
        if let Some(names) = &self.columns {
            for name in names {
                if frame.column(name).is_err() {
                    bail!(
                        ColumnNotFound: "step '{step}': no column named '{name}'; the columns are: {}",
                        column_list(frame)
                    );
                }
                if protected.contains(name) {
                    bail!(Config: "step '{step}': column '{name}' is the target and cannot be a feature");
                }
            }
        }
        let selected = frame
            .columns()
            .iter()
            .filter(|c| {
                let name = c.name().as_str();
                let by_name = self
                    .columns
                    .as_ref()
                    .is_some_and(|n| n.iter().any(|x| x == name));
                let by_kind = self
                    .dtype
                    .is_some_and(|k| k.matches(ColumnKind::of(c.dtype())));
                let by_regex = regex.as_ref().is_some_and(|r| r.is_match(name));
                (by_name || by_kind || by_regex)
                    && !self.exclude.iter().any(|x| x == name)
                    && !protected.iter().any(|x| x == name)
            })
            .map(|c| c.name().to_string())
            .collect();
        Ok(selected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn union_of_names_kinds_and_regex_minus_exclusions() {
        let df =
            df!("a" => [1.0], "b" => ["x"], "x_1" => ["y"], "y" => [2i64], "t" => [1i64]).unwrap();
        let sel = ColumnSelector {
            columns: Some(vec!["b".into()]),
            dtype: Some(KindClass::Numeric),
            regex: Some("^x_".into()),
            exclude: vec!["a".into()],
        };
        let got = sel.resolve(&df, &["t".into()], "s").unwrap();
        assert_eq!(got, ["b", "x_1", "y"]);
        let err = ColumnSelector::names(["zz"])
            .resolve(&df, &[], "s")
            .unwrap_err();
        assert!(err.to_string().contains("no column named 'zz'"));
        let err = ColumnSelector::default()
            .resolve(&df, &[], "s")
            .unwrap_err();
        assert!(err.to_string().contains("selects no columns"));
    }
}
