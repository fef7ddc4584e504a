//! Two connections to one file: WAL snapshots and writer serialization.

use std::time::{Duration, Instant};

use super::*;
use crate::store::{NewSite, StoreError};

fn short_timeout() -> OpenOptions {
    OpenOptions {
        busy_timeout: Duration::from_millis(150),
    }
}

use super::super::OpenOptions;

#[test]
fn a_reader_sees_the_last_commit_while_a_write_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut writer = SqliteStore::open(&path).unwrap();
    put(&mut writer, &record(1, &[]));
    let mut txn = writer.begin().unwrap();
    txn.put(&record(2, &[("ghsa", "GHSA-2")])).unwrap();
    txn.delete(&deletion(1, "pruned")).unwrap();
    // Opening a store while another process writes must not wait for it.
    let reader = SqliteStore::open_with(&path, &short_timeout()).unwrap();
    assert_eq!(reader.canonical(&merge_hash(2)).unwrap(), None);
    assert_eq!(
        reader.canonical(&merge_hash(1)).unwrap(),
        Some(record(1, &[]))
    );
    assert_eq!(reader.local_cursor().unwrap().map(|c| c.seq()), Some(1));
    txn.commit().unwrap();
    assert_eq!(reader.canonical(&merge_hash(1)).unwrap(), None);
    assert_eq!(reader.local_cursor().unwrap().map(|c| c.seq()), Some(3));
}

#[test]
fn a_second_writer_gets_busy_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut first = SqliteStore::open(&path).unwrap();
    let mut second = SqliteStore::open_with(&path, &short_timeout()).unwrap();
    let txn = first.begin().unwrap();
    let started = Instant::now();
    assert!(matches!(second.begin(), Err(StoreError::Busy)));
    assert!(started.elapsed() >= Duration::from_millis(150));
    let site = NewSite {
        site_id: "a".to_owned(),
        display_name: "A".to_owned(),
        enabled: true,
        created_at: "2025-01-01T00:00:00.000Z".to_owned(),
    };
    let err = second.add_site(&site).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the store is busy: another stella process holds it; try again when it has finished"
    );
    drop(txn);
    second.add_site(&site).unwrap();
    assert!(first.site("a").unwrap().is_some());
}

#[test]
fn the_store_can_move_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<SqliteStore>();
    let store = SqliteStore::open_in_memory().unwrap();
    let cursor = std::thread::spawn(move || store.local_cursor().unwrap())
        .join()
        .unwrap();
    assert_eq!(cursor, None);
}
