//! One writer per output folder: an OS lock on a file in it
//! (`<out>/.tarjama.lock`, named by `folder`).
//!
//! The lock is an OS file lock (`flock`), so it goes away with the process
//! that held it, however that process died: a lock file left by a killed
//! run is just a file, and the next run takes it over. The file holds the
//! holder's pid, to name it in the message a second run prints. What it is
//! not: protection against writers that are not tarjama.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// What a run does when another run holds the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenLocked {
    /// Stop at once with a message naming the other run.
    Fail,
    /// Wait until the other run finishes.
    Wait,
}

/// The error when another run holds the folder (exit code 4).
#[derive(Debug)]
pub struct FolderLocked(pub String);

impl std::fmt::Display for FolderLocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FolderLocked {}

/// Held for as long as the value lives.
pub struct OutputLock {
    _file: File,
}

fn holder(file: &mut File) -> Option<String> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Takes the lock file `path` of the output folder `out_dir` (named as
/// given, in messages), or fails / waits as `when_locked` says. Where the
/// lock file is, is `OutputFolder::lock`'s business.
pub fn acquire(path: &Path, out_dir: &Path, when_locked: WhenLocked) -> Result<OutputLock> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let other = holder(&mut file).unwrap_or_else(|| "unknown".to_string());
            match when_locked {
                WhenLocked::Fail => {
                    return Err(FolderLocked(format!(
                        "another tarjama run ({other}) is writing to {}; wait for it to finish, or pass --wait",
                        out_dir.display()
                    ))
                    .into())
                }
                WhenLocked::Wait => {
                    eprintln!("tarjama: waiting for the run ({other}) writing to {}", out_dir.display());
                    file.lock()
                        .with_context(|| format!("cannot lock {}", path.display()))?;
                }
            }
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.set_len(0)
        .and_then(|_| file.seek(SeekFrom::Start(0)))
        .and_then(|_| write!(file, "pid {}", std::process::id()))
        .and_then(|_| file.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(OutputLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_and_a_released_lock_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".tarjama.lock");
        let take = |when| acquire(&path, dir.path(), when);
        let first = take(WhenLocked::Fail).unwrap();
        let err = take(WhenLocked::Fail).err().unwrap().to_string();
        assert!(
            err.contains(&format!("pid {}", std::process::id())),
            "{err}"
        );
        drop(first);
        // The file is still there, as after a killed run; it is taken over.
        take(WhenLocked::Fail).unwrap();
    }
}
