//! The summarize step: a short English summary of a translated article,
//! either extracted from the translation (no extra model) or written by a
//! local language model and then checked.
//!
//! The checks are the point: a small model invents numbers and names,
//! slips into Arabic, repeats the prompt or chats about the task. Each
//! problem is a named flag; a flagged summary is retried once with a
//! stricter prompt. A model summary that still fails is kept in the record
//! with its flags but not shown: the extractive summary takes its place.
//! `extractive` picks sentences, `model` prompts a language model,
//! `checks` holds the checks both go through. What it is not: translation,
//! or the model runtime (`crate::llm`).

use std::sync::Arc;

use anyhow::Result;

use crate::llm::LanguageModel;
use crate::model_store::ModelFingerprint;
use crate::output::labels::{has_failed_check, Flag, Method};
use crate::output::record::{ModelAttempt, SummaryRecord, SummarySettings};

pub mod checks;
pub mod extractive;
pub mod model;

pub use checks::{check, check_extracted};
pub use extractive::extractive;

/// Limits every summary is held to.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryLimits {
    pub max_words: usize,
    pub max_sentences: usize,
}

impl Default for SummaryLimits {
    fn default() -> Self {
        Self {
            max_words: 80,
            max_sentences: 3,
        }
    }
}

/// How summaries are made for a run.
pub enum Summarizer {
    /// No summaries.
    Off,
    Extractive(SummaryLimits),
    Model {
        model: Arc<LanguageModel>,
        fingerprint: ModelFingerprint,
        limits: SummaryLimits,
    },
}

impl Summarizer {
    /// What a record's summary must match to count as current.
    pub fn settings(&self) -> Option<SummarySettings> {
        let (method, model, limits) = match self {
            Self::Off => return None,
            Self::Extractive(limits) => (Method::Extractive, None, limits),
            Self::Model {
                fingerprint,
                limits,
                ..
            } => (Method::Model, Some(fingerprint.clone()), limits),
        };
        Some(SummarySettings {
            method,
            model,
            max_words: limits.max_words,
            max_sentences: limits.max_sentences,
        })
    }

    /// Summarizes an article from its English translation (paragraphs) and
    /// its translated sentences (for the extractive method); `None` when
    /// summaries are off. A model summary that still fails a check after
    /// the retry is kept as the record's `model_attempt`, and the
    /// extractive summary is the one shown: a reader never gets a summary
    /// known to be wrong.
    pub fn summarize(
        &self,
        paragraphs: &[&str],
        sentences: &[&str],
    ) -> Result<Option<SummaryRecord>> {
        let Some(settings) = self.settings() else {
            return Ok(None);
        };
        let (text, flags, model_attempt) = match self {
            Self::Off => return Ok(None),
            Self::Extractive(limits) => {
                let (text, flags) = checked_extractive(sentences, limits);
                (text, flags, None)
            }
            Self::Model { model, limits, .. } => {
                let answer = model::summarize(model, paragraphs, limits)?;
                shown_summary(answer.completion.text, answer.flags, || {
                    checked_extractive(sentences, limits)
                })
            }
        };
        Ok(Some(SummaryRecord {
            text,
            settings,
            flags,
            model_attempt,
        }))
    }
}

/// What readers are shown for a model's summary and its flags: the model's
/// when it passed (a lone "retried" is a pass), else the extractive
/// summary, with the model's attempt kept beside it.
fn shown_summary(
    model_text: String,
    model_flags: Vec<Flag>,
    extractive: impl FnOnce() -> (String, Vec<Flag>),
) -> (String, Vec<Flag>, Option<ModelAttempt>) {
    if !has_failed_check(&model_flags) {
        return (model_text, model_flags, None);
    }
    let (text, flags) = extractive();
    let attempt = ModelAttempt {
        text: model_text,
        flags: model_flags,
    };
    (text, flags, Some(attempt))
}

/// The extractive summary and the checks it failed (it can be too long,
/// or have no sentence at all).
fn checked_extractive(sentences: &[&str], limits: &SummaryLimits) -> (String, Vec<Flag>) {
    let text = extractive(sentences, limits);
    let flags = check_extracted(&text, limits);
    (text, flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extractive() -> (String, Vec<Flag>) {
        ("The minister arrived in Cairo.".to_string(), vec![])
    }

    #[test]
    fn a_model_summary_that_passed_is_shown() {
        for flags in [vec![], vec![Flag::Retried]] {
            let (text, shown_flags, attempt) =
                shown_summary("The talks went on.".into(), flags.clone(), extractive);
            assert_eq!(text, "The talks went on.");
            assert_eq!(shown_flags, flags);
            assert_eq!(attempt, None);
        }
    }

    #[test]
    fn a_model_summary_that_failed_is_kept_but_the_extractive_one_is_shown() {
        let flags = vec![Flag::Retried, Flag::TooLong, Flag::Repetitive];
        let (text, shown_flags, attempt) =
            shown_summary("Talks talks talks.".into(), flags.clone(), extractive);
        assert_eq!(text, "The minister arrived in Cairo.");
        assert_eq!(shown_flags, Vec::<Flag>::new());
        let attempt = attempt.expect("the model's attempt is kept");
        assert_eq!(attempt.text, "Talks talks talks.");
        assert_eq!(attempt.flags, flags);
        let record = SummaryRecord {
            text,
            settings: SummarySettings {
                method: Method::Model,
                model: None,
                max_words: 80,
                max_sentences: 3,
            },
            flags: shown_flags,
            model_attempt: Some(attempt),
        };
        assert_eq!(record.shown_method(), Method::Extractive);
        assert_eq!(
            record.shown_label(),
            "extractive (the model's summary failed: retried, too-long, repetitive)"
        );
        assert!(record.is_settled());
        assert!(record.has_failed_check());
    }

    /// A record from before the fallback, holding a failed model summary
    /// as its text, is redone.
    #[test]
    fn a_failed_model_summary_shown_as_the_summary_is_not_settled() {
        let record = SummaryRecord {
            text: "Talks talks talks.".into(),
            settings: SummarySettings {
                method: Method::Model,
                model: None,
                max_words: 80,
                max_sentences: 3,
            },
            flags: vec![Flag::Repetitive],
            model_attempt: None,
        };
        assert!(!record.is_settled());
        assert_eq!(record.shown_label(), "model");
    }
}
