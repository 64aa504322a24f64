//! From articles to sealed records: prepare, translate every sentence of
//! the batch together, summarize, and assemble each article's record.
//!
//! What it is not: loading models (`super::load`) or writing files
//! (`crate::run`); records come back in memory.

use anyhow::Result;
use rayon::prelude::*;

use crate::input::article::{prepare, SourceArticle};
use crate::output::record::{
    ParagraphRecord, Record, SentenceRecord, SourceInfo, Totals, RECORD_FORMAT, VERSION,
};
use crate::pipeline::Pipeline;

/// Translates articles into sealed records (no files written). Sentences
/// of all articles are translated together.
pub fn translate_articles(articles: &[SourceArticle], pipeline: &Pipeline) -> Result<Vec<Record>> {
    let translator = &pipeline.translator;
    let count = |s: &str| translator.count_tokens(s);
    let prepared: Vec<_> = articles
        .par_iter()
        .map(|a| {
            prepare(
                &a.text,
                translator.by_sentence(),
                translator.max_source_tokens(),
                &count,
            )
        })
        .collect();
    // Counting letters over the whole text once per article, not twice.
    let arabic: Vec<bool> = articles.iter().map(SourceArticle::is_arabic).collect();
    let mut texts = Vec::new();
    for (prep, _) in prepared.iter().zip(&arabic).filter(|(_, &a)| a) {
        for piece in prep.paragraphs.iter().flat_map(|p| &p.pieces) {
            if piece.translate {
                texts.push(piece.model_text.clone());
            }
        }
    }
    let mut translations = translator.translate(&texts)?.into_iter();
    let mut records = Vec::with_capacity(articles.len());
    for ((article, prep), arabic) in articles.iter().zip(prepared).zip(arabic) {
        let mut totals = Totals::default();
        let paragraphs: Vec<ParagraphRecord> = prep
            .paragraphs
            .into_iter()
            .map(|para| {
                let sentences: Vec<SentenceRecord> = para
                    .pieces
                    .into_iter()
                    .map(|piece| {
                        let source = article.text[piece.span.clone()].to_string();
                        let (translation, source_tokens, target_tokens, copied, flags) = if arabic
                            && piece.translate
                        {
                            let t = translations.next().expect("one translation per piece sent");
                            (t.text, t.source_tokens, t.target_tokens, false, t.flags)
                        } else {
                            (piece.model_text.clone(), 0, 0, true, Vec::new())
                        };
                        totals.sentences += 1;
                        totals.source_tokens += source_tokens;
                        totals.target_tokens += target_tokens;
                        SentenceRecord {
                            span: [piece.span.start, piece.span.end],
                            source,
                            translation,
                            source_tokens,
                            target_tokens,
                            copied,
                            flags,
                        }
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
            })
            .collect();
        let paragraph_texts: Vec<&str> =
            paragraphs.iter().map(|p| p.translation.as_str()).collect();
        let sentence_texts: Vec<&str> = paragraphs
            .iter()
            .flat_map(|p| p.sentences.iter().map(|s| s.translation.as_str()))
            .collect();
        let summary = pipeline
            .summarizer
            .summarize(&paragraph_texts, &sentence_texts)
            .map_err(|e| anyhow::anyhow!("{}: summary failed: {e:#}", article.path.display()))?;
        let record = Record {
            format: RECORD_FORMAT,
            id: article.id.clone(),
            tarjama_version: VERSION.to_string(),
            source: SourceInfo {
                path: article.path.display().to_string(),
                sha256: article.sha256.clone(),
                bytes: article.bytes,
                encoding: article.encoding.to_string(),
                language: if arabic { "ar" } else { "not-arabic" }.to_string(),
            },
            removed: prep.removed,
            paragraphs,
            translator: translator.fingerprint().clone(),
            decoding: translator.settings(),
            summary,
            totals,
            record_sha256: String::new(),
        };
        records.push(record.seal()?);
    }
    Ok(records)
}
