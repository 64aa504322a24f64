//! From articles to sealed records: prepare, translate every sentence of
//! the batch together, summarize, and assemble each article's record.
//!
//! What it is not: loading models (`super::load`) or writing files
//! (`crate::run`, `crate::output::OutputFolder`); records come back in
//! memory.

use anyhow::Result;
use rayon::prelude::*;

use crate::input::article::{
    prepare, PreparedArticle, PreparedParagraph, PreparedPiece, SourceArticle,
};
use crate::names::grounding::{names_not_in_source, ArabicNames};
use crate::output::labels::Flag;
use crate::output::record::{
    ParagraphRecord, Record, RemovedText, SentenceRecord, SourceInfo, Totals, RECORD_FORMAT,
    VERSION,
};
use crate::pipeline::Pipeline;
use crate::translate::translation::Translation;

/// Translates articles into sealed records (no files written). Sentences
/// of all articles are translated together.
pub fn translate_articles(articles: &[SourceArticle], pipeline: &Pipeline) -> Result<Vec<Record>> {
    let prepared = prepare_all(articles, pipeline);
    // Counting letters over the whole text once per article, not twice.
    let arabic: Vec<bool> = articles.iter().map(SourceArticle::is_arabic).collect();
    let texts = texts_to_translate(&prepared, &arabic);
    let mut translations = pipeline.translator.translate(&texts)?.into_iter();
    let mut records = Vec::with_capacity(articles.len());
    for ((article, prep), arabic) in articles.iter().zip(prepared).zip(arabic) {
        let mut paragraphs: Vec<ParagraphRecord> = prep
            .paragraphs
            .into_iter()
            .map(|para| paragraph_record(article, arabic, para, &mut translations))
            .collect();
        if arabic {
            check_names(article, &mut paragraphs);
        }
        let record = assemble(article, arabic, prep.removed, paragraphs, pipeline)?;
        records.push(record.seal()?);
    }
    Ok(records)
}

/// Flags every translated sentence that names someone or somewhere the
/// article's Arabic does not, whichever translator wrote it.
pub fn check_names(article: &SourceArticle, paragraphs: &mut [ParagraphRecord]) {
    let source = ArabicNames::of(&article.text);
    for sentence in paragraphs.iter_mut().flat_map(|p| &mut p.sentences) {
        if sentence.copied {
            continue;
        }
        let names = names_not_in_source(&sentence.translation, &source);
        if !names.is_empty() {
            sentence.flags.push(Flag::NameNotInSource);
            sentence.names_not_in_source = names;
        }
    }
}

/// Cuts and segments every article (in parallel) as the translator needs.
fn prepare_all(articles: &[SourceArticle], pipeline: &Pipeline) -> Vec<PreparedArticle> {
    let translator = &pipeline.translator;
    let count = |s: &str| translator.count_tokens(s);
    articles
        .par_iter()
        .map(|a| {
            prepare(
                &a.text,
                translator.by_sentence(),
                translator.max_source_tokens(),
                &count,
            )
        })
        .collect()
}

/// The model text of every piece to translate, articles in order: only
/// Arabic articles' pieces, and of those only the ones marked `translate`.
/// [`translate_articles`] takes the translations back in the same order.
fn texts_to_translate(prepared: &[PreparedArticle], arabic: &[bool]) -> Vec<String> {
    let mut texts = Vec::new();
    for (prep, _) in prepared.iter().zip(arabic).filter(|(_, &a)| a) {
        for piece in prep.paragraphs.iter().flat_map(|p| &p.pieces) {
            if piece.translate {
                texts.push(piece.model_text.clone());
            }
        }
    }
    texts
}

/// A paragraph's record: its sentences, and their translations joined.
/// `translations` yields, in order, the translation of each piece that
/// [`texts_to_translate`] sent (pieces marked `translate` of Arabic
/// articles).
fn paragraph_record(
    article: &SourceArticle,
    arabic: bool,
    para: PreparedParagraph,
    translations: &mut impl Iterator<Item = Translation>,
) -> ParagraphRecord {
    let sentences: Vec<SentenceRecord> = para
        .pieces
        .into_iter()
        .map(|piece| {
            let translation = (arabic && piece.translate)
                .then(|| translations.next().expect("one translation per piece sent"));
            sentence_record(article, piece, translation)
        })
        .collect();
    let translation = sentences
        .iter()
        .map(|s| s.translation.as_str())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    ParagraphRecord {
        span: [para.span.start, para.span.end],
        source: article.text[para.span.clone()].to_string(),
        translation,
        sentences,
    }
}

