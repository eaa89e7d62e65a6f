//! Permutation importance on real data: a column of seeded noise added to the wine data is
//! worth nothing, the columns the classes depend on are worth the most, and the same seed
//! measures the same numbers.

use std::path::Path;

use crisp_core::polars::prelude::*;
use crisp_core::SeededRng;
use crisp_train::{permutation_importance, train, ImportanceOptions, TrainConfig};

fn wine_with_noise() -> DataFrame {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/wine.csv");
    let mut frame = crisp_core::read_csv(&path).unwrap().frame;
    let mut rng = SeededRng::new(3);
    let noise: Vec<f64> = (0..frame.height()).map(|_| rng.next_f64()).collect();
    frame
        .with_column(Column::new("noise".into(), noise))
        .unwrap();
    frame
}

#[test]
fn noise_is_worth_nothing_and_the_same_seed_measures_the_same() {
    let frame = wine_with_noise();
    let run = train(&frame, "wine.csv", &TrainConfig::new("class").seed(7)).unwrap();
    let held_out = run
        .held_out
        .expect("a hold-out split keeps its predictions");
    let options = ImportanceOptions {
        repeats: 5,
        max_rows: 5_000,
        seed: 11,
    };
    let measure = || {
        permutation_importance(
            &held_out.model,
            &held_out.scored.frame,
            &held_out.scored.truth,
            "wine.csv",
            &options,
        )
        .unwrap()
    };
    let importance = measure();
    assert_eq!(importance.metric, "roc_auc");
    assert_eq!(importance.rows, held_out.scored.rows);
    assert_eq!(
        importance.columns.len(),
        frame.width() - 1,
        "every input column"
    );
    let noise = importance
        .columns
        .iter()
        .find(|c| c.column == "noise")
        .unwrap();
    let top = &importance.columns[0];
    assert!(noise.mean.abs() < 0.01, "noise worth {}", noise.mean);
    assert!(
        top.mean > 10.0 * noise.mean.abs().max(1e-3),
        "top {} {}",
        top.column,
        top.mean
    );
    assert_ne!(top.column, "noise");
    // Sorted by importance; reproducible.
    assert!(importance
        .columns
        .windows(2)
        .all(|w| w[0].mean >= w[1].mean));
    assert_eq!(measure(), importance);
}
