//! Quarantine: refused bundles kept for inspection.
//!
//! A bundle that fails verification (a malformed or corrupt bundle, or a bad
//! signature) is copied, up to a byte cap, into
//! `<home>/quarantine/<time>-<hash>/bundle.tar.zst` beside a `reason.json`
//! that says why it was refused and which checks it had passed. `<hash>` is
//! the first 16 hex digits of the sha256 of the kept bytes.
//!
//! Invariants:
//! - An entry appears whole or not at all: the bundle copy and `reason.json`
//!   are written under a `.`-prefixed name and renamed into place last.
//! - Names starting with `.` (copies in progress, stdin captures) are never
//!   listed; `purge --all` removes them too.
//! - IDs are checked before they touch the file system: no separators, no
//!   leading dot.

mod entry;
mod keep;
mod log;
mod tee;

use std::path::PathBuf;

pub use entry::{Entry, Record};
pub use keep::Refusal;
pub use log::{Reached, error_site, verification_log};
pub use tee::Capture;

use crate::exit::Exit;

/// The file names inside an entry.
pub const BUNDLE_FILE: &str = "bundle.tar.zst";
pub const REASON_FILE: &str = "reason.json";

#[derive(Debug, thiserror::Error)]
pub enum QuarantineError {
    #[error("cannot {action} `{path}`: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "quarantined bundle `{id}` not found: see `stella feedser quarantine list` for the ids"
    )]
    NotFound { id: String },
    #[error(
        "`{path}` is not a quarantine record ({message}): remove the entry with `stella feedser quarantine purge ID` (ID: the name of its directory)"
    )]
    Malformed { path: PathBuf, message: String },
}

impl QuarantineError {
    pub fn exit(&self) -> Exit {
        match self {
            QuarantineError::NotFound { .. } => Exit::NotFound,
            QuarantineError::Io { .. } | QuarantineError::Malformed { .. } => Exit::Failure,
        }
    }

    fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| QuarantineError::Io {
            action,
            path,
            source,
        }
    }
}

/// The quarantine directory of one home.
#[derive(Clone, Debug)]
pub struct Quarantine {
    root: PathBuf,
}

impl Quarantine {
    pub fn new(root: PathBuf) -> Quarantine {
        Quarantine { root }
    }

    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// Creates the directory (0700) if needed; a link or a directory others
    /// can write is refused (`trust`, issue #28).
    fn create_root(&self) -> Result<(), QuarantineError> {
        crate::trust::ensure_dir(&self.root).map_err(QuarantineError::io(
            "create the quarantine directory",
            &self.root,
        ))
    }
}

/// An entry id: `20250115T103000123Z-0123456789abcdef`-like; no separators,
/// no leading dot, so it can only name a direct child of the quarantine.
pub fn is_valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && !id.starts_with('.')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests;
