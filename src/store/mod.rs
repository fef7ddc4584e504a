//! The site store: canonical advisories, their change feed, sites, the sync
//! ledger and events, behind one narrow trait the core owns.
//!
//! Invariants every implementation keeps:
//! - Every write goes through a [`Txn`]; dropping a `Txn` without `commit`
//!   rolls everything back, so an import or ingest applies whole or not at all.
//! - Each `put`/`delete` appends one change-feed entry whose cursor is
//!   strictly greater than every earlier one (time never goes backwards; the
//!   sequence is the feed position).
//! - A canonical's edge set is replaced whole by `put`; edges never outlive
//!   their canonical.
//! - Readers never see a half-applied transaction.

mod codec;
mod error;
pub mod postgres;
pub mod rows;
pub mod sqlite;
#[cfg(test)]
pub(crate) mod tests;
mod types;

pub use error::{DbCode, DbFailure, StoreError};
pub use types::*;

use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A sink that may fail with an I/O error (export spools, stdout listings).
pub type Visit<'a, T> = &'a mut dyn FnMut(T) -> std::io::Result<()>;

/// The store as the core sees it.
pub trait Store {
    fn begin(&mut self) -> Result<Box<dyn Txn + '_>>;

    /// The newest change-feed cursor, `None` for an empty feed.
    fn local_cursor(&self) -> Result<Option<Cursor>>;
    /// The feed entry at a sequence number, to check that a cursor is ours.
    fn cursor_at(&self, seq: u64) -> Result<Option<Cursor>>;
    /// The newest feed entry at or before `point` (by time, then sequence):
    /// where "the changes after `point`" start. `None` when the point lies
    /// before the feed's first entry.
    fn cursor_floor(&self, point: Cursor) -> Result<Option<Cursor>>;
    fn canonical(&self, merge_hash: &str) -> Result<Option<CanonicalRecord>>;
    /// Matching canonicals in merge-hash order.
    fn list_canonicals(
        &self,
        filter: &CanonicalFilter,
        visit: Visit<CanonicalRecord>,
    ) -> Result<()>;
    /// Live canonicals and tombstones whose last change is after `since`
    /// (all of them for `None`) and at or before `upto`, in feed order.
    fn export_rows(&self, since: Option<u64>, upto: u64, visit: Visit<ExportRow>) -> Result<()> {
        self.export_rows_for(since, upto, None, visit)
    }
    /// [`Self::export_rows`] less the rows whose current version came
    /// unchanged from the peer `skip_via` (`export --for`).
    fn export_rows_for(
        &self,
        since: Option<u64>,
        upto: u64,
        skip_via: Option<&str>,
        visit: Visit<ExportRow>,
    ) -> Result<()>;
    /// The rows of [`Self::export_rows`] as the bundle's NDJSON bytes
    /// (`codec::export_lines`).
    fn export_lines(
        &self,
        since: Option<u64>,
        upto: u64,
        visit: &mut dyn FnMut(ExportLines<'_>) -> std::io::Result<()>,
    ) -> Result<()> {
        self.export_lines_for(since, upto, None, visit)
    }
    /// [`Self::export_lines`] with [`Self::export_rows_for`]'s filter. By
    /// default each row is serialized as it is read; a store that keeps the
    /// bytes hands them over as they are.
    fn export_lines_for(
        &self,
        since: Option<u64>,
        upto: u64,
        skip_via: Option<&str>,
        visit: &mut dyn FnMut(ExportLines<'_>) -> std::io::Result<()>,
    ) -> Result<()> {
        let mut failed = None;
        let read = self.export_rows_for(since, upto, skip_via, &mut |row| match row {
            ExportRow::Canonical(cursor, record) => {
                match codec::export_lines(&record.canonical.merge_hash, &record) {
                    Ok((line, edges)) => visit(ExportLines::Canonical {
                        cursor,
                        line: line.as_bytes(),
                        edges: edges.as_bytes(),
                        edge_count: record.edges.len() as u64,
                    }),
                    Err(e) => {
                        failed = Some(e);
                        Err(std::io::Error::other("export stopped"))
                    }
                }
            }
            ExportRow::Deletion(cursor, deletion) => visit(ExportLines::Deletion(cursor, deletion)),
        });
        failed.map_or(read, Err)
    }
    /// One entry per row `export_rows` would give: its feed position and its
    /// item count (1 + edges for a canonical, 1 for a tombstone). Cheap:
    /// used to cut a large delta into a chain of bundles.
    fn export_sizes(&self, since: Option<u64>) -> Result<Vec<(Cursor, u64)>> {
        self.export_sizes_for(since, None)
    }
    fn export_sizes_for(
        &self,
        since: Option<u64>,
        skip_via: Option<&str>,
    ) -> Result<Vec<(Cursor, u64)>>;
    /// The last row `export_rows` would give after `since` and the items of
    /// all of them; `None` when there is none. A store may answer it without
    /// walking the rows (an export that needs no chain never does).
    fn export_summary(&self, since: Option<u64>) -> Result<Option<(Cursor, u64)>> {
        self.export_summary_for(since, None)
    }
    fn export_summary_for(
        &self,
        since: Option<u64>,
        skip_via: Option<&str>,
    ) -> Result<Option<(Cursor, u64)>> {
        Ok(summary_of(&self.export_sizes_for(since, skip_via)?))
    }

    /// What `export --for` last sent each peer, and what each peer last
    /// acknowledged (the cursor it reported, given with `-c`).
    fn sent(&self) -> Result<Vec<Sent>>;
    fn record_sent(&mut self, sent: &Sent) -> Result<()>;

    fn sites(&self) -> Result<Vec<Site>>;
    fn site(&self, id: &str) -> Result<Option<Site>>;
    /// Registers a site, or restores a removed one (new name and status,
    /// keys and ledger as they were); `SiteExists` for a live one.
    fn add_site(&mut self, site: &NewSite) -> Result<()>;
    /// Marks a live site removed: it leaves [`Self::sites`] and
    /// [`Self::site`] (so imports from it are refused as from an unknown
    /// site), its keys and ledger rows stay for audit, and
    /// [`Self::add_site`] of the same id restores it. `UnknownSite` when
    /// there is no live site of that id.
    fn remove_site(&mut self, id: &str, at: &str) -> Result<()>;
    /// When the site was removed; `None` for a live or unknown site.
    fn site_removed_at(&self, id: &str) -> Result<Option<String>>;
    fn update_policy(&mut self, id: &str, change: &PolicyChange) -> Result<()>;
    fn add_key(&mut self, site_id: &str, key: &NewKey) -> Result<()>;
    fn revoke_key(&mut self, site_id: &str, key_id: &str, at: &str) -> Result<()>;
    /// Every key ever added for the site, revoked ones included.
    fn keys(&self, site_id: &str) -> Result<Vec<TrustedKey>>;

    /// Newest first.
    fn history(&self, site_id: &str, limit: usize) -> Result<Vec<LedgerEntry>>;
    /// The import of the bundle whose signed manifest had this digest, if any.
    fn ledger_by_manifest(
        &self,
        site_id: &str,
        manifest_sha256: &str,
    ) -> Result<Option<LedgerEntry>>;
    /// Events with id greater than `since`, oldest first.
    fn events(&self, since: u64, limit: usize) -> Result<Vec<Event>>;
}

/// The last row of `export_sizes` and the items of all of them.
pub fn summary_of(sizes: &[(Cursor, u64)]) -> Option<(Cursor, u64)> {
    let total = sizes.iter().map(|(_, items)| items).sum();
    sizes.last().map(|(cursor, _)| (*cursor, total))
}

/// One open write transaction.
pub trait Txn {
    fn canonical(&mut self, merge_hash: &str) -> Result<Option<CanonicalRecord>>;
    /// Creates or replaces the canonical and its whole edge set, clears any
    /// tombstone for its merge hash, appends a feed entry and returns its
    /// cursor. The version counts as this site's own (not a peer's).
    fn put(&mut self, record: &CanonicalRecord) -> Result<Cursor> {
        self.put_from(record, None)
    }
    /// [`Self::put`] of a version that came unchanged from the peer `via`.
    fn put_from(&mut self, record: &CanonicalRecord, via: Option<&str>) -> Result<Cursor>;
    /// Removes the canonical (and edges) if present and stores the tombstone.
    /// Returns the new feed cursor, or `None` when there was nothing to do
    /// (no such canonical and the same tombstone already stored).
    fn delete(&mut self, deletion: &Deletion) -> Result<Option<Cursor>> {
        self.delete_from(deletion, None)
    }
    fn delete_from(&mut self, deletion: &Deletion, via: Option<&str>) -> Result<Option<Cursor>>;
    /// The tombstone of a merge hash, if one is stored.
    fn tombstone(&mut self, merge_hash: &str) -> Result<Option<Deletion>>;

    /// Merge hashes of canonicals that have an edge to this source record,
    /// with that edge's `source_sha256`.
    fn source_record(&mut self, source: &str, advisory_id: &str) -> Result<Vec<(String, String)>>;
    /// Every (source, source_advisory_id) that has an edge, for `--prune`.
    fn source_records(&mut self) -> Result<Vec<(String, String)>>;

    /// Digest of what was last taken from `site_id` for this merge hash.
    fn taken(&mut self, site_id: &str, merge_hash: &str) -> Result<Option<String>>;
    fn set_taken(&mut self, site_id: &str, merge_hash: &str, digest: &str) -> Result<()>;

    /// The ledger row of this signed manifest, seen from inside the
    /// transaction (after the writer lock): a concurrent import of the same
    /// bundle finds the other's row here and becomes a no-op.
    fn ledger_by_manifest(
        &mut self,
        site_id: &str,
        manifest_sha256: &str,
    ) -> Result<Option<LedgerEntry>>;
    /// Appends the ledger row and advances the site's last cursor and totals.
    fn record_import(&mut self, entry: &LedgerEntry) -> Result<()>;
    fn append_event(&mut self, event: &NewEvent) -> Result<()>;
    /// Keeps the conflicts an import met (and how they were settled).
    fn record_conflicts(&mut self, bundle_hash: &str, conflicts: &[ConflictRow]) -> Result<()>;

    /// Offers a load into an empty store. True when, seen inside this
    /// transaction (under the writer lock), the store holds no canonical,
    /// tombstone or taken digest: every merge hash the caller then puts is
    /// new, so it need not look any up. Until the transaction next reads
    /// canonicals, deletes or commits, `put_many` and `set_taken_many` may
    /// write straight into the tables and defer index maintenance; a merge
    /// hash put twice in that stretch may go undetected until then (the
    /// bundle reader refuses such a bundle before that). Ask before anything
    /// else in the transaction: a store may roll back and begin again to
    /// take the offer (SQLite switches foreign-key enforcement off, which it
    /// can do only between transactions), so nothing read or written before
    /// can be relied on; a store asked after a write declines. The default
    /// declines.
    fn bulk_load(&mut self) -> Result<bool> {
        Ok(false)
    }

    /// Offers to build, once at commit, the canonicals' indexes that no
    /// lookup by merge hash or source record uses (by id, feed position,
    /// CVE, affects key), instead of updating them on every write: for an
    /// ingest into an empty store, which writes a canonical once per record
    /// that names it. True when taken, which a store does only when it
    /// holds no canonical, tombstone or taken digest. Until the commit,
    /// reads by those columns are slower but still right, and a key they
    /// would have refused (an id or feed position stored twice) fails the
    /// commit. The default declines.
    fn defer_unkeyed_indexes(&mut self) -> Result<bool> {
        Ok(false)
    }

    // Batch forms: one call per batch of rows, answers in input order. The
    // defaults loop over the per-row methods (cheap in process); a networked
    // store overrides them with bulk statements (COPY, set-based upserts).

    fn canonicals(&mut self, merge_hashes: &[String]) -> Result<Vec<Option<CanonicalRecord>>> {
        merge_hashes.iter().map(|m| self.canonical(m)).collect()
    }
    fn taken_many(
        &mut self,
        site_id: &str,
        merge_hashes: &[String],
    ) -> Result<Vec<Option<String>>> {
        merge_hashes
            .iter()
            .map(|m| self.taken(site_id, m))
            .collect()
    }
    fn tombstones(&mut self, merge_hashes: &[String]) -> Result<Vec<Option<Deletion>>> {
        merge_hashes.iter().map(|m| self.tombstone(m)).collect()
    }
    fn put_many(&mut self, records: &[CanonicalRecord]) -> Result<Vec<Cursor>> {
        self.put_many_from(records, None)
    }
    fn put_many_from(
        &mut self,
        records: &[CanonicalRecord],
        via: Option<&str>,
    ) -> Result<Vec<Cursor>> {
        records.iter().map(|r| self.put_from(r, via)).collect()
    }
    fn delete_many(&mut self, deletions: &[Deletion]) -> Result<Vec<Option<Cursor>>> {
        self.delete_many_from(deletions, None)
    }
    fn delete_many_from(
        &mut self,
        deletions: &[Deletion],
        via: Option<&str>,
    ) -> Result<Vec<Option<Cursor>>> {
        deletions.iter().map(|d| self.delete_from(d, via)).collect()
    }
    /// (merge_hash, digest) pairs.
    fn set_taken_many(&mut self, site_id: &str, digests: &[(String, String)]) -> Result<()> {
        digests
            .iter()
            .try_for_each(|(m, d)| self.set_taken(site_id, m, d))
    }
    fn append_events(&mut self, events: &[NewEvent]) -> Result<()> {
        events.iter().try_for_each(|e| self.append_event(e))
    }

    fn commit(self: Box<Self>) -> Result<()>;
}
