//! The brief's side of the output folder: which records it reads, which
//! files it writes there and under what names, and how it tells its own
//! pages from a reader's files.
//!
//! The folder's layout itself — record listing, `brief.md`, `brief.html`,
//! `<id>.html`, the model-merge cache — is `crate::output::OutputFolder`'s;
//! this file is the brief's only way to it, so moving outputs elsewhere
//! (object storage) touches those two files only. Every write is atomic. What it is not:
//! the analysis or the rendering; it moves bytes that `build` and the
//! renderers made, and knows nothing of stories.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::files::write_atomic;
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
pub fn load_records(out_dir: &Path) -> Result<(Vec<Record>, Vec<String>)> {
    OutputFolder::new(out_dir).read_intact_records()
}

/// Writes one article's reading view.
pub fn write_article_page(out_dir: &Path, id: &str, html: &str) -> Result<()> {
    write_atomic(
        &OutputFolder::new(out_dir).article_page_path(id),
        html.as_bytes(),
    )
}

/// Writes `brief.md` and then `brief.html`.
pub fn write_brief_pages(out_dir: &Path, markdown: &str, html: &str) -> Result<()> {
    let folder = OutputFolder::new(out_dir);
    write_atomic(&folder.brief_markdown_path(), markdown.as_bytes())?;
    write_atomic(&folder.brief_html_path(), html.as_bytes())
}

/// Where the brief page of an output folder is, for the report line.
pub fn brief_html_path(out_dir: &Path) -> PathBuf {
    OutputFolder::new(out_dir).brief_html_path()
}

/// Removes reading views tarjama wrote for records that are gone or
/// damaged (`ids`: the records the brief was built from), so no page
/// outlives its record. Only pages carrying the generator mark are
/// touched; other HTML in the folder is left alone.
pub fn remove_stale_views<'a>(out_dir: &Path, ids: impl Iterator<Item = &'a str>) -> Result<()> {
    let current: BTreeSet<String> = ids
        .map(article_page)
        .chain([OutputFolder::brief_page_name().to_string()])
        .collect();
    let mark = format!("<meta name=\"generator\" content=\"{GENERATOR}\">");
    for path in OutputFolder::new(out_dir).page_files()? {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if current.contains(&name) {
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

/// The model-merge cache's bytes, `None` when there is none or it cannot
/// be read (`model_merge` treats both as an empty cache).
pub fn read_merge_cache(out_dir: &Path) -> Option<Vec<u8>> {
    std::fs::read(OutputFolder::new(out_dir).summary_cache_path()).ok()
}

/// Writes the model-merge cache; `None` (an empty cache) removes the file.
pub fn write_merge_cache(out_dir: &Path, bytes: Option<&[u8]>) -> Result<()> {
    let path = OutputFolder::new(out_dir).summary_cache_path();
    match bytes {
        Some(bytes) => write_atomic(&path, bytes),
        None => {
            if path.exists() {
                std::fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
            Ok(())
        }
    }
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
        let save = |dir: &Path, cache: &BTreeMap<String, CachedMerge>| {
            write_merge_cache(dir, encode_cache(cache).unwrap().as_deref()).unwrap()
        };
        let load = |dir: &Path| decode_cache(read_merge_cache(dir));
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
        std::fs::write(
            OutputFolder::new(dir.path()).summary_cache_path(),
            "{ damaged",
        )
        .unwrap();
        assert!(load(dir.path()).is_empty());
        save(dir.path(), &BTreeMap::new());
        assert!(!OutputFolder::new(dir.path()).summary_cache_path().exists());
    }
}
