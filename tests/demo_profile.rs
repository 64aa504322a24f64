//! The demo profile end to end: Qwen2.5-Coder-1.5B-Instruct from PyPI
//! translates and summarizes a short Arabic article written for this test
//! (not a seed), prompted with the chat template inside its GGUF, and the
//! run writes the article's record, page and the brief. Two runs give
//! byte-identical files. Needs `scripts/fetch-demo-model.sh` (CI runs it).
//!
//! What is asserted of the English is what the demo promises: English
//! (no Arabic letters left), about the article (the river and the city it
//! names), every check that failed named in the record. Not its quality.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::command::{assert_success, tarjama_command};
use common::fixtures::{catalog, qwen_coder_model};
use common::workspace::empty_workspace;
use tarjama::output::markdown::escape;
use tarjama::output::record::Record;
use tarjama::text::script::is_arabic_letter;

/// A bridge opened over the Nile at Aswan: a headline and one paragraph
/// of two sentences, written for this test.
const ARTICLE: &str = "افتتاح جسر جديد على نهر النيل في أسوان\n\
افتتح محافظ أسوان يوم الثلاثاء جسرا جديدا على نهر النيل يربط ضفتي المدينة. \
وقال المحافظ إن الجسر سيختصر زمن الرحلة بين الضفتين من ساعة إلى عشر دقائق.\n";

/// `tarjama args… --profile demo --catalog models.toml` in `cwd`.
fn tarjama_demo(args: &[&str], cwd: &Path) -> Output {
    let catalog = catalog();
    tarjama_command(cwd)
        .args(args)
        .args(["--profile", "demo", "--catalog", catalog.to_str().unwrap()])
        .output()
        .unwrap()
}

#[test]
fn demo_profile_translates_summarizes_and_briefs_deterministically() {
    qwen_coder_model(); // fails here if scripts/fetch-demo-model.sh was not run
    let dir = empty_workspace();
    fs::write(dir.path().join("in/bridge.txt"), ARTICLE).unwrap();
    assert_success(&tarjama_demo(&["run", "in", "--out", "out1"], dir.path()));
    assert_success(&tarjama_demo(&["run", "in", "--out", "out2"], dir.path()));
    for name in [
        "bridge.json",
        "bridge.md",
        "bridge.html",
        "brief.md",
        "brief.html",
    ] {
        let a = fs::read(dir.path().join("out1").join(name)).unwrap();
        let b = fs::read(dir.path().join("out2").join(name)).unwrap();
        assert!(a == b, "{name} differs between two runs");
    }

    let record = Record::read(&dir.path().join("out1/bridge.json")).unwrap();
    assert!(record.is_intact());
    assert_eq!(
        record.translators[0].model.name,
        "qwen2.5-coder-1.5b-instruct"
    );
    assert_eq!(
        record.translators[0].model.files["qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"],
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    );
    assert_eq!(record.paragraphs.len(), 2);
    let english: Vec<&str> = record
        .paragraphs
        .iter()
        .map(|p| p.translation.as_str())
        .collect();
    for text in &english {
        assert!(!text.trim().is_empty(), "{english:?}");
        assert!(!text.chars().any(is_arabic_letter), "{english:?}");
    }
    // Aswan, the Nile and the governor are in the Arabic: no name of the
    // translation lacks a counterpart there.
    for sentence in record.paragraphs.iter().flat_map(|p| &p.sentences) {
        assert!(sentence.names_not_in_source.is_empty(), "{sentence:?}");
    }
    let joined = english.join("\n");
    for word in ["Nile", "Aswan"] {
        assert!(joined.contains(word), "{word} missing from {joined:?}");
    }

    let summary = record
        .summary
        .as_ref()
        .expect("the demo profile summarizes");
    assert!(!summary.text.trim().is_empty());
    assert!(!summary.text.chars().any(is_arabic_letter), "{summary:?}");
    let md = fs::read_to_string(dir.path().join("out1/bridge.md")).unwrap();
    assert!(
        md.contains(&format!("**Summary.** {}", escape(&summary.text))),
        "{md}"
    );
    if summary.model_attempt.is_some() {
        assert!(md.contains(&format!("*Summary: {}.*", escape(&summary.shown_label()))));
    } else {
        assert!(!summary.has_failed_check(), "{summary:?}");
    }

    // The brief names the article and shows its summary.
    let brief = fs::read_to_string(dir.path().join("out1/brief.md")).unwrap();
    assert!(brief.contains("bridge"), "{brief}");
}

/// The demo model reads other languages when told which: a Hebrew and a
/// Persian article written for the language tests
/// (`tests/fixtures/languages/articles/`), translated without summaries.
/// What is asserted is that the English is English and about the article
/// (a place each one names), and that the record names the language.
#[test]
fn demo_profile_translates_hebrew_and_persian_told_the_language() {
    qwen_coder_model();
    let dir = empty_workspace();
    let articles = common::fixtures::root().join("tests/fixtures/languages/articles");
    for (file, language, script, named) in [
        (
            "he_trains.txt",
            "he",
            tarjama::text::script::Script::Hebrew,
            "Tel Aviv",
        ),
        (
            "fa_library.txt",
            "fa",
            tarjama::text::script::Script::Arabic,
            "librar",
        ),
    ] {
        let path = articles.join(file);
        let output = tarjama_demo(
            &[
                "translate",
                path.to_str().unwrap(),
                "--json",
                "--summarizer",
                "none",
            ],
            dir.path(),
        );
        assert_success(&output);
        let record: Record = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(record.source.language.code, language);
        assert_eq!(record.translators[0].languages, [language]);
        let english: Vec<&str> = record
            .paragraphs
            .iter()
            .map(|p| p.translation.as_str())
            .collect();
        let joined = english.join(" ");
        assert!(english.iter().all(|p| !p.trim().is_empty()), "{joined}");
        assert!(!joined.chars().any(|c| script.has_letter(c)), "{joined}");
        assert!(joined.contains(named), "{file}: {joined}");
    }
}
