//! Our Gemma 3 (`tarjama::models::gemma3`) against itself on the tiny
//! profile's model: a prompt continued from the cache gives what the whole
//! prompt gives. Its agreement with llama.cpp is `tests/llama_cpp_parity.rs`
//! (candle-transformers' `quantized_gemma3`, which it replaced, is no
//! reference: it gates the feed-forward with SiLU where Gemma has GELU).
//! Needs `scripts/fetch-demo-model.sh` (CI runs it).

mod common;

use std::fs::File;

use candle_core::{Device, Tensor};
use common::fixtures::tiny_model;
use tarjama::llm::read_gguf_header;
use tarjama::llm::tokenizer::GgufTokenizer;
use tarjama::models::gemma3;

fn prompt_ids() -> Vec<u32> {
    let content = read_gguf_header(&mut File::open(tiny_model()).unwrap()).unwrap();
    let tokenizer = GgufTokenizer::from_metadata(&content.metadata).unwrap();
    let text = "<start_of_turn>user\nTranslate into English: قال وزير الخارجية \
        إن المحادثات في موسكو استمرت معظم اليوم.<end_of_turn>\n<start_of_turn>model\n";
    tokenizer.encode(text, tokenizer.wants_bos())
}

fn row(logits: &Tensor) -> Vec<f32> {
    logits.flatten_all().unwrap().to_vec1().unwrap()
}

fn argmax(values: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best as u32
}

/// A prompt fed in two pieces (the second continuing the cache) gives the
/// logits of feeding it whole (llama.cpp's reference feeds a prompt in one
/// piece, so our model is checked against itself). Not exactly: candle's
/// quantized matmuls round differently with the number of rows, so the same
/// positions in a batch of another size come out slightly different. On
/// this prompt candle's own model differs by 0.81 between running it whole
/// and running it less its last token, then that token alone; a piece that
/// could not see the cache would differ by far more and choose otherwise.
#[test]
fn a_prompt_continued_in_a_second_piece_matches_the_whole() {
    let prompt = prompt_ids();
    let device = Device::Cpu;
    let mut file = File::open(tiny_model()).unwrap();
    let content = read_gguf_header(&mut file).unwrap();
    let mut model = gemma3::load(&content, &mut file, &device).unwrap();
    let ids = |ids: &[u32]| Tensor::new(ids, &device).unwrap().unsqueeze(0).unwrap();
    let whole = row(&model.forward(&ids(&prompt), 0).unwrap());
    let split = 12;
    model.forward(&ids(&prompt[..split]), 0).unwrap();
    let pieces = row(&model.forward(&ids(&prompt[split..]), split).unwrap());
    let diff = whole
        .iter()
        .zip(&pieces)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    println!("max |logit difference| whole vs two pieces: {diff:e}");
    assert_eq!(argmax(&whole), argmax(&pieces));
    assert!(diff < 1.0, "{diff}");
}
