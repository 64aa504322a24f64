//! Statistics over words that more than one step uses: today TF-IDF
//! vectors and their cosine, shared by the extractive summary, the brief's
//! story grouping and its merged summary.
//!
//! What it is not: tokenization (each caller splits its own words — the
//! Arabic source, the English translation — and passes them in), or any
//! language-specific rule.

pub mod tfidf;
