//! Text facts more than one step uses: TF-IDF vectors and their cosine
//! (`tfidf`: the extractive summary, the brief's story grouping and its
//! merged summary) and the Arabic-script test (`script`: the reader, the
//! model-output checks, the brief).
//!
//! What it is not: tokenization (each caller splits its own words — the
//! Arabic source, the English translation — and passes them in), or any
//! language-specific rule.

pub mod script;
pub mod tfidf;
