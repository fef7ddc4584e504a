//! The audit trail: one NDJSON record per `bundle import` attempt, in
//! `<home>/audit.log`, hash-chained so that editing, removing or
//! reordering a record is evident, and with the head (last seq and hash)
//! kept apart in `<home>/audit.head` so that cutting the tail is too.
//!
//! Invariants:
//! - `seq` starts at 1 and grows by one per record; a record's `hash` is the
//!   sha256 (hex) of its JSON without `hash`; its `prev_hash` is the previous
//!   record's `hash`, 64 zeros for the first.
//! - Appends hold an exclusive lock on `audit.log` and write the record line
//!   before the head. A process that dies between the two leaves the log one
//!   record ahead of the head, chained to it: that is accepted, and the next
//!   append continues from the log.
//!
//! This does not stop someone who can rewrite both files; it makes casual
//! or accidental edits visible (`stella audit verify`).

mod append;
mod record;
mod verify;

use std::path::PathBuf;

pub use append::AuditLog;
pub use record::{GENESIS, NewRecord, Outcome, Record};
pub use verify::{Problem, Verified};

use crate::exit::Exit;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "audit log `{path}` is broken: {problem}; keep the file for investigation and restore a trusted copy"
    )]
    Broken { path: PathBuf, problem: Problem },
}

impl AuditError {
    pub fn exit(&self) -> Exit {
        match self {
            AuditError::Io { .. } => Exit::Failure,
            AuditError::Broken { .. } => Exit::AuditBroken,
        }
    }

    fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| AuditError::Io {
            action,
            path,
            source,
        }
    }
}

#[cfg(test)]
mod tests;
