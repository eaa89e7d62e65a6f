//! Unit tests of every step against values computed by hand (or, where noted, by
//! scikit-learn 1.5 on the same input), and of the pipeline's fit/apply contract.

use polars::prelude::*;

use crate::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn values(frame: &DataFrame, name: &str) -> Vec<f64> {
    crisp_core::to_vector(frame, name).unwrap().to_vec()
}

fn fit(steps: Vec<StepSpec>, frame: &DataFrame) -> FittedPipeline {
    PipelineSpec::new(steps).fit(frame, "target").unwrap()
}

fn train() -> DataFrame {
    df!(
        "num" => [Some(1.0), Some(2.0), None, Some(4.0), Some(8.0)],
        "int" => [Some(3i64), Some(3), Some(5), None, Some(9)],
        "city" => [Some("b"), Some("a"), Some("b"), None, Some("c")],
        "target" => [0i64, 1, 0, 1, 0]
    )
    .unwrap()
}

#[test]
fn impute_strategies() {
    let t = train();
    let drop_city = || {
        StepSpec::Drop(Drop {
            select: ColumnSelector::names(["city"]),
        })
    };
    let mean = fit(
        vec![
            StepSpec::Impute(Impute::new(
                ColumnSelector::names(["num", "int"]),
                ImputeStrategy::Mean,
            )),
            drop_city(),
        ],
        &t,
    );
    let out = mean.transform(&t, "t").unwrap();
    // mean(1, 2, 4, 8) = 3.75; mean(3, 3, 5, 9) = 5
    assert_eq!(values(&out, "num"), [1.0, 2.0, 3.75, 4.0, 8.0]);
    assert_eq!(values(&out, "int"), [3.0, 3.0, 5.0, 5.0, 9.0]);

    let median = fit(
        vec![
            StepSpec::Impute(Impute::new(
                ColumnSelector::names(["num", "int"]),
                ImputeStrategy::Median,
            )),
            drop_city(),
        ],
        &t,
    );
    let out = median.transform(&t, "t").unwrap();
    assert_eq!(values(&out, "num")[2], 3.0); // median(1, 2, 4, 8)
    assert_eq!(values(&out, "int")[3], 4.0); // median(3, 3, 5, 9)

    let mut frequent = Impute::new(
        ColumnSelector::names(["int", "city"]),
        ImputeStrategy::MostFrequent,
    );
    frequent.add_indicator = true;
    let p = fit(
        vec![
            StepSpec::Impute(frequent),
            StepSpec::OneHot(OneHot::new(ColumnSelector::names(["city"]))),
        ],
        &t,
    );
    let out = p.transform(&t, "t").unwrap();
    assert_eq!(values(&out, "int")[3], 3.0);
    assert_eq!(
        values(&out, "city=b"),
        [1.0, 0.0, 1.0, 1.0, 0.0],
        "the missing city became 'b'"
    );
    assert_eq!(values(&out, "int_missing"), [0.0, 0.0, 0.0, 1.0, 0.0]);
    assert_eq!(values(&out, "city_missing"), [0.0, 0.0, 0.0, 1.0, 0.0]);
}

#[test]
fn impute_constant_checks_the_type() {
    let t = train().drop("city").unwrap();
    let spec: PipelineSpec = toml::from_str(
        "[[steps]]\nkind = \"impute\"\ncolumns = [\"num\"]\nstrategy = \"constant\"\nfill_value = -1\n",
    )
    .unwrap();
    let out = spec.fit(&t, "target").unwrap().transform(&t, "t").unwrap();
    assert_eq!(values(&out, "num")[2], -1.0);
    let bad: PipelineSpec = toml::from_str(
        "[[steps]]\nkind = \"impute\"\ncolumns = [\"num\"]\nstrategy = \"constant\"\nfill_value = \"x\"\n",
    )
    .unwrap();
    let err = bad.fit(&t, "target").unwrap_err().to_string();
    assert!(err.contains("does not suit column 'num'"), "{err}");
}

