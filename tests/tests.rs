//! Integration tests: the real `crisp` binary on the real datasets in `datasets/`.
//! One test binary (one link of polars) keeps CI fast; modules group the tests.

mod util;

// train → validate → predict on each bundled dataset, checking real metrics.
mod cycle;
// Bad input of every kind: exit code 2 and one clear sentence, never a panic.
mod bad_input;
// The artifact file: inspect, corruption, format versions, atomic writes.
mod artifact;
// The validation gate: thresholds, exit codes, reports, blessing.
mod validate;
// The gate on real data: slices, bootstrap bounds, baselines, train --until.
mod gate;
// crisp label and the [label] section of the pipeline TOML.
mod label;
// crisp-trees' models through the binary.
mod trees;
// crisp features / crisp bench features: every feature step kind on the bundled datasets.
mod features;
// crisp features in streamed batches (--fit-rows, --model) and with [label].
mod streaming;
// Data as people have it: BOM, CRLF, tabs, semicolons, quoted headers, Latin-1, Parquet, and
// numbers written nan, inf or 181.0, in memory and streamed.
mod dialects;
// Hostile and careless input: edited artifacts with valid checksums, devices as models,
// runaway class counts, out-of-range parameters, outputs that move together.
mod hostile;
// HTML reports of train, validate, profile and runs (issue 15).
mod reports;
// crisp train --engine: gbdt on a Ballista cluster from a Parquet directory (issue 17).
mod engine_cli;
// The linfa model family of issue #13 (logistic_regression, gaussian_nb, svm, knn, ridge, lasso,
// elastic_net): metrics against trivial baselines, reproducibility, parameter errors, svm's
// row limit, `crisp models`.
mod models;
// Model selection: cross-validation by rows, groups and time, grid / random / halving
// searches, crisp compare, the refit on every labeled row, reproducible model bytes.
mod selection;
// `train --model auto`: the budgeted search over gradient boosting settings and the linear
// baseline on adult and diamonds, its time budget, reproducibility within --trials, mistakes.
mod auto;
// Class and sample weights (issue #13, class imbalance): minority recall on held-out adult
// rows, a weight column that is no input, --weighted-metrics against weighted sums by hand,
// weights in folds and searches, refusals.
mod weights;

// train --stream (issue 17, part 1): the trees on a file read twice in batches, against the
// in-memory fit on adult and diamonds, and peak memory on a generated file.
mod stream_train;

// Progress bars and logs.
mod progress;

// crisp profile (issue 15, part): statistics against the file, target balance, Parquet.
mod profile;

// Run tracking (issue 14): the run store, `crisp runs list / show / compare`, lineage.
mod runs;

// The model registry (issue 14): push, list, show, aliases behind the blessing gate,
// rollback, `registry:` model paths, concurrent pushes, killed pushes, store migration.
mod registry;

// crisp serve (issue 16): predictions over HTTP equal crisp predict, bad requests, limits,
// reloads under load, corrupt artifacts, registry aliases, SIGTERM draining.
#[cfg(feature = "serve")]
mod serve;
