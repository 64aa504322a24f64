//! Interrupted and concurrent runs lose nothing: SIGKILL at seeded random
//! moments never leaves a partial or corrupt file, a plain rerun finishes
//! the job with the same bytes as an uninterrupted run, SIGTERM stops
//! cleanly, and two runs never write one folder at once.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::command::{assert_success, run_command};
use common::fixtures::tiny_base;
use common::outputs::{assert_manifest_lines_are_json, files_with_extension};
use common::random::Lcg;
use common::workspace::workspace_with_copies;
use tarjama::output::record::Record;

/// 40 articles: the five seeds, eight times each under other names, so a
/// run lasts long enough to be interrupted in its middle.
fn workspace() -> tempfile::TempDir {
    workspace_with_copies(8)
}

fn command(dir: &Path, out: &str, extra: &[&str]) -> Command {
    let mut cmd = run_command(dir, out, &tiny_base());
    cmd.arg("--quiet")
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Every visible file in `out` is whole: records parse and their own
/// hash matches, `.md` files are byte-identical to the uninterrupted run's,
/// the manifest's lines are JSON.
fn assert_nothing_partial(out: &Path, reference: &Path) {
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue; // the lock file and temp files of interrupted writes
        }
        if name.ends_with(".json") {
            let record = Record::read(&path).unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert!(record.is_intact(), "{name} is damaged");
        } else if name.ends_with(".md") {
            assert_eq!(
                fs::read(&path).unwrap(),
                fs::read(reference.join(&name)).unwrap(),
                "{name} is partial"
            );
        } else if name == "manifest.jsonl" {
            assert_manifest_lines_are_json(&path);
        }
    }
}

fn assert_same_outputs(out: &Path, reference: &Path) {
    let mut compared = 0;
    for entry in fs::read_dir(reference).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") || name.ends_with(".md") || name.ends_with(".html") {
            assert_eq!(
                fs::read(out.join(&name)).unwrap(),
                fs::read(reference.join(&name)).unwrap(),
                "{name}"
            );
            compared += 1;
        }
    }
    // 40 articles × (.json, .md, .html), then brief.md and brief.html.
    assert_eq!(compared, 122);
}

#[test]
fn sigkill_at_random_moments_loses_nothing() {
    let ws = workspace();
    let started = Instant::now();
    let reference = command(ws.path(), "reference", &[]).output().unwrap();
    assert_success(&reference);
    let full = started.elapsed();
    let (out, reference) = (ws.path().join("out"), ws.path().join("reference"));

    let mut random = Lcg(20261122);
    for _ in 0..20 {
        let mut child: Child = command(ws.path(), "out", &[]).spawn().unwrap();
        let delay =
            Duration::from_millis((random.next_state() >> 33) % (full.as_millis() as u64 + 1));
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_nothing_partial(&out, &reference);
    }
    let rerun = command(ws.path(), "out", &[]).output().unwrap();
    assert_success(&rerun);
    assert_same_outputs(&out, &reference);
}

#[test]
fn sigterm_stops_cleanly_and_a_rerun_resumes() {
    let ws = workspace();
    let reference = command(ws.path(), "reference", &[]).output().unwrap();
    assert!(reference.status.success());
    let out = ws.path().join("out");
    let child = command(ws.path(), "out", &[]).spawn().unwrap();
    // Let the first wave start, then ask politely.
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let stopped = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&stopped.stderr);
    match stopped.status.code() {
        Some(130) => assert!(stderr.contains("run the same command again"), "{stderr}"),
        Some(0) => {} // it finished before the signal arrived
        other => panic!("exit {other:?}: {stderr}"),
    }
    assert_nothing_partial(&out, &ws.path().join("reference"));
    let rerun = command(ws.path(), "out", &[]).output().unwrap();
    assert!(rerun.status.success());
    assert_same_outputs(&out, &ws.path().join("reference"));
}

#[test]
fn a_second_run_on_the_same_folder_stops_or_waits() {
    let ws = workspace();
    let first = command(ws.path(), "out", &[]).spawn().unwrap();
    // Wait until the first run holds the lock (its pid is in the file).
    let lock = ws.path().join("out/.tarjama.lock");
    let deadline = Instant::now() + Duration::from_secs(30);
    while fs::read_to_string(&lock).map_or(true, |t| !t.contains(&first.id().to_string())) {
        assert!(Instant::now() < deadline, "first run never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let refused = command(ws.path(), "out", &[]).output().unwrap();
    let first_done;
    if refused.status.code() == Some(4) {
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(
            stderr.contains("another tarjama run") && stderr.contains("--wait"),
            "{stderr}"
        );
        let waited = command(ws.path(), "out", &["--wait"]).output().unwrap();
        first_done = first.wait_with_output().unwrap();
        assert_success(&waited);
    } else {
        // Only possible if the first run finished in the meantime.
        first_done = first.wait_with_output().unwrap();
        assert!(refused.status.success());
    }
    assert!(first_done.status.success());
    assert_eq!(
        files_with_extension(&ws.path().join("out"), "json").len(),
        40
    );
}
