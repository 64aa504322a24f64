//! Local language models in GGUF form, on our own Gemma 3 and Llama-family
//! (Qwen2/Qwen2.5, Llama) models (`crate::models::gemma3`, `::llama`:
//! llama.cpp's computation, without the gigabytes of rotary tables and
//! dequantized embeddings candle's models hold, and with the cache written
//! in place) and candle-transformers' Qwen3 and mixture-of-experts Llama: load
//! one file, format a prompt with the file's chat template, and generate
//! greedily until a stop token or the token limit.
//!
//! What it is not: what to ask (see `crate::summarize` and the LLM
//! translator), or where the file comes from (`crate::model_store`).

use std::io::{Read, Seek};
use std::path::Path;
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use candle_core::quantized::gguf_file;
use candle_core::{DType, Device, Tensor};
use candle_transformers::models::{quantized_llama, quantized_qwen3};

use crate::llm::chat::{ChatTemplate, Message};
use crate::llm::tokenizer::GgufTokenizer;
use crate::models::{gemma3, llama};

pub mod ask;
pub mod chat;
pub mod commentary;
pub mod header;
pub mod tokenizer;

pub use header::read_gguf_header;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Qwen2,
    Qwen3,
    Gemma3,
    Llama,
}

impl Family {
    fn from_architecture(arch: &str) -> Result<Self> {
        Ok(match arch {
            "qwen2" => Self::Qwen2,
            "qwen3" => Self::Qwen3,
            "gemma3" => Self::Gemma3,
            "llama" => Self::Llama,
            other => bail!(
                "GGUF architecture {other:?} is not supported (qwen2, qwen3, gemma3, llama are)"
            ),
        })
    }

    /// A single-turn prompt in the family's chat format (system text folded
    /// into the user turn where the family has no system role).
    pub fn chat_prompt(self, system: &str, user: &str) -> String {
        match self {
            Family::Qwen2 => format!(
                "<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n"
            ),
            // An empty think block switches Qwen3's reasoning off, as its
            // template does for enable_thinking=False.
            Family::Qwen3 => format!(
                "<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"
            ),
            Family::Gemma3 => {
                format!("<start_of_turn>user\n{system}\n\n{user}<end_of_turn>\n<start_of_turn>model\n")
            }
            // Meta's template writes today's date into the system turn;
            // its own fallback date keeps prompts, and so outputs, the
            // same from day to day.
            Family::Llama => format!(
                "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n{system}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
            ),
        }
    }
}

/// The end-of-turn tokens llama.cpp recognises by their text in any
/// vocabulary (`llama-vocab.cpp`), whatever the file's metadata says: a
/// chat model ends its turn with one of these, not always with its EOS.
const END_OF_TURN_TEXTS: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|end_of_text|>",
    "<EOT>",
    "<|eom_id|>",
];

/// The tokens that end an answer: the file's end-of-sequence, end-of-turn
/// and end-of-message ids, and the end-of-turn tokens of its vocabulary.
fn stop_ids(content: &gguf_file::Content, tokenizer: &GgufTokenizer) -> Vec<u32> {
    let mut ids: Vec<u32> = ["eos", "eot", "eom"]
        .iter()
        .filter_map(|k| metadata_usize(content, &format!("tokenizer.ggml.{k}_token_id")))
        .map(|id| id as u32)
        .collect();
    ids.extend(
        END_OF_TURN_TEXTS
            .iter()
            .filter_map(|t| tokenizer.token_id(t)),
    );
    ids.extend(tokenizer.eos_id);
    ids.sort_unstable();
    ids.dedup();
    ids
}

enum Weights {
    /// Qwen2 and Llama files (`models::llama`).
    LlamaFamily(llama::Model),
    Qwen3(quantized_qwen3::ModelWeights),
    Gemma3(gemma3::Model),
    /// Llama files with experts, which `models::llama` does not run.
    LlamaExperts(quantized_llama::ModelWeights),
}

impl Weights {
    /// Logits for the last position of `ids`, which start at `position`.
    fn forward(&mut self, ids: &Tensor, position: usize) -> candle_core::Result<Tensor> {
        match self {
            Self::LlamaFamily(m) => m.forward(ids, position),
            Self::Qwen3(m) => m.forward(ids, position),
            Self::Gemma3(m) => m.forward(ids, position),
            Self::LlamaExperts(m) => m.forward(ids, position),
        }
    }
}

/// What a prompt produced.
#[derive(Debug, Clone)]
pub struct Completion {
    pub text: String,
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
    /// False when the token limit cut the answer off.
    pub finished: bool,
    /// True when generation stopped because the output had started
    /// repeating itself ([`looping_tail`]); the repeats are cut off.
    pub looped: bool,
}

