//! Metrics against scikit-learn on recorded cases.
//!
//! The constants below were printed by `tests/sklearn_reference.py` (run with
//! `/var/tmp/crisp-sk-venv/bin/python crates/crisp-validate/tests/sklearn_reference.py`);
//! the versions are in the first generated line. The inputs are regenerated here with the
//! same LCG, so both sides compute on identical data. Tolerance: 1e-9 (relative above 1).

use crisp_validate::{EvalInput, Evaluation};

/// The LCG of `sklearn_reference.py`.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = (self.0 * 1_103_515_245 + 12_345) % (1 << 31);
        self.0 >> 8
    }
}

struct ClassCase {
    y_true: Vec<usize>,
    y_pred: Vec<usize>,
    proba: Option<Vec<f64>>,
    classes: Vec<String>,
}

fn class_names(k: usize) -> Vec<String> {
    ["neg", ">50K", "c 2"][..k]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn binary_case() -> ClassCase {
    let mut g = Lcg(42);
    let (mut y_true, mut y_pred, mut proba) = (vec![], vec![], vec![]);
    for _ in 0..48 {
        let y = usize::from(g.next() % 100 < 40);
        let noise = g.next() % 41;
        let k = if y == 1 { noise + 30 } else { noise };
        let p1 = k as f64 / 70.0;
        y_true.push(y);
        y_pred.push(usize::from(k >= 35));
        proba.extend([1.0 - p1, p1]);
    }
    ClassCase {
        y_true,
        y_pred,
        proba: Some(proba),
        classes: class_names(2),
    }
}

fn multiclass_case() -> ClassCase {
    let mut g = Lcg(7);
    let (mut y_true, mut y_pred, mut proba) = (vec![], vec![], vec![]);
    for _ in 0..60 {
        let u = g.next() % 100;
        let y = if u < 60 {
            0
        } else if u < 85 {
            1
        } else {
            2
        };
        let w: Vec<u64> = (0..3)
            .map(|c| g.next() % 10 + 1 + if c == y { 5 } else { 0 })
            .collect();
        let total: u64 = w.iter().sum();
        let p: Vec<f64> = w.iter().map(|&wc| wc as f64 / total as f64).collect();
        // np.argmax: first maximum
        let arg = (0..3).fold(0, |best, c| if p[c] > p[best] { c } else { best });
        y_true.push(y);
        y_pred.push(arg);
        proba.extend(p);
    }
    ClassCase {
        y_true,
        y_pred,
        proba: Some(proba),
        classes: class_names(3),
    }
}

fn zero_division_case() -> ClassCase {
    ClassCase {
        y_true: vec![0, 0, 0, 1, 1, 2, 2, 2, 0, 1, 2, 0],
        y_pred: vec![0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0],
        proba: None,
        classes: class_names(3),
    }
}

fn regression_case() -> (Vec<f64>, Vec<f64>) {
    let mut g = Lcg(99);
    let (mut y_true, mut y_pred) = (vec![], vec![]);
    for _ in 0..50 {
        let t = ((g.next() % 2001) as i64 - 1000) as f64 / 10.0;
        let e = ((g.next() % 401) as i64 - 200) as f64 / 10.0;
        y_true.push(t);
        y_pred.push(t + e);
    }
    (y_true, y_pred)
}

fn bad_regression_case() -> (Vec<f64>, Vec<f64>) {
    let mut g = Lcg(5);
    let (mut y_true, mut y_pred) = (vec![], vec![]);
    for i in 0..40 {
        let t = (g.next() % 1000) as f64 / 7.0;
        let p = (g.next() % 1000) as f64 / 7.0;
        y_true.push(if i == 3 { 0.0 } else { t });
        y_pred.push(p);
    }
    (y_true, y_pred)
}

fn assert_close(what: &str, got: f64, want: f64) {
    let tol = 1e-9 * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:?}, scikit-learn {want:?}"
    );
}

fn check_scalars(eval: &Evaluation, expected: &[(&str, f64)]) {
    for &(name, want) in expected {
        let got = eval
            .get(name)
            .unwrap_or_else(|e| panic!("{name} not computed: {e}"));
        assert_close(name, got, want);
    }
}

