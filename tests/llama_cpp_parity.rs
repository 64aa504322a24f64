//! The three real GGUF files against llama.cpp, the reference engine for
//! the format: for each of about six prompts (English and Arabic, plain and
//! chat, one of more than 600 tokens) the same prompt tokens, logits that
//! agree at the kept steps, and the same 32 greedy tokens, or the same
//! ones up to a step where llama.cpp's choice and ours were a near-tie
//! (after that the two continue different texts and are not compared).
//!
//! The reference is `tools/llama_cpp_reference.py` (llama-cpp-python, f32
//! key/value cache, no flash attention); its fixtures are committed, so no
//! Python runs here. The long prompt crosses Gemma 3's 512-position sliding
//! window, where a step that attended to the whole cache went wrong.
//! Needs `scripts/fetch-demo-model.sh` (CI runs it).

mod common;

use std::path::Path;

use common::fixtures::{qwen_coder_model, smollm2_model, tiny_model};
use serde::Deserialize;
use tarjama::llm::LanguageModel;

#[derive(Deserialize)]
struct Reference {
    file: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    prompt: String,
    /// The system and user turns a chat case's prompt renders.
    messages: Option<Vec<Message>>,
    prompt_ids: Vec<u32>,
    greedy_ids: Vec<u32>,
    steps: Vec<KeptStep>,
}

#[derive(Deserialize)]
struct Message {
    content: String,
}

#[derive(Deserialize)]
struct KeptStep {
    step: usize,
    /// llama.cpp's largest logits at this step, `[id, logit]`.
    top: Vec<(u32, f32)>,
}

/// Largest difference allowed between a logit of ours and llama.cpp's.
///
/// Measured (this reference): at most 0.43 for Qwen2.5-Coder-1.5B, 0.49
/// for SmolLM2-135M and 1.12 for Gemma 3 270M, whose logits run larger
/// (25 against 20 at the top); the largest is taken over the steps on
/// which both engines chose the same token, so a longer agreement can
/// raise it (Gemma's 1.12 is step 30 of an Arabic chat that agrees for
/// all 32). The bug this test
/// found, Gemma's feed-forward gated by SiLU where the model has GELU,
/// gave 5 to 11 at the very first step.
///
/// Why not llama.cpp's own spread between 1 and 2 threads: the reference
/// records it (`thread_spread`), and it is 0 for every case, because
/// llama.cpp splits rows among threads and never the sum inside a row.
/// The two engines do the same quantized products (activations rounded
/// to 8 bits per block, as llama.cpp does) but sum in a different order,
/// and one activation landing on the other side of a rounding step moves
/// everything after it; llama.cpp also looks GELU up in a half-precision
/// table. So exact agreement cannot be asked.
const TOLERANCE: f32 = 1.25;

fn reference(name: &str) -> Reference {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/llama_cpp")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn check(name: &str, path: &Path) {
    let reference = reference(name);
    assert_eq!(
        path.file_name().unwrap().to_str().unwrap(),
        reference.file,
        "{name}"
    );
    let model = LanguageModel::load(path, None).unwrap();
    let tokenizer = model.tokenizer();
    let mut worst = 0f32;
    let mut failures = Vec::new();
    for case in &reference.cases {
        let label = format!("{name}/{}", case.name);
        if let Some(messages) = &case.messages {
            let prompt = model
                .chat_prompt(&messages[0].content, &messages[1].content)
                .unwrap();
            assert_eq!(prompt, case.prompt, "{label}: chat prompt");
        }
        let ids = tokenizer.encode(&case.prompt, tokenizer.wants_bos());
        assert_eq!(ids, case.prompt_ids, "{label}: prompt tokens");

        let mut ours_at: Vec<Vec<f32>> = Vec::new();
        let fed = model
            .greedy_ids(&ids, case.greedy_ids.len(), &mut |_, logits| {
                ours_at.push(logits.flatten_all().unwrap().to_vec1::<f32>().unwrap());
            })
            .unwrap();
        let same_prefix = fed
            .iter()
            .zip(&case.greedy_ids)
            .take_while(|(a, b)| a == b)
            .count();
        let mut case_worst = 0f32;
        // Step k's logits follow the same tokens in both engines only
        // while the greedy tokens before it agree.
        for step in case.steps.iter().filter(|s| s.step <= same_prefix) {
            let ours = &ours_at[step.step];
            for &(id, theirs) in &step.top {
                case_worst = case_worst.max((ours[id as usize] - theirs).abs());
            }
        }
        let mut line = format!(
            "{label}: {same_prefix}/{} greedy tokens agree, largest logit difference {case_worst}",
            fed.len()
        );
        if same_prefix < fed.len() {
            // Where the engines part, llama.cpp's choice must have been a
            // near-tie for us too: each logit may be off by TOLERANCE, so
            // ours may lead theirs by at most twice that.
            let ours = &ours_at[same_prefix];
            let lead =
                ours[fed[same_prefix] as usize] - ours[case.greedy_ids[same_prefix] as usize];
            line += &format!(", then our choice leads llama.cpp's by {lead}");
            failures.extend((lead > 2. * TOLERANCE).then(|| {
                format!("{label}: at step {same_prefix} our token leads llama.cpp's by {lead}")
            }));
        }
        eprintln!("{line}");
        worst = worst.max(case_worst);
        failures.extend(
            (case_worst > TOLERANCE).then(|| format!("{label}: logit difference {case_worst}")),
        );
    }
    eprintln!("{name}: largest logit difference from llama.cpp {worst}");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn gemma3_270m_agrees_with_llama_cpp() {
    check("gemma-3-270m", &tiny_model());
}

#[test]
fn qwen_coder_1_5b_agrees_with_llama_cpp() {
    check("qwen2.5-coder-1.5b-instruct", &qwen_coder_model());
}

#[test]
fn smollm2_135m_agrees_with_llama_cpp() {
    check("smollm2-135m-instruct", &smollm2_model());
}