/// The shortest unit of 1–32 tokens that the end of `ids` repeats back to
/// back at least three times and over at least 16 tokens — a loop, not a
/// list or a refrain — as the number of tokens after its first copy (the
/// part to drop). `None` when the end does not loop. Deterministic: it
/// looks at the ids only.
pub fn looping_tail(ids: &[u32]) -> Option<usize> {
    const LONGEST_UNIT: usize = 32;
    const SHORTEST_RUN: usize = 16;
    (1..=LONGEST_UNIT).find_map(|unit| {
        let copies = SHORTEST_RUN.div_ceil(unit).max(3);
        let run = unit * copies;
        if ids.len() < run {
            return None;
        }
        let tail = &ids[ids.len() - run..];
        tail.iter()
            .zip(&tail[unit..])
            .all(|(a, b)| a == b)
            .then_some(run - unit)
    })
}

pub struct LanguageModel {
    // The quantized models keep their key/value cache inside, so one
    // generation at a time.
    weights: Mutex<Weights>,
    tokenizer: GgufTokenizer,
    family: Family,
    stop_ids: Vec<u32>,
    context_length: usize,
    /// The file's chat template; `None` for a base model, which is
    /// prompted with plain few-shot text instead of chat turns.
    chat: Option<ChatTemplate>,
}

/// The header and the tokenizer rebuilt from it, as a load does before the
/// weights; for the fuzz targets.
pub fn read_gguf_header_and_tokenizer(bytes: &[u8]) -> Result<GgufTokenizer> {
    let content = read_gguf_header(&mut std::io::Cursor::new(bytes))?;
    GgufTokenizer::from_metadata(&content.metadata)
}

/// The file's `tokenizer.chat_template`, compiled, with its BOS and EOS
/// token texts; `None` when the file has none.
fn chat_template(
    content: &gguf_file::Content,
    tokenizer: &GgufTokenizer,
) -> Result<Option<ChatTemplate>> {
    let Some(value) = content.metadata.get("tokenizer.chat_template") else {
        return Ok(None);
    };
    let source = value
        .to_string()
        .context("tokenizer.chat_template is not a string")?;
    let text = |id: Option<u32>| {
        id.map(|id| tokenizer.decode(&[id], true))
            .unwrap_or_default()
    };
    ChatTemplate::new(source, &text(tokenizer.bos_id), &text(tokenizer.eos_id)).map(Some)
}

fn metadata_usize(content: &gguf_file::Content, key: &str) -> Option<usize> {
    content.metadata.get(key).and_then(|v| {
        v.to_u32()
            .map(|x| x as usize)
            .or_else(|_| v.to_u64().map(|x| x as usize))
            .ok()
    })
}

impl LanguageModel {
    /// Loads a `.gguf` file: architecture, tokenizer and chat template all
    /// come from its metadata.
    /// `tokenizer_json`, when given, replaces the tokenizer rebuilt from the
    /// file's metadata.
    pub fn load(path: &Path, tokenizer_json: Option<&Path>) -> Result<Self> {
        let mut file =
            std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let json = match tokenizer_json {
            Some(json) => Some(
                tokenizers::Tokenizer::from_file(json)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", json.display()))?,
            ),
            None => None,
        };
        Self::from_reader(&mut file, json)
            .with_context(|| format!("cannot load the language model {}", path.display()))
    }

    fn from_reader<R: Read + Seek>(
        reader: &mut R,
        tokenizer_json: Option<tokenizers::Tokenizer>,
    ) -> Result<Self> {
        let content = read_gguf_header(reader)?;
        let arch = content
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .context("GGUF metadata has no general.architecture")?
            .clone();
        let family = Family::from_architecture(&arch)?;
        let mut tokenizer = GgufTokenizer::from_metadata(&content.metadata)?;
        if let Some(json) = tokenizer_json {
            tokenizer = tokenizer.with_tokenizer_json(json)?;
        }
        let chat = chat_template(&content, &tokenizer)?;
        let context_length =
            metadata_usize(&content, &format!("{arch}.context_length")).unwrap_or(4096);
        let stop_ids = stop_ids(&content, &tokenizer);
        let device = Device::Cpu;
        let weights = match family {
            Family::Qwen2 => Weights::LlamaFamily(llama::load(&content, reader, &arch, &device)?),
            Family::Qwen3 => Weights::Qwen3(quantized_qwen3::ModelWeights::from_gguf(
                content, reader, &device,
            )?),
            Family::Gemma3 => Weights::Gemma3(gemma3::load(&content, reader, &device)?),
            Family::Llama if content.metadata.contains_key("llama.expert_count") => {
                Weights::LlamaExperts(quantized_llama::ModelWeights::from_gguf(
                    content, reader, &device,
                )?)
            }
            Family::Llama => Weights::LlamaFamily(llama::load(&content, reader, &arch, &device)?),
        };
        Ok(Self {
            weights: Mutex::new(weights),
            tokenizer,
            family,
            stop_ids,
            context_length,
            chat,
        })
    }

