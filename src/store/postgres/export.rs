//! Export: live canonicals and tombstones in change-feed order.
//!
//! Rows stream through a portal in pages of [`PAGE`] feed positions; each
//! page's canonicals, edges and tombstones are fetched with one `= ANY`
//! statement each, so memory is bounded by a page, not by the export. The
//! caller runs this in one REPEATABLE READ read-only transaction, so rows,
//! edges and feed positions all come from a single snapshot. `sizes` walks
//! the very same rows, so its entries line up one to one with `rows`.

use postgres::{Row, Transaction};

use super::canonical::{self, PAGE};
use super::codec::{self, col};
use super::conn::pg;
use super::feed;
use crate::cursor::Cursor;
use crate::store::{ExportRow, Result, StoreError, Visit};

const ROWS: &str = "\
    SELECT 0, c.change_seq, f.millis, c.merge_hash FROM canonicals c \
      LEFT JOIN feed f ON f.seq = c.change_seq WHERE c.change_seq > $1 AND c.change_seq <= $2 \
      AND ($3::text IS NULL OR c.via IS DISTINCT FROM $3::text) \
    UNION ALL \
    SELECT 1, t.change_seq, f.millis, t.merge_hash FROM tombstones t \
      LEFT JOIN feed f ON f.seq = t.change_seq WHERE t.change_seq > $1 AND t.change_seq <= $2 \
      AND ($3::text IS NULL OR t.via IS DISTINCT FROM $3::text) \
    ORDER BY 2";

const SIZES: &str = "\
    SELECT c.change_seq, f.millis, \
      1 + (SELECT count(*) FROM edges e WHERE e.merge_hash = c.merge_hash) FROM canonicals c \
      LEFT JOIN feed f ON f.seq = c.change_seq WHERE c.change_seq > $1 \
      AND ($2::text IS NULL OR c.via IS DISTINCT FROM $2::text) \
    UNION ALL \
    SELECT t.change_seq, f.millis, 1 FROM tombstones t \
      LEFT JOIN feed f ON f.seq = t.change_seq WHERE t.change_seq > $1 \
      AND ($2::text IS NULL OR t.via IS DISTINCT FROM $2::text) \
    ORDER BY 1";

/// The cursor of a row from columns `at` (seq) and `at + 1` (feed millis,
/// NULL when the feed row is missing).
fn row_cursor(row: &Row, at: usize) -> Result<Cursor> {
    let seq: i64 = col(row, at)?;
    let millis: Option<i64> = col(row, at + 1)?;
    let millis = millis.ok_or_else(|| StoreError::Corrupt {
        what: "feed",
        detail: format!("no feed row for change_seq `{seq}`"),
    })?;
    codec::feed_cursor(seq, millis)
}

fn since_param(since: Option<u64>) -> i64 {
    since.map_or(0, codec::int)
}

/// One page of (kind, cursor, merge hash) turned into export rows.
fn page(tx: &mut Transaction<'_>, rows: &[Row], visit: Visit<ExportRow>) -> Result<()> {
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: i32 = col(row, 0)?;
        keys.push((kind, row_cursor(row, 1)?, col::<String>(row, 3)?));
    }
    let (live, gone): (Vec<_>, Vec<_>) = keys.iter().partition(|(kind, _, _)| *kind == 0);
    let live: Vec<String> = live.into_iter().map(|k| k.2.clone()).collect();
    let gone: Vec<String> = gone.into_iter().map(|k| k.2.clone()).collect();
    let mut records = canonical::get_many(tx, &live)?;
    let mut tombstones = feed::tombstones(tx, &gone)?;
    for (kind, cursor, merge_hash) in keys {
        let vanished = || StoreError::Corrupt {
            what: "export",
            detail: format!("row `{merge_hash}` vanished during the export"),
        };
        let item = if kind == 0 {
            ExportRow::Canonical(cursor, records.remove(&merge_hash).ok_or_else(vanished)?)
        } else {
            ExportRow::Deletion(cursor, tombstones.remove(&merge_hash).ok_or_else(vanished)?)
        };
        visit(item)?;
    }
    Ok(())
}

pub fn rows(
    tx: &mut Transaction<'_>,
    since: Option<u64>,
    upto: u64,
    skip_via: Option<&str>,
    visit: Visit<ExportRow>,
) -> Result<()> {
    let portal = tx
        .bind(ROWS, &[&since_param(since), &codec::int(upto), &skip_via])
        .map_err(pg)?;
    loop {
        let rows = tx.query_portal(&portal, PAGE).map_err(pg)?;
        if rows.is_empty() {
            return Ok(());
        }
        page(tx, &rows, visit)?;
    }
}

pub fn sizes(
    tx: &mut Transaction<'_>,
    since: Option<u64>,
    skip_via: Option<&str>,
) -> Result<Vec<(Cursor, u64)>> {
    let rows = tx
        .query(SIZES, &[&since_param(since), &skip_via])
        .map_err(pg)?;
    rows.iter()
        .map(|row| {
            let cursor = row_cursor(row, 0)?;
            let items: i64 = col(row, 2)?;
            Ok((
                cursor,
                codec::count("export.items", &cursor.to_string(), items)?,
            ))
        })
        .collect()
}
