//! One source article from file to model-ready sentences: read the bytes,
//! hash them, decode, cut debris, split paragraphs into sentences (and
//! over-long sentences into clauses).
//!
//! What it is for: everything per-article that happens before the model.
//! What it is not: translation or output. It glues `read`, `clean` and
//! `segment`, which hold the rules and their tests.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::files::sha256_bytes;
use crate::input::clean::clean;
use crate::input::read::{decode, is_arabic};
use crate::input::segment::{normalize_for_model, sentences, split_to_budget};
use crate::output::record::RemovedText;
use crate::text::script::is_arabic_letter;

/// Largest file taken as one article. News articles are tens of
/// kilobytes; anything this big is a dump or a mistake, and refusing it
/// keeps memory bounded.
pub const MAX_ARTICLE_BYTES: u64 = 4 << 20;

/// An article as read from disk.
#[derive(Debug, Clone)]
pub struct SourceArticle {
    /// The file stem: names the outputs `<id>.json` and `<id>.md`.
    pub id: String,
    pub path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
    pub encoding: &'static str,
    /// Decoded text (UTF-8, LF line ends); all spans point into it.
    pub text: String,
}

/// Article id for a path: the file name without its extension.
pub fn article_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl SourceArticle {
    /// Reads and decodes a file. The error is one line naming the file and
    /// the reason (empty, binary, undecodable, unreadable).
    pub fn load(path: &Path) -> Result<Self> {
        use std::io::Read;
        // A named pipe or a device would block or never end; only regular
        // files (through symlinks) are articles.
        let meta =
            std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
        if !meta.is_file() {
            anyhow::bail!("{}: not a regular file", path.display());
        }
        let file = std::fs::File::open(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        // Read at most one byte past the limit, so a huge file costs no
        // more memory than the limit to refuse.
        let mut bytes = Vec::new();
        file.take(MAX_ARTICLE_BYTES + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        if bytes.len() as u64 > MAX_ARTICLE_BYTES {
            anyhow::bail!(
                "{}: larger than {} MiB, which no news article is; split it into articles",
                path.display(),
                MAX_ARTICLE_BYTES >> 20
            );
        }
        Self::from_bytes(path, &bytes)
    }

    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Self> {
        let decoded = decode(bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(Self {
            id: article_id(path),
            path: path.to_path_buf(),
            sha256: sha256_bytes(bytes),
            bytes: bytes.len() as u64,
            encoding: decoded.encoding.as_str(),
            text: decoded.text,
        })
    }

    pub fn is_arabic(&self) -> bool {
        is_arabic(&self.text)
    }
}

/// A unit the model translates: a sentence, or a clause of a long one.
#[derive(Debug, Clone)]
pub struct PreparedPiece {
    pub span: std::ops::Range<usize>,
    /// What the model is shown (invisible characters and tatweel removed,
    /// whitespace collapsed).
    pub model_text: String,
    /// False for pieces with no Arabic letter (numbers, Latin names,
    /// punctuation): they are copied, not sent through the model.
    pub translate: bool,
}

#[derive(Debug, Clone)]
pub struct PreparedParagraph {
    pub span: std::ops::Range<usize>,
    pub pieces: Vec<PreparedPiece>,
}

#[derive(Debug, Clone)]
pub struct PreparedArticle {
    pub removed: Vec<RemovedText>,
    pub paragraphs: Vec<PreparedParagraph>,
}

/// Cuts debris and segments the text. With `by_sentence`, paragraphs are
/// split into sentences; either way, pieces over `max_tokens` (measured by
/// `count_tokens` on the text the model will see) are split at clauses.
pub fn prepare(
    text: &str,
    by_sentence: bool,
    max_tokens: usize,
    count_tokens: &dyn Fn(&str) -> usize,
) -> PreparedArticle {
    let cleaned = clean(text);
    let removed = cleaned
        .removals
        .iter()
        .map(|r| RemovedText {
            line: r.line,
            span: [r.span.start, r.span.end],
            text: r.text.clone(),
            reason: r.reason.as_str().to_string(),
        })
        .collect();
    let measure = |s: &str| count_tokens(&normalize_for_model(s));
    let paragraphs = cleaned
        .kept
        .iter()
        .map(|para| {
            let units = if by_sentence {
                sentences(text, para.clone())
            } else {
                vec![para.clone()]
            };
            let pieces = units
                .into_iter()
                .flat_map(|sentence| split_to_budget(text, sentence, max_tokens, &measure))
                .map(|span| {
                    let model_text = normalize_for_model(&text[span.clone()]);
                    PreparedPiece {
                        translate: model_text.chars().any(is_arabic_letter),
                        span,
                        model_text,
                    }
                })
                .collect();
            PreparedParagraph {
                span: para.clone(),
                pieces,
            }
        })
        .collect();
    PreparedArticle {
        removed,
        paragraphs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_pieces_tile_paragraphs_and_debris_is_listed() {
        let text = include_str!("../../seeds/001_d0c9e97734a90cd3.txt");
        let prepared = prepare(text, true, 40, &|s: &str| s.split_whitespace().count() + 1);
        assert!(prepared
            .removed
            .iter()
            .any(|r| r.text.contains("اترك تعليق")));
        for paragraph in &prepared.paragraphs {
            let joined: String = paragraph
                .pieces
                .iter()
                .map(|p| &text[p.span.clone()])
                .collect();
            assert_eq!(joined, &text[paragraph.span.clone()]);
            for piece in &paragraph.pieces {
                assert!(
                    piece.model_text.split_whitespace().count() < 40,
                    "{}",
                    piece.model_text
                );
            }
        }
    }

    #[test]
    fn pieces_without_arabic_are_not_sent_to_the_model() {
        let prepared = prepare("قال الوزير. 2015.\n", true, 100, &|s: &str| {
            s.len()
        });
        let flags: Vec<bool> = prepared.paragraphs[0]
            .pieces
            .iter()
            .map(|p| p.translate)
            .collect();
        assert_eq!(flags, vec![true, false]);
    }

    #[test]
    fn an_empty_file_is_a_one_line_error_naming_it() {
        let err = SourceArticle::from_bytes(Path::new("in/x.txt"), b"")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("in/x.txt: ") && !err.contains('\n'),
            "{err}"
        );
    }
}
