//! The T5 encoder-decoder as transformers' `T5ForConditionalGeneration`
//! defines it, for MADLAD-400's machine-translation checkpoints (T5 v1.1
//! layout: gated-GELU feed-forward, untied output head).
//!
//! What it is: the forward pass — a batched encoder with a padding mask,
//! and a decoder run one token per row at a time whose self-attention
//! cache and encoder keys/values live in the shared
//! [`DecoderState`](super::marian::DecoderState), so the one beam search
//! (`crate::translate::search`) reorders its rows as it does Marian's. What
//! it is not: tokenization, search, or reading files; the caller hands it a
//! `VarBuilder` (safetensors) or a GGUF file's tensors.
//!
//! Why not candle-transformers' `t5`/`quantized_t5`: their encoder takes no
//! attention mask, so a padded batch attends to its padding and gives
//! other outputs than one sentence alone, and their key/value caches are
//! private, so beam search could not reorder them.
//!
//! T5 specifics, all as transformers computes them: RMS norm without mean
//! or bias, pre-norm residual blocks; no scaling of attention scores;
//! relative position buckets instead of position embeddings, the bias
//! table held by the first layer of each stack and shared by the others —
//! bidirectional buckets in the encoder, unidirectional (only the past) in
//! the decoder, and none in cross-attention; `gated-gelu` is `gelu_new`
//! (the tanh approximation); a tied head rescales the decoder output by
//! `d_model^-0.5`, an untied one (MADLAD's) does not.

use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::quantized::gguf_file;
use candle_core::{DType, Device, Module, Result, Tensor};
use candle_nn::{Activation, VarBuilder};
use serde::Deserialize;

use super::layers::{GgufTensors, Projection, TokenTable};
use super::marian::{
    additive_mask, single_query_attention_with_bias, DecoderState, KvRows, Linear, Precision,
};
use super::EncoderDecoder;

/// The parts of a T5 `config.json` the architecture needs; defaults are
/// transformers' `T5Config` ones.
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    pub vocab_size: usize,
    pub d_model: usize,
    pub d_kv: usize,
    pub d_ff: usize,
    pub num_layers: usize,
    #[serde(default)]
    pub num_decoder_layers: Option<usize>,
    pub num_heads: usize,
    #[serde(default = "default_buckets")]
    pub relative_attention_num_buckets: usize,
    #[serde(default = "default_max_distance")]
    pub relative_attention_max_distance: usize,
    #[serde(default = "default_epsilon")]
    pub layer_norm_epsilon: f64,
    #[serde(default = "default_feed_forward")]
    pub feed_forward_proj: String,
    #[serde(default = "default_true")]
    pub tie_word_embeddings: bool,
    #[serde(default)]
    pub pad_token_id: u32,
    #[serde(default = "default_eos")]
    pub eos_token_id: u32,
    /// T5 starts decoding with the pad id when this is missing; MADLAD
    /// says 0 (`<unk>`) while its pad is 1.
    #[serde(default)]
    pub decoder_start_token_id: Option<u32>,
}

fn default_buckets() -> usize {
    32
}
fn default_max_distance() -> usize {
    128
}
fn default_epsilon() -> f64 {
    1e-6
}
fn default_feed_forward() -> String {
    "relu".to_string()
}
fn default_true() -> bool {
    true
}
fn default_eos() -> u32 {
    1
}

impl Config {
    pub fn decoder_layers(&self) -> usize {
        self.num_decoder_layers.unwrap_or(self.num_layers)
    }

    pub fn decoder_start(&self) -> u32 {
        self.decoder_start_token_id.unwrap_or(self.pad_token_id)
    }

    /// `feed_forward_proj` read as transformers reads it: `gated-` or not,
    /// and the activation (`gated-gelu` is the tanh approximation).
    pub fn feed_forward(&self) -> std::result::Result<(bool, Activation), String> {
        let (gated, name) = match self.feed_forward_proj.split_once('-') {
            Some(("gated", name)) => (true, name),
            None => (false, self.feed_forward_proj.as_str()),
            Some(_) => {
                return Err(format!(
                    "feed_forward_proj {:?} is not ACT or gated-ACT",
                    self.feed_forward_proj
                ))
            }
        };
        let activation = match (gated, name) {
            (true, "gelu") | (_, "gelu_new") => Activation::NewGelu,
            // transformers' plain "gelu" is the exact (erf) one.
            (false, "gelu") => Activation::Gelu,
            (_, "relu") => Activation::Relu,
            (_, "silu") | (_, "swish") => Activation::Silu,
            _ => {
                return Err(format!(
                    "feed_forward_proj {:?}: activation {name:?} is not supported (relu, gelu, gelu_new, silu)",
                    self.feed_forward_proj
                ))
            }
        };
        Ok((gated, activation))
    }

