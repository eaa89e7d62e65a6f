//! Progress of long work (boosting rounds, folds, search candidates) as `tracing` spans and
//! events, so the libraries stay free of any terminal code.
//!
//! A [`Progress`] is a span on the target [`TARGET`] with the fields `work` (what is counted,
//! such as "boosting rounds"), `total` and `unit`; each [`Progress::step`] or
//! [`Progress::set`] is an event on the same target whose explicit parent is that span, so
//! steps taken on other threads (rayon workers) still reach it. Nothing is printed by these
//! crates: without a `tracing` subscriber a step costs one relaxed atomic load. The `crisp`
//! binary turns them into a progress bar on a terminal; a library user can do the same with a
//! `tracing_subscriber::Layer` that reads the three span fields and the `advance` / `position`
//! event fields, or ignore them.
//!
//! ```
//! use crisp_core::progress::Progress;
//!
//! let folds = Progress::start("cross-validation", 5, "folds");
//! for _ in 0..5 {
//!     folds.step();
//! }
//! ```

use tracing::Span;

/// The `tracing` target of progress spans and events.
pub const TARGET: &str = "crisp::progress";

/// A unit of long work of a known number of steps (see the module docs). The span closes when
/// it is dropped.
#[derive(Debug)]
pub struct Progress {
    span: Span,
}

impl Progress {
    /// Work of `total` steps of `unit` ("rounds", "folds", "candidates", "s").
    pub fn start(work: &str, total: u64, unit: &str) -> Progress {
        Progress {
            span: tracing::info_span!(target: "crisp::progress", "progress", work, total, unit),
        }
    }

    /// One more step done.
    pub fn step(&self) {
        tracing::event!(target: "crisp::progress", parent: &self.span, tracing::Level::INFO, advance = 1u64);
    }

    /// `position` steps done in all (for work measured rather than counted, such as the
    /// seconds of a time budget).
    pub fn set(&self, position: u64) {
        tracing::event!(target: "crisp::progress", parent: &self.span, tracing::Level::INFO, position);
    }

    /// The span, to enter around the work so that its log events carry it.
    pub fn span(&self) -> &Span {
        &self.span
    }
}
