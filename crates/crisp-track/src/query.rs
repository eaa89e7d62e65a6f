//! Which runs to list: the last N, and filters such as `accuracy>0.8` or `model=gbdt`.

use std::fmt;
use std::str::FromStr;

use crisp_core::{bail, Error, Result};
use serde_json::Value;

use crate::record::Run;

/// A selection of runs: every filter must hold; at most `last` runs, newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// At most this many runs (the newest that match).
    pub last: Option<usize>,
    /// Conditions that every listed run meets.
    pub filters: Vec<Filter>,
}

impl Query {
    /// Every run.
    pub fn new() -> Self {
        Query::default()
    }

    /// At most the `n` newest matching runs.
    pub fn last(mut self, n: usize) -> Self {
        self.last = Some(n);
        self
    }

    /// Only runs that meet `filter` too.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Whether `run` meets every filter.
    pub fn matches(&self, run: &Run) -> bool {
        self.filters.iter().all(|f| f.matches(run))
    }
}

/// A comparison operator of a [`Filter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=` (or `==`): the same number, or the same text.
    Eq,
    /// `!=`: another number or text.
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    fn orders(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

/// One condition on a run: `NAME OP VALUE`, as in `accuracy>0.8`, `rmse<=3000`, `model=gbdt`,
/// `command=train`, `status!=ok`, `max_depth=6`.
///
/// `NAME` is looked up in this order: a field of the run (`id`, `command`, `status`, `model`,
/// `verdict`, `seed`, `exit_code`, `duration_seconds`, `started_at`, `crisp_version`,
/// `git_commit`, `data`, `data_fingerprint`, `output`, `output_fingerprint`, `artifact`,
/// `artifact_hash`), a metric, a parameter (a flag), a key of the resolved configuration, a
/// key of its `model_params` (the model's hyperparameters, as `crisp train` records them). `<`, `<=`, `>`, `>=` compare numbers; `=` and `!=`
/// compare numbers when both sides are numbers and text otherwise. A run without the name does
/// not match (whatever the operator).
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The field, metric or parameter.
    pub name: String,
    /// The comparison.
    pub op: Op,
    /// The value compared with, as written.
    pub value: String,
    number: Option<f64>,
}

impl Filter {
    /// `name op value`; an ordering operator needs a number.
    pub fn new(name: impl Into<String>, op: Op, value: impl Into<String>) -> Result<Filter> {
        let (name, value) = (name.into(), value.into());
        let text = format!("{name}{}{value}", op.symbol());
        Filter::build(&text, name.trim(), op, value.trim())
    }

    fn build(text: &str, name: &str, op: Op, value: &str) -> Result<Filter> {
        if name.is_empty() || value.is_empty() {
            bail!(Config { value: text }: "filter '{text}' needs a name and a value on either side of its operator, as in accuracy>0.8 or model=gbdt");
        }
        let number = value.parse::<f64>().ok().filter(|v| !v.is_nan());
        if op.orders() && number.is_none() {
            bail!(Config { value: text }: "filter '{text}': '{}' compares numbers, and '{value}' is not a number", op.symbol());
        }
        Ok(Filter {
            name: name.to_string(),
            op,
            value: value.to_string(),
            number,
        })
    }

    /// Whether `run` meets the condition.
    pub fn matches(&self, run: &Run) -> bool {
        let Some(field) = lookup(run, &self.name) else {
            return false;
        };
        let number = match &field {
            Field::Number(v) => Some(*v),
            Field::Text(t) => t.parse::<f64>().ok(),
        };
        if let (Some(a), Some(b)) = (number, self.number) {
            return match self.op {
                Op::Eq => a == b,
                Op::Ne => a != b,
                Op::Lt => a < b,
                Op::Le => a <= b,
                Op::Gt => a > b,
                Op::Ge => a >= b,
            };
        }
        let text = match field {
            Field::Number(v) => v.to_string(),
            Field::Text(t) => t,
        };
        match self.op {
            Op::Eq => text == self.value,
            Op::Ne => text != self.value,
            _ => false,
        }
    }
}

