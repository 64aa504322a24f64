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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rayon::prelude::*;
use serde::Serialize;

use crate::files::write_atomic;
use crate::input::article::SourceArticle;
use crate::output::labels;
use crate::output::lock::WhenLocked;
use crate::output::record::{Record, RECORD_FORMAT, VERSION};
use crate::pipeline::{translate_articles, Pipeline};

/// Articles translated together, so their sentences share batches. Records
/// of a wave are written before the next wave starts.
const WAVE_ARTICLES: usize = 16;

/// Everything `tarjama run` needs, resolved from the command line once.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub inputs: Vec<PathBuf>,
    pub out_dir: PathBuf,
    pub force: bool,
    pub progress: Progress,
    pub when_locked: WhenLocked,
    /// Set (by a signal handler) to stop before the next wave.
    pub stop: Arc<AtomicBool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A bar on stderr (stderr is a terminal).
    Bar,
    /// One plain line per finished article on stderr.
    Lines,
    Quiet,
}

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
    /// Translated pieces whose (language-model) translation failed a check.
    pub flagged_translations: usize,
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
            "translated {}, up to date {}, failed {} in {:.1} s; {} source tokens ({:.1}/s), {} target tokens ({:.1}/s); flagged: {} summaries, {} translated pieces",
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
        )
    }
}

/// Every `.txt` file under the inputs (files are taken as given), sorted,
/// each once. Symlinked directories are not followed, so loops cannot trap
/// the walk. Unreadable inputs come back as errors for the summary.
pub fn discover(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        match std::fs::metadata(input) {
            Ok(meta) if meta.is_dir() => walk(input, &mut files, &mut problems),
            Ok(_) => files.push(input.clone()),
            Err(e) => problems.push((input.clone(), format!("{}: {e}", input.display()))),
        }
    }
    files.sort();
    files.dedup();
    (files, problems)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<(PathBuf, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push((
                dir.to_path_buf(),
                format!("{}: cannot list directory: {e}", dir.display()),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, files, problems);
        } else if path.extension().is_some_and(|e| e == "txt") && !kind.is_dir() {
            files.push(path);
        }
    }
}

/// Whether the record at `path` already holds this article translated with
/// this model and these settings.
fn is_current(record_path: &Path, article: &SourceArticle, pipeline: &Pipeline) -> bool {
    let translator = &pipeline.translator;
    let Ok(record) = Record::read(record_path) else {
        return false;
    };
    record.is_intact()
        && record.format == RECORD_FORMAT
        && record.tarjama_version == VERSION
        && record.source.sha256 == article.sha256
        && record.source.path == article.path.display().to_string()
        && &record.translator == translator.fingerprint()
        && record.decoding == translator.settings()
        && record.summary.as_ref().map(|s| &s.settings) == pipeline.summarizer.settings().as_ref()
        && record_path.with_extension("md").is_file()
}

