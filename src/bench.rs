//! `tarjama bench` and `tarjama bench-llm`: throughput of the model code on
//! fixed token ids, for comparison with other engines (`bench/run.py` runs
//! CTranslate2 and llama.cpp on the same weights and inputs).
//!
//! What it measures: the model and the search, from token ids to token
//! ids, after the weights are loaded and one warm-up batch has run. The
//! output length is forced (end of sentence banned until the last step) so
//! every engine does the same work whatever the random weights prefer.
//! What it is not: a test of translation quality, or of tokenization and
//! I/O, which `tarjama run` reports on its own.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::llm::LanguageModel;
use crate::models::marian::{MarianMT, Precision};
use crate::translate::search::{generate, SearchSettings, SpecialIds};
use crate::translate::{marian, pad_rows};

/// The sentences to translate, as token ids ending with `</s>`.
#[derive(Debug, Deserialize)]
pub struct BenchInputs {
    pub source_ids: Vec<Vec<u32>>,
}

impl BenchInputs {
    pub fn read(path: &Path) -> Result<Self> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let inputs: Self = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} has no \"source_ids\" list", path.display()))?;
        anyhow::ensure!(
            !inputs.source_ids.is_empty() && inputs.source_ids.iter().all(|r| !r.is_empty()),
            "{}: no sentences, or an empty one",
            path.display()
        );
        Ok(inputs)
    }
}

#[derive(Debug, Clone)]
pub struct MarianBenchSettings {
    pub beams: usize,
    pub batch: usize,
    pub output_tokens: usize,
    pub precision: Precision,
}

/// One line of `tarjama bench` output; the same keys as the other engines'.
#[derive(Debug, Serialize)]
pub struct MarianBenchResult {
    pub engine: &'static str,
    pub precision: &'static str,
    pub beams: usize,
    pub batch: usize,
    pub sentences: usize,
    pub target_tokens: usize,
    pub seconds: f64,
    pub target_tokens_per_s: f64,
    pub load_seconds: f64,
}

/// A Marian checkpoint's `config.json` and `model.safetensors`, without a
/// tokenizer: the benchmark feeds ids.
pub fn load_marian_weights(dir: &Path, precision: Precision) -> Result<MarianMT> {
    let config = marian::read_config(&dir.join("config.json"))?;
    marian::load_model(&config, precision, &dir.join("model.safetensors"))
}

/// Translates `rows` with the output forced to `output_tokens` tokens;
/// returns the generated ids (decoder start token excluded).
pub fn forced_length_generate(
    model: &MarianMT,
    rows: &[&[u32]],
    beams: usize,
    output_tokens: usize,
) -> Result<Vec<Vec<u32>>> {
    let config = model.config();
    // `</s>` and padding banned and no forced end: every row runs to the
    // length limit, so each engine generates exactly the same number of
    // tokens.
    let ids = SpecialIds {
        decoder_start: config.decoder_start_token_id,
        eos: config.eos_token_id,
        forced_eos: None,
        banned: vec![config.eos_token_id, config.pad_token_id],
    };
    let settings = SearchSettings {
        beams,
        max_length: output_tokens + 1,
        length_penalty: 1.0,
        renormalize_logits: false,
    };
    let (ids_tensor, mask) = pad_rows(rows, config.pad_token_id, model.device())?;
    let encoded = model.encode(&ids_tensor, &mask)?;
    let outputs = generate(model, &encoded, &mask, &ids, &settings)?;
    Ok(outputs.into_iter().map(|o| o[1..].to_vec()).collect())
}

pub fn bench_marian(
    model_dir: &Path,
    inputs: &BenchInputs,
    settings: &MarianBenchSettings,
) -> Result<MarianBenchResult> {
    let started = Instant::now();
    let model = load_marian_weights(model_dir, settings.precision)?;
    let load_seconds = started.elapsed().as_secs_f64();
    let rows: Vec<&[u32]> = inputs.source_ids.iter().map(|r| r.as_slice()).collect();
    let batch = settings.batch.max(1);
    // Warm-up: page in the weights and let the allocator settle.
    forced_length_generate(&model, &rows[..batch.min(rows.len())], settings.beams, 4)?;
    let started = Instant::now();
    let mut target_tokens = 0;
    for chunk in rows.chunks(batch) {
        let outputs =
            forced_length_generate(&model, chunk, settings.beams, settings.output_tokens)?;
        for output in &outputs {
            anyhow::ensure!(
                output.len() == settings.output_tokens,
                "an output has {} tokens instead of {}",
                output.len(),
                settings.output_tokens
            );
            target_tokens += output.len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(MarianBenchResult {
        engine: "tarjama",
        precision: settings.precision.name(),
        beams: settings.beams,
        batch,
        sentences: rows.len(),
        target_tokens,
        seconds,
        target_tokens_per_s: target_tokens as f64 / seconds,
        load_seconds,
    })
}

/// One line of `tarjama bench-llm` output.
#[derive(Debug, Serialize)]
pub struct LlmBenchResult {
    pub engine: &'static str,
    pub prompt_tokens: usize,
    pub prompt_tokens_per_s: f64,
    pub gen_tokens: usize,
    pub gen_tokens_per_s: f64,
}

/// A prompt of exactly `count` tokens: a fixed English paragraph, repeated
/// as needed and cut.
fn fixed_prompt(model: &LanguageModel, count: usize) -> Vec<u32> {
    const TEXT: &str = "The French defence minister said on Tuesday that his country \
        and Russia would coordinate their air strikes against the Islamic State group \
        in Syria, after talks in Moscow that lasted most of the day. ";
    let tokenizer = model.tokenizer();
    let mut ids = tokenizer.encode(TEXT, tokenizer.wants_bos());
    let more = tokenizer.encode(TEXT, false);
    while ids.len() < count {
        ids.extend_from_slice(&more);
    }
    ids.truncate(count);
    ids
}

pub fn bench_llm(path: &Path, prompt_tokens: usize, gen_tokens: usize) -> Result<LlmBenchResult> {
    let model = LanguageModel::load(path, None)?;
    let prompt = fixed_prompt(&model, prompt_tokens);
    // Warm-up with a short prompt.
    model.greedy_ids(&prompt[..prompt.len().min(8)], 2, &mut |_, _| {})?;
    // `gen_tokens` decoding steps, each feeding one token.
    let mut prompt_done = None;
    let started = Instant::now();
    let generated = model.greedy_ids(&prompt, gen_tokens, &mut |step, _| {
        if step == 0 {
            prompt_done = Some(Instant::now());
        }
    })?;
    let finished = Instant::now();
    let prompt_done = prompt_done.context("the prompt was never run")?;
    let per_s = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    Ok(LlmBenchResult {
        engine: "tarjama",
        prompt_tokens: prompt.len(),
        prompt_tokens_per_s: per_s(prompt.len(), prompt_done - started),
        gen_tokens: generated.len(),
        gen_tokens_per_s: per_s(generated.len(), finished - prompt_done),
    })
}
