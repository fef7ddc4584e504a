//! The write transaction.
//!
//! A [`SqliteTxn`] is one `BEGIN IMMEDIATE` transaction: it takes the write
//! lock up front, so two writers serialize at `begin` (the loser waits up to
//! the busy timeout, then gets `StoreError::Busy`) instead of failing halfway.
//! Dropping it without `commit` rolls everything back. Readers on other
//! connections keep seeing the last committed state (WAL).

use rusqlite::{Transaction, TransactionBehavior};

use super::{Clock, bulk, canonical, classify, events, feed, ledger, sql};
use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};
use crate::store::{ConflictRow, LedgerEntry, NewEvent, Result, Txn};

pub struct SqliteTxn<'a> {
    tx: Transaction<'a>,
    clock: &'a Clock,
    /// While a bulk load runs: what it set aside (`bulk`).
    bulk: Option<bulk::Aside>,
}

impl<'a> SqliteTxn<'a> {
    pub(super) fn begin(conn: &'a mut rusqlite::Connection, clock: &'a Clock) -> Result<Self> {
        let tx = sql(Transaction::new(conn, TransactionBehavior::Immediate))?;
        Ok(Self {
            tx,
            clock,
            bulk: None,
        })
    }

    /// Ends a bulk load, if one runs: the indexes come back before anything
    /// reads or deletes.
    fn settle(&mut self) -> Result<()> {
        match self.bulk.take() {
            Some(aside) => bulk::restore(&self.tx, &aside),
            None => Ok(()),
        }
    }

    fn put_inner(&mut self, record: &CanonicalRecord) -> Result<Cursor> {
        let merge_hash = &record.canonical.merge_hash;
        let cursor = feed::append(&self.tx, (self.clock)(), merge_hash, feed::Kind::Put)?;
        let seq = super::codec::int(cursor.seq());
        if self.bulk.is_some() {
            // A bulk load starts with no canonical and no tombstone.
            canonical::insert_new(&self.tx, record, seq)?;
        } else {
            feed::clear_tombstone(&self.tx, merge_hash)?;
            canonical::upsert(&self.tx, record, seq)?;
        }
        Ok(cursor)
    }

    fn delete_inner(&mut self, deletion: &Deletion) -> Result<Option<Cursor>> {
        self.settle()?;
        let merge_hash = &deletion.merge_hash;
        let removed = canonical::remove(&self.tx, merge_hash)?;
        if !removed && feed::tombstone(&self.tx, merge_hash)?.as_ref() == Some(deletion) {
            return Ok(None);
        }
        let cursor = feed::append(&self.tx, (self.clock)(), merge_hash, feed::Kind::Delete)?;
        feed::put_tombstone(&self.tx, deletion, cursor.seq())?;
        Ok(Some(cursor))
    }
}

impl Txn for SqliteTxn<'_> {
    fn canonical(&mut self, merge_hash: &str) -> Result<Option<CanonicalRecord>> {
        classify(self.settle())?;
        classify(canonical::get(&self.tx, merge_hash))
    }

    fn put(&mut self, record: &CanonicalRecord) -> Result<Cursor> {
        classify(self.put_inner(record))
    }

    fn delete(&mut self, deletion: &Deletion) -> Result<Option<Cursor>> {
        classify(self.delete_inner(deletion))
    }

    fn source_record(&mut self, source: &str, advisory_id: &str) -> Result<Vec<(String, String)>> {
        classify(self.settle())?;
        classify(canonical::source_record(&self.tx, source, advisory_id))
    }

    fn source_records(&mut self) -> Result<Vec<(String, String)>> {
        classify(self.settle())?;
        classify(canonical::source_records(&self.tx))
    }

    fn taken(&mut self, site_id: &str, merge_hash: &str) -> Result<Option<String>> {
        classify(self.settle())?;
        classify(ledger::taken(&self.tx, site_id, merge_hash))
    }

    fn set_taken(&mut self, site_id: &str, merge_hash: &str, digest: &str) -> Result<()> {
        if self.bulk.is_some() {
            return classify(ledger::insert_taken(&self.tx, site_id, merge_hash, digest));
        }
        classify(ledger::set_taken(&self.tx, site_id, merge_hash, digest))
    }

    fn ledger_by_manifest(&mut self, site_id: &str, manifest: &str) -> Result<Option<LedgerEntry>> {
        classify(ledger::by_manifest(&self.tx, site_id, manifest))
    }

    fn record_import(&mut self, entry: &LedgerEntry) -> Result<()> {
        classify(ledger::record(&self.tx, entry))
    }

    fn append_event(&mut self, event: &NewEvent) -> Result<()> {
        classify(events::append(&self.tx, event))
    }

    fn record_conflicts(&mut self, bundle_hash: &str, rows: &[ConflictRow]) -> Result<()> {
        classify(events::append_conflicts(&self.tx, bundle_hash, rows))
    }

    fn bulk_load(&mut self) -> Result<bool> {
        if self.bulk.is_some() {
            return Ok(true);
        }
        if !classify(bulk::is_empty(&self.tx))? {
            return Ok(false);
        }
        self.bulk = Some(classify(bulk::set_aside(&self.tx))?);
        Ok(true)
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        classify(self.settle())?;
        sql(self.tx.commit())
    }
}
