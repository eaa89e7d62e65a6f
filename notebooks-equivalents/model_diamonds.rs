//! CRISP-DM phase 4, modeling, on the diamonds data (`datasets/diamonds.csv`, predicting
//! `price`): several kinds of model compared on the same 3 cross-validation folds, a
//! leaderboard, a random search over the winner's parameters scored on a validation split,
//! then the tuned winner's model page (residuals, predicted against actual, permutation
//! importance, drift of the held-out rows) as `crisp train --html` draws it.
//!
//! Run: `cargo run --example model_diamonds [OUT_DIR]`
//! (writes `model.html` into OUT_DIR, by default `crisp-notebooks/model_diamonds/` under the
//! system's temporary directory).

#[path = "notebook.rs"]
mod notebook;

use crisp_core::read_csv;
use crisp_report::{model_page, ModelReport};
use crisp_train::{
    compare, search, Holdout, Leaderboard, ModelSpec, Scoring, SearchConfig, SearchMethod,
    TrainConfig, TrainRun,
};

/// Seeds the folds, the hold-out split, the search and the models.
const SEED: u64 = 7;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = notebook::output_dir("model_diamonds")?;
    let diamonds = read_csv(&notebook::datasets().join("diamonds.csv"))?.frame;
    println!(
        "## diamonds.csv: {} stones, predicting price from {} columns",
        diamonds.height(),
        diamonds.width() - 1
    );

    // Every candidate sees the same folds (same seed), and each fold's feature pipeline is
    // fitted on that fold's training rows only: the scores are comparable and honest.
    println!("\n## Candidates on the same 3 folds (ranked on mean rmse)");
    let folds = TrainConfig::new("price")
        .seed(SEED)
        .holdout(Holdout::CrossValidation(3));
    let candidates = [
        ModelSpec::new("linear_regression"),
        ModelSpec::new("decision_tree").param("max_depth", 8),
        ModelSpec::new("random_forest").param("n_trees", 20),
        ModelSpec::new("gbdt").param("n_rounds", 200),
    ];
    let board = compare(&diamonds, "diamonds.csv", &folds, &candidates, Some("rmse"))?;
    print_leaderboard(&board);
    let winner = board.best().ok_or("no candidate was scored")?;
    println!(
        "-> {} wins; the linear models miss price's curve in carat, which trees follow",
        winner.model
    );

    // Tune the winner: a random search of its default parameter space, scored on a
    // validation split of the training rows, then trained and evaluated on a 20% hold-out
    // the search never saw.
    println!("\n## Random search over {}'s parameters", winner.model);
    let base = TrainConfig::new("price")
        .seed(SEED)
        .holdout(Holdout::Fraction(0.2))
        .model(ModelSpec::new(winner.model.clone()));
    let config = SearchConfig::new(SearchMethod::Random)
        .trials(4)
        .metric("rmse")
        .scoring(Scoring::Validation(0.2));
    let found = search(&diamonds, "diamonds.csv", &base, &config, |_, _| {})?;
    print_leaderboard(&found.leaderboard);
    let run = &found.run;
    println!(
        "chosen: {} {}; on the {} held-out stones: rmse {:.1}, mae {:.1}, r2 {:.4}",
        found.best.name,
        params_text(&found.best.params),
        run.rows_test,
        run.evaluation.get("rmse")?,
        run.evaluation.get("mae")?,
        run.evaluation.get("r2")?
    );

    println!();
    let html = winner_page(run, &board)?;
    notebook::write(&out, "model.html", &html)?;
    Ok(())
}

/// The leaderboard as a table: rank, model, the metrics' means (± the standard deviation over
/// folds when cross-validated), the fitting time (summed over folds) and the parameters.
fn print_leaderboard(board: &Leaderboard) {
    println!(
        "scoring: {} on {} rows, ranked on {}",
        match board.folds {
            Some(k) => format!("{k}-fold cross-validation"),
            None => format!(
                "a {:.0}% validation split",
                100.0 * board.fraction.unwrap_or(0.0)
            ),
        },
        board.rows,
        board.metric
    );
    println!(
        "{:>4}  {:<18} {:>16} {:>8} {:>7} {:>7}  parameters",
        "rank", "model", "rmse", "mae", "r2", "fit s"
    );
    for t in &board.entries {
        let metric = |name: &str| t.metrics.get(name).copied().unwrap_or(f64::NAN);
        let rmse = match t.std.get("rmse") {
            Some(std) => format!("{:.1} ± {std:.1}", metric("rmse")),
            None => format!("{:.1}", metric("rmse")),
        };
        println!(
            "{:>4}  {:<18} {rmse:>16} {:>8.1} {:>7.4} {:>7.2}  {}",
            t.rank,
            t.model,
            metric("mae"),
            metric("r2"),
            t.seconds,
            params_text(&t.params)
        );
    }
}

fn params_text(params: &std::collections::BTreeMap<String, String>) -> String {
    if params.is_empty() {
        return "(defaults)".into();
    }
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The model page of the tuned winner, from the rows it was evaluated on (`run.held_out`),
/// with the comparison it won noted at the end.
fn winner_page(run: &TrainRun, board: &Leaderboard) -> Result<String, Box<dyn std::error::Error>> {
    let mut report = ModelReport::new(
        "train",
        format!("{} predicting 'price'", run.model.name),
        &run.evaluation.metrics,
    );
    report.subtitle = format!("diamonds.csv · crisp {}", crisp_core::VERSION);
    report.summary = vec![
        ("model".into(), run.fitted.model.describe()),
        ("parameters".into(), params_text(&run.model.params)),
        (
            "rows".into(),
            format!("{} fitted, {} evaluated", run.rows_train, run.rows_test),
        ),
        (
            "training time".into(),
            format!("{:.2} s", run.train_seconds),
        ),
        ("seed".into(), SEED.to_string()),
    ];
    report.notes = board
        .entries
        .iter()
        .map(|t| {
            format!(
                "compared on 3 folds: #{} {} {}: rmse {:.1}",
                t.rank,
                t.model,
                params_text(&t.params),
                t.score.unwrap_or(f64::NAN)
            )
        })
        .collect();
    let mut drift = Vec::new();
    if !crisp_report::add_held_out_plots(
        &mut report,
        &mut drift,
        run,
        "diamonds.csv (held out)",
        SEED,
    )? {
        return Err("the run kept no held-out rows to plot".into());
    }
    Ok(model_page(&report)?)
}
