//! Writes of canonicals, edges and tombstones: per row and in bulk.
//!
//! Invariants:
//! - A canonical row and its edge rows are written together: an upsert
//!   replaces the whole edge set; edges cascade away with their canonical.
//! - An edge row's `merge_hash` is always its canonical's.
//! - Bulk writes cost a fixed number of round trips whatever the batch
//!   size: binary COPY into session temp tables (`stage_*`, emptied at
//!   commit and after each use), then set-based statements in one batch.
//!   The caller passes at most one record per merge hash.

use std::collections::HashSet;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, Transaction};

use super::codec::{self, col};
use super::conn::pg;
use crate::model::{CanonicalRecord, Deletion};
use crate::store::Result;

/// Session temp tables for bulk writes; created once per connection.
pub const STAGES: &str = "\
    CREATE TEMP TABLE stage_canonicals (LIKE canonicals) ON COMMIT DELETE ROWS; \
    CREATE TEMP TABLE stage_edges (LIKE edges) ON COMMIT DELETE ROWS; \
    CREATE TEMP TABLE stage_tombstones (LIKE tombstones) ON COMMIT DELETE ROWS";

pub(super) const COLUMNS: &str = "merge_hash, id, cve, affects_key, status, severity, title, summary, \
     cvss_vector, version_range, weaknesses, patch_lineage, published, modified, change_seq, \
     history, via";
pub(super) const EDGE_COLUMNS: &str =
    "merge_hash, source, source_advisory_id, id, canonical_id, vendor_status, source_sha256";
const UPDATE_ALL: &str = "id = excluded.id, cve = excluded.cve, \
     affects_key = excluded.affects_key, status = excluded.status, \
     severity = excluded.severity, title = excluded.title, summary = excluded.summary, \
     cvss_vector = excluded.cvss_vector, version_range = excluded.version_range, \
     weaknesses = excluded.weaknesses, patch_lineage = excluded.patch_lineage, \
     published = excluded.published, modified = excluded.modified, \
     change_seq = excluded.change_seq, history = excluded.history, via = excluded.via";
const T: Type = Type::TEXT;
pub(super) const CANONICAL_TYPES: [Type; 17] = [
    T,
    Type::UUID,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    T,
    Type::INT8,
    T,
    T,
];
pub(super) const EDGE_TYPES: [Type; 7] = [T, T, T, Type::UUID, Type::UUID, T, T];

pub fn create_stages(client: &mut Client) -> Result<()> {
    client.batch_execute(STAGES).map_err(pg)
}

/// Writes one canonical row through `sink` (a statement or a COPY).
pub(super) fn with_canonical_values<R>(
    record: &CanonicalRecord,
    (change_seq, via): (i64, Option<&str>),
    sink: impl FnOnce(&[&(dyn ToSql + Sync)]) -> Result<R>,
) -> Result<R> {
    let c = &record.canonical;
    let key = c.merge_hash.as_str();
    let history = codec::opt_to_json("canonicals.history", key, c.history.as_ref())?;
    let ranges = codec::to_json("canonicals.version_range", key, &c.version_range)?;
    let weaknesses = codec::to_json("canonicals.weaknesses", key, &c.weaknesses)?;
    let lineage = codec::to_json("canonicals.patch_lineage", key, &c.patch_lineage)?;
    sink(&[
        &c.merge_hash,
        &c.id,
        &c.cve,
        &c.affects_key,
        &c.status.as_str(),
        &c.severity.as_str(),
        &c.title,
        &c.summary,
        &c.cvss_vector,
        &ranges,
        &weaknesses,
        &lineage,
        &c.published,
        &c.modified,
        &change_seq,
        &history,
        &via,
    ])
}

/// Writes each of the record's edge rows through `sink`, in [`EDGE_COLUMNS`] order.
pub(super) fn edge_rows(
    record: &CanonicalRecord,
    mut sink: impl FnMut(&[&(dyn ToSql + Sync)]) -> Result<()>,
) -> Result<()> {
    let key = &record.canonical.merge_hash;
    record.edges.iter().try_for_each(|e| {
        sink(&[
            key,
            &e.source,
            &e.source_advisory_id,
            &e.id,
            &e.canonical_id,
            &e.vendor_status,
            &e.source_sha256,
        ])
    })
}

