//! Where model files come from, and proof that they are the right ones.
//!
//! `models.toml` names every model (Hugging Face repo, pinned revision, the
//! files with their SHA-256) and every profile (which models a run uses, and
//! decoding settings). [`Models`] is the way in and reads like the task:
//! `Models::open(catalog, access)?.model(name)?.resolve()?` gives a model's
//! files on disk — a local path in `models.toml`, the hf-hub cache, or a
//! download — each checked against its SHA-256 before anything reads it.
//! `--model-dir` goes around the catalog through [`resolve_marian_dir`].
//!
//! What it is not: model code. It hands paths and a [`ModelFingerprint`] to
//! the translator, which builds tensors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

mod catalog;
mod hub;
mod local_dir;
mod lock;

pub use catalog::{Catalog, ModelEntry, ModelKind, Profile, SummarizerChoice};
pub use hub::HubAccess;
pub use local_dir::{resolve_marian_dir, resolve_t5_dir};

use hub::ModelStore;
use lock::HashLock;

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

/// The model catalog, opened together with where its files are found and
/// where trust-on-first-use hashes are kept.
pub struct Models {
    catalog: Catalog,
    store: ModelStore,
    lock_path: PathBuf,
}

impl Models {
    /// Opens `explicit`, else `./models.toml`, else the catalog built into
    /// tarjama (whose hash lock then lives in the hf-hub cache).
    pub fn open(explicit: Option<&Path>, access: HubAccess) -> Result<Self> {
        let path = explicit.map(Path::to_path_buf).or_else(|| {
            let local = PathBuf::from("models.toml");
            local.is_file().then_some(local)
        });
        match path {
            Some(path) => {
                let catalog = Catalog::load(&path)?;
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                Ok(Self {
                    catalog,
                    lock_path: dir.join("models.lock.toml"),
                    store: ModelStore::new(dir, access),
                })
            }
            None => {
                let catalog =
                    toml::from_str(catalog::BUILTIN_CATALOG).context("built-in models.toml")?;
                let cache = hf_hub::Cache::from_env();
                Ok(Self {
                    catalog,
                    store: ModelStore::new(PathBuf::from("."), access),
                    lock_path: cache.path().join("tarjama-models.lock.toml"),
                })
            }
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn profile(&self, name: &str) -> Result<&Profile> {
        self.catalog.profile(name)
    }

    /// The kind of a catalogued model; `None` for a name not under [models].
    pub fn kind_of(&self, name: &str) -> Option<ModelKind> {
        self.catalog.models.get(name).map(|m| m.kind)
    }

    /// One catalogued model, ready to be resolved. Fails (a configuration
    /// error) when the hash lock cannot be read or the name is unknown, in
    /// that order; the lock is read afresh each time, so a hash recorded
    /// while resolving one model is seen by the next.
    pub fn model(&self, name: &str) -> Result<CataloguedModel<'_>> {
        let lock = HashLock::open(self.lock_path.clone())?;
        let entry = self.catalog.model(name)?;
        Ok(CataloguedModel {
            name: name.to_string(),
            entry,
            store: &self.store,
            lock,
        })
    }
}

/// A model named in the catalog, not yet looked for on disk.
pub struct CataloguedModel<'a> {
    name: String,
    entry: &'a ModelEntry,
    store: &'a ModelStore,
    lock: HashLock,
}

impl CataloguedModel<'_> {
    /// Finds (or downloads) every file and checks its SHA-256; a file whose
    /// hash is not published is recorded in the lock on first sight.
    pub fn resolve(mut self) -> Result<ResolvedModel> {
        self.store.resolve(&self.name, self.entry, &mut self.lock)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn a_catalogued_model_resolves_by_name_from_its_local_path() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("m")).unwrap();
        fs::write(dir.path().join("m/config.json"), b"{}").unwrap();
        let catalog = dir.path().join("models.toml");
        fs::write(
            &catalog,
            "[models.tiny]\nkind = \"marian\"\nrepo = \"x/y\"\nrevision = \"r\"\npath = \"m\"\nfiles = { \"config.json\" = \"\" }\n\n[profiles]\n",
        )
        .unwrap();
        let models = Models::open(Some(&catalog), HubAccess::CacheOnly).unwrap();
        assert_eq!(models.kind_of("tiny"), Some(ModelKind::Marian));
        let resolved = models.model("tiny").unwrap().resolve().unwrap();
        assert_eq!(resolved.fingerprint.name, "tiny");
        assert!(resolved.has("config.json"));
        // The unpublished hash was recorded beside the catalog.
        assert!(dir.path().join("models.lock.toml").is_file());
        let unknown = models.model("other").err().unwrap().to_string();
        assert!(unknown.contains("no model named \"other\""), "{unknown}");
    }
}
