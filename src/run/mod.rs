//! The batch job: every article under the given paths, translated and
//! written as records, skipping those whose record is current.
//!
//! Flow: discover files → load and hash (parallel) → skip current ones →
//! for each wave of pending articles: prepare (parallel), translate all
//! their sentences together (length-sorted batches), write records
//! atomically (parallel) → manifest → summary. A wave is written before the
//! next starts, so a crash loses at most one wave, and a rerun picks up
//! where it stopped. One bad article is reported and counted; it never
//! stops the others — except when the output folder itself cannot take
//! more (disk full, quota, read-only): then every further article would
//! fail the same way, after minutes of translation each, so the run stops
//! after the wave in hand and leaves the rest for a rerun.
//!
//! Here: the job and its steps; `discover` finds the inputs, `manifest`
//! holds the line per input, `progress` shows the run going. What it is
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
use crate::output::labels;
use crate::output::lock::WhenLocked;
use crate::output::record::{Record, SummaryRecord, RECORD_FORMAT, VERSION};
use crate::output::OutputFolder;
use crate::pipeline::{translate_articles, Pipeline};
use crate::store::Location;

mod discover;
mod manifest;
mod progress;

pub use discover::discover;
pub use manifest::{ManifestLine, Status};
pub use progress::Progress;

use manifest::Manifest;
use progress::ProgressDisplay;

/// Articles translated together, so their sentences share batches. Records
/// of a wave are written before the next wave starts.
const WAVE_ARTICLES: usize = 16;

/// Everything `tarjama run` needs, resolved from the command line once.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub inputs: Vec<Location>,
    pub out_dir: Location,
    pub force: bool,
    pub progress: Progress,
    pub when_locked: WhenLocked,
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

/// Runs the batch job over `config.inputs` into `config.out_dir`. Errors
/// only when the folder cannot be created or locked, or the manifest
/// cannot be serialized; every other problem is counted in the summary.
pub fn run(config: &RunConfig, pipeline: &Pipeline) -> Result<RunSummary> {
    let started = Instant::now();
    let folder = OutputFolder::at(config.out_dir.clone());
    folder.create()?;
    // Held until the run returns: a local folder's OS lock (the OS drops
    // it if the process dies), or a lease in a store.
    let _lock = folder.lock(config.when_locked)?;
    folder.remove_stale_temp_files();
    let (files, problems) = discover(&config.inputs);
    let mut job = Job {
        config,
        pipeline,
        progress: ProgressDisplay::start(config.progress, files.len()),
        folder,
        manifest: Manifest::default(),
        summary: RunSummary::default(),
    };
    for (path, error) in problems {
        job.fail(&path, article_id(&path), error);
    }
    let pending = job.load_pending(&files);
    job.translate_in_waves(&pending);
    job.finish(started)
}

/// One run in progress: where it writes, and what it has to report so far.
struct Job<'a> {
    config: &'a RunConfig,
    pipeline: &'a Pipeline,
    folder: OutputFolder,
    progress: ProgressDisplay,
    manifest: Manifest,
    summary: RunSummary,
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

    /// Reads the files (in parallel) and returns the articles still to
    /// translate; the unreadable, the duplicate names and the current ones
    /// are accounted for here.
    fn load_pending(&mut self, files: &[Location]) -> Vec<SourceArticle> {
        let loaded: Vec<(PathBuf, Result<SourceArticle>)> = files
            .par_iter()
            .map(|file| (file.label(), SourceArticle::read(file)))
            .collect();
        let mut seen_ids: BTreeMap<String, PathBuf> = BTreeMap::new();
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
            if self.config.stop.load(Ordering::SeqCst) || self.summary.stopped_by.is_some() {
                for article in pending.iter().skip(index * wave_size) {
                    self.summary.interrupted += 1;
                    self.manifest.article(article, Status::Interrupted);
                }
                break;
            }
            self.translate_wave(wave);
        }
    }

    /// Translates one wave together and writes its records (in parallel).
    fn translate_wave(&mut self, wave: &[SourceArticle]) {
        let records = translate_articles(wave, self.pipeline);
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

    /// Clears the progress, writes the manifest and closes the summary.
    fn finish(mut self, started: Instant) -> Result<RunSummary> {
        self.progress.finish();
        self.summary.failed = self.summary.errors.len();
        let lines = self.manifest.to_jsonl()?;
        // On a full disk the manifest may not fit either; the per-article
        // lines still reach the caller, and the old manifest stays whole.
        if let Err(e) = self.folder.write_manifest(&lines) {
            self.summary.manifest_error =
                Some(format!("{e:#}").lines().next().unwrap_or_default().into());
        }
        self.summary.wall = started.elapsed();
        Ok(self.summary)
    }
}