/// Creates or replaces one canonical and its whole edge set.
pub fn upsert(
    tx: &mut Transaction<'_>,
    record: &CanonicalRecord,
    at: (i64, Option<&str>),
) -> Result<()> {
    let sql = format!(
        "INSERT INTO canonicals ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (merge_hash) DO UPDATE SET {UPDATE_ALL}"
    );
    with_canonical_values(record, at, |values| tx.execute(&sql, values).map_err(pg))?;
    let key = &record.canonical.merge_hash;
    tx.execute("DELETE FROM edges WHERE merge_hash = $1", &[key])
        .map_err(pg)?;
    let insert = format!("INSERT INTO edges ({EDGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    edge_rows(record, |values| {
        tx.execute(&insert, values).map(drop).map_err(pg)
    })
}

/// The bulk form of [`upsert`], which also clears the records' tombstones.
/// `via`: the peer the records came from unchanged, if any.
pub fn upsert_many(
    tx: &mut Transaction<'_>,
    records: &[(&CanonicalRecord, i64)],
    via: Option<&str>,
) -> Result<()> {
    let sql = format!("COPY pg_temp.stage_canonicals ({COLUMNS}) FROM STDIN BINARY");
    let mut w = BinaryCopyInWriter::new(tx.copy_in(&sql).map_err(pg)?, &CANONICAL_TYPES);
    for (record, seq) in records {
        with_canonical_values(record, (*seq, via), |values| w.write(values).map_err(pg))?;
    }
    w.finish().map_err(pg)?;
    let sql = format!("COPY pg_temp.stage_edges ({EDGE_COLUMNS}) FROM STDIN BINARY");
    let mut w = BinaryCopyInWriter::new(tx.copy_in(&sql).map_err(pg)?, &EDGE_TYPES);
    for (record, _) in records {
        edge_rows(record, |values| w.write(values).map_err(pg))?;
    }
    w.finish().map_err(pg)?;
    tx.batch_execute(&format!(
        "DELETE FROM tombstones t USING pg_temp.stage_canonicals s \
           WHERE t.merge_hash = s.merge_hash; \
         INSERT INTO canonicals ({COLUMNS}) SELECT {COLUMNS} FROM pg_temp.stage_canonicals \
           ON CONFLICT (merge_hash) DO UPDATE SET {UPDATE_ALL}; \
         DELETE FROM edges e USING pg_temp.stage_canonicals s WHERE e.merge_hash = s.merge_hash; \
         INSERT INTO edges ({EDGE_COLUMNS}) SELECT {EDGE_COLUMNS} FROM pg_temp.stage_edges; \
         TRUNCATE pg_temp.stage_canonicals, pg_temp.stage_edges"
    ))
    .map_err(pg)
}

/// Removes canonicals (their edges cascade); returns the hashes that existed.
pub fn remove_many(tx: &mut Transaction<'_>, hashes: &[String]) -> Result<HashSet<String>> {
    let rows = tx
        .query(
            "DELETE FROM canonicals WHERE merge_hash = ANY($1) RETURNING merge_hash",
            &[&hashes],
        )
        .map_err(pg)?;
    rows.iter().map(|r| col(r, 0)).collect()
}

/// Upserts tombstones (at most one per merge hash) with their change_seq.
pub fn put_tombstones(
    tx: &mut Transaction<'_>,
    rows: &[(&Deletion, i64)],
    via: Option<&str>,
) -> Result<()> {
    let sql = "COPY pg_temp.stage_tombstones (merge_hash, canonical_id, deleted_at, reason, \
               change_seq, history, via) FROM STDIN BINARY";
    let types = [T, Type::UUID, T, T, Type::INT8, T, T];
    let mut w = BinaryCopyInWriter::new(tx.copy_in(sql).map_err(pg)?, &types);
    for (d, seq) in rows {
        let history = codec::opt_to_json("tombstones.history", &d.merge_hash, d.history.as_ref())?;
        w.write(&[
            &d.merge_hash,
            &d.canonical_id,
            &d.deleted_at,
            &d.reason,
            seq,
            &history,
            &via,
        ])
        .map_err(pg)?;
    }
    w.finish().map_err(pg)?;
    tx.batch_execute(
        "INSERT INTO tombstones (merge_hash, canonical_id, deleted_at, reason, change_seq, \
           history, via) SELECT merge_hash, canonical_id, deleted_at, reason, change_seq, \
           history, via FROM pg_temp.stage_tombstones \
           ON CONFLICT (merge_hash) DO UPDATE SET canonical_id = excluded.canonical_id, \
           deleted_at = excluded.deleted_at, reason = excluded.reason, \
           change_seq = excluded.change_seq, history = excluded.history, via = excluded.via; \
         TRUNCATE pg_temp.stage_tombstones",
    )
    .map_err(pg)
}
