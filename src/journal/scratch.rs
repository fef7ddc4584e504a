//! Locked scratch space under `staging/` and `spool/`: the lock that marks
//! a live user of a directory, the private directories of `bundle validate`
//! and `bundle export`, and the sweep that removes what dead processes left.
//!
//! Invariants:
//! - A live user of `<root>/<id>` holds an exclusive lock on
//!   `<root>/<id>.lock`; the OS releases it when the process ends, however
//!   it ends. An entry whose lock can be taken belongs to no one.
//! - [`sweep`] removes only direct entries of its root, never following a
//!   link; the one path outside it that it may remove is an export's
//!   temporary output, named in a dead export's lock file, and only a
//!   regular file named `.stella-export-*` (issue #28).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::db::JournalError;

/// The prefix of an export's temporary output, beside its final name.
pub const EXPORT_TEMP_PREFIX: &str = ".stella-export-";

/// Held for a whole run; the OS releases it when the process ends.
pub struct ImportLock {
    file: File,
    path: PathBuf,
}

impl ImportLock {
    pub fn acquire(root: &Path, id: &str) -> Result<ImportLock, JournalError> {
        let path = lock_path(root, id);
        let err = |source| JournalError::Staging {
            path: path.clone(),
            source,
        };
        crate::trust::ensure_dir(root).map_err(err)?;
        let file = crate::trust::no_follow(OpenOptions::new().create(true).write(true))
            .open(&path)
            .map_err(err)?;
        file.lock().map_err(err)?;
        Ok(ImportLock { file, path })
    }

    /// Whether a live process holds the lock of `<root>/<id>`.
    pub fn is_held(root: &Path, id: &str) -> bool {
        let Ok(file) = File::open(lock_path(root, id)) else {
            return false;
        };
        matches!(file.try_lock(), Err(TryLockError::WouldBlock))
    }

    /// Records a path outside the root that a sweep may remove once this
    /// process is gone (an export's temporary output).
    pub fn record(&mut self, path: &Path) -> std::io::Result<()> {
        self.file.set_len(0)?;
        self.file
            .write_all(path.as_os_str().as_encoded_bytes())
            .and_then(|()| self.file.flush())
    }
}

impl Drop for ImportLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub(super) fn lock_path(root: &Path, id: &str) -> PathBuf {
    root.join(format!("{id}.lock"))
}

/// A private directory `<root>/<uuid>` under its lock, removed on drop.
pub struct Scratch {
    dir: PathBuf,
    lock: ImportLock,
}

impl Scratch {
    pub fn create(root: &Path) -> Result<Scratch, JournalError> {
        let id = uuid::Uuid::new_v4().to_string();
        let lock = ImportLock::acquire(root, &id)?;
        let dir = root.join(&id);
        crate::trust::ensure_dir(&dir).map_err(|source| JournalError::Staging {
            path: dir.clone(),
            source,
        })?;
        Ok(Scratch { dir, lock })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory and its lock file.
    pub fn paths(&self) -> Vec<PathBuf> {
        vec![self.dir.clone(), self.lock.path.clone()]
    }

    pub fn record(&mut self, path: &Path) -> std::io::Result<()> {
        self.lock.record(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The direct entries of `root` whose id (`<id>` or `<id>.lock`) no live
/// process holds and `keep` does not claim, sorted.
pub fn unheld(root: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let Ok(dir) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = dir
        .flatten()
        .filter(|item| {
            let name = item.file_name().to_string_lossy().into_owned();
            let id = name.strip_suffix(".lock").unwrap_or(&name);
            !keep(id) && !ImportLock::is_held(root, id)
        })
        .map(|item| item.path())
        .collect();
    found.sort();
    found
}

/// Removes what [`unheld`] finds, and the temporary output a dead export's
/// lock names; returns what it removed, sorted.
pub fn sweep(root: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, JournalError> {
    let mut removed = Vec::new();
    for path in unheld(root, keep) {
        if path.extension().is_some_and(|e| e == "lock") {
            removed.extend(remove_recorded(&path));
        }
        remove_entry(&path)?;
        removed.push(path);
    }
    removed.sort();
    Ok(removed)
}

/// The export temporary a dead lock file names, if it is still there.
fn remove_recorded(lock: &Path) -> Option<PathBuf> {
    let text = std::fs::read(lock).ok()?;
    let recorded = PathBuf::from(String::from_utf8(text).ok()?);
    let named = recorded
        .file_name()?
        .to_string_lossy()
        .starts_with(EXPORT_TEMP_PREFIX);
    let meta = std::fs::symlink_metadata(&recorded).ok()?;
    (named && meta.is_file() && std::fs::remove_file(&recorded).is_ok()).then_some(recorded)
}

/// Removes a file, a link (not what it points to) or a whole directory.
pub fn remove_entry(path: &Path) -> Result<(), JournalError> {
    let result = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) => Err(e),
    };
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(JournalError::Staging {
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}
