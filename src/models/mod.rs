//! Model architectures, one per file, in the manner of candle-transformers:
//! each knows tensors and a `Config` (deserialized from `config.json`, or
//! read from GGUF metadata), and nothing about hubs or tokenizers (that is
//! `crate::model_store` and `crate::llm`). `qgemm`, `kquant` and `int8` are the kernel
//! files: quantized products candle has no fast path (or no lean one) for.
//! The two encoder-decoders (`marian`, `t5`) share the decoder state
//! ([`marian::DecoderState`]) and implement [`EncoderDecoder`], which is
//! all the search in `crate::translate::search` needs.

mod attention;
pub mod gemma3;
pub mod int8;
pub mod kquant;
mod layers;
pub mod llama;
pub mod marian;
pub mod qgemm;
pub mod t5;

use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::Tensor;

/// An encoder-decoder translation model as the search drives it: decoding
/// starts from an encoded batch and goes one token per row at a time.
pub trait EncoderDecoder {
    /// Prepares decoding for the rows of an encoded batch (`encoded`
    /// `[batch, len, d_model]`, `mask` `[batch, len]` u8, 1 for real
    /// tokens), each repeated `copies` times.
    fn start_decoding(
        &self,
        encoded: &Tensor,
        mask: &Tensor,
        copies: usize,
    ) -> candle_core::Result<marian::DecoderState>;

    /// Feeds one token per row; the next-token logits `[rows, vocab]`.
    fn decode_step(
        &self,
        tokens: &[u32],
        state: &mut marian::DecoderState,
    ) -> candle_core::Result<Tensor>;
}

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

/// Dot product with 16 independent partial sums, which the compiler turns
/// into vector instructions (a single running sum must be added in order,
/// so it would not be vectorized).
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut partial = [0f32; LANES];
    let (a_blocks, a_rest) = a.split_at(a.len() / LANES * LANES);
    let (b_blocks, b_rest) = b.split_at(a_blocks.len());
    for (x, y) in a_blocks
        .chunks_exact(LANES)
        .zip(b_blocks.chunks_exact(LANES))
    {
        for lane in 0..LANES {
            partial[lane] += x[lane] * y[lane];
        }
    }
    let mut sum: f32 = partial.iter().sum();
    for (x, y) in a_rest.iter().zip(b_rest) {
        sum += x * y;
    }
    sum
}

/// Whether the CPU has the AVX-512 subsets the int8 kernels use
/// (`qgemm`, `int8`); without them their callers keep candle's products.
pub(crate) fn vnni_available() -> bool {
    is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("avx512vnni")
}

/// A weight our kernels repack from the file's quantized rows, one row
/// (one output column's blocks) at a time, so a loader can stream the
/// rows from the file instead of holding the file's copy and ours at once.
pub(crate) trait RowPacked: Sized {
    /// An empty packing of a `dtype` weight `[n, k]` (n rows of k
    /// inputs); `None` when the kernel does not take it.
    fn start(dtype: GgmlDType, n: usize, k: usize) -> Option<Self>;
    /// Packs row `row` from its `k / block × block bytes` bytes.
    fn place_row(&mut self, row: usize, bytes: &[u8]);
}

/// Packs a whole quantized tensor already in memory.
pub(crate) fn pack_rows<P: RowPacked>(weight: &QTensor) -> candle_core::Result<Option<P>> {
    if !weight.device().is_cpu() {
        return Ok(None);
    }
    let (n, k) = weight.shape().dims2()?;
    let Some(mut packed) = P::start(weight.dtype(), n, k) else {
        return Ok(None);
    };
    let data = weight.data()?;
    let row_bytes = row_bytes(weight.dtype(), k);
    if data.len() != n * row_bytes {
        candle_core::bail!(
            "{:?} weight [{n}, {k}] holds {} bytes, {} expected",
            weight.dtype(),
            data.len(),
            n * row_bytes
        );
    }
    for (row, bytes) in data.chunks_exact(row_bytes).enumerate() {
        packed.place_row(row, bytes);
    }
    Ok(Some(packed))
}

/// Bytes of one row of `k` values of a quantized type.
pub(crate) fn row_bytes(dtype: GgmlDType, k: usize) -> usize {
    k / dtype.block_size() * dtype.type_size()
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
