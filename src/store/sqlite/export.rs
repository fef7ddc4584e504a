//! Export: live canonicals and tombstones in change-feed order.
//!
//! Rows stream straight from one ordered query that carries every column
//! (plus one keyed lookup of a canonical's edges), so an export never holds
//! the whole store in memory; `lines` reads each canonical's export bytes
//! instead (`lines.rs`), in key order and with nothing to decode. Callers run
//! these inside one read transaction so that the rows, their edges and
//! their feed positions come from a single snapshot. `export_sizes` walks
//! the very same rows, so its entries line up one to one with `export_rows`.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};

use super::{canonical, codec};
use crate::cursor::Cursor;
use crate::model::{CanonicalRecord, Deletion};
use crate::store::rows;
use crate::store::{ExportLines, ExportRow, Result, StoreError, Visit};

/// Canonicals carry their columns (from offset 3, as
/// [`rows::canonical`] reads them); tombstones theirs, padded.
const ROWS: &str = "\
    SELECT 0, c.change_seq, f.millis, c.merge_hash, c.id, c.cve, c.affects_key, c.status, \
      c.severity, c.title, c.summary, c.cvss_vector, c.version_range, c.weaknesses, \
      c.patch_lineage, c.published, c.modified, c.history FROM canonicals c \
      LEFT JOIN feed f ON f.seq = c.change_seq WHERE c.change_seq > ?1 AND c.change_seq <= ?2 \
      AND (?3 IS NULL OR c.via IS NOT CAST(?3 AS TEXT)) \
    UNION ALL \
    SELECT 1, t.change_seq, f.millis, t.merge_hash, t.canonical_id, t.deleted_at, t.reason, \
      t.history, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM tombstones t \
      LEFT JOIN feed f ON f.seq = t.change_seq WHERE t.change_seq > ?1 AND t.change_seq <= ?2 \
      AND (?3 IS NULL OR t.via IS NOT CAST(?3 AS TEXT)) \
    ORDER BY 2";

/// [`ROWS`] with each canonical's stored export bytes instead of its
/// columns: an index-only walk of the canonicals' feed positions, each
/// joined to its bytes by key (in key order, so both are read in order).
const LINES: &str = "\
    SELECT 0, c.change_seq, f.millis, l.line, l.edge_lines, NULL, NULL, NULL FROM canonicals c \
      LEFT JOIN export_lines l ON l.seq = c.change_seq \
      LEFT JOIN feed f ON f.seq = c.change_seq WHERE c.change_seq > ?1 AND c.change_seq <= ?2 \
      AND (?3 IS NULL OR c.via IS NOT CAST(?3 AS TEXT)) \
    UNION ALL \
    SELECT 1, t.change_seq, f.millis, t.merge_hash, t.canonical_id, t.deleted_at, t.reason, \
      t.history FROM tombstones t \
      LEFT JOIN feed f ON f.seq = t.change_seq WHERE t.change_seq > ?1 AND t.change_seq <= ?2 \
      AND (?3 IS NULL OR t.via IS NOT CAST(?3 AS TEXT)) \
    ORDER BY 2";

const SIZES: &str = "\
    SELECT c.change_seq, f.millis, \
      1 + (SELECT count(*) FROM edges e WHERE e.merge_hash = c.merge_hash) FROM canonicals c \
      LEFT JOIN feed f ON f.seq = c.change_seq WHERE c.change_seq > ?1 \
      AND (?2 IS NULL OR c.via IS NOT CAST(?2 AS TEXT)) \
    UNION ALL \
    SELECT t.change_seq, f.millis, 1 FROM tombstones t \
      LEFT JOIN feed f ON f.seq = t.change_seq WHERE t.change_seq > ?1 \
      AND (?2 IS NULL OR t.via IS NOT CAST(?2 AS TEXT)) \
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

