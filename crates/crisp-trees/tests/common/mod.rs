//! Data shared by the integration tests.

use linfa::Dataset;
use ndarray::{Array1, Array2, Ix1};

/// The iris data set (150 rows, 4 features, classes 0 = setosa, 1 = versicolor, 2 = virginica,
/// in file order), as `linfa_datasets::iris()` gives it, read from the repository's
/// `datasets/iris.csv` so that the tests need no extra dependency.
pub fn iris() -> Dataset<f64, usize, Ix1> {
    let text = include_str!("../../../../datasets/iris.csv");
    let mut values = Vec::new();
    let mut classes = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 5, "{line}");
        values.extend(fields[..4].iter().map(|v| v.parse::<f64>().unwrap()));
        classes.push(match fields[4] {
            "setosa" => 0,
            "versicolor" => 1,
            "virginica" => 2,
            other => panic!("unknown species {other}"),
        });
    }
    let n = classes.len();
    Dataset::new(
        Array2::from_shape_vec((n, 4), values).unwrap(),
        Array1::from(classes),
    )
    .with_feature_names(vec![
        "sepal length",
        "sepal width",
        "petal length",
        "petal width",
    ])
}
