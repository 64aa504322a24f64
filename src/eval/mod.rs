//! `tarjama eval`: the records of an output folder scored against a
//! reader's own reference translations, with BLEU, chrF and chrF++ exactly
//! as sacreBLEU computes them (the version in [`SACREBLEU_VERSION`]).
//!
//! A record `<id>` pairs with the reference `<REFS>/<id>.txt`, which holds
//! one paragraph per non-blank line — a record's paragraphs are its
//! article's kept lines (`crate::input::clean`), so a reference written
//! line for line against the article lines up with it. Each paragraph is
//! one segment: its `translation` (untranslated or copied text included,
//! as it stands) against the reference line. An article scores as a
//! sacreBLEU corpus of its own paragraphs; the corpus line is all scored
//! paragraphs together (sufficient statistics summed, not an average of
//! articles).
//!
//! - `tokenize`: sacreBLEU's `13a` and `intl` tokenizers;
//! - `bleu`, `chrf`: the metrics, from per-segment counts;
//! - `report`: the table and the JSON `tarjama eval` prints.
//!
//! What it is not: a reader of sacreBLEU's test sets, or a judge of
//! anything besides the text (names, flags and summaries play no part).

pub mod bleu;
pub mod chrf;
pub mod report;
pub mod tokenize;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::output::record::Record;
use crate::output::OutputFolder;
use bleu::{BleuScore, BleuStats};
use chrf::{ChrfStats, ChrfVariant};
use tokenize::{is_python_space, Tokenizer};

/// The sacreBLEU release whose scores the fixtures of `tests/eval.rs`
/// hold (made by `tools/make_eval_fixtures.py`); signatures name it.
pub const SACREBLEU_VERSION: &str = "2.6.0";

/// A reference file's extension.
const REFERENCE_EXTENSION: &str = "txt";

/// The three scores of an article or of the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub bleu: BleuScore,
    pub chrf: f64,
    pub chrf_plus_plus: f64,
}

/// Counts summed over segments; scores come from these, never from
/// averaging scores.
#[derive(Debug, Clone)]
struct Counts {
    paragraphs: usize,
    bleu: BleuStats,
    chrf: ChrfStats,
    chrf_plus_plus: ChrfStats,
}

impl Counts {
    fn new() -> Self {
        Self {
            paragraphs: 0,
            bleu: BleuStats::default(),
            chrf: ChrfStats::empty(ChrfVariant::Chrf),
            chrf_plus_plus: ChrfStats::empty(ChrfVariant::ChrfPlusPlus),
        }
    }

    fn add_segment(&mut self, hypothesis: &str, reference: &str, tokenizer: Tokenizer) {
        self.paragraphs += 1;
        self.bleu += BleuStats::segment(hypothesis, reference, tokenizer);
        self.chrf.add(&ChrfStats::segment(
            hypothesis,
            reference,
            ChrfVariant::Chrf,
        ));
        self.chrf_plus_plus.add(&ChrfStats::segment(
            hypothesis,
            reference,
            ChrfVariant::ChrfPlusPlus,
        ));
    }

    fn add(&mut self, other: &Counts) {
        self.paragraphs += other.paragraphs;
        self.bleu += other.bleu;
        self.chrf.add(&other.chrf);
        self.chrf_plus_plus.add(&other.chrf_plus_plus);
    }

    fn scores(&self) -> Scores {
        Scores {
            bleu: BleuScore::from_stats(&self.bleu),
            chrf: self.chrf.score(),
            chrf_plus_plus: self.chrf_plus_plus.score(),
        }
    }
}

/// One scored article.
#[derive(Debug, Clone)]
pub struct ArticleScores {
    pub id: String,
    pub reference: PathBuf,
    pub paragraphs: usize,
    pub scores: Scores,
}

/// Segments scored one by one and summed: what `tarjama eval` reports.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub tokenizer: Tokenizer,
    /// Sorted by id.
    pub articles: Vec<ArticleScores>,
    corpus: Counts,
    /// One line per record and reference that pair but could not be
    /// scored (paragraph counts differ, the reference cannot be read).
    pub skipped: Vec<String>,
    /// Ids of intact records with no reference file.
    pub records_without_reference: Vec<String>,
    /// Reference files no intact record is named after.
    pub references_without_record: Vec<PathBuf>,
    /// One line per record file that cannot be used (damaged, not a record).
    pub unusable_records: Vec<String>,
}

