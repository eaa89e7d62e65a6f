//! `set_spinning_helper(false)`: fits start no helper thread and give the same models.
//!
//! The switch is process-wide, so this file holds one test (a test binary of its own is a
//! process of its own: no other test can start the helper meanwhile).

use crisp_trees::{
    set_spinning_helper, spinning_helper_enabled, DecisionTree, GradientBoosting, RandomForest,
};
use linfa::prelude::*;
use ndarray::{Array1, Array2};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Whether a thread named like the helper (`crisp-trees-helper`, which Linux cuts to 15 bytes)
/// runs in this process; `None` where there is no /proc to tell (only the models are compared
/// there).
fn helper_thread_exists() -> Option<bool> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    Some(
        tasks
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
            .any(|name| name.trim_end() == "crisp-trees-hel"),
    )
}

type Models = (DecisionTree, RandomForest<f64>, GradientBoosting);

/// Fits on two threads, where nodes of a few thousand row-features and up are split in two
/// halves (see `spin.rs`): one for the helper when it is on, rayon's when it is off.
fn fit_models() -> Models {
    let mut rng = SmallRng::seed_from_u64(3);
    let x = Array2::from_shape_fn((20_000, 8), |_| rng.gen::<f64>());
    let labels = Array1::from_shape_fn(20_000, |i| usize::from(x[[i, 0]] + x[[i, 1]] > 1.0));
    let values = x.column(2).mapv(|v| 10.0 * v) + x.column(3);
    let classes = Dataset::new(x.clone(), labels);
    let reals = Dataset::new(x, values);
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| {
            (
                DecisionTree::params()
                    .max_depth(Some(8))
                    .fit(&classes)
                    .unwrap(),
                RandomForest::params()
                    .n_trees(4)
                    .max_depth(Some(6))
                    .fit(&reals)
                    .unwrap(),
                GradientBoosting::params()
                    .n_rounds(10)
                    .fit(&classes)
                    .unwrap(),
            )
        })
}

#[test]
fn without_the_helper_no_thread_is_started_and_models_are_the_same() {
    assert!(spinning_helper_enabled(), "on by default");
    set_spinning_helper(false);
    assert!(!spinning_helper_enabled());
    let without = fit_models();
    assert_ne!(
        helper_thread_exists(),
        Some(true),
        "a helper thread was started while switched off"
    );

    set_spinning_helper(true);
    let with = fit_models();
    // The check above can see the helper: on two threads, fits start it. A new thread names
    // itself once it first runs, which on a busy machine can be after the fits (they then
    // did its work themselves), so its name is awaited for up to 10 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while helper_thread_exists() == Some(false) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_ne!(
        helper_thread_exists(),
        Some(false),
        "the helper was not started"
    );
    assert!(without == with, "models differ with and without the helper");
}
