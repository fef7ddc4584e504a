//! The export bytes a canonical keeps beside its columns: filled for the
//! rows a store held before they existed, and refused when damaged.

use rusqlite::Connection;

use super::super::SqliteStore;
use super::{Harness, deletion, put, record};
use crate::store::{ExportLines, StoreError};

/// (seq, line, edge lines) of every canonical's export bytes, in key order.
fn stored(conn: &Connection) -> Vec<(i64, String, String)> {
    let mut stmt = conn
        .prepare("SELECT seq, line, edge_lines FROM export_lines ORDER BY seq")
        .unwrap();
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)));
    rows.unwrap().collect::<Result<_, _>>().unwrap()
}

/// A store with three canonicals (one with edges put out of order) and a
/// tombstone, taken back to schema version 5, before the export bytes.
fn version_5_store(dir: &std::path::Path) -> (std::path::PathBuf, Vec<(i64, String, String)>) {
    let path = dir.join("store.db");
    let mut store = SqliteStore::open(&path).unwrap();
    put(&mut store, &record(3, &[("nvd", "CVE-3"), ("go", "GO-3")]));
    put(&mut store, &record(1, &[]));
    put(&mut store, &record(2, &[("ghsa", "GHSA-2")]));
    crate::store::tests::delete(&mut store, &deletion(1, "pruned"));
    let lines = stored(&store.conn);
    store
        .conn
        .execute_batch(
            "DROP TABLE export_lines; DROP TABLE sent; \
             ALTER TABLE canonicals DROP COLUMN history; ALTER TABLE canonicals DROP COLUMN via; \
             ALTER TABLE tombstones DROP COLUMN history; ALTER TABLE tombstones DROP COLUMN via; \
             ALTER TABLE ledger DROP COLUMN canonical_stale; \
             ALTER TABLE ledger DROP COLUMN canonical_echo; \
             ALTER TABLE ledger DROP COLUMN deletions_refused; \
             ALTER TABLE sites DROP COLUMN on_conflict; ALTER TABLE sites DROP COLUMN removed_at; \
             ALTER TABLE events RENAME COLUMN site_id TO source_site_id; PRAGMA user_version = 5;",
        )
        .unwrap();
    (path, lines)
}

#[test]
fn the_migration_fills_the_export_bytes_of_stored_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (path, before) = version_5_store(dir.path());
    let seqs: Vec<i64> = before.iter().map(|row| row.0).collect();
    assert_eq!(seqs, [1, 3]);
    assert_eq!(before[0].2.matches('\n').count(), 2);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(stored(&store.conn), before);
}

#[test]
fn a_store_whose_rows_do_not_decode_is_left_at_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = version_5_store(dir.path());
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE canonicals SET status = 'lost' WHERE change_seq = 1",
        [],
    )
    .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).map(|_| ()).unwrap_err();
    assert!(
        matches!(
            &err,
            StoreError::Corrupt {
                what: "canonicals.status",
                ..
            }
        ),
        "{err}"
    );
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, 5);
    assert!(conn.prepare("SELECT line FROM export_lines").is_err());
}

#[test]
fn an_export_refuses_missing_or_broken_bytes() {
    let prefix = "stored row is corrupt (export_lines): change_seq `1`: ";
    for (damage, detail) in [
        ("", ""),
        ("seq = 2", "no export bytes stored"),
        (
            "line = line || line",
            "the stored line is not one NDJSON line",
        ),
        (
            "line = rtrim(line, char(10))",
            "the stored line is not one NDJSON line",
        ),
        ("line = ''", "the stored line is not one NDJSON line"),
        (
            "edge_lines = rtrim(edge_lines, char(10))",
            "the stored edge lines do not end in a newline",
        ),
    ] {
        let mut h = Harness::sqlite();
        put(
            &mut *h.store,
            &record(7, &[("osv", "OSV-7"), ("ghsa", "GHSA-7")]),
        );
        if !damage.is_empty() {
            h.raw.exec(&format!("UPDATE export_lines SET {damage}"));
        }
        let mut edges = Vec::new();
        let read = h.store.export_lines(None, u64::MAX, &mut |row| {
            if let ExportLines::Canonical { edge_count, .. } = row {
                edges.push(edge_count);
            }
            Ok(())
        });
        match read {
            Ok(()) => assert_eq!((damage, edges), ("", vec![2])),
            Err(e) => assert_eq!(e.to_string(), format!("{prefix}{detail}"), "{damage}"),
        }
    }
}

/// Whatever the writes (a bulk load, updates that move a canonical in the
/// feed, deletions, a canonical put back), the bytes are one row per live
/// canonical, at its feed position, and nothing else.
#[test]
fn there_is_one_row_of_bytes_per_live_canonical() {
    use crate::store::tests::delete;

    let mut h = Harness::sqlite();
    let store = &mut *h.store;
    let mut txn = store.begin().unwrap();
    assert!(txn.bulk_load().unwrap());
    for n in 1..=3 {
        txn.put(&record(n, &[("osv", "OSV-1")])).unwrap();
    }
    txn.commit().unwrap();
    put(store, &record(1, &[("osv", "OSV-1"), ("ghsa", "GHSA-1")]));
    delete(store, &deletion(2, "pruned"));
    put(store, &record(2, &[]));
    delete(store, &deletion(3, "pruned"));
    put(store, &record(4, &[]));
    let joined = "SELECT count(*) FROM export_lines l JOIN canonicals c ON c.change_seq = l.seq";
    assert_eq!(
        [
            h.count("canonicals"),
            h.count("export_lines"),
            h.raw.scalar(joined)
        ],
        [3, 3, 3]
    );
}

/// An export walks with a small page cache and puts the connection's back,
/// whether the walk succeeds or is refused.
#[test]
fn an_export_puts_the_page_cache_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("store.db")).unwrap();
    put(&mut store, &record(4, &[("osv", "OSV-4")]));
    let cache = |store: &SqliteStore| -> i64 {
        store
            .conn
            .pragma_query_value(None, "cache_size", |row| row.get(0))
            .unwrap()
    };
    let before = cache(&store);
    assert_eq!(before, -32 * 1024);
    let summary = crate::store::Store::export_summary(&store, None).unwrap();
    assert_eq!((summary.map(|s| s.1), cache(&store)), (Some(2), before));
    let mut rows = 0;
    let walked = crate::store::Store::export_lines(&store, None, u64::MAX, &mut |_| {
        rows += 1;
        Ok(())
    });
    assert_eq!((walked.is_ok(), rows, cache(&store)), (true, 1, before));
    store
        .conn
        .execute_batch("UPDATE export_lines SET line = ''")
        .unwrap();
    let refused = crate::store::Store::export_lines(&store, None, u64::MAX, &mut |_| Ok(()));
    assert!(refused.is_err());
    assert_eq!(cache(&store), before);
}
