//! The MADLAD-400 translator: a T5 encoder-decoder and its SentencePiece
//! tokenizer (`spiece.model`), for every language opus-mt has no model
//! for. Each source sentence goes in as `<2en> ` + sentence (MADLAD picks
//! the target language from that tag), sentences are sorted by length and
//! batched as Marian's are, and the one search (`super::search`) runs on
//! them. Decoding settings: the profile over `generation_config.json`,
//! else greedy.
//!
//! What it is not: the model's tensors (`crate::models::t5`), the search,
//! or where files come from (`crate::model_store`).

use std::path::Path;

use anyhow::{bail, Context, Result};
use candle_core::quantized::gguf_file;
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use serde::Deserialize;

use super::marian::{pad_rows, translate_in_batches};
use super::search::{generate, SearchSettings, SpecialIds};
use super::sentencepiece::SentencePiece;
use super::weights::SafetensorsFile;
use super::{Overrides, Translation};
use crate::model_store::{ModelFingerprint, ResolvedModel};
use crate::models::marian::Precision;
use crate::models::t5::{Config, T5};
use crate::output::record::DecodingSettings;

/// What MADLAD is told to translate into, before every source sentence.
pub const TARGET_PREFIX: &str = "<2en> ";

/// Longest source sentence, in tokens (prefix and `</s>` included), sent
/// in one piece; longer ones are split at clause boundaries
/// (`crate::input::segment`). T5 has no position limit, but MADLAD was
/// trained on inputs of up to 256 tokens.
const MAX_SOURCE_TOKENS: usize = 256;

/// Longest output when neither the profile nor the checkpoint says
/// (transformers' own default of 20 would cut most sentences short).
const DEFAULT_MAX_LENGTH: usize = 256;

/// `generation_config.json`, the fields the search reads.
#[derive(Debug, Default, Deserialize)]
struct GenerationConfig {
    num_beams: Option<usize>,
    max_length: Option<usize>,
    length_penalty: Option<f64>,
    eos_token_id: Option<u32>,
    decoder_start_token_id: Option<u32>,
}

pub struct T5Translator {
    model: T5,
    tokenizer: SentencePiece,
    ids: SpecialIds,
    pad: u32,
    search: SearchSettings,
    /// "f32" etc. for safetensors; "gguf" for a GGUF file's own types.
    precision: String,
    fingerprint: ModelFingerprint,
}

