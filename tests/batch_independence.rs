//! An article's record does not depend on what else is in the batch.
//!
//! Sentences of up to 16 articles are translated together, sorted by length
//! and padded to the longest in their batch, so the same sentence meets
//! different neighbours and different amounts of padding depending on the
//! company its article keeps. Masking must make that invisible: the record
//! of an article run alone is byte-identical to its record run with others,
//! for greedy search and for beam search, on both tiny checkpoints
//! (transformer-base and transformer-big layouts).

mod common;

use std::fs;
use std::path::Path;

use common::command::{assert_success, run_command};
use common::fixtures::marian_fixture;
use common::workspace::empty_workspace;

const ARTICLE: &str = "001_d0c9e97734a90cd3";

/// Runs `tarjama run in --out out` in a fresh folder holding `articles`
/// (name → bytes) and returns the folder.
fn run(articles: &[(String, Vec<u8>)], model: &str, beams: &str) -> tempfile::TempDir {
    let ws = empty_workspace();
    for (name, bytes) in articles {
        fs::write(ws.path().join("in").join(name), bytes).unwrap();
    }
    let output = run_command(ws.path(), "out", &marian_fixture(model))
        .args(["--quiet", "--beams", beams])
        .output()
        .unwrap();
    assert_success(&output);
    ws
}

/// A seed article as (file name, bytes).
fn seed(name: &str) -> (String, Vec<u8>) {
    let path = common::fixtures::seed(name);
    (format!("{name}.txt"), fs::read(path).unwrap())
}

fn record_files(out: &Path) -> (Vec<u8>, Vec<u8>) {
    (
        fs::read(out.join(format!("{ARTICLE}.json"))).unwrap(),
        fs::read(out.join(format!("{ARTICLE}.md"))).unwrap(),
    )
}

#[test]
fn a_record_is_the_same_alone_and_in_any_batch() {
    let alone = vec![seed(ARTICLE)];
    let mut crowded = vec![
        seed("000_fe7b7ba883e9e990"),
        seed(ARTICLE),
        seed("002_a4337a132dd5787c"),
        seed("003_96083f8a8e168996"),
        seed("004_2dad6acffa85f88d"),
    ];
    // Neighbours far longer and far shorter than any of its sentences, so
    // its sentences are padded in one company and not in the other.
    crowded.push((
        "long.txt".into(),
        "ب ".repeat(2_000).trim_end().as_bytes().to_vec(),
    ));
    crowded.push(("short.txt".into(), "قال.\n".as_bytes().to_vec()));
    for (model, beams) in [
        ("tiny-base", "1"),
        ("tiny-base", "4"),
        ("tiny-big", "1"),
        ("tiny-big", "4"),
    ] {
        let one = run(&alone, model, beams);
        let many = run(&crowded, model, beams);
        let (json_one, md_one) = record_files(&one.path().join("out"));
        let (json_many, md_many) = record_files(&many.path().join("out"));
        if json_one != json_many {
            // Name the first sentence that differs, to point at the cause.
            let a: tarjama::output::record::Record = serde_json::from_slice(&json_one).unwrap();
            let b: tarjama::output::record::Record = serde_json::from_slice(&json_many).unwrap();
            let differing = a
                .paragraphs
                .iter()
                .flat_map(|p| &p.sentences)
                .zip(b.paragraphs.iter().flat_map(|p| &p.sentences))
                .find(|(x, y)| x != y);
            panic!(
                "{model}, beams {beams}: records differ; first differing sentence: {differing:#?}"
            );
        }
        assert_eq!(md_one, md_many, "{model}, beams {beams}: .md differs");
    }
}