/// `sql` and its parameters: with the `via` filter (parameter `at`) only
/// when there is a peer to skip. The filter reads each row's `via`, which
/// would turn the index-only walk of a plain export into a walk of the
/// whole table (measured: a full export 1.1 → 1.6 times its baseline).
fn statement(
    sql: &'static str,
    at: usize,
    mut params: Vec<rusqlite::types::Value>,
    skip_via: Option<&str>,
) -> (std::borrow::Cow<'static, str>, Vec<rusqlite::types::Value>) {
    match skip_via {
        Some(via) => {
            params.push(via.to_owned().into());
            (sql.into(), params)
        }
        None => {
            let mut text = sql.to_owned();
            for table in ["c", "t"] {
                let filter =
                    format!("AND (?{at} IS NULL OR {table}.via IS NOT CAST(?{at} AS TEXT)) ");
                text = text.replace(&filter, "");
            }
            (text.into(), params)
        }
    }
}

pub fn rows(
    conn: &Connection,
    since: Option<u64>,
    upto: u64,
    skip_via: Option<&str>,
    visit: Visit<ExportRow>,
) -> Result<()> {
    let bounds = vec![since_param(since).into(), codec::int(upto).into()];
    let (sql, values) = statement(ROWS, 3, bounds, skip_via);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        let kind: i64 = row.get(0)?;
        let cursor = row_cursor(row, 1)?;
        let item = if kind == 0 {
            let canonical = rows::canonical(row, 3)?;
            let edges = canonical::edges(conn, &canonical.merge_hash)?;
            ExportRow::Canonical(cursor, CanonicalRecord { canonical, edges })
        } else {
            ExportRow::Deletion(cursor, tombstone_from_row(row, 3)?)
        };
        visit(item)?;
    }
    Ok(())
}

/// The page cache, in KiB, while an export walks or counts the store: it
/// reads each page once and in order, so the connection's large cache
/// would only fill with pages it never reads again (13 MiB of an export's
/// peak RSS at 1M for the walk; the count of a full export, which scans
/// the edges' smallest index, filled all 32 MiB of it at 5M).
const WALK_CACHE_KIB: i64 = 2 * 1024;

/// `read` run with the walk's small page cache, the connection's put back
/// after it, whether it succeeds or fails.
fn with_walk_cache<T>(conn: &Connection, read: impl FnOnce() -> Result<T>) -> Result<T> {
    let cache: i64 = conn.pragma_query_value(None, "cache_size", |row| row.get(0))?;
    conn.pragma_update(None, "cache_size", -WALK_CACHE_KIB)?;
    let read = read();
    let restored = conn.pragma_update(None, "cache_size", cache);
    let read = read?;
    restored?;
    Ok(read)
}

