//! Unit tests of the steps added for issue 4, against values computed independently: by hand,
//! or by scikit-learn 1.9.1 (numpy 2.4.6, scipy 1.17.1) on the same input, with the snippet
//! next to the numbers.

use polars::prelude::*;

use crate::*;
use crisp_core::SeededRng;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(close(*g, *w, tol), "{got:?}\nvs\n{want:?}");
    }
}

fn values(frame: &DataFrame, name: &str) -> Vec<f64> {
    crisp_core::to_vector(frame, name).unwrap().to_vec()
}

fn spec(toml_steps: &str) -> PipelineSpec {
    toml::from_str(toml_steps).unwrap_or_else(|e| panic!("{e}\n{toml_steps}"))
}

fn fit(toml_steps: &str, frame: &DataFrame) -> FittedPipeline {
    spec(toml_steps).fit(frame, "target").unwrap()
}

fn fit_err(toml_steps: &str, frame: &DataFrame) -> String {
    spec(toml_steps)
        .fit(frame, "target")
        .unwrap_err()
        .to_string()
}

fn one_column(x: &[f64]) -> DataFrame {
    let target: Vec<i64> = (0..x.len() as i64).map(|i| i % 2).collect();
    df!("x" => x, "target" => target).unwrap()
}

#[test]
fn robust_scale_median_and_quantile_range() {
    // from sklearn.preprocessing import RobustScaler
    // x = np.array([1, 2, 3, 4, 10, 100, 7, 5.0]).reshape(-1, 1)
    // RobustScaler().fit(x): center_ [4.5], scale_ [5.0]; transform([[0], [50]]) -> [-0.9, 9.1]
    // RobustScaler(quantile_range=(10, 90)).fit(x): scale_ [35.29999999999998];
    //   transform([[0], [50]]) -> [-0.12747875354107654, 1.288951841359774]
    let t = one_column(&[1.0, 2.0, 3.0, 4.0, 10.0, 100.0, 7.0, 5.0]);
    let new = df!("x" => [0.0, 50.0]).unwrap();
    let p = fit(
        "[[steps]]\nkind = \"robust_scale\"\ncolumns = [\"x\"]\n",
        &t,
    );
    assert_close(
        &values(&p.transform(&new, "new").unwrap(), "x"),
        &[-0.9, 9.1],
        1e-12,
    );
    let p = fit(
        "[[steps]]\nkind = \"robust_scale\"\ncolumns = [\"x\"]\nquantile_range = [10.0, 90.0]\n",
        &t,
    );
    assert_close(
        &values(&p.transform(&new, "new").unwrap(), "x"),
        &[-0.12747875354107654, 1.288951841359774],
        1e-12,
    );
    assert_eq!(
        p.summaries()[0].learned,
        ["x: median=4.500000 range=35.300000"]
    );
    let err = fit_err(
        "[[steps]]\nkind = \"robust_scale\"\ncolumns = [\"x\"]\nquantile_range = [90.0, 10.0]\n",
        &t,
    );
    assert!(err.contains("quantile_range"), "{err}");
}

#[test]
fn max_abs_scale() {
    // MaxAbsScaler().fit([[-4], [2], [1], [0]]): scale_ [4.0]; transform([[-4], [2], [8]])
    //   -> [-1.0, 0.5, 2.0]
    let t = one_column(&[-4.0, 2.0, 1.0, 0.0]);
    let p = fit(
        "[[steps]]\nkind = \"max_abs_scale\"\ncolumns = [\"x\"]\n",
        &t,
    );
    let out = p
        .transform(&df!("x" => [-4.0, 2.0, 8.0]).unwrap(), "new")
        .unwrap();
    assert_eq!(values(&out, "x"), [-1.0, 0.5, 2.0]);
    let zeros = one_column(&[0.0, 0.0]);
    let p = fit(
        "[[steps]]\nkind = \"max_abs_scale\"\ncolumns = [\"x\"]\n",
        &zeros,
    );
    let out = p.transform(&df!("x" => [3.0]).unwrap(), "new").unwrap();
    assert_eq!(values(&out, "x"), [3.0], "an all-zero column keeps scale 1");
}

#[test]
fn log1p_and_its_domain() {
    let t = one_column(&[0.0, 1.0, 9.0, f64::NAN]);
    let p = fit("[[steps]]\nkind = \"log1p\"\ncolumns = [\"x\"]\n", &t);
    let new = df!("x" => [Some(0.0), Some(std::f64::consts::E - 1.0), Some(-1.0), Some(-3.0), None, Some(f64::INFINITY)]).unwrap();
    let out = p.transform(&new, "new").unwrap();
    let x = out.column("x").unwrap().f64().unwrap();
    assert_eq!(x.get(0), Some(0.0));
    assert!(close(x.get(1).unwrap(), 1.0, 1e-15));
    assert_eq!(x.get(2), None, "ln(0) is not a feature: missing");
    assert_eq!(x.get(3), None);
    assert_eq!(x.get(4), None);
    assert_eq!(x.get(5), Some(f64::INFINITY));
    let err = fit_err(
        "[[steps]]\nkind = \"log1p\"\ncolumns = [\"x\"]\n",
        &one_column(&[1.0, -1.0]),
    );
    assert_eq!(
        err,
        "log1p: column 'x' has value -1 on data row 2; ln(1 + x) needs values above -1"
    );
}

