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
use crate::store::Location;

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
    /// False while the shard runs (the part is rewritten after each wave,
    /// so that an attempt killed midway tells the next one what it did).
    pub finished: bool,
    /// SHA-256 of every shard's input list (see [`inputs_digest`]).
    pub inputs_sha256: String,
    pub lines: Vec<ManifestLine>,
}

/// One digest of a run's inputs as discovery listed them (paths, not
/// bytes: every shard lists the same folder, and reading every file to
/// hash it would be the whole run's reading in each shard).
pub fn inputs_digest(files: &[Location], problems: &[(PathBuf, String)]) -> String {
    let mut listing = String::new();
    let labels = files.iter().map(Location::label);
    for path in labels.chain(problems.iter().map(|(p, _)| p.clone())) {
        listing.push_str(&path.display().to_string());
        listing.push('\n');
    }
    sha256_bytes(listing.as_bytes())
}

/// The lines of a run so far, one per input path, in path order.
#[derive(Debug, Default)]
pub(super) struct Manifest {
    lines: BTreeMap<PathBuf, ManifestLine>,
    /// Articles an earlier, unfinished attempt of the same shard
    /// translated (and the bytes it translated): a requeued shard finds
    /// their records current, and says "translated" as one uninterrupted
    /// attempt would have, not "up to date".
    earlier: BTreeMap<PathBuf, ManifestLine>,
}

impl Manifest {
    /// Picks up where an unfinished attempt of the same shard over the same
    /// inputs stopped (see `earlier`); a finished part, or one of other
    /// inputs, is a past run's and is not taken up.
    pub(super) fn resume(&mut self, part: ManifestPart, inputs_sha256: &str) {
        if part.finished || part.inputs_sha256 != inputs_sha256 {
            return;
        }
        self.earlier = part
            .lines
            .into_iter()
            .filter(|line| line.status == Status::Translated)
            .map(|line| (PathBuf::from(&line.path), line))
            .collect();
    }

    /// The articles about to be translated and written: if this attempt is
    /// killed after their records are written but before it ends, the
    /// next attempt finds them current and must still call them
    /// translated (see `earlier`). Recorded before the writes, as a write
    /// can land the instant before a kill.
    pub(super) fn about_to_translate(&mut self, articles: &[SourceArticle]) {
        for article in articles {
            self.earlier.insert(
                article.path.clone(),
                ManifestLine::for_article(article, Status::Translated),
            );
        }
    }

    /// `article` ended with `status` (anything but failed).
    pub(super) fn article(&mut self, article: &SourceArticle, status: Status) {
        let mut line = ManifestLine::for_article(article, status);
        let translated_earlier = self
            .earlier
            .get(&article.path)
            .is_some_and(|earlier| earlier.source_sha256 == line.source_sha256);
        if status == Status::UpToDate && translated_earlier {
            line.status = Status::Translated;
        }
        self.lines.insert(article.path.clone(), line);
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

    /// The shard's part of the manifest: for `merge` when `finished`,
    /// else for the next attempt (with what earlier attempts did that this
    /// one has not reached yet).
    pub(super) fn to_part(
        &self,
        shard: Shard,
        inputs_sha256: &str,
        finished: bool,
    ) -> Result<Vec<u8>> {
        let mut lines = self.earlier.clone();
        lines.extend(self.lines.iter().map(|(p, l)| (p.clone(), l.clone())));
        let part = ManifestPart {
            shard: shard.to_string(),
            finished,
            inputs_sha256: inputs_sha256.to_string(),
            lines: lines.into_values().collect(),
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
