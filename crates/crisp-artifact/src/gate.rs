//! Gating the model of an artifact, and recording the verdict in the file.

use std::path::Path;

use crisp_core::polars::prelude::DataFrame;
use crisp_core::Result;
use crisp_train::{gate_model, GateRun};
use crisp_validate::{Gate, Verdict};

use crate::file::{read_header, with_header, Artifact};
use crate::header::{ArtifactHeader, Blessing};

impl Artifact {
    /// Gates this artifact's model on the labeled rows of `frame` (named `source` in errors):
    /// the data checks against the training profile stored in the header, then `gate`'s
    /// thresholds, against `baseline`'s model on the same rows. See
    /// [`crisp_train::gate_model`].
    pub fn gate(
        &self,
        frame: &DataFrame,
        source: &str,
        baseline: Option<&Artifact>,
        gate: &Gate,
    ) -> Result<GateRun> {
        gate_model(
            &self.model,
            &self.header.data_profile,
            frame,
            source,
            baseline.map(|b| &b.model),
            gate,
        )
    }
}

impl Blessing {
    /// The blessing of `verdict`: the gate's `thresholds` as written, the fingerprint of the
    /// data it was checked on, and when.
    pub fn of(
        verdict: &Verdict,
        thresholds: Vec<String>,
        data_fingerprint: &str,
        at_unix: u64,
    ) -> Self {
        Blessing {
            passed: verdict.passed,
            thresholds,
            data_fingerprint: data_fingerprint.to_string(),
            at_unix,
        }
    }
}

/// Records `blessing` in the header of the artifact at `path` (the model's bytes are kept as
/// they are; atomic like [`Artifact::write`]) and returns the new header. A failed verdict is
/// recorded too: the artifact is then explicitly not blessed.
pub fn bless(path: &Path, blessing: Blessing) -> Result<ArtifactHeader> {
    let (header, bytes) = blessed(path, blessing)?;
    crisp_core::write_atomic(path, &bytes)?;
    Ok(header)
}

/// The header and the bytes of the artifact at `path` with `blessing` recorded, for a caller
/// that writes them together with its reports ([`crisp_core::OutputSet`]).
pub fn blessed(path: &Path, blessing: Blessing) -> Result<(ArtifactHeader, Vec<u8>)> {
    let mut header = read_header(path)?;
    header.blessing = Some(blessing);
    let bytes = with_header(path, &header)?;
    Ok((header, bytes))
}
