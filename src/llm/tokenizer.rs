//! Tokenizers rebuilt from a GGUF file's own metadata, so a single `.gguf`
//! is enough to run a language model.
//!
//! Two vocabulary kinds exist in GGUF files (`tokenizer.ggml.model`):
//! - `llama`: a SentencePiece vocabulary with scores (Llama 2, Gemma). It is
//!   tokenized as llama.cpp does: special and user-defined tokens are cut
//!   out first, longest first; the rest is split into characters and the
//!   adjacent pair whose join has the highest score is merged, again and
//!   again; characters no token covers become `<0xXX>` byte tokens.
//! - `gpt2`: byte-level BPE with merges (Qwen, Llama 3), built with the
//!   `tokenizers` crate and the pre-tokenizer regex named by
//!   `tokenizer.ggml.pre`.
//!
//! What it is not: chat formatting (see `crate::llm`), or a trainer.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use anyhow::{bail, Context, Result};
use candle_core::quantized::gguf_file::Value;

const TYPE_NORMAL: i32 = 1;
const TYPE_UNKNOWN: i32 = 2;
const TYPE_CONTROL: i32 = 3;
const TYPE_USER_DEFINED: i32 = 4;
const TYPE_BYTE: i32 = 6;

enum Vocabulary {
    Spm { scores: Vec<f32> },
    Bpe(Box<tokenizers::Tokenizer>),
}

pub struct GgufTokenizer {
    vocabulary: Vocabulary,
    tokens: Vec<String>,
    types: Vec<i32>,
    token_to_id: HashMap<String, u32>,
    /// Control, user-defined and unknown tokens, longest text first: the
    /// order llama.cpp cuts them out of the text in.
    specials: Vec<(String, u32)>,
    byte_tokens: [Option<u32>; 256],
    pub bos_id: Option<u32>,
    pub eos_id: Option<u32>,
    unk_id: Option<u32>,
    add_bos: bool,
    add_space_prefix: bool,
}

fn get<'a>(md: &'a HashMap<String, Value>, key: &str) -> Option<&'a Value> {
    md.get(key)
}

fn get_u32(md: &HashMap<String, Value>, key: &str) -> Option<u32> {
    get(md, key).and_then(|v| {
        v.to_u32()
            .ok()
            .or_else(|| v.to_i32().ok().map(|i| i as u32))
    })
}

fn get_bool(md: &HashMap<String, Value>, key: &str) -> Option<bool> {
    get(md, key).and_then(|v| v.to_bool().ok())
}

fn get_strings(md: &HashMap<String, Value>, key: &str) -> Result<Vec<String>> {
    let values = get(md, key)
        .with_context(|| format!("GGUF metadata has no {key}"))?
        .to_vec()
        .map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
    values
        .iter()
        .map(|v| {
            v.to_string()
                .cloned()
                .map_err(|e| anyhow::anyhow!("{key}: {e}"))
        })
        .collect()
}

/// The pre-tokenizer regexes llama.cpp uses for byte-level BPE vocabularies,
/// by the name stored in `tokenizer.ggml.pre`.
fn bpe_pattern(pre: &str) -> &'static str {
    match pre {
        "qwen2" | "deepseek-r1-qwen" => {
            r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
        }
        "llama-bpe" | "llama3" => {
            r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
        }
        _ => r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
    }
}

