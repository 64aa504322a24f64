//! The story corpus (`tests/fixtures/stories/`): Arabic articles from
//! different outlets, their English translations written as a
//! professional translator would (paragraph- and sentence-aligned), and,
//! per story, its articles and the names it holds (`expected/*.toml`).
//!
//! [`story_records`] turns each article into the record a run would
//! write if its translator had given that English: the article is read
//! and segmented by tarjama itself, each sentence gets the English
//! sentence in the same place, names are checked and an extractive
//! summary is made as in a run. So the brief is tested on English a
//! translator could give, not on a fixture model's noise. The translator
//! is named "reference" in the records.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tarjama::input::article::{prepare, Segmenting, SourceArticle};
use tarjama::input::language::IdentifiedLanguage;
use tarjama::input::segment::sentences;
use tarjama::model_store::ModelFingerprint;
use tarjama::output::record::{
    DecodingSettings, ParagraphRecord, Record, SentenceRecord, TranslatorRecord, RECORD_FORMAT,
    VERSION,
};
use tarjama::pipeline::process::{check_names, source_info, totals};
use tarjama::summarize::{Summarizer, SummaryLimits};

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stories")
}

#[derive(Debug, Deserialize)]
pub struct Story {
    pub story: String,
    pub title: String,
    pub article: Vec<StoryArticle>,
    #[serde(default)]
    pub name: Vec<StoryName>,
}

#[derive(Debug, Deserialize)]
pub struct StoryArticle {
    pub id: String,
    pub outlet: String,
    pub date: String,
}

#[derive(Debug, Deserialize)]
pub struct StoryName {
    pub english: String,
    pub kind: String,
    pub arabic: Vec<String>,
    pub articles: Vec<String>,
}

