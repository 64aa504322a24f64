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
//! .tarjama.lock        one writer at a time (`lock`), in a local folder
//! shards/lease-<label>.json  the writer of one shard ("1-of-3"), or of a
//!                      whole run in an object store ("all") (`lease`)
//! shards/part-I-of-N.json  a shard's part of the manifest, for `merge`
//! .tarjama-*.tmp       a write a killed process never finished
//! ```
//!
//! Callers name what they want (a record, the manifest, the brief) and
//! [`OutputFolder`] does the operation, over a `crate::store::Location`:
//! a local folder or a prefix in an object store (`s3://bucket/out`), the
//! same code for both.
//! What it is not: the formats of those files (`record`, `crate::brief`,
//! `crate::run`'s manifest lines) or how a write is made whole
//! (`crate::store`).

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::files::is_temp_file_name;
use crate::output::lease::Lease;
use crate::output::lock::{self, OutputLock, WhenLocked};
use crate::output::record::Record;
use crate::store::Location;

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
/// Where the shards of a split run keep their leases and manifest parts,
/// apart, so that everything else is the same as after one run.
const SHARDS: &str = "shards";
const PART_PREFIX: &str = "part-";
const PART_SUFFIX: &str = ".json";
/// The lease label of a run that is not split, in an object store.
const WHOLE_RUN: &str = "all";

/// What keeps other writers out of the folder while it lives.
pub enum Held {
    Lock(OutputLock),
    Lease(Lease),
}

/// An output folder: a local path as the user gave it (messages show it
/// so), or a prefix in an object store.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFolder {
    location: Location,
}

