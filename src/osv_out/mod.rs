//! OSV output: the site's live advisories as an offline OSV database in
//! osv.dev's layout, for scanners that run where stella imported.
//!
//! A full export writes `<dir>/<Ecosystem>/all.zip` (one `<ID>.json` per
//! advisory with a package in that ecosystem), `<dir>/all.zip` (every
//! record once) and `modified_id.csv` at both levels (`<modified>,<ID>`,
//! and `<modified>,<Ecosystem>/<ID>` at the top, newest first). An export
//! since a cursor writes the changed records as `<dir>/<Ecosystem>/<ID>.json`
//! and the `modified_id.csv` files of just those.
//!
//! Invariants:
//! - Deterministic: the same store gives byte-identical files (records
//!   sorted by id, fixed zip times, no clock read).
//! - Atomic per file, all or nothing: every file is written beside its
//!   target and renamed only when all are complete (see [`write`]).
//! - Never writes outside `dir`: ecosystem directories are safe names, and
//!   a record whose id is no safe file name is skipped and reported.
//! - Live canonicals only: withdrawn ones are written with `withdrawn` set,
//!   deleted ones are left out, as osv.dev does.
//! - Bounded memory: canonicals reach their records through an external
//!   sort (`groups`), and the zips spill their directories to disk.

mod collect;
mod deflate;
mod deflate_codes;
mod ecosystem;
mod fields;
mod groups;
mod listed;
mod part;
mod pipe;
mod record;
mod spill;
mod write;
mod zipw;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::cursor::Cursor;
use crate::exit::Exit;
use crate::store::Store;
use groups::{Group, Groups, Parts};
use write::Pending;

pub use record::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum OsvExportError {
    #[error("cannot write `{path}`: {source}; check that the directory is writable and has space")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the stored canonical of change {cursor} cannot be read ({source}); the store is damaged: restore it from a backup"
    )]
    Stored {
        cursor: Cursor,
        source: serde_json::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl OsvExportError {
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| OsvExportError::Io {
            path: path.to_owned(),
            source,
        }
    }

    pub fn exit(&self) -> Exit {
        match self {
            OsvExportError::Store(_) | OsvExportError::Stored { .. } => Exit::Store,
            OsvExportError::Io { .. } => Exit::Failure,
        }
    }
}

/// How many records an export wrote, and how many of them are withdrawn.
#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub records: u64,
    pub withdrawn: u64,
}

impl Counts {
    fn add(&mut self, withdrawn: bool) {
        self.records += 1;
        self.withdrawn += u64::from(withdrawn);
    }
}

/// What an export wrote.
#[derive(Debug, Serialize)]
pub struct Report {
    #[serde(rename = "path")]
    pub dir: PathBuf,
    pub since_cursor: Option<Cursor>,
    /// The newest change of the site the export includes.
    pub export_cursor: Option<Cursor>,
    pub counts: Counts,
    pub ecosystems: Vec<String>,
    /// Advisory ids that are no safe file name, left out.
    pub skipped: Vec<String>,
}

/// Exports the site's advisories (those changed after `since`, when given)
/// into `dir`.
pub fn export(
    store: &dyn Store,
    dir: &Path,
    since: Option<Cursor>,
) -> Result<Report, OsvExportError> {
    std::fs::create_dir_all(dir).map_err(OsvExportError::io(dir))?;
    let newest = store.local_cursor()?;
    let mut groups = collect::collect(store, newest, dir)?;
    let skipped = std::mem::take(&mut groups.skipped);
    let mut pending = write::Pending::default();
    let (counts, ecosystems) = match since {
        None => full(groups, dir, &mut pending)?,
        Some(since) => changed(groups, dir, since, &mut pending)?,
    };
    pending.commit()?;
    Ok(Report {
        dir: dir.to_owned(),
        since_cursor: since,
        export_cursor: newest,
        counts,
        ecosystems,
        skipped,
    })
}

type Written = (Counts, Vec<String>);

/// Every record into the zips: read, built and deflated on every core.
fn full(mut groups: Groups, dir: &Path, pending: &mut Pending) -> Result<Written, OsvExportError> {
    let payload = groups.payload();
    let load = move |batch: &[Group], parts: &mut Parts| parts.load(&payload, batch);
    let build = |group: &Group, parts: &mut Parts| {
        let decoded = parts.decoded(group)?;
        Ok(record::build(&group.id, &decoded))
    };
    let mut pipeline = pipe::Pipeline::start(dir, Arc::new(load), Arc::new(build));
    while pipeline.fill(|group| groups.next_group(group))? {}
    let (zips, listed, counts) = pipeline.finish()?;
    // The zips' directories and final syncs, and the sorting and writing
    // of `modified_id.csv`, each on a thread of its own.
    let ecosystems: Vec<String> = listed.ecosystems.iter().cloned().collect();
    let (zipped, lists) = std::thread::scope(|scope| {
        let lists = scope.spawn(|| {
            let mut pending = Pending::default();
            listed.write(&ecosystems, &mut pending).map(|()| pending)
        });
        let mut zip_files = Pending::default();
        let zipped = zips.finish(&mut zip_files).map(|_| zip_files);
        (
            zipped,
            lists.join().expect("the list writer does not panic"),
        )
    });
    pending.extend(zipped?);
    pending.extend(lists?);
    Ok((counts, ecosystems))
}

/// The records with a canonical changed after `since`, each as
/// `<Ecosystem>/<ID>.json`.
fn changed(
    mut groups: Groups,
    dir: &Path,
    since: Cursor,
    pending: &mut Pending,
) -> Result<Written, OsvExportError> {
    let payload = groups.payload();
    let (mut group, mut parts) = (Group::default(), Parts::default());
    let (mut listed, mut counts) = (listed::Listed::new(dir), Counts::default());
    while groups.next_group(&mut group)? {
        let decoded = parts
            .read(&payload, &group)
            .map_err(OsvExportError::io(dir))?;
        if decoded.iter().all(|p| !changed_after(p, since)) {
            continue;
        }
        let built = record::build(&group.id, &decoded);
        counts.add(built.withdrawn);
        let ecosystems = built.ecosystems.iter().map(String::as_str);
        listed.push(&built.modified, &built.id, ecosystems)?;
        for ecosystem in &built.ecosystems {
            let path = dir.join(ecosystem).join(format!("{}.json", built.id));
            pending.file(path, &built.json)?;
        }
    }
    let ecosystems: Vec<String> = listed.ecosystems.iter().cloned().collect();
    listed.write(&ecosystems, pending)?;
    Ok((counts, ecosystems))
}

/// Whether a canonical's last change is after `since` (a cursor that does
/// not read back counts as changed).
fn changed_after(part: &part::Part, since: Cursor) -> bool {
    part.cursor.parse::<Cursor>().map_or(true, |c| c > since)
}

/// An id that is one plain file name: printable ASCII, no separator, not
/// hidden (so never `.` or `..`).
fn safe_file_name(id: &str) -> bool {
    crate::bundle::is_advisory_key(id) && !id.starts_with('.') && !id.contains(['/', '\\'])
}

#[cfg(test)]
mod tests;