#[test]
fn standard_and_min_max_scaling() {
    let t = df!("a" => [1.0, 2.0, 3.0, 4.0], "k" => [5.0, 5.0, 5.0, 5.0], "target" => [0, 1, 0, 1])
        .unwrap();
    let p = fit(
        vec![StepSpec::StandardScale(StandardScale {
            select: ColumnSelector::names(["a", "k"]),
        })],
        &t,
    );
    let out = p.transform(&t, "t").unwrap();
    // scikit-learn StandardScaler().fit_transform([[1],[2],[3],[4]]): population std sqrt(1.25)
    let expected = [
        -1.3416407864998738,
        -0.4472135954999579,
        0.4472135954999579,
        1.3416407864998738,
    ];
    for (got, want) in values(&out, "a").iter().zip(expected) {
        assert!(close(*got, want), "{got} vs {want}");
    }
    assert_eq!(
        values(&out, "k"),
        [0.0; 4],
        "a constant column is centred, not divided by zero"
    );

    let p = fit(
        vec![StepSpec::MinMaxScale(MinMaxScale {
            select: ColumnSelector::names(["a"]),
        })],
        &t,
    );
    let new = df!("a" => [2.5, 7.0], "k" => [1.0, 2.0]).unwrap();
    let out = p.transform(&new, "new").unwrap();
    assert_eq!(
        values(&out, "a"),
        [0.5, 2.0],
        "training min 1 and range 3; no clipping"
    );
}

#[test]
fn one_hot_unknown_and_infrequent_categories() {
    let t = df!(
        "c" => ["x", "y", "x", "z", "x", "y", "w"],
        "target" => [0, 1, 0, 1, 0, 1, 0]
    )
    .unwrap();
    let p = fit(
        vec![StepSpec::OneHot(OneHot::new(ColumnSelector::names(["c"])))],
        &t,
    );
    assert_eq!(p.features, ["c=w", "c=x", "c=y", "c=z"]);
    let new = df!("c" => [Some("y"), Some("new"), None]).unwrap();
    let x = p.matrix(&new, "new").unwrap();
    assert_eq!(x.row(0).to_vec(), [0.0, 0.0, 1.0, 0.0]);
    assert_eq!(x.row(1).to_vec(), [0.0; 4], "unknown category: all zeros");
    assert_eq!(x.row(2).to_vec(), [0.0; 4], "null: all zeros");

    let mut strict = OneHot::new(ColumnSelector::names(["c"]));
    strict.handle_unknown = HandleUnknown::Error;
    let p = fit(vec![StepSpec::OneHot(strict)], &t);
    let err = p.matrix(&new, "new.csv").unwrap_err().to_string();
    assert_eq!(
        err,
        "new.csv: column 'c' has category 'new' on data row 2 that was not seen in training (one_hot is set to handle_unknown = \"error\")"
    );

    let mut rare = OneHot::new(ColumnSelector::names(["c"]));
    rare.min_frequency = Some(2);
    rare.handle_unknown = HandleUnknown::Infrequent;
    let p = fit(vec![StepSpec::OneHot(rare)], &t);
    assert_eq!(p.features, ["c=x", "c=y", "c=infrequent"]);
    let x = p
        .matrix(&df!("c" => ["z", "new", "x"]).unwrap(), "new")
        .unwrap();
    assert_eq!(x.row(0).to_vec(), [0.0, 0.0, 1.0]);
    assert_eq!(x.row(1).to_vec(), [0.0, 0.0, 1.0]);
    assert_eq!(x.row(2).to_vec(), [1.0, 0.0, 0.0]);

    let mut capped = OneHot::new(ColumnSelector::names(["c"]));
    capped.max_categories = Some(2);
    let p = fit(vec![StepSpec::OneHot(capped)], &t);
    assert_eq!(
        p.features,
        ["c=x", "c=infrequent"],
        "the most frequent category plus the bucket"
    );
}

#[test]
fn ordinal_codes_in_declared_or_sorted_order() {
    let t = df!("cut" => ["Good", "Ideal", "Fair", "Good"], "g" => ["q", "p", "q", "r"], "target" => [1, 2, 3, 4]).unwrap();
    let spec: PipelineSpec = toml::from_str(
        "[[steps]]\nkind = \"ordinal\"\ncolumns = [\"cut\", \"g\"]\norder = { cut = [\"Fair\", \"Good\", \"Very Good\", \"Ideal\"] }\n",
    )
    .unwrap();
    let p = spec.fit(&t, "target").unwrap();
    assert_eq!(p.categorical, [0, 1]);
    let out = p.transform(&t, "t").unwrap();
    assert_eq!(values(&out, "cut"), [1.0, 3.0, 0.0, 1.0]);
    assert_eq!(values(&out, "g"), [1.0, 0.0, 1.0, 2.0]);
    let new = p
        .matrix(
            &df!("cut" => [Some("Very Good"), None], "g" => [Some("zz"), Some("r")]).unwrap(),
            "new",
        )
        .unwrap();
    assert_eq!(
        new[[0, 0]],
        2.0,
        "declared but unseen in training still has its code"
    );
    assert!(new[[0, 1]].is_nan(), "unknown category is missing");
    assert!(new[[1, 0]].is_nan());
}

