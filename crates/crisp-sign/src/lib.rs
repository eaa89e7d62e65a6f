#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::fs;
use std::path::{Path, PathBuf};

use crisp_core::{bail, Error, Result};
use ed25519_dalek::Signer;

const SECRET_HEADER: &str = "crisp-ed25519-secret-key";
const PUBLIC_HEADER: &str = "crisp-ed25519-public-key";
const SIGNATURE_HEADER: &str = "crisp-ed25519-signature";

/// An Ed25519 signing key.
pub struct SecretKey(ed25519_dalek::SigningKey);

/// An Ed25519 verifying key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

/// A detached Ed25519 signature of a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(ed25519_dalek::Signature);

impl SecretKey {
    /// A new key from 32 bytes of the operating system's random generator.
    pub fn generate() -> Result<SecretKey> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed)
            .map_err(|e| Error::config(format!("cannot draw random bytes for a key: {e}")))?;
        Ok(SecretKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// The key of a secret key file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<SecretKey> {
        let bytes: [u8; 32] = parse_hex(text, SECRET_HEADER, "secret key", file)?;
        Ok(SecretKey(ed25519_dalek::SigningKey::from_bytes(&bytes)))
    }

    /// The key in the file `path`.
    pub fn read(path: &Path) -> Result<SecretKey> {
        SecretKey::parse(&read_text(path, "secret key")?, &path.display().to_string())
    }

    /// The key as the text of a secret key file.
    pub fn to_text(&self) -> String {
        format!("{SECRET_HEADER}\n{}\n", hex(self.0.as_bytes()))
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// The signature of `bytes`.
    pub fn sign(&self, bytes: &[u8]) -> Signature {
        Signature(self.0.sign(bytes))
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl PublicKey {
    /// The key of a public key file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<PublicKey> {
        let bytes: [u8; 32] = parse_hex(text, PUBLIC_HEADER, "public key", file)?;
        match ed25519_dalek::VerifyingKey::from_bytes(&bytes) {
            Ok(key) => Ok(PublicKey(key)),
            Err(_) => {
                bail!(Config { file: file }: "{file} is not a valid Ed25519 public key (its 32 bytes are not a point of the curve)")
            }
        }
    }

    /// The key in the file `path`.
    pub fn read(path: &Path) -> Result<PublicKey> {
        PublicKey::parse(&read_text(path, "public key")?, &path.display().to_string())
    }

    /// The key as the text of a public key file.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_HEADER}\n{}\n", hex(self.0.as_bytes()))
    }

    /// Whether `signature` is this key's signature of `bytes`.
    pub fn verify(&self, bytes: &[u8], signature: &Signature) -> Result<()> {
        self.0
            .verify_strict(bytes, &signature.0)
            .map_err(|_| Error::config("the signature does not match"))
    }

    /// Check that `artifact` has a signature `ARTIFACT.sig` made by this key over its bytes:
    /// a missing signature, a modified byte or another key's signature is an error naming the
    /// file.
    pub fn verify_file(&self, artifact: &Path, key_file: &Path) -> Result<()> {
        let sig_path = signature_path(artifact);
        if !sig_path.is_file() {
            bail!(Config { file: artifact.display() }: "{} has no signature ({} is missing): sign the artifact with crisp sign --key KEY (before crisp registry push, which copies the signature with it)", artifact.display(), sig_path.display());
        }
        let signature = Signature::read(&sig_path)?;
        let bytes = fs::read(artifact).map_err(|e| Error::data_file(artifact, e))?;
        if self.verify(&bytes, &signature).is_err() {
            bail!(Config { file: artifact.display() }: "the signature {} does not verify with {}: {} was modified after signing, or signed with another key", sig_path.display(), key_file.display(), artifact.display());
        }
        Ok(())
    }
}

impl Signature {
    /// The signature of a signature file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Signature> {
        let bytes: [u8; 64] = parse_hex(text, SIGNATURE_HEADER, "signature", file)?;
        Ok(Signature(ed25519_dalek::Signature::from_bytes(&bytes)))
    }

    /// The signature in the file `path`.
    pub fn read(path: &Path) -> Result<Signature> {
        Signature::parse(&read_text(path, "signature")?, &path.display().to_string())
    }

    /// The signature as the text of a signature file.
    pub fn to_text(&self) -> String {
        format!("{SIGNATURE_HEADER}\n{}\n", hex(&self.0.to_bytes()))
    }
}

/// Where the detached signature of `artifact` lives: `ARTIFACT.sig`.
pub fn signature_path(artifact: &Path) -> PathBuf {
    let mut name = artifact.as_os_str().to_os_string();
    name.push(".sig");
    PathBuf::from(name)
}

