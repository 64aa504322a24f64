//! Articles → stories: groups the analysed articles (`group`) and, per
//! story, picks the central article and its headline, merges the article
//! summaries extractively, writes one bullet per article and the entity and
//! date tables. The result is a `Brief` ready to render.
//!
//! Everything is deterministic (sorted maps, ties broken by article order),
//! so the same records give the same brief. What it is not: a model run —
//! the merged summary here is extractive; `model_merge` may replace it
//! afterwards with a model's merge.

use std::collections::{BTreeMap, BTreeSet};

use super::analyse::{analyse, features};
use super::dating::{self, Consensus, DateEstimate, Day};
use super::group::{self, ArticleFeatures};
use super::model::{
    Anchor, ArticleAnalysis, Brief, BriefSettings, Bullet, DateRow, EntityNote, EntityRow, Quote,
    Source, Story, Window,
};
use crate::names::finding::FoundName;
use crate::names::gazetteer::{Entity, EntityKind, Gazetteer, List};
use crate::names::register::register;
use crate::output::labels::{self, Method};
use crate::output::record::Record;
use crate::text::arabic;
use crate::text::tfidf;

/// Builds the brief from records (any order; they are sorted by id).
pub fn build(records: Vec<Record>, skipped: Vec<String>, settings: BriefSettings) -> Brief {
    let (mut articles, window) = within_window(analysed(records), settings.since);
    let entities = register_found_names(&mut articles);
    let features = grouping_features_of(&articles, &entities);
    let corpus = group::Corpus::new(&features);
    let stories = corpus
        .group(settings.similarity)
        .into_iter()
        .map(|members| build_story(&articles, &entities, members, &corpus))
        .collect();
    Brief {
        labels: Brief::labels_of(&articles),
        articles,
        entities,
        stories,
        skipped,
        settings,
        window,
    }
}

/// What grouping compares of each record (sorted by id, as `build` sorts
/// them), with every record kept: for tests of the grouping itself.
pub fn grouping_features(records: Vec<Record>) -> Vec<ArticleFeatures> {
    let mut articles = analysed(records);
    let entities = register_found_names(&mut articles);
    grouping_features_of(&articles, &entities)
}

/// Each record analysed on its own, in id order.
fn analysed(mut records: Vec<Record>) -> Vec<ArticleAnalysis> {
    records.sort_by(|a, b| a.id.cmp(&b.id));
    records.into_iter().map(analyse).collect()
}

fn grouping_features_of(articles: &[ArticleAnalysis], entities: &[Entity]) -> Vec<ArticleFeatures> {
    articles.iter().map(|a| features(a, entities)).collect()
}

/// The articles `--since` keeps (see `Window`): those whose date estimate
/// can be on or after the day, and those with none.
fn within_window(
    articles: Vec<ArticleAnalysis>,
    since: Option<Day>,
) -> (Vec<ArticleAnalysis>, Option<Window>) {
    let Some(since) = since else {
        return (articles, None);
    };
    let (kept, earlier): (Vec<ArticleAnalysis>, Vec<ArticleAnalysis>) =
        articles.into_iter().partition(|a| {
            a.date_estimate
                .as_ref()
                .is_none_or(|e| e.can_be_on_or_after(since))
        });
    let window = Window {
        since,
        left_out: earlier.iter().map(|a| a.id().to_string()).collect(),
        undated: kept.iter().filter(|a| a.date_estimate.is_none()).count(),
    };
    (kept, Some(window))
}

/// The brief's entities: the gazetteer's, then the names found in the
/// articles' text merged across all of them (`names::register`), so a
/// person has one English name in every story; each article's notes gain
/// its found names.
fn register_found_names(articles: &mut [ArticleAnalysis]) -> Vec<Entity> {
    let mut entities = Gazetteer::builtin().entities.clone();
    let mentions: Vec<FoundName> = articles
        .iter()
        .flat_map(|a| a.found.iter().map(|(_, name)| name.clone()))
        .collect();
    let (names, index) = register(&mentions);
    let first_found = entities.len();
    entities.extend(names.into_iter().map(|name| Entity {
        name: name.english,
        kind: name.kind,
        role: None,
        term: None,
        list: List::Text,
    }));
    let mut index = index.into_iter();
    for article in articles.iter_mut() {
        for (paragraph, name) in &article.found {
            let which = index.next().expect("one index per mention");
            article.entities.push(EntityNote {
                entity: first_found + which,
                surface: name.arabic.clone(),
                paragraph: Some(*paragraph),
            });
        }
    }
    entities
}