fn read(model: &ResolvedModel, file: &str) -> Result<Vec<u8>> {
    let path = model.path(file)?;
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

impl T5Translator {
    /// Loads a checked T5 checkpoint (see `crate::model_store`): config.json
    /// (with generation_config.json's overrides), spiece.model, and the
    /// weights, `model.safetensors` or one `.gguf` file.
    pub fn load(model: &ResolvedModel, overrides: &Overrides) -> Result<Self> {
        Self::load_with(model, overrides, false)
    }

    /// As [`Self::load`], with a GGUF file's weights dequantized to f32:
    /// exact products, at four to eight times the file's size in memory
    /// (the parity tests use it; see `crate::models::t5::T5::load_gguf`).
    pub fn load_dequantized(model: &ResolvedModel, overrides: &Overrides) -> Result<Self> {
        Self::load_with(model, overrides, true)
    }

    fn load_with(model: &ResolvedModel, overrides: &Overrides, dequantize: bool) -> Result<Self> {
        let config_path = model.path("config.json")?;
        let mut config: Config = serde_json::from_slice(&read(model, "config.json")?)
            .with_context(|| format!("{} is not a T5 config", config_path.display()))?;
        let generation = read_generation_config(model)?;
        if let Some(eos) = generation.eos_token_id {
            config.eos_token_id = eos;
        }
        if let Some(start) = generation.decoder_start_token_id {
            config.decoder_start_token_id = Some(start);
        }
        config
            .check()
            .map_err(|reason| anyhow::anyhow!("{}: {reason}", config_path.display()))?;
        let spiece_path = model.path("spiece.model")?;
        let tokenizer = SentencePiece::from_bytes(&read(model, "spiece.model")?)
            .with_context(|| format!("cannot read the tokenizer {}", spiece_path.display()))?;
        if tokenizer.len() > config.vocab_size {
            bail!(
                "{}: {} pieces but config.json says vocab_size {}",
                spiece_path.display(),
                tokenizer.len(),
                config.vocab_size
            );
        }
        let (t5, precision) = if model.has("model.safetensors") {
            let path = model.path("model.safetensors")?;
            (
                load_safetensors(&config, overrides.precision, path)?,
                overrides.precision.name().to_string(),
            )
        } else {
            let name = if dequantize { "gguf-f32" } else { "gguf" };
            (
                load_gguf(&config, model.gguf_path()?, dequantize)?,
                name.to_string(),
            )
        };
        let search = SearchSettings {
            beams: overrides.beams.or(generation.num_beams).unwrap_or(1).max(1),
            max_length: overrides
                .max_length
                .or(generation.max_length)
                .unwrap_or(DEFAULT_MAX_LENGTH)
                .max(2),
            length_penalty: overrides
                .length_penalty
                .or(generation.length_penalty)
                .unwrap_or(1.0),
            renormalize_logits: false,
        };
        Ok(Self {
            ids: SpecialIds {
                decoder_start: config.decoder_start(),
                eos: config.eos_token_id,
                forced_eos: None,
                banned: Vec::new(),
            },
            pad: config.pad_token_id,
            model: t5,
            tokenizer,
            search,
            precision,
            fingerprint: model.fingerprint.clone(),
        })
    }

    pub fn fingerprint(&self) -> &ModelFingerprint {
        &self.fingerprint
    }

    pub fn settings(&self) -> DecodingSettings {
        self.search
            .decoding(MAX_SOURCE_TOKENS, self.precision.clone())
    }

    pub fn max_source_tokens(&self) -> usize {
        MAX_SOURCE_TOKENS
    }

    /// Source tokens of a sentence as the model sees it: target prefix and
    /// `</s>` included.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.encode(text).map_or(usize::MAX, |ids| ids.len())
    }

    /// The ids the encoder gets for a sentence: `<2en> ` + sentence, as
    /// spm encodes it, then `</s>`.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        let mut ids = self
            .tokenizer
            .encode_ids(&format!("{TARGET_PREFIX}{text}"))?;
        ids.push(self.ids.eos);
        Ok(ids)
    }

    /// Generated ids back into text (special pieces dropped).
    pub fn decode(&self, ids: &[u32]) -> String {
        self.tokenizer.decode_ids(ids).trim().to_string()
    }

    pub fn tokenizer(&self) -> &SentencePiece {
        &self.tokenizer
    }

    pub fn model(&self) -> &T5 {
        &self.model
    }

    pub fn special_ids(&self) -> &SpecialIds {
        &self.ids
    }

    /// Translates sentences. Output order follows input order; the
    /// batching inside is by length.
    pub fn translate(&self, sentences: &[String]) -> Result<Vec<Translation>> {
        let encoded: Vec<Vec<u32>> = sentences
            .iter()
            .map(|s| self.encode(s))
            .collect::<Result<_>>()?;
        translate_in_batches(
            &encoded,
            self.ids.eos,
            |rows| self.generate_ids(rows),
            |ids| self.decode(ids),
        )
    }

    /// Runs the model on token-id rows (each ending in `</s>`), padded
    /// into one batch; the generated ids per row, decoder start included.
    pub fn generate_ids(&self, rows: &[&[u32]]) -> Result<Vec<Vec<u32>>> {
        let (ids, mask) = pad_rows(rows, self.pad, self.model.device())?;
        let encoded = self.model.encode(&ids, &mask)?;
        Ok(generate(
            &self.model,
            &encoded,
            &mask,
            &self.ids,
            &self.search,
        )?)
    }
}

/// `model.safetensors` read tensor by tensor (`super::weights`), linear
/// layers at `precision`.
fn load_safetensors(config: &Config, precision: Precision, path: &Path) -> Result<T5> {
    let file = SafetensorsFile::open(path)?;
    let vb = VarBuilder::from_backend(Box::new(file), DType::F32, Device::Cpu);
    T5::load(config, precision, vb)
        .with_context(|| format!("weights in {} do not fit config.json", path.display()))
}

/// A GGUF file as candle's quantizer writes T5 (Hugging Face tensor names);
/// each tensor is read (or repacked row by row) once, so the file's bytes
/// and the model's are not held at once.
fn load_gguf(config: &Config, path: &Path, dequantize: bool) -> Result<T5> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let content = gguf_file::Content::read(&mut file)
        .with_context(|| format!("{} is not a GGUF file", path.display()))?;
    T5::load_gguf(config, &content, &mut file, dequantize)
        .with_context(|| format!("weights in {} do not fit config.json", path.display()))
}

/// `generation_config.json` when the checkpoint has one, else all unset.
fn read_generation_config(model: &ResolvedModel) -> Result<GenerationConfig> {
    if !model.has("generation_config.json") {
        return Ok(GenerationConfig::default());
    }
    let path = model.path("generation_config.json")?;
    serde_json::from_slice(&read(model, "generation_config.json")?)
        .with_context(|| format!("{} is not a generation config", path.display()))
}

/// Loads a translator from a T5 checkpoint directory.
pub fn load_t5_dir(dir: &Path, overrides: &Overrides) -> Result<T5Translator> {
    let resolved = crate::model_store::resolve_t5_dir(dir)?;
    T5Translator::load(&resolved, overrides)
}
