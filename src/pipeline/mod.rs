//! The models a run uses, loaded once, and what they do to a batch of
//! articles.
//!
//! `load` turns plain [`PipelineSettings`] into a [`Pipeline`] (a GGUF model
//! named twice is loaded once); `routes` says which translator each language
//! goes to; `process` turns articles into sealed records.
//! What it is not: the batch job around them (`crate::run`: files, waves,
//! resuming) or the command line (`crate::cli`).

use crate::summarize::Summarizer;

pub mod load;
pub mod process;
pub mod routes;

pub use load::{load_pipeline, LoadError, PipelineSettings};
pub use process::translate_articles;

/// The models a run uses.
pub struct Pipeline {
    pub routes: routes::Routes,
    pub summarizer: Summarizer,
    /// `--source-lang`: every article is taken to be in this language, and
    /// no paragraph is identified apart.
    pub source_language: Option<String>,
}
