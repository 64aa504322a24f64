//! The per-article output record (`<id>.json`), its readable twin
//! (`<id>.md`), and the atomic write both go through.
//!
//! A record is the unit of truth: the source bytes' SHA-256, what was left
//! out and why, every paragraph and sentence with its byte span and
//! translation, the exact model and decoding settings, and a SHA-256 of the
//! record itself so damage is detectable. Records hold no clock times, so
//! the same inputs give byte-identical files.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::files::sha256_bytes;
use crate::input::language::{language_name, IdentifiedLanguage};
use crate::model_store::ModelFingerprint;
use crate::output::labels::{flag_list, has_failed_check, Flag, Method};
use crate::output::markdown::escape;

/// The tarjama version a record names; a record of another version is redone.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Bumped when the record layout changes, so older records are redone.
/// 2: sentences carry the names their translation has and the Arabic
/// lacks (`names_not_in_source`, flag `name-not-in-source`).
/// 3: languages — the source's and each paragraph's language with its
/// confidence, each paragraph's model, and `translators` (one per model
/// used, with the languages it took) in place of `translator`/`decoding`.
pub const RECORD_FORMAT: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub format: u32,
    pub id: String,
    pub tarjama_version: String,
    pub source: SourceInfo,
    /// Lines (or glued fragments) left out of translation, with the reason.
    pub removed: Vec<RemovedText>,
    pub paragraphs: Vec<ParagraphRecord>,
    /// The models that translated this article's paragraphs, in the order
    /// first used; empty when nothing needed translating (English).
    pub translators: Vec<TranslatorRecord>,
    /// Absent when summaries are switched off.
    pub summary: Option<SummaryRecord>,
    pub totals: Totals,
    /// SHA-256 of this record serialized with this field empty.
    pub record_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: String,
    /// The article's language, as identified (or as `--source-lang` gave it).
    pub language: IdentifiedLanguage,
}

/// One model a record's translations came from: which languages it took
/// (the route), the exact model, and its decoding settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranslatorRecord {
    /// Language codes routed to this model in this article.
    pub languages: Vec<String>,
    pub model: ModelFingerprint,
    pub decoding: DecodingSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedText {
    pub line: usize,
    /// Byte range in the decoded text (UTF-8, line ends normalized to LF).
    pub span: [usize; 2],
    pub text: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParagraphRecord {
    pub span: [usize; 2],
    pub source: String,
    /// The paragraph's language: its own when identification was sure of
    /// it, else the article's (`crate::input::language`).
    pub language: IdentifiedLanguage,
    /// The model (by its `models.toml` name) that translated it; absent
    /// when it was copied as it is (English, or no letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub translation: String,
    pub sentences: Vec<SentenceRecord>,
}

impl ParagraphRecord {
    /// The checks its sentences' translations failed, each once, in flag
    /// order ("retried" alone is a pass and is left out): what a reader
    /// is told beside the paragraph, so a refusal or an echo of the prompt
    /// standing in for a translated sentence is never taken for the text.
    pub fn failed_checks(&self) -> Vec<Flag> {
        let flags: BTreeSet<Flag> = self
            .sentences
            .iter()
            .flat_map(|s| s.flags.iter().copied())
            .filter(|&f| f != Flag::Retried)
            .collect();
        flags.into_iter().collect()
    }

    /// The names its sentences' translations have and the Arabic lacks,
    /// each once, in text order.
    pub fn names_not_in_source(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        self.sentences
            .iter()
            .flat_map(|s| &s.names_not_in_source)
            .map(String::as_str)
            .filter(|n| seen.insert(*n))
            .collect()
    }

    /// What a reader is told beside the paragraph: the checks it failed,
    /// and the names not in the Arabic; `None` when it passed.
    pub fn check_note(&self) -> Option<String> {
        let failed = self.failed_checks();
        if failed.is_empty() {
            return None;
        }
        let mut note = format!(
            "Translation checks failed on this paragraph: {}.",
            flag_list(&failed)
        );
        let names = self.names_not_in_source();
        if !names.is_empty() {
            note.push_str(&format!(" Not in the Arabic: {}.", names.join(", ")));
        }
        Some(note)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceRecord {
    /// Byte range in the decoded text; the sentence spans of a paragraph
    /// tile its span exactly.
    pub span: [usize; 2],
    pub source: String,
    pub translation: String,
    pub source_tokens: usize,
    pub target_tokens: usize,
    /// True when the sentence had no Arabic and was copied, not translated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub copied: bool,
    /// Problems found in a language model's output ("retried" first when
    /// the stricter retry was used), and `name-not-in-source` for any
    /// translator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// Names in the translation with no counterpart in the article's
    /// Arabic (`crate::names::grounding`), in text order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names_not_in_source: Vec<String>,
}

/// The decoding settings that, with the model, decide the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodingSettings {
    /// "greedy" or "beam".
    pub strategy: String,
    pub beams: usize,
    pub max_length: usize,
    pub length_penalty: f64,
    pub renormalize_logits: bool,
    /// Sentences longer than this many source tokens are split at clauses.
    pub max_source_tokens: usize,
    /// Weights of the linear layers: "f32" (left out of the record, so
    /// records from before quantization existed stay current), "int8", "q8",
    /// "q4".
    #[serde(default = "f32_name", skip_serializing_if = "is_f32_name")]
    pub precision: String,
}

fn f32_name() -> String {
    "f32".to_string()
}

fn is_f32_name(name: &str) -> bool {
    name == "f32"
}

/// An article's English summary and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRecord {
    /// The summary readers are shown: the model's when it passed its
    /// checks, else the extractive one (see `model_attempt`).
    pub text: String,
    pub settings: SummarySettings,
    /// Checks `text` failed ("retried" first when the stricter retry was
    /// used); empty when it passed them all.
    pub flags: Vec<Flag>,
    /// The model's summary when it still failed a check after the retry:
    /// kept here with its flags, and not shown. Absent otherwise, so the
    /// records of summaries that passed are as they always were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_attempt: Option<ModelAttempt>,
}

/// A model's summary that failed its checks, and the checks it failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelAttempt {
    pub text: String,
    pub flags: Vec<Flag>,
}