#[test]
fn power_yeo_johnson_matches_scikit_learn() {
    // x = np.array([-2.0, -0.5, 0.0, 0.3, 1.2, 2.5, 4.0, 7.5, 12.0, 30.0]).reshape(-1, 1)
    // p = PowerTransformer(method="yeo-johnson").fit(x)
    // p.lambdas_ -> [0.2791848940309462]
    let x = [-2.0, -0.5, 0.0, 0.3, 1.2, 2.5, 4.0, 7.5, 12.0, 30.0];
    let t = one_column(&x);
    let p = fit("[[steps]]\nkind = \"power\"\ncolumns = [\"x\"]\n", &t);
    let FittedStep::Power(power) = &p.steps[0] else {
        panic!()
    };
    assert!(close(power.columns[0].lambda, 0.2791848940309462, 1e-7));
    // p.transform(x).ravel()
    let want = [
        -1.9336649472798133,
        -0.8052899773950442,
        -0.5584643419921436,
        -0.4438972352699391,
        -0.1872652948306748,
        0.07275539686593864,
        0.2966910747437175,
        0.6739597741254869,
        1.0190356785549133,
        1.8661398724775589,
    ];
    assert_close(&values(&p.transform(&t, "t").unwrap(), "x"), &want, 1e-7);
    // p.transform([[-10.0], [100.0]]) -> [-15.465629079172722, 3.4021296386389306]
    let new = df!("x" => [-10.0, 100.0]).unwrap();
    assert_close(
        &values(&p.transform(&new, "new").unwrap(), "x"),
        &[-15.465629079172722, 3.4021296386389306],
        1e-7,
    );
    // PowerTransformer(method="yeo-johnson", standardize=False).fit(x)
    //   .transform([[-10.0], [100.0]]) -> [-35.41950616488502, 9.41039328314961]
    let p = fit(
        "[[steps]]\nkind = \"power\"\ncolumns = [\"x\"]\nmethod = \"yeo_johnson\"\nstandardize = false\n",
        &t,
    );
    assert_close(
        &values(&p.transform(&new, "new").unwrap(), "x"),
        &[-35.41950616488502, 9.41039328314961],
        1e-7,
    );
}

#[test]
fn power_box_cox_matches_scikit_learn_and_needs_positive_data() {
    // x = np.array([0.5, 1.0, 1.5, 2.3, 3.1, 4.8, 6.0, 9.5, 15.0, 40.0]).reshape(-1, 1)
    // p = PowerTransformer(method="box-cox").fit(x); p.lambdas_ -> [-0.06369860123568623]
    let x = [0.5, 1.0, 1.5, 2.3, 3.1, 4.8, 6.0, 9.5, 15.0, 40.0];
    let t = one_column(&x);
    let p = fit(
        "[[steps]]\nkind = \"power\"\ncolumns = [\"x\"]\nmethod = \"box_cox\"\n",
        &t,
    );
    let FittedStep::Power(power) = &p.steps[0] else {
        panic!()
    };
    assert!(close(power.columns[0].lambda, -0.06369860123568623, 1e-7));
    let want = [
        -1.7317831892546496,
        -1.110045725505627,
        -0.7588769604353733,
        -0.3983629070490555,
        -0.15236632282674897,
        0.1996153291192756,
        0.3755154233195711,
        0.7299751471088367,
        1.0721618048370705,
        1.774167400686701,
    ];
    assert_close(&values(&p.transform(&t, "t").unwrap(), "x"), &want, 1e-7);
    // p.transform([[0.1], [100.0]]) -> [-3.2858153384720126, 2.391516119687139]
    let new = df!("x" => [Some(0.1), Some(100.0), Some(0.0), Some(-2.0), None]).unwrap();
    let out = p.transform(&new, "new").unwrap();
    let got = out.column("x").unwrap().f64().unwrap().clone();
    assert_close(
        &[got.get(0).unwrap(), got.get(1).unwrap()],
        &[-3.2858153384720126, 2.391516119687139],
        1e-7,
    );
    assert_eq!(
        (got.get(2), got.get(3), got.get(4)),
        (None, None, None),
        "Box-Cox cannot take non-positive values: missing"
    );

    let bad = one_column(&[1.0, 2.0, 0.0, 3.0]);
    let err = fit_err(
        "[[steps]]\nkind = \"power\"\ncolumns = [\"x\"]\nmethod = \"box_cox\"\n",
        &bad,
    );
    assert!(
        err.contains("column 'x' has the non-positive value 0 on data row 3"),
        "{err}"
    );
}

