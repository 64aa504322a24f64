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
use crate::input::read::decode;
use crate::input::segment::{normalize_for_model_in, sentences_in, split_to_budget};
use crate::output::record::RemovedText;
use crate::store::Location;
use crate::text::script::Script;

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

    /// Reads and decodes a file, or an object of a store: then its URL is
    /// the article's path (in records and messages) and its file stem the
    /// id, as for a file.
    pub fn read(location: &Location) -> Result<Self> {
        if let Some(path) = location.as_local() {
            return Self::load(path);
        }
        let label = location.label();
        let bytes = location
            .read()
            .with_context(|| format!("{location}: cannot read"))?
            .with_context(|| format!("{location}: cannot read: it is gone"))?;
        if bytes.len() as u64 > MAX_ARTICLE_BYTES {
            anyhow::bail!(
                "{location}: larger than {} MiB, which no news article is; split it into articles",
                MAX_ARTICLE_BYTES >> 20
            );
        }
        Self::from_bytes(&label, &bytes)
    }

    /// An article from bytes read elsewhere; `path` names it (its stem is
    /// the id).
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
}

/// A unit the model translates: a sentence, or a clause of a long one.
#[derive(Debug, Clone)]
pub struct PreparedPiece {
    pub span: std::ops::Range<usize>,
    /// What the model is shown (invisible characters and tatweel removed,
    /// whitespace collapsed).
    pub model_text: String,
    /// False for pieces with no letter of the paragraph's script (numbers,
    /// Latin names in Arabic text, punctuation): they are copied, not sent
    /// through the model.
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

/// An article with its debris cut: what was removed and why, and the byte
/// ranges of the paragraphs kept.
#[derive(Debug, Clone)]
pub struct CleanedArticle {
    pub removed: Vec<RemovedText>,
    pub paragraphs: Vec<std::ops::Range<usize>>,
}

/// How a paragraph is cut for its translator: by sentence or whole, into
/// pieces of at most `max_tokens` (as `count_tokens` measures the text the
/// model will see), and the paragraph's language, whose sentence rules and
/// spelling the cutting follows (`segment::sentences_in`,
/// `segment::normalize_for_model_in`) and whose script's letters make a
/// piece worth sending.
pub struct Segmenting<'a> {
    pub by_sentence: bool,
    pub max_tokens: usize,
    pub count_tokens: &'a dyn Fn(&str) -> usize,
    /// ISO 639 code, as records carry it ("ar", "fa", "en").
    pub language: &'a str,
}

/// Cuts debris (the rules are Arabic news sites'; see `clean`).
pub fn clean_article(text: &str) -> CleanedArticle {
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
    CleanedArticle {
        removed,
        paragraphs: cleaned.kept,
    }
}

/// Splits one kept paragraph into the pieces its translator sees.
pub fn prepare_paragraph(
    text: &str,
    para: std::ops::Range<usize>,
    segmenting: &Segmenting,
) -> PreparedParagraph {
    let language = segmenting.language;
    let script = Script::of_language(language);
    let measure = |s: &str| (segmenting.count_tokens)(&normalize_for_model_in(s, language));
    let units = if segmenting.by_sentence {
        sentences_in(text, para.clone(), language)
    } else {
        vec![para.clone()]
    };
    let pieces = units
        .into_iter()
        .flat_map(|sentence| split_to_budget(text, sentence, segmenting.max_tokens, &measure))
        .map(|span| {
            let model_text = normalize_for_model_in(&text[span.clone()], language);
            PreparedPiece {
                translate: model_text.chars().any(|c| script.has_letter(c)),
                span,
                model_text,
            }
        })
        .collect();
    PreparedParagraph { span: para, pieces }
}

/// Cuts debris and segments every paragraph the same way.
pub fn prepare(text: &str, segmenting: &Segmenting) -> PreparedArticle {
    let cleaned = clean_article(text);
    PreparedArticle {
        removed: cleaned.removed,
        paragraphs: cleaned
            .paragraphs
            .into_iter()
            .map(|para| prepare_paragraph(text, para, segmenting))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arabic_sentences<'a>(max_tokens: usize, count: &'a dyn Fn(&str) -> usize) -> Segmenting<'a> {
        Segmenting {
            by_sentence: true,
            max_tokens,
            count_tokens: count,
            language: "ar",
        }
    }

    #[test]
    fn seed_pieces_tile_paragraphs_and_debris_is_listed() {
        let text = include_str!("../../seeds/001_d0c9e97734a90cd3.txt");
        let words = |s: &str| s.split_whitespace().count() + 1;
        let prepared = prepare(text, &arabic_sentences(40, &words));
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
        let prepared = prepare("قال الوزير. 2015.\n", &arabic_sentences(100, &str::len));
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
