//! The merged summary written by the run's language model, cached so a
//! brief rebuilt from unchanged records never reruns the model.
//!
//! Used only when every article of a story was summarized by the same
//! model with the same limits (so the records themselves say which model
//! and settings to use). The model gets the article summaries, in article
//! order — for an article whose summary failed its checks, its first two
//! translated sentences instead, so nothing unchecked is fed back — and
//! its output goes through the same checks as any summary
//! (`summarize::check`, with the stricter retry); a merge that still fails
//! them is not used — the brief falls back to the extractive merge and
//! says why. Results are kept in `<out>/.brief-summaries.cache` (JSON;
//! not `.json`, which is for records), keyed by
//! the SHA-256 of the inputs, the model fingerprint and the limits; the
//! file holds only the current stories' entries, sorted, so it too is the
//! same for the same records. What it is not: a summarizer (that is
//! `crate::summarize`), or a source of truth (delete the file and the run
//! rebuilds it).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::files::sha256_bytes;
use crate::files::write_atomic;
use crate::output::labels::{self, Flag, Method};
use crate::output::record::{Record, SummarySettings};
use crate::summarize::Summarizer;

/// Where the cache lives in an output folder (hidden: it is not output).
pub const CACHE_FILE: &str = ".brief-summaries.cache";

/// One cached merge: the model's text and the checks it failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedMerge {
    pub text: String,
    pub flags: Vec<Flag>,
}

/// What a story's model merge is made from.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeInput {
    /// The article summaries, in article order.
    pub summaries: Vec<String>,
    pub settings: SummarySettings,
    /// SHA-256 of the summaries, the settings (model fingerprint included).
    pub key: String,
}

/// The merge input of a story whose articles were all summarized by one
/// model with one set of limits; `None` otherwise.
pub fn input(records: &[&Record]) -> Option<MergeInput> {
    let first = records.first()?.summary.as_ref()?;
    if first.settings.method != Method::Model || first.settings.model.is_none() {
        return None;
    }
    let mut summaries = Vec::new();
    for record in records {
        let summary = record.summary.as_ref()?;
        if summary.settings != first.settings {
            return None;
        }
        let sound = !summary.text.trim().is_empty() && !labels::has_failed_check(&summary.flags);
        summaries.push(if sound {
            summary.text.trim().to_string()
        } else {
            lead(record)
        });
    }
    let key_material = serde_json::to_vec(&(&summaries, &first.settings)).ok()?;
    Some(MergeInput {
        summaries,
        settings: first.settings.clone(),
        key: sha256_bytes(&key_material),
    })
}

/// An article's first two translated sentences.
fn lead(record: &Record) -> String {
    record
        .paragraphs
        .iter()
        .flat_map(|p| &p.sentences)
        .map(|s| s.translation.trim())
        .filter(|t| !t.is_empty())
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The cache as found; an unreadable or damaged cache counts as empty (it
/// is rebuilt, never trusted half-way).
pub fn load_cache(out_dir: &Path) -> BTreeMap<String, CachedMerge> {
    std::fs::read(out_dir.join(CACHE_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

pub fn save_cache(out_dir: &Path, cache: &BTreeMap<String, CachedMerge>) -> Result<()> {
    let path = out_dir.join(CACHE_FILE);
    if cache.is_empty() {
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
        return Ok(());
    }
    let mut bytes = serde_json::to_vec_pretty(cache).context("cannot serialize the cache")?;
    bytes.push(b'\n');
    write_atomic(&path, &bytes)
}

/// Runs the model on a merge input, when `summarizer` is the model the
/// input names.
pub fn run_model(summarizer: &Summarizer, input: &MergeInput) -> Result<Option<CachedMerge>> {
    if summarizer.settings().as_ref() != Some(&input.settings) {
        return Ok(None);
    }
    let paragraphs: Vec<&str> = input.summaries.iter().map(String::as_str).collect();
    let summary = summarizer.summarize(&paragraphs, &paragraphs)?;
    Ok(summary.map(|s| CachedMerge {
        text: s.text,
        flags: s.flags,
    }))
}

/// Whether a merge passed its checks ("retried" alone: the retry passed).
pub fn passed(merge: &CachedMerge) -> bool {
    !merge.text.trim().is_empty() && !labels::has_failed_check(&merge.flags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_store::ModelFingerprint;
    use crate::output::record::SummaryRecord;

    fn record(text: &str, method: Method) -> Record {
        let mut r: Record =
            serde_json::from_str(include_str!("../../tests/fixtures/brief/record.json")).unwrap();
        r.summary = Some(SummaryRecord {
            text: text.into(),
            settings: SummarySettings {
                method,
                model: (method == Method::Model).then(|| ModelFingerprint {
                    name: "m".into(),
                    repo: "r".into(),
                    revision: "v".into(),
                    files: BTreeMap::new(),
                }),
                max_words: 80,
                max_sentences: 3,
            },
            flags: vec![],
        });
        r
    }

    #[test]
    fn key_follows_the_summaries_and_settings() {
        let (a, b) = (record("One.", Method::Model), record("Two.", Method::Model));
        let key = input(&[&a, &b]).unwrap().key;
        assert_eq!(input(&[&a, &b]).unwrap().key, key);
        assert_ne!(input(&[&b, &a]).unwrap().key, key);
        let mut c = record("Two.", Method::Model);
        c.summary.as_mut().unwrap().settings.max_words = 60;
        assert!(input(&[&a, &c]).is_none(), "different limits");
        assert!(input(&[&a, &record("Two.", Method::Extractive)]).is_none());
        // A summary that failed its checks is replaced by the article's lead.
        let mut failed = record("Invented.", Method::Model);
        failed.summary.as_mut().unwrap().flags = vec![Flag::UnsupportedName];
        let merged = input(&[&a, &failed]).unwrap();
        assert_eq!(merged.summaries[0], "One.");
        assert_eq!(merged.summaries[1], lead(&failed));
        assert!(!merged.summaries[1].contains("Invented"));
    }

    #[test]
    fn cache_round_trips_and_a_damaged_cache_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = BTreeMap::new();
        cache.insert(
            "k".to_string(),
            CachedMerge {
                text: "t".into(),
                flags: vec![],
            },
        );
        save_cache(dir.path(), &cache).unwrap();
        assert_eq!(load_cache(dir.path()), cache);
        std::fs::write(dir.path().join(CACHE_FILE), "{ damaged").unwrap();
        assert!(load_cache(dir.path()).is_empty());
        save_cache(dir.path(), &BTreeMap::new()).unwrap();
        assert!(!dir.path().join(CACHE_FILE).exists());
    }
}
