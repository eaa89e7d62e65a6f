#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod codec;
mod file;
mod gate;
mod header;

#[cfg(test)]
mod tests;

pub use codec::DECODE_LIMIT;
pub use file::{
    read_header, rewrite_header, with_header, Artifact, FORMAT_VERSION, MAGIC, MAX_FILE_BYTES,
};
pub use gate::{bless, blessed};
pub use header::{ArtifactHeader, Blessing, DataInfo, RunRef};