    /// Refuses shapes the forward pass cannot honour, so a wrong
    /// `config.json` fails at load time with a reason.
    pub fn check(&self) -> std::result::Result<(), String> {
        for (what, value) in [
            ("d_model", self.d_model),
            ("d_kv", self.d_kv),
            ("d_ff", self.d_ff),
            ("num_heads", self.num_heads),
            ("num_layers", self.num_layers),
            ("num_decoder_layers", self.decoder_layers()),
        ] {
            if value == 0 {
                return Err(format!("{what} is 0"));
            }
        }
        let buckets = self.relative_attention_num_buckets;
        // Bidirectional buckets are halved, and half of those are exact.
        if buckets < 4 || !buckets.is_multiple_of(2) {
            return Err(format!(
                "relative_attention_num_buckets {buckets} must be even and at least 4"
            ));
        }
        if self.relative_attention_max_distance <= buckets / 2 {
            return Err(format!(
                "relative_attention_max_distance {} must exceed half the {buckets} buckets",
                self.relative_attention_max_distance
            ));
        }
        for (what, id) in [
            ("pad_token_id", self.pad_token_id),
            ("eos_token_id", self.eos_token_id),
            ("decoder_start_token_id", self.decoder_start()),
        ] {
            if id as usize >= self.vocab_size {
                return Err(format!(
                    "{what} {id} is outside the vocabulary of {}",
                    self.vocab_size
                ));
            }
        }
        self.feed_forward().map(|_| ())
    }
}

/// transformers' `T5Attention._relative_position_bucket`: the bucket of
/// `relative` = key position − query position. Bidirectional (encoder):
/// half the buckets for keys after the query. Unidirectional (decoder):
/// keys after the query all fall in bucket 0 (they are masked anyway).
/// Half of a direction's buckets are exact distances; the rest grow
/// logarithmically up to `max_distance`, computed in f32 as torch does so
/// distances at bucket edges (16, 32, 64 …) land in the same bucket.
fn relative_bucket(
    relative: i64,
    bidirectional: bool,
    buckets: usize,
    max_distance: usize,
) -> usize {
    let (mut buckets, mut bucket) = (buckets, 0);
    let distance = if bidirectional {
        buckets /= 2;
        if relative > 0 {
            bucket += buckets;
        }
        relative.unsigned_abs() as usize
    } else {
        (-relative.min(0)) as usize
    };
    let max_exact = buckets / 2;
    if distance < max_exact {
        return bucket + distance;
    }
    let ratio = (distance as f32 / max_exact as f32).ln()
        / ((max_distance as f64 / max_exact as f64).ln() as f32)
        * (buckets - max_exact) as f32;
    bucket + (max_exact + ratio as usize).min(buckets - 1)
}

/// A weight `x W^T` as the file gave it: safetensors through Marian's
/// linear layer (f32, or quantized at load by `Precision`), GGUF through
/// the language models' projections (our k-quant kernels for Q4_K/Q6_K).
enum Weight {
    Linear(Linear),
    Gguf(Projection),
}

impl Weight {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        match self {
            Self::Linear(linear) => linear.forward(xs),
            Self::Gguf(projection) => projection.forward(xs),
        }
    }
}

/// The token table: f32 rows, or a GGUF table kept quantized.
enum Table {
    F32(Tensor),
    Gguf(TokenTable),
}

impl Table {
    fn lookup(&self, ids: &Tensor) -> Result<Tensor> {
        match self {
            Self::F32(table) => {
                let rows = table.dim(0)?;
                let flat = ids.flatten_all()?;
                if let Some(id) = flat
                    .to_vec1::<u32>()?
                    .iter()
                    .find(|&&id| id as usize >= rows)
                {
                    candle_core::bail!("token {id} of a table of {rows}");
                }
                let mut shape = ids.dims().to_vec();
                shape.push(table.dim(1)?);
                table.index_select(&flat, 0)?.reshape(shape)
            }
            Self::Gguf(table) => table.lookup(ids),
        }
    }
}

