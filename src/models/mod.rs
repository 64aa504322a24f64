//! Model architectures, one per file, in the manner of candle-transformers:
//! each knows tensors and a `Config` (deserialized from `config.json`, or
//! read from GGUF metadata), and nothing about hubs or tokenizers (that is
//! `crate::model_store` and `crate::llm`).

pub mod gemma3;
pub mod marian;
