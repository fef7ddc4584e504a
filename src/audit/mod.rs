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
//! - Appends refuse a broken chain (exit 14): the operator either restores
//!   a trusted copy or accepts the break with an acknowledgment record
//!   (`audit acknowledge`), from which the chain starts again.
//!
//! This does not stop someone who can rewrite both files; it makes casual
//! or accidental edits visible (`stella audit verify`).

mod acknowledge;
mod append;
mod record;
mod verify;

use std::path::PathBuf;

pub use acknowledge::ACKNOWLEDGE;
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
        "audit log `{path}` is broken: {problem}; keep the file for investigation, then restore a trusted copy or accept the break with `stella audit acknowledge --reason TEXT`"
    )]
    Broken { path: PathBuf, problem: Problem },
    #[error("audit log `{path}` is not broken: there is nothing to acknowledge")]
    NotBroken { path: PathBuf },
}

impl AuditError {
    pub fn exit(&self) -> Exit {
        match self {
            AuditError::Io { .. } => Exit::Failure,
            AuditError::Broken { .. } => Exit::AuditBroken,
            AuditError::NotBroken { .. } => Exit::Usage,
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

/// sha256 (hex) of the log's bytes before an acknowledgment.
fn sealed(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests;
