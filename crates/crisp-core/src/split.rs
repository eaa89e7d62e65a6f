//! Seeded train/test splits, stratified by class when asked.

use crate::rng::SeededRng;
use crate::{ensure, Error, Hint, Result};

/// Row indices of a train/test split, each list in ascending (input) order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Rows to fit on.
    pub train: Vec<usize>,
    /// Rows held out for evaluation.
    pub test: Vec<usize>,
}

/// Split `n_rows` rows, holding out `test_fraction` of them, reproducibly for a `seed`.
///
/// With `strata` (one class index per row) each class is split separately, so the test part has
/// the same class balance as the whole; a class with two or more rows always keeps at least one
/// row on each side.
pub fn train_test_split(
    n_rows: usize,
    test_fraction: f64,
    seed: u64,
    strata: Option<&[usize]>,
) -> Result<Split> {
    ensure!(
        test_fraction > 0.0 && test_fraction < 1.0,
        Config { value: test_fraction }: "test_fraction must be between 0 and 1 (exclusive), got {test_fraction}"
    );
    ensure!(n_rows >= 2, Data: "need at least 2 rows to split into train and test, got {n_rows}");
    let mut rng = SeededRng::new(seed);
    let groups: Vec<Vec<usize>> = match strata {
        Some(labels) => {
            let n_groups = labels.iter().copied().max().map_or(0, |m| m + 1);
            let mut groups = vec![Vec::new(); n_groups];
            for (row, &label) in labels.iter().enumerate() {
                groups[label].push(row);
            }
            groups
        }
        None => vec![(0..n_rows).collect()],
    };
    let mut split = Split {
        train: Vec::with_capacity(n_rows),
        test: Vec::new(),
    };
    for mut rows in groups {
        rng.shuffle(&mut rows);
        let n = rows.len();
        let mut n_test = (n as f64 * test_fraction).round() as usize;
        if n >= 2 {
            n_test = n_test.clamp(1, n - 1);
        }
        split.test.extend_from_slice(&rows[..n_test]);
        split.train.extend_from_slice(&rows[n_test..]);
    }
    split.train.sort_unstable();
    split.test.sort_unstable();
    if split.test.is_empty() || split.train.is_empty() {
        return Err(Error::data(format!(
            "{n_rows} rows are too few to hold out {test_fraction} of them{}: the test part would be empty",
            if strata.is_some() { " in every class" } else { "" }
        ))
        .with_hint(Hint::MoreRowsOrTestData));
    }
    Ok(split)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_split_keeps_class_balance_and_is_seeded() {
        let labels: Vec<usize> = (0..1000).map(|i| usize::from(i % 10 == 0)).collect();
        let s = train_test_split(1000, 0.2, 7, Some(&labels)).unwrap();
        assert_eq!(s.train.len() + s.test.len(), 1000);
        let pos_test = s.test.iter().filter(|&&i| labels[i] == 1).count();
        assert_eq!(pos_test, 20);
        assert_eq!(s.test.len(), 200);
        assert_eq!(s, train_test_split(1000, 0.2, 7, Some(&labels)).unwrap());
        assert_ne!(s, train_test_split(1000, 0.2, 8, Some(&labels)).unwrap());
        let mut all: Vec<usize> = s.train.iter().chain(&s.test).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn refuses_an_empty_test_part() {
        let err = train_test_split(2, 0.2, 1, Some(&[0, 1])).unwrap_err();
        assert!(
            err.to_string().contains("the test part would be empty"),
            "{err}"
        );
    }

    #[test]
    fn rejects_bad_fraction() {
        assert!(train_test_split(10, 1.0, 0, None).is_err());
        assert!(train_test_split(10, 0.0, 0, None).is_err());
    }
}
