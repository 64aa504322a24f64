//! The output step: what a run leaves in its output folder and how it is
//! checked later.
//!
//! `folder` is the one owner of the folder's layout (which files, their
//! names, listing them, writing a record); `labels` names the flags and
//! summary methods records hold; `record` is the per-article record
//! (`<id>.json`) and its readable twin (`<id>.md`); `markdown` escapes text
//! for both Markdown files; `lock` keeps one run per
//! local folder; `lease` one writer per shard of a split run (or of a
//! folder in an object store); `verify` re-hashes the sources records name. What it is not: the
//! brief (`crate::brief`), which reads this folder's records.

pub mod folder;
pub mod labels;
pub mod lease;
pub mod lock;
pub mod markdown;
pub mod record;
pub mod verify;

pub use folder::OutputFolder;