/// Where the weights come from: the loaders below ask by Hugging Face
/// tensor name, which both formats use (candle's tool kept them in GGUF).
trait Weights {
    fn has(&self, name: &str) -> bool;
    fn weight(&mut self, name: &str, out_dim: usize, in_dim: usize) -> Result<Weight>;
    /// A small tensor (norm gains, the bucket table) as f32.
    fn dense(&mut self, name: &str, shape: &[usize]) -> Result<Tensor>;
    fn table(&mut self, name: &str, rows: usize, dim: usize) -> Result<Table>;
    /// The output head tied to the table named `name`.
    fn tied_head(&mut self, table: &Table, rows: usize, dim: usize) -> Result<Weight>;
}

struct Safetensors<'a> {
    vb: VarBuilder<'a>,
    precision: Precision,
}

impl Weights for Safetensors<'_> {
    fn has(&self, name: &str) -> bool {
        self.vb.contains_tensor(name)
    }

    fn weight(&mut self, name: &str, out_dim: usize, in_dim: usize) -> Result<Weight> {
        let weight = self.vb.get((out_dim, in_dim), name)?;
        Ok(Weight::Linear(Linear::new(weight, None, self.precision)?))
    }

    fn dense(&mut self, name: &str, shape: &[usize]) -> Result<Tensor> {
        self.vb.get(shape, name)
    }

    fn table(&mut self, name: &str, rows: usize, dim: usize) -> Result<Table> {
        Ok(Table::F32(self.vb.get((rows, dim), name)?))
    }

    fn tied_head(&mut self, table: &Table, _: usize, _: usize) -> Result<Weight> {
        // The head reads the table transposed (see marian's Weight::Dense),
        // so a tied safetensors model holds the table twice; MADLAD's head
        // is untied, so only small T5s pay for it.
        match table {
            Table::F32(table) => Ok(Weight::Linear(Linear::new(
                table.clone(),
                None,
                self.precision,
            )?)),
            Table::Gguf(_) => candle_core::bail!("a safetensors model with a GGUF table"),
        }
    }
}

/// A GGUF file's tensors, projections either on the quantized kernels or
/// dequantized to f32 (`dequantize`).
struct Gguf<'a, R> {
    tensors: GgufTensors<'a, R>,
    dequantize: bool,
}

impl<R: Read + Seek> Weights for Gguf<'_, R> {
    fn has(&self, name: &str) -> bool {
        self.tensors.has(name)
    }

    fn weight(&mut self, name: &str, out_dim: usize, in_dim: usize) -> Result<Weight> {
        check_shape(self.tensors.tensor_shape(name)?, &[out_dim, in_dim], name)?;
        if self.dequantize {
            let weight = self.tensors.tensor(name)?.dequantize(&Device::Cpu)?;
            return Ok(Weight::Linear(Linear::new(weight, None, Precision::F32)?));
        }
        Ok(Weight::Gguf(self.tensors.projection(name)?))
    }

    fn dense(&mut self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let tensor = self.tensors.tensor(name)?;
        check_shape(tensor.shape().dims().to_vec(), shape, name)?;
        tensor.dequantize(&Device::Cpu)
    }

    fn table(&mut self, name: &str, rows: usize, dim: usize) -> Result<Table> {
        check_shape(self.tensors.tensor_shape(name)?, &[rows, dim], name)?;
        Ok(Table::Gguf(self.tensors.token_table(name)?))
    }

    fn tied_head(&mut self, table: &Table, _: usize, _: usize) -> Result<Weight> {
        match table {
            Table::Gguf(_) if self.dequantize => {
                candle_core::bail!("a tied head is not dequantized (only the untied heads of MADLAD and the fixtures are)")
            }
            Table::Gguf(table) => Ok(Weight::Gguf(table.as_output()?)),
            Table::F32(_) => candle_core::bail!("a GGUF model with an f32 table"),
        }
    }
}

fn check_shape(got: Vec<usize>, expected: &[usize], name: &str) -> Result<()> {
    if got != expected {
        candle_core::bail!("tensor {name} is {got:?}, {expected:?} expected");
    }
    Ok(())
}

