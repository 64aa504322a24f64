//! Writes a T5 checkpoint's `model.safetensors` as GGUF the way candle's
//! tensor-tools wrote MADLAD-400's `model-q4k.gguf` (Hugging Face tensor
//! names, no metadata, every 2-D tensor whose rows are whole 256-value
//! super-blocks in Q4_K and everything else F32), except that
//! `lm_head.weight` is Q6_K as llama.cpp's quantizer writes output layers.
//! Used by `tools/make_t5_fixtures.py` to make the `tiny-q4k` fixture with
//! candle's own quantizer (the Python gguf package cannot quantize k-quants).
//!
//! Not a general converter: one input file, this one recipe.
//!
//!     cargo run --example quantize_t5_gguf -- model.safetensors model-q4k.gguf

use anyhow::{bail, Context, Result};
use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::{DType, Device};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        bail!("usage: quantize_t5_gguf MODEL.safetensors OUT.gguf");
    };
    let tensors = candle_core::safetensors::load(input, &Device::Cpu)
        .with_context(|| format!("cannot read {input}"))?;
    // Sorted, so the file's bytes do not depend on hash order.
    let mut names: Vec<&String> = tensors.keys().collect();
    names.sort();
    let mut quantized = Vec::with_capacity(names.len());
    for name in names {
        let tensor = tensors[name].to_dtype(DType::F32)?;
        let whole_blocks = tensor.rank() == 2 && tensor.dim(1)? % 256 == 0;
        let dtype = match (whole_blocks, name.as_str()) {
            (true, "lm_head.weight") => GgmlDType::Q6K,
            (true, _) => GgmlDType::Q4K,
            (false, _) => GgmlDType::F32,
        };
        quantized.push((name.as_str(), QTensor::quantize(&tensor, dtype)?));
    }
    let refs: Vec<(&str, &QTensor)> = quantized.iter().map(|(n, t)| (*n, t)).collect();
    let mut file =
        std::fs::File::create(output).with_context(|| format!("cannot create {output}"))?;
    gguf_file::write(&mut file, &[], &refs).with_context(|| format!("cannot write {output}"))?;
    Ok(())
}
