//! The command line end to end, on the tiny random-weight checkpoint in
//! `tests/fixtures/marian/tiny-base` (its English is noise; the structure,
//! spans, hashes, skipping and error handling are what is tested).

mod common;

use std::fs;
use std::path::Path;
use std::process::Stdio;

use common::command::{assert_success, stderr, tarjama, tarjama_command};
use common::encodings::utf16;
use common::fixtures::{root, tiny_base};
use common::outputs::{files_with_extension, printed_english};
use common::workspace::workspace;
use tarjama::files::sha256_file;
use tarjama::output::record::Record;

fn run_args<'a>(model: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["run", "in", "--out", out, "--model-dir", model];
    args.extend_from_slice(extra);
    args
}

fn records(out: &Path) -> Vec<Record> {
    files_with_extension(out, "json")
        .iter()
        .map(|p| Record::read(p).unwrap())
        .collect()
}

#[test]
fn run_writes_true_records_then_skips_current_ones() {
    let ws = workspace();
    let model = tiny_base();
    let model = model.to_str().unwrap();
    let first = tarjama(&run_args(model, "out", &[]), ws.path());
    assert_success(&first);
    assert!(
        stderr(&first).contains("translated 5, up to date 0, failed 0"),
        "{}",
        stderr(&first)
    );

    let out = ws.path().join("out");
    let records = records(&out);
    assert_eq!(records.len(), 5);
    for record in &records {
        assert!(record.is_intact(), "{}", record.id);
        let source = ws.path().join(&record.source.path);
        assert_eq!(record.source.sha256, sha256_file(&source).unwrap());
        assert_eq!(record.source.encoding, "utf-8");
        let text = fs::read_to_string(&source).unwrap();
        assert!(out.join(format!("{}.md", record.id)).is_file());
        for paragraph in &record.paragraphs {
            let [start, end] = paragraph.span;
            assert_eq!(paragraph.source, text[start..end]);
            // The sentence spans tile the paragraph: nothing lost or doubled.
            let mut at = start;
            for sentence in &paragraph.sentences {
                assert_eq!(sentence.span[0], at);
                assert_eq!(sentence.source, text[sentence.span[0]..sentence.span[1]]);
                at = sentence.span[1];
            }
            assert_eq!(at, end);
        }
    }
    // Debris is listed, not silently dropped.
    let seed001 = records.iter().find(|r| r.id.starts_with("001")).unwrap();
    let reasons: Vec<&str> = seed001.removed.iter().map(|r| r.reason.as_str()).collect();
    assert!(
        reasons.contains(&"footer") && reasons.contains(&"section-header"),
        "{reasons:?}"
    );

    let manifest = fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    assert_eq!(manifest.lines().count(), 5);
    assert!(manifest
        .lines()
        .all(|l| l.contains("\"status\":\"translated\"")));

    let second = tarjama(&run_args(model, "out", &[]), ws.path());
    assert!(second.status.success());
    assert!(
        stderr(&second).contains("translated 0, up to date 5, failed 0"),
        "{}",
        stderr(&second)
    );

    // A changed source is redone, the others are not.
    let changed = ws.path().join("in/003_96083f8a8e168996.txt");
    let mut bytes = fs::read(&changed).unwrap();
    bytes.extend_from_slice("\nوقال الوزير إن المحادثات مستمرة.\n".as_bytes());
    fs::write(&changed, bytes).unwrap();
    let third = tarjama(&run_args(model, "out", &[]), ws.path());
    assert!(
        stderr(&third).contains("translated 1, up to date 4, failed 0"),
        "{}",
        stderr(&third)
    );

    let forced = tarjama(&run_args(model, "out", &["--force"]), ws.path());
    assert!(
        stderr(&forced).contains("translated 5, up to date 0, failed 0"),
        "{}",
        stderr(&forced)
    );
}

