//! From articles to sealed records: identify each article's language and
//! each paragraph's, route every paragraph to its translator, translate
//! the batch's sentences together per (model, language), summarize, and
//! assemble each article's record.
//!
//! One article's trouble (a language with no route, a route whose model
//! does not load, a failed summary) fails that article alone, with one
//! line naming its file; the others go on. What it is not: loading models
//! (`super::load`, `super::routes`) or writing files (`crate::run`,
//! `crate::output::OutputFolder`); records come back in memory.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{anyhow, Result};
use rayon::prelude::*;

use crate::input::article::{
    clean_article, prepare_paragraph, PreparedParagraph, PreparedPiece, Segmenting, SourceArticle,
};
use crate::input::language::{identify, paragraph_language, IdentifiedLanguage, UNDETERMINED};
use crate::names::grounding::{names_not_in_source, ArabicNames};
use crate::output::labels::Flag;
use crate::output::record::{
    ParagraphRecord, Record, RemovedText, SentenceRecord, SourceInfo, Totals, TranslatorRecord,
    RECORD_FORMAT, VERSION,
};
use crate::pipeline::Pipeline;
use crate::translate::translation::Translation;
use crate::translate::Translator;

/// Translates articles into sealed records (no files written), one result
/// per article in order. Sentences of all articles that share a route are
/// translated together.
pub fn translate_articles(articles: &[SourceArticle], pipeline: &Pipeline) -> Vec<Result<Record>> {
    let plans: Vec<Result<ArticlePlan>> = articles
        .par_iter()
        .map(|article| plan_article(article, pipeline))
        .collect();
    let mut translated = translate_planned(&plans);
    articles
        .iter()
        .zip(plans)
        .enumerate()
        .map(|(index, (article, plan))| {
            let plan = plan?;
            let translations = translated
                .remove(&index)
                .unwrap_or_else(|| Ok(BTreeMap::new()))
                .map_err(|e| anyhow!("{}: translation failed: {e}", article.path.display()))?;
            let record = assemble(article, plan, translations, pipeline)?;
            record.seal()
        })
        .collect()
}

/// An article cut and routed, before translation.
struct ArticlePlan {
    language: IdentifiedLanguage,
    removed: Vec<RemovedText>,
    paragraphs: Vec<PlannedParagraph>,
}

struct PlannedParagraph {
    prepared: PreparedParagraph,
    language: IdentifiedLanguage,
    /// The model and its translator; `None`: copied as it is.
    route: Option<(String, Arc<Translator>)>,
}

/// Where a piece's translation goes back: (paragraph, piece) of an article.
type PieceAt = (usize, usize);

/// The article's language (given, or identified on its kept text), each
/// paragraph's, its route's translator, and the pieces that translator
/// sees. Fails (one line) on a language without a working route.
fn plan_article(article: &SourceArticle, pipeline: &Pipeline) -> Result<ArticlePlan> {
    let text = &article.text;
    let cleaned = clean_article(text);
    let kept: Vec<&str> = cleaned
        .paragraphs
        .iter()
        .map(|p| &text[p.clone()])
        .collect();
    let language = match &pipeline.source_language {
        Some(code) => IdentifiedLanguage::given(code),
        None => identify(&kept.join("\n")),
    };
    let mut paragraphs = Vec::with_capacity(kept.len());
    for (span, para_text) in cleaned.paragraphs.iter().zip(&kept) {
        let para_language = paragraph_language(&language, para_text);
        let copied = para_language.is_english() || para_language.code == UNDETERMINED;
        let route = if copied {
            None
        } else {
            Some(
                pipeline
                    .routes
                    .translator_for(&para_language.code)
                    .map_err(|e| anyhow!("{}: {e}", article.path.display()))?,
            )
        };
        let prepared = match &route {
            Some((_, translator)) => {
                let count = |s: &str| translator.count_tokens(s);
                let segmenting = Segmenting {
                    by_sentence: translator.by_sentence(),
                    max_tokens: translator.max_source_tokens(),
                    count_tokens: &count,
                    language: &para_language.code,
                };
                prepare_paragraph(text, span.clone(), &segmenting)
            }
            None => copied_paragraph(text, span.clone()),
        };
        paragraphs.push(PlannedParagraph {
            prepared,
            language: para_language,
            route,
        });
    }
    Ok(ArticlePlan {
        language,
        removed: cleaned.removed,
        paragraphs,
    })
}

/// A paragraph copied as it is (English, or no letters): cut at sentences
/// like any other, and no piece sent to a model.
fn copied_paragraph(text: &str, span: std::ops::Range<usize>) -> PreparedParagraph {
    let words = |s: &str| s.split_whitespace().count();
    let segmenting = Segmenting {
        by_sentence: true,
        max_tokens: usize::MAX,
        count_tokens: &words,
        // Copied text is English, or has no letters for any rule to see.
        language: "en",
    };
    let mut prepared = prepare_paragraph(text, span, &segmenting);
    for piece in &mut prepared.pieces {
        piece.translate = false;
    }
    prepared
}

