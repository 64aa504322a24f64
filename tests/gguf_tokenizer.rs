//! The GGUF tokenizer against references made by
//! `tools/make_gguf_tokenizer_fixtures.py` on the tiny profile's model (Gemma 3 270M):
//! llama.cpp's own tokenization and transformers' GGUF-converted tokenizer.
//! The model file comes from `scripts/fetch-demo-model.sh` (CI runs it).
//! The byte-level BPE path (Qwen2 style) is checked on a tiny GGUF made by
//! `tools/make_gguf_bpe_fixture.py`, against llama.cpp.

mod common;

use std::collections::HashSet;

use candle_core::quantized::gguf_file;
use common::fixtures::{gguf_fixtures, tiny_model};
use serde::Deserialize;
use tarjama::llm::tokenizer::GgufTokenizer;

#[derive(Deserialize)]
struct Reference {
    gguf_sha256: String,
    llama_cpp_disagreements: Vec<String>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    text: String,
    ids: Vec<u32>,
    ids_with_special: Vec<u32>,
    decoded: String,
    llama_cpp_ids: Vec<u32>,
}

#[test]
fn gemma3_gguf_tokenizer_matches_llama_cpp_and_transformers() {
    let reference: Reference = serde_json::from_slice(
        &std::fs::read(gguf_fixtures().join("gemma3_tokenizer_reference.json")).unwrap(),
    )
    .unwrap();
    let path = tiny_model();
    assert_eq!(
        tarjama::files::sha256_file(&path).unwrap(),
        reference.gguf_sha256
    );
    let mut file = std::fs::File::open(&path).unwrap();
    let content = gguf_file::Content::read(&mut file).unwrap();
    let tokenizer = GgufTokenizer::from_metadata(&content.metadata).unwrap();
    let disagreements: HashSet<&str> = reference
        .llama_cpp_disagreements
        .iter()
        .map(String::as_str)
        .collect();
    for case in &reference.cases {
        let ids = tokenizer.encode(&case.text, false);
        assert_eq!(
            ids, case.llama_cpp_ids,
            "llama.cpp, {}: {:?}",
            case.name, case.text
        );
        if !disagreements.contains(case.name.as_str()) {
            assert_eq!(ids, case.ids, "transformers, {}", case.name);
            assert_eq!(
                tokenizer.encode(&case.text, true),
                case.ids_with_special,
                "{}",
                case.name
            );
            assert_eq!(
                tokenizer.decode(&case.ids, true),
                case.decoded,
                "decode, {}",
                case.name
            );
        }
    }
}

#[derive(Deserialize)]
struct BpeReference {
    gguf_sha256: String,
    cases: Vec<BpeCase>,
}

#[derive(Deserialize)]
struct BpeCase {
    name: String,
    text: String,
    llama_cpp_ids: Vec<u32>,
    decoded: String,
}

#[test]
fn qwen2_style_bpe_gguf_tokenizer_matches_llama_cpp() {
    let dir = gguf_fixtures();
    let reference: BpeReference = serde_json::from_slice(
        &std::fs::read(dir.join("tiny-qwen2-tokenizer-reference.json")).unwrap(),
    )
    .unwrap();
    let path = dir.join("tiny-qwen2-tokenizer.gguf");
    assert_eq!(
        tarjama::files::sha256_file(&path).unwrap(),
        reference.gguf_sha256
    );
    let mut file = std::fs::File::open(&path).unwrap();
    let content = gguf_file::Content::read(&mut file).unwrap();
    let tokenizer = GgufTokenizer::from_metadata(&content.metadata).unwrap();
    for case in &reference.cases {
        let ids = tokenizer.encode(&case.text, false);
        assert_eq!(ids, case.llama_cpp_ids, "{}: {:?}", case.name, case.text);
        assert_eq!(
            tokenizer.decode(&ids, true),
            case.decoded,
            "decode, {}",
            case.name
        );
    }
}
