//! Damage that only the SQLite store can hold: its UUID columns are text,
//! so a bad UUID must come back as `Corrupt`, not a panic.

use super::Harness;
use crate::store::tests::canonical::assert_corrupt;

#[test]
fn corrupt_uuid_text_is_an_error_not_a_panic() {
    assert_corrupt(
        &mut Harness::sqlite(),
        &[
            ("UPDATE canonicals SET id = 'not-a-uuid'", "canonicals.id"),
            ("UPDATE edges SET canonical_id = 'x'", "edges.canonical_id"),
        ],
    );
}

/// Keyed lookups run once per row on export, import and ingest: a new
/// binding must not make SQLite compile them again.
#[test]
fn keyed_lookups_are_not_reprepared_per_binding() {
    use rusqlite::StatementStatus;

    use super::super::canonical::{EDGES_OF, SOURCE_RECORD, edges, source_record};

    let store = crate::store::sqlite::SqliteStore::open_in_memory().unwrap();
    for key in ["a", "b", "c"] {
        edges(&store.conn, key).unwrap();
        source_record(&store.conn, "osv", key).unwrap();
    }
    for sql in [EDGES_OF, SOURCE_RECORD] {
        let stmt = store.conn.prepare_cached(sql).unwrap();
        assert_eq!(stmt.get_status(StatementStatus::Run), 3, "{sql}");
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0, "{sql}");
    }
}

/// Replacing an edge set updates kept keys in place (same rowid, so the key
/// indexes are untouched) and only when a value changed, deletes dropped
/// keys, inserts new ones, and refuses a set that names one key twice,
/// stored before or not.
#[test]
fn an_edge_set_is_replaced_in_place() {
    use super::super::edges;
    use super::record;

    let store = crate::store::sqlite::SqliteStore::open_in_memory().unwrap();
    let conn = &store.conn;
    let rows = || -> Vec<(i64, String, String)> {
        let mut stmt = conn
            .prepare("SELECT rowid, source_advisory_id, vendor_status FROM edges ORDER BY rowid")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let first = record(1, &[("ghsa", "A"), ("osv", "B")]);
    let key = first.canonical.merge_hash.clone();
    super::super::canonical::insert_new(conn, &first, super::super::canonical::At(1, None))
        .unwrap();
    let mut next = record(1, &[("osv", "B"), ("osv", "C")]);
    next.edges[0].vendor_status = "fixed".to_owned();
    edges::replace(conn, &key, &next.edges).unwrap();
    let after = rows();
    let status = first.edges[1].vendor_status.clone();
    assert_ne!(status, "fixed");
    assert_eq!(
        after,
        [
            (2, "B".to_owned(), "fixed".to_owned()),
            (3, "C".to_owned(), status)
        ]
    );
    // The same set again writes no row; one changed value writes that row.
    let writes = conn.total_changes();
    edges::replace(conn, &key, &next.edges).unwrap();
    assert_eq!(conn.total_changes(), writes);
    next.edges[1].source_sha256 = format!("sha256:{}", "cd".repeat(32));
    edges::replace(conn, &key, &next.edges).unwrap();
    assert_eq!(conn.total_changes(), writes + 1);
    let sha: String = conn
        .query_row("SELECT source_sha256 FROM edges WHERE rowid = 3", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        (rows().len(), sha),
        (2, next.edges[1].source_sha256.clone())
    );
    for twice in [
        record(1, &[("osv", "B"), ("osv", "B")]),
        record(1, &[("osv", "D"), ("osv", "D")]),
    ] {
        let err = edges::replace(conn, &key, &twice.edges).unwrap_err();
        assert!(
            err.to_string().contains("UNIQUE constraint failed"),
            "{err}"
        );
    }
}

/// The edge lookup keeps its own SQL (for its cast) but reads the shared
/// column list, in the shared order.
#[test]
fn the_edge_lookup_selects_the_shared_edge_columns() {
    let select = format!("SELECT {} FROM edges ", crate::store::rows::EDGE_COLUMNS);
    assert!(
        super::super::canonical::EDGES_OF.starts_with(&select),
        "{}",
        super::super::canonical::EDGES_OF
    );
}

/// A write transaction reads the feed's newest row once, then numbers its
/// rows on from there; the next transaction goes on where it ended, and a
/// deletion takes the next number like a put.
#[test]
fn the_feed_is_numbered_on_from_its_newest_row_read_once_per_transaction() {
    use rusqlite::StatementStatus;

    use super::{deletion, record};
    use crate::store::Store;

    const NEWEST: &str = "SELECT seq, millis FROM feed ORDER BY seq DESC LIMIT 1";
    let mut store = crate::store::sqlite::SqliteStore::open_in_memory().unwrap();
    let seqs = |store: &mut crate::store::sqlite::SqliteStore, first: u8| -> Vec<u64> {
        let mut txn = store.begin().unwrap();
        let mut seqs = Vec::new();
        for i in first..first + 3 {
            seqs.push(txn.put(&record(i, &[("osv", "A")])).unwrap().seq());
        }
        let gone = deletion(first, "withdrawn");
        seqs.push(txn.delete(&gone).unwrap().unwrap().seq());
        txn.commit().unwrap();
        seqs
    };
    assert_eq!(seqs(&mut store, 1), [1, 2, 3, 4]);
    assert_eq!(seqs(&mut store, 10), [5, 6, 7, 8]);
    let runs = store.conn.prepare_cached(NEWEST).unwrap();
    assert_eq!(runs.get_status(StatementStatus::Run), 2);
    drop(runs);
    let feed: Vec<(i64, String)> = store
        .conn
        .prepare("SELECT seq, kind FROM feed ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let kinds: Vec<&str> = feed.iter().map(|(_, k)| k.as_str()).collect();
    let round = ["put", "put", "put", "delete"];
    assert_eq!(kinds, [round, round].concat());
    assert_eq!(feed.last().unwrap().0, 8);
}
