//! Canonical advisories and their source edges.
//!
//! Invariants:
//! - A canonical row and its edge rows are written together: `upsert`
//!   replaces the whole edge set, and edges cascade away with their canonical.
//!   Its export bytes (`lines`) are written with them, from the same record.
//! - Edges are keyed by their canonical's merge hash, so an edge row's
//!   `merge_hash` is always the canonical's.
//! - Edges always come back sorted by (source, source_advisory_id) in byte
//!   order, the order the model requires.

use rusqlite::{Connection, Row, params};

use super::{codec, edges, lines};
use crate::model::{CanonicalRecord, SourceEdge};
use crate::store::rows::{self, CANONICAL_COLUMNS};
use crate::store::{CanonicalFilter, Result, Visit};

/// Keyed lookups that also sort compare with `CAST(?n AS TEXT)`, not a bare
/// `?n`: SQLite (built with STAT4, as rusqlite bundles it) marks a bare
/// parameter that its ORDER BY analysis compares as plan-relevant, and then
/// re-prepares the statement on every new binding (measured: a fifth of an
/// export's time). The cast keeps the same index search. The columns are
/// `rows::EDGE_COLUMNS` (a test holds them equal).
pub(super) const EDGES_OF: &str = "SELECT merge_hash, source, source_advisory_id, id, \
     canonical_id, vendor_status, source_sha256 FROM edges \
     WHERE merge_hash = CAST(?1 AS TEXT) ORDER BY source, source_advisory_id";
pub(super) const SOURCE_RECORD: &str = "SELECT merge_hash, source_sha256 FROM edges \
     WHERE source = CAST(?1 AS TEXT) AND source_advisory_id = CAST(?2 AS TEXT) \
     ORDER BY merge_hash";

/// The canonical's edges, sorted (see the module invariants).
pub fn edges(conn: &Connection, merge_hash: &str) -> Result<Vec<SourceEdge>> {
    let mut stmt = conn.prepare_cached(EDGES_OF)?;
    let mut rows = stmt.query([merge_hash])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(rows::edge(row)?);
    }
    Ok(out)
}

/// A canonical read at column 0 of `row`, completed with its edges.
pub fn record_from_row(conn: &Connection, row: &Row<'_>) -> Result<CanonicalRecord> {
    let canonical = rows::canonical(row, 0)?;
    let edges = edges(conn, &canonical.merge_hash)?;
    Ok(CanonicalRecord { canonical, edges })
}

pub fn get(conn: &Connection, merge_hash: &str) -> Result<Option<CanonicalRecord>> {
    let sql = format!("SELECT {CANONICAL_COLUMNS} FROM canonicals WHERE merge_hash = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([merge_hash])?;
    match rows.next()? {
        Some(row) => Ok(Some(record_from_row(conn, row)?)),
        None => Ok(None),
    }
}

/// Matching canonicals in merge-hash order, streamed to `visit`.
pub fn list(
    conn: &Connection,
    filter: &CanonicalFilter,
    visit: Visit<CanonicalRecord>,
) -> Result<()> {
    // Only fixed fragments are spliced in; values are always bound.
    let cve = if filter.cve.is_some() {
        "cve = ?1 COLLATE NOCASE"
    } else {
        "?1 IS NULL"
    };
    let purl = if filter.purl.is_some() {
        "affects_key = ?2"
    } else {
        "?2 IS NULL"
    };
    let sql = format!(
        "SELECT {CANONICAL_COLUMNS} FROM canonicals WHERE {cve} AND {purl} \
         ORDER BY merge_hash LIMIT ?3"
    );
    let limit = filter
        .limit
        .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![filter.cve, filter.purl, limit])?;
    while let Some(row) = rows.next()? {
        visit(record_from_row(conn, row)?)?;
    }
    Ok(())
}

/// The canonical row's insert; [`UPSERT`] replaces an existing row instead.
macro_rules! insert_canonical {
    () => {
        "INSERT INTO canonicals (merge_hash, id, cve, affects_key, status, severity, title, \
         summary, cvss_vector, version_range, weaknesses, patch_lineage, published, modified, \
         change_seq, history, via) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
    };
}
const INSERT: &str = insert_canonical!();
const UPSERT: &str = concat!(
    insert_canonical!(),
    " ON CONFLICT (merge_hash) DO UPDATE SET id = excluded.id, cve = excluded.cve, \
     affects_key = excluded.affects_key, status = excluded.status, \
     severity = excluded.severity, title = excluded.title, summary = excluded.summary, \
     cvss_vector = excluded.cvss_vector, version_range = excluded.version_range, \
     weaknesses = excluded.weaknesses, patch_lineage = excluded.patch_lineage, \
     published = excluded.published, modified = excluded.modified, \
     change_seq = excluded.change_seq, history = excluded.history, via = excluded.via"
);

