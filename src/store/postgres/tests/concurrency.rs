//! Two connections to one schema: the writer lock and reader snapshots.

use std::time::{Duration, Instant};

use super::super::PgOptions;
use super::*;
use crate::store::StoreError;

fn short_lock() -> PgOptions {
    PgOptions {
        lock_timeout: Duration::from_millis(200),
    }
}

#[test]
fn a_reader_sees_the_last_commit_while_a_write_is_open() {
    let db = test_db!();
    let clock = TestClock::at(0);
    let mut writer = db.store(&clock);
    put(&mut writer, &record(1, &[]));
    let mut txn = writer.begin().unwrap();
    txn.put(&record(2, &[("ghsa", "GHSA-2")])).unwrap();
    txn.delete(&deletion(1, "pruned")).unwrap();
    let reader = db.store_in("vuln", &clock, &short_lock());
    let started = Instant::now();
    assert_eq!(reader.canonical(&merge_hash(2)).unwrap(), None);
    assert_eq!(
        reader.canonical(&merge_hash(1)).unwrap(),
        Some(record(1, &[]))
    );
    assert_eq!(reader.local_cursor().unwrap().map(|c| c.seq()), Some(1));
    assert!(started.elapsed() < Duration::from_secs(2));
    txn.commit().unwrap();
    assert_eq!(reader.canonical(&merge_hash(1)).unwrap(), None);
    assert_eq!(reader.local_cursor().unwrap().map(|c| c.seq()), Some(3));
}

#[test]
fn a_second_writer_waits_then_gets_lock_timeout() {
    let db = test_db!();
    let clock = TestClock::at(0);
    let mut first = db.store(&clock);
    let mut second = db.store_in("vuln", &clock, &short_lock());
    let mut txn = first.begin().unwrap();
    txn.put(&record(1, &[])).unwrap();
    let started = Instant::now();
    let err = second.begin().err().unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(200), "{waited:?}");
    let key = super::super::conn::lock_key("writer", "vuln");
    match &err {
        StoreError::LockTimeout { lock, waited_ms } => {
            assert_eq!(
                lock,
                &format!("stella writer lock for schema vuln (advisory lock {key})")
            );
            assert!((200..2_000).contains(waited_ms), "{waited_ms}");
        }
        other => panic!("expected LockTimeout, got {other}"),
    }
    assert!(err.to_string().starts_with(&format!(
        "another stella holds the writer lock `stella writer lock for schema vuln \
         (advisory lock {key})`; gave up after "
    )));
    txn.commit().unwrap();
    // Once the first commits, the second gets the lock and the next position.
    let mut txn = second.begin().unwrap();
    assert_eq!(txn.put(&record(2, &[])).unwrap(), Cursor::new(0, 2));
    txn.commit().unwrap();
}

#[test]
fn a_waiting_writer_proceeds_when_the_lock_is_released() {
    let db = test_db!();
    let clock = TestClock::at(0);
    let mut first = db.store(&clock);
    let mut second = db.store(&clock);
    let txn = first.begin().unwrap();
    let waiter = std::thread::spawn(move || {
        let mut txn = second.begin().unwrap();
        let cursor = txn.put(&record(2, &[])).unwrap();
        txn.commit().unwrap();
        cursor
    });
    std::thread::sleep(Duration::from_millis(150));
    drop(txn);
    assert_eq!(waiter.join().unwrap(), Cursor::new(0, 1));
}

#[test]
fn the_store_can_move_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<PgStore>();
    let db = test_db!();
    let store = db.store(&TestClock::at(0));
    let cursor = std::thread::spawn(move || store.local_cursor().unwrap())
        .join()
        .unwrap();
    assert_eq!(cursor, None);
}

#[test]
fn a_bulk_load_waits_for_readers_of_its_tables_at_most_the_lock_timeout() {
    let db = test_db!();
    let clock = TestClock::at(0);
    let mut writer = db.store_in("vuln", &clock, &short_lock());
    let mut reader = db.client();
    let mut read = reader.transaction().unwrap();
    read.query("SELECT count(*) FROM vuln.canonicals", &[])
        .unwrap();
    let mut txn = writer.begin().unwrap();
    let started = Instant::now();
    let err = txn.bulk_load().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        err.to_string(),
        "another session is reading `canonicals`, `edges` or `taken`, which a full import into \
         an empty store needs alone; gave up after 200 ms: try again when it has finished"
    );
    drop(txn);
    read.commit().unwrap();
    let mut txn = writer.begin().unwrap();
    assert!(txn.bulk_load().unwrap());
    txn.put(&record(1, &[("ghsa", "GHSA-1")])).unwrap();
    txn.commit().unwrap();
    assert_eq!(db.count("vuln", "canonicals"), 1);
}
