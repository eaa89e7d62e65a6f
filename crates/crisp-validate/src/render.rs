//! Gate reports for CI systems: JUnit XML and Markdown, from a list of [`GateRecord`]s.
//!
//! A record is one check of any gate, tagged with a group (`"data"`, `"model"`,
//! `"slice sex=Male"`...). [`GateRecord::from_data_check`] and
//! [`GateRecord::from_outcome`] convert the data and model checks.
//!
//! - [`junit_xml`]: one `<testsuite>` per group (in order of first appearance), one
//!   `<testcase>` per record; a failed check has a `<failure>`, a skipped one a `<skipped>`,
//!   a passed one its message in `<system-out>`. Text and attributes are XML-escaped, and
//!   characters that XML 1.0 forbids are replaced by U+FFFD.
//! - [`markdown`]: a verdict heading, the counts, one `| check | observed | limit | result |`
//!   table per group and the messages of failed and skipped checks, for a pull-request
//!   comment. Markdown punctuation in names and messages is backslash-escaped (`|`
//!   included), so a class name such as `<=50K` shows as is.
//!
//! ```
//! use crisp_validate::render::{junit_xml, markdown, GateRecord};
//! use crisp_validate::CheckStatus;
//!
//! let records = vec![GateRecord {
//!     group: "model".into(),
//!     name: "f1[>50K]".into(),
//!     status: CheckStatus::Failed,
//!     observed: Some(0.58),
//!     limit: Some(0.6),
//!     message: "f1[>50K] is 0.58, below 0.6.".into(),
//! }];
//! let xml = junit_xml("crisp gate", &records);
//! assert!(xml.contains(r#"<testcase classname="model" name="f1[&gt;50K]">"#));
//! assert!(xml.contains(r#"<testsuite name="model" tests="1" failures="1" errors="0" skipped="0">"#));
//! let md = markdown("Validation gate", false, &records);
//! assert!(md.starts_with("## ❌ Validation gate: failed"));
//! assert!(md.contains(r"| f1\[\>50K\] | 0.58 | 0.6 | ❌ failed |"));
//! ```

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::datacheck::{num, DataCheck};
use crate::threshold::{CheckOutcome, CheckStatus};

/// One check of a gate, in a form every report renders.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateRecord {
    /// The group of checks: `"data"`, `"model"`, `"slice sex=Male"`...
    pub group: String,
    /// The check's name within the group (`psi[age]`, `accuracy>=0.85`...).
    pub name: String,
    /// Passed, failed or skipped.
    pub status: CheckStatus,
    /// The observed value, if any.
    pub observed: Option<f64>,
    /// The limit, if any.
    pub limit: Option<f64>,
    /// One sentence for humans.
    pub message: String,
}

impl GateRecord {
    /// A data check as a record of `group`, named `check[column]`.
    pub fn from_data_check(group: &str, check: &DataCheck) -> GateRecord {
        GateRecord {
            group: group.to_string(),
            name: check.display_name(),
            status: check.status.clone(),
            observed: check.observed,
            limit: check.limit,
            message: check.message.clone(),
        }
    }

    /// A threshold outcome as a record of `group`, named by the threshold's text.
    pub fn from_outcome(group: &str, outcome: &CheckOutcome) -> GateRecord {
        let observed = num(outcome.observed);
        let message = match (&outcome.status, outcome.bound) {
            (CheckStatus::Skipped { reason }, _) => {
                format!("{} not checked: {reason}.", outcome.threshold)
            }
            (status, Some(bound)) => format!(
                "{} is {observed}; it must be {} {}: {}.",
                outcome.metric,
                outcome.op,
                num(bound),
                if *status == CheckStatus::Passed {
                    "passed"
                } else {
                    "failed"
                }
            ),
            (_, None) => format!("{} is {observed}.", outcome.metric),
        };
        GateRecord {
            group: group.to_string(),
            name: outcome.threshold.clone(),
            status: outcome.status.clone(),
            observed: Some(outcome.observed),
            limit: outcome.bound,
            message,
        }
    }
}

/// Counts of passed, failed and skipped records.
fn counts<'a>(records: impl IntoIterator<Item = &'a GateRecord>) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for r in records {
        match r.status {
            CheckStatus::Passed => c.0 += 1,
            CheckStatus::Failed => c.1 += 1,
            CheckStatus::Skipped { .. } => c.2 += 1,
        }
    }
    c
}

