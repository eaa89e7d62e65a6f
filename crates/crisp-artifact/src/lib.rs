//! crisp's model artifact: one file holding a descriptive header (schema, feature steps,
//! metrics, versions, seed, training-data fingerprint) and the bincode-encoded fitted pipeline
//! and model, with a magic number, a format version and a checksum. Writes are atomic; reads
//! are bounded and verified, so a truncated, corrupted or hostile file gives an error, never a
//! panic or a huge allocation.
//!
//! ```
//! use crisp_artifact::Artifact;
//!
//! // Anything that is not an artifact is refused with a reason.
//! let err = Artifact::from_bytes(b"hello, world").unwrap_err();
//! assert_eq!(err.to_string(), "not a crisp artifact (wrong magic bytes)");
//! assert!(matches!(err, crisp_core::Error::Artifact { .. }));
//! let err = Artifact::from_bytes(b"CRISPML\0\x07\0\0\0").unwrap_err();
//! assert!(err.to_string().contains("artifact format 7"));
//! ```
//!
//! Writing and reading: [`Artifact::write`] and [`Artifact::read`] (see the crate's tests for a
//! full round trip through `crisp_train::train`).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod codec;
mod file;
mod gate;
mod header;

#[cfg(test)]
mod tests;

pub use codec::DECODE_LIMIT;
pub use file::{read_header, rewrite_header, Artifact, FORMAT_VERSION, MAGIC};
pub use gate::bless;
pub use header::{ArtifactHeader, Blessing, DataInfo};
