//! Which files a run reads: every `.txt` under the paths it was given.
//!
//! What it is not: reading them (`crate::input::article`) or deciding
//! which are already done (`super`).

use std::path::{Path, PathBuf};

/// Every `.txt` file under the inputs (files are taken as given), sorted,
/// each once. Symlinked directories are not followed, so loops cannot trap
/// the walk. Unreadable inputs come back as errors for the summary.
pub fn discover(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Ok(meta) if meta.is_dir() => walk(input, &mut files, &mut problems),
            Ok(_) => files.push(input.clone()),
            Err(e) => problems.push((input.clone(), format!("{}: {e}", input.display()))),
        }
    }
    files.sort();
    files.dedup();
    (files, problems)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<(PathBuf, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push((
                dir.to_path_buf(),
                format!("{}: cannot list directory: {e}", dir.display()),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, files, problems);
        } else if path.extension().is_some_and(|e| e == "txt") && !kind.is_dir() {
            files.push(path);
        }
    }
}
