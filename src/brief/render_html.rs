//! `brief.html` and the per-article reading views `<id>.html`.
//!
//! Pages are self-contained: inline CSS, no scripts, fonts, images or
//! other requests (a Content-Security-Policy of `default-src 'none'`
//! enforces it), so they work offline and from a mail attachment. Arabic
//! is marked `lang="ar" dir="rtl"` with a system Arabic font stack; each
//! paragraph sits beside its English in a grid that stacks at phone width.
//! Paragraphs carry ids (`#p3`), which is what every link in the brief
//! points at. What it is not: a template engine; all text goes through
//! [`escape`].

use super::analyse::language_note;
use super::folder::{self, GENERATOR};
use super::model::{Anchor, ArticleAnalysis, Brief, DateRow, EntityRow, Source, Story};
use super::sections::{
    overview, story_sections, ArticleLine, ArticleWording, Markup, StorySection, SummaryText,
    COLOPHON, NO_NAMES, NO_WORDING,
};
use super::wording::Lexicon;
use crate::input::language::language_name;
use crate::output::labels;
use crate::output::record::Record;
use crate::output::OutputFolder;
use crate::text::script::Script;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --mark: #fff3b0; --warn: #fff1e5; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; color: var(--ink); background: #fff;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-top: 2px solid var(--ink); padding-top: .75rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
a { color: #0550ae; }
.meta, .note, .language-note { color: var(--muted); font-size: .9rem; }
.src { font-size: .85rem; white-space: nowrap; }
.apart { background: var(--warn); border-left: 4px solid #bc4c00; padding: .5rem .75rem; margin: .75rem 0; }
[lang="ar"] { font-family: "Noto Naskh Arabic", "Amiri", "Scheherazade New", "Geeza Pro", "Arial", sans-serif;
  font-size: 1.12em; line-height: 1.8; direction: rtl; unicode-bidi: isolate; text-align: right; }
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
td[lang="ar"] { text-align: right; }
ul { padding-left: 1.25rem; }
li { margin: .3rem 0; }
.bullets > li { margin: .8rem 0; }
.wording li { margin: .8rem 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem 1.5rem; padding: .75rem 0; border-bottom: 1px solid var(--line); }
.pair .num { grid-column: 1 / -1; color: var(--muted); font-size: .8rem; }
.pair p { margin: 0; }
.pair:target { background: #f0f6ff; }
.pair .check { display: block; margin-top: .35rem; padding: .15rem .4rem; background: var(--warn); }
mark { background: var(--mark); padding: 0 .1em; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 2rem; padding-top: .75rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .85rem; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
footer dt { font-weight: 600; }
footer dd { margin: 0; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .8rem; }
@media (max-width: 600px) {
  body { padding: .75rem; font-size: 15px; }
  .pair { grid-template-columns: 1fr; }
  footer dl { grid-template-columns: 1fr; }
  .src { white-space: normal; }
}
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<meta name=\"generator\" content=\"{GENERATOR}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body id=\"top\">\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// HTML's escaping and links, for the helpers of [`Markup`].
struct Html;

impl Markup for Html {
    fn escape(text: &str) -> String {
        escape(text)
    }

    fn link(brief: &Brief, source: &Source) -> String {
        link(brief, source)
    }
}

fn link(brief: &Brief, source: &Source) -> String {
    format!(
        "<a class=\"src\" href=\"{}\">{}</a>",
        escape(&brief.href(source)),
        escape(&brief.source_label(source))
    )
}

fn story_html(brief: &Brief, number: usize, story: &Story, out: &mut String) {
    out.push_str(&format!(
        "<section class=\"story\" id=\"story-{number}\">\n"
    ));
    for section in story_sections(brief, number, story) {
        match section {
            StorySection::Heading {
                number,
                headline,
                articles,
                central,
            } => {
                out.push_str(&format!(
                    "<h2>Story {number}: <bdi>{}</bdi> {}</h2>\n",
                    escape(&headline.text),
                    link(brief, &headline.source)
                ));
                out.push_str(&format!(
                    "<p class=\"meta\">{articles} article(s). Headline: the first sentence of {}, the article closest to the rest of the story.</p>\n",
                    escape(&brief.label(central))
                ));
            }
            StorySection::When(line) => out.push_str(&format!(
                "<p><strong>When:</strong> {}.</p>\n",
                escape(&line)
            )),
            StorySection::DatedApart(apart) => out.push_str(&format!(
                "<p class=\"apart\"><strong>Dated apart:</strong> {} dates to {} ({}); {}.</p>\n",
                link(
                    brief,
                    &Source {
                        article: apart.article,
                        anchor: Anchor::Top
                    }
                ),
                escape(&apart.estimate.label()),
                escape(&apart.estimate.basis.join("; ")),
                escape(&apart.rest)
            )),
            StorySection::Summary { text, method } => summary_html(brief, &text, method, out),
            StorySection::Articles(lines) => articles_html(brief, &lines, out),
            StorySection::Names { entities, dates } => names_html(brief, entities, dates, out),
            StorySection::Wording(articles) => wording_html(brief, &articles, out),
        }
    }
    out.push_str("</section>\n");
}

fn summary_html(brief: &Brief, text: &SummaryText, method: &str, out: &mut String) {
    out.push_str("<h3>Summary</h3>\n");
    match text {
        SummaryText::Model(text, sources) => out.push_str(&format!(
            "<p class=\"summary\"><bdi>{}</bdi> <span class=\"note\">from</span> {}</p>\n",
            escape(text),
            Html::links(brief, sources)
        )),
        SummaryText::Extractive(quotes) => {
            out.push_str("<ul class=\"summary\">\n");
            for quote in *quotes {
                out.push_str(&format!(
                    "<li><bdi>{}</bdi> {}</li>\n",
                    escape(&quote.text),
                    link(brief, &quote.source)
                ));
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str(&format!(
        "<p class=\"note\">Merged summary: {}.</p>\n",
        escape(method)
    ));
}

fn articles_html(brief: &Brief, lines: &[ArticleLine], out: &mut String) {
    out.push_str(&format!(
        "<h3>Articles ({})</h3>\n<ul class=\"bullets\">\n",
        lines.len()
    ));
    for line in lines {
        out.push_str(&format!(
            "<li class=\"bullet\" data-article=\"{}\"><strong><a href=\"{}\">{}</a></strong> — {}",
            escape(line.id),
            escape(&folder::article_href(line.id)),
            escape(&brief.label(line.article)),
            escape(&line.facts)
        ));
        out.push_str("<ul>");
        if let Some(note) = &line.language_note {
            out.push_str(&format!(
                "<li class=\"language-note\">{}.</li>",
                escape(note)
            ));
        }
        if let Some(adds) = line.adds {
            out.push_str(&format!(
                "<li>Adds: “<bdi>{}</bdi>” {}</li>",
                escape(&adds.text),
                link(brief, &adds.source)
            ));
        }
        if !line.only_here.is_empty() {
            let names: Vec<String> = line
                .only_here
                .iter()
                .map(|(name, source)| format!("{} {}", escape(name), link(brief, source)))
                .collect();
            out.push_str(&format!("<li>Only here: {}</li>", names.join(", ")));
        }
        if let Some(rest) = &line.apart {
            out.push_str(&format!(
                "<li><strong>Dated apart</strong>: {}.</li>",
                escape(rest)
            ));
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n");
}

fn names_html(brief: &Brief, entities: &[EntityRow], dates: &[DateRow], out: &mut String) {
    out.push_str("<h3>Who, where, when</h3>\n");
    if entities.is_empty() {
        out.push_str(&format!("<p>{NO_NAMES}</p>\n"));
    } else {
        out.push_str("<div class=\"table-wrap\"><table class=\"entities\">\n<thead><tr><th>Kind</th><th>Name</th><th>Arabic spellings</th><th>Named in</th></tr></thead>\n<tbody>\n");
        for row in entities {
            let role = row
                .notes()
                .map(|n| format!(" <span class=\"note\">({})</span>", escape(&n)))
                .unwrap_or_default();
            out.push_str(&format!(
                "<tr><td>{}</td><td class=\"name\">{}{role}</td><td lang=\"ar\" dir=\"rtl\">{}</td><td>{}</td></tr>\n",
                row.kind.heading(),
                escape(&row.name),
                Html::spellings(&row.spellings),
                Html::links(brief, &row.sources)
            ));
        }
        out.push_str("</tbody></table></div>\n");
    }
    if !dates.is_empty() {
        out.push_str("<div class=\"table-wrap\"><table class=\"dates\">\n<thead><tr><th>Date mentioned</th><th>In</th></tr></thead>\n<tbody>\n");
        for row in dates {
            out.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>\n",
                escape(&row.label),
                Html::links(brief, &row.sources)
            ));
        }
        out.push_str("</tbody></table></div>\n");
    }
}

fn wording_html(brief: &Brief, articles: &[ArticleWording], out: &mut String) {
    out.push_str("<h3>Wording to note</h3>\n");
    for article in articles {
        out.push_str(&format!(
            "<p><strong>{}</strong></p>\n<ul class=\"wording\" data-article=\"{}\">\n",
            escape(&brief.label(article.article)),
            escape(article.id)
        ));
        for note in &article.notes {
            out.push_str(&format!(
                "<li>«<span lang=\"ar\" dir=\"rtl\">{}</span>» <em>{}</em> — {} {}<br><span class=\"note\">Arabic:</span> <span lang=\"ar\" dir=\"rtl\">{}</span><br><span class=\"note\">English:</span> <bdi>{}</bdi></li>\n",
                escape(note.surface),
                escape(&note.term.gloss),
                escape(&note.term.why),
                link(brief, &note.source),
                escape(note.sentence_source),
                escape(note.sentence_translation)
            ));
        }
        out.push_str("</ul>\n");
    }
    if articles.is_empty() {
        out.push_str(&format!("<p>{NO_WORDING}</p>\n"));
    }
}

/// The whole brief as one page.
pub fn brief(brief: &Brief) -> String {
    let mut body = String::from("<header>\n<h1>Brief</h1>\n");
    body.push_str(&format!("<p class=\"meta\">{}</p>\n", overview(brief)));
    if brief.stories.len() > 1 {
        body.push_str("<nav><ol>\n");
        for (i, story) in brief.stories.iter().enumerate() {
            body.push_str(&format!(
                "<li><a href=\"#story-{}\"><bdi>{}</bdi></a></li>\n",
                i + 1,
                escape(&story.headline.text)
            ));
        }
        body.push_str("</ol></nav>\n");
    }
    body.push_str("</header>\n<main>\n");
    for (i, story) in brief.stories.iter().enumerate() {
        story_html(brief, i + 1, story, &mut body);
    }
    if !brief.skipped.is_empty() {
        body.push_str("<section id=\"skipped\"><h2>Records left out</h2>\n<ul>\n");
        for line in &brief.skipped {
            body.push_str(&format!("<li>{}</li>\n", escape(line)));
        }
        body.push_str("</ul></section>\n");
    }
    body.push_str(&format!("</main>\n<footer><p>{COLOPHON}</p></footer>\n"));
    page("Brief — tarjama", &body)
}

/// A paragraph's Arabic with its noted terms marked.
fn marked_source(source: &str, marks: &[(std::ops::Range<usize>, String)]) -> String {
    let mut marks: Vec<&(std::ops::Range<usize>, String)> = marks
        .iter()
        .filter(|(span, _)| span.start < span.end && source.get(span.clone()).is_some())
        .collect();
    marks.sort_by_key(|(span, _)| (span.start, span.end));
    let mut out = String::new();
    let mut at = 0;
    for (span, title) in marks {
        if span.start < at {
            continue; // overlapping marks: the first wins
        }
        out.push_str(&escape(&source[at..span.start]));
        out.push_str(&format!(
            "<mark title=\"{}\">{}</mark>",
            escape(title),
            escape(&source[span.clone()])
        ));
        at = span.end;
    }
    out.push_str(&escape(&source[at..]));
    out
}

fn footer(record: &Record) -> String {
    let mut rows = vec![
        ("Source file", record.source.path.clone()),
        (
            "Source",
            format!(
                "{} bytes, {}, language {}",
                record.source.bytes,
                record.source.encoding,
                record.source.language.describe()
            ),
        ),
        ("Source SHA-256", record.source.sha256.clone()),
    ];
    for used in &record.translators {
        rows.push((
            "Translator",
            format!(
                "{}: {} ({} @ {})",
                used.language_names(),
                used.model.name,
                used.model.repo,
                used.model.revision
            ),
        ));
        for (file, hash) in &used.model.files {
            rows.push(("Model file", format!("{file} sha256 {hash}")));
        }
        let d = &used.decoding;
        rows.push((
            "Decoding",
            format!(
                "{}, beams {}, max length {}, length penalty {}, renormalize logits {}, max source tokens {}",
                d.strategy, d.beams, d.max_length, d.length_penalty, d.renormalize_logits, d.max_source_tokens
            ),
        ));
    }
    if let Some(summary) = &record.summary {
        let model = summary
            .settings
            .model
            .as_ref()
            .map(|m| format!(", model {} ({} @ {})", m.name, m.repo, m.revision))
            .unwrap_or_default();
        rows.push((
            "Summary",
            format!(
                "{}{model}, at most {} words and {} sentences",
                summary.shown_label(),
                summary.settings.max_words,
                summary.settings.max_sentences
            ),
        ));
    }
    rows.push(("tarjama", record.tarjama_version.clone()));
    rows.push(("Record SHA-256", record.record_sha256.clone()));
    let mut out = String::from("<footer>\n<dl>\n");
    for (name, value) in rows {
        out.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape(name),
            escape(&value)
        ));
    }
    out.push_str("</dl>\n</footer>\n");
    out
}

/// An article's bilingual reading view: its summary, the wording to note,
/// the paragraph pairs and what was left out, each a section of its own.
pub fn article_view(article: &ArticleAnalysis) -> String {
    let lexicon = Lexicon::builtin();
    let record = &article.record;
    let script = SourceScript::of(&record.source.language.code);
    let mut body = String::new();
    body.push_str(&format!(
        "<nav><a href=\"{brief}\">← Brief</a></nav>\n<header>\n<h1>{}</h1>\n<p class=\"meta\">{} source beside its English translation, paragraph by paragraph. Source: {}</p>\n{}</header>\n",
        escape(&record.id),
        escape(&language_name(&record.source.language.code)),
        escape(&record.source.path),
        language_note(record)
            .map(|note| format!("<p class=\"language-note\">{}.</p>\n", escape(&note)))
            .unwrap_or_default(),
        brief = OutputFolder::brief_page_name(),
    ));
    body.push_str(&summary_section(record));
    body.push_str(&wording_section(article, lexicon));
    body.push_str(&paragraph_pairs(article, lexicon));
    body.push_str(&removed_section(record, &script));
    body.push_str(&footer(record));
    page(&format!("{} — tarjama", record.id), &body)
}

/// The `lang` and `dir` attributes of source text in language `code`:
/// right to left for the Arabic and Hebrew scripts, left to the browser
/// for anything else.
#[derive(Clone)]
struct SourceScript {
    lang: String,
    dir: &'static str,
}

impl SourceScript {
    fn of(code: &str) -> Self {
        let rtl = matches!(Script::of_language(code), Script::Arabic | Script::Hebrew);
        SourceScript {
            lang: escape(code),
            dir: if rtl { "rtl" } else { "auto" },
        }
    }
}

fn summary_section(record: &Record) -> String {
    let mut out = String::from("<section id=\"summary\">\n<h3>Summary</h3>\n");
    match &record.summary {
        Some(summary) => {
            out.push_str(&format!("<p><bdi>{}</bdi></p>\n", escape(&summary.text)));
            if summary.model_attempt.is_some() {
                out.push_str(&format!(
                    "<p class=\"note\">Summary: {}.</p>\n",
                    escape(&summary.shown_label())
                ));
            }
            if !summary.flags.is_empty() {
                out.push_str(&format!(
                    "<p class=\"note\">Summary checks failed: {}.</p>\n",
                    escape(&labels::flag_list(&summary.flags))
                ));
            }
        }
        None => out.push_str("<p class=\"empty\">No summary in the record.</p>\n"),
    }
    out.push_str("</section>\n");
    out
}

/// The lexicon's notes on the source's wording, linked to their
/// paragraphs; nothing when there are none.
fn wording_section(article: &ArticleAnalysis, lexicon: &Lexicon) -> String {
    if article.wording.is_empty() {
        return String::new();
    }
    let mut out = String::from("<section id=\"wording\">\n<h3>Wording to note</h3>\n<ul>\n");
    for note in &article.wording {
        let term = &lexicon.terms[note.term];
        out.push_str(&format!(
            "<li><a href=\"#p{}\">¶{}</a> «<span lang=\"ar\" dir=\"rtl\">{}</span>» <em>{}</em> — {}</li>\n",
            note.paragraph,
            note.paragraph,
            escape(&note.surface),
            escape(&term.gloss),
            escape(&term.why)
        ));
    }
    out.push_str("</ul>\n</section>\n");
    out
}

/// English beside the source, paragraph by paragraph, the noted wording
/// marked in the source.
fn paragraph_pairs(article: &ArticleAnalysis, lexicon: &Lexicon) -> String {
    let record = &article.record;
    let mut out = String::from("<main class=\"pairs\">\n<h3>Text</h3>\n");
    for (index, paragraph) in record.paragraphs.iter().enumerate() {
        let number = index + 1;
        let marks: Vec<(std::ops::Range<usize>, String)> = article
            .wording
            .iter()
            .filter(|n| n.paragraph == number)
            .map(|n| {
                (
                    n.span_in_paragraph.clone(),
                    lexicon.terms[n.term].gloss.clone(),
                )
            })
            .collect();
        let english = paragraph.translation.trim();
        let english = if english.is_empty() {
            "<span class=\"empty\">(the record has no English for this paragraph)</span>"
                .to_string()
        } else {
            escape(english)
        };
        let checks = paragraph.check_note().map_or(String::new(), |note| {
            format!("\n<span class=\"note check\">{}</span>", escape(&note))
        });
        let SourceScript { lang, dir } = SourceScript::of(&paragraph.language.code);
        out.push_str(&format!(
            "<section class=\"pair\" id=\"p{number}\">\n<div class=\"num\">¶{number}</div>\n<p class=\"en\" lang=\"en\" data-paragraph=\"{number}\">{english}{checks}</p>\n<p class=\"source\" lang=\"{lang}\" dir=\"{dir}\" data-paragraph=\"{number}\">{}</p>\n</section>\n",
            marked_source(&paragraph.source, &marks)
        ));
    }
    if record.paragraphs.is_empty() {
        out.push_str("<p class=\"empty\">The record has no paragraphs.</p>\n");
    }
    out.push_str("</main>\n");
    out
}

/// The lines the reader dropped as page debris, with the reason for each.
fn removed_section(record: &Record, script: &SourceScript) -> String {
    let SourceScript { lang, dir } = script;
    let mut out = String::from("<section id=\"removed\">\n<h3>Left out as page debris</h3>\n");
    if record.removed.is_empty() {
        out.push_str("<p class=\"empty\">Nothing.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for removed in &record.removed {
            out.push_str(&format!(
                "<li>line {} ({}): <span lang=\"{lang}\" dir=\"{dir}\">{}</span></li>\n",
                removed.line,
                escape(&removed.reason),
                escape(&removed.text)
            ));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_special_characters_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn marks_wrap_the_term_and_escape_the_rest() {
        let source = "قواتها الاحتلالية <b>";
        let start = source.find("الاحتلالية").unwrap();
        let marked = marked_source(
            source,
            &[(start..start + "الاحتلالية".len(), "occupying".into())],
        );
        assert_eq!(
            marked,
            "قواتها <mark title=\"occupying\">الاحتلالية</mark> &lt;b&gt;"
        );
        // A span that does not fall on the text is ignored, not a panic.
        assert_eq!(marked_source("abc", &[(2..9, "x".into())]), "abc");
    }

    /// A record of two paragraphs whose second sentence failed a check.
    fn record_with_a_refusal() -> Record {
        let sentence = |source: &str, english: &str, flags: &[&str]| {
            serde_json::json!({"span": [0, 1], "source": source, "translation": english,
                "source_tokens": 1, "target_tokens": 1, "flags": flags})
        };
        let paragraph = |source: &str, english: &str, flags: &[&str]| {
            serde_json::json!({"span": [0, 1], "source": source, "translation": english,
                "language": {"code": "ar", "confidence": 1.0}, "model": "m",
                "sentences": [sentence(source, english, flags)]})
        };
        serde_json::from_value(serde_json::json!({
            "format": crate::output::record::RECORD_FORMAT, "id": "x", "tarjama_version": "0",
            "source": {"path": "x.txt", "sha256": "ab", "bytes": 2, "encoding": "utf-8",
                "language": {"code": "ar", "confidence": 1.0}},
            "removed": [],
            "paragraphs": [
                paragraph("وصل الوزير.", "The minister arrived.", &["retried"]),
                paragraph("أ ف ب", "I cannot assist with that request.", &["retried", "commentary"]),
            ],
            "translators": [{"languages": ["ar"],
                "model": {"name": "m", "repo": "r", "revision": "v", "files": {}},
                "decoding": {"strategy": "llm-chat-greedy", "beams": 1, "max_length": 8, "length_penalty": 1.0,
                    "renormalize_logits": false, "max_source_tokens": 100, "precision": "gguf"}}],
            "summary": null,
            "totals": {"sentences": 2, "source_tokens": 2, "target_tokens": 2},
            "record_sha256": ""
        }))
        .unwrap()
    }

    #[test]
    fn a_paragraph_whose_translation_failed_a_check_says_so_beside_it() {
        let page = article_view(&crate::brief::analyse::analyse(record_with_a_refusal()));
        let note = "<span class=\"note check\">Translation checks failed on this paragraph: commentary.</span>";
        assert_eq!(
            page.matches("Translation checks failed").count(),
            1,
            "{page}"
        );
        assert!(
            page.contains(&format!("I cannot assist with that request.\n{note}</p>")),
            "{page}"
        );
    }
}
