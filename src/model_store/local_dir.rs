//! `--model-dir`: an opus-mt checkpoint folder used as it is, every file
//! hashed so records still say exactly what was used.
//!
//! What it is not: the catalog's models (`super::Models`), whose hashes are
//! pinned in `models.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Result};

use super::{ModelFingerprint, ResolvedModel};
use crate::files::sha256_file;

/// The files a Marian checkpoint directory needs. Weights come in one of
/// two formats; the first present is used.
const MARIAN_FILES: &[&str] = &["config.json", "source.spm", "target.spm", "vocab.json"];
const MARIAN_OPTIONAL: &[&str] = &["generation_config.json"];
const MARIAN_WEIGHTS: &[&str] = &["model.safetensors", "pytorch_model.bin"];

/// Uses a checkpoint directory as it is (`--model-dir`): every file is
/// hashed so records still say exactly what was used.
pub fn resolve_marian_dir(dir: &Path) -> Result<ResolvedModel> {
    if !dir.is_dir() {
        bail!("model directory {} does not exist", dir.display());
    }
    let mut wanted: Vec<&str> = MARIAN_FILES.to_vec();
    for optional in MARIAN_OPTIONAL {
        if dir.join(optional).is_file() {
            wanted.push(optional);
        }
    }
    let Some(weights) = MARIAN_WEIGHTS.iter().find(|w| dir.join(w).is_file()) else {
        bail!(
            "model directory {} has no weights ({})",
            dir.display(),
            MARIAN_WEIGHTS.join(" or ")
        );
    };
    wanted.push(weights);
    let mut dir_files = BTreeMap::new();
    let mut hashes = BTreeMap::new();
    for file in wanted {
        let path = dir.join(file);
        if !path.is_file() {
            bail!("model directory {} has no {file}", dir.display());
        }
        hashes.insert(file.to_string(), sha256_file(&path)?);
        dir_files.insert(file.to_string(), path);
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
