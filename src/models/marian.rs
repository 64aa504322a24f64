//! The Marian encoder-decoder transformer used by Helsinki-NLP's opus-mt
//! checkpoints, as transformers' `MarianMTModel` defines it.
//!
//! What it is: the forward pass (batched encoder with a padding mask, and a
//! one-token-at-a-time decoder with a key/value cache that can be reordered
//! for beam search). What it is not: tokenization, search or loading files;
//! the caller hands it a `VarBuilder` and token ids.
//!
//! Everything that differs between the base (`opus-mt-ar-en`) and the big
//! (`opus-mt-tc-big-ar-en`) checkpoints comes from `Config`: widths, head
//! counts, layer counts, activation (swish vs relu), vocabulary size and
//! special ids.

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::utils::barrier_pool;
use candle_core::{DType, Device, IndexOp, Layout, Module, Result, Storage, Tensor};
use candle_nn::{Activation, LayerNorm, VarBuilder};
use serde::Deserialize;
use std::sync::Arc;

use super::dot;
use super::int8::ScaledInt8;

/// How the weights of the linear layers (projections, feed-forward and the
/// output head) are held. Layer norms stay f32 whatever this says, and so
/// do the token tables except with int8: they are a small share of the
/// work, but a quarter of opus-mt-tc-big's bytes, and int8 (as
/// CTranslate2's) keeps the memory below the reference's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Precision {
    #[default]
    F32,
    /// ggml's Q8_0: blocks of 32 weights, one f16 scale each (8.5 bits).
    Q8,
    /// ggml's Q4_K: super-blocks of 256 weights with 6-bit scales (4.5 bits).
    Q4,
    /// CTranslate2's int8: one scale per output column, activations
    /// quantized per row as each product runs ([`super::int8`]).
    Int8,
}

impl Precision {
    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::Q8 => "q8",
            Self::Q4 => "q4",
            Self::Int8 => "int8",
        }
    }

    pub fn parse(name: &str) -> std::result::Result<Self, String> {
        match name {
            "f32" => Ok(Self::F32),
            "q8" => Ok(Self::Q8),
            "q4" => Ok(Self::Q4),
            "int8" => Ok(Self::Int8),
            other => Err(format!("unknown precision {other:?} (f32, int8, q8 or q4)")),
        }
    }

    /// Refuses a model whose layer widths are not whole quantization
    /// blocks (every opus-mt checkpoint's are).
    pub fn check(self, config: &Config) -> std::result::Result<(), String> {
        let Some(dtype) = self.ggml() else {
            return Ok(());
        };
        let block = dtype.block_size();
        for (what, width) in [
            ("d_model", config.d_model),
            ("encoder_ffn_dim", config.encoder_ffn_dim),
            ("decoder_ffn_dim", config.decoder_ffn_dim),
        ] {
            if !width.is_multiple_of(block) {
                return Err(format!(
                    "precision {} needs layer widths that are multiples of {block}; {what} is {width}",
                    self.name()
                ));
            }
        }
        Ok(())
    }

    fn ggml(self) -> Option<GgmlDType> {
        match self {
            Self::F32 | Self::Int8 => None,
            Self::Q8 => Some(GgmlDType::Q8_0),
            Self::Q4 => Some(GgmlDType::Q4K),
        }
    }
}

/// The parts of a checkpoint's `config.json` the architecture needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    #[serde(default)]
    pub decoder_vocab_size: Option<usize>,
    pub max_position_embeddings: usize,
    pub d_model: usize,
    pub encoder_layers: usize,
    pub encoder_ffn_dim: usize,
    pub encoder_attention_heads: usize,
    pub decoder_layers: usize,
    pub decoder_ffn_dim: usize,
    pub decoder_attention_heads: usize,
    pub activation_function: Activation,
    #[serde(default = "default_true")]
    pub scale_embedding: bool,
    #[serde(default = "default_true")]
    pub share_encoder_decoder_embeddings: bool,
    pub pad_token_id: u32,
    pub eos_token_id: u32,
    pub decoder_start_token_id: u32,
    #[serde(default)]
    pub forced_eos_token_id: Option<u32>,
    #[serde(default)]
    pub bad_words_ids: Option<Vec<Vec<u32>>>,
    #[serde(default)]
    pub num_beams: Option<usize>,
    #[serde(default)]
    pub max_length: Option<usize>,
}

fn default_true() -> bool {
    true
}

impl Config {
    pub fn target_vocab_size(&self) -> usize {
        self.decoder_vocab_size.unwrap_or(self.vocab_size)
    }

    /// Refuses shapes the forward pass cannot honour, so a wrong
    /// `config.json` fails at load time with a reason instead of deep inside
    /// a matmul.
    pub fn check(&self) -> std::result::Result<(), String> {
        for (what, heads, ffn) in [
            (
                "encoder",
                self.encoder_attention_heads,
                self.encoder_ffn_dim,
            ),
            (
                "decoder",
                self.decoder_attention_heads,
                self.decoder_ffn_dim,
            ),
        ] {
            if heads == 0 || !self.d_model.is_multiple_of(heads) {
                return Err(format!(
                    "d_model {} is not divisible by {what}_attention_heads {heads}",
                    self.d_model
                ));
            }
            if ffn == 0 {
                return Err(format!("{what}_ffn_dim is 0"));
            }
        }
        if self.d_model == 0 || !self.d_model.is_multiple_of(2) {
            return Err(format!("d_model {} must be even and > 0", self.d_model));
        }
        let vocab = self.target_vocab_size();
        for (what, id) in [
            ("pad_token_id", self.pad_token_id),
            ("eos_token_id", self.eos_token_id),
            ("decoder_start_token_id", self.decoder_start_token_id),
        ] {
            if id as usize >= vocab {
                return Err(format!("{what} {id} is outside the vocabulary of {vocab}"));
            }
        }
        Ok(())
    }
}

/// transformers' `MarianSinusoidalPositionalEmbedding`: sines of all even
/// frequencies in the first half of each row and cosines in the second half
/// (not interleaved as in the original Transformer paper). Positions start at
/// 0 with no padding offset, unlike BART.
fn sinusoidal_positions(max_positions: usize, dim: usize, device: &Device) -> Result<Tensor> {
    let half = dim / 2;
    let mut table = vec![0f32; max_positions * dim];
    for pos in 0..max_positions {
        for i in 0..half {
            // Computed in f64 as numpy does before the cast to f32.
            let angle = pos as f64 / 10000f64.powf(2.0 * i as f64 / dim as f64);
            table[pos * dim + i] = angle.sin() as f32;
            table[pos * dim + half + i] = angle.cos() as f32;
        }
    }
    Tensor::from_vec(table, (max_positions, dim), device)
}

