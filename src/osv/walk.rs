//! The record files of a directory tree, as the distribution databases lay
//! them out (`<year>/<id>.json`, `<release>/<id>.json`, …).
//!
//! Invariants:
//! - The walk is deterministic: files come in byte order of their path.
//! - Only `.json` files (one record) and `.ndjson`/`.jsonl` files (one record
//!   a line) are records; other files are ignored.
//! - Directories whose name starts with `.` (`.git`) are not entered, and
//!   symbolic links to directories are not followed, so a walk never loops.
//! - A directory that cannot be read is one error naming it; the walk goes on
//!   with the others.

use std::path::{Path, PathBuf};

use super::InputError;

/// How a record file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// One JSON record.
    Json,
    /// JSON records, one a line (or any sequence of JSON objects).
    Lines,
}

/// The kind of a record file by its extension, `None` for other files.
pub(super) fn kind(path: &Path) -> Option<Kind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "json" => Some(Kind::Json),
        "ndjson" | "jsonl" => Some(Kind::Lines),
        _ => None,
    }
}

/// Every record file under `dir`, sorted, and an error per unreadable directory.
pub(super) fn files(dir: &Path) -> Vec<Result<(PathBuf, Kind), InputError>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(source) => {
                out.push(Err(InputError::Io { path: dir, source }));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(source) => {
                    out.push(Err(InputError::Io {
                        path: dir.clone(),
                        source,
                    }));
                    continue;
                }
            };
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if is_dir && !hidden {
                pending.push(path);
            } else if let Some(kind) = kind(&path).filter(|_| !is_dir) {
                out.push(Ok((path, kind)));
            }
        }
    }
    out.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => a.0.cmp(&b.0),
        (Err(_), Ok(_)) => std::cmp::Ordering::Less,
        (Ok(_), Err(_)) => std::cmp::Ordering::Greater,
        (Err(a), Err(b)) => a.origin().cmp(&b.origin()),
    });
    out
}
