//! The write transaction.
//!
//! A [`PgTxn`] is one READ COMMITTED transaction that holds the schema's
//! writer lock (`pg_try_advisory_xact_lock`, polled every [`POLL`] until the
//! lock timeout). The lock is released by commit or rollback, so writers
//! serialize and feed positions, read once after the lock is taken, are
//! assigned in commit order. Dropping the transaction rolls everything
//! back. Readers never take the lock.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use postgres::Transaction;

use super::conn::pg;
use super::feed::{self, Head, Kind};
use super::{Clock, bulk, canonical, events, ledger, write};
use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};
use crate::store::{ConflictRow, LedgerEntry, NewEvent, Result, Txn};

/// How often a waiting writer retries the lock.
pub const POLL: Duration = Duration::from_millis(50);

pub struct PgTxn<'a> {
    tx: Transaction<'a>,
    clock: &'a Clock,
    head: Head,
    /// While a bulk load runs: the statements that recreate the indexes and
    /// constraints it set aside (see `bulk`).
    bulk: Option<Vec<String>>,
    /// How long a bulk load may wait for readers to let go of its tables.
    lock_wait: Duration,
}

mod begin;

/// Indexes of the last item per merge hash, in input order.
fn last_per_hash<T>(items: &[T], hash: impl Fn(&T) -> &str) -> Vec<usize> {
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        last.insert(hash(item), i);
    }
    let mut keep: Vec<usize> = last.into_values().collect();
    keep.sort_unstable();
    keep
}

