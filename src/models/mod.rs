//! Model architectures, one per file, in the manner of candle-transformers:
//! each knows tensors and a `Config` (deserialized from `config.json`, or
//! read from GGUF metadata), and nothing about hubs or tokenizers (that is
//! `crate::model_store` and `crate::llm`). `qgemm`, `kquant` and `int8` are the kernel
//! files: quantized products candle has no fast path (or no lean one) for.

mod attention;
pub mod gemma3;
pub mod int8;
pub mod kquant;
mod layers;
pub mod llama;
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

/// Whether the CPU has the AVX-512 subsets the int8 kernels use
/// (`qgemm`, `int8`); without them their callers keep candle's products.
pub(crate) fn vnni_available() -> bool {
    is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512vnni")
}

/// Deterministic test inputs for the kernels' tests.
#[cfg(test)]
pub(crate) mod test_values {
    /// `len` values in [-1, 1] from a xorshift sequence started at `seed`.
    pub fn random(len: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 2001) as f32 / 1000.0 - 1.0
            })
            .collect()
    }
}
