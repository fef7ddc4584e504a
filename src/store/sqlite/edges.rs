//! Writes of a canonical's edge set.
//!
//! Replacing a set changes rows in place where the key (merge hash, source,
//! source advisory id) stays: the key and source indexes are then left
//! alone, which matters most right after a bulk load, whose freshly built
//! index pages are full and would split on every re-insert. Only keys that
//! leave the set are deleted and only new keys inserted.
//!
//! Invariant: an edge set that names one key twice fails on the key (a
//! UNIQUE error), whether or not the key was stored before.

use rusqlite::{Connection, params};

use crate::model::SourceEdge;
use crate::store::Result;

const INSERT: &str = "INSERT INTO edges (merge_hash, source, source_advisory_id, id, \
     canonical_id, vendor_status, source_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
const UPDATE: &str = "UPDATE edges SET id = ?4, canonical_id = ?5, vendor_status = ?6, \
     source_sha256 = ?7 WHERE merge_hash = ?1 AND source = ?2 AND source_advisory_id = ?3";
/// See `canonical::EDGES_OF` for the cast.
const KEYS_OF: &str =
    "SELECT source, source_advisory_id FROM edges WHERE merge_hash = CAST(?1 AS TEXT)";
const DELETE: &str =
    "DELETE FROM edges WHERE merge_hash = ?1 AND source = ?2 AND source_advisory_id = ?3";

/// Inserts `edges` for a merge hash that has none.
pub fn insert(conn: &Connection, merge_hash: &str, edges: &[SourceEdge]) -> Result<()> {
    edges
        .iter()
        .try_for_each(|e| write(conn, INSERT, merge_hash, e))
}

/// Makes `edges` the merge hash's whole edge set.
pub fn replace(conn: &Connection, merge_hash: &str, edges: &[SourceEdge]) -> Result<()> {
    let stored = conn
        .prepare_cached(KEYS_OF)?
        .query_map([merge_hash], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<Vec<(String, String)>>>()?;
    let kept = |source: &str, advisory: &str| {
        edges
            .iter()
            .any(|e| e.source == source && e.source_advisory_id == advisory)
    };
    let mut delete = conn.prepare_cached(DELETE)?;
    for (source, advisory) in stored.iter().filter(|(s, a)| !kept(s, a)) {
        delete.execute([merge_hash, source, advisory])?;
    }
    for (i, e) in edges.iter().enumerate() {
        let key =
            |o: &SourceEdge| o.source == e.source && o.source_advisory_id == e.source_advisory_id;
        let was_stored = stored
            .iter()
            .any(|(s, a)| *s == e.source && *a == e.source_advisory_id);
        // A key named a second time is inserted, and fails on the key.
        let repeated = edges[..i].iter().any(key);
        let sql = if was_stored && !repeated {
            UPDATE
        } else {
            INSERT
        };
        write(conn, sql, merge_hash, e)?;
    }
    Ok(())
}

/// Deletes the merge hash's whole edge set.
pub fn remove_all(conn: &Connection, merge_hash: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM edges WHERE merge_hash = ?1")?
        .execute([merge_hash])?;
    Ok(())
}

fn write(conn: &Connection, sql: &str, merge_hash: &str, e: &SourceEdge) -> Result<()> {
    conn.prepare_cached(sql)?.execute(params![
        merge_hash,
        e.source,
        e.source_advisory_id,
        e.id.to_string(),
        e.canonical_id.to_string(),
        e.vendor_status,
        e.source_sha256,
    ])?;
    Ok(())
}
