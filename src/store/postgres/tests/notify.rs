//! `record_import` notifies `canonical_imported` with the bundle hash, at
//! commit only.

use std::time::Duration;

use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;

use super::super::CHANNEL;
use super::*;

/// The (channel, payload) pairs that arrive within `wait`.
fn received(listener: &mut Client, wait: Duration) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut notes = listener.notifications();
    let mut iter = notes.timeout_iter(wait);
    while let Some(n) = iter.next().unwrap() {
        out.push((n.channel().to_owned(), n.payload().to_owned()));
    }
    out
}

#[test]
fn the_import_is_announced_at_commit_and_never_after_a_rollback() {
    let db = test_db!();
    let mut store = db.store(&TestClock::at(0));
    store.add_site(&new_site("b")).unwrap();
    let mut listener = db.client();
    listener.batch_execute("LISTEN canonical_imported").unwrap();
    assert_eq!(CHANNEL, "canonical_imported");

    let mut txn = store.begin().unwrap();
    txn.record_import(&entry("b", "sha256:one", 1, 3)).unwrap();
    assert_eq!(received(&mut listener, Duration::from_millis(200)), []);
    txn.commit().unwrap();
    let want = [(CHANNEL.to_owned(), "sha256:one".to_owned())];
    assert_eq!(received(&mut listener, Duration::from_secs(2)), want);

    let mut txn = store.begin().unwrap();
    txn.record_import(&entry("b", "sha256:two", 2, 3)).unwrap();
    drop(txn);
    assert_eq!(received(&mut listener, Duration::from_millis(300)), []);
}
