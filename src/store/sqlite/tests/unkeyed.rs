//! Indexes an ingest into an empty store builds once at commit: taken only
//! when the store is empty, every index back (same definitions) after a
//! commit or a rollback, and the keyed lookups right meanwhile.

use super::super::SqliteStore;
use super::{indexes, record};
use crate::store::Store;

#[test]
fn an_empty_store_builds_them_at_commit_and_keeps_every_index() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let before = indexes(&store.conn);
    {
        let mut txn = store.begin().unwrap();
        assert!(txn.defer_unkeyed_indexes().unwrap());
        let first = record(1, &[("ghsa", "GHSA-1")]);
        txn.put(&first).unwrap();
        // A second write of the same merge hash finds the first by its key.
        let merge_hash = first.canonical.merge_hash.clone();
        let stored = txn.canonical(&merge_hash).unwrap().unwrap();
        assert_eq!(stored.edges.len(), 1);
        txn.put(&record(1, &[("ghsa", "GHSA-1"), ("osv", "OSV-1")]))
            .unwrap();
        assert_eq!(txn.source_record("osv", "OSV-1").unwrap().len(), 1);
        txn.commit().unwrap();
    }
    assert_eq!(indexes(&store.conn), before);
    let edges = store
        .canonical(&record(1, &[]).canonical.merge_hash)
        .unwrap()
        .unwrap()
        .edges;
    assert_eq!(edges.len(), 2);
}

#[test]
fn a_store_that_holds_canonicals_declines_and_a_rollback_keeps_them() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let before = indexes(&store.conn);
    {
        let mut txn = store.begin().unwrap();
        assert!(txn.defer_unkeyed_indexes().unwrap());
        txn.put(&record(3, &[("ghsa", "GHSA-3")])).unwrap();
        // Dropped without commit: rolled back, the indexes with it.
    }
    assert_eq!(indexes(&store.conn), before);
    {
        let mut txn = store.begin().unwrap();
        txn.put(&record(2, &[("ghsa", "GHSA-2")])).unwrap();
        txn.commit().unwrap();
    }
    let mut txn = store.begin().unwrap();
    assert!(!txn.defer_unkeyed_indexes().unwrap());
    drop(txn);
    assert_eq!(indexes(&store.conn), before);
}
