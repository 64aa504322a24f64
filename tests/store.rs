//! Inputs and outputs given as object-store URLs, through the store code
//! path (`file://` URLs go through object_store's LocalFileSystem, as
//! `s3://` goes through its S3 client): a run gives the records a run with
//! plain paths gives, except that each names its source by URL; a rerun
//! skips what is current; `verify` and `brief` read the store. The tiny
//! random-weight checkpoint in `tests/fixtures/marian/tiny-base` is the
//! model (its English is noise; the bytes are what is compared).

mod common;

use std::fs;
use std::path::Path;

use common::command::{assert_success, stderr, tarjama};
use common::fixtures::tiny_base;
use common::outputs::files_with_extension;
use common::workspace::workspace;
use tarjama::output::record::Record;

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The record's JSON with its source path and its own hash (which covers
/// the path) left out: what must not depend on where the source was read.
fn without_source_path(record: &Record) -> serde_json::Value {
    let mut value = serde_json::to_value(record).unwrap();
    value["source"]["path"] = serde_json::Value::Null;
    value["record_sha256"] = serde_json::Value::Null;
    value
}

/// The run succeeded and its summary line has these counts.
#[track_caller]
fn assert_ended_with(run: &std::process::Output, counts: &str) {
    assert_success(run);
    assert!(stderr(run).contains(counts), "{}", stderr(run));
}

/// `tarjama run INPUT --out OUT` with the tiny fixture checkpoint, in `ws`.
fn run_into(ws: &Path, input: &str, out: &str) -> std::process::Output {
    let model = tiny_base();
    let model = model.to_str().unwrap();
    tarjama(&["run", input, "--out", out, "--model-dir", model], ws)
}

#[test]
fn a_run_over_file_urls_matches_a_run_over_paths_but_names_its_sources_by_url() {
    let ws = workspace();
    let model = tiny_base();
    let model = model.to_str().unwrap();
    assert_success(&run_into(ws.path(), "in", "plain"));
    let input_url = file_url(&ws.path().join("in"));
    let out_url = file_url(&ws.path().join("stored"));
    let args = ["run", &input_url, "--out", &out_url, "--model-dir", model];
    let stored = tarjama(&args, ws.path());
    assert_ended_with(&stored, "translated 5, up to date 0, failed 0");

    let (plain_dir, stored_dir) = (ws.path().join("plain"), ws.path().join("stored"));
    // Pages show the source's name and the record's hash, which covers it.
    let mut as_plain = vec![(format!("{input_url}/"), "in/".to_string())];
    for path in files_with_extension(&plain_dir, "json") {
        let name = path.file_name().unwrap();
        let a = Record::read(&path).unwrap();
        let b = Record::read(&stored_dir.join(name)).unwrap();
        as_plain.push((b.record_sha256, a.record_sha256));
    }
    let mut compared = 0;
    for entry in fs::read_dir(&plain_dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        // The manifest names inputs by URL too; the lock file holds a pid.
        if name == "manifest.jsonl" || name.starts_with('.') {
            continue;
        }
        let a = fs::read(plain_dir.join(&name)).unwrap();
        let b = fs::read(stored_dir.join(&name)).unwrap();
        if name.ends_with(".json") {
            let a: Record = serde_json::from_slice(&a).unwrap();
            let b: Record = serde_json::from_slice(&b).unwrap();
            assert!(b.is_intact(), "{name}");
            assert_eq!(b.source.path, format!("{input_url}/{}.txt", b.id));
            assert_eq!(a.source.path, format!("in/{}.txt", a.id));
            assert_eq!(without_source_path(&a), without_source_path(&b), "{name}");
        } else {
            let b = as_plain
                .iter()
                .fold(String::from_utf8(b).unwrap(), |b, (stored, plain)| {
                    b.replace(stored, plain)
                });
            assert!(String::from_utf8(a).unwrap() == b, "{name} differs");
        }
        compared += 1;
    }
    // Per article .json, .md and .html (5 × 3), then brief.md and brief.html.
    assert_eq!(compared, 17);
    let manifest = fs::read_to_string(stored_dir.join("manifest.jsonl")).unwrap();
    assert!(
        manifest.contains(&format!("\"path\":\"{input_url}/")),
        "{manifest}"
    );
    // No lock file and no lease is left in the store.
    assert!(!stored_dir.join(".tarjama.lock").exists());
    assert!(!stored_dir.join("shards/lease-all.json").exists());

    // Skipping what is current works against the store.
    let again = tarjama(&args, ws.path());
    assert_ended_with(&again, "translated 0, up to date 5, failed 0");

    // verify re-hashes the source objects; a changed one is stale.
    let verified = tarjama(&["verify", &out_url], ws.path());
    assert_success(&verified);
    let changed = ws.path().join("in/003_96083f8a8e168996.txt");
    fs::write(&changed, "تغير النص.\n").unwrap();
    let verified = tarjama(&["verify", &out_url], ws.path());
    let report = String::from_utf8_lossy(&verified.stdout);
    assert_eq!(verified.status.code(), Some(1), "{report}");
    assert!(
        report.contains(&format!(
            "stale: {out_url}/003_96083f8a8e168996.json: source {input_url}/003_96083f8a8e168996.txt changed"
        )),
        "{report}"
    );

    // The brief is written into the store.
    fs::remove_file(stored_dir.join("brief.html")).unwrap();
    let brief = tarjama(&["brief", &out_url], ws.path());
    assert_success(&brief);
    assert!(
        stderr(&brief).contains(&format!("{out_url}/brief.html")),
        "{}",
        stderr(&brief)
    );
    assert!(stored_dir.join("brief.html").is_file());
}