/// RMS norm: `x / sqrt(mean(x²) + eps) * weight`, no mean, no bias.
struct RmsNorm {
    weight: Tensor,
    eps: f32,
}

impl RmsNorm {
    fn load(weights: &mut dyn Weights, name: &str, cfg: &Config) -> Result<Self> {
        Ok(Self {
            weight: weights.dense(name, &[cfg.d_model])?,
            eps: cfg.layer_norm_epsilon as f32,
        })
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        candle_nn::ops::rms_norm(&xs.contiguous()?, &self.weight, self.eps)
    }
}

struct Attention {
    q: Weight,
    k: Weight,
    v: Weight,
    o: Weight,
    heads: usize,
    head_dim: usize,
}

impl Attention {
    fn load(weights: &mut dyn Weights, prefix: &str, cfg: &Config) -> Result<Self> {
        let inner = cfg.num_heads * cfg.d_kv;
        let d = cfg.d_model;
        Ok(Self {
            q: weights.weight(&format!("{prefix}.q.weight"), inner, d)?,
            k: weights.weight(&format!("{prefix}.k.weight"), inner, d)?,
            v: weights.weight(&format!("{prefix}.v.weight"), inner, d)?,
            o: weights.weight(&format!("{prefix}.o.weight"), d, inner)?,
            heads: cfg.num_heads,
            head_dim: cfg.d_kv,
        })
    }

    /// `[batch, len, inner]` → `[batch, heads, len, head_dim]`.
    fn split_heads(&self, xs: &Tensor) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        xs.reshape((b, t, self.heads, self.head_dim))?
            .transpose(1, 2)?
            .contiguous()
    }

    fn keys_values(&self, xs: &Tensor) -> Result<(Tensor, Tensor)> {
        Ok((
            self.split_heads(&self.k.forward(xs)?)?,
            self.split_heads(&self.v.forward(xs)?)?,
        ))
    }

    /// Full attention of every position to every position (the encoder):
    /// `scores` bias, `[batch or 1, heads, len, len]`, holds the position
    /// bias plus the padding mask.
    fn forward_all(&self, xs: &Tensor, scores_bias: &Tensor) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        let q = self.split_heads(&self.q.forward(xs)?)?;
        let (k, v) = self.keys_values(xs)?;
        let scores = q.matmul(&k.t()?)?.broadcast_add(scores_bias)?;
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let out =
            weights
                .matmul(&v)?
                .transpose(1, 2)?
                .reshape((b, t, self.heads * self.head_dim))?;
        self.o.forward(&out)
    }

    /// One query per row (a decoder step) against keys and values held
    /// elsewhere; `[rows, 1, d_model]`.
    fn forward_one(
        &self,
        xs: &Tensor,
        k: &Tensor,
        v: &Tensor,
        mask: Option<&Tensor>,
        head_bias: Option<&[f32]>,
        kv_rows: KvRows,
    ) -> Result<Tensor> {
        let q = self.split_heads(&self.q.forward(xs)?)?;
        let out = single_query_attention_with_bias(&q, k, v, mask, head_bias, kv_rows)?;
        self.o.forward(&out)
    }
}

struct FeedForward {
    /// `wi` (plain) or `wi_0` (gated: the activated half).
    wi: Weight,
    /// `wi_1`, the linear half of a gated layer.
    gate: Option<Weight>,
    wo: Weight,
    activation: Activation,
}

impl FeedForward {
    fn load(weights: &mut dyn Weights, prefix: &str, cfg: &Config) -> Result<Self> {
        let (gated, activation) = cfg.feed_forward().map_err(candle_core::Error::msg)?;
        let (d, ff) = (cfg.d_model, cfg.d_ff);
        let (wi, gate) = if gated {
            (
                weights.weight(&format!("{prefix}.wi_0.weight"), ff, d)?,
                Some(weights.weight(&format!("{prefix}.wi_1.weight"), ff, d)?),
            )
        } else {
            (weights.weight(&format!("{prefix}.wi.weight"), ff, d)?, None)
        };
        Ok(Self {
            wi,
            gate,
            wo: weights.weight(&format!("{prefix}.wo.weight"), d, ff)?,
            activation,
        })
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut hidden = self.activation.forward(&self.wi.forward(xs)?)?;
        if let Some(gate) = &self.gate {
            hidden = (hidden * gate.forward(xs)?)?;
        }
        self.wo.forward(&hidden)
    }
}

