//! An import's journaled staging directory and its journal observer, with
//! the crash tests' fault hooks (`crate::site::hooks`) at each stage.
//!
//! Invariants: a staging directory exists only while its import holds the
//! directory's `ImportLock`; `finish` settles the journal row and removes
//! it, and a `Staging` dropped on any other way out (an error before the
//! import ran, a journal that cannot be written) removes it too. Before a
//! byte is staged, the free space there is checked against the sizes the
//! manifest declares (the refusal names both).

use crate::error::{Error, Result};
use crate::import::{ImportError, ImportOutcome, Observer, Stage};
use crate::journal::{Fields, ImportLock, Journal, State};
use crate::site::{Site, hooks, now};
use crate::store::Store;

/// This import's journal row, lock and staging directory.
pub struct Staging {
    pub id: String,
    pub dir: std::path::PathBuf,
    _lock: ImportLock,
}

impl Staging {
    pub fn create(site: &Site, journal: &Journal, bundle: &str) -> Result<Staging> {
        let id = uuid::Uuid::new_v4().to_string();
        let root = site.home.staging_dir();
        let lock = ImportLock::acquire(&root, &id).map_err(ImportError::from)?;
        let dir = root.join(&id);
        std::fs::create_dir(&dir).map_err(Error::io("cannot create staging directory", &dir))?;
        let staging = Staging {
            id,
            dir,
            _lock: lock,
        };
        // Relative to the home, so the row reads the same from any directory.
        let recorded = std::path::Path::new("staging").join(&staging.id);
        journal
            .begin(&staging.id, bundle, &recorded, &now())
            .map_err(ImportError::from)?;
        Ok(staging)
    }

    /// Records how the import ended and removes its staged files.
    pub fn finish(
        self,
        journal: &Journal,
        result: &Result<ImportOutcome, ImportError>,
    ) -> Result<()> {
        let (state, detail) = match result {
            Ok(o) if o.dry_run => (State::DryRun, None),
            Ok(o) if o.already_imported => (
                State::Committed,
                Some("already imported: nothing done".to_owned()),
            ),
            Ok(_) => (State::Committed, None),
            Err(e) => (State::Refused, Some(e.to_string())),
        };
        let fields = Fields {
            detail: detail.as_deref(),
            ..Fields::default()
        };
        let settled = journal.update(&self.id, state, &fields, &now());
        let removed = std::fs::remove_dir_all(&self.dir);
        settled.map_err(ImportError::from)?;
        removed.map_err(Error::io("cannot remove staging directory", &self.dir))
    }
}

impl Drop for Staging {
    /// Removes what is left (nothing, after `finish`).
    fn drop(&mut self) {
        if self.dir.exists() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Refuses to stage `needs` bytes in `dir` when its filesystem has less
/// free (for this user); a filesystem that cannot be asked is not refused.
/// Also asked before an HTTP body is spooled there.
pub fn check_space(dir: &std::path::Path, needs: u64) -> Result<(), ImportError> {
    let free = match hooks::free_bytes() {
        Some(free) => free,
        None => match rustix::fs::statvfs(dir) {
            Ok(stat) => stat.f_bavail.saturating_mul(stat.f_frsize),
            Err(_) => return Ok(()),
        },
    };
    if needs <= free {
        return Ok(());
    }
    Err(ImportError::NoSpace {
        needs,
        free,
        path: dir.parent().unwrap_or(dir).to_path_buf(),
    })
}

pub struct Journaled<'a> {
    pub journal: &'a Journal,
    pub id: &'a str,
    pub pause_file: std::path::PathBuf,
    /// This import's staging directory, whose free space is checked.
    pub dir: &'a std::path::Path,
}

impl Observer for Journaled<'_> {
    fn stage(&mut self, stage: Stage<'_>) -> Result<(), ImportError> {
        let (name, state, fields) = match stage {
            Stage::Admitted {
                site_id,
                manifest_sha256,
                staging_bytes,
            } => {
                check_space(self.dir, staging_bytes)?;
                (
                    "admitted",
                    State::Staging,
                    Fields {
                        site_id: Some(site_id),
                        manifest_sha256: Some(manifest_sha256),
                        ..Fields::default()
                    },
                )
            }
            Stage::Staged { bundle_hash } => (
                "staged",
                State::Staged,
                Fields {
                    bundle_hash: Some(bundle_hash),
                    ..Fields::default()
                },
            ),
            Stage::Applying => ("applying", State::Applying, Fields::default()),
            Stage::Committed => ("committed", State::Committed, Fields::default()),
        };
        hooks::abort_at(name);
        self.journal.update(self.id, state, &fields, &now())?;
        hooks::pause_at(name, &self.pause_file);
        Ok(())
    }
}

pub fn append_events(store: &dyn Store, after: u64, path: &std::path::Path) -> Result<()> {
    use std::io::Write;
    let events = store.events(after, usize::MAX)?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(Error::io("cannot open events file", path))?;
    let mut text = String::new();
    for event in &events {
        text.push_str(&serde_json::to_string(event).unwrap_or_default());
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .map_err(Error::io("cannot write events file", path))
}
