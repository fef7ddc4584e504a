use std::path::Path;

use super::{Fields, Journal, JournalError, State};

fn version(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_new_journal_gets_the_schema_and_keeps_its_rows_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(&path).unwrap();
    journal
        .begin("i1", "b.tar.zst", dir.path(), "2026-01-01T00:00:00.000Z")
        .unwrap();
    let fields = Fields {
        site_id: Some("site-a"),
        ..Fields::default()
    };
    journal
        .update("i1", State::Staged, &fields, "2026-01-01T00:00:01.000Z")
        .unwrap();
    drop(journal);
    assert_eq!(version(&path), 1);
    let again = Journal::open(&path).unwrap();
    assert_eq!(again.entry("i1").unwrap(), Some(State::Staged));
    let open = again.entries(true, 10).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].site_id.as_deref(), Some("site-a"));
    assert_eq!(version(&path), 1);
}

#[test]
fn a_journal_from_a_newer_stella_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    drop(Journal::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 7)
        .unwrap();
    match Journal::open(&path) {
        Err(e @ JournalError::TooNew { found: 7, .. }) => assert_eq!(
            e.to_string(),
            format!(
                "the import journal `{}` has schema version 7, newer than this stella knows: upgrade stella",
                path.display()
            )
        ),
        Err(other) => panic!("expected TooNew, got {other}"),
        Ok(_) => panic!("expected TooNew, got a journal"),
    }
    assert_eq!(version(&path), 7);
}

/// Opening a current journal takes no write lock, so a command never waits
/// for (or times out behind) an import that is writing to it.
#[test]
fn opening_a_current_journal_does_not_wait_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    drop(Journal::open(&path).unwrap());
    let writer = rusqlite::Connection::open(&path).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    // A write lock would wait out the ten-second busy timeout, then fail.
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.entries(false, 10).unwrap(), Vec::new());
    writer.execute_batch("COMMIT").unwrap();
}
