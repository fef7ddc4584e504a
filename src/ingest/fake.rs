//! An in-memory [`Txn`] for ingest tests: canonicals by merge hash, an index
//! of edges by (source, id), tombstones and a feed counter.

use std::collections::{BTreeMap, BTreeSet};

use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};
use crate::store::{LedgerEntry, NewEvent, Result, StoreError, Txn};

#[derive(Default)]
pub struct FakeTxn {
    pub canonicals: BTreeMap<String, CanonicalRecord>,
    pub tombstones: BTreeMap<String, Deletion>,
    index: BTreeMap<(String, String), BTreeSet<String>>,
    pub feed: u64,
    /// Takes the bulk load offer (for the `fresh` path), which only an
    /// empty store may do.
    pub bulk: bool,
    /// Puts after which every put fails, as a full disk would.
    pub puts_before_failing: Option<u64>,
}

impl FakeTxn {
    fn unindex(&mut self, hash: &str) {
        let Some(old) = self.canonicals.get(hash) else {
            return;
        };
        for e in &old.edges {
            let key = (e.source.clone(), e.source_advisory_id.clone());
            if let Some(set) = self.index.get_mut(&key) {
                set.remove(hash);
                if set.is_empty() {
                    self.index.remove(&key);
                }
            }
        }
    }

    fn next_cursor(&mut self) -> Cursor {
        self.feed += 1;
        Cursor::new(1_736_937_000_000, self.feed)
    }
}

impl Txn for FakeTxn {
    fn bulk_load(&mut self) -> Result<bool> {
        Ok(self.bulk && self.canonicals.is_empty() && self.tombstones.is_empty())
    }

    fn canonical(&mut self, merge_hash: &str) -> Result<Option<CanonicalRecord>> {
        Ok(self.canonicals.get(merge_hash).cloned())
    }

    fn tombstone(&mut self, merge_hash: &str) -> Result<Option<Deletion>> {
        Ok(self.tombstones.get(merge_hash).cloned())
    }

    fn put_from(&mut self, record: &CanonicalRecord, _via: Option<&str>) -> Result<Cursor> {
        if self.puts_before_failing == Some(self.feed) {
            return Err(StoreError::Io(std::io::Error::other("disk full")));
        }
        let hash = record.canonical.merge_hash.clone();
        self.unindex(&hash);
        for e in &record.edges {
            let key = (e.source.clone(), e.source_advisory_id.clone());
            self.index.entry(key).or_default().insert(hash.clone());
        }
        self.tombstones.remove(&hash);
        self.canonicals.insert(hash, record.clone());
        Ok(self.next_cursor())
    }

    fn delete_from(&mut self, deletion: &Deletion, _via: Option<&str>) -> Result<Option<Cursor>> {
        let hash = &deletion.merge_hash;
        if !self.canonicals.contains_key(hash) && self.tombstones.get(hash) == Some(deletion) {
            return Ok(None);
        }
        self.unindex(hash);
        self.canonicals.remove(hash);
        self.tombstones.insert(hash.clone(), deletion.clone());
        Ok(Some(self.next_cursor()))
    }

    fn source_record(&mut self, source: &str, advisory_id: &str) -> Result<Vec<(String, String)>> {
        let key = (source.to_owned(), advisory_id.to_owned());
        let hashes = self.index.get(&key).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for hash in hashes {
            let Some(rec) = self.canonicals.get(&hash) else {
                continue;
            };
            for e in rec
                .edges
                .iter()
                .filter(|e| e.source == source && e.source_advisory_id == advisory_id)
            {
                out.push((hash.clone(), e.source_sha256.clone()));
            }
        }
        Ok(out)
    }

    fn source_records(&mut self) -> Result<Vec<(String, String)>> {
        Ok(self.index.keys().cloned().collect())
    }

    fn taken(&mut self, _site_id: &str, _merge_hash: &str) -> Result<Option<String>> {
        Ok(None)
    }

    fn set_taken(&mut self, _site_id: &str, _merge_hash: &str, _digest: &str) -> Result<()> {
        Ok(())
    }

    fn record_import(&mut self, _entry: &LedgerEntry) -> Result<()> {
        Ok(())
    }

    fn append_event(&mut self, _event: &NewEvent) -> Result<()> {
        Ok(())
    }

    fn ledger_by_manifest(
        &mut self,
        _site_id: &str,
        _manifest_sha256: &str,
    ) -> Result<Option<crate::store::LedgerEntry>> {
        Ok(None)
    }

    fn record_conflicts(
        &mut self,
        _bundle_hash: &str,
        _rows: &[crate::store::ConflictRow],
    ) -> Result<()> {
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<()> {
        Ok(())
    }
}
