//! Where model files come from, and proof that they are the right ones.
//!
//! `models.toml` names every model (Hugging Face repo, pinned revision, the
//! files with their SHA-256) and every profile (which models a run uses, and
//! decoding settings). This module resolves a model to files on disk —
//! `--model-dir`, a local path in `models.toml`, the hf-hub cache, or a
//! download — and checks each file's SHA-256 before anything reads it.
//!
//! What it is not: model code. It hands paths and a [`ModelFingerprint`] to
//! the translator, which builds tensors.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::files::sha256_file;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// The parsed `models.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub models: BTreeMap<String, ModelEntry>,
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// An opus-mt encoder-decoder in Hugging Face layout.
    Marian,
    /// A single GGUF language model file.
    Gguf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub kind: ModelKind,
    pub repo: String,
    /// A commit id, so a model cannot change under a pinned profile.
    pub revision: String,
    /// A local directory holding the files (takes the place of the hub).
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// File name → SHA-256 (hex). An empty string means "not published":
    /// the hash is recorded in the lock file on first fetch and checked from
    /// then on.
    pub files: BTreeMap<String, String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub description: String,
    pub translator: String,
    #[serde(default)]
    pub beams: Option<usize>,
    #[serde(default)]
    pub max_length: Option<usize>,
    #[serde(default)]
    pub length_penalty: Option<f64>,
    /// "extractive" (the default), "none", or a GGUF model under [models].
    #[serde(default)]
    pub summarizer: Option<String>,
    #[serde(default)]
    pub summary_words: Option<usize>,
}

impl Catalog {
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let catalog: Catalog = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid model catalog", path.display()))?;
        for (name, profile) in &catalog.profiles {
            if let Some(summarizer) = &profile.summarizer {
                let is_model = catalog
                    .models
                    .get(summarizer)
                    .is_some_and(|m| m.kind == ModelKind::Gguf);
                if !is_model && summarizer != "extractive" && summarizer != "none" {
                    bail!(
                        "{}: profile {name} names summarizer {summarizer}, which is neither \"extractive\", \"none\" nor a GGUF model under [models]",
                        path.display()
                    );
                }
            }
            if !catalog.models.contains_key(&profile.translator) {
                bail!(
                    "{}: profile {name} names translator {}, which is not under [models]",
                    path.display(),
                    profile.translator
                );
            }
        }
        Ok(catalog)
    }

    pub fn profile(&self, name: &str) -> Result<&Profile> {
        self.profiles.get(name).with_context(|| {
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            format!("no profile named {name:?} (known: {})", known.join(", "))
        })
    }

    pub fn model(&self, name: &str) -> Result<&ModelEntry> {
        self.models
            .get(name)
            .with_context(|| format!("no model named {name:?} in models.toml"))
    }
}

/// Exactly which model produced an output: enough to fetch the same bytes
/// again and to notice when they change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelFingerprint {
    pub name: String,
    pub repo: String,
    pub revision: String,
    /// File name → SHA-256 of the bytes that were loaded.
    pub files: BTreeMap<String, String>,
}

/// A model's files on disk, checked.
#[derive(Debug, Clone)]
pub struct ResolvedModel {
    pub dir_files: BTreeMap<String, PathBuf>,
    pub fingerprint: ModelFingerprint,
}

impl ResolvedModel {
    pub fn path(&self, file: &str) -> Result<&Path> {
        self.dir_files
            .get(file)
            .map(PathBuf::as_path)
            .with_context(|| format!("model {} has no file {file}", self.fingerprint.name))
    }

    pub fn has(&self, file: &str) -> bool {
        self.dir_files.contains_key(file)
    }

    /// The `.gguf` file of a GGUF model.
    pub fn gguf_path(&self) -> Result<&Path> {
        self.dir_files
            .iter()
            .find(|(name, _)| name.ends_with(".gguf"))
            .map(|(_, path)| path.as_path())
            .with_context(|| format!("model {} lists no .gguf file", self.fingerprint.name))
    }
}

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

/// Trust-on-first-use hashes for files whose SHA-256 is not published:
/// `models.lock.toml` beside `models.toml`, mapping "repo@revision/file"
/// to the hash seen on first fetch.
pub struct HashLock {
    path: PathBuf,
    entries: BTreeMap<String, String>,
}

impl HashLock {
    pub fn open(path: PathBuf) -> Result<Self> {
        let entries = if path.exists() {
            let text = fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("{} is damaged", path.display()))?
        } else {
            BTreeMap::new()
        };
        Ok(Self { path, entries })
    }

    fn key(entry: &ModelEntry, file: &str) -> String {
        format!("{}@{}/{}", entry.repo, entry.revision, file)
    }

    fn record(&mut self, key: String, hash: String) -> Result<()> {
        self.entries.insert(key, hash);
        let text = toml::to_string(&self.entries).context("cannot serialize the hash lock")?;
        crate::files::write_atomic(&self.path, text.as_bytes())
    }
}

/// Where to look for and how to fetch files of catalogued models.
pub struct ModelStore {
    catalog_dir: PathBuf,
    offline: bool,
}

