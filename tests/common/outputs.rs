//! Looking at an output folder: listing its files and the checks several
//! tests make on the manifest. What a record must contain is checked in the
//! test files themselves.

use std::fs;
use std::path::{Path, PathBuf};

/// The files in `dir` whose extension is `extension` (without the dot),
/// sorted by path.
pub fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    paths.sort();
    paths
}

/// Every line of the manifest at `path` is a whole JSON value: an
/// interrupted or failed write never leaves half a line.
#[track_caller]
pub fn assert_manifest_lines_are_json(path: &Path) {
    for line in fs::read_to_string(path).unwrap().lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("manifest: {e}: {line}"));
    }
}

/// What `tarjama translate` prints for `record`: its paragraphs' English,
/// a blank line between paragraphs, one newline at the end.
pub fn printed_english(record: &tarjama::output::record::Record) -> String {
    let paragraphs: Vec<&str> = record
        .paragraphs
        .iter()
        .map(|p| p.translation.as_str())
        .collect();
    format!("{}\n", paragraphs.join("\n\n"))
}
