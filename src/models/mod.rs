//! Model architectures, one per file, in the manner of candle-transformers:
//! each knows tensors and a `Config` (deserialized from `config.json`, or
//! read from GGUF metadata), and nothing about hubs or tokenizers (that is
//! `crate::model_store` and `crate::llm`). `qgemm` is the one kernel file:
//! quantized products candle has no fast path for.

pub mod gemma3;
pub mod marian;
pub mod qgemm;

/// Index of the largest of `scores(0..len)`; the first one on ties, as
/// torch's argmax. The one argmax of greedy decoding, Marian's search and
/// the language models alike (a different tie rule would change outputs).
pub fn argmax(len: usize, scores: impl Fn(usize) -> f32) -> u32 {
    let (mut best, mut best_score) = (0, scores(0));
    for i in 1..len {
        let s = scores(i);
        if s > best_score {
            (best, best_score) = (i, s);
        }
    }
    best as u32
}
