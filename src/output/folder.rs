//! The output folder: the one place that knows which files a run and a
//! brief leave there and what they are called.
//!
//! ```text
//! <id>.json            the record of truth for one article (`record`)
//! <id>.md              its readable twin, written just before it
//! manifest.jsonl       one line per input of the last run
//! brief.md, brief.html the brief (`crate::brief`)
//! <id>.html            an article's reading page ("brief.article.html"
//!                      for an article called "brief")
//! .brief-summaries.cache  model merges the brief keeps between runs
//! .tarjama.lock        one writer at a time (`lock`)
//! shards/part-I-of-N.json  a shard's part of the manifest, for `merge`
//! shards/.lock-I-of-N  one writer per shard
//! .tarjama-*.tmp       a write a killed process never finished
//! ```
//!
//! Callers name what they want (a record, the manifest, the brief) and
//! [`OutputFolder`] answers with paths or does the operation, so an output
//! folder elsewhere than on a local disk changes this type, not its callers.
//! What it is not: the formats of those files (`record`, `crate::brief`,
//! `crate::run`'s manifest lines) or how a write is made whole
//! (`crate::files::write_atomic`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::files::{is_temp_file_name, write_atomic};
use crate::output::lock::{self, OutputLock, WhenLocked};
use crate::output::record::Record;

const RECORD_EXTENSION: &str = "json";
const MARKDOWN_EXTENSION: &str = "md";
const PAGE_SUFFIX: &str = ".html";
const MANIFEST: &str = "manifest.jsonl";
const BRIEF_MARKDOWN: &str = "brief.md";
const BRIEF_HTML: &str = "brief.html";
/// The page of an article whose id is "brief": `brief.html` is taken.
const BRIEF_ARTICLE_PAGE: &str = "brief.article.html";
const SUMMARY_CACHE: &str = ".brief-summaries.cache";
const LOCK_FILE: &str = ".tarjama.lock";
/// Shards' files, kept apart so that everything else in the folder is the
/// same as after one run on one machine.
const SHARDS_DIR: &str = "shards";
const PART_PREFIX: &str = "part-";
const PART_SUFFIX: &str = ".json";
const SHARD_LOCK_PREFIX: &str = ".lock-";

/// An output folder, by its path as the user gave it (messages show it so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFolder {
    dir: PathBuf,
}