impl Txn for PgTxn<'_> {
    fn canonical(&mut self, merge_hash: &str) -> Result<Option<CanonicalRecord>> {
        self.settle()?;
        canonical::get(&mut self.tx, merge_hash)
    }

    fn put_from(&mut self, record: &CanonicalRecord, via: Option<&str>) -> Result<Cursor> {
        self.settle()?;
        let merge_hash = record.canonical.merge_hash.as_str();
        let cursor = self.next()?;
        feed::append(&mut self.tx, &[(cursor, merge_hash, Kind::Put)])?;
        feed::clear_tombstone(&mut self.tx, merge_hash)?;
        write::upsert(&mut self.tx, record, (super::codec::int(cursor.seq()), via))?;
        Ok(cursor)
    }

    fn tombstone(&mut self, merge_hash: &str) -> Result<Option<Deletion>> {
        self.settle()?;
        feed::tombstone(&mut self.tx, merge_hash)
    }

    fn tombstones(&mut self, hashes: &[String]) -> Result<Vec<Option<Deletion>>> {
        self.settle()?;
        let mut found = feed::tombstones(&mut self.tx, hashes)?;
        Ok(hashes.iter().map(|m| found.remove(m)).collect())
    }

    fn delete_from(&mut self, deletion: &Deletion, via: Option<&str>) -> Result<Option<Cursor>> {
        self.settle()?;
        let merge_hash = deletion.merge_hash.as_str();
        let removed = !write::remove_many(&mut self.tx, &[merge_hash.to_owned()])?.is_empty();
        if !removed && feed::tombstone(&mut self.tx, merge_hash)?.as_ref() == Some(deletion) {
            return Ok(None);
        }
        let cursor = self.next()?;
        feed::append(&mut self.tx, &[(cursor, merge_hash, Kind::Delete)])?;
        feed::put_tombstone(&mut self.tx, deletion, cursor.seq(), via)?;
        Ok(Some(cursor))
    }

    fn source_record(&mut self, source: &str, advisory_id: &str) -> Result<Vec<(String, String)>> {
        self.settle()?;
        canonical::source_record(&mut self.tx, source, advisory_id)
    }

    fn source_records(&mut self) -> Result<Vec<(String, String)>> {
        self.settle()?;
        canonical::source_records(&mut self.tx)
    }

    fn taken(&mut self, site_id: &str, merge_hash: &str) -> Result<Option<String>> {
        Ok(self
            .taken_many(site_id, &[merge_hash.to_owned()])?
            .pop()
            .flatten())
    }

    fn set_taken(&mut self, site_id: &str, merge_hash: &str, digest: &str) -> Result<()> {
        self.settle()?;
        ledger::set_taken_many(&mut self.tx, site_id, &[merge_hash], &[digest])
    }

    fn ledger_by_manifest(&mut self, site_id: &str, manifest: &str) -> Result<Option<LedgerEntry>> {
        ledger::by_manifest(&mut self.tx, site_id, manifest)
    }

    fn record_import(&mut self, entry: &LedgerEntry) -> Result<()> {
        ledger::record(&mut self.tx, entry)
    }

    fn append_event(&mut self, event: &NewEvent) -> Result<()> {
        events::append(&mut self.tx, std::slice::from_ref(event))
    }

    fn record_conflicts(&mut self, bundle_hash: &str, rows: &[ConflictRow]) -> Result<()> {
        events::append_conflicts(&mut self.tx, bundle_hash, rows)
    }

    fn canonicals(&mut self, merge_hashes: &[String]) -> Result<Vec<Option<CanonicalRecord>>> {
        self.settle()?;
        let found = canonical::get_many(&mut self.tx, merge_hashes)?;
        Ok(merge_hashes.iter().map(|m| found.get(m).cloned()).collect())
    }

    fn taken_many(&mut self, site_id: &str, hashes: &[String]) -> Result<Vec<Option<String>>> {
        self.settle()?;
        let found = ledger::taken_many(&mut self.tx, site_id, hashes)?;
        Ok(hashes.iter().map(|m| found.get(m).cloned()).collect())
    }

    fn put_many_from(
        &mut self,
        records: &[CanonicalRecord],
        via: Option<&str>,
    ) -> Result<Vec<Cursor>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let cursors = records
            .iter()
            .map(|_| self.next())
            .collect::<Result<Vec<_>>>()?;
        let feed_rows: Vec<_> = records
            .iter()
            .zip(&cursors)
            .map(|(r, c)| (*c, r.canonical.merge_hash.as_str(), Kind::Put))
            .collect();
        feed::append(&mut self.tx, &feed_rows)?;
        let keep = last_per_hash(records, |r| &r.canonical.merge_hash);
        let rows: Vec<_> = keep
            .into_iter()
            .filter_map(|i| Some((records.get(i)?, super::codec::int(cursors.get(i)?.seq()))))
            .collect();
        if self.bulk.is_some() {
            bulk::insert_many(&mut self.tx, &rows, via)?;
        } else {
            write::upsert_many(&mut self.tx, &rows, via)?;
        }
        Ok(cursors)
    }

    fn delete_many_from(
        &mut self,
        deletions: &[Deletion],
        via: Option<&str>,
    ) -> Result<Vec<Option<Cursor>>> {
        if deletions.is_empty() {
            return Ok(Vec::new());
        }
        self.settle()?;
        let hashes: Vec<String> = deletions.iter().map(|d| d.merge_hash.clone()).collect();
        let mut live: HashSet<String> = write::remove_many(&mut self.tx, &hashes)?;
        let mut stored = feed::tombstones(&mut self.tx, &hashes)?;
        let mut out = Vec::with_capacity(deletions.len());
        let mut feed_rows = Vec::new();
        let mut last: HashMap<&str, (&Deletion, i64)> = HashMap::new();
        for d in deletions {
            let removed = live.remove(&d.merge_hash);
            if !removed && stored.get(&d.merge_hash) == Some(d) {
                out.push(None);
                continue;
            }
            let cursor = self.next()?;
            stored.insert(d.merge_hash.clone(), d.clone());
            feed_rows.push((cursor, d.merge_hash.as_str(), Kind::Delete));
            last.insert(&d.merge_hash, (d, super::codec::int(cursor.seq())));
            out.push(Some(cursor));
        }
        if feed_rows.is_empty() {
            return Ok(out);
        }
        feed::append(&mut self.tx, &feed_rows)?;
        let mut tombstones: Vec<_> = last.into_values().collect();
        tombstones.sort_by_key(|(_, seq)| *seq);
        write::put_tombstones(&mut self.tx, &tombstones, via)?;
        Ok(out)
    }

    fn set_taken_many(&mut self, site_id: &str, digests: &[(String, String)]) -> Result<()> {
        if self.bulk.is_some() {
            return bulk::insert_taken(&mut self.tx, site_id, digests);
        }
        let keep = last_per_hash(digests, |(m, _)| m);
        let pick = |f: fn(&(String, String)) -> &str| -> Vec<&str> {
            keep.iter().filter_map(|&i| digests.get(i).map(f)).collect()
        };
        let (hashes, values) = (pick(|p| &p.0), pick(|p| &p.1));
        ledger::set_taken_many(&mut self.tx, site_id, &hashes, &values)
    }

    fn append_events(&mut self, events: &[NewEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        events::append(&mut self.tx, events)
    }

    fn bulk_load(&mut self) -> Result<bool> {
        if self.bulk.is_some() {
            return Ok(true);
        }
        if !bulk::is_empty(&mut self.tx)? {
            return Ok(false);
        }
        self.bulk = Some(bulk::set_aside(&mut self.tx, self.lock_wait)?);
        Ok(true)
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        self.settle()?;
        self.tx.commit().map_err(pg)
    }
}
