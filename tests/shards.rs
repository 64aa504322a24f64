//! A run split into shards (`run --shard I/N`, on as many machines) and
//! joined by `tarjama merge` leaves the same bytes as one run over all the
//! inputs: records, Markdown, manifest, brief and pages. A shard that has
//! not finished is named by `merge`, which then writes nothing and fails;
//! `--shard auto` takes the shard from a Slurm job array or a Kubernetes
//! Indexed Job.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::command::{run_command, stderr, tarjama_command};
use common::fixtures::tiny_base;
use common::workspace::workspace_with_copies;

/// Every file under `dir` (recursively) but the lock files and the shards'
/// own folder, by relative path.
fn outputs(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            if relative == Path::new("shards") || relative == Path::new(".tarjama.lock") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                files.insert(relative, fs::read(&path).unwrap());
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// A workspace with `copies` copies of each seed, one of them in a
/// subfolder, and one input that is not an article (it fails).
fn inputs(copies: usize) -> tempfile::TempDir {
    let ws = workspace_with_copies(copies);
    let input = ws.path().join("in");
    fs::create_dir(input.join("more")).unwrap();
    let moved = fs::read_dir(&input)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_file())
        .unwrap();
    fs::rename(&moved, input.join("more").join(moved.file_name().unwrap())).unwrap();
    fs::write(input.join("empty.txt"), b"").unwrap();
    ws
}

fn shard(ws: &Path, out: &str, shard: &str) -> Output {
    run_command(ws, out, &tiny_base())
        .args(["--quiet", "--shard", shard])
        .output()
        .unwrap()
}

fn merge(ws: &Path, out: &str) -> Output {
    tarjama_command(ws)
        .args(["merge", out, "--model-dir"])
        .arg(tiny_base())
        .output()
        .unwrap()
}