impl OutputFolder {
    /// A local folder.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self::at(Location::local(dir))
    }

    /// A local folder or a prefix in an object store.
    pub fn at(location: Location) -> Self {
        Self { location }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Whether the folder is in an object store (no OS lock, no temp
    /// files; see `lease`).
    pub fn is_store(&self) -> bool {
        self.location.as_local().is_none()
    }

    /// Creates the folder (and its parents) when missing.
    pub fn create(&self) -> Result<()> {
        self.location.create_folder()
    }

    /// Keeps other runs out for as long as the value lives: a local
    /// folder's OS lock (fails or waits as `when_locked` says), or, in an
    /// object store, which has no lock, the lease of the whole run (taken
    /// over from any holder, as a shard's is).
    pub fn lock(&self, when_locked: WhenLocked) -> Result<Held> {
        match self.location.as_local() {
            Some(dir) => Ok(Held::Lock(lock::acquire(
                &dir.join(LOCK_FILE),
                dir,
                when_locked,
            )?)),
            None => Ok(Held::Lease(self.lease(WHOLE_RUN)?)),
        }
    }

    /// Takes the lease of the shard `label` (e.g. `1-of-3`), taking it over
    /// from any holder before (see `lease`); held until released or
    /// dropped.
    pub fn lease(&self, label: &str) -> Result<Lease> {
        self.create_shards_folder()?;
        Lease::take(self.shard_object(&format!("lease-{label}.json")), label)
    }

    fn part_object_name(label: &str) -> String {
        format!("{PART_PREFIX}{label}{PART_SUFFIX}")
    }

    /// How messages name a shard's part ("shards/part-1-of-3.json").
    pub fn manifest_part_name(label: &str) -> String {
        format!("{SHARDS}/{}", Self::part_object_name(label))
    }

    /// A shard's part of the manifest, if it has one.
    pub fn manifest_part(&self, label: &str) -> Result<Option<Vec<u8>>> {
        self.read_shard_object(&Self::part_object_name(label))
    }

    /// Replaces a shard's part of the manifest whole.
    pub fn write_manifest_part(&self, label: &str, bytes: &[u8]) -> Result<()> {
        self.write_shard_object(&Self::part_object_name(label), bytes)
    }

    /// The shards' manifest parts, by label ("1-of-3"), sorted.
    pub fn manifest_parts(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut parts = Vec::new();
        for name in self.list_shard_objects()? {
            let Some(label) = part_label(&name) else {
                continue;
            };
            // Gone since the listing: another shard's start removed it.
            if let Some(bytes) = self.read_shard_object(&name)? {
                parts.push((label.to_string(), bytes));
            }
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
                self.remove_shard_object(&Self::part_object_name(&label))?;
            }
        }
        Ok(())
    }

    /// The object or file `shards/<name>`.
    fn shard_object(&self, name: &str) -> Location {
        self.location.join(SHARDS).join(name)
    }

    /// Writes `shards/<name>` whole.
    pub fn write_shard_object(&self, name: &str, bytes: &[u8]) -> Result<()> {
        self.create_shards_folder()?;
        self.shard_object(name).write(bytes)
    }

    /// `shards/` in a local folder (a store needs no folders).
    fn create_shards_folder(&self) -> Result<()> {
        if let Some(dir) = self.location.as_local() {
            let shards = dir.join(SHARDS);
            std::fs::create_dir_all(&shards)
                .with_context(|| format!("cannot create {}", shards.display()))?;
        }
        Ok(())
    }

    /// `shards/<name>`, `None` when it is not there.
    pub fn read_shard_object(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.shard_object(name).read()
    }

    /// The names in `shards/` (empty when there is none), sorted.
    pub fn list_shard_objects(&self) -> Result<Vec<String>> {
        let shards = self.location.join(SHARDS);
        match shards.as_local() {
            Some(dir) if !dir.is_dir() => Ok(Vec::new()),
            _ => shards.list(),
        }
    }

    /// Removes `shards/<name>` (one not there is fine).
    pub fn remove_shard_object(&self, name: &str) -> Result<()> {
        self.shard_object(name).delete()
    }

    /// Where `<id>.json` is, as messages name it.
    pub fn record_location(&self, id: &str) -> Location {
        self.location.join(&format!("{id}.{RECORD_EXTENSION}"))
    }

    fn markdown_location(&self, id: &str) -> Location {
        self.location.join(&format!("{id}.{MARKDOWN_EXTENSION}"))
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

    /// Where `brief.html` is, for the report line.
    pub fn brief_html_location(&self) -> Location {
        self.location.join(BRIEF_HTML)
    }

    /// Record names: every `*.json` in the folder (the manifest is
    /// `.jsonl`), sorted.
    fn record_names(&self) -> Result<Vec<String>> {
        let suffix = format!(".{RECORD_EXTENSION}");
        Ok(self
            .location
            .list()?
            .into_iter()
            .filter(|name| name.ends_with(&suffix) && name.len() > suffix.len())
            .collect())
    }

    /// The record files or objects, sorted by name.
    pub fn record_locations(&self) -> Result<Vec<Location>> {
        Ok(self
            .record_names()?
            .iter()
            .map(|name| self.location.join(name))
            .collect())
    }

    /// The names of every file or object whose name ends in `.html` (the
    /// brief's pages and any other HTML put there), sorted.
    pub fn page_names(&self) -> Result<Vec<String>> {
        Ok(self
            .location
            .list()?
            .into_iter()
            .filter(|name| name.ends_with(PAGE_SUFFIX))
            .collect())
    }

    /// The page `name` (one of [`OutputFolder::page_names`]), `None` when
    /// it is gone.
    pub fn read_page(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.location.join(name).read()
    }

    /// Removes the page `name`.
    pub fn remove_page(&self, name: &str) -> Result<()> {
        self.location.join(name).delete()
    }

    /// Writes one article's reading page.
    pub fn write_article_page(&self, id: &str, html: &str) -> Result<()> {
        self.location
            .join(&Self::article_page_name(id))
            .write(html.as_bytes())
    }

    /// Writes `brief.md` and then `brief.html`.
    pub fn write_brief_pages(&self, markdown: &str, html: &str) -> Result<()> {
        self.location
            .join(BRIEF_MARKDOWN)
            .write(markdown.as_bytes())?;
        self.location.join(BRIEF_HTML).write(html.as_bytes())
    }

    /// The model-merge cache's bytes, `None` when there is none or it
    /// cannot be read (the brief treats both as an empty cache).
    pub fn read_summary_cache(&self) -> Option<Vec<u8>> {
        self.location.join(SUMMARY_CACHE).read().ok().flatten()
    }

    /// Writes the model-merge cache; `None` (an empty cache) removes it.
    pub fn write_summary_cache(&self, bytes: Option<&[u8]>) -> Result<()> {
        let cache = self.location.join(SUMMARY_CACHE);
        match bytes {
            Some(bytes) => cache.write(bytes),
            None => cache.delete(),
        }
    }

    /// Removes temp files of writes a killed process never finished (see
    /// `files::write_atomic`). Only call it while holding the lock: another
    /// run's temp files are writes in progress. A store has none (a PUT is
    /// whole or absent).
    pub fn remove_stale_temp_files(&self) {
        let Some(dir) = self.location.as_local() else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            if is_temp_file_name(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// The record of `id`, as it is stored (not checked: see
    /// `Record::is_intact`).
    pub fn read_record(&self, id: &str) -> Result<Record> {
        read_record_at(&self.record_location(id))
    }

    /// The folder's intact records, sorted by id, and one line for each
    /// record file that cannot be used (unreadable, not a record, or its
    /// hash does not match its content).
    pub fn read_intact_records(&self) -> Result<(Vec<Record>, Vec<String>)> {
        let mut records = Vec::new();
        let mut unusable = Vec::new();
        for location in self.record_locations()? {
            match read_record_at(&location) {
                Ok(record) if record.is_intact() => records.push(record),
                Ok(_) => unusable.push(format!(
                    "{location}: record hash does not match its content"
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
        self.markdown_location(id).exists().unwrap_or(false)
    }

    /// Writes `<id>.md` then `<id>.json`, each whole. The JSON is the
    /// record of truth; it goes last so a crash in between leaves the
    /// article looking not done, and a rerun redoes it.
    pub fn write_record(&self, record: &Record) -> Result<()> {
        let json = self.record_location(&record.id);
        let markdown = self.markdown_location(&record.id);
        markdown.write(record.to_markdown().as_bytes())?;
        if let Err(e) = json.write(&record.to_json()?) {
            // The new .md must not sit beside an older .json (a --force rerun
            // on a full disk): without its .md the article is not current, so
            // a rerun redoes both.
            let _ = markdown.delete();
            return Err(e);
        }
        Ok(())
    }

    /// Replaces `manifest.jsonl` whole.
    pub fn write_manifest(&self, lines: &str) -> Result<()> {
        self.location.join(MANIFEST).write(lines.as_bytes())
    }
}

/// The record in the file or object `location`.
pub fn read_record_at(location: &Location) -> Result<Record> {
    match location.as_local() {
        // As before: "cannot read <path>: <io error>" for a missing file too.
        Some(path) => Record::read(path),
        None => {
            let bytes = location
                .read()?
                .with_context(|| format!("cannot read {location}: it is gone"))?;
            Record::from_slice(&location.to_string(), &bytes)
        }
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
        let shown: Vec<String> = folder
            .record_locations()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        let path = |name: &str| dir.path().join(name).display().to_string();
        assert_eq!(shown, [path("a.json"), path("b.json")]);
        assert_eq!(folder.page_names().unwrap(), ["a.html", "brief.html"]);
    }

    #[test]
    fn a_missing_folder_cannot_be_listed_and_says_which() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::new(dir.path().join("gone"));
        let err = folder.record_locations().unwrap_err().to_string();
        assert_eq!(err, format!("cannot list {}", folder.location()));
    }

    #[test]
    fn stale_temp_files_go_and_everything_else_stays() {
        let dir = tempfile::tempdir().unwrap();
        let folder = OutputFolder::new(dir.path());
        folder.write_manifest("{}\n").unwrap();
        std::fs::write(dir.path().join(".tarjama-abc123.tmp"), b"half").unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), b"pid 1").unwrap();
        folder.remove_stale_temp_files();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".tarjama.lock", "manifest.jsonl"]);
    }

    #[test]
    fn a_store_folder_holds_a_lease_not_a_lock_and_keeps_shard_objects() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        let folder = OutputFolder::at(Location::parse(&url).unwrap());
        assert!(folder.is_store());
        let held = folder.lock(WhenLocked::Fail).unwrap();
        assert!(matches!(held, Held::Lease(_)));
        assert!(dir.path().join("shards/lease-all.json").is_file());
        drop(held);
        assert!(!dir.path().join("shards/lease-all.json").exists());
        assert_eq!(
            OutputFolder::manifest_part_name("2-of-3"),
            "shards/part-2-of-3.json"
        );
        let part = "part-2-of-3.json";
        folder.write_shard_object(part, b"{}\n").unwrap();
        assert_eq!(folder.list_shard_objects().unwrap(), [part]);
        assert_eq!(
            folder.read_shard_object(part).unwrap().as_deref(),
            Some(&b"{}\n"[..])
        );
        folder.remove_shard_object(part).unwrap();
        assert!(folder.list_shard_objects().unwrap().is_empty());
        // A local folder has no shards/ until something is written there.
        assert!(OutputFolder::new(dir.path().join("x"))
            .list_shard_objects()
            .unwrap()
            .is_empty());
    }
}
