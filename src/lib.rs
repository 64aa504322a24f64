//! tarjama: Arabic news → English translations with local open models.
//! (Crate map rewritten once the layout settles.)

pub mod bench;
pub mod brief;
pub mod cli;
pub mod files;
pub mod input;
pub mod llm;
pub mod model_store;
pub mod models;
pub mod output;
pub mod pipeline;
pub mod run;
pub mod summarize;
pub mod text;
pub mod translate;
