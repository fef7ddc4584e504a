//! The scratch space of an ingest into an empty store (`fresh`), about 2 KB
//! a record: a SQLite database and a file of record bodies, in a temporary
//! directory beside the store (the system's may be memory). The database
//! holds small rows, unindexed, and hands them back sorted by SQLite's
//! external sorter (its spill files go where SQLite keeps temporary files);
//! the bodies are written once and read back only for the versions that are
//! stored, so memory stays flat whatever the input's size.
//!
//! Invariants:
//! - The directory and all it holds go when the value drops, on success and
//!   on error (what a killed ingest left: `super::clear_stale_scratch`).
//! - It is never the store: nothing here is committed or seen by anyone;
//!   an error or a drop leaves the store's transaction to roll back.
//! - `records` holds one row per converted record that has an edge, by its
//!   input sequence number `seq`; `events` one row per write a record asks
//!   of a canonical (its version, or the drop of its edge), and
//!   `(hash, seq)` is unique among the events that are not skipped.
//! - An applied version comes back as a skeleton ([`skeleton`]): what the
//!   per-record path reads of it (ids, merge hash, `modified`, its edge),
//!   with a digest of the rest of its content in place of that content, so
//!   two skeletons hold the same content exactly when their versions do.

use std::cell::RefCell;
use std::path::Path;

use rusqlite::{Connection, params};
use tempfile::TempDir;

use super::skeleton::{self, Applied, Bodies, Location};
use crate::model::{Canonical, CanonicalRecord, Deletion};
use crate::store::{Result, StoreError};

/// The scratch page cache, in KiB (the sorter keeps about as much in memory).
const CACHE_KIB: i64 = 4 * 1024;

const SCHEMA: &str = "
CREATE TABLE records (source TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
    sha TEXT NOT NULL, hashes TEXT NOT NULL);
CREATE TABLE events (hash TEXT NOT NULL, seq INTEGER NOT NULL, source TEXT NOT NULL,
    id TEXT NOT NULL, at INTEGER, len INTEGER, digest BLOB, modified TEXT, ids BLOB,
    vendor_status TEXT, sha TEXT);
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
    /// A record's version of the canonical.
    Apply(Box<Applied>),
    /// A later record of (source, id) no longer names the canonical.
    Drop { source: String, id: String },
}

pub(super) struct Scratch {
    conn: Connection,
    bodies: RefCell<Bodies>,
    /// Dropped last: removed once the database and the bodies are closed.
    _dir: TempDir,
}

/// The start of a scratch directory's name.
pub(super) const PREFIX: &str = ".ingest-scratch-";

impl Scratch {
    /// A scratch space in a new temporary directory under `beside`.
    pub fn new(beside: &Path) -> Result<Scratch> {
        let dir = tempfile::Builder::new().prefix(PREFIX).tempdir_in(beside)?;
        let conn = Connection::open(dir.path().join("scratch.db"))?;
        conn.pragma_update(None, "journal_mode", "OFF")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.pragma_update(None, "temp_store", "FILE")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch("BEGIN")?;
        let bodies = Bodies::new(tempfile::tempfile_in(dir.path())?);
        Ok(Scratch {
            conn,
            bodies: RefCell::new(bodies),
            _dir: dir,
        })
    }

    /// Keeps a converted record: its (source, id) row, and each version's
    /// body and event. Each version must carry exactly its record's edge.
    pub fn stage(&self, seq: i64, records: &mut [CanonicalRecord], hashes: &str) -> Result<()> {
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
        let mut insert = self.conn.prepare_cached(
            "INSERT INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for record in records {
            let [edge] = record.edges.as_slice() else {
                return Err(corrupt("a converted version without its one edge".into()));
            };
            let body = skeleton::body(&mut record.canonical).map_err(|e| corrupt(e.to_string()))?;
            let at = self.bodies.borrow_mut().append(&body)?;
            let c = &record.canonical;
            insert.execute(params![
                c.merge_hash,
                seq,
                edge.source,
                edge.source_advisory_id,
                at.at as i64,
                at.len as i64,
                skeleton::digest(&body),
                c.modified,
                skeleton::ids(c, edge),
                edge.vendor_status,
                edge.source_sha256,
            ])?;
        }
        Ok(())
    }

    /// The body of a version stored at `at`: its canonical, without status
    /// or history.
    pub fn body(&self, at: &Location) -> Result<Canonical> {
        let buf = self.bodies.borrow_mut().read(at)?;
        serde_json::from_slice(&buf).map_err(|e| corrupt(e.to_string()))
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
            .prepare_cached("INSERT INTO events (hash, seq, source, id) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![hash, seq, source, id])?;
        Ok(())
    }

    /// Every event of a record not skipped, in (hash, seq) order.
    pub fn each_event(&self, mut visit: impl FnMut(String, Event) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT hash, source, id, at, len, digest, modified, ids, vendor_status, sha \
             FROM events WHERE seq NOT IN (SELECT seq FROM skipped) ORDER BY hash, seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let hash: String = row.get(0)?;
            let (source, id) = (row.get(1)?, row.get(2)?);
            let event = match row.get::<_, Option<i64>>(3)? {
                None => Event::Drop { source, id },
                Some(at) => Event::Apply(Box::new(Applied {
                    at: Location {
                        at: at as u64,
                        len: row.get::<_, i64>(4)? as usize,
                    },
                    record: skeleton::record(skeleton::Row {
                        hash: hash.clone(),
                        source,
                        id,
                        digest: row.get(5)?,
                        modified: row.get(6)?,
                        ids: row.get(7)?,
                        vendor_status: row.get(8)?,
                        sha: row.get(9)?,
                    })
                    .map_err(corrupt)?,
                })),
            };
            visit(hash, event)?;
        }
        Ok(())
    }
}

impl Scratch {
    /// Keeps a final tombstone, to store after every canonical.
    pub fn tombstone(&self, deletion: &Deletion) -> Result<()> {
        let body = serde_json::to_vec(deletion).map_err(|e| corrupt(e.to_string()))?;
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
            visit(serde_json::from_slice(&body).map_err(|e| corrupt(e.to_string()))?)?;
        }
        Ok(())
    }
}

/// Scratch rows are written by this module: one that does not decode is a
/// scratch file changed under us.
pub(super) fn corrupt(detail: String) -> StoreError {
    StoreError::Corrupt {
        what: "ingest scratch row",
        detail,
    }
}
