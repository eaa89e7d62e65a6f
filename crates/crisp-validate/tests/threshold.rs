//! Threshold parsing, baseline arithmetic, errors and checks.

use crisp_validate::{
    CheckOutcome, CheckStatus, Evaluation, MissingBaseline, Op, Target, Task, Threshold,
    ValidateError,
};

fn parse(s: &str) -> Threshold {
    s.parse()
        .unwrap_or_else(|e| panic!("`{s}` should parse: {e}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn parses_every_form() {
    let cases: &[(&str, &str, Op, Target)] = &[
        (
            "accuracy>=0.85",
            "accuracy",
            Op::Ge,
            Target::Value { value: 0.85 },
        ),
        (
            "  rmse <= 3000 ",
            "rmse",
            Op::Le,
            Target::Value { value: 3000.0 },
        ),
        ("mae>1e-3", "mae", Op::Gt, Target::Value { value: 0.001 }),
        (
            "log_loss < 0.4",
            "log_loss",
            Op::Lt,
            Target::Value { value: 0.4 },
        ),
        ("r2>=-0.5", "r2", Op::Ge, Target::Value { value: -0.5 }),
        (
            "f1[>50K]>=0.6",
            "f1[>50K]",
            Op::Ge,
            Target::Value { value: 0.6 },
        ),
        (
            "f1 [>50K] > 0.6",
            "f1[>50K]",
            Op::Gt,
            Target::Value { value: 0.6 },
        ),
        (
            "recall[a <= b]<0.5",
            "recall[a <= b]",
            Op::Lt,
            Target::Value { value: 0.5 },
        ),
        (
            "precision[ <=50K]<=baseline",
            "precision[ <=50K]",
            Op::Le,
            Target::BaselineOffset { offset: 0.0 },
        ),
        (
            "roc_auc>=baseline-0.005",
            "roc_auc",
            Op::Ge,
            Target::BaselineOffset { offset: -0.005 },
        ),
        (
            "roc_auc >= baseline - 0.005",
            "roc_auc",
            Op::Ge,
            Target::BaselineOffset { offset: -0.005 },
        ),
        (
            "accuracy>=baseline+0.01",
            "accuracy",
            Op::Ge,
            Target::BaselineOffset { offset: 0.01 },
        ),
        (
            "rmse<=baseline*1.02",
            "rmse",
            Op::Le,
            Target::BaselineFactor { factor: 1.02 },
        ),
        (
            "r2 >= baseline * 0.98",
            "r2",
            Op::Ge,
            Target::BaselineFactor { factor: 0.98 },
        ),
        (
            "accuracy>=baseline",
            "accuracy",
            Op::Ge,
            Target::BaselineOffset { offset: 0.0 },
        ),
    ];
    for (text, metric, op, target) in cases {
        let t = parse(text);
        assert_eq!(t.metric, *metric, "{text}");
        assert_eq!(t.op, *op, "{text}");
        assert_eq!(t.target, *target, "{text}");
        assert_eq!(t.text, text.trim());
        assert_eq!(t.to_string(), text.trim());
        assert_eq!(t.needs_baseline(), !matches!(target, Target::Value { .. }));
    }
}

#[test]
fn value_checks() {
    let t = parse("accuracy>=0.85");
    let pass = t.check(0.86, None);
    assert_eq!(pass.status, CheckStatus::Passed);
    assert_eq!(pass.bound, Some(0.85));
    assert_eq!(pass.baseline, None);
    assert_eq!(pass.threshold, "accuracy>=0.85");
    assert_eq!(t.check(0.85, None).status, CheckStatus::Passed);
    assert_eq!(t.check(0.84, None).status, CheckStatus::Failed);
    assert_eq!(t.check(f64::NAN, None).status, CheckStatus::Failed);
    assert!(t.check(0.84, None).failed());
    assert_eq!(
        parse("accuracy>0.85").check(0.85, None).status,
        CheckStatus::Failed
    );
    assert_eq!(
        parse("rmse<3000").check(2999.0, None).status,
        CheckStatus::Passed
    );
    assert_eq!(
        parse("rmse<=3000").check(3000.5, None).status,
        CheckStatus::Failed
    );
}

#[test]
fn absolute_baseline_arithmetic() {
    let t = parse("roc_auc>=baseline-0.005");
    let out = t.check(0.896, Some(0.9));
    assert!(close(out.bound.unwrap(), 0.895));
    assert_eq!(out.baseline, Some(0.9));
    assert!(out.passed());
    assert!(t.check(0.894, Some(0.9)).failed());
    // negative baseline: absolute tolerance is a plain subtraction
    let t = parse("r2>=baseline-0.01");
    assert!(close(t.check(0.0, Some(-0.5)).bound.unwrap(), -0.51));
    let t = parse("accuracy >= baseline + 0.01");
    assert!(close(t.check(0.0, Some(0.8)).bound.unwrap(), 0.81));
    let t = parse("accuracy>=baseline");
    assert!(t.check(0.8, Some(0.8)).passed());
    assert!(t.check(0.799, Some(0.8)).failed());
}

#[test]
fn relative_baseline_arithmetic_uses_abs_baseline() {
    let t = parse("rmse<=baseline*1.02");
    let out = t.check(101.0, Some(100.0));
    assert!(close(out.bound.unwrap(), 102.0));
    assert!(out.passed());
    assert!(t.check(102.5, Some(100.0)).failed());

    let t = parse("r2>=baseline*0.98");
    assert!(close(t.check(0.0, Some(0.8)).bound.unwrap(), 0.784));
    // negative r2 baseline: the bound is *below* the baseline (−0.5 − 0.02·0.5), not −0.49
    let out = t.check(-0.505, Some(-0.5));
    assert!(close(out.bound.unwrap(), -0.51), "{:?}", out.bound);
    assert!(out.passed());
    assert!(t.check(-0.52, Some(-0.5)).failed());
    // the loosening direction of `<=` with a negative baseline: bound above the baseline
    let t = parse("mae<=baseline*1.1");
    assert!(close(t.check(0.0, Some(-2.0)).bound.unwrap(), -1.8));
}

#[test]
fn missing_baseline_skips_or_errors() {
    let t = parse("roc_auc>=baseline-0.005");
    let out = t.check(0.9, None);
    assert!(matches!(out.status, CheckStatus::Skipped { .. }));
    assert_eq!(out.bound, None);
    assert!(!out.passed() && !out.failed());
    let skipped = t.check_with(0.9, None, MissingBaseline::Skip).unwrap();
    assert_eq!(skipped, out);
    let err = t.check_with(0.9, None, MissingBaseline::Error).unwrap_err();
    assert!(matches!(err, ValidateError::MissingBaseline { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("needs a baseline model") && msg.contains("roc_auc>=baseline-0.005"),
        "{msg}"
    );
    // value thresholds never need one
    let v = parse("accuracy>=0.8");
    assert!(v
        .check_with(0.9, None, MissingBaseline::Error)
        .unwrap()
        .passed());
    // with a baseline the Error policy checks normally
    assert!(t
        .check_with(0.9, Some(0.9), MissingBaseline::Error)
        .unwrap()
        .passed());
}

#[test]
fn bad_thresholds_name_the_text_and_list_valid_metrics() {
    let bad = [
        "acuracy>=0.8",
        "accuracy=>0.8",
        "accuracy==0.8",
        "accuracy 0.8",
        "accuracy>=",
        "accuracy>=abc",
        "accuracy>=nan",
        "accuracy>=inf",
        "accuracy>=baseline/2",
        "accuracy>=baseline+-0.1",
        "rmse<=baseline*0",
        "rmse<=baseline*-1",
        "f1[>50K>=0.6",
        "f1[]>=0.6",
        "accuracy[x]>=0.5",
        "support[x]>=3",
        ">=0.5",
        "",
    ];
    for text in bad {
        let err = text.parse::<Threshold>().unwrap_err();
        assert!(
            matches!(err, ValidateError::InvalidThreshold { .. }),
            "{text}: {err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains(&format!("`{text}`")), "{msg}");
        for name in [
            "accuracy",
            "roc_auc",
            "f1[<class>]",
            "rmse",
            "explained_variance",
        ] {
            assert!(msg.contains(name), "{text}: {msg}");
        }
    }
    let msg = "acuracy>=0.8".parse::<Threshold>().unwrap_err().to_string();
    assert!(msg.contains("unknown metric `acuracy`"), "{msg}");
}

#[test]
fn validate_for_rejects_the_other_task() {
    let t = parse("rmse<=3000");
    assert!(t.validate_for(Task::Regression).is_ok());
    let err = t.validate_for(Task::Classification).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ValidateError::WrongTask { .. }));
    assert!(
        msg.contains("`rmse`") && msg.contains("classification") && msg.contains("accuracy"),
        "{msg}"
    );
    assert!(!msg.contains("mape"), "lists only the model's task: {msg}");
    assert!(parse("f1[>50K]>=0.6")
        .validate_for(Task::Regression)
        .is_err());
    assert!(parse("f1[>50K]>=0.6")
        .validate_for(Task::Classification)
        .is_ok());
    assert!(!parse("log_loss<=0.5").higher_is_better());
}

#[test]
fn serde_keeps_text_and_accepts_plain_strings() {
    let t = parse(" f1[>50K] >= baseline*0.98 ");
    let json = serde_json::to_string(&t).unwrap();
    assert!(
        json.contains(r#""text":"f1[>50K] >= baseline*0.98""#),
        "{json}"
    );
    let back: Threshold = serde_json::from_str(&json).unwrap();
    assert_eq!(back, t);
    let from_str: Threshold = serde_json::from_str(r#""rmse<=baseline*1.02""#).unwrap();
    assert_eq!(from_str.target, Target::BaselineFactor { factor: 1.02 });
    let list: Vec<Threshold> = serde_json::from_str(r#"["accuracy>=0.85", "r2>0"]"#).unwrap();
    assert_eq!(list.len(), 2);
    assert!(serde_json::from_str::<Threshold>(r#""acuracy>=0.85""#).is_err());

    let out = t.check(0.7, Some(0.75));
    let json = serde_json::to_string(&out).unwrap();
    assert!(json.contains(r#""op":">=""#), "{json}");
    let back: CheckOutcome = serde_json::from_str(&json).unwrap();
    assert_eq!(back, out);
    let skipped = serde_json::to_string(&t.check(0.7, None)).unwrap();
    assert!(
        skipped.contains("skipped") && skipped.contains(r#""bound":null"#),
        "{skipped}"
    );
}

#[test]
fn check_evaluation_against_a_baseline_evaluation() {
    let current = Evaluation::regression(&[1.0, 2.0, 3.0, 4.0], &[1.1, 2.1, 2.9, 4.2]).unwrap();
    let baseline = Evaluation::regression(&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0, 4.5]).unwrap();
    let t = parse("rmse<=baseline*1.02");
    let out = t
        .check_evaluation(&current, Some(&baseline), MissingBaseline::Error)
        .unwrap();
    assert_eq!(out.observed, current.get("rmse").unwrap());
    assert_eq!(out.baseline, Some(baseline.get("rmse").unwrap()));
    assert!(out.passed());
    assert!(matches!(
        t.check_evaluation(&current, None, MissingBaseline::Error),
        Err(ValidateError::MissingBaseline { .. })
    ));
    assert!(matches!(
        parse("accuracy>=0.5").check_evaluation(&current, None, MissingBaseline::Skip),
        Err(ValidateError::WrongTask { .. })
    ));
}
