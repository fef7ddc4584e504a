//! The SQLite bulk load: foreign-key enforcement off only inside it, every
//! index back (and checked) when it ends, whichever way it ends.

use rusqlite::Connection;

use super::super::{SqliteStore, bulk};
use super::{deletion, indexes, record};
use crate::store::tests::new_site;
use crate::store::{Store, StoreError};

fn enforcing(conn: &Connection) -> bool {
    conn.pragma_query_value(None, "foreign_keys", |row| row.get(0))
        .unwrap()
}

fn cache(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "cache_size", |row| row.get(0))
        .unwrap()
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
        row.get(0)
    })
    .unwrap()
}

fn store() -> SqliteStore {
    let mut store = SqliteStore::open_in_memory().unwrap();
    store.add_site(&new_site("b")).unwrap();
    store
}

#[test]
fn a_committed_bulk_load_puts_back_enforcement_and_every_index() {
    let mut store = store();
    let before = indexes(&store.conn);
    for key in ["canonicals_merge_hash", "edges_key", "taken_key"] {
        assert!(before.iter().any(|i| i.starts_with(key)), "{before:?}");
    }
    {
        let mut txn = store.begin().unwrap();
        assert!(txn.bulk_load().unwrap());
        // With enforcement on, an edge could not be written while the key
        // it names is set aside ("foreign key mismatch").
        txn.put(&record(1, &[("ghsa", "GHSA-1"), ("osv", "OSV-1")]))
            .unwrap();
        txn.set_taken("b", &record(1, &[]).canonical.merge_hash, "sha256:1")
            .unwrap();
        txn.commit().unwrap();
    }
    assert!(enforcing(&store.conn));
    assert_eq!(indexes(&store.conn), before);
    assert_eq!(cache(&store.conn), -32 * 1024);
    assert_eq!(
        (
            count(&store.conn, "canonicals"),
            count(&store.conn, "edges")
        ),
        (1, 2)
    );
    assert_eq!(count(&store.conn, "taken"), 1);
}

#[test]
fn a_dropped_bulk_load_puts_back_enforcement_and_every_index() {
    let mut store = store();
    let before = indexes(&store.conn);
    {
        let mut txn = store.begin().unwrap();
        assert!(txn.bulk_load().unwrap());
        txn.put(&record(1, &[("ghsa", "GHSA-1")])).unwrap();
    }
    assert!(enforcing(&store.conn));
    assert_eq!(indexes(&store.conn), before);
    assert_eq!(cache(&store.conn), -32 * 1024);
    assert_eq!(count(&store.conn, "canonicals"), 0);
    assert_eq!(count(&store.conn, "feed"), 0);
}

/// Rows go in with a small page cache (a load only appends); the
/// connection's own comes back with the indexes, or with the rollback.
#[test]
fn a_bulk_load_runs_with_a_small_page_cache_and_puts_it_back() {
    let store = store();
    let conn = &store.conn;
    assert_eq!(cache(conn), -32 * 1024);
    for commit in [true, false] {
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        let aside = bulk::set_aside(conn).unwrap();
        assert_eq!(cache(conn), -8 * 1024);
        match commit {
            true => {
                bulk::restore(conn, &aside).unwrap();
                conn.execute_batch("COMMIT").unwrap();
            }
            false => {
                conn.execute_batch("ROLLBACK").unwrap();
                bulk::abandon(conn, &aside).unwrap();
            }
        }
        assert_eq!(cache(conn), -32 * 1024, "commit: {commit}");
    }
}

/// An index that cannot be built back fails the restore with the build's
/// error, and the connection's page cache is back all the same.
#[test]
fn a_failed_rebuild_still_puts_the_page_cache_back() {
    let store = store();
    let conn = &store.conn;
    conn.execute_batch("PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE")
        .unwrap();
    let aside = bulk::set_aside(conn).unwrap();
    conn.execute_batch(
        "INSERT INTO taken VALUES ('site-x', 'h', 'd'); \
         INSERT INTO taken VALUES ('site-x', 'h', 'd');",
    )
    .unwrap();
    let err = bulk::restore(conn, &aside).unwrap_err();
    assert!(
        err.to_string()
            .contains("UNIQUE constraint failed: taken.site_id, taken.merge_hash"),
        "{err}"
    );
    assert_eq!(cache(conn), -32 * 1024);
    conn.execute_batch("ROLLBACK").unwrap();
}

/// The bundle reader refuses a canonical listed twice; should one reach the
/// store anyway, the key's rebuild refuses the commit and nothing is kept.
#[test]
fn a_key_loaded_twice_fails_the_commit_and_leaves_nothing() {
    let mut store = store();
    let before = indexes(&store.conn);
    let mut txn = store.begin().unwrap();
    assert!(txn.bulk_load().unwrap());
    txn.put(&record(1, &[("ghsa", "GHSA-1")])).unwrap();
    txn.put(&record(1, &[("osv", "OSV-1")])).unwrap();
    let err = txn.commit().unwrap_err();
    assert!(
        err.to_string().contains("UNIQUE constraint failed"),
        "{err}"
    );
    assert!(enforcing(&store.conn));
    assert_eq!(indexes(&store.conn), before);
    assert_eq!(count(&store.conn, "canonicals"), 0);
    assert_eq!(count(&store.conn, "edges"), 0);
}

#[test]
fn a_merge_base_for_an_unknown_site_is_refused_in_a_bulk_load() {
    let mut store = store();
    let mut txn = store.begin().unwrap();
    assert!(txn.bulk_load().unwrap());
    let hash = record(1, &[]).canonical.merge_hash;
    txn.set_taken("b", &hash, "sha256:1").unwrap();
    match txn.set_taken("nowhere", &hash, "sha256:1") {
        Err(StoreError::UnknownSite(site)) => assert_eq!(site, "nowhere"),
        other => panic!("expected UnknownSite, got {other:?}"),
    }
}

#[test]
fn a_removal_in_a_bulk_load_takes_its_edges() {
    let mut store = store();
    let mut txn = store.begin().unwrap();
    assert!(txn.bulk_load().unwrap());
    txn.put(&record(1, &[("ghsa", "GHSA-1"), ("osv", "OSV-1")]))
        .unwrap();
    txn.put(&record(2, &[("ghsa", "GHSA-2")])).unwrap();
    assert!(txn.delete(&deletion(1, "withdrawn")).unwrap().is_some());
    txn.commit().unwrap();
    assert_eq!(count(&store.conn, "canonicals"), 1);
    assert_eq!(count(&store.conn, "edges"), 1);
    assert_eq!(count(&store.conn, "tombstones"), 1);
    let orphans: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM pragma_foreign_key_check('edges')",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
}

#[test]
fn a_bulk_load_asked_after_a_write_is_declined_and_keeps_the_write() {
    let mut store = store();
    let mut txn = store.begin().unwrap();
    // An event leaves the store empty of canonicals, tombstones and merge
    // bases, but a restart would lose it.
    txn.append_event(&crate::store::tests::ledger::event(1))
        .unwrap();
    assert!(!txn.bulk_load().unwrap());
    txn.commit().unwrap();
    assert!(enforcing(&store.conn));
    assert_eq!(count(&store.conn, "events"), 1);
}
