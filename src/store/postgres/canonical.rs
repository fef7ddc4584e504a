//! Canonical advisories and their source edges: reads.
//!
//! Invariants:
//! - Edges always come back sorted by (source, source_advisory_id) in byte
//!   order (the columns are `COLLATE "C"`), the order the model requires.
//! - Reads of many canonicals cost two statements whatever their number
//!   (`= ANY($1)` for the canonicals, then for their edges); listings stream
//!   through a portal in pages of [`PAGE`] rows, so memory stays bounded.

use std::collections::HashMap;

use postgres::{Row, Transaction};

use super::codec::col;
use super::conn::pg;
use crate::model::{CanonicalRecord, SourceEdge};
use crate::store::rows::{self, CANONICAL_COLUMNS, EDGE_COLUMNS};
use crate::store::{CanonicalFilter, Result, Visit};

/// Rows fetched per portal round trip.
pub const PAGE: i32 = 1000;

/// The edges of these canonicals, grouped by merge hash, each group sorted.
fn edges_of(
    tx: &mut Transaction<'_>,
    hashes: &[String],
) -> Result<HashMap<String, Vec<SourceEdge>>> {
    let sql = format!(
        "SELECT {EDGE_COLUMNS} FROM edges WHERE merge_hash = ANY($1) \
         ORDER BY merge_hash, source, source_advisory_id"
    );
    let rows = tx.query(&sql, &[&hashes]).map_err(pg)?;
    let mut out: HashMap<String, Vec<SourceEdge>> = HashMap::new();
    for row in &rows {
        let edge = rows::edge(row)?;
        out.entry(edge.merge_hash.clone()).or_default().push(edge);
    }
    Ok(out)
}

/// Canonical rows completed with their edges, in the rows' order.
fn complete(tx: &mut Transaction<'_>, rows: &[Row]) -> Result<Vec<CanonicalRecord>> {
    let canonicals = rows
        .iter()
        .map(|row| rows::canonical(row, 0))
        .collect::<Result<Vec<_>>>()?;
    let hashes: Vec<String> = canonicals.iter().map(|c| c.merge_hash.clone()).collect();
    let mut edges = edges_of(tx, &hashes)?;
    Ok(canonicals
        .into_iter()
        .map(|canonical| CanonicalRecord {
            edges: edges.remove(&canonical.merge_hash).unwrap_or_default(),
            canonical,
        })
        .collect())
}

/// The stored canonicals among `hashes`, keyed by merge hash.
pub fn get_many(
    tx: &mut Transaction<'_>,
    hashes: &[String],
) -> Result<HashMap<String, CanonicalRecord>> {
    let sql = format!("SELECT {CANONICAL_COLUMNS} FROM canonicals WHERE merge_hash = ANY($1)");
    let rows = tx.query(&sql, &[&hashes]).map_err(pg)?;
    Ok(complete(tx, &rows)?
        .into_iter()
        .map(|r| (r.canonical.merge_hash.clone(), r))
        .collect())
}

pub fn get(tx: &mut Transaction<'_>, merge_hash: &str) -> Result<Option<CanonicalRecord>> {
    Ok(get_many(tx, &[merge_hash.to_owned()])?.remove(merge_hash))
}

/// Matching canonicals in merge-hash order, streamed page by page.
pub fn list(
    tx: &mut Transaction<'_>,
    filter: &CanonicalFilter,
    visit: Visit<CanonicalRecord>,
) -> Result<()> {
    let sql = format!(
        "SELECT {CANONICAL_COLUMNS} FROM canonicals \
         WHERE ($1::text IS NULL OR lower(cve) = lower($1)) \
         AND ($2::text IS NULL OR affects_key = $2) ORDER BY merge_hash LIMIT $3"
    );
    let limit = filter.limit.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let portal = tx
        .bind(&sql, &[&filter.cve, &filter.purl, &limit])
        .map_err(pg)?;
    loop {
        let rows = tx.query_portal(&portal, PAGE).map_err(pg)?;
        if rows.is_empty() {
            return Ok(());
        }
        for record in complete(tx, &rows)? {
            visit(record)?;
        }
    }
}

/// (merge_hash, source_sha256) of every edge to one source record.
pub fn source_record(
    tx: &mut Transaction<'_>,
    source: &str,
    id: &str,
) -> Result<Vec<(String, String)>> {
    let rows = tx
        .query(
            "SELECT merge_hash, source_sha256 FROM edges \
             WHERE source = $1 AND source_advisory_id = $2 ORDER BY merge_hash",
            &[&source, &id],
        )
        .map_err(pg)?;
    rows.iter().map(|r| Ok((col(r, 0)?, col(r, 1)?))).collect()
}

/// Every distinct (source, source_advisory_id) that has an edge, sorted.
pub fn source_records(tx: &mut Transaction<'_>) -> Result<Vec<(String, String)>> {
    let rows = tx
        .query(
            "SELECT DISTINCT source, source_advisory_id FROM edges \
             ORDER BY source, source_advisory_id",
            &[],
        )
        .map_err(pg)?;
    rows.iter().map(|r| Ok((col(r, 0)?, col(r, 1)?))).collect()
}