impl ModelStore {
    /// `catalog_dir` is where `models.toml` lives (relative `path`s in it are
    /// taken from there). Honours `HF_HUB_OFFLINE=1` (never download) and
    /// `HF_HOME` (cache location, through hf-hub).
    pub fn new(catalog_dir: PathBuf) -> Self {
        let offline = std::env::var("HF_HUB_OFFLINE")
            .is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
        Self {
            catalog_dir,
            offline,
        }
    }

    /// Finds (or downloads) every file of a catalogued model and checks it.
    pub fn resolve(
        &self,
        name: &str,
        entry: &ModelEntry,
        lock: &mut HashLock,
    ) -> Result<ResolvedModel> {
        let mut dir_files = BTreeMap::new();
        let mut hashes = BTreeMap::new();
        for (file, expected) in &entry.files {
            let path = self.locate(name, entry, file)?;
            let actual = sha256_file(&path)?;
            let key = HashLock::key(entry, file);
            let expected = if expected.is_empty() {
                lock.entries.get(&key).cloned()
            } else {
                Some(expected.clone())
            };
            match expected {
                Some(expected) if expected != actual => bail!(
                    "{} has SHA-256 {actual}, but {name} expects {expected}: the file is damaged or not the pinned one; delete it and run `tarjama models fetch {name}`",
                    path.display()
                ),
                Some(_) => {}
                None => lock.record(key, actual.clone())?,
            }
            hashes.insert(file.clone(), actual);
            dir_files.insert(file.clone(), path);
        }
        Ok(ResolvedModel {
            dir_files,
            fingerprint: ModelFingerprint {
                name: name.to_string(),
                repo: entry.repo.clone(),
                revision: entry.revision.clone(),
                files: hashes,
            },
        })
    }

    fn locate(&self, name: &str, entry: &ModelEntry, file: &str) -> Result<PathBuf> {
        if let Some(dir) = &entry.path {
            let dir = self.catalog_dir.join(dir);
            let path = dir.join(file);
            if path.is_file() {
                return Ok(path);
            }
            bail!(
                "{} is missing (model {name} is set to the local directory {})",
                path.display(),
                dir.display()
            );
        }
        let repo = hf_hub::Repo::with_revision(
            entry.repo.clone(),
            hf_hub::RepoType::Model,
            entry.revision.clone(),
        );
        if let Some(path) = hf_hub::Cache::from_env().repo(repo.clone()).get(file) {
            return Ok(path);
        }
        if self.offline {
            bail!(
                "{file} of {} (revision {}) is not in the Hugging Face cache and HF_HUB_OFFLINE is set; run `tarjama models fetch {name}` where the hub is reachable, or pass --model-dir",
                entry.repo,
                entry.revision
            );
        }
        let api = hf_hub::api::sync::ApiBuilder::from_env()
            .with_progress(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .build()
            .context("cannot set up the Hugging Face client")?;
        // hf-hub's error chain repeats the URL at every level; one line is
        // enough to say what failed.
        api.repo(repo).get(file).map_err(|e| {
            anyhow::anyhow!(
                "cannot download {file} of {} at revision {} ({e}); check the network, or fetch it elsewhere and pass --model-dir",
                entry.repo,
                entry.revision
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalog_parses_and_profiles_point_at_models() {
        let catalog =
            Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models.toml")).unwrap();
        for name in ["default", "fast"] {
            let profile = catalog.profile(name).unwrap();
            let model = catalog.model(&profile.translator).unwrap();
            assert_eq!(model.kind, ModelKind::Marian);
            assert_eq!(
                model.revision.len(),
                40,
                "{name}: revision must be a full commit id"
            );
        }
        assert_eq!(
            catalog.profile("default").unwrap().translator,
            "opus-mt-tc-big-ar-en"
        );
        assert_eq!(catalog.profile("fast").unwrap().translator, "opus-mt-ar-en");
    }

    #[test]
    fn a_wrong_hash_is_refused_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("config.json"), b"{}").unwrap();
        let entry = ModelEntry {
            kind: ModelKind::Marian,
            repo: "x/y".into(),
            revision: "0".repeat(40),
            path: Some(dir.path().to_path_buf()),
            files: BTreeMap::from([("config.json".to_string(), "00".repeat(32))]),
            note: None,
        };
        let mut lock = HashLock::open(dir.path().join("lock.toml")).unwrap();
        let err = ModelStore::new(PathBuf::from("."))
            .resolve("m", &entry, &mut lock)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("config.json") && err.contains("expects"),
            "{err}"
        );
    }

    #[test]
    fn unpublished_hashes_are_recorded_then_enforced() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("vocab.json");
        fs::write(&file, b"{\"a\": 1}").unwrap();
        let entry = ModelEntry {
            kind: ModelKind::Marian,
            repo: "x/y".into(),
            revision: "0".repeat(40),
            path: Some(dir.path().to_path_buf()),
            files: BTreeMap::from([("vocab.json".to_string(), String::new())]),
            note: None,
        };
        let lock_path = dir.path().join("models.lock.toml");
        let store = ModelStore::new(PathBuf::from("."));
        store
            .resolve("m", &entry, &mut HashLock::open(lock_path.clone()).unwrap())
            .unwrap();
        fs::write(&file, b"{\"a\": 2}").unwrap();
        let err = store
            .resolve("m", &entry, &mut HashLock::open(lock_path).unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("vocab.json"), "{err}");
    }
}
