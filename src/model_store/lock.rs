//! Trust-on-first-use hashes for files whose SHA-256 is not published:
//! `models.lock.toml` beside `models.toml`, mapping "repo@revision/file"
//! to the hash seen on first fetch.
//!
//! What it is not: the check itself (`super::hub::ModelStore::resolve`
//! compares and asks this file only when the catalog has no hash).

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::catalog::ModelEntry;

pub(super) struct HashLock {
    path: PathBuf,
    entries: BTreeMap<String, String>,
}

impl HashLock {
    pub(super) fn open(path: PathBuf) -> Result<Self> {
        let entries = if path.exists() {
            let text = fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("{} is damaged", path.display()))?
        } else {
            BTreeMap::new()
        };
        Ok(Self { path, entries })
    }

    pub(super) fn key(entry: &ModelEntry, file: &str) -> String {
        format!("{}@{}/{}", entry.repo, entry.revision, file)
    }

    pub(super) fn get(&self, key: &str) -> Option<&String> {
        self.entries.get(key)
    }

    pub(super) fn record(&mut self, key: String, hash: String) -> Result<()> {
        self.entries.insert(key, hash);
        let text = toml::to_string(&self.entries).context("cannot serialize the hash lock")?;
        crate::files::write_atomic(&self.path, text.as_bytes())
    }
}
