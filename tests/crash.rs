//! Interrupted and concurrent runs lose nothing: SIGKILL at seeded random
//! moments never leaves a partial or corrupt file, a plain rerun finishes
//! the job with the same bytes as an uninterrupted run, SIGTERM stops
//! cleanly, and two runs never write one folder at once.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tarjama::output::record::Record;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// 40 articles: the five seeds, eight times each under other names, so a
/// run lasts long enough to be interrupted in its middle.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    fs::create_dir(&input).unwrap();
    for copy in 0..8 {
        for entry in fs::read_dir(root().join("seeds")).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{copy}_{}", entry.file_name().to_string_lossy());
            fs::copy(entry.path(), input.join(name)).unwrap();
        }
    }
    dir
}

fn command(dir: &Path, out: &str, extra: &[&str]) -> Command {
    let model = root().join("tests/fixtures/marian/tiny-base");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tarjama"));
    cmd.args([
        "run",
        "in",
        "--out",
        out,
        "--model-dir",
        model.to_str().unwrap(),
        "--quiet",
    ])
    .args(extra)
    .current_dir(dir)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

/// A small deterministic generator for the kill moments.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
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
            for line in fs::read_to_string(&path).unwrap().lines() {
                serde_json::from_str::<serde_json::Value>(line)
                    .unwrap_or_else(|e| panic!("manifest: {e}: {line}"));
            }
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
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let full = started.elapsed();
    let (out, reference) = (ws.path().join("out"), ws.path().join("reference"));

    let mut random = Lcg(20261122);
    for _ in 0..20 {
        let mut child: Child = command(ws.path(), "out", &[]).spawn().unwrap();
        let delay = Duration::from_millis(random.next() % (full.as_millis() as u64 + 1));
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_nothing_partial(&out, &reference);
    }
    let rerun = command(ws.path(), "out", &[]).output().unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
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
        assert!(
            waited.status.success(),
            "{}",
            String::from_utf8_lossy(&waited.stderr)
        );
    } else {
        // Only possible if the first run finished in the meantime.
        first_done = first.wait_with_output().unwrap();
        assert!(refused.status.success());
    }
    assert!(first_done.status.success());
    assert_eq!(
        fs::read_dir(ws.path().join("out"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "json")
            })
            .count(),
        40
    );
}
