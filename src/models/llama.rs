//! The Llama family over llama.cpp's quantized GGUF weights — files whose
//! `general.architecture` is `llama` (SmolLM2) or `qwen2` (Qwen2.5): the
//! forward pass from token ids to the logits of the last position, with a
//! key/value cache for one sequence.
//!
//! The arithmetic is candle-transformers' `quantized_llama` and
//! `quantized_qwen2` (pre-norm blocks, SiLU-gated feed-forward, rotary
//! positions: interleaved pairs for `llama`, halves for `qwen2`, as
//! llama.cpp's `llama_model_rope_type` says; Qwen2's query/key/value
//! biases); `tests/llama_cpp_parity.rs` holds both to llama.cpp. What
//! differs is the work per token, as in `gemma3`:
//! - the cache is written in place, where candle concatenates every
//!   position into a new tensor at every step;
//! - the query heads that share a key/value head read it together
//!   (`super::attention`), where candle copies the cache once per query head (Qwen2.5 1.5B: 12
//!   query heads on 2 key/value heads, six copies per layer and token);
//! - the token table stays quantized and serves the tied output head
//!   (candle dequantizes Qwen2.5's 151,936 × 1,536 table to 930 MB of f32),
//!   and the rotary tables grow to the positions reached instead of the
//!   whole context at load.
//!
//! What it is not: a mixture-of-experts model (`llama` files with experts
//! stay on candle's loader), tokenization or sampling (`crate::llm`).

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file;
use candle_core::{bail, Device, IndexOp, Module, Result, Tensor};

use super::attention::attend;
use super::layers::{
    check_heads, check_positions, GgufTensors, KvCache, PositionInputs, Projection, RmsNorm,
    RotaryTables, TokenTable,
};

/// How a head's dimensions are paired for the rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotaryStyle {
    /// Pairs `(2i, 2i + 1)`: llama.cpp's "normal" rope (`llama`).
    Interleaved,
    /// Pairs `(i, i + d/2)`: llama.cpp's NeoX rope (`qwen2`).
    Halves,
}

/// The shape of the network, as the GGUF metadata states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub hidden_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub num_kv_heads: usize,
    pub head_dim: usize,
    pub rms_norm_eps: f32,
    pub rope_theta: f32,
    pub rotary_style: RotaryStyle,
    /// The model's context: positions at or past it are refused.
    pub max_positions: usize,
}

impl Config {
    /// Reads `{arch}.*` metadata; `arch` is `llama` or `qwen2`.
    pub fn from_gguf(content: &gguf_file::Content, arch: &str) -> Result<Self> {
        let rotary_style = match arch {
            "llama" => RotaryStyle::Interleaved,
            "qwen2" => RotaryStyle::Halves,
            other => bail!("architecture {other} is not of the Llama family"),
        };
        let get = |key: &str| {
            let key = format!("{arch}.{key}");
            content
                .metadata
                .get(&key)
                .ok_or_else(|| candle_core::Error::Msg(format!("cannot find {key} in metadata")))
        };
        let usize_of = |key: &str| -> Result<usize> { Ok(get(key)?.to_u32()? as usize) };
        let hidden_size = usize_of("embedding_length")?;
        let num_heads = usize_of("attention.head_count")?;
        if num_heads == 0 || !hidden_size.is_multiple_of(num_heads) {
            bail!("{num_heads} attention heads for a width of {hidden_size}");
        }
        Ok(Self {
            hidden_size,
            num_layers: usize_of("block_count")?,
            num_heads,
            num_kv_heads: usize_of("attention.head_count_kv").unwrap_or(num_heads),
            head_dim: usize_of("attention.key_length").unwrap_or(hidden_size / num_heads),
            rms_norm_eps: get("attention.layer_norm_rms_epsilon")?.to_f32()?,
            rope_theta: get("rope.freq_base")
                .and_then(|v| v.to_f32())
                .unwrap_or(10_000.),
            rotary_style,
            max_positions: usize_of("context_length").unwrap_or(4096),
        })
    }
}

