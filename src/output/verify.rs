//! `tarjama verify`: are the records in an output folder still true?
//!
//! Each record names its source file and that file's SHA-256, and carries a
//! SHA-256 of its own content. A record is *damaged* when it does not parse
//! or its own hash is wrong, and *stale* when its source changed or is gone.
//! What it is not: a re-translation; it only reads and hashes.

use std::path::Path;

use anyhow::Result;

use crate::files::sha256_file;
use crate::output::record::Record;
use crate::output::OutputFolder;

#[derive(Debug, Default)]
pub struct VerifyReport {
    pub checked: usize,
    /// One line per problem, starting with "stale:" or "damaged:".
    pub problems: Vec<String>,
}

pub fn verify(out_dir: &Path) -> Result<VerifyReport> {
    let mut report = VerifyReport::default();
    for path in OutputFolder::new(out_dir).record_files()? {
        report.checked += 1;
        let record = match Record::read(&path) {
            Ok(record) => record,
            Err(e) => {
                report.problems.push(format!("damaged: {e:#}"));
                continue;
            }
        };
        if !record.is_intact() {
            report.problems.push(format!(
                "damaged: {}: record hash does not match its content",
                path.display()
            ));
            continue;
        }
        let source = Path::new(&record.source.path);
        match sha256_file(source) {
            Err(_) if !source.exists() => report.problems.push(format!(
                "stale: {}: source {} is gone",
                path.display(),
                source.display()
            )),
            Err(e) => report
                .problems
                .push(format!("stale: {}: {e:#}", path.display())),
            Ok(hash) if hash != record.source.sha256 => report.problems.push(format!(
                "stale: {}: source {} changed since it was translated",
                path.display(),
                source.display()
            )),
            Ok(_) => {}
        }
    }
    Ok(report)
}