#[test]
fn clip_at_quantiles_or_fixed_bounds() {
    // np.percentile([1, 2, ..., 10, 100], [5, 95]) -> [1.5, 55.0]
    let mut x: Vec<f64> = (1..=10).map(f64::from).collect();
    x.push(100.0);
    let t = one_column(&x);
    let p = fit(
        "[[steps]]\nkind = \"clip\"\ncolumns = [\"x\"]\nlower_quantile = 0.05\nupper_quantile = 0.95\n",
        &t,
    );
    let new = df!("x" => [Some(-1e9), Some(5.0), Some(1e9), Some(f64::INFINITY), Some(f64::NEG_INFINITY), None]).unwrap();
    let out = p.transform(&new, "new").unwrap();
    let got = out.column("x").unwrap().f64().unwrap().clone();
    let got: Vec<Option<f64>> = got.iter().collect();
    assert_eq!(
        got,
        [
            Some(1.5),
            Some(5.0),
            Some(55.0),
            Some(55.0),
            Some(1.5),
            None
        ]
    );
    let p = fit(
        "[[steps]]\nkind = \"clip\"\ncolumns = [\"x\"]\nupper = 8.0\n",
        &t,
    );
    let out = p
        .transform(&df!("x" => [-5.0, 9.0, f64::NAN]).unwrap(), "new")
        .unwrap();
    let got = values(&out, "x");
    assert_eq!(got[..2], [-5.0, 8.0]);
    assert!(got[2].is_nan(), "NaN stays missing");
    let err = fit_err(
        "[[steps]]\nkind = \"clip\"\ncolumns = [\"x\"]\nlower = 1.0\nlower_quantile = 0.1\n",
        &t,
    );
    assert!(err.contains("not both"), "{err}");
    let err = fit_err("[[steps]]\nkind = \"clip\"\ncolumns = [\"x\"]\n", &t);
    assert!(err.contains("give a bound"), "{err}");
}

#[test]
fn bin_edges_and_codes_match_kbins_discretizer() {
    // b = np.array([0.0, 1, 1, 2, 3, 5, 8, 13, 21, 34]).reshape(-1, 1)
    let b = [0.0, 1.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 34.0];
    let t = one_column(&b);
    let new = df!("x" => [Some(-5.0), Some(2.0), Some(100.0), None, Some(f64::NAN)]).unwrap();
    // KBinsDiscretizer(n_bins=4, encode="ordinal", strategy="uniform").fit(b)
    //   bin_edges_ [0.0, 8.5, 17.0, 25.5, 34.0]
    //   transform(b) -> [0, 0, 0, 0, 0, 0, 0, 1, 2, 3]; transform([[-5], [2], [100]]) -> [0, 0, 3]
    let p = fit(
        "[[steps]]\nkind = \"bin\"\ncolumns = [\"x\"]\nstrategy = \"uniform\"\nn_bins = 4\n",
        &t,
    );
    let FittedStep::Bin(bin) = &p.steps[0] else {
        panic!()
    };
    assert_eq!(bin.columns[0].edges, [0.0, 8.5, 17.0, 25.5, 34.0]);
    assert_eq!(
        values(&p.transform(&t, "t").unwrap(), "x"),
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.0]
    );
    let out = p.transform(&new, "new").unwrap();
    let got: Vec<Option<f64>> = out.column("x").unwrap().f64().unwrap().iter().collect();
    assert_eq!(got, [Some(0.0), Some(0.0), Some(3.0), None, None]);
    // KBinsDiscretizer(n_bins=4, encode="ordinal", strategy="quantile",
    //                  quantile_method="linear").fit(b)
    //   bin_edges_ [0.0, 1.25, 4.0, 11.75, 34.0]
    //   transform(b) -> [0, 0, 0, 1, 1, 2, 2, 3, 3, 3]; transform([[-5], [2], [100]]) -> [0, 1, 3]
    let p = fit(
        "[[steps]]\nkind = \"bin\"\ncolumns = [\"x\"]\nstrategy = \"quantile\"\nn_bins = 4\n",
        &t,
    );
    let FittedStep::Bin(bin) = &p.steps[0] else {
        panic!()
    };
    assert_close(&bin.columns[0].edges, &[0.0, 1.25, 4.0, 11.75, 34.0], 1e-15);
    assert_eq!(
        values(&p.transform(&t, "t").unwrap(), "x"),
        [0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0]
    );
    let out = p.transform(&new, "new").unwrap();
    let got: Vec<Option<f64>> = out.column("x").unwrap().f64().unwrap().iter().collect();
    assert_eq!(got, [Some(0.0), Some(1.0), Some(3.0), None, None]);

    // One-hot output: one column per bin, all zeros for missing.
    let p = fit(
        "[[steps]]\nkind = \"bin\"\ncolumns = [\"x\"]\nstrategy = \"quantile\"\nn_bins = 4\nencode = \"one_hot\"\n",
        &t,
    );
    assert_eq!(p.features, ["x=bin0", "x=bin1", "x=bin2", "x=bin3"]);
    let x = p.matrix(&new, "new").unwrap();
    assert_eq!(x.row(1).to_vec(), [0.0, 1.0, 0.0, 0.0]);
    assert_eq!(x.row(3).to_vec(), [0.0; 4]);

    // Repeated quantiles merge (sklearn drops bins narrower than 1e-8); constant: one bin.
    let skewed = one_column(&[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0]);
    let p = fit(
        "[[steps]]\nkind = \"bin\"\ncolumns = [\"x\"]\nn_bins = 4\n",
        &skewed,
    );
    let FittedStep::Bin(bin) = &p.steps[0] else {
        panic!()
    };
    // np.percentile(x, [0, 25, 50, 75, 100]) -> [0, 0, 0, 0.25, 2]: edges [0, 0.25, 2]
    assert_eq!(bin.columns[0].edges, [0.0, 0.25, 2.0]);
    // More than 256 bins: Polars stores the categories with 16-bit codes.
    let wide: Vec<f64> = (0..=600).map(f64::from).collect();
    let p = fit(
        "[[steps]]\nkind = \"bin\"\ncolumns = [\"x\"]\nstrategy = \"uniform\"\nn_bins = 300\n",
        &one_column(&wide),
    );
    let out = p
        .transform(&df!("x" => [10.0, 11.0, 599.0, 600.0]).unwrap(), "new")
        .unwrap();
    assert_eq!(
        values(&out, "x"),
        [5.0, 5.0, 299.0, 299.0],
        "edges every 2 units"
    );
    let constant = one_column(&[3.0, 3.0, 3.0]);
    let p = fit("[[steps]]\nkind = \"bin\"\ncolumns = [\"x\"]\n", &constant);
    let out = p
        .transform(&df!("x" => [-1.0, 3.0, 9.0]).unwrap(), "new")
        .unwrap();
    assert_eq!(values(&out, "x"), [0.0, 0.0, 0.0]);
}

