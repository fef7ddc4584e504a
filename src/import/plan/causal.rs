//! The causal decision for one remote version against the local state of
//! its advisory (`man/stella-bundle.5`, CAUSAL HISTORY).
//!
//! Per merge hash, the local state is a live version, a tombstone, or
//! nothing; the remote row is a version or a tombstone with its history.
//! By their version vectors the remote one is:
//! - the same version → skipped, an *echo*;
//! - older → skipped, *stale* (a late or relayed copy): never written, so a
//!   stale relay can never bring back an older version or a deleted one;
//! - newer → applied as it is;
//! - concurrent → the same content (or two tombstones) joins silently;
//!   different content is a *conflict*, settled by the strategy.
//!
//! Invariants:
//! - `newest` makes no new version: the winner by [`History::newest_order`]
//!   with both vectors joined, so every site that settles the same pair gets
//!   the same result, in any order.
//! - `prefer_remote` and `prefer_local` are local decisions: the result is a
//!   new version of this site that supersedes both sides.

use crate::model::{CanonicalRecord, Causal, History};

use super::ConflictStrategy;

/// What the local store holds for a merge hash.
#[derive(Clone, Copy, Debug)]
pub enum Local<'a> {
    Absent,
    Live(&'a CanonicalRecord, &'a History),
    Dead(&'a History),
}

/// A remote row: a version with its content digest, or a tombstone.
#[derive(Clone, Copy, Debug)]
pub enum Remote<'a> {
    Live(&'a str),
    Dead,
}

/// What to do with one remote row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// Write the remote row as it came (its own history): newer, or new here.
    Take,
    Skip(Skip),
    /// Keep the local content (or tombstone) under this history.
    KeepLocal(History),
    /// Write the remote content (or tombstone) under this history.
    TakeRemote(History),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    Echo,
    Stale,
}

/// The decision, and whether it settled a real conflict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    pub plan: Plan,
    pub conflict: bool,
}

/// The content digest `newest` ranks a tombstone by.
const TOMBSTONE: &str = "deleted";

pub fn decide(
    site: &str,
    local: Local<'_>,
    remote: Remote<'_>,
    remote_history: &History,
    strategy: ConflictStrategy,
) -> Decided {
    let plain = |plan| Decided {
        plan,
        conflict: false,
    };
    let (local_history, local_digest) = match local {
        Local::Absent => return plain(Plan::Take),
        Local::Live(record, h) => (h, LocalDigest::Record(record)),
        Local::Dead(h) => (h, LocalDigest::Tombstone),
    };
    match remote_history.compare(local_history) {
        Causal::Same => plain(Plan::Skip(Skip::Echo)),
        Causal::Before => plain(Plan::Skip(Skip::Stale)),
        Causal::After => plain(Plan::Take),
        Causal::Concurrent => {
            let remote_digest = match remote {
                Remote::Live(digest) => digest,
                Remote::Dead => TOMBSTONE,
            };
            let local_digest = local_digest.get();
            let same = local_digest == remote_digest;
            let strategy = if same {
                ConflictStrategy::Newest
            } else {
                strategy
            };
            let plan = settle(
                site,
                (local_history, &local_digest),
                (remote_history, remote_digest),
                strategy,
            );
            Decided {
                plan,
                conflict: !same,
            }
        }
    }
}

enum LocalDigest<'a> {
    Record(&'a CanonicalRecord),
    Tombstone,
}

impl LocalDigest<'_> {
    fn get(&self) -> String {
        match self {
            LocalDigest::Record(r) => r.digest(),
            LocalDigest::Tombstone => TOMBSTONE.to_owned(),
        }
    }
}

/// Settles a concurrent pair. `Fail` is settled as `prefer_local` here;
/// the caller aborts the import before anything is committed.
fn settle(
    site: &str,
    (local, local_digest): (&History, &str),
    (remote, remote_digest): (&History, &str),
    strategy: ConflictStrategy,
) -> Plan {
    match strategy {
        ConflictStrategy::Newest => {
            if remote
                .newest_order(remote_digest, local, local_digest)
                .is_gt()
            {
                Plan::TakeRemote(remote.join(local))
            } else {
                Plan::KeepLocal(local.join(remote))
            }
        }
        ConflictStrategy::PreferRemote => {
            Plan::TakeRemote(History::next(site, Some(&remote.upper(local)), None))
        }
        ConflictStrategy::PreferLocal | ConflictStrategy::Fail => {
            Plan::KeepLocal(History::next(site, Some(&local.upper(remote)), None))
        }
    }
}

#[cfg(test)]
#[path = "causal_tests.rs"]
mod tests;