/// A piece's record: the model's translation, or, without one, the piece
/// copied through as it was given to the model.
fn sentence_record(
    article: &SourceArticle,
    piece: PreparedPiece,
    translation: Option<Translation>,
) -> SentenceRecord {
    let span = [piece.span.start, piece.span.end];
    let source = article.text[piece.span].to_string();
    match translation {
        Some(t) => SentenceRecord {
            span,
            source,
            translation: t.text,
            source_tokens: t.source_tokens,
            target_tokens: t.target_tokens,
            copied: false,
            flags: t.flags,
            names_not_in_source: Vec::new(),
        },
        None => SentenceRecord {
            span,
            source,
            translation: piece.model_text,
            source_tokens: 0,
            target_tokens: 0,
            copied: true,
            flags: Vec::new(),
            names_not_in_source: Vec::new(),
        },
    }
}

/// What a record says of its source file.
pub fn source_info(article: &SourceArticle, arabic: bool) -> SourceInfo {
    SourceInfo {
        path: article.path.display().to_string(),
        sha256: article.sha256.clone(),
        bytes: article.bytes,
        encoding: article.encoding.to_string(),
        language: if arabic { "ar" } else { "not-arabic" }.to_string(),
    }
}

/// Sentence and token counts over an article's sentences.
pub fn totals(paragraphs: &[ParagraphRecord]) -> Totals {
    let mut totals = Totals::default();
    for sentence in paragraphs.iter().flat_map(|p| &p.sentences) {
        totals.sentences += 1;
        totals.source_tokens += sentence.source_tokens;
        totals.target_tokens += sentence.target_tokens;
    }
    totals
}

/// Summarizes the translated paragraphs and puts the record together (not
/// sealed yet).
fn assemble(
    article: &SourceArticle,
    arabic: bool,
    removed: Vec<RemovedText>,
    paragraphs: Vec<ParagraphRecord>,
    pipeline: &Pipeline,
) -> Result<Record> {
    let translator = &pipeline.translator;
    let paragraph_texts: Vec<&str> = paragraphs.iter().map(|p| p.translation.as_str()).collect();
    let sentence_texts: Vec<&str> = paragraphs
        .iter()
        .flat_map(|p| p.sentences.iter().map(|s| s.translation.as_str()))
        .collect();
    let summary = pipeline
        .summarizer
        .summarize(&paragraph_texts, &sentence_texts)
        .map_err(|e| anyhow::anyhow!("{}: summary failed: {e:#}", article.path.display()))?;
    Ok(Record {
        format: RECORD_FORMAT,
        id: article.id.clone(),
        tarjama_version: VERSION.to_string(),
        source: source_info(article, arabic),
        removed,
        totals: totals(&paragraphs),
        paragraphs,
        translator: translator.fingerprint().clone(),
        decoding: translator.settings(),
        summary,
        record_sha256: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn sentence(source: &str, translation: &str, copied: bool) -> SentenceRecord {
        SentenceRecord {
            span: [0, source.len()],
            source: source.into(),
            translation: translation.into(),
            source_tokens: 1,
            target_tokens: 1,
            copied,
            flags: vec![],
            names_not_in_source: vec![],
        }
    }

    /// Written for this test: the Arabic names Erdogan and Ankara only.
    #[test]
    fn a_translated_sentence_naming_someone_the_arabic_does_not_is_flagged() {
        let arabic = "وصل أردوغان إلى أنقرة يوم الاثنين.";
        let article =
            SourceArticle::from_bytes(Path::new("in/x.txt"), format!("{arabic}\n").as_bytes())
                .unwrap();
        let mut paragraphs = vec![ParagraphRecord {
            span: [0, arabic.len()],
            source: arabic.into(),
            translation: String::new(),
            sentences: vec![
                sentence(arabic, "Erdogan arrived in Ankara on Monday.", false),
                sentence(arabic, "Erdogan met Chancellor Merkel in Ankara.", false),
                // Copied English is the source's own text, not a translation.
                sentence("Merkel", "Merkel", true),
            ],
        }];
        check_names(&article, &mut paragraphs);
        let sentences = &paragraphs[0].sentences;
        assert!(sentences[0].flags.is_empty());
        assert!(sentences[0].names_not_in_source.is_empty());
        assert_eq!(sentences[1].flags, [Flag::NameNotInSource]);
        assert_eq!(sentences[1].names_not_in_source, ["Merkel"]);
        assert!(sentences[2].flags.is_empty());
    }
}