fn categories_frame() -> DataFrame {
    df!(
        "g" => ["a", "b", "a", "c", "b", "a", "c", "c", "a", "b", "d"],
        "yb" => [1i64, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1],
        "yc" => [3.0, 1.5, 4.0, 10.0, 2.0, 5.5, 8.0, 9.0, 3.5, 1.0, 7.0],
        "ym" => ["x", "y", "x", "z", "y", "x", "z", "z", "x", "y", "x"]
    )
    .unwrap()
}

fn target_encoded(target: &str, smooth: &str) -> (FittedPipeline, DataFrame) {
    let frame = categories_frame();
    let others: Vec<&str> = ["yb", "yc", "ym"]
        .into_iter()
        .filter(|c| *c != target)
        .collect();
    let frame = frame.drop_many(others);
    let spec = spec(&format!(
        "[[steps]]\nkind = \"target_encode\"\ncolumns = [\"g\"]\nsmooth = {smooth}\ncv = 3\nseed = 1\n"
    ));
    spec.fit_transform(&frame, target).unwrap()
}

fn new_categories() -> DataFrame {
    df!("g" => ["a", "b", "c", "d", "zzz"]).unwrap()
}

#[test]
fn target_encode_binary_matches_scikit_learn() {
    // X = np.array(["a","b","a","c","b","a","c","c","a","b","d"]).reshape(-1, 1)
    // yb = np.array([1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1])
    // new = np.array(["a", "b", "c", "d", "zzz"]).reshape(-1, 1)
    // TargetEncoder(smooth="auto", target_type="binary").fit(X, yb).transform(new)
    //   -> [0.7174770039421814, 0.6387832699619771, 0.0, 1.0, 0.5454545454545454]
    let (p, _) = target_encoded("yb", "\"auto\"");
    let out = p.transform(&new_categories(), "new").unwrap();
    assert_close(
        &values(&out, "g"),
        &[
            0.7174770039421814,
            0.6387832699619771,
            0.0,
            1.0,
            0.5454545454545454,
        ],
        1e-12,
    );
    // TargetEncoder(smooth=2.0, target_type="binary").fit(X, yb).transform(new)
    //   -> [0.6818181818181818, 0.6181818181818182, 0.21818181818181817, 0.6969696969696969,
    //       0.5454545454545454]
    let (p, _) = target_encoded("yb", "2.0");
    let out = p.transform(&new_categories(), "new").unwrap();
    assert_close(
        &values(&out, "g"),
        &[
            0.6818181818181818,
            0.6181818181818182,
            0.21818181818181817,
            0.6969696969696969,
            0.5454545454545454,
        ],
        1e-12,
    );
    assert_eq!(p.features, ["g"]);
    let summary = &p.summaries()[0];
    assert!(
        summary.config.contains("binary, positive '1'"),
        "{summary:?}"
    );
    assert!(summary.learned[0].starts_with("g: a=0.6818"), "{summary:?}");
}

