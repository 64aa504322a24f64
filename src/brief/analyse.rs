//! One record → what the brief uses from it: the entities, dates and
//! loaded wording its Arabic source names, the names no list holds that
//! its translation gives and its Arabic backs (`ArticleAnalysis`), and the
//! words and names grouping compares (`ArticleFeatures`).
//!
//! Those lists are Arabic's: a paragraph in another language (Persian,
//! French, English copied through) gets its names from its English
//! translation alone (`names::finding::names_in_english`), no dates or
//! wording, and its article a note saying so ([`language_note`]).
//!
//! Everything here looks at one article alone, on the normalized Arabic of
//! each sentence; comparing articles is `group`'s and `build`'s work. What
//! it is not: a reader of files — it gets a parsed record.

use std::collections::BTreeSet;

use super::dates::{self, DateMention};
use super::dating;
use super::group::{self, ArticleFeatures};
use super::model::{ArticleAnalysis, EntityNote, WordingNote};
use super::wording::Lexicon;
use crate::input::language::{language_name, UNDETERMINED};
use crate::names::finding::{find_names, names_in_english};
use crate::names::gazetteer::{Entity, EntityKind, Gazetteer};
use crate::output::record::Record;
use crate::text::arabic;

/// Analyses one record: every sentence's source is matched against the
/// gazetteer and the lexicon; removed lines are searched for credits only.
pub fn analyse(record: Record) -> ArticleAnalysis {
    let gazetteer = Gazetteer::builtin();
    let lexicon = Lexicon::builtin();
    let mut entities = Vec::new();
    let mut dates = Vec::new();
    let mut wording = Vec::new();
    let mut found = Vec::new();
    for (index, paragraph) in record.paragraphs.iter().enumerate() {
        let number = index + 1;
        if !reads_arabic_lists(&paragraph.language.code) {
            // The gazetteer's spellings, the transliteration rules, the
            // date words and the lexicon are Arabic; in any other language
            // the names come from the English alone, and nothing else does.
            for sentence in &paragraph.sentences {
                let (listed, names) = names_in_english(&sentence.translation);
                // No source spelling: nothing ties the name to a word of
                // the source (the table lists none for this mention).
                entities.extend(listed.into_iter().map(|entity| EntityNote {
                    entity,
                    surface: String::new(),
                    paragraph: Some(number),
                }));
                found.extend(names.into_iter().map(|name| (number, name)));
            }
            continue;
        }
        for sentence in &paragraph.sentences {
            if !sentence.copied {
                found.extend(
                    find_names(&sentence.source, &sentence.translation)
                        .into_iter()
                        .map(|name| (number, name)),
                );
            }
            let tokens = arabic::tokenize(&sentence.source);
            for mention in gazetteer.find(&sentence.source, &tokens) {
                entities.push(EntityNote {
                    entity: mention.entity,
                    surface: mention.surface,
                    paragraph: Some(number),
                });
            }
            for date in dates::find_dates(&tokens) {
                dates.push((number, date));
            }
            // Sentence spans are offsets into the article; the paragraph's
            // own offset turns them into offsets into its text.
            let offset = sentence.span[0].checked_sub(paragraph.span[0]);
            for found in lexicon.find(&sentence.source, &tokens) {
                let span_in_paragraph = offset
                    .map(|o| found.span.start + o..found.span.end + o)
                    .filter(|s| {
                        paragraph.source.get(s.clone()) == sentence.source.get(found.span.clone())
                    })
                    .unwrap_or(0..0);
                wording.push(WordingNote {
                    term: found.term,
                    surface: found.surface,
                    paragraph: number,
                    sentence_source: sentence.source.trim().to_string(),
                    sentence_translation: sentence.translation.trim().to_string(),
                    span_in_paragraph,
                });
            }
        }
    }
    entities.extend(credits_in_removed_lines(&record));
    let named: Vec<usize> = entities
        .iter()
        .map(|e| e.entity)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let date_list: Vec<DateMention> = dates.iter().map(|(_, d)| d.clone()).collect();
    let date_estimate = dating::estimate(gazetteer, &named, &date_list);
    let mut agencies: Vec<String> = Vec::new();
    for note in &entities {
        let entity = &gazetteer.entities[note.entity];
        if entity.kind == EntityKind::Agency && !agencies.contains(&entity.name) {
            agencies.push(entity.name.clone());
        }
    }
    ArticleAnalysis {
        record,
        entities,
        found,
        agencies,
        dates,
        wording,
        date_estimate,
    }
}

/// Whether the Arabic-only lists (gazetteer spellings, transliteration,
/// dates, wording lexicon) read text in language `code`.
pub fn reads_arabic_lists(code: &str) -> bool {
    code == "ar"
}

/// What the brief says of an article whose source is not (all) Arabic:
/// which lists it could not use. `None` for an Arabic article.
pub fn language_note(record: &Record) -> Option<String> {
    let article_language = &record.source.language.code;
    let others: BTreeSet<String> = record
        .paragraphs
        .iter()
        .map(|p| p.language.code.clone())
        .filter(|code| !reads_arabic_lists(code) && code != UNDETERMINED)
        .collect();
    if reads_arabic_lists(article_language) && others.is_empty() {
        return None;
    }
    let languages: Vec<String> = others.iter().map(|c| language_name(c)).collect();
    let subject = if reads_arabic_lists(article_language) {
        format!("its paragraphs in {}", languages.join(" and "))
    } else {
        format!("this article is in {}", language_name(article_language))
    };
    Some(format!(
        "Wording notes, dates and name lists are Arabic-only; {subject}, so names there come from the English translation only and no wording is noted"
    ))
}

/// Agencies named in the lines left out as page debris, where credits
/// often are; other names there are not the article's.
fn credits_in_removed_lines(record: &Record) -> Vec<EntityNote> {
    let gazetteer = Gazetteer::builtin();
    let mut credits = Vec::new();
    for removed in &record.removed {
        let tokens = arabic::tokenize(&removed.text);
        for mention in gazetteer.find(&removed.text, &tokens) {
            if gazetteer.entities[mention.entity].kind == EntityKind::Agency {
                credits.push(EntityNote {
                    entity: mention.entity,
                    surface: mention.surface,
                    paragraph: None,
                });
            }
        }
    }
    credits
}

/// What grouping compares of an article: its Arabic content words, its
/// English words and the names (not agencies) it mentions, listed or
/// found (`entities`: the brief's, see `Brief::entities`).
pub fn features(article: &ArticleAnalysis, entities: &[Entity]) -> ArticleFeatures {
    let record = &article.record;
    let source: Vec<&str> = record
        .paragraphs
        .iter()
        .filter(|p| reads_arabic_lists(&p.language.code))
        .map(|p| p.source.as_str())
        .collect();
    let english: Vec<&str> = record
        .paragraphs
        .iter()
        .map(|p| p.translation.as_str())
        .collect();
    ArticleFeatures {
        arabic: arabic::content_words(&source.join("\n")),
        other_language: !reads_arabic_lists(&record.source.language.code),
        english: group::english_words(&english.join("\n")),
        entities: article
            .entities
            .iter()
            .filter(|e| entities[e.entity].kind != EntityKind::Agency)
            .map(|e| entities[e.entity].name.clone())
            .collect(),
    }
}