/// Longest "adds" quote, in words.
const ADDS_WORDS: usize = 40;

/// Longest headline, in words.
const HEADLINE_WORDS: usize = 24;

/// One story from its member articles (indexes into `articles`,
/// ascending); `corpus` compares two articles as grouping did.
fn build_story(
    articles: &[ArticleAnalysis],
    entities: &[Entity],
    members: Vec<usize>,
    corpus: &group::Corpus,
) -> Story {
    let central = central_article(&members, corpus);
    let mut headline = lead_sentence(&articles[central], central);
    headline.text = cut_words(&headline.text, HEADLINE_WORDS);

    let candidates: Vec<Quote> = members
        .iter()
        .flat_map(|&i| summary_candidates(&articles[i], i))
        .collect();
    let summary = merged_summary(&candidates);
    let summary_method = summary_method(articles, &members);

    let estimates: Vec<&DateEstimate> = members
        .iter()
        .filter_map(|&i| articles[i].date_estimate.as_ref())
        .collect();
    let time = dating::consensus(&estimates);

    Story {
        bullets: bullets(articles, entities, &members, time),
        entities: entity_rows(articles, entities, &members),
        dates: date_rows(articles, &members),
        articles: members,
        central,
        headline,
        summary,
        summary_method,
        model_summary: None,
        time,
    }
}

/// The central article: highest total similarity to the others; ties to
/// the lower id. Only the story's own pairs are compared, each total once.
fn central_article(members: &[usize], corpus: &group::Corpus) -> usize {
    let total = |x: usize| {
        members
            .iter()
            .map(|&m| corpus.similarity(x, m))
            .sum::<f64>()
    };
    members
        .iter()
        .map(|&x| (total(x), x))
        .max_by(|(ta, a), (tb, b)| ta.total_cmp(tb).then(b.cmp(a)))
        .expect("a story has an article")
        .1
}

/// What the extractive merged summary was made from, in words.
fn summary_method(articles: &[ArticleAnalysis], members: &[usize]) -> String {
    let methods: BTreeSet<&str> = members
        .iter()
        .map(|&i| match &articles[i].record.summary {
            Some(s) if summary_is_sound(&articles[i].record) => {
                if s.shown_method() == Method::Model {
                    "model-written summaries"
                } else {
                    "extractive summaries"
                }
            }
            _ => "first sentences where a summary is missing or failed its checks",
        })
        .collect();
    format!(
        "extractive — the sentences most central to the story, taken from the articles' {}",
        methods.into_iter().collect::<Vec<_>>().join(" and ")
    )
}

/// One bullet per member article, in member order.
fn bullets(
    articles: &[ArticleAnalysis],
    entities: &[Entity],
    members: &[usize],
    time: Option<Consensus>,
) -> Vec<Bullet> {
    // Each article's Arabic content words, and per word how many of the
    // story's articles use it (once per story, for `distinctive`).
    let vocabularies: Vec<BTreeSet<String>> = members
        .iter()
        .map(|&i| {
            articles[i]
                .record
                .paragraphs
                .iter()
                .flat_map(|p| arabic::content_words(&p.source))
                .collect()
        })
        .collect();
    let mut articles_using: BTreeMap<String, usize> = BTreeMap::new();
    for vocabulary in &vocabularies {
        for word in vocabulary {
            *articles_using.entry(word.clone()).or_default() += 1;
        }
    }
    members
        .iter()
        .enumerate()
        .map(|(which, &index)| {
            let article = &articles[index];
            Bullet {
                article: index,
                adds: distinctive(article, index, &vocabularies[which], &articles_using),
                only_here: only_here(articles, entities, members, index),
                apart_months: apart_months(article, members.len(), time),
            }
        })
        .collect()
}

/// The entities (not agencies) article `index` names and no other member
/// does, each once, with its first mention.
fn only_here(
    articles: &[ArticleAnalysis],
    entities: &[Entity],
    members: &[usize],
    index: usize,
) -> Vec<(String, Source)> {
    let elsewhere: BTreeSet<usize> = members
        .iter()
        .filter(|&&m| m != index)
        .flat_map(|&m| articles[m].entities.iter().map(|e| e.entity))
        .collect();
    let mut only_here: Vec<(String, Source)> = Vec::new();
    for note in &articles[index].entities {
        let entity = &entities[note.entity];
        // In a story of one article every name is "only here"; that
        // says nothing.
        if members.len() == 1
            || entity.kind == EntityKind::Agency
            || elsewhere.contains(&note.entity)
            || only_here.iter().any(|(n, _)| *n == entity.name)
        {
            continue;
        }
        only_here.push((
            entity.name.clone(),
            Source {
                article: index,
                anchor: Anchor::from_paragraph(note.paragraph),
            },
        ));
    }
    only_here
}

