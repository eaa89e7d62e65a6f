//! JUnit XML and Markdown reports.

use crisp_validate::{
    check_schema, junit_xml, markdown, CheckStatus, ColumnProfile, DataGate, GateRecord, Threshold,
};

fn record(
    group: &str,
    name: &str,
    status: CheckStatus,
    observed: Option<f64>,
    limit: Option<f64>,
    message: &str,
) -> GateRecord {
    GateRecord {
        group: group.into(),
        name: name.into(),
        status,
        observed,
        limit,
        message: message.into(),
    }
}

fn sample() -> Vec<GateRecord> {
    vec![
        record(
            "data",
            "psi[age]",
            CheckStatus::Passed,
            Some(0.0312),
            Some(0.2),
            "Column `age`: PSI is 0.0312, within the limit 0.2.",
        ),
        record(
            "data",
            "missing_column[a&b]",
            CheckStatus::Failed,
            None,
            None,
            "Column `a&b` (text) was in the training data but is missing.",
        ),
        record(
            "model",
            "f1[>50K]>=0.6",
            CheckStatus::Failed,
            Some(0.58),
            Some(0.6),
            "f1[>50K] is 0.58; it must be >= 0.6: failed.",
        ),
        record(
            "model",
            "roc_auc>=baseline-0.005",
            CheckStatus::Skipped {
                reason: "no baseline given".into(),
            },
            Some(0.9),
            None,
            "roc_auc>=baseline-0.005 not checked.",
        ),
        record(
            "slice sex=Male",
            "accuracy>=0.8",
            CheckStatus::Passed,
            Some(0.85),
            Some(0.8),
            "say \"hi\" <'quoted'>\nline 2 | pipe\u{1}",
        ),
    ]
}

/// A tiny well-formedness check: balanced tags, quoted attributes without `<`, and every
/// `&` starting a known entity or a character reference. Returns the element names in
/// document order.
fn well_formed(xml: &str) -> Result<Vec<String>, String> {
    fn entity_ok(rest: &str) -> bool {
        let Some(end) = rest.find(';') else {
            return false;
        };
        let name = &rest[1..end];
        matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
            || name
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    }
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut i = 0;
    let b = xml.as_bytes();
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .ok_or("no XML declaration")?;
    i += xml.len() - body.len();
    let mut root_closed = false;
    while i < b.len() {
        match b[i] {
            b'<' => {
                if root_closed {
                    return Err("content after the root element".into());
                }
                let mut j = i + 1;
                let mut quote = None;
                while j < b.len() {
                    match (quote, b[j]) {
                        (None, b'"') | (None, b'\'') => quote = Some(b[j]),
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), b'<') => return Err(format!("`<` in an attribute at {j}")),
                        (Some(_), b'&') if !entity_ok(&xml[j..]) => {
                            return Err(format!("bad entity at {j}"))
                        }
                        (None, b'>') => break,
                        _ => {}
                    }
                    j += 1;
                }
                let tag = &xml[i + 1..j];
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack.pop().ok_or(format!("unopened `</{name}>`"))?;
                    if open != name {
                        return Err(format!("`</{name}>` closes `<{open}>`"));
                    }
                    root_closed = stack.is_empty();
                } else {
                    let name: String = tag
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '/')
                        .collect();
                    if name.is_empty() {
                        return Err(format!("empty tag at {i}"));
                    }
                    names.push(name.clone());
                    if tag.ends_with('/') {
                        root_closed = stack.is_empty();
                    } else {
                        stack.push(name);
                    }
                }
                i = j + 1;
            }
            b'&' if !entity_ok(&xml[i..]) => return Err(format!("bad entity at {i}")),
            b'>' => return Err(format!("raw `>` in text at {i}")),
            c if c < 0x20 && !matches!(c, b'\n' | b'\t' | b'\r') => {
                return Err(format!("control character at {i}"))
            }
            _ if root_closed && !b[i].is_ascii_whitespace() => {
                return Err("text after the root element".into())
            }
            _ => i += 1,
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed {stack:?}"));
    }
    Ok(names)
}

#[test]
fn checker_rejects_broken_xml() {
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    assert!(well_formed(&format!("{decl}<a><b></a>")).is_err());
    assert!(well_formed(&format!("{decl}<a name=\"x<y\"/>")).is_err());
    assert!(well_formed(&format!("{decl}<a>R&D</a>")).is_err());
    assert!(well_formed(&format!("{decl}<a>>50K</a>")).is_err());
    assert!(well_formed(&format!("{decl}<a>x</a><b/>")).is_err());
    assert!(well_formed(&format!("{decl}<a>&amp;&#10;</a>")).is_ok());
}

