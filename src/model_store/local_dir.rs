//! `--model-dir`: an opus-mt (or T5) checkpoint folder used as it is,
//! every file hashed so records still say exactly what was used.
//!
//! What it is not: the catalog's models (`super::Models`), whose hashes are
//! pinned in `models.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::{ModelFingerprint, ResolvedModel};
use crate::files::sha256_file;

/// The files a Marian checkpoint directory needs. Weights come in one of
/// two formats; the first present is used.
const MARIAN_FILES: &[&str] = &["config.json", "source.spm", "target.spm", "vocab.json"];
const MARIAN_OPTIONAL: &[&str] = &["generation_config.json"];
const MARIAN_WEIGHTS: &[&str] = &["model.safetensors", "pytorch_model.bin"];

/// The files a T5 (MADLAD-400) checkpoint directory needs; the weights are
/// `model.safetensors` or the one `.gguf` file in it.
const T5_FILES: &[&str] = &["config.json", "spiece.model"];

/// Uses a checkpoint directory as it is (`--model-dir`): every file is
/// hashed so records still say exactly what was used.
pub fn resolve_marian_dir(dir: &Path) -> Result<ResolvedModel> {
    if !dir.is_dir() {
        bail!("model directory {} does not exist", dir.display());
    }
    let Some(weights) = MARIAN_WEIGHTS.iter().find(|w| dir.join(w).is_file()) else {
        bail!(
            "model directory {} has no weights ({})",
            dir.display(),
            MARIAN_WEIGHTS.join(" or ")
        );
    };
    resolve_files(dir, MARIAN_FILES, weights.to_string())
}

/// A T5 checkpoint directory used as it is: config.json, spiece.model,
/// generation_config.json when present, and `model.safetensors` or else
/// exactly one `.gguf` file.
pub fn resolve_t5_dir(dir: &Path) -> Result<ResolvedModel> {
    if !dir.is_dir() {
        bail!("model directory {} does not exist", dir.display());
    }
    let weights = if dir.join("model.safetensors").is_file() {
        "model.safetensors".to_string()
    } else {
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
        let mut ggufs = Vec::new();
        for entry in entries {
            let name = entry
                .with_context(|| format!("cannot list {}", dir.display()))?
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".gguf") {
                ggufs.push(name);
            }
        }
        ggufs.sort();
        match ggufs.as_slice() {
            [one] => one.clone(),
            [] => bail!(
                "model directory {} has no weights (model.safetensors or a .gguf file)",
                dir.display()
            ),
            many => bail!(
                "model directory {} has {} .gguf files ({}); keep one",
                dir.display(),
                many.len(),
                many.join(", ")
            ),
        }
    };
    resolve_files(dir, T5_FILES, weights)
}

/// Hashes `required` files, the optional ones present, and `weights`.
fn resolve_files(dir: &Path, required: &[&str], weights: String) -> Result<ResolvedModel> {
    let mut wanted: Vec<String> = required.iter().map(|f| f.to_string()).collect();
    for optional in MARIAN_OPTIONAL {
        if dir.join(optional).is_file() {
            wanted.push(optional.to_string());
        }
    }
    wanted.push(weights);
    let mut dir_files = BTreeMap::new();
    let mut hashes = BTreeMap::new();
    for file in wanted {
        let path = dir.join(&file);
        if !path.is_file() {
            bail!("model directory {} has no {file}", dir.display());
        }
        hashes.insert(file.clone(), sha256_file(&path)?);
        dir_files.insert(file, path);
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".to_string());
    Ok(ResolvedModel {
        dir_files,
        fingerprint: ModelFingerprint {
            repo: format!("local/{name}"),
            name,
            revision: "local".to_string(),
            files: hashes,
        },
    })
}