#[test]
fn outputs_are_byte_identical_whatever_the_thread_count() {
    let ws = workspace();
    let model = tiny_base();
    let model = model.to_str().unwrap();
    let one = tarjama(&run_args(model, "out1", &["--jobs", "1"]), ws.path());
    let two = tarjama(&run_args(model, "out2", &["--jobs", "2"]), ws.path());
    assert!(one.status.success() && two.status.success());
    let mut compared = 0;
    for entry in fs::read_dir(ws.path().join("out1")).unwrap() {
        let name = entry.unwrap().file_name();
        // The manifest may hold times; the lock file holds a pid.
        if name == "manifest.jsonl" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        let a = fs::read(ws.path().join("out1").join(&name)).unwrap();
        let b = fs::read(ws.path().join("out2").join(&name)).unwrap();
        assert!(a == b, "{name:?} differs between --jobs 1 and --jobs 2");
        compared += 1;
    }
    // Per article .json, .md and .html (5 × 3), then brief.md and brief.html.
    assert_eq!(compared, 17);
}

#[test]
fn bad_articles_fail_alone_with_one_line_each() {
    let ws = workspace();
    let dir = ws.path().join("in");
    fs::write(dir.join("empty.txt"), b"").unwrap();
    fs::write(dir.join("blank.txt"), b"  \n\t\n").unwrap();
    fs::write(
        dir.join("binary.txt"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    )
    .unwrap();
    // The same Arabic sentence in Windows-1256 and in UTF-16 LE with BOM.
    let sentence = "قال الوزير إن التنسيق مستمر.\r\n";
    let (cp1256, _, _) = encoding_rs::WINDOWS_1256.encode(sentence);
    fs::write(dir.join("legacy.txt"), &cp1256).unwrap();
    fs::write(dir.join("wide.txt"), utf16(sentence, false)).unwrap();

    let model = tiny_base();
    let output = tarjama(&run_args(model.to_str().unwrap(), "out", &[]), ws.path());
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("translated 7, up to date 0, failed 3"),
        "{err}"
    );
    for (file, reason) in [
        ("empty.txt", "empty"),
        ("blank.txt", "whitespace"),
        ("binary.txt", "binary"),
    ] {
        let line = err
            .lines()
            .find(|l| l.starts_with("tarjama: failed:") && l.contains(file))
            .unwrap_or_else(|| panic!("no failure line for {file}: {err}"));
        assert!(line.contains(reason), "{line}");
    }
    let out = ws.path().join("out");
    let legacy = Record::read(&out.join("legacy.json")).unwrap();
    let wide = Record::read(&out.join("wide.json")).unwrap();
    assert_eq!(legacy.source.encoding, "windows-1256");
    assert_eq!(wide.source.encoding, "utf-16le");
    // Decoded the same, so translated the same.
    assert_eq!(legacy.paragraphs, wide.paragraphs);
    let manifest = fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    assert_eq!(
        manifest
            .lines()
            .filter(|l| l.contains("\"status\":\"failed\""))
            .count(),
        3
    );
}

#[test]
fn translate_prints_paragraphs_and_writes_nothing() {
    let ws = workspace();
    let model = tiny_base();
    let model = model.to_str().unwrap();
    let file = "in/004_2dad6acffa85f88d.txt";
    let before: Vec<_> = fs::read_dir(ws.path()).unwrap().collect();
    let text = tarjama(&["translate", file, "--model-dir", model], ws.path());
    assert_success(&text);
    let json = tarjama(
        &["translate", file, "--json", "--model-dir", model],
        ws.path(),
    );
    let record: Record = serde_json::from_slice(&json.stdout).unwrap();
    assert!(record.is_intact());
    assert_eq!(
        String::from_utf8(text.stdout).unwrap(),
        printed_english(&record)
    );
    assert_eq!(fs::read_dir(ws.path()).unwrap().count(), before.len());

    // Standard input gives the same English.
    let mut child = tarjama_command(ws.path())
        .args(["translate", "-", "--model-dir", model])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut child.stdin.take().unwrap(),
        &fs::read(ws.path().join(file)).unwrap(),
    )
    .unwrap();
    let piped = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8(piped.stdout).unwrap(),
        printed_english(&record)
    );
}

