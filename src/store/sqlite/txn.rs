//! The write transaction.
//!
//! A [`SqliteTxn`] is one `BEGIN IMMEDIATE` transaction: it takes the write
//! lock up front, so two writers serialize at `begin` (the loser waits up to
//! the busy timeout, then gets `StoreError::Busy`) instead of failing halfway.
//! Dropping it without `commit` rolls everything back. Readers on other
//! connections keep seeing the last committed state (WAL).
//!
//! A bulk load (`bulk`) runs with foreign-key enforcement off, which SQLite
//! can switch only between transactions: taking the offer restarts the
//! transaction before anything is written, and enforcement comes back when
//! the transaction ends, whichever way. The keys it would have checked hold
//! by construction (an edge is written only with its canonical, a removal
//! takes its edges by name, the ledger row's site is updated first) or are
//! checked here (the site of a merge base).

use rusqlite::Connection;

use super::{Clock, bulk, canonical, classify, events, feed, ledger, sites, sql};
use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};
use crate::store::{ConflictRow, LedgerEntry, NewEvent, Result, StoreError, Txn};

pub struct SqliteTxn<'a> {
    conn: &'a mut Connection,
    clock: &'a Clock,
    /// While a bulk load runs: what it set aside (`bulk`).
    bulk: Option<bulk::Aside>,
    /// While an ingest into an empty store runs: the indexes it set aside
    /// (`bulk::set_aside_unkeyed`), built again at commit.
    unkeyed: Option<bulk::Aside>,
    /// Foreign keys are not enforced in this transaction (a bulk load).
    unchecked: bool,
    /// A site this transaction found in `sites` while unchecked.
    known_site: Option<String>,
    /// `total_changes` when the transaction began: unchanged, nothing was written.
    changes_at_begin: u64,
    /// The feed's newest row as this transaction wrote it.
    tail: feed::Tail,
}

impl<'a> SqliteTxn<'a> {
    pub(super) fn begin(conn: &'a mut Connection, clock: &'a Clock) -> Result<Self> {
        sql(conn.execute_batch("BEGIN IMMEDIATE"))?;
        let changes_at_begin = conn.total_changes();
        Ok(Self {
            conn,
            clock,
            bulk: None,
            unkeyed: None,
            unchecked: false,
            known_site: None,
            changes_at_begin,
            tail: feed::Tail::default(),
        })
    }

    /// Rolls back and begins again with foreign-key enforcement `on` or off.
    fn restart(&mut self, on: bool) -> Result<()> {
        sql(self.conn.execute_batch("ROLLBACK"))?;
        self.unchecked = !on;
        sql(self.conn.pragma_update(None, "foreign_keys", on))?;
        sql(self.conn.execute_batch("BEGIN IMMEDIATE"))?;
        self.changes_at_begin = self.conn.total_changes();
        self.tail = feed::Tail::default();
        Ok(())
    }

    /// Ends a bulk load, if one runs: the indexes come back before anything
    /// reads or deletes.
    fn settle(&mut self) -> Result<()> {
        match self.bulk.take() {
            Some(aside) => bulk::restore(self.conn, &aside),
            None => Ok(()),
        }
    }

    /// The check the foreign key on `site_id` would make, while unchecked.
    fn known_site(&mut self, site_id: &str) -> Result<()> {
        if !self.unchecked || self.known_site.as_deref() == Some(site_id) {
            return Ok(());
        }
        if !sites::exists(self.conn, site_id)? {
            return Err(StoreError::UnknownSite(site_id.to_owned()));
        }
        self.known_site = Some(site_id.to_owned());
        Ok(())
    }

    /// The merge hash's next feed row, at the clock's time.
    fn append(&mut self, merge_hash: &str, kind: feed::Kind) -> Result<Cursor> {
        let now = (self.clock)();
        feed::append(self.conn, &mut self.tail, now, merge_hash, kind)
    }

    fn put_inner(&mut self, record: &CanonicalRecord, via: Option<&str>) -> Result<Cursor> {
        let merge_hash = &record.canonical.merge_hash;
        let cursor = self.append(merge_hash, feed::Kind::Put)?;
        let at = canonical::At(super::codec::int(cursor.seq()), via);
        if self.bulk.is_some() {
            // A bulk load starts with no canonical and no tombstone.
            canonical::insert_new(self.conn, record, at)?;
        } else if canonical::upsert(self.conn, record, at)? == canonical::Upsert::Inserted {
            // A live canonical has no tombstone: only a new row may replace one.
            feed::clear_tombstone(self.conn, merge_hash)?;
        }
        Ok(cursor)
    }

