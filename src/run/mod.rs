//! The batch job: every article under the given paths, translated and
//! written as records, skipping those whose record is current.
//!
//! Flow: discover files → keep the shard's (`--shard I/N`) → a chunk of
//! files at a time: load and hash (parallel), skip current ones, and for
//! each wave of pending articles: prepare (parallel), translate all their
//! sentences together (length-sorted batches), write records atomically
//! (parallel) → manifest (a shard's part of it) → summary. Only one
//! chunk's articles are in memory at a time. A wave is written before the
//! next starts, so a crash loses at most one wave, and a rerun picks up
//! where it stopped. One bad article is reported and counted; it never
//! stops the others — except when the output folder itself cannot take
//! more (disk full, quota, read-only): then every further article would
//! fail the same way, after minutes of translation each, so the run stops
//! after the wave in hand and leaves the rest for a rerun.
//!
//! Here: the job and its steps; `discover` finds the inputs, `shard`
//! splits them between machines, `manifest` holds the line per input and
//! `merge` joins the shards' lines, `progress` shows the run going. What it is
//! not: what happens to a batch of articles (`crate::pipeline`) or the
//! folder's file names (`crate::output::OutputFolder`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use rayon::prelude::*;

use crate::input::article::{article_id, SourceArticle};
use crate::output::folder::Held;
use crate::output::labels;
use crate::output::lock::WhenLocked;
use crate::output::record::{Record, SummaryRecord, RECORD_FORMAT, VERSION};
use crate::output::OutputFolder;
use crate::pipeline::{translate_articles, Pipeline};
use crate::store::Location;

mod discover;
mod manifest;
mod merge;
mod progress;
mod shard;

pub use discover::discover;
pub use manifest::{ManifestLine, Status};
pub use merge::{merge_manifests, MergeOutcome};
pub use progress::Progress;
pub use shard::Shard;

use manifest::Manifest;
use progress::ProgressDisplay;

/// Articles translated together, so their sentences share batches. Records
/// of a wave are written before the next wave starts.
const WAVE_ARTICLES: usize = 16;

/// Files read and hashed together (in parallel): the run holds one chunk's
/// articles at a time, not the whole folder's.
const CHUNK_FILES: usize = 4 * WAVE_ARTICLES;

/// Everything `tarjama run` needs, resolved from the command line once.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub inputs: Vec<Location>,
    pub out_dir: Location,
    pub force: bool,
    pub progress: Progress,
    pub when_locked: WhenLocked,
    /// The part of the inputs this run takes (`None`: all of them).
    pub shard: Option<Shard>,
    /// Set (by a signal handler) to stop before the next wave.
    pub stop: Arc<AtomicBool>,
}

#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    pub translated: usize,
    pub up_to_date: usize,
    pub failed: usize,
    pub wall: Duration,
    pub source_tokens: usize,
    pub target_tokens: usize,
    /// Translated articles whose summary failed a check.
    pub flagged_summaries: usize,
    /// Translated pieces whose translation failed a check.
    pub flagged_translations: usize,
    /// Names in translations with no counterpart in their article's
    /// Arabic (each once per sentence).
    pub names_not_in_source: usize,
    /// Articles left undone because the run was stopped.
    pub interrupted: usize,
    /// Why the run stopped on its own (the output folder cannot take more
    /// writes), when it did; `None` after a signal or a complete run.
    pub stopped_by: Option<String>,
    /// Why the run stopped because another took its lease over (a rerun
    /// of the same shard): it then writes no manifest, which is the other
    /// run's now.
    pub lease_lost: Option<String>,
    /// Why `manifest.jsonl` could not be written (the previous one, if
    /// any, is left whole); the records are still as reported.
    pub manifest_error: Option<String>,
    pub errors: Vec<String>,
}

impl RunSummary {
    pub fn report(&self) -> String {
        let secs = self.wall.as_secs_f64().max(1e-9);
        format!(
            "translated {}, up to date {}, failed {} in {:.1} s; {} source tokens ({:.1}/s), {} target tokens ({:.1}/s); flagged: {} summaries, {} translated pieces, {} names not in the source",
            self.translated,
            self.up_to_date,
            self.failed,
            self.wall.as_secs_f64(),
            self.source_tokens,
            self.source_tokens as f64 / secs,
            self.target_tokens,
            self.target_tokens as f64 / secs,
            self.flagged_summaries,
            self.flagged_translations,
            self.names_not_in_source,
        )
    }

