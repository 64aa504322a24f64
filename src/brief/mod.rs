//! `tarjama brief`: one brief per story for readers who do not read
//! Arabic, built from the records in an output folder and nothing else.
//!
//! Flow: load the intact `*.json` records (damaged ones are skipped with a
//! one-line warning) → analyse each article (entities, dates, agencies and
//! loaded wording, on the normalized Arabic source; see `entities`,
//! `wording`, `dating`) → group articles into stories (`group`) → per
//! story a headline, a merged extractive summary, one bullet per article,
//! the entity and date tables and the wording to note ([`build`]) → render
//! (`render_md`, `render_html`) → write `brief.md`, `brief.html` and a
//! bilingual `<id>.html` per record, each atomically ([`write_brief`]).
//!
//! Every claim carries the article and paragraph it comes from, so each
//! can be checked against the source. The output depends only on the
//! records and the settings (no clock, sorted maps), so the same records
//! give byte-identical files. What it is not: a second translation pass —
//! no model runs here.

pub mod arabic;
pub mod dating;
pub mod entities;
pub mod group;
pub mod model_merge;
pub mod render_html;
pub mod render_md;
pub mod wording;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::files::write_atomic;
use crate::output::labels::{self, Method};
use crate::output::record::Record;
use crate::text::tfidf;
use dating::DateEstimate;
use entities::{DateMention, EntityKind, Gazetteer};
use group::{ArticleFeatures, DEFAULT_THRESHOLD};
use wording::Lexicon;

/// What decides a brief besides the records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BriefSettings {
    /// Link threshold for grouping (see `group`).
    pub similarity: f64,
}

impl Default for BriefSettings {
    fn default() -> Self {
        Self {
            similarity: DEFAULT_THRESHOLD,
        }
    }
}

/// Where a claim comes from: an article, and the place in its reading view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    /// Index into `Brief::articles`.
    pub article: usize,
    pub anchor: Anchor,
}

/// A place in an article's reading view (`<id>.html#…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Anchor {
    /// A paragraph, 1-based (`#p3`).
    Paragraph(usize),
    /// The article's own summary (`#summary`).
    Summary,
    /// The lines left out as page debris, where credits often are (`#removed`).
    Removed,
    /// The top of the page.
    Top,
}

impl Anchor {
    fn from_paragraph(paragraph: Option<usize>) -> Self {
        paragraph.map_or(Self::Removed, Self::Paragraph)
    }

    pub fn fragment(self) -> String {
        match self {
            Self::Paragraph(p) => format!("p{p}"),
            Self::Summary => "summary".to_string(),
            Self::Removed => "removed".to_string(),
            Self::Top => "top".to_string(),
        }
    }
}

/// A loaded term in one article, with its sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct WordingNote {
    /// Index into `Lexicon::terms`.
    pub term: usize,
    /// The Arabic as written.
    pub surface: String,
    pub paragraph: usize,
    pub sentence_source: String,
    pub sentence_translation: String,
    /// Byte range of the term in the paragraph's source text.
    pub span_in_paragraph: std::ops::Range<usize>,
}

/// An entity named in an article.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityNote {
    /// Index into `Gazetteer::entities`.
    pub entity: usize,
    pub surface: String,
    /// `None`: in a line left out as page debris (where credits often are).
    pub paragraph: Option<usize>,
}

/// Everything the brief uses from one record.
#[derive(Debug, Clone)]
pub struct ArticleAnalysis {
    pub record: Record,
    pub entities: Vec<EntityNote>,
    pub dates: Vec<(usize, DateMention)>,
    pub wording: Vec<WordingNote>,
    pub date_estimate: Option<DateEstimate>,
}

impl ArticleAnalysis {
    pub fn id(&self) -> &str {
        &self.record.id
    }

    /// Agencies and outlets credited, by English name, in order of first
    /// appearance.
    pub fn agencies(&self) -> Vec<&str> {
        let gazetteer = Gazetteer::builtin();
        let mut seen = Vec::new();
        for note in &self.entities {
            let entity = &gazetteer.entities[note.entity];
            if entity.kind == EntityKind::Agency && !seen.contains(&entity.name.as_str()) {
                seen.push(entity.name.as_str());
            }
        }
        seen
    }
}

