//! Export: live canonicals and tombstones in change-feed order.
//!
//! Rows stream straight from one ordered query (plus a keyed lookup per
//! row), so an export never holds the whole store in memory. Callers run
//! these inside one read transaction so that the rows, their edges and
//! their feed positions come from a single snapshot. `export_sizes` walks
//! the very same rows, so its entries line up one to one with `export_rows`.

use rusqlite::{Connection, Row};

use super::{canonical, codec, feed};
use crate::cursor::Cursor;
use crate::store::{ExportRow, Result, StoreError, Visit};

const ROWS: &str = "\
    SELECT 0, c.change_seq, f.millis, c.merge_hash FROM canonicals c \
      LEFT JOIN feed f ON f.seq = c.change_seq WHERE c.change_seq > ?1 AND c.change_seq <= ?2 \
    UNION ALL \
    SELECT 1, t.change_seq, f.millis, t.merge_hash FROM tombstones t \
      LEFT JOIN feed f ON f.seq = t.change_seq WHERE t.change_seq > ?1 AND t.change_seq <= ?2 \
    ORDER BY 2";

const SIZES: &str = "\
    SELECT c.change_seq, f.millis, \
      1 + (SELECT count(*) FROM edges e WHERE e.merge_hash = c.merge_hash) FROM canonicals c \
      LEFT JOIN feed f ON f.seq = c.change_seq WHERE c.change_seq > ?1 \
    UNION ALL \
    SELECT t.change_seq, f.millis, 1 FROM tombstones t \
      LEFT JOIN feed f ON f.seq = t.change_seq WHERE t.change_seq > ?1 \
    ORDER BY 1";

/// The cursor of a row's `change_seq`, from columns `at` (seq) and `at + 1`
/// (the joined feed millis, NULL when the feed row is missing).
fn row_cursor(row: &Row<'_>, at: usize) -> Result<Cursor> {
    let seq: i64 = row.get(at)?;
    let key = seq.to_string();
    let millis: Option<i64> = row.get(at + 1)?;
    let millis = millis.ok_or_else(|| StoreError::Corrupt {
        what: "feed",
        detail: format!("no feed row for change_seq `{seq}`"),
    })?;
    Ok(Cursor::new(millis, codec::count("feed.seq", &key, seq)?))
}

fn since_param(since: Option<u64>) -> i64 {
    since.map_or(0, codec::int)
}

pub fn rows(
    conn: &Connection,
    since: Option<u64>,
    upto: u64,
    visit: Visit<ExportRow>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(ROWS)?;
    let mut rows = stmt.query([since_param(since), codec::int(upto)])?;
    while let Some(row) = rows.next()? {
        let kind: i64 = row.get(0)?;
        let cursor = row_cursor(row, 1)?;
        let merge_hash: String = row.get(3)?;
        let vanished = || StoreError::Corrupt {
            what: "export",
            detail: format!("row `{merge_hash}` vanished during the export"),
        };
        let item = if kind == 0 {
            let record = canonical::get(conn, &merge_hash)?.ok_or_else(vanished)?;
            ExportRow::Canonical(cursor, record)
        } else {
            let deletion = feed::tombstone(conn, &merge_hash)?.ok_or_else(vanished)?;
            ExportRow::Deletion(cursor, deletion)
        };
        visit(item)?;
    }
    Ok(())
}

pub fn sizes(conn: &Connection, since: Option<u64>) -> Result<Vec<(Cursor, u64)>> {
    let mut stmt = conn.prepare_cached(SIZES)?;
    let mut rows = stmt.query([since_param(since)])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let cursor = row_cursor(row, 0)?;
        let items: i64 = row.get(2)?;
        out.push((
            cursor,
            codec::count("export.items", &cursor.to_string(), items)?,
        ));
    }
    Ok(out)
}
