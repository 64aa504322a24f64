//! File primitives every step shares: writes that are whole or absent
//! (temp file, sync, rename) and SHA-256 of bytes and files.
//!
//! What it is not: the output folder's layout (`crate::output`), or where
//! model files come from (`crate::model_store`).

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// How the temp files of [`write_atomic`] are named, so that the ones a
/// killed process left behind can be recognised (and only those removed).
const TEMP_PREFIX: &str = ".tarjama-";
const TEMP_SUFFIX: &str = ".tmp";

/// Whether a file name is one of [`write_atomic`]'s temp files.
pub fn is_temp_file_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

/// Writes `bytes` to `path` so that readers see either the old file or the
/// whole new one, never a part: a temp file in the same directory, synced,
/// then renamed over the target.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    // Temp files are private (0600) by default; outputs are ordinary files
    // whose mode the umask decides, as with any other program's.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temp = builder
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    // Through the plain file, so an error reads "cannot write <target>: No
    // space left on device", not the name of a temp file that is deleted
    // (on drop) as the error returns.
    temp.as_file_mut()
        .write_all(bytes)
        .and_then(|_| temp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot move the new {} into place", path.display()))?;
    Ok(())
}

/// SHA-256 of a file, streamed (weights are hundreds of MB).
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file =
        fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buffer)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn temp_files_are_recognised_by_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir.path())
            .unwrap();
        let name = temp.path().file_name().unwrap().to_string_lossy();
        assert!(is_temp_file_name(&name), "{name}");
        assert!(!is_temp_file_name(".tarjama.lock"));
        assert!(!is_temp_file_name("a.json"));
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_gives_an_ordinary_file_mode_not_a_private_temp_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        write_atomic(&path, b"x").unwrap();
        // The same mode as a file created the ordinary way under this
        // process's umask; a private temp file would be 0600.
        fs::write(dir.path().join("plain"), b"x").unwrap();
        let plain = fs::metadata(dir.path().join("plain"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, plain, "mode {mode:o}, ordinary files get {plain:o}");
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        assert_eq!(
            sha256_bytes(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
