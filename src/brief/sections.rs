//! What a story shows, in the order it shows it, as one list of sections
//! both renderers consume — so `brief.md` and `brief.html` cannot drift
//! apart in content or order, and each renderer only decides markup.
//!
//! Every wording decision that is not markup lives here too: the facts
//! line of an article, where a story sits in time, the sentences around
//! the brief. What it is not: escaping or formatting of links; each
//! renderer does its own (Markdown or HTML) through [`Markup`].

use super::analyse::language_note;
use super::dating::DateEstimate;
use super::model::{Anchor, Brief, DateRow, EntityRow, Quote, Source, Story};
use super::wording::{Lexicon, LoadedTerm};
use crate::input::language::language_name;

/// The two things a renderer's markup decides for every claim: how text
/// is escaped and how a source is linked. The helpers built on them are
/// written once, here, for both renderers.
pub trait Markup {
    fn escape(text: &str) -> String;
    fn link(brief: &Brief, source: &Source) -> String;

    /// Links to `sources`, comma-separated.
    fn links(brief: &Brief, sources: &[Source]) -> String {
        sources
            .iter()
            .map(|s| Self::link(brief, s))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A name's Arabic spellings, escaped, joined by the Arabic comma.
    fn spellings<'s>(spellings: impl IntoIterator<Item = &'s String>) -> String {
        spellings
            .into_iter()
            .map(|s| Self::escape(s))
            .collect::<Vec<_>>()
            .join("، ")
    }
}

/// One part of a story, in reading order (see [`story_sections`]).
#[derive(Debug)]
pub enum StorySection<'a> {
    /// The story's heading: number, headline and the article it is from.
    Heading {
        number: usize,
        headline: &'a Quote,
        articles: usize,
        central: usize,
    },
    /// The story's time, as a sentence (without the final stop).
    When(String),
    /// An article dated well apart from the rest of the story.
    DatedApart(DatedApart<'a>),
    /// The merged summary and what it was made from.
    Summary {
        text: SummaryText<'a>,
        method: &'a str,
    },
    /// One line per article.
    Articles(Vec<ArticleLine<'a>>),
    /// The entity and date tables.
    Names {
        entities: &'a [EntityRow],
        dates: &'a [DateRow],
    },
    /// Loaded wording, per article that has any (empty: none in the story).
    Wording(Vec<ArticleWording<'a>>),
}

/// An article of a story dated apart from the rest.
#[derive(Debug)]
pub struct DatedApart<'a> {
    pub article: usize,
    pub estimate: &'a DateEstimate,
    /// Where the rest of the story sits, as prose.
    pub rest: String,
}

/// The merged summary a story shows.
#[derive(Debug)]
pub enum SummaryText<'a> {
    /// A model's merge, with the article summaries it was written from.
    Model(&'a str, &'a [Source]),
    /// The extractive merge, a quote each.
    Extractive(&'a [Quote]),
}

/// One article's line in a story.
#[derive(Debug)]
pub struct ArticleLine<'a> {
    pub article: usize,
    pub id: &'a str,
    /// Language, credits, date and wording count, joined by "; ".
    pub facts: String,
    /// Which Arabic-only lists could not read it, when its source is not
    /// (all) Arabic (`analyse::language_note`).
    pub language_note: Option<String>,
    pub adds: Option<&'a Quote>,
    pub only_here: &'a [(String, Source)],
    /// Where the rest of the story sits, when this article is dated apart.
    pub apart: Option<String>,
}

/// The loaded wording of one article of a story.
#[derive(Debug)]
pub struct ArticleWording<'a> {
    pub article: usize,
    pub id: &'a str,
    pub notes: Vec<WordingLine<'a>>,
}

/// One noted term, with its lexicon entry and its sentence.
#[derive(Debug)]
pub struct WordingLine<'a> {
    pub surface: &'a str,
    pub term: &'a LoadedTerm,
    pub source: Source,
    pub sentence_source: &'a str,
    pub sentence_translation: &'a str,
}

/// Story `number`'s sections, in the order both renderers show them.
pub fn story_sections<'a>(
    brief: &'a Brief,
    number: usize,
    story: &'a Story,
) -> Vec<StorySection<'a>> {
    let mut sections = vec![StorySection::Heading {
        number,
        headline: &story.headline,
        articles: story.articles.len(),
        central: story.central,
    }];
    if let Some(line) = time_line(brief, story) {
        sections.push(StorySection::When(line));
    }
    sections.extend(dated_apart(brief, story).map(StorySection::DatedApart));
    let text = match &story.model_summary {
        Some((text, sources)) => SummaryText::Model(text, sources),
        None => SummaryText::Extractive(&story.summary),
    };
    sections.push(StorySection::Summary {
        text,
        method: &story.summary_method,
    });
    sections.push(StorySection::Articles(article_lines(brief, story)));
    sections.push(StorySection::Names {
        entities: &story.entities,
        dates: &story.dates,
    });
    sections.push(StorySection::Wording(wording(brief, story)));
    sections
}

