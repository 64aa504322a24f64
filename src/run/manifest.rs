//! `manifest.jsonl`: one line per input of a run, saying what became of it
//! (translated, up to date, failed with the reason, or left for a rerun).
//!
//! What it is not: the record of an article (`crate::output::record`), or
//! where the manifest is written (`crate::output::OutputFolder`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::input::article::SourceArticle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Translated,
    UpToDate,
    Failed,
    /// Not reached before the run was stopped; a rerun does it.
    Interrupted,
}

/// One line of `manifest.jsonl`.
#[derive(Debug, Clone, Serialize)]
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
