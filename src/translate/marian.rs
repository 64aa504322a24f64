//! The opus-mt translator: a Marian encoder-decoder and its SentencePiece
//! tokenizer, loaded from a checked checkpoint. It decides the decoding
//! settings (profile over the checkpoint's generation config over its
//! config.json), sorts the sentences it is given by length so padding is
//! small, batches them, and runs the search.
//!
//! What it is not: the model's tensors (`crate::models::marian`), the
//! search (`super::search`), or where files come from (`crate::model_store`).

use std::path::Path;

use anyhow::{Context, Result};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde::Deserialize;

use super::marian_tokenizer::MarianTokenizer;
use super::search::{generate, SearchSettings, SpecialIds};
use super::weights::SafetensorsFile;
use super::{Overrides, Translation};
use crate::model_store::{ModelFingerprint, ResolvedModel};
use crate::models::marian::{Config, MarianMT, Precision};
use crate::output::record::DecodingSettings;

/// Longest source sentence, in tokens, sent to the model in one piece.
/// Longer ones are split at clause boundaries (see `crate::input::segment`):
/// opus-mt was trained on sentences, and quality falls well before the
/// 512-position limit.
const MAX_SOURCE_TOKENS: usize = 200;

/// Batches hold at most this many sentences and this many padded tokens.
const BATCH_SENTENCES: usize = 32;
const BATCH_TOKENS: usize = 4096;

/// `generation_config.json`; any field missing falls back to config.json.
#[derive(Debug, Default, Deserialize)]
struct GenerationConfig {
    num_beams: Option<usize>,
    max_length: Option<usize>,
    length_penalty: Option<f64>,
    bad_words_ids: Option<Vec<Vec<u32>>>,
    forced_eos_token_id: Option<u32>,
    eos_token_id: Option<u32>,
    decoder_start_token_id: Option<u32>,
    renormalize_logits: Option<bool>,
}

pub struct MarianTranslator {
    model: MarianMT,
    tokenizer: MarianTokenizer,
    ids: SpecialIds,
    search: SearchSettings,
    max_source_tokens: usize,
    precision: Precision,
    fingerprint: ModelFingerprint,
}

