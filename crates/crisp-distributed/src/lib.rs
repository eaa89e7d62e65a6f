#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

#[cfg(feature = "engine")]
pub mod cluster;
#[cfg(feature = "engine")]
mod error;
#[cfg(feature = "engine")]
pub mod functions;
pub mod job;
#[cfg(feature = "engine")]
mod train;

#[cfg(feature = "engine")]
pub use error::{Error, Result};
pub use job::{launch, TrainJob, TrainOutput, TrainedGbdt};
#[cfg(feature = "engine")]
pub use train::{bin_edges, train, TableSpec, Trained};