#[test]
fn target_encode_continuous_and_multiclass_match_scikit_learn() {
    // yc = np.array([3.0, 1.5, 4.0, 10.0, 2.0, 5.5, 8.0, 9.0, 3.5, 1.0, 7.0])
    // TargetEncoder(smooth="auto", target_type="continuous").fit(X, yc).transform(new)
    //   -> [4.022711312115509, 1.5212517158981143, 8.902256389776358, 7.0, 4.954545454545454]
    let (p, _) = target_encoded("yc", "\"auto\"");
    let out = p.transform(&new_categories(), "new").unwrap();
    assert_close(
        &values(&out, "g"),
        &[
            4.022711312115509,
            1.5212517158981143,
            8.902256389776358,
            7.0,
            4.954545454545454,
        ],
        1e-12,
    );
    // TargetEncoder(smooth=2.0, target_type="continuous").fit(X, yc).transform(new)
    //   -> [4.3181818181818175, 2.881818181818182, 7.381818181818181, 5.636363636363636,
    //       4.954545454545454]
    let (p, _) = target_encoded("yc", "2");
    let out = p.transform(&new_categories(), "new").unwrap();
    assert_close(
        &values(&out, "g"),
        &[
            4.3181818181818175,
            2.881818181818182,
            7.381818181818181,
            5.636363636363636,
            4.954545454545454,
        ],
        1e-12,
    );
    // ym = np.array(["x","y","x","z","y","x","z","z","x","y","x"])
    // te = TargetEncoder(smooth=2.0, target_type="multiclass").fit(X, ym)
    // te.get_feature_names_out(["g"]) -> ['g_x', 'g_y', 'g_z']; te.transform(new) ->
    let want = [
        [0.8181818181818182, 0.0909090909090909, 0.0909090909090909],
        [0.18181818181818182, 0.7090909090909091, 0.10909090909090909],
        [0.18181818181818182, 0.10909090909090909, 0.7090909090909091],
        [0.6363636363636364, 0.1818181818181818, 0.1818181818181818],
        [0.45454545454545453, 0.2727272727272727, 0.2727272727272727],
    ];
    let (p, train) = target_encoded("ym", "2.0");
    assert_eq!(p.features, ["g_x", "g_y", "g_z"]);
    assert_eq!(train.width(), 3);
    let x = p.matrix(&new_categories(), "new").unwrap();
    for (i, row) in want.iter().enumerate() {
        assert_close(&x.row(i).to_vec(), row, 1e-12);
    }
}

#[test]
fn target_encode_training_rows_never_see_their_own_target() {
    // A continuous target (folds do not depend on its values): changing row r's target must
    // leave row r's out-of-fold encoding unchanged, while the full-data encoding moves.
    let n = 40;
    let mut rng = SeededRng::new(9);
    let g: Vec<String> = (0..n).map(|_| format!("c{}", rng.index(4))).collect();
    let y: Vec<f64> = (0..n).map(|_| rng.index(100) as f64).collect();
    let steps = "[[steps]]\nkind = \"target_encode\"\ncolumns = [\"g\"]\nsmooth = 1.0\ncv = 4\n";
    let base = df!("g" => g.clone(), "target" => y.clone()).unwrap();
    let (p, train) = spec(steps).fit_transform(&base, "target").unwrap();
    let oof = values(&train, "g");
    let full = values(&p.transform(&base, "t").unwrap(), "g");
    assert_ne!(oof, full, "training rows get out-of-fold values");
    for r in [0, 7, 23, 39] {
        let mut y2 = y.clone();
        y2[r] += 1000.0;
        let changed = df!("g" => g.clone(), "target" => y2).unwrap();
        let (p2, train2) = spec(steps).fit_transform(&changed, "target").unwrap();
        assert_eq!(
            values(&train2, "g")[r],
            oof[r],
            "row {r} saw its own target"
        );
        assert_ne!(
            values(&p2.transform(&changed, "t").unwrap(), "g")[r],
            full[r]
        );
    }
    // The stored fitted pipeline encodes with all training rows: row 0's category mean.
    let c0 = &g[0];
    let (sum, count) = g
        .iter()
        .zip(&y)
        .filter(|(c, _)| *c == c0)
        .fold((0.0, 0.0), |(s, k), (_, v)| (s + v, k + 1.0));
    let mean = y.iter().sum::<f64>() / n as f64;
    assert!(close(full[0], (sum + mean) / (count + 1.0), 1e-12));
}

#[test]
fn target_encode_out_of_fold_values_match_scikit_learn_on_the_same_folds() {
    // The folds crisp draws for these 11 rows (cv = 3, seed = 1, stratified by class), then
    // scikit-learn's (1.9.1) cross fitting on the same folds:
    // from sklearn.model_selection import PredefinedSplit
    // folds = [0, 2, 1, 1, 2, 0, 0, 1, 1, 2, 0]
    // TargetEncoder(smooth=2.0, target_type="binary", cv=PredefinedSplit(folds))
    //   .fit_transform(X, yb).ravel()
    // TargetEncoder(smooth="auto", ...) likewise.
    let folds = crate::target_encode::folds_for_tests(&categories_frame(), "yb", 3, 1);
    assert_eq!(folds, [0, 2, 1, 1, 2, 0, 0, 1, 1, 2, 0]);
    let (_, train) = target_encoded("yb", "2.0");
    let m2 = [
        0.7857142857142857,
        0.5,
        0.5357142857142857,
        0.38095238095238093,
        0.5,
        0.7857142857142857,
        0.2857142857142857,
        0.38095238095238093,
        0.5357142857142857,
        0.5,
        0.5714285714285714,
    ];
    assert_close(&values(&train, "g"), &m2, 1e-12);
    let (_, train) = target_encoded("yb", "\"auto\"");
    let auto = [
        1.0,
        0.5,
        0.5241379310344827,
        0.0,
        0.5,
        1.0,
        0.0,
        0.0,
        0.5241379310344827,
        0.5,
        0.5714285714285714,
    ];
    assert_close(&values(&train, "g"), &auto, 1e-12);
}

