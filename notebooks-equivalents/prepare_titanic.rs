//! CRISP-DM phase 3, data preparation, on the Titanic passengers (`datasets/titanic.csv`):
//!
//! 1. Derived columns written as SQL rules (crisp-label `Rule`): `family_size` and `title`
//!    (taken from the name).
//! 2. Weak supervision: six labeling functions that each guess survival from one rule of
//!    thumb ("women and children first", "third-class men"), combined by majority vote and by
//!    the Dawid-Skene label model, and scored against the real `Survived` column as gold labels
//!    (coverage, overlap, conflict, accuracy).
//! 3. A feature pipeline (impute, one-hot, scale) fitted on the training split only, then
//!    applied to the test split, with the numbers that show nothing leaked from test rows.
//!
//! Run: `cargo run --example prepare_titanic [OUT_DIR]`
//! (writes `gold.csv` and `prepared_profile.html` into OUT_DIR, by default
//! `crisp-notebooks/prepare_titanic/` under the system's temporary directory).

#[path = "notebook.rs"]
mod notebook;

use std::path::Path;

use crisp_core::read_csv;
use crisp_features::{FittedPipeline, PipelineSpec};
use crisp_label::{Combine, GoldSpec, LabelSpec, LabelingFunction, Rule};
use crisp_train::{holdout_split, SplitBy, TargetValues};
use polars::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = notebook::output_dir("prepare_titanic")?;
    let raw = read_csv(&notebook::datasets().join("titanic.csv"))?.frame;
    // `boat` and `body` are recorded after the sinking: they give the answer away
    // (datasets/README.md). Ticket and home.dest are free text with no use here.
    let passengers = raw.drop_many(["boat", "body", "Ticket", "home.dest"]);
    println!(
        "## titanic.csv: {} passengers, {} columns kept",
        passengers.height(),
        passengers.width()
    );

    println!("\n## 1. Derived columns from SQL rules");
    let passengers = derive_columns(&passengers)?;
    let shown = passengers.select(["Name", "SibSp", "Parch", "family_size", "title"])?;
    println!("{}", shown.head(Some(5)));

    println!("\n## 2. Labeling functions for survival, checked against the real outcome");
    let gold = write_gold(&passengers, &out)?;
    let mut outcomes = Vec::new();
    for (combine, how) in [
        (Combine::Majority, "majority vote (ties abstain)"),
        (Combine::LabelModel, "the Dawid-Skene label model"),
    ] {
        outcomes.push((how, label_survival(&passengers, combine, how, &gold)?));
    }
    // Coverage against accuracy: abstaining on ties keeps only the rows the rules agree on.
    for (how, (labeled, accuracy)) in &outcomes {
        println!(
            "-> {how}: {labeled} of {} passengers labeled, {:.1}% correctly",
            passengers.height(),
            100.0 * accuracy
        );
    }

    println!("\n## 3. Feature pipeline fitted on the training split only");
    let (train, test) = split(&passengers)?;
    println!(
        "split (stratified on Survived, seed 7): {} training rows, {} test rows",
        train.height(),
        test.height()
    );
    let fitted = pipeline()?.fit(&train, "Survived")?;
    for step in fitted.summaries() {
        println!("- {} {}", step.name, step.config);
        for learned in &step.learned {
            println!("    {learned}");
        }
    }
    println!(
        "{} input columns -> {} features: {}",
        fitted.input.columns.len(),
        fitted.features.len(),
        fitted.features.join(", ")
    );
    let train_features = fitted.transform(&train, "training split")?;
    let test_features = fitted.transform(&test, "test split")?;
    println!("\ntransformed training rows (head):");
    println!("{}", train_features.head(Some(5)));

    println!("\n## No leakage: every statistic comes from the training rows");
    no_leakage(&fitted, &train, &test, &test_features)?;

    println!();
    let mut prepared = train_features.clone();
    prepared.with_column(train.column("Survived")?.clone())?;
    let profile = crisp_profile::profile(
        &prepared,
        &crisp_profile::ProfileOptions::new().target("Survived"),
    )?;
    let html = crisp_report::profile_page(&profile, "titanic.csv, prepared training split")?;
    notebook::write(&out, "prepared_profile.html", &html)?;
    Ok(())
}

