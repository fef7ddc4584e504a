//! SQLite errors become driver-free `StoreError`s that keep the extended
//! result code and say whether the database refused the data.

use rusqlite::Connection;

use crate::store::{DbCode, StoreError};

fn refused(conn: &Connection, sql: &str) -> StoreError {
    StoreError::from(conn.execute_batch(sql).unwrap_err())
}

#[test]
fn a_trigger_abort_is_a_data_refusal_with_its_code() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE t (x INTEGER); \
         CREATE TRIGGER no_negatives BEFORE INSERT ON t WHEN NEW.x < 0 \
         BEGIN SELECT RAISE(ABORT, 'x'); END;",
    )
    .unwrap();
    let err = refused(&conn, "INSERT INTO t VALUES (-1)");
    let StoreError::Sqlite(failure) = &err else {
        panic!("expected Sqlite, got {err:?}")
    };
    // SQLITE_CONSTRAINT_TRIGGER.
    assert_eq!(failure.code, Some(DbCode::Sqlite(1811)));
    assert_eq!(err.to_string(), "store query failed: x");
    assert!(err.caused_by_data());
}

#[test]
fn constraint_and_type_refusals_are_caused_by_data() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, n INTEGER) STRICT")
        .unwrap();
    conn.execute_batch("INSERT INTO t VALUES ('a', 1)").unwrap();
    let unique = refused(&conn, "INSERT INTO t VALUES ('a', 2)");
    assert!(unique.caused_by_data(), "{unique}");
    let not_null = refused(&conn, "INSERT INTO t VALUES (NULL, 2)");
    assert!(not_null.caused_by_data(), "{not_null}");
    let strict = refused(&conn, "INSERT INTO t VALUES ('b', 'not a number')");
    assert!(strict.caused_by_data(), "{strict}");
}

#[test]
fn schema_and_other_errors_are_not_caused_by_data() {
    let conn = Connection::open_in_memory().unwrap();
    let missing = refused(&conn, "INSERT INTO nowhere VALUES (1)");
    assert_eq!(
        missing.to_string(),
        "store query failed: no such table: nowhere"
    );
    assert!(!missing.caused_by_data());
    let no_rows = StoreError::from(
        conn.query_row("SELECT 1 WHERE 0", [], |r| r.get::<_, i64>(0))
            .unwrap_err(),
    );
    assert!(matches!(&no_rows, StoreError::Sqlite(f) if f.code.is_none()));
    assert!(!no_rows.caused_by_data());
    assert!(!StoreError::Busy.caused_by_data());
}