struct EncoderLayer {
    self_attention: Attention,
    attention_norm: RmsNorm,
    ff: FeedForward,
    ff_norm: RmsNorm,
}

struct DecoderLayer {
    self_attention: Attention,
    self_attention_norm: RmsNorm,
    cross_attention: Attention,
    cross_attention_norm: RmsNorm,
    ff: FeedForward,
    ff_norm: RmsNorm,
}

/// The relative position bias table of a stack, `[buckets, heads]`
/// row-major, with how its buckets are counted.
struct PositionBias {
    table: Vec<f32>,
    heads: usize,
    buckets: usize,
    max_distance: usize,
    bidirectional: bool,
}

impl PositionBias {
    fn load(
        weights: &mut dyn Weights,
        name: &str,
        cfg: &Config,
        bidirectional: bool,
    ) -> Result<Self> {
        let buckets = cfg.relative_attention_num_buckets;
        let table = weights
            .dense(name, &[buckets, cfg.num_heads])?
            .to_dtype(DType::F32)?
            .flatten_all()?
            .to_vec1()?;
        Ok(Self {
            table,
            heads: cfg.num_heads,
            buckets,
            max_distance: cfg.relative_attention_max_distance,
            bidirectional,
        })
    }

    /// The bias of queries at `queries` against keys `0..keys`, `[heads,
    /// queries, keys]` row-major.
    fn values(&self, queries: std::ops::Range<usize>, keys: usize) -> Vec<f32> {
        let rows = queries.len();
        let mut out = vec![0f32; self.heads * rows * keys];
        for (i, query) in queries.enumerate() {
            for key in 0..keys {
                let bucket = relative_bucket(
                    key as i64 - query as i64,
                    self.bidirectional,
                    self.buckets,
                    self.max_distance,
                );
                for head in 0..self.heads {
                    out[(head * rows + i) * keys + key] = self.table[bucket * self.heads + head];
                }
            }
        }
        out
    }
}

/// `T5ForConditionalGeneration`: a shared token table, the encoder and
/// decoder stacks, and the output head.
pub struct T5 {
    table: Arc<Table>,
    encoder_layers: Vec<EncoderLayer>,
    encoder_bias: PositionBias,
    encoder_norm: RmsNorm,
    decoder_layers: Vec<DecoderLayer>,
    decoder_bias: PositionBias,
    decoder_norm: RmsNorm,
    head: Weight,
    /// `d_model^-0.5` when the head is tied to the table, else 1.
    output_scale: f64,
    config: Config,
    device: Device,
}

impl T5 {
    /// From safetensors tensors named as transformers saves them
    /// (`shared.weight`, `encoder.block.0.layer.0.SelfAttention.q.weight`, …),
    /// linear layers at `precision`.
    pub fn load(config: &Config, precision: Precision, vb: VarBuilder) -> Result<Self> {
        let device = vb.device().clone();
        let mut weights = Safetensors { vb, precision };
        Self::build(config, &mut weights, device)
    }

    /// From a GGUF file with the same tensor names (candle's quantizer
    /// keeps them), read through `reader`. Quantized projections run on the
    /// k-quant kernels, which quantize activations to 8 bits as llama.cpp
    /// does; `dequantize` holds them as f32 instead, for products exact up
    /// to float rounding (four to eight times the file's size in memory:
    /// for tests and small models, not MADLAD's 3B).
    pub fn load_gguf<R: Read + Seek>(
        config: &Config,
        content: &gguf_file::Content,
        reader: &mut R,
        dequantize: bool,
    ) -> Result<Self> {
        let device = Device::Cpu;
        let mut weights = Gguf {
            tensors: GgufTensors::new(content, reader, &device),
            dequantize,
        };
        Self::build(config, &mut weights, device.clone())
    }

