//! An output folder that takes no more writes — a full disk, a read-only
//! file system — gives one clear line per failure naming the file and the
//! reason, a non-zero exit, no partial or stray file, whole records for the
//! articles that fitted, and a rerun that finishes once there is room.
//!
//! The folders are real file systems: a small tmpfs mounted in a mount
//! namespace private to the test's thread (so nothing leaks into the host's
//! mount table, even if the test dies). That needs root or CAP_SYS_ADMIN,
//! which CI has; where it is missing the tests fail saying so rather than
//! pass without having tested anything.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::command::{assert_success, run_command};
use common::fixtures::tiny_base;
use common::outputs::assert_manifest_lines_are_json;
use common::workspace::workspace_with_copies;
use tarjama::output::record::Record;

/// A tmpfs mounted on `dir` in this thread's own mount namespace; unmounted
/// on drop (and gone with the namespace in any case).
struct Tmpfs {
    dir: PathBuf,
}

fn mount(args: &[&str]) -> Result<(), String> {
    let output = Command::new("mount")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run mount: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "mount {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Self {
        fs::create_dir_all(dir).unwrap();
        // SAFETY: plain syscall; CLONE_NEWNS only affects this thread and
        // the processes it spawns from now on.
        if unsafe { libc::unshare(libc::CLONE_NEWNS) } != 0 {
            panic!(
                "this test mounts a small tmpfs and needs root (CAP_SYS_ADMIN): unshare(CLONE_NEWNS): {}",
                std::io::Error::last_os_error()
            );
        }
        // Mounts made here must not propagate back to the host.
        mount(&["--make-rprivate", "/"]).unwrap();
        mount(&[
            "-t",
            "tmpfs",
            "-o",
            &format!("size={size}"),
            "tarjama-test",
            dir.to_str().unwrap(),
        ])
        .unwrap();
        Self {
            dir: dir.to_path_buf(),
        }
    }

    fn remount(&self, options: &str) {
        mount(&[
            "-o",
            &format!("remount,{options}"),
            self.dir.to_str().unwrap(),
        ])
        .unwrap();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

/// 20 articles: the five seeds, four times each under other names, so the
/// first wave (16 articles) overflows a 256 KiB folder part way.
fn workspace() -> tempfile::TempDir {
    workspace_with_copies(4)
}

fn tarjama_run(dir: &Path, out: &Path, extra: &[&str]) -> Output {
    run_command(dir, out, &tiny_base())
        .arg("--quiet")
        .args(extra)
        .output()
        .unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every visible file is whole: each `.json` is an intact record with its
/// `.md` beside it, byte-identical to the reference run's; no temp file.
/// Returns the ids of the records present.
fn assert_only_whole_files(out: &Path, reference: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for name in names(out) {
        let path = out.join(&name);
        assert!(
            !(name.starts_with(".tarjama-") && name.ends_with(".tmp")),
            "temp file left behind: {name}"
        );
        if let Some(id) = name.strip_suffix(".json") {
            let record = Record::read(&path).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert!(record.is_intact(), "{name} is damaged");
            assert_eq!(
                fs::read(&path).unwrap(),
                fs::read(reference.join(&name)).unwrap()
            );
            let md = format!("{id}.md");
            assert_eq!(
                fs::read(out.join(&md)).unwrap_or_else(|e| panic!("{md}: {e}")),
                fs::read(reference.join(&md)).unwrap(),
                "{md}"
            );
            ids.push(id.to_string());
        } else if let Some(id) = name.strip_suffix(".md").filter(|id| *id != "brief") {
            assert!(
                out.join(format!("{id}.json")).exists(),
                "{name} without its record"
            );
        } else if name == "manifest.jsonl" {
            assert_manifest_lines_are_json(&path);
        } else if let Some(id) = name.strip_suffix(".html").filter(|id| *id != "brief") {
            // A reading view is written with the brief, after its record.
            assert!(
                out.join(format!("{id}.json")).exists(),
                "{name} without its record"
            );
        } else {
            // The brief's own files appear once a run completes.
            assert!(
                [".tarjama.lock", "brief.md", "brief.html"].contains(&name.as_str()),
                "unexpected file {name}"
            );
        }
    }
    ids
}

#[test]
fn a_full_disk_stops_the_run_cleanly_and_a_rerun_finishes() {
    let ws = workspace();
    let reference = ws.path().join("reference");
    let done = tarjama_run(ws.path(), &reference, &[]);
    assert_success(&done);

    let out = ws.path().join("out");
    let tmpfs = Tmpfs::mount(&out, "256k");
    let full = tarjama_run(ws.path(), &out, &[]);
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let failures: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("tarjama: failed:"))
        .collect();
    assert!(!failures.is_empty(), "{stderr}");
    for line in &failures {
        assert!(
            line.contains("No space left on device")
                && line.contains(out.to_str().unwrap())
                && !line.contains(".tarjama-"),
            "{line}"
        );
    }
    // The run stopped after the first wave instead of translating the
    // second only to fail it too.
    assert!(
        stderr.contains("stopped: the output folder takes no more writes (No space left on device")
            && stderr.contains("4 article(s) not attempted"),
        "{stderr}"
    );
    let kept = assert_only_whole_files(&out, &reference);
    assert!(!kept.is_empty(), "nothing fitted in 256 KiB: {stderr}");
    assert_eq!(kept.len() + failures.len(), 16, "{stderr}");
    // The manifest says the same, unless it did not fit either, in which
    // case the run said so (and there was no older one to keep).
    match fs::read_to_string(out.join("manifest.jsonl")) {
        Ok(manifest) => {
            assert_eq!(manifest.lines().count(), 20);
            assert_eq!(manifest.matches("\"translated\"").count(), kept.len());
            assert_eq!(manifest.matches("\"failed\"").count(), failures.len());
            assert_eq!(manifest.matches("\"interrupted\"").count(), 4);
        }
        Err(_) => assert!(
            stderr.contains("tarjama: error: cannot write") && stderr.contains("manifest.jsonl"),
            "{stderr}"
        ),
    }

    // With room, the same command finishes the job: the same bytes as a run
    // that never ran out of room.
    tmpfs.remount("size=8m");
    let rerun = tarjama_run(ws.path(), &out, &[]);
    assert_success(&rerun);
    assert_eq!(assert_only_whole_files(&out, &reference).len(), 20);
    let manifest = fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    assert_eq!(manifest.lines().count(), 20);
    assert_eq!(manifest.matches("\"up-to-date\"").count(), kept.len());
}

#[test]
fn a_read_only_folder_is_one_clear_line_and_stays_untouched() {
    let ws = workspace();
    let out = ws.path().join("out");
    let tmpfs = Tmpfs::mount(&out, "8m");
    let first = tarjama_run(ws.path(), &out, &[]);
    assert_success(&first);
    let before: Vec<(String, Vec<u8>)> = names(&out)
        .into_iter()
        .map(|n| (n.clone(), fs::read(out.join(&n)).unwrap()))
        .collect();

    tmpfs.remount("ro");
    let refused = tarjama_run(ws.path(), &out, &["--force"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("tarjama: error: ")
            && lines[0].contains(out.to_str().unwrap())
            && lines[0].contains("Read-only file system"),
        "{stderr}"
    );
    let after: Vec<(String, Vec<u8>)> = names(&out)
        .into_iter()
        .map(|n| (n.clone(), fs::read(out.join(&n)).unwrap()))
        .collect();
    assert_eq!(before, after);

    // A folder that does not exist yet on a read-only file system.
    let missing = out.join("sub");
    let refused = tarjama_run(ws.path(), &missing, &[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.trim().lines().count() == 1
            && stderr.contains(missing.to_str().unwrap())
            && stderr.contains("Read-only file system"),
        "{stderr}"
    );
}