impl Evaluation {
    /// All scored paragraphs together; `None` when no article was scored.
    pub fn corpus(&self) -> Option<(usize, Scores)> {
        (!self.articles.is_empty()).then(|| (self.corpus.paragraphs, self.corpus.scores()))
    }
}

/// Scores the intact records of `out` that have a reference in `refs`.
/// Fails only when a folder cannot be listed; whatever else goes wrong is
/// a line in the [`Evaluation`].
pub fn evaluate(out: &Path, refs: &Path, tokenizer: Tokenizer) -> Result<Evaluation> {
    let (records, unusable_records) = OutputFolder::new(out).read_intact_records()?;
    let mut references = reference_files(refs)?;
    let mut evaluation = Evaluation {
        tokenizer,
        articles: Vec::new(),
        corpus: Counts::new(),
        skipped: Vec::new(),
        records_without_reference: Vec::new(),
        references_without_record: Vec::new(),
        unusable_records,
    };
    for record in &records {
        let Some(reference) = references.remove(&record.id) else {
            evaluation.records_without_reference.push(record.id.clone());
            continue;
        };
        match score_article(record, &reference, tokenizer) {
            Ok(counts) => {
                evaluation.corpus.add(&counts);
                evaluation.articles.push(ArticleScores {
                    id: record.id.clone(),
                    reference,
                    paragraphs: counts.paragraphs,
                    scores: counts.scores(),
                });
            }
            Err(e) => evaluation.skipped.push(format!("{e:#}")),
        }
    }
    evaluation.references_without_record = references.into_values().collect();
    Ok(evaluation)
}

/// The `*.txt` files of `dir` by file stem (the id they are for).
fn reference_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let mut files = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == REFERENCE_EXTENSION) && path.is_file() {
            if let Some(stem) = path.file_stem() {
                files.insert(stem.to_string_lossy().into_owned(), path);
            }
        }
    }
    Ok(files)
}

/// The counts of one article, or why it cannot be scored.
fn score_article(record: &Record, reference: &Path, tokenizer: Tokenizer) -> Result<Counts> {
    let lines = read_reference(reference)?;
    let paragraphs = &record.paragraphs;
    if lines.is_empty() && paragraphs.is_empty() {
        anyhow::bail!(
            "{} and the record {} have no paragraph; article skipped",
            reference.display(),
            record.id
        );
    }
    if lines.len() != paragraphs.len() {
        let debris = match record.removed.len() {
            0 => String::new(),
            n => format!(" (its article also had {n} line(s) left out as page debris)"),
        };
        anyhow::bail!(
            "{} has {} paragraph(s) but the record {} has {}{debris}; article skipped",
            reference.display(),
            lines.len(),
            record.id,
            paragraphs.len()
        );
    }
    let mut counts = Counts::new();
    for (paragraph, line) in paragraphs.iter().zip(&lines) {
        counts.add_segment(&paragraph.translation, line, tokenizer);
    }
    Ok(counts)
}

/// A reference's paragraphs: its non-blank lines. Lines end at `\n`,
/// `\r\n` or a lone `\r`, as Python (and so sacreBLEU) reads text files;
/// a UTF-8 byte-order mark is not text and goes.
fn read_reference(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text; article skipped", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(text
        .split('\n')
        .flat_map(|line| line.split('\r'))
        .filter(|line| !line.chars().all(is_python_space))
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_paragraphs_are_the_non_blank_lines_whatever_the_line_ends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "\u{feff}One.\r\n\r\n  \nTwo.\rThree. \n\u{3000}\n").unwrap();
        assert_eq!(read_reference(&path).unwrap(), ["One.", "Two.", "Three. "]);
        std::fs::write(&path, b"\xff\xfe").unwrap();
        assert_eq!(
            read_reference(&path).unwrap_err().to_string(),
            format!("{} is not UTF-8 text; article skipped", path.display())
        );
    }

    #[test]
    fn references_are_the_txt_files_by_stem() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.txt", "a.txt", "notes.md"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("c.txt")).unwrap();
        let files = reference_files(dir.path()).unwrap();
        assert_eq!(files.keys().collect::<Vec<_>>(), ["a", "b"]);
        let missing = dir.path().join("gone");
        assert_eq!(
            reference_files(&missing).unwrap_err().to_string(),
            format!("cannot list {}", missing.display())
        );
    }
}