/// A linear layer `x W^T + b` whose weight is f32 or quantized (T5's
/// safetensors weights use it too).
pub(super) struct Linear {
    weight: Weight,
    bias: Option<Tensor>,
    /// Output width before any padding of a quantized weight.
    out_dim: usize,
}

/// candle's tiled quantized kernels for x86 (AVX-512 VNNI) take weights
/// whose row count is a multiple of 16; others fall back to a much slower
/// path. Vocabulary sizes (62802 for opus-mt-ar-en) usually are not, so
/// quantized weights get zero rows up to the next multiple, and the extra
/// outputs are cut off again.
const QUANTIZED_ROW_MULTIPLE: usize = 16;

enum Weight {
    /// `W^T`, `[in, out]`, stored contiguously. Why: for `x W^T` the
    /// matrix-product crate (gemm, column-major at heart) sees the weight as
    /// its left operand; laid out `[out, in]` it re-packs the whole weight
    /// on every call — measured at over a quarter of decoding time — while
    /// `[in, out]` it reads it in place.
    Dense(Tensor),
    Quantized(QMatMul),
    /// Per-column int8 on our own kernel; shared with the token table the
    /// head is tied to.
    Int8(Arc<ScaledInt8>),
}

impl Linear {
    pub(super) fn new(weight: Tensor, bias: Option<Tensor>, precision: Precision) -> Result<Self> {
        let (out_dim, in_dim) = weight.dims2()?;
        if precision == Precision::Int8 {
            if let Some(packed) = pack_int8(&weight)? {
                return Ok(Self {
                    weight: Weight::Int8(Arc::new(packed)),
                    bias,
                    out_dim,
                });
            }
            // No AVX-512 VNNI: candle's Q8_0 product is the nearest.
            return Self::new(weight, bias, Precision::Q8);
        }
        let weight = match precision.ggml() {
            // The weight's inner dimension must be a multiple of the block
            // size (32 or 256); every Marian width is.
            Some(dtype) => {
                let padding = out_dim.next_multiple_of(QUANTIZED_ROW_MULTIPLE) - out_dim;
                let weight = if padding > 0 {
                    let zeros = Tensor::zeros((padding, in_dim), weight.dtype(), weight.device())?;
                    Tensor::cat(&[&weight, &zeros], 0)?
                } else {
                    weight
                };
                Weight::Quantized(QMatMul::from_qtensor(QTensor::quantize(&weight, dtype)?)?)
            }
            None => Weight::Dense(weight.t()?.contiguous()?),
        };
        Ok(Self {
            weight,
            bias,
            out_dim,
        })
    }

    pub(super) fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let dims = xs.dims().to_vec();
        let (inner, outer) = dims.split_at(dims.len() - 1);
        let rows: usize = inner.iter().product();
        let flat = xs.reshape((rows, outer[0]))?;
        let out = match &self.weight {
            Weight::Dense(transposed) if flat.device().is_cpu() => {
                // Bias already added: return at once.
                let out = dense_on_worker_pool(&flat, transposed, self.bias.as_ref())?;
                let mut shape = inner.to_vec();
                shape.push(self.out_dim);
                return out.reshape(shape);
            }
            Weight::Int8(packed) => {
                let flat = flat.contiguous()?;
                let out = with_cpu_f32(&flat, |x, layout| {
                    let x = &x[layout.start_offset()..][..rows * outer[0]];
                    // The bias is read where it lies, not copied per call.
                    match &self.bias {
                        Some(bias) => with_cpu_f32(bias, |b, layout| {
                            let b = &b[layout.start_offset()..][..self.out_dim];
                            Ok(packed.product(x, rows, Some(b)))
                        }),
                        None => Ok(packed.product(x, rows, None)),
                    }
                })?;
                let mut shape = inner.to_vec();
                shape.push(self.out_dim);
                return Tensor::from_vec(out, shape, xs.device());
            }
            Weight::Dense(transposed) => flat.matmul(transposed)?,
            Weight::Quantized(w) => {
                let out = w.forward(&flat)?;
                if out.dim(1)? == self.out_dim {
                    out
                } else {
                    out.narrow(1, 0, self.out_dim)?.contiguous()?
                }
            }
        };
        let out = match &self.bias {
            Some(bias) => out.broadcast_add(bias)?,
            None => out,
        };
        let mut shape = inner.to_vec();
        shape.push(self.out_dim);
        out.reshape(shape)
    }
}

