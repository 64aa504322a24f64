//! Which files a run reads: every `.txt` under the paths it was given
//! (every `.txt` object under a URL prefix, for a store).
//!
//! What it is not: reading them (`crate::input::article`) or deciding
//! which are already done (`super`).

use std::path::{Path, PathBuf};

use crate::store::Location;

/// Every `.txt` file under the inputs (files are taken as given), sorted
/// by path or URL, each once. Symlinked directories are not followed, so
/// loops cannot trap the walk. Unreadable inputs come back as errors for
/// the summary.
pub fn discover(inputs: &[Location]) -> (Vec<Location>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        let Some(input) = input.as_local() else {
            discover_in_store(input, &mut files, &mut problems);
            continue;
        };
        let mut found = Vec::new();
        match std::fs::metadata(input) {
            Ok(meta) if meta.is_dir() => walk(input, &mut found, &mut problems),
            Ok(_) => found.push(input.to_path_buf()),
            Err(e) => problems.push((input.to_path_buf(), format!("{}: {e}", input.display()))),
        }
        files.extend(found.into_iter().map(Location::Local));
    }
    files.sort_by_key(Location::label);
    files.dedup_by_key(|file| file.label());
    (files, problems)
}

/// An object is taken as given; a prefix is searched for `.txt` objects at
/// any depth.
fn discover_in_store(
    input: &Location,
    files: &mut Vec<Location>,
    problems: &mut Vec<(PathBuf, String)>,
) {
    let found = input.exists().and_then(|object| {
        if object {
            Ok(vec![input.clone()])
        } else {
            input.walk_store(".txt")
        }
    });
    match found {
        Ok(found) if found.is_empty() && !input.is_store_prefix().unwrap_or(false) => {
            problems.push((input.label(), format!("{input}: no such object or prefix")))
        }
        Ok(found) => files.extend(found),
        Err(e) => problems.push((input.label(), format!("{e:#}"))),
    }
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
