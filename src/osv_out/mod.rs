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

mod ecosystem;
mod fields;
mod record;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cursor::Cursor;
use crate::exit::Exit;
use crate::model::CanonicalRecord;
use crate::store::{ExportRow, Store};

pub use record::SCHEMA_VERSION;

#[derive(Debug, thiserror::Error)]
pub enum OsvExportError {
    #[error("cannot write `{path}`: {source}; check that the directory is writable and has space")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the zip `{path}`: {detail}")]
    Zip { path: PathBuf, detail: String },
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

    fn zip(path: &Path, e: zip::result::ZipError) -> Self {
        OsvExportError::Zip {
            path: path.to_owned(),
            detail: e.to_string(),
        }
    }

    pub fn exit(&self) -> Exit {
        match self {
            OsvExportError::Store(_) => Exit::Store,
            OsvExportError::Io { .. } | OsvExportError::Zip { .. } => Exit::Failure,
        }
    }
}

/// What an export wrote.
#[derive(Debug, Serialize)]
pub struct Report {
    pub dir: PathBuf,
    pub since_cursor: Option<Cursor>,
    /// The newest change of the site the export includes.
    pub export_cursor: Option<Cursor>,
    pub records: u64,
    pub withdrawn: u64,
    pub ecosystems: Vec<String>,
    /// Advisory ids that are no safe file name, left out.
    pub skipped: Vec<String>,
}

type Row = (Cursor, CanonicalRecord);

/// Exports the site's advisories (those changed after `since`, when given)
/// into `dir`.
pub fn export(
    store: &dyn Store,
    dir: &Path,
    since: Option<Cursor>,
) -> Result<Report, OsvExportError> {
    let newest = store.local_cursor()?;
    let rows = live_rows(store, newest)?;
    let (groups, skipped) = group(&rows);
    let mut report = Report {
        dir: dir.to_owned(),
        since_cursor: since,
        export_cursor: newest,
        records: 0,
        withdrawn: 0,
        ecosystems: Vec::new(),
        skipped,
    };
    let mut pending = write::Pending::default();
    let mut zips = match since {
        None => Some(write::Zips::new(dir)?),
        Some(_) => None,
    };
    let mut listed = Vec::new();
    for (id, members) in &groups {
        if since.is_some_and(|s| members.iter().all(|m| m.0 <= s)) {
            continue;
        }
        let built = record::build(id, members);
        report.records += 1;
        if members
            .iter()
            .any(|m| m.1.canonical.status == crate::model::Status::Withdrawn)
        {
            report.withdrawn += 1;
        }
        match zips.as_mut() {
            Some(zips) => zips.add(&built.id, &built.ecosystems, &built.json)?,
            None => {
                for ecosystem in &built.ecosystems {
                    let path = dir.join(ecosystem).join(format!("{id}.json"));
                    pending.file(path, &built.json)?;
                }
            }
        }
        listed.push((built.modified, built.id, built.ecosystems));
    }
    report.ecosystems = match zips {
        Some(zips) => zips.finish(&mut pending)?,
        None => ecosystems_of(&listed),
    };
    modified_ids(dir, &listed, &report.ecosystems, &mut pending)?;
    pending.commit()?;
    Ok(report)
}

/// Every live canonical with the cursor of its last change.
fn live_rows(store: &dyn Store, newest: Option<Cursor>) -> Result<Vec<Row>, OsvExportError> {
    let mut rows = Vec::new();
    let Some(newest) = newest else {
        return Ok(rows);
    };
    store.export_rows(None, newest.seq(), &mut |row| {
        if let ExportRow::Canonical(cursor, record) = row {
            rows.push((cursor, record));
        }
        Ok(())
    })?;
    Ok(rows)
}

/// The canonicals of each advisory id, in merge-hash order; and the ids
/// that cannot name a file.
fn group(rows: &[Row]) -> (BTreeMap<&str, Vec<&Row>>, Vec<String>) {
    let mut groups: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for row in rows {
        let edges = &row.1.edges;
        if edges.is_empty() {
            groups.entry(&row.1.canonical.cve).or_default().push(row);
        }
        for edge in edges {
            groups
                .entry(&edge.source_advisory_id)
                .or_default()
                .push(row);
        }
    }
    let skipped: Vec<String> = groups
        .keys()
        .filter(|id| !safe_file_name(id))
        .map(|id| (*id).to_owned())
        .collect();
    groups.retain(|id, _| safe_file_name(id));
    for members in groups.values_mut() {
        members.sort_by(|a, b| a.1.canonical.merge_hash.cmp(&b.1.canonical.merge_hash));
        members.dedup_by(|a, b| a.1.canonical.merge_hash == b.1.canonical.merge_hash);
    }
    (groups, skipped)
}

/// An id that is one plain file name: printable ASCII, no separator, not
/// hidden (so never `.` or `..`).
fn safe_file_name(id: &str) -> bool {
    crate::bundle::is_advisory_key(id) && !id.starts_with('.') && !id.contains(['/', '\\'])
}

fn ecosystems_of(listed: &[(String, String, Vec<String>)]) -> Vec<String> {
    let set: std::collections::BTreeSet<&String> = listed.iter().flat_map(|l| &l.2).collect();
    set.into_iter().cloned().collect()
}

/// `modified_id.csv` at the top and in each ecosystem, newest first.
fn modified_ids(
    dir: &Path,
    listed: &[(String, String, Vec<String>)],
    ecosystems: &[String],
    pending: &mut write::Pending,
) -> Result<(), OsvExportError> {
    let mut order: Vec<&(String, String, Vec<String>)> = listed.iter().collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut top = String::new();
    let mut per: BTreeMap<&str, String> = ecosystems
        .iter()
        .map(|e| (e.as_str(), String::new()))
        .collect();
    for (modified, id, ecosystems) in order {
        for ecosystem in ecosystems {
            top.push_str(&format!("{modified},{ecosystem}/{id}\n"));
            if let Some(lines) = per.get_mut(ecosystem.as_str()) {
                lines.push_str(&format!("{modified},{id}\n"));
            }
        }
    }
    pending.file(dir.join("modified_id.csv"), top.as_bytes())?;
    for (ecosystem, lines) in per {
        pending.file(
            dir.join(ecosystem).join("modified_id.csv"),
            lines.as_bytes(),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
