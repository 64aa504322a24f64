//! `manifest.jsonl`: one line per input of a run, saying what became of it
//! (translated, up to date, failed with the reason, or left for a rerun);
//! and a shard's part of it (`ManifestPart`), which `tarjama merge` joins.
//!
//! What it is not: the record of an article (`crate::output::record`), or
//! where the manifest is written (`crate::output::OutputFolder`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::Shard;
use crate::files::sha256_bytes;
use crate::input::article::SourceArticle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Translated,
    UpToDate,
    Failed,
    /// Not reached before the run was stopped; a rerun does it.
    Interrupted,
}

/// One line of `manifest.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestLine {
    pub id: String,
    pub path: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ManifestLine {
    /// The line of an article that was read (translated, up to date, or
    /// left for a rerun).
    fn for_article(article: &SourceArticle, status: Status) -> Self {
        Self {
            id: article.id.clone(),
            path: article.path.display().to_string(),
            status,
            source_sha256: Some(article.sha256.clone()),
            error: None,
        }
    }
}

/// What a shard leaves for `merge` when it ends: its lines, and which
/// inputs the whole run had, so that a part of another night's run (other
/// inputs) is not merged with tonight's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestPart {
    /// "I/N".
    pub shard: String,
    /// SHA-256 of every shard's input list (see [`inputs_digest`]).
    pub inputs_sha256: String,
    pub lines: Vec<ManifestLine>,
}

/// One digest of a run's inputs as discovery listed them (paths, not
/// bytes: every shard lists the same folder, and reading every file to
/// hash it would be the whole run's reading in each shard).
pub fn inputs_digest(files: &[PathBuf], problems: &[(PathBuf, String)]) -> String {
    let mut listing = String::new();
    for path in files.iter().chain(problems.iter().map(|(p, _)| p)) {
        listing.push_str(&path.display().to_string());
        listing.push('\n');
    }
    sha256_bytes(listing.as_bytes())
}

/// The lines of a run so far, one per input path, in path order.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    lines: BTreeMap<PathBuf, ManifestLine>,
}

impl Manifest {
    /// `article` ended with `status` (anything but failed).
    pub(super) fn article(&mut self, article: &SourceArticle, status: Status) {
        self.lines.insert(
            article.path.clone(),
            ManifestLine::for_article(article, status),
        );
    }

    /// The input at `path` failed. Returns the error cut to its first
    /// line, as the manifest holds it: candle appends a backtrace to its
    /// errors when RUST_BACKTRACE is set.
    pub(super) fn failed(&mut self, path: &Path, id: String, error: String) -> String {
        let error = error.lines().next().unwrap_or_default().to_string();
        self.lines.insert(
            path.to_path_buf(),
            ManifestLine {
                id,
                path: path.display().to_string(),
                status: Status::Failed,
                source_sha256: None,
                error: Some(error.clone()),
            },
        );
        error
    }

    /// Adds a line read back from a shard's part.
    pub(super) fn insert(&mut self, line: ManifestLine) {
        self.lines.insert(PathBuf::from(&line.path), line);
    }

    /// The shard's part of the manifest, for `merge`.
    pub(super) fn to_part(&self, shard: Shard, inputs_sha256: String) -> Result<Vec<u8>> {
        let part = ManifestPart {
            shard: shard.to_string(),
            inputs_sha256,
            lines: self.lines.values().cloned().collect(),
        };
        let mut bytes =
            serde_json::to_vec_pretty(&part).context("cannot serialize manifest part")?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// The whole file: one JSON object per line.
    pub(super) fn to_jsonl(&self) -> Result<String> {
        let mut lines = String::new();
        for line in self.lines.values() {
            lines.push_str(&serde_json::to_string(line).context("cannot serialize manifest line")?);
            lines.push('\n');
        }
        Ok(lines)
    }
}
