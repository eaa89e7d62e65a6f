//! Progress and logs: a bar on a terminal only, nothing on a pipe or with --quiet, log lines
//! with -v / -vv / RUST_LOG on stderr, and stdout the same whatever the verbosity.

use crate::util::{crisp_on_terminal, dataset, Dir};

fn train_args(dir: &Dir, more: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "train",
        "--data",
        dataset("adult.csv").to_str().unwrap(),
        "--target",
        "income",
        "--out",
        dir.path("m.crisp").to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(more.iter().map(|s| s.to_string()));
    args
}

#[test]
fn a_pipe_gets_no_bar_and_no_logs_and_verbose_logs_folds_rounds_and_the_refit() {
    let dir = Dir::new();
    let quiet_run = dir.crisp(train_args(&dir, &["--cv", "3"])).code(0);
    // stderr is a pipe here: no bar, and no log line below a warning.
    assert_eq!(quiet_run.stderr(), "");
    let stdout = quiet_run.stdout();

    let verbose = dir.crisp(train_args(&dir, &["--cv", "3", "-v"])).code(0);
    let log = verbose.stderr();
    for fold in 1..=3 {
        assert!(
            log.contains(&format!(
                "crisp_train::cv: gbdt fold {fold} of 3: fitted on"
            )),
            "{log}"
        );
    }
    assert!(
        log.contains("INFO crisp_trees::gbdt: early stopping after round"),
        "{log}"
    );
    assert!(
        log.contains("refitting gbdt on every labeled row (32561)"),
        "{log}"
    );
    // Info, not debug: no line per boosting round.
    assert!(!log.contains("DEBUG"), "{log}");
    assert!(!log.contains("eta"), "{log}");
    // Logs never reach stdout: the results print the same (but for the first line's seconds
    // and the id of the recorded run, the last line).
    let after_first_line = |s: &str| {
        let rest = s.split_once('\n').unwrap().1;
        let (results, recorded) = rest.trim_end().rsplit_once('\n').unwrap();
        assert!(recorded.starts_with("recorded run "), "{s}");
        results.to_string()
    };
    assert_eq!(
        after_first_line(&verbose.stdout()),
        after_first_line(&stdout)
    );

    let debug = dir.crisp(train_args(&dir, &["-vv"])).code(0);
    let log = debug.stderr();
    assert!(
        log.contains("DEBUG crisp_trees::gbdt: round 1: validation loss"),
        "{log}"
    );
    assert!(
        log.contains("DEBUG crisp_train::train: fitted gbdt on"),
        "{log}"
    );
}

#[test]
fn rust_log_chooses_the_lines_and_a_bad_filter_is_an_error() {
    let dir = Dir::new();
    let run = dir
        .crisp_env(
            train_args(&dir, &["--cv", "2"]),
            &[("RUST_LOG", "crisp_train=info")],
        )
        .code(0);
    let log = run.stderr();
    assert!(log.contains("gbdt fold 2 of 2"), "{log}");
    assert!(!log.contains("crisp_trees"), "{log}");

    dir.crisp_env(["models"], &[("RUST_LOG", "crisp=[")])
        .error(&[
            "RUST_LOG='crisp=[' is not a log filter",
            "RUST_LOG=crisp=debug",
        ]);
    dir.crisp(["-q", "-v", "models"]).code(2);
}

#[test]
fn a_terminal_shows_a_bar_for_folds_and_candidates_and_quiet_hides_it() {
    let dir = Dir::new();
    let owned = train_args(&dir, &["--cv", "3"]);
    let args: Vec<&str> = owned.iter().map(String::as_str).collect();
    let screen = crisp_on_terminal(&dir, &args);
    // The fold bar, redrawn in place, then cleared before the summary prints.
    assert!(screen.contains("cross-validation ["), "{screen}");
    assert!(screen.contains("/3 folds"), "{screen}");
    assert!(screen.contains("\r"), "{screen}");
    assert!(
        screen.contains("cross-validation metrics (3 folds"),
        "{screen}"
    );

    let mut quiet = args.clone();
    quiet.push("--quiet");
    let screen = crisp_on_terminal(&dir, &quiet);
    assert!(!screen.contains("folds ("), "{screen}");
    assert!(!screen.contains("eta"), "{screen}");
    assert!(
        screen.contains("cross-validation metrics (3 folds"),
        "{screen}"
    );

    // A plain run: the boosting rounds of the evaluated fit and of the refit.
    let owned = train_args(&dir, &[]);
    let args: Vec<&str> = owned.iter().map(String::as_str).collect();
    let screen = crisp_on_terminal(&dir, &args);
    assert!(screen.contains("boosting ["), "{screen}");
    assert!(screen.contains("/100 rounds"), "{screen}");

    let owned = train_args(&dir, &["--search", "random", "--trials", "4", "--cv", "2"]);
    let args: Vec<&str> = owned.iter().map(String::as_str).collect();
    let screen = crisp_on_terminal(&dir, &args);
    assert!(screen.contains("search ["), "{screen}");
    assert!(screen.contains("/4 candidates"), "{screen}");
}
