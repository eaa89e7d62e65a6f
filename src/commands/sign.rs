//! `crisp keygen` and `crisp sign`: Ed25519 keys and detached artifact signatures (crisp-sign),
//! and the `--verify-key` check of predict, validate and registry alias.

use std::path::{Path, PathBuf};

use clap::Args;
use crisp_core::{Error, Result};
use crisp_sign::{signature_path, PublicKey, SecretKey};

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the secret key (mode 0600 on Unix); the public key goes to KEY.pub.
    #[arg(long, value_name = "KEY")]
    pub out: PathBuf,
    /// Replace existing key files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The secret key file written by `crisp keygen`.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The artifact to sign; the signature of its bytes goes to ARTIFACT.sig.
    #[arg(value_name = "ARTIFACT")]
    pub artifact: PathBuf,
}

pub fn keygen(args: &KeygenArgs) -> Result<()> {
    let public = crisp_sign::write_key_pair(&args.out, args.force)?;
    println!(
        "wrote the secret key {} and the public key {}",
        args.out.display(),
        public.display()
    );
    Ok(())
}

pub fn sign(args: &SignArgs) -> Result<()> {
    let key = SecretKey::read(&args.key)?;
    // Only artifacts are signed: the file must read as one.
    crisp_artifact::read_header(&args.artifact)?;
    let bytes = std::fs::read(&args.artifact).map_err(|e| Error::data_file(&args.artifact, e))?;
    let out = signature_path(&args.artifact);
    std::fs::write(&out, key.sign(&bytes).to_text()).map_err(|e| Error::io("write", &out, e))?;
    println!("signed {} into {}", args.artifact.display(), out.display());
    Ok(())
}

/// With `--verify-key KEY.pub`: `artifact` must carry `ARTIFACT.sig`, made by that key over its
/// current bytes.
pub fn verify(artifact: &Path, key: Option<&Path>) -> Result<()> {
    match key {
        Some(key) => PublicKey::read(key)?.verify_file(artifact, key),
        None => Ok(()),
    }
}