#[test]
fn fitted_on_training_rows_only() {
    let t = train();
    let test = df!("num" => [100.0, 200.0], "int" => [1i64, 1], "city" => ["a", "a"]).unwrap();
    let p = fit(
        vec![
            StepSpec::StandardScale(StandardScale {
                select: ColumnSelector::kind(KindClass::Numeric),
            }),
            StepSpec::Drop(Drop {
                select: ColumnSelector::names(["city"]),
            }),
        ],
        &t,
    );
    let FittedStep::Scale(scale) = &p.steps[0] else {
        panic!()
    };
    assert!(
        close(scale.columns[0].1, 3.75),
        "mean of the training rows only"
    );
    // Applying to the training frame again gives exactly the fit-time output.
    let once = p.transform(&t, "t").unwrap();
    let again = p.transform(&t, "t").unwrap();
    assert!(once.equals_missing(&again));
    let x = p.matrix(&test, "test").unwrap();
    assert!(
        x[[0, 0]] > 30.0,
        "test values are scaled with training statistics, not their own"
    );
    assert_eq!(p.ignored, ["city"]);
    assert_eq!(
        p.input.names(),
        ["num", "int"],
        "dropped inputs are not required at prediction"
    );
}

#[test]
fn unencoded_text_is_refused_by_name() {
    let t = train();
    let err = PipelineSpec::default()
        .fit(&t, "target")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("column 'city' (text) reaches the model unencoded"),
        "{err}"
    );
}

#[test]
fn default_pipeline_drops_identifiers() {
    let n = 120;
    let ids: Vec<String> = (0..n).map(|i| format!("id{i}")).collect();
    let colors: Vec<&str> = (0..n).map(|i| ["red", "blue"][i % 2]).collect();
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let target: Vec<i64> = (0..n as i64).map(|i| i % 2).collect();
    let t = df!("id" => ids, "color" => colors, "x" => x, "target" => target).unwrap();
    let one_hot = default_pipeline(&t, "target", Encoding::OneHot)
        .unwrap()
        .fit(&t, "target")
        .unwrap();
    assert_eq!(one_hot.ignored, ["id"]);
    assert_eq!(one_hot.features, ["x", "color=blue", "color=red"]);
    let native = default_pipeline(&t, "target", Encoding::Native)
        .unwrap()
        .fit(&t, "target")
        .unwrap();
    assert_eq!(native.features, ["color", "x"]);
    assert_eq!(native.categorical, [0]);
}

#[test]
fn step_kinds_name_every_step_the_toml_accepts() {
    for kind in STEP_KINDS {
        let text = format!("[[steps]]\nkind = \"{kind}\"\ncolumns = [\"a\"]\n");
        let spec: Result<PipelineSpec, _> = toml::from_str(&text);
        assert!(spec.is_ok(), "{kind}: {:?}", spec.err());
    }
    let unknown: Result<PipelineSpec, _> = toml::from_str("[[steps]]\nkind = \"nope\"\n");
    let message = unknown.unwrap_err().to_string();
    // serde lists the variants it knows: exactly STEP_KINDS.
    let listed = STEP_KINDS
        .iter()
        .filter(|k| message.contains(&format!("`{k}`")))
        .count();
    assert_eq!(listed, STEP_KINDS.len(), "{message}");
}

#[test]
fn one_hot_refuses_a_column_of_more_levels_than_it_can_hold() {
    let ids: Vec<String> = (0..crate::onehot::MAX_LEVELS + 1)
        .map(|i| format!("id{i}"))
        .collect();
    let target: Vec<i64> = (0..ids.len() as i64).map(|i| i % 2).collect();
    let frame = df!("id" => ids, "target" => target).unwrap();
    let spec: PipelineSpec =
        toml::from_str("[[steps]]\nkind = \"one_hot\"\ncolumns = [\"id\"]\n").unwrap();
    let err = spec.fit(&frame, "target").unwrap_err();
    assert!(
        err.to_string()
            .contains("column 'id' has 10001 categories, more than the 10000 columns"),
        "{err}"
    );
    assert_eq!(err.column_name().as_deref(), Some("id"));
    // With max_categories the rare ones share one column, as before.
    let capped: PipelineSpec =
        toml::from_str("[[steps]]\nkind = \"one_hot\"\ncolumns = [\"id\"]\nmax_categories = 10\n")
            .unwrap();
    assert!(capped.fit(&frame, "target").is_ok());
}