fn read(model: &ResolvedModel, file: &str) -> Result<Vec<u8>> {
    let path = model.path(file)?;
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

impl MarianTranslator {
    /// Loads a checked checkpoint (see `crate::model_store`): its config
    /// (with generation_config.json's overrides), tokenizer and weights.
    pub fn load(model: &ResolvedModel, overrides: &Overrides) -> Result<Self> {
        let config_path = model.path("config.json")?;
        let mut config = parse_config(&read(model, "config.json")?, config_path)?;
        config
            .check()
            .and_then(|()| overrides.precision.check(&config))
            .map_err(|reason| anyhow::anyhow!("{}: {reason}", config_path.display()))?;
        let generation = read_generation_config(model)?;
        generation.apply_to(&mut config);
        let tokenizer = load_tokenizer(model, &config)?;
        let weights_name = if model.has("model.safetensors") {
            "model.safetensors"
        } else {
            "pytorch_model.bin"
        };
        let marian = load_model(&config, overrides.precision, model.path(weights_name)?)?;
        Ok(Self {
            ids: SpecialIds::from_config(&config),
            max_source_tokens: MAX_SOURCE_TOKENS.min(config.max_position_embeddings - 1),
            model: marian,
            precision: overrides.precision,
            tokenizer,
            search: search_settings(overrides, &generation, &config),
            fingerprint: model.fingerprint.clone(),
        })
    }

    pub fn fingerprint(&self) -> &ModelFingerprint {
        &self.fingerprint
    }

    pub fn settings(&self) -> DecodingSettings {
        self.search
            .decoding(self.max_source_tokens, self.precision.name().to_string())
    }

    pub fn max_source_tokens(&self) -> usize {
        self.max_source_tokens
    }

    /// Source tokens of a (model-normalized) sentence, `</s>` included.
    pub fn count_tokens(&self, text: &str) -> usize {
        self.tokenizer
            .encode(text)
            .map_or(usize::MAX, |ids| ids.len())
    }

    pub fn tokenizer(&self) -> &MarianTokenizer {
        &self.tokenizer
    }

    pub fn model(&self) -> &MarianMT {
        &self.model
    }

    pub fn special_ids(&self) -> &SpecialIds {
        &self.ids
    }

    /// Translates sentences already normalized for the model. Output order
    /// follows input order; the batching inside is by length.
    pub fn translate(&self, sentences: &[String]) -> Result<Vec<Translation>> {
        let encoded: Vec<Vec<u32>> = sentences
            .iter()
            .map(|s| self.tokenizer.encode(s))
            .collect::<Result<_>>()?;
        translate_in_batches(
            &encoded,
            self.ids.eos,
            |rows| self.generate_ids(rows),
            |ids| self.tokenizer.decode(ids),
        )
    }

    /// Runs the model on token-id rows (each ending in `</s>`), padded into
    /// one batch. Returns the generated ids per row.
    pub fn generate_ids(&self, rows: &[&[u32]]) -> Result<Vec<Vec<u32>>> {
        let (ids, mask) = pad_rows(rows, self.tokenizer.pad_id(), self.model.device())?;
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

/// A Marian `config.json`'s bytes, parsed; `path` names it in the error.
pub fn parse_config(bytes: &[u8], path: &Path) -> Result<Config> {
    serde_json::from_slice(bytes)
        .with_context(|| format!("{} is not a Marian config", path.display()))
}

/// Reads and parses a Marian `config.json`.
pub fn read_config(path: &Path) -> Result<Config> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_config(&bytes, path)
}

/// The one Marian weight loader (the translator's and the benchmark's):
/// `model.safetensors` read tensor by tensor (`super::weights`), or
/// `pytorch_model.bin`, into a model of `config`'s shape at `precision`.
pub fn load_model(config: &Config, precision: Precision, weights: &Path) -> Result<MarianMT> {
    let device = Device::Cpu;
    let vb = if weights.extension().is_some_and(|e| e == "safetensors") {
        let file = SafetensorsFile::open(weights)?;
        VarBuilder::from_backend(Box::new(file), DType::F32, device)
    } else {
        VarBuilder::from_pth(weights, DType::F32, &device)
            .with_context(|| format!("cannot read weights from {}", weights.display()))?
    };
    MarianMT::load(config, precision, vb)
        .with_context(|| format!("weights in {} do not fit config.json", weights.display()))
}

/// `generation_config.json` when the checkpoint has one, else all unset.
fn read_generation_config(model: &ResolvedModel) -> Result<GenerationConfig> {
    if !model.has("generation_config.json") {
        return Ok(GenerationConfig::default());
    }
    serde_json::from_slice(&read(model, "generation_config.json")?).with_context(|| {
        format!(
            "{} is not a generation config",
            model
                .path("generation_config.json")
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )
    })
}

impl GenerationConfig {
    /// transformers lets generation_config.json override these.
    fn apply_to(&self, config: &mut Config) {
        if let Some(v) = &self.bad_words_ids {
            config.bad_words_ids = Some(v.clone());
        }
        if let Some(v) = self.forced_eos_token_id {
            config.forced_eos_token_id = Some(v);
        }
        if let Some(v) = self.eos_token_id {
            config.eos_token_id = v;
        }
        if let Some(v) = self.decoder_start_token_id {
            config.decoder_start_token_id = v;
        }
    }
}

/// The checkpoint's tokenizer, checked against the model's vocabulary size.
fn load_tokenizer(model: &ResolvedModel, config: &Config) -> Result<MarianTokenizer> {
    let tokenizer = MarianTokenizer::new(&read(model, "source.spm")?, &read(model, "vocab.json")?)
        .with_context(|| format!("cannot build the tokenizer of {}", model.fingerprint.name))?;
    if tokenizer.vocab_size() > config.vocab_size {
        anyhow::bail!(
            "{}: vocab.json has {} entries but config.json says vocab_size {}",
            model.fingerprint.name,
            tokenizer.vocab_size(),
            config.vocab_size
        );
    }
    Ok(tokenizer)
}

/// Decoding settings: the profile or command line over the checkpoint's
/// generation config over its config.json.
fn search_settings(
    overrides: &Overrides,
    generation: &GenerationConfig,
    config: &Config,
) -> SearchSettings {
    let max_length = overrides
        .max_length
        .or(generation.max_length)
        .or(config.max_length)
        .unwrap_or(512)
        .min(config.max_position_embeddings);
    SearchSettings {
        beams: overrides
            .beams
            .or(generation.num_beams)
            .or(config.num_beams)
            .unwrap_or(1)
            .max(1),
        max_length,
        length_penalty: overrides
            .length_penalty
            .or(generation.length_penalty)
            .unwrap_or(1.0),
        renormalize_logits: generation.renormalize_logits.unwrap_or(false),
    }
}

/// Pads token-id rows into one batch: ids `[rows, longest]` and a 1/0 mask.
pub fn pad_rows(rows: &[&[u32]], pad: u32, device: &Device) -> Result<(Tensor, Tensor)> {
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(rows.len() * width);
    let mut mask = Vec::with_capacity(rows.len() * width);
    for row in rows {
        ids.extend_from_slice(row);
        ids.extend(std::iter::repeat_n(pad, width - row.len()));
        mask.extend(std::iter::repeat_n(1u8, row.len()));
        mask.extend(std::iter::repeat_n(0u8, width - row.len()));
    }
    Ok((
        Tensor::from_vec(ids, (rows.len(), width), device)?,
        Tensor::from_vec(mask, (rows.len(), width), device)?,
    ))
}

/// Translates encoded sentences (token ids, `</s>` included) with
/// `generate_ids`, in length-sorted batches ([`batches`]; ties by input
/// order, so batches depend on nothing but the input), and gives the
/// translations back in input order. The one batching loop of both
/// encoder-decoders (opus-mt and MADLAD).
pub(super) fn translate_in_batches(
    encoded: &[Vec<u32>],
    eos: u32,
    generate_ids: impl Fn(&[&[u32]]) -> Result<Vec<Vec<u32>>>,
    decode: impl Fn(&[u32]) -> String,
) -> Result<Vec<Translation>> {
    let mut results: Vec<Option<Translation>> = vec![None; encoded.len()];
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    order.sort_by_key(|&i| (encoded[i].len(), i));
    for batch in batches(&order, |i| encoded[i].len()) {
        let rows: Vec<&[u32]> = batch.iter().map(|&i| encoded[i].as_slice()).collect();
        let outputs = generate_ids(&rows)?;
        for (&i, output) in batch.iter().zip(outputs) {
            // The decoder start token is not generated; neither is `</s>`.
            let generated = output.iter().skip(1).filter(|&&t| t != eos).count();
            results[i] = Some(Translation {
                text: decode(&output),
                source_tokens: encoded[i].len(),
                target_tokens: generated,
                flags: Vec::new(),
            });
        }
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every sentence is in one batch"))
        .collect())
}

/// Cuts length-sorted items into batches bounded by sentence count and
/// padded size (rows × longest row).
pub(super) fn batches(order: &[usize], len: impl Fn(usize) -> usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for &i in order {
        let longest = current
            .iter()
            .map(|&j| len(j))
            .max()
            .unwrap_or(0)
            .max(len(i));
        if !current.is_empty()
            && (current.len() == BATCH_SENTENCES || longest * (current.len() + 1) > BATCH_TOKENS)
        {
            out.push(std::mem::take(&mut current));
        }
        current.push(i);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Loads a translator from a checkpoint directory in Hugging Face layout.
pub fn load_dir(dir: &Path, overrides: &Overrides) -> Result<MarianTranslator> {
    let resolved = crate::model_store::resolve_marian_dir(dir)?;
    MarianTranslator::load(&resolved, overrides)
}

#[cfg(test)]
mod tests {
    use super::{batches, pad_rows};
    use candle_core::Device;

    #[test]
    fn pad_rows_masks_the_padding() {
        let (ids, mask) = pad_rows(&[&[5, 6, 0], &[7, 0]], 9, &Device::Cpu).unwrap();
        assert_eq!(
            ids.to_vec2::<u32>().unwrap(),
            vec![vec![5, 6, 0], vec![7, 0, 9]]
        );
        assert_eq!(
            mask.to_vec2::<u8>().unwrap(),
            vec![vec![1, 1, 1], vec![1, 1, 0]]
        );
    }

    #[test]
    fn batches_respect_both_bounds_and_keep_order() {
        let order: Vec<usize> = (0..100).collect();
        let out = batches(&order, |_| 200);
        assert!(out.iter().all(|b| b.len() * 200 <= super::BATCH_TOKENS));
        assert_eq!(out.concat(), order);
        let out = batches(&order, |_| 3);
        assert!(out.iter().all(|b| b.len() <= super::BATCH_SENTENCES));
    }
}
