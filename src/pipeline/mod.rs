//! The models a run uses, loaded once, and what they do to a batch of
//! articles.
//!
//! `load` turns plain [`PipelineSettings`] into a [`Pipeline`] (a GGUF model
//! named twice is loaded once); `process` turns articles into sealed records.
//! What it is not: the batch job around them (`crate::run`: files, waves,
//! resuming) or the command line (`crate::cli`).

use crate::summarize::Summarizer;
use crate::translate::Translator;

pub mod load;
pub mod process;

pub use load::{load_pipeline, LoadError, PipelineSettings};
pub use process::translate_articles;

/// The models a run uses.
pub struct Pipeline {
    pub translator: Translator,
    pub summarizer: Summarizer,
}
