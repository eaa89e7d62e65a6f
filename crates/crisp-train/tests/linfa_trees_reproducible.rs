//! linfa_decision_tree and linfa_random_forest grow the same trees from the same data and
//! seed, run after run. linfa-trees 0.8.1 kept class weights in a `HashMap` whose order is
//! random per map, which decided ties and the order of the impurity sums; the workspace
//! patches it (patches/README.md). Without the patch, these fits differ within one process.

use std::path::Path;

use crisp_train::{train, ModelSpec, TrainConfig};

fn penguins() -> crisp_core::polars::prelude::DataFrame {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/penguins.csv");
    crisp_core::read_csv(&path).unwrap().frame
}

fn fitted(model: &str, seed: u64) -> String {
    let config = TrainConfig::new("species")
        .seed(seed)
        .model(ModelSpec::new(model));
    let run = train(&penguins(), "penguins.csv", &config).unwrap();
    // Debug prints every f64 exactly (shortest round-trip form).
    format!("{:?}", run.fitted.model)
}

#[test]
fn linfa_tree_models_are_the_same_fit_after_fit() {
    for model in ["linfa_decision_tree", "linfa_random_forest"] {
        for seed in [7, 42] {
            let first = fitted(model, seed);
            for _ in 0..4 {
                assert!(
                    fitted(model, seed) == first,
                    "{model}, seed {seed}: another model"
                );
            }
        }
    }
}