/// The groups in order of first appearance, with their records.
fn groups(records: &[GateRecord]) -> Vec<(&str, Vec<&GateRecord>)> {
    let mut out: Vec<(&str, Vec<&GateRecord>)> = Vec::new();
    for r in records {
        match out.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, list)) => list.push(r),
            None => out.push((&r.group, vec![r])),
        }
    }
    out
}

/// Replaces characters that XML 1.0 does not allow by U+FFFD.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

/// Escapes text content.
fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value (for double quotes; whitespace kept as character references).
fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

fn value_text(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_string(), num)
}

/// A JUnit XML document of the records: `<testsuites name=suite_name>` holding one
/// `<testsuite>` per group (attributes `name tests failures errors skipped`), each holding
/// one `<testcase classname=group name=record.name>`; failed checks carry
/// `<failure message=…>` (body: the observed value and the limit), skipped ones
/// `<skipped message=…/>`, passed ones their message in `<system-out>`.
pub fn junit_xml(suite_name: &str, records: &[GateRecord]) -> String {
    let (_, failed, skipped) = counts(records);
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\">",
        xml_attr(suite_name),
        records.len()
    );
    for (group, list) in groups(records) {
        let (_, failed, skipped) = counts(list.iter().copied());
        let group = xml_attr(group);
        let _ = writeln!(
            x,
            "  <testsuite name=\"{group}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\">",
            list.len()
        );
        for r in list {
            let _ = writeln!(
                x,
                "    <testcase classname=\"{group}\" name=\"{}\">",
                xml_attr(&r.name)
            );
            match &r.status {
                CheckStatus::Passed => {
                    let _ = writeln!(x, "      <system-out>{}</system-out>", xml_text(&r.message));
                }
                CheckStatus::Failed => {
                    let _ = writeln!(
                        x,
                        "      <failure message=\"{}\" type=\"gate\">observed: {}, limit: {}</failure>",
                        xml_attr(&r.message),
                        value_text(r.observed),
                        value_text(r.limit)
                    );
                }
                CheckStatus::Skipped { reason } => {
                    let message = if r.message.contains(reason.as_str()) {
                        r.message.clone()
                    } else if r.message.is_empty() {
                        reason.clone()
                    } else {
                        format!("{} ({reason})", r.message)
                    };
                    let _ = writeln!(x, "      <skipped message=\"{}\"/>", xml_attr(&message));
                }
            }
            x.push_str("    </testcase>\n");
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// Escapes Markdown punctuation (backslash escapes, valid in table cells too) and turns
/// line breaks into spaces.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '&' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn status_cell(s: &CheckStatus) -> &'static str {
    match s {
        CheckStatus::Passed => "✅ passed",
        CheckStatus::Failed => "❌ failed",
        CheckStatus::Skipped { .. } => "⏭️ skipped",
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A Markdown report for a pull-request comment: a `## ✅ title: passed` (or
/// `## ❌ title: failed`) heading from `verdict_passed`, the counts, one table per group
/// (`| check | observed | limit | result |`, `—` for no value), then the messages of the
/// failed and the skipped checks.
pub fn markdown(title: &str, verdict_passed: bool, records: &[GateRecord]) -> String {
    let (passed, failed, skipped) = counts(records);
    let mut m = String::new();
    let (icon, word) = if verdict_passed {
        ("✅", "passed")
    } else {
        ("❌", "failed")
    };
    let _ = writeln!(m, "## {icon} {}: {word}\n", md(title));
    let _ = writeln!(
        m,
        "{}: {passed} passed, {failed} failed, {skipped} skipped.",
        plural(records.len(), "check")
    );
    let cell = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| md(&num(v)));
    for (group, list) in groups(records) {
        let _ = writeln!(m, "\n### {}\n", md(group));
        m.push_str("| check | observed | limit | result |\n|---|---:|---:|---|\n");
        for r in list {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} |",
                md(&r.name),
                cell(r.observed),
                cell(r.limit),
                status_cell(&r.status)
            );
        }
    }
    for (heading, want_failed) in [("Failed checks", true), ("Skipped checks", false)] {
        let list: Vec<&GateRecord> = records
            .iter()
            .filter(|r| match r.status {
                CheckStatus::Failed => want_failed,
                CheckStatus::Skipped { .. } => !want_failed,
                CheckStatus::Passed => false,
            })
            .collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(m, "\n**{heading}**\n");
        for r in list {
            let text = match &r.status {
                CheckStatus::Skipped { reason } if !r.message.contains(reason.as_str()) => {
                    format!("{} ({reason})", r.message)
                }
                _ => r.message.clone(),
            };
            let _ = writeln!(m, "- {} / {}: {}", md(&r.group), md(&r.name), md(&text));
        }
    }
    m
}