/// `family_size` (the passenger, siblings/spouses and parents/children aboard) and `title`
/// (Mr, Mrs, Miss, Master or rare), each a SQL expression evaluated by Polars.
fn derive_columns(frame: &DataFrame) -> Result<DataFrame, Box<dyn std::error::Error>> {
    let family = Rule::new("SibSp + Parch + 1", "family_size");
    let title = Rule::new(
        "CASE WHEN Name LIKE '%, Mr. %' THEN 'Mr' \
              WHEN Name LIKE '%, Mrs. %' OR Name LIKE '%, Mme. %' THEN 'Mrs' \
              WHEN Name LIKE '%, Miss. %' OR Name LIKE '%, Mlle. %' OR Name LIKE '%, Ms. %' THEN 'Miss' \
              WHEN Name LIKE '%, Master. %' THEN 'Master' \
              ELSE 'rare' END",
        "title",
    );
    let (frame, _) = family.apply(frame)?;
    let (frame, report) = title.apply(&frame)?;
    println!("title, by the rule:\n{}", report.table().trim_end());
    Ok(frame)
}

/// Gold labels for the labeling functions: the real outcome as `survived` / `died`, keyed by
/// PassengerId, in `gold.csv` (gold labels are a file, as `crisp label --gold` reads them).
fn write_gold(frame: &DataFrame, out: &Path) -> Result<GoldSpec, Box<dyn std::error::Error>> {
    let ids = frame.column("PassengerId")?.i64()?;
    let survived = frame.column("Survived")?.i64()?;
    let mut csv = String::from("PassengerId,survival\n");
    for (id, s) in ids.iter().zip(survived.iter()) {
        if let (Some(id), Some(s)) = (id, s) {
            let label = if s == 1 { "survived" } else { "died" };
            csv.push_str(&format!("{id},{label}\n"));
        }
    }
    let path = notebook::write(out, "gold.csv", &csv)?;
    Ok(GoldSpec {
        file: path,
        column: Some("survival".into()),
        key: vec!["PassengerId".into()],
    })
}

/// Six rules of thumb, each voting `survived`, `died` or abstaining (NULL), combined by
/// `combine`; the report compares every function and the combined label with the gold labels.
/// Returns the rows labeled and their accuracy against the gold labels.
fn label_survival(
    frame: &DataFrame,
    combine: Combine,
    how: &str,
    gold: &GoldSpec,
) -> Result<(usize, f64), Box<dyn std::error::Error>> {
    let mut spec = LabelSpec::new("survival");
    spec.lf = vec![
        LabelingFunction::new("women", "CASE WHEN Sex = 'female' THEN 'survived' END"),
        LabelingFunction::new("children", "CASE WHEN Age < 12 THEN 'survived' END"),
        LabelingFunction::new("first_class", "CASE WHEN Pclass = 1 THEN 'survived' END"),
        LabelingFunction::new(
            "adult_men",
            "CASE WHEN Sex = 'male' AND Age >= 16 THEN 'died' END",
        ),
        LabelingFunction::new("third_class", "CASE WHEN Pclass = 3 THEN 'died' END"),
        LabelingFunction::new("big_family", "CASE WHEN family_size >= 5 THEN 'died' END"),
    ];
    spec.combine = combine;
    spec.gold = Some(gold.clone());
    spec.seed = 7;
    let (_, report) = spec.apply(frame)?;
    println!("\n### combined by {how}");
    println!("{}", report.table().trim_end());
    let accuracy = report.gold.as_ref().and_then(|g| g.accuracy);
    Ok((report.labeled, accuracy.unwrap_or(f64::NAN)))
}