impl OutputFolder {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Creates the folder (and its parents) when missing.
    pub fn create(&self) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("cannot create output directory {}", self.dir.display()))
    }

    /// Takes the folder's lock for as long as the value lives, or fails /
    /// waits as `when_locked` says.
    pub fn lock(&self, when_locked: WhenLocked) -> Result<OutputLock> {
        lock::acquire(&self.lock_path(), &self.dir, when_locked)
    }

    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(LOCK_FILE)
    }

    /// Takes the lock of one shard (`label`: "1-of-3"): shards of one run
    /// write side by side, and only a second copy of the same shard is
    /// kept out.
    pub fn lock_shard(&self, label: &str, when_locked: WhenLocked) -> Result<OutputLock> {
        let dir = self.shards_dir();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(format!("{SHARD_LOCK_PREFIX}{label}"));
        lock::acquire(&path, &self.dir, when_locked)
    }

    fn shards_dir(&self) -> PathBuf {
        self.dir.join(SHARDS_DIR)
    }

    fn manifest_part_path(&self, label: &str) -> PathBuf {
        self.shards_dir()
            .join(format!("{PART_PREFIX}{label}{PART_SUFFIX}"))
    }

    /// A shard's part of the manifest, if it has one.
    pub fn manifest_part(&self, label: &str) -> Result<Option<Vec<u8>>> {
        let path = self.manifest_part_path(label);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Replaces a shard's part of the manifest whole.
    pub fn write_manifest_part(&self, label: &str, bytes: &[u8]) -> Result<()> {
        write_atomic(&self.manifest_part_path(label), bytes)
    }

    /// The shards' manifest parts, by label ("1-of-3"), sorted.
    pub fn manifest_parts(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let dir = self.shards_dir();
        if !dir.exists() {
            return Ok(Vec::new());
        }
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
        let mut parts = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(label) = part_label(&name) else {
                continue;
            };
            let bytes = std::fs::read(entry.path())
                .with_context(|| format!("cannot read {}", entry.path().display()))?;
            parts.push((label.to_string(), bytes));
        }
        parts.sort();
        Ok(parts)
    }

    /// Removes every manifest part but those of a run split in `count`,
    /// and of those the part of shard `index`: what a starting shard does,
    /// so that only parts of shards that finished this split are left.
    pub fn remove_manifest_parts_but(&self, count: usize, index: usize) -> Result<()> {
        let own = format!("{index}-of-{count}");
        for (label, _) in self.manifest_parts()? {
            let same_split = label
                .split_once("-of-")
                .is_some_and(|(_, n)| n == count.to_string());
            if label == own || !same_split {
                let path = self.manifest_part_path(&label);
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
        Ok(())
    }

    /// How messages name a shard's part ("shards/part-1-of-3.json").
    pub fn manifest_part_name(label: &str) -> String {
        format!("{SHARDS_DIR}/{PART_PREFIX}{label}{PART_SUFFIX}")
    }

    /// `<id>.json`, the record of truth.
    pub fn record_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.{RECORD_EXTENSION}"))
    }

    /// `<id>.md`, the record's readable twin.
    pub fn markdown_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.{MARKDOWN_EXTENSION}"))
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.dir.join(MANIFEST)
    }

    pub fn brief_markdown_path(&self) -> PathBuf {
        self.dir.join(BRIEF_MARKDOWN)
    }

    pub fn brief_html_path(&self) -> PathBuf {
        self.dir.join(BRIEF_HTML)
    }

    /// Where the brief keeps the model merges it made.
    pub fn summary_cache_path(&self) -> PathBuf {
        self.dir.join(SUMMARY_CACHE)
    }

    /// The file name of an article's reading page, as links name it. An
    /// article called "brief" would overwrite the brief itself, so it gets
    /// another name.
    pub fn article_page_name(id: &str) -> String {
        if id == "brief" {
            BRIEF_ARTICLE_PAGE.to_string()
        } else {
            format!("{id}{PAGE_SUFFIX}")
        }
    }

    /// The file name of the brief's page, beside the article pages.
    pub fn brief_page_name() -> &'static str {
        BRIEF_HTML
    }

    pub fn article_page_path(&self, id: &str) -> PathBuf {
        self.dir.join(Self::article_page_name(id))
    }

    /// Record files: every `*.json` in the folder (the manifest is
    /// `.jsonl`), sorted by path.
    pub fn record_files(&self) -> Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = self
            .entries()?
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == RECORD_EXTENSION))
            .collect();
        files.sort();
        Ok(files)
    }

    /// Every regular file whose name ends in `.html` (the brief's pages
    /// and any other HTML put there), sorted by path.
    pub fn page_files(&self) -> Result<Vec<PathBuf>> {
        let mut files: Vec<PathBuf> = self
            .entries()?
            .filter(|e| e.file_name().to_string_lossy().ends_with(PAGE_SUFFIX))
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        Ok(files)
    }

    fn entries(&self) -> Result<impl Iterator<Item = std::fs::DirEntry>> {
        let entries = std::fs::read_dir(&self.dir)
            .with_context(|| format!("cannot list {}", self.dir.display()))?;
        Ok(entries.flatten())
    }

    /// Removes temp files of writes a killed process never finished (see
    /// `files::write_atomic`). Only call it while holding the lock: another
    /// run's temp files are writes in progress.
    pub fn remove_stale_temp_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if is_temp_file_name(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// The record of `id`, as it is on disk (not checked: see
    /// `Record::is_intact`).
    pub fn read_record(&self, id: &str) -> Result<Record> {
        Record::read(&self.record_path(id))
    }

    /// The folder's intact records, sorted by id, and one line for each
    /// record file that cannot be used (unreadable, not a record, or its
    /// hash does not match its content).
    pub fn read_intact_records(&self) -> Result<(Vec<Record>, Vec<String>)> {
        let mut records = Vec::new();
        let mut unusable = Vec::new();
        for path in self.record_files()? {
            match Record::read(&path) {
                Ok(record) if record.is_intact() => records.push(record),
                Ok(_) => unusable.push(format!(
                    "{}: record hash does not match its content",
                    path.display()
                )),
                Err(e) => unusable.push(
                    format!("{e:#}")
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                ),
            }
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        Ok((records, unusable))
    }

    /// Whether `<id>.md` is there beside the record.
    pub fn has_markdown(&self, id: &str) -> bool {
        self.markdown_path(id).is_file()
    }

    /// Writes `<id>.md` then `<id>.json`, each atomically. The JSON is the
    /// record of truth; it goes last so a crash in between leaves the
    /// article looking not done, and a rerun redoes it.
    pub fn write_record(&self, record: &Record) -> Result<()> {
        let json = self.record_path(&record.id);
        let markdown = self.markdown_path(&record.id);
        write_atomic(&markdown, record.to_markdown().as_bytes())?;
        if let Err(e) = write_atomic(&json, &record.to_json()?) {
            // The new .md must not sit beside an older .json (a --force rerun
            // on a full disk): without its .md the article is not current, so
            // a rerun redoes both.
            let _ = std::fs::remove_file(&markdown);
            return Err(e);
        }
        Ok(())
    }

    /// Replaces `manifest.jsonl` whole.
    pub fn write_manifest(&self, lines: &str) -> Result<()> {
        write_atomic(&self.manifest_path(), lines.as_bytes())
    }
}

/// "1-of-3" from "part-1-of-3.json".
fn part_label(file_name: &str) -> Option<&str> {
    file_name
        .strip_prefix(PART_PREFIX)?
        .strip_suffix(PART_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_called_brief_does_not_overwrite_the_brief() {
        assert_eq!(
            OutputFolder::article_page_name("brief"),
            "brief.article.html"
        );
        assert_eq!(OutputFolder::article_page_name("001_x"), "001_x.html");
        assert_eq!(OutputFolder::brief_page_name(), "brief.html");
    }

    #[test]
    fn records_are_the_json_files_sorted_and_pages_the_html_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.json",
            "a.json",
            "a.md",
            "manifest.jsonl",
            "brief.html",
            "a.html",
            ".tarjama.lock",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        // A folder named like a page is not one.
        std::fs::create_dir(dir.path().join("d.html")).unwrap();
        let folder = OutputFolder::new(dir.path());
        assert_eq!(
            folder.record_files().unwrap(),
            vec![dir.path().join("a.json"), dir.path().join("b.json")]
        );
        assert_eq!(
            folder.page_files().unwrap(),
            vec![dir.path().join("a.html"), dir.path().join("brief.html")]
        );
    }

    #[test]
    fn a_missing_folder_cannot_be_listed_and_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::new(dir.path().join("gone"));
        let err = folder.record_files().unwrap_err().to_string();
        assert_eq!(err, format!("cannot list {}", folder.dir().display()));
    }

    #[test]
    fn stale_temp_files_go_and_everything_else_stays() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::new(dir.path());
        write_atomic(&folder.manifest_path(), b"{}\n").unwrap();
        std::fs::write(dir.path().join(".tarjama-abc123.tmp"), b"half").unwrap();
        std::fs::write(folder.lock_path(), b"pid 1").unwrap();
        folder.remove_stale_temp_files();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".tarjama.lock", "manifest.jsonl"]);
    }
}
