//! Settling imports whose process died, and removing what is no longer needed.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::db::{Fields, Journal, JournalError, State};
use super::scratch::{ImportLock, lock_path, remove_entry, sweep};
use crate::store::Store;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reconciled {
    pub import_id: String,
    #[serde(rename = "received_from")]
    pub bundle: String,
    pub state: State,
}

/// Settles every unfinished import whose process is gone: `committed` when
/// the store's ledger has its manifest (the commit happened), else
/// `abandoned`; its staging files are removed either way. What is removed
/// is `<staging_root>/<import id>`, never the path the row records (issue
/// #28: an edited journal must not make stella delete anything else).
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
        if is_plain_name(&entry.import_id) {
            remove_entry(&staging_root.join(&entry.import_id))?;
            let _ = std::fs::remove_file(lock_path(staging_root, &entry.import_id));
        }
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
    /// What interrupted exports left: spools, their locks, temporary outputs.
    pub spool_removed: Vec<PathBuf>,
}

/// Forgets finished imports updated before `before`, removes staging files
/// that no unfinished import or live validate owns, and what exports that
/// were killed left in the spool (and their temporary outputs).
pub fn gc(
    journal: &Journal,
    (staging_root, spool_root): (&Path, &Path),
    before: &str,
) -> Result<GcReport, JournalError> {
    let open: Vec<String> = journal
        .entries(true, usize::MAX)?
        .into_iter()
        .map(|e| e.import_id)
        .collect();
    Ok(GcReport {
        entries_removed: journal.forget_final(before)?,
        staging_removed: sweep(staging_root, |id| open.iter().any(|o| o == id))?,
        spool_removed: sweep(spool_root, |_| false)?,
    })
}

/// An id that names one direct child: not empty, `.` or `..`, no separator.
fn is_plain_name(id: &str) -> bool {
    !id.is_empty() && id != "." && id != ".." && !id.contains(['/', '\0'])
}