    /// Whether the file carries a chat template (an instruction-tuned
    /// model); a base model is prompted with few-shot text instead.
    pub fn is_chat(&self) -> bool {
        self.chat.is_some()
    }

    pub fn tokenizer(&self) -> &GgufTokenizer {
        &self.tokenizer
    }

    /// A single-turn prompt in this model's chat format: the file's own
    /// template, else the family's format. A BOS the template writes is
    /// left to the tokenizer, which adds it as the file says.
    pub fn chat_prompt(&self, system: &str, user: &str) -> Result<String> {
        let Some(chat) = &self.chat else {
            return Ok(self.family.chat_prompt(system, user));
        };
        let prompt = chat.render(&[
            Message {
                role: "system",
                content: system,
            },
            Message {
                role: "user",
                content: user,
            },
        ])?;
        // The template may write the BOS itself; the tokenizer adds it.
        let bos = chat.bos_token();
        match prompt.strip_prefix(bos) {
            Some(rest) if self.tokenizer.wants_bos() && !bos.is_empty() => Ok(rest.to_string()),
            _ => Ok(prompt),
        }
    }

    /// Greedy generation: the prompt is run once through the model (its
    /// keys and values cached), then one token at a time. Stops at a stop
    /// token, at `max_tokens`, or when `stop_text` appears in the output
    /// (which is then cut there).
    pub fn complete(
        &self,
        prompt: &str,
        max_tokens: usize,
        stop_text: &[&str],
    ) -> Result<Completion> {
        let prompt_ids = self.tokenizer.encode(prompt, self.tokenizer.wants_bos());
        if prompt_ids.is_empty() {
            bail!("empty prompt");
        }
        if prompt_ids.len() + max_tokens > self.context_length {
            bail!(
                "prompt of {} tokens plus {max_tokens} to generate exceeds the model's context of {}",
                prompt_ids.len(),
                self.context_length
            );
        }
        let mut weights = self.lock_weights()?;
        let device = Device::Cpu;
        let input = Tensor::new(prompt_ids.as_slice(), &device)?.unsqueeze(0)?;
        // Position 0 resets every architecture's cache.
        let mut logits = weights.forward(&input, 0)?;
        let mut generated: Vec<u32> = Vec::new();
        let mut finished = false;
        let mut looped = false;
        while generated.len() < max_tokens {
            let next = argmax_last(&logits)?;
            if self.stop_ids.contains(&next) {
                finished = true;
                break;
            }
            generated.push(next);
            if let Some(extra) = looping_tail(&generated) {
                // A model in a loop never leaves it under greedy decoding:
                // stop now, keeping one copy of what it repeats.
                generated.truncate(generated.len() - extra);
                looped = true;
                break;
            }
            if !stop_text.is_empty() {
                let text = self.tokenizer.decode(&generated, false);
                if stop_text.iter().any(|s| text.contains(s)) {
                    finished = true;
                    break;
                }
            }
            let input = Tensor::new(&[next], &device)?.unsqueeze(0)?;
            logits = weights.forward(&input, prompt_ids.len() + generated.len() - 1)?;
        }
        let mut text = self.tokenizer.decode(&generated, false);
        if let Some(cut) = stop_text.iter().filter_map(|s| text.find(s)).min() {
            text.truncate(cut);
        }
        Ok(Completion {
            text: text.trim().to_string(),
            prompt_tokens: prompt_ids.len(),
            generated_tokens: generated.len(),
            finished: finished || looped,
            looped,
        })
    }
}