    /// Adds a record that was written to the counts.
    fn count_translated(&mut self, record: &Record) {
        self.translated += 1;
        self.source_tokens += record.totals.source_tokens;
        self.target_tokens += record.totals.target_tokens;
        self.flagged_summaries += usize::from(
            record
                .summary
                .as_ref()
                .is_some_and(|s| !s.flags.is_empty() || s.model_attempt.is_some()),
        );
        self.flagged_translations += record
            .paragraphs
            .iter()
            .flat_map(|p| &p.sentences)
            .filter(|s| labels::has_failed_check(&s.flags))
            .count();
        self.names_not_in_source += record
            .paragraphs
            .iter()
            .flat_map(|p| &p.sentences)
            .map(|s| s.names_not_in_source.len())
            .sum::<usize>();
    }
}

/// Whether the record of `article` in `folder` already holds it
/// translated with the models and settings its languages' routes give now.
/// (The languages themselves are the record's: the same bytes are
/// identified the same way.) A route's model is loaded to be compared.
fn is_current(folder: &OutputFolder, article: &SourceArticle, pipeline: &Pipeline) -> bool {
    let Ok(record) = folder.read_record(&article.id) else {
        return false;
    };
    let given = pipeline.source_language.as_deref();
    let routes_unchanged = record.translators.iter().all(|used| {
        used.languages.iter().all(|language| {
            pipeline
                .routes
                .translator_for(language)
                .is_ok_and(|(_, t)| *t.fingerprint() == used.model && t.settings() == used.decoding)
        })
    });
    record.is_intact()
        && record.format == RECORD_FORMAT
        && record.tarjama_version == VERSION
        && record.source.sha256 == article.sha256
        && record.source.path == article.path.display().to_string()
        && given.is_none_or(|code| {
            record.source.language.code == code && record.source.language.confidence.is_none()
        })
        && (given.is_some() || record.source.language.confidence.is_some())
        && routes_unchanged
        && record.summary.as_ref().map(|s| &s.settings) == pipeline.summarizer.settings().as_ref()
        && record
            .summary
            .as_ref()
            .is_none_or(SummaryRecord::is_settled)
        && folder.has_markdown(&article.id)
}

/// Whether an error means the output folder takes no more writes at all
/// (as opposed to trouble with one article).
fn is_out_of_room(error: &anyhow::Error) -> bool {
    use std::io::ErrorKind;
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| {
            matches!(
                io.kind(),
                ErrorKind::StorageFull | ErrorKind::QuotaExceeded | ErrorKind::ReadOnlyFilesystem
            )
        })
}

/// Runs the batch job over `config.inputs` (the shard's part of them)
/// into `config.out_dir`. Errors only when the folder cannot be created or
/// locked, or the manifest cannot be serialized; every other problem is
/// counted in the summary.
pub fn run(config: &RunConfig, pipeline: &Pipeline) -> Result<RunSummary> {
    let started = Instant::now();
    let folder = OutputFolder::at(config.out_dir.clone());
    folder.create()?;
    // Held until the run returns: a local folder's OS lock (the OS drops
    // it if the process dies), or a lease — a shard's, or a whole run's in
    // a store — that a rerun takes over and this run confirms before each
    // wave.
    let held = match config.shard {
        Some(shard) => Held::Lease(folder.lease(&shard.label())?),
        None => folder.lock(config.when_locked)?,
    };
    let (files, problems) = discover(&config.inputs);
    let inputs_digest = manifest::inputs_digest(&files, &problems);
    let mut manifest = Manifest::default();
    match config.shard {
        Some(shard) => {
            if let Some(part) = folder.manifest_part(&shard.label())? {
                if let Ok(part) = serde_json::from_slice(&part) {
                    manifest.resume(part, &inputs_digest);
                }
            }
            // Until this shard finishes, `merge` must not take a part of an
            // earlier run of it; parts of another split are stale.
            folder.remove_manifest_parts_but(shard.count, shard.index)?;
        }
        // Other shards' temp files may be writes in progress.
        None => folder.remove_stale_temp_files(),
    }
    let takes = |path: &Path| config.shard.is_none_or(|s| s.takes(&article_id(path)));
    let files: Vec<Location> = files.into_iter().filter(|f| takes(&f.label())).collect();
    let mut job = Job {
        config,
        pipeline,
        progress: ProgressDisplay::start(config.progress, files.len()),
        folder,
        held,
        manifest,
        summary: RunSummary::default(),
        inputs_digest,
    };
    for (path, error) in problems.into_iter().filter(|(p, _)| takes(p)) {
        job.fail(&path, article_id(&path), error);
    }
    job.save_shard_progress();
    job.translate_in_chunks(&files);
    job.finish(started)
}