#[test]
fn junit_is_well_formed_and_escaped() {
    let xml = junit_xml("crisp gate & co", &sample());
    let names = well_formed(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(names.iter().filter(|n| *n == "testsuite").count(), 3);
    assert_eq!(names.iter().filter(|n| *n == "testcase").count(), 5);
    assert_eq!(names.iter().filter(|n| *n == "failure").count(), 2);
    assert_eq!(names.iter().filter(|n| *n == "skipped").count(), 1);
    assert!(xml.contains(r#"<testsuites name="crisp gate &amp; co" tests="5" failures="2" errors="0" skipped="1">"#), "{xml}");
    assert!(
        xml.contains(r#"<testsuite name="data" tests="2" failures="1" errors="0" skipped="0">"#)
    );
    assert!(
        xml.contains(r#"<testsuite name="model" tests="2" failures="1" errors="0" skipped="1">"#)
    );
    assert!(xml.contains(r#"<testcase classname="model" name="f1[&gt;50K]&gt;=0.6">"#));
    assert!(xml.contains(r#"<testcase classname="data" name="missing_column[a&amp;b]">"#));
    assert!(xml.contains(r#"<failure message="f1[&gt;50K] is 0.58; it must be &gt;= 0.6: failed." type="gate">observed: 0.58, limit: 0.6</failure>"#), "{xml}");
    assert!(xml.contains(r#"observed: none, limit: none</failure>"#));
    assert!(
        xml.contains(
            r#"<skipped message="roc_auc&gt;=baseline-0.005 not checked. (no baseline given)"/>"#
        ),
        "{xml}"
    );
    // Text content: quotes may stay, markup is escaped, the control character replaced.
    assert!(
        xml.contains("<system-out>say \"hi\" &lt;'quoted'&gt;\nline 2 | pipe\u{FFFD}</system-out>"),
        "{xml}"
    );
    assert!(!xml.contains('\u{1}'));
    // No raw `>50K` anywhere.
    assert!(!xml.contains(">50K"));
}

#[test]
fn junit_of_no_records() {
    let xml = junit_xml("empty", &[]);
    assert_eq!(well_formed(&xml).unwrap(), ["testsuites"]);
    assert!(xml.contains(r#"tests="0" failures="0""#));
}

#[test]
fn markdown_verdict_counts_tables_and_escaping() {
    let md = markdown("Gate | adult", false, &sample());
    assert!(md.starts_with("## ❌ Gate \\| adult: failed\n"), "{md}");
    assert!(md.contains("5 checks: 2 passed, 2 failed, 1 skipped."));
    assert!(
        md.contains("\n### data\n\n| check | observed | limit | result |\n|---|---:|---:|---|\n")
    );
    assert!(md.contains("\n### slice sex=Male\n"));
    assert!(
        md.contains("| psi\\[age\\] | 0.0312 | 0.2 | ✅ passed |"),
        "{md}"
    );
    assert!(
        md.contains("| missing\\_column\\[a\\&b\\] | — | — | ❌ failed |"),
        "{md}"
    );
    assert!(
        md.contains("| roc\\_auc\\>=baseline-0.005 | 0.9 | — | ⏭️ skipped |"),
        "{md}"
    );
    assert!(md.contains("**Failed checks**"));
    assert!(
        md.contains(
            "- model / f1\\[\\>50K\\]\\>=0.6: f1\\[\\>50K\\] is 0.58; it must be \\>= 0.6: failed."
        ),
        "{md}"
    );
    assert!(md.contains("**Skipped checks**\n\n- model / roc\\_auc\\>=baseline-0.005: roc\\_auc\\>=baseline-0.005 not checked. (no baseline given)"), "{md}");
    // Every table row has exactly 5 unescaped pipes (4 cells).
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let unescaped = line
            .char_indices()
            .filter(|&(i, c)| c == '|' && (i == 0 || line.as_bytes()[i - 1] != b'\\'))
            .count();
        assert_eq!(unescaped, 5, "{line}");
    }
    // No raw line break inside a message bullet.
    assert!(!md.contains("line 2 | pipe"));
}

#[test]
fn markdown_passed_verdict() {
    let records = vec![record(
        "data",
        "schema",
        CheckStatus::Passed,
        None,
        None,
        "ok",
    )];
    let md = markdown("Data gate", true, &records);
    assert!(
        md.starts_with("## ✅ Data gate: passed\n\n1 check: 1 passed, 0 failed, 0 skipped.\n"),
        "{md}"
    );
    assert!(!md.contains("Failed checks"));
}

#[test]
fn records_from_data_checks_and_threshold_outcomes() {
    let schema = check_schema(&[("age", "integer")], &[("age", "text")]);
    let r = GateRecord::from_data_check("data", &schema[0]);
    assert_eq!(r.name, "dtype_change[age]");
    assert_eq!(r.status, CheckStatus::Failed);
    assert_eq!(r.group, "data");

    let drift = ColumnProfile::numeric("x", &[Some(1.0), Some(2.0)])
        .compare_numeric(&[Some(5.0)])
        .unwrap();
    let checks = DataGate {
        max_out_of_range_rate: Some(0.1),
        ..DataGate::default()
    }
    .check_drift(&drift);
    let r = GateRecord::from_data_check(
        "data",
        checks
            .iter()
            .find(|c| c.check == "out_of_range_rate")
            .unwrap(),
    );
    assert_eq!(
        (r.observed, r.limit, r.status),
        (Some(1.0), Some(0.1), CheckStatus::Failed)
    );

    let t: Threshold = "accuracy>=0.85".parse().unwrap();
    let r = GateRecord::from_outcome("model", &t.check(0.8, None));
    assert_eq!(r.name, "accuracy>=0.85");
    assert_eq!(r.message, "accuracy is 0.8; it must be >= 0.85: failed.");
    assert_eq!((r.observed, r.limit), (Some(0.8), Some(0.85)));
    let t: Threshold = "roc_auc>=baseline-0.005".parse().unwrap();
    let r = GateRecord::from_outcome("model", &t.check(0.9, None));
    assert_eq!(
        r.message,
        "roc_auc>=baseline-0.005 not checked: no baseline given."
    );
    assert!(matches!(r.status, CheckStatus::Skipped { .. }));
}