fn check_classification(
    case: &ClassCase,
    scalars: &[(&str, f64)],
    per_class: &[(f64, f64, f64, u64)],
    confusion: &[&[u64]],
) {
    let eval = Evaluation::classification(
        &case.y_true,
        &case.y_pred,
        case.proba.as_deref(),
        &case.classes,
    )
    .unwrap();
    assert_eq!(eval.rows, case.y_true.len());
    check_scalars(&eval, scalars);
    // every computed metric is covered by the reference (no metric left untested)
    assert_eq!(
        eval.metrics.len(),
        scalars.len(),
        "{:?}",
        eval.metrics.keys()
    );
    let pc = eval.per_class.as_ref().unwrap();
    for (class, &(p, r, f, s)) in case.classes.iter().zip(per_class) {
        let m = &pc[class];
        assert_close(&format!("precision[{class}]"), m.precision, p);
        assert_close(&format!("recall[{class}]"), m.recall, r);
        assert_close(&format!("f1[{class}]"), m.f1, f);
        assert_eq!(m.support, s, "support[{class}]");
        assert_eq!(eval.get(&format!("f1[{class}]")).unwrap(), m.f1);
    }
    let cm = eval.confusion_matrix.as_ref().unwrap();
    assert_eq!(cm.labels, case.classes);
    let want: Vec<Vec<u64>> = confusion.iter().map(|r| r.to_vec()).collect();
    assert_eq!(cm.counts, want);

    // the single-metric path (used by the bootstrap) agrees with the full evaluation
    let input = EvalInput::classification(
        &case.y_true,
        &case.y_pred,
        case.proba.as_deref(),
        &case.classes,
    );
    for name in eval.metrics.keys() {
        assert_eq!(input.metric(name).unwrap(), eval.metrics[name], "{name}");
    }
}

#[test]
fn binary_matches_sklearn() {
    check_classification(&binary_case(), BINARY, BINARY_PER_CLASS, BINARY_CONFUSION);
}

#[test]
fn multiclass_matches_sklearn() {
    check_classification(
        &multiclass_case(),
        MULTICLASS,
        MULTICLASS_PER_CLASS,
        MULTICLASS_CONFUSION,
    );
}

#[test]
fn zero_division_matches_sklearn() {
    let case = zero_division_case();
    check_classification(
        &case,
        ZERO_DIVISION,
        ZERO_DIVISION_PER_CLASS,
        ZERO_DIVISION_CONFUSION,
    );
    let eval = Evaluation::classification(&case.y_true, &case.y_pred, None, &case.classes).unwrap();
    for m in ["roc_auc", "pr_auc", "log_loss", "brier"] {
        assert!(eval.unavailable[m].contains("probabilities"), "{m}");
    }
}

#[test]
fn regression_matches_sklearn() {
    let (t, p) = regression_case();
    let eval = Evaluation::regression(&t, &p).unwrap();
    check_scalars(&eval, REGRESSION);
    assert_eq!(eval.metrics.len(), REGRESSION.len());
    let (t, p) = bad_regression_case();
    let eval = Evaluation::regression(&t, &p).unwrap();
    check_scalars(&eval, BAD_REGRESSION);
    assert!(eval.get("r2").unwrap() < 0.0);
}