/// Every translated piece of the batch, by article: translated together
/// per (model, language), in that order, so the result never depends on
/// threads. A failed group fails its articles with its error.
fn translate_planned(
    plans: &[Result<ArticlePlan>],
) -> BTreeMap<usize, Result<BTreeMap<PieceAt, Translation>, String>> {
    type Group<'a> = (&'a Translator, Vec<(usize, PieceAt)>, Vec<String>);
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for (index, plan) in plans.iter().enumerate() {
        let Ok(plan) = plan else { continue };
        for (p, para) in plan.paragraphs.iter().enumerate() {
            let Some((model, translator)) = &para.route else {
                continue;
            };
            let key = (model.clone(), para.language.code.clone());
            let group = groups
                .entry(key)
                .or_insert_with(|| (translator.as_ref(), Vec::new(), Vec::new()));
            for (i, piece) in para.prepared.pieces.iter().enumerate() {
                if piece.translate {
                    group.1.push((index, (p, i)));
                    group.2.push(piece.model_text.clone());
                }
            }
        }
    }
    let mut by_article: BTreeMap<usize, Result<BTreeMap<PieceAt, Translation>, String>> =
        BTreeMap::new();
    for ((_, language), (translator, places, texts)) in groups {
        match translator.translate(&language, &texts) {
            Ok(translations) => {
                for ((index, at), translation) in places.into_iter().zip(translations) {
                    if let Ok(map) = by_article
                        .entry(index)
                        .or_insert_with(|| Ok(BTreeMap::new()))
                    {
                        map.insert(at, translation);
                    }
                }
            }
            Err(e) => {
                let error = format!("{e:#}");
                for (index, _) in places {
                    by_article.insert(index, Err(error.clone()));
                }
            }
        }
    }
    by_article
}

/// Flags every translated sentence of an Arabic paragraph that names
/// someone or somewhere the article's Arabic does not, whichever
/// translator wrote it. (The name lists are Arabic's; other languages'
/// paragraphs are not checked.)
pub fn check_names(article: &SourceArticle, paragraphs: &mut [ParagraphRecord]) {
    let source = ArabicNames::of(&article.text);
    for paragraph in paragraphs.iter_mut().filter(|p| p.language.code == "ar") {
        for sentence in paragraph.sentences.iter_mut() {
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
}

/// A paragraph's record: its sentences, and their translations joined.
fn paragraph_record(
    article: &SourceArticle,
    index: usize,
    para: PlannedParagraph,
    translations: &mut BTreeMap<PieceAt, Translation>,
) -> ParagraphRecord {
    let sentences: Vec<SentenceRecord> = para
        .prepared
        .pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| {
            let translation = translations.remove(&(index, i));
            sentence_record(article, piece, translation)
        })
        .collect();
    let translation = sentences
        .iter()
        .map(|s| s.translation.as_str())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let span = para.prepared.span;
    ParagraphRecord {
        span: [span.start, span.end],
        source: article.text[span].to_string(),
        language: para.language,
        model: para.route.map(|(model, _)| model),
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
pub fn source_info(article: &SourceArticle, language: IdentifiedLanguage) -> SourceInfo {
    SourceInfo {
        path: article.path.display().to_string(),
        sha256: article.sha256.clone(),
        bytes: article.bytes,
        encoding: article.encoding.to_string(),
        language,
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

/// The models an article's paragraphs went to, in order of first use, with
/// the languages each took.
fn translators_used(paragraphs: &[PlannedParagraph]) -> Vec<TranslatorRecord> {
    let mut used: Vec<TranslatorRecord> = Vec::new();
    for para in paragraphs {
        let Some((_, translator)) = &para.route else {
            continue;
        };
        let fingerprint = translator.fingerprint();
        let position = used.iter().position(|u| u.model == *fingerprint);
        let entry = match position {
            Some(i) => &mut used[i],
            None => {
                used.push(TranslatorRecord {
                    languages: Vec::new(),
                    model: fingerprint.clone(),
                    decoding: translator.settings(),
                });
                used.last_mut().expect("just pushed")
            }
        };
        if !entry.languages.contains(&para.language.code) {
            entry.languages.push(para.language.code.clone());
        }
    }
    used
}

/// Builds the paragraph records, checks names, summarizes, and puts the
/// record together (not sealed yet).
fn assemble(
    article: &SourceArticle,
    plan: ArticlePlan,
    mut translations: BTreeMap<PieceAt, Translation>,
    pipeline: &Pipeline,
) -> Result<Record> {
    let translators = translators_used(&plan.paragraphs);
    let mut paragraphs: Vec<ParagraphRecord> = plan
        .paragraphs
        .into_iter()
        .enumerate()
        .map(|(index, para)| paragraph_record(article, index, para, &mut translations))
        .collect();
    check_names(article, &mut paragraphs);
    let paragraph_texts: Vec<&str> = paragraphs.iter().map(|p| p.translation.as_str()).collect();
    let sentence_texts: Vec<&str> = paragraphs
        .iter()
        .flat_map(|p| p.sentences.iter().map(|s| s.translation.as_str()))
        .collect();
    let summary = pipeline
        .summarizer
        .summarize(&paragraph_texts, &sentence_texts)
        .map_err(|e| anyhow!("{}: summary failed: {e:#}", article.path.display()))?;
    Ok(Record {
        format: RECORD_FORMAT,
        id: article.id.clone(),
        tarjama_version: VERSION.to_string(),
        source: source_info(article, plan.language),
        removed: plan.removed,
        totals: totals(&paragraphs),
        paragraphs,
        translators,
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
            language: IdentifiedLanguage::given("ar"),
            model: None,
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