impl FromStr for Filter {
    type Err = Error;

    /// `accuracy>0.8`: the first operator outside square brackets splits the name from the
    /// value, so a per-class metric such as `f1[>50K]>=0.6` reads as it looks.
    fn from_str(text: &str) -> Result<Filter> {
        let bytes = text.as_bytes();
        let mut depth = 0usize;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                b'<' | b'>' | b'=' | b'!' if depth == 0 => {
                    let next = bytes.get(i + 1).copied();
                    let (op, len) = match (b, next) {
                        (b'<', Some(b'=')) => (Op::Le, 2),
                        (b'>', Some(b'=')) => (Op::Ge, 2),
                        (b'!', Some(b'=')) => (Op::Ne, 2),
                        (b'=', Some(b'=')) => (Op::Eq, 2),
                        (b'<', _) => (Op::Lt, 1),
                        (b'>', _) => (Op::Gt, 1),
                        (b'=', _) => (Op::Eq, 1),
                        _ => break,
                    };
                    let value = &text[i + len..];
                    if value.starts_with(['<', '>', '=', '!']) {
                        break;
                    }
                    return Filter::build(text, text[..i].trim(), op, value.trim());
                }
                _ => {}
            }
        }
        bail!(Config { value: text }: "filter '{text}' is not NAME OP VALUE with OP one of =, !=, <, <=, >, >= (such as accuracy>0.8 or model=gbdt)")
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.name, self.op.symbol(), self.value)
    }
}

enum Field {
    Number(f64),
    Text(String),
}