// ---- generated by tests/sklearn_reference.py ----
// scikit-learn 1.9.1, numpy 2.4.6
const BINARY: &[(&str, f64)] = &[
    ("accuracy", 0.8541666666666666),
    ("balanced_accuracy", 0.8760504201680672),
    ("precision_macro", 0.8248638838475499),
    ("recall_macro", 0.8760504201680672),
    ("f1_macro", 0.8383838383838383),
    ("precision_micro", 0.8541666666666666),
    ("recall_micro", 0.8541666666666666),
    ("f1_micro", 0.8541666666666666),
    ("precision_weighted", 0.8834694494857835),
    ("recall_weighted", 0.8541666666666666),
    ("f1_weighted", 0.8594276094276094),
    ("roc_auc", 0.9747899159663865),
    ("pr_auc", 0.9575091575091574),
    ("brier", 0.10803571428571428),
    ("log_loss", 0.3597756529442618),
    ("mcc", 0.6990427741370375),
    ("cohen_kappa", 0.6806083650190113),
];
/// (precision, recall, f1, support) per class
const BINARY_PER_CLASS: &[(f64, f64, f64, u64)] = &[
    (
        0.9655172413793104,
        0.8235294117647058,
        0.8888888888888888,
        34,
    ),
    (
        0.6842105263157895,
        0.9285714285714286,
        0.7878787878787878,
        14,
    ),
];
const BINARY_CONFUSION: &[&[u64]] = &[&[28, 6], &[1, 13]];
const MULTICLASS: &[(&str, f64)] = &[
    ("accuracy", 0.8),
    ("balanced_accuracy", 0.7944444444444444),
    ("precision_macro", 0.7788671023965142),
    ("recall_macro", 0.7944444444444444),
    ("f1_macro", 0.7854497354497355),
    ("precision_micro", 0.8),
    ("recall_micro", 0.8),
    ("f1_micro", 0.8),
    ("precision_weighted", 0.8049019607843138),
    ("recall_weighted", 0.8),
    ("f1_weighted", 0.8013095238095238),
    ("roc_auc", 0.931252269426289),
    ("pr_auc", 0.8513055810650237),
    ("brier", 0.4168224134570806),
    ("log_loss", 0.7264242977208718),
    ("mcc", 0.6484430102536416),
    ("cohen_kappa", 0.6470588235294117),
];
/// (precision, recall, f1, support) per class
const MULTICLASS_PER_CLASS: &[(f64, f64, f64, u64)] = &[
    (
        0.8529411764705882,
        0.8055555555555556,
        0.8285714285714286,
        36,
    ),
    (0.7058823529411765, 0.8, 0.75, 15),
    (
        0.7777777777777778,
        0.7777777777777778,
        0.7777777777777778,
        9,
    ),
];
const MULTICLASS_CONFUSION: &[&[u64]] = &[&[29, 5, 2], &[3, 12, 0], &[2, 0, 7]];
const ZERO_DIVISION: &[(&str, f64)] = &[
    ("accuracy", 0.5),
    ("balanced_accuracy", 0.48888888888888893),
    ("precision_macro", 0.3238095238095238),
    ("recall_macro", 0.48888888888888893),
    ("f1_macro", 0.38888888888888884),
    ("precision_micro", 0.5),
    ("recall_micro", 0.5),
    ("f1_micro", 0.5),
    ("precision_weighted", 0.33809523809523806),
    ("recall_weighted", 0.5),
    ("f1_weighted", 0.40277777777777773),
    ("mcc", 0.27121251999684587),
    ("cohen_kappa", 0.23404255319148937),
];
/// (precision, recall, f1, support) per class
const ZERO_DIVISION_PER_CLASS: &[(f64, f64, f64, u64)] = &[
    (0.5714285714285714, 0.8, 0.6666666666666666, 5),
    (0.4, 0.6666666666666666, 0.5, 3),
    (0.0, 0.0, 0.0, 4),
];
const ZERO_DIVISION_CONFUSION: &[&[u64]] = &[&[4, 1, 0], &[1, 2, 0], &[2, 2, 0]];
const REGRESSION: &[(&str, f64)] = &[
    ("mae", 10.165999999999999),
    ("mse", 132.2758),
    ("rmse", 11.501121684427133),
    ("r2", 0.9638937394015493),
    ("mape", 0.6031459097579561),
    ("median_ae", 8.950000000000001),
    ("explained_variance", 0.9638937404933972),
];
const BAD_REGRESSION: &[(&str, f64)] = &[
    ("mae", 56.77857142857143),
    ("mse", 4444.713265306122),
    ("rmse", 66.66868279264352),
    ("r2", -1.0797420487488565),
    ("mape", 1.2770921800472052e+16),
    ("median_ae", 52.28571428571428),
    ("explained_variance", -1.0747343221753494),
];