/// `x W^T + b` for `x` `[rows, in]` and `W^T` `[in, out]` on the CPU, with
/// the output columns split among candle's worker pool, each part a
/// single-threaded gemm call.
///
/// Why not candle's matmul: it runs gemm on rayon's threads while candle's
/// element-wise ops run on its own barrier pool, whose idle workers spin
/// for a while after each op; with two pools on two cores the spinning
/// steals the cores the matrix product needs. One pool for everything
/// keeps the busy threads at the core count. The bias is written into the
/// output first and gemm adds the product to it, which saves a pass.
fn dense_on_worker_pool(xs: &Tensor, transposed: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    let (rows, inner) = xs.dims2()?;
    let (_, cols) = transposed.dims2()?;
    let xs = xs.contiguous()?;
    let mut out = vec![0f32; rows * cols];
    if let Some(bias) = bias {
        let bias = bias.contiguous()?;
        with_cpu_f32(&bias, |b, layout| {
            let b = &b[layout.start_offset()..][..cols];
            for row in out.chunks_exact_mut(cols) {
                row.copy_from_slice(b);
            }
            Ok(())
        })?;
    }
    // One part per thread, in whole 16-column groups (a vector's width);
    // four per thread for a step of one sentence (up to four rows), which
    // reads the weight once and is bound by memory: with one part each,
    // the thread whose part streamed slower held the other at the barrier
    // for a tenth of the step (big shape, greedy: 28.0 against 23.9
    // tokens/s). More rows keep one part each: every part packs the rows
    // again.
    let per_thread = if rows <= 4 { 4 } else { 1 };
    let parts = per_thread * candle_core::utils::get_num_threads().max(1);
    let part_cols = cols.div_ceil(parts).next_multiple_of(16);
    let part_count = cols.div_ceil(part_cols);
    let out_ptr = out.as_mut_ptr() as usize;
    with_cpu_f32(&xs, |x, x_layout| {
        with_cpu_f32(transposed, |w, w_layout| {
            let x = &x[x_layout.start_offset()..];
            let w = &w[w_layout.start_offset()..];
            if !w_layout.is_contiguous() {
                candle_core::bail!("dense weights must be contiguous");
            }
            barrier_pool().execute_chunked(part_count, |range| {
                for part in range {
                    let first = part * part_cols;
                    let width = part_cols.min(cols - first);
                    // SAFETY: parts cover disjoint column ranges of `out`,
                    // which outlives `execute_chunked`; `x` is `rows ×
                    // inner` and `w` `inner × cols`, both contiguous, so
                    // every index gemm forms from these strides is in
                    // bounds.
                    unsafe {
                        gemm::gemm(
                            rows,
                            width,
                            inner,
                            (out_ptr as *mut f32).add(first),
                            1,
                            cols as isize,
                            bias.is_some(),
                            x.as_ptr(),
                            1,
                            inner as isize,
                            w.as_ptr().add(first),
                            1,
                            cols as isize,
                            1.0,
                            1.0,
                            false,
                            false,
                            false,
                            gemm::Parallelism::None,
                        );
                    }
                }
            });
            Ok(())
        })
    })?;
    Tensor::from_vec(out, (rows, cols), xs.device())
}

/// `weight` (`[n, k]` f32) as int8; `None` without AVX-512 VNNI.
fn pack_int8(weight: &Tensor) -> Result<Option<ScaledInt8>> {
    let (n, k) = weight.dims2()?;
    let weight = weight.contiguous()?;
    with_cpu_f32(&weight, |values, layout| {
        ScaledInt8::new(&values[layout.start_offset()..][..n * k], n, k)
    })
}

/// A token table, shared with the output head tied to it: f32 stored as
/// the head reads it (`[dim, rows]`, see [`Weight::Dense`]) and looked up
/// column-wise, or int8 rows. Why shared: the table is a quarter of
/// opus-mt-tc-big's weights, and a second copy for the head kept our
/// memory above CTranslate2's.
#[derive(Clone)]
enum TokenTable {
    F32 { transposed: Tensor },
    Int8(Arc<ScaledInt8>),
}

impl TokenTable {
    fn load(rows: usize, dim: usize, precision: Precision, vb: VarBuilder) -> Result<Self> {
        let table = vb.get((rows, dim), "weight")?;
        if precision == Precision::Int8 {
            if let Some(packed) = pack_int8(&table)? {
                return Ok(Self::Int8(Arc::new(packed)));
            }
        }
        Ok(Self::F32 {
            transposed: table.t()?.contiguous()?,
        })
    }

    /// The rows of `ids` (`[..]` u32): `[.., dim]`.
    fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let flat = ids.flatten_all()?.to_vec1::<u32>()?;
        let (dim, rows) = match self {
            Self::F32 { transposed } => transposed.dims2()?,
            Self::Int8(packed) => (packed.in_dim(), packed.out_dim()),
        };
        if let Some(id) = flat.iter().find(|&&id| id as usize >= rows) {
            candle_core::bail!("token {id} of a table of {rows}");
        }
        let mut out = vec![0f32; flat.len() * dim];
        match self {
            Self::F32 { transposed } => with_cpu_f32(transposed, |table, layout| {
                let table = &table[layout.start_offset()..][..dim * rows];
                for (&id, row) in flat.iter().zip(out.chunks_exact_mut(dim)) {
                    for (i, value) in row.iter_mut().enumerate() {
                        *value = table[i * rows + id as usize];
                    }
                }
                Ok(())
            })?,
            Self::Int8(packed) => {
                for (&id, row) in flat.iter().zip(out.chunks_exact_mut(dim)) {
                    packed.row(id as usize, row);
                }
            }
        }
        let mut shape = ids.dims().to_vec();
        shape.push(dim);
        Tensor::from_vec(out, shape, ids.device())
    }

    /// The output head tied to this table, with `bias`.
    fn head(&self, bias: Tensor, precision: Precision) -> Result<Linear> {
        match self {
            Self::F32 { transposed } if precision == Precision::F32 => Ok(Linear {
                weight: Weight::Dense(transposed.clone()),
                bias: Some(bias),
                out_dim: transposed.dim(1)?,
            }),
            // Quantized from the table (q8, q4, or int8 without VNNI).
            Self::F32 { transposed } => {
                Linear::new(transposed.t()?.contiguous()?, Some(bias), precision)
            }
            Self::Int8(packed) => Ok(Linear {
                weight: Weight::Int8(packed.clone()),
                bias: Some(bias),
                out_dim: packed.out_dim(),
            }),
        }
    }
}

fn linear(in_dim: usize, out_dim: usize, precision: Precision, vb: VarBuilder) -> Result<Linear> {
    let weight = vb.get((out_dim, in_dim), "weight")?;
    let bias = vb.get(out_dim, "bias")?;
    Linear::new(weight, Some(bias), precision)
}

fn layer_norm(dim: usize, vb: VarBuilder) -> Result<LayerNorm> {
    candle_nn::layer_norm(dim, 1e-5, vb)
}

struct Attention {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    out_proj: Linear,
    heads: usize,
    head_dim: usize,
    scaling: f64,
}

impl Attention {
    fn load(d_model: usize, heads: usize, precision: Precision, vb: VarBuilder) -> Result<Self> {
        let head_dim = d_model / heads;
        Ok(Self {
            q_proj: linear(d_model, d_model, precision, vb.pp("q_proj"))?,
            k_proj: linear(d_model, d_model, precision, vb.pp("k_proj"))?,
            v_proj: linear(d_model, d_model, precision, vb.pp("v_proj"))?,
            out_proj: linear(d_model, d_model, precision, vb.pp("out_proj"))?,
            heads,
            head_dim,
            scaling: (head_dim as f64).powf(-0.5),
        })
    }