impl GgufTokenizer {
    pub fn from_metadata(md: &HashMap<String, Value>) -> Result<Self> {
        let model = get(md, "tokenizer.ggml.model")
            .and_then(|v| v.to_string().ok())
            .context("GGUF metadata has no tokenizer.ggml.model")?
            .clone();
        let tokens = get_strings(md, "tokenizer.ggml.tokens")?;
        let types: Vec<i32> = match get(md, "tokenizer.ggml.token_type") {
            Some(v) => v
                .to_vec()
                .map_err(|e| anyhow::anyhow!("tokenizer.ggml.token_type: {e}"))?
                .iter()
                .map(|t| t.to_i32().unwrap_or(TYPE_NORMAL))
                .collect(),
            None => vec![TYPE_NORMAL; tokens.len()],
        };
        if types.len() != tokens.len() {
            bail!(
                "GGUF tokenizer has {} tokens but {} token types",
                tokens.len(),
                types.len()
            );
        }
        let token_to_id: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let mut specials: Vec<(String, u32)> = tokens
            .iter()
            .zip(&types)
            .enumerate()
            .filter(|(_, (text, &kind))| {
                !text.is_empty() && matches!(kind, TYPE_CONTROL | TYPE_USER_DEFINED | TYPE_UNKNOWN)
            })
            .map(|(i, (text, _))| (text.clone(), i as u32))
            .collect();
        specials.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        let mut byte_tokens = [None; 256];
        for (b, slot) in byte_tokens.iter_mut().enumerate() {
            *slot = token_to_id.get(&format!("<0x{b:02X}>")).copied();
        }
        let vocabulary = match model.as_str() {
            "llama" => {
                let scores = match get(md, "tokenizer.ggml.scores") {
                    Some(v) => v
                        .to_vec()
                        .map_err(|e| anyhow::anyhow!("tokenizer.ggml.scores: {e}"))?
                        .iter()
                        .map(|s| s.to_f32().unwrap_or(0.0))
                        .collect(),
                    None => vec![0.0; tokens.len()],
                };
                Vocabulary::Spm { scores }
            }
            "gpt2" => {
                let merges = get_strings(md, "tokenizer.ggml.merges")?;
                let pre = get(md, "tokenizer.ggml.pre")
                    .and_then(|v| v.to_string().ok())
                    .map(String::as_str)
                    .unwrap_or("default");
                Vocabulary::Bpe(Box::new(build_bpe(&tokens, &merges, pre, &specials)?))
            }
            other => bail!("GGUF tokenizer model {other:?} is not supported (llama and gpt2 are)"),
        };
        Ok(Self {
            vocabulary,
            bos_id: get_u32(md, "tokenizer.ggml.bos_token_id"),
            eos_id: get_u32(md, "tokenizer.ggml.eos_token_id"),
            unk_id: get_u32(md, "tokenizer.ggml.unknown_token_id"),
            add_bos: get_bool(md, "tokenizer.ggml.add_bos_token").unwrap_or(model == "llama"),
            add_space_prefix: get_bool(md, "tokenizer.ggml.add_space_prefix")
                .unwrap_or(model == "llama"),
            tokens,
            types,
            token_to_id,
            specials,
            byte_tokens,
        })
    }

    /// Uses a repository's `tokenizer.json` instead of the vocabulary rebuilt
    /// from metadata, where one is given (its ids must be the GGUF's).
    pub fn with_tokenizer_json(mut self, tokenizer: tokenizers::Tokenizer) -> Result<Self> {
        let size = tokenizer.get_vocab_size(true);
        if size > self.tokens.len() {
            bail!(
                "tokenizer.json has {size} tokens but the GGUF vocabulary {}; they do not belong together",
                self.tokens.len()
            );
        }
        self.vocabulary = Vocabulary::Bpe(Box::new(tokenizer));
        Ok(self)
    }

    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.token_to_id.get(text).copied()
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// Whether a BOS token is expected at the start of a prompt.
    pub fn wants_bos(&self) -> bool {
        self.add_bos && self.bos_id.is_some()
    }

    /// Token ids for `text`; special tokens written in the text (chat turn
    /// markers) become their ids.
    pub fn encode(&self, text: &str, add_bos: bool) -> Vec<u32> {
        let mut ids = Vec::new();
        if add_bos {
            ids.extend(self.bos_id);
        }
        let mut previous_was_special = true;
        for fragment in self.partition(text) {
            match fragment {
                Fragment::Special(id) => {
                    ids.push(id);
                    previous_was_special = true;
                }
                Fragment::Text(text) => {
                    match &self.vocabulary {
                        Vocabulary::Spm { scores } => {
                            let mut escaped = String::with_capacity(text.len() + 3);
                            if self.add_space_prefix && previous_was_special {
                                escaped.push('\u{2581}');
                            }
                            escaped.push_str(&text.replace(' ', "\u{2581}"));
                            self.spm_encode(&escaped, scores, &mut ids);
                        }
                        Vocabulary::Bpe(tokenizer) => {
                            if let Ok(encoding) = tokenizer.encode(text, false) {
                                ids.extend_from_slice(encoding.get_ids());
                            }
                        }
                    }
                    previous_was_special = false;
                }
            }
        }
        ids
    }

