//! Finding a catalogued model's files — a local `path` from `models.toml`,
//! the hf-hub cache, or a download — and checking each file's SHA-256
//! before anything reads it.
//!
//! What it is not: the catalog (`super::catalog`) or the public way in
//! (`super::Models`, which hands out one model at a time).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::catalog::ModelEntry;
use super::lock::HashLock;
use super::{ModelFingerprint, ResolvedModel};
use crate::files::sha256_file;

/// Whether files missing from the cache may be downloaded.
///
/// hf-hub 0.4 has no offline switch of its own, so the store checks the
/// cache first and stops there when downloads are not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubAccess {
    /// Download what the cache lacks.
    Download,
    /// Never download (`HF_HUB_OFFLINE`, `tarjama models verify`).
    CacheOnly,
}

/// Where to look for and how to fetch files of catalogued models.
pub(super) struct ModelStore {
    catalog_dir: PathBuf,
    access: HubAccess,
}

impl ModelStore {
    /// `catalog_dir` is where `models.toml` lives (relative `path`s in it are
    /// taken from there). The cache location follows `HF_HOME`, through hf-hub.
    pub(super) fn new(catalog_dir: PathBuf, access: HubAccess) -> Self {
        Self {
            catalog_dir,
            access,
        }
    }

    /// Finds (or downloads) every file of a catalogued model and checks it.
    pub(super) fn resolve(
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
                lock.get(&key).cloned()
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
            let fetch = if entry.pypi.is_some() {
                format!("; run scripts/fetch-demo-model.sh {name}")
            } else {
                String::new()
            };
            bail!(
                "{} is missing (model {name} is set to the local directory {}){fetch}",
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
        if self.access == HubAccess::CacheOnly {
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
    use crate::model_store::catalog::PypiSource;
    use crate::model_store::ModelKind;
    use std::fs;

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
            pypi: None,
        };
        let mut lock = HashLock::open(dir.path().join("lock.toml")).unwrap();
        let err = ModelStore::new(PathBuf::from("."), HubAccess::Download)
            .resolve("m", &entry, &mut lock)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("config.json") && err.contains("expects"),
            "{err}"
        );
    }

    /// A model from PyPI that is not in place says which command fetches it.
    #[test]
    fn a_missing_pypi_model_names_the_fetch_command() {
        let dir = tempfile::tempdir().unwrap();
        let entry = ModelEntry {
            kind: ModelKind::Gguf,
            repo: "pypi/some-model".into(),
            revision: "1.0.0".into(),
            path: Some(dir.path().join("m")),
            files: BTreeMap::from([("m.gguf".to_string(), "00".repeat(32))]),
            note: None,
            pypi: Some(PypiSource {
                package: "some-model".into(),
                version: "1.0.0".into(),
                parts: 1,
                member: "some_model/m.gguf".into(),
            }),
        };
        let mut lock = HashLock::open(dir.path().join("lock.toml")).unwrap();
        let err = ModelStore::new(PathBuf::from("."), HubAccess::CacheOnly)
            .resolve("some-model", &entry, &mut lock)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("m.gguf is missing")
                && err.contains("run scripts/fetch-demo-model.sh some-model"),
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
            pypi: None,
        };
        let lock_path = dir.path().join("models.lock.toml");
        let store = ModelStore::new(PathBuf::from("."), HubAccess::Download);
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
