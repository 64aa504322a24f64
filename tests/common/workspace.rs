//! Work folders: a fresh temporary folder per test with the articles to run
//! over in `in/`, removed when the returned `TempDir` is dropped.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use super::fixtures::seeds_dir;

/// A fresh folder with an empty `in/`, for tests that write their own
/// articles.
pub fn empty_workspace() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("in")).unwrap();
    dir
}

/// A fresh folder with the five seeds in `in/`, under their own names.
pub fn workspace() -> TempDir {
    let dir = empty_workspace();
    copy_files(&seeds_dir(), &dir.path().join("in"));
    dir
}

/// A fresh folder with `copies` copies of each seed in `in/`, named
/// `<copy>_<seed>.txt`, so that a run lasts longer or fills more waves.
pub fn workspace_with_copies(copies: usize) -> TempDir {
    let dir = empty_workspace();
    let input = dir.path().join("in");
    for copy in 0..copies {
        for entry in fs::read_dir(seeds_dir()).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{copy}_{}", entry.file_name().to_string_lossy());
            fs::copy(entry.path(), input.join(name)).unwrap();
        }
    }
    dir
}

/// Copies every file of the folder `from` into the existing folder `to`
/// (not recursive: seeds and checkpoints are flat).
pub fn copy_files(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}
