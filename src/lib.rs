//! tarjama: Arabic news → English translations with local open models.
//!
//! The modules follow the data: `read` (bytes → text) → `clean` (debris) →
//! `segment` (sentences) → `article` (all of that for one file) → `translate`
//! (batches through `models::marian` with `search`) → `record` (outputs) →
//! `run` (the batch job) and `verify`; `brief` turns an output folder's
//! records into per-story briefs and bilingual reading views. Model files come from `model_store`;
//! `marian_tokenizer` and `sentencepiece` rebuild the tokenizer.

pub mod article;
pub mod bench;
pub mod brief;
pub mod clean;
pub mod cli;
pub mod gguf_tokenizer;
pub mod llm;
pub mod llm_translate;
pub mod marian_tokenizer;
pub mod model_store;
pub mod models;
pub mod out_lock;
pub mod read;
pub mod record;
pub mod run;
pub mod search;
pub mod segment;
pub mod sentencepiece;
pub mod summarize;
pub mod translate;
pub mod verify;