/// Months between an article's date and its story's time, when at least
/// `dating::APART_MONTHS` (a story of one article has no "apart").
fn apart_months(
    article: &ArticleAnalysis,
    story_size: usize,
    time: Option<Consensus>,
) -> Option<i64> {
    match (&article.date_estimate, time) {
        (Some(estimate), Some(story_time)) if story_size > 1 => {
            Some(estimate.distance(story_time.point)).filter(|&d| d >= dating::APART_MONTHS)
        }
        _ => None,
    }
}

/// The story's entity table: one row per entity, with every spelling and
/// the first mention in each article.
fn entity_rows(
    articles: &[ArticleAnalysis],
    entities: &[Entity],
    members: &[usize],
) -> Vec<EntityRow> {
    let mut rows: BTreeMap<usize, EntityRow> = BTreeMap::new();
    for &index in members {
        for note in &articles[index].entities {
            let entity = &entities[note.entity];
            let row = rows.entry(note.entity).or_insert_with(|| EntityRow {
                name: entity.name.clone(),
                kind: entity.kind,
                role: entity.role.clone(),
                spellings: BTreeSet::new(),
                sources: Vec::new(),
                list: entity.list,
            });
            // Names read from the English of an article not in Arabic
            // have no spelling to show.
            if !note.surface.is_empty() {
                row.spellings.insert(note.surface.clone());
            }
            if !row.sources.iter().any(|s| s.article == index) {
                row.sources.push(Source {
                    article: index,
                    anchor: Anchor::from_paragraph(note.paragraph),
                });
            }
        }
    }
    let mut table: Vec<EntityRow> = rows.into_values().collect();
    // By kind, then the most widely named first, then by name.
    table.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(b.sources.len().cmp(&a.sources.len()))
            .then(a.name.cmp(&b.name))
    });
    table
}

/// The story's date table: one row per date mentioned, in time order, with
/// the first mention in each article.
fn date_rows(articles: &[ArticleAnalysis], members: &[usize]) -> Vec<DateRow> {
    // Keyed by (time order, label), so rows come out in time order.
    type DateKey = ((i32, u32, u32), String);
    let mut date_rows: BTreeMap<DateKey, Vec<Source>> = BTreeMap::new();
    for &index in members {
        for (paragraph, date) in &articles[index].dates {
            let sources = date_rows
                .entry((date.sort_key(), date.label()))
                .or_default();
            if !sources.iter().any(|s| s.article == index) {
                sources.push(Source {
                    article: index,
                    anchor: Anchor::Paragraph(*paragraph),
                });
            }
        }
    }
    date_rows
        .into_iter()
        .map(|((_, label), sources)| DateRow { label, sources })
        .collect()
}

/// Words of a text, for length limits.
fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// The first `limit` words (and at most ten characters a word), with an
/// ellipsis when cut; a model's output can be one endless "word".
fn cut_words(text: &str, limit: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = if words.len() <= limit {
        words.join(" ")
    } else {
        format!("{} …", words[..limit].join(" "))
    };
    let max_chars = limit * 10;
    if out.chars().count() > max_chars {
        out = format!("{} …", out.chars().take(max_chars).collect::<String>());
    }
    out
}

/// The first non-empty translated sentence of an article.
fn lead_sentence(article: &ArticleAnalysis, index: usize) -> Quote {
    for (p, paragraph) in article.record.paragraphs.iter().enumerate() {
        for sentence in &paragraph.sentences {
            if !sentence.translation.trim().is_empty() {
                return Quote {
                    text: sentence.translation.trim().to_string(),
                    source: Source {
                        article: index,
                        anchor: Anchor::Paragraph(p + 1),
                    },
                };
            }
        }
    }
    Quote {
        text: format!("(article {} has no translated text)", article.id()),
        source: Source {
            article: index,
            anchor: Anchor::Top,
        },
    }
}

/// Whether a summary failed a check (a lone "retried" means the retry passed).
fn summary_is_sound(record: &Record) -> bool {
    record
        .summary
        .as_ref()
        .is_some_and(|s| !s.text.trim().is_empty() && !labels::has_failed_check(&s.flags))
}