/// Write a new key pair to `key` (the secret, mode 0600 on Unix) and `KEY.pub`. Existing files
/// are refused unless `force`. Returns the public key file's path.
pub fn write_key_pair(key: &Path, force: bool) -> Result<PathBuf> {
    let mut public_name = key.as_os_str().to_os_string();
    public_name.push(".pub");
    let public_path = PathBuf::from(public_name);
    if !force {
        for p in [key, public_path.as_path()] {
            if p.exists() {
                bail!(Config { file: p.display() }: "{} already exists: give --force to replace it", p.display());
            }
        }
    }
    let secret = SecretKey::generate()?;
    write_secret(key, &secret.to_text())?;
    fs::write(&public_path, secret.public().to_text())
        .map_err(|e| Error::io("write", &public_path, e))?;
    Ok(public_path)
}

fn write_secret(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    #[cfg(unix)]
    {
        // An existing file (replaced with --force) keeps its mode on open: set it.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io("restrict the permissions of", path, e))?;
    }
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io("write", path, e))
}

fn read_text(path: &Path, what: &str) -> Result<String> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            Error::config(format!("{what} file {}: no such file", path.display()))
                .file(path.display())
        }
        _ => Error::io("read", path, e),
    })?;
    if !meta.is_file() || meta.len() > 4096 {
        bail!(Config { file: path.display() }: "{} is not a crisp {what} file (not a small regular file)", path.display());
    }
    let bytes = fs::read(path).map_err(|e| Error::io("read", path, e))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(_) => {
            bail!(Config { file: path.display() }: "{} is not a crisp {what} file (not text)", path.display())
        }
    }
}

/// The N bytes of a file of two lines: `header`, then 2N hex digits.
fn parse_hex<const N: usize>(text: &str, header: &str, what: &str, file: &str) -> Result<[u8; N]> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next() != Some(header) {
        bail!(Config { file: file }: "{file} is not a crisp {what} file: its first line must be '{header}'");
    }
    let digits = lines.next().unwrap_or("");
    if lines.next().is_some() || digits.len() != 2 * N {
        bail!(Config { file: file }: "{file} is not a crisp {what} file: its second line must be {} hex digits", 2 * N);
    }
    let mut out = [0u8; N];
    for (i, byte) in out.iter_mut().enumerate() {
        match u8::from_str_radix(digits.get(2 * i..2 * i + 2).unwrap_or("x"), 16) {
            Ok(b) => *byte = b,
            Err(_) => {
                bail!(Config { file: file }: "{file} is not a crisp {what} file: its second line must be {} hex digits", 2 * N)
            }
        }
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_signatures_round_trip_and_detect_changes() {
        let secret = SecretKey::generate().unwrap();
        let back = SecretKey::parse(&secret.to_text(), "k").unwrap();
        assert_eq!(back.public(), secret.public());
        let sig = secret.sign(b"bytes");
        let sig = Signature::parse(&sig.to_text(), "s").unwrap();
        assert!(secret.public().verify(b"bytes", &sig).is_ok());
        assert!(secret.public().verify(b"bytez", &sig).is_err());
        let other = SecretKey::generate().unwrap();
        assert!(other.public().verify(b"bytes", &sig).is_err());
    }

    #[test]
    fn malformed_files_are_refused_with_a_sentence() {
        let good = SecretKey::generate().unwrap().public().to_text();
        let cases = [
            ("", "first line"),
            ("crisp-ed25519-secret-key\n00\n", "first line"),
            ("crisp-ed25519-public-key\nabc\n", "64 hex digits"),
            (&good.replace('\n', "\nzz")[..], "64 hex digits"),
        ];
        for (text, expected) in cases {
            let err = PublicKey::parse(text, "k.pub").unwrap_err().to_string();
            assert!(
                err.contains("k.pub") && err.contains(expected),
                "{text:?}: {err}"
            );
        }
        assert!(PublicKey::parse(&good, "k.pub").is_ok());
    }

    #[test]
    fn key_pairs_are_written_once_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        let public = write_key_pair(&key, false).unwrap();
        assert!(PublicKey::read(&public).is_ok() && SecretKey::read(&key).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let err = write_key_pair(&key, false).unwrap_err().to_string();
        assert!(
            err.contains("already exists") && err.contains("--force"),
            "{err}"
        );
        let before = fs::read_to_string(&public).unwrap();
        write_key_pair(&key, true).unwrap();
        assert_ne!(fs::read_to_string(&public).unwrap(), before);
    }
}
