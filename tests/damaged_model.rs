//! Damaged models stop a run before any output, with one line naming the
//! file: truncated weights, a config.json that does not fit the weights, a
//! missing tokenizer file, and a catalogued file whose SHA-256 is wrong.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::command::tarjama_command;
use common::fixtures::{seed, tiny_base};
use common::workspace::{copy_files, empty_workspace};

/// A copy of the tiny checkpoint to damage, and one seed to translate.
fn workspace() -> tempfile::TempDir {
    let dir = empty_workspace();
    let model = dir.path().join("model");
    fs::create_dir(&model).unwrap();
    copy_files(&tiny_base(), &model);
    fs::copy(seed("004_2dad6acffa85f88d"), dir.path().join("in/a.txt")).unwrap();
    dir
}

fn run(dir: &Path, extra: &[&str]) -> Output {
    tarjama_command(dir)
        .args(["run", "in", "--out", "out"])
        .args(extra)
        .output()
        .unwrap()
}

fn assert_refused(output: &Output, file: &str, dir: &Path) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(file), "{stderr}");
    assert!(
        !dir.join("out").exists(),
        "output written despite a damaged model"
    );
}

#[test]
fn truncated_weights_are_refused() {
    let ws = workspace();
    let weights = ws.path().join("model/model.safetensors");
    let bytes = fs::read(&weights).unwrap();
    fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    assert_refused(
        &run(ws.path(), &["--model-dir", "model"]),
        "model.safetensors",
        ws.path(),
    );
}

#[test]
fn a_config_that_does_not_fit_the_weights_is_refused() {
    let ws = workspace();
    let config = ws.path().join("model/config.json");
    let text = fs::read_to_string(&config)
        .unwrap()
        .replace("\"encoder_ffn_dim\": 64", "\"encoder_ffn_dim\": 96");
    fs::write(&config, text).unwrap();
    assert_refused(
        &run(ws.path(), &["--model-dir", "model"]),
        "model.safetensors",
        ws.path(),
    );
}

#[test]
fn a_missing_tokenizer_file_is_refused() {
    let ws = workspace();
    fs::remove_file(ws.path().join("model/source.spm")).unwrap();
    assert_refused(
        &run(ws.path(), &["--model-dir", "model"]),
        "source.spm",
        ws.path(),
    );
}

#[test]
fn a_catalogued_file_with_the_wrong_hash_is_refused() {
    let ws = workspace();
    let hash =
        |name: &str| tarjama::files::sha256_file(&ws.path().join("model").join(name)).unwrap();
    let mut files = String::new();
    for name in [
        "config.json",
        "generation_config.json",
        "source.spm",
        "target.spm",
        "vocab.json",
    ] {
        files.push_str(&format!("\"{name}\" = \"{}\"\n", hash(name)));
    }
    files.push_str(&format!("\"model.safetensors\" = \"{}\"\n", "0".repeat(64)));
    fs::write(
        ws.path().join("models.toml"),
        format!(
            "[models.tiny]\nkind = \"marian\"\nrepo = \"local/tiny\"\nrevision = \"{}\"\npath = \"model\"\n\n[models.tiny.files]\n{files}\n\
             [profiles.default]\ndescription = \"test\"\ntranslator = \"tiny\"\nsummarizer = \"extractive\"\n",
            "0".repeat(40)
        ),
    )
    .unwrap();
    let output = run(ws.path(), &[]);
    assert_refused(&output, "model.safetensors", ws.path());
    assert!(String::from_utf8_lossy(&output.stderr).contains("SHA-256"));
}