/// [`UPSERT`]'s update where the row's identity (id, CVE, affects key)
/// stays as stored, the usual case: it sets only the other columns, so the
/// indexes on those three are left alone. SQLite rewrites an index entry
/// whenever its column is assigned, even to the same value (measured: a
/// fifth of a delta import's canonical writes).
const UPDATE_IN_PLACE: &str = "UPDATE canonicals SET status = ?5, severity = ?6, title = ?7, \
     summary = ?8, cvss_vector = ?9, version_range = ?10, weaknesses = ?11, \
     patch_lineage = ?12, published = ?13, modified = ?14, change_seq = ?15, history = ?16, \
     via = ?17 WHERE merge_hash = ?1 AND id = ?2 AND cve = ?3 AND affects_key = ?4";

/// What [`upsert`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upsert {
    /// A row with the same merge hash, id, CVE and affects key: changed in place.
    InPlace,
    /// No such row: inserted, or one with the same merge hash replaced.
    Inserted,
}

/// Creates or replaces the canonical and its whole edge set at `change_seq`.
/// `via` is the peer it came from unchanged, if any.
pub fn upsert(conn: &Connection, record: &CanonicalRecord, at: At<'_>) -> Result<Upsert> {
    lines::put(conn, record, at.0)?;
    let found = match write_row(conn, UPDATE_IN_PLACE, record, at)? {
        0 => {
            write_row(conn, UPSERT, record, at)?;
            Upsert::Inserted
        }
        _ => Upsert::InPlace,
    };
    edges::replace(conn, &record.canonical.merge_hash, &record.edges)?;
    Ok(found)
}

/// [`upsert`] in a bulk load, where the merge hash is new: a plain insert,
/// with no edge set to replace. The keys are set aside (`bulk`), so a merge
/// hash put twice is caught when they are rebuilt, not here.
pub fn insert_new(conn: &Connection, record: &CanonicalRecord, at: At<'_>) -> Result<()> {
    write_row(conn, INSERT, record, at)?;
    edges::insert(conn, &record.canonical.merge_hash, &record.edges)?;
    lines::insert(conn, record, at.0)
}

/// Where a write lands: its `change_seq`, and the peer it came from
/// unchanged (`via`), if any.
#[derive(Clone, Copy, Debug)]
pub struct At<'a>(pub i64, pub Option<&'a str>);

/// Runs `sql` ([`INSERT`], [`UPSERT`] or [`UPDATE_IN_PLACE`]) for the
/// record's canonical row: the rows it changed.
fn write_row(conn: &Connection, sql: &str, record: &CanonicalRecord, at: At<'_>) -> Result<usize> {
    let c = &record.canonical;
    let key = c.merge_hash.as_str();
    conn.prepare_cached(sql)?
        .execute(params![
            key,
            c.id.to_string(),
            c.cve,
            c.affects_key,
            c.status.as_str(),
            c.severity.as_str(),
            c.title,
            c.summary,
            c.cvss_vector,
            codec::to_json("canonicals.version_range", key, &c.version_range)?,
            codec::to_json("canonicals.weaknesses", key, &c.weaknesses)?,
            codec::to_json("canonicals.patch_lineage", key, &c.patch_lineage)?,
            c.published,
            c.modified,
            at.0,
            codec::opt_to_json("canonicals.history", key, c.history.as_ref())?,
            at.1,
        ])
        .map_err(Into::into)
}

/// Removes the canonical and its edges. True when it existed. The edges go
/// by name, not by the foreign key's cascade: a bulk load runs with
/// foreign-key enforcement off (`bulk`).
pub fn remove(conn: &Connection, merge_hash: &str) -> Result<bool> {
    lines::remove(conn, merge_hash)?;
    edges::remove_all(conn, merge_hash)?;
    let mut stmt = conn.prepare_cached("DELETE FROM canonicals WHERE merge_hash = ?1")?;
    Ok(stmt.execute([merge_hash])? > 0)
}

/// (merge_hash, source_sha256) of every edge to one source record.
pub fn source_record(conn: &Connection, source: &str, id: &str) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(SOURCE_RECORD)?;
    let rows = stmt.query_map([source, id], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every distinct (source, source_advisory_id) that has an edge, sorted.
pub fn source_records(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT source, source_advisory_id FROM edges ORDER BY source, source_advisory_id",
    )?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
