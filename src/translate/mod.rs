//! The translate step: sentences in, English out. `Translator` is the one
//! type callers see; each kind of translator is a file of its own —
//! `marian` (opus-mt, sentence by sentence), `t5` (MADLAD-400, sentence by
//! sentence) and `llm` (a language model, paragraph by paragraph) — so
//! another kind is one more variant here and callers do not change. What it is not: reading articles or writing
//! records; it sees plain strings.

use anyhow::Result;

use crate::model_store::ModelFingerprint;
use crate::models::marian::Precision;
use crate::output::record::DecodingSettings;

pub mod llm;
pub mod marian;
pub mod marian_tokenizer;
pub mod search;
pub mod sentencepiece;
pub mod t5;
pub mod translation;
pub mod weights;

pub use marian::{load_dir, pad_rows, MarianTranslator};
pub use t5::{load_t5_dir, T5Translator};
pub use translation::Translation;

/// Settings a profile or the command line may impose over the checkpoint's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub beams: Option<usize>,
    pub max_length: Option<usize>,
    pub length_penalty: Option<f64>,
    pub precision: Precision,
}

/// The translators tarjama can run: opus-mt or MADLAD-400 (T5)
/// encoder-decoders, sentence by sentence, or a language model, paragraph
/// by paragraph.
pub enum Translator {
    Marian(Box<MarianTranslator>),
    T5(Box<T5Translator>),
    Llm(crate::translate::llm::LlmTranslator),
}

impl Translator {
    pub fn fingerprint(&self) -> &ModelFingerprint {
        match self {
            Self::Marian(t) => t.fingerprint(),
            Self::T5(t) => t.fingerprint(),
            Self::Llm(t) => t.fingerprint(),
        }
    }

    pub fn settings(&self) -> DecodingSettings {
        match self {
            Self::Marian(t) => t.settings(),
            Self::T5(t) => t.settings(),
            Self::Llm(t) => t.settings(),
        }
    }

    pub fn max_source_tokens(&self) -> usize {
        match self {
            Self::Marian(t) => t.max_source_tokens(),
            Self::T5(t) => t.max_source_tokens(),
            Self::Llm(t) => t.max_source_tokens(),
        }
    }

    pub fn count_tokens(&self, text: &str) -> usize {
        match self {
            Self::Marian(t) => t.count_tokens(text),
            Self::T5(t) => t.count_tokens(text),
            Self::Llm(t) => t.count_tokens(text),
        }
    }

    /// Whether paragraphs are split into sentences before translation
    /// (opus-mt and MADLAD were trained on sentences; a language model
    /// does better with the whole paragraph as context).
    pub fn by_sentence(&self) -> bool {
        matches!(self, Self::Marian(_) | Self::T5(_))
    }

    /// Translates `texts`, all in `source_language` (an ISO code): a
    /// language model is told the language; opus-mt models know theirs,
    /// and MADLAD needs only its target tag.
    pub fn translate(&self, source_language: &str, texts: &[String]) -> Result<Vec<Translation>> {
        match self {
            Self::Marian(t) => t.translate(texts),
            Self::T5(t) => t.translate(texts),
            Self::Llm(t) => t.translate(source_language, texts),
        }
    }
}