    /// `[batch, len, d_model]` → `[batch, heads, len, head_dim]`.
    fn split_heads(&self, xs: &Tensor) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        xs.reshape((b, t, self.heads, self.head_dim))?
            .transpose(1, 2)?
            .contiguous()
    }

    fn keys_values(&self, xs: &Tensor) -> Result<(Tensor, Tensor)> {
        let k = self.split_heads(&self.k_proj.forward(xs)?)?;
        let v = self.split_heads(&self.v_proj.forward(xs)?)?;
        Ok((k, v))
    }

    /// Attends `xs` (the queries) to precomputed keys and values. `mask` is
    /// additive, broadcastable to `[batch, heads, q_len, k_len]`; `kv_rows`
    /// says which row of `k`, `v` and `mask` each query row reads.
    fn attend(
        &self,
        xs: &Tensor,
        k: &Tensor,
        v: &Tensor,
        mask: Option<&Tensor>,
        kv_rows: KvRows,
    ) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        let q = self.split_heads(&(self.q_proj.forward(xs)? * self.scaling)?)?;
        if t == 1 && xs.device().is_cpu() {
            let out = single_query_attention(&q, k, v, mask, kv_rows)?;
            return self.out_proj.forward(&out);
        }
        let picked;
        let (k, v, mask) = match kv_rows {
            KvRows::Own => (k, v, mask),
            KvRows::Shared(rows) => {
                let index = Tensor::new(rows, k.device())?;
                picked = (
                    k.index_select(&index, 0)?,
                    v.index_select(&index, 0)?,
                    mask.map(|m| m.index_select(&index, 0)).transpose()?,
                );
                (&picked.0, &picked.1, picked.2.as_ref())
            }
            KvRows::History(table) => {
                picked = (
                    gather_history(k, table, b)?,
                    gather_history(v, table, b)?,
                    mask.cloned(),
                );
                (&picked.0, &picked.1, picked.2.as_ref())
            }
        };
        // `k` may be a view into a longer cache buffer; the matmul reads it
        // through its strides, so no copy is made.
        let mut scores = q.matmul(&k.t()?)?;
        if let Some(mask) = mask {
            scores = scores.broadcast_add(mask)?;
        }
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let out =
            weights
                .matmul(v)?
                .transpose(1, 2)?
                .reshape((b, t, self.heads * self.head_dim))?;
        self.out_proj.forward(&out)
    }
}

/// Which row of the keys and values each query row reads.
#[derive(Clone, Copy)]
pub(super) enum KvRows<'a> {
    /// Row `r` reads row `r`.
    Own,
    /// Row `r` reads row `map[r]` at every position (and of the mask):
    /// beams sharing their sentence's encoder keys and values.
    Shared(&'a [u32]),
    /// Row `r` reads row `table[r * len + t]` at position `t`: beams sharing
    /// the cached positions of their common ancestors (see
    /// [`SelfAttentionCache`]). The mask, if any, is read at row `r`.
    History(&'a [u32]),
}

impl KvRows<'_> {
    /// The row of the keys and values that query row `row` reads at
    /// position `t` of `len`.
    fn at(self, row: usize, t: usize, len: usize) -> usize {
        match self {
            KvRows::Own => row,
            KvRows::Shared(map) => map[row] as usize,
            KvRows::History(table) => table[row * len + t] as usize,
        }
    }

    fn mask_row(self, row: usize) -> usize {
        match self {
            KvRows::Shared(map) => map[row] as usize,
            KvRows::Own | KvRows::History(_) => row,
        }
    }
}

/// Copies, for each of `rows` query rows, the positions its history names
/// out of `kv` (`[physical rows, heads, len, head_dim]`) into `[rows, heads,
/// len, head_dim]`. Only the general attention path needs this; the
/// one-query kernel reads through the table instead.
fn gather_history(kv: &Tensor, table: &[u32], rows: usize) -> Result<Tensor> {
    let (physical, heads, len, head_dim) = kv.dims4()?;
    let flat = kv
        .transpose(1, 2)?
        .contiguous()?
        .reshape((physical * len, heads, head_dim))?;
    let index: Vec<u32> = (0..rows * len)
        .map(|i| table[i] * len as u32 + (i % len) as u32)
        .collect();
    flat.index_select(&Tensor::new(index, kv.device())?, 0)?
        .reshape((rows, len, heads, head_dim))?
        .transpose(1, 2)?
        .contiguous()
}

/// Runs `f` on the f32 data behind a CPU tensor and its layout.
pub(super) fn with_cpu_f32<R>(
    t: &Tensor,
    f: impl FnOnce(&[f32], &Layout) -> Result<R>,
) -> Result<R> {
    let (storage, layout) = t.storage_and_layout();
    match &*storage {
        Storage::Cpu(cpu) => f(cpu.as_slice::<f32>()?, layout),
        _ => candle_core::bail!("expected an f32 tensor on the CPU"),
    }
}

/// Attention for one query position per row, the decoder's case at every
/// step: `q` `[rows, heads, 1, head_dim]` (scaled), `k`/`v` `[rows, heads,
/// len, head_dim]` (views into the cache are read through their strides),
/// `mask` additive `[rows, 1, 1, len]`. Returns `[rows, 1, heads *
/// head_dim]`.
///
/// Why not two matmuls: as batched matmuls these are `rows × heads`
/// separate 1×len products, each a separate call into the matrix-product
/// crate with its own thread hand-off; at opus-mt sizes that overhead
/// outweighs the arithmetic. Here one pass per row does dot products,
/// softmax and the weighted sum, rows in parallel.
fn single_query_attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: Option<&Tensor>,
    kv_rows: KvRows,
) -> Result<Tensor> {
    single_query_attention_with_bias(q, k, v, mask, None, kv_rows)
}

