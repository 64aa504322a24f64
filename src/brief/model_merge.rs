//! Where the brief runs a model: the merged summary written by the run's
//! language model, cached so a brief rebuilt from unchanged records never
//! reruns the model.
//!
//! Used only when every article of a story was summarized by the same
//! model with the same limits (so the records themselves say which model
//! and settings to use). The model gets the article summaries, in article
//! order — for an article whose summary failed its checks, its first two
//! translated sentences instead, so nothing unchecked is fed back — and
//! its output goes through the same checks as any summary
//! (`summarize::check`, with the stricter retry); a merge that still fails
//! them is not used — the brief falls back to the extractive merge and
//! says why. Results are cached in the output folder (`OutputFolder::read_summary_cache`,
//! JSON), keyed by the SHA-256 of the inputs, the model fingerprint and the
//! limits; the cache holds only the current stories' entries, sorted, so
//! it too is the same for the same records. Without the run's model at
//! hand (`tarjama brief`) only cached merges are used and no model runs.
//! What it is not: a summarizer (that is `crate::summarize`), the cache's
//! file I/O (that is `folder`), or a source of truth (delete the cache and
//! the run rebuilds it).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::model::{Anchor, Brief, Source, Story};
use crate::files::sha256_bytes;
use crate::output::labels::{self, Flag, Method};
use crate::output::record::{Record, SummarySettings};
use crate::summarize::Summarizer;

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

/// Puts cached (or, with the run's model at hand, new) model merges into
/// the stories that can have one. `old`: the cache as found;
/// `summarizer`: the run's, to write merges not yet cached (`None`: cache
/// only, no model runs). Returns the cache to keep — the current stories'
/// merges only — and a line per problem for the reader.
pub fn apply(
    brief: &mut Brief,
    old: &BTreeMap<String, CachedMerge>,
    summarizer: Option<&Summarizer>,
) -> (BTreeMap<String, CachedMerge>, Vec<String>) {
    let mut cache = BTreeMap::new();
    let mut problems = Vec::new();
    for story in &mut brief.stories {
        let records: Vec<&Record> = story
            .articles
            .iter()
            .map(|&i| &brief.articles[i].record)
            .collect();
        let Some(input) = input(&records) else {
            continue;
        };
        let model_name = input
            .settings
            .model
            .as_ref()
            .map_or(String::new(), |m| m.name.clone());
        let merge = match (old.get(&input.key), summarizer) {
            (Some(found), _) => Some(found.clone()),
            (None, Some(summarizer)) => match run_model(summarizer, &input) {
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
        use_merge(story, &model_name, &merge);
        cache.insert(input.key.clone(), merge);
    }
    (cache, problems)
}

/// Shows a merge in its story when it passed its checks, and says in the
/// story's summary method why it is not shown otherwise.
fn use_merge(story: &mut Story, model_name: &str, merge: &CachedMerge) {
    if passed(merge) {
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
}

/// The cache from its bytes as found; an unreadable or damaged cache
/// counts as empty (it is rebuilt, never trusted half-way).
pub fn decode_cache(bytes: Option<Vec<u8>>) -> BTreeMap<String, CachedMerge> {
    bytes
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// The cache's bytes; `None` for an empty cache, which is no file at all.
pub fn encode_cache(cache: &BTreeMap<String, CachedMerge>) -> Result<Option<Vec<u8>>> {
    if cache.is_empty() {
        return Ok(None);
    }
    let mut bytes = serde_json::to_vec_pretty(cache).context("cannot serialize the cache")?;
    bytes.push(b'\n');
    Ok(Some(bytes))
}

/// Runs the model on a merge input, when `summarizer` is the model the
/// input names.
pub fn run_model(summarizer: &Summarizer, input: &MergeInput) -> Result<Option<CachedMerge>> {
    if summarizer.settings().as_ref() != Some(&input.settings) {
        return Ok(None);
    }
    let paragraphs: Vec<&str> = input.summaries.iter().map(String::as_str).collect();
    let summary = summarizer.summarize(&paragraphs, &paragraphs)?;
    // The merge is the model's or nothing: its attempt, when set aside,
    // is cached with its flags and the brief keeps its extractive merge.
    Ok(summary.map(|s| match s.model_attempt {
        Some(attempt) => CachedMerge {
            text: attempt.text,
            flags: attempt.flags,
        },
        None => CachedMerge {
            text: s.text,
            flags: s.flags,
        },
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
            model_attempt: None,
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
}