impl SummaryRecord {
    /// How the shown text was made: extractive when the model's summary
    /// was set aside.
    pub fn shown_method(&self) -> Method {
        if self.model_attempt.is_some() {
            Method::Extractive
        } else {
            self.settings.method
        }
    }

    /// The shown text's method in words, with the reason when the model's
    /// summary was set aside: "extractive (the model's summary failed:
    /// too-long, repetitive)".
    pub fn shown_label(&self) -> String {
        match &self.model_attempt {
            Some(attempt) => format!(
                "extractive (the model's summary failed: {})",
                flag_list(&attempt.flags)
            ),
            None => self.settings.method.to_string(),
        }
    }

    /// Whether a check failed somewhere: in the shown text, or in the
    /// model's summary that was set aside.
    pub fn has_failed_check(&self) -> bool {
        self.model_attempt.is_some() || has_failed_check(&self.flags)
    }

    /// Whether the record was made the way this version makes summaries:
    /// a model summary that failed its checks and was shown anyway comes
    /// from before the extractive fallback, and is redone.
    pub fn is_settled(&self) -> bool {
        !(self.settings.method == Method::Model
            && self.model_attempt.is_none()
            && has_failed_check(&self.flags))
    }
}

/// Everything that decides a summary besides the translation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummarySettings {
    pub method: Method,
    pub model: Option<ModelFingerprint>,
    pub max_words: usize,
    pub max_sentences: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub sentences: usize,
    pub source_tokens: usize,
    pub target_tokens: usize,
}

impl TranslatorRecord {
    /// "Persian and Urdu": the languages this model took, by name.
    pub fn language_names(&self) -> String {
        let names: Vec<String> = self.languages.iter().map(|c| language_name(c)).collect();
        names.join(" and ")
    }
}

impl Record {
    /// Fills in `record_sha256`.
    pub fn seal(mut self) -> Result<Self> {
        self.record_sha256 = self.content_hash()?;
        Ok(self)
    }

    fn content_hash(&self) -> Result<String> {
        let mut unsealed = self.clone();
        unsealed.record_sha256 = String::new();
        Ok(sha256_bytes(&unsealed.to_json()?))
    }

    pub fn is_intact(&self) -> bool {
        self.content_hash().is_ok_and(|h| h == self.record_sha256)
    }

    pub fn to_json(&self) -> Result<Vec<u8>> {
        let mut bytes = serde_json::to_vec_pretty(self).context("cannot serialize record")?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    pub fn read(path: &Path) -> Result<Self> {
        let bytes = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::from_slice(&path.display().to_string(), &bytes)
    }

    /// The record in `bytes`, read from `name` (a path or URL, for the
    /// message).
    pub fn from_slice(name: &str, bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).with_context(|| format!("{name} is not a tarjama record"))
    }