/// [`single_query_attention`] with a score bias per head and key position,
/// `[heads, len]` row-major, the same for every row: T5's relative
/// position bias for the query at the newest position.
pub(super) fn single_query_attention_with_bias(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: Option<&Tensor>,
    head_bias: Option<&[f32]>,
    kv_rows: KvRows,
) -> Result<Tensor> {
    let (rows, heads, _, head_dim) = q.dims4()?;
    let len = k.dim(2)?;
    let q = q.contiguous()?;
    let mask = mask.map(|m| m.contiguous()).transpose()?;
    let mut out = vec![0f32; rows * heads * head_dim];
    with_cpu_f32(&q, |qs, q_layout| {
        with_cpu_f32(k, |ks, k_layout| {
            with_cpu_f32(v, |vs, v_layout| {
                let qs = &qs[q_layout.start_offset()..];
                let (k_off, ksd) = (k_layout.start_offset(), k_layout.stride());
                let (v_off, vsd) = (v_layout.start_offset(), v_layout.stride());
                if ksd[3] != 1 || vsd[3] != 1 {
                    candle_core::bail!("keys and values must be contiguous per position");
                }
                let row_width = heads * head_dim;
                let out_ptr = out.as_mut_ptr() as usize;
                let run = |masks: Option<&[f32]>| {
                    // candle's own worker pool, the one its element-wise
                    // ops and quantized matmuls use, so no second set of
                    // threads competes for the cores.
                    barrier_pool().execute_chunked(rows, |range| {
                        for row in range {
                            // SAFETY: every row index is handed to exactly
                            // one call, and `out` outlives the pool's
                            // `execute_chunked`, which returns only when
                            // all calls are done.
                            let row_out = unsafe {
                                std::slice::from_raw_parts_mut(
                                    (out_ptr as *mut f32).add(row * row_width),
                                    row_width,
                                )
                            };
                            let mask_row = kv_rows.mask_row(row);
                            let mut scores = vec![0f32; len];
                            for head in 0..heads {
                                let query = &qs[(row * heads + head) * head_dim..][..head_dim];
                                for (t, score) in scores.iter_mut().enumerate() {
                                    let source = kv_rows.at(row, t, len);
                                    let key = &ks
                                        [k_off + source * ksd[0] + head * ksd[1] + t * ksd[2]..]
                                        [..head_dim];
                                    *score = dot(query, key)
                                        + masks.map_or(0.0, |m| m[mask_row * len + t])
                                        + head_bias.map_or(0.0, |b| b[head * len + t]);
                                }
                                let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                                let mut sum = 0f32;
                                for s in scores.iter_mut() {
                                    *s = (*s - max).exp();
                                    sum += *s;
                                }
                                let head_out = &mut row_out[head * head_dim..][..head_dim];
                                for (t, &w) in scores.iter().enumerate() {
                                    let source = kv_rows.at(row, t, len);
                                    let value = &vs
                                        [v_off + source * vsd[0] + head * vsd[1] + t * vsd[2]..]
                                        [..head_dim];
                                    let w = w / sum;
                                    for (o, x) in head_out.iter_mut().zip(value) {
                                        *o += w * x;
                                    }
                                }
                            }
                        }
                    });
                };
                match &mask {
                    Some(m) => with_cpu_f32(m, |ms, m_layout| {
                        run(Some(&ms[m_layout.start_offset()..]));
                        Ok(())
                    }),
                    None => {
                        run(None);
                        Ok(())
                    }
                }
            })
        })
    })?;
    Tensor::from_vec(out, (rows, 1, heads * head_dim), q.device())
}

struct FeedForward {
    fc1: Linear,
    fc2: Linear,
    activation: Activation,
}

impl FeedForward {
    fn load(
        d_model: usize,
        ffn_dim: usize,
        activation: Activation,
        precision: Precision,
        vb: &VarBuilder,
    ) -> Result<Self> {
        Ok(Self {
            fc1: linear(d_model, ffn_dim, precision, vb.pp("fc1"))?,
            fc2: linear(ffn_dim, d_model, precision, vb.pp("fc2"))?,
            activation,
        })
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        self.fc2
            .forward(&self.activation.forward(&self.fc1.forward(xs)?)?)
    }
}

/// Post-norm layer: each block is `norm(x + block(x))`.
struct EncoderLayer {
    self_attn: Attention,
    self_attn_layer_norm: LayerNorm,
    ffn: FeedForward,
    final_layer_norm: LayerNorm,
}

impl EncoderLayer {
    fn load(cfg: &Config, precision: Precision, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            self_attn: Attention::load(
                cfg.d_model,
                cfg.encoder_attention_heads,
                precision,
                vb.pp("self_attn"),
            )?,
            self_attn_layer_norm: layer_norm(cfg.d_model, vb.pp("self_attn_layer_norm"))?,
            ffn: FeedForward::load(
                cfg.d_model,
                cfg.encoder_ffn_dim,
                cfg.activation_function,
                precision,
                &vb,
            )?,
            final_layer_norm: layer_norm(cfg.d_model, vb.pp("final_layer_norm"))?,
        })
    }

    fn forward(&self, xs: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (k, v) = self.self_attn.keys_values(xs)?;
        let attended = self.self_attn.attend(xs, &k, &v, Some(mask), KvRows::Own)?;
        let xs = self.self_attn_layer_norm.forward(&(xs + attended)?)?;
        let ffn = self.ffn.forward(&xs)?;
        self.final_layer_norm.forward(&(xs + ffn)?)
    }
}

struct DecoderLayer {
    self_attn: Attention,
    self_attn_layer_norm: LayerNorm,
    encoder_attn: Attention,
    encoder_attn_layer_norm: LayerNorm,
    ffn: FeedForward,
    final_layer_norm: LayerNorm,
}

impl DecoderLayer {
    fn load(cfg: &Config, precision: Precision, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            self_attn: Attention::load(
                cfg.d_model,
                cfg.decoder_attention_heads,
                precision,
                vb.pp("self_attn"),
            )?,
            self_attn_layer_norm: layer_norm(cfg.d_model, vb.pp("self_attn_layer_norm"))?,
            encoder_attn: Attention::load(
                cfg.d_model,
                cfg.decoder_attention_heads,
                precision,
                vb.pp("encoder_attn"),
            )?,
            encoder_attn_layer_norm: layer_norm(cfg.d_model, vb.pp("encoder_attn_layer_norm"))?,
            ffn: FeedForward::load(
                cfg.d_model,
                cfg.decoder_ffn_dim,
                cfg.activation_function,
                precision,
                &vb,
            )?,
            final_layer_norm: layer_norm(cfg.d_model, vb.pp("final_layer_norm"))?,
        })
    }
}

