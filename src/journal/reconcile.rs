//! Settling imports whose process died, and removing what is no longer needed.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::db::{Fields, Journal, JournalError, State};
use crate::store::Store;

/// Held by a live import for its whole run; the OS releases it when the
/// process ends, however it ends.
pub struct ImportLock {
    _file: File,
    path: PathBuf,
}

impl ImportLock {
    pub fn acquire(staging_root: &Path, id: &str) -> Result<ImportLock, JournalError> {
        let path = lock_path(staging_root, id);
        let err = |source| JournalError::Staging {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(staging_root).map_err(err)?;
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(err)?;
        file.lock().map_err(err)?;
        Ok(ImportLock { _file: file, path })
    }

    /// Whether a live process holds the import's lock.
    fn is_held(staging_root: &Path, id: &str) -> bool {
        let Ok(file) = File::open(lock_path(staging_root, id)) else {
            return false;
        };
        matches!(file.try_lock(), Err(TryLockError::WouldBlock))
    }
}

impl Drop for ImportLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn lock_path(staging_root: &Path, id: &str) -> PathBuf {
    staging_root.join(format!("{id}.lock"))
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    pub import_id: String,
    pub bundle: String,
    pub state: State,
}

/// Settles every unfinished import whose process is gone: `committed` when
/// the store's ledger has its manifest (the commit happened), else
/// `abandoned`; its staging files are removed either way.
pub fn reconcile(
    journal: &Journal,
    store: &dyn Store,
    staging_root: &Path,
    now: &str,
) -> Result<Vec<Reconciled>, JournalError> {
    let mut settled = Vec::new();
    for entry in journal.entries(true, usize::MAX)? {
        if ImportLock::is_held(staging_root, &entry.import_id) {
            continue;
        }
        let committed = match (&entry.site_id, &entry.manifest_sha256) {
            (Some(site), Some(manifest)) => store.ledger_by_manifest(site, manifest)?.is_some(),
            _ => false,
        };
        let state = if committed {
            State::Committed
        } else {
            State::Abandoned
        };
        remove_dir(&entry.staging_dir)?;
        let _ = std::fs::remove_file(lock_path(staging_root, &entry.import_id));
        let detail = format!(
            "reconciled: the import process ended while {}",
            entry.state.as_str()
        );
        let fields = Fields {
            detail: Some(&detail),
            ..Fields::default()
        };
        journal.update(&entry.import_id, state, &fields, now)?;
        settled.push(Reconciled {
            import_id: entry.import_id,
            bundle: entry.bundle,
            state,
        });
    }
    Ok(settled)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GcReport {
    pub entries_removed: usize,
    pub staging_removed: Vec<PathBuf>,
}

/// Forgets finished imports updated before `before` and removes staging
/// files that no unfinished import owns.
pub fn gc(journal: &Journal, staging_root: &Path, before: &str) -> Result<GcReport, JournalError> {
    let open: Vec<String> = journal
        .entries(true, usize::MAX)?
        .into_iter()
        .map(|e| e.import_id)
        .collect();
    let mut report = GcReport {
        entries_removed: journal.forget_final(before)?,
        staging_removed: Vec::new(),
    };
    let Ok(dir) = std::fs::read_dir(staging_root) else {
        return Ok(report);
    };
    for item in dir.flatten() {
        let path = item.path();
        let name = item.file_name().to_string_lossy().into_owned();
        let id = name.strip_suffix(".lock").unwrap_or(&name);
        if open.iter().any(|o| o == id) || ImportLock::is_held(staging_root, id) {
            continue;
        }
        if path.is_dir() {
            remove_dir(&path)?;
        } else {
            let _ = std::fs::remove_file(&path);
        }
        report.staging_removed.push(path);
    }
    report.staging_removed.sort();
    Ok(report)
}

fn remove_dir(path: &Path) -> Result<(), JournalError> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(JournalError::Staging {
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}
