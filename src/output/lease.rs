//! A shard's lease: which process writes the records of one shard of a
//! split run (`shards/lease-<label>.json` in the output folder, named by
//! `folder`), where an OS lock cannot reach (an object store, or nodes of
//! a cluster sharing a folder).
//!
//! Schedulers run one task per shard index, and a requeued task must not
//! wait for a dead one, so taking a lease always succeeds: a lease another
//! holder left is taken over, with one line on stderr naming it. The old
//! holder, if it is still alive, finds out at its next
//! [`Lease::confirm`] (called before each wave is written) and stops
//! instead of racing the new one. Shards write disjoint records, so at
//! worst the two write the same record with the same bytes in between.
//!
//! The object holds who holds it (host, pid and a nonce, so a reused pid
//! is a new holder) and when it was last renewed; it is not a record, so a
//! time in it is fine. What it is not: the one-writer lock of a local
//! unsharded run (`lock`, an OS lock that dies with its process).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::store::Location;

/// The error when another process took the lease over (the run stops).
#[derive(Debug)]
pub struct LeaseLost(pub String);

impl std::fmt::Display for LeaseLost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LeaseLost {}

/// What the lease object holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Holding {
    shard: String,
    /// `host:pid:nonce`, unique to one taking of the lease.
    holder: String,
    /// Seconds since the Unix epoch at the last renewal.
    renewed_unix: u64,
}

impl Holding {
    /// `host:pid`, as messages name a holder.
    fn who(&self) -> &str {
        self.holder
            .rsplit_once(':')
            .map_or(self.holder.as_str(), |(who, _)| who)
    }
}

/// A shard's lease, held until [`Lease::release`] or drop.
#[derive(Debug)]
pub struct Lease {
    object: Location,
    holding: Holding,
    released: bool,
}

impl Lease {
    /// Takes the lease in `object` for the shard `label`, whoever held it.
    pub(super) fn take(object: Location, label: &str) -> Result<Self> {
        let holding = Holding {
            shard: label.to_string(),
            holder: new_holder_id(),
            renewed_unix: now_unix(),
        };
        if let Some(before) = read_holding(&object)? {
            eprintln!(
                "tarjama: taking over shard {label} from {} (renewed {} s ago)",
                before.who(),
                holding.renewed_unix.saturating_sub(before.renewed_unix)
            );
        }
        let lease = Self {
            object,
            holding,
            released: false,
        };
        lease.write()?;
        Ok(lease)
    }

    /// `host:pid:nonce` of this holder.
    pub fn holder(&self) -> &str {
        &self.holding.holder
    }

    /// Checks that the lease is still ours and renews it; errors with
    /// [`LeaseLost`] when another process took it over (or removed it), so
    /// this one stops before writing more.
    pub fn confirm(&self) -> Result<()> {
        let now = read_holding(&self.object)?;
        match now {
            Some(now) if now.holder == self.holding.holder => self.write(),
            Some(other) => Err(LeaseLost(format!(
                "shard {} was taken over by {} ({}); stopping so that only it writes the shard",
                self.holding.shard,
                other.who(),
                self.object
            ))
            .into()),
            None => Err(LeaseLost(format!(
                "the lease of shard {} ({}) is gone; stopping, as another run may have the shard",
                self.holding.shard, self.object
            ))
            .into()),
        }
    }

    /// Gives the lease up: removes the object if it is still ours.
    pub fn release(mut self) -> Result<()> {
        self.released = true;
        self.remove_if_ours()
    }

    fn remove_if_ours(&self) -> Result<()> {
        match read_holding(&self.object)? {
            Some(now) if now.holder == self.holding.holder => self.object.delete(),
            _ => Ok(()),
        }
    }

    /// Writes the holding, renewed now.
    fn write(&self) -> Result<()> {
        let renewed = Holding {
            renewed_unix: now_unix(),
            ..self.holding.clone()
        };
        let json = serde_json::to_vec_pretty(&renewed).context("cannot encode a lease")?;
        self.object.write(&json)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if !self.released {
            let _ = self.remove_if_ours();
        }
    }
}

/// The holding in `object`; `None` when there is none. One that does not
/// parse is taken as none (it is only ever written whole, by us).
fn read_holding(object: &Location) -> Result<Option<Holding>> {
    Ok(object
        .read()?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `host:pid:nonce`: the nonce (start time in nanoseconds and a counter)
/// tells two takings apart even when a pid is reused.
fn new_holder_id() -> String {
    static TAKEN: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}:{}:{nanos:x}-{}",
        hostname(),
        std::process::id(),
        TAKEN.fetch_add(1, Ordering::Relaxed)
    )
}

fn hostname() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at
    // most that many bytes.
    let ok = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0;
    let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
    match std::str::from_utf8(&buffer[..end]) {
        Ok(name) if ok && !name.is_empty() => name.replace(':', "_"),
        _ => "unknown-host".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::OutputFolder;

    fn folders() -> Vec<(tempfile::TempDir, OutputFolder)> {
        let local = tempfile::tempdir().unwrap();
        let folder = OutputFolder::new(local.path());
        let store = tempfile::tempdir().unwrap();
        let url = format!("file://{}", store.path().display());
        let store_folder = OutputFolder::at(Location::parse(&url).unwrap());
        vec![(local, folder), (store, store_folder)]
    }

    #[test]
    fn a_rerun_takes_the_lease_over_and_the_old_holder_stops() {
        for (_dir, folder) in folders() {
            let old = folder.lease("1-of-3").unwrap();
            old.confirm().unwrap();
            let new = folder.lease("1-of-3").unwrap();
            let err = old.confirm().unwrap_err();
            assert!(err.downcast_ref::<LeaseLost>().is_some(), "{err:#}");
            assert!(err.to_string().contains("taken over by"), "{err:#}");
            // The old holder going away leaves the new one's lease alone.
            drop(old);
            new.confirm().unwrap();
            assert_eq!(folder.list_shard_objects().unwrap(), ["lease-1-of-3.json"]);
            new.release().unwrap();
            assert!(folder.list_shard_objects().unwrap().is_empty());
        }
    }

    #[test]
    fn shards_hold_their_own_leases() {
        for (_dir, folder) in folders() {
            let one = folder.lease("1-of-2").unwrap();
            let two = folder.lease("2-of-2").unwrap();
            one.confirm().unwrap();
            two.confirm().unwrap();
            assert_ne!(one.holder(), two.holder());
        }
    }
}