/// Positions added to a self-attention cache when it is full. Growing in
/// chunks instead of concatenating every step keeps the copying per step
/// constant instead of proportional to the length so far; small chunks
/// keep the unused tail small (at beam 4 and batch 64 each position of
/// opus-mt-tc-big's cache is 12.6 MB: 32 cost 200 MB more than 16 at 48
/// tokens).
const CACHE_CHUNK: usize = 16;

/// Keys and values of the tokens generated so far, in buffers of
/// `[physical rows, heads, capacity, head_dim]` of which the first `len`
/// positions are filled.
///
/// Nothing written here is ever moved. Beam search reorders and repeats
/// rows every step; copying every row's cache to follow it cost more than
/// the attention itself (hundreds of megabytes per step at batch 64, beam
/// 4). Instead, position `t` of the row that is row `i` at step `t` is
/// written at physical row `i`, and [`DecoderState`] keeps, for every
/// current row, which physical row holds each of its positions (its
/// history). Reordering rows only reorders that small table.
pub(super) struct SelfAttentionCache {
    buffers: Option<(Tensor, Tensor)>,
    len: usize,
}

impl SelfAttentionCache {
    /// Writes the new position's keys and values (`[rows, heads, 1,
    /// head_dim]`, current row `i` at physical row `i`) and returns views of
    /// all physical rows and positions so far.
    pub(super) fn append(&mut self, k: &Tensor, v: &Tensor) -> Result<(Tensor, Tensor)> {
        let (rows, heads, _, head_dim) = k.dims4()?;
        let (physical, capacity) = match &self.buffers {
            Some((keys, _)) => (keys.dim(0)?, keys.dim(2)?),
            None => (0, 0),
        };
        if self.len == capacity || rows > physical {
            let physical = physical.max(rows);
            let capacity = if self.len == capacity {
                capacity + CACHE_CHUNK
            } else {
                capacity
            };
            let grow = |old: Option<&Tensor>| -> Result<Tensor> {
                let new =
                    Tensor::zeros((physical, heads, capacity, head_dim), k.dtype(), k.device())?;
                if let Some(old) = old {
                    // Old rows and positions keep their place.
                    let (old_rows, old_capacity) = (old.dim(0)?, old.dim(2)?);
                    let widened = Tensor::zeros(
                        (old_rows, heads, capacity, head_dim),
                        old.dtype(),
                        old.device(),
                    )?;
                    widened.slice_set(old, 2, 0)?;
                    debug_assert!(old_capacity <= capacity);
                    new.slice_set(&widened, 0, 0)?;
                }
                Ok(new)
            };
            let old = self.buffers.take();
            self.buffers = Some((
                grow(old.as_ref().map(|(k, _)| k))?,
                grow(old.as_ref().map(|(_, v)| v))?,
            ));
        }
        let (keys, values) = self.buffers.as_ref().expect("allocated above");
        // A narrow over the first dimension of a contiguous buffer is itself
        // contiguous and shares its storage, so this writes in place.
        keys.narrow(0, 0, rows)?
            .slice_set(&k.contiguous()?, 2, self.len)?;
        values
            .narrow(0, 0, rows)?
            .slice_set(&v.contiguous()?, 2, self.len)?;
        self.len += 1;
        Ok((keys.narrow(2, 0, self.len)?, values.narrow(2, 0, self.len)?))
    }
}

/// The keys and values one decoder layer keeps between steps.
pub(super) struct LayerCache {
    pub(super) past: SelfAttentionCache,
    /// Keys/values of the encoder output, `[sentences, heads, src_len,
    /// head_dim]`: computed once per sentence and never copied per beam.
    pub(super) cross: (Tensor, Tensor),
}

/// Everything the decoder carries from one step to the next for a set of
/// rows (sentences, or sentences × beams). Rows can be reordered or dropped
/// with [`DecoderState::select_rows`], which is what beam search needs.
/// Not `Clone`: the self-attention buffers are written in place, so two
/// states must never share them.
pub struct DecoderState {
    pub(super) layers: Vec<LayerCache>,
    /// Additive mask over encoder positions, `[sentences, 1, 1, src_len]`.
    pub(super) cross_mask: Tensor,
    /// For each decoder row, its sentence (row of the encoder output).
    pub(super) sources: Vec<u32>,
    /// For each decoder row, the physical cache row of each position so far:
    /// `rows × steps`, row-major (see [`SelfAttentionCache`]).
    pub(super) history: Vec<u32>,
    pub(super) steps: usize,
}

impl DecoderState {
    /// The state before the first step for the sentences of an encoded
    /// batch (`mask`: `[sentences, src_len]`, 1 for real tokens), each
    /// repeated `copies` times, given each decoder layer's projected
    /// encoder keys and values.
    pub(super) fn new(cross: Vec<(Tensor, Tensor)>, mask: &Tensor, copies: usize) -> Result<Self> {
        let (batch, len) = mask.dims2()?;
        let sources = (0..batch as u32)
            .flat_map(|row| std::iter::repeat_n(row, copies))
            .collect();
        let layers = cross
            .into_iter()
            .map(|cross| LayerCache {
                past: SelfAttentionCache {
                    buffers: None,
                    len: 0,
                },
                cross,
            })
            .collect();
        Ok(Self {
            layers,
            cross_mask: additive_mask(mask)?.reshape((batch, 1, 1, len))?,
            sources,
            history: Vec::new(),
            steps: 0,
        })
    }

    pub fn rows(&self) -> Result<usize> {
        Ok(self.sources.len())
    }

    /// Keeps, in this order, the rows named by `rows` (indices into the
    /// current rows; a row may be repeated). No keys or values are copied:
    /// the encoder's stay per sentence and the cached ones stay where they
    /// were written; only the maps from rows to them change.
    pub fn select_rows(&mut self, rows: &[u32]) -> Result<()> {
        let steps = self.steps;
        self.history = rows
            .iter()
            .flat_map(|&r| &self.history[r as usize * steps..][..steps])
            .copied()
            .collect();
        self.sources = rows.iter().map(|&r| self.sources[r as usize]).collect();
        Ok(())
    }

    /// Refuses a step whose token count is not the row count.
    pub(super) fn check_rows(&self, tokens: usize) -> Result<()> {
        if tokens != self.sources.len() {
            candle_core::bail!("{tokens} tokens for {} decoder rows", self.sources.len());
        }
        Ok(())
    }