    /// Readable English: the translation paragraph by paragraph, then where
    /// it came from. Every text is escaped (`super::markdown`): a source
    /// line copied untranslated, or a model's answer, is data, not markup.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        md.push_str(&format!("# {}\n\n", escape(&self.id)));
        if let Some(summary) = &self.summary {
            md.push_str(&format!("**Summary.** {}\n\n", escape(&summary.text)));
            if summary.model_attempt.is_some() {
                md.push_str(&format!(
                    "*Summary: {}.*\n\n",
                    escape(&summary.shown_label())
                ));
            }
            if !summary.flags.is_empty() {
                md.push_str(&format!(
                    "*Summary checks failed: {}.*\n\n",
                    flag_list(&summary.flags)
                ));
            }
        }
        for paragraph in &self.paragraphs {
            md.push_str(&escape(&paragraph.translation));
            md.push_str("\n\n");
            if let Some(note) = paragraph.check_note() {
                md.push_str(&format!("*{}*\n\n", escape(&note)));
            }
        }
        md.push_str("---\n\n");
        md.push_str(&format!(
            "Source: {} ({} bytes, {}, SHA-256 `{}`)  \n",
            escape(&self.source.path),
            self.source.bytes,
            escape(&self.source.encoding),
            self.source.sha256
        ));
        md.push_str(&format!(
            "Language: {}.  \n",
            escape(&self.source.language.describe())
        ));
        for used in &self.translators {
            md.push_str(&format!(
                "{} translated by {} ({} @ {}), {} with {} beam(s).  \n",
                escape(&used.language_names()),
                escape(&used.model.name),
                escape(&used.model.repo),
                escape(&used.model.revision),
                escape(&used.decoding.strategy),
                used.decoding.beams,
            ));
        }
        md.push_str(&format!("tarjama {}.  \n", escape(&self.tarjama_version)));
        if !self.removed.is_empty() {
            md.push_str(&format!(
                "{} line(s) of page debris left out; see the JSON record.\n",
                self.removed.len()
            ));
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn sample() -> Record {
        Record {
            format: RECORD_FORMAT,
            id: "x".into(),
            tarjama_version: "0.0.0".into(),
            source: SourceInfo {
                path: "x.txt".into(),
                sha256: "ab".into(),
                bytes: 2,
                encoding: "utf-8".into(),
                language: IdentifiedLanguage::given("ar"),
            },
            removed: vec![],
            paragraphs: vec![],
            translators: vec![TranslatorRecord {
                languages: vec!["ar".into()],
                model: ModelFingerprint {
                    name: "m".into(),
                    repo: "r".into(),
                    revision: "v".into(),
                    files: BTreeMap::new(),
                },
                decoding: DecodingSettings {
                    strategy: "greedy".into(),
                    beams: 1,
                    max_length: 8,
                    length_penalty: 1.0,
                    renormalize_logits: false,
                    max_source_tokens: 100,
                    precision: "f32".into(),
                },
            }],
            summary: None,
            totals: Totals::default(),
            record_sha256: String::new(),
        }
    }

    fn sentence(translation: &str, flags: Vec<Flag>) -> SentenceRecord {
        SentenceRecord {
            span: [0, 1],
            source: "ب".into(),
            translation: translation.into(),
            source_tokens: 1,
            target_tokens: 1,
            copied: false,
            flags,
            names_not_in_source: vec![],
        }
    }

    #[test]
    fn failed_translation_checks_are_shown_beside_their_paragraph() {
        let mut record = sample();
        record.paragraphs = vec![
            ParagraphRecord {
                span: [0, 1],
                source: "ب".into(),
                language: IdentifiedLanguage::given("ar"),
                model: Some("m".into()),
                translation: "The talks went on.".into(),
                // A retry that passed is not a failure.
                sentences: vec![sentence("The talks went on.", vec![Flag::Retried])],
            },
            ParagraphRecord {
                span: [1, 2],
                source: "ب".into(),
                language: IdentifiedLanguage::given("ar"),
                model: Some("m".into()),
                translation: "Here is the translation: AFP. President Obama cannot assist.".into(),
                sentences: vec![
                    sentence(
                        "Here is the translation: AFP.",
                        vec![Flag::Retried, Flag::Commentary],
                    ),
                    SentenceRecord {
                        names_not_in_source: vec!["Obama".into()],
                        ..sentence(
                            "President Obama cannot assist.",
                            vec![Flag::Commentary, Flag::LengthRatio, Flag::NameNotInSource],
                        )
                    },
                ],
            },
        ];
        assert_eq!(record.paragraphs[0].failed_checks(), vec![]);
        assert_eq!(
            record.paragraphs[1].failed_checks(),
            vec![Flag::Commentary, Flag::LengthRatio, Flag::NameNotInSource]
        );
        let md = record.to_markdown();
        assert!(md.contains("The talks went on.\n\nHere is"), "{md}");
        assert!(
            md.contains("President Obama cannot assist.\n\n*Translation checks failed on this paragraph: commentary, length-ratio, name-not-in-source. Not in the Arabic: Obama.*\n\n"),
            "{md}"
        );
        assert_eq!(md.matches("Translation checks failed").count(), 1);
    }

    #[test]
    fn sealed_record_survives_a_round_trip_and_detects_edits() {
        let record = sample().seal().unwrap();
        let parsed: Record = serde_json::from_slice(&record.to_json().unwrap()).unwrap();
        assert!(parsed.is_intact());
        let mut edited = parsed;
        edited.source.sha256 = "cd".into();
        assert!(!edited.is_intact());
    }
}