#[test]
fn target_encode_needs_a_target() {
    let frame = categories_frame().drop_many(["yb", "yc", "ym"]);
    let err = spec("[[steps]]\nkind = \"target_encode\"\ncolumns = [\"g\"]\n")
        .fit(&frame, "target")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("target_encode learns from the target"),
        "{err}"
    );
}

#[test]
fn frequency_encode_shares_and_counts() {
    let t = df!(
        "c" => [Some("a"), Some("b"), Some("a"), None, Some("a")],
        "target" => [0, 1, 0, 1, 0]
    )
    .unwrap();
    let p = fit(
        "[[steps]]\nkind = \"frequency_encode\"\ncolumns = [\"c\"]\n",
        &t,
    );
    let new = df!("c" => [Some("a"), Some("b"), Some("new"), None]).unwrap();
    // a: 3 of 5 rows, b: 1 of 5, null: 1 of 5, unknown: 0.
    assert_eq!(
        values(&p.transform(&new, "new").unwrap(), "c"),
        [0.6, 0.2, 0.0, 0.2]
    );
    let p = fit(
        "[[steps]]\nkind = \"frequency_encode\"\ncolumns = [\"c\"]\nnormalize = false\n",
        &t,
    );
    assert_eq!(
        values(&p.transform(&new, "new").unwrap(), "c"),
        [3.0, 1.0, 0.0, 1.0]
    );
}

#[test]
fn date_parts_from_text_date_and_datetime() {
    // 2012-01-01 was a Sunday (ISO weekday 7), day 1 of the year; 2016-12-31 a Saturday, the
    // 366th day of a leap year.
    let t = df!(
        "d" => [Some("2012/01/01"), Some("2016/12/31"), None],
        "target" => [0, 1, 0]
    )
    .unwrap();
    let p = fit(
        "[[steps]]\nkind = \"date_parts\"\ncolumns = [\"d\"]\nformat = \"%Y/%m/%d\"\n",
        &t,
    );
    assert_eq!(
        p.features,
        [
            "d_year",
            "d_month",
            "d_day",
            "d_day_of_week",
            "d_day_of_year"
        ]
    );
    let x = p.matrix(&t, "t").unwrap();
    assert_eq!(x.row(0).to_vec(), [2012.0, 1.0, 1.0, 7.0, 1.0]);
    assert_eq!(x.row(1).to_vec(), [2016.0, 12.0, 31.0, 6.0, 366.0]);
    assert!(
        x.row(2).iter().all(|v| v.is_nan()),
        "null date: missing parts"
    );
    let err = p
        .transform(
            &df!("d" => ["2013/02/03", "03.02.2013"]).unwrap(),
            "new.csv",
        )
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "new.csv: column 'd' has '03.02.2013' on data row 2, which does not match the date format '%Y/%m/%d' of training"
    );
    let err = fit_err("[[steps]]\nkind = \"date_parts\"\ncolumns = [\"d\"]\n", &t);
    assert!(err.contains("give its `format`"), "{err}");

    let t = df!("ts" => ["2020-02-29 13:45", "2021-03-01 00:05"], "target" => [0, 1]).unwrap();
    let p = fit(
        "[[steps]]\nkind = \"date_parts\"\ncolumns = [\"ts\"]\nformat = \"%Y-%m-%d %H:%M\"\nparts = [\"hour\", \"day_of_week\"]\n",
        &t,
    );
    assert_eq!(p.features, ["ts_hour", "ts_day_of_week"]);
    let x = p.matrix(&t, "t").unwrap();
    // 2020-02-29 was a Saturday, 2021-03-01 a Monday.
    assert_eq!(x.row(0).to_vec(), [13.0, 6.0]);
    assert_eq!(x.row(1).to_vec(), [0.0, 1.0]);
}

