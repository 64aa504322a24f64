//! The brief's side of the output folder: which records it reads, which
//! files it writes there and under what names, and how it tells its own
//! pages from a reader's files.
//!
//! The folder's layout itself — record listing, `brief.md`, `brief.html`,
//! `<id>.html`, the model-merge cache — is `crate::output::OutputFolder`'s;
//! this file is the brief's only way to it, and it goes through the
//! folder's byte operations, so the folder may be an object store. Every
//! write is whole or absent. What it is not:
//! the analysis or the rendering; it moves bytes that `build` and the
//! renderers made, and knows nothing of stories.

use std::collections::BTreeSet;

use anyhow::Result;

use crate::output::record::Record;
use crate::output::OutputFolder;

/// Marks the pages tarjama wrote, so stale ones can be told from a
/// reader's own files.
pub const GENERATOR: &str = "tarjama brief";

/// The file name of an article's reading view. An article called "brief"
/// would overwrite the brief itself, so it gets another name.
pub fn article_page(id: &str) -> String {
    OutputFolder::article_page_name(id)
}

/// The relative URL of an article's reading view, from a page in the same
/// folder.
pub fn article_href(id: &str) -> String {
    percent_encode(&article_page(id))
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

/// Intact records of an output folder, by id, and a line for each file
/// that could not be used.
pub fn load_records(out: &OutputFolder) -> Result<(Vec<Record>, Vec<String>)> {
    out.read_intact_records()
}

/// Writes one article's reading view.
pub fn write_article_page(out: &OutputFolder, id: &str, html: &str) -> Result<()> {
    out.write_article_page(id, html)
}

/// Writes `brief.md` and then `brief.html`.
pub fn write_brief_pages(out: &OutputFolder, markdown: &str, html: &str) -> Result<()> {
    out.write_brief_pages(markdown, html)
}

/// Where the brief page of an output folder is, for the report line.
pub fn brief_html_location(out: &OutputFolder) -> String {
    out.brief_html_location().to_string()
}

/// Removes reading views tarjama wrote for records that are gone or
/// damaged (`ids`: the records the brief was built from), so no page
/// outlives its record. Only pages carrying the generator mark are
/// touched; other HTML in the folder is left alone.
pub fn remove_stale_views<'a>(
    out: &OutputFolder,
    ids: impl Iterator<Item = &'a str>,
) -> Result<()> {
    let current: BTreeSet<String> = ids
        .map(article_page)
        .chain([OutputFolder::brief_page_name().to_string()])
        .collect();
    let mark = format!("<meta name=\"generator\" content=\"{GENERATOR}\">");
    for name in out.page_names()? {
        if current.contains(&name) {
            continue;
        }
        let ours = out
            .read_page(&name)
            .ok()
            .flatten()
            .is_some_and(|bytes| String::from_utf8_lossy(&bytes).contains(&mark));
        if ours {
            out.remove_page(&name)?;
        }
    }
    Ok(())
}

/// The model-merge cache's bytes, `None` when there is none or it cannot
/// be read (`model_merge` treats both as an empty cache).
pub fn read_merge_cache(out: &OutputFolder) -> Option<Vec<u8>> {
    out.read_summary_cache()
}

/// Writes the model-merge cache; `None` (an empty cache) removes the file.
pub fn write_merge_cache(out: &OutputFolder, bytes: Option<&[u8]>) -> Result<()> {
    out.write_summary_cache(bytes)
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

    #[test]
    fn cache_round_trips_and_a_damaged_cache_is_empty() {
        use super::super::model_merge::{decode_cache, encode_cache, CachedMerge};
        use std::collections::BTreeMap;
        let save = |dir: &std::path::Path, cache: &BTreeMap<String, CachedMerge>| {
            let out = OutputFolder::new(dir);
            write_merge_cache(&out, encode_cache(cache).unwrap().as_deref()).unwrap()
        };
        let load = |dir: &std::path::Path| decode_cache(read_merge_cache(&OutputFolder::new(dir)));
        let cache_file = |dir: &std::path::Path| dir.join(".brief-summaries.cache");
        let dir = tempfile::tempdir().unwrap();
        let mut cache = BTreeMap::new();
        cache.insert(
            "k".to_string(),
            CachedMerge {
                text: "t".into(),
                flags: vec![],
            },
        );
        save(dir.path(), &cache);
        assert_eq!(load(dir.path()), cache);
        std::fs::write(cache_file(dir.path()), "{ damaged").unwrap();
        assert!(load(dir.path()).is_empty());
        save(dir.path(), &BTreeMap::new());
        assert!(!cache_file(dir.path()).exists());
    }
}
