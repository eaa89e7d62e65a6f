//! The file layout, and reading and writing it safely.
//!
//! ```text
//! magic        8 bytes   "CRISPML\0"
//! version      u32 LE    FORMAT_VERSION
//! header_len   u64 LE
//! header       header_len bytes, bincode
//! body_len     u64 LE
//! body         body_len bytes, bincode (feature pipeline + model + target)
//! checksum     u64 LE    xxh3-64 of header and body bytes
//! ```

use std::path::Path;

use crisp_core::{write_atomic, Error, Result};
use crisp_train::{FittedModel, TrainConfig, TrainRun};

use crate::codec;
use crate::header::{ArtifactHeader, DataInfo};

/// Identifies a crisp artifact.
pub const MAGIC: &[u8; 8] = b"CRISPML\0";

/// Version of the layout and of every serialized type in it. Bump it whenever a serialized type
/// changes (the golden-file test fails when one changes without a bump).
pub const FORMAT_VERSION: u32 = 5;

/// A model artifact: header and fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    /// Descriptive header.
    pub header: ArtifactHeader,
    /// Pipeline, model and target.
    pub model: FittedModel,
}

fn artifact_error(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::artifact(format!("{}: {message}", path.display())).file(path.display())
}

impl Artifact {
    /// The artifact of a fresh training run with `config` on `data`, stamped with the current
    /// time.
    pub fn from_run(run: &TrainRun, config: &TrainConfig, data: DataInfo) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Artifact {
            header: ArtifactHeader::for_run(run, config, data, now),
            model: run.fitted.clone(),
        }
    }

    /// Encode to bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let header = codec::encode(&self.header)
            .map_err(|e| Error::artifact(format!("cannot encode header: {e}")))?;
        let body = codec::encode(&self.model)
            .map_err(|e| Error::artifact(format!("cannot encode model: {e}")))?;
        let mut out = Vec::with_capacity(header.len() + body.len() + 36);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u64).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&body);
        out.extend_from_slice(&checksum(&header, &body).to_le_bytes());
        Ok(out)
    }

    /// Write atomically: to a temporary file in the same directory, synced, then renamed over
    /// `path`, so a crash never leaves a half-written artifact.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, &self.to_bytes()?)
    }

    /// Read and fully verify an artifact of at most [`MAX_FILE_BYTES`]; errors name the file.
    pub fn read(path: &Path) -> Result<Self> {
        Self::read_limited(path, MAX_FILE_BYTES)
    }

    /// Read and fully verify an artifact of at most `max_bytes` bytes (checked on the file's
    /// metadata before reading: a device or a huge file is refused at once).
    pub fn read_limited(path: &Path, max_bytes: u64) -> Result<Self> {
        Self::read_with_bytes(path, max_bytes).map(|(artifact, _)| artifact)
    }

    /// [`Artifact::read_limited`], also returning the file's bytes (to hash them, for one).
    pub fn read_with_bytes(path: &Path, max_bytes: u64) -> Result<(Self, Vec<u8>)> {
        let bytes = read_file_limited(path, max_bytes)?;
        let artifact =
            Self::from_bytes(&bytes).map_err(|e| e.context(path.display()).file(path.display()))?;
        Ok((artifact, bytes))
    }

    /// Decode and verify bytes. Errors are [`Error::Artifact`]s whose message says what is
    /// wrong (the caller puts the file's name in front, as [`Artifact::read`] does).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (header, body) = sections(bytes).map_err(Error::artifact)?;
        let header =
            codec::decode(header).map_err(|e| Error::artifact(undecodable("header", e)))?;
        let model: FittedModel =
            codec::decode(body).map_err(|e| Error::artifact(undecodable("model", e)))?;
        // The checksum only catches accidents: anyone can edit a file and recompute it, so the
        // decoded model is checked before anything relies on it.
        model
            .validate()
            .map_err(|e| Error::artifact(format!("the model is invalid: {}", e.message())))?;
        Ok(Artifact { header, model })
    }
}

/// Read only the header (the checksum is still verified).
pub fn read_header(path: &Path) -> Result<ArtifactHeader> {
    let bytes = read_file(path)?;
    let (header, _) = sections(&bytes).map_err(|m| artifact_error(path, m))?;
    codec::decode(header).map_err(|e| artifact_error(path, undecodable("header", e)))
}

/// Replace the header of the artifact at `path`, keeping its body byte for byte (used to record
/// a validation verdict). Atomic like [`Artifact::write`].
pub fn rewrite_header(path: &Path, header: &ArtifactHeader) -> Result<()> {
    write_atomic(path, &with_header(path, header)?)
}