#[test]
fn polynomial_terms_match_polynomial_features() {
    // P = np.array([[1.0, 2, 3], [4, 5, 6]])
    // PolynomialFeatures(degree=3, include_bias=False).fit(P)
    //   .get_feature_names_out(["a", "b", "c"]) -> a b c a^2 'a b' 'a c' b^2 'b c' c^2 a^3
    //   'a^2 b' 'a^2 c' 'a b^2' 'a b c' 'a c^2' b^3 'b^2 c' 'b c^2' c^3
    //   transform(P)[1] -> [4, 5, 6, 16, 20, 24, 25, 30, 36, 64, 80, 96, 100, 120, 144, 125,
    //   150, 180, 216]
    let t =
        df!("a" => [1.0, 4.0], "b" => [2.0, 5.0], "c" => [3i64, 6], "target" => [0, 1]).unwrap();
    let p = fit(
        "[[steps]]\nkind = \"polynomial\"\ncolumns = [\"a\", \"b\", \"c\"]\ndegree = 3\n",
        &t,
    );
    assert_eq!(
        p.features,
        [
            "a", "b", "c", "a^2", "a*b", "a*c", "b^2", "b*c", "c^2", "a^3", "a^2*b", "a^2*c",
            "a*b^2", "a*b*c", "a*c^2", "b^3", "b^2*c", "b*c^2", "c^3"
        ]
    );
    let x = p.matrix(&t, "t").unwrap();
    assert_eq!(
        x.row(1).to_vec(),
        [
            4.0, 5.0, 6.0, 16.0, 20.0, 24.0, 25.0, 30.0, 36.0, 64.0, 80.0, 96.0, 100.0, 120.0,
            144.0, 125.0, 150.0, 180.0, 216.0
        ]
    );
    // PolynomialFeatures(degree=3, interaction_only=True, include_bias=False)
    //   -> a b c 'a b' 'a c' 'b c' 'a b c'; transform(P)[1] -> [4, 5, 6, 20, 24, 30, 120]
    let p = fit(
        "[[steps]]\nkind = \"polynomial\"\ncolumns = [\"a\", \"b\", \"c\"]\ndegree = 3\ninteraction_only = true\n",
        &t,
    );
    assert_eq!(p.features, ["a", "b", "c", "a*b", "a*c", "b*c", "a*b*c"]);
    assert_eq!(
        p.matrix(&t, "t").unwrap().row(1).to_vec(),
        [4.0, 5.0, 6.0, 20.0, 24.0, 30.0, 120.0]
    );
}

#[test]
fn drop_constant_by_variance_and_dominant_share() {
    // VarianceThreshold(threshold=0.001).fit(V) with columns v, k, w below:
    //   variances_ [1.25, 0.0, 7.499999999999993e-05] -> support [True, False, False]
    let t = df!(
        "v" => [1.0, 2.0, 3.0, 4.0],
        "k" => [5.0, 5.0, 5.0, 5.0],
        "w" => [0.1, 0.1, 0.12, 0.1],
        "s" => ["x", "x", "x", "y"],
        "one" => ["z", "z", "z", "z"],
        "target" => [0, 1, 0, 1]
    )
    .unwrap();
    let p = fit(
        "[[steps]]\nkind = \"drop_constant\"\ndtype = \"numeric\"\nthreshold = 0.001\n\n[[steps]]\nkind = \"drop\"\ncolumns = [\"s\", \"one\"]\n",
        &t,
    );
    assert_eq!(p.features, ["v"]);
    assert_eq!(p.ignored, ["k", "w", "s", "one"]);
    assert_eq!(
        p.input.names(),
        ["v"],
        "dropped columns are not required at prediction"
    );
    let p = fit(
        "[[steps]]\nkind = \"drop_constant\"\nregex = \".*\"\nmax_share = 0.75\n\n[[steps]]\nkind = \"one_hot\"\ndtype = \"categorical\"\n",
        &t,
    );
    // k: single value; s: 'x' on 75% of rows; one: single value; w: 0.1 on 75% of rows.
    assert_eq!(p.features, ["v"]);
    let summary = &p.summaries()[0];
    assert!(
        summary
            .learned
            .contains(&"one: dropped (single value 'z')".to_string()),
        "{summary:?}"
    );
}

