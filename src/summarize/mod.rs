//! The summarize step: a short English summary of a translated article,
//! either extracted from the translation (no extra model) or written by a
//! local language model and then checked.
//!
//! The checks are the point: a small model invents numbers and names,
//! slips into Arabic, repeats the prompt or chats about the task. Each
//! problem is a named flag; a flagged summary is retried once with a
//! stricter prompt, and flags that remain are recorded, never hidden.
//! `extractive` picks sentences, `model` prompts a language model,
//! `checks` holds the checks both go through. What it is not: translation,
//! or the model runtime (`crate::llm`).

use std::sync::Arc;

use anyhow::Result;

use crate::llm::LanguageModel;
use crate::model_store::ModelFingerprint;
use crate::output::labels::Method;
use crate::output::record::{SummaryRecord, SummarySettings};

pub mod checks;
pub mod extractive;
pub mod model;

pub use checks::check;
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
    /// summaries are off.
    pub fn summarize(
        &self,
        paragraphs: &[&str],
        sentences: &[&str],
    ) -> Result<Option<SummaryRecord>> {
        let (text, flags) = match self {
            Self::Off => return Ok(None),
            Self::Extractive(limits) => {
                let text = extractive(sentences, limits);
                let flags = check(&text, &paragraphs.join("\n"), "", limits);
                (text, flags)
            }
            Self::Model { model, limits, .. } => {
                let answer = model::summarize(model, paragraphs, limits)?;
                (answer.completion.text, answer.flags)
            }
        };
        Ok(self.settings().map(|settings| SummaryRecord {
            text,
            settings,
            flags,
        }))
    }
}