fn part_names(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(out.join("shards"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("part-"))
        .collect();
    names.sort();
    names
}

#[test]
fn three_shards_and_a_merge_leave_the_bytes_of_one_run() {
    let ws = inputs(3);
    let one = run_command(ws.path(), "one", &tiny_base())
        .arg("--quiet")
        .output()
        .unwrap();
    // The empty input fails the run, as it fails its shard and the merge.
    assert_eq!(one.status.code(), Some(1), "{}", stderr(&one));

    let mut taken = 0;
    let mut failed_shards = 0;
    for index in 0..3 {
        let output = shard(ws.path(), "sharded", &format!("{index}/3"));
        let err = stderr(&output);
        let code = output.status.code();
        assert!(code == Some(0) || code == Some(1), "{err}");
        failed_shards += usize::from(code == Some(1));
        assert!(
            err.contains("translated "),
            "shard {index} printed no summary: {err}"
        );
        assert!(!err.contains("brief:"), "a shard wrote a brief: {err}");
        let part: serde_json::Value = serde_json::from_slice(
            &fs::read(
                ws.path()
                    .join(format!("sharded/shards/part-{index}-of-3.json")),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(part["shard"], format!("{index}/3"));
        taken += part["lines"].as_array().unwrap().len();
    }
    // Every input in exactly one shard; the empty one failed one shard.
    assert_eq!(taken, 16);
    assert_eq!(failed_shards, 1);
    assert!(!ws.path().join("sharded/manifest.jsonl").exists());

    let merged = merge(ws.path(), "sharded");
    let err = stderr(&merged);
    assert_eq!(merged.status.code(), Some(1), "{err}");
    assert!(
        err.contains("merged 3 shard(s): 16 input(s), 1 failed"),
        "{err}"
    );
    let one = outputs(&ws.path().join("one"));
    let sharded = outputs(&ws.path().join("sharded"));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        sharded.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &one {
        assert!(sharded[name] == *bytes, "{} differs", name.display());
    }
    assert!(one.contains_key(Path::new("manifest.jsonl")));
    assert!(one.contains_key(Path::new("brief.html")));
    // Merging again (a requeued merge job) gives the same bytes.
    assert_eq!(merge(ws.path(), "sharded").status.code(), Some(1));
    assert!(outputs(&ws.path().join("sharded")) == sharded);
}

#[test]
fn merge_names_a_shard_that_has_not_finished_and_writes_nothing() {
    let ws = inputs(1);
    for index in [0, 2] {
        shard(ws.path(), "out", &format!("{index}/3"));
    }
    let output = merge(ws.path(), "out");
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "missing: shard 1/3 has not finished: no shards/part-1-of-3.json (run it again: --shard 1/3)"
        ),
        "{err}"
    );
    assert!(!ws.path().join("out/manifest.jsonl").exists());
    assert!(!ws.path().join("out/brief.html").exists());

    // A part that says its shard was stopped is named too.
    shard(ws.path(), "out", "1/3");
    let part = ws.path().join("out/shards/part-1-of-3.json");
    let text = fs::read_to_string(&part).unwrap();
    let stopped = text.replacen("\"translated\"", "\"interrupted\"", 1);
    assert_ne!(stopped, text);
    fs::write(&part, stopped).unwrap();
    let err = stderr(&merge(ws.path(), "out"));
    assert!(
        err.contains("shard 1/3 stopped with 1 article(s) not done; run it again: --shard 1/3"),
        "{err}"
    );
    assert!(!ws.path().join("out/manifest.jsonl").exists());

    // Rerunning the shard replaces its part; the merge then goes through.
    shard(ws.path(), "out", "1/3");
    let output = merge(ws.path(), "out");
    assert!(
        stderr(&output).contains("merged 3 shard(s)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_shard_of_another_split_removes_the_stale_parts() {
    let ws = inputs(1);
    for index in 0..3 {
        shard(ws.path(), "out", &format!("{index}/3"));
    }
    assert_eq!(
        part_names(&ws.path().join("out")),
        ["part-0-of-3.json", "part-1-of-3.json", "part-2-of-3.json"]
    );
    shard(ws.path(), "out", "1/2");
    assert_eq!(part_names(&ws.path().join("out")), ["part-1-of-2.json"]);
    let err = stderr(&merge(ws.path(), "out"));
    assert!(err.contains("shard 0/2 has not finished"), "{err}");
}

#[test]
fn shard_auto_reads_slurm_arrays_and_kubernetes_indexed_jobs() {
    let ws = inputs(1);
    for index in 0..3 {
        shard(ws.path(), "explicit", &format!("{index}/3"));
        // A Slurm array numbered 1-3: task ids are not shard numbers.
        let slurm = run_command(ws.path(), "slurm", &tiny_base())
            .args(["--quiet", "--shard", "auto"])
            .env("SLURM_ARRAY_TASK_ID", (index + 1).to_string())
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .env_remove("JOB_COMPLETION_INDEX")
            .output()
            .unwrap();
        assert!(stderr(&slurm).contains("translated "), "{}", stderr(&slurm));
        let kubernetes = run_command(ws.path(), "k8s", &tiny_base())
            .args(["--quiet", "--shard", "auto", "--shard-count", "3"])
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env_remove("SLURM_ARRAY_TASK_ID")
            .output()
            .unwrap();
        assert!(
            stderr(&kubernetes).contains("translated "),
            "{}",
            stderr(&kubernetes)
        );
    }
    for name in part_names(&ws.path().join("explicit")) {
        let explicit = fs::read(ws.path().join("explicit/shards").join(&name)).unwrap();
        for other in ["slurm", "k8s"] {
            let got = fs::read(ws.path().join(other).join("shards").join(&name)).unwrap();
            assert!(got == explicit, "{other}: {name} differs");
        }
    }

    // Without a scheduler, or without the count Kubernetes does not give,
    // `auto` is refused with one line (exit 2) before any work.
    for (env, expected) in [
        (None, "neither SLURM_ARRAY_TASK_ID"),
        (Some(("JOB_COMPLETION_INDEX", "0")), "pass --shard-count N"),
    ] {
        let mut command = run_command(ws.path(), "refused", &tiny_base());
        command
            .args(["--shard", "auto"])
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX");
        if let Some((key, value)) = env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{err}");
        assert!(err.contains(expected), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!ws.path().join("refused").exists());
    }
}

#[test]
fn a_shard_killed_midway_and_run_again_leaves_the_bytes_of_one_run() {
    stopped_and_run_again("KILL");
}

/// SIGTERM lets the wave in hand finish and be written; the shard's part
/// stays unfinished all the same (Slurm's scancel sends it first).
#[test]
fn a_shard_stopped_by_sigterm_and_run_again_leaves_the_bytes_of_one_run() {
    stopped_and_run_again("TERM");
}

/// Stops a shard with `signal` once its first record is written, checks
/// that merge refuses the unfinished shard, runs the shard again and
/// compares the merged folder with one run's.
fn stopped_and_run_again(signal: &str) {
    let ws = workspace_with_copies(7);
    let one = run_command(ws.path(), "one", &tiny_base())
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(one.status.success(), "{}", stderr(&one));

    // Shard 0 of 1 takes every article: killed once its first wave is
    // written (35 articles are three waves), it has left an unfinished part.
    let mut child = run_command(ws.path(), "sharded", &tiny_base())
        .args(["--quiet", "--shard", "0/1"])
        .spawn()
        .unwrap();
    let out = ws.path().join("sharded");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    while !out.exists() || common::outputs::files_with_extension(&out, "json").is_empty() {
        assert!(std::time::Instant::now() < deadline, "no record appeared");
        assert!(child.try_wait().unwrap().is_none(), "the shard ended first");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert!(!status.success(), "{signal}: {status:?}");
    let part = fs::read_to_string(out.join("shards/part-0-of-1.json")).unwrap();
    assert!(part.contains("\"finished\": false"), "{part}");
    let err = stderr(&merge(ws.path(), "sharded"));
    assert!(
        err.contains("shard 0/1 has not finished (still running, or stopped with "),
        "{err}"
    );

    let again = shard(ws.path(), "sharded", "0/1");
    assert!(again.status.success(), "{}", stderr(&again));
    // The second attempt found the first one's records current…
    assert!(
        !stderr(&again).contains("up to date 0,"),
        "{}",
        stderr(&again)
    );
    let merged = merge(ws.path(), "sharded");
    assert!(merged.status.success(), "{}", stderr(&merged));
    // …and the manifest still says "translated" for them, as one run does.
    let one = outputs(&ws.path().join("one"));
    let sharded = outputs(&out);
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        sharded.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &one {
        assert!(sharded[name] == *bytes, "{} differs", name.display());
    }
}