    fn delete_inner(&mut self, deletion: &Deletion, via: Option<&str>) -> Result<Option<Cursor>> {
        self.settle()?;
        let merge_hash = &deletion.merge_hash;
        let removed = canonical::remove(self.conn, merge_hash)?;
        if !removed && feed::tombstone(self.conn, merge_hash)?.as_ref() == Some(deletion) {
            return Ok(None);
        }
        let cursor = self.append(merge_hash, feed::Kind::Delete)?;
        feed::put_tombstone(self.conn, deletion, cursor.seq(), via)?;
        Ok(Some(cursor))
    }

    fn offer_bulk(&mut self) -> Result<bool> {
        if self.bulk.is_some() {
            return Ok(true);
        }
        if !bulk::is_empty(self.conn)? {
            return Ok(false);
        }
        if !self.unchecked {
            if self.conn.total_changes() != self.changes_at_begin {
                // Asked after a write, which a restart would lose.
                return Ok(false);
            }
            self.restart(false)?;
            if !bulk::is_empty(self.conn)? {
                // Another writer got in between the two transactions.
                self.restart(true)?;
                return Ok(false);
            }
        }
        self.bulk = Some(bulk::set_aside(self.conn)?);
        Ok(true)
    }
}

impl Drop for SqliteTxn<'_> {
    fn drop(&mut self) {
        // Errors here have nowhere to go: a failed rollback leaves SQLite to
        // roll back when the connection closes, and the connection's next
        // transaction then starts with enforcement as configured or fails.
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        if let Some(aside) = self.bulk.take() {
            let _ = bulk::abandon(self.conn, &aside);
        }
        if self.unchecked {
            let _ = self.conn.pragma_update(None, "foreign_keys", true);
        }
    }
}

impl Txn for SqliteTxn<'_> {
    fn canonical(&mut self, merge_hash: &str) -> Result<Option<CanonicalRecord>> {
        classify(self.settle())?;
        classify(canonical::get(self.conn, merge_hash))
    }

    fn put_from(&mut self, record: &CanonicalRecord, via: Option<&str>) -> Result<Cursor> {
        classify(self.put_inner(record, via))
    }

    fn delete_from(&mut self, deletion: &Deletion, via: Option<&str>) -> Result<Option<Cursor>> {
        classify(self.delete_inner(deletion, via))
    }

    fn tombstone(&mut self, merge_hash: &str) -> Result<Option<Deletion>> {
        classify(self.settle())?;
        classify(feed::tombstone(self.conn, merge_hash))
    }

    fn source_record(&mut self, source: &str, advisory_id: &str) -> Result<Vec<(String, String)>> {
        classify(self.settle())?;
        classify(canonical::source_record(self.conn, source, advisory_id))
    }

    fn source_records(&mut self) -> Result<Vec<(String, String)>> {
        classify(self.settle())?;
        classify(canonical::source_records(self.conn))
    }

    fn taken(&mut self, site_id: &str, merge_hash: &str) -> Result<Option<String>> {
        classify(self.settle())?;
        classify(ledger::taken(self.conn, site_id, merge_hash))
    }

    fn set_taken(&mut self, site_id: &str, merge_hash: &str, digest: &str) -> Result<()> {
        classify(self.known_site(site_id))?;
        if self.bulk.is_some() {
            return classify(ledger::insert_taken(self.conn, site_id, merge_hash, digest));
        }
        classify(ledger::set_taken(self.conn, site_id, merge_hash, digest))
    }

    fn ledger_by_manifest(&mut self, site_id: &str, manifest: &str) -> Result<Option<LedgerEntry>> {
        classify(ledger::by_manifest(self.conn, site_id, manifest))
    }

    fn record_import(&mut self, entry: &LedgerEntry) -> Result<()> {
        classify(ledger::record(self.conn, entry))
    }

    fn append_event(&mut self, event: &NewEvent) -> Result<()> {
        classify(events::append(self.conn, event))
    }

    fn record_conflicts(&mut self, bundle_hash: &str, rows: &[ConflictRow]) -> Result<()> {
        classify(events::append_conflicts(self.conn, bundle_hash, rows))
    }

    fn bulk_load(&mut self) -> Result<bool> {
        classify(self.offer_bulk())
    }

    fn defer_unkeyed_indexes(&mut self) -> Result<bool> {
        if self.unkeyed.is_some() {
            return Ok(true);
        }
        if !classify(bulk::is_empty(self.conn))? {
            return Ok(false);
        }
        self.unkeyed = Some(classify(bulk::set_aside_unkeyed(self.conn))?);
        Ok(true)
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        classify(self.settle())?;
        if let Some(aside) = self.unkeyed.take() {
            classify(bulk::restore(self.conn, &aside))?;
        }
        sql(self.conn.execute_batch("COMMIT"))
    }
}