pub fn lines(
    conn: &Connection,
    since: Option<u64>,
    upto: u64,
    skip_via: Option<&str>,
    visit: &mut dyn FnMut(ExportLines<'_>) -> std::io::Result<()>,
) -> Result<()> {
    with_walk_cache(conn, || walk_lines(conn, since, upto, skip_via, visit))
}

fn walk_lines(
    conn: &Connection,
    since: Option<u64>,
    upto: u64,
    skip_via: Option<&str>,
    visit: &mut dyn FnMut(ExportLines<'_>) -> std::io::Result<()>,
) -> Result<()> {
    let bounds = vec![since_param(since).into(), codec::int(upto).into()];
    let (sql, values) = statement(LINES, 3, bounds, skip_via);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
    while let Some(row) = rows.next()? {
        let kind: i64 = row.get(0)?;
        let cursor = row_cursor(row, 1)?;
        if kind == 0 {
            let (line, edges) = (text_bytes(row, 3)?, text_bytes(row, 4)?);
            let edge_count = super::lines::check(row.get(1)?, line, edges)?;
            visit(ExportLines::Canonical {
                cursor,
                line: line.unwrap_or_default(),
                edges: edges.unwrap_or_default(),
                edge_count,
            })?;
        } else {
            visit(ExportLines::Deletion(cursor, tombstone_from_row(row, 3)?))?;
        }
    }
    Ok(())
}

/// The bytes of a TEXT column (`None` for NULL), without copying them.
fn text_bytes<'r>(row: &'r Row<'_>, at: usize) -> Result<Option<&'r [u8]>> {
    match row.get_ref(at)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => Ok(Some(bytes)),
        other => Err(StoreError::Corrupt {
            what: "export_lines",
            detail: format!("column {at} holds {:?}, not text", other.data_type()),
        }),
    }
}

/// A tombstone's merge_hash, canonical_id, deleted_at, reason and history
/// from column `at`.
fn tombstone_from_row(row: &Row<'_>, at: usize) -> Result<Deletion> {
    let merge_hash: String = row.get(at)?;
    let id: String = row.get(at + 1)?;
    Ok(Deletion {
        canonical_id: codec::uuid("tombstones.canonical_id", &merge_hash, &id)?,
        deleted_at: row.get(at + 2)?,
        reason: row.get(at + 3)?,
        history: codec::opt_json("tombstones.history", &merge_hash, row.get(at + 4)?)?,
        merge_hash,
    })
}

pub fn sizes(
    conn: &Connection,
    since: Option<u64>,
    skip_via: Option<&str>,
) -> Result<Vec<(Cursor, u64)>> {
    let (sql, values) = statement(SIZES, 2, vec![since_param(since).into()], skip_via);
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
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

/// Counts rather than walks: a full export counts whole tables (every edge
/// belongs to a live canonical); a delta counts the edge lines of its own
/// rows' export bytes, which sit together at the end of `export_lines` and
/// are the very lines the export then reads (no probe of the edges for
/// each changed canonical).
const SUMMARY: &str = "\
    SELECT (SELECT count(*) FROM canonicals WHERE change_seq > ?1) \
      + CASE WHEN ?1 = 0 THEN (SELECT count(*) FROM edges) \
        ELSE (SELECT coalesce(sum(length(edge_lines) - length(replace(edge_lines, char(10), ''))), 0) \
              FROM export_lines WHERE seq > ?1) END \
      + (SELECT count(*) FROM tombstones WHERE change_seq > ?1), \
      (SELECT max(m) FROM (SELECT max(change_seq) AS m FROM canonicals \
        UNION ALL SELECT max(change_seq) FROM tombstones))";

pub fn summary(conn: &Connection, since: Option<u64>) -> Result<Option<(Cursor, u64)>> {
    let since = since_param(since);
    let (items, last): (i64, Option<i64>) = with_walk_cache(conn, || {
        let mut stmt = conn.prepare_cached(SUMMARY)?;
        Ok(stmt.query_row([since], |row| Ok((row.get(0)?, row.get(1)?)))?)
    })?;
    let Some(last) = last.filter(|&seq| seq > since) else {
        return Ok(None);
    };
    let key = last.to_string();
    let cursor =
        super::feed::cursor_at(conn, codec::count("feed.seq", &key, last)?)?.ok_or_else(|| {
            StoreError::Corrupt {
                what: "feed",
                detail: format!("no feed row for change_seq `{last}`"),
            }
        })?;
    Ok(Some((cursor, codec::count("export.items", &key, items)?)))
}

#[cfg(test)]
mod filter_tests {
    use super::*;

    /// The count and the walk read with the small cache, whether they
    /// succeed or fail, and the connection's comes back after them.
    #[test]
    fn counting_and_walking_read_with_the_walk_cache() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "cache_size", -32 * 1024).unwrap();
        let cache = || -> i64 {
            conn.pragma_query_value(None, "cache_size", |row| row.get(0))
                .unwrap()
        };
        assert_eq!(
            with_walk_cache(&conn, || Ok(cache())).unwrap(),
            -WALK_CACHE_KIB
        );
        assert_eq!(cache(), -32 * 1024);
        let failed: Result<()> = with_walk_cache(&conn, || {
            assert_eq!(cache(), -WALK_CACHE_KIB);
            Err(StoreError::UnknownSite("x".into()))
        });
        assert!(failed.is_err());
        assert_eq!(cache(), -32 * 1024);
    }

    #[test]
    fn a_plain_export_reads_no_via() {
        for (sql, at) in [(ROWS, 3), (LINES, 3), (SIZES, 2)] {
            let (plain, params) = statement(sql, at, Vec::new(), None);
            assert!(!plain.contains("via"), "{plain}");
            assert!(params.is_empty());
            let (filtered, params) = statement(sql, at, Vec::new(), Some("site-b"));
            assert_eq!(filtered.matches(".via IS NOT").count(), 2);
            assert_eq!(params.len(), 1);
        }
    }
}
