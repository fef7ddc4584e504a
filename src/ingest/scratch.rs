//! The scratch space of an ingest into an empty store (`fresh`): a private
//! temporary SQLite database (deleted when dropped) that holds what the
//! input gave, unindexed, and hands it back sorted by SQLite's external
//! sorter, so memory stays flat whatever the input's size.
//!
//! Invariants:
//! - It is never the store: nothing here is committed or seen by anyone;
//!   an error or a drop leaves the store's transaction to roll back.
//! - `records` holds one row per converted record that has an edge, by its
//!   input sequence number `seq`; `events` one row per write a record asks
//!   of a canonical (its converted version, or the drop of its edge), and
//!   `(merge_hash, seq)` is unique among the events that are not skipped.
//! - Rows come back in (source, id, seq) or (merge_hash, seq) order, the
//!   order the per-record path would have met them in for that key.

use rusqlite::{Connection, params};

use crate::model::{CanonicalRecord, Deletion};
use crate::store::{Result, StoreError};

/// The scratch page cache, in KiB (the sorter keeps about as much in memory).
const CACHE_KIB: i64 = 8 * 1024;

const SCHEMA: &str = "
CREATE TABLE records (source TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
    sha TEXT NOT NULL, hashes TEXT NOT NULL);
CREATE TABLE events (hash TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB,
    source TEXT, id TEXT);
CREATE TABLE skipped (seq INTEGER PRIMARY KEY);
CREATE TABLE tombstones (body BLOB NOT NULL);
";

/// One converted record, as the pass over source records reads it.
pub(super) struct KeyRow {
    pub source: String,
    pub id: String,
    pub seq: i64,
    pub sha: String,
    /// The record's merge hashes, sorted, one per line.
    pub hashes: String,
}

/// One write asked of a canonical.
pub(super) enum Event {
    /// The canonical as a record converted it (with that record's edge).
    Apply(CanonicalRecord),
    /// A later record of (source, id) no longer names the canonical.
    Drop { source: String, id: String },
}

pub(super) struct Scratch {
    conn: Connection,
}

impl Scratch {
    pub fn new() -> Result<Scratch> {
        // An empty name: a private on-disk database, deleted when closed.
        let conn = Connection::open("")?;
        conn.pragma_update(None, "journal_mode", "OFF")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.pragma_update(None, "temp_store", "FILE")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch("BEGIN")?;
        Ok(Scratch { conn })
    }

    /// Keeps a converted record (`records` non-empty, each with its edge).
    pub fn stage(&self, seq: i64, records: &[CanonicalRecord], hashes: &str) -> Result<()> {
        let Some(edge) = records.first().and_then(|r| r.edges.first()) else {
            return Ok(());
        };
        self.conn
            .prepare_cached("INSERT INTO records VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![
                edge.source,
                edge.source_advisory_id,
                seq,
                edge.source_sha256,
                hashes
            ])?;
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO events (hash, seq, body) VALUES (?1, ?2, ?3)")?;
        for record in records {
            let body = serde_json::to_vec(record).map_err(encoding)?;
            insert.execute(params![record.canonical.merge_hash, seq, body])?;
        }
        Ok(())
    }

    /// Every staged record in (source, id, seq) order.
    pub fn each_record(&self, mut visit: impl FnMut(KeyRow) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT source, id, seq, sha, hashes FROM records ORDER BY source, id, seq")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            visit(KeyRow {
                source: row.get(0)?,
                id: row.get(1)?,
                seq: row.get(2)?,
                sha: row.get(3)?,
                hashes: row.get(4)?,
            })?;
        }
        Ok(())
    }

    /// Marks the record `seq` unchanged: its events are not folded.
    pub fn skip(&self, seq: i64) -> Result<()> {
        self.conn
            .prepare_cached("INSERT INTO skipped VALUES (?1)")?
            .execute([seq])?;
        Ok(())
    }

    /// Adds the drop of (source, id)'s edge from `hash` by the record `seq`.
    pub fn drop_edge(&self, hash: &str, seq: i64, source: &str, id: &str) -> Result<()> {
        self.conn
            .prepare_cached("INSERT INTO events VALUES (?1, ?2, NULL, ?3, ?4)")?
            .execute(params![hash, seq, source, id])?;
        Ok(())
    }

    /// Every event of a record not skipped, in (merge_hash, seq) order.
    pub fn each_event(&self, mut visit: impl FnMut(String, Event) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT hash, body, source, id FROM events \
             WHERE seq NOT IN (SELECT seq FROM skipped) ORDER BY hash, seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let event = match row.get::<_, Option<Vec<u8>>>(1)? {
                Some(body) => Event::Apply(serde_json::from_slice(&body).map_err(encoding)?),
                None => Event::Drop {
                    source: row.get(2)?,
                    id: row.get(3)?,
                },
            };
            visit(row.get(0)?, event)?;
        }
        Ok(())
    }

    /// Keeps a final tombstone, to store after every canonical.
    pub fn tombstone(&self, deletion: &Deletion) -> Result<()> {
        let body = serde_json::to_vec(deletion).map_err(encoding)?;
        self.conn
            .prepare_cached("INSERT INTO tombstones VALUES (?1)")?
            .execute([body])?;
        Ok(())
    }

    /// The tombstones kept, in the order kept.
    pub fn each_tombstone(&self, mut visit: impl FnMut(Deletion) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM tombstones ORDER BY rowid")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let body: Vec<u8> = row.get(0)?;
            visit(serde_json::from_slice(&body).map_err(encoding)?)?;
        }
        Ok(())
    }
}

/// Scratch rows are written by this module: one that does not decode is a
/// scratch file changed under us.
fn encoding(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        what: "ingest scratch row",
        detail: e.to_string(),
    }
}
