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

use candle_core::{DType, Device, IndexOp, Module, Result, Tensor};
use candle_nn::{Activation, Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

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

fn linear(in_dim: usize, out_dim: usize, vb: VarBuilder) -> Result<Linear> {
    candle_nn::linear(in_dim, out_dim, vb)
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
    fn load(d_model: usize, heads: usize, vb: VarBuilder) -> Result<Self> {
        let head_dim = d_model / heads;
        Ok(Self {
            q_proj: linear(d_model, d_model, vb.pp("q_proj"))?,
            k_proj: linear(d_model, d_model, vb.pp("k_proj"))?,
            v_proj: linear(d_model, d_model, vb.pp("v_proj"))?,
            out_proj: linear(d_model, d_model, vb.pp("out_proj"))?,
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
    /// additive, broadcastable to `[batch, heads, q_len, k_len]`.
    fn attend(&self, xs: &Tensor, k: &Tensor, v: &Tensor, mask: Option<&Tensor>) -> Result<Tensor> {
        let (b, t, _) = xs.dims3()?;
        let q = self.split_heads(&(self.q_proj.forward(xs)? * self.scaling)?)?;
        let mut scores = q.matmul(&k.t()?.contiguous()?)?;
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
        vb: &VarBuilder,
    ) -> Result<Self> {
        Ok(Self {
            fc1: linear(d_model, ffn_dim, vb.pp("fc1"))?,
            fc2: linear(ffn_dim, d_model, vb.pp("fc2"))?,
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
    fn load(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            self_attn: Attention::load(
                cfg.d_model,
                cfg.encoder_attention_heads,
                vb.pp("self_attn"),
            )?,
            self_attn_layer_norm: layer_norm(cfg.d_model, vb.pp("self_attn_layer_norm"))?,
            ffn: FeedForward::load(
                cfg.d_model,
                cfg.encoder_ffn_dim,
                cfg.activation_function,
                &vb,
            )?,
            final_layer_norm: layer_norm(cfg.d_model, vb.pp("final_layer_norm"))?,
        })
    }

    fn forward(&self, xs: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (k, v) = self.self_attn.keys_values(xs)?;
        let attended = self.self_attn.attend(xs, &k, &v, Some(mask))?;
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
    fn load(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            self_attn: Attention::load(
                cfg.d_model,
                cfg.decoder_attention_heads,
                vb.pp("self_attn"),
            )?,
            self_attn_layer_norm: layer_norm(cfg.d_model, vb.pp("self_attn_layer_norm"))?,
            encoder_attn: Attention::load(
                cfg.d_model,
                cfg.decoder_attention_heads,
                vb.pp("encoder_attn"),
            )?,
            encoder_attn_layer_norm: layer_norm(cfg.d_model, vb.pp("encoder_attn_layer_norm"))?,
            ffn: FeedForward::load(
                cfg.d_model,
                cfg.decoder_ffn_dim,
                cfg.activation_function,
                &vb,
            )?,
            final_layer_norm: layer_norm(cfg.d_model, vb.pp("final_layer_norm"))?,
        })
    }
}

/// The keys and values one decoder layer keeps between steps.
#[derive(Clone)]
struct LayerCache {
    /// Keys/values of the tokens generated so far, `[rows, heads, steps, head_dim]`.
    past: Option<(Tensor, Tensor)>,
    /// Keys/values of the encoder output, computed once per sentence.
    cross: (Tensor, Tensor),
}

/// Everything the decoder carries from one step to the next for a set of
/// rows (sentences, or sentences × beams). Rows can be reordered or dropped
/// with [`DecoderState::select_rows`], which is what beam search needs.
#[derive(Clone)]
pub struct DecoderState {
    layers: Vec<LayerCache>,
    /// Additive mask over encoder positions, `[rows, 1, 1, src_len]`.
    cross_mask: Tensor,
    steps: usize,
}

impl DecoderState {
    pub fn rows(&self) -> Result<usize> {
        self.cross_mask.dim(0)
    }

    /// Keeps, in this order, the rows named by `rows` (indices into the
    /// current rows; a row may be repeated).
    pub fn select_rows(&mut self, rows: &[u32]) -> Result<()> {
        let index = Tensor::new(rows, self.cross_mask.device())?;
        let pick = |t: &Tensor| t.index_select(&index, 0);
        for layer in &mut self.layers {
            if let Some((k, v)) = &layer.past {
                layer.past = Some((pick(k)?, pick(v)?));
            }
            layer.cross = (pick(&layer.cross.0)?, pick(&layer.cross.1)?);
        }
        self.cross_mask = pick(&self.cross_mask)?;
        Ok(())
    }
}

/// `MarianMTModel`: shared (or separate) embeddings, encoder, decoder and a
/// language-model head tied to the decoder embeddings, plus
/// `final_logits_bias`.
pub struct MarianMT {
    encoder_embed: Embedding,
    decoder_embed: Embedding,
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
    pub fn load(config: &Config, vb: VarBuilder) -> Result<Self> {
        config.check().map_err(candle_core::Error::msg)?;
        let d = config.d_model;
        let model = vb.pp("model");
        let target_vocab = config.target_vocab_size();
        let (encoder_embed, decoder_embed) = if config.share_encoder_decoder_embeddings {
            let shared = candle_nn::embedding(config.vocab_size, d, model.pp("shared"))?;
            (shared.clone(), shared)
        } else {
            (
                candle_nn::embedding(config.vocab_size, d, model.pp("encoder.embed_tokens"))?,
                candle_nn::embedding(target_vocab, d, model.pp("decoder.embed_tokens"))?,
            )
        };
        // The head is tied to the decoder embeddings; checkpoints saved
        // with the tie usually omit `lm_head.weight`.
        let head_weight = if vb.contains_tensor("lm_head.weight") {
            vb.get((target_vocab, d), "lm_head.weight")?
        } else {
            decoder_embed.embeddings().clone()
        };
        let final_logits_bias = vb.get((1, target_vocab), "final_logits_bias")?;
        let lm_head = Linear::new(head_weight, Some(final_logits_bias.squeeze(0)?));
        let encoder_layers = (0..config.encoder_layers)
            .map(|i| EncoderLayer::load(config, model.pp(format!("encoder.layers.{i}"))))
            .collect::<Result<Vec<_>>>()?;
        let decoder_layers = (0..config.decoder_layers)
            .map(|i| DecoderLayer::load(config, model.pp(format!("decoder.layers.{i}"))))
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
        let batch = encoded.dim(0)?;
        let repeat: Vec<u32> = (0..batch as u32)
            .flat_map(|row| std::iter::repeat_n(row, copies))
            .collect();
        let repeat = Tensor::new(repeat.as_slice(), encoded.device())?;
        let layers = self
            .decoder_layers
            .iter()
            .map(|layer| {
                let (k, v) = layer.encoder_attn.keys_values(encoded)?;
                Ok(LayerCache {
                    past: None,
                    cross: (k.index_select(&repeat, 0)?, v.index_select(&repeat, 0)?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (b, s) = mask.dims2()?;
        let cross_mask = additive_mask(mask)?
            .reshape((b, 1, 1, s))?
            .index_select(&repeat, 0)?;
        Ok(DecoderState {
            layers,
            cross_mask,
            steps: 0,
        })
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
        let ids = Tensor::new(tokens, self.device())?.reshape((rows, 1))?;
        let embedded = (self.decoder_embed.forward(&ids)? * self.embed_scale)?;
        let mut xs = embedded.broadcast_add(&self.positions.i(position..position + 1)?)?;
        for (layer, cache) in self.decoder_layers.iter().zip(state.layers.iter_mut()) {
            // Self-attention over every token so far: the new token's keys and
            // values join the cache, and since it is the last position no
            // causal mask is needed.
            let (k, v) = layer.self_attn.keys_values(&xs)?;
            let (k, v) = match &cache.past {
                Some((pk, pv)) => (Tensor::cat(&[pk, &k], 2)?, Tensor::cat(&[pv, &v], 2)?),
                None => (k, v),
            };
            let attended = layer.self_attn.attend(&xs, &k, &v, None)?;
            cache.past = Some((k, v));
            xs = layer.self_attn_layer_norm.forward(&(xs + attended)?)?;

            let (ck, cv) = &cache.cross;
            let attended = layer
                .encoder_attn
                .attend(&xs, ck, cv, Some(&state.cross_mask))?;
            xs = layer.encoder_attn_layer_norm.forward(&(xs + attended)?)?;

            let ffn = layer.ffn.forward(&xs)?;
            xs = layer.final_layer_norm.forward(&(xs + ffn)?)?;
        }
        state.steps += 1;
        self.lm_head.forward(&xs.squeeze(1)?)
    }
}

/// 1/0 padding mask `[batch, len]` → additive mask `[batch, 1, 1, len]` with
/// 0 for real tokens and a large negative number for padding. A finite value
/// (as transformers uses `finfo.min`) keeps softmax free of NaN.
fn additive_mask(mask: &Tensor) -> Result<Tensor> {
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