    /// Cuts special tokens out of the text, longest token first, as
    /// llama.cpp's `tokenizer_st_partition` does.
    fn partition<'a>(&self, text: &'a str) -> Vec<Fragment<'a>> {
        let mut fragments = vec![Fragment::Text(text)];
        for (special, id) in &self.specials {
            if !text.contains(special.as_str()) {
                continue;
            }
            let mut next = Vec::with_capacity(fragments.len() + 2);
            for fragment in fragments {
                match fragment {
                    Fragment::Text(mut rest) => {
                        while let Some(at) = rest.find(special.as_str()) {
                            if at > 0 {
                                next.push(Fragment::Text(&rest[..at]));
                            }
                            next.push(Fragment::Special(*id));
                            rest = &rest[at + special.len()..];
                        }
                        if !rest.is_empty() {
                            next.push(Fragment::Text(rest));
                        }
                    }
                    special => next.push(special),
                }
            }
            fragments = next;
        }
        fragments
    }

    fn spm_encode(&self, text: &str, scores: &[f32], out: &mut Vec<u32>) {
        // Symbols start as single characters, linked so merged ones can be
        // skipped; a merge extends the left symbol over the right one.
        let mut symbols: Vec<Symbol> = text
            .char_indices()
            .map(|(start, c)| Symbol {
                start,
                len: c.len_utf8(),
                prev: None,
                next: None,
            })
            .collect();
        let count = symbols.len();
        for (i, symbol) in symbols.iter_mut().enumerate() {
            symbol.prev = i.checked_sub(1);
            symbol.next = (i + 1 < count).then_some(i + 1);
        }
        let mut queue = BinaryHeap::new();
        let try_pair =
            |symbols: &[Symbol], left: usize, right: usize, queue: &mut BinaryHeap<Pair>| {
                let start = symbols[left].start;
                let end = symbols[right].start + symbols[right].len;
                if let Some(&id) = self.token_to_id.get(&text[start..end]) {
                    queue.push(Pair {
                        score: scores.get(id as usize).copied().unwrap_or(0.0),
                        left,
                        right,
                        len: end - start,
                    });
                }
            };
        for i in 1..count {
            try_pair(&symbols, i - 1, i, &mut queue);
        }
        while let Some(pair) = queue.pop() {
            let (left, right) = (pair.left, pair.right);
            // Skip pairs made stale by an earlier merge.
            if symbols[left].len == 0
                || symbols[right].len == 0
                || symbols[left].len + symbols[right].len != pair.len
                || symbols[left].next != Some(right)
            {
                continue;
            }
            symbols[left].len += symbols[right].len;
            symbols[right].len = 0;
            symbols[left].next = symbols[right].next;
            if let Some(n) = symbols[right].next {
                symbols[n].prev = Some(left);
            }
            if let Some(p) = symbols[left].prev {
                try_pair(&symbols, p, left, &mut queue);
            }
            if let Some(n) = symbols[left].next {
                try_pair(&symbols, left, n, &mut queue);
            }
        }
        let mut at = if count > 0 { Some(0) } else { None };
        while let Some(i) = at {
            let piece = &text[symbols[i].start..symbols[i].start + symbols[i].len];
            match self.token_to_id.get(piece) {
                Some(&id) => out.push(id),
                None => {
                    for b in piece.bytes() {
                        out.extend(self.byte_tokens[b as usize].or(self.unk_id));
                    }
                }
            }
            at = symbols[i].next;
        }
    }

    /// Text for ids. Control tokens are dropped unless `render_special`.
    pub fn decode(&self, ids: &[u32], render_special: bool) -> String {
        if let Vocabulary::Bpe(tokenizer) = &self.vocabulary {
            let kept: Vec<u32> = ids
                .iter()
                .copied()
                .filter(|&id| render_special || self.types.get(id as usize) != Some(&TYPE_CONTROL))
                .collect();
            return tokenizer.decode(&kept, false).unwrap_or_default();
        }
        let mut bytes = Vec::new();
        for &id in ids {
            let Some(text) = self.tokens.get(id as usize) else {
                continue;
            };
            match self.types[id as usize] {
                TYPE_BYTE => {
                    if let Some(b) = parse_byte_token(text) {
                        bytes.push(b);
                    }
                }
                TYPE_CONTROL if !render_special => {}
                TYPE_NORMAL | TYPE_UNKNOWN => {
                    bytes.extend(text.replace('\u{2581}', " ").as_bytes())
                }
                _ => bytes.extend(text.as_bytes()),
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

enum Fragment<'a> {
    Text(&'a str),
    Special(u32),
}

struct Symbol {
    start: usize,
    len: usize,
    prev: Option<usize>,
    next: Option<usize>,
}

/// A candidate merge. Highest score first; on ties the leftmost.
struct Pair {
    score: f32,
    left: usize,
    right: usize,
    len: usize,
}

impl PartialEq for Pair {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pair {}
impl PartialOrd for Pair {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pair {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.left.cmp(&self.left))
    }
}

fn parse_byte_token(text: &str) -> Option<u8> {
    let hex = text.strip_prefix("<0x")?.strip_suffix('>')?;
    u8::from_str_radix(hex, 16).ok()
}

fn build_bpe(
    tokens: &[String],
    merges: &[String],
    pre: &str,
    specials: &[(String, u32)],
) -> Result<tokenizers::Tokenizer> {
    use tokenizers::models::bpe::BPE;
    use tokenizers::pre_tokenizers::byte_level::ByteLevel;
    use tokenizers::pre_tokenizers::sequence::Sequence;
    use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
    use tokenizers::{AddedToken, SplitDelimiterBehavior};

    let vocab: tokenizers::models::bpe::Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let merges: Vec<(String, String)> = merges
        .iter()
        .filter_map(|m| {
            m.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot build BPE from GGUF vocabulary: {e}"))?;
    let split = Split::new(
        SplitPattern::Regex(bpe_pattern(pre).to_string()),
        SplitDelimiterBehavior::Isolated,
        false,
    )
    .map_err(|e| anyhow::anyhow!("bad pre-tokenizer pattern: {e}"))?;
    let mut tokenizer = tokenizers::Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
        split.into(),
        ByteLevel::new(false, false, false).into(),
    ])));
    tokenizer.with_decoder(Some(ByteLevel::default()));
    let added: Vec<AddedToken> = specials
        .iter()
        .map(|(text, _)| AddedToken::from(text.clone(), true))
        .collect();
    tokenizer.add_special_tokens(&added);
    Ok(tokenizer)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy SentencePiece vocabulary: merges go by score, not by order.
    fn toy() -> GgufTokenizer {
        let tokens = [
            "<unk>", "<s>", "</s>", "a", "b", "c", "ab", "bc", "cc", "<0x41>", "\u{2581}", "<turn>",
        ];
        let types = [2, 3, 3, 1, 1, 1, 1, 1, 1, 6, 1, 3];
        let scores = [
            0.0, 0.0, 0.0, -1.0, -1.0, -1.0, -3.0, -2.0, -0.5, 0.0, -1.0, 0.0,
        ];
        let mut md = HashMap::new();
        md.insert(
            "tokenizer.ggml.model".to_string(),
            Value::String("llama".into()),
        );
        md.insert(
            "tokenizer.ggml.tokens".to_string(),
            Value::Array(
                tokens
                    .iter()
                    .map(|t| Value::String(t.to_string()))
                    .collect(),
            ),
        );
        md.insert(
            "tokenizer.ggml.token_type".to_string(),
            Value::Array(types.iter().map(|&t| Value::I32(t)).collect()),
        );
        md.insert(
            "tokenizer.ggml.scores".to_string(),
            Value::Array(scores.iter().map(|&s| Value::F32(s)).collect()),
        );
        md.insert("tokenizer.ggml.bos_token_id".to_string(), Value::U32(1));
        md.insert("tokenizer.ggml.unknown_token_id".to_string(), Value::U32(0));
        md.insert(
            "tokenizer.ggml.add_space_prefix".to_string(),
            Value::Bool(false),
        );
        GgufTokenizer::from_metadata(&md).unwrap()
    }

    #[test]
    fn the_best_scored_pair_merges_first() {
        // "bc" (-2) beats "ab" (-3), and "a"+"bc" is no token: a, bc.
        assert_eq!(toy().encode("abc", false), vec![3, 7]);
        // "cc" (-0.5) goes first, which leaves "ab" to merge: ab, cc.
        assert_eq!(toy().encode("abcc", false), vec![6, 8]);
    }

    #[test]
    fn unknown_characters_fall_back_to_bytes_or_unk() {
        // 'A' has a byte token; 'Z' has none and becomes <unk>.
        assert_eq!(toy().encode("AZ", true), vec![1, 9, 0]);
    }

    #[test]
    fn special_tokens_in_text_are_cut_out() {
        let t = toy();
        assert_eq!(t.encode("a<turn>b", false), vec![3, 11, 4]);
        assert_eq!(t.decode(&[3, 11, 4], false), "ab");
        assert_eq!(t.decode(&[3, 11, 4, 10], true), "a<turn>b ");
    }
}
