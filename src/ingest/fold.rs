//! Folding one canonical's writes (`fresh`): the per-record path's own
//! [`Run::apply`] and [`Run::drop_edge`] run on skeleton versions
//! (`skeleton`) against [`Group`], a store that holds this one merge hash
//! only, so the final version, its history and the report's counts come
//! out exactly as writing each record to the store in input order would
//! have left them.
//!
//! Invariants: a [`Group`] starts empty (the store was empty) and sees only
//! the writes of its merge hash, in input order; it answers the reads
//! `Run::apply`, `Run::write` and `Run::drop_edge` make, and refuses every
//! other call with an error rather than a guess.

use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};
use crate::store::{ConflictRow, LedgerEntry, NewEvent, Result, StoreError, Txn};

use super::scratch::Event;
use super::skeleton::Location;
use super::{IngestReport, Run};

/// One merge hash's state while its writes are folded: skeleton versions
/// (`skeleton`), and where the body of the live one lies.
#[derive(Default)]
pub(super) struct Group {
    pub live: Option<CanonicalRecord>,
    pub tombstone: Option<Deletion>,
    pub body: Option<Location>,
}

/// What the fold needs of the run: fixed for every group.
pub(super) struct Folder<'a> {
    pub now: &'a str,
    pub site: &'a str,
    pub report: IngestReport,
}

impl Folder<'_> {
    /// Applies one event to `group` as the per-record path would, counting it.
    pub fn fold(&mut self, group: &mut Group, hash: &str, event: Event) -> Result<()> {
        let mut run = Run {
            txn: group,
            now: self.now,
            site: self.site,
            source: None,
            prune: false,
            report: std::mem::take(&mut self.report),
            seen: Default::default(),
            sources: Default::default(),
            anonymous_failure: false,
        };
        let (done, applied) = match event {
            Event::Apply(applied) => match applied.record.edges.first() {
                Some(edge) => (run.apply(&applied.record, &edge.clone()), Some(applied)),
                None => (Ok(()), None),
            },
            Event::Drop { source, id } => (run.drop_edge(hash, &source, &id, "superseded"), None),
        };
        self.report = run.report;
        // Equal titles are equal bodies: the live version's body is this one.
        if let (Some(applied), Some(live)) = (applied, &group.live)
            && live.canonical.title == applied.record.canonical.title
        {
            group.body = Some(applied.at.clone());
        }
        done
    }
}

fn unused(what: &str) -> StoreError {
    StoreError::Io(std::io::Error::other(format!(
        "an ingest fold does not {what}"
    )))
}

impl Txn for Group {
    fn canonical(&mut self, _merge_hash: &str) -> Result<Option<CanonicalRecord>> {
        Ok(self.live.clone())
    }

    fn put_from(&mut self, record: &CanonicalRecord, _via: Option<&str>) -> Result<Cursor> {
        self.tombstone = None;
        self.live = Some(record.clone());
        Ok(Cursor::new(0, 0))
    }

    fn delete_from(&mut self, deletion: &Deletion, _via: Option<&str>) -> Result<Option<Cursor>> {
        let removed = self.live.take().is_some();
        if !removed && self.tombstone.as_ref() == Some(deletion) {
            return Ok(None);
        }
        self.tombstone = Some(deletion.clone());
        Ok(Some(Cursor::new(0, 0)))
    }

    fn tombstone(&mut self, _merge_hash: &str) -> Result<Option<Deletion>> {
        Ok(self.tombstone.clone())
    }

    fn source_record(&mut self, _source: &str, _id: &str) -> Result<Vec<(String, String)>> {
        Err(unused("look up source records"))
    }

    fn source_records(&mut self) -> Result<Vec<(String, String)>> {
        Err(unused("list source records"))
    }

    fn taken(&mut self, _site_id: &str, _merge_hash: &str) -> Result<Option<String>> {
        Err(unused("read taken digests"))
    }

    fn set_taken(&mut self, _site_id: &str, _merge_hash: &str, _digest: &str) -> Result<()> {
        Err(unused("write taken digests"))
    }

    fn ledger_by_manifest(&mut self, _site: &str, _manifest: &str) -> Result<Option<LedgerEntry>> {
        Err(unused("read the ledger"))
    }

    fn record_import(&mut self, _entry: &LedgerEntry) -> Result<()> {
        Err(unused("write the ledger"))
    }

    fn append_event(&mut self, _event: &NewEvent) -> Result<()> {
        Err(unused("write events"))
    }

    fn record_conflicts(&mut self, _bundle_hash: &str, _rows: &[ConflictRow]) -> Result<()> {
        Err(unused("write conflicts"))
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Err(unused("commit"))
    }
}
