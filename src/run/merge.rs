//! `tarjama merge`'s first half: the shards' manifest parts joined into
//! the `manifest.jsonl` one run over all the inputs would have written —
//! or, when a shard is missing, did not finish, or ran over other inputs,
//! a line naming it and no manifest at all (a manifest that silently lacks
//! a shard's articles would read as a complete night).
//!
//! What it is not: the brief, which the command writes after a merge from
//! all records (`crate::brief`); or where the parts are kept
//! (`crate::output::OutputFolder`).

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use super::manifest::{Manifest, ManifestPart};
use super::{Shard, Status};
use crate::output::OutputFolder;

/// How a merge ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// `manifest.jsonl` was written from `shards` parts.
    Merged {
        shards: usize,
        lines: usize,
        /// Inputs that failed in their shard (as a run would count them).
        failed: usize,
    },
    /// Nothing was written; one line per shard that keeps the merge from
    /// being whole.
    Incomplete(Vec<String>),
}

/// Joins the manifest parts in `folder` into its `manifest.jsonl`.
pub fn merge_manifests(folder: &OutputFolder) -> Result<MergeOutcome> {
    let mut splits: BTreeMap<usize, BTreeMap<usize, ManifestPart>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (label, bytes) in folder.manifest_parts()? {
        let name = OutputFolder::manifest_part_name(&label);
        let Some(shard) = shard_of_label(&label) else {
            problems.push(format!(
                "{name}: not a shard's part (expected part-I-of-N.json)"
            ));
            continue;
        };
        match serde_json::from_slice::<ManifestPart>(&bytes) {
            Ok(part) if part.shard == shard.to_string() => {
                splits
                    .entry(shard.count)
                    .or_default()
                    .insert(shard.index, part);
            }
            Ok(part) => problems.push(format!("{name}: holds shard {}'s lines", part.shard)),
            Err(e) => problems.push(format!("{name}: not a manifest part ({e})")),
        }
    }
    let Some((&count, parts)) = splits.iter().next_back() else {
        if problems.is_empty() {
            bail!(
                "no shard has finished in {}: no {} (run `tarjama run … --shard I/N` first)",
                folder.location(),
                OutputFolder::manifest_part_name("I-of-N")
            );
        }
        return Ok(MergeOutcome::Incomplete(problems));
    };
    if splits.len() > 1 {
        let counts: Vec<String> = splits.keys().map(|n| n.to_string()).collect();
        problems.push(format!(
            "parts of runs split {} ways are side by side; remove the stale ones from {}/shards",
            counts.join(" and "),
            folder.location()
        ));
    }
    let digest = parts.values().next().map(|p| p.inputs_sha256.clone());
    for index in 0..count {
        let shard = Shard { index, count };
        let Some(part) = parts.get(&index) else {
            problems.push(format!(
                "shard {shard} has not finished: no {} (run it again: --shard {shard})",
                OutputFolder::manifest_part_name(&shard.label())
            ));
            continue;
        };
        if !part.finished {
            let done = part
                .lines
                .iter()
                .filter(|l| l.status != Status::Interrupted)
                .count();
            problems.push(format!(
                "shard {shard} has not finished (still running, or stopped with {done} input(s) done); run it again: --shard {shard}"
            ));
            continue;
        }
        if Some(&part.inputs_sha256) != digest.as_ref() {
            problems.push(format!(
                "shard {shard} ran over other inputs than shard {}/{count} (another night's part?); run it again: --shard {shard}",
                parts.keys().next().unwrap_or(&0)
            ));
        }
        let interrupted = part
            .lines
            .iter()
            .filter(|l| l.status == Status::Interrupted)
            .count();
        if interrupted > 0 {
            problems.push(format!(
                "shard {shard} stopped with {interrupted} article(s) not done; run it again: --shard {shard}"
            ));
        }
    }
    if !problems.is_empty() {
        return Ok(MergeOutcome::Incomplete(problems));
    }
    let mut manifest = Manifest::default();
    let mut failed = 0;
    let mut lines = 0;
    for part in parts.values() {
        for line in &part.lines {
            failed += usize::from(line.status == Status::Failed);
            lines += 1;
            manifest.insert(line.clone());
        }
    }
    folder.write_manifest(&manifest.to_jsonl()?)?;
    Ok(MergeOutcome::Merged {
        shards: count,
        lines,
        failed,
    })
}

/// The shard a part's label ("1-of-3") names.
fn shard_of_label(label: &str) -> Option<Shard> {
    let (index, count) = label.split_once("-of-")?;
    Shard::new(index.parse().ok()?, count.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_shards_and_nothing_else() {
        assert_eq!(shard_of_label("1-of-3"), Shard::new(1, 3));
        assert_eq!(shard_of_label("3-of-3"), None);
        assert_eq!(shard_of_label("x-of-3"), None);
        assert_eq!(shard_of_label("1of3"), None);
    }
}
