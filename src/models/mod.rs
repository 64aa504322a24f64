//! Model architectures, one per file, in the manner of candle-transformers:
//! each knows tensors and a `Config` deserialized from `config.json`, and
//! nothing about files, hubs or tokenizers (that is `crate::model_store`).

pub mod marian;
