//! The tiny profile end to end: Gemma 3 270M (base) from PyPI translates
//! and summarizes a short article through the real GGUF path. Its English
//! is poor; what is tested is that the pipeline runs, records carry the
//! summary and its provenance, and two runs give byte-identical files.
//! Needs `scripts/fetch-demo-model.sh` (CI runs it).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::command::{assert_success, tarjama_command};
use common::fixtures::{catalog, seed, tiny_model};
use common::outputs::printed_english;
use common::workspace::empty_workspace;
use tarjama::llm::ask::{ask_checked, Attempt, Prompt};
use tarjama::llm::LanguageModel;
use tarjama::output::labels::Flag;
use tarjama::output::markdown::escape;
use tarjama::output::record::Record;

/// `tarjama args… --profile tiny --catalog models.toml` in `cwd`.
fn tarjama_tiny(args: &[&str], cwd: &Path) -> Output {
    let catalog = catalog();
    tarjama_command(cwd)
        .args(args)
        .args(["--profile", "tiny", "--catalog", catalog.to_str().unwrap()])
        .output()
        .unwrap()
}

/// The first two lines of a seed: a headline and one paragraph, enough to
/// exercise translation and summary without minutes of CPU time.
fn short_article(dir: &Path) -> PathBuf {
    let article = fs::read_to_string(seed("000_fe7b7ba883e9e990")).unwrap();
    let text: Vec<&str> = article.lines().take(2).collect();
    let path = dir.join("in/short.txt");
    fs::write(&path, format!("{}\n", text.join("\n"))).unwrap();
    path
}

#[test]
fn tiny_profile_translates_and_summarizes_deterministically() {
    tiny_model(); // fails here if scripts/fetch-demo-model.sh was not run
    let dir = empty_workspace();
    short_article(dir.path());
    let first = tarjama_tiny(&["run", "in", "--out", "out1"], dir.path());
    assert_success(&first);
    let second = tarjama_tiny(&["run", "in", "--out", "out2"], dir.path());
    assert_success(&second);
    for name in ["short.json", "short.md"] {
        let a = fs::read(dir.path().join("out1").join(name)).unwrap();
        let b = fs::read(dir.path().join("out2").join(name)).unwrap();
        assert!(a == b, "{name} differs between two runs");
    }
    let record = Record::read(&dir.path().join("out1/short.json")).unwrap();
    assert!(record.is_intact());
    assert_eq!(record.translators[0].model.name, "gemma-3-270m");
    assert_eq!(
        record.translators[0].model.files["gemma-3-270m-q4_k_m.gguf"],
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    );
    let summary = record
        .summary
        .as_ref()
        .expect("the tiny profile summarizes");
    assert_eq!(summary.settings.method.as_str(), "model");
    assert!(!summary.text.is_empty());
    assert_eq!(record.paragraphs.len(), 2);
    assert!(record.paragraphs.iter().all(|p| !p.translation.is_empty()));
    let md = fs::read_to_string(dir.path().join("out1/short.md")).unwrap();
    assert!(
        md.contains(&format!("**Summary.** {}", escape(&summary.text))),
        "{md}"
    );
    // What a reader is shown passed its checks, or is the extractive
    // summary with the reason the model's was set aside.
    match &summary.model_attempt {
        Some(attempt) => {
            assert!(!attempt.flags.is_empty());
            assert_ne!(attempt.text, summary.text);
            let label = format!("*Summary: {}.*", escape(&summary.shown_label()));
            assert!(label.contains("extractive (the model's summary failed: "));
            assert!(md.contains(&label), "{md}");
        }
        None => assert!(!summary.has_failed_check(), "{summary:?}"),
    }

    // A rerun with nothing changed does nothing.
    let third = tarjama_tiny(&["run", "in", "--out", "out1"], dir.path());
    assert!(String::from_utf8_lossy(&third.stderr).contains("translated 0, up to date 1"));

    // translate prints the same English the record holds.
    let printed = tarjama_tiny(&["translate", "in/short.txt"], dir.path());
    assert!(printed.status.success());
    assert_eq!(
        String::from_utf8(printed.stdout).unwrap(),
        printed_english(&record)
    );
}

/// A real model's answer cut off by the token limit is flagged
/// `truncated` (and so asked again, more strictly); one that ends at its
/// stop text is not. Gemma 3 270M continues a count well past four tokens,
/// and its next number ends at the comma after it.
#[test]
fn an_answer_cut_off_by_the_token_limit_is_flagged_truncated() {
    let model = LanguageModel::load(&tiny_model(), None).unwrap();
    let count = |_: Attempt| {
        Ok(Prompt {
            text: "one, two, three, four, five, six, seven,".to_string(),
            stop: &[],
        })
    };
    let no_checks = |_: Attempt, _: &str| Vec::new();

    let cut = ask_checked(&model, 4, count, no_checks).unwrap();
    assert!(!cut.completion.finished);
    assert_eq!(cut.completion.generated_tokens, 4);
    assert_eq!(cut.flags, vec![Flag::Retried, Flag::Truncated]);

    let line = |_: Attempt| {
        Ok(Prompt {
            text: "one, two, three, four, five, six, seven,".to_string(),
            stop: &[","],
        })
    };
    let ended = ask_checked(&model, 16, line, no_checks).unwrap();
    assert!(ended.completion.finished, "{:?}", ended.completion.text);
    assert_eq!(ended.flags, Vec::<Flag>::new());
}