    /// Extends every row's history with the position about to be written,
    /// which row `i` writes at physical row `i`.
    pub(super) fn add_position(&mut self) {
        let steps = self.steps;
        let rows = self.sources.len();
        let mut history = Vec::with_capacity(rows * (steps + 1));
        for row in 0..rows {
            history.extend_from_slice(&self.history[row * steps..][..steps]);
            history.push(row as u32);
        }
        self.history = history;
    }
}

/// `MarianMTModel`: shared (or separate) embeddings, encoder, decoder and a
/// language-model head tied to the decoder embeddings, plus
/// `final_logits_bias`.
pub struct MarianMT {
    encoder_embed: TokenTable,
    decoder_embed: TokenTable,
    positions: Tensor,
    embed_scale: f64,
    encoder_layers: Vec<EncoderLayer>,
    decoder_layers: Vec<DecoderLayer>,
    lm_head: Linear,
    config: Config,
}

impl MarianMT {
    /// Builds the model from tensors named as in transformers' checkpoints
    /// (`model.shared.weight`, `model.encoder.layers.0.fc1.weight`, …).
    pub fn load(config: &Config, precision: Precision, vb: VarBuilder) -> Result<Self> {
        config.check().map_err(candle_core::Error::msg)?;
        precision.check(config).map_err(candle_core::Error::msg)?;
        let d = config.d_model;
        let model = vb.pp("model");
        let target_vocab = config.target_vocab_size();
        let (encoder_embed, decoder_embed) = if config.share_encoder_decoder_embeddings {
            let shared = TokenTable::load(config.vocab_size, d, precision, model.pp("shared"))?;
            (shared.clone(), shared)
        } else {
            (
                TokenTable::load(
                    config.vocab_size,
                    d,
                    precision,
                    model.pp("encoder.embed_tokens"),
                )?,
                TokenTable::load(target_vocab, d, precision, model.pp("decoder.embed_tokens"))?,
            )
        };
        // The head is tied to the decoder embeddings; checkpoints saved
        // with the tie usually omit `lm_head.weight`.
        let final_logits_bias = vb.get((1, target_vocab), "final_logits_bias")?.squeeze(0)?;
        let lm_head = if vb.contains_tensor("lm_head.weight") {
            let weight = vb.get((target_vocab, d), "lm_head.weight")?;
            Linear::new(weight, Some(final_logits_bias), precision)?
        } else {
            decoder_embed.head(final_logits_bias, precision)?
        };
        let encoder_layers = (0..config.encoder_layers)
            .map(|i| EncoderLayer::load(config, precision, model.pp(format!("encoder.layers.{i}"))))
            .collect::<Result<Vec<_>>>()?;
        let decoder_layers = (0..config.decoder_layers)
            .map(|i| DecoderLayer::load(config, precision, model.pp(format!("decoder.layers.{i}"))))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            encoder_embed,
            decoder_embed,
            positions: sinusoidal_positions(config.max_position_embeddings, d, vb.device())?,
            embed_scale: if config.scale_embedding {
                (d as f64).sqrt()
            } else {
                1.0
            },
            encoder_layers,
            decoder_layers,
            lm_head,
            config: config.clone(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn device(&self) -> &Device {
        self.positions.device()
    }

    /// Encodes a padded batch. `ids`: `[batch, len]` u32; `mask`: `[batch,
    /// len]` u8 with 1 for real tokens and 0 for padding. Returns the
    /// encoder output `[batch, len, d_model]`.
    pub fn encode(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_, len) = ids.dims2()?;
        if len > self.config.max_position_embeddings {
            candle_core::bail!(
                "input of {len} tokens is longer than the model's {} positions",
                self.config.max_position_embeddings
            );
        }
        let embedded = (self.encoder_embed.forward(ids)? * self.embed_scale)?;
        let mut xs = embedded.broadcast_add(&self.positions.i(..len)?)?;
        let additive = additive_mask(mask)?;
        for layer in &self.encoder_layers {
            xs = layer.forward(&xs, &additive)?;
        }
        Ok(xs)
    }

    /// Prepares decoding for the rows of an encoded batch, each repeated
    /// `copies` times (the beam width; 1 for greedy). The encoder's keys and
    /// values are projected once per sentence and then shared by its copies.
    pub fn start_decoding(
        &self,
        encoded: &Tensor,
        mask: &Tensor,
        copies: usize,
    ) -> Result<DecoderState> {
        let cross = self
            .decoder_layers
            .iter()
            .map(|layer| layer.encoder_attn.keys_values(encoded))
            .collect::<Result<Vec<_>>>()?;
        DecoderState::new(cross, mask, copies)
    }

    /// Feeds one token per row and returns the next-token logits `[rows,
    /// target_vocab]` (final_logits_bias included, nothing else applied).
    pub fn decode_step(&self, tokens: &[u32], state: &mut DecoderState) -> Result<Tensor> {
        let rows = tokens.len();
        let position = state.steps;
        if position >= self.config.max_position_embeddings {
            candle_core::bail!(
                "decoder ran past the model's {} positions",
                self.config.max_position_embeddings
            );
        }
        state.check_rows(rows)?;
        state.add_position();
        let ids = Tensor::new(tokens, self.device())?.reshape((rows, 1))?;
        let embedded = (self.decoder_embed.forward(&ids)? * self.embed_scale)?;
        let mut xs = embedded.broadcast_add(&self.positions.i(position..position + 1)?)?;
        for (layer, cache) in self.decoder_layers.iter().zip(state.layers.iter_mut()) {
            // Self-attention over every token so far: the new token's keys and
            // values join the cache, and since it is the last position no
            // causal mask is needed.
            let (k, v) = layer.self_attn.keys_values(&xs)?;
            let (k, v) = cache.past.append(&k, &v)?;
            let attended =
                layer
                    .self_attn
                    .attend(&xs, &k, &v, None, KvRows::History(&state.history))?;
            xs = layer.self_attn_layer_norm.forward(&(xs + attended)?)?;

            let (ck, cv) = &cache.cross;
            let attended = layer.encoder_attn.attend(
                &xs,
                ck,
                cv,
                Some(&state.cross_mask),
                KvRows::Shared(&state.sources),
            )?;
            xs = layer.encoder_attn_layer_norm.forward(&(xs + attended)?)?;

            let ffn = layer.ffn.forward(&xs)?;
            xs = layer.final_layer_norm.forward(&(xs + ffn)?)?;
        }
        state.steps += 1;
        self.lm_head.forward(&xs.squeeze(1)?)
    }
}

impl super::EncoderDecoder for MarianMT {
    fn start_decoding(
        &self,
        encoded: &Tensor,
        mask: &Tensor,
        copies: usize,
    ) -> Result<DecoderState> {
        MarianMT::start_decoding(self, encoded, mask, copies)
    }

