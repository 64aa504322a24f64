//! Text facts more than one step uses: TF-IDF vectors and their cosine
//! (`tfidf`: the extractive summary, the brief's story grouping and its
//! merged summary), the Arabic-script test (`script`: the reader, the
//! model-output checks, the brief) and normalized Arabic words with phrase
//! matching (`arabic`: the gazetteer, the wording notes, name grounding).
//!
//! What it is not: English tokenization (each caller splits its own
//! English words and passes them in).

pub mod arabic;
pub mod script;
pub mod tfidf;