/// The bytes of the artifact at `path` with `header` in place of its own (the body kept byte
/// for byte), for a caller that writes them together with other files.
pub fn with_header(path: &Path, header: &ArtifactHeader) -> Result<Vec<u8>> {
    let bytes = read_file(path)?;
    let (_, body) = sections(&bytes).map_err(|m| artifact_error(path, m))?;
    let header =
        codec::encode(header).map_err(|e| Error::artifact(format!("cannot encode header: {e}")))?;
    let mut out = Vec::with_capacity(bytes.len() + header.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&checksum(&header, body).to_le_bytes());
    Ok(out)
}

/// The checksum matched, so the bytes are as written: a section that does not decode was
/// written by a crisp whose serialized types differ under the same format version.
fn undecodable(section: &str, e: String) -> String {
    format!("the {section} does not decode ({e}): it was written by an incompatible build of crisp; retrain the model")
}

/// The largest artifact [`Artifact::read`] accepts: 1 GiB, the most one section may hold.
pub const MAX_FILE_BYTES: u64 = codec::DECODE_LIMIT as u64;

fn read_file(path: &Path) -> Result<Vec<u8>> {
    read_file_limited(path, MAX_FILE_BYTES)
}

/// The bytes of the artifact at `path`, checked before reading: it must be a regular file (not
/// a device such as /dev/zero, a pipe or a directory) of at most `max_bytes` bytes, so that a
/// wrong path costs no more than a look at its metadata.
fn read_file_limited(path: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    use std::io::Read;

    let io_error = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => artifact_error(path, "no such file"),
        _ => Error::io("read artifact", path, e),
    };
    let meta = std::fs::metadata(path).map_err(io_error)?;
    if !meta.is_file() {
        return Err(artifact_error(
            path,
            "not a regular file (a directory, device or pipe); an artifact is a file written by crisp",
        ));
    }
    if meta.len() > max_bytes {
        return Err(artifact_error(
            path,
            format!(
                "{} bytes, more than the {max_bytes} an artifact may have",
                meta.len()
            ),
        ));
    }
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows while being read stops at the limit too.
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > max_bytes {
        return Err(artifact_error(
            path,
            format!("more than the {max_bytes} bytes an artifact may have"),
        ));
    }
    Ok(bytes)
}

fn checksum(header: &[u8], body: &[u8]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(header);
    h.update(body);
    h.digest()
}

/// Split and verify the layout; returns the header and body bytes.
fn sections(bytes: &[u8]) -> std::result::Result<(&[u8], &[u8]), String> {
    let mut rest = bytes;
    let magic = take(&mut rest, 8).ok_or("not a crisp artifact (file too short)")?;
    if magic != MAGIC {
        return Err("not a crisp artifact (wrong magic bytes)".into());
    }
    let version = u32::from_le_bytes(
        take(&mut rest, 4)
            .ok_or("truncated before the format version")?
            .try_into()
            .unwrap(),
    );
    if version > FORMAT_VERSION {
        return Err(format!(
            "written in artifact format {version}, but this crisp ({}) reads formats up to {FORMAT_VERSION}; upgrade crisp",
            crisp_core::VERSION
        ));
    }
    if version < FORMAT_VERSION {
        return Err(format!(
            "written in old artifact format {version}; retrain the model with this crisp"
        ));
    }
    let header = take_section(&mut rest, "header")?;
    let body = take_section(&mut rest, "model")?;
    let stored = u64::from_le_bytes(
        take(&mut rest, 8)
            .ok_or("truncated before the checksum")?
            .try_into()
            .unwrap(),
    );
    if !rest.is_empty() {
        return Err(format!(
            "{} unexpected bytes after the checksum",
            rest.len()
        ));
    }
    if stored != checksum(header, body) {
        return Err("checksum mismatch: the file is corrupted".into());
    }
    Ok((header, body))
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if rest.len() < n {
        return None;
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Some(head)
}

fn take_section<'a>(rest: &mut &'a [u8], name: &str) -> std::result::Result<&'a [u8], String> {
    let len = take(rest, 8).ok_or_else(|| format!("truncated before the {name} length"))?;
    let len = u64::from_le_bytes(len.try_into().unwrap());
    if len > codec::DECODE_LIMIT as u64 || len > rest.len() as u64 {
        return Err(format!(
            "truncated or corrupted: the {name} claims {len} bytes, {} remain",
            rest.len()
        ));
    }
    Ok(take(rest, len as usize).expect("length checked"))
}