fn lookup(run: &Run, name: &str) -> Option<Field> {
    let r = &run.record;
    let text = |t: Option<&str>| t.map(|t| Field::Text(t.to_string()));
    match name {
        "id" => return Some(Field::Number(run.id.0 as f64)),
        "command" => return text(Some(&r.command)),
        "status" => return text(Some(r.status.as_str())),
        "model" => return text(r.model.as_deref()),
        "verdict" => return text(r.verdict.as_deref()),
        "seed" => return r.seed.map(|s| Field::Number(s as f64)),
        "exit_code" => return r.exit_code.map(|c| Field::Number(f64::from(c))),
        "duration_seconds" => return Some(Field::Number(r.duration_seconds)),
        "started_at" => return text(Some(&r.started_at)),
        "crisp_version" => return text(Some(&r.crisp_version)),
        "git_commit" => return text(r.git_commit.as_deref()),
        "data" => return text(r.data.as_ref().map(|f| f.path.as_str())),
        "data_fingerprint" => return text(r.data.as_ref().map(|f| f.fingerprint.as_str())),
        "output" => return text(r.output.as_ref().map(|f| f.path.as_str())),
        "output_fingerprint" => return text(r.output.as_ref().map(|f| f.fingerprint.as_str())),
        "artifact" => return text(r.artifact.as_ref().map(|f| f.path.as_str())),
        "artifact_hash" => return text(r.artifact.as_ref().map(|f| f.fingerprint.as_str())),
        _ => {}
    }
    if let Some(v) = r.metrics.get(name) {
        return Some(Field::Number(*v));
    }
    let value = r
        .params
        .get(name)
        .or_else(|| r.config.get(name))
        .or_else(|| r.config.get("model_params")?.get(name))?;
    match value {
        Value::Null => None,
        Value::Number(n) => n.as_f64().map(Field::Number),
        Value::String(s) => Some(Field::Text(s.clone())),
        other => Some(Field::Text(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RunId, RunRecord};

    fn run(id: u64, model: &str, accuracy: f64) -> Run {
        let mut record = RunRecord::new("train");
        record.model = Some(model.into());
        record.metrics.insert("accuracy".into(), accuracy);
        record.metrics.insert("f1[>50K]".into(), accuracy - 0.2);
        record.params.insert("max_depth".into(), 6.into());
        // The flag says how the data was given; the run's `data` field (fields come first) is
        // the file that was read.
        record.params.insert("data".into(), "../adult.csv".into());
        record.data = Some(crate::FileRef::new("adult.csv", "f".repeat(32)));
        record.config =
            serde_json::json!({"target": "income", "model_params": {"learning_rate": "0.1"}});
        Run {
            id: RunId(id),
            record,
        }
    }

    fn parse(text: &str) -> Filter {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn operators_parse() {
        for (text, name, op, value) in [
            ("accuracy>0.8", "accuracy", Op::Gt, "0.8"),
            ("rmse<=3000", "rmse", Op::Le, "3000"),
            ("model=gbdt", "model", Op::Eq, "gbdt"),
            ("model == gbdt", "model", Op::Eq, "gbdt"),
            ("status!=ok", "status", Op::Ne, "ok"),
            ("r2 >= -1", "r2", Op::Ge, "-1"),
            ("mae<2.5e3", "mae", Op::Lt, "2.5e3"),
            ("f1[>50K]>=0.6", "f1[>50K]", Op::Ge, "0.6"),
        ] {
            let f = parse(text);
            assert_eq!((f.name.as_str(), f.op, f.value.as_str()), (name, op, value));
        }
    }

    #[test]
    fn bad_filters_are_one_sentence_naming_them() {
        for (text, part) in [
            ("accuracy", "is not NAME OP VALUE"),
            ("accuracy>>0.8", "is not NAME OP VALUE"),
            ("accuracy=>0.8", "is not NAME OP VALUE"),
            (">0.8", "needs a name and a value"),
            ("accuracy>", "needs a name and a value"),
            (
                "model>gbdt",
                "'>' compares numbers, and 'gbdt' is not a number",
            ),
            ("accuracy<=NaN", "is not a number"),
        ] {
            let err = text.parse::<Filter>().unwrap_err();
            let message = err.to_string();
            assert!(message.contains(part), "{text}: {message}");
            assert!(message.contains(&format!("'{text}'")), "{text}: {message}");
            assert!(matches!(err, Error::Config { .. }));
        }
    }

    #[test]
    fn filters_match_fields_metrics_and_parameters() {
        let a = run(1, "gbdt", 0.86);
        let b = run(2, "linfa_decision_tree", 0.79);
        let matching = |text: &str| -> Vec<u64> {
            let f = parse(text);
            [&a, &b]
                .iter()
                .filter(|r| f.matches(r))
                .map(|r| r.id.0)
                .collect()
        };
        assert_eq!(matching("accuracy>0.8"), [1]);
        assert_eq!(matching("accuracy>=0.79"), [1, 2]);
        assert_eq!(matching("accuracy<0.79"), Vec::<u64>::new());
        assert_eq!(matching("model=gbdt"), [1]);
        assert_eq!(matching("model!=gbdt"), [2]);
        assert_eq!(matching("f1[>50K]>0.6"), [1]);
        assert_eq!(matching("max_depth=6"), [1, 2]);
        assert_eq!(matching("max_depth=6.0"), [1, 2]);
        assert_eq!(matching("data=adult.csv"), [1, 2]);
        assert_eq!(matching("id>1"), [2]);
        assert_eq!(matching("command=train"), [1, 2]);
        assert_eq!(matching("target=income"), [1, 2]);
        assert_eq!(matching("learning_rate<0.2"), [1, 2]);
        // A name no run has matches nothing, whatever the operator.
        assert_eq!(matching("rmse<1e9"), Vec::<u64>::new());
        assert_eq!(matching("rmse!=3"), Vec::<u64>::new());
        let q = Query::new()
            .filter(parse("accuracy>0.5"))
            .filter(parse("model=gbdt"));
        assert!(q.matches(&a) && !q.matches(&b));
    }

    #[test]
    fn filters_built_in_code() {
        let f = Filter::new("accuracy", Op::Gt, "0.8").unwrap();
        assert_eq!(f.to_string(), "accuracy>0.8");
        assert!(Filter::new("model", Op::Lt, "gbdt").is_err());
    }
}
