//! Gemma 3 (text only) over llama.cpp's quantized GGUF weights: the forward
//! pass from token ids to the logits of the last position, with a key/value
//! cache for one sequence.
//!
//! It started as candle-transformers' `quantized_gemma3::ModelWeights` and
//! keeps its arithmetic (rotary angles, quantized products) where that is
//! right, but follows llama.cpp, the reference for the format, where candle
//! departs from the model (`tests/llama_cpp_parity.rs` compares the two):
//! - the feed-forward gate is GELU (tanh form, Gemma's
//!   `gelu_pytorch_tanh`); candle's model gates it with SiLU, which moved
//!   the first logits of a prompt by 5 to 11 against llama.cpp's;
//! - the sliding window is llama.cpp's and transformers': a query sees its
//!   own position and the `sliding_window - 1` before it, in a prompt and
//!   in single-token steps alike. Candle's mask lets one position more
//!   through, and its single-token step attends to the whole cache; both
//!   show once a sequence passes the window (512 positions for 270M).
//!
//! Memory is the other difference. Candle builds rotary tables for 131072
//! positions once per layer (about 2.4 GB for Gemma 3 270M's 18 layers)
//! and dequantizes the token embeddings to f32 (671 MB) to look rows up.
//! Here the two rotary tables (local and global frequency) are shared by
//! all layers and grow only as far as the positions reached; the
//! embeddings stay quantized, shared with the tied output head, and only
//! the rows asked for are dequantized. The cache keeps every position,
//! written in place; a sliding layer's attention reads only its window.
//!
//! Speed: the weights candle has no tiled kernel for (the 640-wide Q5_0
//! and Q8_0 ones, and the tied 262,144 × 640 token table as output head)
//! go through `super::qgemm`, the k-quants through `super::kquant`;
//! attention (`super::attention`) reads each key/value head once for all
//! the query heads that share it.
//!
//! What it is not: tokenization, prompting or sampling (`crate::llm`), or
//! finding files. `load` reads tensors from an already opened GGUF; the
//! forward code knows only tensors and `Config`.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file;
use candle_core::{bail, Device, IndexOp, Module, Result, Tensor};

use super::attention::attend;
use super::layers::{
    check_heads, check_positions, GgufTensors, KvCache, PositionInputs, Projection, RmsNorm,
    RotaryTables, TokenTable,
};

/// The shape of the network, as llama.cpp's GGUF metadata states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub hidden_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub num_kv_heads: usize,
    pub head_dim: usize,
    pub rms_norm_eps: f32,
    /// How far back (in positions) a sliding-window layer may look.
    pub sliding_window: usize,
    /// Every `global_layer_period`-th layer (counting from 1) attends to
    /// all positions; the others use the sliding window.
    pub global_layer_period: usize,
    /// Rotary base frequency of the global layers.
    pub rope_theta: f32,
    /// Rotary base frequency of the sliding-window layers.
    pub rope_theta_local: f32,
    /// The model's context: positions at or past it are refused.
    pub max_positions: usize,
}

impl Config {
    /// Reads the metadata keys candle reads, with candle's defaults for the
    /// ones llama.cpp's converter leaves out (the sliding-window period and
    /// the local rotary base are absent from Gemma 3 270M's file).
    pub fn from_gguf(content: &gguf_file::Content) -> Result<Self> {
        // Gemma 2 and EmbeddingGemma files use the same layout under their
        // own prefix, as candle's loader accepts them.
        let prefix = ["gemma3", "gemma2", "gemma", "gemma-embedding"]
            .into_iter()
            .find(|p| {
                content
                    .metadata
                    .contains_key(&format!("{p}.attention.head_count"))
            })
            .unwrap_or("gemma3");
        let get = |key: &str| {
            let key = format!("{prefix}.{key}");
            content
                .metadata
                .get(&key)
                .ok_or_else(|| candle_core::Error::Msg(format!("cannot find {key} in metadata")))
        };
        let usize_of = |key: &str| -> Result<usize> { Ok(get(key)?.to_u32()? as usize) };
        let optional_f32 =
            |key: &str, default: f32| get(key).and_then(|v| v.to_f32()).unwrap_or(default);
        Ok(Self {
            hidden_size: usize_of("embedding_length")?,
            num_layers: usize_of("block_count")?,
            num_heads: usize_of("attention.head_count")?,
            num_kv_heads: usize_of("attention.head_count_kv")?,
            head_dim: usize_of("attention.key_length")?,
            rms_norm_eps: get("attention.layer_norm_rms_epsilon")?.to_f32()?,
            sliding_window: usize_of("attention.sliding_window")?,
            global_layer_period: usize_of("attention.sliding_window_type").unwrap_or(6),
            rope_theta: optional_f32("rope.freq_base", 1_000_000.),
            rope_theta_local: optional_f32("rope.local_freq_base", 10_000.),
            // Candle's tables stop at 131072 whatever the file says.
            max_positions: usize_of("context_length").unwrap_or(131_072),
        })
    }

