//! What the five CRISP-DM walkthroughs share: where the data is, where the reports go, and
//! writing a report while saying where it went. Each walkthrough includes this file with
//! `#[path = "notebook.rs"] mod notebook;`.

use std::path::{Path, PathBuf};

/// The repository's `datasets/` directory.
pub fn datasets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets")
}

/// The directory the walkthrough `name` writes into: the first command-line argument, else
/// `crisp-notebooks/<name>/` under the system's temporary directory. Created if missing.
pub fn output_dir(name: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("crisp-notebooks").join(name));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Writes `contents` to `dir/file` and prints the path, as a notebook shows its outputs.
pub fn write(dir: &Path, file: &str, contents: &str) -> std::io::Result<PathBuf> {
    let path = dir.join(file);
    std::fs::write(&path, contents)?;
    println!("wrote {}", path.display());
    Ok(path)
}