/// Analyses one record: every sentence's source is matched against the
/// gazetteer and the lexicon; removed lines are searched for credits only.
pub fn analyse(record: Record) -> ArticleAnalysis {
    let gazetteer = Gazetteer::builtin();
    let lexicon = Lexicon::builtin();
    let mut entities = Vec::new();
    let mut dates = Vec::new();
    let mut wording = Vec::new();
    for (index, paragraph) in record.paragraphs.iter().enumerate() {
        let number = index + 1;
        for sentence in &paragraph.sentences {
            let tokens = arabic::tokenize(&sentence.source);
            for mention in gazetteer.find(&sentence.source, &tokens) {
                entities.push(EntityNote {
                    entity: mention.entity,
                    surface: mention.surface,
                    paragraph: Some(number),
                });
            }
            for date in entities::find_dates(&tokens) {
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
    for removed in &record.removed {
        let tokens = arabic::tokenize(&removed.text);
        for mention in gazetteer.find(&removed.text, &tokens) {
            if gazetteer.entities[mention.entity].kind == EntityKind::Agency {
                entities.push(EntityNote {
                    entity: mention.entity,
                    surface: mention.surface,
                    paragraph: None,
                });
            }
        }
    }
    let named: Vec<usize> = entities
        .iter()
        .map(|e| e.entity)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let date_list: Vec<DateMention> = dates.iter().map(|(_, d)| d.clone()).collect();
    let date_estimate = dating::estimate(gazetteer, &named, &date_list);
    ArticleAnalysis {
        record,
        entities,
        dates,
        wording,
        date_estimate,
    }
}

fn features(article: &ArticleAnalysis) -> ArticleFeatures {
    let gazetteer = Gazetteer::builtin();
    let record = &article.record;
    let source: Vec<&str> = record
        .paragraphs
        .iter()
        .map(|p| p.source.as_str())
        .collect();
    let english: Vec<&str> = record
        .paragraphs
        .iter()
        .map(|p| p.translation.as_str())
        .collect();
    ArticleFeatures {
        arabic: arabic::content_words(&source.join("\n")),
        english: group::english_words(&english.join("\n")),
        entities: article
            .entities
            .iter()
            .filter(|e| gazetteer.entities[e.entity].kind != EntityKind::Agency)
            .map(|e| gazetteer.entities[e.entity].name.clone())
            .collect(),
    }
}

/// A sentence of English quoted in the brief, with where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub text: String,
    pub source: Source,
}

/// One article's line in its story.
#[derive(Debug, Clone, PartialEq)]
pub struct Bullet {
    pub article: usize,
    /// Its most distinctive sentence within the story (see [`distinctive`]).
    pub adds: Option<Quote>,
    /// Entities (not agencies) no other article of the story names.
    pub only_here: Vec<(String, Source)>,
    /// Months from the story's time, when at least `dating::APART_MONTHS`.
    pub apart_months: Option<i64>,
}

/// One row of a story's entity table.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRow {
    pub name: String,
    pub kind: EntityKind,
    pub role: Option<String>,
    /// The Arabic spellings seen, as written.
    pub spellings: BTreeSet<String>,
    /// First mention in each article that names it.
    pub sources: Vec<Source>,
}

/// One row of a story's date table.
#[derive(Debug, Clone, PartialEq)]
pub struct DateRow {
    pub label: String,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Indexes into `Brief::articles`, ascending (by id).
    pub articles: Vec<usize>,
    /// The article closest to the rest of the story.
    pub central: usize,
    pub headline: Quote,
    /// The extractive merged summary.
    pub summary: Vec<Quote>,
    /// What the merged summary was made from, in words.
    pub summary_method: String,
    /// A language model's merged summary (see `model_merge`), when the run
    /// made one that passed its checks: its text and the article
    /// summaries it was written from. Shown instead of `summary`.
    pub model_summary: Option<(String, Vec<Source>)>,
    /// What a model merge of this story would be made from.
    pub merge_input: Option<model_merge::MergeInput>,
    pub bullets: Vec<Bullet>,
    pub entities: Vec<EntityRow>,
    pub dates: Vec<DateRow>,
    /// The time most of the story's articles can be dated to.
    pub time: Option<dating::Consensus>,
}

/// A whole brief, ready to render.
#[derive(Debug, Clone)]
pub struct Brief {
    pub articles: Vec<ArticleAnalysis>,
    pub stories: Vec<Story>,
    /// One line per record left out.
    pub skipped: Vec<String>,
    pub settings: BriefSettings,
}

/// Intact records of an output folder, by id, and a line for each file
/// that could not be used.
pub fn load_records(out_dir: &Path) -> Result<(Vec<Record>, Vec<String>)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(out_dir)
        .with_context(|| format!("cannot list {}", out_dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        match Record::read(&path) {
            Ok(record) if record.is_intact() => records.push(record),
            Ok(_) => skipped.push(format!(
                "{}: record hash does not match its content",
                path.display()
            )),
            Err(e) => skipped.push(
                format!("{e:#}")
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
        }
    }
    records.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((records, skipped))
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
    if summary.settings.method == Method::Extractive {
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

/// Longest "adds" quote, in words.
const ADDS_WORDS: usize = 40;

/// Longest headline, in words.
const HEADLINE_WORDS: usize = 24;

fn build_story(
    articles: &[ArticleAnalysis],
    members: Vec<usize>,
    similarity: &[Vec<f64>],
) -> Story {
    let gazetteer = Gazetteer::builtin();
    // The central article: highest total similarity to the others; ties to
    // the lower id.
    let central = *members
        .iter()
        .max_by(|&&a, &&b| {
            let total = |x: usize| members.iter().map(|&m| similarity[x][m]).sum::<f64>();
            total(a).total_cmp(&total(b)).then(b.cmp(&a))
        })
        .expect("a story has an article");
    let mut headline = lead_sentence(&articles[central], central);
    headline.text = cut_words(&headline.text, HEADLINE_WORDS);

    let candidates: Vec<Quote> = members
        .iter()
        .flat_map(|&i| summary_candidates(&articles[i], i))
        .collect();
    let summary = merged_summary(&candidates);
    let methods: BTreeSet<&str> = members
        .iter()
        .map(|&i| match &articles[i].record.summary {
            Some(s) if summary_is_sound(&articles[i].record) => {
                if s.settings.method == Method::Model {
                    "model-written summaries"
                } else {
                    "extractive summaries"
                }
            }
            _ => "first sentences where a summary is missing or failed its checks",
        })
        .collect();
    let summary_method = format!(
        "extractive — the sentences most central to the story, taken from the articles' {}",
        methods.into_iter().collect::<Vec<_>>().join(" and ")
    );

    let member_records: Vec<&Record> = members.iter().map(|&i| &articles[i].record).collect();
    let merge_input = model_merge::input(&member_records);

    let estimates: Vec<&DateEstimate> = members
        .iter()
        .filter_map(|&i| articles[i].date_estimate.as_ref())
        .collect();
    let time = dating::consensus(&estimates);

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
    let mut bullets = Vec::new();
    for (which, &index) in members.iter().enumerate() {
        let article = &articles[index];
        let elsewhere: BTreeSet<usize> = members
            .iter()
            .filter(|&&m| m != index)
            .flat_map(|&m| articles[m].entities.iter().map(|e| e.entity))
            .collect();
        let mut only_here: Vec<(String, Source)> = Vec::new();
        for note in &article.entities {
            let entity = &gazetteer.entities[note.entity];
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
        let apart_months = match (&article.date_estimate, time) {
            (Some(estimate), Some(story_time)) if members.len() > 1 => {
                Some(estimate.distance(story_time.point)).filter(|&d| d >= dating::APART_MONTHS)
            }
            _ => None,
        };
        bullets.push(Bullet {
            article: index,
            adds: distinctive(article, index, &vocabularies[which], &articles_using),
            only_here,
            apart_months,
        });
    }

    let mut rows: BTreeMap<usize, EntityRow> = BTreeMap::new();
    for &index in &members {
        for note in &articles[index].entities {
            let entity = &gazetteer.entities[note.entity];
            let row = rows.entry(note.entity).or_insert_with(|| EntityRow {
                name: entity.name.clone(),
                kind: entity.kind,
                role: entity.role.clone(),
                spellings: BTreeSet::new(),
                sources: Vec::new(),
            });
            row.spellings.insert(note.surface.clone());
            if !row.sources.iter().any(|s| s.article == index) {
                row.sources.push(Source {
                    article: index,
                    anchor: Anchor::from_paragraph(note.paragraph),
                });
            }
        }
    }
    let mut entities: Vec<EntityRow> = rows.into_values().collect();
    // By kind, then the most widely named first, then by name.
    entities.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(b.sources.len().cmp(&a.sources.len()))
            .then(a.name.cmp(&b.name))
    });

    // Keyed by (time order, label), so rows come out in time order.
    type DateKey = ((i32, u32, u32), String);
    let mut date_rows: BTreeMap<DateKey, Vec<Source>> = BTreeMap::new();
    for &index in &members {
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
    let dates = date_rows
        .into_iter()
        .map(|((_, label), sources)| DateRow { label, sources })
        .collect();

    Story {
        articles: members,
        central,
        headline,
        summary,
        summary_method,
        model_summary: None,
        merge_input,
        bullets,
        entities,
        dates,
        time,
    }
}

/// Builds the brief from records (any order; they are sorted by id).
pub fn build(mut records: Vec<Record>, skipped: Vec<String>, settings: BriefSettings) -> Brief {
    records.sort_by(|a, b| a.id.cmp(&b.id));
    let articles: Vec<ArticleAnalysis> = records.into_iter().map(analyse).collect();
    let features: Vec<ArticleFeatures> = articles.iter().map(features).collect();
    let similarity = group::similarity_matrix(&features);
    let stories = group::group(&features, settings.similarity)
        .into_iter()
        .map(|members| build_story(&articles, members, &similarity))
        .collect();
    Brief {
        articles,
        stories,
        skipped,
        settings,
    }
}

/// The file name of an article's reading view. An article called "brief"
/// would overwrite the brief itself, so it gets another name.
pub fn article_page(id: &str) -> String {
    if id == "brief" {
        "brief.article.html".to_string()
    } else {
        format!("{id}.html")
    }
}

/// Removes reading views tarjama wrote for records that are gone or
/// damaged, so no page outlives its record. Only pages carrying the
/// generator mark are touched; other HTML in the folder is left alone.
fn remove_stale_views(out_dir: &Path, brief: &Brief) -> Result<()> {
    let current: BTreeSet<String> = brief
        .articles
        .iter()
        .map(|a| article_page(a.id()))
        .chain(["brief.html".to_string()])
        .collect();
    let mark = format!(
        "<meta name=\"generator\" content=\"{}\">",
        render_html::GENERATOR
    );
    let entries =
        std::fs::read_dir(out_dir).with_context(|| format!("cannot list {}", out_dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".html") || current.contains(&name) || !path.is_file() {
            continue;
        }
        let ours = std::fs::read_to_string(&path).is_ok_and(|text| text.contains(&mark));
        if ours {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the stale {}", path.display()))?;
        }
    }
    Ok(())
}

/// What `write_brief` did.
#[derive(Debug, Clone)]
pub struct BriefReport {
    pub stories: usize,
    pub articles: usize,
    /// One line each: records skipped, model merges that failed to run.
    pub warnings: Vec<String>,
}

impl BriefReport {
    pub fn line(&self, out_dir: &Path) -> String {
        format!(
            "brief: {} stor{} from {} article(s) in {}",
            self.stories,
            if self.stories == 1 { "y" } else { "ies" },
            self.articles,
            out_dir.join("brief.html").display()
        )
    }
}

/// Puts cached (or, with the run's model at hand, new) model merges into
/// the stories that can have one; see `model_merge`. Returns a line per
/// problem for the reader.
fn apply_model_merges(
    out_dir: &Path,
    brief: &mut Brief,
    summarizer: Option<&crate::summarize::Summarizer>,
) -> Result<Vec<String>> {
    let old = model_merge::load_cache(out_dir);
    let mut cache = BTreeMap::new();
    let mut problems = Vec::new();
    for story in &mut brief.stories {
        let Some(input) = story.merge_input.clone() else {
            continue;
        };
        let model_name = input
            .settings
            .model
            .as_ref()
            .map_or(String::new(), |m| m.name.clone());
        let merge = match (old.get(&input.key), summarizer) {
            (Some(found), _) => Some(found.clone()),
            (None, Some(summarizer)) => match model_merge::run_model(summarizer, &input) {
                Ok(made) => made,
                Err(e) => {
                    problems.push(format!("model merge failed: {e:#}"));
                    None
                }
            },
            (None, None) => None,
        };
        let Some(merge) = merge else {
            story.summary_method.push_str(&format!(
                "; no merge by {model_name} is cached for these summaries (tarjama run makes one)"
            ));
            continue;
        };
        if model_merge::passed(&merge) {
            story.model_summary = Some((
                merge.text.trim().to_string(),
                story
                    .articles
                    .iter()
                    .map(|&article| Source {
                        article,
                        anchor: Anchor::Summary,
                    })
                    .collect(),
            ));
            story.summary_method = format!(
                "written by {model_name} from the article summaries and checked like every summary (names and numbers must occur in them)"
            );
        } else {
            story.summary_method.push_str(&format!(
                "; {model_name}'s merge failed its checks ({}), so it is not used",
                labels::flag_list(&merge.flags)
            ));
        }
        cache.insert(input.key.clone(), merge);
    }
    model_merge::save_cache(out_dir, &cache)?;
    Ok(problems)
}

/// Builds the brief from the records in `out_dir` and writes `brief.md`,
/// `brief.html` and one `<id>.html` per record there. `summarizer`: the
/// run's, to write model merges not yet cached (`None`: cache only).
pub fn write_brief(
    out_dir: &Path,
    settings: BriefSettings,
    summarizer: Option<&crate::summarize::Summarizer>,
) -> Result<BriefReport> {
    let (records, skipped) = load_records(out_dir)?;
    let mut brief = build(records, skipped, settings);
    let mut problems = apply_model_merges(out_dir, &mut brief, summarizer)?;
    for article in &brief.articles {
        write_atomic(
            &out_dir.join(article_page(article.id())),
            render_html::article_view(article).as_bytes(),
        )?;
    }
    remove_stale_views(out_dir, &brief)?;
    write_atomic(
        &out_dir.join("brief.md"),
        render_md::brief(&brief).as_bytes(),
    )?;
    write_atomic(
        &out_dir.join("brief.html"),
        render_html::brief(&brief).as_bytes(),
    )?;
    problems.extend(brief.skipped.iter().map(|line| format!("skips {line}")));
    Ok(BriefReport {
        stories: brief.stories.len(),
        articles: brief.articles.len(),
        warnings: problems,
    })
}

impl Brief {
    /// The label an article goes by in the brief: the part of its id
    /// before the first `_` ("000" for `000_fe7b…`) when no other article
    /// shares it, else the whole id.
    pub fn label(&self, article: usize) -> String {
        let id = self.articles[article].id();
        let short = id.split('_').next().unwrap_or(id);
        let shared = self
            .articles
            .iter()
            .filter(|a| a.id().split('_').next().unwrap_or(a.id()) == short)
            .count();
        if shared == 1 && !short.is_empty() {
            short.to_string()
        } else {
            id.to_string()
        }
    }

    /// "000 ¶3", "000 summary", "000 credits".
    pub fn source_label(&self, source: &Source) -> String {
        let label = self.label(source.article);
        match source.anchor {
            Anchor::Paragraph(p) => format!("{label} ¶{p}"),
            Anchor::Summary => format!("{label} summary"),
            Anchor::Removed => format!("{label} credits"),
            Anchor::Top => label,
        }
    }

    /// Relative link to where a claim comes from in the article view.
    pub fn href(&self, source: &Source) -> String {
        let page = percent_encode(&article_page(self.articles[source.article].id()));
        format!("{page}#{}", source.anchor.fragment())
    }
}

/// Percent-encodes a file name for a relative URL (all but unreserved
/// ASCII), so ids with spaces, `#`, `?` or Arabic letters still link.
pub fn percent_encode(name: &str) -> String {
    let mut out = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_percent_encoded_for_links() {
        assert_eq!(percent_encode("000_ab.html"), "000_ab.html");
        assert_eq!(percent_encode("a b#?.html"), "a%20b%23%3F.html");
        assert_eq!(percent_encode("م.html"), "%D9%85.html");
    }

    #[test]
    fn an_article_called_brief_does_not_overwrite_the_brief() {
        assert_eq!(article_page("brief"), "brief.article.html");
        assert_eq!(article_page("001_x"), "001_x.html");
    }
}