    fn decode_step(&self, tokens: &[u32], state: &mut DecoderState) -> Result<Tensor> {
        MarianMT::decode_step(self, tokens, state)
    }
}

/// 1/0 padding mask `[batch, len]` → additive mask `[batch, 1, 1, len]` with
/// 0 for real tokens and a large negative number for padding. A finite value
/// (as transformers uses `finfo.min`) keeps softmax free of NaN.
pub(super) fn additive_mask(mask: &Tensor) -> Result<Tensor> {
    let (b, s) = mask.dims2()?;
    let keep = mask.to_dtype(DType::F32)?;
    ((keep - 1.0)? * 1e30)?.reshape((b, 1, 1, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_put_sines_first_and_cosines_second() {
        let table = sinusoidal_positions(3, 4, &Device::Cpu).unwrap();
        let rows: Vec<Vec<f32>> = table.to_vec2().unwrap();
        // position 0: sin(0)=0 in the first half, cos(0)=1 in the second.
        assert_eq!(rows[0], vec![0.0, 0.0, 1.0, 1.0]);
        // position 2, frequency index 1: angle = 2 / 10000^(2/4) = 0.02.
        assert!((rows[2][1] - 0.02f32.sin()).abs() < 1e-7);
        assert!((rows[2][3] - 0.02f32.cos()).abs() < 1e-7);
    }

    /// Attention the general way (two matmuls and a softmax) for one query
    /// per row, `[rows, 1, heads * head_dim]`.
    fn attention_by_matmul(q: &Tensor, k: &Tensor, v: &Tensor, mask: Option<&Tensor>) -> Tensor {
        let (rows, heads, _, dim) = q.dims4().unwrap();
        let mut scores = q.matmul(&k.t().unwrap().contiguous().unwrap()).unwrap();
        if let Some(mask) = mask {
            scores = scores.broadcast_add(mask).unwrap();
        }
        candle_nn::ops::softmax_last_dim(&scores)
            .unwrap()
            .matmul(v)
            .unwrap()
            .transpose(1, 2)
            .unwrap()
            .reshape((rows, 1, heads * dim))
            .unwrap()
    }

    fn max_abs_difference(a: &Tensor, b: &Tensor) -> f32 {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .flatten_all()
            .unwrap()
            .max(0)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    }

    /// The one-query path against the general one, on keys that are a view
    /// into a longer buffer and with a padding mask.
    #[test]
    fn single_query_attention_matches_the_matmul_path() {
        let dev = Device::Cpu;
        let (rows, heads, len, dim) = (3, 2, 5, 4);
        let q = Tensor::randn(0f32, 1.0, (rows, heads, 1, dim), &dev).unwrap();
        let k_buffer = Tensor::randn(0f32, 1.0, (rows, heads, len + 3, dim), &dev).unwrap();
        let k = k_buffer.narrow(2, 0, len).unwrap();
        let v = Tensor::randn(0f32, 1.0, (rows, heads, len, dim), &dev).unwrap();
        let keep =
            Tensor::new(&[[1u8, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], &dev).unwrap();
        let mask = additive_mask(&keep).unwrap();
        let ours = single_query_attention(&q, &k, &v, Some(&mask), KvRows::Own).unwrap();
        let diff = max_abs_difference(&ours, &attention_by_matmul(&q, &k, &v, Some(&mask)));
        assert!(diff < 1e-5, "max difference {diff}");
    }

    /// Rows reading their positions from other physical rows (beam search
    /// without copying caches): the kernel and `gather_history` against
    /// keys and values assembled position by position.
    #[test]
    fn single_query_attention_follows_each_rows_history() {
        let dev = Device::Cpu;
        let (physical, rows, heads, len, dim) = (4, 3, 2, 3, 4);
        let q = Tensor::randn(0f32, 1.0, (rows, heads, 1, dim), &dev).unwrap();
        let k = Tensor::randn(0f32, 1.0, (physical, heads, len, dim), &dev).unwrap();
        let v = Tensor::randn(0f32, 1.0, (physical, heads, len, dim), &dev).unwrap();
        // Row 0 descends from physical rows 3, 1, 0; rows 1 and 2 share
        // their first two positions.
        let table = [3u32, 1, 0, 2, 2, 1, 2, 2, 2];
        let ours = single_query_attention(&q, &k, &v, None, KvRows::History(&table)).unwrap();
        let assemble = |kv: &Tensor| {
            let per_row: Vec<Tensor> = (0..rows)
                .map(|r| {
                    let positions: Vec<Tensor> = (0..len)
                        .map(|t| {
                            kv.i((table[r * len + t] as usize, .., t..t + 1, ..))
                                .unwrap()
                        })
                        .collect();
                    Tensor::cat(&positions, 1).unwrap()
                })
                .collect();
            Tensor::stack(&per_row, 0).unwrap()
        };
        let (k_rows, v_rows) = (assemble(&k), assemble(&v));
        let gathered = gather_history(&k, &table, rows).unwrap();
        assert_eq!(max_abs_difference(&gathered, &k_rows), 0.0);
        let diff = max_abs_difference(&ours, &attention_by_matmul(&q, &k_rows, &v_rows, None));
        assert!(diff < 1e-5, "max difference {diff}");
    }

    #[test]
    fn config_check_names_the_bad_field() {
        let json = r#"{"vocab_size": 10, "max_position_embeddings": 8, "d_model": 6,
            "encoder_layers": 1, "encoder_ffn_dim": 4, "encoder_attention_heads": 4,
            "decoder_layers": 1, "decoder_ffn_dim": 4, "decoder_attention_heads": 2,
            "activation_function": "relu", "pad_token_id": 9, "eos_token_id": 0,
            "decoder_start_token_id": 9}"#;
        let cfg: Config = serde_json::from_str(json).unwrap();
        let err = cfg.check().unwrap_err();
        assert!(err.contains("encoder_attention_heads"), "{err}");
    }
}
