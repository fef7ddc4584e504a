//! Writes of a canonical's edge set.
//!
//! Replacing a set changes rows in place where the key (merge hash, source,
//! source advisory id) stays: the key and source indexes are then left
//! alone, which matters most right after a bulk load, whose freshly built
//! index pages are full and would split on every re-insert. Only keys that
//! leave the set are deleted and only new keys inserted, and a kept edge
//! whose values are the same is not written at all (most updates of a
//! canonical leave its edges as they were).
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
const DELETE: &str =
    "DELETE FROM edges WHERE merge_hash = ?1 AND source = ?2 AND source_advisory_id = ?3";
/// See `canonical::EDGES_OF` for the cast.
const STORED: &str = "SELECT source, source_advisory_id, id, canonical_id, vendor_status, \
     source_sha256 FROM edges WHERE merge_hash = CAST(?1 AS TEXT)";

/// An edge as stored: the key and the values an update sets.
struct Stored {
    source: String,
    advisory: String,
    values: [String; 4],
}

impl Stored {
    fn is(&self, e: &SourceEdge) -> bool {
        self.source == e.source && self.advisory == e.source_advisory_id
    }

    fn same_values(&self, e: &SourceEdge) -> bool {
        let [id, canonical_id, vendor_status, source_sha256] = &self.values;
        *vendor_status == e.vendor_status
            && *source_sha256 == e.source_sha256
            && *id == e.id.to_string()
            && *canonical_id == e.canonical_id.to_string()
    }
}

/// Inserts `edges` for a merge hash that has none.
pub fn insert(conn: &Connection, merge_hash: &str, edges: &[SourceEdge]) -> Result<()> {
    edges
        .iter()
        .try_for_each(|e| write(conn, INSERT, merge_hash, e))
}

/// Makes `edges` the merge hash's whole edge set.
pub fn replace(conn: &Connection, merge_hash: &str, edges: &[SourceEdge]) -> Result<()> {
    let stored = conn
        .prepare_cached(STORED)?
        .query_map([merge_hash], |row| {
            Ok(Stored {
                source: row.get(0)?,
                advisory: row.get(1)?,
                values: [row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?],
            })
        })?
        .collect::<rusqlite::Result<Vec<Stored>>>()?;
    let mut delete = conn.prepare_cached(DELETE)?;
    for gone in stored.iter().filter(|s| !edges.iter().any(|e| s.is(e))) {
        delete.execute([merge_hash, &gone.source, &gone.advisory])?;
    }
    for (i, e) in edges.iter().enumerate() {
        // A key named a second time is inserted, and fails on the key.
        let repeated = edges[..i].iter().any(|o| o.same_key(e));
        let sql = match stored.iter().find(|s| s.is(e)) {
            Some(_) if repeated => INSERT,
            Some(s) if s.same_values(e) => continue,
            Some(_) => UPDATE,
            None => INSERT,
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