    fn build(config: &Config, weights: &mut dyn Weights, device: Device) -> Result<Self> {
        config.check().map_err(candle_core::Error::msg)?;
        let (vocab, d) = (config.vocab_size, config.d_model);
        // transformers saves the shared table as `shared.weight`; some
        // conversions keep only the stacks' copies.
        let table_name = [
            "shared.weight",
            "encoder.embed_tokens.weight",
            "decoder.embed_tokens.weight",
        ]
        .into_iter()
        .find(|name| weights.has(name))
        .unwrap_or("shared.weight");
        let table = weights.table(table_name, vocab, d)?;
        // Tied when the file has no head of its own; the rescale follows
        // the config, as in transformers (`scale_decoder_outputs`).
        let head = if !weights.has("lm_head.weight") {
            weights.tied_head(&table, vocab, d)?
        } else {
            weights.weight("lm_head.weight", vocab, d)?
        };
        let output_scale = if config.tie_word_embeddings {
            (d as f64).powf(-0.5)
        } else {
            1.0
        };
        let mut encoder_layers = Vec::with_capacity(config.num_layers);
        for i in 0..config.num_layers {
            let p = format!("encoder.block.{i}.layer");
            encoder_layers.push(EncoderLayer {
                self_attention: Attention::load(weights, &format!("{p}.0.SelfAttention"), config)?,
                attention_norm: RmsNorm::load(
                    weights,
                    &format!("{p}.0.layer_norm.weight"),
                    config,
                )?,
                ff: FeedForward::load(weights, &format!("{p}.1.DenseReluDense"), config)?,
                ff_norm: RmsNorm::load(weights, &format!("{p}.1.layer_norm.weight"), config)?,
            });
        }
        let mut decoder_layers = Vec::with_capacity(config.decoder_layers());
        for i in 0..config.decoder_layers() {
            let p = format!("decoder.block.{i}.layer");
            decoder_layers.push(DecoderLayer {
                self_attention: Attention::load(weights, &format!("{p}.0.SelfAttention"), config)?,
                self_attention_norm: RmsNorm::load(
                    weights,
                    &format!("{p}.0.layer_norm.weight"),
                    config,
                )?,
                cross_attention: Attention::load(
                    weights,
                    &format!("{p}.1.EncDecAttention"),
                    config,
                )?,
                cross_attention_norm: RmsNorm::load(
                    weights,
                    &format!("{p}.1.layer_norm.weight"),
                    config,
                )?,
                ff: FeedForward::load(weights, &format!("{p}.2.DenseReluDense"), config)?,
                ff_norm: RmsNorm::load(weights, &format!("{p}.2.layer_norm.weight"), config)?,
            });
        }
        let bias_name = |stack: &str| {
            format!("{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight")
        };
        Ok(Self {
            encoder_bias: PositionBias::load(weights, &bias_name("encoder"), config, true)?,
            decoder_bias: PositionBias::load(weights, &bias_name("decoder"), config, false)?,
            encoder_norm: RmsNorm::load(weights, "encoder.final_layer_norm.weight", config)?,
            decoder_norm: RmsNorm::load(weights, "decoder.final_layer_norm.weight", config)?,
            table: Arc::new(table),
            encoder_layers,
            decoder_layers,
            head,
            output_scale,
            config: config.clone(),
            device,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Encodes a padded batch. `ids`: `[batch, len]` u32; `mask`: `[batch,
    /// len]` u8 with 1 for real tokens and 0 for padding. Returns the
    /// encoder output `[batch, len, d_model]`.
    pub fn encode(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (_, len) = ids.dims2()?;
        let mut xs = self.table.lookup(ids)?;
        let bias = Tensor::from_vec(
            self.encoder_bias.values(0..len, len),
            (1, self.config.num_heads, len, len),
            &self.device,
        )?;
        // Position bias and padding mask are added to the scores of every
        // layer; summed once here.
        let scores_bias = bias.broadcast_add(&additive_mask(mask)?)?;
        for layer in &self.encoder_layers {
            let attended = layer
                .self_attention
                .forward_all(&layer.attention_norm.forward(&xs)?, &scores_bias)?;
            xs = (xs + attended)?;
            let ff = layer.ff.forward(&layer.ff_norm.forward(&xs)?)?;
            xs = (xs + ff)?;
        }
        self.encoder_norm.forward(&xs)
    }

    /// Prepares decoding for the rows of an encoded batch, each repeated
    /// `copies` times; the encoder's keys and values are projected once
    /// per sentence and shared by its copies.
    pub fn start_decoding(
        &self,
        encoded: &Tensor,
        mask: &Tensor,
        copies: usize,
    ) -> Result<DecoderState> {
        let cross = self
            .decoder_layers
            .iter()
            .map(|layer| layer.cross_attention.keys_values(encoded))
            .collect::<Result<Vec<_>>>()?;
        DecoderState::new(cross, mask, copies)
    }

    /// Feeds one token per row and returns the next-token logits `[rows,
    /// vocab]`.
    pub fn decode_step(&self, tokens: &[u32], state: &mut DecoderState) -> Result<Tensor> {
        let rows = tokens.len();
        state.check_rows(rows)?;
        let position = state.steps;
        state.add_position();
        let ids = Tensor::new(tokens, &self.device)?.reshape((rows, 1))?;
        let mut xs = self.table.lookup(&ids)?;
        // The newest position against every one so far (none later).
        let bias = self
            .decoder_bias
            .values(position..position + 1, position + 1);
        for (layer, cache) in self.decoder_layers.iter().zip(state.layers.iter_mut()) {
            let normed = layer.self_attention_norm.forward(&xs)?;
            let (k, v) = layer.self_attention.keys_values(&normed)?;
            let (k, v) = cache.past.append(&k, &v)?;
            let attended = layer.self_attention.forward_one(
                &normed,
                &k,
                &v,
                None,
                Some(&bias),
                KvRows::History(&state.history),
            )?;
            xs = (xs + attended)?;

            let normed = layer.cross_attention_norm.forward(&xs)?;
            let (ck, cv) = &cache.cross;
            let attended = layer.cross_attention.forward_one(
                &normed,
                ck,
                cv,
                Some(&state.cross_mask),
                None,
                KvRows::Shared(&state.sources),
            )?;
            xs = (xs + attended)?;

            let ff = layer.ff.forward(&layer.ff_norm.forward(&xs)?)?;
            xs = (xs + ff)?;
        }
        state.steps += 1;
        let mut out = self.decoder_norm.forward(&xs)?.squeeze(1)?;
        if self.output_scale != 1.0 {
            out = (out * self.output_scale)?;
        }
        self.head.forward(&out)
    }
}

impl EncoderDecoder for T5 {
    fn start_decoding(
        &self,
        encoded: &Tensor,
        mask: &Tensor,
        copies: usize,
    ) -> Result<DecoderState> {
        T5::start_decoding(self, encoded, mask, copies)
    }

    fn decode_step(&self, tokens: &[u32], state: &mut DecoderState) -> Result<Tensor> {
        T5::decode_step(self, tokens, state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Buckets from transformers 5.23 (`T5Attention._relative_position_bucket`,
    /// 32 buckets, max distance 128), including the distances at bucket
    /// edges where f64 arithmetic would round the other way.
    #[test]
    fn buckets_match_transformers_at_the_edges() {
        for (relative, bucket) in [
            (8, 24),
            (15, 25),
            (16, 26),
            (17, 26),
            (31, 27),
            (32, 28),
            (63, 29),
            (64, 30),
            (127, 31),
            (128, 31),
            (-3, 3),
            (0, 0),
        ] {
            assert_eq!(
                relative_bucket(relative, true, 32, 128),
                bucket,
                "bidirectional {relative}"
            );
        }
        for (relative, bucket) in [
            (-16, 16),
            (-17, 16),
            (-31, 21),
            (-32, 21),
            (-33, 21),
            (-63, 26),
            (-64, 26),
            (-65, 26),
            (-127, 31),
            (-128, 31),
            (5, 0),
            (-7, 7),
        ] {
            assert_eq!(
                relative_bucket(relative, false, 32, 128),
                bucket,
                "unidirectional {relative}"
            );
        }
    }

    #[test]
    fn config_check_names_the_bad_field() {
        let json = r#"{"vocab_size": 10, "d_model": 8, "d_kv": 4, "d_ff": 16, "num_layers": 1,
            "num_heads": 2, "feed_forward_proj": "gated-gelu", "pad_token_id": 1,
            "eos_token_id": 12}"#;
        let cfg: Config = serde_json::from_str(json).unwrap();
        assert!(cfg.check().unwrap_err().contains("eos_token_id"));
        let cfg: Config =
            serde_json::from_str(&json.replace("12", "2").replace("gated-gelu", "gated-tanh"))
                .unwrap();
        assert!(cfg.check().unwrap_err().contains("gated-tanh"));
    }
}