/// Temp files of writes a killed run never finished (see
/// `files::write_atomic`); only ever removed while holding the lock.
fn remove_stale_temp_files(out_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".tarjama-") && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `<id>.md` then `<id>.json`, each atomically. The JSON is the
/// record of truth; it goes last so a crash in between leaves the article
/// looking not done, and a rerun redoes it.
pub fn write_record(out_dir: &Path, record: &Record) -> Result<()> {
    let json = out_dir.join(format!("{}.json", record.id));
    let markdown = out_dir.join(format!("{}.md", record.id));
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

pub fn run(config: &RunConfig, pipeline: &Pipeline) -> Result<RunSummary> {
    let started = Instant::now();
    std::fs::create_dir_all(&config.out_dir).with_context(|| {
        format!(
            "cannot create output directory {}",
            config.out_dir.display()
        )
    })?;
    // Held until the run returns; the OS drops it if the process dies.
    let _lock = crate::output::lock::acquire(&config.out_dir, config.when_locked)?;
    remove_stale_temp_files(&config.out_dir);
    let (files, problems) = discover(&config.inputs);
    let mut summary = RunSummary::default();
    let mut manifest: BTreeMap<PathBuf, ManifestLine> = BTreeMap::new();
    let fail =
        |manifest: &mut BTreeMap<PathBuf, ManifestLine>, path: &Path, id: String, error: String| {
            // One line: candle appends a backtrace to its errors when
            // RUST_BACKTRACE is set.
            let error = error.lines().next().unwrap_or_default().to_string();
            manifest.insert(
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
        };
    for (path, error) in problems {
        let e = fail(
            &mut manifest,
            &path,
            crate::input::article::article_id(&path),
            error,
        );
        summary.errors.push(e);
    }

    let bar = match config.progress {
        Progress::Bar => {
            let bar = indicatif::ProgressBar::new(files.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} articles {elapsed_precise} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            Some(bar)
        }
        _ => None,
    };
    let note = |line: String| match (&bar, config.progress) {
        (Some(bar), _) => {
            bar.inc(1);
            bar.set_message(line);
        }
        (None, Progress::Lines) => eprintln!("tarjama: {line}"),
        _ => {}
    };

    let loaded: Vec<(PathBuf, Result<SourceArticle>)> = files
        .par_iter()
        .map(|p| (p.clone(), SourceArticle::load(p)))
        .collect();
    let mut seen_ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut pending = Vec::new();
    for (path, article) in loaded {
        match article {
            Err(e) => {
                let e = fail(
                    &mut manifest,
                    &path,
                    crate::input::article::article_id(&path),
                    format!("{e:#}"),
                );
                note(format!("failed {}", path.display()));
                summary.errors.push(e);
            }
            Ok(article) => {
                if let Some(first) = seen_ids.get(&article.id) {
                    let e = format!(
                        "{}: another input, {}, has the same name {:?}; outputs would collide",
                        path.display(),
                        first.display(),
                        article.id
                    );
                    let e = fail(&mut manifest, &path, article.id.clone(), e);
                    note(format!("failed {}", path.display()));
                    summary.errors.push(e);
                    continue;
                }
                seen_ids.insert(article.id.clone(), path.clone());
                let record_path = config.out_dir.join(format!("{}.json", article.id));
                if !config.force && is_current(&record_path, &article, pipeline) {
                    summary.up_to_date += 1;
                    note(format!("up to date {}", path.display()));
                    manifest.insert(
                        path.clone(),
                        ManifestLine::for_article(&article, Status::UpToDate),
                    );
                } else {
                    pending.push(article);
                }
            }
        }
    }

    // A language model translates one prompt at a time, so grouping
    // articles gains nothing and only delays each article's record.
    let wave_size = if pipeline.translator.by_sentence() {
        WAVE_ARTICLES
    } else {
        1
    };
    for (index, wave) in pending.chunks(wave_size).enumerate() {
        if config.stop.load(Ordering::SeqCst) || summary.stopped_by.is_some() {
            for article in pending.iter().skip(index * wave_size) {
                summary.interrupted += 1;
                manifest.insert(
                    article.path.clone(),
                    ManifestLine::for_article(article, Status::Interrupted),
                );
            }
            break;
        }
        let outcome = translate_articles(wave, pipeline).map(|records| {
            let written: Vec<Result<()>> = records
                .par_iter()
                .map(|r| write_record(&config.out_dir, r))
                .collect();
            records.into_iter().zip(written).collect::<Vec<_>>()
        });
        match outcome {
            Ok(results) => {
                for (article, (record, written)) in wave.iter().zip(results) {
                    match written {
                        Ok(()) => {
                            summary.translated += 1;
                            summary.source_tokens += record.totals.source_tokens;
                            summary.target_tokens += record.totals.target_tokens;
                            summary.flagged_summaries += usize::from(
                                record.summary.as_ref().is_some_and(|s| !s.flags.is_empty()),
                            );
                            summary.flagged_translations += record
                                .paragraphs
                                .iter()
                                .flat_map(|p| &p.sentences)
                                .filter(|s| labels::has_failed_check(&s.flags))
                                .count();
                            note(format!("translated {}", article.path.display()));
                            manifest.insert(
                                article.path.clone(),
                                ManifestLine::for_article(article, Status::Translated),
                            );
                        }
                        Err(e) => {
                            if summary.stopped_by.is_none() && is_out_of_room(&e) {
                                summary.stopped_by = Some(format!("{e:#}"));
                            }
                            let e = fail(
                                &mut manifest,
                                &article.path,
                                article.id.clone(),
                                format!("{e:#}"),
                            );
                            note(format!("failed {}", article.path.display()));
                            summary.errors.push(e);
                        }
                    }
                }
            }
            Err(e) => {
                for article in wave {
                    let e = fail(
                        &mut manifest,
                        &article.path,
                        article.id.clone(),
                        format!("{}: translation failed: {e:#}", article.path.display()),
                    );
                    note(format!("failed {}", article.path.display()));
                    summary.errors.push(e);
                }
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    summary.failed = summary.errors.len();

    let mut lines = String::new();
    for line in manifest.values() {
        lines.push_str(&serde_json::to_string(line).context("cannot serialize manifest line")?);
        lines.push('\n');
    }
    // On a full disk the manifest may not fit either; the per-article
    // lines still reach the caller, and the old manifest stays whole.
    if let Err(e) = write_atomic(&config.out_dir.join("manifest.jsonl"), lines.as_bytes()) {
        summary.manifest_error = Some(format!("{e:#}").lines().next().unwrap_or_default().into());
    }
    summary.wall = started.elapsed();
    Ok(summary)
}
