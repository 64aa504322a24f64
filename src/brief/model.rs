//! The brief as plain data: what one article offers (`ArticleAnalysis`),
//! what a story says (`Story`, its bullets and tables) and where each claim
//! comes from (`Source`, `Anchor`).
//!
//! `build` fills these in, `model_merge` may replace a story's summary, and
//! the renderers (through `sections`) only read them. What it is not: the
//! analysis or any I/O — the only outside knowledge here is how a claim's
//! source turns into a link, which asks `folder` for the page name.

use std::collections::BTreeSet;

use super::dates::DateMention;
use super::dating::{Consensus, DateEstimate, Day};
use super::folder;
use super::group::DEFAULT_THRESHOLD;
use crate::names::finding::FoundName;
use crate::names::gazetteer::{Entity, EntityKind, List};
use crate::output::record::Record;

/// What decides a brief besides the records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BriefSettings {
    /// Link threshold for grouping (see `group`).
    pub similarity: f64,
    /// `--since`: only articles whose date estimate can be on or after
    /// this day (and the undated ones, counted; see `Window`).
    pub since: Option<Day>,
}

impl Default for BriefSettings {
    fn default() -> Self {
        Self {
            similarity: DEFAULT_THRESHOLD,
            since: None,
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
    /// A paragraph, or the removed lines for a mention outside the text.
    pub fn from_paragraph(paragraph: Option<usize>) -> Self {
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
    /// Index into `Brief::entities` (the gazetteer's entities first, at
    /// their own indexes, then the names found in the text).
    pub entity: usize,
    pub surface: String,
    /// `None`: in a line left out as page debris (where credits often are).
    pub paragraph: Option<usize>,
}

/// Everything the brief uses from one record.
#[derive(Debug, Clone)]
pub struct ArticleAnalysis {
    pub record: Record,
    /// The gazetteer's entities named (in `analyse`), then, once `build`
    /// has merged the names of all articles, the names found in the text.
    pub entities: Vec<EntityNote>,
    /// Names no list holds, found in each sentence's translation and tied
    /// to its Arabic, with their paragraph; `build` merges them.
    pub found: Vec<(usize, FoundName)>,
    /// Agencies and outlets credited, by English name, in order of first
    /// appearance.
    pub agencies: Vec<String>,
    pub dates: Vec<(usize, DateMention)>,
    pub wording: Vec<WordingNote>,
    pub date_estimate: Option<DateEstimate>,
}

impl ArticleAnalysis {
    pub fn id(&self) -> &str {
        &self.record.id
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
    /// Its most distinctive sentence within the story (see `build`).
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
    /// The Arabic spellings seen, as written (none for a mention read from
    /// the English of an article not in Arabic).
    pub spellings: BTreeSet<String>,
    /// First mention in each article that names it.
    pub sources: Vec<Source>,
    /// The list that supplied the name.
    pub list: List,
}

impl EntityRow {
    /// What the table says beside the name: its role, and which list
    /// supplied it when it is not the reviewed gazetteer: "places list",
    /// or "found in the text" for a name no list holds (its English
    /// spelling is the translations', unreviewed).
    pub fn notes(&self) -> Option<String> {
        let mut notes: Vec<&str> = self.role.iter().map(String::as_str).collect();
        match self.list {
            List::Places => notes.push("places list"),
            List::Text => notes.push("found in the text"),
            List::Reviewed => {}
        }
        (!notes.is_empty()).then(|| notes.join("; "))
    }
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
    pub bullets: Vec<Bullet>,
    pub entities: Vec<EntityRow>,
    pub dates: Vec<DateRow>,
    /// The time most of the story's articles can be dated to.
    pub time: Option<Consensus>,
}

/// A whole brief, ready to render.
#[derive(Debug, Clone)]
pub struct Brief {
    pub articles: Vec<ArticleAnalysis>,
    /// Every entity the articles name: the gazetteer's, then the names
    /// found in the text, merged across articles (`EntityNote::entity`).
    pub entities: Vec<Entity>,
    pub stories: Vec<Story>,
    /// One line per record left out.
    pub skipped: Vec<String>,
    pub settings: BriefSettings,
    /// With `--since`: what the date window left out and kept.
    pub window: Option<Window>,
    /// The label each article goes by (see [`Brief::label`]), worked out
    /// once: every claim's source names one, and counting the articles
    /// that share a prefix at each of them made a brief of 10,000 records
    /// quadratic.
    pub labels: Vec<String>,
}

/// What `--since` did. Articles with no date estimate are kept: a nightly
/// reader would rather see an undated article of last night than lose it,
/// and the brief says how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub since: Day,
    /// Ids of the records dated before `since`, left out of the brief
    /// (their article views are left as they are).
    pub left_out: Vec<String>,
    /// Articles kept with no date estimate.
    pub undated: usize,
}

impl Brief {
    /// The label an article goes by in the brief: the part of its id
    /// before the first `_` ("000" for `000_fe7b…`) when no other article
    /// shares it, else the whole id.
    pub fn label(&self, article: usize) -> String {
        self.labels[article].clone()
    }

    /// The labels of `articles`, in order (see [`Brief::label`]).
    pub fn labels_of(articles: &[ArticleAnalysis]) -> Vec<String> {
        let short = |id: &str| id.split('_').next().unwrap_or(id).to_string();
        let mut sharing: std::collections::HashMap<String, usize> = Default::default();
        for article in articles {
            *sharing.entry(short(article.id())).or_default() += 1;
        }
        articles
            .iter()
            .map(|article| {
                let short = short(article.id());
                if sharing[&short] == 1 && !short.is_empty() {
                    short
                } else {
                    article.id().to_string()
                }
            })
            .collect()
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
        let page = folder::article_href(self.articles[source.article].id());
        format!("{page}#{}", source.anchor.fragment())
    }
}
