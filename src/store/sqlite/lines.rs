//! The export bytes of each live canonical (`codec::export_lines`), in the
//! table `export_lines`, keyed by the canonical's `change_seq`: an export
//! reads them in key order with no decoding (`export::lines`).
//!
//! Invariant: `export_lines` holds exactly one row per canonical, at its
//! `change_seq`, made from the record last written. Every write of a
//! canonical goes through `canonical` (upsert, bulk insert, remove), which
//! calls [`put`], [`insert`] or [`remove`] first, while the row still holds
//! its old `change_seq`; the migration that made the table filled it for
//! the rows already stored ([`fill`]). An export refuses a canonical whose
//! bytes are missing or are not NDJSON lines ([`check`]).

use rusqlite::{Connection, params};

use super::canonical;
use super::codec;
use crate::model::CanonicalRecord;
use crate::store::rows;
use crate::store::{Result, StoreError};

const INSERT: &str = "INSERT INTO export_lines (seq, line, edge_lines) VALUES (?1, ?2, ?3)";
/// The bytes of the canonical's current feed position, about to change.
const REMOVE: &str = "DELETE FROM export_lines \
     WHERE seq = (SELECT change_seq FROM canonicals WHERE merge_hash = ?1)";

/// Rows read per step of [`fill`], so its memory does not grow with the store.
const STEP: i64 = 512;

/// The bytes of a canonical that is new (a bulk load's), at `seq`.
pub fn insert(conn: &Connection, record: &CanonicalRecord, seq: i64) -> Result<()> {
    let (line, edge_lines) = codec::export_lines(&record.canonical.merge_hash, record)?;
    conn.prepare_cached(INSERT)?
        .execute(params![seq, line, edge_lines])?;
    Ok(())
}

/// The bytes of a canonical about to be written at `seq`, in place of any
/// it had: call before its row changes.
pub fn put(conn: &Connection, record: &CanonicalRecord, seq: i64) -> Result<()> {
    remove(conn, &record.canonical.merge_hash)?;
    insert(conn, record, seq)
}

/// Drops the bytes of a canonical about to be removed or moved.
pub fn remove(conn: &Connection, merge_hash: &str) -> Result<()> {
    conn.prepare_cached(REMOVE)?.execute([merge_hash])?;
    Ok(())
}

/// The canonical columns as migration 6 knew them (no `history` yet, read
/// as NULL): this step runs at that version, whatever the code knows now.
const COLUMNS_AT_6: &str = "merge_hash, id, cve, affects_key, status, severity, title, \
     summary, cvss_vector, version_range, weaknesses, patch_lineage, published, modified, NULL";

/// Writes the bytes of every canonical stored, from its columns and edges.
pub fn fill(conn: &Connection) -> Result<()> {
    let select = format!(
        "SELECT rowid, change_seq, {COLUMNS_AT_6} FROM canonicals \
         WHERE rowid > ?1 ORDER BY rowid LIMIT ?2"
    );
    let mut after = 0i64;
    loop {
        let mut records = Vec::new();
        let mut stmt = conn.prepare_cached(&select)?;
        let mut rows = stmt.query(params![after, STEP])?;
        while let Some(row) = rows.next()? {
            after = row.get(0)?;
            let canonical = rows::canonical(row, 2)?;
            let edges = canonical::edges(conn, &canonical.merge_hash)?;
            records.push((row.get(1)?, CanonicalRecord { canonical, edges }));
        }
        if records.is_empty() {
            return Ok(());
        }
        for (seq, record) in &records {
            insert(conn, record, *seq)?;
        }
    }
}

/// Checks a canonical's stored bytes: one line, then zero or more lines,
/// each ending in `\n`. The number of edge lines.
pub fn check(seq: i64, line: Option<&[u8]>, edges: Option<&[u8]>) -> Result<u64> {
    let corrupt = |detail: &str| StoreError::Corrupt {
        what: "export_lines",
        detail: format!("change_seq `{seq}`: {detail}"),
    };
    let (Some(line), Some(edges)) = (line, edges) else {
        return Err(corrupt("no export bytes stored"));
    };
    if memchr::memchr(b'\n', line) != Some(line.len().wrapping_sub(1)) {
        return Err(corrupt("the stored line is not one NDJSON line"));
    }
    if edges.last().is_some_and(|&b| b != b'\n') {
        return Err(corrupt("the stored edge lines do not end in a newline"));
    }
    Ok(memchr::memchr_iter(b'\n', edges).count() as u64)
}