#[test]
fn a_closed_stdout_pipe_is_not_an_error() {
    let ws = workspace();
    let model = tiny_base();
    let mut child = tarjama_command(ws.path())
        .args([
            "translate",
            "in/002_a4337a132dd5787c.txt",
            "--model-dir",
            model.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_success(&output);
    assert!(!stderr(&output).contains("panicked"));
}

#[test]
fn verify_finds_stale_and_damaged_records() {
    let ws = workspace();
    let model = tiny_base();
    let run = tarjama(&run_args(model.to_str().unwrap(), "out", &[]), ws.path());
    assert!(run.status.success());
    let clean = tarjama(&["verify", "out"], ws.path());
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );

    fs::write(ws.path().join("in/000_fe7b7ba883e9e990.txt"), "نص آخر.\n").unwrap();
    fs::remove_file(ws.path().join("in/001_d0c9e97734a90cd3.txt")).unwrap();
    let damaged = ws.path().join("out/002_a4337a132dd5787c.json");
    let edited = fs::read_to_string(&damaged).unwrap().replacen(
        "\"translation\": \"",
        "\"translation\": \"x",
        1,
    );
    fs::write(&damaged, edited).unwrap();

    let report = tarjama(&["verify", "out"], ws.path());
    assert_eq!(report.status.code(), Some(1));
    let stdout = String::from_utf8(report.stdout).unwrap();
    assert!(
        stdout.lines().any(|l| l.starts_with("stale:")
            && l.contains("000_fe7b7ba883e9e990")
            && l.contains("changed")),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("stale:")
            && l.contains("001_d0c9e97734a90cd3")
            && l.contains("gone")),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("damaged:") && l.contains("002_a4337a132dd5787c")),
        "{stdout}"
    );
}

#[test]
fn a_missing_model_is_one_clear_line_and_exit_code_3() {
    let ws = workspace();
    let output = tarjama(&["run", "in", "--model-dir", "no/such/dir"], ws.path());
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no/such/dir"), "{err}");
    assert!(!ws.path().join("outputs").exists());
}

/// The isolation every test here runs under (`tests/common/command.rs`): a
/// model that only the hub has is not found, even where the machine's own
/// cache holds it, and nothing is fetched or cached.
#[test]
fn the_test_command_has_an_empty_model_cache_and_stays_offline() {
    let ws = workspace();
    let output = tarjama(&["run", "in", "--out", "out"], ws.path());
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is not in the Hugging Face cache and HF_HUB_OFFLINE is set"),
        "{}",
        stderr(&output)
    );
    assert!(!ws.path().join("no-hf-home").exists());
    assert!(!ws.path().join("out").exists());
}

#[test]
fn help_documents_exit_codes() {
    let help = tarjama(&["run", "--help"], &root());
    let text = String::from_utf8(help.stdout).unwrap();
    assert!(
        text.contains("Exit codes:") && text.contains("3  the model"),
        "{text}"
    );
}

/// `--summarizer none` (the summarizer's `Off` arm): records hold no
/// summary and their Markdown shows none; a rerun with the same choice
/// skips them, and one that asks for summaries redoes them.
#[test]
fn summarizer_none_writes_records_without_summaries() {
    let ws = workspace();
    let model = tiny_base();
    let model = model.to_str().unwrap();
    let none = ["--summarizer", "none"];
    assert_success(&tarjama(&run_args(model, "out", &none), ws.path()));
    let out = ws.path().join("out");
    for record in records(&out) {
        assert!(record.is_intact(), "{}", record.id);
        assert!(record.summary.is_none(), "{}", record.id);
        let md = fs::read_to_string(out.join(format!("{}.md", record.id))).unwrap();
        assert!(!md.contains("**Summary.**"), "{}", record.id);
    }

    let again = tarjama(&run_args(model, "out", &none), ws.path());
    assert!(
        stderr(&again).contains("translated 0, up to date 5"),
        "{}",
        stderr(&again)
    );
    let summarized = tarjama(&run_args(model, "out", &[]), ws.path());
    assert!(
        stderr(&summarized).contains("translated 5, up to date 0"),
        "{}",
        stderr(&summarized)
    );
    assert!(records(&out).iter().all(|r| r.summary.is_some()));
}