/// NaN, ±inf, nulls and unseen categories at prediction: no panic, each step as documented.
#[test]
fn unusual_values_at_prediction_do_not_panic() {
    let t = df!(
        "a" => [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "b" => [0.5, 1.5, 2.5, 3.5, 4.5, 5.5],
        "c" => ["p", "q", "p", "q", "p", "r"],
        "target" => [0, 1, 0, 1, 0, 1]
    )
    .unwrap();
    let steps = r#"
[[steps]]
kind = "clip"
columns = ["a"]
lower_quantile = 0.1
upper_quantile = 0.9
[[steps]]
kind = "power"
columns = ["b"]
[[steps]]
kind = "polynomial"
columns = ["a", "b"]
[[steps]]
kind = "robust_scale"
columns = ["a"]
[[steps]]
kind = "bin"
columns = ["b"]
n_bins = 3
[[steps]]
kind = "target_encode"
columns = ["c"]
cv = 2
"#;
    let p = fit(steps, &t);
    let new = df!(
        "a" => [Some(f64::NAN), Some(f64::INFINITY), None, Some(2.0)],
        "b" => [Some(f64::NEG_INFINITY), Some(f64::NAN), Some(1.0), None],
        "c" => [Some("zzz"), None, Some("p"), Some("q")]
    )
    .unwrap();
    let out = p.transform(&new, "new").unwrap();
    assert_eq!(out.height(), 4);
    let b = out.column("b").unwrap().f64().unwrap();
    assert_eq!(b.get(0), Some(0.0), "-inf falls in the first bin");
    assert_eq!(b.get(1), None, "NaN is missing");
    let c = values(&out, "c");
    let FittedStep::TargetEncode(te) = &p.steps[5] else {
        panic!()
    };
    assert_eq!(c[0], te.priors[0], "unseen category: the prior");
    assert_eq!(c[1], te.priors[0], "null never seen in training: the prior");
}

fn random_frame(seed: u64, rows: usize) -> DataFrame {
    let mut rng = SeededRng::new(seed);
    let mut num = |missing: usize| -> Vec<Option<f64>> {
        (0..rows)
            .map(|_| {
                if rng.index(100) < missing {
                    None
                } else {
                    Some(rng.index(10_000) as f64 / 100.0 + 0.01)
                }
            })
            .collect()
    };
    let x1 = num(10);
    let x2 = num(0);
    let x3 = num(5);
    let mut rng = SeededRng::new(seed ^ 0xABCD);
    let cats = ["red", "green", "blue", "teal", "plum"];
    let c1: Vec<Option<&str>> = (0..rows)
        .map(|_| {
            let i = rng.index(6);
            (i < 5).then(|| cats[i])
        })
        .collect();
    let c2: Vec<&str> = (0..rows).map(|_| cats[rng.index(3)]).collect();
    let day: Vec<String> = (0..rows)
        .map(|_| {
            format!(
                "20{:02}/{:02}/{:02}",
                10 + rng.index(10),
                1 + rng.index(12),
                1 + rng.index(28)
            )
        })
        .collect();
    let target: Vec<&str> = (0..rows).map(|_| ["no", "yes"][rng.index(2)]).collect();
    df!(
        "x1" => x1, "x2" => x2, "x3" => x3, "c1" => c1, "c2" => c2, "day" => day,
        "constant" => vec![1i64; rows], "target" => target
    )
    .unwrap()
}

const EVERY_STEP: &str = r#"
[[steps]]
kind = "drop_constant"
regex = ".*"
[[steps]]
kind = "date_parts"
columns = ["day"]
format = "%Y/%m/%d"
[[steps]]
kind = "impute"
columns = ["x1", "x3"]
strategy = "median"
add_indicator = true
[[steps]]
kind = "clip"
columns = ["x1"]
lower_quantile = 0.05
upper_quantile = 0.95
[[steps]]
kind = "log1p"
columns = ["x2"]
[[steps]]
kind = "power"
columns = ["x3"]
method = "box_cox"
[[steps]]
kind = "polynomial"
columns = ["x1", "x2"]
[[steps]]
kind = "robust_scale"
columns = ["x1"]
[[steps]]
kind = "max_abs_scale"
columns = ["x1*x2"]
[[steps]]
kind = "bin"
columns = ["x2"]
n_bins = 4
encode = "one_hot"
[[steps]]
kind = "target_encode"
columns = ["c1"]
[[steps]]
kind = "frequency_encode"
columns = ["c2"]
"#;

fn same(a: &DataFrame, b: &DataFrame) -> bool {
    if a.get_column_names() != b.get_column_names() || a.height() != b.height() {
        return false;
    }
    a.get_column_names().iter().all(|name| {
        let x = a.column(name).unwrap().f64().unwrap();
        let y = b.column(name).unwrap().f64().unwrap();
        x.iter()
            .zip(y.iter())
            .all(|(p, q)| p.map(f64::to_bits) == q.map(f64::to_bits))
    })
}

/// Property: for random frames, applying the fitted pipeline to the training frame gives
/// identical columns right after fitting and after a bincode round trip of the pipeline.
#[test]
fn fitted_pipelines_survive_a_bincode_round_trip() {
    for seed in 0..8 {
        let frame = random_frame(seed, 200 + 37 * seed as usize);
        let (p, train) = spec(EVERY_STEP).fit_transform(&frame, "target").unwrap();
        let bytes = bincode::serde::encode_to_vec(&p, bincode::config::standard()).unwrap();
        let (back, used): (FittedPipeline, usize) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(used, bytes.len());
        assert_eq!(back, p, "seed {seed}");
        let before = p.transform(&frame, "train").unwrap();
        let after = back.transform(&frame, "train").unwrap();
        assert!(same(&before, &after), "seed {seed}");
        assert_eq!(before.get_column_names(), train.get_column_names());
        // Only the target-encoded column differs between fit_transform and transform.
        for name in train.get_column_names() {
            let equal = same(
                &train.select([name.clone()]).unwrap(),
                &before.select([name.clone()]).unwrap(),
            );
            assert_eq!(equal, name.as_str() != "c1", "seed {seed}, column {name}");
        }
        assert!(p.ignored.contains(&"constant".to_string()));
        for s in p.summaries() {
            assert!(!s.learned.is_empty(), "{s:?}");
        }
    }
}
