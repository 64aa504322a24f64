//! `tarjama verify`: are the records in an output folder still true?
//!
//! Each record names its source file and that file's SHA-256, and carries a
//! SHA-256 of its own content. A record is *damaged* when it does not parse
//! or its own hash is wrong, and *stale* when its source changed or is gone.
//! What it is not: a re-translation; it only reads and hashes.

use std::path::Path;

use anyhow::Result;

use crate::files::{sha256_bytes, sha256_file};
use crate::output::folder::read_record_at;
use crate::output::OutputFolder;
use crate::store::{Location, StoreOptions};

#[derive(Debug, Default)]
pub struct VerifyReport {
    pub checked: usize,
    /// One line per problem, starting with "stale:" or "damaged:".
    pub problems: Vec<String>,
}

/// Checks every record in `out`; a source that is a URL is read from its
/// store with `store` (the environment's settings).
pub fn verify(out: &OutputFolder, store: &StoreOptions) -> Result<VerifyReport> {
    let mut report = VerifyReport::default();
    for location in out.record_locations()? {
        report.checked += 1;
        let record = match read_record_at(&location) {
            Ok(record) => record,
            Err(e) => {
                report.problems.push(format!("damaged: {e:#}"));
                continue;
            }
        };
        if !record.is_intact() {
            report.problems.push(format!(
                "damaged: {location}: record hash does not match its content"
            ));
            continue;
        }
        let (hash, gone) = source_hash(&record.source.path, store);
        match hash {
            Err(_) if gone => report.problems.push(format!(
                "stale: {location}: source {} is gone",
                record.source.path
            )),
            Err(e) => report.problems.push(format!("stale: {location}: {e:#}")),
            Ok(hash) if hash != record.source.sha256 => report.problems.push(format!(
                "stale: {location}: source {} changed since it was translated",
                record.source.path
            )),
            Ok(_) => {}
        }
    }
    Ok(report)
}

/// The SHA-256 of the source a record names (a path, or an object's URL),
/// and whether it is gone.
fn source_hash(source: &str, store: &StoreOptions) -> (Result<String>, bool) {
    match Location::parse(source).map(|l| l.with_options(store)) {
        Ok(Location::Local(_)) | Err(_) => {
            let path = Path::new(source);
            (sha256_file(path), !path.exists())
        }
        Ok(object) => match object.read() {
            Ok(Some(bytes)) => (Ok(sha256_bytes(&bytes)), false),
            Ok(None) => (Err(anyhow::anyhow!("{source} is gone")), true),
            Err(e) => (Err(e), false),
        },
    }
}
