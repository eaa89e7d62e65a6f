#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub use crisp_core::{bail, ensure, error, Error, Hint, Location, Result};

/// Reading data (CSV, streamed CSV), the input schema of a model, seeded splits, the frame →
/// matrix bridge, the seeded generator: `crisp-core`.
pub mod data {
    pub use crisp_core::*;
}

/// Leak-free feature pipelines on Polars frames: `crisp-features`.
pub mod features {
    pub use crisp_features::*;
}

/// Histogram decision trees, random forests and gradient boosting behind linfa's traits:
/// `crisp-trees`.
pub mod trees {
    pub use crisp_trees::*;
}

/// Training runs, the model registry, the train-until-threshold search and the gate applied to
/// a fitted model: `crisp-train`.
pub mod train {
    pub use crisp_train::*;
}

/// Metrics, thresholds, data checks, drift, the gate and its reports: `crisp-validate`.
pub mod validate {
    pub use crisp_validate::*;
}

/// Attaching a target to raw records: `crisp-label` (cargo feature `label`).
#[cfg(feature = "label")]
pub mod label {
    pub use crisp_label::*;
}

/// Data understanding: per-column statistics, histograms, top values, correlations and the
/// target's balance of a frame: `crisp-profile`.
pub mod profile {
    pub use crisp_profile::*;
}

/// Self-contained HTML reports: the model page (metrics, verdict, curves, residuals,
/// importance, drift), the data profile page and the runs page, plotted by plotters as inline
/// SVG: `crisp-report`.
pub mod report {
    pub use crisp_report::*;
}

/// Ed25519 keys and detached artifact signatures: `crisp-sign`.
pub mod sign {
    pub use crisp_sign::*;
}

/// Runs that are remembered: the SQLite run store, filters, comparison and lineage:
/// `crisp-track` (cargo feature `track`).
#[cfg(feature = "track")]
pub mod track {
    pub use crisp_track::*;
}

/// gbdt on a DataFusion Ballista cluster: `crisp-distributed`. The job types and `launch`
/// (which runs the `crisp-ballista-train` program) always; the functions, the driver and the
/// cluster's processes with the cargo feature `distributed`.
pub mod distributed {
    pub use crisp_distributed::*;
}

/// The model server: an axum router predicting JSON or CSV rows, with health, metadata,
/// metrics and reloads that drop no request: `crisp-serve` (cargo feature `serve`).
#[cfg(feature = "serve")]
pub mod serve {
    pub use crisp_serve::*;
}

/// The versioned, checksummed model file: `crisp-artifact`.
pub mod artifact {
    pub use crisp_artifact::*;
}

/// The names most programs use, in one `use crisp::prelude::*`.
pub mod prelude {
    pub use crisp_artifact::{bless, Artifact, ArtifactHeader, Blessing, DataInfo};
    pub use crisp_core::polars::prelude::DataFrame;
    pub use crisp_core::{parse_csv, read_csv, Error, Result, SeededRng};
    pub use crisp_features::{FittedPipeline, PipelineSpec, StepSpec};
    pub use crisp_train::{
        gate_model, train, train_until, FittedModel, GateRun, Holdout, ModelSpec, Predictions,
        TrainConfig, TrainRun, UntilConfig,
    };
    pub use crisp_validate::{DataGate, Evaluation, Gate, Task, Threshold, Verdict};
}

/// The crates crisp is built on, in the versions it uses.
pub use crisp_core::{ndarray, polars};
pub use linfa;
