#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod handlers;
mod metrics;
mod model;
mod predict;
mod reload;
mod rows;
mod server;
mod state;

pub use error::{ApiError, ErrorKind};
pub use metrics::Metrics;
pub use model::{LoadedModel, Located, ModelSpec};
pub use predict::MAX_BATCH_ROWS;
pub use reload::{ModelSlot, Reloaded};
pub use rows::{parse_csv, parse_json, Records, Rows};
pub use server::{router, serve};
pub use state::{Limits, State};