/// The articles of a story dated apart from it, in bullet order.
fn dated_apart<'a>(
    brief: &'a Brief,
    story: &'a Story,
) -> impl Iterator<Item = DatedApart<'a>> + 'a {
    story.bullets.iter().filter_map(move |bullet| {
        let months = bullet.apart_months?;
        let estimate = brief.articles[bullet.article]
            .date_estimate
            .as_ref()
            .expect("only dated articles are apart");
        Some(DatedApart {
            article: bullet.article,
            estimate,
            rest: rest_of_story(story, months),
        })
    })
}

fn article_lines<'a>(brief: &'a Brief, story: &'a Story) -> Vec<ArticleLine<'a>> {
    story
        .bullets
        .iter()
        .map(|bullet| {
            let article = &brief.articles[bullet.article];
            let agencies = &article.agencies;
            let mut facts = vec![format!(
                "in {}",
                language_name(&article.record.source.language.code)
            )];
            facts.push(if agencies.is_empty() {
                "no agency credited".to_string()
            } else {
                format!("credits {}", agencies.join(", "))
            });
            if let Some(estimate) = &article.date_estimate {
                facts.push(format!("dated {}", estimate.label()));
            }
            if !article.wording.is_empty() {
                facts.push(format!("{} wording note(s)", article.wording.len()));
            }
            ArticleLine {
                article: bullet.article,
                id: article.id(),
                facts: facts.join("; "),
                language_note: language_note(&article.record),
                adds: bullet.adds.as_ref(),
                only_here: &bullet.only_here,
                apart: bullet.apart_months.map(|m| rest_of_story(story, m)),
            }
        })
        .collect()
}

fn wording<'a>(brief: &'a Brief, story: &'a Story) -> Vec<ArticleWording<'a>> {
    let lexicon = Lexicon::builtin();
    story
        .articles
        .iter()
        .map(|&index| (index, &brief.articles[index]))
        .filter(|(_, article)| !article.wording.is_empty())
        .map(|(index, article)| ArticleWording {
            article: index,
            id: article.id(),
            notes: article
                .wording
                .iter()
                .map(|note| WordingLine {
                    surface: &note.surface,
                    term: &lexicon.terms[note.term],
                    source: Source {
                        article: index,
                        anchor: Anchor::Paragraph(note.paragraph),
                    },
                    sentence_source: &note.sentence_source,
                    sentence_translation: &note.sentence_translation,
                })
                .collect(),
        })
        .collect()
}

/// Where the rest of a story sits in time, for an article dated apart
/// from it by `months` (from the month most of the story agrees on).
pub fn rest_of_story(story: &Story, months: i64) -> String {
    match story.time {
        Some(time) => format!(
            "the rest of the story dates to {} ({} article(s)); its earliest possible date is {months} months after {}",
            time.label(),
            time.count,
            time.point.label()
        ),
        None => format!("{months} months from the rest of the story"),
    }
}

/// The story's time and the articles dated apart from it, as prose.
pub fn time_line(brief: &Brief, story: &Story) -> Option<String> {
    let time = story.time?;
    let dated = story
        .articles
        .iter()
        .filter(|&&a| brief.articles[a].date_estimate.is_some())
        .count();
    Some(format!(
        "{} of {dated} dated article(s) fit {} (dating rests on the office-holders each names, from the gazetteer's terms of office; see each article's line)",
        time.count,
        time.label()
    ))
}

/// The sentence under the brief's title (and what `--since` did).
pub fn overview(brief: &Brief) -> String {
    let mut text = format!(
        "{} stor{} from {} article record(s), built from the records alone (grouping threshold {}). Every claim links to the article view and paragraph it comes from; each article view shows the source beside its English.",
        brief.stories.len(),
        if brief.stories.len() == 1 { "y" } else { "ies" },
        brief.articles.len(),
        brief.settings.similarity
    );
    if let Some(window) = &brief.window {
        text.push_str(&format!(
            " Since {}: {} article(s) dated earlier left out; {} article(s) with no date estimate kept.",
            window.since.label(),
            window.left_out.len(),
            window.undated
        ));
    }
    text
}

/// What the names table says when no name from the gazetteer occurs.
pub const NO_NAMES: &str = "No name from the gazetteer is mentioned.";

/// What the wording section says when no lexicon term occurs.
pub const NO_WORDING: &str = "No term from the wording lexicon occurs in this story.";

/// The brief's closing line: what it was made from.
pub const COLOPHON: &str = "Made by tarjama from the records in this folder. Names follow the reviewed gazetteer (data/entities.toml), the places list (data/places.toml, from CLDR and GeoNames) where marked, and, marked 'found in the text', the translations' spelling of names no list holds, tied to the Arabic and merged across articles; wording notes follow the reviewed lexicon (data/wording.toml). These lists read Arabic only: for an article in another language, names come from its English translation alone, and it has no wording notes.";