#[test]
fn an_unknown_scheme_is_one_clear_line_and_exit_code_2() {
    let ws = workspace();
    let output = tarjama(&["run", "in", "--out", "ftp://host/out"], ws.path());
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("ftp://host/out: unknown location scheme ftp://"),
        "{err}"
    );
    assert!(!ws.path().join("ftp:").exists());
}

#[test]
fn a_missing_store_prefix_is_reported_and_the_run_goes_on() {
    let ws = workspace();
    let model = tiny_base();
    let missing = file_url(&ws.path().join("nowhere"));
    let output = tarjama(
        &[
            "run",
            "in/000_fe7b7ba883e9e990.txt",
            &missing,
            "--out",
            "out",
            "--model-dir",
            model.to_str().unwrap(),
            "--no-brief",
        ],
        ws.path(),
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("translated 1, up to date 0, failed 1"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{missing}: no such object or prefix")),
        "{err}"
    );
}

/// Names are stored as they are: an article called "مكتبة الإسكندرية"
/// (Arabic, with a space) is `مكتبة الإسكندرية.json` in the store as on
/// disk, not its percent-encoded form, so the brief finds it again and a
/// folder written through the store is byte for byte a plain run's.
#[test]
fn an_output_url_holds_the_same_names_and_bytes_as_a_folder() {
    let ws = workspace();
    let input = ws.path().join("in");
    fs::rename(
        input.join("003_96083f8a8e168996.txt"),
        input.join("مكتبة الإسكندرية.txt"),
    )
    .unwrap();
    assert_success(&run_into(ws.path(), "in", "plain"));
    let out_url = file_url(&ws.path().join("stored"));
    let stored = run_into(ws.path(), "in", &out_url);
    assert_success(&stored);
    assert!(!stderr(&stored).contains("skips"), "{}", stderr(&stored));
    let names = |dir: &Path| {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.') && n != "shards")
            .collect();
        names.sort();
        names
    };
    let (plain_dir, stored_dir) = (ws.path().join("plain"), ws.path().join("stored"));
    assert_eq!(names(&plain_dir), names(&stored_dir));
    assert!(stored_dir.join("مكتبة الإسكندرية.json").is_file());
    for name in names(&plain_dir) {
        let a = fs::read(plain_dir.join(&name)).unwrap();
        let b = fs::read(stored_dir.join(&name)).unwrap();
        assert!(a == b, "{name} differs");
    }
}
