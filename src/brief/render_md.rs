//! `brief.md`: the brief as Markdown, for reading in a terminal, a diff or
//! a mail. Same content and order as `brief.html`; every claim links to
//! the article view (`<id>.html#p<n>`). What it is not: the reading view —
//! the Arabic is only quoted where wording is noted.

use super::folder;
use super::model::{Brief, DateRow, EntityRow, Source, Story};
use super::sections::{
    overview, story_sections, ArticleLine, ArticleWording, Markup, StorySection, SummaryText,
    COLOPHON, NO_NAMES, NO_WORDING,
};
use crate::output::markdown::escape;

/// Markdown's escaping and links, for the helpers of [`Markup`].
struct Markdown;

impl Markup for Markdown {
    fn escape(text: &str) -> String {
        escape(text)
    }

    fn link(brief: &Brief, source: &Source) -> String {
        link(brief, source)
    }
}

fn link(brief: &Brief, source: &Source) -> String {
    format!(
        "[{}]({})",
        escape(&brief.source_label(source)),
        brief.href(source)
    )
}

fn story_md(brief: &Brief, number: usize, story: &Story, out: &mut String) {
    for section in story_sections(brief, number, story) {
        match section {
            StorySection::Heading {
                number,
                headline,
                articles,
                central,
            } => {
                out.push_str(&format!(
                    "## Story {number}: {} ({})\n\n",
                    escape(&headline.text),
                    link(brief, &headline.source)
                ));
                out.push_str(&format!(
                    "*{articles} article(s). Headline: the first sentence of {}, the article closest to the rest of the story.*\n\n",
                    escape(&brief.label(central))
                ));
            }
            StorySection::When(line) => {
                out.push_str(&format!("**When:** {}.\n\n", escape(&line)));
            }
            StorySection::DatedApart(apart) => out.push_str(&format!(
                "> **Dated apart:** {} dates to {} ({}); {}.\n\n",
                escape(&brief.label(apart.article)),
                escape(&apart.estimate.label()),
                escape(&apart.estimate.basis.join("; ")),
                escape(&apart.rest)
            )),
            StorySection::Summary { text, method } => summary_md(brief, &text, method, out),
            StorySection::Articles(lines) => articles_md(brief, &lines, out),
            StorySection::Names { entities, dates } => names_md(brief, entities, dates, out),
            StorySection::Wording(articles) => wording_md(brief, &articles, out),
        }
    }
}

fn summary_md(brief: &Brief, text: &SummaryText, method: &str, out: &mut String) {
    out.push_str("### Summary\n\n");
    match text {
        SummaryText::Model(text, sources) => {
            out.push_str(&format!(
                "{} (from {})\n",
                escape(text),
                Markdown::links(brief, sources)
            ));
        }
        SummaryText::Extractive(quotes) => {
            for quote in *quotes {
                out.push_str(&format!(
                    "- {} ({})\n",
                    escape(&quote.text),
                    link(brief, &quote.source)
                ));
            }
        }
    }
    out.push_str(&format!("\n*Merged summary: {}.*\n\n", escape(method)));
}

fn articles_md(brief: &Brief, lines: &[ArticleLine], out: &mut String) {
    out.push_str(&format!("### Articles ({})\n\n", lines.len()));
    for line in lines {
        out.push_str(&format!(
            "- **[{}]({})** — {}\n",
            escape(&brief.label(line.article)),
            folder::article_href(line.id),
            escape(&line.facts)
        ));
        if let Some(note) = &line.language_note {
            out.push_str(&format!("  - *{}.*\n", escape(note)));
        }
        if let Some(adds) = line.adds {
            out.push_str(&format!(
                "  - Adds: “{}” ({})\n",
                escape(&adds.text),
                link(brief, &adds.source)
            ));
        }
        if !line.only_here.is_empty() {
            let names: Vec<String> = line
                .only_here
                .iter()
                .map(|(name, source)| format!("{} ({})", escape(name), link(brief, source)))
                .collect();
            out.push_str(&format!("  - Only here: {}\n", names.join(", ")));
        }
        if let Some(rest) = &line.apart {
            out.push_str(&format!("  - **Dated apart**: {}.\n", escape(rest)));
        }
    }
    out.push('\n');
}

fn names_md(brief: &Brief, entities: &[EntityRow], dates: &[DateRow], out: &mut String) {
    out.push_str("### Who, where, when\n\n");
    if entities.is_empty() {
        out.push_str(&format!("{NO_NAMES}\n\n"));
    } else {
        out.push_str("| Kind | Name | Arabic spellings | Named in |\n|---|---|---|---|\n");
        for row in entities {
            let name = match row.notes() {
                Some(notes) => format!("{} ({})", escape(&row.name), escape(&notes)),
                None => escape(&row.name),
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                row.kind.heading(),
                name,
                Markdown::spellings(&row.spellings),
                Markdown::links(brief, &row.sources)
            ));
        }
        out.push('\n');
    }
    if !dates.is_empty() {
        out.push_str("| Date mentioned | In |\n|---|---|\n");
        for row in dates {
            out.push_str(&format!(
                "| {} | {} |\n",
                escape(&row.label),
                Markdown::links(brief, &row.sources)
            ));
        }
        out.push('\n');
    }
}

fn wording_md(brief: &Brief, articles: &[ArticleWording], out: &mut String) {
    out.push_str("### Wording to note\n\n");
    for article in articles {
        out.push_str(&format!(
            "**{}**\n\n",
            escape(&brief.label(article.article))
        ));
        for note in &article.notes {
            out.push_str(&format!(
                "- «{}» *{}* — {} ({})\n  - Arabic: {}\n  - English: {}\n",
                escape(note.surface),
                escape(&note.term.gloss),
                escape(&note.term.why),
                link(brief, &note.source),
                escape(note.sentence_source),
                escape(note.sentence_translation)
            ));
        }
        out.push('\n');
    }
    if articles.is_empty() {
        out.push_str(&format!("{NO_WORDING}\n\n"));
    }
}

/// The whole brief as Markdown.
pub fn brief(brief: &Brief) -> String {
    let mut out = String::from("# Brief\n\n");
    out.push_str(&format!("{}\n\n", overview(brief)));
    for (i, story) in brief.stories.iter().enumerate() {
        story_md(brief, i + 1, story, &mut out);
    }
    if !brief.skipped.is_empty() {
        out.push_str("## Records left out\n\n");
        for line in &brief.skipped {
            out.push_str(&format!("- {}\n", escape(line)));
        }
        out.push('\n');
    }
    out.push_str(&format!("---\n\n{COLOPHON}\n"));
    out
}