    fn is_sliding(&self, layer: usize) -> bool {
        !(layer + 1).is_multiple_of(self.global_layer_period)
    }
}

/// Reads every tensor the model needs from an opened GGUF file.
pub fn load<R: Read + Seek>(
    content: &gguf_file::Content,
    reader: &mut R,
    device: &Device,
) -> Result<Model> {
    let config = Config::from_gguf(content)?;
    let mut file = GgufTensors::new(content, reader, device);
    let (embeddings, output) = file.token_table_and_head()?;
    let eps = config.rms_norm_eps;
    let final_norm = RmsNorm::new(file.tensor("output_norm.weight")?, eps)?;
    let mut layers = Vec::with_capacity(config.num_layers);
    for i in 0..config.num_layers {
        let name = |part: &str| format!("blk.{i}.{part}");
        let q_proj = file.projection(&name("attn_q.weight"))?;
        let k_proj = file.projection(&name("attn_k.weight"))?;
        let v_proj = file.projection(&name("attn_v.weight"))?;
        let o_proj = file.projection(&name("attn_output.weight"))?;
        let gate_proj = file.projection(&name("ffn_gate.weight"))?;
        let up_proj = file.projection(&name("ffn_up.weight"))?;
        let down_proj = file.projection(&name("ffn_down.weight"))?;
        layers.push(Layer {
            attention_norm: RmsNorm::new(file.tensor(&name("attn_norm.weight"))?, eps)?,
            q_norm: RmsNorm::new(file.tensor(&name("attn_q_norm.weight"))?, eps)?,
            k_norm: RmsNorm::new(file.tensor(&name("attn_k_norm.weight"))?, eps)?,
            post_attention_norm: RmsNorm::new(
                file.tensor(&name("post_attention_norm.weight"))?,
                eps,
            )?,
            ffn_norm: RmsNorm::new(file.tensor(&name("ffn_norm.weight"))?, eps)?,
            post_ffn_norm: RmsNorm::new(file.tensor(&name("post_ffw_norm.weight"))?, eps)?,
            q_proj,
            k_proj,
            v_proj,
            o_proj,
            gate_proj,
            up_proj,
            down_proj,
            sliding: config.is_sliding(i),
            kv_cache: None,
        });
    }
    Model::new(config, embeddings, layers, final_norm, output, device)
}

struct Layer {
    attention_norm: RmsNorm,
    q_proj: Projection,
    k_proj: Projection,
    v_proj: Projection,
    q_norm: RmsNorm,
    k_norm: RmsNorm,
    o_proj: Projection,
    post_attention_norm: RmsNorm,
    ffn_norm: RmsNorm,
    gate_proj: Projection,
    up_proj: Projection,
    down_proj: Projection,
    post_ffn_norm: RmsNorm,
    /// Local attention with the local rotary frequency; otherwise global.
    sliding: bool,
    /// Keys and values of every position so far, `[batch, kv_heads, positions, head_dim]`.
    kv_cache: Option<KvCache>,
}