/// Reads every tensor the model needs from an opened GGUF file whose
/// architecture is `arch`.
pub fn load<R: Read + Seek>(
    content: &gguf_file::Content,
    reader: &mut R,
    arch: &str,
    device: &Device,
) -> Result<Model> {
    let config = Config::from_gguf(content, arch)?;
    let mut file = GgufTensors::new(content, reader, device);
    let (embeddings, output) = file.token_table_and_head()?;
    let eps = config.rms_norm_eps;
    let final_norm = RmsNorm::new(file.tensor("output_norm.weight")?, eps)?;
    let mut layers = Vec::with_capacity(config.num_layers);
    for i in 0..config.num_layers {
        let name = |part: &str| format!("blk.{i}.{part}");
        // Qwen2 has query/key/value biases; Llama has none.
        let mut bias = |part: &str| -> Result<Option<Tensor>> {
            if !file.has(&name(part)) {
                return Ok(None);
            }
            Ok(Some(file.tensor(&name(part))?.dequantize(device)?))
        };
        let (q_bias, k_bias, v_bias) = (
            bias("attn_q.bias")?,
            bias("attn_k.bias")?,
            bias("attn_v.bias")?,
        );
        let q_proj = file.projection(&name("attn_q.weight"))?;
        let k_proj = file.projection(&name("attn_k.weight"))?;
        let v_proj = file.projection(&name("attn_v.weight"))?;
        let o_proj = file.projection(&name("attn_output.weight"))?;
        let gate_proj = file.projection(&name("ffn_gate.weight"))?;
        let up_proj = file.projection(&name("ffn_up.weight"))?;
        let down_proj = file.projection(&name("ffn_down.weight"))?;
        layers.push(Layer {
            attention_norm: RmsNorm::new(file.tensor(&name("attn_norm.weight"))?, eps)?,
            ffn_norm: RmsNorm::new(file.tensor(&name("ffn_norm.weight"))?, eps)?,
            q_proj,
            k_proj,
            v_proj,
            q_bias,
            k_bias,
            v_bias,
            o_proj,
            gate_proj,
            up_proj,
            down_proj,
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
    q_bias: Option<Tensor>,
    k_bias: Option<Tensor>,
    v_bias: Option<Tensor>,
    o_proj: Projection,
    ffn_norm: RmsNorm,
    gate_proj: Projection,
    up_proj: Projection,
    down_proj: Projection,
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
        let hidden = self.attention_norm.forward(xs)?;
        let xs = (self.attention(&hidden, shared, index_pos, config)? + xs)?;
        let hidden = self.ffn_norm.forward(&xs)?;
        let gate = candle_nn::ops::silu(&self.gate_proj.forward(&hidden)?)?;
        let up = self.up_proj.forward(&hidden)?;
        self.down_proj.forward(&(gate * up)?)? + xs
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
        let heads = |proj: &Projection, bias: &Option<Tensor>, count: usize| -> Result<Tensor> {
            let mut out = proj.forward(xs)?;
            if let Some(bias) = bias {
                out = out.broadcast_add(bias)?;
            }
            out.reshape((batch, seq_len, count, head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = heads(&self.q_proj, &self.q_bias, config.num_heads)?;
        let k = heads(&self.k_proj, &self.k_bias, config.num_kv_heads)?;
        let v = heads(&self.v_proj, &self.v_bias, config.num_kv_heads)?;
        let rotate = |x: &Tensor| match config.rotary_style {
            RotaryStyle::Interleaved => candle_nn::rotary_emb::rope_i(x, shared.cos, shared.sin),
            RotaryStyle::Halves => candle_nn::rotary_emb::rope(x, shared.cos, shared.sin),
        };
        let q = rotate(&q)?;
        let k = rotate(&k)?;

        let (k, v) = KvCache::continue_at(&mut self.kv_cache, index_pos, &k, &v)?;
        let attended = attend(&q, &k, &v, index_pos, shared.window)?;
        self.o_proj.forward(&attended)
    }
}

/// A Llama-family model with its key/value cache: one sequence at a time.
pub struct Model {
    config: Config,
    embeddings: TokenTable,
    layers: Vec<Layer>,
    final_norm: RmsNorm,
    output: Projection,
    rotary: RotaryTables,
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
        Ok(Self {
            rotary: RotaryTables::new(config.head_dim, config.rope_theta),
            embeddings,
            config,
            layers,
            final_norm,
            output,
            device: device.clone(),
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
        let mut xs = self.embeddings.lookup(ids)?;
        let (cos, sin) = self.rotary.window(index_pos, seq_len, limit, &device)?;
        let shared = PositionInputs {
            cos: &cos,
            sin: &sin,
            window: None,
        };
        for layer in &mut self.layers {
            xs = layer.forward(&xs, &shared, index_pos, &self.config)?;
        }
        let last = xs.i((.., seq_len - 1, ..))?;
        self.output.forward(&self.final_norm.forward(&last)?)
    }
}
