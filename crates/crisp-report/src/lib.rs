#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod chart;
pub mod curves;
pub mod html;
mod model;
mod profile;
mod runs;
mod scored;

pub use model::{model_page, ColumnWeight, ModelReport, Outcomes};
pub use profile::profile_page;
pub use runs::{runs_page, RunPoint};
pub use scored::{add_held_out_plots, add_model_plots, importance, outcomes};
