//! `tarjama brief`: one brief per story for readers who do not read
//! Arabic, built from the records in an output folder and nothing else.
//!
//! Flow, one file per step:
//! - [`folder`]: list and load the intact `*.json` records (damaged ones
//!   are skipped with a one-line warning); every name and file the brief
//!   uses in the output folder.
//! - [`analyse`]: per article, the entities, dates, agencies and loaded
//!   wording on the normalized Arabic source (with `crate::names`,
//!   `dates`, `wording`, `dating`, `crate::text::arabic`); for a source in
//!   another language, the names its English translation gives, and a
//!   note saying the other lists are Arabic-only.
//! - [`build`]: group articles into stories (`group`) and, per story, a
//!   headline, a merged extractive summary, one bullet per article, the
//!   entity and date tables and the wording to note, as the plain types of
//!   [`model`].
//! - [`model_merge`]: the one place a model runs — the run's language
//!   model merges a story's article summaries (cached in the folder, so
//!   `tarjama brief` alone only reads the cache).
//! - [`sections`] → [`render_md`], [`render_html`]: one list of story
//!   sections, rendered as `brief.md`, `brief.html` and a bilingual
//!   `<id>.html` per record, each written atomically ([`write_brief`]).
//!
//! Every claim carries the article and paragraph it comes from, so each
//! can be checked against the source. The output depends only on the
//! records, the settings and the model-merge cache (no clock, sorted
//! maps), so the same records give byte-identical files. What it is not: a
//! second translation pass — no model translates here, and the only model
//! that runs is the summarizer in `model_merge`.

pub mod analyse;
pub mod build;
pub mod dates;
pub mod dating;
pub mod folder;
pub mod group;
pub mod model;
pub mod model_merge;
pub mod render_html;
pub mod render_md;
pub mod sections;
pub mod wording;

use anyhow::Result;

use crate::output::OutputFolder;

pub use analyse::analyse;
pub use build::{build, grouping_features};
pub use folder::{article_page, load_records, percent_encode};
pub use model::{
    Anchor, ArticleAnalysis, Brief, BriefSettings, Bullet, DateRow, EntityNote, EntityRow, Quote,
    Source, Story, Window, WordingNote,
};

/// What `write_brief` did.
#[derive(Debug, Clone)]
pub struct BriefReport {
    pub stories: usize,
    pub articles: usize,
    /// One line each: records skipped, model merges that failed to run.
    pub warnings: Vec<String>,
}

impl BriefReport {
    pub fn line(&self, out: &OutputFolder) -> String {
        format!(
            "brief: {} stor{} from {} article(s) in {}",
            self.stories,
            if self.stories == 1 { "y" } else { "ies" },
            self.articles,
            folder::brief_html_location(out)
        )
    }
}

/// Builds the brief from the records in `out` and writes `brief.md`,
/// `brief.html` and one `<id>.html` per record there. `summarizer`: the
/// run's, to write model merges not yet cached (`None`: cache only).
pub fn write_brief(
    out: &OutputFolder,
    settings: BriefSettings,
    summarizer: Option<&crate::summarize::Summarizer>,
) -> Result<BriefReport> {
    let (records, skipped) = folder::load_records(out)?;
    let mut brief = build(records, skipped, settings);
    let old = model_merge::decode_cache(folder::read_merge_cache(out));
    let (cache, mut problems) = model_merge::apply(&mut brief, &old, summarizer);
    folder::write_merge_cache(out, model_merge::encode_cache(&cache)?.as_deref())?;
    for article in &brief.articles {
        folder::write_article_page(out, article.id(), &render_html::article_view(article))?;
    }
    // Records outside `--since` keep their views: they are still records.
    let left_out = brief.window.iter().flat_map(|w| &w.left_out);
    folder::remove_stale_views(
        out,
        brief
            .articles
            .iter()
            .map(ArticleAnalysis::id)
            .chain(left_out.map(String::as_str)),
    )?;
    folder::write_brief_pages(out, &render_md::brief(&brief), &render_html::brief(&brief))?;
    problems.extend(brief.skipped.iter().map(|line| format!("skips {line}")));
    Ok(BriefReport {
        stories: brief.stories.len(),
        articles: brief.articles.len(),
        warnings: problems,
    })
}