/// The summary sentences an article offers the merged summary: the
/// translated sentences an extractive summary is made of (so each has its
/// paragraph), a model summary whole (linked to the article's summary), or
/// the article's lead when its summary is missing or failed its checks.
fn summary_candidates(article: &ArticleAnalysis, index: usize) -> Vec<Quote> {
    let record = &article.record;
    if !summary_is_sound(record) {
        return vec![lead_sentence(article, index)];
    }
    let summary = record.summary.as_ref().expect("checked above");
    if summary.shown_method() == Method::Extractive {
        let mut found = Vec::new();
        for (p, paragraph) in record.paragraphs.iter().enumerate() {
            for sentence in &paragraph.sentences {
                let text = sentence.translation.trim();
                if word_count(text) >= 3 && summary.text.contains(text) {
                    found.push(Quote {
                        text: text.to_string(),
                        source: Source {
                            article: index,
                            anchor: Anchor::Paragraph(p + 1),
                        },
                    });
                }
            }
        }
        if !found.is_empty() {
            return found;
        }
    }
    vec![Quote {
        text: summary.text.trim().to_string(),
        source: Source {
            article: index,
            anchor: Anchor::Summary,
        },
    }]
}

/// Longest merged summary, in words.
const SUMMARY_WORDS: usize = 120;
/// Most sentences in a merged summary.
const SUMMARY_POINTS: usize = 4;

/// The merged summary: candidates scored by TF-IDF cosine to the story's
/// centroid; the best one of each article first (most central articles
/// first), then the next best, within the limits; shown in article order.
fn merged_summary(candidates: &[Quote]) -> Vec<Quote> {
    let docs: Vec<Vec<String>> = candidates
        .iter()
        .map(|q| group::english_words(&q.text))
        .collect();
    let vectors = tfidf::tfidf(&docs, tfidf::Weighting::Sublinear);
    let centroid = tfidf::centroid(&vectors);
    let mut scored: Vec<(f64, usize)> = vectors
        .iter()
        .enumerate()
        .map(|(i, v)| (tfidf::cosine(v, &centroid), i))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<usize> = Vec::new();
    let mut words = 0;
    let mut covered = BTreeSet::new();
    // Two passes: one sentence per article first, so every voice counts.
    for first_pass in [true, false] {
        for &(_, i) in &scored {
            let article = candidates[i].source.article;
            if chosen.len() == SUMMARY_POINTS || chosen.contains(&i) {
                continue;
            }
            if first_pass && covered.contains(&article) {
                continue;
            }
            let count = word_count(&candidates[i].text);
            if words + count > SUMMARY_WORDS && !chosen.is_empty() {
                continue;
            }
            chosen.push(i);
            covered.insert(article);
            words += count;
        }
    }
    chosen.sort_by_key(|&i| (candidates[i].source.clone(), i));
    chosen
        .into_iter()
        .map(|i| Quote {
            text: cut_words(&candidates[i].text, SUMMARY_WORDS),
            source: candidates[i].source.clone(),
        })
        .collect()
}

/// An article's most distinctive sentence in its story: the translated
/// sentence whose Arabic content words are most often absent from the
/// other articles (share of new words × log of their count, so a long
/// sentence of new facts beats a two-word fragment); ties to the earlier.
///
/// `vocabulary` is the article's own content words; `articles_using`
/// counts, per word, the story's articles that use it (computed once per
/// story, so this stays linear in the story's size).
fn distinctive(
    article: &ArticleAnalysis,
    index: usize,
    vocabulary: &BTreeSet<String>,
    articles_using: &BTreeMap<String, usize>,
) -> Option<Quote> {
    // A word is new when no other article of the story uses it.
    let in_others = |w: &String| {
        let own = usize::from(vocabulary.contains(w));
        articles_using.get(w).copied().unwrap_or(0) > own
    };
    let mut best: Option<(f64, Quote)> = None;
    for (p, paragraph) in article.record.paragraphs.iter().enumerate() {
        for sentence in &paragraph.sentences {
            let words: BTreeSet<String> = arabic::content_words(&sentence.source)
                .into_iter()
                .collect();
            if words.len() < 4 || sentence.translation.trim().is_empty() {
                continue;
            }
            let new = words.iter().filter(|w| !in_others(w)).count() as f64;
            let score = new / words.len() as f64 * (1.0 + new).ln();
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((
                    score,
                    Quote {
                        text: sentence.translation.trim().to_string(),
                        source: Source {
                            article: index,
                            anchor: Anchor::Paragraph(p + 1),
                        },
                    },
                ));
            }
        }
    }
    best.map(|(_, mut q)| {
        q.text = cut_words(&q.text, ADDS_WORDS);
        q
    })
}