/// The training and test rows: a seeded split stratified on Survived, so both keep its
/// balance.
fn split(frame: &DataFrame) -> Result<(DataFrame, DataFrame), Box<dyn std::error::Error>> {
    let classes: Vec<usize> = frame
        .column("Survived")?
        .i64()?
        .iter()
        .map(|s| usize::from(s == Some(1)))
        .collect();
    let split = holdout_split(
        frame,
        &TargetValues::Classes(classes),
        &SplitBy::Rows,
        0.25,
        7,
        "titanic.csv",
    )?;
    let take = |rows: &[usize]| -> PolarsResult<DataFrame> {
        let idx: Vec<IdxSize> = rows.iter().map(|&r| r as IdxSize).collect();
        frame.take(&IdxCa::from_vec("rows".into(), idx))
    };
    Ok((take(&split.train)?, take(&split.test)?))
}

/// The preparation, as a `[features]` section of a crisp pipeline file would declare it.
fn pipeline() -> Result<PipelineSpec, Box<dyn std::error::Error>> {
    Ok(toml::from_str(
        r#"
        # Identifiers and near-empty columns carry no signal a model should learn.
        [[steps]]
        kind = "drop"
        columns = ["PassengerId", "Name", "Cabin"]

        # Age is missing for a fifth of the passengers: fill it with the training median and
        # keep an indicator, since "age unknown" itself says something.
        [[steps]]
        kind = "impute"
        columns = ["Age"]
        strategy = "median"
        add_indicator = true

        [[steps]]
        kind = "impute"
        columns = ["Embarked", "Fare"]
        strategy = "most_frequent"

        [[steps]]
        kind = "one_hot"
        columns = ["Sex", "Embarked", "title"]

        [[steps]]
        kind = "standard_scale"
        columns = ["Age", "Fare", "family_size"]
        "#,
    )?)
}

/// Shows that the pipeline's statistics are the training rows', not the test rows' nor all
/// rows': the median that fills Age and the mean and std of the scaled Fare.
fn no_leakage(
    fitted: &FittedPipeline,
    train: &DataFrame,
    test: &DataFrame,
    test_features: &DataFrame,
) -> Result<(), Box<dyn std::error::Error>> {
    let age = |frame: &DataFrame| -> PolarsResult<Option<f64>> {
        Ok(frame.column("Age")?.as_materialized_series().median())
    };
    let all = train.vstack(test)?;
    println!(
        "median Age: training rows {:.1}, test rows {:.1}, all rows {:.1}",
        age(train)?.unwrap_or(f64::NAN),
        age(test)?.unwrap_or(f64::NAN),
        age(&all)?.unwrap_or(f64::NAN)
    );
    // A test passenger whose age is missing gets the training median, scaled by the training
    // mean and std: the same value for every such row, whatever the test rows hold.
    let missing = test.column("Age")?.is_null();
    let filled: Vec<f64> = test_features
        .column("Age")?
        .f64()?
        .iter()
        .zip(missing.iter())
        .filter_map(|(v, m)| if m == Some(true) { v } else { None })
        .collect();
    if let Some(first) = filled.first() {
        println!(
            "{} test rows without Age all become {first:.4} (the training median, scaled with the training mean and std)",
            filled.len()
        );
    }
    let fare = |frame: &DataFrame| -> PolarsResult<(f64, f64)> {
        let s = frame.column("Fare")?.as_materialized_series().clone();
        Ok((s.mean().unwrap_or(f64::NAN), s.std(0).unwrap_or(f64::NAN)))
    };
    let (train_mean, train_std) = fare(&fitted.transform(train, "training split")?)?;
    let (test_mean, test_std) = fare(test_features)?;
    println!(
        "scaled Fare: mean {train_mean:+.3} std {train_std:.3} on training rows (0 and 1 by construction), \
         mean {test_mean:+.3} std {test_std:.3} on test rows (not refitted to them)"
    );
    Ok(())
}
