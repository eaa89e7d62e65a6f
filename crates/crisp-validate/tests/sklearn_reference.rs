//! Metrics against scikit-learn on recorded cases.
//!
//! The constants below were printed by `tests/sklearn_reference.py` (run with a Python that
//! has scikit-learn and numpy: `python crates/crisp-validate/tests/sklearn_reference.py`);
//! the weighted cases pass the same `row_weights` as `sample_weight` to every metric. The versions are in the first generated line. The inputs are regenerated here with the
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

/// The weights of the weighted cases, as `row_weights` of `sklearn_reference.py`: 0, 0.5, ...,
/// 3 (some rows weigh nothing).
fn row_weights(n: usize, seed: u64) -> Vec<f64> {
    let mut g = Lcg(seed);
    (0..n).map(|_| (g.next() % 7) as f64 / 2.0).collect()
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
    check_classification_weighted(case, None, scalars, per_class, confusion)
}

fn check_classification_weighted(
    case: &ClassCase,
    weights: Option<&[f64]>,
    scalars: &[(&str, f64)],
    per_class: &[(f64, f64, f64, u64)],
    confusion: &[&[u64]],
) {
    let input = EvalInput::classification(
        &case.y_true,
        &case.y_pred,
        case.proba.as_deref(),
        &case.classes,
    );
    let eval = match weights {
        None => Evaluation::from_input(&input).unwrap(),
        Some(w) => Evaluation::from_input_weighted(&input, w).unwrap(),
    };
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

    if weights.is_some() {
        return;
    }
    // the single-metric path (used by the bootstrap) agrees with the full evaluation
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

#[test]
fn weighted_classification_matches_sklearn_sample_weight() {
    let case = binary_case();
    let w = row_weights(48, 11);
    check_classification_weighted(
        &case,
        Some(&w),
        WEIGHTED_BINARY,
        WEIGHTED_BINARY_PER_CLASS,
        WEIGHTED_BINARY_CONFUSION,
    );
    let plain = Evaluation::classification(
        &case.y_true,
        &case.y_pred,
        case.proba.as_deref(),
        &case.classes,
    )
    .unwrap();
    assert!(plain.get("accuracy").unwrap() != WEIGHTED_BINARY[0].1);
    let case = multiclass_case();
    check_classification_weighted(
        &case,
        Some(&row_weights(60, 12)),
        WEIGHTED_MULTICLASS,
        WEIGHTED_MULTICLASS_PER_CLASS,
        WEIGHTED_MULTICLASS_CONFUSION,
    );
}

#[test]
fn weighted_regression_matches_sklearn_sample_weight() {
    let (t, p) = regression_case();
    let input = EvalInput::regression(&t, &p);
    let eval = Evaluation::from_input_weighted(&input, &row_weights(50, 13)).unwrap();
    check_scalars(&eval, WEIGHTED_REGRESSION);
    assert_eq!(eval.metrics.len(), WEIGHTED_REGRESSION.len());
    let (t, p) = bad_regression_case();
    let input = EvalInput::regression(&t, &p);
    let eval = Evaluation::from_input_weighted(&input, &row_weights(40, 14)).unwrap();
    check_scalars(&eval, WEIGHTED_BAD_REGRESSION);
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
const WEIGHTED_BINARY: &[(&str, f64)] = &[
    ("accuracy", 0.803030303030303),
    ("balanced_accuracy", 0.8303471444568868),
    ("precision_macro", 0.7772556390977443),
    ("recall_macro", 0.8303471444568868),
    ("f1_macro", 0.7852315394242804),
    ("precision_micro", 0.803030303030303),
    ("recall_micro", 0.803030303030303),
    ("f1_micro", 0.803030303030303),
    ("precision_weighted", 0.8494246981089086),
    ("recall_weighted", 0.803030303030303),
    ("f1_weighted", 0.8114612963173665),
    ("roc_auc", 0.9568868980963047),
    ("pr_auc", 0.9243859649122808),
    ("brier", 0.12035250463821892),
    ("log_loss", 0.3929659428908039),
    ("mcc", 0.6052788073623891),
    ("cohen_kappa", 0.578999018645731),
];
/// (precision, recall, f1, support) per class
const WEIGHTED_BINARY_PER_CLASS: &[(f64, f64, f64, u64)] = &[
    (
        0.9473684210526315,
        0.7659574468085106,
        0.8470588235294118,
        34,
    ),
    (
        0.6071428571428571,
        0.8947368421052632,
        0.723404255319149,
        14,
    ),
];
const WEIGHTED_BINARY_CONFUSION: &[&[u64]] = &[&[28, 6], &[1, 13]];
const WEIGHTED_MULTICLASS: &[(&str, f64)] = &[
    ("accuracy", 0.8255813953488372),
    ("balanced_accuracy", 0.798989898989899),
    ("precision_macro", 0.7807843137254902),
    ("recall_macro", 0.798989898989899),
    ("f1_macro", 0.7885511651469098),
    ("precision_micro", 0.8255813953488372),
    ("recall_micro", 0.8255813953488372),
    ("f1_micro", 0.8255813953488372),
    ("precision_weighted", 0.8298495212038305),
    ("recall_weighted", 0.8255813953488372),
    ("f1_weighted", 0.8264296317240404),
    ("roc_auc", 0.929105081332329),
    ("pr_auc", 0.8107590807584151),
    ("brier", 0.4118141947193463),
    ("log_loss", 0.715396345276144),
    ("mcc", 0.6785450176803478),
    ("cohen_kappa", 0.6768537074148298),
];
/// (precision, recall, f1, support) per class
const WEIGHTED_MULTICLASS_PER_CLASS: &[(f64, f64, f64, u64)] = &[
    (
        0.8823529411764706,
        0.8333333333333334,
        0.8571428571428571,
        36,
    ),
    (0.76, 0.8636363636363636, 0.8085106382978723, 15),
    (0.7, 0.7, 0.7, 9),
];
const WEIGHTED_MULTICLASS_CONFUSION: &[&[u64]] = &[&[29, 5, 2], &[3, 12, 0], &[2, 0, 7]];
const WEIGHTED_REGRESSION: &[(&str, f64)] = &[
    ("mae", 9.805185185185186),
    ("mse", 116.66481481481482),
    ("rmse", 10.801148772922945),
    ("r2", 0.9682691237814012),
    ("mape", 0.9642152418302439),
    ("median_ae", 8.5),
    ("explained_variance", 0.9682742313956365),
];
const WEIGHTED_BAD_REGRESSION: &[(&str, f64)] = &[
    ("mae", 55.388116308470295),
    ("mse", 4300.973451327433),
    ("rmse", 65.58180731976996),
    ("r2", -1.358015926671872),
    ("mape", 1.808272113341175e+16),
    ("median_ae", 51.857142857142854),
    ("explained_variance", -1.3558006842784827),
];