impl Layer {
    fn forward(
        &mut self,
        xs: &Tensor,
        shared: &PositionInputs,
        index_pos: usize,
        config: &Config,
    ) -> Result<Tensor> {
        let residual = xs;
        let hidden = self.attention_norm.forward(xs)?;
        let hidden = self.attention(&hidden, shared, index_pos, config)?;
        let hidden = self.post_attention_norm.forward(&hidden)?;
        let xs = (hidden + residual)?;

        let residual = &xs;
        let hidden = self.ffn_norm.forward(&xs)?;
        // `gelu` is the tanh approximation, Gemma's activation.
        let gate = self.gate_proj.forward(&hidden)?.gelu()?;
        let up = self.up_proj.forward(&hidden)?;
        let hidden = self.down_proj.forward(&(gate * up)?)?;
        let hidden = self.post_ffn_norm.forward(&hidden)?;
        hidden + residual
    }

    fn attention(
        &mut self,
        xs: &Tensor,
        shared: &PositionInputs,
        index_pos: usize,
        config: &Config,
    ) -> Result<Tensor> {
        let (batch, seq_len, _) = xs.dims3()?;
        let head_dim = config.head_dim;
        let heads = |proj: &Projection, count: usize| -> Result<Tensor> {
            proj.forward(xs)?
                .reshape((batch, seq_len, count, head_dim))?
                .transpose(1, 2)
        };
        let q = heads(&self.q_proj, config.num_heads)?;
        let k = heads(&self.k_proj, config.num_kv_heads)?;
        let v = heads(&self.v_proj, config.num_kv_heads)?;

        // Gemma 3 normalizes each head's query and key before rotating them.
        let q = self.q_norm.forward(&q.contiguous()?)?;
        let k = self.k_norm.forward(&k.contiguous()?)?;
        let q = candle_nn::rotary_emb::rope(&q, shared.cos, shared.sin)?;
        let k = candle_nn::rotary_emb::rope(&k, shared.cos, shared.sin)?;

        let (k, v) = KvCache::continue_at(&mut self.kv_cache, index_pos, &k, &v)?;

        let attended = attend(&q, &k, &v, index_pos, shared.window)?;
        self.o_proj.forward(&attended)
    }
}

/// Gemma 3 with its key/value cache: one sequence at a time.
pub struct Model {
    config: Config,
    embeddings: TokenTable,
    layers: Vec<Layer>,
    final_norm: RmsNorm,
    output: Projection,
    rotary_local: RotaryTables,
    rotary_global: RotaryTables,
    device: Device,
}

impl Model {
    fn new(
        config: Config,
        embeddings: TokenTable,
        layers: Vec<Layer>,
        final_norm: RmsNorm,
        output: Projection,
        device: &Device,
    ) -> Result<Self> {
        check_heads(config.num_heads, config.num_kv_heads)?;
        if config.global_layer_period == 0 {
            bail!("a sliding-window period of 0 layers");
        }
        let device = device.clone();
        Ok(Self {
            rotary_local: RotaryTables::new(config.head_dim, config.rope_theta_local),
            rotary_global: RotaryTables::new(config.head_dim, config.rope_theta),
            embeddings,
            config,
            layers,
            final_norm,
            output,
            device,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Logits `[batch, vocab]` for the last of `ids` (`[batch, seq]`), whose
    /// first token sits at `index_pos`. `index_pos` 0 starts afresh;
    /// otherwise the tokens continue what the cache holds.
    pub fn forward(&mut self, ids: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (_batch, seq_len) = ids.dims2()?;
        let limit = self.config.max_positions;
        check_positions(index_pos, seq_len, limit)?;
        let device = self.device.clone();
        let embedded = self.embeddings.lookup(ids)?;
        let mut xs = (embedded * (self.config.hidden_size as f64).sqrt())?;

        let (cos_local, sin_local) = self
            .rotary_local
            .window(index_pos, seq_len, limit, &device)?;
        let (cos_global, sin_global) = self
            .rotary_global
            .window(index_pos, seq_len, limit, &device)?;
        let local = PositionInputs {
            cos: &cos_local,
            sin: &sin_local,
            window: Some(self.config.sliding_window),
        };
        let global = PositionInputs {
            cos: &cos_global,
            sin: &sin_global,
            window: None,
        };

        for layer in &mut self.layers {
            let shared = if layer.sliding { &local } else { &global };
            xs = layer.forward(&xs, shared, index_pos, &self.config)?;
        }
        let last = xs.i((.., seq_len - 1, ..))?;
        self.output.forward(&self.final_norm.forward(&last)?)
    }
}