impl LanguageModel {
    fn lock_weights(&self) -> Result<std::sync::MutexGuard<'_, Weights>> {
        self.weights
            .lock()
            .map_err(|_| anyhow::anyhow!("language model poisoned by an earlier panic"))
    }

    /// Runs `prompt` through the model, then feeds back the greedy choice
    /// `steps` times, one token per step, ignoring stop tokens; `on_logits`
    /// sees the logits before each choice (step 0: after the prompt).
    /// Returns the tokens fed back. For measuring speed (`tarjama
    /// bench-llm`) and comparing with llama.cpp; `complete` is the one for
    /// text.
    pub fn greedy_ids(
        &self,
        prompt: &[u32],
        steps: usize,
        on_logits: &mut dyn FnMut(usize, &Tensor),
    ) -> Result<Vec<u32>> {
        if prompt.is_empty() || prompt.len() + steps > self.context_length {
            bail!(
                "prompt of {} tokens plus {steps} steps does not fit the context of {}",
                prompt.len(),
                self.context_length
            );
        }
        let mut weights = self.lock_weights()?;
        let device = Device::Cpu;
        let input = Tensor::new(prompt, &device)?.unsqueeze(0)?;
        let mut logits = weights.forward(&input, 0)?;
        let mut fed = Vec::with_capacity(steps);
        for step in 0..steps {
            on_logits(step, &logits);
            let next = argmax_last(&logits)?;
            fed.push(next);
            let input = Tensor::new(&[next], &device)?.unsqueeze(0)?;
            logits = weights.forward(&input, prompt.len() + step)?;
        }
        Ok(fed)
    }
}

/// Index of the largest logit of the last row; the first on ties.
fn argmax_last(logits: &Tensor) -> Result<u32> {
    let logits = logits.to_dtype(DType::F32)?.flatten_all()?;
    let values: Vec<f32> = logits.to_vec1()?;
    Ok(crate::models::argmax(values.len(), |i| values[i]))
}

#[cfg(test)]
mod tests {
    use super::{looping_tail, read_gguf_header_and_tokenizer, Family};

    #[test]
    fn a_loop_is_found_at_the_end_and_cut_to_one_copy() {
        // One token sixteen times: fifteen to drop.
        assert_eq!(looping_tail(&[9; 16]), Some(15));
        assert_eq!(looping_tail(&[9; 15]), None);
        // A five-token phrase four times (20 tokens ≥ 16): three copies to drop.
        let phrase = [1, 2, 3, 4, 5];
        let looped: Vec<u32> = [7, 8].into_iter().chain(phrase.repeat(4)).collect();
        assert_eq!(looping_tail(&looped), Some(15));
        // Three copies are only 15 tokens: not yet a loop.
        assert_eq!(looping_tail(&phrase.repeat(3)), None);
        // A list that never repeats, and a repeat that is not at the end.
        let list: Vec<u32> = (0..64).collect();
        assert_eq!(looping_tail(&list), None);
        let earlier: Vec<u32> = [9; 20].into_iter().chain(0..8).collect();
        assert_eq!(looping_tail(&earlier), None);
    }

    /// The hand-made seeds of the `gguf` fuzz target are real GGUF
    /// tokenizers of both kinds, so fuzzing starts from inputs that reach
    /// deep into the reader.
    #[test]
    fn the_gguf_fuzz_seeds_load() {
        let spm =
            read_gguf_header_and_tokenizer(include_bytes!("../../fuzz/seeds/gguf/llama-spm.gguf"))
                .unwrap();
        // BOS, the space prefix, then one token per letter (no merges lead
        // to the whole word).
        assert_eq!(spm.encode("قال", true), vec![1, 4, 5, 6, 7]);
        let bpe =
            read_gguf_header_and_tokenizer(include_bytes!("../../fuzz/seeds/gguf/gpt2-bpe.gguf"))
                .unwrap();
        assert_eq!(bpe.decode(&bpe.encode("ab a", false), true), "ab a");
    }

    /// Our chat formats against the official templates rendered by
    /// transformers (`tools/render_chat_templates.py`).
    #[test]
    fn chat_prompts_match_the_official_templates() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/chat_templates.json")).unwrap();
        let families = [
            ("qwen2", Family::Qwen2, ""),
            ("qwen3", Family::Qwen3, ""),
            // Gemma's and Llama's templates write the BOS token themselves;
            // our tokenizer adds it from the GGUF's add_bos_token instead.
            ("gemma3", Family::Gemma3, "<bos>"),
            ("llama", Family::Llama, "<|begin_of_text|>"),
        ];
        for (name, family, bos) in families {
            let entry = &fixture["families"][name];
            let mut expected = entry["rendered"].as_str().unwrap().to_string();
            if let Some(date) = entry["date_string_used"].as_str() {
                // The template's fallback date, which we always use.
                expected =
                    expected.replace(&format!("Today Date: {date}"), "Today Date: 26 Jul 2024");
            }
            let expected = expected.strip_prefix(bos).unwrap();
            assert_eq!(
                family.chat_prompt("SYSTEM TEXT", "USER TEXT"),
                expected,
                "{name}"
            );
        }
    }
}
