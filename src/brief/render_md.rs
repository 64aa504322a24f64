//! `brief.md`: the brief as Markdown, for reading in a terminal, a diff or
//! a mail. Same content and order as `brief.html`; every claim links to
//! the article view (`<id>.html#p<n>`). What it is not: the reading view —
//! the Arabic is only quoted where wording is noted.

use super::wording::Lexicon;
use super::{Brief, Source, Story};

/// Escapes text for Markdown (inline and table cells): markup characters
/// get a backslash, line breaks become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn link(brief: &Brief, source: &Source) -> String {
    format!(
        "[{}]({})",
        escape(&brief.source_label(source)),
        brief.href(source)
    )
}

fn links(brief: &Brief, sources: &[Source]) -> String {
    sources
        .iter()
        .map(|s| link(brief, s))
        .collect::<Vec<_>>()
        .join(", ")
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

fn story_md(brief: &Brief, number: usize, story: &Story, out: &mut String) {
    let lexicon = Lexicon::builtin();
    out.push_str(&format!(
        "## Story {number}: {} ({})\n\n",
        escape(&story.headline.text),
        link(brief, &story.headline.source)
    ));
    out.push_str(&format!(
        "*{} article(s). Headline: the first sentence of {}, the article closest to the rest of the story.*\n\n",
        story.articles.len(),
        escape(&brief.label(story.central))
    ));
    if let Some(line) = time_line(brief, story) {
        out.push_str(&format!("**When:** {}.\n\n", escape(&line)));
    }
    for bullet in &story.bullets {
        if let Some(months) = bullet.apart_months {
            let estimate = brief.articles[bullet.article]
                .date_estimate
                .as_ref()
                .expect("only dated articles are apart");
            out.push_str(&format!(
                "> **Dated apart:** {} dates to {} ({}); {}.\n\n",
                escape(&brief.label(bullet.article)),
                escape(&estimate.label()),
                escape(&estimate.basis.join("; ")),
                escape(&rest_of_story(story, months))
            ));
        }
    }

    out.push_str("### Summary\n\n");
    match &story.model_summary {
        Some((text, sources)) => {
            out.push_str(&format!(
                "{} (from {})\n",
                escape(text),
                links(brief, sources)
            ));
        }
        None => {
            for quote in &story.summary {
                out.push_str(&format!(
                    "- {} ({})\n",
                    escape(&quote.text),
                    link(brief, &quote.source)
                ));
            }
        }
    }
    out.push_str(&format!(
        "\n*Merged summary: {}.*\n\n",
        escape(&story.summary_method)
    ));

    out.push_str(&format!("### Articles ({})\n\n", story.bullets.len()));
    for bullet in &story.bullets {
        let article = &brief.articles[bullet.article];
        let mut facts = Vec::new();
        let agencies = article.agencies();
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
        out.push_str(&format!(
            "- **[{}]({})** — {}\n",
            escape(&brief.label(bullet.article)),
            super::percent_encode(&super::article_page(article.id())),
            escape(&facts.join("; "))
        ));
        if let Some(adds) = &bullet.adds {
            out.push_str(&format!(
                "  - Adds: “{}” ({})\n",
                escape(&adds.text),
                link(brief, &adds.source)
            ));
        }
        if !bullet.only_here.is_empty() {
            let names: Vec<String> = bullet
                .only_here
                .iter()
                .map(|(name, source)| format!("{} ({})", escape(name), link(brief, source)))
                .collect();
            out.push_str(&format!("  - Only here: {}\n", names.join(", ")));
        }
        if let Some(months) = bullet.apart_months {
            out.push_str(&format!(
                "  - **Dated apart**: {}.\n",
                escape(&rest_of_story(story, months))
            ));
        }
    }
    out.push('\n');

    out.push_str("### Who, where, when\n\n");
    if story.entities.is_empty() {
        out.push_str("No name from the gazetteer is mentioned.\n\n");
    } else {
        out.push_str("| Kind | Name | Arabic spellings | Named in |\n|---|---|---|---|\n");
        for row in &story.entities {
            let name = match &row.role {
                Some(role) => format!("{} ({})", escape(&row.name), escape(role)),
                None => escape(&row.name),
            };
            let spellings: Vec<String> = row.spellings.iter().map(|s| escape(s)).collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                row.kind.heading(),
                name,
                spellings.join("، "),
                links(brief, &row.sources)
            ));
        }
        out.push('\n');
    }
    if !story.dates.is_empty() {
        out.push_str("| Date mentioned | In |\n|---|---|\n");
        for row in &story.dates {
            out.push_str(&format!(
                "| {} | {} |\n",
                escape(&row.label),
                links(brief, &row.sources)
            ));
        }
        out.push('\n');
    }

    out.push_str("### Wording to note\n\n");
    let mut any = false;
    for &index in &story.articles {
        let article = &brief.articles[index];
        if article.wording.is_empty() {
            continue;
        }
        any = true;
        out.push_str(&format!("**{}**\n\n", escape(&brief.label(index))));
        for note in &article.wording {
            let term = &lexicon.terms[note.term];
            let source = Source {
                article: index,
                anchor: super::Anchor::Paragraph(note.paragraph),
            };
            out.push_str(&format!(
                "- «{}» *{}* — {} ({})\n  - Arabic: {}\n  - English: {}\n",
                escape(&note.surface),
                escape(&term.gloss),
                escape(&term.why),
                link(brief, &source),
                escape(&note.sentence_source),
                escape(&note.sentence_translation)
            ));
        }
        out.push('\n');
    }
    if !any {
        out.push_str("No term from the wording lexicon occurs in this story.\n\n");
    }
}

/// The whole brief as Markdown.
pub fn brief(brief: &Brief) -> String {
    let mut out = String::from("# Brief\n\n");
    out.push_str(&format!(
        "{} stor{} from {} article record(s), built from the records alone (grouping threshold {}). Every claim links to the article view and paragraph it comes from; each article view shows the Arabic beside its English.\n\n",
        brief.stories.len(),
        if brief.stories.len() == 1 { "y" } else { "ies" },
        brief.articles.len(),
        brief.settings.similarity
    ));
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
    out.push_str("---\n\nMade by tarjama from the records in this folder. Names follow the gazetteer (data/entities.toml); wording notes follow the reviewed lexicon (data/wording.toml).\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_markup_is_escaped() {
        assert_eq!(escape("a*b_[c](d)|e\nf"), "a\\*b\\_\\[c\\](d)\\|e f");
        assert_eq!(escape("<script>"), "\\<script\\>");
    }
}
