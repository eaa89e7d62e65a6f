//! Candidate models for `crisp train --until`: an ordered list, cheapest first, so the search
//! stops at the simplest model that clears the thresholds.

use std::collections::BTreeMap;

use crisp_validate::Task;

use crate::model::ModelSpec;

fn spec(name: &str, params: &[(&str, &str)]) -> ModelSpec {
    ModelSpec {
        name: name.to_string(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// Candidates for `task`, cheapest first. With `model` only that model's variations are tried
/// (a single candidate for models without a tuning ladder). `fixed` parameters (the user's
/// `--param`s) are applied to every candidate and win over the ladder's.
pub fn candidates(
    task: Task,
    model: Option<&str>,
    fixed: &BTreeMap<String, String>,
) -> Vec<ModelSpec> {
    let ladder = |name: &str| -> Vec<ModelSpec> {
        match name {
            "decision_tree" => vec![
                spec("decision_tree", &[("max_depth", "4")]),
                spec("decision_tree", &[("max_depth", "8")]),
                spec(
                    "decision_tree",
                    &[("max_depth", "12"), ("min_samples_leaf", "5")],
                ),
                spec("decision_tree", &[]),
            ],
            "random_forest" => vec![
                spec("random_forest", &[("n_trees", "50"), ("max_depth", "12")]),
                spec("random_forest", &[("n_trees", "100")]),
                spec("random_forest", &[("n_trees", "300")]),
            ],
            "gbdt" => vec![
                spec("gbdt", &[("n_rounds", "50")]),
                spec("gbdt", &[]),
                spec("gbdt", &[("n_rounds", "300"), ("learning_rate", "0.05")]),
                spec(
                    "gbdt",
                    &[
                        ("n_rounds", "600"),
                        ("learning_rate", "0.05"),
                        ("max_leaves", "63"),
                    ],
                ),
            ],
            other => vec![spec(other, &[])],
        }
    };
    let mut list = match model {
        Some(name) => ladder(name),
        None => {
            let mut list = Vec::new();
            if task == Task::Regression {
                list.push(spec("linear_regression", &[]));
            }
            list.extend(ladder("decision_tree").into_iter().take(2));
            list.extend(ladder("gbdt").into_iter().take(2));
            list.push(spec("random_forest", &[("n_trees", "100")]));
            list.extend(ladder("gbdt").into_iter().skip(2));
            list
        }
    };
    for candidate in &mut list {
        candidate
            .params
            .extend(fixed.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheapest_first_and_fixed_params_win() {
        let all = candidates(Task::Regression, None, &BTreeMap::new());
        assert_eq!(all[0].name, "linear_regression");
        assert_eq!(all[1].params["max_depth"], "4");
        let fixed = BTreeMap::from([("learning_rate".to_string(), "0.2".to_string())]);
        let gbdt = candidates(Task::Classification, Some("gbdt"), &fixed);
        assert!(gbdt
            .iter()
            .all(|c| c.name == "gbdt" && c.params["learning_rate"] == "0.2"));
        assert_eq!(
            candidates(Task::Classification, Some("linfa_decision_tree"), &fixed).len(),
            1
        );
    }
}