/// The stories of the corpus, by key.
pub fn stories() -> BTreeMap<String, Story> {
    let mut stories = BTreeMap::new();
    let mut paths: Vec<PathBuf> = fs::read_dir(corpus_dir().join("expected"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let story: Story = toml::from_str(&fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        stories.insert(story.story.clone(), story);
    }
    stories
}

/// The Arabic articles of the corpus, sorted.
pub fn article_paths() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(corpus_dir().join("arabic"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
}

/// Every article of the corpus as a sealed record (see the module doc).
pub fn story_records() -> Vec<Record> {
    article_paths()
        .iter()
        .map(|p| reference_record(p))
        .collect()
}

/// The record of the Arabic article at `path`, translated by the English
/// file of the same name in `english/`.
pub fn reference_record(path: &Path) -> Record {
    let english_path = corpus_dir().join("english").join(path.file_name().unwrap());
    let english = fs::read_to_string(&english_path).unwrap();
    let english: Vec<&str> = english.lines().collect();
    let bytes = fs::read(path).unwrap();
    // The path a run over the corpus folder would record.
    let shown = Path::new("stories").join(path.file_name().unwrap());
    let article = SourceArticle::from_bytes(&shown, &bytes).unwrap();
    let words = |s: &str| s.split_whitespace().count();
    let segmenting = Segmenting {
        by_sentence: true,
        max_tokens: usize::MAX,
        count_tokens: &words,
        language: "ar",
    };
    let prepared = prepare(&article.text, &segmenting);
    assert_eq!(
        prepared.paragraphs.len(),
        english.len(),
        "{}: paragraphs",
        english_path.display()
    );
    let mut paragraphs: Vec<ParagraphRecord> = prepared
        .paragraphs
        .iter()
        .zip(&english)
        .enumerate()
        .map(|(i, (para, english))| {
            let english_sentences: Vec<&str> = sentences(english, 0..english.len())
                .into_iter()
                .map(|span| english[span].trim())
                .collect();
            assert_eq!(
                para.pieces.len(),
                english_sentences.len(),
                "{} paragraph {}: sentences",
                english_path.display(),
                i + 1
            );
            let sentences: Vec<SentenceRecord> = para
                .pieces
                .iter()
                .zip(&english_sentences)
                .map(|(piece, translation)| SentenceRecord {
                    span: [piece.span.start, piece.span.end],
                    source: article.text[piece.span.clone()].to_string(),
                    translation: translation.to_string(),
                    source_tokens: piece.model_text.split_whitespace().count(),
                    target_tokens: translation.split_whitespace().count(),
                    copied: false,
                    flags: Vec::new(),
                    names_not_in_source: Vec::new(),
                })
                .collect();
            ParagraphRecord {
                span: [para.span.start, para.span.end],
                source: article.text[para.span.clone()].to_string(),
                language: IdentifiedLanguage::given("ar"),
                model: Some("reference".to_string()),
                translation: english_sentences.join(" "),
                sentences,
            }
        })
        .collect();
    check_names(&article, &mut paragraphs);
    let paragraph_texts: Vec<&str> = paragraphs.iter().map(|p| p.translation.as_str()).collect();
    let sentence_texts: Vec<&str> = paragraphs
        .iter()
        .flat_map(|p| p.sentences.iter().map(|s| s.translation.as_str()))
        .collect();
    let summary = Summarizer::Extractive(SummaryLimits::default())
        .summarize(&paragraph_texts, &sentence_texts)
        .unwrap();
    Record {
        format: RECORD_FORMAT,
        id: article.id.clone(),
        tarjama_version: VERSION.to_string(),
        source: source_info(&article, IdentifiedLanguage::given("ar")),
        removed: prepared.removed,
        totals: totals(&paragraphs),
        paragraphs,
        translators: vec![TranslatorRecord {
            languages: vec!["ar".to_string()],
            model: ModelFingerprint {
                name: "reference".to_string(),
                repo: "tests/fixtures/stories/english".to_string(),
                revision: "written for the tests".to_string(),
                files: BTreeMap::new(),
            },
            decoding: DecodingSettings {
                strategy: "reference".to_string(),
                beams: 0,
                max_length: 0,
                length_penalty: 0.0,
                renormalize_logits: false,
                max_source_tokens: usize::MAX,
                precision: "f32".to_string(),
            },
        }],
        summary,
        record_sha256: String::new(),
    }
    .seal()
    .unwrap()
}

/// Writes `records` into `dir` as a run would (`<id>.json`).
pub fn write_records(dir: &Path, records: &[Record]) {
    fs::create_dir_all(dir).unwrap();
    for record in records {
        fs::write(
            dir.join(format!("{}.json", record.id)),
            record.to_json().unwrap(),
        )
        .unwrap();
    }
}

/// A sealed record `id` whose paragraphs' English is `english`, one
/// paragraph each (the rest is the first story article's, which
/// `tarjama eval` does not read): for scoring given English as if a run
/// had written it.
pub fn record_with_english(id: &str, english: &[&str]) -> Record {
    let mut record = reference_record(&article_paths()[0]);
    record.id = id.to_string();
    record.removed.clear();
    record.paragraphs = english
        .iter()
        .map(|text| ParagraphRecord {
            span: [0, 0],
            source: String::new(),
            language: IdentifiedLanguage::given("ar"),
            model: Some("reference".to_string()),
            translation: text.to_string(),
            sentences: Vec::new(),
        })
        .collect();
    record.totals = totals(&record.paragraphs);
    record.seal().unwrap()
}

/// A sealed record of an article written in `language` (not Arabic), as a
/// run that routed it to a model for that language would write it: one
/// paragraph per `(source, english)` pair, each one sentence, every
/// paragraph in `language` ("en": copied as it is, the English being the
/// source), an extractive summary of the English. The rest (path, hashes)
/// is the first story article's, which the brief does not read.
pub fn record_in_language(id: &str, language: &str, paragraphs: &[(&str, &str)]) -> Record {
    let mut record = reference_record(&article_paths()[0]);
    let copied = language == "en";
    record.id = id.to_string();
    record.removed.clear();
    record.source.language = IdentifiedLanguage::given(language);
    record.translators[0].languages = vec![language.to_string()];
    record.paragraphs = paragraphs
        .iter()
        .map(|&(source, english)| ParagraphRecord {
            span: [0, 0],
            source: source.to_string(),
            language: IdentifiedLanguage::given(language),
            model: (!copied).then(|| "reference".to_string()),
            translation: english.to_string(),
            sentences: vec![SentenceRecord {
                span: [0, 0],
                source: source.to_string(),
                translation: english.to_string(),
                source_tokens: source.split_whitespace().count(),
                target_tokens: english.split_whitespace().count(),
                copied,
                flags: Vec::new(),
                names_not_in_source: Vec::new(),
            }],
        })
        .collect();
    let english: Vec<&str> = paragraphs.iter().map(|&(_, english)| english).collect();
    record.summary = Summarizer::Extractive(SummaryLimits::default())
        .summarize(&english, &english)
        .unwrap();
    record.totals = totals(&record.paragraphs);
    record.seal().unwrap()
}

/// The English of story article `name` (a file of `english/`), by paragraph.
pub fn reference_english(name: &str) -> Vec<String> {
    let path = corpus_dir().join("english").join(name);
    fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}