/// One run in progress: where it writes, and what it has to report so far.
struct Job<'a> {
    config: &'a RunConfig,
    pipeline: &'a Pipeline,
    folder: OutputFolder,
    progress: ProgressDisplay,
    /// The folder's lock or the lease, held while the job lives.
    held: Held,
    manifest: Manifest,
    summary: RunSummary,
    /// Which inputs the whole run has (every shard's), for the manifest part.
    inputs_digest: String,
}

impl Job<'_> {
    /// The input at `path` failed: a manifest line and an error for the
    /// summary, no progress step (for inputs that were never articles).
    fn fail(&mut self, path: &Path, id: String, error: String) {
        let error = self.manifest.failed(path, id, error);
        self.summary.errors.push(error);
    }

    /// An article failed: as [`Job::fail`], and one progress step.
    fn fail_article(&mut self, path: &Path, id: String, error: String) {
        let error = self.manifest.failed(path, id, error);
        self.progress
            .article_done(format!("failed {}", path.display()));
        self.summary.errors.push(error);
    }

    /// Reads, skips and translates `files` a chunk at a time, so that only
    /// one chunk's articles are held; once stopped, the files not reached
    /// are read for their manifest lines only.
    fn translate_in_chunks(&mut self, files: &[Location]) {
        let mut seen_ids: BTreeMap<String, PathBuf> = BTreeMap::new();
        for (index, chunk) in files.chunks(CHUNK_FILES).enumerate() {
            if self.is_stopping() {
                self.leave_for_rerun(&files[index * CHUNK_FILES..]);
                break;
            }
            let pending = self.load_pending(chunk, &mut seen_ids);
            self.translate_in_waves(&pending);
        }
    }

    /// Whether no further wave should start (a signal, or a folder that
    /// takes no more writes).
    fn is_stopping(&self) -> bool {
        self.config.stop.load(Ordering::SeqCst)
            || self.summary.stopped_by.is_some()
            || self.summary.lease_lost.is_some()
    }

    /// Whether the lease (if any) is still this run's; once another run
    /// has taken it over, this one stops before writing anything more.
    fn lease_still_held(&mut self) -> bool {
        if let Held::Lease(lease) = &self.held {
            if let Err(e) = lease.confirm() {
                self.summary.lease_lost = Some(format!("{e:#}"));
                return false;
            }
        }
        true
    }

    /// Reads the files (in parallel) and returns the articles still to
    /// translate; the unreadable, the duplicate names (against every file
    /// read before, in `seen_ids`) and the current ones are accounted for
    /// here.
    fn load_pending(
        &mut self,
        files: &[Location],
        seen_ids: &mut BTreeMap<String, PathBuf>,
    ) -> Vec<SourceArticle> {
        let loaded: Vec<(PathBuf, Result<SourceArticle>)> = files
            .par_iter()
            .map(|file| (file.label(), SourceArticle::read(file)))
            .collect();
        let mut pending = Vec::new();
        for (path, article) in loaded {
            let article = match article {
                Ok(article) => article,
                Err(e) => {
                    self.fail_article(&path, article_id(&path), format!("{e:#}"));
                    continue;
                }
            };
            if let Some(first) = seen_ids.get(&article.id) {
                let e = format!(
                    "{}: another input, {}, has the same name {:?}; outputs would collide",
                    path.display(),
                    first.display(),
                    article.id
                );
                self.fail_article(&path, article.id.clone(), e);
                continue;
            }
            seen_ids.insert(article.id.clone(), path.clone());
            if !self.config.force && is_current(&self.folder, &article, self.pipeline) {
                self.summary.up_to_date += 1;
                self.progress
                    .article_done(format!("up to date {}", path.display()));
                self.manifest.article(&article, Status::UpToDate);
            } else {
                pending.push(article);
            }
        }
        pending
    }

    /// The files a stopped run did not reach: each is read (one at a time,
    /// not kept) for its manifest line — up to date, or "interrupted" as
    /// the articles of the wave it stopped before; the unreadable are
    /// failed as always.
    fn leave_for_rerun(&mut self, files: &[Location]) {
        for file in files {
            let path = &file.label();
            match SourceArticle::read(file) {
                Ok(article)
                    if !self.config.force && is_current(&self.folder, &article, self.pipeline) =>
                {
                    self.summary.up_to_date += 1;
                    self.manifest.article(&article, Status::UpToDate);
                }
                Ok(article) => {
                    self.summary.interrupted += 1;
                    self.manifest.article(&article, Status::Interrupted);
                }
                Err(e) => self.fail_article(path, article_id(path), format!("{e:#}")),
            }
        }
    }

    /// Translates and writes `pending` wave by wave, until done, stopped
    /// by a signal, or the folder takes no more writes.
    fn translate_in_waves(&mut self, pending: &[SourceArticle]) {
        // A language model translates one prompt at a time, so grouping
        // articles gains nothing and only delays each article's record.
        let wave_size = if self.pipeline.routes.primary().by_sentence() {
            WAVE_ARTICLES
        } else {
            1
        };
        for (index, wave) in pending.chunks(wave_size).enumerate() {
            if self.is_stopping() {
                for article in pending.iter().skip(index * wave_size) {
                    self.summary.interrupted += 1;
                    self.manifest.article(article, Status::Interrupted);
                }
                break;
            }
            self.translate_wave(wave);
        }
    }

    /// A wave this run will not write: left for a rerun.
    fn leave_wave(&mut self, wave: &[SourceArticle]) {
        for article in wave {
            self.summary.interrupted += 1;
            self.manifest.article(article, Status::Interrupted);
        }
    }

    /// Translates one wave together and writes its records (in parallel).
    fn translate_wave(&mut self, wave: &[SourceArticle]) {
        // Confirmed before the wave's part is saved and again before its
        // records are written: a run whose lease a rerun took over stops
        // there. (Records the two would both write have the same bytes.)
        if !self.lease_still_held() {
            self.leave_wave(wave);
            return;
        }
        if self.config.shard.is_some() {
            self.manifest.about_to_translate(wave);
            self.save_shard_progress();
        }
        let records = translate_articles(wave, self.pipeline);
        if !self.lease_still_held() {
            self.leave_wave(wave);
            return;
        }
        let written: Vec<Result<()>> = records
            .par_iter()
            .map(|r| match r {
                Ok(record) => self.folder.write_record(record),
                Err(_) => Ok(()),
            })
            .collect();
        for (article, (record, written)) in wave.iter().zip(records.into_iter().zip(written)) {
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    self.fail_article(&article.path, article.id.clone(), format!("{e:#}"));
                    continue;
                }
            };
            match written {
                Ok(()) => {
                    self.summary.count_translated(&record);
                    self.progress
                        .article_done(format!("translated {}", article.path.display()));
                    self.manifest.article(article, Status::Translated);
                }
                Err(e) => {
                    if self.summary.stopped_by.is_none() && is_out_of_room(&e) {
                        self.summary.stopped_by = Some(format!("{e:#}"));
                    }
                    self.fail_article(&article.path, article.id.clone(), format!("{e:#}"));
                }
            }
        }
    }

    /// A shard's part so far, unfinished, so that a requeued attempt after
    /// a kill knows what this one translated. Not writing it loses only
    /// that knowledge (the records are what they are), so an error here is
    /// left for the final part to report.
    fn save_shard_progress(&self) {
        if self.summary.lease_lost.is_some() {
            return;
        }
        if let Some(shard) = self.config.shard {
            if let Ok(part) = self.manifest.to_part(shard, &self.inputs_digest, false) {
                let _ = self.folder.write_manifest_part(&shard.label(), &part);
            }
        }
    }

    /// Clears the progress, writes the manifest (a shard writes its part)
    /// and closes the summary.
    fn finish(mut self, started: Instant) -> Result<RunSummary> {
        self.progress.finish();
        self.summary.failed = self.summary.errors.len();
        // On a full disk the manifest may not fit either; the per-article
        // lines still reach the caller, and the old manifest stays whole.
        if self.summary.lease_lost.is_some() {
            self.summary.wall = started.elapsed();
            return Ok(self.summary);
        }
        let written = match self.config.shard {
            Some(shard) => {
                // A shard stopped before the end (a signal, a full store)
                // leaves its part unfinished: merge waits for it, and the
                // next attempt takes up what this one translated.
                let finished = self.summary.interrupted == 0;
                let part = self
                    .manifest
                    .to_part(shard, &self.inputs_digest, finished)?;
                self.folder.write_manifest_part(&shard.label(), &part)
            }
            None => self.folder.write_manifest(&self.manifest.to_jsonl()?),
        };
        if let Err(e) = written {
            self.summary.manifest_error =
                Some(format!("{e:#}").lines().next().unwrap_or_default().into());
        }
        self.summary.wall = started.elapsed();
        Ok(self.summary)
    }
}
